"""Counting parameters of dense and convolutional layers by formula.

The chapters check every formula here against Keras' ``count_params()``.
"""

import numbers


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def _pair(name: str, value) -> tuple:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}")
        return _positive_int(name, value[0]), _positive_int(name, value[1])
    v = _positive_int(name, value)
    return v, v


def dense_params(n_inputs: int, units: int, use_bias: bool = True) -> int:
    """Weights (+ biases) of a fully connected layer: ``n_inputs * units (+ units)``."""
    n_inputs = _positive_int("n_inputs", n_inputs)
    units = _positive_int("units", units)
    return n_inputs * units + (units if use_bias else 0)


def mlp_params(layer_sizes, use_bias: bool = True) -> int:
    """Parameters of a stack of dense layers, ``layer_sizes = [inputs, hidden..., outputs]``."""
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least [inputs, outputs], got {sizes!r}")
    return sum(dense_params(a, b, use_bias) for a, b in zip(sizes[:-1], sizes[1:]))


def conv2d_params(kernel_size, in_channels: int, filters: int, use_bias: bool = True) -> int:
    """Parameters of a 2-D convolution: ``(k_h * k_w * in_channels + 1) * filters``.

    Independent of the image size: the same kernel is shared by every position.
    """
    k_h, k_w = _pair("kernel_size", kernel_size)
    in_channels = _positive_int("in_channels", in_channels)
    filters = _positive_int("filters", filters)
    return (k_h * k_w * in_channels + (1 if use_bias else 0)) * filters
