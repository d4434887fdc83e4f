"""cnnlib.grad against tf.GradientTape (float64, 1e-6) and against finite differences.

Every backward pass is checked twice: against TensorFlow's automatic differentiation of the
equivalent TF op, and against centred differences (cnnlib.gradcheck) with a relative error
below 1e-6. Shapes are drawn at random (seeded) and include stride 2, "same", explicit and
asymmetric padding, dilation, stride with dilation, overlapping pooling windows and padded
pooling. Where the functions have no derivative (tied maxima, ReLU at 0) only TF can judge:
those cases check cnnlib's documented convention against TF's.
"""

import re

import numpy as np
import pytest

from cnnlib import arithmetic, grad, gradcheck

tf = pytest.importorskip("tensorflow")

ATOL = 1e-6     # |ours - TF|, float64
REL = 1e-6      # relative error against finite differences


def _rng(seed):
    return np.random.default_rng(seed)


def _tape(fn, *arrays):
    """Value of fn and the gradients of sum(fn * dout) w.r.t. the arrays, with dout drawn here."""
    variables = [tf.Variable(a) for a in arrays]
    with tf.GradientTape() as tape:
        out = fn(*variables)
    dout = _rng(99).normal(size=out.shape).astype(out.dtype.as_numpy_dtype)
    return out.numpy(), dout, [g.numpy() for g in tape.gradient(out, variables,
                                                                   output_gradients=dout)]


def _tf_padding(padding):
    if isinstance(padding, str):
        return padding.upper()
    if isinstance(padding, int):
        padding = (padding,) * 4
    if len(padding) == 2:
        padding = (padding[0], padding[0], padding[1], padding[1])
    top, bottom, left, right = padding
    return [[0, 0], [top, bottom], [left, right], [0, 0]]


def _tf_dilate(w, d):
    """The dilated kernel with zeros between the taps, as a TF op (so gradients flow to w).

    TF's CPU kernels refuse the gradient of a dilated convolution (and tf.nn.conv2d refuses
    strides > 1 with dilations > 1); a dense kernel with the zeros written out is the same
    convolution. d: int or (d_h, d_w).
    """
    kh, kw = w.shape[0], w.shape[1]
    dh, dw = (d, d) if isinstance(d, int) else d
    rows = np.eye(dh * (kh - 1) + 1)[:, ::dh]  # (kh_eff, kh): tap u lands on row u*d_h
    cols = np.eye(dw * (kw - 1) + 1)[:, ::dw]
    return tf.einsum("au,bv,uvcf->abcf", rows, cols, w)


# ----------------------------------------------------------------------------- convolution
def _conv_cases():
    """Fixed cases covering the settings, then seeded random shapes."""
    cases = [  # (x shape, (kh, kw), C_out, strides, padding, dilation)
        ((2, 6, 6, 2), (2, 2), 3, 2, "valid", 1),
        ((2, 7, 6, 3), (3, 3), 2, 2, "same", 1),
        ((1, 7, 8, 2), (3, 2), 2, (2, 1), (0, 2, 1, 1), 1),
        ((2, 5, 5, 1), (3, 3), 2, 1, 1, 1),
        ((1, 8, 7, 2), (3, 3), 2, 1, "same", 2),
        ((1, 6, 5, 2), (2, 3), 3, 1, "full", 1),
        # stride and dilation together (Keras refuses it, the arithmetic is well defined)
        ((2, 9, 8, 2), (3, 3), 2, 2, "valid", 2),
        ((1, 11, 10, 2), (2, 3), 3, (2, 3), "same", (3, 2)),
        ((2, 8, 9, 1), (3, 2), 2, (3, 2), (1, 2, 0, 1), 2),
        ((1, 10, 12, 3), (2, 2), 2, 3, "full", (2, 3)),
    ]
    rng = _rng(2024)
    for _ in range(4):
        n, h, w = rng.integers(1, 3), rng.integers(5, 9), rng.integers(5, 9)
        c_in, c_out = rng.integers(1, 4), rng.integers(1, 4)
        k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        strides = [1, 2, (2, 1), (1, 2)][rng.integers(4)]
        padding = ["valid", "same", 1, (1, 0)][rng.integers(4)]
        cases.append(((int(n), int(h), int(w), int(c_in)), k, int(c_out), strides, padding, 1))
    return cases


CONV_CASES = _conv_cases()


def _conv_arrays(case, seed):
    shape, k, c_out, *_ = case
    rng = _rng(seed)
    return (rng.normal(size=shape), rng.normal(size=k + (shape[3], c_out)),
            rng.normal(size=(c_out,)))


@pytest.mark.parametrize("index", range(len(CONV_CASES)))
def test_conv2d_backward_matches_tf(index):
    case = CONV_CASES[index]
    _, _, _, strides, padding, dilation = case
    x, w, b = _conv_arrays(case, index)
    if padding == "full":  # k_eff - 1 on every side
        dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
        ph, pw = dh * (w.shape[0] - 1), dw * (w.shape[1] - 1)
        tf_pad = _tf_padding((ph, ph, pw, pw))
    else:
        tf_pad = _tf_padding(padding)
    ref, dout, (dx_tf, dw_tf, db_tf) = _tape(
        lambda x_, w_, b_: tf.nn.conv2d(x_, _tf_dilate(w_, dilation), strides, tf_pad) + b_,
        x, w, b)
    out, cache = grad.conv2d_forward(x, w, b, strides=strides, padding=padding,
                                     dilation=dilation)
    np.testing.assert_allclose(out, ref, atol=ATOL)
    dx, dw, db = grad.conv2d_backward(dout, cache)
    assert dx.dtype == dw.dtype == db.dtype == np.float64
    for ours, theirs in ((dx, dx_tf), (dw, dw_tf), (db, db_tf)):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL)


@pytest.mark.parametrize("index", range(len(CONV_CASES)))
def test_conv2d_backward_matches_finite_differences(index):
    case = CONV_CASES[index]
    _, _, _, strides, padding, dilation = case
    x, w, b = _conv_arrays(case, index)
    kw = dict(strides=strides, padding=padding, dilation=dilation)
    out, cache = grad.conv2d_forward(x, w, b, **kw)
    dout = _rng(7).normal(size=out.shape)
    dx, dw, db = grad.conv2d_backward(dout, cache)
    num = {
        "dx": gradcheck.numerical_gradient_array(lambda v: grad.conv2d_forward(v, w, b, **kw)[0],
                                                 x, dout),
        "dw": gradcheck.numerical_gradient_array(lambda v: grad.conv2d_forward(x, v, b, **kw)[0],
                                                 w, dout),
        "db": gradcheck.numerical_gradient_array(lambda v: grad.conv2d_forward(x, w, v, **kw)[0],
                                                 b, dout),
    }
    for name, ours in (("dx", dx), ("dw", dw), ("db", db)):
        assert gradcheck.relative_error(ours, num[name]) < REL, name


def test_conv2d_backward_float32_and_no_bias():
    x, w, _ = _conv_arrays(CONV_CASES[1], 0)
    out, cache = grad.conv2d_forward(x.astype(np.float32), w.astype(np.float32), strides=2,
                                     padding="same")
    dx, dw, db = grad.conv2d_backward(np.ones(out.shape, np.float32), cache)
    assert out.dtype == dx.dtype == dw.dtype == db.dtype == np.float32
    np.testing.assert_allclose(db, np.full(w.shape[3], out.shape[0] * out.shape[1]
                                           * out.shape[2]))


# ----------------------------------------------------------------------------- pooling
POOL_CASES = [  # (x shape, pool_size, strides, padding)
    ((2, 6, 6, 3), 2, None, "valid"),
    ((2, 7, 5, 2), 3, 2, "same"),       # padded windows at the bottom/right
    ((1, 6, 7, 2), (2, 3), 1, "valid"),  # overlapping windows
    ((2, 5, 5, 1), 2, 2, "same"),        # odd size: one padded row and column
    ((1, 7, 7, 2), 3, 2, "valid"),       # overlapping, stride 2
]


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_pool2d_backward_matches_tf_and_finite_differences(case, mode):
    shape, pool, strides, padding = case
    x = _rng(len(shape) + sum(shape)).normal(size=shape)
    ksize = pool
    step = pool if strides is None else strides
    tf_pool = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
    ref, dout, (dx_tf,) = _tape(lambda v: tf_pool(v, ksize, step, padding.upper()), x)
    out, cache = grad.pool2d_forward(x, pool, strides=strides, padding=padding, mode=mode)
    np.testing.assert_allclose(out, ref, atol=ATOL)
    dx = grad.pool2d_backward(dout, cache)
    assert dx.shape == x.shape and dx.dtype == np.float64
    np.testing.assert_allclose(dx, dx_tf, rtol=0, atol=ATOL)
    num = gradcheck.numerical_gradient_array(
        lambda v: grad.pool2d_forward(v, pool, strides=strides, padding=padding, mode=mode)[0],
        x, dout)
    assert gradcheck.relative_error(dx, num) < REL


@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_max_pool_ties_go_to_the_first_max_as_in_tf(case):
    """Inputs with many equal values (integers in -2..1): cnnlib gives a tied window's gradient
    to its first maximum in row-major order, none to the others; TF's CPU kernel does the same.
    (Max pooling has no derivative at a tie, so finite differences cannot judge this.)"""
    shape, pool, strides, padding = case
    x = _rng(sum(shape)).integers(-2, 2, size=shape).astype(np.float64)
    with tf.device("/CPU:0"):
        ref, dout, (dx_tf,) = _tape(lambda v: tf.nn.max_pool2d(
            v, pool, pool if strides is None else strides, padding.upper()), x)
    out, cache = grad.pool2d_forward(x, pool, strides=strides, padding=padding)
    np.testing.assert_array_equal(out, ref)
    dx = grad.pool2d_backward(dout, cache)
    np.testing.assert_allclose(dx, dx_tf, rtol=0, atol=ATOL)
    # the case really has ties: some window's maximum occurs more than once
    ph, pw = (pool, pool) if isinstance(pool, int) else pool
    sh, sw = (ph, pw) if strides is None else ((strides, strides) if isinstance(strides, int)
                                                else strides)
    (top, _), (left, _) = arithmetic.resolve_padding(shape[1:3], (ph, pw), padding, (sh, sw))
    xp = np.pad(x, ((0, 0), (top, ph), (left, pw), (0, 0)), constant_values=-np.inf)
    tied = [np.sum(xp[n, i * sh:i * sh + ph, j * sw:j * sw + pw, c] == out[n, i, j, c]) > 1
            for n, i, j, c in np.ndindex(out.shape)]
    assert sum(tied) >= 3


def test_max_pool_tie_by_hand():
    # one 2x2 window of equal values, one with a tie on its second row, one padded window
    x = np.array([[3., 3., 1., 2.], [3., 3., 2., 2.]])[None, :, :, None]
    out, cache = grad.pool2d_forward(x, 2)
    dx = grad.pool2d_backward(np.array([[[[10.], [20.]]]]), cache)
    np.testing.assert_array_equal(dx[0, :, :, 0], [[10., 0., 0., 20.], [0., 0., 0., 0.]])
    x = -np.ones((1, 3, 3, 1))  # "same" 2x2/2: the padded cells (bottom/right) never win
    out, cache = grad.pool2d_forward(x, 2, padding="same")
    dx = grad.pool2d_backward(np.arange(1., 5.).reshape(1, 2, 2, 1), cache)
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1., 0., 2.], [0., 0., 0.], [3., 0., 4.]])


def test_max_pool_routes_the_gradient_to_the_argmax():
    x = np.array([[1., 5., 2., 0.], [3., 4., 8., 1.], [0., 2., 1., 1.], [7., 1., 3., 9.]])
    out, cache = grad.pool2d_forward(x[None, :, :, None])
    assert out[0, :, :, 0].tolist() == [[5, 8], [7, 9]]
    dx = grad.pool2d_backward(np.array([[10., 20.], [30., 40.]])[None, :, :, None], cache)
    expected = np.zeros((4, 4))
    expected[0, 1], expected[1, 2], expected[3, 0], expected[3, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(dx[0, :, :, 0], expected)


def test_conv2d_forward_defaults_to_stride_1_valid():
    x, w = _rng(4).normal(size=(1, 6, 5, 2)), _rng(5).normal(size=(3, 3, 2, 1))
    out, cache = grad.conv2d_forward(x, w)
    assert out.shape == (1, 4, 3, 1)
    np.testing.assert_allclose(out[0, 0, 0, 0], np.sum(x[0, :3, :3] * w[..., 0]), atol=ATOL)


def test_max_pool_padding_never_wins_even_against_infinite_inputs():
    """A padded cell is not an input: it gets no gradient even when the window's maximum is
    +inf, -inf or 0. "same" 3x3/1 pooling of a 2x2 image pads every side, so each of the four
    windows holds the four pixels, and their first maximum in row-major order is pixel (0, 0):
    it gets the whole upstream gradient, 1 + 2 + 3 + 4 (TF's CPU kernel agrees)."""
    dout = np.arange(1.0, 5.0).reshape(1, 2, 2, 1)
    for first, rest in [(np.inf, 0.0), (0.0, -1.0), (-np.inf, -np.inf), (5.0, -np.inf)]:
        x = np.full((1, 2, 2, 1), rest)
        x[0, 0, 0, 0] = first
        out, cache = grad.pool2d_forward(x, 3, strides=1, padding="same")
        np.testing.assert_array_equal(out, np.full((1, 2, 2, 1), first))
        dx = grad.pool2d_backward(dout, cache)
        np.testing.assert_array_equal(dx[0, :, :, 0], [[10.0, 0.0], [0.0, 0.0]])
        with tf.device("/CPU:0"):
            _, _, (dx_tf,) = _tape(lambda v: tf.nn.max_pool2d(v, 3, 1, "SAME"), x)
        tf_dout = _rng(99).normal(size=(1, 2, 2, 1))
        np.testing.assert_allclose(grad.pool2d_backward(tf_dout, cache), dx_tf, rtol=0, atol=ATOL)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("padding", [(2, 0, 0, 1), (0, 1, 2, 0)], ids=str)
def test_pool2d_backward_with_explicit_asymmetric_padding(mode, padding):
    """Explicit (top, bottom, left, right) padding, more before than after on one axis."""
    x = _rng(7).normal(size=(2, 5, 6, 2))
    def forward(v):
        return grad.pool2d_forward(v, 3, strides=2, padding=padding, mode=mode)

    out, cache = forward(x)
    dout = _rng(8).normal(size=out.shape)
    dx = grad.pool2d_backward(dout, cache)
    assert dx.shape == x.shape
    num = gradcheck.numerical_gradient_array(lambda v: forward(v)[0], x, dout)
    assert gradcheck.relative_error(dx, num) < REL


def test_average_pool_backward_of_float32_is_float32_arithmetic():
    """float32 in, float32 arithmetic: each window's share dout / count is rounded to float32 and
    the shares are added in float32 (as a float32 loop over the windows does). Windows of 3 rows
    with stride 2 overlap in one row, so a pixel gets at most two shares and the order of the
    additions cannot matter; a float64 share rounded only once added would differ in some."""
    x = np.zeros((1, 41, 3, 2), np.float32)
    out, cache = grad.pool2d_forward(x, (3, 1), strides=(2, 1), mode="average")
    dout = _rng(5).normal(size=out.shape).astype(np.float32)
    dx = grad.pool2d_backward(dout, cache)
    expected = np.zeros(x.shape, np.float32)
    for i, j, c in np.ndindex(out.shape[1:]):
        for r in range(2 * i, 2 * i + 3):
            expected[0, r, j, c] = expected[0, r, j, c] + dout[0, i, j, c] / np.float32(3)
    assert out.shape == (1, 20, 3, 2) and dx.dtype == np.float32
    np.testing.assert_array_equal(dx, expected)


# ------------------------------------------------------------------- activations, dense, loss
@pytest.mark.parametrize("name, tf_fn", [("relu", tf.nn.relu), ("sigmoid", tf.sigmoid)])
def test_activations_match_tf_and_finite_differences(name, tf_fn):
    forward, backward = getattr(grad, f"{name}_forward"), getattr(grad, f"{name}_backward")
    x = _rng(5).normal(size=(3, 4, 5, 2)) * 3
    ref, dout, (dx_tf,) = _tape(tf_fn, x)
    out, cache = forward(x)
    np.testing.assert_allclose(out, ref, atol=ATOL)
    dx = backward(dout, cache)
    np.testing.assert_allclose(dx, dx_tf, rtol=0, atol=ATOL)
    num = gradcheck.numerical_gradient_array(lambda v: forward(v)[0], x, dout)
    assert gradcheck.relative_error(dx, num) < REL


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_relu_gradient_at_exact_zeros_is_zero_as_in_tf(dtype):
    """ReLU has no derivative at 0; cnnlib (and TF) pass no gradient there, nor at -0.0."""
    x = _rng(6).integers(-2, 3, size=(2, 5, 4, 3)).astype(dtype)  # about a fifth exact zeros
    x[0, 0, 0, 0], x[1, 0, 0, 0] = 0.0, -0.0
    ref, dout, (dx_tf,) = _tape(tf.nn.relu, x)
    out, cache = grad.relu_forward(x)
    np.testing.assert_array_equal(out, ref)
    dx = grad.relu_backward(dout, cache)
    assert dx.dtype == dtype and np.sum(x == 0) >= 20
    np.testing.assert_array_equal(dx, dx_tf)
    assert np.all(dx[x == 0] == 0) and np.all(dx_tf[x == 0] == 0)
    np.testing.assert_array_equal(dx[x > 0], dout[x > 0])


@pytest.mark.parametrize("x_shape", [(4, 6), (3, 3, 2, 2)], ids=str)
def test_dense_backward_matches_tf_and_finite_differences(x_shape):
    rng = _rng(11)
    x = rng.normal(size=x_shape)
    d = int(np.prod(x_shape[1:]))
    w, b = rng.normal(size=(d, 5)), rng.normal(size=5)
    ref, dout, grads_tf = _tape(lambda x_, w_, b_: tf.reshape(x_, (len(x), -1)) @ w_ + b_, x, w, b)
    out, cache = grad.dense_forward(x, w, b)
    np.testing.assert_allclose(out, ref, atol=ATOL)
    grads = grad.dense_backward(dout, cache)
    assert grads[0].shape == x.shape
    for ours, theirs in zip(grads, grads_tf):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL)
    for arg, ours in enumerate(grads):
        def f(v, arg=arg):
            args = [x, w, b]
            args[arg] = v
            return grad.dense_forward(*args)[0]
        num = gradcheck.numerical_gradient_array(f, (x, w, b)[arg], dout)
        assert gradcheck.relative_error(ours, num) < REL


def test_softmax_cross_entropy_matches_tf_and_finite_differences():
    rng = _rng(3)
    logits, y = rng.normal(size=(6, 4)) * 3, rng.integers(0, 4, size=6)
    var = tf.Variable(logits)
    with tf.GradientTape() as tape:
        ref = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, var))
    loss, dlogits = grad.softmax_cross_entropy(logits, y)
    assert abs(loss - float(ref)) < ATOL
    np.testing.assert_allclose(dlogits, tape.gradient(ref, var).numpy(), rtol=0, atol=ATOL)
    num = gradcheck.numerical_gradient(lambda v: grad.softmax_cross_entropy(v, y)[0], logits)
    assert gradcheck.relative_error(dlogits, num) < REL
    # huge logits: no overflow, loss still finite
    assert np.isfinite(grad.softmax_cross_entropy(logits * 1e4, y)[0])


# ----------------------------------------------------------------------------- gradcheck
def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    num = gradcheck.numerical_gradient(lambda v: np.sum(v ** 3), x)
    assert gradcheck.relative_error(num, 3 * x ** 2) < 1e-8
    assert x.tolist() == [[1.0, -2.0], [0.5, 3.0]]  # not modified


def test_relative_error_flags_a_wrong_gradient():
    x = _rng(1).normal(size=(1, 4, 4, 1))
    out, cache = grad.pool2d_forward(x, mode="average")
    dout = np.ones(out.shape)
    right = grad.pool2d_backward(dout, cache)
    wrong = right * 4  # forgot to divide by the window size
    num = gradcheck.numerical_gradient_array(
        lambda v: grad.pool2d_forward(v, mode="average")[0], x, dout)
    assert gradcheck.relative_error(right, num) < REL
    assert gradcheck.relative_error(wrong, num) > 0.5
    assert gradcheck.relative_error(num, num) == 0.0


# ----------------------------------------------------------------------------- bad input
def test_bad_input_is_reported_clearly():
    x, w = np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 4))
    out, cache = grad.conv2d_forward(x, w, strides=2)
    with pytest.raises(ValueError, match=r"dout must have the shape .* \(1, 2, 2, 4\)"):
        grad.conv2d_backward(np.ones((1, 3, 3, 4)), cache)
    with pytest.raises(TypeError, match=r"cache must be the second value returned by "
                                        r"conv2d_forward\(\), got tuple"):
        grad.conv2d_backward(np.ones(out.shape), (x, w))
    with pytest.raises(TypeError,
                       match=r"cache must be the second value returned by "
                             r"pool2d_forward\(\), got ConvCache"):
        grad.pool2d_backward(np.ones(out.shape), cache)
    with pytest.raises(ValueError, match="kernel has 2 input channels but the image has 3"):
        grad.conv2d_forward(np.ones((1, 5, 5, 3)), w)
    with pytest.raises(ValueError, match="mode must be one of 'max', 'average'"):
        grad.pool2d_forward(x, mode="l2")
    with pytest.raises(ValueError, match="w has 7 rows but each example of x has 50"):
        grad.dense_forward(x, np.ones((7, 3)))
    with pytest.raises(ValueError, match=r"b must have shape \(M,\) = \(3,\)"):
        grad.dense_forward(np.ones((2, 7)), np.ones((7, 3)), np.ones(4))
    with pytest.raises(TypeError, match="dout must hold numbers"):
        grad.relu_backward(np.array(["a"]), grad.relu_forward(np.ones(1))[1])
    with pytest.raises(ValueError, match=r"y must be class ids in 0\.\.2"):
        grad.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(TypeError, match="y must hold integer class ids"):
        grad.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"logits must be 2-D \(N, K\), got shape \(3,\)"):
        grad.softmax_cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(TypeError, match="f must return a single number"):
        gradcheck.numerical_gradient(lambda v: v, np.ones(3))
    with pytest.raises(ValueError, match=r"h must be a finite number > 0 and < 1, got 0\.0"):
        gradcheck.numerical_gradient(np.sum, np.ones(3), h=0)
    with pytest.raises(ValueError,
                       match=r"a and b must have the same shape, got \(2,\) and \(3,\)"):
        gradcheck.relative_error(np.ones(2), np.ones(3))


# ------------------------------------------------ dtypes and argument names (from mutation testing)
rng64 = np.random.default_rng(7)
X4 = rng64.normal(size=(2, 4, 4, 3))
LAYERS = {  # name -> (forward with its input arrays, output shape)
    "conv2d": lambda x: grad.conv2d_forward(x, rng64.normal(size=(3, 3, 3, 2)).astype(x.dtype)),
    "pool2d": lambda x: grad.pool2d_forward(x, mode="average"),
    "relu": grad.relu_forward,
    "sigmoid": grad.sigmoid_forward,
    "dense": lambda x: grad.dense_forward(x, rng64.normal(size=(48, 5)).astype(x.dtype),
                                          np.ones(5, x.dtype)),
}
BACKWARD = {"conv2d": grad.conv2d_backward, "pool2d": grad.pool2d_backward,
            "relu": grad.relu_backward, "sigmoid": grad.sigmoid_backward,
            "dense": grad.dense_backward}


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_and_backward_keep_a_float_dtype(name, dtype):
    out, cache = LAYERS[name](X4.astype(dtype))
    assert out.dtype == dtype
    # dout in the other precision is cast to the forward pass' dtype
    other = np.float64 if dtype == np.float32 else np.float32
    grads = BACKWARD[name](np.ones(out.shape, other), cache)
    for g in grads if isinstance(grads, tuple) else (grads,):
        assert g.dtype == dtype


def test_dense_promotes_mixed_and_integer_inputs_like_numpy():
    x32, w64 = np.ones((2, 3), np.float32), np.ones((3, 2))
    for x, w, expected in [(x32, w64, np.float64), (x32.astype(np.float64), w64.astype(
            np.float32), np.float64), (np.ones((2, 3), np.int8), w64.astype(np.float32),
                                       np.float32), (np.ones((2, 3), np.int8),
                                                     np.ones((3, 2), np.int8), np.float32)]:
        out, cache = grad.dense_forward(x, w)
        assert out.dtype == expected and np.array_equal(out, np.full((2, 2), 3.0))
        dx, dw, db = grad.dense_backward(np.ones((2, 2)), cache)
        assert dx.dtype == dw.dtype == db.dtype == expected
    for f in (grad.relu_forward, grad.sigmoid_forward):
        assert f(np.arange(3, dtype=np.int8))[0].dtype == np.float32
        assert f(np.arange(3, dtype=np.int64))[0].dtype == np.float64
        assert f(np.arange(3, dtype=np.float16))[0].dtype == np.float32
    assert grad.softmax_cross_entropy(np.zeros((2, 3), np.float32), [0, 1])[1].dtype == \
        np.float32


@pytest.mark.parametrize("name", LAYERS)
def test_backward_names_its_forward_in_errors(name):
    out, cache = LAYERS[name](X4)
    forward = f"{name}_forward"
    with pytest.raises(TypeError, match=rf"^cache must be the second value returned by "
                                        rf"{forward}\(\), got tuple$"):
        BACKWARD[name](np.ones(out.shape), tuple(cache))
    with pytest.raises(ValueError, match=rf"^dout must have the shape of the output of "
                                         rf"{forward}\(\), {re.escape(str(out.shape))}, got "
                                         rf"\(1,\)$"):
        BACKWARD[name](np.ones(1), cache)
    with pytest.raises(TypeError, match=r"^dout must hold numbers, got dtype <U1$"):
        BACKWARD[name](np.full(out.shape, "a"), cache)


@pytest.mark.parametrize("call,name", [
    (lambda v: grad.relu_forward(v), "x"),
    (lambda v: grad.sigmoid_forward(v), "x"),
    (lambda v: grad.dense_forward(v, np.ones((2, 1))), "x"),
    (lambda v: grad.dense_forward(np.ones((1, 2)), v), "w"),
    (lambda v: grad.dense_forward(np.ones((1, 2)), np.ones((2, 1)), v), "b"),
    (lambda v: grad.softmax_cross_entropy(v, [0]), "logits"),
])
def test_array_arguments_are_named_in_errors(call, name):
    with pytest.raises(TypeError, match=rf"^{name} must hold numbers, got dtype <U1$"):
        call(np.array(["a", "b"]))
    with pytest.raises(TypeError, match=rf"^{name} must hold numbers, got dtype bool$"):
        call(np.array([True, False]))
    with pytest.raises(TypeError, match=rf"^{name} must be an array.*inhomogeneous"):
        call([[1.0, 2.0], [1.0]])
    with pytest.raises(ValueError, match=rf"^{name} must not be empty, got shape \(0,\)$"):
        call(np.zeros(0))


def test_dense_shape_errors_are_exact():
    with pytest.raises(ValueError, match=r"^x must be \(N, D\) or \(N, d1, d2, \.\.\.\), got "
                                         r"shape \(3,\)$"):
        grad.dense_forward(np.ones(3), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"^w must be 2-D \(D, M\), got shape \(3,\)$"):
        grad.dense_forward(np.ones((1, 3)), np.ones(3))
    with pytest.raises(ValueError, match=r"^w has 7 rows but each example of x has 6 values "
                                         r"\(x: \(1, 2, 3\), w: \(7, 3\); w must be \(D, M\) "
                                         r"with D = the product of x.shape\[1:\]\)$"):
        grad.dense_forward(np.ones((1, 2, 3)), np.ones((7, 3)))
    with pytest.raises(ValueError, match=r"^b must have shape \(M,\) = \(3,\), got \(3, 1\)$"):
        grad.dense_forward(np.ones((2, 7)), np.ones((7, 3)), np.ones((3, 1)))


def test_softmax_label_shape_error_is_exact():
    with pytest.raises(ValueError, match=r"^y must have shape \(N,\) = \(2,\), got \(2, 1\)$"):
        grad.softmax_cross_entropy(np.zeros((2, 3)), np.zeros((2, 1), int))
