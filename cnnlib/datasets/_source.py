"""Where the data come from, shared by every loader of :mod:`cnnlib.datasets`.

The course sample (or ``<data_dir>/<folder>``) first, Keras only when asked, a stand-in only
when the sample cannot be reached; and the one notice format every loader prints:
``cnnlib.datasets: <name> <- <what was used>``.
"""

import dataclasses
from pathlib import Path

import numpy as np

from cnnlib import _validate, course_sample

SOURCES = ("auto", "local", "keras", "standin")


def notice(name, what):
    """Print the one-line notice: ``cnnlib.datasets: <name> <- <what>``."""
    print(f"cnnlib.datasets: {name} <- {what}")


def sample_folder(folder_name, data_dir=None):
    """``(folder, where)``: ``<data_dir>/<folder_name>`` or the course sample's copy.

    Raises :class:`cnnlib.course_sample.Unreachable` when there is no ``data_dir`` and the
    course sample cannot be reached.
    """
    if _validate.path_or_none("data_dir", data_dir) is not None:
        return Path(data_dir) / folder_name, str(data_dir)
    return course_sample.locate(folder_name)


def sample_or_notice(name, folder_name, data_dir, skipped):
    """``sample_folder``, or None after a notice saying what is ``skipped`` without it."""
    try:
        return sample_folder(folder_name, data_dir)
    except course_sample.Unreachable as err:
        notice(name, f"nothing: the course sample is not reachable ({err}); {skipped}")
        return None


def resolve(name, folder_name, source, data_dir, load_local, load_keras, load_standin, keras_call):
    """The course sample (or ``data_dir``), Keras only when asked, a stand-in only when the
    sample cannot be reached; print the notice; return the data."""
    ds, missing = None, None
    if source in ("auto", "local"):
        try:
            folder, where = sample_folder(folder_name, data_dir)
        except course_sample.Unreachable as err:
            if source == "local":
                raise
            folder, missing = None, str(err)
        if folder is not None:
            if not folder.is_dir():
                raise FileNotFoundError(f"no {folder_name}/ folder in data_dir={str(data_dir)!r}")
            ds = load_local(name, folder)  # a broken local copy raises, never falls back
            ds = dataclasses.replace(ds, description=f"{ds.description}, from {where}")
    elif source == "keras":
        try:
            ds = load_keras(name)
        except Exception as err:  # Keras raises a bare Exception when a download fails
            raise RuntimeError(f"{keras_call} failed (no Keras cache and no network?): "
                               f"{err}") from err
    if ds is None:
        ds = load_standin(name)
        if missing:
            ds = dataclasses.replace(ds, description=(
                f"{ds.description}. NOTE: the course sample is not reachable ({missing}), so "
                f"the numbers below will differ from the book's"))
    notice(name, ds.description)
    return ds


def random_subset(ds, fields, noun, n_train, n_test, seed):
    """``ds`` (a dataset dataclass) with random train and test rows, kept in dataset order.

    ``fields`` names the inputs, e.g. ``("x_train", "x_test")``; labels are ``y_train`` and
    ``y_test``. ``n_train``, ``n_test``: int or None (all). The description says what was kept.
    """
    rng = np.random.default_rng(_validate.integer("seed", seed))
    parts = {}
    for field, y_field, n, label in ((fields[0], "y_train", n_train, "n_train"),
                                     (fields[1], "y_test", n_test, "n_test")):
        x, y = getattr(ds, field), getattr(ds, y_field)
        if n is not None:
            n = _validate.integer(label, n, minimum=0, maximum=len(x),
                                  why=f"{ds.name} has {len(x):,} {noun} there; or None")
            keep = np.sort(rng.choice(len(x), size=n, replace=False))
            x, y = x[keep], y[keep]
        parts[field], parts[y_field] = x, y
    note = (f"; random subset {len(parts[fields[0]]):,} train / {len(parts[fields[1]]):,} test "
            f"(seed {seed})")
    return dataclasses.replace(ds, **parts, description=ds.description + note)
