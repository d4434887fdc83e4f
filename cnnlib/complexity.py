"""How big is a network: parameters, multiply-adds and depth of any Keras model.

- :func:`multiply_adds`: the multiply-adds of one forward pass (convolutions and dense layers);
- :func:`weight_layer_depth`: depth counted in weight layers, as the papers do;
- :func:`describe` / :func:`layer_rows`: those numbers, and a per-layer table;
- :func:`producers`: which layers computed given tensors (the graph both this module and
  :mod:`cnnlib.diagram` walk);
- :func:`measure`: build a model *without allocating its weights* and describe it, so that
  VGG-19's 144 million parameters are counted in a fraction of a second.

Chapters 7 and 8 use it.

"""

import concurrent.futures
import math

import keras
from keras import layers

from cnnlib import _validate


# the layers the papers count as weight layers (a depthwise convolution is one: MobileNetV2 has 53)
WEIGHT_LAYERS = (layers.Conv2D, layers.DepthwiseConv2D, layers.Dense)


def _weight_layers(model):
    return [layer for layer in model.layers if isinstance(layer, WEIGHT_LAYERS)]


def producers(tensors) -> list:
    """The layers that computed some symbolic Keras tensors (read from Keras' graph records).

    Parameters
    ----------
    tensors : a symbolic tensor, a nested list of them (e.g. ``layer.input``), or None

    Returns
    -------
    layers : list of keras Operations, one per tensor that a layer produced, in order
    """
    if tensors is None:
        return []
    return [t._keras_history.operation for t in keras.tree.flatten(tensors)
            if hasattr(t, "_keras_history")]


def multiply_adds(model) -> int:
    """Multiply-adds of one forward pass for one image (convolutions and dense layers only).

    Conv2D: ``H_out * W_out * C_out * k_h * k_w * C_in / groups``; DepthwiseConv2D:
    ``H_out * W_out * C_in * depth_multiplier * k_h * k_w``; Dense: ``inputs * units``.
    Biases, activations, pooling and normalisation are not counted (the usual convention of the
    papers: He et al. quote 3.8 billion "FLOPs" (multiply-adds) for ResNet-50).

    Parameters
    ----------
    model : keras.Model, built (every layer's output shape known)

    Returns
    -------
    count : int, for one input example (batch size 1)
    """
    _validate.keras_model("model", model)
    total = 0
    for layer in _weight_layers(model):
        if isinstance(layer, layers.Conv2D):
            _, h, w, c_out = layer.output.shape
            k_h, k_w = layer.kernel_size
            c_in = layer.input.shape[-1]
            total += h * w * c_out * k_h * k_w * c_in // layer.groups
        elif isinstance(layer, layers.DepthwiseConv2D):
            _, h, w, c_out = layer.output.shape  # c_out = C_in * depth_multiplier
            k_h, k_w = layer.kernel_size
            total += h * w * c_out * k_h * k_w
        else:
            shape = layer.input.shape
            positions = 1
            for d in shape[1:-1]:
                positions *= d
            total += positions * shape[-1] * layer.units
    return int(total)


def weight_layer_depth(model) -> int:
    """Depth in weight layers: the most Conv2D/DepthwiseConv2D/Dense layers on any path.

    That is how the papers count (VGG-16 has 16, GoogLeNet 22, ResNet-50 50, MobileNetV2 53:
    shortcut projections run beside the main path, auxiliary heads beside the trunk).

    Parameters
    ----------
    model : keras.Model (functional or Sequential)

    Returns
    -------
    depth : int >= 0
    """
    _validate.keras_model("model", model)
    depth = {}
    for layer in model.layers:  # functional models list layers in topological order
        here = max((depth.get(id(p), 0) for p in producers(layer.input)), default=0)
        depth[id(layer)] = here + isinstance(layer, WEIGHT_LAYERS)
    return max(depth[id(op)] for op in producers(model.outputs))


def describe(model) -> dict:
    """Depth, parameters and multiply-adds of a built Keras model.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    info : dict with int values under "depth" (:func:`weight_layer_depth`), "params" (all
        weights, BN moving statistics included), "trainable_params" and "multiply_adds"
        (:func:`multiply_adds`)
    """
    _validate.keras_model("model", model)
    return {"depth": weight_layer_depth(model), "params": int(model.count_params()),
            "trainable_params": int(sum(math.prod(v.shape) for v in model.trainable_weights)),
            "multiply_adds": multiply_adds(model)}


def layer_rows(model) -> list:
    """One row per layer of a model, input first.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    rows : list of tuples
        ``(name, type_name, shape, params)``: the output shape without the batch axis (None
        for a layer with several outputs) and the parameter count
    """
    _validate.keras_model("model", model)
    rows = []
    for layer in model.layers:
        out = layer.output
        shape = tuple(out.shape[1:]) if not isinstance(out, (list, tuple)) else None
        n = int(sum(math.prod(v.shape) for v in layer.weights))
        rows.append((layer.name, type(layer).__name__, shape, n))
    return rows


def _describe_unweighted(builder, args, kwargs, with_layers):
    with keras.StatelessScope(initialize_variables=False):
        model = builder(*args, **kwargs)
        info = describe(model)
        if with_layers:
            info["layers"] = layer_rows(model)
        return info


def measure(builder, *args, with_layers=False, **kwargs) -> dict:
    """Build ``builder(*args, **kwargs)`` without creating its weights and :func:`describe` it.

    Works with the builders of :mod:`cnnlib.zoo` and with ``keras.applications``
    (``weights=None``). Inside a ``keras.StatelessScope`` Keras only records each weight's shape,
    so VGG-19's 144 million weights cost nothing to count; the build runs in a worker thread,
    whose (thread-local) Keras state, with the never-initialised weights, is dropped when it ends.

    Parameters
    ----------
    builder : callable returning a keras.Model, e.g. ``zoo.vgg``
    *args, **kwargs : passed to ``builder``
    with_layers : bool, also return the :func:`layer_rows` under "layers"

    Returns
    -------
    info : dict as :func:`describe` (plus "layers" with ``with_layers=True``)
    """
    _validate.boolean("with_layers", with_layers)
    if not callable(builder):
        raise TypeError(f"builder must be callable (e.g. zoo.vgg), got {type(builder).__name__}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_describe_unweighted, builder, args, kwargs, with_layers).result()
