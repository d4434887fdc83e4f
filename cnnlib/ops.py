"""Convolution, padding and pooling written out in NumPy, NHWC like Keras.

Every function here is tested against TensorFlow (``tf.nn.conv2d``, ``tf.nn.pool``) in
``tests/test_ops.py``. Shapes follow Keras: images ``x`` are ``(N, H, W, C)`` and kernels ``w``
are ``(kh, kw, C_in, C_out)``. "Convolution" means cross-correlation (the kernel is not
flipped), as in every deep-learning library.

Padding names follow TensorFlow:

* ``"valid"``: no padding; the kernel only visits positions where it fits entirely.
* ``"same"``: output size ``ceil(H / stride)``; the padding needed for that is split with the
  smaller half at the top/left and the extra row/column at the bottom/right.
* ``"full"`` (convolution only): ``k_eff - 1`` zeros on every side, so every position where
  kernel and image overlap by at least one pixel is visited.
* an int ``p`` (``p`` zeros on all four sides), a pair ``(pad_h, pad_w)``, a 4-tuple
  ``(top, bottom, left, right)`` or ``((top, bottom), (left, right))``. Pooling takes "valid",
  "same" or explicit ints, each side smaller than the window.

The padding grammar and every output size come from :mod:`cnnlib.arithmetic`, so this module and
the formulas of chapter 3 cannot disagree. Chapters 2, 4, 5 and 6 use it, chapter 10 its
:func:`conv2d_transpose` (through :mod:`cnnlib.segmentation`).
"""

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnlib import _validate, arithmetic

POOL_MODES = ("max", "average", "min", "sum", "l2")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _float_dtype(*arrays):
    return np.result_type(*[a.dtype for a in arrays], np.float32)


def _kernel(w, layout="(kh, kw, C_in, C_out)"):
    return _validate.array("w", _validate.images("w", w, layout), dtype=None)


def _flat(pads) -> tuple:
    """((top, bottom), (left, right)) -> (top, bottom, left, right)."""
    return pads[0] + pads[1]


# ----------------------------------------------------------------------------- padding
def pad2d(x, padding, kernel_size=None, strides=1, dilation=1, value=0):
    """Pad the two spatial axes of a batch of images.

    Parameters
    ----------
    x : array (N, H, W, C)
    padding : int, (pad_h, pad_w), (top, bottom, left, right), "valid", "same" or "full".
        "same" and "full" depend on the kernel, so they need ``kernel_size`` (and for "same"
        ``strides``; ``dilation`` enlarges the kernel to ``dilation * (k - 1) + 1``).
    value : the constant written in the border (0: zero padding).

    Returns
    -------
    array (N, H + top + bottom, W + left + right, C), same dtype as x.
    """
    x = _validate.images("x", x)
    if isinstance(padding, str) and padding.lower() in ("same", "full") and kernel_size is None:
        raise ValueError(f"padding={padding!r} depends on the kernel: pass kernel_size "
                         "(and strides for 'same')")
    value = _validate.real("value", value, finite=False)
    pads = arithmetic.resolve_padding(x.shape[1:3], 1 if kernel_size is None else kernel_size,
                                      padding, strides, dilation)
    return np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=value)


# ----------------------------------------------------------------------------- convolution
class ConvSetup(NamedTuple):
    """What :func:`conv2d`, :func:`conv2d_loops` and :func:`cnnlib.grad.conv2d_backward` share.

    - ``xp``: the padded input (N, H + top + bottom, W + left + right, C_in), float
    - ``w``: the kernel (kh, kw, C_in, C_out) in the same float dtype; ``b``: (C_out,) or None
    - ``strides``, ``dilation``: (s_h, s_w), (d_h, d_w)
    - ``pads``: (top, bottom, left, right); ``out_hw``: (H_out, W_out)
    """

    xp: np.ndarray
    w: np.ndarray
    b: object
    strides: tuple
    dilation: tuple
    pads: tuple
    out_hw: tuple


def conv2d_setup(x, w, b=None, strides=1, padding="valid", dilation=1):
    """Check the arguments of a convolution and pad the input.

    Padding and output sizes come from :mod:`cnnlib.arithmetic` (``resolve_padding``,
    ``conv_output_size``).

    Parameters
    ----------
    x, w, b, strides, padding, dilation : as :func:`conv2d`

    Returns
    -------
    setup : ConvSetup, the padded input (N, Hp, Wp, C_in), the kernel (kh, kw, C_in, C_out) in
        the same float dtype, the bias, strides, dilation, pads and (H_out, W_out)
    """
    x = _validate.images("x", x)
    w = _kernel(w)
    kh, kw, c_in, c_out = w.shape
    if c_in != x.shape[3]:
        raise ValueError(f"kernel has {_plural(c_in, 'input channel')} but the image has "
                         f"{x.shape[3]} (x: {x.shape}, w: {w.shape}; w must be "
                         "(kh, kw, C_in, C_out) with C_in = x.shape[-1])")
    if b is not None:
        b = _validate.array("b", b, allow_empty=True)
        if b.shape != (c_out,):
            raise ValueError(f"b must have shape (C_out,) = ({c_out},), got {b.shape}")
    strides = _validate.per_axis("strides", strides, 2)
    dilation = _validate.per_axis("dilation", dilation, 2)
    pads = arithmetic.resolve_padding(x.shape[1:3], (kh, kw), padding, strides, dilation)
    out_hw = arithmetic.conv_output_size(x.shape[1:3], (kh, kw), pads, strides, dilation)
    dtype = _float_dtype(x, w) if b is None else _float_dtype(x, w, b)
    xp = np.pad(x.astype(dtype, copy=False), ((0, 0), *pads, (0, 0)))
    return ConvSetup(xp, w.astype(dtype, copy=False), b, strides, dilation, _flat(pads), out_hw)


def conv2d(x, w, b=None, strides=1, padding="valid", dilation=1):
    """2-D convolution (cross-correlation), vectorised with ``sliding_window_view`` (im2col).

    Parameters
    ----------
    x : array (N, H, W, C_in)
    w : array (kh, kw, C_in, C_out), like Keras ``Conv2D.kernel`` and ``tf.nn.conv2d``
    b : array (C_out,) or None
    strides : int or (s_h, s_w), >= 1
    padding : "valid", "same" (TensorFlow's rule), "full", int, (pad_h, pad_w) or
        (top, bottom, left, right)
    dilation : int or (d_h, d_w), >= 1; the kernel taps are ``dilation`` pixels apart

    Returns
    -------
    array (N, H_out, W_out, C_out) with
    ``H_out = (H + top + bottom - dilation * (kh - 1) - 1) // strides + 1`` (same for W),
    float32 unless an input is float64.
    """
    xp, w, b, (sh, sw), (dh, dw), _, (ho, wo) = conv2d_setup(x, w, b, strides, padding,
                                                             dilation)
    kh, kw, c_in, c_out = w.shape
    k_eff = arithmetic.effective_kernel_size((kh, kw), (dh, dw))
    # windows: (N, H', W', C_in, kh_eff, kw_eff) -> keep every stride-th window, dilation-th tap
    win = sliding_window_view(xp, k_eff, axis=(1, 2))[:, ::sh, ::sw, :, ::dh, ::dw][:, :ho, :wo]
    # im2col: one row per output pixel, columns ordered (kh, kw, C_in) like w
    cols = win.transpose(0, 1, 2, 4, 5, 3).reshape(-1, kh * kw * c_in)
    out = (cols @ w.reshape(kh * kw * c_in, c_out)).reshape(xp.shape[0], ho, wo, c_out)
    if b is not None:
        out = out + b
    return out


def conv2d_loops(x, w, b=None, strides=1, padding="valid", dilation=1):
    """The same convolution as :func:`conv2d`, written as plain loops (slow, readable).

    Each output value is one dot product between the kernel of one filter and the image patch
    under it: ``out[n, i, j, f] = sum_{u, v, c} xp[n, i*s + u*d, j*s + v*d, c] * w[u, v, c, f]
    + b[f]`` where ``xp`` is the padded image.

    Parameters
    ----------
    x, w, b, strides, padding, dilation : as :func:`conv2d`

    Returns
    -------
    out : (N, H_out, W_out, C_out), equal to ``conv2d``'s up to rounding
    """
    xp, w, b, (sh, sw), (dh, dw), _, (ho, wo) = conv2d_setup(x, w, b, strides, padding,
                                                             dilation)
    kh, kw, c_in, c_out = w.shape
    n_images = xp.shape[0]
    out = np.zeros((n_images, ho, wo, c_out), dtype=w.dtype)
    for n in range(n_images):
        for i in range(ho):
            for j in range(wo):
                top, left = i * sh, j * sw
                patch = xp[n, top:top + dh * (kh - 1) + 1:dh, left:left + dw * (kw - 1) + 1:dw, :]
                for f in range(c_out):
                    out[n, i, j, f] = np.sum(patch * w[:, :, :, f])
                    if b is not None:
                        out[n, i, j, f] += b[f]
    return out


# ----------------------------------------------------------------------------- pooling
class PoolSetup(NamedTuple):
    """What :func:`pool2d`, :func:`pool2d_loops` and :func:`cnnlib.grad.pool2d_backward` share.

    - ``x``: the input (N, H, W, C), float; ``mode``: lower-case pooling mode
    - ``pool_size``, ``strides``: (p_h, p_w), (s_h, s_w)
    - ``pads``: (top, bottom, left, right); ``out_hw``: (H_out, W_out)
    """

    x: np.ndarray
    mode: str
    pool_size: tuple
    strides: tuple
    pads: tuple
    out_hw: tuple


def pool2d_setup(x, pool_size=2, strides=None, padding="valid", mode="max"):
    """Check the arguments of a pooling and work out its sizes.

    Sizes come from :mod:`cnnlib.arithmetic` (``pool_padding``, ``pool_output_size``).

    Parameters
    ----------
    x, pool_size, strides, padding, mode : as :func:`pool2d`

    Returns
    -------
    setup : PoolSetup, the float input (N, H, W, C), the lower-case mode, pool size, strides,
        pads and (H_out, W_out)
    """
    x = _validate.images("x", x)
    mode = _validate.one_of("mode", mode.lower() if isinstance(mode, str) else mode, POOL_MODES)
    pool_size = _validate.per_axis("pool_size", pool_size, 2)
    strides = pool_size if strides is None else _validate.per_axis("strides", strides, 2)
    pads = arithmetic.pool_padding(x.shape[1:3], pool_size, padding, strides)
    out_hw = arithmetic.pool_output_size(x.shape[1:3], pool_size, strides, pads)
    x = x.astype(_float_dtype(x), copy=False)
    return PoolSetup(x, mode, pool_size, strides, _flat(pads), out_hw)


# border value that a padded cell takes so that it never changes the result
_NEUTRAL = {"max": -np.inf, "min": np.inf, "sum": 0.0, "average": 0.0, "l2": 0.0}


def pool2d(x, pool_size=2, strides=None, padding="valid", mode="max"):
    """2-D pooling of each channel separately.

    Parameters
    ----------
    x : array (N, H, W, C)
    pool_size : int or (p_h, p_w)
    strides : int, (s_h, s_w) or None (None: equal to pool_size, non-overlapping windows)
    padding : "valid", "same" (TensorFlow's rule) or explicit ints as in :func:`conv2d`, each
        side smaller than the window. Padded cells are ignored, as in ``tf.nn.pool``: they
        never win a max/min and do not count in an average.
    mode : "max", "average", "min", "sum" or "l2" (square root of the sum of squares)

    Returns
    -------
    array (N, H_out, W_out, C), float32 unless x is float64;
    ``H_out = (H - p_h) // s_h + 1`` for "valid", ``ceil(H / s_h)`` for "same".
    """
    x, mode, (ph, pw), (sh, sw), pads, (ho, wo) = pool2d_setup(x, pool_size, strides, padding,
                                                               mode)
    spec = ((0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (0, 0))
    src = x * x if mode == "l2" else x
    xp = np.pad(src, spec, constant_values=_NEUTRAL[mode])
    # windows: (N, H_out, W_out, C, p_h, p_w)
    win = sliding_window_view(xp, (ph, pw), axis=(1, 2))[:, ::sh, ::sw][:, :ho, :wo]
    if mode == "max":
        return win.max(axis=(-2, -1))
    if mode == "min":
        return win.min(axis=(-2, -1))
    total = win.sum(axis=(-2, -1))
    if mode == "sum":
        return total
    if mode == "l2":
        return np.sqrt(total)
    # average over the real (unpadded) cells of each window only
    ones = np.pad(np.ones((1,) + x.shape[1:3] + (1,), dtype=x.dtype), spec)
    count = sliding_window_view(ones, (ph, pw), axis=(1, 2))[:, ::sh, ::sw][:, :ho, :wo]
    return total / count.sum(axis=(-2, -1))


def pool2d_loops(x, pool_size=2, strides=None, padding="valid", mode="max"):
    """The same pooling as :func:`pool2d`, written as plain loops (slow, readable).

    Parameters
    ----------
    x, pool_size, strides, padding, mode : as :func:`pool2d`

    Returns
    -------
    out : (N, H_out, W_out, C), equal to ``pool2d``'s up to rounding
    """
    x, mode, (ph, pw), (sh, sw), pads, (ho, wo) = pool2d_setup(x, pool_size, strides, padding,
                                                               mode)
    reduce = {"max": np.max, "min": np.min, "sum": np.sum, "average": np.mean,
              "l2": lambda v: np.sqrt(np.sum(v * v))}[mode]
    n_images, height, width, channels = x.shape
    out = np.zeros((n_images, ho, wo, channels), dtype=x.dtype)
    for n in range(n_images):
        for i in range(ho):
            for j in range(wo):
                # window in padded coordinates, clipped to the real image: padded cells ignored
                top, left = i * sh - pads[0], j * sw - pads[2]
                rows = slice(max(top, 0), min(top + ph, height))
                cols = slice(max(left, 0), min(left + pw, width))
                for c in range(channels):
                    out[n, i, j, c] = reduce(x[n, rows, cols, c])
    return out


# ----------------------------------------------------------------------------- transposed
def conv2d_transpose(x, w, strides=1, padding="valid", dilation=1):
    """Transposed convolution ("deconvolution"): every input pixel stamps the kernel.

    ``full[n, i*s + u*d, j*s + v*d, o] += x[n, i, j, c] * w[u, v, o, c]``; "valid" keeps the
    whole ``s (H - 1) + k_eff`` canvas (plus ``max(s - k_eff, 0)`` zero rows, as Keras), "same"
    crops it to ``H * s`` the way TensorFlow does. It is the gradient of :func:`conv2d` with
    respect to its input (:func:`cnnlib.grad.conv2d_backward` uses it), and equals
    ``tf.nn.conv2d_transpose`` / ``keras.layers.Conv2DTranspose``.

    Parameters
    ----------
    x : array (N, H, W, C_in)
    w : array (kh, kw, C_out, C_in), the layout of ``tf.nn.conv2d_transpose`` and
        ``Conv2DTranspose.kernel`` (output channels before input channels)
    strides : int or (s_h, s_w), >= 1
    padding : "valid" or "same"
    dilation : int or (d_h, d_w), >= 1

    Returns
    -------
    array (N, H_out, W_out, C_out), float32 unless an input is float64; sizes from
    :func:`cnnlib.arithmetic.conv_transpose_output_size`.
    """
    x = _validate.images("x", x, "(N, H, W, C_in)")
    w = _kernel(w, "(kh, kw, C_out, C_in)")
    if w.shape[3] != x.shape[3]:
        raise ValueError(f"w has {_plural(w.shape[3], 'input channel')} (last axis) but x has "
                         f"{x.shape[3]}; w must be (kh, kw, C_out, C_in) with C_in = "
                         "x.shape[-1]")
    sh, sw = _validate.per_axis("strides", strides, 2)
    dh, dw = _validate.per_axis("dilation", dilation, 2)
    padding = _validate.one_of("padding", padding, ("valid", "same"))
    n, h, wd, _ = x.shape
    kh, kw, c_out, _ = w.shape
    eh, ew = arithmetic.effective_kernel_size((kh, kw), (dh, dw))
    dtype = _float_dtype(x, w)
    full = np.zeros((n, sh * (h - 1) + max(eh, sh), sw * (wd - 1) + max(ew, sw), c_out), dtype)
    for u in range(kh):
        for v in range(kw):
            full[:, u * dh:u * dh + sh * (h - 1) + 1:sh,
                 v * dw:v * dw + sw * (wd - 1) + 1:sw] += x @ w[u, v].T
    if padding == "valid":
        return full
    (top, _), (left, _) = arithmetic.same_padding((h * sh, wd * sw), (kh, kw), (sh, sw),
                                                  (dh, dw))
    return full[:, top:top + h * sh, left:left + wd * sw]

