"""The building blocks of the classic architectures, as Keras functional-API calls.

Each block takes a symbolic tensor ``x`` of shape (N, H, W, C) and returns the block's output;
``name`` prefixes the names of the layers it adds (so that tests and chapters can find them).
:mod:`cnnlib.zoo` assembles its networks from these blocks and re-exports them (chapter 7 uses
them as ``zoo.basic_block``, ``zoo.inception_module``, ...).
"""

import keras
from keras import layers

from cnnlib import _validate

#: moving-average momentum of every BatchNormalization layer built here. 0.9 (PyTorch's
#: default) rather than Keras' 0.99, so that the inference statistics settle within the few
#: hundred steps a CPU lesson trains for; it changes no parameter count.
BN_MOMENTUM = 0.9


def conv_unit(x, filters, kernel, name, strides=1, padding="same", batch_norm=False, bias=None,
              activation="relu", groups=1):
    """Conv2D, optionally BatchNormalization, then an activation.

    Parameters
    ----------
    x : symbolic tensor (N, H, W, C)
    filters, kernel, strides, padding, groups : as in ``keras.layers.Conv2D``
    name : name of the convolution; the others add ``_bn`` and ``_<activation>``
    batch_norm : bool, batch normalisation (momentum :data:`BN_MOMENTUM`) after the convolution
    bias : bool or None; None: a bias only without batch norm (which would cancel it)
    activation : Keras activation name, or None for none

    Returns
    -------
    y : symbolic tensor (N, H', W', filters); H', W' as in
        :func:`cnnlib.arithmetic.conv_output_size`
    """
    use_bias = (not batch_norm) if bias is None else bias
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=use_bias,
                      groups=groups, name=name)(x)
    if batch_norm:
        x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
    if activation:
        x = layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x


@keras.saving.register_keras_serializable(package="cnnlib")
class LocalResponseNormalization(layers.Layer):
    """AlexNet's local response normalisation across channels (no weights).

    ``b_c = a_c / (k + alpha * sum_{c' = c - n/2}^{c + n/2} a_{c'}^2) ** beta`` for input and
    output ``(N, H, W, C)``, with Krizhevsky et al.'s ``n=5, k=2, alpha=1e-4, beta=0.75``. Equals
    ``tf.nn.local_response_normalization(x, depth_radius=n // 2, bias=k, alpha=alpha, beta=beta)``.

    Parameters
    ----------
    size : odd int >= 1, channels in the window (``n``)
    k, alpha, beta : float, the constants of the formula
    """

    def __init__(self, size=5, k=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        if _validate.integer("size", size, minimum=1) % 2 == 0:
            raise ValueError(
                f"size must be an odd positive int (channels in the window), got {size!r}")
        self.size, self.k, self.alpha, self.beta = int(size), float(k), float(alpha), float(beta)

    def call(self, x):
        r = self.size // 2
        channels = x.shape[-1]
        squared = keras.ops.pad(keras.ops.square(x), [[0, 0], [0, 0], [0, 0], [r, r]])
        total = sum(squared[..., i:i + channels] for i in range(self.size))
        return x / keras.ops.power(self.k + self.alpha * total, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "size": self.size, "k": self.k, "alpha": self.alpha,
                "beta": self.beta}


def mlpconv(x, filters, kernel_size, name, strides=1, padding="same", batch_norm=False):
    """A Network-in-Network "mlpconv" block: a kxk convolution then two 1x1 convolutions.

    The 1x1 convolutions are a small MLP applied at every position (Lin et al. 2013).

    Parameters
    ----------
    x : symbolic tensor (N, H, W, C)
    filters : 3 ints, the channels of the kxk and the two 1x1 convolutions
    kernel_size, strides, padding : of the first (kxk) convolution
    name : prefix of the layer names (``<name>_conv``, ``<name>_cccp1``, ``<name>_cccp2``)
    batch_norm : bool, batch normalisation after every convolution

    Returns
    -------
    y : symbolic tensor (N, H', W', filters[-1])
    """
    for i, (f, k) in enumerate(zip(filters, (kernel_size, 1, 1))):
        x = conv_unit(x, f, k, f"{name}_{'conv' if i == 0 else f'cccp{i}'}",
                      strides=strides if i == 0 else 1, padding=padding if i == 0 else "same",
                      batch_norm=batch_norm)
    return x


def inception_module(x, filters, name, batch_norm=False):
    """The inception module with dimension reductions (Szegedy et al. 2014, Fig. 2b).

    Four parallel branches concatenated along channels: 1x1; 1x1 -> 3x3; 1x1 -> 5x5;
    3x3/1 max pooling -> 1x1.

    Parameters
    ----------
    x : symbolic tensor (N, H, W, C)
    filters : 6 ints: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj
    name : prefix of the layer names (``<name>_1x1``, ``<name>_3x3_reduce``, ...)
    batch_norm : bool, batch normalisation after every convolution

    Returns
    -------
    y : symbolic tensor (N, H, W, #1x1 + #3x3 + #5x5 + pool proj)
    """
    if len(filters) != 6:
        raise ValueError(f"filters needs 6 channel counts (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, "
                         f"pool proj), got {filters!r}")
    f1, f3r, f3, f5r, f5, fp = filters
    b1 = conv_unit(x, f1, 1, f"{name}_1x1", batch_norm=batch_norm)
    b3 = conv_unit(x, f3r, 1, f"{name}_3x3_reduce", batch_norm=batch_norm)
    b3 = conv_unit(b3, f3, 3, f"{name}_3x3", batch_norm=batch_norm)
    b5 = conv_unit(x, f5r, 1, f"{name}_5x5_reduce", batch_norm=batch_norm)
    b5 = conv_unit(b5, f5, 5, f"{name}_5x5", batch_norm=batch_norm)
    bp = layers.MaxPooling2D(3, 1, padding="same", name=f"{name}_pool")(x)
    bp = conv_unit(bp, fp, 1, f"{name}_pool_proj", batch_norm=batch_norm)
    return layers.Concatenate(name=f"{name}_output")([b1, b3, b5, bp])


def _shortcut(x, channels, strides, name, conv_bias, batch_norm):
    if strides == 1 and x.shape[-1] == channels:
        return x
    return conv_unit(x, channels, 1, f"{name}_proj", strides=strides, batch_norm=batch_norm,
                     bias=conv_bias, activation=None)


def basic_block(x, filters, name, strides=1, residual=True, conv_bias=False, batch_norm=True):
    """Two 3x3 convolutions (+ BN) and a shortcut: ``relu(F(x) + x)`` (He et al., Fig. 2).

    The shortcut is the identity, or a 1x1 projection (+ BN) when the stride or the channel
    count changes.

    Parameters
    ----------
    x : symbolic tensor (N, H, W, C)
    filters : int, channels of both convolutions
    name : prefix of the layer names (``<name>_1``, ``<name>_2``, ``<name>_proj``, ...)
    strides : int, of the first convolution and the projection
    residual : bool; False drops the shortcut (the paper's "plain" network)
    conv_bias : bool, a bias in every convolution (redundant before batch norm)
    batch_norm : bool, batch normalisation after every convolution

    Returns
    -------
    y : symbolic tensor (N, ceil(H / strides), ceil(W / strides), filters)
    """
    out = conv_unit(x, filters, 3, f"{name}_1", strides=strides, batch_norm=batch_norm,
                    bias=conv_bias)
    out = conv_unit(out, filters, 3, f"{name}_2", batch_norm=batch_norm, bias=conv_bias,
                    activation=None)
    if residual:
        out = layers.Add(name=f"{name}_add")(
            [_shortcut(x, filters, strides, name, conv_bias, batch_norm), out])
    return layers.Activation("relu", name=f"{name}_out")(out)


def bottleneck_block(x, filters, name, strides=1, residual=True, conv_bias=False,
                     batch_norm=True):
    """1x1 (reduce) - 3x3 - 1x1 (expand to ``4 * filters``) and a shortcut (He et al., Fig. 5).

    The stride sits in the first 1x1 convolution, as in the original model and in
    ``keras.applications.ResNet50``. Arguments as :func:`basic_block`.

    Returns
    -------
    y : symbolic tensor (N, ceil(H / strides), ceil(W / strides), 4 * filters)
    """
    out = conv_unit(x, filters, 1, f"{name}_1", strides=strides, batch_norm=batch_norm,
                    bias=conv_bias)
    out = conv_unit(out, filters, 3, f"{name}_2", batch_norm=batch_norm, bias=conv_bias)
    out = conv_unit(out, 4 * filters, 1, f"{name}_3", batch_norm=batch_norm, bias=conv_bias,
                    activation=None)
    if residual:
        out = layers.Add(name=f"{name}_add")(
            [_shortcut(x, 4 * filters, strides, name, conv_bias, batch_norm), out])
    return layers.Activation("relu", name=f"{name}_out")(out)
