"""Notebook tooling shared by tools/record_outputs.py and the tests: the marker of cells whose
output nbval compares, the Jupyter Book TOC walker, and executing a notebook in its folder."""

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARKER = "# NBVAL_CHECK_OUTPUT"


def is_check_cell(cell) -> bool:
    """Whether nbval compares this cell's stored output (a code cell opening with MARKER)."""
    return cell.cell_type == "code" and cell.source.lstrip().startswith(MARKER)


def toc_files(entries):
    """Every ``file`` of a ``_toc.yml`` list of parts, chapters or sections, in book order."""
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        yield from toc_files(entry.get("chapters", []) + entry.get("sections", []))


def execute(path: Path, timeout: int):
    """Run the notebook at ``path`` in its own folder; return the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb
