"""Backward passes of the layers of a small CNN, in NumPy, NHWC like Keras.

Each layer is a pair in the style of Stanford CS231n's assignments: ``*_forward(...)`` returns
``(out, cache)`` and ``*_backward(dout, cache)`` returns the gradients of the loss with respect
to the layer's inputs, given ``dout``, the gradient of the loss with respect to ``out`` (the
"upstream" gradient, same shape as ``out``). The cache holds what the backward pass needs from
the forward pass. :func:`softmax_cross_entropy` is the loss at the end of the chain: it returns
the loss and its gradient with respect to the logits directly.

The forward passes are :mod:`cnnlib.ops` (convolution = cross-correlation, kernels
``(kh, kw, C_in, C_out)``, TensorFlow's padding rules). Every backward pass is tested against
``tf.GradientTape`` and against finite differences (:mod:`cnnlib.gradcheck`) in
``tests/test_grad.py``. Gradients are computed in float32 unless an input is float64.

Chapters 6 and 10 use it.

"""

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnlib import _validate, arithmetic, ops

BACKWARD_POOL_MODES = ("max", "average")


class ConvCache(NamedTuple):
    """What :func:`conv2d_backward` needs: the inputs and settings of the forward pass."""

    x: np.ndarray
    w: np.ndarray
    strides: object
    padding: object
    dilation: object
    out_shape: tuple


class PoolCache(NamedTuple):
    """What :func:`pool2d_backward` needs: the input and settings of the forward pass."""

    x: np.ndarray
    pool_size: object
    strides: object
    padding: object
    mode: str
    out: np.ndarray


class DenseCache(NamedTuple):
    """What :func:`dense_backward` needs: the input (unflattened) and the weights."""

    x: np.ndarray
    w: np.ndarray


class ReluCache(NamedTuple):
    """What :func:`relu_backward` needs: the input of the ReLU."""

    x: np.ndarray


class SigmoidCache(NamedTuple):
    """What :func:`sigmoid_backward` needs: the output of the sigmoid."""

    out: np.ndarray


# ----------------------------------------------------------------------------- validation
def _float(*arrays):
    return np.result_type(*[a.dtype for a in arrays], np.float32)


def _check_cache(cache, kind, forward: str):
    if not isinstance(cache, kind):
        raise TypeError(f"cache must be the second value returned by {forward}(), "
                        f"got {type(cache).__name__}")


def _upstream(dout, shape, dtype, forward: str) -> np.ndarray:
    """dout as an array of the forward output's shape, in the computation's float dtype."""
    dout = _validate.array("dout", dout)
    if dout.shape != tuple(shape):
        raise ValueError(f"dout must have the shape of the output of {forward}(), "
                         f"{tuple(shape)}, got {dout.shape}")
    return dout.astype(dtype, copy=False)


# ----------------------------------------------------------------------------- convolution
def conv2d_forward(x, w, b=None, strides=1, padding="valid", dilation=1):
    """Convolution (:func:`cnnlib.ops.conv2d`) that also returns a cache for the backward pass.

    Parameters
    ----------
    x : array (N, H, W, C_in)
    w : array (kh, kw, C_in, C_out)
    b : array (C_out,) or None
    strides, padding, dilation : as :func:`cnnlib.ops.conv2d`

    Returns
    -------
    out : array (N, H_out, W_out, C_out)
    cache : ConvCache, for :func:`conv2d_backward`
    """
    out = ops.conv2d(x, w, b, strides=strides, padding=padding, dilation=dilation)
    return out, ConvCache(np.asarray(x), np.asarray(w), strides, padding, dilation, out.shape)


def conv2d_backward(dout, cache):
    """Gradients of a convolution with respect to its input, kernel and bias.

    With ``xp`` the padded input, ``s`` the stride and ``d`` the dilation, the forward pass is
    ``out[n, i, j, f] = sum_{u, v, c} xp[n, i*s + u*d, j*s + v*d, c] * w[u, v, c, f] + b[f]``,
    so

    * ``dw[u, v, c, f] = sum_{n, i, j} xp[n, i*s + u*d, j*s + v*d, c] * dout[n, i, j, f]``:
      the cross-correlation of the input with the upstream gradient;
    * ``dx``: every output pixel sends ``dout[n, i, j, f] * w[u, v, c, f]`` back to the input
      pixel that was multiplied by ``w[u, v, c, f]`` (a transposed convolution); what lands
      in the padding is dropped;
    * ``db[f] = sum_{n, i, j} dout[n, i, j, f]``.

    Parameters
    ----------
    dout : array (N, H_out, W_out, C_out), gradient of the loss with respect to the output
    cache : ConvCache from :func:`conv2d_forward`

    Returns
    -------
    dx : array (N, H, W, C_in)
    dw : array (kh, kw, C_in, C_out)
    db : array (C_out,) (what a bias would receive, also when the forward pass had none)
    """
    _check_cache(cache, ConvCache, "conv2d_forward")
    x, w, strides, padding, dilation, out_shape = cache
    xp, w, _, (sh, sw), (dh, dw_), (top, _, left, _), (ho, wo) = ops.conv2d_setup(
        x, w, None, strides, padding, dilation)
    n_images, height, width, c_in = x.shape
    kh, kw, _, c_out = w.shape
    k_eff = arithmetic.effective_kernel_size((kh, kw), (dh, dw_))
    dtype = _float(xp, w)
    dout = _upstream(dout, out_shape, dtype, "conv2d_forward")
    xp, w = xp.astype(dtype, copy=False), w.astype(dtype, copy=False)

    # dw: the same windows (im2col) as the forward pass, multiplied by dout instead of w
    win = sliding_window_view(xp, k_eff, axis=(1, 2))[:, ::sh, ::sw, :, ::dh, ::dw_][:, :ho, :wo]
    cols = win.transpose(0, 1, 2, 4, 5, 3).reshape(-1, kh * kw * c_in)
    dout_rows = dout.reshape(-1, c_out)
    dw = (cols.T @ dout_rows).reshape(kh, kw, c_in, c_out)
    db = dout_rows.sum(axis=0)

    # dx: each output pixel sends dout back through the kernel taps it used: a transposed
    # convolution of dout with w (its (kh, kw, C_in, C_out) is the transpose layout), cropped
    stamped = ops.conv2d_transpose(dout, w, (sh, sw), "valid", (dh, dw_))
    dxp = np.zeros_like(xp)
    rows, cols_ = min(stamped.shape[1], xp.shape[1]), min(stamped.shape[2], xp.shape[2])
    dxp[:, :rows, :cols_] = stamped[:, :rows, :cols_]
    dx = dxp[:, top:top + height, left:left + width, :]
    return dx, dw, db


# ----------------------------------------------------------------------------- pooling
def pool2d_forward(x, pool_size=2, strides=None, padding="valid", mode="max"):
    """Max or average pooling (:func:`cnnlib.ops.pool2d`) that also returns a cache.

    Parameters
    ----------
    x : array (N, H, W, C)
    pool_size, strides, padding : as :func:`cnnlib.ops.pool2d`
    mode : "max" or "average"

    Returns
    -------
    out : array (N, H_out, W_out, C)
    cache : PoolCache, for :func:`pool2d_backward`
    """
    if not isinstance(mode, str) or mode.lower() not in BACKWARD_POOL_MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, BACKWARD_POOL_MODES))} "
                         f"(the modes with a backward pass here), got {mode!r}")
    out = ops.pool2d(x, pool_size, strides=strides, padding=padding, mode=mode.lower())
    return out, PoolCache(np.asarray(x), pool_size, strides, padding, mode.lower(), out)


def pool2d_backward(dout, cache):
    """Gradient of max or average pooling with respect to its input.

    * max: each window passes its upstream gradient to the one input that won the max (the
      first one, in row-major order, if several tie); every other input of the window gets 0.
    * average: each window shares its upstream gradient equally among the input pixels it
      averaged (padded cells are not counted, as in the forward pass).

    Overlapping windows (stride < pool size) add up their contributions.

    Parameters
    ----------
    dout : array (N, H_out, W_out, C), gradient of the loss with respect to the output
    cache : PoolCache from :func:`pool2d_forward`

    Returns
    -------
    dx : array (N, H, W, C)
    """
    _check_cache(cache, PoolCache, "pool2d_forward")
    x, mode, (ph, pw), (sh, sw), pads, (ho, wo) = ops.pool2d_setup(
        cache.x, cache.pool_size, cache.strides, cache.padding, cache.mode)
    n_images, height, width, channels = x.shape
    dout = _upstream(dout, cache.out.shape, x.dtype, "pool2d_forward")
    spec = ((0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (0, 0))
    dxp = np.zeros((n_images, height + pads[0] + pads[1], width + pads[2] + pads[3], channels),
                   dtype=x.dtype)
    if mode == "max":
        xp = np.pad(x, spec, constant_values=np.nan)  # NaN equals nothing: padding never wins
        winner_found = np.zeros(dout.shape, dtype=bool)
    else:
        ones = np.pad(np.ones((1, height, width, 1), dtype=x.dtype), spec)
        count = sliding_window_view(ones, (ph, pw), axis=(1, 2))[:, ::sh, ::sw][:, :ho, :wo]
        share = dout / count.sum(axis=(-2, -1))
    # visit the window cells in row-major order: cell (u, v) of every window at once
    for u in range(ph):
        for v in range(pw):
            rows = slice(u, u + sh * (ho - 1) + 1, sh)
            cols = slice(v, v + sw * (wo - 1) + 1, sw)
            if mode == "max":
                wins = (xp[:, rows, cols, :] == cache.out) & ~winner_found  # first max only
                dxp[:, rows, cols, :] += np.where(wins, dout, 0)
                winner_found |= wins
            else:
                dxp[:, rows, cols, :] += share  # padded cells get some too, and are cut off
    return dxp[:, pads[0]:pads[0] + height, pads[2]:pads[2] + width, :]


# ----------------------------------------------------------------------------- activations
def relu_forward(x):
    """ReLU, ``max(x, 0)``, with a cache.

    Parameters
    ----------
    x : array of any shape

    Returns
    -------
    out : array like x (float)
    cache : ReluCache, for :func:`relu_backward`
    """
    x = _validate.array("x", x)
    x = x.astype(_float(x), copy=False)
    return np.maximum(x, 0), ReluCache(x)


def relu_backward(dout, cache):
    """Gradient of ReLU: ``dout`` where the input was positive, 0 elsewhere (also at 0).

    Parameters
    ----------
    dout : array, shape of x
    cache : ReluCache from :func:`relu_forward`

    Returns
    -------
    dx : array like x
    """
    _check_cache(cache, ReluCache, "relu_forward")
    dout = _upstream(dout, cache.x.shape, cache.x.dtype, "relu_forward")
    return np.where(cache.x > 0, dout, 0).astype(cache.x.dtype, copy=False)


def sigmoid_forward(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))`` (computed without overflow), with a cache.

    Parameters
    ----------
    x : array of any shape

    Returns
    -------
    out : array like x (float), values in (0, 1)
    cache : SigmoidCache, for :func:`sigmoid_backward`
    """
    x = _validate.array("x", x)
    x = x.astype(_float(x), copy=False)
    out = np.exp(-np.logaddexp(0, -x))
    return out, SigmoidCache(out)


def sigmoid_backward(dout, cache):
    """Gradient of the sigmoid: ``dout * s * (1 - s)``, at most ``dout / 4``.

    Parameters
    ----------
    dout : array, shape of x
    cache : SigmoidCache from :func:`sigmoid_forward`

    Returns
    -------
    dx : array like x
    """
    _check_cache(cache, SigmoidCache, "sigmoid_forward")
    s = cache.out
    return _upstream(dout, s.shape, s.dtype, "sigmoid_forward") * s * (1 - s)


# ----------------------------------------------------------------------------- dense
def dense_forward(x, w, b=None):
    """Fully connected layer ``x @ w + b``; images are flattened first (like Keras' Flatten).

    Parameters
    ----------
    x : array (N, D) or (N, d1, d2, ...) with d1 * d2 * ... = D
    w : array (D, M), like Keras ``Dense.kernel``
    b : array (M,) or None

    Returns
    -------
    out : array (N, M)
    cache : DenseCache, for :func:`dense_backward`
    """
    x, w = _validate.array("x", x), _validate.array("w", w)
    if x.ndim < 2:
        raise ValueError(f"x must be (N, D) or (N, d1, d2, ...), got shape {x.shape}")
    if w.ndim != 2:
        raise ValueError(f"w must be 2-D (D, M), got shape {w.shape}")
    n_features = int(np.prod(x.shape[1:]))
    if w.shape[0] != n_features:
        raise ValueError(f"w has {w.shape[0]} rows but each example of x has {n_features} "
                         f"values (x: {x.shape}, w: {w.shape}; w must be (D, M) with "
                         "D = the product of x.shape[1:])")
    dtype = _float(x, w)
    out = x.reshape(len(x), -1).astype(dtype, copy=False) @ w.astype(dtype, copy=False)
    if b is not None:
        b = _validate.array("b", b)
        if b.shape != (w.shape[1],):
            raise ValueError(f"b must have shape (M,) = ({w.shape[1]},), got {b.shape}")
        out = out + b
    return out, DenseCache(x, w)


def dense_backward(dout, cache):
    """Gradients of ``x @ w + b``: ``dx = dout @ w.T``, ``dw = x.T @ dout``, ``db = sum(dout)``.

    Parameters
    ----------
    dout : array (N, M)
    cache : DenseCache from :func:`dense_forward`

    Returns
    -------
    dx : array shaped like the x given to the forward pass
    dw : array (D, M)
    db : array (M,)
    """
    _check_cache(cache, DenseCache, "dense_forward")
    x, w = cache
    dtype = _float(x, w)
    dout = _upstream(dout, (len(x), w.shape[1]), dtype, "dense_forward")
    x2 = x.reshape(len(x), -1).astype(dtype, copy=False)
    dx = (dout @ w.astype(dtype, copy=False).T).reshape(x.shape)
    return dx, x2.T @ dout, dout.sum(axis=0)


# ----------------------------------------------------------------------------- loss
def softmax_cross_entropy(logits, y):
    """Mean softmax cross-entropy loss and its gradient with respect to the logits.

    ``loss = mean_n(-log softmax(logits[n])[y[n]])`` and
    ``dlogits = (softmax(logits) - one_hot(y)) / N``, like Keras'
    ``SparseCategoricalCrossentropy(from_logits=True)``.

    Parameters
    ----------
    logits : array (N, K), unnormalised class scores
    y : int array (N,), class ids in 0..K-1

    Returns
    -------
    loss : float
    dlogits : array (N, K)
    """
    logits = _validate.array("logits", logits)
    if logits.ndim != 2:
        raise ValueError(f"logits must be 2-D (N, K), got shape {logits.shape}")
    y = np.asarray(y)
    if y.dtype == bool or not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must hold integer class ids, got dtype {y.dtype}")
    if y.shape != (len(logits),):
        raise ValueError(f"y must have shape (N,) = ({len(logits)},), got {y.shape}")
    n_classes = logits.shape[1]
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"y must be class ids in 0..{n_classes - 1} (logits has {n_classes} "
                         f"columns), got values from {y.min()} to {y.max()}")
    z = logits.astype(_float(logits), copy=False)
    z = z - z.max(axis=1, keepdims=True)  # same softmax, no overflow
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    rows = np.arange(len(z))
    loss = float(-log_p[rows, y].mean())
    dlogits = np.exp(log_p)
    dlogits[rows, y] -= 1
    return loss, dlogits / len(z)
