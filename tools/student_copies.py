"""Write student copies of the chapters: exercise solutions removed.

Usage: python tools/student_copies.py OUTDIR [NOTEBOOK ...]
       (default: chapters/*.ipynb; the assignments' student copies are otter-grader's, made by
       tools/assignments.py)

In each copy
- every sphinx-exercise solution (from ```{solution-start}``` to ```{solution-end}```, code cells
  included) is removed, the exercise itself stays;
- all outputs and execution counts are cleared.
"""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_START = re.compile(r"```\{solution-start\}.*?\n```[ \t]*(\n|$)", re.S)  # with its options
SOLUTION_END = re.compile(r"```\{solution-end\}\s*\n```[ \t]*(\n|$)")


def student_copy(nb):
    """Return a new notebook: exercise solutions and outputs removed."""
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    out.nbformat_minor = nb.nbformat_minor
    in_solution = False
    for cell in nb.cells:
        cell = nbformat.from_dict(cell)
        if cell.cell_type == "markdown":
            cell.source, in_solution = _without_solutions(cell.source, in_solution)
            if cell.source:
                out.cells.append(cell)
            continue
        if in_solution:
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        out.cells.append(cell)
    if in_solution:
        raise ValueError("a {solution-start} has no matching {solution-end}")
    return out


def _without_solutions(text, in_solution):
    """(text with every solution span removed, whether a solution is still open at its end)."""
    kept, pos = [], 0
    while True:
        match = (SOLUTION_END if in_solution else SOLUTION_START).search(text, pos)
        if not in_solution:
            kept.append(text[pos:match.start() if match else len(text)])
        if match is None:
            return "".join(kept).strip(), in_solution
        pos, in_solution = match.end(), not in_solution


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = Path(args[0])
    paths = [Path(p) for p in args[1:]] or sorted(ROOT.glob("chapters/*.ipynb"))
    outdir.mkdir(parents=True, exist_ok=True)
    for path in paths:
        nbformat.write(student_copy(nbformat.read(path, as_version=4)), outdir / path.name)
        print(f"{outdir / path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
