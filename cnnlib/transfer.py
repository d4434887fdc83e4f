"""Transfer learning: a backbone with a new head, freezing by block, and a cache of weights.

- :func:`small_backbone`: a small convolutional feature extractor whose layers are grouped in
  named blocks (``block1_conv``, ``block1_bn``, ...), like ``keras.applications.VGG19``;
- :func:`with_head`: the backbone (called with ``training=False``) plus a new classifier;
- :func:`block_ids` / :func:`freeze_blocks`: freeze the first blocks, train the rest;
- :func:`augmentation`: Keras preprocessing layers that perturb images, not labels;
- :func:`cache_dir` / :func:`cached_model`: pretrain once, save a ``.keras`` file, reuse it;
- :func:`applications_backbone`: a ``keras.applications`` network (e.g. MobileNetV2) with
  ImageNet weights where they are reachable, as a feature extractor.

The weights cache lives in ``$CNNLIB_CACHE_DIR``, by default ``~/.cache/cnnlib``: never inside
the repository.

Chapter 8 uses it.

"""

import os
import re
from pathlib import Path

import keras
from keras import layers

from cnnlib import _validate
from cnnlib.env import cache_dir  # noqa: F401 (public here too: transfer.cache_dir())

_BLOCK = re.compile(r"^block_?(\d+)_")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# --------------------------------------------------------------------------- models

def small_backbone(input_shape=(28, 28, 1), widths=(16, 32, 64), batch_norm=True,
                   pooling="avg", name="backbone"):
    """A small CNN feature extractor made of numbered blocks.

    Block ``i`` is ``Conv2D(widths[i-1], 3, padding="same")`` (+ ``BatchNormalization``) + ReLU
    + 2x2 max pooling, its layers named ``block{i}_conv``, ``block{i}_bn``, ``block{i}_relu``,
    ``block{i}_pool``; a layer named ``features`` ends the network: global average pooling
    (``pooling="avg"``) or flattening (``pooling="flatten"``, which keeps where things are).

    Parameters
    ----------
    input_shape : (H, W, C), each side at least ``2 ** len(widths)``
    widths : channels of each block's convolution
    batch_norm : bool; with batch normalisation (the convolution then has no bias)
    pooling : "avg" or "flatten"

    Returns
    -------
    keras.Model mapping images (N, H, W, C) to features (N, D): D = ``widths[-1]`` for "avg",
    ``(H // 2**B) * (W // 2**B) * widths[-1]`` for "flatten" with B blocks.
    """
    input_shape = _validate.shape("input_shape", input_shape)
    _validate.boolean("batch_norm", batch_norm)
    if not isinstance(widths, (tuple, list)) or not widths:
        raise ValueError(f"widths must be a non-empty tuple of positive ints, got {widths!r}")
    widths = [_validate.integer(f"widths[{i}]", w, minimum=1) for i, w in enumerate(widths)]
    if pooling not in ("avg", "flatten"):
        raise ValueError(f"pooling must be 'avg' or 'flatten', got {pooling!r}")
    if min(input_shape[:2]) < 2 ** len(widths):
        raise ValueError(f"input_shape {input_shape} is too small for {len(widths)} blocks of 2x2 "
                         f"pooling: each side needs at least {2 ** len(widths)} pixels")
    inputs = keras.Input(input_shape)
    x = inputs
    for i, w in enumerate(widths, start=1):
        x = layers.Conv2D(w, 3, padding="same", use_bias=not batch_norm, name=f"block{i}_conv")(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=0.9, name=f"block{i}_bn")(x)
        x = layers.Activation("relu", name=f"block{i}_relu")(x)
        x = layers.MaxPooling2D(2, name=f"block{i}_pool")(x)
    if pooling == "avg":
        outputs = layers.GlobalAveragePooling2D(name="features")(x)
    else:
        outputs = layers.Flatten(name="features")(x)
    return keras.Model(inputs, outputs, name=name)


def with_head(backbone, num_classes, dropout=0.0, name="classifier"):
    """The backbone followed by a new softmax layer (the "replace the output layer" step).

    Parameters
    ----------
    backbone : keras.Model mapping images (N, H, W, C) to features (N, D)
    num_classes : int >= 2; units of the new output layer
    dropout : float in [0, 1); dropout on the features before the output layer

    Returns
    -------
    keras.Model mapping images (N, H, W, C) to class probabilities (N, num_classes); the backbone
    is shared (not copied): freezing its blocks affects this model.

    Notes
    -----
    In Keras 3, ``fit`` calls every layer with ``training=True``, overriding a
    ``backbone(x, training=False)`` written when the model was built (keras-team/keras#20285).
    What keeps batch normalisation in inference mode is freezing those layers:
    ``freeze_blocks(..., freeze_batch_norm=True)`` (a frozen BatchNormalization layer normalises
    with its stored statistics and never updates them).
    """
    _validate.keras_model("backbone", backbone)
    num_classes = _validate.integer("num_classes", num_classes, minimum=2)
    dropout = _validate.real("dropout", dropout, minimum=0, below=1)
    inputs = keras.Input(backbone.input_shape[1:])
    x = backbone(inputs)
    if dropout:
        x = layers.Dropout(dropout, name="head_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def block_ids(model):
    """Sorted block numbers of a model whose layers are named ``block{i}_...`` or ``block_{i}_...``.

    Works with :func:`small_backbone`, ``keras.applications.VGG16/VGG19`` and MobileNetV2.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    ids : sorted list of int, empty when no layer is named that way
    """
    _validate.keras_model("model", model)
    return sorted({int(m.group(1)) for layer in model.layers if (m := _BLOCK.match(layer.name))})


def freeze_blocks(model, n_frozen, freeze_batch_norm=True):
    """Freeze the first ``n_frozen`` blocks of ``model`` and make every later layer trainable.

    Layers with weights outside any block (a stem before block 1, a top after the last block)
    follow their position: frozen before the first trainable block, trainable after it.
    ``n_frozen=0`` trains everything; ``n_frozen=len(block_ids(model))`` freezes the whole
    backbone (feature extraction). Compile (again) after changing what is trainable.

    Parameters
    ----------
    model : keras.Model with layers named ``block{i}_...`` (see :func:`block_ids`)
    n_frozen : int, 0 .. number of blocks
    freeze_batch_norm : bool; keep every BatchNormalization layer frozen, also in trainable
        blocks, so that it runs in inference mode (stored mean and variance, no updates): the
        usual advice for fine-tuning on a small dataset.

    Returns
    -------
    list of str: the names of the layers with weights that are now trainable.
    """
    ids = block_ids(model)
    if not ids:
        raise ValueError(f"model {model.name!r} has no layers named block<i>_...; "
                         "freeze_blocks needs numbered blocks (see small_backbone)")
    n_frozen = _validate.integer("n_frozen", n_frozen, minimum=0, maximum=len(ids),
                                 why=f"the model has blocks {ids}")
    _validate.boolean("freeze_batch_norm", freeze_batch_norm)
    frozen_ids = set(ids[:n_frozen])
    model.trainable = True
    trainable, seen_trainable_block = [], n_frozen == 0
    for layer in model.layers:
        m = _BLOCK.match(layer.name)
        if m:
            layer.trainable = int(m.group(1)) not in frozen_ids
            seen_trainable_block = seen_trainable_block or layer.trainable
        else:
            layer.trainable = seen_trainable_block
        if freeze_batch_norm and isinstance(layer, layers.BatchNormalization):
            layer.trainable = False
        if layer.trainable and layer.weights:
            trainable.append(layer.name)
    return trainable


def augmentation(flip="horizontal", rotation=0.05, translation=0.1, zoom=0.1, noise=0.0,
                 seed=0, name="augmentation"):
    """Random perturbations of images that keep their label, as Keras preprocessing layers.

    Parameters
    ----------
    flip : "horizontal", "vertical", "horizontal_and_vertical" or None
        (None for digits and text: a mirrored 2 is no longer a 2)
    rotation : float >= 0; largest rotation as a fraction of a full turn (0.05 = 18 degrees)
    translation : float >= 0; largest shift as a fraction of the height and width
    zoom : float >= 0; largest zoom in or out as a fraction of the size
    noise : float in [0, 1]; standard deviation of added Gaussian noise, in the units of the
        input (Keras allows at most 1: scale images to 0..1 first)
    seed : int; seeds every random layer

    Returns
    -------
    keras.Sequential mapping (N, H, W, C) to (N, H, W, C); random only when called with
    ``training=True`` (as ``fit`` does), the identity otherwise.
    """
    if flip not in ("horizontal", "vertical", "horizontal_and_vertical", None):
        raise ValueError(f"flip must be 'horizontal', 'vertical', 'horizontal_and_vertical' or "
                         f"None, got {flip!r}")
    for value, label in ((rotation, "rotation"), (translation, "translation"), (zoom, "zoom")):
        _validate.real(label, value, minimum=0)
    if _validate.real("noise", noise, minimum=0) > 1:
        raise ValueError(f"noise must be at most 1 (Keras' GaussianNoise limit; scale the images "
                         f"to 0..1), got {noise!r}")
    seed = _validate.integer("seed", seed)
    steps = []
    if flip:
        steps.append(layers.RandomFlip(flip, seed=seed))
    if rotation:
        steps.append(layers.RandomRotation(rotation, fill_mode="constant", seed=seed + 1))
    if translation:
        steps.append(layers.RandomTranslation(translation, translation, fill_mode="constant",
                                              seed=seed + 2))
    if zoom:
        steps.append(layers.RandomZoom(zoom, fill_mode="constant", seed=seed + 3))
    if noise:
        steps.append(layers.GaussianNoise(noise, seed=seed + 4))
    return keras.Sequential(steps, name=name)


# --------------------------------------------------------------------------- weights cache

def _signature(model):
    """(layer type, weight shapes) of every layer with weights: what must match to reuse weights."""
    return [(type(layer).__name__, [tuple(w.shape) for w in layer.weights])
            for layer in _flat_layers(model) if layer.weights]


def _flat_layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _flat_layers(layer)
        else:
            yield layer


def cached_model(name, build, pretrain, rebuild=False, directory=None):
    """Pretrain a model once and keep its weights in ``<cache>/<name>.keras``.

    A warm cache skips ``pretrain``: the model from ``build()`` gets the saved weights. A cold
    cache (or ``rebuild=True``) runs ``pretrain(model)`` and saves the result.

    Parameters
    ----------
    name : str; file stem, letters, digits, ``_ . -`` (put the settings that change the
        weights into it, e.g. ``"digits04_16-32-64_e3"``)
    build : callable () -> keras.Model; builds the untrained model (cheap)
    pretrain : callable (model) -> anything; trains the model in place (expensive)
    rebuild : bool; ignore (and overwrite) a saved file
    directory : folder of the cache (default :func:`cache_dir`)

    Returns
    -------
    (model, status): the built model with pretrained weights, and ``"loaded"`` (from the cache)
    or ``"trained"`` (pretrained now and saved).

    Raises
    ------
    ValueError
        if the saved file cannot be read, or holds weights of another architecture; the message
        names the file and how to rebuild it.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name must be a file stem of letters, digits and _ . - (got {name!r})")
    for fn, label in ((build, "build"), (pretrain, "pretrain")):
        if not callable(fn):
            raise TypeError(f"{label} must be callable, got {type(fn).__name__}")
    folder = Path(directory) if directory is not None else cache_dir()
    path = folder / f"{name}.keras"
    model = build()
    _validate.keras_model("build()", model)
    if path.exists() and not rebuild:
        how = (f"delete {path} or call cached_model(..., rebuild=True) to pretrain again")
        try:
            saved = keras.saving.load_model(path, compile=False)
        except Exception as err:  # Keras raises several types for a broken archive
            raise ValueError(f"cannot read the cached weights {path} ({type(err).__name__}: "
                             f"{str(err)[:200]}); {how}") from err
        want, got = _signature(model), _signature(saved)
        if want != got:
            diff = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b),
                        min(len(want), len(got)))
            raise ValueError(f"the cached weights {path} belong to another architecture "
                             f"({len(got)} weight layers, expected {len(want)}; first difference "
                             f"at weight layer {diff}: saved "
                             f"{got[diff] if diff < len(got) else None}, built "
                             f"{want[diff] if diff < len(want) else None}); {how}")
        model.set_weights(saved.get_weights())
        return model, "loaded"
    pretrain(model)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{name}.partial.keras"
    model.save(partial)
    os.replace(partial, path)  # a crash mid-save never leaves a half-written cache file
    return model, "trained"


# --------------------------------------------------------------------------- keras.applications

def applications_backbone(name="MobileNetV2", input_shape=(96, 96, 3), weights="imagenet"):
    """A ``keras.applications`` network without its top, as a feature extractor.

    Parameters
    ----------
    name : str; a ``keras.applications`` builder, e.g. "MobileNetV2", "VGG19", "ResNet50"
    input_shape : (H, W, 3)
    weights : "imagenet" (Keras cache or download) or None (random initialisation)

    Returns
    -------
    keras.Model mapping images (N, H, W, 3), preprocessed with the matching
    ``keras.applications.<module>.preprocess_input``, to features (N, D) (global average pooling).

    Raises
    ------
    RuntimeError
        if the ImageNet weights are neither in the Keras cache nor downloadable (no network):
        use an offline backbone such as :func:`small_backbone` with :func:`cached_model`.
    """
    if not isinstance(name, str) or not hasattr(keras.applications, name):
        raise ValueError(f"name must name a keras.applications builder (e.g. 'MobileNetV2', "
                         f"'VGG19'), got {name!r}")
    input_shape = _validate.shape("input_shape", input_shape)
    if weights not in ("imagenet", None):
        raise ValueError(f"weights must be 'imagenet' or None, got {weights!r}")
    try:
        return getattr(keras.applications, name)(include_top=False, weights=weights,
                                                  input_shape=input_shape, pooling="avg")
    except ValueError:
        raise
    except Exception as err:  # a failed download raises a bare Exception
        raise RuntimeError(f"keras.applications.{name}(weights={weights!r}) failed (no Keras "
                           f"cache and no network?): {str(err)[:200]}") from err
