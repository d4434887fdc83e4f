import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def offline_datasets(monkeypatch, tmp_path):
    """No local data, no Keras attempt, an empty KERAS_HOME unless a test says otherwise."""
    monkeypatch.delenv("CNNLIB_DATA_DIR", raising=False)
    monkeypatch.setenv("CNNLIB_OFFLINE", "1")
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    yield
    assert list(keras_home.iterdir()) == [], "cnnlib must not write to the Keras cache"
