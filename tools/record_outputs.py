"""Re-record the stored outputs of ``# NBVAL_CHECK_OUTPUT`` cells and strip everything else.

Usage: python tools/record_outputs.py chapters/01_why_cnns.ipynb [...]
       python tools/record_outputs.py --strip-only chapters/*.ipynb

Each notebook is executed in a fresh kernel from its own folder. Afterwards only check-output
cells keep their (stdout) outputs and an execution count (1, 2, ...: nbval compares only cells
that have one); every other cell is cleared. Run it after an intended
change to a check-output cell; tests/test_hygiene.py fails when stored outputs are stale.
"""

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbtools import execute, is_check_cell  # tools/nbtools.py (this script's folder)

def strip(nb):
    """Keep only the stdout of check cells, numbered 1, 2, ...; clear every other output and count."""
    checked = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        cell.metadata.pop("execution", None)
        if is_check_cell(cell):
            checked += 1
            cell.execution_count = checked  # nbval ignores stored outputs of "unrun" cells
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=o.text)
                for o in cell.outputs
                if o.output_type == "stream" and o.name == "stdout"
            ]
            # merge consecutive stdout chunks into one output, as nbval compares them joined
            if cell.outputs:
                text = "".join(o.text for o in cell.outputs)
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        else:
            cell.outputs = []
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--strip-only", action="store_true", help="do not execute, only strip")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4) if args.strip_only else execute(path, args.timeout)
        nbformat.write(strip(nb), path)
        print(f"{path}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
