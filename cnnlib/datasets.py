"""Loaders of the course sample: images (MNIST, Fashion-MNIST, CIFAR-10), sentiment sentences,
time series.

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

``load_sentiment()`` resolves labelled sentences the same way (the UCI "Sentiment Labelled
Sentences" of the sample, ``keras.datasets.imdb`` when asked, a generated stand-in) and returns
texts; ``load_time_series(name)`` reads a real series bundled with statsmodels (``sunspots``,
``co2``), else a generated stand-in. Chapters 1-9 use this module.
"""

import dataclasses
import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from cnnlib import course_sample

DATASETS = ("mnist", "fashion_mnist", "cifar10")
SOURCES = ("auto", "local", "keras", "standin")
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
        parts, note = _random_subset(self.name, "images", (self.x_train, self.y_train),
                                     (self.x_test, self.y_test), n_train, n_test, seed)
        return dataclasses.replace(self, x_train=parts[0], y_train=parts[1], x_test=parts[2],
                                   y_test=parts[3], description=self.description + note)


def _random_subset(name, noun, train, test, n_train, n_test, seed):
    """Shared by the ``sample`` methods: subsets of (x, y) pairs and the note describing them."""
    rng = np.random.default_rng(_check_int(seed, "seed"))
    parts = []
    for (x, y), n, label in ((train, n_train, "n_train"), (test, n_test, "n_test")):
        if n is not None:
            n = _check_int(n, label)
            if not 0 <= n <= len(x):
                raise ValueError(f"{label}={n}, but {name} has {len(x):,} {noun} there "
                                 f"(allowed: 0..{len(x):,} or None)")
            keep = np.sort(rng.choice(len(x), size=n, replace=False))
            x, y = x[keep], y[keep]
        parts += [x, y]
    note = f"; random subset {len(parts[0]):,} train / {len(parts[2]):,} test (seed {seed})"
    return parts, note


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
    for value, label in ((name, "name"), (source, "source")):
        if not isinstance(value, str):
            raise TypeError(f"{label} must be a str, got {type(value).__name__}")
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir must be a str, a path or None, got {type(data_dir).__name__}")
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; allowed: {', '.join(DATASETS)}")
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; allowed: {', '.join(SOURCES)}")
    return _resolve(name, name, source, data_dir, _load_local, _load_keras, _load_standin,
                    f"keras.datasets.{name}.load_data()")


def _resolve(name, folder_name, source, data_dir, load_local, load_keras, load_standin, keras_call):
    """The course sample (or ``data_dir``), Keras only when asked, a stand-in only when the
    sample cannot be reached; print the one-line notice; return the data."""
    ds, missing = None, None
    if source in ("auto", "local"):
        if data_dir is not None:
            folder, where = Path(data_dir) / folder_name, f"{data_dir}"
            if not folder.is_dir():
                raise FileNotFoundError(f"no {folder_name}/ folder in data_dir={str(data_dir)!r}")
        else:
            try:
                folder, where = course_sample.locate(folder_name)
            except course_sample.Unreachable as err:
                if source == "local":
                    raise
                folder, missing = None, str(err)
        if folder is not None:
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
    print(f"cnnlib.datasets: {name} <- {ds.description}")
    return ds


def _check_int(value, label):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{label} must be an int, got {type(value).__name__}")
    return int(value)


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


# ==================================================================== sentiment sentences
SENTIMENT = ("negative", "positive")
UCI_FILES = ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt")


@dataclasses.dataclass(frozen=True, eq=False)
class TextDataset:
    """A text classification dataset split into train and test.

    Attributes
    ----------
    texts_train, texts_test : object arrays (N,) of str, one sentence or review each
    y_train, y_test : int64 arrays (N,), class ids into ``class_names`` (0 negative, 1 positive)
    class_names : tuple of str
    source : "local", "keras" or "standin"
    description : one line saying exactly what data this is
    """

    name: str
    texts_train: np.ndarray
    y_train: np.ndarray
    texts_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    source: str
    description: str

    def __repr__(self):
        return (f"TextDataset({self.name!r}, source={self.source!r}, "
                f"train={len(self.texts_train)}, test={len(self.texts_test)})")

    def sample(self, n_train=None, n_test=None, seed=0):
        """Random subset of the train and test texts, kept in dataset order.

        Parameters
        ----------
        n_train, n_test : int or None; how many texts to keep (None = all)
        seed : int; the same seed gives the same subset

        Returns
        -------
        TextDataset with texts_train (n_train,), y_train (n_train,), same for test.
        """
        parts, note = _random_subset(self.name, "texts", (self.texts_train, self.y_train),
                                     (self.texts_test, self.y_test), n_train, n_test, seed)
        return dataclasses.replace(self, texts_train=parts[0], y_train=parts[1],
                                   texts_test=parts[2], y_test=parts[3],
                                   description=self.description + note)


def load_sentiment(source="auto", data_dir=None):
    """Sentences labelled negative (0) or positive (1); print one line saying from where.

    Sources:

    1. ``local`` (what "auto" uses): ``sentiment_sentences/`` of the course sample (or of
       ``data_dir``), the UCI "Sentiment Labelled Sentences" files
       (``amazon_cells_labelled.txt``, ``imdb_labelled.txt``, ``yelp_labelled.txt``:
       ``sentence<TAB>score`` lines, an optional header): 3,000 real review sentences, split
       80/20 stratified by file and label (seed 0);
    2. ``keras``, only when asked: the 50,000 IMDB movie reviews of ``keras.datasets.imdb``
       decoded back to words (lower case, no punctuation), 25,000 train / 25,000 test;
    3. ``standin``: 3,000 *generated* sentences from a small grammar (review phrases with
       intensifiers, negations and contrasts), 2,400 train / 600 test; "auto" uses it only
       when the course sample cannot be reached.

    Parameters
    ----------
    source : "auto", "local", "keras" or "standin"
    data_dir : str or path, optional; a folder holding ``sentiment_sentences/`` to use instead
        of the course sample

    Returns
    -------
    TextDataset with texts (N,) str and y (N,) int64 in {0, 1}.
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir must be a str, a path or None, got {type(data_dir).__name__}")
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; allowed: {', '.join(SOURCES)}")
    return _resolve("sentiment", "sentiment_sentences", source, data_dir, _read_uci_sentences,
                    _load_keras_imdb, _generated_sentiment,
                    "keras.datasets.imdb.load_data()")


def _read_uci_sentences(name, folder):
    """The three UCI files in ``folder``: 80/20 split stratified by file and label."""
    from sklearn.model_selection import train_test_split

    texts, labels, groups = [], [], []
    for g, fname in enumerate(UCI_FILES):
        path = folder / fname
        if not path.is_file():
            raise ValueError(f"{path}: missing (expected {', '.join(UCI_FILES)})")
        try:
            raw = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(f"{path}: not UTF-8 text ({err})") from err
        # split on "\n" only: imdb_labelled.txt contains U+0085, which str.splitlines() splits on
        lines = [line.rstrip("\r") for line in raw.split("\n")]
        n_before = len(texts)
        for number, line in enumerate(lines, start=1):
            if not line.strip() or (number == 1 and line.strip().lower() == "sentence\tscore"):
                continue
            sentence, tab, score = line.rpartition("\t")
            if not tab or score.strip() not in ("0", "1") or not sentence.strip():
                raise ValueError(f"{path}, line {number}: expected 'sentence<TAB>0|1', got "
                                 f"{line[:60]!r}")
            texts.append(sentence.strip())
            labels.append(int(score))
            groups.append(g)
        if len(texts) == n_before:
            raise ValueError(f"{path}: no labelled sentences")
    texts = np.array(texts, dtype=object)
    labels = np.array(labels, dtype=np.int64)
    strata = np.array(groups) * 2 + labels
    tr, te = train_test_split(np.arange(len(texts)), test_size=0.2, random_state=0,
                              stratify=strata if np.bincount(strata).min() >= 2 else None)
    desc = (f"UCI Sentiment Labelled Sentences (Kotzias et al. 2015; Amazon, IMDB and Yelp review "
            f"sentences): {len(texts):,} sentences, split {len(tr):,} train / "
            f"{len(te):,} test (stratified, seed 0)")
    return TextDataset(name, texts[tr], labels[tr], texts[te], labels[te], SENTIMENT, "local",
                       desc)


def _load_keras_imdb(name):
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data()
    words = {index + 3: word for word, index in keras.datasets.imdb.get_word_index().items()}
    # Keras reserves 0 (padding), 1 (start of review) and 2 (out of vocabulary)

    def decode(reviews):
        return np.array([" ".join(words.get(int(i), "[UNK]") for i in review if int(i) > 2)
                         for review in reviews], dtype=object)

    parts = [decode(x_train), np.asarray(y_train).astype(np.int64),
             decode(x_test), np.asarray(y_test).astype(np.int64)]
    if len(parts[0]) != len(parts[1]) or len(parts[2]) != len(parts[3]):
        raise ValueError("keras.datasets.imdb: review and label counts differ")
    desc = (f"IMDB movie reviews (Maas et al. 2011) via keras.datasets.imdb, decoded to words: "
            f"{len(parts[0]):,} train / {len(parts[2]):,} test")
    return TextDataset(name, *parts, SENTIMENT, "keras", desc)


_NOUNS = ("movie", "film", "plot", "acting", "ending", "cast", "phone", "battery", "headset",
          "screen", "charger", "food", "service", "pizza", "staff", "place", "steak")
_POSITIVE = ("good", "great", "excellent", "wonderful", "amazing", "fantastic", "enjoyable",
             "superb", "brilliant", "pleasant", "delightful", "perfect")
_NEGATIVE = ("bad", "terrible", "awful", "boring", "poor", "horrible", "disappointing", "dull",
             "mediocre", "weak", "annoying", "bland")


def _generated_sentiment(name, n=3000, seed=0):
    """``n`` distinct generated sentences, half positive, from a small review grammar."""
    from cnnlib.text import negation_probe  # the probe sentences are kept out of the data

    rng = np.random.default_rng(seed)
    pick = lambda options: options[rng.integers(len(options))]  # noqa: E731
    probe = set(negation_probe().texts)
    adverbs = ("", "", "really ", "very ", "quite ", "so ", "truly ")
    texts, labels = [], []
    seen = set(probe)
    while len(texts) < n:
        label = int(len(texts) % 2)
        good, bad = pick(_POSITIVE), pick(_NEGATIVE)
        word, other = (good, bad) if label else (bad, good)
        noun, adv = pick(_NOUNS), pick(adverbs)
        template = rng.integers(6)
        if template == 0:
            text = f"the {noun} was {adv}{word}"
        elif template == 1:  # negation flips the word's polarity
            text = f"the {noun} was not {other}"
        elif template == 2:
            text = f"{adv}{word} {noun} , i {'would' if label else 'would not'} recommend it"
        elif template == 3:  # contrast: the clause after "but" decides
            text = f"i expected the {noun} to be {other} but it was {adv}{word}"
        elif template == 4:  # "not ... at all", both ways round
            text = f"the {noun} was not {other} at all"
        elif rng.integers(2):
            text = f"what a {adv}{word} {noun}"
        else:
            text = f"this {noun} is {adv}{word} , i {'loved' if label else 'hated'} it"
        if text not in seen:
            seen.add(text)
            texts.append(text)
            labels.append(label)
    texts, labels = np.array(texts, dtype=object), np.array(labels, dtype=np.int64)
    order = rng.permutation(n)
    cut = n * 4 // 5
    tr, te = order[:cut], order[cut:]
    desc = (f"stand-in: {n:,} GENERATED review sentences from a small grammar (intensifiers, "
            f"negations, contrasts; not real reviews): {len(tr):,} train / {len(te):,} test")
    return TextDataset(name, texts[tr], labels[tr], texts[te], labels[te], SENTIMENT, "standin",
                       desc)


# ==================================================================== time series
SERIES = ("sunspots", "co2")
SERIES_SOURCES = ("auto", "local", "standin")


@dataclasses.dataclass(frozen=True, eq=False)
class TimeSeries:
    """One real-valued series in time order.

    Attributes
    ----------
    time : float64 array (N,), increasing (years, decimal for sub-yearly data)
    values : float64 array (N,), no missing values
    unit : str, what ``values`` measures
    source : "local" (the copy bundled with statsmodels) or "standin"
    description : one line saying exactly what data this is
    """

    name: str
    time: np.ndarray
    values: np.ndarray
    unit: str
    source: str
    description: str

    def __repr__(self):
        return (f"TimeSeries({self.name!r}, source={self.source!r}, n={len(self.values)}, "
                f"time {self.time[0]:g}..{self.time[-1]:g})")


def load_time_series(name="sunspots", source="auto"):
    """A real time series that ships with statsmodels; print one line saying which.

    ``sunspots``: yearly mean sunspot numbers 1700-2008 (309 values, NOAA National Geophysical
    Data Center, public domain). ``co2``: weekly atmospheric CO2 at Mauna Loa, 1958-2001 (ppm,
    Keeling and Whorf; the 59 missing weeks are filled by linear interpolation).

    Sources: ``local`` reads the CSV bundled inside the installed statsmodels package (no
    network); ``standin`` *generates* a series of the same length and character (11-year cycles
    of random height, or trend plus season) for machines without statsmodels. "auto" tries them
    in that order.

    Returns
    -------
    TimeSeries with time (N,) and values (N,), float64.
    """
    for value, label in ((name, "name"), (source, "source")):
        if not isinstance(value, str):
            raise TypeError(f"{label} must be a str, got {type(value).__name__}")
    if name not in SERIES:
        raise ValueError(f"unknown time series {name!r}; allowed: {', '.join(SERIES)}")
    if source not in SERIES_SOURCES:
        raise ValueError(f"unknown source {source!r}; allowed: {', '.join(SERIES_SOURCES)}")
    why = ""
    ts = None
    if source in ("auto", "local"):
        try:
            ts = _read_statsmodels_series(name)
        except ImportError as err:
            if source == "local":
                raise
            why = f" (statsmodels not installed: {err})"
    if ts is None:
        ts = _generated_series(name)
    print(f"cnnlib.datasets: {name} <- {ts.description}{why}")
    return ts


def _read_statsmodels_series(name):
    import importlib.metadata
    import importlib.resources

    try:
        path = importlib.resources.files(f"statsmodels.datasets.{name}") / f"{name}.csv"
    except ModuleNotFoundError as err:
        raise ImportError(str(err)) from err
    version = importlib.metadata.version("statsmodels")
    lines = path.read_text(encoding="utf-8").replace('"', "").splitlines()
    header = lines[0].strip().lower()
    expected = {"sunspots": "year,sunactivity", "co2": "date,co2"}[name]
    if header != expected:
        raise ValueError(f"{path}: header {lines[0]!r}, expected {expected!r}")
    time, values = [], []
    for number, line in enumerate(lines[1:], start=2):
        key, _, value = line.strip().partition(",")
        try:
            t = float(key) if name == "sunspots" else _decimal_year(key)
            values.append(float(value) if value.strip() else np.nan)
        except ValueError as err:
            raise ValueError(f"{path}, line {number}: {line!r} ({err})") from err
        time.append(t)
    time, values = np.array(time), np.array(values)
    missing = np.isnan(values)
    if missing.all() or np.any(np.diff(time) <= 0):
        raise ValueError(f"{path}: no values, or time not increasing")
    values[missing] = np.interp(time[missing], time[~missing], values[~missing])
    if name == "sunspots":
        unit = "yearly mean sunspot number"
        desc = (f"yearly sunspot numbers {time[0]:.0f}-{time[-1]:.0f} (NOAA NGDC, public domain), "
                f"{len(values)} values, bundled with statsmodels {version}")
    else:
        unit = "CO2 (ppm)"
        desc = (f"weekly Mauna Loa CO2 {int(time[0])}-{int(time[-1])} (Keeling and Whorf), "
                f"{len(values):,} values ({missing.sum()} missing filled by interpolation), "
                f"bundled with statsmodels {version}")
    return TimeSeries(name, time, values, unit, "local", desc)


def _decimal_year(yyyymmdd):
    import datetime

    date = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    return date.year + (date.timetuple().tm_yday - 1) / 365.25


def _generated_series(name, seed=0):
    rng = np.random.default_rng(seed)
    if name == "sunspots":
        time = np.arange(1700.0, 2009.0)
        values = np.zeros(len(time))
        start = 0.0
        while start < len(time):  # cycles of 9-13 years: fast rise, slow decay, random height
            length, height = rng.uniform(9, 13), rng.uniform(40, 190)
            phase = (np.arange(len(time)) - start) / length
            inside = (phase >= 0) & (phase < 1)
            shape = np.where(phase < 0.35, np.sin(np.pi / 2 * phase / 0.35),
                             np.cos(np.pi / 2 * (phase - 0.35) / 0.65)) ** 2
            values[inside] = height * shape[inside]
            start += length
        values = np.round(np.clip(values + rng.normal(0, 6, len(time)), 0, None), 1)
        unit = "generated sunspot-like number"
        desc = (f"stand-in: GENERATED sunspot-like series {len(values)} values (11-year cycles of "
                f"random height plus noise; not real sunspots)")
    else:
        time = 1958.24 + np.arange(2284) / 52.18
        t = time - time[0]
        values = 315 + 0.8 * t + 0.012 * t ** 2 + 3 * np.sin(2 * np.pi * (time - 0.3))
        values = np.round(values + rng.normal(0, 0.4, len(t)), 1)
        unit = "generated CO2-like ppm"
        desc = (f"stand-in: GENERATED CO2-like weekly series {len(values):,} values (trend plus "
                f"yearly season plus noise; not real measurements)")
    return TimeSeries(name, time, values, unit, "standin", desc)
