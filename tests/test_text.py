"""cnnlib.text against Keras, TensorFlow and scikit-learn: recurrences, counts, vectors, windows."""

import numpy as np
import pytest

from cnnlib import text

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
# Ampere and later GPUs compute float32 matrix products in TF32 unless told not to.
tf.config.experimental.enable_tensor_float_32_execution(False)

RNG = np.random.default_rng(7)
TOL = dict(rtol=1e-5, atol=1e-5)


def _x(n=3, t=6, d=4):
    return RNG.normal(size=(n, t, d)).astype("float32")


# ---------------------------------------------------------------- recurrences vs Keras
@pytest.mark.parametrize("units", [1, 5])
def test_rnn_forward_matches_keras_simple_rnn(units):
    x = _x()
    layer = keras.layers.SimpleRNN(units, return_sequences=True,
                                   bias_initializer=keras.initializers.RandomNormal(seed=1))
    expected = keras.ops.convert_to_numpy(layer(x))
    got = text.rnn_forward(x, *layer.get_weights())
    assert got.shape == (3, 6, units)
    np.testing.assert_allclose(got, expected, **TOL)


def test_rnn_forward_initial_state_matches_keras():
    x, h0 = _x(), RNG.normal(size=(3, 4)).astype("float32")
    layer = keras.layers.SimpleRNN(4)
    expected = keras.ops.convert_to_numpy(layer(x, initial_state=[h0]))
    np.testing.assert_allclose(text.rnn_forward(x, *layer.get_weights(), h0=h0)[:, -1],
                               expected, **TOL)


def test_lstm_forward_matches_keras_lstm():
    x = _x(t=9)
    layer = keras.layers.LSTM(5, return_sequences=True, return_state=True,
                              bias_initializer=keras.initializers.RandomNormal(seed=2))
    seq, h_last, c_last = (keras.ops.convert_to_numpy(v) for v in layer(x))
    got, gates = text.lstm_forward(x, *layer.get_weights(), return_gates=True)
    np.testing.assert_allclose(got, seq, **TOL)
    np.testing.assert_allclose(got[:, -1], h_last, **TOL)
    np.testing.assert_allclose(gates["cell"][:, -1], c_last, **TOL)
    for name in ("input", "forget", "output"):
        assert gates[name].shape == (3, 9, 5)
        assert (gates[name] > 0).all() and (gates[name] < 1).all()
    h0, c0 = RNG.normal(size=(2, 3, 5)).astype("float32")
    layer2 = keras.layers.LSTM(5)
    expected = keras.ops.convert_to_numpy(layer2(x, initial_state=[h0, c0]))
    np.testing.assert_allclose(
        text.lstm_forward(x, *layer2.get_weights(), h0=h0, c0=c0)[:, -1], expected, **TOL)


def test_lstm_extreme_inputs_stay_finite():
    layer = keras.layers.LSTM(2)
    layer.build((None, 3, 1))
    h = text.lstm_forward(np.full((1, 3, 1), 1e4), *layer.get_weights())
    assert np.isfinite(h).all()


def test_recurrence_bad_input():
    w = [np.zeros((4, 3)), np.zeros((3, 3)), np.zeros(3)]
    with pytest.raises(ValueError, match=r"x must be 3-D of shape \(N, T, D\), got shape \(6, 4\)"):
        text.rnn_forward(np.zeros((6, 4)), *w)
    with pytest.raises(ValueError, match=r"kernel must have shape \(D, 1 \* H\) = \(5, 3\)"):
        text.rnn_forward(np.zeros((2, 6, 5)), *w)
    with pytest.raises(ValueError,
                       match=r"recurrent_kernel must have shape \(H, 1 \* H\), got \(3, 4\)"):
        text.rnn_forward(np.zeros((2, 6, 4)), w[0], np.zeros((3, 4)), w[2])
    with pytest.raises(ValueError, match=r"bias must have shape \(3,\)"):
        text.rnn_forward(np.zeros((2, 6, 4)), w[0], w[1], np.zeros(4))
    with pytest.raises(ValueError, match=r"h0 must have shape \(2, 3\)"):
        text.rnn_forward(np.zeros((2, 6, 4)), *w, h0=np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"recurrent_kernel must have shape \(H, 4 \* H\)"):
        text.lstm_forward(np.zeros((2, 6, 4)), *w)
    with pytest.raises(TypeError, match="x must hold numbers"):
        text.rnn_forward("hello", *w)
    with pytest.raises(ValueError, match="x must hold finite numbers .no NaN"):
        text.rnn_forward(np.full((1, 2, 4), np.nan), *w)


# ---------------------------------------------------------------- parameter counts
@pytest.mark.parametrize("kind, layer", [("simple_rnn", keras.layers.SimpleRNN),
                                         ("lstm", keras.layers.LSTM), ("gru", keras.layers.GRU)])
@pytest.mark.parametrize("d, h", [(1, 1), (16, 32), (100, 7)])
def test_rnn_params_match_keras(kind, layer, d, h):
    model = keras.Sequential([keras.Input((11, d)), layer(h)])
    assert text.rnn_params(kind, d, h) == model.count_params()


def test_rnn_params_bad_input():
    with pytest.raises(ValueError, match="unknown kind 'rnn'; allowed: simple_rnn, lstm, gru"):
        text.rnn_params("rnn", 3, 4)
    with pytest.raises(ValueError, match="units must be an int >= 1, got 0"):
        text.rnn_params("lstm", 3, 0)
    with pytest.raises(TypeError, match="input_dim must be an int"):
        text.rnn_params("gru", 3.0, 4)
    with pytest.raises(TypeError, match="kind must be a str"):
        text.rnn_params(None, 3, 4)


# ---------------------------------------------------------------- one-hot and embeddings
def test_one_hot_matches_keras_and_embedding_is_a_product():
    ids = np.array([[3, 0, 9], [1, 1, 2]])
    got = text.one_hot(ids, 10)
    assert got.shape == (2, 3, 10) and got.dtype == np.float32
    np.testing.assert_array_equal(got, keras.ops.convert_to_numpy(keras.ops.one_hot(ids, 10)))
    emb = keras.layers.Embedding(10, 4)
    looked_up = keras.ops.convert_to_numpy(emb(ids))
    np.testing.assert_allclose(got @ emb.get_weights()[0], looked_up, **TOL)


def test_one_hot_bad_input():
    with pytest.raises(ValueError, match=r"ids must lie in 0..4 \(depth=5\), got values 0..5"):
        text.one_hot([0, 5], 5)
    with pytest.raises(ValueError, match=r"ids must lie in 0..4 \(depth=5\), got values -1..-1"):
        text.one_hot([-1], 5)
    with pytest.raises(TypeError, match="ids must be an integer array"):
        text.one_hot([0.5, 1.0], 5)
    with pytest.raises(TypeError, match="depth must be an int"):
        text.one_hot([1], 5.0)


def test_cosine_similarity_matches_keras_and_sklearn():
    from sklearn.metrics.pairwise import cosine_similarity as sk_cos

    a, b = RNG.normal(size=(4, 6)), RNG.normal(size=(5, 6))
    np.testing.assert_allclose(text.cosine_similarity(a, b), sk_cos(a, b), **TOL)
    # keras.losses.cosine_similarity returns the negative cosine of paired rows
    paired = -keras.ops.convert_to_numpy(keras.losses.cosine_similarity(a, b[:4]))
    np.testing.assert_allclose(np.diag(text.cosine_similarity(a, b[:4])), paired, **TOL)
    assert text.cosine_similarity([1, 0], [0, 2]) == 0.0
    assert text.cosine_similarity([1, 1], [2, 2]) == pytest.approx(1.0)
    assert text.cosine_similarity([0, 0], [1, 2]) == 0.0  # a zero vector: 0, not NaN
    with pytest.raises(ValueError, match="same vector length, got 2 and 3"):
        text.cosine_similarity([1, 2], [1, 2, 3])


def test_nearest_words():
    vocab = ["", "[UNK]", "good", "great", "bad", "awful"]
    emb = np.array([[0, 0], [0.1, 0.1], [1, 0.1], [1, 0.2], [-1, 0], [-1, -0.1]])
    near = text.nearest_words(emb, vocab, "good", k=2)
    assert [w for w, _ in near] == ["great", "[UNK]"]
    assert near[0][1] == pytest.approx(text.cosine_similarity(emb[2], emb[3]))
    assert text.nearest_words(emb, vocab, "bad", k=1)[0][0] == "awful"
    with pytest.raises(ValueError, match="word 'fine' is not in the vocabulary"):
        text.nearest_words(emb, vocab, "fine")
    with pytest.raises(ValueError, match="vocabulary has 5 words but embeddings has 6 rows"):
        text.nearest_words(emb, vocab[:5], "good")
    with pytest.raises(TypeError, match="word must be a str"):
        text.nearest_words(emb, vocab, 2)


def test_pca_2d_matches_sklearn():
    from sklearn.decomposition import PCA

    x = RNG.normal(size=(30, 8)) * np.arange(1, 9)
    got = text.pca_2d(x)
    expected = PCA(2).fit_transform(x)
    assert got.shape == (30, 2)
    signs = np.sign((got * expected).sum(axis=0))  # principal axes are defined up to sign
    np.testing.assert_allclose(got, expected * signs, rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="at least 2 rows and 2 columns"):
        text.pca_2d(np.zeros((1, 5)))


# ---------------------------------------------------------------- windows
@pytest.mark.parametrize("window, horizon", [(1, 1), (3, 1), (5, 2)])
def test_sliding_windows_match_keras(window, horizon):
    series = np.arange(20, dtype=np.float64) ** 1.5
    x, y = text.sliding_windows(series, window, horizon)
    assert x.shape == (20 - window - horizon + 1, window) and y.shape == (len(x),)
    ds = keras.utils.timeseries_dataset_from_array(
        series, series[window + horizon - 1:], sequence_length=window, batch_size=100)
    kx, ky = (np.asarray(v) for v in next(iter(ds)))
    np.testing.assert_array_equal(x, kx)
    np.testing.assert_array_equal(y, ky)
    x[0, 0] = -1.0  # a copy: the series is untouched
    assert series[0] == 0.0


def test_sliding_windows_bad_input():
    with pytest.raises(ValueError, match="too short for window=5 and horizon=1"):
        text.sliding_windows(np.arange(5.0), 5)
    with pytest.raises(ValueError, match=r"series must be 1-D of shape \(N,\)"):
        text.sliding_windows(np.zeros((4, 2)), 2)
    with pytest.raises(ValueError, match="window must be an int >= 1"):
        text.sliding_windows(np.arange(5.0), 0)


# ---------------------------------------------------------------- probe
def test_negation_probe():
    probe = text.negation_probe()
    assert len(probe.texts) == len(probe.labels) == len(probe.kinds) == 32
    assert set(probe.kinds) == {"plain", "negated", "order"}
    assert probe.labels.mean() == 0.5
    order = np.flatnonzero(probe.kinds == "order")
    assert len(order) == 16 and (order[::2] + 1 == order[1::2]).all()
    for i in order[::2]:  # each order pair: the same words, opposite labels
        a, b = probe.texts[i], probe.texts[i + 1]
        assert sorted(a.split()) == sorted(b.split()) and a != b
        assert probe.labels[i] != probe.labels[i + 1]
    assert "the movie was not bad at all" in probe.texts
    assert len(text.negation_probe(["pizza"]).texts) == 8
    with pytest.raises(TypeError, match="nouns must be a non-empty sequence of non-empty str"):
        text.negation_probe("movie")
