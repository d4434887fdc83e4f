import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def offline_datasets(monkeypatch, tmp_path):
    """No course sample reachable (no CNNLIB_DATA_DIR, no checkout data/, an empty cache and a
    download address where nothing listens), an empty KERAS_HOME, unless a test says otherwise."""
    from cnnlib import course_sample

    monkeypatch.delenv("CNNLIB_DATA_DIR", raising=False)
    monkeypatch.setattr(course_sample, "CHECKOUT_DATA", tmp_path / "no_checkout_data")
    monkeypatch.setenv("CNNLIB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CNNLIB_DATA_URL", "http://127.0.0.1:9/data")  # port 9: nothing there
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    yield
    assert list(keras_home.iterdir()) == [], "cnnlib must not write to the Keras cache"
