"""Autograded checks for programming assignments: each returns a ``Check`` with clear feedback.

An assignment notebook calls the checks on the student's Keras model and prints
``format_report(checks)``; ``all_passed(checks)`` is what a grader asserts.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Check:
    """One graded question: its name, whether it passed, and feedback for the student."""

    name: str
    passed: bool
    feedback: str


def _require_model(model):
    if not (hasattr(model, "predict") and hasattr(model, "count_params")):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")


def check_output_shape(model, input_shape, num_classes: int) -> Check:
    """The model maps a batch of ``input_shape`` images to ``(batch, num_classes)`` scores."""
    _require_model(model)
    name = "output shape"
    x = np.zeros((2, *input_shape), dtype="float32")
    try:
        out = np.asarray(model.predict(x, verbose=0))
    except Exception as exc:  # the student's model refuses the input: that is the feedback
        shape = ", ".join(map(str, input_shape))
        return Check(name, False, f"the model cannot take input of shape (batch, {shape}): {exc}")
    if out.shape != (2, num_classes):
        return Check(name, False, f"for 2 images the model returns shape {out.shape}; "
                                  f"expected (2, {num_classes}): one score per class")
    return Check(name, True, f"2 images -> {out.shape}, one score per class")


def check_parameter_budget(model, max_params: int) -> Check:
    """The model has at most ``max_params`` parameters."""
    _require_model(model)
    n = model.count_params()
    if n > max_params:
        return Check("parameter budget", False,
                     f"{n:,} parameters is over the budget of {max_params:,}: use fewer filters "
                     "or units, or pooling before the dense layer")
    return Check("parameter budget", True, f"{n:,} parameters (budget {max_params:,})")


def check_accuracy(model, x, y, threshold: float) -> Check:
    """Accuracy on held-out data ``x: (N, H, W, C)``, ``y: (N,)`` reaches ``threshold``."""
    _require_model(model)
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if len(x) != len(y) or len(y) == 0:
        raise ValueError(f"x and y must be non-empty and of equal length, got {len(x)} and {len(y)}")
    predicted = np.argmax(model.predict(x, verbose=0), axis=-1)
    acc = float(np.mean(predicted == np.asarray(y)))
    if acc < threshold:
        return Check("held-out accuracy", False,
                     f"accuracy {acc:.3f} on {len(y)} held-out images is below {threshold:.2f}: "
                     "train longer or check the labels and input scaling")
    return Check("held-out accuracy", True,
                 f"accuracy {acc:.3f} on {len(y)} held-out images (needed {threshold:.2f})")


def check_predictions(predicted, expected) -> Check:
    """The student's predicted labels for given images, ``(N,)``, equal the expected ones."""
    predicted, expected = np.asarray(predicted), np.asarray(expected)
    if predicted.shape != expected.shape:
        return Check("predictions", False, f"got predictions of shape {predicted.shape}; expected "
                                           f"shape {expected.shape}: one integer label per image")
    wrong = np.flatnonzero(predicted != expected)
    if wrong.size:
        return Check("predictions", False,
                     f"{wrong.size} of {expected.size} labels differ (first: images "
                     f"{wrong[:5].tolist()}): predict with argmax over the class scores")
    return Check("predictions", True, f"all {expected.size} labels correct")


def all_passed(checks) -> bool:
    return all(c.passed for c in checks)


def format_report(checks) -> str:
    """One line per check, then the score, e.g. ``PASS  output shape: ...``."""
    lines = [f"{'PASS' if c.passed else 'FAIL'}  {c.name}: {c.feedback}" for c in checks]
    lines.append(f"score: {sum(c.passed for c in checks)}/{len(checks)}")
    return "\n".join(lines)
