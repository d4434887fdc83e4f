import numpy as np
import pytest

from cnnlib import perturb


def _batch(n=3, h=6, w=5, c=2, seed=0):
    return np.random.default_rng(seed).integers(1, 255, size=(n, h, w, c)).astype(np.uint8)


@pytest.mark.parametrize("dy,dx", [(0, 0), (1, 0), (0, 2), (-2, 3), (5, -4)])
def test_shift_matches_roll_with_zero_fill(dy, dx):
    x = _batch()
    expected = np.roll(x, (dy, dx), axis=(1, 2))
    if dy > 0:
        expected[:, :dy] = 0
    elif dy < 0:
        expected[:, dy:] = 0
    if dx > 0:
        expected[:, :, :dx] = 0
    elif dx < 0:
        expected[:, :, dx:] = 0
    out = perturb.shift_images(x, dy, dx)
    assert out.dtype == x.dtype and out.shape == x.shape
    np.testing.assert_array_equal(out, expected)


def test_shift_errors():
    with pytest.raises(ValueError, match=r"shift \(6, 0\) must be smaller than the image size"):
        perturb.shift_images(_batch(h=6), 6, 0)
    with pytest.raises(ValueError, match=r"x must be 4-D \(N, H, W, C\), got shape \(4, 4\)"):
        perturb.shift_images(np.zeros((4, 4)), 1, 0)
    with pytest.raises(ValueError,
                       match=r"x must not have an empty axis, got shape \(0, 4, 4, 1\)"):
        perturb.shift_images(np.zeros((0, 4, 4, 1)), 1, 0)
    with pytest.raises(TypeError, match=r"x must hold numbers, got dtype object"):
        perturb.shift_images(np.array([[[[None]]]]), 0, 0)
    with pytest.raises(TypeError, match="dx must be an int"):
        perturb.shift_images(_batch(), 0, 1.5)
    x = _batch()
    np.testing.assert_array_equal(perturb.shift_images(x.tolist(), 1, -2),
                                  perturb.shift_images(x, 1, -2))


def test_permutation_keeps_values_and_is_invertible():
    x = _batch()
    perm = perturb.random_pixel_permutation(6, 5, seed=3)
    scrambled = perturb.permute_pixels(x, perm)
    assert scrambled.shape == x.shape
    # every image keeps its multiset of pixel values, per channel
    np.testing.assert_array_equal(np.sort(scrambled.reshape(3, -1, 2), axis=1),
                                  np.sort(x.reshape(3, -1, 2), axis=1))
    np.testing.assert_array_equal(perturb.permute_pixels(scrambled, np.argsort(perm)), x)
    # the same permutation for every image and channel: pixel k moves to where perm says
    k = 7
    flat_x, flat_s = x.reshape(3, 30, 2), scrambled.reshape(3, 30, 2)
    np.testing.assert_array_equal(flat_s[:, k], flat_x[:, perm[k]])
    assert not np.array_equal(scrambled, x)


@pytest.mark.parametrize("h, w", [(4, 4), (3, 5), (28, 28)])
def test_permutation_is_seeded(h, w):
    perms = [perturb.random_pixel_permutation(h, w, seed) for seed in range(10)]
    for seed, perm in enumerate(perms):
        # a permutation of the pixel positions, and not the identity (h * w >= 12 here)
        assert perm.shape == (h * w,) and np.issubdtype(perm.dtype, np.integer)
        np.testing.assert_array_equal(np.sort(perm), np.arange(h * w))
        assert not np.array_equal(perm, np.arange(h * w))
        # the same seed gives the same permutation
        np.testing.assert_array_equal(perturb.random_pixel_permutation(h, w, seed), perm)
    np.testing.assert_array_equal(perturb.random_pixel_permutation(h, w), perms[0])  # seed=0
    # different seeds give different permutations
    assert len({p.tobytes() for p in perms}) == len(perms)


def test_permutation_is_applied_the_same_way_to_every_image_and_channel():
    n, h, w, c = 4, 3, 5, 3
    x = _batch(n, h, w, c, seed=1)
    perm = perturb.random_pixel_permutation(h, w, seed=2)
    scrambled = perturb.permute_pixels(x, perm)
    assert scrambled.dtype == x.dtype and scrambled.shape == x.shape
    # output pixel (i, j) of every image and channel is input pixel perm[i * w + j], row-major
    for i in range(h):
        for j in range(w):
            src = perm[i * w + j]
            np.testing.assert_array_equal(scrambled[:, i, j, :], x[:, src // w, src % w, :])


def test_permutation_errors():
    x = _batch(h=2, w=2)
    with pytest.raises(ValueError, match="permutation of range\\(4\\)"):
        perturb.permute_pixels(x, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="permutation of range\\(4\\)"):
        perturb.permute_pixels(x, np.array([0, 1, 1, 2]))
    with pytest.raises(TypeError, match=r"permutation must hold integer ids, got dtype float"):
        perturb.permute_pixels(x, np.array([0.0, 1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match=r"height must be an int, got str"):
        perturb.random_pixel_permutation("28", 28)
    with pytest.raises(ValueError, match=r"width must be an int >= 1, got 0"):
        perturb.random_pixel_permutation(28, 0)
    with pytest.raises(TypeError, match=r"seed must be an int, got NoneType"):
        perturb.random_pixel_permutation(2, 2, seed=None)
