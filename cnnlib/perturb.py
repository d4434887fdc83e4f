"""Controlled changes to image batches: pixel shifts and a fixed pixel permutation.

Chapters 1 and 4 use them to measure what a network does (and does not) know about space.
"""

import numpy as np

from cnnlib import _validate


def shift_images(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Translate every image by ``dy`` rows down and ``dx`` columns right, filling with zeros.

    Parameters
    ----------
    x : (N, H, W, C) array (or nested list) of numbers; bools become uint8
    dy, dx : int, the shift in pixels (negative: up / left), smaller than H and W

    Returns
    -------
    shifted : (N, H, W, C), the dtype of ``x``. Pixels pushed past the border are lost.
    """
    x = _validate.images("x", x)
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
    """A fixed random ordering of the ``height * width`` pixel positions.

    Parameters
    ----------
    height, width : int >= 1, the image size
    seed : int >= 0, the random generator's seed

    Returns
    -------
    permutation : (height * width,) int64, a permutation of ``range(height * width)``
    """
    height = _validate.integer("height", height, minimum=1)
    width = _validate.integer("width", width, minimum=1)
    seed = _validate.integer("seed", seed, minimum=0)
    return np.random.default_rng(seed).permutation(height * width)


def permute_pixels(x: np.ndarray, permutation: np.ndarray) -> np.ndarray:
    """Scramble the pixel positions of every image with the same permutation.

    Parameters
    ----------
    x : (N, H, W, C) array (or nested list) of numbers; bools become uint8
    permutation : (H*W,) ints, a permutation of ``range(H*W)``
        (e.g. from :func:`random_pixel_permutation`)

    Returns
    -------
    scrambled : (N, H, W, C), the same pixel values, spatial neighbourhoods destroyed
    """
    x = _validate.images("x", x)
    n, h, w, c = x.shape
    permutation = _validate.array("permutation", permutation, ndim=1, layout="(H*W,)",
                                  dtype="int")
    if permutation.shape != (h * w,) or not np.array_equal(np.sort(permutation), np.arange(h * w)):
        raise ValueError(
            f"permutation must be a permutation of range({h * w}) for {h}x{w} images, "
            f"got shape {permutation.shape}"
        )
    return x.reshape(n, h * w, c)[:, permutation, :].reshape(n, h, w, c)
