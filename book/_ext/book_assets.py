"""Fixes for two console errors of the Jupyter Book 1 theme stack (caught by tests/test_site.py).

1. sphinx-thebe 0.3.1 registers its inline configuration script twice under Jupyter Book 1, and
   the second copy fails with "Identifier 'THEBE_JS_URL' has already been declared".
2. pydata-sphinx-theme reports "Got invalid theme mode" on a reader's first visit (empty
   localStorage); starting from "auto" mode is what it falls back to anyway.
"""

DEFAULT_MODE = 'if (!document.documentElement.dataset.mode) { document.documentElement.dataset.mode = "auto"; }'


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        filename = getattr(script, "filename", script) or ""  # body-only scripts: None or ""
        key = (filename, repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.add_js_file(None, body=DEFAULT_MODE, priority=1)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
