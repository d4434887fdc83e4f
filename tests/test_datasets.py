"""Tests of cnnlib.datasets: every source (local, Keras, stand-in), broken files, bad input."""

import gzip
from pathlib import Path

import keras  # imported before KERAS_HOME is patched: importing Keras writes keras.json
import numpy as np
import pytest

from cnnlib import course_sample
from cnnlib.datasets import DATASETS, Dataset, load_dataset

REPO = Path(__file__).resolve().parents[1]
CIFAR10 = ("airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck")


DATA_ROOT = REPO / "data"  # the course sample


pytestmark = pytest.mark.usefixtures("offline_datasets")


def check_format(ds, shape, n_train=None, n_test=None):
    assert isinstance(ds, Dataset)
    for x, y, n in ((ds.x_train, ds.y_train, n_train), (ds.x_test, ds.y_test, n_test)):
        assert x.shape[1:] == shape and x.dtype == np.uint8
        assert y.shape == (len(x),) and y.dtype == np.int64
        assert 0 <= y.min() and y.max() < len(ds.class_names)
        assert x.max() > 200 and x.min() == 0  # uses the 0..255 range
        if n is not None:
            assert len(x) == n
    assert all(isinstance(c, str) for c in ds.class_names)
    assert isinstance(ds.description, str) and "\n" not in ds.description


# ---------------------------------------------------------------- real local files
def test_local_mnist_is_split_80_20(capsys):
    ds = load_dataset("mnist", source="local", data_dir=DATA_ROOT)
    check_format(ds, (28, 28, 1), 8000, 2000)
    assert ds.source == "local" and "split" in ds.description and "8,000" in ds.description
    counts = np.bincount(ds.y_train, minlength=10)
    assert (counts > 0.07 * 8000).all() and (counts < 0.14 * 8000).all()
    assert set(np.unique(ds.y_test)) == set(range(10))
    assert capsys.readouterr().out.count("\n") == 1


def test_local_fashion_mnist(monkeypatch):
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(DATA_ROOT))
    ds = load_dataset("fashion_mnist")  # auto finds the local copy through the env var
    check_format(ds, (28, 28, 1), 800, 200)
    assert ds.source == "local" and "split" in ds.description and "800" in ds.description
    assert ds.class_names[0] == "T-shirt/top" and ds.class_names[9] == "Ankle boot"
    assert len(np.unique(ds.y_train)) == 10


def test_local_cifar10():
    ds = load_dataset("cifar10", source="local", data_dir=str(DATA_ROOT))
    check_format(ds, (32, 32, 3), 5000, 1000)
    assert ds.class_names == CIFAR10 and ds.source == "local"
    assert (np.bincount(ds.y_train) == 500).all() and (np.bincount(ds.y_test) == 100).all()
    assert len(np.unique(ds.y_train[:50])) > 5  # shuffled, not grouped by class folder


# ---------------------------------------------------------------- Keras, simulated
def fake_keras(monkeypatch, name, result=None, error=None):
    calls = []

    def load_data():
        calls.append(name)
        if error is not None:
            raise error
        return result

    monkeypatch.setattr(getattr(keras.datasets, name), "load_data", load_data)
    return calls


def test_keras_format_is_converted(monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (10, 28, 28), dtype=np.uint8)
    y = np.arange(10, dtype=np.uint8)
    fake_keras(monkeypatch, "mnist", ((x[:6], y[:6]), (x[6:], y[6:])))
    ds = load_dataset("mnist", source="keras")
    check_format(ds, (28, 28, 1), 6, 4)
    assert ds.source == "keras" and np.array_equal(ds.x_test[..., 0], x[6:])
    xc = rng.integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    yc = np.array([[0], [3], [9], [1], [2]], dtype=np.uint8)  # CIFAR labels come as (N, 1)
    fake_keras(monkeypatch, "cifar10", ((xc[:3], yc[:3]), (xc[3:], yc[3:])))
    ds = load_dataset("cifar10", source="keras")
    assert ds.source == "keras" and ds.y_train.tolist() == [0, 3, 9]
    assert ds.y_test.shape == (2,) and ds.class_names == CIFAR10


def test_unreachable_sample_falls_back_to_standin_with_a_banner(monkeypatch, capsys):
    calls = fake_keras(monkeypatch, "mnist", error=AssertionError("auto must not call Keras"))
    ds = load_dataset("mnist")
    assert calls == [] and ds.source == "standin"
    check_format(ds, (28, 28, 1))
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("cnnlib.datasets: mnist <- stand-in: scikit-learn")
    assert "course sample is not reachable (cannot download http://127.0.0.1:9/data/mnist/" in out[0]
    assert out[0].endswith("so the numbers below will differ from the book's")
    with pytest.raises(course_sample.Unreachable, match="cannot download"):
        load_dataset("mnist", source="local")


def test_keras_failure_is_an_error_not_a_fallback(monkeypatch):
    error = Exception("URL fetch failure on https://storage.googleapis.com/x/mnist.npz: None "
                      "-- [Errno -2] Name or service not known")
    calls = fake_keras(monkeypatch, "mnist", error=error)
    with pytest.raises(RuntimeError, match="no network"):
        load_dataset("mnist", source="keras")
    assert calls == ["mnist"]


def test_auto_uses_the_checkout_sample(monkeypatch, capsys):
    monkeypatch.setattr(course_sample, "CHECKOUT_DATA", DATA_ROOT)
    calls = fake_keras(monkeypatch, "fashion_mnist", error=AssertionError("must not be called"))
    ds = load_dataset("fashion_mnist")
    assert calls == [] and ds.source == "local"
    check_format(ds, (28, 28, 1), 800, 200)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.rstrip().endswith("from the course sample in this "
                                                           "checkout's data/")
    assert str(DATA_ROOT) not in out  # the same line on every machine


# ---------------------------------------------------------------- broken local files
def idx_bytes(magic, dims, data):
    return np.array([magic, *dims], dtype=">i4").tobytes() + bytes(data)


def write_mnist(folder, n=10, n_labels=None, magic=2051, extra=0, prefix="t10k"):
    folder.mkdir(parents=True, exist_ok=True)
    n_labels = n if n_labels is None else n_labels
    images = idx_bytes(magic, (n, 28, 28), np.full(n * 784 + extra, 255, np.uint8))
    labels = idx_bytes(2049, (n_labels,), np.arange(n_labels, dtype=np.uint8) % 10)
    for kind, raw in (("images-idx3", images), ("labels-idx1", labels)):
        (folder / f"{prefix}-{kind}-ubyte.gz").write_bytes(gzip.compress(raw))
    return folder / f"{prefix}-images-idx3-ubyte.gz"


def test_small_valid_mnist_folder(tmp_path):
    write_mnist(tmp_path / "mnist", n=10)
    ds = load_dataset("mnist", data_dir=tmp_path)
    assert (len(ds.x_train), len(ds.x_test)) == (8, 2) and ds.y_test.tolist() == [8, 9]


@pytest.mark.parametrize("problem, match", [
    ("truncated", "not a complete gzip"), ("magic", "magic number 2052"),
    ("size", "data bytes"), ("count", "labels"), ("not_gzip", "not a complete gzip"),
])
def test_broken_mnist_files_raise(tmp_path, problem, match):
    folder = tmp_path / "mnist"
    path = write_mnist(folder, magic=2052 if problem == "magic" else 2051,
                       extra=5 if problem == "size" else 0,
                       n_labels=9 if problem == "count" else None)
    if problem == "truncated":
        path.write_bytes(path.read_bytes()[:-20])
    if problem == "not_gzip":
        path.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(ValueError, match=match) as info:
        load_dataset("mnist", data_dir=tmp_path)  # auto must not fall back to a stand-in
    assert "t10k-images-idx3-ubyte.gz" in str(info.value)


def test_mnist_train_images_without_labels_raise(tmp_path):
    write_mnist(tmp_path / "mnist")
    write_mnist(tmp_path / "mnist", prefix="train")
    (tmp_path / "mnist" / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz: missing"):
        load_dataset("mnist", data_dir=tmp_path)


def write_csv(folder, rows, header=None, name="fashion-mnist_test.csv"):
    folder.mkdir(parents=True, exist_ok=True)
    header = header or "label," + ",".join(f"pixel{i}" for i in range(1, 785))
    lines = [header] + [",".join(str(v) for v in row) for row in rows]
    (folder / name).write_text("\n".join(lines) + "\n")
    return folder / name


def test_fashion_csv_with_wrong_columns_raises(tmp_path):
    good = [3] + [255] * 784
    write_csv(tmp_path / "fashion_mnist", [good] * 5)
    assert len(load_dataset("fashion_mnist", data_dir=tmp_path).x_train) == 4
    write_csv(tmp_path / "fashion_mnist", [good, good[:-1], good])
    with pytest.raises(ValueError, match="fashion-mnist_test.csv.*column"):
        load_dataset("fashion_mnist", data_dir=tmp_path)
    write_csv(tmp_path / "fashion_mnist", [good], header="label,pixel1,pixel2")
    with pytest.raises(ValueError, match="fashion-mnist_test.csv: header"):
        load_dataset("fashion_mnist", source="local", data_dir=tmp_path)
    write_csv(tmp_path / "fashion_mnist", [[12] + [0] * 784])
    with pytest.raises(ValueError, match="labels must be 0..9"):
        load_dataset("fashion_mnist", data_dir=tmp_path)


def write_cifar(root, classes=CIFAR10, size=32):
    from PIL import Image

    for part in ("train", "test"):
        for i, cls in enumerate(classes):
            (root / part / cls).mkdir(parents=True)
            img = np.full((size, size, 3), (i * 25, 255, 0), np.uint8)
            Image.fromarray(img).save(root / part / cls / "0000.png")


def test_cifar_folders(tmp_path):
    write_cifar(tmp_path / "cifar10")
    ds = load_dataset("cifar10", data_dir=tmp_path)
    check_format(ds, (32, 32, 3), 10, 10)
    assert sorted(ds.y_train.tolist()) == list(range(10)) and ds.class_names == CIFAR10
    bad = tmp_path / "bad" / "cifar10" / "train" / "ship" / "0001.jpg"
    write_cifar(tmp_path / "bad" / "cifar10")
    bad.write_bytes(b"\xff\xd8\xff truncated jpeg")
    with pytest.raises(ValueError, match="0001.jpg: not a readable image"):
        load_dataset("cifar10", data_dir=tmp_path / "bad")
    write_cifar(tmp_path / "big" / "cifar10", size=64)
    with pytest.raises(ValueError, match="0000.png: image is 64x64"):
        load_dataset("cifar10", data_dir=tmp_path / "big")


def test_cifar_wrong_class_folder_raises(tmp_path):
    write_cifar(tmp_path / "cifar10", classes=("plane",) + CIFAR10[1:])
    with pytest.raises(ValueError, match=r"cifar10/train: class folders must be exactly airplane"):
        load_dataset("cifar10", data_dir=tmp_path)


# ---------------------------------------------------------------- bad input
def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset 'imagenet'; allowed: mnist, "
                                         "fashion_mnist, cifar10"):
        load_dataset("imagenet")
    with pytest.raises(ValueError, match="unknown source 'web'; allowed: auto, local"):
        load_dataset("mnist", source="web")
    with pytest.raises(TypeError, match="name must be a str"):
        load_dataset(3)
    with pytest.raises(TypeError, match="data_dir must be"):
        load_dataset("mnist", data_dir=5)
    with pytest.raises(FileNotFoundError, match="no mnist/ folder in data_dir="):
        load_dataset("mnist", source="local", data_dir=tmp_path)
    assert DATASETS == ("mnist", "fashion_mnist", "cifar10")


# ---------------------------------------------------------------- sample() and stand-ins
@pytest.fixture(scope="module")
def digits():
    return load_dataset("mnist", source="standin")


def test_sample(digits):
    a, b = digits.sample(100, 30, seed=1), digits.sample(100, 30, seed=1)
    assert (len(a.x_train), len(a.y_test)) == (100, 30)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_train, digits.sample(100, seed=2).y_train)
    assert len(digits.sample(n_test=5).x_train) == len(digits.x_train)
    assert "random subset 100 train / 30 test (seed 1)" in a.description
    with pytest.raises(ValueError, match=r"n_train must be an int in 0..1,347 \(mnist has 1,347 "
                       "images there; or None\), got 5000"):
        digits.sample(5000)
    with pytest.raises(TypeError, match="n_test must be an int"):
        digits.sample(n_test=2.5)


def test_digits_standin(digits):
    check_format(digits, (28, 28, 1), 1347, 450)
    assert digits.class_names == tuple("0123456789") and digits.source == "standin"
    assert (np.bincount(digits.y_test) >= 40).all()  # stratified
    assert digits.x_train[:, :2].max() == 0 and digits.x_train[:, :, -2:].max() == 0  # margin


def test_cifar_standin_has_no_train_test_overlap():
    ds = load_dataset("cifar10", source="standin")
    check_format(ds, (32, 32, 3))
    assert len(ds.class_names) == 10 and "china" in ds.class_names
    assert (np.bincount(ds.y_train) >= 200).all() and (np.bincount(ds.y_test) >= 50).all()
    train = {p.tobytes() for p in ds.x_train}
    assert not any(p.tobytes() in train for p in ds.x_test)
    assert "stand-in" in ds.description and "photos" in ds.description
    again = load_dataset("cifar10", source="standin")
    assert np.array_equal(again.x_test, ds.x_test)
