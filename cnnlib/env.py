"""Where a chapter runs: seeding, device and version summary, Colab detection, cache folder."""

import os
import platform
import random
import sys
from pathlib import Path

import numpy as np

from cnnlib import _validate


def cache_dir():
    """cnnlib's cache folder (weights, downloaded course sample), never inside the repository.

    Returns
    -------
    folder : pathlib.Path, ``$CNNLIB_CACHE_DIR`` if set, else ``~/.cache/cnnlib`` (not created)
    """
    return Path(os.environ.get("CNNLIB_CACHE_DIR") or Path.home() / ".cache" / "cnnlib")


def in_colab() -> bool:
    """Whether this runs inside Google Colab.

    Returns
    -------
    colab : bool
    """
    return "google.colab" in sys.modules


def seed_everything(seed: int = 0, deterministic_ops: bool = True) -> int:
    """Seed Python, NumPy, TensorFlow and Keras; optionally make TF ops deterministic.

    Deterministic ops (and full float32 instead of TF32 on GPUs) make two runs on the same
    machine give identical numbers, GPU kernels included, at a small speed cost.

    Parameters
    ----------
    seed : int >= 0
    deterministic_ops : bool, turn on TensorFlow's deterministic ops

    Returns
    -------
    seed : int, the seed used
    """
    seed = _validate.integer("seed", seed, minimum=0)
    deterministic_ops = _validate.boolean("deterministic_ops", deterministic_ops)
    import keras
    import tensorflow as tf

    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(int(seed))
    if deterministic_ops:
        tf.config.experimental.enable_op_determinism()
        # Ampere+ GPUs compute float32 matmuls/convolutions in TF32 (~1e-3 relative error) by
        # default; full float32 keeps NumPy-vs-TF comparisons at 1e-5 on every device.
        tf.config.experimental.enable_tensor_float_32_execution(False)
    return int(seed)


def device_summary() -> dict:
    """Versions and device a chapter is executed with.

    Returns
    -------
    summary : dict of str under "device", "python", "tensorflow", "keras", "numpy" and
        "colab" ("True" or "False")
    """
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = [tf.config.experimental.get_device_details(g).get("device_name", g.name)
                 for g in gpus]
        device = "GPU: " + ", ".join(names)
    else:
        device = f"CPU ({os.cpu_count()} cores)"
    return {
        "device": device,
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "colab": str(in_colab()),
    }


def describe_environment() -> str:
    """One line for a chapter's setup cell.

    Returns
    -------
    line : str, e.g. ``CPU (2 cores) | Python 3.11.9 | TensorFlow 2.21.0 | ...``
    """
    s = device_summary()
    return (
        f"{s['device']} | Python {s['python']} | TensorFlow {s['tensorflow']} | "
        f"Keras {s['keras']} | NumPy {s['numpy']}" + (" | Colab" if in_colab() else "")
    )
