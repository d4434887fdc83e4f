import keras
import numpy as np
import pytest

from cnnlib import grading


def _tiny_cnn(num_classes=3):
    return keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3),
                             keras.layers.GlobalAveragePooling2D(),
                             keras.layers.Dense(num_classes, activation="softmax")])


def test_output_shape_check():
    assert grading.check_output_shape(_tiny_cnn(), (8, 8, 1), 3).passed
    wrong = grading.check_output_shape(_tiny_cnn(2), (8, 8, 1), 3)
    assert not wrong.passed and "expected (2, 3)" in wrong.feedback
    refused = grading.check_output_shape(_tiny_cnn(), (9, 9, 3), 3)
    assert not refused.passed and "cannot take input" in refused.feedback


def test_parameter_budget_check():
    model = _tiny_cnn()
    n = model.count_params()
    assert grading.check_parameter_budget(model, n).passed
    over = grading.check_parameter_budget(model, n - 1)
    assert not over.passed and f"{n:,}" in over.feedback


def test_accuracy_check_computes_accuracy_from_scores():
    class Fixed:  # a stand-in model with known scores: predicts class 0, 1, 1, 2
        def predict(self, x, verbose=0):
            return np.eye(3)[[0, 1, 1, 2]]

        def count_params(self):
            return 0

    x = np.zeros((4, 8, 8, 1))
    assert grading.check_accuracy(Fixed(), x, np.array([0, 1, 1, 2]), 1.0).passed
    half = grading.check_accuracy(Fixed(), x, np.array([0, 0, 0, 2]), 0.6)
    assert not half.passed and "0.500" in half.feedback
    with pytest.raises(ValueError, match=r"threshold must be in \(0, 1\], got 1.5"):
        grading.check_accuracy(Fixed(), x, np.zeros(4), 1.5)
    with pytest.raises(ValueError,
                       match="x and y must be non-empty and of equal length, got 4 and 3"):
        grading.check_accuracy(Fixed(), x, np.zeros(3), 0.5)
    with pytest.raises(TypeError, match="model must be a Keras model, got str"):
        grading.check_accuracy("model", x, np.zeros(4), 0.5)


def test_prediction_check_and_report():
    assert grading.check_predictions([1, 2, 3], np.array([1, 2, 3])).passed
    differ = grading.check_predictions([1, 0, 3], np.array([1, 2, 3]))
    assert not differ.passed and "1 of 3" in differ.feedback
    scores = grading.check_predictions(np.zeros((3, 4)), np.array([1, 2, 3]))
    assert not scores.passed and "one integer label per image" in scores.feedback
    report = grading.format_report([differ, grading.check_predictions([1], [1])])
    assert report.splitlines()[0].startswith("FAIL") and report.endswith("score: 1/2")
    assert not grading.all_passed([differ]) and grading.all_passed([])
