"""The input contract of cnnlib, in one place (private: cnnlib modules import it, users don't).

A wrong *type* raises ``TypeError``, a wrong *value* raises ``ValueError``, and the message
names the argument and what is allowed. Booleans are accepted only as ``bool``; integers not as
floats or bools; NaN and infinity only where a function says so.
"""

import math
import numbers
import os

import numpy as np


def _range(minimum, maximum):
    if minimum is not None and maximum is not None:
        return f"in {minimum:,}..{maximum:,}"
    return f">= {minimum:,}" if minimum is not None else f"<= {maximum:,}"


def integer(name, value, minimum=None, maximum=None, why=""):
    """``int(value)`` for an int (a NumPy integer too, not a bool or float) in range.

    ``why``: optional text put in parentheses after the allowed range.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        note = f" ({why})" if why else ""
        raise ValueError(f"{name} must be an int {_range(minimum, maximum)}{note}, got {value}")
    return value


def real(name, value, minimum=None, maximum=None, above=None, below=None, finite=True):
    """``float(value)`` for a real number (int or float, not a bool) in range.

    ``minimum``/``maximum`` are inclusive bounds, ``above``/``below`` exclusive ones; NaN is
    always refused, infinity unless ``finite=False``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    value = float(value)
    bounds = [(minimum, ">=", value >= minimum if minimum is not None else True),
              (maximum, "<=", value <= maximum if maximum is not None else True),
              (above, ">", value > above if above is not None else True),
              (below, "<", value < below if below is not None else True)]
    allowed = " and ".join(f"{op} {bound}" for bound, op, _ in bounds if bound is not None)
    if math.isnan(value) or (finite and math.isinf(value)) or not all(ok for *_, ok in bounds):
        finite_text = "a finite number" if finite else "a number (not NaN)"
        raise ValueError(f"{name} must be {finite_text}{' ' + allowed if allowed else ''}, "
                         f"got {value}")
    return value


def boolean(name, value):
    """``value`` if it is a bool (or NumPy bool); "no", 0 or None are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} ({value!r})")
    return bool(value)


def one_of(name, value, allowed, noun=None):
    """``value`` if it is one of the str ``allowed``; ``noun`` names it in the message."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if value not in allowed:
        raise ValueError(f"unknown {noun or name} {value!r}; allowed: {', '.join(allowed)}")
    return value


def path_or_none(name, value):
    """``value`` if it is None, a str or an ``os.PathLike``."""
    if value is not None and not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str, a path or None, got {type(value).__name__}")
    return value


def tokens(name, value):
    """``list(value)`` for a sequence of str tokens (a str itself is refused: split it first)."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a list of tokens (str), not a str: split it first")
    try:
        value = list(value)
    except TypeError as err:
        raise TypeError(f"{name} must be a list of tokens (str), "
                        f"got {type(value).__name__}") from err
    if not all(isinstance(t, str) for t in value):
        raise TypeError(f"{name} must hold str tokens only")
    return value


def per_axis(name, value, ndim, minimum=1):
    """``value`` as a tuple of ``ndim`` ints >= minimum (an int is repeated on every axis)."""
    if isinstance(value, (tuple, list, np.ndarray)):
        if len(value) != ndim:
            raise ValueError(f"{name} must be an int or a tuple of {ndim} ints (one per spatial "
                             f"axis), got {value!r}")
        return tuple(integer(f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(value))
    return (integer(name, value, minimum=minimum),) * ndim


def shape(name, value, layout="(H, W, C)"):
    """``value`` as a tuple of positive ints, one per axis of ``layout``, e.g. an input shape.

    A tuple or list is required (an int is not repeated, unlike :func:`per_axis`).
    """
    ndim = layout.count(",") + 1
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be a tuple {layout} of positive ints, "
                        f"got {type(value).__name__} ({value!r})")
    if len(value) != ndim:
        raise ValueError(f"{name} must be {layout} with positive ints, got {tuple(value)!r}")
    return tuple(integer(f"{name}[{i}]", v, minimum=1) for i, v in enumerate(value))


def array(name, value, ndim=None, layout="", dtype="number", allow_empty=False, finite=False):
    """``value`` as a NumPy array with ``ndim`` axes (any when None) holding ``dtype``.

    dtype: "number" (ints or floats; bools are refused), "int" (integer ids) or None (any).
    ``layout`` describes the expected shape in messages, e.g. "(N, K)". Lists are converted;
    ragged lists, the wrong dtype or ndim, empty arrays (unless ``allow_empty``) and, with
    ``finite=True``, NaN or infinity are refused.
    """
    if not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except (ValueError, TypeError) as err:  # ragged nested lists
            shape = f" {layout}" if layout else ""
            raise TypeError(f"{name} must be an array{shape}: {err}") from None
    kind = value.dtype.kind
    if dtype == "number" and kind not in "iuf":
        raise TypeError(f"{name} must hold numbers, got dtype {value.dtype}")
    if dtype == "int" and kind not in "iu":
        raise TypeError(f"{name} must hold integer ids, got dtype {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {layout}, got shape {value.shape}")
    if not allow_empty and value.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {value.shape}")
    if finite and kind == "f" and not np.isfinite(value).all():
        raise ValueError(f"{name} must hold finite numbers (no NaN or infinity)")
    return value


def images(name, value, layout="(N, H, W, C)", finite=False):
    """``value`` as a 4-D numeric array (``layout``) with no empty axis; bools become uint8.

    ``finite=True`` refuses NaN and infinity.
    """
    value = array(name, value, dtype=None, allow_empty=True)
    if value.dtype == bool:
        value = value.astype(np.uint8)
    value = array(name, value, allow_empty=True, finite=finite)
    if value.ndim != 4:
        hint = ""
        if value.ndim == 2:
            hint = (" (one grey image (H, W)? use x[None, :, :, None])" if name == "x" else
                    f" (one 2-D kernel (kh, kw)? use {name}[:, :, None, None])")
        elif value.ndim == 3 and name == "x":
            hint = " (one image (H, W, C)? use x[None])"
        raise ValueError(f"{name} must be 4-D {layout}, got shape {value.shape}{hint}")
    if min(value.shape) == 0:
        raise ValueError(f"{name} must not have an empty axis, got shape {value.shape}")
    return value


def keras_model(name, value):
    """``value`` if it is a ``keras.Model`` (Keras is imported only when this is called)."""
    import keras

    if not isinstance(value, keras.Model):
        raise TypeError(f"{name} must be a keras.Model, got {type(value).__name__}")
    return value
