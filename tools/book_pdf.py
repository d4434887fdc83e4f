"""Print the built book (_build/html) to one PDF for printing and offline reading.

Every page of _toc.yml, in order, is opened in headless Chromium (Playwright), left to finish
typesetting its math, and printed with the print styles of the theme and book/_static/course.css
(no sidebars, no animation controls); pypdf joins the pages into one file with a bookmark per
page. tests/test_pdf.py checks the result.

Usage: python tools/book_pdf.py [HTML_DIR] [OUT_PDF]   (defaults: _build/html, _build/pdf/book.pdf)
Environment: CHROMIUM, the browser to drive (default /usr/bin/chromium).
"""

import functools
import http.server
import io
import os
import sys
import threading
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parents[1]
MARGIN = {"top": "15mm", "bottom": "15mm", "left": "14mm", "right": "14mm"}


def toc_pages(toc_path=ROOT / "_toc.yml"):
    """The book's pages in reading order, as paths without suffix ("book/intro", ...)."""
    toc = yaml.safe_load(toc_path.read_text())

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                yield entry["file"]
            yield from walk(entry.get("chapters", []) + entry.get("sections", []))

    return [toc["root"], *walk(toc["parts"])]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def print_book(html_dir: Path, out: Path, chromium: str) -> list:
    """Print every page of html_dir into out; return [(title, first page, n pages)]."""
    if not (html_dir / "index.html").exists():
        raise FileNotFoundError(f"{html_dir} has no index.html: build the book first")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(html_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    writer, contents = PdfWriter(), []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(site) else route.abort())
            for doc in toc_pages():
                page.goto(f"{site}/{doc}.html", wait_until="networkidle")
                page.evaluate("window.MathJax && MathJax.startup ? MathJax.startup.promise"
                              " : null")
                title = page.locator("main h1").first.inner_text().strip().rstrip("#").strip()
                pdf = page.pdf(format="A4", margin=MARGIN, print_background=True)
                reader = PdfReader(io.BytesIO(pdf))
                contents.append((title, len(writer.pages), len(reader.pages)))
                writer.append(reader, outline_item=title)
            browser.close()
    finally:
        server.shutdown()
    out.parent.mkdir(parents=True, exist_ok=True)
    writer.add_metadata({"/Title": "Convolutional Neural Networks, by computing"})
    with open(out, "wb") as f:
        writer.write(f)
    return contents


def main(argv):
    html_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "_build" / "html"
    out = Path(argv[2]) if len(argv) > 2 else ROOT / "_build" / "pdf" / "book.pdf"
    contents = print_book(html_dir, out, os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    for title, first, count in contents:
        print(f"p. {first + 1:>4}  {count:>3} pages  {title}")
    print(f"{out}: {sum(c for _, _, c in contents)} pages, {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv)
