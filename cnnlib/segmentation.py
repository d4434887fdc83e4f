"""Semantic segmentation: metrics (pixel accuracy, IoU), transposed convolution, FCN builders.

* Metrics in NumPy, equal to ``keras.metrics.MeanIoU`` / ``IoU``: :func:`confusion_matrix`,
  :func:`pixel_accuracy`, :func:`iou_per_class`, :func:`mean_iou`, and :func:`box_iou` for
  detection boxes.
* From classifier to dense predictor: :func:`dense_to_conv_kernel` and :func:`convolutionize`
  turn fully connected layers into convolutions (Long, Shelhamer & Darrell 2015, section 3.1).
* Upsampling: ``conv2d_transpose`` (from :mod:`cnnlib.ops`, kept here for chapter 10),
  :func:`bilinear_kernel` / :class:`BilinearInitializer` (the FCN paper's initialisation).
* :func:`fcn`: FCN-32s, FCN-16s and FCN-8s on a small VGG backbone from :mod:`cnnlib.zoo`.
* :func:`load_camvid`: the CamVid street scenes of the course sample (from
  :mod:`cnnlib.datasets`, kept here for chapter 10).

Label maps are integer arrays of any shape (e.g. ``(N, H, W)``); images are NHWC like Keras.
"""

import math
import numbers

import keras
import numpy as np
from keras import layers

from cnnlib import _validate, zoo
from cnnlib.ops import conv2d_transpose  # noqa: F401  (chapter 10 calls seg.conv2d_transpose)
from cnnlib.datasets.samples import CAMVID_CLASSES, CAMVID_VOID, CamVid, load_camvid  # noqa: F401

# --------------------------------------------------------------------------- metrics


def _label_maps(y_true, y_pred, num_classes, ignore_index):
    num_classes = _validate.integer("num_classes", num_classes, minimum=1)
    if ignore_index is not None:
        ignore_index = _validate.integer("ignore_index", ignore_index)
    arrays = []
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        y = np.asarray(y)
        if y.dtype == bool:
            y = y.astype(np.int64)
        if not np.issubdtype(y.dtype, np.integer):
            raise TypeError(f"{name} must hold integer class ids, got dtype {y.dtype}; "
                            f"for scores or probabilities take argmax over the class axis first")
        arrays.append(y)
    y_true, y_pred = arrays
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {y_true.shape} "
                         f"and {y_pred.shape}")
    if y_true.size == 0:
        raise ValueError("y_true and y_pred are empty")
    keep = np.ones(y_true.shape, bool) if ignore_index is None else y_true != ignore_index
    y_true, y_pred = y_true[keep].astype(np.int64), y_pred[keep].astype(np.int64)
    if y_true.size == 0:
        raise ValueError(f"every pixel of y_true is ignore_index={ignore_index}: nothing to score")
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        bad = (y < 0) | (y >= num_classes)
        if bad.any():
            extra = "" if name == "y_pred" or ignore_index is None else \
                f" (pixels equal to ignore_index={ignore_index} are skipped)"
            raise ValueError(f"{name} holds class id {y[bad][0]}, outside 0..{num_classes - 1} "
                             f"for num_classes={num_classes}{extra}")
    return y_true, y_pred


def confusion_matrix(y_true, y_pred, num_classes, ignore_index=None):
    """Count pixels per (true class, predicted class).

    Parameters
    ----------
    y_true, y_pred : integer arrays of the same shape (e.g. (N, H, W)), class ids in
        ``0..num_classes-1``; ``y_true`` may also hold ``ignore_index``
    num_classes : int
    ignore_index : int or None; pixels whose *true* label equals it ("void") are not counted

    Returns
    -------
    int64 array (num_classes, num_classes): ``cm[t, p]`` pixels of class ``t`` predicted as ``p``
    (Keras' ``MeanIoU`` accumulates the same matrix).
    """
    t, p = _label_maps(y_true, y_pred, num_classes, ignore_index)
    counts = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def pixel_accuracy(y_true, y_pred, ignore_index=None):
    """Fraction of (non-void) pixels whose predicted class is the true one.

    ``acc = |pixels correctly predicted| / |pixels|``.

    Parameters
    ----------
    y_true, y_pred : integer class ids of the same shape, e.g. (N, H, W)
    ignore_index : int or None; pixels with ``y_true == ignore_index`` are left out

    Returns
    -------
    accuracy : float in [0, 1]
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    ids = all(y.dtype.kind in "iub" for y in (y_true, y_pred))  # else _label_maps says why
    top = max(int(y_true.max(initial=0)), int(y_pred.max(initial=0))) + 1 if ids else 1
    t, p = _label_maps(y_true, y_pred, top, ignore_index)
    return float(np.mean(t == p))


def iou_per_class(y_true, y_pred, num_classes, ignore_index=None):
    """Jaccard index of every class: ``|P(c) & GT(c)| / |P(c) | GT(c)|``.

    Parameters
    ----------
    y_true, y_pred, num_classes, ignore_index : as :func:`confusion_matrix`

    Returns
    -------
    float array (num_classes,). A class absent from both the truth and the prediction has an
    empty union, and its IoU is undefined: it is ``nan`` here (Keras' ``IoU`` metric reports 0
    for it). A class in only one of them has IoU 0.
    """
    cm = confusion_matrix(y_true, y_pred, num_classes, ignore_index)
    tp = np.diag(cm).astype(np.float64)
    union = cm.sum(axis=0) + cm.sum(axis=1) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, tp / union, np.nan)


def mean_iou(y_true, y_pred, num_classes, ignore_index=None):
    """Mean of :func:`iou_per_class` over the classes present in the truth or the prediction.

    Classes absent from both are left out of the mean (their IoU is undefined), exactly as
    ``keras.metrics.MeanIoU`` does; with ``ignore_index`` it equals
    ``MeanIoU(num_classes, ignore_class=ignore_index)``.

    Parameters
    ----------
    y_true, y_pred, num_classes, ignore_index : as :func:`confusion_matrix`

    Returns
    -------
    miou : float in [0, 1]
    """
    return float(np.nanmean(iou_per_class(y_true, y_pred, num_classes, ignore_index)))


def box_iou(box_a, box_b):
    """Intersection over union of axis-aligned boxes.

    Parameters
    ----------
    box_a, box_b : array-like (..., 4), ``(top, left, bottom, right)`` with ``bottom > top`` and
        ``right > left`` (the end-exclusive pixel boxes of :class:`cnnlib.scenes.SceneObject`, or
        continuous coordinates; ``(x0, y0, x1, y1)`` works the same). Leading axes broadcast.

    Returns
    -------
    float, or float array of the broadcast leading shape, in [0, 1].
    """
    out = []
    for name, box in (("box_a", box_a), ("box_b", box_b)):
        box = np.asarray(box)
        if box.dtype == object or not np.issubdtype(box.dtype, np.number):
            raise TypeError(f"{name} must hold numbers (top, left, bottom, right), got {box!r}")
        if box.ndim == 0 or box.shape[-1] != 4:
            raise ValueError(f"{name} must have shape (..., 4) = (top, left, bottom, right), "
                             f"got shape {box.shape}")
        if not ((box[..., 2] > box[..., 0]) & (box[..., 3] > box[..., 1])).all():
            raise ValueError(f"{name} needs bottom > top and right > left (a positive area), "
                             f"got {box.tolist()}")
        out.append(box.astype(np.float64))
    a, b = out
    height = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    width = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = height * width
    area = lambda q: (q[..., 2] - q[..., 0]) * (q[..., 3] - q[..., 1])  # noqa: E731
    iou = inter / (area(a) + area(b) - inter)
    return float(iou) if np.ndim(iou) == 0 else iou


# --------------------------------------------------------------------------- dense -> conv


def dense_to_conv_kernel(kernel, feature_shape):
    """Reshape a Dense kernel that follows ``Flatten`` into the equivalent convolution kernel.

    A Dense layer on the flattened ``(h, w, c)`` feature map is a ``h x w`` "valid" convolution
    with ``units`` filters; on a larger map the convolution slides and gives a map of scores.

    Parameters
    ----------
    kernel : array (h * w * c, units), the Dense layer's kernel
    feature_shape : (h, w, c), the shape Flatten received (Keras flattens in row-major order)

    Returns
    -------
    array (h, w, c, units), a Conv2D kernel.
    """
    kernel = _validate.array("kernel", kernel, ndim=2, layout="(inputs, units), a Dense kernel")
    if not isinstance(feature_shape, (tuple, list)) or len(feature_shape) != 3:
        raise ValueError(f"feature_shape must be (h, w, c) positive ints, got {feature_shape!r}")
    h, w, c = _validate.per_axis("feature_shape", feature_shape, 3)
    if h * w * c != kernel.shape[0]:
        raise ValueError(f"feature_shape {feature_shape} has {h * w * c} values but the kernel "
                         f"has {kernel.shape[0]} inputs")
    return kernel.reshape(h, w, c, kernel.shape[1])


_PASS_THROUGH = (layers.Conv2D, layers.MaxPooling2D, layers.AveragePooling2D, layers.Activation,
                 layers.ReLU, layers.BatchNormalization, layers.Dropout, layers.Rescaling)


def convolutionize(model, input_shape=(None, None)):
    """A fully convolutional copy of a plain classifier: every Dense layer becomes a convolution.

    The model must be a linear stack ``[conv/pool/... layers] -> Flatten -> Dense -> ... ->
    Dense``. The first Dense (on the flattened ``h x w x c`` map) becomes an ``h x w`` "valid"
    Conv2D, every later Dense a 1x1 Conv2D, with the same weights and activations. On the
    training size the new model gives the same scores, as a ``(N, 1, 1, classes)`` map; on a
    larger image, a map of scores, one per window position.

    Parameters
    ----------
    model : keras.Model, a Sequential or single-chain functional classifier
    input_shape : (height, width) of the new input; None (default) accepts any size

    Returns
    -------
    keras.Model, input (N, H, W, C) -> output (N, H', W', units of the last Dense).
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    chain = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    for layer in chain:
        inbound = getattr(layer, "_inbound_nodes", [])
        if any(len(node.parent_nodes) > 1 for node in inbound):
            raise ValueError(f"layer {layer.name!r} has several inputs: convolutionize needs a "
                             f"plain chain of layers")
    channels = model.inputs[0].shape[-1]
    inputs = keras.Input((*input_shape, channels))
    x, flat_shape = inputs, None
    for layer in chain:
        if isinstance(layer, layers.Flatten):
            flat_shape = tuple(layer.input.shape[1:])
            continue
        if isinstance(layer, layers.Dense):
            kernel, *bias = layer.get_weights()
            if flat_shape is not None:
                kernel = dense_to_conv_kernel(kernel, flat_shape)
                flat_shape = None
            elif x.shape[-1] == kernel.shape[0]:
                kernel = kernel[None, None]
            else:
                raise ValueError(f"Dense layer {layer.name!r} is not preceded by Flatten")
            conv = layers.Conv2D(kernel.shape[-1], kernel.shape[:2], use_bias=bool(bias),
                                 activation=layer.activation, name=f"{layer.name}_as_conv")
            x = conv(x)
            conv.set_weights([kernel, *bias])
        elif isinstance(layer, _PASS_THROUGH):
            copy = layer.__class__.from_config(layer.get_config())
            x = copy(x)
            copy.set_weights(layer.get_weights())
        else:
            raise ValueError(f"layer {layer.name!r} ({type(layer).__name__}) is not supported; "
                             f"allowed: Flatten, Dense and "
                             f"{', '.join(t.__name__ for t in _PASS_THROUGH)}")
    return keras.Model(inputs, x, name=f"{model.name}_fully_conv")


# --------------------------------------------------------------------------- upsampling


def bilinear_kernel(factor, channels=1):
    """The FCN paper's transposed-convolution kernel for ``factor``-times bilinear upsampling.

    Size ``k = 2 factor - factor % 2``, weights ``(1 - |u - c| / f) (1 - |v - c| / f)`` with
    ``f = ceil(k / 2)`` and centre ``c`` (Caffe's ``upsample_filt``), on the channel diagonal:
    each channel is upsampled on its own. Used by ``Conv2DTranspose(channels, k,
    strides=factor, padding="same")`` it equals ``tf.image.resize(..., "bilinear")`` away from
    the borders (the border rows are interpolated with zeros instead of clamped).

    Parameters
    ----------
    factor : int >= 1, the upsampling factor
    channels : int >= 1

    Returns
    -------
    kernel : float32 array (k, k, channels, channels)
    """
    factor = _validate.integer("factor", factor, minimum=1)
    channels = _validate.integer("channels", channels, minimum=1)
    size = 2 * factor - factor % 2
    f = math.ceil(size / 2)
    centre = f - 1 if size % 2 == 1 else f - 0.5
    ramp = 1 - np.abs(np.arange(size) - centre) / f
    kernel = np.zeros((size, size, channels, channels), np.float32)
    kernel[:, :, np.arange(channels), np.arange(channels)] = np.outer(ramp, ramp)[..., None]
    return kernel


@keras.saving.register_keras_serializable(package="cnnlib")
class BilinearInitializer(keras.initializers.Initializer):
    """Keras initializer giving :func:`bilinear_kernel` for a ``Conv2DTranspose`` kernel.

    The layer must have ``kernel_size = 2 factor - factor % 2`` and as many filters as input
    channels; the factor is read from the kernel size. Shape (k, k, C, C) -> the bilinear kernel.
    """

    def __call__(self, shape, dtype=None):
        k, k2, c_out, c_in = shape
        if k != k2 or c_out != c_in:
            raise ValueError(f"a bilinear kernel needs a square kernel and filters == input "
                             f"channels, got shape {tuple(shape)}")
        factor = (k + 1) // 2
        if 2 * factor - factor % 2 != k:
            raise ValueError(f"kernel size {k} is not 2 * factor - factor % 2 for any factor")
        return keras.ops.convert_to_tensor(bilinear_kernel(factor, c_out), dtype=dtype)

    def get_config(self):
        return {}


def bilinear_upsampling(channels, factor, trainable=True, name=None):
    """A ``Conv2DTranspose`` that starts as ``factor``-times bilinear upsampling (no bias).

    Parameters
    ----------
    channels : int >= 1, input and output channels
    factor : int >= 1, the upsampling factor
    trainable : bool; False keeps it fixed, as FCN's final upsampling layer
    name : str or None, the layer's name

    Returns
    -------
    layer : keras.layers.Conv2DTranspose, (N, H, W, channels) -> (N, H * factor, W * factor,
        channels)
    """
    factor = _validate.integer("factor", factor, minimum=1)
    channels = _validate.integer("channels", channels, minimum=1)
    layer = layers.Conv2DTranspose(channels, 2 * factor - factor % 2, strides=factor,
                                   padding="same", use_bias=False,
                                   kernel_initializer=BilinearInitializer(), name=name)
    layer.trainable = _validate.boolean("trainable", trainable)
    return layer


# --------------------------------------------------------------------------- FCN

FCN_VARIANTS = ("32s", "16s", "8s")


def fcn(variant="8s", input_shape=(64, 64, 3), num_classes=4, width=1 / 16, head_units=64,
        backbone="A", batch_norm=True):
    """FCN-32s, FCN-16s or FCN-8s (Long, Shelhamer & Darrell 2015) on a small VGG backbone.

    The backbone is :func:`cnnlib.zoo.vgg` (``backbone`` = its configuration) up to
    ``block5_pool`` (stride 32). Its dense layers become convolutions (``fc6``: 3x3, ``fc7``:
    1x1, ``head_units`` filters each) and a 1x1 ``score_fr`` gives class scores at stride 32.

    * ``"32s"``: upsample those scores 32x in one fixed bilinear transposed convolution;
    * ``"16s"``: upsample 2x (learned, bilinear start), add 1x1 scores of ``block4_pool``
      (stride 16, zero start), upsample 16x;
    * ``"8s"``: as 16s, then 2x again, add scores of ``block3_pool`` (stride 8), upsample 8x.

    Parameters
    ----------
    variant : "32s", "16s" or "8s"
    input_shape : (H, W, C), H and W multiples of 32
    num_classes : int >= 2, classes per pixel (background included)
    width : float, channel multiplier of the VGG backbone (1 = the published VGG)
    head_units : int, filters of fc6 and fc7
    backbone : VGG configuration ("A", "B", "D", ...), see ``cnnlib.zoo.VGG_CONFIGS``
    batch_norm : bool, batch normalisation after every backbone convolution

    Returns
    -------
    keras.Model, input (N, H, W, C) -> per-pixel class probabilities (N, H, W, num_classes).
    """
    if variant not in FCN_VARIANTS:
        raise ValueError(f"variant must be one of {FCN_VARIANTS}, got {variant!r}")
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    for i in (0, 1):
        if isinstance(input_shape[i], numbers.Integral) and input_shape[i] % 32:
            raise ValueError(f"input_shape height and width must be multiples of 32 (the "
                             f"stride of block5_pool), got {tuple(input_shape)}")
    head_units = _validate.integer("head_units", head_units, minimum=1)
    base = zoo.vgg(backbone, input_shape=input_shape, num_classes=num_classes, width=width,
                   batch_norm=batch_norm)
    pool3, pool4, pool5 = (base.get_layer(f"block{b}_pool").output for b in (3, 4, 5))
    x = layers.Conv2D(head_units, 3, padding="same", activation="relu", name="fc6")(pool5)
    x = layers.Conv2D(head_units, 1, activation="relu", name="fc7")(x)
    score = layers.Conv2D(num_classes, 1, name="score_fr")(x)
    stride = 32
    for skip, name in ((pool4, "pool4"), (pool3, "pool3"))[:FCN_VARIANTS.index(variant)]:
        score = bilinear_upsampling(num_classes, 2, name=f"up_to_{name}")(score)
        skip_score = layers.Conv2D(num_classes, 1, kernel_initializer="zeros",
                                   name=f"score_{name}")(skip)
        score = layers.Add(name=f"fuse_{name}")([score, skip_score])
        stride //= 2
    # the final upsampling is fixed bilinear interpolation, as in the paper; UpSampling2D
    # computes it like bilinear_upsampling(..., trainable=False) but much faster on a CPU
    score = layers.UpSampling2D(stride, interpolation="bilinear", name=f"up{stride}")(score)
    probs = layers.Activation("softmax", name="softmax")(score)
    return keras.Model(base.input, probs, name=f"fcn{variant}")
