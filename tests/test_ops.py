"""cnnlib.ops against TensorFlow/Keras: convolution, padding and pooling within 1e-5."""

import itertools

import numpy as np
import pytest

from cnnlib import arithmetic, ops

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
# Ampere and later GPUs compute float32 convolutions in TF32 (10-bit mantissa) unless told not
# to; the 1e-5 comparisons below need true float32.
tf.config.experimental.enable_tensor_float_32_execution(False)

TOL = dict(rtol=1e-5, atol=1e-5)
RNG = np.random.default_rng(1234)


def _random(shape):
    return RNG.normal(size=shape).astype(np.float32)


def _tf_pads(top, bottom, left, right):
    return [[0, 0], [top, bottom], [left, right], [0, 0]]


# ----------------------------------------------------------------------------- conv2d
# (x shape, kernel (kh, kw), C_out): odd sizes, non-square images and kernels, 1x1, C_in = 1
CONV_CASES = [((2, 7, 9, 3), (3, 3), 4), ((1, 6, 5, 1), (2, 3), 2), ((3, 11, 8, 2), (1, 1), 3),
              ((1, 13, 13, 3), (5, 5), 2)]
STRIDES = [1, 2, (1, 3), 4]  # 4 > kernel for every kernel here except 5x5


@pytest.mark.parametrize("fn", [ops.conv2d, ops.conv2d_loops], ids=["vectorised", "loops"])
@pytest.mark.parametrize("case", CONV_CASES, ids=str)
@pytest.mark.parametrize("strides", STRIDES, ids=str)
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv2d_matches_tf(fn, case, strides, padding):
    shape, k, c_out = case
    x, w, b = _random(shape), _random(k + (shape[3], c_out)), _random((c_out,))
    ref = tf.nn.conv2d(x, w, strides, padding.upper()).numpy() + b
    got = fn(x, w, b, strides=strides, padding=padding)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, **TOL)


@pytest.mark.parametrize("fn", [ops.conv2d, ops.conv2d_loops], ids=["vectorised", "loops"])
@pytest.mark.parametrize("padding, pads", [
    (1, (1, 1, 1, 1)), (0, (0, 0, 0, 0)), ((2, 1), (2, 2, 1, 1)), ((0, 2, 1, 3), (0, 2, 1, 3)),
    ("full", (2, 2, 1, 1)),  # kernel 3x2: k - 1 on each side
])
@pytest.mark.parametrize("strides", [1, 2, 3])
def test_conv2d_explicit_and_full_padding_match_tf(fn, padding, pads, strides):
    x, w = _random((2, 6, 7, 2)), _random((3, 2, 2, 3))
    ref = tf.nn.conv2d(x, w, strides, _tf_pads(*pads)).numpy()
    np.testing.assert_allclose(fn(x, w, strides=strides, padding=padding), ref, **TOL)


@pytest.mark.parametrize("fn", [ops.conv2d, ops.conv2d_loops], ids=["vectorised", "loops"])
@pytest.mark.parametrize("dilation", [2, 3, (1, 2), (2, 1)], ids=str)
@pytest.mark.parametrize("padding", ["valid", "same", "full", 2])
def test_conv2d_dilation_matches_tf(fn, dilation, padding):
    x, w, b = _random((2, 12, 11, 3)), _random((3, 3, 3, 2)), _random((2,))
    d = (dilation, dilation) if isinstance(dilation, int) else dilation
    if padding == "full":
        tf_pad = _tf_pads(2 * d[0], 2 * d[0], 2 * d[1], 2 * d[1])
    elif padding == 2:
        tf_pad = _tf_pads(2, 2, 2, 2)
    else:
        tf_pad = padding.upper()
    ref = tf.nn.conv2d(x, w, 1, tf_pad, dilations=d).numpy() + b
    got = fn(x, w, b, padding=padding, dilation=dilation)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, **TOL)


@pytest.mark.parametrize("fn", [ops.conv2d, ops.conv2d_loops], ids=["vectorised", "loops"])
def test_conv2d_stride_and_dilation_together(fn):
    # TF's CPU kernel refuses strides > 1 with dilations > 1; a strided convolution is the
    # stride-1 one sampled every `stride` pixels (valid/explicit padding), so compare with that.
    x, w = _random((1, 15, 14, 2)), _random((3, 2, 2, 2))
    ref = tf.nn.conv2d(x, w, 1, _tf_pads(1, 1, 1, 1), dilations=2).numpy()[:, ::3, ::2]
    got = fn(x, w, strides=(3, 2), padding=1, dilation=2)
    np.testing.assert_allclose(got, ref, **TOL)


def test_conv2d_equals_keras_conv2d_layer():
    x = _random((4, 10, 9, 3))
    for padding, strides, dilation in [("valid", 1, 1), ("same", 2, 1), ("same", 1, 2)]:
        layer = keras.layers.Conv2D(5, (3, 3), strides=strides, padding=padding,
                                    dilation_rate=dilation)
        ref = np.asarray(layer(x))
        w, b = (np.asarray(v) for v in layer.get_weights())
        for fn in (ops.conv2d, ops.conv2d_loops):
            got = fn(x, w, b, strides=strides, padding=padding, dilation=dilation)
            np.testing.assert_allclose(got, ref, **TOL)


def test_conv2d_is_cross_correlation_on_a_known_example():
    image = np.arange(9, dtype=float).reshape(1, 3, 3, 1)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]])[:, :, None, None]
    out = ops.conv2d(image, kernel)[0, :, :, 0]
    # top-left: 0*1 + 4*(-1) -- no kernel flip
    np.testing.assert_array_equal(out, [[-4.0, -4.0], [-4.0, -4.0]])


def test_conv2d_dtypes_and_integer_input():
    x = RNG.integers(0, 255, size=(1, 5, 5, 1)).astype(np.uint8)
    w = np.ones((3, 3, 1, 1), dtype=np.float32)
    out = ops.conv2d(x, w)
    assert out.dtype == np.float32
    assert out[0, 0, 0, 0] == x[0, :3, :3, 0].astype(int).sum()
    assert ops.conv2d(x.astype(np.float64), w).dtype == np.float64
    loops = ops.conv2d_loops(x, w)
    assert loops.dtype == np.float32
    np.testing.assert_array_equal(loops, out)


# ----------------------------------------------------------------------------- pad2d
def test_pad2d_explicit_matches_keras_zero_padding():
    x = _random((2, 4, 5, 3))
    ref = np.asarray(keras.layers.ZeroPadding2D(((1, 2), (3, 0)))(x))
    np.testing.assert_array_equal(ops.pad2d(x, (1, 2, 3, 0)), ref)
    assert ops.pad2d(x, 2).shape == (2, 8, 9, 3)
    assert ops.pad2d(x, (1, 0)).shape == (2, 6, 5, 3)
    assert ops.pad2d(x, "valid").shape == x.shape
    assert ops.pad2d(x, 1, value=7.0)[0, 0, 0, 0] == 7.0


@pytest.mark.parametrize("size, k, s",
                         list(itertools.product([5, 6, 7, 8], [1, 2, 3, 4], [1, 2, 3])))
def test_pad2d_same_follows_tf_rule(size, k, s):
    # valid convolution of the "same"-padded image equals TF's "same" convolution
    x, w = _random((1, size, size + 1, 1)), _random((k, k, 1, 1))
    xp = ops.pad2d(x, "same", kernel_size=k, strides=s)
    ref = tf.nn.conv2d(x, w, s, "SAME").numpy()
    np.testing.assert_allclose(ops.conv2d(xp, w, strides=s), ref, **TOL)
    # TF's split, written out: total max((ceil(n / s) - 1) s + k - n, 0), the smaller half
    # before (top/left), the extra row/column, when the total is odd, after (bottom/right)
    pads = []
    for n in (size, size + 1):
        total = max((-(-n // s) - 1) * s + k - n, 0)
        pads.append((total // 2, total - total // 2))
        assert arithmetic.same_padding(n, k, strides=s) == pads[-1]
    (top, bottom), (left, right) = pads
    assert xp.shape == (1, size + top + bottom, size + 1 + left + right, 1)
    # the original pixels sit exactly at [top:, left:], everything around them is zero
    np.testing.assert_array_equal(xp[:, top:top + size, left:left + size + 1], x)
    border = np.ones(xp.shape, bool)
    border[:, top:top + size, left:left + size + 1] = False
    np.testing.assert_array_equal(xp[border], 0)


def test_pad2d_full_and_errors():
    x = _random((1, 4, 4, 1))
    assert ops.pad2d(x, "full", kernel_size=3).shape == (1, 8, 8, 1)
    assert ops.pad2d(x, "full", kernel_size=3, dilation=2).shape == (1, 12, 12, 1)
    with pytest.raises(ValueError, match="padding='same' depends on the kernel: pass kernel_size"):
        ops.pad2d(x, "same")
    with pytest.raises(ValueError, match="padding must be an int >= 0"):
        ops.pad2d(x, -1)


# ----------------------------------------------------------------------------- pool2d
def _tf_sum_pool(x, pool, strides, padding):
    """Sum pooling in TF: a ones kernel per channel (channels moved into the batch axis)."""
    n, h, w, c = x.shape
    flat = np.ascontiguousarray(x.transpose(0, 3, 1, 2)).reshape(n * c, h, w, 1)
    out = tf.nn.conv2d(flat, tf.ones(pool + (1, 1)), strides, padding.upper()).numpy()
    return out.reshape(n, c, *out.shape[1:3]).transpose(0, 2, 3, 1)


def _tf_pool(x, mode, pool, strides, padding):
    p = padding.upper()
    if mode == "max":
        return tf.nn.max_pool2d(x, pool, strides, p).numpy()
    if mode == "average":
        return tf.nn.avg_pool2d(x, pool, strides, p).numpy()
    if mode == "min":
        return -tf.nn.max_pool2d(-x, pool, strides, p).numpy()
    if mode == "sum":
        return _tf_sum_pool(x, pool, strides, padding)
    return np.sqrt(_tf_sum_pool(x * x, pool, strides, padding))  # l2


POOL_SHAPES = [(2, 7, 9, 3), (1, 5, 5, 1), (2, 11, 6, 2)]
POOL_SPECS = [(2, None), (3, None), (2, 1), (3, 2), ((2, 3), None), (2, (3, 1)), (2, 3), (1, 2)]


@pytest.mark.parametrize("fn", [ops.pool2d, ops.pool2d_loops], ids=["vectorised", "loops"])
@pytest.mark.parametrize("mode", ops.POOL_MODES)
@pytest.mark.parametrize("shape", POOL_SHAPES, ids=str)
@pytest.mark.parametrize("spec", POOL_SPECS, ids=str)
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pool2d_matches_tf(fn, mode, shape, spec, padding):
    pool_size, strides = spec
    pool = (pool_size, pool_size) if isinstance(pool_size, int) else pool_size
    s = pool if strides is None else ((strides, strides) if isinstance(strides, int) else strides)
    x = _random(shape)
    ref = _tf_pool(x, mode, pool, s, padding)
    got = fn(x, pool_size, strides, padding, mode)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, **TOL)


def test_pool2d_matches_tf_nn_pool_and_keras_layers():
    x = _random((2, 9, 8, 3))
    for padding in ("valid", "same"):
        for mode, tf_mode, layer in [("max", "MAX", keras.layers.MaxPooling2D),
                                     ("average", "AVG", keras.layers.AveragePooling2D)]:
            ref = tf.nn.pool(x, (3, 3), tf_mode, strides=(2, 2), padding=padding.upper()).numpy()
            np.testing.assert_allclose(ops.pool2d(x, 3, 2, padding, mode), ref, **TOL)
            ref = np.asarray(layer(pool_size=2, padding=padding)(x))
            np.testing.assert_allclose(ops.pool2d(x, 2, None, padding, mode), ref, **TOL)


def test_pool2d_small_worked_example_and_case_insensitive_mode():
    x = np.array([[1, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]]).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(ops.pool2d(x)[0, :, :, 0], [[6, 5], [7, 9]])
    np.testing.assert_array_equal(ops.pool2d(x, mode="MIN")[0, :, :, 0], [[1, 0], [0, 3]])
    np.testing.assert_array_equal(ops.pool2d(x, mode="sum")[0, :, :, 0], [[14, 8], [10, 24]])
    np.testing.assert_array_equal(ops.pool2d(x, mode="average")[0, :, :, 0], [[3.5, 2], [2.5, 6]])
    np.testing.assert_allclose(ops.pool2d(x, mode="l2")[0, 0, 0, 0], np.sqrt(1 + 9 + 16 + 36))


# ----------------------------------------------------------------------------- errors
X3 = np.zeros((1, 5, 5, 3), dtype=np.float32)
W3 = np.zeros((3, 3, 3, 2), dtype=np.float32)


@pytest.mark.parametrize("fn", [ops.conv2d, ops.conv2d_loops], ids=["vectorised", "loops"])
def test_conv2d_errors(fn):
    with pytest.raises(ValueError, match="kernel has 1 input channel but the image has 3"):
        fn(X3, np.zeros((3, 3, 1, 4)))
    with pytest.raises(ValueError, match="kernel has 2 input channels but the image has 3"):
        fn(X3, np.zeros((3, 3, 2, 4)))
    with pytest.raises(ValueError, match=r"the kernel \(extent 7 = 7 taps with dilation 1\) is "
                                         r"larger than the padded input \(5 \+ 0 \+ 0 = 5\)"):
        fn(X3, np.zeros((7, 7, 3, 1)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        fn(X3, W3, dilation=3)  # 3x3 kernel dilated by 3 spans 7 pixels
    fn(X3, np.zeros((7, 7, 3, 1)), padding=1)  # 7x7 fits once padded to 7x7
    with pytest.raises(ValueError, match="strides must be an int >= 1, got 0"):
        fn(X3, W3, strides=0)
    with pytest.raises(ValueError, match=r"strides\[1\] must be an int >= 1, got 0"):
        fn(X3, W3, strides=(1, 0))
    with pytest.raises(ValueError, match="dilation must be an int >= 1, got 0"):
        fn(X3, W3, dilation=0)
    with pytest.raises(TypeError, match="strides must be an int"):
        fn(X3, W3, strides=1.5)
    with pytest.raises(ValueError, match=r"x must be 4-D \(N, H, W, C\), got shape \(5, 5\)"):
        fn(np.zeros((5, 5)), W3)
    with pytest.raises(ValueError, match=r"use x\[None\]"):
        fn(np.zeros((5, 5, 3)), W3)
    with pytest.raises(ValueError, match=r"w must be 4-D \(kh, kw, C_in, C_out\)"):
        fn(X3, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="padding must be one of 'valid', 'same', 'full', 'causal' "
                                         "or explicit ints, got 'half'"):
        fn(X3, W3, padding="half")
    with pytest.raises(ValueError, match=r"padding\[2\] must be an int >= 0, got -1"):
        fn(X3, W3, padding=(1, 1, -1, 1))
    with pytest.raises(ValueError, match="padding for 2 spatial axes must be"):
        fn(X3, W3, padding=(1, 1, 1))
    with pytest.raises(TypeError, match=r"padding must be .* got float \(1\.0\)"):
        fn(X3, W3, padding=1.0)
    with pytest.raises(ValueError, match=r"b must have shape \(C_out,\) = \(2,\)"):
        fn(X3, W3, b=np.zeros(3))
    with pytest.raises(TypeError, match="x must hold numbers"):
        fn(np.full((1, 5, 5, 3), "a"), W3)


@pytest.mark.parametrize("fn", [ops.pool2d, ops.pool2d_loops], ids=["vectorised", "loops"])
def test_pool2d_errors(fn):
    with pytest.raises(ValueError, match="unknown mode 'median'"):
        fn(X3, mode="median")
    with pytest.raises(ValueError, match="pool_size must be an int >= 1, got 0"):
        fn(X3, pool_size=0)
    with pytest.raises(ValueError, match="strides must be an int >= 1, got 0"):
        fn(X3, strides=0)
    with pytest.raises(ValueError,
                       match=r"pool_size 6 is larger than the padded input \(5 \+ 0 \+ 0\)"):
        fn(X3, pool_size=6)
    assert fn(X3, pool_size=6, padding="same").shape == (1, 1, 1, 3)
    with pytest.raises(ValueError, match="padding must be one of 'valid', 'same' or explicit ints"):
        fn(X3, padding="full")
    with pytest.raises(ValueError, match=r"padding \(2, 2\) must be smaller than pool_size 2"):
        fn(X3, padding=2)
    with pytest.raises(ValueError, match=r"x must be 4-D \(N, H, W, C\)"):
        fn(np.zeros((5, 5)))


def test_pad2d_defaults_and_argument_names():
    x = np.arange(2 * 5 * 6 * 1, dtype=float).reshape(2, 5, 6, 1)
    assert ops.pad2d(x, "same", 3).shape == ops.pad2d(x, "same", 3, 1, 1).shape == (2, 7, 8, 1)
    assert ops.pad2d(x, "full", (2, 3)).shape == (2, 7, 10, 1)
    assert ops.pad2d(x, "FULL", 3, dilation=2).shape == (2, 13, 14, 1)
    for padding in ("same", "full", "Full"):
        with pytest.raises(ValueError, match=rf"^padding='{padding}' depends on the kernel: pass "
                                             r"kernel_size \(and strides for 'same'\)$"):
            ops.pad2d(x, padding)
    for name in ("kernel_size", "strides", "dilation"):
        kwargs = {"kernel_size": 3, "strides": 1, "dilation": 1, name: (1, 2, 3)}
        with pytest.raises(ValueError, match=rf"^{name} must be an int or a tuple of 2 ints "
                                             rf"\(one per spatial axis\), got \(1, 2, 3\)$"):
            ops.pad2d(x, "same", **kwargs)


@pytest.mark.parametrize("fn", [ops.pool2d, ops.pool2d_loops], ids=["vectorised", "loops"])
@pytest.mark.parametrize("padding", [1, (1, 0), (0, 1, 1, 0), ((1, 0), (0, 1))])
def test_pool2d_explicit_padding_follows_arithmetic(fn, padding):
    """The padding grammar of cnnlib.arithmetic, padded cells ignored as for 'same'."""
    x = np.random.default_rng(0).normal(size=(2, 5, 6, 3))
    out = fn(x, 2, padding=padding, mode="max")
    assert out.shape[1:3] == arithmetic.pool_output_size((5, 6), 2, padding=padding)
    (top, bottom), (left, right) = arithmetic.pool_padding((5, 6), 2, padding)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=-np.inf)
    h, w = out.shape[1:3]
    expected = xp[:, :2 * h, :2 * w].reshape(2, h, 2, w, 2, 3).max(axis=(2, 4))
    np.testing.assert_allclose(out, expected)


def test_conv2d_takes_per_axis_pairs_like_arithmetic():
    x = np.random.default_rng(1).normal(size=(1, 5, 5, 2))
    w = np.random.default_rng(2).normal(size=(3, 3, 2, 1))
    out = ops.conv2d(x, w, padding=((1, 2), (0, 1)))
    assert out.shape[1:3] == arithmetic.conv_output_size((5, 5), 3, ((1, 2), (0, 1)))
    np.testing.assert_allclose(out, ops.conv2d(x, w, padding=(1, 2, 0, 1)))


@pytest.mark.parametrize("fn", [ops.pool2d, ops.pool2d_loops], ids=["vectorised", "loops"])
def test_pool2d_keeps_float32(fn):
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    out = fn(x, 2)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out[0, :, :, 0], [[5, 7], [13, 15]])


def test_pad2d_names_x_and_value_and_pads_with_infinity():
    x = np.arange(4.0).reshape(1, 2, 2, 1)
    with pytest.raises(ValueError, match=r"^x must be 4-D \(N, H, W, C\), got shape \(2, 2, 1\) "
                                         r"\(one image \(H, W, C\)\? use x\[None\]\)$"):
        ops.pad2d(x[0], 1)
    with pytest.raises(TypeError, match=r"^value must be a real number, got str \('a'\)$"):
        ops.pad2d(x, 1, value="a")
    with pytest.raises(ValueError, match=r"^value must be a number \(not NaN\), got nan$"):
        ops.pad2d(x, 1, value=float("nan"))
    # -inf is the border max pooling needs: a padded cell never wins
    xp = ops.pad2d(x, (1, 0, 0, 1), value=-np.inf)
    np.testing.assert_array_equal(xp[0, :, :, 0], [[-np.inf, -np.inf, -np.inf],
                                                   [0.0, 1.0, -np.inf],
                                                   [2.0, 3.0, -np.inf]])


def test_defaults_of_the_setup_functions_and_transpose():
    """Called with only the arrays: stride 1, no padding, no dilation, 2x2 max pooling."""
    x = np.arange(2 * 6 * 5 * 2, dtype=float).reshape(2, 6, 5, 2)
    setup = ops.conv2d_setup(x, np.ones((3, 3, 2, 4)))
    assert (setup.strides, setup.dilation, setup.pads, setup.out_hw) == \
        ((1, 1), (1, 1), (0, 0, 0, 0), (4, 3))
    np.testing.assert_array_equal(setup.xp, x)
    pool = ops.pool2d_setup(x)
    assert (pool.mode, pool.pool_size, pool.strides, pool.pads, pool.out_hw) == \
        ("max", (2, 2), (2, 2), (0, 0, 0, 0), (3, 2))
    # stride 1: every input pixel stamps the 3x3 kernel, (6 + 2) x (5 + 2) pixels
    up = ops.conv2d_transpose(x, np.ones((3, 3, 1, 2)))
    assert up.shape == (2, 8, 7, 1) and up[0, 0, 0, 0] == x[0, 0, 0].sum()


def test_conv2d_transpose_messages_and_dtypes():
    x = np.ones((1, 3, 3, 2), np.float32)
    with pytest.raises(ValueError, match=r"^w has 1 input channel \(last axis\) but x has 2; w "
                                         r"must be \(kh, kw, C_out, C_in\) with C_in = "
                                         r"x\.shape\[-1\]$"):
        ops.conv2d_transpose(x, np.ones((3, 3, 1, 1)))
    with pytest.raises(ValueError, match=r"^dilation must be an int >= 1, got 0$"):
        ops.conv2d_transpose(x, np.ones((3, 3, 1, 2)), dilation=0)
    with pytest.raises(TypeError, match=r"^mode must be a str, got int$"):
        ops.pool2d(x, mode=1)
    w32 = np.ones((3, 3, 1, 2), np.float32)
    assert ops.conv2d_transpose(x, w32).dtype == np.float32
    assert ops.conv2d_transpose(x, w32.astype(np.float64)).dtype == np.float64
    assert ops.conv2d_transpose(x.astype(np.float64), w32).dtype == np.float64


@pytest.mark.parametrize("s, d", [(1, 2), (2, 2), (2, (1, 3))], ids=str)
def test_same_conv2d_transpose_is_the_adjoint_of_same_conv2d(s, d):
    """<conv(z), y> = <z, conv_transpose(y)> with padding="same": the transpose crops the
    border that the convolution pads, dilated kernels included."""
    rng = np.random.default_rng(3)
    z, w = rng.normal(size=(2, 8 * s, 6 * s, 2)), rng.normal(size=(3, 3, 2, 3))
    out = ops.conv2d(z, w, strides=s, padding="same", dilation=d)
    y = rng.normal(size=out.shape)
    back = ops.conv2d_transpose(y, w, strides=s, padding="same", dilation=d)
    assert back.shape == z.shape
    assert np.sum(out * y) == pytest.approx(np.sum(z * back), rel=1e-12)


@pytest.mark.parametrize("fn", [ops.conv2d, ops.conv2d_loops], ids=["vectorised", "loops"])
def test_conv2d_checks_b_and_promotes_x_w_and_b_like_numpy(fn):
    x, w = np.ones((1, 4, 4, 2), np.float32), np.ones((3, 3, 2, 3), np.float32)
    with pytest.raises(ValueError, match=r"^kernel has 2 input channels but the image has 1 "
                                         r"\(x: \(1, 4, 4, 1\), w: \(3, 3, 2, 3\); w must be "
                                         r"\(kh, kw, C_in, C_out\) with C_in = x\.shape\[-1\]\)$"):
        fn(x[..., :1], w)
    with pytest.raises(TypeError, match=r"^b must hold numbers, got dtype <U1$"):
        fn(x, w, b=np.array(["a", "b", "c"]))
    with pytest.raises(ValueError, match=r"^b must have shape \(C_out,\) = \(3,\), got "
                                         r"\(0,\)$"):
        fn(x, w, b=np.zeros(0))
    b = np.ones(3, np.float32)
    assert fn(x, w, b).dtype == np.float32
    for i in range(3):  # any one of them in float64 makes the result float64
        args = [x, w, b]
        args[i] = args[i].astype(np.float64)
        out = fn(*args)
        assert out.dtype == np.float64 and np.all(out == 2 * 3 * 3 + 1)
    assert fn(x, w.astype(np.float64)).dtype == np.float64
