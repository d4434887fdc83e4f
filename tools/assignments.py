"""Student copies and autograders of the assignments, made by otter-grader's ``otter assign``.

Usage: python tools/assignments.py [--autograders OUTDIR] [NAME ...]
       (default: every assignments/*.ipynb)

Each ``assignments/NAME.ipynb`` is an otter-grader master notebook (reference solution and
hidden tests). For each, ``otter assign`` writes
- the student copy, solutions and hidden tests removed, with its public tests, to
  ``book/assignments/NAME/`` (committed: the book publishes it and Colab opens it from there);
- with ``--autograders OUTDIR``, the autograder zip an instructor uploads to Gradescope (or
  runs with ``otter run``), to ``OUTDIR/NAME-autograder.zip``.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from otter.assign import main as otter_assign

ROOT = Path(__file__).resolve().parents[1]
STUDENT_DIR = ROOT / "book" / "assignments"


def assign(master: Path, workdir: Path) -> Path:
    """Run ``otter assign`` on ``master`` (tests not re-run: the test suite grades) into
    ``workdir``; return it (it holds ``student/`` and ``autograder/``)."""
    otter_assign(str(master), str(workdir), no_pdfs=True, no_run_tests=True)
    return workdir


def publish(name: str, generated: Path, student_dir: Path = STUDENT_DIR) -> Path:
    """Copy the student notebook and its public tests to ``student_dir / name``; the link to
    the execution-times page is made relative to the copy's folder."""
    target = student_dir / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(generated / "student", target)
    notebook = target / f"{name}.ipynb"
    text = notebook.read_text()
    notebook.write_text(text.replace("](../book/benchmarks.md)", "](../../benchmarks.md)"))
    return target


def autograder_zip(generated: Path) -> Path:
    """The autograder zip ``otter assign`` wrote into ``generated/autograder``."""
    (zip_path,) = (generated / "autograder").glob("*.zip")
    return zip_path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--autograders", type=Path)
    args = parser.parse_args(argv)
    names = args.names or sorted(p.stem for p in (ROOT / "assignments").glob("*.ipynb"))
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            generated = assign(ROOT / "assignments" / f"{name}.ipynb", Path(tmp) / "out")
            print(publish(name, generated).relative_to(ROOT))
            if args.autograders:
                args.autograders.mkdir(parents=True, exist_ok=True)
                shutil.copy(autograder_zip(generated),
                            args.autograders / f"{name}-autograder.zip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
