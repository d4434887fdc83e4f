"""Looking inside a trained CNN: feature maps, activation maximisation, gradient norms.

- :func:`feature_maps`: what given layers output for given images (Zeiler & Fergus look at
  these to see edges turn into parts and objects with depth);
- :func:`activation_maximization`: gradient ascent on the *input* to find an image that excites
  one channel strongly, with the regularisers of Yosinski et al.'s deep visualization (L2 decay,
  occasional blur, clipping to the valid pixel range);
- :func:`gradient_norms`: the norm of the loss gradient for every weight layer's kernel, to see
  where gradients vanish or explode.

Chapter 7 uses it.

"""

import numbers

import keras
import numpy as np
import tensorflow as tf

from cnnlib import _validate


def _layer(model, name):
    names = [layer.name for layer in model.layers]
    if name not in names:
        raise ValueError(f"model {model.name!r} has no layer {name!r}; its layers: {names}")
    return model.get_layer(name)


def _probe(model, outputs):
    """A model from the input(s) of ``model`` to ``outputs`` (one input: not wrapped in a list)."""
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, outputs)


def _images(model, x):
    x = np.asarray(x, dtype="float32")
    expected = tuple(model.inputs[0].shape[1:])
    if x.ndim != 4 or tuple(x.shape[1:]) != expected:
        raise ValueError(f"x must be (N, {', '.join(map(str, expected))}) for this model, "
                         f"got shape {x.shape}")
    return x


def feature_maps(model, x, layer_names):
    """Outputs of the named layers for images ``x``, in inference mode.

    Parameters
    ----------
    model : keras.Model
    x : (N, H, W, C) images matching the model's input
    layer_names : str or list of str, names of layers of ``model``

    Returns
    -------
    maps : dict name -> array (N, H_l, W_l, C_l) (or (N, units) for dense layers)
    """
    _validate.keras_model("model", model)
    if isinstance(layer_names, str):
        layer_names = [layer_names]
    outputs = [_layer(model, n).output for n in layer_names]
    probe = _probe(model, outputs)
    values = probe(_images(model, x), training=False)
    values = values if isinstance(values, (list, tuple)) else [values]
    return {n: keras.ops.convert_to_numpy(v) for n, v in zip(layer_names, values)}


def _blur(x):
    """3x3 binomial blur of every channel. x: (N, H, W, C)."""
    k = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16.0
    kernel = np.zeros((3, 3, x.shape[-1], 1), dtype="float32")
    kernel[:, :, :, 0] = k[:, :, None]
    return tf.nn.depthwise_conv2d(x, kernel, strides=[1, 1, 1, 1], padding="SAME")


def activation_maximization(model, layer_name, channels, steps=100, learning_rate=0.05,
                            l2_decay=1e-3, blur_every=4, value_range=(0.0, 1.0), seed=0):
    """Images that maximise the mean activation of each given channel of a layer.

    Starts from faint noise around the middle of ``value_range`` and repeats: step along the
    normalised gradient of the channel's mean activation with respect to the input, shrink the
    image towards the middle (L2 decay), blur every ``blur_every`` steps, clip to
    ``value_range``. All channels are optimised together as one batch.

    Parameters
    ----------
    model : keras.Model
    layer_name : str, a layer of ``model``
    channels : int or list of ints, channels of that layer
    steps : int >= 0, gradient steps
    learning_rate : float > 0, step size as a fraction of the value range
    l2_decay : float in [0, 1), shrink towards the middle at every step
    blur_every : int >= 0, blur every that many steps (0: never)
    value_range : (low, high) floats, low < high, the pixel range of the model's input
    seed : int, seed of the starting noise

    Returns
    -------
    images : (len(channels), H, W, C) float32
    activations : (len(channels),) the mean activation each image reaches (inference mode)
    """
    _validate.keras_model("model", model)
    layer = _layer(model, layer_name)
    n_channels = layer.output.shape[-1]
    channels = [channels] if isinstance(channels, numbers.Integral) else list(channels)
    if not channels:
        raise ValueError(f"channels must name at least one channel of layer {layer_name!r}")
    channels = [_validate.integer(f"channels[{i}]", c, minimum=0, maximum=n_channels - 1,
                                  why=f"layer {layer_name!r} has {n_channels}")
                for i, c in enumerate(channels)]
    for name, value in (("steps", steps), ("blur_every", blur_every)):
        _validate.integer(name, value, minimum=0)
    learning_rate = _validate.real("learning_rate", learning_rate, above=0)
    l2_decay = _validate.real("l2_decay", l2_decay, minimum=0, below=1)
    seed = _validate.integer("seed", seed)
    if isinstance(value_range, (str, bytes)) or len(value_range) != 2:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range!r}")
    lo, hi = (_validate.real(f"value_range[{i}]", v) for i, v in enumerate(value_range))
    if not lo < hi:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range!r}")
    probe = _probe(model, layer.output)
    shape = (len(channels), *model.inputs[0].shape[1:])
    rng = np.random.default_rng(seed)
    mid = (lo + hi) / 2
    x = tf.Variable(mid + 0.01 * (hi - lo) * rng.standard_normal(shape).astype("float32"))
    onehot = tf.constant(np.eye(n_channels, dtype="float32")[channels])

    def objective(images):
        out = probe(images, training=False)
        axes = list(range(1, len(out.shape) - 1))
        per_channel = tf.reduce_mean(out, axis=axes) if axes else out
        return tf.reduce_sum(per_channel * onehot, axis=-1)

    @tf.function(autograph=False)
    def step(do_blur):
        with tf.GradientTape() as tape:
            score = tf.reduce_sum(objective(x))
        g = tape.gradient(score, x)
        g = g / (tf.sqrt(tf.reduce_mean(tf.square(g), axis=[1, 2, 3], keepdims=True)) + 1e-8)
        new = x + learning_rate * (hi - lo) * g
        new = mid + (1.0 - l2_decay) * (new - mid)
        new = tf.cond(do_blur, lambda: _blur(new), lambda: new)
        x.assign(tf.clip_by_value(new, lo, hi))

    for i in range(steps):
        step(tf.constant(blur_every > 0 and (i + 1) % blur_every == 0))
    images = x.numpy()
    return images, objective(images).numpy()


def gradient_norms(model, x, y, loss="sparse_categorical_crossentropy"):
    """L2 norm of the loss gradient of every Conv2D/Dense kernel, input side first.

    One forward/backward pass in training mode (batch statistics in batch norm; dropout active,
    so set its rate to 0 for exact repeats).

    Parameters
    ----------
    model : keras.Model
    x : (N, H, W, C) images matching the model's input
    y : (N,) labels (or targets of the shape ``loss`` expects)
    loss : a Keras loss name or callable

    Returns
    -------
    norms : list of ``(layer name, norm)`` pairs, one per Conv2D/Dense layer
    """
    _validate.keras_model("model", model)
    x = _images(model, x)
    y = _validate.array("y", y, layout="(N, ...) labels")
    if len(y) != len(x):
        raise ValueError(f"y must have one label per image: {len(y)} labels for {len(x)} images")
    loss_fn = keras.losses.get(loss)
    kernels = [(layer.name, layer.kernel) for layer in model.layers
               if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    with tf.GradientTape() as tape:
        value = tf.reduce_mean(loss_fn(y, model(x, training=True)))
    grads = tape.gradient(value, [k for _, k in kernels])
    return [(name, float(tf.norm(g))) for (name, _), g in zip(kernels, grads)]
