"""Colab, simulated: a fresh venv with only what Colab preinstalls of ours, then the setup cell's
install line (pointed at this checkout instead of GitHub), then chapter 1 executed in that venv.

Slow (a venv with TensorFlow): runs in CI, or locally with CNNLIB_TEST_COLAB=1.
"""

import json
import os
import re
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

COLAB_HAS = ["tensorflow", "keras", "numpy", "matplotlib", "scikit-learn", "scikit-image",
             "ipykernel"]
pytestmark = pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("CNNLIB_TEST_COLAB")),
    reason="slow: set CNNLIB_TEST_COLAB=1 (CI runs it)",
)


def pinned(names):
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    lower = {k.lower(): f"{k}=={v}" for k, v in pins.items()}
    return [lower[n] for n in names]


def test_colab_setup_cell_installs_only_cnnlib_and_the_chapter_runs(tmp_path):
    venv = tmp_path / "colab"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, *pinned(COLAB_HAS), "nbclient"], check=True)

    notebook = ROOT / "chapters" / "01_why_cnns.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    setup = nb.cells[1].source
    requirement = re.search(r'%pip install -q "(cnnlib @ git\+[^"]+)"', setup).group(1)
    local = re.sub(r"git\+\S+", ROOT.as_uri(), requirement)
    result = subprocess.run([*pip[:-1], local], check=True, capture_output=True, text=True)
    installed = result.stdout.split("Successfully installed")[-1].lower()
    assert "cnnlib" in installed
    for name in COLAB_HAS:
        assert f" {name}-" not in f" {installed}", f"installing cnnlib reinstalled {name}"

    kernels = tmp_path / "share" / "jupyter" / "kernels" / "colab"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Colab (simulated)", "language": "python"}))
    os.environ["JUPYTER_PATH"] = str(tmp_path / "share" / "jupyter")
    try:
        NotebookClient(nb, timeout=900, kernel_name="colab",
                       resources={"metadata": {"path": str(notebook.parent)}}).execute()
    finally:
        del os.environ["JUPYTER_PATH"]
    last = nb.cells[-1].outputs[0].text
    assert "Executed with:" in last
