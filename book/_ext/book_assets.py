"""Build-time fixes of the Jupyter Book 1 theme stack, checked by tests/test_site.py.

1. sphinx-thebe 0.3.1 registers its inline configuration script twice under Jupyter Book 1, and
   the second copy fails with "Identifier 'THEBE_JS_URL' has already been declared".
2. pydata-sphinx-theme reports "Got invalid theme mode" on a reader's first visit (empty
   localStorage); starting from "auto" mode is what it falls back to anyway.
3. Offline and private (issue #21): MathJax, require.js, the Jupyter widgets embed script and the
   Font Awesome 4 that matplotlib's animation player links are served from the site itself. They
   are npm packages pinned in package.json / package-lock.json (`npm ci`, which `make book` runs);
   this extension copies the files the pages use from node_modules/ into _static/vendor/.
   _config.yml points `mathjax_path` and `nb_ipywidgets_js` there; the players' Font Awesome
   link (https://maxcdn.bootstrapcdn.com/...) is rewritten here, since it is in notebook outputs.
4. A meta description on every page: the page's first paragraph (the site's description where a
   page has none).
5. Accessibility (axe-core in tests/test_site.py): the bibliography's entries, in a
   `role="list"`, carry the deprecated `role="doc-biblioentry"` (aria-required-children,
   critical); they become list items. MyST-NB's hidden-cell toggles are labelled "Toggle hidden
   content" while they show "Show code cell source" (label-content-name-mismatch, serious): the
   visible text names them. book/_static/course.css and a11y.js fix the theme's part.
"""

import html
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError

DEFAULT_MODE = 'if (!document.documentElement.dataset.mode) { document.documentElement.dataset.mode = "auto"; }'

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"

# _static/vendor/<name>/ <- node_modules/<package>/<folder>, keeping only what the pages load.
# MathJax: the combined TeX/MathML + CommonHTML component with everything it loads on demand
# (TeX extensions, CHTML fonts, the menu and its accessibility tools), not the other bundles.
VENDOR = {
    "mathjax": ("mathjax", "es5", ["tex-mml-chtml.js", "input", "output/chtml.js",
                                   "output/chtml", "ui", "a11y", "sre", "adaptors"]),
    "requirejs": ("requirejs", "", ["require.js"]),
    # embed-amd.js plus the web fonts its bundled CSS uses (found through the assets path below;
    # every browser that runs the bundle takes woff2 or woff, so not its eot/ttf/svg copies)
    "html-manager": ("@jupyter-widgets/html-manager", "dist", ["embed-amd.js", "*.woff2",
                                                               "*.woff"]),
    "font-awesome": ("font-awesome", "", ["css/font-awesome.min.css", "fonts"]),
}
WIDGETS_EMBED = "vendor/html-manager/embed-amd.js"
FONT_AWESOME_CDN = re.compile(
    r"https://maxcdn\.bootstrapcdn\.com/font-awesome/[0-9.]+/css/font-awesome\.min\.css")
FONT_AWESOME_LOCAL = "_static/vendor/font-awesome/css/font-awesome.min.css"
DESCRIPTION_CHARS = 160


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        filename = getattr(script, "filename", script) or ""  # body-only scripts: None or ""
        key = (filename, repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def widgets_assets_path(app, pagename, templatename, context, doctree):
    """Point the widgets bundle's own assets (its fonts) at _static/vendor/html-manager/.

    Left alone, embed-amd.js looks for them relative to the page (chapters/@jupyter-widgets/...).
    """
    scripts = context.get("script_files", [])
    for index, script in enumerate(scripts):
        if str(getattr(script, "filename", "") or "").endswith(WIDGETS_EMBED):
            folder = context["pathto"]("_static/vendor/html-manager/", 1)
            # the bundle resolves its fonts against the URL require.js gives its own module
            body = (f"(function () {{ var dir = new URL({folder!r}, document.baseURI).href; "
                    "window.__jupyter_widgets_assets_path__ = dir; require.config({paths: "
                    "{'@jupyter-widgets/html-manager/dist': dir.replace(/\\/$/, '')}}); })();")
            script_class = type(script)
            scripts.insert(index, script_class(None, body=body, priority=script.priority))
            return


def local_font_awesome(app, pagename, templatename, context, doctree):
    """matplotlib's to_jshtml player links Font Awesome 4 from maxcdn: serve our copy instead."""
    body = context.get("body", "")
    if FONT_AWESOME_CDN.search(body):
        context["body"] = FONT_AWESOME_CDN.sub(context["pathto"](FONT_AWESOME_LOCAL, 1), body)


def accessible_body(app, pagename, templatename, context, doctree):
    body = context.get("body", "")
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    body = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")
    context["body"] = body


def meta_description(app, pagename, templatename, context, doctree):
    text = ""
    if doctree is not None:
        for paragraph in doctree.findall(nodes.paragraph):
            text = " ".join(paragraph.astext().split())
            if len(text) > 40:
                break
    text = text or app.config.book_description
    if len(text) > DESCRIPTION_CHARS:
        text = text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
    tag = f'<meta name="description" content="{html.escape(text, quote=True)}" />\n'
    context["metatags"] = context.get("metatags", "") + tag


def copy_vendored(app, exception):
    if exception or app.builder is None or app.builder.format != "html":
        return
    static = Path(app.builder.outdir) / "_static" / "vendor"
    for name, (package, folder, patterns) in VENDOR.items():
        source = NODE_MODULES / package / folder
        if not (NODE_MODULES / package / "package.json").exists():
            raise ExtensionError(
                f"node_modules/{package} is missing: run `npm ci` (make book does) to get the "
                "pinned MathJax, require.js, widgets and Font Awesome files the site serves")
        for pattern in patterns:
            matches = sorted(source.glob(pattern))
            if not matches:
                raise ExtensionError(f"node_modules/{package}/{folder}: nothing matches {pattern}")
            for path in matches:
                target = static / name / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                if path.is_dir():
                    shutil.copytree(path, target, dirs_exist_ok=True)
                else:
                    shutil.copy2(path, target)


def setup(app):
    app.add_config_value("book_description", "", "html")
    app.add_js_file(None, body=DEFAULT_MODE, priority=1)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", widgets_assets_path, priority=910)
    app.connect("html-page-context", local_font_awesome)
    app.connect("html-page-context", accessible_body)
    app.connect("html-page-context", meta_description)
    app.connect("build-finished", copy_vendored)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
