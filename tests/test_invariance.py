import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib import invariance, perturb


def _images(n=4, h=12, w=12, c=2, seed=0):
    x = np.random.default_rng(seed).random((n, h, w, c)).astype("float32")
    x[:, :2] = x[:, -2:] = x[:, :, :2] = x[:, :, -2:] = 0  # a blank border: shifts lose nothing
    return x


def test_relative_change_matches_tensorflow_norms():
    a, b = _images(seed=0), _images(seed=1)
    expected = (tf.norm(tf.reshape(b - a, (len(a), -1)), axis=1)
                / tf.norm(tf.reshape(a, (len(a), -1)), axis=1)).numpy()
    out = invariance.relative_change(a, b)
    assert out.shape == (len(a),) and out.dtype == np.float64
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    np.testing.assert_array_equal(invariance.relative_change(a, a.copy()), 0.0)
    np.testing.assert_allclose(invariance.relative_change(a, 2 * a), 1.0)


def test_zero_shift_and_identity():
    x = _images()
    out = invariance.shift_sensitivity(lambda z: z, x, [(0, 0), (0, 1)])
    assert out.shape == (2, len(x))
    np.testing.assert_array_equal(out[0], 0.0)
    assert np.all(out[1] > 0)


def test_global_max_pooling_ignores_shifts_inside_the_blank_border():
    x = _images()
    gmp = keras.layers.GlobalMaxPooling2D()
    out = invariance.shift_sensitivity(lambda z: gmp(z).numpy(), x, [(1, 0), (-2, 2), (2, -1)])
    np.testing.assert_allclose(out, 0.0, atol=1e-7)


def test_two_pixel_shift_before_2x2_max_pooling_is_a_one_pixel_shift_after():
    x = _images(h=16, w=16)
    pool = keras.layers.MaxPooling2D(2)
    pooled = pool(x).numpy()
    out = invariance.shift_sensitivity(lambda z: pool(z).numpy(), x, [(0, 2), (2, 2)])
    np.testing.assert_allclose(out[0], invariance.relative_change(
        pooled, perturb.shift_images(pooled, 0, 1)), rtol=1e-6)
    np.testing.assert_allclose(out[1], invariance.relative_change(
        pooled, perturb.shift_images(pooled, 1, 1)), rtol=1e-6)


def test_errors():
    x = _images()
    with pytest.raises(ValueError,
                       match=r"reference and changed must have the same shape, "
                             r"got \(4, 12, 12, 2\) and \(4, 11, 12, 2\)"):
        invariance.relative_change(x, x[:, :-1])
    np.testing.assert_array_equal(invariance.relative_change(x.tolist(), x[::-1]),
                                  invariance.relative_change(x, x[::-1]))
    with pytest.raises(TypeError, match=r"changed must hold numbers, got dtype <U"):
        invariance.relative_change(x, np.full(x.shape, "a"))
    with pytest.raises(ValueError, match=r"changed must hold finite numbers"):
        invariance.relative_change(x, np.where(x > 0.5, np.nan, x))
    with pytest.raises(ValueError, match=r"reference examples \[0, 1, 2, 3\] are all zeros"):
        invariance.relative_change(np.zeros_like(x), x)
    with pytest.raises(ValueError,
                       match=r"reference must have a batch axis and at least one more, "
                             r"got shape \(3,\)"):
        invariance.relative_change(np.ones(3), np.ones(3))
    with pytest.raises(TypeError, match="transform must be callable, got str"):
        invariance.shift_sensitivity("max", x, [(0, 1)])
    with pytest.raises(ValueError,
                       match=r"x must be 4-D \(N, H, W, C\), got shape \(12, 12, 2\) "
                             r"\(one image \(H, W, C\)\? use x\[None\]\)"):
        invariance.shift_sensitivity(lambda z: z, x[0], [(0, 1)])
    with pytest.raises(ValueError,
                       match=r"shifts must be a non-empty sequence of \(dy, dx\) pairs, "
                             r"got \[\(0, 1, 2\)\]"):
        invariance.shift_sensitivity(lambda z: z, x, [(0, 1, 2)])
    with pytest.raises(ValueError,
                       match=r"shifts must be a non-empty sequence of \(dy, dx\) pairs, "
                             r"got \[\]"):
        invariance.shift_sensitivity(lambda z: z, x, [])
    with pytest.raises(TypeError, match=r"shifts must be a sequence of \(dy, dx\) pairs"):
        invariance.shift_sensitivity(lambda z: z, x, 3)
    with pytest.raises(ValueError, match=r"transform\(x\) must hold finite numbers"):
        invariance.shift_sensitivity(lambda z: np.full(z.shape, np.nan), x, [(0, 1)])
    with pytest.raises(TypeError, match=r"transform\(x\) must hold numbers, got dtype object"):
        invariance.shift_sensitivity(lambda z: None, x, [(0, 1)])
    with pytest.raises(TypeError, match="dy must be an int, got float"):
        invariance.shift_sensitivity(lambda z: z, x, [(0.5, 1)])
