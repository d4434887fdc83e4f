"""Sequences and text: recurrent cells in NumPy, one-hot and embedding helpers, windows, probes.

Tokenizing and integer-encoding text is Keras' job (``keras.layers.TextVectorization``); this
module holds the small pieces a chapter writes out to show the mechanism, each checked against
Keras in ``tests/test_text.py``:

- ``rnn_forward`` / ``lstm_forward``: the SimpleRNN and LSTM recurrences with Keras' weight
  layout, so ``layer.get_weights()`` plugs straight in;
- ``rnn_params``: parameter counts of SimpleRNN, LSTM and GRU layers;
- ``one_hot``, ``cosine_similarity``, ``nearest_words``, ``pca_2d``: looking at word vectors;
- ``sliding_windows``: a series cut into (past window, next value) pairs for forecasting;
- ``negation_probe``: a small generated set of sentences whose label depends on word order.

Chapters 9 and 12 use it.
"""

from typing import NamedTuple

import numpy as np

from cnnlib import _validate

RNN_KINDS = ("simple_rnn", "lstm", "gru")


def _array(x, name, ndim, what):
    return _validate.array(name, x, ndim=ndim, layout=what, finite=True).astype(np.float64)


def _recurrent_weights(x, kernel, recurrent_kernel, bias, gates):
    """Validate x (N, T, D) and Keras-layout weights for a cell with ``gates`` blocks."""
    x = _array(x, "x", 3, "of shape (N, T, D)")
    kernel = _array(kernel, "kernel", 2, "of shape (D, gates * H)")
    recurrent_kernel = _array(recurrent_kernel, "recurrent_kernel", 2, "of shape (H, gates * H)")
    bias = _array(bias, "bias", 1, "of shape (gates * H,)")
    units = recurrent_kernel.shape[0]
    if recurrent_kernel.shape != (units, gates * units):
        raise ValueError(f"recurrent_kernel must have shape (H, {gates} * H), got "
                         f"{recurrent_kernel.shape}")
    if kernel.shape != (x.shape[2], gates * units):
        raise ValueError(f"kernel must have shape (D, {gates} * H) = ({x.shape[2]}, "
                         f"{gates * units}) for x with D = {x.shape[2]} features, got "
                         f"{kernel.shape}")
    if bias.shape != (gates * units,):
        raise ValueError(f"bias must have shape ({gates * units},), got {bias.shape}")
    return x, kernel, recurrent_kernel, bias, units


def _initial_state(h0, n, units, name):
    if h0 is None:
        return np.zeros((n, units))
    h0 = _array(h0, name, 2, "of shape (N, H)")
    if h0.shape != (n, units):
        raise ValueError(f"{name} must have shape ({n}, {units}), got {h0.shape}")
    return h0


def rnn_forward(x, kernel, recurrent_kernel, bias, h0=None):
    """Run a simple (Elman) RNN over sequences: h_t = tanh(x_t W + h_{t-1} U + b).

    The same W, U and b are used at every step. The weight layout is Keras' ``SimpleRNN``:
    ``kernel, recurrent_kernel, bias = layer.get_weights()``.

    Parameters
    ----------
    x : array (N, T, D); N sequences of T steps with D features each
    kernel : array (D, H); W, from inputs to the H hidden units
    recurrent_kernel : array (H, H); U, from the previous hidden state
    bias : array (H,); b
    h0 : array (N, H), optional; the state before the first step (default zeros)

    Returns
    -------
    h : float64 array (N, T, H), the hidden state after every step (``h[:, -1]`` is what a
    ``SimpleRNN`` layer returns; ``return_sequences=True`` returns all of ``h``).
    """
    x, kernel, recurrent_kernel, bias, units = _recurrent_weights(
        x, kernel, recurrent_kernel, bias, 1)
    h = _initial_state(h0, x.shape[0], units, "h0")
    states = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        states.append(h)
    return np.stack(states, axis=1) if states else np.zeros((x.shape[0], 0, units))


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for large |z|


def lstm_forward(x, kernel, recurrent_kernel, bias, h0=None, c0=None, return_gates=False):
    """Run an LSTM over sequences, with Keras' ``LSTM`` weight layout (gates i, f, c, o).

    At every step, with z = x_t W + h_{t-1} U + b split into four blocks of H::

        i = sigmoid(z_i)   input gate: how much of the candidate to write
        f = sigmoid(z_f)   forget gate: how much of the old cell to keep
        g = tanh(z_c)      candidate values
        o = sigmoid(z_o)   output gate: how much of the cell to show
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)

    Parameters
    ----------
    x : array (N, T, D)
    kernel : array (D, 4H); recurrent_kernel : array (H, 4H); bias : array (4H,)
        ``layer.get_weights()`` of a ``keras.layers.LSTM(H)``
    h0, c0 : arrays (N, H), optional; initial hidden and cell state (default zeros)
    return_gates : bool; also return the gate values

    Returns
    -------
    h : float64 array (N, T, H), hidden state after every step; and, with ``return_gates``,
    a dict of arrays (N, T, H): "input", "forget", "output" gates and the "cell" state.
    """
    x, kernel, recurrent_kernel, bias, units = _recurrent_weights(
        x, kernel, recurrent_kernel, bias, 4)
    h = _initial_state(h0, x.shape[0], units, "h0")
    c = _initial_state(c0, x.shape[0], units, "c0")
    out = {"h": [], "input": [], "forget": [], "output": [], "cell": []}
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias
        i, f, g, o = np.split(z, 4, axis=1)
        i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
        c = f * c + i * g
        h = o * np.tanh(c)
        for key, value in (("h", h), ("input", i), ("forget", f), ("output", o), ("cell", c)):
            out[key].append(value)
    stacked = {k: (np.stack(v, axis=1) if v else np.zeros((x.shape[0], 0, units)))
               for k, v in out.items()}
    h_all = stacked.pop("h")
    return (h_all, stacked) if return_gates else h_all


def rnn_params(kind, input_dim, units):
    """Number of weights of a Keras recurrent layer.

    simple_rnn: H (D + H + 1); lstm: 4 H (D + H + 1) (four gates, each a SimpleRNN-sized
    block); gru: 3 H (D + H + 2) (three blocks; Keras' default ``reset_after=True`` keeps two
    biases per block).

    Parameters
    ----------
    kind : "simple_rnn", "lstm" or "gru"
    input_dim : int, D features per step; units : int, H

    Returns
    -------
    int
    """
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a str, got {type(kind).__name__}")
    if kind not in RNN_KINDS:
        raise ValueError(f"unknown kind {kind!r}; allowed: {', '.join(RNN_KINDS)}")
    d, h = _validate.integer("input_dim", input_dim, minimum=1), _validate.integer("units", units, minimum=1)
    if kind == "simple_rnn":
        return h * (d + h + 1)
    if kind == "lstm":
        return 4 * h * (d + h + 1)
    return 3 * h * (d + h + 2)


def _token_ids(ids, name="ids"):
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{name} must be an integer array, got {type(ids).__name__}")
    arr = np.asarray(ids)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
        raise TypeError(f"{name} must be an integer array (token ids), got dtype {arr.dtype}")
    return arr.astype(np.int64)


def one_hot(ids, depth):
    """One-hot vectors of token ids: id k becomes a vector of ``depth`` zeros with a 1 at k.

    Parameters
    ----------
    ids : int array of any shape S, values in 0..depth-1
    depth : int, the vocabulary size

    Returns
    -------
    float32 array S + (depth,)
    """
    depth = _validate.integer("depth", depth, minimum=1)
    ids = _token_ids(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        raise ValueError(f"ids must lie in 0..{depth - 1} (depth={depth}), got values "
                         f"{ids.min()}..{ids.max()}")
    return (ids[..., None] == np.arange(depth)).astype(np.float32)


def cosine_similarity(a, b):
    """Cosine of the angle between rows of ``a`` and rows of ``b``.

    Parameters
    ----------
    a : array (n, d) or (d,); b : array (m, d) or (d,)

    Returns
    -------
    float64 array (n, m); a float when both inputs are single vectors. Zero vectors give 0.
    """
    single = np.ndim(a) == 1 and np.ndim(b) == 1
    a = _array(a, "a", np.ndim(a) if np.ndim(a) in (1, 2) else 2, "of shape (n, d) or (d,)")
    b = _array(b, "b", np.ndim(b) if np.ndim(b) in (1, 2) else 2, "of shape (m, d) or (d,)")
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"a and b must have the same vector length, got {a.shape[1]} and "
                         f"{b.shape[1]}")
    norms = np.linalg.norm(a, axis=1)[:, None] * np.linalg.norm(b, axis=1)[None, :]
    sims = np.divide(a @ b.T, norms, out=np.zeros((len(a), len(b))), where=norms > 0)
    return float(sims[0, 0]) if single else sims


def nearest_words(embeddings, vocabulary, word, k=5):
    """The ``k`` words whose vectors have the highest cosine similarity to ``word``'s.

    Parameters
    ----------
    embeddings : array (V, m), one row per vocabulary entry (e.g. an Embedding layer's weights)
    vocabulary : sequence of V str, row i's word (e.g. ``TextVectorization.get_vocabulary()``)
    word : str, in ``vocabulary``
    k : int

    Returns
    -------
    list of k (word, similarity) pairs, most similar first, ``word`` itself excluded.
    """
    embeddings = _array(embeddings, "embeddings", 2, "of shape (V, m)")
    vocabulary = list(vocabulary)
    if len(vocabulary) != len(embeddings):
        raise ValueError(f"vocabulary has {len(vocabulary)} words but embeddings has "
                         f"{len(embeddings)} rows")
    if not isinstance(word, str):
        raise TypeError(f"word must be a str, got {type(word).__name__}")
    if word not in vocabulary:
        raise ValueError(f"word {word!r} is not in the vocabulary ({len(vocabulary)} words)")
    k = _validate.integer("k", k, minimum=1)
    index = vocabulary.index(word)
    sims = cosine_similarity(embeddings[index][None, :], embeddings)[0]
    order = [i for i in np.argsort(-sims, kind="stable") if i != index][:k]
    return [(vocabulary[i], float(sims[i])) for i in order]


def pca_2d(x):
    """Project rows of ``x`` on their two main directions (principal component analysis).

    Parameters
    ----------
    x : array (n, d), n >= 2, d >= 2

    Returns
    -------
    float64 array (n, 2): coordinates along the first and second principal axes of the centred
    rows; each axis' sign is fixed so that its largest loading is positive (as scikit-learn).
    """
    x = _array(x, "x", 2, "of shape (n, d)")
    if x.shape[0] < 2 or x.shape[1] < 2:
        raise ValueError(f"x needs at least 2 rows and 2 columns, got shape {x.shape}")
    centred = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:2]
    signs = np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])
    return centred @ (axes * signs[:, None]).T


def sliding_windows(series, window, horizon=1):
    """Cut a series into (past ``window`` values, the value ``horizon`` steps later) pairs.

    Pair i uses ``series[i : i + window]`` to predict ``series[i + window + horizon - 1]``.

    Parameters
    ----------
    series : array (N,)
    window : int >= 1; horizon : int >= 1

    Returns
    -------
    x : float64 array (N - window - horizon + 1, window); y : float64 array (same N',)
    """
    series = _array(series, "series", 1, "of shape (N,)")
    window, horizon = _validate.integer("window", window, minimum=1), _validate.integer("horizon", horizon, minimum=1)
    n = len(series) - window - horizon + 1
    if n < 1:
        raise ValueError(f"series of length {len(series)} is too short for window={window} and "
                         f"horizon={horizon} (needs at least {window + horizon} values)")
    x = np.lib.stride_tricks.sliding_window_view(series, window)[:n].copy()
    return x, series[window + horizon - 1:].copy()


class Probe(NamedTuple):
    """A generated probe set: ``texts`` (n,) str, ``labels`` (n,) int64 (1 positive),
    ``kinds`` (n,) str: "plain", "negated" or "order" (order pairs sit at rows 2k, 2k+1 and
    use the same words with opposite labels)."""

    texts: np.ndarray
    labels: np.ndarray
    kinds: np.ndarray


def negation_probe(nouns=("movie", "food", "phone", "service")):
    """Short generated sentences where negation or word order decides the sentiment.

    Per noun: two plain sentences ("the movie was good"), two negated ones ("the movie was not
    good", "the movie was not bad at all") and two order pairs whose two sentences hold exactly
    the same words ("the movie was good , not bad" vs "the movie was bad , not good").

    Parameters
    ----------
    nouns : sequence of str

    Returns
    -------
    Probe(texts (n,), labels (n,), kinds (n,)), n = 8 per noun.
    """
    if isinstance(nouns, str) or not all(isinstance(n, str) and n for n in nouns) or not nouns:
        raise TypeError("nouns must be a non-empty sequence of non-empty str")
    rows = []
    for noun in nouns:
        rows += [(f"the {noun} was good", 1, "plain"), (f"the {noun} was bad", 0, "plain"),
                 (f"the {noun} was not good", 0, "negated"),
                 (f"the {noun} was not bad at all", 1, "negated")]
    for noun in nouns:
        rows += [(f"the {noun} was good , not bad", 1, "order"),
                 (f"the {noun} was bad , not good", 0, "order"),
                 (f"i expected the {noun} to be bad but it was great", 1, "order"),
                 (f"i expected the {noun} to be great but it was bad", 0, "order")]
    texts, labels, kinds = zip(*rows)
    return Probe(np.array(texts, dtype=object), np.array(labels, dtype=np.int64),
                 np.array(kinds, dtype=object))
