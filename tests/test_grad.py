"""cnnlib.grad against tf.GradientTape (float64, 1e-6) and against finite differences.

Every backward pass is checked twice: against TensorFlow's automatic differentiation of the
equivalent TF op, and against centred differences (cnnlib.gradcheck) with a relative error
below 1e-6. Shapes are drawn at random (seeded) and include stride 2, "same", explicit and
asymmetric padding, dilation, overlapping pooling windows and padded pooling.
"""

import numpy as np
import pytest

from cnnlib import grad, gradcheck

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
    dout = _rng(99).normal(size=out.shape)
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

    TF's CPU kernels refuse the gradient of a dilated convolution; a dense kernel with the
    zeros written out is the same convolution.
    """
    kh, kw = w.shape[0], w.shape[1]
    rows = np.eye(d * (kh - 1) + 1)[:, ::d]  # (kh_eff, kh): tap u lands on row u*d
    cols = np.eye(d * (kw - 1) + 1)[:, ::d]
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
    if padding == "full":
        tf_pad = _tf_padding((w.shape[0] - 1, w.shape[0] - 1, w.shape[1] - 1, w.shape[1] - 1))
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


def test_max_pool_routes_the_gradient_to_the_argmax():
    x = np.array([[1., 5., 2., 0.], [3., 4., 8., 1.], [0., 2., 1., 1.], [7., 1., 3., 9.]])
    out, cache = grad.pool2d_forward(x[None, :, :, None])
    assert out[0, :, :, 0].tolist() == [[5, 8], [7, 9]]
    dx = grad.pool2d_backward(np.array([[10., 20.], [30., 40.]])[None, :, :, None], cache)
    expected = np.zeros((4, 4))
    expected[0, 1], expected[1, 2], expected[3, 0], expected[3, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(dx[0, :, :, 0], expected)


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
    with pytest.raises(TypeError, match="cache must be the second value returned by "
                                        "conv2d_forward"):
        grad.conv2d_backward(np.ones(out.shape), (x, w))
    with pytest.raises(TypeError, match="pool2d_forward"):
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
    with pytest.raises(ValueError, match=r"logits must be 2-D"):
        grad.softmax_cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(TypeError, match="f must return a single number"):
        gradcheck.numerical_gradient(lambda v: v, np.ones(3))
    with pytest.raises(ValueError, match="h must be in"):
        gradcheck.numerical_gradient(np.sum, np.ones(3), h=0)
    with pytest.raises(ValueError, match="same shape"):
        gradcheck.relative_error(np.ones(2), np.ones(3))
