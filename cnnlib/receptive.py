"""Receptive fields: how much of the input one output unit sees, layer after layer, one axis.

``receptive_field(layers)`` runs the recurrences of size, jump and start over a stack of
convolution and pooling layers; ``keras_layer_specs(model)`` reads those layers from a Keras
model. Sizes and padding come from :mod:`cnnlib.arithmetic`, which also re-exports these names.
Chapters 3 and 7 use it.
"""

from typing import NamedTuple

from cnnlib import _validate, arithmetic

class Field(NamedTuple):
    """Receptive field of one layer's outputs along one axis (input pixels as unit).

    size: how many input pixels one output sees; jump: input pixels between neighbouring
    outputs (product of the strides so far); start: input coordinate of the centre of the first
    output's field (``-0.5`` etc. means it hangs over the border into the padding);
    output_size: the layer's output size (None when no input size was given).
    """

    size: int
    jump: int
    start: float
    output_size: int | None


def _layer_spec(index, layer):
    if isinstance(layer, dict):
        unknown = set(layer) - {"kernel_size", "strides", "dilation", "padding"}
        if unknown or "kernel_size" not in layer:
            raise ValueError(
                f"layers[{index}] as a dict needs 'kernel_size' and may have 'strides', "
                f"'dilation', 'padding'; got keys {sorted(layer)}"
            )
        k, s = layer["kernel_size"], layer.get("strides", 1)
        d, p = layer.get("dilation", 1), layer.get("padding", "valid")
    elif isinstance(layer, (tuple, list)) and 1 <= len(layer) <= 4:
        k, s, d, p = (list(layer) + [1, 1, "valid"][len(layer) - 1:])[:4]
    else:
        raise TypeError(
            f"layers[{index}] must be (kernel_size, strides[, dilation[, padding]]) or a dict, "
            f"got {layer!r}"
        )
    return (_validate.integer(f"layers[{index}] kernel_size", k, minimum=1),
            _validate.integer(f"layers[{index}] strides", s, minimum=1),
            _validate.integer(f"layers[{index}] dilation", d, minimum=1), p)


def receptive_field(layers, input_size=None):
    """Receptive field size, jump and start of every layer of a stack, along one axis.

    layers: sequence of ``(kernel_size, strides[, dilation[, padding]])`` tuples or dicts with
    those keys (ints for one axis; pooling is a layer like any other). The recurrences are
    ``r_l = r_{l-1} + (k_eff - 1) j_{l-1}``, ``j_l = j_{l-1} s``,
    ``start_l = start_{l-1} + ((k_eff - 1) / 2 - p_before) j_{l-1}``, from ``r_0 = j_0 = 1``,
    ``start_0 = 0``. Padding only moves ``start``; ``"same"`` needs ``input_size``.

    Parameters
    ----------
    layers : sequence of ``(kernel_size, strides[, dilation[, padding]])`` tuples or dicts
    input_size : int >= 1 or None, the input size along the axis (needed for "same")

    Returns
    -------
    list of :class:`Field`, one per layer.
    """
    layers = list(layers)
    if not layers:
        raise ValueError("layers must contain at least one layer")
    n = None if input_size is None else _validate.integer("input_size", input_size, minimum=1)
    size, jump, start = 1, 1, 0.0
    fields = []
    for idx, layer in enumerate(layers):
        k, s, d, p = _layer_spec(idx, layer)
        if isinstance(p, str) and p.lower() == "same" and n is None:
            raise ValueError(f"layers[{idx}] has padding='same', which needs input_size")
        if n is not None:
            pb = arithmetic.resolve_padding(n, k, p, s, d)[0]
            n = arithmetic.conv_output_size(n, k, p, s, d)
        else:
            pb = arithmetic.resolve_padding(1, k, p, s, d)[0]
        k_eff = arithmetic.effective_kernel_size(k, d)
        start += ((k_eff - 1) / 2 - pb) * jump
        size += (k_eff - 1) * jump
        jump *= s
        fields.append(Field(size, jump, start, n))
    return fields


_POINTWISE = ("Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "BatchNormalization",
              "LayerNormalization", "Dropout", "SpatialDropout2D", "SpatialDropout1D", "Rescaling",
              "Normalization", "InputLayer", "GaussianNoise", "Identity")


def keras_layer_specs(model, axis: int = 0) -> list:
    """``(kernel_size, strides, dilation, padding)`` of each convolution/pooling layer of a Keras
    model (or a list of Keras layers) along one spatial ``axis`` (0: height), for
    :func:`receptive_field`.

    Pointwise layers (activations, normalisation, dropout) are skipped; any other layer (Dense,
    Flatten, global pooling, transposed convolution, ...) raises ValueError, since its outputs
    do not have a local receptive field of this kind.

    Parameters
    ----------
    model : keras.Model or list of Keras layers
    axis : int >= 0, the spatial axis (0: height, 1: width)

    Returns
    -------
    list of ``(kernel_size, strides, dilation, padding)`` tuples, one per layer kept.
    """
    axis = _validate.integer("axis", axis, minimum=0)
    specs = []
    try:
        layers = list(model.layers if hasattr(model, "layers") else model)
    except TypeError:
        raise TypeError(f"model must be a Keras model or a list of layers, "
                        f"got {type(model).__name__}") from None
    for layer in layers:
        kind = type(layer).__name__
        if "Transpose" in kind or kind.startswith("Global"):
            raise ValueError(f"layer {layer.name!r} ({kind}) has no local receptive field")
        if hasattr(layer, "kernel_size") and hasattr(layer, "strides"):
            k, s = layer.kernel_size, layer.strides
            d = getattr(layer, "dilation_rate", (1,) * len(k))
        elif hasattr(layer, "pool_size"):
            k, s, d = layer.pool_size, layer.strides, (1,) * len(layer.pool_size)
        elif kind in _POINTWISE:
            continue
        else:
            raise ValueError(
                f"layer {layer.name!r} ({kind}) is neither a convolution/pooling layer nor "
                f"pointwise; pass only the spatial part of the model"
            )
        if axis >= len(k):
            raise ValueError(
                f"axis {axis} out of range for layer {layer.name!r} with {len(k)} spatial axes")
        specs.append((int(k[axis]), int(s[axis]), int(d[axis]), layer.padding))
    if not specs:
        raise ValueError("the model has no convolution or pooling layers")
    return specs
