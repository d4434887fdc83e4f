"""Sentences labelled negative or positive: the UCI sample, Keras' IMDB, or a generated set.

``load_sentiment()`` resolves them like the images (:mod:`cnnlib.datasets.images`): the UCI
"Sentiment Labelled Sentences" of the course sample, ``keras.datasets.imdb`` when asked, a
generated stand-in only when the sample cannot be reached; it returns texts. Chapter 9 uses it.
"""

import dataclasses

import numpy as np

from cnnlib import _validate
from cnnlib.datasets._source import SOURCES, random_subset, resolve

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
        return random_subset(self, ("texts_train", "texts_test"), "texts", n_train, n_test,
                             seed)


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
    _validate.one_of("source", source, SOURCES)
    _validate.path_or_none("data_dir", data_dir)
    return resolve("sentiment", "sentiment_sentences", source, data_dir, _read_uci_sentences,
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
