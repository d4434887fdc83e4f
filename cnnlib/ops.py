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
* an int ``p`` (``p`` zeros on all four sides), a pair ``(pad_h, pad_w)`` or a 4-tuple
  ``(top, bottom, left, right)`` (convolution and :func:`pad2d` only).
"""

import math
import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

POOL_MODES = ("max", "average", "min", "sum", "l2")
CONV_PADDINGS = ("valid", "same", "full")
POOL_PADDINGS = ("valid", "same")


# ----------------------------------------------------------------------------- validation
def _int_ge(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _pair(name: str, value, minimum: int = 1) -> tuple:
    """An int or a (height, width) pair of ints >= minimum, as a pair."""
    if isinstance(value, (tuple, list, np.ndarray)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}")
        return _int_ge(name, value[0], minimum), _int_ge(name, value[1], minimum)
    v = _int_ge(name, value, minimum)
    return v, v


def _images(x, name: str = "x") -> np.ndarray:
    """x as a 4-D numeric array (N, H, W, C), with a helpful error otherwise."""
    if not isinstance(x, np.ndarray):
        try:
            x = np.asarray(x)
        except (ValueError, TypeError) as err:  # ragged nested lists
            raise TypeError(f"{name} must be an array of shape (N, H, W, C): {err}") from None
    if x.dtype == bool:
        x = x.astype(np.uint8)
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"{name} must hold numbers, got dtype {x.dtype}")
    if x.ndim != 4:
        hint = ""
        if x.ndim == 2:
            hint = " (one grey image (H, W)? use x[None, :, :, None])"
        elif x.ndim == 3:
            hint = " (one image (H, W, C)? use x[None])"
        raise ValueError(f"{name} must be 4-D (N, H, W, C), got shape {x.shape}{hint}")
    if min(x.shape) == 0:
        raise ValueError(f"{name} must not have an empty axis, got shape {x.shape}")
    return x


def _kernel(w) -> np.ndarray:
    w = np.asarray(w)
    if not (np.issubdtype(w.dtype, np.integer) or np.issubdtype(w.dtype, np.floating)
            or w.dtype == bool):
        raise TypeError(f"w must hold numbers, got dtype {w.dtype}")
    if w.ndim != 4:
        hint = " (one 2-D kernel (kh, kw)? use w[:, :, None, None])" if w.ndim == 2 else ""
        raise ValueError(f"w must be 4-D (kh, kw, C_in, C_out), got shape {w.shape}{hint}")
    if min(w.shape) == 0:
        raise ValueError(f"w must not have an empty axis, got shape {w.shape}")
    return w


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _same_amounts(size: int, k_eff: int, stride: int) -> tuple:
    """TensorFlow's "same" rule along one axis: (before, after)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + k_eff - size, 0)
    return total // 2, total - total // 2


def _padding_amounts(padding, in_hw, k_eff, strides, allowed=CONV_PADDINGS) -> tuple:
    """(top, bottom, left, right) for a padding spec; k_eff: effective kernel size (h, w)."""
    if isinstance(padding, str):
        name = padding.lower()
        if name not in allowed:
            raise ValueError(f"unknown padding {padding!r}; allowed: "
                             + ", ".join(repr(a) for a in allowed)
                             + ("" if allowed == POOL_PADDINGS else
                                ", an int, (pad_h, pad_w) or (top, bottom, left, right)"))
        if name == "valid":
            return 0, 0, 0, 0
        if name == "same":
            top, bottom = _same_amounts(in_hw[0], k_eff[0], strides[0])
            left, right = _same_amounts(in_hw[1], k_eff[1], strides[1])
            return top, bottom, left, right
        return k_eff[0] - 1, k_eff[0] - 1, k_eff[1] - 1, k_eff[1] - 1  # full
    if allowed == POOL_PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same' for pooling, got {padding!r}")
    return _explicit_padding(padding)


def _explicit_padding(padding) -> tuple:
    if isinstance(padding, (tuple, list)):
        if len(padding) == 2:
            ph, pw = (_int_ge("padding", p, 0) for p in padding)
            return ph, ph, pw, pw
        if len(padding) == 4:
            return tuple(_int_ge("padding", p, 0) for p in padding)
        raise ValueError("padding must be an int, (pad_h, pad_w) or (top, bottom, left, right), "
                         f"got {padding!r}")
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        p = _int_ge("padding", padding, 0)
        return p, p, p, p
    raise TypeError("padding must be 'valid', 'same', 'full', an int, (pad_h, pad_w) or "
                    f"(top, bottom, left, right), got {padding!r}")


def _check_fits(what: str, k_eff, padded_hw, padding) -> None:
    if k_eff[0] > padded_hw[0] or k_eff[1] > padded_hw[1]:
        note = " including dilation" if what == "kernel" else ""
        raise ValueError(
            f"{what} ({k_eff[0]}x{k_eff[1]}{note}) is larger than the padded input "
            f"({padded_hw[0]}x{padded_hw[1]} with padding {padding!r}); use a smaller {what}, "
            "more padding or a larger image")


def _float_dtype(*arrays):
    return np.result_type(*[a.dtype for a in arrays], np.float32)


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
    x = _images(x)
    if isinstance(padding, str) and padding.lower() in ("same", "full") and kernel_size is None:
        raise ValueError(f"padding={padding!r} depends on the kernel: pass kernel_size "
                         "(and strides for 'same')")
    if kernel_size is None:
        kernel_size = 1
    kh, kw = _pair("kernel_size", kernel_size)
    sh, sw = _pair("strides", strides)
    dh, dw = _pair("dilation", dilation)
    k_eff = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    top, bottom, left, right = _padding_amounts(padding, x.shape[1:3], k_eff, (sh, sw))
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


# ----------------------------------------------------------------------------- convolution
def _conv_setup(x, w, b, strides, padding, dilation):
    x = _images(x)
    w = _kernel(w)
    kh, kw, c_in, c_out = w.shape
    if c_in != x.shape[3]:
        raise ValueError(f"kernel has {_plural(c_in, 'input channel')} but the image has "
                         f"{x.shape[3]} (x: {x.shape}, w: {w.shape}; w must be "
                         "(kh, kw, C_in, C_out) with C_in = x.shape[-1])")
    if b is not None:
        b = np.asarray(b)
        if b.shape != (c_out,):
            raise ValueError(f"b must have shape (C_out,) = ({c_out},), got {b.shape}")
    sh, sw = _pair("strides", strides)
    dh, dw = _pair("dilation", dilation)
    k_eff = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    pads = _padding_amounts(padding, x.shape[1:3], k_eff, (sh, sw))
    padded = (x.shape[1] + pads[0] + pads[1], x.shape[2] + pads[2] + pads[3])
    _check_fits("kernel", k_eff, padded, padding)
    dtype = _float_dtype(x, w) if b is None else _float_dtype(x, w, b)
    xp = np.pad(x.astype(dtype, copy=False),
                ((0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (0, 0)))
    out_hw = ((padded[0] - k_eff[0]) // sh + 1, (padded[1] - k_eff[1]) // sw + 1)
    return xp, w.astype(dtype, copy=False), b, (sh, sw), (dh, dw), out_hw


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
    xp, w, b, (sh, sw), (dh, dw), (ho, wo) = _conv_setup(x, w, b, strides, padding, dilation)
    kh, kw, c_in, c_out = w.shape
    k_eff = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
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
    + b[f]`` where ``xp`` is the padded image. Shapes and arguments as :func:`conv2d`.
    """
    xp, w, b, (sh, sw), (dh, dw), (ho, wo) = _conv_setup(x, w, b, strides, padding, dilation)
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
def _pool_setup(x, pool_size, strides, padding, mode):
    x = _images(x)
    if not isinstance(mode, str) or mode.lower() not in POOL_MODES:
        raise ValueError(f"unknown mode {mode!r}; allowed: " + ", ".join(map(repr, POOL_MODES)))
    ph, pw = _pair("pool_size", pool_size)
    sh, sw = (ph, pw) if strides is None else _pair("strides", strides)
    pads = _padding_amounts(padding, x.shape[1:3], (ph, pw), (sh, sw), allowed=POOL_PADDINGS)
    padded = (x.shape[1] + pads[0] + pads[1], x.shape[2] + pads[2] + pads[3])
    _check_fits("pool window", (ph, pw), padded, padding)
    out_hw = ((padded[0] - ph) // sh + 1, (padded[1] - pw) // sw + 1)
    x = x.astype(_float_dtype(x), copy=False)
    return x, mode.lower(), (ph, pw), (sh, sw), pads, out_hw


# border value that a padded cell takes so that it never changes the result
_NEUTRAL = {"max": -np.inf, "min": np.inf, "sum": 0.0, "average": 0.0, "l2": 0.0}


def pool2d(x, pool_size=2, strides=None, padding="valid", mode="max"):
    """2-D pooling of each channel separately.

    Parameters
    ----------
    x : array (N, H, W, C)
    pool_size : int or (p_h, p_w)
    strides : int, (s_h, s_w) or None (None: equal to pool_size, non-overlapping windows)
    padding : "valid" or "same" (TensorFlow's rule). Padded cells are ignored, as in
        ``tf.nn.pool``: they never win a max/min and do not count in an average.
    mode : "max", "average", "min", "sum" or "l2" (square root of the sum of squares)

    Returns
    -------
    array (N, H_out, W_out, C), float32 unless x is float64;
    ``H_out = (H - p_h) // s_h + 1`` for "valid", ``ceil(H / s_h)`` for "same".
    """
    x, mode, (ph, pw), (sh, sw), pads, (ho, wo) = _pool_setup(x, pool_size, strides, padding,
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
    """The same pooling as :func:`pool2d`, written as plain loops (slow, readable)."""
    x, mode, (ph, pw), (sh, sw), pads, (ho, wo) = _pool_setup(x, pool_size, strides, padding,
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
