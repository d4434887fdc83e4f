"""cnnlib.visualize: feature maps, activation maximisation and gradient norms."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib import env, visualize, zoo


@pytest.fixture(scope="module")
def model():
    env.seed_everything(0)
    return zoo.vgg("A", (32, 32, 1), 10, width=1 / 16, dense_units=16, batch_norm=True,
                   dropout=0.0)


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((3, 32, 32, 1)).astype("float32")


def test_feature_maps_are_the_layer_outputs(model, images):
    maps = visualize.feature_maps(model, images, ["block1_conv1_relu", "block3_conv2_relu"])
    assert maps["block1_conv1_relu"].shape == (3, 32, 32, 4)
    assert maps["block3_conv2_relu"].shape == (3, 8, 8, 16)
    probe = keras.Model(model.inputs[0], model.get_layer("block3_conv2_relu").output)
    expected = keras.ops.convert_to_numpy(probe(images, training=False))
    assert np.allclose(maps["block3_conv2_relu"], expected, atol=1e-6)
    one = visualize.feature_maps(model, images, "fc1")
    assert one["fc1"].shape == (3, 16)


def test_feature_maps_validation(model, images):
    with pytest.raises(ValueError, match="has no layer 'nope'"):
        visualize.feature_maps(model, images, ["nope"])
    with pytest.raises(ValueError, match=r"x must be \(N, 32, 32, 1\)"):
        visualize.feature_maps(model, images[0], ["fc1"])
    with pytest.raises(TypeError, match=r"model must be a keras\.Model, got str"):
        visualize.feature_maps("model", images, ["fc1"])


def test_activation_maximization_raises_the_channel(model):
    layer = "block2_conv1"  # before batch norm and ReLU: never dead at initialisation
    start = visualize.activation_maximization(model, layer, [0, 3], steps=0)[1]
    images, reached = visualize.activation_maximization(model, layer, [0, 3], steps=30)
    assert images.shape == (2, 32, 32, 1)
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert np.all(reached > start)
    again = visualize.activation_maximization(model, layer, [0, 3], steps=30)[0]
    assert np.allclose(images, again)  # same seed, same images


def test_activation_maximization_validation(model):
    with pytest.raises(ValueError, match=r"channels\[0\] must be an int in 0..7 \(layer .* has 8\)"):
        visualize.activation_maximization(model, "block2_conv1_relu", [8])
    with pytest.raises(ValueError, match="steps must be an int"):
        visualize.activation_maximization(model, "block2_conv1_relu", [0], steps=-1)
    with pytest.raises(ValueError,
                       match=r"value_range must be \(low, high\) with low < high, got \(1, 0\)"):
        visualize.activation_maximization(model, "block2_conv1_relu", [0], value_range=(1, 0))
    with pytest.raises(ValueError, match="learning_rate must be a finite number > 0, got 0"):
        visualize.activation_maximization(model, "block2_conv1_relu", [0], learning_rate=0)
    with pytest.raises(ValueError, match=r"l2_decay must be a finite number >= 0 and < 1"):
        visualize.activation_maximization(model, "block2_conv1_relu", [0], l2_decay=1.0)
    with pytest.raises(TypeError, match="seed must be an int, got NoneType"):
        visualize.activation_maximization(model, "block2_conv1_relu", [0], seed=None)


def test_gradient_norms_match_a_manual_tape(model, images):
    y = np.array([0, 1, 2])
    norms = visualize.gradient_norms(model, images, y)
    kernels = [layer for layer in model.layers
               if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    assert [name for name, _ in norms] == [layer.name for layer in kernels]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            y, model(images, training=True)))
    grads = tape.gradient(loss, [layer.kernel for layer in kernels])
    assert np.allclose([v for _, v in norms], [float(tf.norm(g)) for g in grads], rtol=1e-4)
    with pytest.raises(ValueError, match="y must have one label per image: 2 labels for 3"):
        visualize.gradient_norms(model, images, y[:2])
    with pytest.raises(TypeError, match="y must hold numbers"):
        visualize.gradient_norms(model, images, ["cat", "dog", "cat"])
