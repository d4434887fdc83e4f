import re

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
        (lambda: arithmetic.dense_params(0, 4), ValueError, "n_inputs must be an int >= 1, got 0"),
        (lambda: arithmetic.dense_params(3.5, 4), TypeError,
         r"n_inputs must be an int, got float \(3\.5\)"),
        (lambda: arithmetic.dense_params(True, 4), TypeError,
         r"n_inputs must be an int, got bool \(True\)"),
        (lambda: arithmetic.conv2d_params((3, 3, 3), 1, 4), ValueError,
         r"kernel_size must be an int or a tuple of 2 ints \(one per spatial axis\), got \(3, 3, 3\)"),
        (lambda: arithmetic.conv2d_params(3, 1, -2), ValueError, "filters must be an int >= 1, got -2"),
        (lambda: arithmetic.mlp_params([10]), ValueError,
         r"layer_sizes needs at least \[inputs, outputs\], got \[10\]"),
    ],
)
def test_bad_input_raises_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------- sizes


# Dumoulin & Visin (arXiv:1603.07285): (relationship, their animation, arguments, output size)
DUMOULIN_VISIN = [
    (1, "no_padding_no_strides", dict(input_size=4, kernel_size=3), 2),
    (2, "arbitrary_padding_no_strides", dict(input_size=5, kernel_size=4, padding=2), 6),
    (3, "same_padding_no_strides", dict(input_size=5, kernel_size=3, padding="same"), 5),
    (4, "full_padding_no_strides", dict(input_size=5, kernel_size=3, padding="full"), 7),
    (5, "no_padding_strides", dict(input_size=5, kernel_size=3, strides=2), 2),
    (6, "padding_strides", dict(input_size=5, kernel_size=3, padding=1, strides=2), 3),
    (6, "padding_strides_odd", dict(input_size=6, kernel_size=3, padding=1, strides=2), 3),
    (15, "dilation", dict(input_size=7, kernel_size=3, dilation=2), 3),
]


@pytest.mark.parametrize("rel,name,kwargs,expected", DUMOULIN_VISIN)
def test_dumoulin_visin_figures(rel, name, kwargs, expected):
    assert arithmetic.conv_output_size(**kwargs) == expected


def test_dumoulin_visin_pooling_and_transposed_figures():
    assert arithmetic.pool_output_size(5, 3, strides=1) == 3                   # relationship 7
    # relationships 8-14: the transposes of the examples above
    assert arithmetic.conv_transpose_output_size(2, 3) == 4                    # 8
    assert arithmetic.conv_transpose_output_size(6, 4, padding=2) == 5         # 9
    assert arithmetic.conv_transpose_output_size(5, 3, padding=1) == 5         # 10
    assert arithmetic.conv_transpose_output_size(7, 3, padding="full") == 5    # 11
    assert arithmetic.conv_transpose_output_size(2, 3, strides=2) == 5         # 12
    assert arithmetic.conv_transpose_output_size(3, 3, 2, 1) == 5              # 13
    assert arithmetic.conv_transpose_output_size(3, 3, 2, 1, output_padding=1) == 6  # 14


# (input size, kernel, stride, padding) for every kernel 1-4, stride 1-3 and padding 0..k-1
TRANSPOSE_CASES = [(i, k, s, p) for i in range(1, 13) for k in (1, 2, 3, 4) for s in (1, 2, 3)
                   for p in range(k)]


@pytest.mark.parametrize("i,k,s,p", [c for c in TRANSPOSE_CASES if c[0] + 2 * c[3] >= c[1]])
def test_transpose_is_the_shape_inverse(i, k, s, p):
    """Relationship 14: o' = s (i' - 1) + a + k - 2p with a = (i + 2p - k) mod s gives back i."""
    o = arithmetic.conv_output_size(i, k, p, s)
    a = (i + 2 * p - k) % s
    assert arithmetic.conv_transpose_output_size(o, k, s, p, output_padding=a) == i
    eq = arithmetic.transpose_equivalent(i, k, s, p)
    assert eq.input_size == o and eq.output_size == i and eq.padding == k - p - 1
    stretched = o + (o - 1) * eq.zeros_between + 2 * eq.padding + eq.extra_after
    assert arithmetic.conv_output_size(stretched, k) == i


@pytest.mark.parametrize("i,k,s,p", [c for c in TRANSPOSE_CASES if c[0] + 2 * c[3] < c[1]])
def test_transpose_of_a_kernel_that_does_not_fit_is_refused(i, k, s, p):
    """When the kernel does not fit the padded input (i + 2p < k) there is no forward convolution
    to invert: the size formula and the transpose recipe both refuse, naming the sizes."""
    expected = re.escape(f"larger than the padded input ({i} + {p} + {p} = {i + 2 * p})")
    with pytest.raises(ValueError, match=expected):
        arithmetic.conv_output_size(i, k, p, s)
    with pytest.raises(ValueError, match=expected):
        arithmetic.transpose_equivalent(i, k, s, p)


def test_same_padding_puts_the_extra_pixel_after():
    assert arithmetic.same_padding(5, 3) == (1, 1)
    assert arithmetic.same_padding(5, 4) == (1, 2)
    assert arithmetic.same_padding(6, 3, strides=2) == (0, 1)
    assert arithmetic.same_padding(4, 2, strides=2) == (0, 0)
    assert arithmetic.same_padding((7, 8), 3, strides=2, dilation=1) == ((1, 1), (0, 1))
    assert arithmetic.same_padding(7, 3, dilation=2) == (2, 2)


def test_padding_specs():
    assert arithmetic.resolve_padding((5, 5), 3, (1, 2, 3, 4)) == ((1, 2), (3, 4))
    assert arithmetic.resolve_padding((5, 5), 3, (1, 2)) == ((1, 1), (2, 2))
    assert arithmetic.resolve_padding((5, 5), 3, ((0, 1), 2)) == ((0, 1), (2, 2))
    assert arithmetic.resolve_padding(5, 3, "FULL", dilation=2) == (4, 4)
    assert arithmetic.resolve_padding(5, 3, "causal", dilation=2) == (4, 0)
    assert arithmetic.conv_output_size((28, 28), 5) == (24, 24)
    assert arithmetic.conv_output_size(10, 3, (2, 0)) == 10
    assert arithmetic.effective_kernel_size((3, 5), (2, 1)) == (5, 5)
    assert arithmetic.pool_output_size((5, 6), 2) == (2, 3)
    assert arithmetic.pool_output_size(5, 2, padding="same") == 3
    assert arithmetic.pool_output_size(5, 2, padding=1) == 3


def test_receptive_field_recurrence():
    # two 3x3 convolutions see 5x5, three see 7x7 (VGG's argument)
    assert [f.size for f in arithmetic.receptive_field([(3, 1)] * 3)] == [3, 5, 7]
    fields = arithmetic.receptive_field([(3, 1), (2, 2), (3, 1), (2, 2)], input_size=28)
    assert [(f.size, f.jump, f.output_size) for f in fields] == [
        (3, 1, 26), (4, 2, 13), (8, 2, 11), (10, 4, 5)]
    assert fields[-1].start == 4.5
    same = arithmetic.receptive_field([dict(kernel_size=3, padding="same")] * 2, input_size=8)
    assert [f.start for f in same] == [0.0, 0.0] and same[-1].size == 5
    dilated = arithmetic.receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)])
    assert [f.size for f in dilated] == [3, 7, 15]  # exponential growth


def test_keras_layer_specs_and_receptive_field_of_a_model():
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.BatchNormalization(),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(4, (5, 3), padding="same", dilation_rate=(1, 2)),
    ])
    assert arithmetic.keras_layer_specs(model) == [(3, 1, 1, "valid"), (2, 2, 1, "valid"),
                                                  (5, 1, 1, "same")]
    assert arithmetic.keras_layer_specs(model, axis=1)[-1] == (3, 1, 2, "same")
    assert arithmetic.receptive_field(arithmetic.keras_layer_specs(model), 28)[-1].size == 12
    with pytest.raises(ValueError, match=r"layer 'flatten' \(Flatten\) is neither a "
                                         r"convolution/pooling layer nor pointwise"):
        arithmetic.keras_layer_specs(keras.Sequential([keras.Input((8, 8, 1)),
                                                       keras.layers.Flatten(name="flatten")]))


@pytest.mark.parametrize("kernel,c_in,filters,groups", [(3, 4, 8, 2), ((1, 3), 6, 6, 3),
                                                       (3, 16, 32, 16)])
def test_grouped_conv2d_params_match_keras(kernel, c_in, filters, groups):
    model = keras.Sequential([keras.Input((9, 9, c_in)),
                              keras.layers.Conv2D(filters, kernel, groups=groups)])
    assert arithmetic.conv2d_params(kernel, c_in, filters, groups=groups) == model.count_params()


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: arithmetic.conv_output_size(3, 5), ValueError,
         r"the kernel \(extent 5 = 5 taps with dilation 1\) is larger than the padded input "
         r"\(3 \+ 0 \+ 0 = 3\)"),
        (lambda: arithmetic.conv_output_size(7, 3, dilation=4), ValueError,
         r"the kernel \(extent 9 = 3 taps with dilation 4\) is larger than the padded input"),
        (lambda: arithmetic.conv_output_size(5, 3, strides=0), ValueError,
         "strides must be an int >= 1, got 0"),
        (lambda: arithmetic.conv_output_size(5, 0), ValueError, "kernel_size must be an int >= 1, got 0"),
        (lambda: arithmetic.conv_output_size(5, 3, "circular"), ValueError,
         "padding must be one of 'valid', 'same', 'full', 'causal' or explicit ints, "
         "got 'circular'"),
        (lambda: arithmetic.conv_output_size(5, 3, -1), ValueError,
         "padding must be an int >= 0, got -1"),
        (lambda: arithmetic.conv_output_size(5, 3, 1.5), TypeError,
         r"padding must be a string \(valid, same, full, causal\), an int or a tuple, "
         r"got float \(1\.5\)"),
        (lambda: arithmetic.conv_output_size((5, 5), 3, (1, 2, 3)), ValueError,
         r"padding for 2 spatial axes must be .* got \(1, 2, 3\)"),
        (lambda: arithmetic.conv_output_size((5, 5), (3, 3, 3)), ValueError,
         r"kernel_size must be an int or a tuple of 2 ints \(one per spatial axis\), "
         r"got \(3, 3, 3\)"),
        (lambda: arithmetic.conv_output_size((5, 5), 3, "causal"), ValueError,
         r"padding='causal' is for one spatial axis \(Conv1D\), got 2 axes"),
        (lambda: arithmetic.conv_output_size(5.0, 3), TypeError,
         r"input_size must be an int, got float \(5\.0\)"),
        (lambda: arithmetic.pool_output_size(2, 3), ValueError,
         r"pool_size 3 is larger than the padded input \(2 \+ 0 \+ 0\)"),
        (lambda: arithmetic.pool_output_size(5, 2, padding=2), ValueError,
         r"padding \(2, 2\) must be smaller than pool_size 2 on each side: a window would "
         r"lie entirely in the padding"),
        (lambda: arithmetic.pool_output_size(5, 2, padding="full"), ValueError,
         "padding must be one of 'valid', 'same' or explicit ints, got 'full'"),
        (lambda: arithmetic.conv_transpose_output_size(3, 3, 2, output_padding=2), ValueError,
         r"output_padding must be smaller than strides on every axis \(0 <= a < s\), "
         r"got output_padding=2, strides=2"),
        (lambda: arithmetic.conv_transpose_output_size(1, 2, 1, "same", 0), ValueError,
         r"an even kernel extent \(2\) with output_padding=0 gives s \(n - 1\) = 0 on axis 0"),
        (lambda: arithmetic.conv_transpose_output_size(2, 3, padding=2), ValueError,
         r"transposed convolution output size would be 0 \(zero or negative\) on axis 0"),
        (lambda: arithmetic.transpose_equivalent(5, 3, 1, 3), ValueError,
         "padding must be <= kernel_size - 1 = 2, got 3"),
        (lambda: arithmetic.receptive_field([]), ValueError,
         "layers must contain at least one layer"),
        (lambda: arithmetic.receptive_field([(3, 1, 1, "same")]), ValueError,
         r"layers\[0\] has padding='same', which needs input_size"),
        (lambda: arithmetic.receptive_field([3]), TypeError,
         r"layers\[0\] must be \(kernel_size, strides\[, dilation\[, padding\]\]\) or a dict, "
         r"got 3"),
        (lambda: arithmetic.conv2d_params(3, 4, 6, groups=4), ValueError,
         r"in_channels \(4\) and filters \(6\) must both be divisible by groups \(4\)"),
    ],
)
def test_bad_size_arguments_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
