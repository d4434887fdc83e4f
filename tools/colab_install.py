"""Install cnnlib into the Colab-stack venv with the chapters' own setup line, as Colab would.

Usage: .venv-colab/bin/python tools/colab_install.py

Every notebook's setup cell must carry the same `%pip install` line. That line is run with
this interpreter's pip, its GitHub URL replaced by a copy of this checkout's package files,
after removing any cnnlib from an earlier run. Installed so, cnnlib does not see the checkout's
data/ and fetches the course sample into its cache, as in Colab (make test-colab serves it
from data/ through CNNLIB_DATA_URL). Exits non-zero when the line differs between notebooks, or when installing
cnnlib added, removed or changed any package other than cnnlib: in Colab that would replace
the preinstalled TensorFlow, Keras or NumPy under the student.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r'%pip install -q "(cnnlib @ git\+[^"]+)"')


def setup_requirement():
    """The requirement string of the setup cells' install line (the same in every notebook)."""
    found = {}
    for path in sorted([*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("assignments/*.ipynb")]):
        setup = next(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "code")
        match = LINE.search(setup)
        found[path.relative_to(ROOT)] = match.group(1) if match else None
    if None in found.values() or len(set(found.values())) != 1:
        sys.exit(f"colab_install: the setup cells' install lines differ: {found}")
    return next(iter(found.values()))


def freeze():
    """{distribution name: version} of what this interpreter has installed."""
    out = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all"], check=True,
                         capture_output=True, text=True).stdout
    pairs = (re.split(r"==| @ ", line, maxsplit=1) for line in out.splitlines() if line)
    return {name.lower().replace("_", "-"): version for name, version in pairs}


def main():
    requirement = setup_requirement()
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "uninstall", "--quiet", "--yes", "cnnlib"], check=True)
    before = freeze()
    with tempfile.TemporaryDirectory() as tmp:  # what a git clone has, without data/ or builds
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, tmp)
        shutil.copytree(ROOT / "cnnlib", Path(tmp) / "cnnlib",
                        ignore=shutil.ignore_patterns("__pycache__"))
        local = re.sub(r"git\+\S+", Path(tmp).as_uri(), requirement)
        subprocess.run([*pip, "install", "--quiet", local], check=True)
    after = freeze()
    changed = sorted(name for name in before.keys() | after.keys()
                     if name != "cnnlib" and before.get(name) != after.get(name))
    if "cnnlib" not in after or changed:
        sys.exit("colab_install: installing cnnlib changed the Colab stack: " + ", ".join(
            f"{n} {before.get(n, '-')} -> {after.get(n, '-')}" for n in changed))
    print(f"colab_install: {requirement!r}, pointed at this checkout, added cnnlib and changed "
          f"none of the other {len(before)} packages (Python {sys.version.split()[0]}, "
          f"tensorflow {after['tensorflow']}, keras {after['keras']}, numpy {after['numpy']})")


if __name__ == "__main__":
    main()
