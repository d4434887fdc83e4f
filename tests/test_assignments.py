"""The assignments graded the way an instructor grades them: ``otter assign`` builds the student
copy and the autograder from each master notebook, and ``otter run`` grades submissions.

A submission is the student copy with its answer cells filled in: the reference solution, or
the reference with a realistic mistake (an edit of its code). Each must get exactly the points
listed, and a question it fails must say why (a phrase of the feedback it shows the student).
"""

import json
import sys

import nbformat
import pytest
from otter.run import main as otter_run

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import assignments  # noqa: E402  (tools/assignments.py)

NAMES = ("cnn_classifier", "conv_arithmetic", "backprop", "segmentation_iou")

# name -> submission -> (edits to the reference answers, points per question, feedback phrases)
SUBMISSIONS = {
    "conv_arithmetic": {
        "reference": ([], {"q1": 2, "q2": 4, "q3": 2}, []),
        "output size off by one": (
            [("return (n + p - span) // s + 1", "return (n + p - span) // s")],
            {"q1": 0, "q2": 4, "q3": 2}, ["the first one included"]),
        "flipped kernel (true convolution)": (
            [("np.tensordot(patch, w,", "np.tensordot(patch, w[::-1, ::-1],")],
            {"q1": 2, "q2": 1, "q3": 2}, ["without flipping"]),
        "same padding's extra row on top": (
            [("(ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2)",
              "(ph - ph // 2, ph // 2), (pw - pw // 2, pw // 2)")],
            {"q1": 2, "q2": 3, "q3": 2}, ["at the bottom and right"]),
        "pooling windows a size apart": (
            [("ho, wo = (h - size) // stride + 1, (w - size) // stride + 1",
              "ho, wo = (h - size) // size + 1, (w - size) // size + 1"),
             ("window = x[:, i * stride:i * stride + size, j * stride:j * stride + size, :]",
              "window = x[:, i * size:i * size + size, j * size:j * size + size, :]")],
            {"q1": 2, "q2": 4, "q3": 1}, ["start every `stride` pixels"]),
    },
    "segmentation_iou": {
        "reference": ([], {"q1": 3, "q2": 2, "q3": 2}, []),
        "IoU without the void rule": (
            [("keep = y_true != void", "keep = np.ones(y_true.shape, dtype=bool)")],
            {"q1": 2, "q2": 1, "q3": 2}, ["void must be dropped", "drop void pixels"]),
        "absent class scored 0": (
            [("iou = np.full(num_classes, np.nan)", "iou = np.zeros(num_classes)")],
            {"q1": 2, "q2": 2, "q3": 2}, ["has no IoU: return nan"]),
        "precision instead of IoU": (
            [("union = np.sum((t == c) | (p == c))", "union = np.sum(p == c)")],
            {"q1": 1, "q2": 0, "q3": 2}, ["differs from keras.metrics.IoU"]),
        "void predicted by the baseline": (
            [("    counts[void] = -1\n", "")],
            {"q1": 3, "q2": 2, "q3": 1}, ["void means unlabelled"]),
    },
    "backprop": {
        "reference": ([], {"q1": 2, "q2": 2, "q3": 2, "q4": 2}, []),
        "transposed weight gradient": (
            [("return dy @ w.T, x.T @ dy, dy.sum(axis=0)",
              "return dy @ w.T, dy.T @ x, dy.sum(axis=0)")],
            {"q1": 0, "q2": 2, "q3": 2, "q4": 0}, ["which only x.T @ dy gives"]),
        "gradient not divided by the batch size": (
            [("return loss, dlogits / n", "return loss, dlogits")],
            {"q1": 2, "q2": 1, "q3": 2, "q4": 0}, ["without the division by N"]),
        "one-sided numerical gradient": (
            [("x[i] = old - h\n        down = f(x)", "x[i] = old\n        down = f(x)"),
             ("grad[i] = (up - down) / (2 * h)", "grad[i] = (up - down) / h")],
            {"q1": 2, "q2": 2, "q3": 1, "q4": 2}, ["proportional to h squared"]),
        "first layer never updated": (
            [('zip(("w1", "b1", "w2", "b2"), (dw1, db1, dw2, db2))',
              'zip(("w2", "b2"), (dw2, db2))')],
            {"q1": 2, "q2": 2, "q3": 2, "q4": 1}, ["every parameter is updated"]),
    },
    "cnn_classifier": {
        "reference": ([], {"q1": 4, "q2": 2, "q3": 3, "q4": 2}, []),
        "an MLP instead of a CNN": (
            [("""        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),""", """        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),""")],
            {"q1": 3, "q2": 2, "q3": 3, "q4": 2}, ["no convolution or no pooling"]),
        "a loss for one-hot labels": (
            [('loss="sparse_categorical_crossentropy"', 'loss="categorical_crossentropy"')],
            {"q1": 3, "q2": 0, "q3": 0, "q4": 2}, ["(categorical_crossentropy expects one-hot"]),
        "scores instead of labels": (
            [("return np.argmax(model.predict(images, verbose=0), axis=-1)",
              "return model.predict(images, verbose=0)")],
            {"q1": 4, "q2": 2, "q3": 3, "q4": 0}, ["not the (N, 10) scores"]),
        "one epoch whatever is asked": (
            [("epochs=epochs", "epochs=1")],
            {"q1": 4, "q2": 0, "q3": 0, "q4": 2}, ["use the epochs argument"]),
    },
}


@pytest.fixture(scope="module")
def otter_assign(tmp_path_factory):
    """name -> the folder ``otter assign`` wrote (``student/``, ``autograder/``), made once."""
    made = {}

    def get(name):
        if name not in made:
            out = tmp_path_factory.mktemp(name) / "out"
            made[name] = assignments.assign(ROOT / "assignments" / f"{name}.ipynb", out)
        return made[name]
    return get


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def test_every_assignment_has_reference_and_three_wrong_submissions():
    assert sorted(SUBMISSIONS) == sorted(NAMES)
    assert sorted(p.stem for p in (ROOT / "assignments").glob("*.ipynb")) == sorted(NAMES)
    for name, subs in SUBMISSIONS.items():
        assert "reference" in subs and len(subs) >= 4, name


@pytest.mark.parametrize("name", NAMES)
def test_published_student_copy_is_what_otter_assign_makes(otter_assign, name, tmp_path):
    made = assignments.publish(name, otter_assign(name), tmp_path)
    published = ROOT / "book" / "assignments" / name
    files = sorted(p.relative_to(made) for p in made.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(published) for p in published.rglob("*") if p.is_file()), (
        "run `python tools/assignments.py`")
    for rel in files:
        assert (published / rel).read_text() == (made / rel).read_text(), (
            f"{name}/{rel} is out of date: run `python tools/assignments.py`")
    assert "](../../benchmarks.md)" in (made / f"{name}.ipynb").read_text()


@pytest.mark.parametrize("name", NAMES)
def test_student_copy_has_no_solutions_or_hidden_tests(otter_assign, name):
    out = otter_assign(name)
    master = "\n".join(c.source for c in _cells(ROOT / "assignments" / f"{name}.ipynb"))
    text = "\n".join(c.source for c in _cells(out / "student" / f"{name}.ipynb"))
    tests = "\n".join(p.read_text() for p in (out / "student" / "tests").glob("*.py"))
    for secret in ("BEGIN SOLUTION", "BEGIN TESTS", "BEGIN TEST CONFIG", "hidden: true"):
        assert secret in master and secret not in text, secret
    assert "'hidden': True" not in tests and "'hidden': False" in tests
    answers = [c for c in _cells(out / "student" / f"{name}.ipynb")
               if "otter_assign_solution_cell" in c.metadata.get("tags", [])]
    assert answers and all(c.source.rstrip().endswith("...") for c in answers)
    assert "grader = otter.Notebook()" in text and "google.colab" in text
    assert f"book/assignments/{name}/tests\")" in text  # Colab fetches the public tests


def _submission(out, name, edits, path):
    """The student copy with its answer cells taken from the reference, then ``edits``."""
    reference = [c.source for c in _cells(out / "autograder" / f"{name}.ipynb")
                 if "otter_assign_solution_cell" in c.metadata.get("tags", [])]
    nb = nbformat.read(out / "student" / f"{name}.ipynb", as_version=4)
    answers = [c for c in nb.cells if "otter_assign_solution_cell" in c.metadata.get("tags", [])]
    assert len(answers) == len(reference)
    for cell, source in zip(answers, reference):
        cell.source = source
    for old, new in edits:
        hits = [c for c in answers if old in c.source]
        assert len(hits) == 1 and hits[0].source.count(old) == 1, f"edit does not apply: {old!r}"
        hits[0].source = hits[0].source.replace(old, new)
    nbformat.write(nb, path)
    return path


CASES = [(name, sub) for name in NAMES for sub in SUBMISSIONS[name]]


@pytest.mark.parametrize("name,submission", CASES, ids=[f"{n}: {s}" for n, s in CASES])
def test_submission_gets_the_right_points_and_feedback(otter_assign, name, submission, tmp_path,
                                                       monkeypatch):
    edits, points, phrases = SUBMISSIONS[name][submission]
    out = otter_assign(name)
    path = _submission(out, name, edits, tmp_path / f"{name}.ipynb")
    monkeypatch.chdir(tmp_path)
    results = otter_run(str(path), autograder=str(assignments.autograder_zip(out)),
                        output_dir=str(tmp_path), no_logo=True)
    scores = {q: results.get_score(q) for q in points}
    print(submission, json.dumps(scores))
    assert scores == points
    feedback = "\n".join(results.get_result(q).summary() for q in points)
    for phrase in phrases:
        assert phrase in feedback, f"the feedback does not say {phrase!r}:\n{feedback}"
