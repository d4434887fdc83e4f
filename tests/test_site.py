"""Browser tests of the built book (_build/html) in Debian's headless Chromium via Playwright.

Build first (`make book`; `make test` does it). Without a build the tests are skipped locally and
fail in CI, where a missing site is a bug. CNNLIB_SITE_DIR tests another build (a folder holding
index.html) instead of _build/html.

Issue #21: reading the site requests nothing from another host (every request is recorded, and
requests leaving 127.0.0.1 are also blocked, so math must render from the site's own MathJax), and
axe-core (node_modules/axe-core, pinned in package-lock.json) finds no critical or serious
violation on any page at 1280 and 390 px, apart from the notebook-side ones in AXE_KNOWN.
"""

import functools
import html.parser
import http.server
import os
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml

from conftest import ROOT
from tools.nbtools import toc_files

HTML = Path(os.environ.get("CNNLIB_SITE_DIR") or ROOT / "_build" / "html")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = [1280, 390]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's chromium by default
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())


PAGES = [TOC["root"], *toc_files(TOC["parts"])]
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]
ASSIGNMENTS = [p for p in PAGES if p.startswith("book/assignments/")]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    if not (HTML / "index.html").exists():
        if os.environ.get("CI"):
            pytest.fail("_build/html is missing: the book must be built before the site tests")
        pytest.skip("no built book: run `make book` first")
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (or set CHROMIUM)")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


def _is_local(url: str) -> bool:
    return urlparse(url).hostname in ("127.0.0.1", None, "")


def open_page(browser, site, path, width=1280, requests=None):
    """Load a page with external requests blocked; return (page, console errors from our site).

    Every URL the page requests is appended to `requests` when a list is given.
    """
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = []
    if requests is not None:
        page.on("request", lambda request: requests.append(request.url))

    def on_console(msg):
        if msg.type != "error":
            return
        source = msg.location.get("url", "") if msg.location else ""
        unreachable = "net::ERR" in msg.text or "Failed to load resource" in msg.text
        if unreachable and not _is_local(source):
            return  # a CDN the sandbox cannot reach
        if unreachable and "ERR_FAILED" in msg.text:
            return  # our own request for an external resource, blocked below
        errors.append(f"{msg.text} ({source})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.route("**/*", lambda route: route.continue_() if _is_local(route.request.url) else route.abort())
    response = page.goto(f"{site}/{path}", wait_until="load")
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    return page, errors


@pytest.mark.parametrize("doc", PAGES)
def test_page_loads_with_title_and_no_errors(browser, site, doc):
    page, errors = open_page(browser, site, f"{doc}.html")
    h1 = page.locator("main h1").first.inner_text().strip()
    assert h1, f"{doc}: no title"
    outputs = "\n".join(page.locator(".cell_output").all_inner_texts())
    assert "Traceback (most recent call last)" not in outputs, f"{doc}: a traceback in the output"
    for sign in ("Downloading data from", "course sample is not reachable", "stand-in:",
                 "the numbers below will differ"):
        assert sign not in outputs, f"{doc}: computed on something other than the course sample"
    assert page.locator(".output.traceback, .output.error, .output.stderr").count() == 0
    broken = page.evaluate(
        "Array.from(document.querySelectorAll('main img'))"
        ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"{doc}: images that did not render: {broken}"
    assert not errors, f"{doc}: console errors: {errors}"
    page.close()


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_shows_rendered_figures(browser, site, doc):
    page, _ = open_page(browser, site, f"{doc}.html")
    images = page.evaluate(
        "Array.from(document.querySelectorAll('.cell_output img'))"
        ".map(i => [i.naturalWidth, i.naturalHeight, i.alt, i.id.startsWith('_anim_img')])"
    )
    assert images, f"{doc}: no figure"
    for width, height, alt, animation_frame in images:
        assert width > 100 and height > 50, images
        if not animation_frame:  # matplotlib's to_jshtml player has no alt text (yet)
            assert len(alt) > 10 and not alt.endswith(".png"), f"{doc}: figure without alt: {alt!r}"
    page.close()


@pytest.mark.parametrize("doc", CHAPTERS)
def test_launch_buttons_point_at_this_notebook(browser, site, doc):
    page, _ = open_page(browser, site, f"{doc}.html")
    links = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    repo = urlparse(CONFIG["repository"]["url"]).path.strip("/")
    branch = CONFIG["repository"]["branch"]
    colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{doc}.ipynb"
    binder = f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=tree/{doc}.ipynb"
    assert colab in links, f"no Colab link {colab}"
    assert binder in links, f"no Binder link {binder}"
    download = [h for h in links if h.endswith(f"_sources/{doc}.ipynb")]
    assert download, "no .ipynb download link"
    page.close()


def _secrets(name):
    """Lines only the master notebook holds: solution code and hidden tests' feedback."""
    import nbformat

    secrets = []
    for cell in nbformat.read(ROOT / "assignments" / f"{name}.ipynb", as_version=4).cells:
        inside = False
        for line in cell.source.splitlines():
            inside = inside or "# BEGIN SOLUTION" in line
            if inside and len(line.strip()) > 20 and "SOLUTION" not in line:
                secrets.append(line.strip())
            inside = inside and "# END SOLUTION" not in line
        if "hidden: true" in cell.source:
            secrets += re.findall(r'failure_message: "(.{20,60})', cell.source)
    return secrets


@pytest.mark.parametrize("doc", ASSIGNMENTS)
def test_assignment_page_is_the_student_copy_and_opens_in_colab(browser, site, doc):
    page, _ = open_page(browser, site, f"{doc}.html")
    text = page.locator("main").inner_text()
    assert 'grader.check("q1")' in text, f"{doc}: no otter check cell"
    secrets = _secrets(doc.rsplit("/", 1)[-1])
    assert secrets, "the master notebook has no solution"
    shown = [s for s in secrets if s in text]
    assert not shown, f"{doc}: the page shows solutions or hidden tests: {shown[:3]}"
    assert "BEGIN SOLUTION" not in text and "TEST CONFIG" not in text
    links = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    repo = urlparse(CONFIG["repository"]["url"]).path.strip("/")
    colab = f"https://colab.research.google.com/github/{repo}/blob/{CONFIG['repository']['branch']}"
    assert f"{colab}/{doc}.ipynb" in links, f"no Colab link to the student copy {doc}.ipynb"
    page.close()


def test_sidebar_reaches_every_page(browser, site):
    page, _ = open_page(browser, site, f"{TOC['root']}.html")  # index.html only redirects
    hrefs = page.evaluate(
        "Array.from(document.querySelectorAll('nav.bd-links a')).map(a => a.href)"
    )
    for doc in PAGES[1:]:
        assert any(h.split("#")[0].endswith(f"/{doc}.html") for h in hrefs), f"sidebar lacks {doc}"
    page.close()


class _LinksAndIds(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def test_crawl_every_internal_link_and_anchor_resolves(site):
    """Follow every same-site link from the root page; each page and #anchor must exist."""
    parsed, queue, checked, broken = {}, [f"{site}/{TOC['root']}.html"], 0, []
    while queue:
        url = queue.pop()
        if url in parsed:
            continue
        with urllib.request.urlopen(url) as response:
            page = _LinksAndIds()
            page.feed(response.read().decode("utf-8", "replace"))
        parsed[url] = page
        for href in page.links:
            target = urljoin(url, href)
            if not target.startswith(site) or "/_sources/" in target or "/_static/" in target:
                continue
            base = target.split("#")[0]
            if base.endswith(".html") and base not in parsed:
                queue.append(base)
    for url, page in parsed.items():
        for href in page.links:
            target = urljoin(url, href)
            if not target.startswith(site):
                continue
            checked += 1
            base, _, anchor = target.partition("#")
            if base.endswith(".html"):
                if base not in parsed:
                    broken.append(f"{url} -> {href} (page not crawled)")
                elif anchor and anchor not in parsed[base].ids:
                    broken.append(f"{url} -> {href} (no such anchor)")
            else:
                try:
                    urllib.request.urlopen(base).close()
                except urllib.error.HTTPError as exc:
                    broken.append(f"{url} -> {href} ({exc.code})")
    print(f"crawled {len(parsed)} pages, checked {checked} internal links")
    assert not broken, "\n".join(broken)
    for doc in PAGES:
        assert f"{site}/{doc}.html" in parsed, f"{doc} is not reachable by links from the root page"


def test_search_finds_stride(browser, site):
    page, errors = open_page(browser, site, "search.html?q=stride")
    page.wait_for_selector("#search-results li", timeout=15000)
    results = page.locator("#search-results li").all_inner_texts()
    assert results, "no search results for 'stride'"
    assert any("Glossary" in r or "stride" in r.lower() for r in results), results
    page.close()


def test_phone_width_has_no_horizontal_overflow(browser, site):
    page, _ = open_page(browser, site, f"{CHAPTERS[0]}.html", width=390)
    (HTML.parent / "screenshots").mkdir(exist_ok=True)
    page.screenshot(path=str(HTML.parent / "screenshots" / "chapter_390px.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()


def test_dark_mode_darkens_the_page(browser, site):
    context = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if _is_local(route.request.url) else route.abort())
    page.goto(f"{site}/{CHAPTERS[0]}.html", wait_until="load")
    (HTML.parent / "screenshots").mkdir(exist_ok=True)
    page.screenshot(path=str(HTML.parent / "screenshots" / "chapter_dark.png"))
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = [int(v) for v in re.findall(r"\d+", background)[:3]]
    assert red + green + blue < 200, f"page background {background} is not dark"
    context.close()


def _settle(page):
    """Let deferred scripts finish: MathJax typesetting, its fonts, the widgets bundle."""
    page.wait_for_load_state("networkidle")
    page.evaluate("window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("doc", PAGES)
def test_reading_a_page_requests_nothing_from_another_host(browser, site, doc):
    requests = []
    page, _ = open_page(browser, site, f"{doc}.html", requests=requests)
    _settle(page)
    page.close()
    outside = [url for url in requests if not url.startswith(("data:", "blob:")) and not _is_local(url)]
    print(f"{doc}: {len(requests)} requests, {len(outside)} to other hosts")
    assert requests and not outside, f"{doc}: requests to other hosts: {outside}"


def test_math_renders_with_the_network_blocked(browser, site):
    page, errors = open_page(browser, site, "chapters/03_padding_stride.html")
    _settle(page)
    typeset, untypeset = page.evaluate(
        "[document.querySelectorAll('mjx-container').length,"
        " Array.from(document.querySelectorAll('main .math'))"
        ".filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80))]"
    )
    assert typeset > 10, f"only {typeset} MathJax outputs: MathJax did not run"
    assert not untypeset, f"math left as TeX: {untypeset[:5]}"
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    assert not errors, errors
    page.close()


# Violations only the notebooks can fix (issue #21's remaining notebook work): matplotlib's
# to_jshtml animation players in chapter 3 have frames without alt text and unlabelled sliders.
# Each entry: (page, rule) -> the id prefix of the only elements it may flag there.
AXE_KNOWN = {  # issue #21's remaining notebook work, seen in the full build
    ("chapters/02_convolution", "image-alt"): "#_anim_img",  # to_jshtml frames without alt
    ("chapters/02_convolution", "label"): "#_anim_slider",  # and their unlabelled sliders
    ("chapters/03_padding_stride", "image-alt"): "#_anim_img",
    ("chapters/03_padding_stride", "label"): "#_anim_slider",
    ("chapters/06_backprop", "scrollable-region-focusable"): ".lm-Panel",  # widget row, 390 px
}


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
        pytest.skip("node_modules/axe-core is missing: run `npm ci`")
    return str(AXE)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("doc", PAGES)
def test_axe_finds_no_serious_violation(browser, site, axe_source, doc, width):
    page, _ = open_page(browser, site, f"{doc}.html", width=width)
    _settle(page)
    page.add_script_tag(path=axe_source)
    violations = page.evaluate(
        "axe.run(document).then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " targets: v.nodes.map(n => n.target.join(' ')),"
        " html: v.nodes.slice(0, 3).map(n => n.html.slice(0, 160))})))"
    )
    page.close()
    print(f"{doc} @{width}px: " + (", ".join(f"{v['id']} ({v['impact']}) x{len(v['targets'])}"
                                             for v in violations) or "no violations"))
    serious = []
    for violation in violations:
        if violation["impact"] not in ("critical", "serious"):
            continue
        allowed = AXE_KNOWN.get((doc, violation["id"]))
        targets = [t for t in violation["targets"] if not (allowed and t.startswith(allowed))]
        if targets:
            serious.append(f"{violation['id']} ({violation['impact']}): {targets[:5]} "
                           f"{violation['html']}")
    assert not serious, f"{doc} at {width} px:\n" + "\n".join(serious)
