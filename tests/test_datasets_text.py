"""cnnlib.datasets for sequences: sentiment sentences (local, Keras, generated) and time series."""

from pathlib import Path

import keras  # imported before KERAS_HOME is patched: importing Keras writes keras.json
import numpy as np
import pytest

from cnnlib import text
from cnnlib.datasets import TextDataset, TimeSeries, load_sentiment, load_time_series

REPO = Path(__file__).resolve().parents[1]


DATA_ROOT = REPO / "data"  # the course sample
UCI = ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt")


pytestmark = pytest.mark.usefixtures("offline_datasets")


def check_text(ds, n_train=None, n_test=None):
    assert isinstance(ds, TextDataset) and ds.class_names == ("negative", "positive")
    for texts, y, n in ((ds.texts_train, ds.y_train, n_train), (ds.texts_test, ds.y_test, n_test)):
        assert texts.dtype == object and texts.ndim == 1
        assert all(isinstance(t, str) and t and t == t.strip() for t in texts)
        assert y.shape == texts.shape and y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
        if n is not None:
            assert len(texts) == n
    assert isinstance(ds.description, str) and "\n" not in ds.description
    assert not set(ds.texts_train) & set(ds.texts_test) or ds.source == "local"


# ---------------------------------------------------------------- real local files
def test_local_uci_sentences(capsys, monkeypatch):
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(DATA_ROOT))
    ds = load_sentiment()  # auto finds the local copy through the env var
    check_text(ds, 2400, 600)
    assert ds.source == "local" and "Kotzias" in ds.description
    assert (np.bincount(ds.y_train) == 1200).all() and (np.bincount(ds.y_test) == 300).all()
    everything = set(ds.texts_train) | set(ds.texts_test)
    assert "Good case, Excellent value." in everything  # the first Amazon sentence
    assert not any("\r" in t or "\t" in t for t in everything)
    # imdb_labelled.txt holds U+0085 inside sentences: splitting on it would break lines
    assert any("\x85" in t for t in everything)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("cnnlib.datasets: sentiment <- UCI")
    again = load_sentiment(source="local", data_dir=DATA_ROOT)
    assert list(again.texts_test) == list(ds.texts_test)  # the same split every time


def write_uci(folder, header=True, crlf=True, lines=None):
    folder.mkdir(parents=True, exist_ok=True)
    end = "\r\n" if crlf else "\n"
    for i, name in enumerate(UCI):
        rows = lines or [f"{name[:4]} sentence {k} is fine.\t{k % 2}" for k in range(10)]
        body = (["sentence\tscore"] if header else []) + rows
        (folder / name).write_bytes((end.join(body) + end).encode("utf-8"))
    return folder


@pytest.mark.parametrize("header, crlf", [(True, True), (False, False)])
def test_small_uci_folder(tmp_path, header, crlf):
    write_uci(tmp_path / "sentiment_sentences", header=header, crlf=crlf)
    ds = load_sentiment(data_dir=tmp_path)
    check_text(ds, 24, 6)
    assert "imdb sentence 3 is fine." in set(ds.texts_train) | set(ds.texts_test)


def test_broken_uci_files_raise(tmp_path):
    folder = write_uci(tmp_path / "sentiment_sentences")
    (folder / "yelp_labelled.txt").write_text("sentence\tscore\nnice place\t2\n")
    with pytest.raises(ValueError, match=r"yelp_labelled.txt, line 2: expected 'sentence<TAB>"):
        load_sentiment(data_dir=tmp_path)  # auto must not fall back to a stand-in
    (folder / "yelp_labelled.txt").write_text("nice place with no label\n")
    with pytest.raises(ValueError, match="yelp_labelled.txt, line 1"):
        load_sentiment(data_dir=tmp_path)
    (folder / "yelp_labelled.txt").write_text("sentence\tscore\n\n")
    with pytest.raises(ValueError, match="yelp_labelled.txt: no labelled sentences"):
        load_sentiment(data_dir=tmp_path)
    (folder / "yelp_labelled.txt").write_bytes(b"caf\xe9 ok\t1\n")
    with pytest.raises(ValueError, match="not UTF-8"):
        load_sentiment(data_dir=tmp_path)
    (folder / "yelp_labelled.txt").unlink()
    with pytest.raises(ValueError, match="yelp_labelled.txt: missing"):
        load_sentiment(source="local", data_dir=tmp_path)


# ---------------------------------------------------------------- Keras IMDB, simulated
def fake_imdb(monkeypatch, error=None):
    calls = []
    x_train = np.array([[1, 4, 5, 6], [1, 7, 2, 5]], dtype=object)  # Keras: lists of ids
    x_test = np.array([[1, 6, 4]], dtype=object)

    def load_data():
        calls.append("load_data")
        if error is not None:
            raise error
        return (x_train, np.array([1, 0])), (x_test, np.array([0]))

    monkeypatch.setattr(keras.datasets.imdb, "load_data", load_data)
    monkeypatch.setattr(keras.datasets.imdb, "get_word_index",
                        lambda: {"great": 1, "film": 2, "not": 3, "boring": 4})
    return calls


def test_keras_imdb_is_decoded_to_words(monkeypatch):
    fake_imdb(monkeypatch)
    ds = load_sentiment(source="keras")
    assert ds.source == "keras" and "keras.datasets.imdb" in ds.description
    # index i + 3 is word i; 1 marks the start of a review and 2 an unknown word: both dropped
    assert list(ds.texts_train) == ["great film not", "boring film"]
    assert list(ds.texts_test) == ["not great"] and ds.y_train.tolist() == [1, 0]


def test_unreachable_sample_falls_back_to_generated_sentences(monkeypatch, capsys):
    calls = fake_imdb(monkeypatch, error=AssertionError("auto must not call Keras"))
    ds = load_sentiment()
    assert calls == [] and ds.source == "standin"
    check_text(ds, 2400, 600)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "GENERATED" in out[0]
    assert "course sample is not reachable" in out[0] and "will differ from the book's" in out[0]


def test_keras_failure_is_an_error(monkeypatch):
    calls = fake_imdb(monkeypatch, error=Exception("URL fetch failure on https://storage."
                                                   "googleapis.com/x/imdb.npz: None -- [Errno "
                                                   "-3] Temporary failure in name resolution"))
    with pytest.raises(RuntimeError, match=r"keras.datasets.imdb.load_data\(\) failed"):
        load_sentiment(source="keras")
    assert calls == ["load_data"]


# ---------------------------------------------------------------- generated stand-in
def test_generated_sentences():
    ds = load_sentiment(source="standin")
    check_text(ds, 2400, 600)
    assert abs(ds.y_train.mean() - 0.5) < 0.05 and abs(ds.y_test.mean() - 0.5) < 0.05
    everything = list(ds.texts_train) + list(ds.texts_test)
    assert len(set(everything)) == 3000  # no duplicates, so no test sentence is in train
    assert not set(everything) & set(text.negation_probe().texts)  # the probe stays unseen
    assert sum(" not " in t for t in everything) > 500  # negations are common
    again = load_sentiment(source="standin")
    assert list(again.texts_test) == list(ds.texts_test)
    sub = ds.sample(100, 20, seed=3)
    assert (len(sub.texts_train), len(sub.y_test)) == (100, 20)
    assert "random subset 100 train / 20 test (seed 3)" in sub.description
    with pytest.raises(ValueError, match="n_train must be an int in 0..2,400 .sentiment has 2,400 texts there"):
        ds.sample(5000)


def test_sentiment_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown source 'web'; allowed: auto, local, keras"):
        load_sentiment(source="web")
    with pytest.raises(TypeError, match="data_dir must be"):
        load_sentiment(data_dir=3)
    with pytest.raises(FileNotFoundError, match="no sentiment_sentences/ folder in data_dir="):
        load_sentiment(source="local", data_dir=tmp_path)


# ---------------------------------------------------------------- time series
def test_sunspots_from_statsmodels(capsys):
    pytest.importorskip("statsmodels")
    ts = load_time_series("sunspots")
    assert isinstance(ts, TimeSeries) and ts.source == "local"
    assert len(ts.values) == 309 and ts.time[0] == 1700 and ts.time[-1] == 2008
    assert ts.values[:3].tolist() == [5.0, 11.0, 16.0] and ts.values.dtype == np.float64
    import statsmodels.api as sm

    reference = sm.datasets.sunspots.load_pandas().data
    np.testing.assert_array_equal(ts.values, reference["SUNACTIVITY"].to_numpy())
    np.testing.assert_array_equal(ts.time, reference["YEAR"].to_numpy())
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "bundled with statsmodels" in out


def test_co2_from_statsmodels():
    pytest.importorskip("statsmodels")
    ts = load_time_series("co2", source="local")
    assert len(ts.values) == 2284 and np.isfinite(ts.values).all()
    assert np.all(np.diff(ts.time) > 0) and 1958 < ts.time[0] < 1959 and ts.values[0] == 316.1
    assert "59 missing" in ts.description


def test_generated_series_and_missing_statsmodels(monkeypatch, capsys):
    import importlib.resources

    def no_statsmodels(name):
        raise ModuleNotFoundError(f"No module named {name.split('.')[0]!r}")

    monkeypatch.setattr(importlib.resources, "files", no_statsmodels)
    ts = load_time_series("sunspots")  # auto: no statsmodels, so generated
    assert ts.source == "standin" and len(ts.values) == 309 and (ts.values >= 0).all()
    out = capsys.readouterr().out
    assert "GENERATED" in out and "statsmodels not installed" in out
    with pytest.raises(ImportError, match="No module named 'statsmodels'"):
        load_time_series("sunspots", source="local")
    co2 = load_time_series("co2", source="standin")
    assert len(co2.values) == 2284 and co2.values[-1] > co2.values[0] + 30


def test_time_series_bad_arguments():
    with pytest.raises(ValueError, match="unknown time series 'gdp'; allowed: sunspots, co2"):
        load_time_series("gdp")
    with pytest.raises(ValueError, match="unknown source 'keras'; allowed: auto, local, standin"):
        load_time_series("sunspots", source="keras")
    with pytest.raises(TypeError, match="name must be a str"):
        load_time_series(1)
