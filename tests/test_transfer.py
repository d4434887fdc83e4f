import re
from pathlib import Path

import keras
import numpy as np
import pytest

from cnnlib import transfer


def tiny():
    return transfer.small_backbone((8, 8, 1), widths=(2, 3))


def count_calls(fn):
    def wrapped(model):
        wrapped.calls += 1
        return fn(model)
    wrapped.calls = 0
    return wrapped


def perturb(model):
    """A stand-in for pretraining: set every weight to a known, non-initial value."""
    model.set_weights([np.full(w.shape, 0.5, w.dtype) for w in model.get_weights()])


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cnnlib_cache"
    monkeypatch.setenv("CNNLIB_CACHE_DIR", str(folder))
    return folder


# --------------------------------------------------------------------------- cache

def test_cache_dir_default_is_outside_the_repository(monkeypatch):
    monkeypatch.delenv("CNNLIB_CACHE_DIR", raising=False)
    assert transfer.cache_dir() == Path.home() / ".cache" / "cnnlib"


def test_cache_dir_from_environment(cache):
    assert transfer.cache_dir() == cache


def test_cold_cache_pretrains_and_saves(cache):
    pretrain = count_calls(perturb)
    model, status = transfer.cached_model("tiny", tiny, pretrain)
    assert status == "trained" and pretrain.calls == 1
    assert (cache / "tiny.keras").is_file()
    assert [p.name for p in cache.iterdir()] == ["tiny.keras"]  # no partial file left
    assert all(np.all(w == 0.5) for w in model.get_weights())


def test_warm_cache_skips_pretraining_and_restores_weights(cache):
    transfer.cached_model("tiny", tiny, perturb)
    pretrain = count_calls(perturb)
    model, status = transfer.cached_model("tiny", tiny, pretrain)
    assert status == "loaded" and pretrain.calls == 0
    assert all(np.all(w == 0.5) for w in model.get_weights())


def test_rebuild_pretrains_again(cache):
    transfer.cached_model("tiny", tiny, perturb)
    pretrain = count_calls(lambda m: m.set_weights([w * 0 for w in m.get_weights()]))
    model, status = transfer.cached_model("tiny", tiny, pretrain, rebuild=True)
    assert status == "trained" and pretrain.calls == 1
    again, status = transfer.cached_model("tiny", tiny, pretrain)
    assert status == "loaded" and all(np.all(w == 0) for w in again.get_weights())


def test_corrupt_file_says_how_to_rebuild(cache):
    cache.mkdir()
    (cache / "tiny.keras").write_bytes(b"not a zip archive")
    with pytest.raises(ValueError, match=r"cannot read.*tiny\.keras.*rebuild=True"):
        transfer.cached_model("tiny", tiny, perturb)
    model, status = transfer.cached_model("tiny", tiny, perturb, rebuild=True)
    assert status == "trained"


def test_mismatched_architecture_says_how_to_rebuild(cache):
    transfer.cached_model("tiny", tiny, perturb)
    wider = lambda: transfer.small_backbone((8, 8, 1), widths=(2, 4))  # noqa: E731
    with pytest.raises(ValueError, match=r"another architecture.*rebuild=True"):
        transfer.cached_model("tiny", wider, perturb)
    deeper = lambda: transfer.small_backbone((8, 8, 1), widths=(2, 3, 3))  # noqa: E731
    with pytest.raises(ValueError, match=r"another architecture.*rebuild=True"):
        transfer.cached_model("tiny", deeper, perturb)


def test_explicit_directory(tmp_path):
    _, status = transfer.cached_model("tiny", tiny, perturb, directory=tmp_path / "here")
    assert status == "trained" and (tmp_path / "here" / "tiny.keras").is_file()


@pytest.mark.parametrize("name", ["", "../escape", "a/b", 3])
def test_cache_rejects_bad_names(name, cache):
    with pytest.raises(ValueError, match=re.escape(
            f"name must be a file stem of letters, digits and _ . - (got {name!r})")):
        transfer.cached_model(name, tiny, perturb)


def test_cache_rejects_non_callables(cache):
    with pytest.raises(TypeError, match="pretrain must be callable, got NoneType"):
        transfer.cached_model("tiny", tiny, None)


# --------------------------------------------------------------------------- models

def test_small_backbone_shapes_and_blocks():
    bb = transfer.small_backbone((28, 28, 1), widths=(8, 16, 32))
    assert bb.output_shape == (None, 32)
    assert transfer.block_ids(bb) == [1, 2, 3]
    flat = transfer.small_backbone((28, 28, 1), widths=(8, 16, 32), pooling="flatten")
    assert flat.output_shape == (None, 3 * 3 * 32)
    assert bb.count_params() == flat.count_params()


@pytest.mark.parametrize("kwargs, match", [
    ({"input_shape": (4, 4, 1), "widths": (2, 2, 2)},
     r"input_shape \(4, 4, 1\) is too small for 3 blocks of 2x2 pooling"),
    ({"widths": ()}, r"widths must be a non-empty tuple of positive ints, got \(\)"),
    ({"widths": (0,)}, r"widths\[0\] must be an int >= 1, got 0"),
    ({"pooling": "max"}, "pooling must be 'avg' or 'flatten', got 'max'"),
    ({"input_shape": (28, 28)}, r"input_shape must be \(H, W, C\) with positive ints"),
])
def test_small_backbone_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        transfer.small_backbone(**kwargs)


def test_head_and_batch_norm_inference_mode():
    bb = transfer.small_backbone((8, 8, 1), widths=(2,))
    model = transfer.with_head(bb, 3)
    assert model.output_shape == (None, 3)
    bn = bb.get_layer("block1_bn")
    x = np.random.default_rng(0).normal(3.0, 1.0, (16, 8, 8, 1)).astype("float32")
    before = np.array(bn.moving_mean)
    transfer.freeze_blocks(bb, 0)  # everything trainable except batch norm
    assert not bn.trainable and bb.get_layer("block1_conv").trainable
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, np.zeros(16, int), epochs=1, verbose=0)
    assert np.array_equal(np.array(bn.moving_mean), before)
    # with trainable batch norm the same fit updates the moving statistics
    transfer.freeze_blocks(bb, 0, freeze_batch_norm=False)
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, np.zeros(16, int), epochs=1, verbose=0)
    assert not np.array_equal(np.array(bn.moving_mean), before)


@pytest.mark.parametrize("kwargs, match", [
    ({"num_classes": 1}, "num_classes must be an int >= 2, got 1"),
    ({"num_classes": 2.5}, r"num_classes must be an int, got float \(2\.5\)"),
    ({"dropout": 1.0}, "dropout must be a finite number >= 0 and < 1, got 1.0"),
    ({"dropout": float("nan")}, "dropout must be a finite number"),
    ({"dropout": "0.5"}, "dropout must be a real number, got str")])
def test_head_validation(kwargs, match):
    error = TypeError if "got float" in match or "got str" in match else ValueError
    with pytest.raises(error, match=match):
        transfer.with_head(tiny(), **{"num_classes": 3, **kwargs})
    with pytest.raises(TypeError, match="backbone must be a keras.Model, got str"):
        transfer.with_head("vgg", 3)


def test_freeze_blocks():
    bb = transfer.small_backbone((8, 8, 1), widths=(2, 3, 4))
    assert transfer.freeze_blocks(bb, 0) == ["block1_conv", "block2_conv", "block3_conv"]
    assert transfer.freeze_blocks(bb, 0, freeze_batch_norm=False) == [
        "block1_conv", "block1_bn", "block2_conv", "block2_bn", "block3_conv", "block3_bn"]
    assert transfer.freeze_blocks(bb, 2, freeze_batch_norm=False) == ["block3_conv", "block3_bn"]
    assert len(bb.trainable_weights) == 3  # conv kernel, gamma, beta of block 3
    assert transfer.freeze_blocks(bb, 3) == []
    assert bb.trainable_weights == []


def test_freeze_blocks_counts_match_keras_applications():
    with keras.StatelessScope(initialize_variables=False):
        vgg = keras.applications.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
        assert transfer.block_ids(vgg) == [1, 2, 3, 4, 5]
        transfer.freeze_blocks(vgg, 4)  # only block 5 (4 convolutions of 512) trains
        assert sum(int(np.prod(w.shape)) for w in vgg.trainable_weights) == 4 * (9 * 512**2 + 512)


@pytest.mark.parametrize("n", [-1, 4])
def test_freeze_blocks_validation(n):
    with pytest.raises(ValueError, match=re.escape(
            f"n_frozen must be an int in 0..3 (the model has blocks [1, 2, 3]), got {n!r}")):
        transfer.freeze_blocks(transfer.small_backbone((8, 8, 1), widths=(2, 3, 4)), n)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_frozen": 1.0}, r"n_frozen must be an int, got float \(1\.0\)"),
    ({"n_frozen": True}, r"n_frozen must be an int, got bool \(True\)"),
    ({"n_frozen": 1, "freeze_batch_norm": "no"}, "freeze_batch_norm must be True or False")])
def test_freeze_blocks_wrong_types(kwargs, match):
    with pytest.raises(TypeError, match=match):
        transfer.freeze_blocks(transfer.small_backbone((8, 8, 1), widths=(2, 3, 4)), **kwargs)


def test_freeze_blocks_needs_blocks():
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="has no layers named block<i>_"):
        transfer.freeze_blocks(plain, 0)


# --------------------------------------------------------------------------- augmentation

def test_augmentation_identity_at_inference_and_random_in_training():
    aug = transfer.augmentation(noise=0.1)
    x = np.random.default_rng(0).random((2, 16, 16, 3)).astype("float32")
    assert np.array_equal(keras.ops.convert_to_numpy(aug(x, training=False)), x)
    y = keras.ops.convert_to_numpy(aug(x, training=True))
    assert y.shape == x.shape and not np.allclose(y, x)
    assert [type(layer).__name__ for layer in aug.layers] == [
        "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "GaussianNoise"]


@pytest.mark.parametrize("flip, mirror", [("horizontal", lambda a: a[:, ::-1]),
                                          ("vertical", lambda a: a[::-1])])
def test_augmentation_flip_only_matches_numpy(flip, mirror):
    """Each image comes out either unchanged or mirrored along the named axis, never anything
    else; over 20 seeds of 8 images both happen, about half the time each; a seed repeats."""
    x = np.arange(8 * 4 * 5).reshape(8, 4, 5, 1).astype("float32")  # no symmetry: mirror != x
    flipped = []
    for seed in range(20):
        aug = transfer.augmentation(flip=flip, rotation=0, translation=0, zoom=0, seed=seed)
        y = keras.ops.convert_to_numpy(aug(x, training=True))
        for a, b in zip(x, y):
            assert np.array_equal(a, b) != np.array_equal(mirror(a), b)  # exactly one of them
            flipped.append(np.array_equal(mirror(a), b))
        again = transfer.augmentation(flip=flip, rotation=0, translation=0, zoom=0, seed=seed)
        assert np.array_equal(keras.ops.convert_to_numpy(again(x, training=True)), y)
    # a fair coin per image: 160 draws, mean 80, standard deviation 6.3
    assert 50 <= sum(flipped) <= 110


@pytest.mark.parametrize("kwargs, match", [
    ({"flip": "diagonal"}, "flip must be 'horizontal', 'vertical', 'horizontal_and_vertical' or "
                           "None, got 'diagonal'"),
    ({"rotation": -0.1}, "rotation must be a finite number >= 0, got -0.1"),
    ({"rotation": float("nan")}, "rotation must be a finite number >= 0, got nan"),
    ({"zoom": float("inf")}, "zoom must be a finite number >= 0, got inf"),
    ({"noise": "x"}, r"noise must be a real number, got str \('x'\)"),
    ({"seed": 1.0}, r"seed must be an int, got float"),
    ({"noise": 8.0}, re.escape("noise must be at most 1 (Keras' GaussianNoise limit"))])
def test_augmentation_validation(kwargs, match):
    error = TypeError if "got str" in match or "got float" in match else ValueError
    with pytest.raises(error, match=match):
        transfer.augmentation(**kwargs)


# --------------------------------------------------------------------------- applications

def test_applications_backbone_without_weights():
    bb = transfer.applications_backbone("MobileNetV2", (32, 32, 3), weights=None)
    assert bb.output_shape == (None, 1280)
    assert bb.count_params() == 2_257_984
    assert transfer.block_ids(bb) == list(range(1, 17))


def test_applications_backbone_unreachable_weights(monkeypatch):
    def offline(**kwargs):
        raise Exception("URL fetch failure: no network")
    monkeypatch.setattr(keras.applications, "MobileNetV2", offline)
    with pytest.raises(RuntimeError, match="no network"):
        transfer.applications_backbone("MobileNetV2", (32, 32, 3))


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "NoSuchNet"}, "name must name a keras.applications builder .* got 'NoSuchNet'"),
    ({"weights": "cifar"}, "weights must be 'imagenet' or None, got 'cifar'"),
    ({"input_shape": (32, 32)}, r"input_shape must be \(H, W, C\) with positive ints, "
                                r"got \(32, 32\)")])
def test_applications_backbone_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        transfer.applications_backbone(**kwargs)
