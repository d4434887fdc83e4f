"""Image captioning: the text side, the Show-and-Tell and attention captioners, attention maps.

A caption generator reads an image with a convolutional *encoder* and writes the caption one
word at a time with a recurrent *decoder*. This module holds the pieces chapter 11 writes out:

- ``make_vectorizer``, ``teacher_forcing``, ``ids_to_words``: the text side, with Keras'
  ``TextVectorization`` and the tokens ``<start>``, ``<end>``, padding ``""`` and ``[UNK]``;
- ``masked_cross_entropy``: the next-word loss that ignores padding (NumPy reference of
  ``keras.losses.SparseCategoricalCrossentropy(ignore_class=0)``);
- ``build_captioner``: a "Show and Tell" decoder (image features as the initial LSTM state) or
  one with additive (Bahdanau) attention over a grid of image features, as Keras models for
  training, encoding and single decoding steps;
- ``named_objects``, ``peak_in_box``, ``additive_attention``: where the attention looks.

For the chapter's convenience it also re-exports, from their own modules, BLEU and
``tokenize`` (:mod:`cnnlib.bleu`), ``greedy_decode`` / ``beam_search`` /
``sequence_log_prob`` (:mod:`cnnlib.decoding`), the scene-caption grammar
(:mod:`cnnlib.scenes`) and ``load_flickr8k_captions`` (:mod:`cnnlib.datasets`).

Chapters 11 and 12 use it.
"""

from typing import NamedTuple

import numpy as np

from cnnlib import _validate
from cnnlib.bleu import corpus_bleu, ngram_counts, tokenize  # noqa: F401
from cnnlib.datasets.samples import Flickr8k, load_flickr8k_captions  # noqa: F401
from cnnlib.decoding import beam_search, greedy_decode, sequence_log_prob  # noqa: F401
from cnnlib.scenes import caption_order, held_out_mask, scene_caption, scene_captions  # noqa: F401

START, END, PAD, UNK = "<start>", "<end>", "", "[UNK]"
MODEL_KINDS = ("show_and_tell", "attention")


# --------------------------------------------------------------------------------------------
# Text side
# --------------------------------------------------------------------------------------------

def add_start_end(captions):
    """Wrap captions in the start and end tokens: "a red circle" -> "<start> a red circle <end>".

    Parameters
    ----------
    captions : list of N str

    Returns
    -------
    list of N str.
    """
    if isinstance(captions, str):
        raise TypeError("captions must be a list of str, not one str")
    out = []
    for c in captions:
        if not isinstance(c, str):
            raise TypeError(f"captions must hold str, got {type(c).__name__}")
        out.append(f"{START} {' '.join(tokenize(c))} {END}")
    return out


def _standardize(texts):
    import tensorflow as tf

    return tf.strings.regex_replace(tf.strings.lower(texts), r"[^a-z0-9<>\[\] ]+", " ")


def make_vectorizer(captions, max_len, max_tokens=None):
    """A ``keras.layers.TextVectorization`` fitted on captions wrapped in start and end tokens.

    The vocabulary is ``["", "[UNK]", ...]``: index 0 pads, 1 stands for unknown words, and the
    tokens ``<start>`` and ``<end>`` are ordinary words of the vocabulary (look them up with
    ``vocabulary.index``). Punctuation other than ``<``, ``>``, ``[`` and ``]`` is dropped.

    Parameters
    ----------
    captions : list of str, the training captions, without start and end tokens
    max_len : int >= 3, the length of each output sequence (start and end tokens included)
    max_tokens : int or None, the vocabulary size limit (padding and unknown included)

    Returns
    -------
    keras.layers.TextVectorization mapping str captions (N,) to int64 ids (N, max_len); call it
    on ``add_start_end(captions)``.
    """
    import keras

    max_len = _validate.integer("max_len", max_len, minimum=3, why="start, a word, end")
    if max_tokens is not None:
        _validate.integer("max_tokens", max_tokens, minimum=5, why="or None")
    wrapped = add_start_end(captions)
    if not wrapped:
        raise ValueError("captions is empty")
    layer = keras.layers.TextVectorization(max_tokens=max_tokens, standardize=_standardize,
                                           output_sequence_length=int(max_len))
    layer.adapt(wrapped)
    return layer


def teacher_forcing(ids):
    """Split token sequences into decoder inputs and targets, shifted by one step.

    At step t the decoder reads the true token t (not its own guess) and must predict token t+1.

    Parameters
    ----------
    ids : (N, T) int, ``<start> w1 ... wk <end>`` then padding 0

    Returns
    -------
    inputs : (N, T - 1) int, ``ids[:, :-1]``
    targets : (N, T - 1) int, ``ids[:, 1:]``
    """
    ids = _validate.array("ids", ids, ndim=2, layout="(N, T)", dtype="int")
    if ids.shape[1] < 2:
        raise ValueError(f"ids must be an int array of shape (N, T) with T >= 2, got "
                         f"{ids.shape}")
    return ids[:, :-1], ids[:, 1:]


def ids_to_words(ids, vocabulary, end_token=END):
    """Turn token ids back into a caption, stopping at the end token or padding.

    Parameters
    ----------
    ids : sequence of int token ids (T,)
    vocabulary : list of str, ``TextVectorization.get_vocabulary()``
    end_token : str

    Returns
    -------
    str, the words joined by spaces, without ``<start>``, ``<end>`` and padding.
    """
    if isinstance(vocabulary, str) or not hasattr(vocabulary, "__len__"):
        raise TypeError(f"vocabulary must be a list of str, got {type(vocabulary).__name__}")
    if not isinstance(end_token, str):
        raise TypeError(f"end_token must be a str, got {type(end_token).__name__}")
    words = []
    for i in _validate.array("ids", ids, dtype="int", allow_empty=True).ravel():
        if not 0 <= int(i) < len(vocabulary):
            raise ValueError(f"token id {int(i)} is outside a vocabulary of {len(vocabulary)}")
        word = vocabulary[int(i)]
        if word in (end_token, PAD):
            break
        if word != START:
            words.append(word)
    return " ".join(words)


def masked_cross_entropy(targets, logits, pad=0):
    """Mean next-word cross-entropy over the positions that are not padding.

    Parameters
    ----------
    targets : (N, T) int, the next tokens (``teacher_forcing``'s targets)
    logits : (N, T, V) float, unnormalised scores of every word at every step
    pad : int, the padding id to ignore (default 0)

    Returns
    -------
    float: :math:`-\\frac{1}{|M|}\\sum_{(n,t) \\in M} \\log \\mathrm{softmax}(z_{nt})_{y_{nt}}`
    over the set M of non-padding positions.
    """
    targets = _validate.array("targets", targets, ndim=2, layout="(N, T)", dtype="int")
    logits = _validate.array("logits", logits, ndim=3, layout="(N, T, V)", finite=True)
    logits = logits.astype(np.float64)
    pad = _validate.integer("pad", pad, minimum=0, why="the padding token id")
    if logits.shape[:2] != targets.shape:
        raise ValueError(f"logits must have shape (N, T, V) = {targets.shape} + (V,), got "
                         f"{logits.shape}")
    keep = targets != pad
    if not keep.any():
        raise ValueError("every target is padding: nothing to average")
    if targets.min() < 0 or targets.max() >= logits.shape[2]:
        raise ValueError(f"targets must be ids in [0, {logits.shape[2]})")
    z = logits - logits.max(axis=2, keepdims=True)
    log_softmax = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
    picked = np.take_along_axis(log_softmax, targets[..., None], axis=2)[..., 0]
    return float(-picked[keep].mean())


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------

class Captioner(NamedTuple):
    """The three views of one caption model (a NamedTuple; they share layers and weights).

    - ``train``: keras.Model, [images (N, H, W, 3) float, inputs (N, T) int] -> logits (N, T, V)
    - ``encoder``: keras.Model, images -> [features, h0, c0]; features (N, L, D) for attention
      models, (N, 1) zeros for Show and Tell
    - ``step``: keras.Model, [token (M, 1) int, h (M, U), c (M, U), features] ->
      [logits (M, V), h, c, attention (M, L) (zeros (M, 1) without attention)]
    - ``kind``: str, "show_and_tell" or "attention"
    """

    train: object
    encoder: object
    step: object
    kind: str


def build_captioner(kind, image_shape, vocab_size, max_len, embed_dim=32, units=64,
                    filters=(16, 32)):
    """Build a tiny CNN encoder + LSTM decoder for captioning.

    Both kinds encode the image with ``len(filters)`` blocks of (3x3 ``Conv2D`` + ReLU + 2x2 max
    pooling), giving a grid of feature vectors, flatten the grid into a ``Dense`` summary vector
    of the whole image (it keeps where things are) and start the LSTM from two ``Dense`` layers
    of that summary (the initial state h0, c0). ``"show_and_tell"`` then decodes from that state
    alone: the cs231n variant of Show and Tell, which starts the LSTM from the image, where
    Vinyals et al. (2015) feed the image as the first input. ``"attention"`` adds the row and
    column of each grid cell to its features (so the decoder can tell places apart) and, at
    every step, scores each cell against the LSTM's output with additive (Bahdanau)
    attention (``keras.layers.AdditiveAttention``); the weighted mean of the cells (the
    context) joins the LSTM output before the word classifier.

    Parameters
    ----------
    kind : "show_and_tell" or "attention"
    image_shape : (H, W, 3), H and W divisible by 2 ** len(filters)
    vocab_size : int, number of words (padding and unknown included)
    max_len : int, length T of the decoder input sequences
    embed_dim, units : int, word vector length and LSTM units
    filters : tuple of int, the channels of the convolution blocks

    Returns
    -------
    Captioner with the ``train``, ``encoder`` and ``step`` models.
    """
    import keras

    _validate.one_of("kind", kind, MODEL_KINDS, noun="captioner kind")
    image_shape = _validate.shape("image_shape", image_shape, "(H, W, 3)")
    if image_shape[2] != 3:
        raise ValueError(f"image_shape must be (H, W, 3), got {image_shape}")
    if isinstance(filters, (str, bytes)) or not hasattr(filters, "__len__") or not filters:
        raise TypeError(f"filters must be a non-empty tuple of channel counts, got {filters!r}")
    filters = [_validate.integer(f"filters[{i}]", f, minimum=1) for i, f in enumerate(filters)]
    factor = 2 ** len(filters)
    if image_shape[0] % factor or image_shape[1] % factor:
        raise ValueError(f"image height and width must be divisible by {factor}, got {image_shape}")
    for value, name in ((vocab_size, "vocab_size"), (max_len, "max_len"),
                        (embed_dim, "embed_dim"), (units, "units")):
        _validate.integer(name, value, minimum=1)
    L = keras.layers
    gh, gw = image_shape[0] // factor, image_shape[1] // factor

    conv = [(L.Conv2D(f, 3, padding="same", activation="relu"), L.MaxPooling2D(2))
            for f in filters]
    summarize = L.Dense(units, activation="relu", name="image_summary")
    init_h = L.Dense(units, activation="tanh", name="init_h")
    init_c = L.Dense(units, name="init_c")
    embed = L.Embedding(vocab_size, embed_dim, name="embedding")
    lstm = L.LSTM(units, return_sequences=True, return_state=True, name="decoder_lstm")
    classify = L.Dense(vocab_size, name="next_word")
    head = _HEADS[kind](keras, (gh, gw), units)  # what the two kinds do differently

    def encode(images):
        x = images
        for c, p in conv:
            x = p(c(x))
        grid = L.Reshape((gh * gw, filters[-1]))(x)
        summary = summarize(L.Flatten()(grid))
        h0, c0 = init_h(summary), init_c(summary)
        return head.features(grid), h0, c0

    def decode(tokens, h0, c0, features):
        out, h, c = lstm(embed(tokens), initial_state=[h0, c0])
        out, scores = head.read(out, features)
        return classify(out), h, c, scores

    image_in = keras.Input(image_shape, name="image")
    tokens_in = keras.Input((max_len,), dtype="int32", name="tokens")
    features, h0, c0 = encode(image_in)
    logits, _, _, _ = decode(tokens_in, h0, c0, features)
    train = keras.Model([image_in, tokens_in], logits, name=f"{kind}_train")

    encoder = keras.Model(image_in, [head.encoder_features(features, h0), h0, c0],
                          name=f"{kind}_encoder")
    feat_in = head.features_input()
    token_in = keras.Input((1,), dtype="int32", name="token")
    h_in, c_in = keras.Input((units,), name="h"), keras.Input((units,), name="c")
    logits1, h1, c1, scores1 = decode(token_in, h_in, c_in, head.step_features(feat_in))
    logits1 = L.Reshape((vocab_size,))(logits1)
    step = keras.Model([token_in, h_in, c_in, feat_in],
                       [logits1, h1, c1, head.weights(scores1, feat_in)], name=f"{kind}_step")
    return Captioner(train, encoder, step, kind)


class _ShowAndTell:
    """The decoder reads only its state (started from the image): no features, no attention.

    Every input of the step model must reach an output, so the encoder gives a (N, 1) zero
    "features" tensor and the step model returns zero weights computed from it.
    """

    def __init__(self, keras, grid_hw, units):
        self.keras = keras

    def features(self, grid):
        return None

    def read(self, out, features):
        return out, None

    def encoder_features(self, features, h0):
        ops = self.keras.ops
        return self.keras.layers.Lambda(lambda h: ops.zeros_like(h[:, :1]))(h0)

    def features_input(self):
        return self.keras.Input((1,), name="features")

    def step_features(self, feat_in):
        return None

    def weights(self, scores, feat_in):
        return self.keras.layers.Lambda(self.keras.ops.zeros_like, name="no_attention")(feat_in)


class _Attention:
    """Additive attention over the grid cells, each tagged with its row and column.

    ``features``: (N, cells, units) projected cell vectors; ``read`` mixes the context (the
    attention-weighted mean of the cells) into the LSTM output; ``weights``: (N, cells).
    """

    def __init__(self, keras, grid_hw, units):
        L = self.L = keras.layers
        self.ops, self.Input = keras.ops, keras.Input
        gh, gw = grid_hw
        self.cells, self.units = gh * gw, units
        rows, cols = np.meshgrid(np.linspace(-1, 1, gh), np.linspace(-1, 1, gw), indexing="ij")
        self.coords = np.stack([rows, cols], axis=-1).reshape(1, gh * gw, 2).astype("float32")
        self.project = L.Dense(units, name="project_features")
        self.query = L.Dense(units, name="query")
        self.attend = L.AdditiveAttention(name="additive_attention")
        self.mix = L.Dense(units, activation="tanh", name="mix_context")

    def features(self, grid):
        ops, coords = self.ops, self.coords
        where = self.L.Lambda(lambda g: ops.concatenate(
            [g, ops.broadcast_to(coords, ops.shape(g)[:2] + (2,))], axis=-1))(grid)
        return self.project(where)

    def read(self, out, features):
        context, scores = self.attend([self.query(out), features], return_attention_scores=True)
        return self.mix(self.L.Concatenate()([out, context])), scores

    def encoder_features(self, features, h0):
        return features

    def features_input(self):
        return self.Input((self.cells, self.units), name="features")

    def step_features(self, feat_in):
        return feat_in

    def weights(self, scores, feat_in):
        return self.L.Reshape((self.cells,))(scores)


_HEADS = {"show_and_tell": _ShowAndTell, "attention": _Attention}


def model_step_fn(captioner, record=None):
    """Wrap a ``Captioner`` as a decoding step function for ``greedy_decode``/``beam_search``.

    The decoder state is the list [h (M, U), c (M, U), features (M, ...)].

    Parameters
    ----------
    captioner : Captioner
    record : list or None; when a list, the attention weights (M, L) of every step are appended

    Returns
    -------
    callable ``step(tokens (M,), states) -> (log_probs (M, V), new_states)``.
    """
    import keras

    predict = captioner.step

    def step(tokens, states):
        h, c, features = states
        logits, h, c, weights = (keras.ops.convert_to_numpy(t) for t in predict(
            [np.asarray(tokens, np.int32)[:, None], h, c, features]))
        if record is not None:
            record.append(weights)
        z = logits - logits.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True)), [h, c, features]

    return step


def initial_states(captioner, images, batch_size=256):
    """Encode images into the decoder's starting state [h0, c0, features].

    Parameters
    ----------
    captioner : Captioner
    images : (N, H, W, 3) float

    Returns
    -------
    list [h0 (N, U), c0 (N, U), features (N, L, D) or (N, 1)] of NumPy arrays.
    """
    features, h0, c0 = captioner.encoder.predict(np.asarray(images, np.float32),
                                                 batch_size=batch_size, verbose=0)
    return [h0, c0, features]


# --------------------------------------------------------------------------------------------
# Where does the attention look?
# --------------------------------------------------------------------------------------------

def named_objects(words, objects):
    """Pair the colour and shape words of a scene caption with the objects they name.

    The k-th phrase "a COLOUR SHAPE" of the caption names the k-th object in ``caption_order``.

    Parameters
    ----------
    words : list of str, a caption split into words (as generated, without start/end tokens)
    objects : list of the scene's objects (``colour``, ``shape``, ``centre``)

    Returns
    -------
    list of (position, object) pairs, one per colour or shape word; empty when the caption does
    not name as many objects as the scene holds (the pairing would be a guess).
    """
    words = _validate.tokens("words", words)
    ordered = caption_order(objects)
    starts = [i for i in range(len(words) - 2) if words[i] == "a"]
    if len(starts) != len(ordered):
        return []
    pairs = []
    for start, obj in zip(starts, ordered):
        pairs += [(start + 1, obj), (start + 2, obj)]
    return pairs


def peak_in_box(weights, grid_shape, image_size, boxes):
    """Does the attention peak lie on an object, and how often would a random cell?

    Parameters
    ----------
    weights : (K, L) float, attention weights over the L = gh * gw cells of a feature grid
        (row-major, as ``Reshape`` flattens a (gh, gw) grid)
    grid_shape : (gh, gw) ints
    image_size : int, the height and width of the (square) image in pixels
    boxes : (K, 4) ints, (row0, col0, row1, col1) end-exclusive pixel boxes of the objects

    Returns
    -------
    hits : (K,) bool, whether the centre of the highest-weight cell lies inside the box
    chance : (K,) float, the fraction of all cells whose centre lies inside the box (the hit
        rate of a peak placed at random)
    """
    weights = np.asarray(weights, dtype=np.float64)
    boxes = np.asarray(boxes)
    gh, gw = (int(v) for v in grid_shape)
    if weights.ndim != 2 or weights.shape[1] != gh * gw:
        raise ValueError(f"weights must have shape (K, {gh * gw}) for a {gh}x{gw} grid, got "
                         f"{weights.shape}")
    if boxes.shape != (weights.shape[0], 4):
        raise ValueError(f"boxes must have shape ({weights.shape[0]}, 4), got {boxes.shape}")
    rows = (np.arange(gh) + 0.5) * image_size / gh
    cols = (np.arange(gw) + 0.5) * image_size / gw
    cr, cc = (a.ravel() for a in np.meshgrid(rows, cols, indexing="ij"))  # (L,) cell centres
    inside = ((cr >= boxes[:, :1]) & (cr < boxes[:, 2:3]) &
              (cc >= boxes[:, 1:2]) & (cc < boxes[:, 3:4]))  # (K, L)
    peak = weights.argmax(axis=1)
    return inside[np.arange(len(peak)), peak], inside.mean(axis=1)


def additive_attention(query, values, scale):
    """Additive (Bahdanau) attention in NumPy, with ``keras.layers.AdditiveAttention``'s layout.

    The score of query step t and value l is :math:`e_{tl} = \\sum_d s_d \\tanh(q_{td} + v_{ld})`;
    the weights are :math:`\\alpha_{tl} = \\mathrm{softmax}_l(e_{tl})` and the output (the
    *context*) is :math:`\\sum_l \\alpha_{tl} v_l`. The values double as keys, as in Keras when
    only ``[query, value]`` is given.

    Parameters
    ----------
    query : (N, T, D) float, e.g. the decoder's outputs at T steps
    values : (N, L, D) float, e.g. the L cells of an image's feature grid
    scale : (D,) float, the layer's learned scale vector (``layer.get_weights()[0]``)

    Returns
    -------
    context : (N, T, D) float64
    weights : (N, T, L) float64, each row sums to 1
    """
    query = _validate.array("query", query, ndim=3, layout="(N, T, D)", finite=True)
    values = _validate.array("values", values, ndim=3, layout="(N, L, D)", finite=True)
    scale = _validate.array("scale", scale, finite=True)
    query, values, scale = (a.astype(np.float64) for a in (query, values, scale))
    if query.shape[0] != values.shape[0] or query.shape[2] != values.shape[2]:
        raise ValueError(f"query {query.shape} and values {values.shape} must agree in N and D")
    if scale.shape != (query.shape[2],):
        raise ValueError(f"scale must have shape ({query.shape[2]},), got {scale.shape}")
    scores = (scale * np.tanh(query[:, :, None, :] + values[:, None, :, :])).sum(axis=-1)
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ values, weights
