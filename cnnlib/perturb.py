"""Controlled changes to image batches: pixel shifts and a fixed pixel permutation.

Chapter 1 uses them to measure what a network does (and does not) know about space.
"""

import numpy as np

from cnnlib import _validate


def _check_batch(x) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a NumPy array of shape (N, H, W, C), got {type(x).__name__}")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, H, W, C), got shape {x.shape}")
    return x


def shift_images(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Translate every image by ``dy`` rows down and ``dx`` columns right, filling with zeros.

    x: (N, H, W, C) -> (N, H, W, C), same dtype. Pixels pushed past the border are lost.
    """
    x = _check_batch(x)
    dy, dx = _validate.integer("dy", dy), _validate.integer("dx", dx)
    _, h, w, _ = x.shape
    if abs(dy) >= h or abs(dx) >= w:
        raise ValueError(f"shift ({dy}, {dx}) must be smaller than the image size ({h}, {w})")
    out = np.zeros_like(x)
    src_y = slice(max(0, -dy), h - max(0, dy))
    dst_y = slice(max(0, dy), h - max(0, -dy))
    src_x = slice(max(0, -dx), w - max(0, dx))
    dst_x = slice(max(0, dx), w - max(0, -dx))
    out[:, dst_y, dst_x, :] = x[:, src_y, src_x, :]
    return out


def random_pixel_permutation(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A fixed random ordering of the ``height * width`` pixel positions: (H*W,) int."""
    if height < 1 or width < 1:
        raise ValueError(f"height and width must be >= 1, got {height}, {width}")
    return np.random.default_rng(seed).permutation(height * width)


def permute_pixels(x: np.ndarray, permutation: np.ndarray) -> np.ndarray:
    """Scramble the pixel positions of every image with the same permutation.

    x: (N, H, W, C); permutation: (H*W,), a permutation of ``range(H*W)``.
    Returns (N, H, W, C): the same pixel values, spatial neighbourhoods destroyed.
    """
    x = _check_batch(x)
    n, h, w, c = x.shape
    permutation = np.asarray(permutation)
    if permutation.shape != (h * w,) or not np.array_equal(np.sort(permutation), np.arange(h * w)):
        raise ValueError(
            f"permutation must be a permutation of range({h * w}) for {h}x{w} images, "
            f"got shape {permutation.shape}"
        )
    return x.reshape(n, h * w, c)[:, permutation, :].reshape(n, h, w, c)
