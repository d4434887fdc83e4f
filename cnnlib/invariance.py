"""How much a feature map changes when its input image moves a few pixels.

Chapter 4 uses these to measure the (partial) translation invariance that pooling buys:
``shift_sensitivity(f, x, [(0, 1), (0, 2)])`` shifts the images, applies ``f`` to the original
and to the shifted batch, and compares the two outputs position by position.
"""

import numpy as np

from cnnlib import _validate
from cnnlib.perturb import shift_images


def _batch_array(name, a) -> np.ndarray:
    """``a`` as a finite numeric array (N, ...) with a batch axis and at least one more."""
    a = _validate.array(name, a, layout="(N, ...)", finite=True)
    if a.ndim < 2:
        raise ValueError(f"{name} must have a batch axis and at least one more, "
                         f"got shape {a.shape}")
    return a


def relative_change(reference: np.ndarray, changed: np.ndarray) -> np.ndarray:
    """Per-example relative L2 change ``||changed - reference|| / ||reference||``.

    Parameters
    ----------
    reference : (N, ...) array (or nested list) of finite numbers, e.g. feature maps
        (N, H, W, C) of the original images
    changed : array of the same shape, e.g. the feature maps of the shifted images

    Returns
    -------
    change : (N,) float64
        0 means identical; 1 means the difference is as large as the reference.

    Raises
    ------
    ValueError
        When the shapes differ, or a reference example is all zeros (its relative change is
        undefined).
    """
    reference = _batch_array("reference", reference)
    changed = _batch_array("changed", changed)
    if reference.shape != changed.shape:
        raise ValueError(f"reference and changed must have the same shape, got {reference.shape} "
                         f"and {changed.shape}")
    ref = reference.astype(np.float64).reshape(len(reference), -1)
    diff = changed.astype(np.float64).reshape(len(changed), -1) - ref
    norm = np.linalg.norm(ref, axis=1)
    if np.any(norm == 0):
        bad = np.flatnonzero(norm == 0)[:5].tolist()
        raise ValueError(f"reference examples {bad} are all zeros: relative change is undefined "
                         "(drop them, or use examples with some signal)")
    return np.linalg.norm(diff, axis=1) / norm


def shift_sensitivity(transform, x: np.ndarray, shifts) -> np.ndarray:
    """Relative change of ``transform(x)`` when the images ``x`` are shifted.

    Parameters
    ----------
    transform : callable mapping a batch (N, H, W, C) to an array (N, ...) whose shape does not
        depend on the shift (a feature map, a pooled feature map, a vector of features)
    x : (N, H, W, C) images (an array or nested list of numbers; bools become uint8)
    shifts : sequence of ``(dy, dx)`` int pairs; positive moves down / right, zeros fill in
        (``cnnlib.perturb.shift_images``)

    Returns
    -------
    change : (len(shifts), N) float64
        ``relative_change(transform(x), transform(shifted x))`` for each shift and image;
        average over axis 1 for one number per shift.
    """
    if not callable(transform):
        raise TypeError(f"transform must be callable, got {type(transform).__name__}")
    x = _validate.images("x", x, finite=True)
    try:
        shifts = [tuple(s) for s in shifts]
    except TypeError:
        raise TypeError("shifts must be a sequence of (dy, dx) pairs, "
                        "e.g. [(0, 1), (1, 1)]") from None
    if not shifts or any(len(s) != 2 for s in shifts):
        raise ValueError(f"shifts must be a non-empty sequence of (dy, dx) pairs, got {shifts}")
    reference = _batch_array("transform(x)", transform(x))
    out = np.empty((len(shifts), len(x)))
    for i, (dy, dx) in enumerate(shifts):
        changed = _batch_array("transform(shifted x)", transform(shift_images(x, dy, dx)))
        out[i] = relative_change(reference, changed)
    return out
