"""Convolution arithmetic: parameter counts, output sizes and padding.

Every formula here is checked against Keras in ``tests/`` (parameter counts against
``count_params()``, sizes against the output shapes of real ``Conv1D``/``Conv2D``,
``Conv2DTranspose`` and pooling layers). The size relationships are those of Dumoulin & Visin,
"A guide to convolution arithmetic for deep learning" (arXiv:1603.07285), extended with
dilation, asymmetric padding and TensorFlow's ``padding="same"`` rule.

Sizes are spatial only (the height, width, ... of an NHWC tensor). Each size function takes
``input_size`` as an int (one axis, returns an int) or a tuple with one entry per spatial axis
(returns a tuple); ``kernel_size``, ``strides`` and ``dilation`` are an int for every axis or a
tuple with one entry per axis, as in Keras.

Padding, for one axis of size ``n``, kernel ``k``, dilation ``d``, stride ``s``, with the
effective (dilated) kernel ``k_eff = k + (k - 1)(d - 1)``:

- ``"valid"``: no padding;
- ``"same"``: TensorFlow's rule, output ``ceil(n / s)``; the total padding
  ``max((ceil(n / s) - 1) s + k_eff - n, 0)`` is split with the smaller half *before*
  (top/left) and the extra pixel, when the total is odd, *after* (bottom/right);
- ``"full"``: ``k_eff - 1`` on both sides (every partial overlap counts);
- ``"causal"`` (one axis only, like Keras ``Conv1D``): ``k_eff - 1`` before, none after;
- an int ``p``: ``p`` on every side; a tuple with one entry per axis, each an int (both sides)
  or a pair ``(before, after)``; or a flat tuple of ``2 * ndim`` ints, e.g.
  ``(top, bottom, left, right)`` in 2-D.

Chapters 1-5, 7 and 10 use it; :mod:`cnnlib.ops` takes its padding grammar and sizes from here.
Receptive fields are in :mod:`cnnlib.receptive` (re-exported here).

"""

import math
import numbers
from typing import NamedTuple

from cnnlib import _validate

PADDING_MODES = ("valid", "same", "full", "causal")


# --------------------------------------------------------------------------- validation


def _ndim(*values) -> int | None:
    """Number of spatial axes given by the first tuple among ``values`` (None: all scalars)."""
    for v in values:
        if isinstance(v, (tuple, list)):
            if len(v) == 0:
                raise ValueError("sizes must have at least one spatial axis, got an empty tuple")
            return len(v)
    return None


def _axes(input_size, *others):
    """(ndim or None, input sizes as a tuple)."""
    ndim = _ndim(input_size, *others)
    n = 1 if ndim is None else ndim
    return ndim, _validate.per_axis("input_size", input_size, n)


def _conv_axes(input_size, kernel_size, strides, dilation):
    """(ndim or None, input sizes, kernel sizes, strides, dilations), each a tuple per axis."""
    ndim, ns = _axes(input_size, kernel_size, strides, dilation)
    return (ndim, ns, *(_validate.per_axis(name, value, len(ns)) for name, value in
                        (("kernel_size", kernel_size), ("strides", strides),
                         ("dilation", dilation))))


def _pool_axes(input_size, pool_size, strides):
    """(ndim or None, input sizes, pool sizes, strides); ``strides=None`` means pool_size."""
    ndim, ns = _axes(input_size, pool_size, strides)
    ks = _validate.per_axis("pool_size", pool_size, len(ns))
    return ndim, ns, ks, ks if strides is None else _validate.per_axis("strides", strides, len(ns))


def _out(ndim, values):
    return values[0] if ndim is None else tuple(values)


def _explicit_padding(padding, ndim: int) -> tuple:
    """Explicit padding spec -> ((before, after), ...) with one pair per axis."""
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        p = _validate.integer("padding", padding, minimum=0)
        return ((p, p),) * ndim
    if isinstance(padding, (tuple, list)):
        items = list(padding)
        if len(items) == ndim:
            pairs = []
            for i, item in enumerate(items):
                if isinstance(item, (tuple, list)):
                    if len(item) != 2:
                        raise ValueError(
                            f"padding[{i}] must be an int or a pair (before, after), got {item!r}"
                        )
                    pairs.append((_validate.integer(f"padding[{i}][0]", item[0], minimum=0),
                                  _validate.integer(f"padding[{i}][1]", item[1], minimum=0)))
                else:
                    p = _validate.integer(f"padding[{i}]", item, minimum=0)
                    pairs.append((p, p))
            return tuple(pairs)
        if len(items) == 2 * ndim and not any(isinstance(v, (tuple, list)) for v in items):
            flat = [_validate.integer(f"padding[{i}]", v, minimum=0) for i, v in enumerate(items)]
            return tuple((flat[2 * a], flat[2 * a + 1]) for a in range(ndim))
        raise ValueError(
            f"padding for {ndim} spatial axes must be 'valid', 'same', 'full', an int, a tuple of "
            f"{ndim} ints or (before, after) pairs, or {2 * ndim} ints (before, after per axis); "
            f"got {padding!r}"
        )
    raise TypeError(
        f"padding must be a string ({', '.join(PADDING_MODES)}), an int or a tuple, "
        f"got {type(padding).__name__} ({padding!r})"
    )


def _mode(padding, allowed) -> str | None:
    """Lower-cased padding mode if ``padding`` is a string (checked against ``allowed``)."""
    if not isinstance(padding, str):
        return None
    mode = padding.lower()
    if mode not in allowed:
        raise ValueError(f"padding must be one of {', '.join(map(repr, allowed))} "
                         f"or explicit ints, got {padding!r}")
    return mode


# --------------------------------------------------------------------------- parameter counts


def dense_params(n_inputs: int, units: int, use_bias: bool = True) -> int:
    """Weights (+ biases) of a fully connected layer: ``n_inputs * units (+ units)``.

    Parameters
    ----------
    n_inputs, units : int >= 1
    use_bias : bool

    Returns
    -------
    int, the number of parameters.
    """
    n_inputs = _validate.integer("n_inputs", n_inputs, minimum=1)
    units = _validate.integer("units", units, minimum=1)
    return n_inputs * units + (units if _validate.boolean("use_bias", use_bias) else 0)


def mlp_params(layer_sizes, use_bias: bool = True) -> int:
    """Parameters of a stack of dense layers, ``layer_sizes = [inputs, hidden..., outputs]``.

    Parameters
    ----------
    layer_sizes : list of at least 2 ints >= 1
    use_bias : bool

    Returns
    -------
    int, the sum of :func:`dense_params` over consecutive sizes.
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least [inputs, outputs], got {sizes!r}")
    return sum(dense_params(a, b, use_bias) for a, b in zip(sizes[:-1], sizes[1:]))


def conv2d_params(kernel_size, in_channels: int, filters: int, use_bias: bool = True,
                  groups: int = 1) -> int:
    """Parameters of a 2-D convolution: ``(k_h * k_w * in_channels / groups + 1) * filters``.

    Independent of the image size, the stride, the padding and the dilation: the same kernel is
    shared by every position. With ``groups`` (as Keras' ``Conv2D(groups=...)``) each filter sees
    only ``in_channels / groups`` input channels; both counts must be divisible by ``groups``.

    Parameters
    ----------
    kernel_size : int or (k_h, k_w)
    in_channels, filters, groups : int >= 1
    use_bias : bool

    Returns
    -------
    int, the number of parameters.
    """
    k_h, k_w = _validate.per_axis("kernel_size", kernel_size, 2)
    in_channels = _validate.integer("in_channels", in_channels, minimum=1)
    filters = _validate.integer("filters", filters, minimum=1)
    groups = _validate.integer("groups", groups, minimum=1)
    if in_channels % groups or filters % groups:
        raise ValueError(
            f"in_channels ({in_channels}) and filters ({filters}) must both be divisible by "
            f"groups ({groups})"
        )
    bias = 1 if _validate.boolean("use_bias", use_bias) else 0
    return (k_h * k_w * (in_channels // groups) + bias) * filters


# --------------------------------------------------------------------------- sizes


def _extent(k: int, d: int) -> int:
    return k + (k - 1) * (d - 1)


def effective_kernel_size(kernel_size, dilation=1):
    """Extent of a dilated kernel: ``k + (k - 1)(d - 1)`` (``d - 1`` gaps between taps).

    Parameters
    ----------
    kernel_size : int or tuple of ints, one per spatial axis
    dilation : int or tuple of ints >= 1

    Returns
    -------
    int, or a tuple with one extent per axis when an argument is a tuple.
    """
    ndim = _ndim(kernel_size, dilation)
    n = 1 if ndim is None else ndim
    ks = _validate.per_axis("kernel_size", kernel_size, n)
    ds = _validate.per_axis("dilation", dilation, n)
    return _out(ndim, [_extent(k, d) for k, d in zip(ks, ds)])


def same_padding(input_size, kernel_size, strides=1, dilation=1):
    """The padding TensorFlow applies for ``padding="same"``: ``(before, after)`` per axis.

    The output has ``ceil(n / s)`` positions; the total padding needed for that is
    ``max((ceil(n / s) - 1) * s + k_eff - n, 0)``. TensorFlow puts ``total // 2`` before
    (top/left) and the rest after (bottom/right), so an odd total puts the extra pixel at the
    bottom/right.

    Parameters
    ----------
    input_size : int or tuple of ints, one per spatial axis (e.g. ``(H, W)``)
    kernel_size : int or tuple of ints (an int is used on every axis)
    strides, dilation : int or tuple of ints >= 1

    Returns
    -------
    one ``(before, after)`` pair (int ``input_size``) or a tuple of pairs, one per axis.
    """
    ndim, ns, ks, ss, ds = _conv_axes(input_size, kernel_size, strides, dilation)
    pads = []
    for n, k, s, d in zip(ns, ks, ss, ds):
        k_eff = _extent(k, d)
        total = max((math.ceil(n / s) - 1) * s + k_eff - n, 0)
        pads.append((total // 2, total - total // 2))
    return _out(ndim, pads)


def resolve_padding(input_size, kernel_size, padding="valid", strides=1, dilation=1):
    """Explicit ``(before, after)`` padding per axis for any padding spec (see module doc).

    Parameters
    ----------
    input_size : int or tuple of ints, one per spatial axis (e.g. ``(H, W)``)
    kernel_size : int or tuple of ints (an int is used on every axis)
    padding : "valid", "same", "full", "causal" (one axis only), an int, a tuple of one int or
        ``(before, after)`` pair per axis, or ``2 * ndim`` ints
    strides, dilation : int or tuple of ints >= 1

    Returns
    -------
    one ``(before, after)`` pair (int ``input_size``) or a tuple of pairs, one per axis.
    """
    ndim, ns, ks, ss, ds = _conv_axes(input_size, kernel_size, strides, dilation)
    mode = _mode(padding, PADDING_MODES)
    if mode == "causal" and len(ns) != 1:
        raise ValueError(f"padding='causal' is for one spatial axis (Conv1D), got {len(ns)} axes")
    pads = []
    for a, (n, k, s, d) in enumerate(zip(ns, ks, ss, ds)):
        k_eff = _extent(k, d)
        if mode == "valid":
            pads.append((0, 0))
        elif mode == "same":
            pads.append(same_padding(n, k, s, d))
        elif mode == "full":
            pads.append((k_eff - 1, k_eff - 1))
        elif mode == "causal":
            pads.append((k_eff - 1, 0))
    if mode is None:
        pads = list(_explicit_padding(padding, len(ns)))
    return _out(ndim, pads)


def _describe(ns, ks, ss, ds, padding):
    return (f"input_size={_fmt(ns)}, kernel_size={_fmt(ks)}, strides={_fmt(ss)}, "
            f"dilation={_fmt(ds)}, padding={padding!r}")


def _fmt(values):
    return values[0] if len(values) == 1 else tuple(values)


def conv_output_size(input_size, kernel_size, padding="valid", strides=1, dilation=1):
    """Output size of a convolution: ``floor((n + p_before + p_after - k_eff) / s) + 1``.

    Dumoulin & Visin's relationships 1-6 and 15 are special cases: ``n - k + 1`` (valid),
    ``n`` ("same", stride 1), ``n + k - 1`` (full), ``floor((n + 2p - k) / s) + 1``.
    With ``padding="same"`` the result is ``ceil(n / s)`` (TensorFlow/Keras).

    Keras (TensorFlow) refuses ``strides > 1`` together with ``dilation > 1``; the arithmetic
    is still well defined (PyTorch allows it) and computed here.

    Parameters
    ----------
    input_size : int or tuple of ints, one per spatial axis (e.g. ``(H, W)``)
    kernel_size : int or tuple of ints (an int is used on every axis)
    padding : any padding of :func:`resolve_padding`
    strides, dilation : int or tuple of ints >= 1

    Returns
    -------
    int, or a tuple per axis (e.g. ``(H, W) -> (H_out, W_out)``). Raises ValueError when the
    (dilated) kernel is larger than the padded input, as Keras refuses such a layer.
    """
    ndim, ns, ks, ss, ds = _conv_axes(input_size, kernel_size, strides, dilation)
    pads = resolve_padding(ns, ks, padding, ss, ds)
    out = []
    for n, k, s, d, (pb, pa) in zip(ns, ks, ss, ds, pads):
        k_eff = _extent(k, d)
        if n + pb + pa < k_eff:
            raise ValueError(
                f"the kernel (extent {k_eff} = {k} taps with dilation {d}) is larger than the "
                f"padded input ({n} + {pb} + {pa} = {n + pb + pa}): output size would be zero "
                f"or negative; {_describe(ns, ks, ss, ds, padding)}"
            )
        out.append((n + pb + pa - k_eff) // s + 1)
    return _out(ndim, out)


def pool_padding(input_size, pool_size, padding="valid", strides=None):
    """Explicit ``(before, after)`` padding per axis of a pooling window.

    Parameters
    ----------
    input_size : int or tuple of ints, one per spatial axis
    pool_size : int or tuple of ints
    padding : "valid", "same" or explicit ints as in :func:`resolve_padding`; each explicit side
        must be smaller than the window (otherwise a window would lie entirely in the padding)
    strides : int, tuple or None (None: ``pool_size``)

    Returns
    -------
    one ``(before, after)`` pair (int ``input_size``) or a tuple of pairs.
    """
    ndim, ns, ks, ss = _pool_axes(input_size, pool_size, strides)
    mode = _mode(padding, ("valid", "same"))
    if mode is not None:
        return _out(ndim, resolve_padding(ns, ks, mode, ss))
    pads = _explicit_padding(padding, len(ns))
    for k, (pb, pa) in zip(ks, pads):
        if max(pb, pa) >= k:
            raise ValueError(
                f"padding {(pb, pa)} must be smaller than pool_size {k} on each side: a "
                f"window would lie entirely in the padding; got padding={padding!r}"
            )
    return _out(ndim, pads)


def pool_output_size(input_size, pool_size, strides=None, padding="valid"):
    """Output size of max/average pooling: ``floor((n + p_before + p_after - k) / s) + 1``.

    ``strides=None`` means ``strides = pool_size`` (the Keras default: windows do not overlap).
    padding: "valid", "same" (``ceil(n / s)``, TensorFlow's split as in ``same_padding``; the
    padded cells are ignored by the pooling, not counted as zeros) or explicit ints, each side
    smaller than the window (otherwise a window would lie entirely in the padding).

    Parameters
    ----------
    input_size : int or tuple of ints, one per spatial axis
    pool_size : int or tuple of ints >= 1
    strides : int, tuple of ints >= 1, or None
    padding : as :func:`pool_padding`

    Returns
    -------
    int, or a tuple per axis. Raises ValueError when the window is larger than the padded
    input (Keras refuses it too).
    """
    ndim, ns, ks, ss = _pool_axes(input_size, pool_size, strides)
    pads = pool_padding(ns, ks, padding, ss)
    out = []
    for n, k, s, (pb, pa) in zip(ns, ks, ss, pads):
        if n + pb + pa < k:
            raise ValueError(
                f"pool_size {k} is larger than the padded input ({n} + {pb} + {pa}): output size "
                f"would be zero or negative; input_size={_fmt(ns)}, pool_size={_fmt(ks)}, "
                f"strides={_fmt(ss)}, padding={padding!r}"
            )
        out.append((n + pb + pa - k) // s + 1)
    return _out(ndim, out)


def conv_transpose_output_size(input_size, kernel_size, strides=1, padding="valid",
                               output_padding=None, dilation=1):
    """Output size of a transposed convolution, the shape-inverse of a convolution.

    With explicit padding ``p`` (Dumoulin & Visin, relationship 14):
    ``o = s (n - 1) + k_eff - p_before - p_after + a`` with ``a = output_padding`` (default 0),
    ``0 <= a < s``: the transpose of a convolution with the same ``k, s, p`` that maps size
    ``o`` to ``n``. String modes follow Keras' ``Conv2DTranspose``:

    - ``"valid"``: ``s (n - 1) + k_eff + a``, and when ``output_padding`` is None
      ``a = max(s - k_eff, 0)`` (so the output is at least ``n * s``);
    - ``"same"``: ``n * s`` when ``output_padding`` is None, else ``s (n - 1) + k_eff % 2 + a``
      (a crop of ``k_eff // 2`` on each side); that must be a size a "same" convolution maps
      back to ``n`` (``ceil(o / s) = n``), which rules out an even ``k_eff`` with ``a = 0``.
      cnnlib refuses that case. TensorFlow's answer depends on the machine: it raises on some
      and returns an empty axis on others (input 10 x 1, kernel 1 x 2, stride 1 -> 10 x 0);
    - ``"full"``: the transpose of a full convolution, ``s (n - 1) - k_eff + 2 + a``.

    Parameters
    ----------
    input_size : int or tuple of ints, one per spatial axis
    kernel_size : int or tuple of ints
    strides, dilation : int or tuple of ints >= 1
    padding : "valid", "same", "full" or explicit ints as in :func:`resolve_padding`
    output_padding : None, int or tuple of ints in ``[0, s)``

    Returns
    -------
    int, or a tuple per axis. Raises ValueError for ``output_padding`` outside ``[0, s)``
    (Keras refuses it too) or a non-positive output size.
    """
    ndim, ns, ks, ss, ds = _conv_axes(input_size, kernel_size, strides, dilation)
    if output_padding is None:
        aps = (None,) * len(ns)
    else:
        aps = _validate.per_axis("output_padding", output_padding, len(ns), minimum=0)
        for a, s in zip(aps, ss):
            if a >= s:
                raise ValueError(
                    f"output_padding must be smaller than strides on every axis "
                    f"(0 <= a < s), got output_padding={output_padding!r}, strides={strides!r}"
                )
    mode = _mode(padding, ("valid", "same", "full"))
    pads = None if mode is not None else _explicit_padding(padding, len(ns))
    out = []
    for i, (n, k, s, d, a) in enumerate(zip(ns, ks, ss, ds, aps)):
        k_eff = _extent(k, d)
        if mode == "valid":
            o = s * (n - 1) + k_eff + (max(s - k_eff, 0) if a is None else a)
        elif mode == "same":
            o = n * s if a is None else s * (n - 1) + k_eff % 2 + a
            if o <= s * (n - 1):
                raise ValueError(
                    f"padding='same' needs an output o with ceil(o / s) = n, but an even kernel "
                    f"extent ({k_eff}) with output_padding=0 gives s (n - 1) = {o} on axis {i} "
                    f"(no transposed convolution can give it); use output_padding >= 1 or None"
                )
        elif mode == "full":
            o = s * (n - 1) - k_eff + 2 + (a or 0)
        else:
            pb, pa = pads[i]
            o = s * (n - 1) + k_eff - pb - pa + (a or 0)
        if o < 1:
            raise ValueError(
                f"transposed convolution output size would be {o} (zero or negative) on axis {i}; "
                f"{_describe(ns, ks, ss, ds, padding)}, output_padding={output_padding!r}"
            )
        out.append(o)
    return _out(ndim, out)


class TransposeEquivalent(NamedTuple):
    """The direct convolution that computes the transpose of a convolution (one axis).

    Insert ``zeros_between`` zeros between input cells (stride ``s`` -> ``s - 1`` zeros), pad
    ``padding`` zeros on both sides plus ``extra_after`` on the bottom/right, then slide the
    kernel (``kernel_size`` taps) with stride 1.
    """

    input_size: int
    kernel_size: int
    zeros_between: int
    padding: int
    extra_after: int
    output_size: int


def transpose_equivalent(input_size: int, kernel_size: int, strides: int = 1, padding: int = 0):
    """Dumoulin & Visin's recipe (relationship 14) for the transpose of a convolution, one axis.

    A convolution ``i -> o`` with kernel ``k``, stride ``s`` and padding ``p`` on both sides has as
    transpose a convolution of the (stride-``s`` stretched) ``o``-sized input with kernel ``k``,
    stride 1, padding ``k - p - 1`` and ``a = (i + 2p - k) mod s`` extra zeros at the
    bottom/right; its output has size ``i`` again.

    Parameters
    ----------
    input_size, kernel_size, strides : int >= 1, the convolution ``i -> o`` along one axis
    padding : int, ``0 <= p <= k - 1`` (otherwise the equivalent padding would be negative)

    Returns
    -------
    TransposeEquivalent(input_size=o, ..., output_size=i).
    """
    i = _validate.integer("input_size", input_size, minimum=1)
    k = _validate.integer("kernel_size", kernel_size, minimum=1)
    s = _validate.integer("strides", strides, minimum=1)
    p = _validate.integer("padding", padding, minimum=0)
    if p > k - 1:
        raise ValueError(f"padding must be <= kernel_size - 1 = {k - 1}, got {p}")
    o = conv_output_size(i, k, p, s)
    a = (i + 2 * p - k) % s
    out = s * (o - 1) + a + k - 2 * p
    return TransposeEquivalent(o, k, s - 1, k - p - 1, a, out)


def __getattr__(name):
    """``Field``, ``receptive_field`` and ``keras_layer_specs`` live in :mod:`cnnlib.receptive`
    (chapter 7 reaches them as ``arithmetic.receptive_field``)."""
    if name in ("Field", "receptive_field", "keras_layer_specs"):
        from cnnlib import receptive

        return getattr(receptive, name)
    raise AttributeError(f"module 'cnnlib.arithmetic' has no attribute {name!r}")
