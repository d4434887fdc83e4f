import keras
import pytest

from cnnlib import arithmetic


@pytest.mark.parametrize("n_inputs,units,use_bias", [(1, 1, True), (784, 64, True), (81, 20, False)])
def test_dense_params_matches_keras(n_inputs, units, use_bias):
    model = keras.Sequential([keras.Input((n_inputs,)), keras.layers.Dense(units, use_bias=use_bias)])
    assert arithmetic.dense_params(n_inputs, units, use_bias) == model.count_params()


@pytest.mark.parametrize(
    "kernel,c_in,filters,use_bias",
    [(5, 1, 4, True), (3, 3, 32, True), ((1, 7), 16, 8, False), ((3, 2), 2, 5, True)],
)
def test_conv2d_params_matches_keras(kernel, c_in, filters, use_bias):
    layer = keras.layers.Conv2D(filters, kernel, use_bias=use_bias)
    model = keras.Sequential([keras.Input((12, 12, c_in)), layer])
    assert arithmetic.conv2d_params(kernel, c_in, filters, use_bias) == model.count_params()


def test_mlp_params_matches_keras_and_lecture_formula():
    sizes = [81, 20, 20, 10]
    model = keras.Sequential([keras.Input((81,))] + [keras.layers.Dense(n) for n in sizes[1:]])
    assert arithmetic.mlp_params(sizes) == model.count_params()
    assert arithmetic.mlp_params(sizes, use_bias=False) == 600 + 20 * 9**2 == 2220


def test_lecture_numbers():
    assert arithmetic.dense_params(300 * 300, 4) == 360_004
    assert arithmetic.conv2d_params(5, 1, 4) == 104
    assert arithmetic.dense_params(2_764_800, 1000, use_bias=False) == 2_764_800_000


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: arithmetic.dense_params(0, 4), ValueError, "n_inputs must be >= 1"),
        (lambda: arithmetic.dense_params(3.5, 4), TypeError, "n_inputs must be an int"),
        (lambda: arithmetic.dense_params(True, 4), TypeError, "n_inputs must be an int"),
        (lambda: arithmetic.conv2d_params((3, 3, 3), 1, 4), ValueError, "pair"),
        (lambda: arithmetic.conv2d_params(3, 1, -2), ValueError, "filters must be >= 1"),
        (lambda: arithmetic.mlp_params([10]), ValueError, "at least"),
    ],
)
def test_bad_input_raises_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()
