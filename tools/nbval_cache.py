"""pytest plugin: each notebook executes once per test run, and nbval's execution feeds the book.

When nbval has run every code cell of a notebook and all passed, the notebook with the outputs
nbval captured is stored in Jupyter Book's execution cache (`_build/.jupyter_cache`). The book
build (`execute_notebooks: cache` in `_config.yml`) finds it there, keyed by the code, and does
not execute the notebook again. A notebook with a failed or skipped cell is not stored, and
neither is one that displays live widgets (nbval does not record widget state, so the book
build executes those itself). `make book` empties the cache when cnnlib or the pinned
requirements change, since the key covers only the notebook's own code.

It relies on nbval internals: a cell item of class ``IPyNbCell`` with ``test_outputs`` (the
outputs nbval captured) and a parent with ``nb`` (the notebook); and on
``jupyter_cache.base.CacheBundleIn``. ``tests/test_nbval_cache.py`` fails if they change, and
:func:`_check` raises at run time instead of silently storing nothing. The root ``conftest.py``
loads this plugin.
"""


import fcntl
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

_runs = {}  # notebook path -> {"outputs": [per code cell], "ok": bool, "seconds": float}


NBVAL_CELL = "IPyNbCell"  # nbval's class of a notebook-cell test item


def _is_nbval_cell(item):
    if type(item).__name__ != NBVAL_CELL:
        return False
    _check(item)
    return True


def _check(item):
    """Fail loudly if nbval no longer gives the attributes this plugin reads."""
    missing = [name for name, owner in (("test_outputs", item), ("nb", item.parent))
               if not hasattr(owner, name)]
    if missing:
        raise RuntimeError(f"tools/nbval_cache.py: nbval's {NBVAL_CELL} items lack "
                           f"{', '.join(missing)}; nbval's internals changed, update the plugin")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not _is_nbval_cell(item) or call.when != "call":
        return
    report = outcome.get_result()
    run = _runs.setdefault(item.parent.path, {"outputs": [], "ok": True, "seconds": 0.0})
    run["ok"] = run["ok"] and report.passed and item.test_outputs is not None
    run["outputs"].append(item.test_outputs or [])
    run["seconds"] += call.duration


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    if not _is_nbval_cell(item) or (nextitem is not None and nextitem.parent is item.parent):
        return
    run = _runs.pop(item.parent.path, None)
    code_cells = [c for c in item.parent.nb.cells if c.cell_type == "code"]
    if run is None or not run["ok"] or len(run["outputs"]) != len(code_cells):
        return
    if any(WIDGET_VIEW in out.get("data", {}) for outs in run["outputs"] for out in outs):
        return
    _store(item.parent.path, item.parent.nb, code_cells, run)


def _store(path, nb, code_cells, run):
    """Put the executed notebook into the book's jupyter-cache (one writer at a time)."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    for count, (cell, outputs) in enumerate(zip(code_cells, run["outputs"]), start=1):
        cell.outputs = outputs
        cell.execution_count = count
        for out in outputs:
            if out.get("output_type") == "execute_result":
                out["execution_count"] = count
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE.parent / ".jupyter_cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        get_cache(str(CACHE)).cache_notebook_bundle(
            CacheBundleIn(nb, str(path), data={"execution_seconds": run["seconds"],
                                               "executed_by": "nbval", "time": time.time()}),
            check_validity=True, overwrite=True)
