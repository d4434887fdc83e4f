import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = sorted(ROOT.glob("chapters/*.ipynb"))


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    subprocess.run([sys.executable, str(ROOT / "tools" / "student_copies.py"), str(out)],
                   check=True, capture_output=True)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_copy_keeps_exercises_and_drops_solutions(copies, path):
    original = nbformat.read(path, as_version=4)
    copy = nbformat.read(copies / path.name, as_version=4)
    nbformat.validate(copy)
    text = "\n".join(c.source for c in copy.cells)
    original_text = "\n".join(c.source for c in original.cells)
    assert "{solution-start}" not in text and "{solution-end}" not in text
    assert text.count("{exercise}") == original_text.count("{exercise}")
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in copy.cells if c.cell_type == "code")
    # the code cells inside each solution are gone; every other code cell is kept
    inside, solution_code, other_code = False, [], []
    for cell in original.cells:
        if cell.cell_type == "markdown" and "{solution-" in cell.source:
            inside = cell.source.rfind("{solution-start}") > cell.source.rfind("{solution-end}")
        elif cell.cell_type == "code":
            (solution_code if inside else other_code).append(cell.source)
    copied_code = [c.source for c in copy.cells if c.cell_type == "code"]
    assert len(copied_code) == len(other_code)
    assert not set(solution_code) & set(copied_code)


def test_unclosed_solution_is_an_error():
    sys.path.insert(0, str(ROOT / "tools"))
    from student_copies import student_copy

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("```{solution-start} x\n:class: dropdown\n```"),
                nbformat.v4.new_code_cell("secret = 1")]
    with pytest.raises(ValueError, match="a {solution-start} has no matching {solution-end}"):
        student_copy(nb)


def test_a_cell_that_closes_one_solution_and_opens_the_next():
    sys.path.insert(0, str(ROOT / "tools"))
    from student_copies import student_copy

    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook()
    nb.cells = [md("```{exercise} One\n:label: one\nFirst.\n```\n\n"
                   "```{solution-start} one\n:class: dropdown\n```"),
                code("answer_one = 1"),
                md("```{solution-end}\n```\n\n```{exercise} Two\n:label: two\nSecond.\n```\n\n"
                   "```{solution-start} two\n:class: dropdown\n```"),
                code("answer_two = 2"),
                md("```{solution-end}\n```\n\n## Summary"),
                code("print('kept')")]
    copy = student_copy(nb)
    assert [c.source for c in copy.cells if c.cell_type == "code"] == ["print('kept')"]
    text = "\n".join(c.source for c in copy.cells)
    assert text.count("{exercise}") == 2 and "solution" not in text and "## Summary" in text
