import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib import env


def test_seed_everything_repeats_numpy_keras_and_tf_draws():
    draws = []
    for _ in range(2):
        env.seed_everything(42)
        draws.append((np.random.rand(3), keras.random.uniform((3,)).numpy(), tf.random.uniform((3,)).numpy()))
    for a, b in zip(*draws):
        np.testing.assert_array_equal(a, b)


def test_seed_everything_rejects_bad_seeds():
    with pytest.raises(TypeError, match="seed must be an int, got str"):
        env.seed_everything("0")
    with pytest.raises(ValueError, match="seed must be an int >= 0, got -1"):
        env.seed_everything(-1)
    with pytest.raises(TypeError, match="deterministic_ops must be True or False, got str"):
        env.seed_everything(0, deterministic_ops="no")


def test_describe_environment_names_versions_and_device():
    line = env.describe_environment()
    assert f"TensorFlow {tf.__version__}" in line and f"Keras {keras.__version__}" in line
    assert line.startswith(("CPU", "GPU"))
    assert env.in_colab() is False
