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
    with pytest.raises(ValueError, match=r"layer 'flat' \(Flatten\) is neither a "
                                         r"convolution/pooling layer nor pointwise"):
        arithmetic.keras_layer_specs(keras.Sequential([keras.Input((8, 8, 1)),
                                                       keras.layers.Flatten(name="flat")]))


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


# ---------------------------------------------- every argument, every axis, by brute force
# (added from mutation testing, `make mutation`: each block kills a class of survivors)

SIZE_ARGS = [  # (function, valid keyword arguments on a 2-D input, the int arguments to break)
    (arithmetic.effective_kernel_size, dict(kernel_size=3, dilation=2),
     ["kernel_size", "dilation"]),
    (arithmetic.same_padding, dict(input_size=(8, 9), kernel_size=3, strides=2, dilation=1),
     ["input_size", "kernel_size", "strides", "dilation"]),
    (arithmetic.resolve_padding, dict(input_size=(8, 9), kernel_size=3, padding="same",
                                      strides=2, dilation=1),
     ["input_size", "kernel_size", "strides", "dilation"]),
    (arithmetic.conv_output_size, dict(input_size=(8, 9), kernel_size=3, padding="valid",
                                       strides=2, dilation=1),
     ["input_size", "kernel_size", "strides", "dilation"]),
    (arithmetic.pool_output_size, dict(input_size=(8, 9), pool_size=2, strides=1),
     ["input_size", "pool_size", "strides"]),
    (arithmetic.conv_transpose_output_size, dict(input_size=(8, 9), kernel_size=3, strides=2,
                                                 dilation=1),
     ["input_size", "kernel_size", "strides", "dilation"]),
    (arithmetic.transpose_equivalent, dict(input_size=8, kernel_size=3, strides=2, padding=1),
     ["input_size", "kernel_size", "strides"]),
    (arithmetic.dense_params, dict(n_inputs=4, units=3), ["n_inputs", "units"]),
    (arithmetic.conv2d_params, dict(kernel_size=3, in_channels=4, filters=2, groups=2),
     ["kernel_size", "in_channels", "filters", "groups"]),
]
NAMED = [(f, kw, name) for f, kw, names in SIZE_ARGS for name in names]


@pytest.mark.parametrize("f,kwargs,name", NAMED)
def test_each_int_argument_is_named_in_its_error(f, kwargs, name):
    f(**kwargs)  # the valid call
    with pytest.raises(TypeError, match=rf"^{name} must be an int, got str \('3'\)$"):
        f(**{**kwargs, name: "3"})
    with pytest.raises(TypeError, match=rf"^{name} must be an int, got bool \(True\)$"):
        f(**{**kwargs, name: True})
    with pytest.raises(ValueError, match=rf"^{name} must be an int >= 1, got 0$"):
        f(**{**kwargs, name: 0})


@pytest.mark.parametrize("f,kwargs,name", [c for c in NAMED if c[0] not in (
    arithmetic.transpose_equivalent, arithmetic.dense_params, arithmetic.conv2d_params)
    and c[2] != "input_size"])
def test_each_tuple_argument_is_checked_per_axis(f, kwargs, name):
    if f is arithmetic.effective_kernel_size:  # no input_size: the other argument sets 2 axes
        kwargs = {**kwargs, ("dilation" if name == "kernel_size" else "kernel_size"): (3, 3)}
    if name != "kernel_size" or f is not arithmetic.effective_kernel_size:  # kernel_size first
        with pytest.raises(ValueError, match=rf"^{name} must be an int or a tuple of 2 ints "
                                             rf"\(one per spatial axis\), got \(2, 2, 2\)$"):
            f(**{**kwargs, name: (2, 2, 2)})
    with pytest.raises(TypeError, match=rf"^{name}\[1\] must be an int, got str \('x'\)$"):
        f(**{**kwargs, name: (2, "x")})
    with pytest.raises(ValueError, match=rf"^{name}\[0\] must be an int >= 1, got 0$"):
        f(**{**kwargs, name: (0, 2)})


def test_zero_or_negative_explicit_amounts_are_named():
    with pytest.raises(ValueError, match=r"^output_padding must be an int >= 0, got -1$"):
        arithmetic.conv_transpose_output_size(5, 3, 2, output_padding=-1)
    with pytest.raises(TypeError, match=r"^output_padding\[1\] must be an int, got float"):
        arithmetic.conv_transpose_output_size((5, 5), 3, 2, output_padding=(0, 1.0))
    with pytest.raises(ValueError, match=r"^padding must be an int >= 0, got -1$"):
        arithmetic.transpose_equivalent(5, 3, 1, -1)
    with pytest.raises(ValueError, match=r"^padding\[1\]\[0\] must be an int >= 0, got -1$"):
        arithmetic.resolve_padding((5, 5), 3, ((0, 0), (-1, 0)))
    with pytest.raises(ValueError, match=r"^padding\[0\]\[1\] must be an int >= 0, got -2$"):
        arithmetic.resolve_padding((5, 5), 3, ((0, -2), 1))
    with pytest.raises(ValueError, match=r"^padding\[1\] must be an int >= 0, got -1$"):
        arithmetic.resolve_padding((5, 5), 3, (1, -1))
    with pytest.raises(ValueError, match=r"^padding\[3\] must be an int >= 0, got -1$"):
        arithmetic.resolve_padding((5, 5), 3, (1, 0, 2, -1))
    with pytest.raises(ValueError, match=r"^padding\[1\] must be an int or a pair \(before, "
                                         r"after\), got \(1, 2, 3\)$"):
        arithmetic.resolve_padding((5, 5), 3, (1, (1, 2, 3)))
    with pytest.raises(ValueError, match=r"^sizes must have at least one spatial axis, got an "
                                         r"empty tuple$"):
        arithmetic.conv_output_size((), 3)
    with pytest.raises(ValueError, match=r"^kernel_size must be an int or a tuple of 2 ints "
                                         r"\(one per spatial axis\), got \(3, 3, 3\)$"):
        arithmetic.conv2d_params((3, 3, 3), 1, 1)
    with pytest.raises(ValueError, match=r"^layer_sizes needs at least \[inputs, outputs\], "
                                         r"got \[3\]$"):
        arithmetic.mlp_params([3])
    assert arithmetic.mlp_params([3, 2]) == 8 and arithmetic.mlp_params((3, 2), False) == 6


def windows(n, k_eff, s, pb, pa):
    """Number of kernel positions on a padded axis, counted one by one (None: none fits)."""
    count = len(range(0, n + pb + pa - k_eff + 1, s))
    return count if count else None


def tf_same(n, k_eff, s):
    """TensorFlow's 'same' padding by search: the least total with ceil(n / s) windows."""
    total = next(t for t in range(0, 3 * k_eff + s) if windows(n, k_eff, s, 0, t) == -(-n // s))
    return total // 2, total - total // 2


GRID = [(n, k, s, d) for n in range(1, 8) for k in range(1, 5) for s in range(1, 4)
        for d in (1, 2)]


@pytest.mark.parametrize("n,k,s,d", GRID)
def test_sizes_and_paddings_equal_a_count_of_window_positions(n, k, s, d):
    k_eff = k + (k - 1) * (d - 1)
    assert arithmetic.effective_kernel_size(k, d) == k_eff
    expected = {"valid": (0, 0), "same": tf_same(n, k_eff, s), "full": (k_eff - 1, k_eff - 1),
                "causal": (k_eff - 1, 0), 1: (1, 1), (2, 0): (2, 0), (0, 3): (0, 3)}
    assert arithmetic.same_padding(n, k, s, d) == expected["same"]
    for padding, (pb, pa) in expected.items():
        assert arithmetic.resolve_padding(n, k, padding, s, d) == (pb, pa)
        count = windows(n, k_eff, s, pb, pa)
        if count is None:
            with pytest.raises(ValueError, match=rf"^the kernel \(extent {k_eff} = {k} taps with "
                                                 rf"dilation {d}\) is larger than the padded "
                                                 rf"input \({n} \+ {pb} \+ {pa} = {n + pb + pa}\)"):
                arithmetic.conv_output_size(n, k, padding, s, d)
        else:
            assert arithmetic.conv_output_size(n, k, padding, s, d) == count
        if d == 1 and padding != "full" and padding != "causal" and max(pb, pa) < k:
            strides = None if s == 1 else s
            pool_s = k if strides is None else s
            if padding == "same":
                pb, pa = tf_same(n, k, pool_s)
            count = windows(n, k, pool_s, pb, pa)
            if count is None:
                with pytest.raises(ValueError, match=rf"^pool_size {k} is larger than the padded "
                                                     rf"input \({n} \+ {pb} \+ {pa}\)"):
                    arithmetic.pool_output_size(n, k, strides, padding)
            else:
                assert arithmetic.pool_output_size(n, k, strides, padding) == count


@pytest.mark.parametrize("n,k,s,d", GRID)
def test_transposed_size_is_the_input_that_a_convolution_maps_back(n, k, s, d):
    k_eff = k + (k - 1) * (d - 1)
    for pb, pa in [(0, 0), (1, 0), (0, 2), (1, 1)]:
        for a in range(s):
            found = [o for o in range(1, 60) if windows(o, k_eff, s, pb, pa) == n
                     and (o + pb + pa - k_eff) % s == a]
            if found:
                assert arithmetic.conv_transpose_output_size(
                    n, k, s, (pb, pa), output_padding=a, dilation=d) == found[0]
            else:
                with pytest.raises(ValueError, match="transposed convolution output size would "
                                                     "be .* on axis 0"):
                    arithmetic.conv_transpose_output_size(n, k, s, (pb, pa), a, d)
    # string modes: the largest / the 'same' / the full inverse, as Keras documents
    assert arithmetic.conv_transpose_output_size(n, k, s, dilation=d) == \
        s * (n - 1) + k_eff + max(s - k_eff, 0)
    assert arithmetic.conv_transpose_output_size(n, k, s, "same", dilation=d) == n * s
    for a in range(s):
        o = s * (n - 1) + k_eff + a
        assert arithmetic.conv_transpose_output_size(n, k, s, "valid", a, d) == o
        assert windows(o, k_eff, s, 0, 0) == n
        o_same = s * (n - 1) + k_eff % 2 + a
        if o_same > s * (n - 1):
            assert arithmetic.conv_transpose_output_size(n, k, s, "same", a, d) == o_same
            assert -(-o_same // s) == n
        else:
            with pytest.raises(ValueError, match=rf"an even kernel extent \({k_eff}\) with "
                                                 rf"output_padding=0 gives s \(n - 1\) = "
                                                 rf"{o_same} on axis 0"):
                arithmetic.conv_transpose_output_size(n, k, s, "same", a, d)
        o_full = s * (n - 1) - k_eff + 2 + a
        if o_full >= 1:
            assert arithmetic.conv_transpose_output_size(n, k, s, "full", a, d) == o_full
            assert windows(o_full, k_eff, s, k_eff - 1, k_eff - 1) == n
    if s * (n - 1) - k_eff + 2 >= 1:
        assert arithmetic.conv_transpose_output_size(n, k, s, "full", None, d) == \
            s * (n - 1) - k_eff + 2


FUNCTIONS_2D = [  # (function, positional arguments of axis 0, of axis 1; different results)
    (arithmetic.effective_kernel_size, [[3, 2], [5, 3]]),
    (arithmetic.same_padding, [[8, 3, 3, 1], [9, 2, 2, 2]]),
    (arithmetic.resolve_padding, [[8, 3, "same", 3, 1], [9, 2, "same", 2, 2]]),
    (arithmetic.resolve_padding, [[8, 3, "full", 3, 1], [9, 2, "full", 2, 3]]),
    (arithmetic.conv_output_size, [[8, 3, "valid", 3, 1], [9, 2, "valid", 2, 2]]),
    (arithmetic.conv_output_size, [[8, 3, "same", 3, 1], [9, 2, "same", 2, 2]]),
    (arithmetic.pool_output_size, [[8, 3, 1, "valid"], [9, 2, 2, "valid"]]),
    (arithmetic.pool_output_size, [[8, 3, 2, "same"], [9, 2, 1, "same"]]),
    (arithmetic.conv_transpose_output_size, [[4, 3, 3, "valid", 1, 1], [5, 2, 2, "valid", 1, 2]]),
    (arithmetic.conv_transpose_output_size, [[4, 3, 3, "same", 1, 1], [5, 2, 2, "same", 1, 2]]),
]


@pytest.mark.parametrize("f,axes", FUNCTIONS_2D)
def test_a_tuple_in_any_argument_gives_one_result_per_axis(f, axes):
    first, second = axes
    assert f(*first) != f(*second)
    assert f(*[(a, b) if a != b else a for a, b in zip(first, second)]) == (f(*first), f(*second))
    for i, (a, b) in enumerate(zip(first, second)):
        if a == b:
            continue
        # a tuple in argument i only, every other argument the int of axis 0
        mixed = first[:i] + [b] + first[i + 1:]
        assert f(*first[:i], (a, b), *first[i + 1:]) == (f(*first), f(*mixed))


@pytest.mark.parametrize("call,same_as", [
    (lambda: arithmetic.effective_kernel_size(3), lambda: arithmetic.effective_kernel_size(3, 1)),
    (lambda: arithmetic.same_padding(7, 4), lambda: arithmetic.same_padding(7, 4, 1, 1)),
    (lambda: arithmetic.resolve_padding(7, 4), lambda: (0, 0)),
    (lambda: arithmetic.resolve_padding(7, 4, "same"),
     lambda: arithmetic.resolve_padding(7, 4, "SAME", 1, 1)),
    (lambda: arithmetic.conv_output_size(7, 4), lambda: 4),
    (lambda: arithmetic.conv_output_size(7, 3, "same"), lambda: 7),
    (lambda: arithmetic.pool_output_size(7, 2), lambda: 3),
    (lambda: arithmetic.pool_output_size(7, 2, padding="Same"), lambda: 4),
    (lambda: arithmetic.conv_transpose_output_size(3, 2), lambda: 4),
    (lambda: arithmetic.conv_transpose_output_size(3, 2, 2, "Same"), lambda: 6),
    (lambda: arithmetic.transpose_equivalent(5, 3), lambda: arithmetic.transpose_equivalent(
        5, 3, 1, 0)),
    (lambda: arithmetic.dense_params(3, 2), lambda: 8),
    (lambda: arithmetic.conv2d_params(3, 2, 4), lambda: 76),
    (lambda: arithmetic.conv2d_params(3, 4, 4, False, 2), lambda: 72),
    (lambda: arithmetic.mlp_params([4, 3, 2]), lambda: 23),
    (lambda: arithmetic.receptive_field([(3, 2)])[0], lambda: arithmetic.Field(3, 2, 1.0, None)),
    (lambda: arithmetic.receptive_field([(3, 1, 1, "same")], 5)[0],
     lambda: arithmetic.Field(3, 1, 0.0, 5)),
    (lambda: arithmetic.receptive_field([dict(kernel_size=3)])[0],
     lambda: arithmetic.Field(3, 1, 1.0, None)),
])
def test_defaults(call, same_as):
    assert call() == same_as()


def brute_field(layers, n):
    """size, jump, start of each layer by following the input interval of outputs 0 and 1."""
    fields, span = [], lambda j: (j, j)  # output j of the input "layer" sees pixel j
    for k, s, d, padding in layers:
        pb = arithmetic.resolve_padding(n, k, padding, s, d)[0]
        k_eff = k + (k - 1) * (d - 1)
        n = arithmetic.conv_output_size(n, k, padding, s, d)
        span = (lambda prev, s=s, pb=pb, k_eff=k_eff:
                lambda j: (prev(j * s - pb)[0], prev(j * s - pb + k_eff - 1)[1]))(span)
        (lo, hi), (lo1, _) = span(0), span(1)
        fields.append(arithmetic.Field(hi - lo + 1, lo1 - lo, (lo + hi) / 2, n))
    return fields


@pytest.mark.parametrize("seed", range(12))
def test_receptive_field_equals_following_the_windows(seed):
    import random

    rng = random.Random(seed)
    layers = [(rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 2),
               rng.choice(["valid", "same", "full", 0, 1, 2])) for _ in range(rng.randint(1, 4))]
    n = 200
    assert arithmetic.receptive_field(layers, n) == brute_field(layers, n)
    as_dicts = [dict(kernel_size=k, strides=s, dilation=d, padding=p) for k, s, d, p in layers]
    assert arithmetic.receptive_field(as_dicts, n) == brute_field(layers, n)
    if not any(p == "same" for *_, p in layers):
        without_n = arithmetic.receptive_field(layers)
        assert [f[:3] for f in without_n] == [f[:3] for f in brute_field(layers, n)]
        assert all(f.output_size is None for f in without_n)


def test_layer_specs_are_checked():
    with pytest.raises(ValueError, match=r"^layers\[1\] as a dict needs 'kernel_size' and may "
                                         r"have 'strides', 'dilation', 'padding'; got keys "
                                         r"\['size'\]$"):
        arithmetic.receptive_field([(3, 1), {"size": 3}])
    with pytest.raises(ValueError, match=r"^layers\[0\] as a dict .* got keys \['kernel_size', "
                                         r"'stride'\]$"):
        arithmetic.receptive_field([{"kernel_size": 3, "stride": 2}])
    for bad in ((), (1, 2, 3, "valid", 5), "3"):
        with pytest.raises(TypeError, match=r"^layers\[0\] must be \(kernel_size, strides"):
            arithmetic.receptive_field([bad])
    for i, name in enumerate(["kernel_size", "strides", "dilation"]):
        layer = [3, 1, 1]
        layer[i] = 0
        with pytest.raises(ValueError, match=rf"^layers\[1\] {name} must be an int >= 1, got 0$"):
            arithmetic.receptive_field([(3, 1), tuple(layer)])
    assert arithmetic.receptive_field([(3,)])[0] == arithmetic.Field(3, 1, 1.0, None)
    with pytest.raises(ValueError, match=r"^input_size must be an int >= 1, got 0$"):
        arithmetic.receptive_field([(3, 1)], 0)
    with pytest.raises(ValueError, match=r"^layers\[0\] has padding='same'"):
        arithmetic.receptive_field([(3, 1, 1, "Same")])


def test_errors_describe_the_call_per_axis():
    with pytest.raises(ValueError, match=r"; input_size=3, kernel_size=5, strides=2, dilation=1, "
                                         r"padding='valid'$"):
        arithmetic.conv_output_size(3, 5, strides=2)
    with pytest.raises(ValueError, match=r"; input_size=\(2, 9\), kernel_size=\(5, 5\), "
                                         r"strides=\(1, 1\), dilation=\(1, 1\), padding=1$"):
        arithmetic.conv_output_size((2, 9), 5, 1)
    with pytest.raises(ValueError, match=r"input_size=\(2, 9\), pool_size=\(3, 3\), "
                                         r"strides=\(3, 1\), padding='valid'$"):
        arithmetic.pool_output_size((2, 9), 3, (3, 1))
    with pytest.raises(ValueError, match=r"^axis must be an int >= 0, got -1$"):
        arithmetic.keras_layer_specs([keras.layers.Conv2D(1, 3)], axis=-1)


def test_keras_layer_specs_refuses_layers_without_a_local_field():
    for layer, kind in [(keras.layers.Conv2DTranspose(1, 3, name="up"), "Conv2DTranspose"),
                        (keras.layers.GlobalAveragePooling2D(name="up"),
                         "GlobalAveragePooling2D")]:
        with pytest.raises(ValueError, match=rf"^layer 'up' \({kind}\) has no local receptive "
                                             r"field$"):
            arithmetic.keras_layer_specs([keras.layers.Conv2D(1, 3), layer])
    with pytest.raises(TypeError, match=r"^model must be a Keras model or a list of layers, "
                                        r"got int$"):
        arithmetic.keras_layer_specs(3)
    layers = [keras.layers.ReLU(), keras.layers.MaxPooling2D((2, 3), strides=(1, 2))]
    assert arithmetic.keras_layer_specs(layers, axis=1) == [(3, 2, 1, "valid")]
    with pytest.raises(ValueError, match=r"^axis 2 out of range for layer '.*' with 2 spatial "
                                         r"axes$"):
        arithmetic.keras_layer_specs(layers, axis=2)
    with pytest.raises(ValueError, match=r"^the model has no convolution or pooling layers$"):
        arithmetic.keras_layer_specs([keras.layers.ReLU()])


def test_remaining_fields_and_messages():
    assert arithmetic.transpose_equivalent(5, 3, 2, 1) == arithmetic.TransposeEquivalent(
        input_size=3, kernel_size=3, zeros_between=1, padding=1, extra_after=0, output_size=5)
    params = arithmetic.conv2d_params(3, 4, 6, groups=2)
    assert type(params) is int and params == (3 * 3 * 2 + 1) * 6
    for i, kernel in enumerate([(0, 3), (3, 0)]):
        with pytest.raises(ValueError, match=rf"^kernel_size\[{i}\] must be an int >= 1, got 0$"):
            arithmetic.conv2d_params(kernel, 1, 1)
    with pytest.raises(ValueError, match=r"or 4 ints \(before, after per axis\); got "
                                         r"\(1, 2, 3\)$"):
        arithmetic.resolve_padding((5, 5), 3, (1, 2, 3))
    with pytest.raises(ValueError, match=r"^layers must contain at least one layer$"):
        arithmetic.receptive_field([])
    # without input_size, padding comes from the layer alone: dilation and both sides count
    layers = [(3, 1, 2, "full"), (2, 2, 1, (0, 1)), (3, 1, 1, (2, 0)), (2, 3, 2, "causal")]
    assert [f[:3] for f in arithmetic.receptive_field(layers)] == \
        [f[:3] for f in brute_field(layers, 200)]


def test_each_function_checks_its_own_arguments_first():
    """The error names the first bad argument, not whatever later arithmetic trips over: an
    input size of 0 is reported before a padding too large for the kernel, a stride of 0 too,
    and receptive_field reports input_size before it reads the layers."""
    with pytest.raises(ValueError, match=r"^input_size must be an int >= 1, got 0$"):
        arithmetic.transpose_equivalent(0, 3, 1, 5)
    with pytest.raises(ValueError, match=r"^strides must be an int >= 1, got 0$"):
        arithmetic.transpose_equivalent(5, 3, 0, 5)
    with pytest.raises(ValueError, match=r"^input_size must be an int >= 1, got 0$"):
        arithmetic.receptive_field([(0, 1)], 0)
    for params in (lambda b: arithmetic.conv2d_params(3, 1, 1, use_bias=b),
                   lambda b: arithmetic.dense_params(3, 1, use_bias=b)):
        with pytest.raises(TypeError, match=r"^use_bias must be True or False, got str "
                                            r"\('yes'\)$"):
            params("yes")
    with pytest.raises(AttributeError, match=r"^module 'cnnlib.arithmetic' has no attribute "
                                             r"'conv_output_sizes'$"):
        getattr(arithmetic, "conv_output_sizes")  # a typo of conv_output_size


class _Patches(keras.layers.Layer):
    """A layer with a kernel and strides but no dilation_rate (non-overlapping patches)."""

    def __init__(self):
        super().__init__(name="patches")
        self.kernel_size, self.strides, self.padding = (4, 2), (4, 1), "valid"


def test_keras_layer_specs_reads_a_layer_without_dilation_as_undilated():
    assert arithmetic.keras_layer_specs([_Patches()]) == [(4, 4, 1, "valid")]
    assert arithmetic.keras_layer_specs([_Patches()], axis=1) == [(2, 1, 1, "valid")]


def test_padding_helpers_default_to_stride_1_and_valid():
    # TF's rule with stride 1: a total of k - 1 = 2, split evenly
    assert arithmetic.same_padding(4, 3) == (1, 1)
    assert arithmetic.pool_padding(5, 2) == (0, 0)


def test_transposed_size_message_repeats_the_call():
    with pytest.raises(ValueError, match=r"^transposed convolution output size would be -1 "
                                         r"\(zero or negative\) on axis 0; input_size=1, "
                                         r"kernel_size=3, strides=1, dilation=1, padding='full', "
                                         r"output_padding=None$"):
        arithmetic.conv_transpose_output_size(1, 3, padding="full")
    # resolve_padding's default stride is 1: "same" pads k - 1 = 2 in all, evenly
    assert arithmetic.resolve_padding(4, 3, "same") == (1, 1)
