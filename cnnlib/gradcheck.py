"""Gradient checking: compare a hand-written backward pass with finite differences.

A backward pass is easy to get subtly wrong (a missing transpose, a stride off by one) and
still train a little. The check is to nudge each input by ``+h`` and ``-h`` and look at the
change of the output: the *centred difference* ``(f(x + h) - f(x - h)) / 2h`` differs from the
derivative by ``O(h^2)``. In float64 with ``h = 1e-5`` a correct gradient agrees to a
relative error (:func:`relative_error`) of about 1e-9 or better; an error above 1e-4 almost
always means a bug. Points where the function has a kink (ReLU at 0, a tie in a max) are the
exception: avoid them in checks.

Same idea as CS231n's ``gradient_check.py``; the layers checked live in :mod:`cnnlib.grad`.

Chapter 6 uses it.

"""


import numpy as np

from cnnlib import _validate


def _step(h) -> float:
    return _validate.real("h", h, above=0, below=1)


def numerical_gradient(f, x, h=1e-5):
    """Centred-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable taking an array shaped like x and returning a number
    x : array of any shape; the point where the gradient is taken (not modified)
    h : step, default 1e-5

    Returns
    -------
    array like x, float64: ``(f(x + h e_i) - f(x - h e_i)) / (2 h)`` for every element i.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of one array, got {type(f).__name__}")
    h = _step(h)
    point = np.array(x, dtype=np.float64)  # a copy: the caller's array is never touched
    grad = np.zeros_like(point)
    flat, gflat = point.reshape(-1), grad.reshape(-1)
    for i in range(point.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = _scalar(f(point))
        flat[i] = old - h
        f_minus = _scalar(f(point))
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Finite-difference version of what a backward pass computes for an array-valued layer.

    A backward pass returns ``dout`` pulled back through the layer: the gradient of
    ``sum(f(x) * dout)`` with respect to x.

    Parameters
    ----------
    f : callable, array shaped like x -> array shaped like dout
    x : array of any shape
    dout : array, the upstream gradient (shape of f(x))
    h : step, default 1e-5

    Returns
    -------
    array like x, float64
    """
    dout = np.asarray(dout, dtype=np.float64)

    def weighted_sum(v):
        out = np.asarray(f(v))
        if out.shape != dout.shape:
            raise ValueError(f"f returned shape {out.shape}, but dout has shape {dout.shape}")
        return float(np.sum(out * dout))

    return numerical_gradient(weighted_sum, x, h)


def relative_error(a, b):
    """Largest difference between two gradients, relative to their largest entry.

    ``max |a - b| / max(max |a|, max |b|)``. Measuring against the largest entry rather than
    entry by entry keeps tiny entries (where a finite difference is mostly rounding noise) from
    dominating, and a wrong entry of any size still shows up.

    Parameters
    ----------
    a, b : arrays of the same shape

    Returns
    -------
    float: 0 when a == b (also when both are all zeros); 1 or more when they share nothing.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    if scale == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / scale)


def _scalar(value) -> float:
    if np.ndim(value) != 0 and np.size(value) != 1:
        raise TypeError("f must return a single number, got an array of shape "
                        f"{np.shape(value)}; for layers use numerical_gradient_array")
    return float(np.asarray(value).reshape(()))
