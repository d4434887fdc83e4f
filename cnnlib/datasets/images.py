"""Images: MNIST, Fashion-MNIST and CIFAR-10 from the course sample, Keras or a stand-in.

``load_dataset(name)`` reads the course sample (:mod:`cnnlib.course_sample` finds it:
``$CNNLIB_DATA_DIR``, the checkout's ``data/``, or the user cache, downloaded and hash-checked
on first use), each dataset in its published layout (MNIST IDX gzip files, Kaggle
Fashion-MNIST CSVs, CIFAR-10 ``train|test/<class>/*.jpg``). Other sources only when asked:

- ``source="keras"``: the full dataset, ``keras.datasets.<name>.load_data()`` (a download);
- ``source="standin"``: real images that ship with scikit-learn and scikit-image. "auto" falls
  back to it only when the sample cannot be reached, and its notice says the numbers will
  differ from the book's.

Whatever the source, images are NHWC ``uint8`` in 0..255 (MNIST-style ``(N, 28, 28, 1)``,
CIFAR-style ``(N, 32, 32, 3)``) and labels are ``(N,)`` ``int64``. One line says what was used.
Chapters 1-8 use it.
"""

import dataclasses
import gzip
import zlib

import numpy as np

from cnnlib import _validate
from cnnlib.datasets._source import SOURCES, random_subset, resolve

DATASETS = ("mnist", "fashion_mnist", "cifar10")
DIGITS = tuple(str(i) for i in range(10))
FASHION = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
CIFAR10 = ("airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck")
TITLES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "cifar10": "CIFAR-10"}
CLASS_NAMES = {"mnist": DIGITS, "fashion_mnist": FASHION, "cifar10": CIFAR10}


@dataclasses.dataclass(frozen=True, eq=False)
class Dataset:
    """An image classification dataset split into train and test.

    Attributes
    ----------
    x_train, x_test : uint8 arrays (N, H, W, C), values 0..255
    y_train, y_test : int64 arrays (N,), class ids into ``class_names``
    class_names : tuple of str
    source : "local", "keras" or "standin"
    description : one line saying exactly what data this is
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    source: str
    description: str

    def __repr__(self):
        return (f"Dataset({self.name!r}, source={self.source!r}, train={self.x_train.shape}, "
                f"test={self.x_test.shape}, classes={len(self.class_names)})")

    def sample(self, n_train=None, n_test=None, seed=0):
        """Random subset of the train and test images, kept in dataset order.

        Parameters
        ----------
        n_train, n_test : int or None; how many images to keep (None = all)
        seed : int; the same seed gives the same subset

        Returns
        -------
        Dataset with x_train (n_train, H, W, C), y_train (n_train,), same for test.
        """
        return random_subset(self, ("x_train", "x_test"), "images", n_train, n_test, seed)



def load_dataset(name, source="auto", data_dir=None):
    """Load ``name`` ("mnist", "fashion_mnist" or "cifar10") and print one line saying from where.

    Parameters
    ----------
    name : str, one of ``DATASETS``
    source : "auto" (the course sample; a stand-in only when it cannot be reached), "local"
        (the course sample or ``data_dir``, else an error), "keras" (the full dataset, a
        download) or "standin"
    data_dir : str or path, optional; a folder holding ``<name>/`` to use instead of the
        course sample

    Returns
    -------
    Dataset with x: (N, 28, 28, 1) for MNIST-style data or (N, 32, 32, 3) for CIFAR-10, uint8;
    y: (N,) int64.
    """
    _validate.one_of("name", name, DATASETS, noun="dataset")
    _validate.one_of("source", source, SOURCES)
    _validate.path_or_none("data_dir", data_dir)
    return resolve(name, name, source, data_dir, _load_local, _load_keras, _load_standin,
                    f"keras.datasets.{name}.load_data()")

def _load_local(name, folder):
    """Read ``folder`` in the dataset's published layout; a broken file raises ValueError.

    Without training files (the shared samples hold only test images), the test images are
    split in file order: the first 80% become train, the last 20% test.
    """
    if name == "cifar10":
        return _read_cifar_dirs(folder)
    if name == "mnist":
        train, test = (_read_idx_pair(folder, part) for part in ("train", "t10k"))
        required, what = "t10k-images/labels-idx*-ubyte.gz", "official test set"
    else:
        train, test = (_read_fashion_csv(folder, part) for part in ("train", "test"))
        required, what = "fashion-mnist_test*.csv", "test images"
    if test is None:
        raise ValueError(f"{folder}: no {required} file")
    if train is None:
        (x, y), cut = test, len(test[0]) * 4 // 5
        train, test = (x[:cut], y[:cut]), (x[cut:], y[cut:])
        desc = (f"{TITLES[name]} {what} ({len(x):,} images, no training file) split first "
                f"{cut:,} train / last {len(x) - cut:,} test")
    else:
        desc = f"{TITLES[name]}: {len(train[0]):,} train / {len(test[0]):,} test"
    return Dataset(name, train[0], train[1].astype(np.int64), test[0], test[1].astype(np.int64),
                   CLASS_NAMES[name], "local", desc)


def _read_gzip(path):
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(f"{path}: not a complete gzip file ({err})") from err


def _read_idx_pair(folder, part):
    """``<part>-images-idx3-ubyte.gz`` (N, 28, 28, 1) and its labels (N,), or None if absent."""
    img_path = folder / f"{part}-images-idx3-ubyte.gz"
    lab_path = folder / f"{part}-labels-idx1-ubyte.gz"
    if not img_path.exists() and not lab_path.exists():
        return None
    if not (img_path.exists() and lab_path.exists()):
        missing = img_path if lab_path.exists() else lab_path
        raise ValueError(f"{missing}: missing (MNIST needs both images and labels files)")
    raw_x, raw_y = _read_gzip(img_path), _read_gzip(lab_path)
    for path, raw, magic, head in ((img_path, raw_x, 2051, 16), (lab_path, raw_y, 2049, 8)):
        if len(raw) < head:
            raise ValueError(f"{path}: {len(raw)} bytes, shorter than the {head}-byte IDX header")
        dims = np.frombuffer(raw[:head], dtype=">i4")
        if dims[0] != magic:
            raise ValueError(f"{path}: magic number {dims[0]}, expected {magic}")
        if len(raw) != head + int(np.prod(dims[1:])):
            raise ValueError(f"{path}: {len(raw) - head:,} data bytes, header says "
                             f"{' x '.join(str(d) for d in dims[1:])}")
    n, rows, cols = np.frombuffer(raw_x[4:16], dtype=">i4")
    n_labels = int(np.frombuffer(raw_y[4:8], dtype=">i4")[0])
    if (rows, cols) != (28, 28):
        raise ValueError(f"{img_path}: images are {rows}x{cols}, expected 28x28")
    if n != n_labels:
        raise ValueError(f"{img_path}: {n:,} images but {lab_path.name} has {n_labels:,} labels")
    y = np.frombuffer(raw_y, dtype=np.uint8, offset=8)
    if y.size and y.max() > 9:
        raise ValueError(f"{lab_path}: label {y.max()} out of range 0..9")
    return np.frombuffer(raw_x, np.uint8, offset=16).reshape(n, 28, 28, 1).copy(), y.copy()


def _read_fashion_csv(folder, part):
    """``fashion-mnist_<part>*.csv`` as x (N, 28, 28, 1) and y (N,), or None if absent."""
    paths = sorted(folder.glob(f"fashion-mnist_{part}*.csv"))
    if folder / f"fashion-mnist_{part}.csv" in paths:
        paths = [folder / f"fashion-mnist_{part}.csv"]  # the full file wins over subsets
    if len(paths) > 1:
        raise ValueError(f"{folder}: several {part} files, keep one: {[p.name for p in paths]}")
    if not paths:
        return None
    path = paths[0]
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().replace('"', "").split(",")
        if header != ["label"] + [f"pixel{i}" for i in range(1, 785)]:
            raise ValueError(f"{path}: header must be label,pixel1..pixel784; got "
                             f"{len(header)} columns starting {','.join(header[:3])}")
        try:
            data = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from err
    if data.shape[0] == 0 or data.shape[1] != 785:
        raise ValueError(f"{path}: expected rows of 785 columns, got shape {data.shape}")
    if data[:, 0].min() < 0 or data[:, 0].max() > 9 or data[:, 1:].min() < 0 \
            or data[:, 1:].max() > 255:
        raise ValueError(f"{path}: labels must be 0..9 and pixels 0..255")
    return data[:, 1:].astype(np.uint8).reshape(-1, 28, 28, 1), data[:, 0]


def _read_cifar_dirs(folder):
    from PIL import Image

    parts = []
    for part in ("train", "test"):
        root = folder / part
        found = tuple(sorted(p.name for p in root.iterdir() if p.is_dir())) if root.is_dir() else ()
        if found != CIFAR10:
            raise ValueError(f"{root}: class folders must be exactly {', '.join(CIFAR10)}; found "
                             f"{', '.join(found) or 'none'}")
        xs, ys = [], []
        for label, cls in enumerate(CIFAR10):
            files = sorted(p for p in (root / cls).iterdir()
                           if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
            if not files:
                raise ValueError(f"{root / cls}: no .jpg/.jpeg/.png images")
            for path in files:
                try:
                    with Image.open(path) as im:
                        arr = np.asarray(im.convert("RGB"))
                except OSError as err:
                    raise ValueError(f"{path}: not a readable image ({err})") from err
                if arr.shape != (32, 32, 3):
                    raise ValueError(f"{path}: image is {arr.shape[1]}x{arr.shape[0]}, "
                                     f"expected 32x32")
                xs.append(arr)
                ys.append(label)
        order = np.random.default_rng(0).permutation(len(xs))  # folders come sorted by class
        parts += [np.stack(xs)[order], np.array(ys, dtype=np.int64)[order]]
    desc = (f"CIFAR-10 images (train/ and test/ class folders, shuffled with "
            f"seed 0): {len(parts[0]):,} train / {len(parts[2]):,} test")
    return Dataset("cifar10", *parts, CIFAR10, "local", desc)


def _load_keras(name):
    import keras

    (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
    shape = (32, 32, 3) if name == "cifar10" else (28, 28, 1)
    xs = [np.asarray(x, dtype=np.uint8).reshape(-1, *shape) for x in (x_train, x_test)]
    ys = [np.asarray(y).reshape(-1).astype(np.int64) for y in (y_train, y_test)]
    if len(xs[0]) != len(ys[0]) or len(xs[1]) != len(ys[1]):
        raise ValueError(f"keras.datasets.{name}: image and label counts differ")
    desc = (f"official {TITLES[name]} via keras.datasets.{name} (Keras cache or download): "
            f"{len(xs[0]):,} train / {len(xs[1]):,} test")
    return Dataset(name, xs[0], ys[0], xs[1], ys[1], CLASS_NAMES[name], "keras", desc)


def _load_standin(name):
    return _photo_patches() if name == "cifar10" else _digits_28(name)


def _digits_28(name):
    """scikit-learn's 1,797 handwritten 8x8 digits as MNIST-style 28x28 images."""
    from skimage.transform import resize
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = np.zeros((len(digits.images), 28, 28), dtype=np.float64)
    for i, img in enumerate(digits.images):
        x[i, 4:24, 4:24] = resize(img / 16.0, (20, 20), order=1, anti_aliasing=True)
    x = np.clip(np.round(x * 255), 0, 255).astype(np.uint8)[..., None]
    y = digits.target.astype(np.int64)
    tr, te = train_test_split(np.arange(len(y)), test_size=0.25, random_state=0, stratify=y)
    desc = ("stand-in: scikit-learn digits (real handwritten digits, 8x8) upscaled to 28x28, "
            f"{len(tr):,} train / {len(te):,} test")
    if name == "fashion_mnist":
        desc += (" -- handwritten DIGITS stand in for Fashion-MNIST clothing "
                 "(class names are 0..9, not garments)")
    return Dataset(name, x[tr], y[tr], x[te], y[te], DIGITS, "standin", desc)


def _photo_patches(widths=(192, 320), n_train=150, n_test=50, seed=0):
    """32x32 RGB patches of the photos bundled with scikit-learn and scikit-image.

    Each photo is a class. Train patches come from the left 75% of a photo and test patches
    from the right 25%, each part resized on its own, so no pixel is shared. Per class and per
    scale (photo resized to each of ``widths``): ``n_train`` train and ``n_test`` test patches.
    """
    import skimage.data
    from skimage.transform import resize
    from sklearn.datasets import load_sample_images

    photos = dict(zip(("china", "flower"), load_sample_images().images, strict=True))
    for key in ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field",
                "immunohistochemistry"):
        photos[key] = getattr(skimage.data, key)()
    photos["retina"] = skimage.data.retina()[250:1160, 250:1160]  # inside the black border
    photos["motorcycle"] = skimage.data.stereo_motorcycle()[0]
    rng = np.random.default_rng(seed)
    out = {"train": ([], []), "test": ([], [])}
    for label, photo in enumerate(photos.values()):
        h, w = photo.shape[:2]
        cut = round(0.75 * w)
        for width in widths:
            for part, region, n in (("train", photo[:, :cut], n_train),
                                    ("test", photo[:, cut:], n_test)):
                shape = (round(h * width / w), round(region.shape[1] * width / w))
                small = resize(region, shape, anti_aliasing=True, preserve_range=True)
                small = np.clip(np.round(small), 0, 255).astype(np.uint8)
                out[part][0].extend(_textured_patches(small, n, rng))
                out[part][1].extend([label] * n)
    arrays = []
    for part in ("train", "test"):
        order = rng.permutation(len(out[part][1]))
        arrays += [np.stack(out[part][0])[order], np.array(out[part][1], np.int64)[order]]
    desc = (f"stand-in: 32x32 patches of {len(photos)} real photos bundled with scikit-learn and "
            f"scikit-image, labelled by photo (not CIFAR-10 classes); train from the left 75% "
            f"and test from the right 25% of each photo: {len(arrays[0]):,} train / "
            f"{len(arrays[2]):,} test")
    return Dataset("cifar10", *arrays, tuple(photos), "standin", desc)


def _textured_patches(img, n, rng, min_std=8.0):
    """``n`` distinct 32x32 patches of ``img`` (H, W, 3) at random corners, skipping flat ones."""
    nx = img.shape[1] - 31
    patches = []
    for pos in rng.permutation((img.shape[0] - 31) * nx):
        patch = img[pos // nx:pos // nx + 32, pos % nx:pos % nx + 32]
        if patch.std() >= min_std:
            patches.append(patch)
            if len(patches) == n:
                return patches
    raise RuntimeError(f"stand-in: only {len(patches)} textured 32x32 patches in a photo part")
