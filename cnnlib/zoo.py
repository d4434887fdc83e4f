"""The classic CNN architectures as Keras builders, and a table of their sizes.

Every builder uses the functional API and takes ``input_shape`` (H, W, C) and ``num_classes``;
``width`` multiplies every layer's channel count (and the hidden dense units), so
``width=1/8`` gives a small version that trains on a CPU. The defaults reproduce the published
networks:

========================  ====  =====================================================
builder                   year  what it reproduces
========================  ====  =====================================================
``lenet1``                1990  LeCun et al.: 2 conv + average subsampling, tanh
``lenet5``                1998  LeCun et al. 1998, Fig. 2 (C1-S2-C3-S4-C5-F6-output)
``alexnet``               2012  Krizhevsky et al., single stream or two GPU columns
``vgg``                   2014  Simonyan & Zisserman, Table 1, configurations A-E
``nin``                   2013  Lin et al., the ImageNet Network in Network
``googlenet``             2014  Szegedy et al., Table 1 (Inception v1)
``resnet``                2015  He et al., Table 1: 18/34 (basic), 50/101/152 (bottleneck)
========================  ====  =====================================================

``small_input=True`` (NiN, GoogLeNet, ResNet) replaces the ImageNet stem (a large strided
convolution and pooling) by a stride-1 3x3 convolution, the usual adaptation to 28-32 pixel
images. :func:`zoo_table` lists every architecture's depth, parameters and multiply-adds,
measured with :mod:`cnnlib.complexity` (which works on any Keras model, ``keras.applications``
included) without allocating the weights.

The blocks the builders are made of (``basic_block``, ``inception_module``, ...) live in
:mod:`cnnlib.blocks` and can be imported from here too. Chapter 7 uses this module, and
chapter 10 through :mod:`cnnlib.segmentation`.

"""

import keras
from keras import layers

from cnnlib import _validate, complexity
from cnnlib.blocks import (LocalResponseNormalization, basic_block, bottleneck_block, conv_unit,
                           inception_module, mlpconv)

# --------------------------------------------------------------------------- helpers


def _scaled(n: int, width: float) -> int:
    return max(1, round(n * width))


def _check(input_shape, num_classes, width, dropout=0.0, **flags):
    """The arguments every builder shares; ``flags`` are booleans (``modern=modern``, ...)."""
    shape = _validate.shape("input_shape", input_shape)
    _validate.integer("num_classes", num_classes, minimum=2)
    _validate.real("width", width, above=0)
    _validate.real("dropout", dropout, minimum=0, below=1)
    for name, value in flags.items():
        _validate.boolean(name, value)
    return shape


#: words in Keras' messages about an input too small for the network
_TOO_SMALL = ("negative", "too small", "output size", "must be > 0", "size 0", "0-sized")


def _model(build, input_shape, name):
    """Run ``build(inputs)`` -> outputs; an input too small for the network becomes a ValueError
    naming ``input_shape`` (other errors pass through unchanged)."""
    inputs = keras.Input(input_shape)
    try:
        outputs = build(inputs)
    except ValueError as err:
        if not any(word in str(err).lower() for word in _TOO_SMALL):
            raise
        raise ValueError(f"input_shape {input_shape} is too small for {name}: {err}") from None
    return keras.Model(inputs, outputs, name=name)


# --------------------------------------------------------------------------- LeNet


def lenet1(input_shape=(28, 28, 1), num_classes=10, modern=False, width=1.0):
    """LeNet-1: 5x5 conv (4 maps) - 2x2 subsampling - 5x5 conv (12) - subsampling - dense.

    ``modern=False``: tanh and average pooling, as published; ``True``: ReLU and max pooling.
    Every second-layer map sees all first-layer maps (3,246 parameters at 28x28x1, 10 classes).

    Parameters
    ----------
    input_shape : (H, W, C) positive ints
    num_classes : int >= 2
    width : float > 0, multiplies every channel count (and hidden dense units)
    modern : bool, ReLU and max pooling instead of tanh and average pooling

    Returns
    -------
    model : keras.Model, images (N, H, W, C) -> class probabilities (N, num_classes)
    """
    input_shape = _check(input_shape, num_classes, width, modern=modern)
    act, pool = ("relu", layers.MaxPooling2D) if modern else ("tanh", layers.AveragePooling2D)

    def build(x):
        x = layers.Conv2D(_scaled(4, width), 5, activation=act, name="conv1")(x)
        x = pool(2, name="pool1")(x)
        x = layers.Conv2D(_scaled(12, width), 5, activation=act, name="conv2")(x)
        x = pool(2, name="pool2")(x)
        x = layers.Flatten(name="flatten")(x)
        return layers.Dense(num_classes, activation="softmax", name="output")(x)

    return _model(build, input_shape, "lenet1" + ("_modern" if modern else ""))


def lenet5(input_shape=(32, 32, 1), num_classes=10, modern=False, width=1.0, dropout=0.0):
    """LeNet-5 (LeCun et al. 1998): C1 6@5x5, S2, C3 16@5x5, S4, C5 120@5x5, F6 84, output.

    ``modern=False``: tanh and average pooling as published; ``True``: ReLU and max pooling.
    Simplifications (61,706 parameters at 32x32x1 vs. the paper's 60,840): C3 sees all six S2
    maps (the paper's table connects each to 3-6 of them), pooling has no trainable scale, and
    the output is a softmax dense layer instead of radial basis units.

    Parameters and Returns as :func:`lenet1`, and ``dropout``: float in [0, 1), the rate
    before F6 and before the output (not in the 1998 network).
    """
    input_shape = _check(input_shape, num_classes, width, dropout, modern=modern)
    act, pool = ("relu", layers.MaxPooling2D) if modern else ("tanh", layers.AveragePooling2D)

    def build(x):
        x = layers.Conv2D(_scaled(6, width), 5, activation=act, name="C1")(x)
        x = pool(2, name="S2")(x)
        x = layers.Conv2D(_scaled(16, width), 5, activation=act, name="C3")(x)
        x = pool(2, name="S4")(x)
        x = layers.Conv2D(_scaled(120, width), 5, activation=act, name="C5")(x)
        x = layers.Flatten(name="flatten")(x)
        if dropout:
            x = layers.Dropout(dropout, name="dropout1")(x)
        x = layers.Dense(_scaled(84, width), activation=act, name="F6")(x)
        if dropout:
            x = layers.Dropout(dropout, name="dropout2")(x)
        return layers.Dense(num_classes, activation="softmax", name="output")(x)

    return _model(build, input_shape, "lenet5" + ("_modern" if modern else ""))


# --------------------------------------------------------------------------- AlexNet


def alexnet(input_shape=(227, 227, 3), num_classes=1000, lrn=True, two_streams=False,
            dropout=0.5, width=1.0):
    """AlexNet (Krizhevsky et al. 2012): 5 conv + 3 dense layers, ReLU, overlapping 3x3/2 pooling.

    The arithmetic needs 227x227 inputs (the paper says 224).

    Parameters
    ----------
    input_shape : (H, W, C) positive ints
    num_classes : int >= 2
    width : float > 0, multiplies every channel count (and hidden dense units)
    lrn : bool, local response normalisation after conv1 and conv2 (as published)
    two_streams : bool, conv2, conv4 and conv5 split into two groups, as the paper's two GPU
        columns (60,965,224 parameters); single stream (default) has 62,378,344
    dropout : float in [0, 1), rate before fc6 and fc7

    Returns
    -------
    model : keras.Model, images (N, H, W, C) -> class probabilities (N, num_classes)
    """
    input_shape = _check(input_shape, num_classes, width, dropout, lrn=lrn,
                         two_streams=two_streams)
    groups = 2 if two_streams else 1
    w = lambda n: _scaled(n, width)

    def build(x):
        x = conv_unit(x, w(96), 11, "conv1", strides=4, padding="valid")
        if lrn:
            x = LocalResponseNormalization(name="lrn1")(x)
        x = layers.MaxPooling2D(3, 2, name="pool1")(x)
        x = conv_unit(x, w(256), 5, "conv2", groups=groups)
        if lrn:
            x = LocalResponseNormalization(name="lrn2")(x)
        x = layers.MaxPooling2D(3, 2, name="pool2")(x)
        x = conv_unit(x, w(384), 3, "conv3")
        x = conv_unit(x, w(384), 3, "conv4", groups=groups)
        x = conv_unit(x, w(256), 3, "conv5", groups=groups)
        x = layers.MaxPooling2D(3, 2, name="pool5")(x)
        x = layers.Flatten(name="flatten")(x)
        for i in (6, 7):
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
            x = layers.Dense(w(4096), activation="relu", name=f"fc{i}")(x)
        return layers.Dense(num_classes, activation="softmax", name="fc8")(x)

    return _model(build, input_shape, "alexnet" + ("_2streams" if two_streams else ""))


# --------------------------------------------------------------------------- VGG

#: Simonyan & Zisserman's Table 1: per block, (filters, kernel size); "LRN" after a layer.
VGG_CONFIGS = {
    "A": [[(64, 3)], [(128, 3)], [(256, 3)] * 2, [(512, 3)] * 2, [(512, 3)] * 2],
    "A-LRN": [[(64, 3), "LRN"], [(128, 3)], [(256, 3)] * 2, [(512, 3)] * 2, [(512, 3)] * 2],
    "B": [[(64, 3)] * 2, [(128, 3)] * 2, [(256, 3)] * 2, [(512, 3)] * 2, [(512, 3)] * 2],
    "C": [[(64, 3)] * 2, [(128, 3)] * 2, [(256, 3)] * 2 + [(256, 1)],
          [(512, 3)] * 2 + [(512, 1)], [(512, 3)] * 2 + [(512, 1)]],
    "D": [[(64, 3)] * 2, [(128, 3)] * 2, [(256, 3)] * 3, [(512, 3)] * 3, [(512, 3)] * 3],
    "E": [[(64, 3)] * 2, [(128, 3)] * 2, [(256, 3)] * 4, [(512, 3)] * 4, [(512, 3)] * 4],
}


def vgg(config="D", input_shape=(224, 224, 3), num_classes=1000, width=1.0, dense_units=None,
        dropout=0.5, batch_norm=False):
    """A VGG configuration (Simonyan & Zisserman 2014): "A", "A-LRN", "B", "C", "D" or "E".

    Blocks of 3x3 (and in C 1x1) "same" convolutions with ReLU, 2x2/2 max pooling after each
    block, then two dense layers of ``dense_units`` (default 4096 * width) and the classifier.
    D and E at the defaults equal ``keras.applications.VGG16`` / ``VGG19``.

    Parameters
    ----------
    config : str, a key of :data:`VGG_CONFIGS`
    input_shape : (H, W, C) positive ints, at least 32x32
    num_classes : int >= 2
    width : float > 0, multiplies every channel count (and hidden dense units)
    dense_units : int >= 1 or None, units of fc1 and fc2 (None: 4096 * width)
    dropout : float in [0, 1), rate after fc1 and fc2
    batch_norm : bool, batch normalisation after every convolution (not in the paper)

    Returns
    -------
    model : keras.Model, images (N, H, W, C) -> class probabilities (N, num_classes)
    """
    _validate.one_of("config", config, tuple(VGG_CONFIGS), noun="VGG config")
    input_shape = _check(input_shape, num_classes, width, dropout, batch_norm=batch_norm)
    units = (_scaled(4096, width) if dense_units is None
             else _validate.integer("dense_units", dense_units, minimum=1))

    def build(x):
        for b, block in enumerate(VGG_CONFIGS[config], start=1):
            i = 0
            for item in block:
                if item == "LRN":
                    x = LocalResponseNormalization(name=f"block{b}_lrn")(x)
                    continue
                i += 1
                x = conv_unit(x, _scaled(item[0], width), item[1], f"block{b}_conv{i}",
                              batch_norm=batch_norm)
            x = layers.MaxPooling2D(2, name=f"block{b}_pool")(x)
        x = layers.Flatten(name="flatten")(x)
        for i in (1, 2):
            x = layers.Dense(units, activation="relu", name=f"fc{i}")(x)
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
        return layers.Dense(num_classes, activation="softmax", name="predictions")(x)

    return _model(build, input_shape, f"vgg_{config}")


# --------------------------------------------------------------------------- Network in Network


def nin(input_shape=(224, 224, 3), num_classes=1000, width=1.0, dropout=0.5, small_input=False,
        batch_norm=False):
    """Network in Network (Lin et al. 2013), the ImageNet model: four mlpconv blocks.

    mlpconv(96, 11x11/4) - pool - mlpconv(256, 5x5) - pool - mlpconv(384, 3x3) - pool - dropout
    - mlpconv(1024, 1024, num_classes) - global average pooling - softmax: no dense layer.

    Parameters
    ----------
    input_shape : (H, W, C) positive ints
    num_classes : int >= 2
    width : float > 0, multiplies every channel count (and hidden dense units)
    dropout : float in [0, 1), rate before the last block
    small_input : bool, the first block uses a 5x5/1 convolution (for 28-32 pixel images)
    batch_norm : bool, batch normalisation after every convolution (not in the paper)

    Returns
    -------
    model : keras.Model, images (N, H, W, C) -> class probabilities (N, num_classes)
    """
    input_shape = _check(input_shape, num_classes, width, dropout, small_input=small_input,
                         batch_norm=batch_norm)
    w = lambda n: _scaled(n, width)

    def build(x):
        if small_input:
            x = mlpconv(x, [w(96)] * 3, 5, "mlpconv1", batch_norm=batch_norm)
        else:
            x = mlpconv(x, [w(96)] * 3, 11, "mlpconv1", strides=4, padding="valid",
                        batch_norm=batch_norm)
        x = layers.MaxPooling2D(3, 2, padding="same", name="pool1")(x)
        x = mlpconv(x, [w(256)] * 3, 5, "mlpconv2", batch_norm=batch_norm)
        x = layers.MaxPooling2D(3, 2, padding="same", name="pool2")(x)
        x = mlpconv(x, [w(384)] * 3, 3, "mlpconv3", batch_norm=batch_norm)
        x = layers.MaxPooling2D(3, 2, padding="same", name="pool3")(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = mlpconv(x, [w(1024), w(1024), num_classes], 3, "mlpconv4", batch_norm=batch_norm)
        x = layers.GlobalAveragePooling2D(name="global_pool")(x)
        return layers.Activation("softmax", name="predictions")(x)

    return _model(build, input_shape, "nin")


# --------------------------------------------------------------------------- GoogLeNet

#: Szegedy et al.'s Table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
INCEPTION_V1 = {
    "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64), "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
}


def _aux_head(x, num_classes, width, name):
    x = layers.AveragePooling2D(5, 3, name=f"{name}_pool")(x)
    x = conv_unit(x, _scaled(128, width), 1, f"{name}_conv")
    x = layers.Flatten(name=f"{name}_flatten")(x)
    x = layers.Dense(_scaled(1024, width), activation="relu", name=f"{name}_fc")(x)
    x = layers.Dropout(0.7, name=f"{name}_dropout")(x)
    return layers.Dense(num_classes, activation="softmax", name=f"{name}_predictions")(x)


def googlenet(input_shape=(224, 224, 3), num_classes=1000, aux_classifiers=False, width=1.0,
              lrn=True, batch_norm=False, small_input=False, dropout=0.4, modules=(2, 5, 2)):
    """GoogLeNet / Inception v1 (Szegedy et al. 2014): 9 inception modules, 22 weight layers deep.

    Stem: 7x7/2 conv, 3x3/2 max pool, LRN, 1x1 conv, 3x3 conv (192), LRN, 3x3/2 max pool; then
    3a-3b, pool, 4a-4e, pool, 5a-5b, global average pooling, dropout, one dense classifier.

    Parameters
    ----------
    input_shape : (H, W, C) positive ints
    num_classes : int >= 2
    width : float > 0, multiplies every channel count (and hidden dense units)
    aux_classifiers : bool, the two auxiliary heads on 4a and 4d
    lrn : bool, local response normalisation in the stem (as published)
    batch_norm : bool, batch normalisation after every convolution (the "Inception v2" of the
        BN paper, without its other changes)
    small_input : bool, a 3x3/1 first convolution and only the first of the stem's two
        poolings, so 32x32 inputs reach module 3a at 16x16
    dropout : float in [0, 1), rate before the classifier
    modules : 1-3 ints, how many inception modules of stages 3, 4 and 5 to keep (Table 1 has
        2, 5, 2; e.g. ``(1, 1)`` keeps 3a, pool, 4a for a small version)

    Returns
    -------
    model : keras.Model, images (N, H, W, C) -> class probabilities (N, num_classes); with
        ``aux_classifiers`` three such outputs: [main, aux1, aux2]
    """
    input_shape = _check(input_shape, num_classes, width, dropout, aux_classifiers=aux_classifiers,
                         lrn=lrn, batch_norm=batch_norm, small_input=small_input)
    if isinstance(modules, (str, bytes)) or not hasattr(modules, "__len__"):
        raise TypeError(f"modules must be a tuple of 1-3 stage counts, got {modules!r}")
    modules = tuple(_validate.integer(f"modules[{i}]", m) for i, m in enumerate(modules))
    if not 1 <= len(modules) <= 3 or any(not 1 <= m <= n for m, n in zip(modules, (2, 5, 2))):
        raise ValueError(f"modules must give 1-3 stage counts within (2, 5, 2), got {modules!r}")
    kept = [name for name in INCEPTION_V1  # "4c": stage 4 (index 1), third module (index 2)
            if int(name[0]) - 3 < len(modules)
            and "abcde".index(name[1]) < modules[int(name[0]) - 3]]
    if aux_classifiers and not {"4a", "4d"} <= set(kept):
        raise ValueError("aux_classifiers need modules 4a and 4d: modules[1] must be >= 4")
    w = lambda n: _scaled(n, width)

    def build(x):
        bn = batch_norm
        x = conv_unit(x, w(64), 3 if small_input else 7, "conv1",
                      strides=1 if small_input else 2, batch_norm=bn)
        x = layers.MaxPooling2D(3, 2, padding="same", name="pool1")(x)
        if lrn:
            x = LocalResponseNormalization(name="lrn1")(x)
        x = conv_unit(x, w(64), 1, "conv2_reduce", batch_norm=bn)
        x = conv_unit(x, w(192), 3, "conv2", batch_norm=bn)
        if lrn:
            x = LocalResponseNormalization(name="lrn2")(x)
        if not small_input:
            x = layers.MaxPooling2D(3, 2, padding="same", name="pool2")(x)
        aux = []
        for name in kept:
            filters = INCEPTION_V1[name]
            if name in ("4a", "5a"):
                x = layers.MaxPooling2D(3, 2, padding="same", name=f"pool{name[0]}")(x)
            x = inception_module(x, [w(f) for f in filters], f"inception_{name}", batch_norm=bn)
            if aux_classifiers and name in ("4a", "4d"):
                aux.append(_aux_head(x, num_classes, width, f"aux{len(aux) + 1}"))
        x = layers.GlobalAveragePooling2D(name="global_pool")(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        main = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
        return [main, *aux] if aux_classifiers else main

    return _model(build, input_shape, "googlenet")


# --------------------------------------------------------------------------- ResNet

#: He et al.'s Table 1: block type and blocks per stage.
RESNET_LAYERS = {18: ("basic", (2, 2, 2, 2)), 34: ("basic", (3, 4, 6, 3)),
                 50: ("bottleneck", (3, 4, 6, 3)), 101: ("bottleneck", (3, 4, 23, 3)),
                 152: ("bottleneck", (3, 8, 36, 3))}


def resnet(depth=50, input_shape=(224, 224, 3), num_classes=1000, width=1.0, conv_bias=False,
           small_input=False, residual=True, batch_norm=True, stages=None):
    """ResNet-18/34/50/101/152 (He et al. 2015), or its plain counterpart (``residual=False``).

    Stem 7x7/2 conv (64) + 3x3/2 max pool; four stages of basic or bottleneck blocks with
    64, 128, 256, 512 filters (x width), the first block of stages 2-4 with stride 2; global
    average pooling; softmax.

    Parameters
    ----------
    depth : 18, 34, 50, 101 or 152 (a key of :data:`RESNET_LAYERS`)
    input_shape : (H, W, C) positive ints
    num_classes : int >= 2
    width : float > 0, multiplies every channel count (and hidden dense units)
    conv_bias : bool, a bias in every convolution, as ``keras.applications.ResNet50/101/152``
        (redundant before batch norm): then the counts equal Keras'
    small_input : bool, 3x3/1 stem without pooling
    residual : bool; False: no shortcuts, the paper's "plain" network
    batch_norm : bool, batch normalisation after every convolution
    stages : 1-4 ints or None, blocks per stage, overriding ``depth``'s (e.g. ``(1, 1)`` for a
        two-stage toy)

    Returns
    -------
    model : keras.Model, images (N, H, W, C) -> class probabilities (N, num_classes)
    """
    if _validate.integer("depth", depth) not in RESNET_LAYERS:
        raise ValueError(f"depth must be one of {sorted(RESNET_LAYERS)}, got {depth!r}")
    input_shape = _check(input_shape, num_classes, width, conv_bias=conv_bias,
                         small_input=small_input, residual=residual, batch_norm=batch_norm)
    kind, blocks = RESNET_LAYERS[depth]
    if stages is not None:
        if isinstance(stages, (str, bytes)) or not hasattr(stages, "__len__"):
            raise TypeError(f"stages must be a tuple of 1-4 block counts, got {stages!r}")
        blocks = tuple(_validate.integer(f"stages[{i}]", b) for i, b in enumerate(stages))
        if not 1 <= len(blocks) <= 4 or min(blocks) < 1:
            raise ValueError(f"stages must be 1-4 positive block counts, got {stages!r}")
    block = basic_block if kind == "basic" else bottleneck_block

    def build(x):
        if small_input:
            x = conv_unit(x, _scaled(64, width), 3, "conv1", batch_norm=batch_norm,
                          bias=conv_bias)
        else:
            x = layers.ZeroPadding2D(3, name="conv1_pad")(x)
            x = conv_unit(x, _scaled(64, width), 7, "conv1", strides=2, padding="valid",
                          batch_norm=batch_norm, bias=conv_bias)
            x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
            x = layers.MaxPooling2D(3, 2, name="pool1")(x)
        for s, n in enumerate(blocks):
            for b in range(n):
                strides = 2 if s > 0 and b == 0 else 1
                x = block(x, _scaled(64 * 2**s, width), f"stage{s + 2}_block{b + 1}", strides,
                          residual=residual, conv_bias=conv_bias, batch_norm=batch_norm)
        x = layers.GlobalAveragePooling2D(name="global_pool")(x)
        return layers.Dense(num_classes, activation="softmax", name="predictions")(x)

    name = f"resnet{depth}" if residual else f"plain{depth}"
    return _model(build, input_shape, name if stages is None else f"{name}_custom")


# --------------------------------------------------------------------------- the table

#: name -> (year, builder, keyword arguments, native input shape). See :func:`zoo_table`.
ZOO = {
    "LeNet-1": (1990, lenet1, {"num_classes": 10}, (28, 28, 1)),
    "LeNet-5": (1998, lenet5, {"num_classes": 10}, (32, 32, 1)),
    "AlexNet": (2012, alexnet, {}, (227, 227, 3)),
    "VGG-11 (A)": (2014, vgg, {"config": "A"}, (224, 224, 3)),
    "VGG-11 (A-LRN)": (2014, vgg, {"config": "A-LRN"}, (224, 224, 3)),
    "VGG-13 (B)": (2014, vgg, {"config": "B"}, (224, 224, 3)),
    "VGG-16 (C)": (2014, vgg, {"config": "C"}, (224, 224, 3)),
    "VGG-16 (D)": (2014, vgg, {"config": "D"}, (224, 224, 3)),
    "VGG-19 (E)": (2014, vgg, {"config": "E"}, (224, 224, 3)),
    "NiN": (2013, nin, {}, (224, 224, 3)),
    "GoogLeNet": (2014, googlenet, {}, (224, 224, 3)),
    "ResNet-18": (2015, resnet, {"depth": 18}, (224, 224, 3)),
    "ResNet-34": (2015, resnet, {"depth": 34}, (224, 224, 3)),
    "ResNet-50": (2015, resnet, {"depth": 50}, (224, 224, 3)),
    "ResNet-101": (2015, resnet, {"depth": 101}, (224, 224, 3)),
    "ResNet-152": (2015, resnet, {"depth": 152}, (224, 224, 3)),
}


def zoo_table(names=None):
    """One row per architecture of :data:`ZOO`, at its native input size (no weights allocated).

    Parameters
    ----------
    names : keys of :data:`ZOO` (a list of str), or None for all of them

    Returns
    -------
    rows : list of dicts with keys name, year, input (H, W, C), depth (weight layers), params,
        trainable_params and multiply_adds (one image): see :func:`cnnlib.complexity.measure`
    """
    if isinstance(names, str):
        raise TypeError(f"names must be a list of architecture names, not a str: [{names!r}]")
    names = list(ZOO) if names is None else list(names)
    unknown = [n for n in names if n not in ZOO]
    if unknown:
        raise ValueError(f"unknown architecture(s) {unknown}; known: {', '.join(ZOO)}")
    rows = []
    for name in names:
        year, builder, kwargs, shape = ZOO[name]
        rows.append({"name": name, "year": year, "input": shape,
                     **complexity.measure(builder, input_shape=shape, **kwargs)})
    return rows


def format_table(rows) -> str:
    """The rows of :func:`zoo_table` as aligned text, one line per row under a header.

    Parameters
    ----------
    rows : list of dicts as returned by :func:`zoo_table`

    Returns
    -------
    text : str with all parameters, the trainable ones (batch normalisation's moving
        statistics are not), and multiply-adds in millions for one image
    """
    header = (f"{'model':<15} {'year':>4} {'input':>11} {'depth':>5} {'parameters':>12} "
              f"{'trainable':>12} {'mult-adds (M)':>13}")
    lines = [header]
    for r in rows:
        h, w, c = r["input"]
        lines.append(f"{r['name']:<15} {r['year']:>4} {f'{h}x{w}x{c}':>11} {r['depth']:>5} "
                     f"{r['params']:>12,} {r['trainable_params']:>12,} "
                     f"{r['multiply_adds'] / 1e6:>13,.1f}")
    return "\n".join(lines)
