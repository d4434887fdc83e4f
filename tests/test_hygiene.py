"""Notebook hygiene: what a chapter must look like in git (nbval executes them separately)."""

import csv
import importlib.util
import re

import nbformat
import pytest
import yaml

from conftest import ROOT
from tools.nbtools import is_check_cell, toc_files

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
NOTEBOOKS = CHAPTERS + sorted((ROOT / "assignments").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def test_there_are_chapters():
    assert CHAPTERS, "no notebooks in chapters/"


def test_every_chapter_is_in_the_toc_and_every_toc_file_exists():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = {toc["root"], *toc_files(toc.get("parts", []))}
    for nb in CHAPTERS:
        assert f"chapters/{nb.stem}" in listed, f"{nb.name} is missing from _toc.yml"
    for name in listed:
        assert any((ROOT / f"{name}{ext}").exists() for ext in (".md", ".ipynb")), name


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_file_name(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_only_check_output_cells_keep_outputs_and_execution_counts(path):
    nb = nbformat.read(path, as_version=4)
    n_checked = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if is_check_cell(cell):
            n_checked += 1
            assert cell.outputs, f"check-output cell {i} has no stored output: run `make outputs`"
            assert all(o.output_type == "stream" and o.name == "stdout" for o in cell.outputs)
            assert cell.execution_count == n_checked, f"check-output cell {i}: run `make outputs`"
        else:
            assert not cell.outputs, f"cell {i} keeps outputs: run `make outputs`"
            assert cell.execution_count is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_template(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    intro = nb.cells[0].source
    assert "Learning goals" in intro and "Time to execute" in intro
    code = [c for c in nb.cells if c.cell_type == "code"]
    setup = code[0].source
    assert "google.colab" in setup and "seed_everything" in setup and "describe_environment" in setup
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one code cell tagged `parameters`"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "{cite}" in text, "cite at least one reference"
    assert "{exercise}" in text and "{solution-start}" in text
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_colab_install_points_at_the_configured_repository(path):
    setup = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code").source
    repo = CONFIG["repository"]["url"].rstrip("/")
    branch = CONFIG["repository"]["branch"]
    assert f'"cnnlib @ git+{repo}@{branch}"' in setup, (
        f"{path.name}: the setup cell must install cnnlib from {repo}@{branch} (_config.yml)"
    )


def test_every_cnnlib_module_is_on_the_api_page():
    api = (ROOT / "book" / "api.md").read_text()
    for module in sorted((ROOT / "cnnlib").rglob("*.py")):
        parts = module.relative_to(ROOT).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        if len(parts) > 1 and not any(p.startswith("_") for p in parts):  # private: not listed
            name = ".".join(parts)
            assert f".. automodule:: {name}\n" in api, f"add {name} to book/api.md"


FIGURE_CALL = re.compile(r"plt\.show\(\)|display\(|show_images|show_feature_maps|show_kernels")


@pytest.mark.parametrize("path", CHAPTERS + sorted((ROOT / "assignments").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_figure_cells_have_alt_text(path):
    """Screen readers get a description: cell metadata {"mystnb": {"image": {"alt": ...}}}."""
    for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type == "code" and FIGURE_CALL.search(cell.source):
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) > 10, f"{path.name} cell {i} draws a figure without alt text"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_lines_fit_88_columns(path):
    """DESIGN: code lines of at most 88 characters, so that code cells do not scroll sideways."""
    long = [(i, line) for i, cell in enumerate(nbformat.read(path, as_version=4).cells)
            if cell.cell_type == "code" for line in cell.source.splitlines() if len(line) > 88]
    assert not long, (f"{path.name}: {len(long)} code lines over 88 characters, e.g. cell "
                      f"{long[0][0]}: {long[0][1]!r}")


def _benchmark_module():
    spec = importlib.util.spec_from_file_location("run_chapters", ROOT / "benchmarks" / "run_chapters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stated_time_is_the_benchmarked_time(path):
    """The time under the learning goals is the one benchmarks/run_chapters.py measured."""
    with open(ROOT / "benchmarks" / "results.csv", newline="") as f:
        measured = {row["chapter"]: float(row["seconds"]) for row in csv.DictReader(f)}
    assert path.stem in measured, f"{path.name} is not benchmarked: run `make benchmark`"
    intro = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    assert _benchmark_module().time_statement(measured[path.stem]) in intro.source, (
        f"{path.name} does not state its benchmarked time: run `make benchmark`")


def test_course_sample_address_and_clone_line_follow_the_configured_repository():
    from cnnlib import course_sample

    repo = CONFIG["repository"]["url"].rstrip("/")
    owner_name = repo.removeprefix("https://github.com/")
    branch = CONFIG["repository"]["branch"]
    expected = f"https://raw.githubusercontent.com/{owner_name}/{branch}/data"
    assert course_sample.DATA_URL == expected, (
        f"cnnlib/course_sample.py: DATA_URL must be {expected} (_config.yml's repository)")
    how_to = (ROOT / "book" / "how_to_use.md").read_text()
    assert f"git clone {repo} && cd {owner_name.split('/')[1]}" in how_to
