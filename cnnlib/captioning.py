"""Image captioning: captions from scenes, vocabulary, decoders, greedy and beam search, BLEU.

A caption generator reads an image with a convolutional *encoder* and writes the caption one
word at a time with a recurrent *decoder*. This module holds the pieces a chapter writes out:

- ``scene_caption`` / ``scene_captions``: captions of generated scenes from a small grammar
  ("a red circle above a blue square"), and ``held_out_mask`` to keep colour/shape combinations
  out of training;
- ``make_vectorizer``, ``teacher_forcing``, ``ids_to_words``: the text side, with Keras'
  ``TextVectorization`` and the tokens ``<start>``, ``<end>``, padding ``""`` and ``[UNK]``;
- ``masked_cross_entropy``: the next-word loss that ignores padding (NumPy reference of
  ``keras.losses.SparseCategoricalCrossentropy(ignore_class=0)``);
- ``build_captioner``: a "Show and Tell" decoder (image features as the initial LSTM state) or
  one with additive (Bahdanau) attention over a grid of image features, as Keras models for
  training, encoding and single decoding steps;
- ``greedy_decode`` / ``beam_search``: decoding any step function, batched over images;
- ``ngram_counts``, ``corpus_bleu``: corpus-level BLEU-1..4 in plain Python, checked against
  ``nltk.translate.bleu_score.corpus_bleu`` in ``tests/test_captioning.py``;
- ``load_flickr8k_captions``: the Flickr8k captions of the course sample.
"""

import csv
import math
import os
import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np

START, END, PAD, UNK = "<start>", "<end>", "", "[UNK]"
MODEL_KINDS = ("show_and_tell", "attention")


# --------------------------------------------------------------------------------------------
# BLEU
# --------------------------------------------------------------------------------------------

def _sentence(tokens, name):
    if isinstance(tokens, (str, bytes)):
        raise TypeError(f"{name} must be a list of tokens (str), not a str: split it first")
    try:
        tokens = list(tokens)
    except TypeError as err:
        raise TypeError(f"{name} must be a list of tokens (str), "
                        f"got {type(tokens).__name__}") from err
    if not all(isinstance(t, str) for t in tokens):
        raise TypeError(f"{name} must hold str tokens only")
    return tokens


def ngram_counts(tokens, n):
    """Count the n-grams of a tokenized sentence.

    Parameters
    ----------
    tokens : list of str, length T
    n : int >= 1

    Returns
    -------
    collections.Counter mapping each n-gram (a tuple of n tokens) to its count; empty when T < n.
    """
    tokens = _sentence(tokens, "tokens")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(references, hypotheses, max_n=4):
    """Corpus-level BLEU-1 ... BLEU-``max_n`` with uniform weights, as Papineni et al. (2002).

    For each order n, the clipped n-gram matches of all hypotheses are summed and divided by the
    total number of hypothesis n-grams (the modified precision :math:`p_n`; a hypothesis shorter
    than n counts 1 in the denominator, like NLTK). BLEU-N is
    :math:`BP \\cdot \\exp(\\frac{1}{N} \\sum_{n \\le N} \\log p_n)`, with the brevity penalty
    :math:`BP = \\min(1, e^{1 - r / c})`, c the total hypothesis length and r the sum of the
    reference lengths closest to each hypothesis (the shorter on ties). A zero :math:`p_n` makes
    BLEU-N zero (no smoothing).

    Parameters
    ----------
    references : list of N lists of reference sentences (each a list of str tokens)
    hypotheses : list of N hypothesis sentences (each a list of str tokens)
    max_n : int, the highest n-gram order (default 4)

    Returns
    -------
    list of ``max_n`` floats: [BLEU-1, ..., BLEU-max_n], each in [0, 1].
    """
    if isinstance(references, (str, bytes)) or isinstance(hypotheses, (str, bytes)):
        raise TypeError("references and hypotheses must be lists of tokenized sentences")
    references, hypotheses = list(references), list(hypotheses)
    if len(references) != len(hypotheses):
        raise ValueError(f"references and hypotheses must have the same length, got "
                         f"{len(references)} and {len(hypotheses)}")
    if not hypotheses:
        raise ValueError("hypotheses is empty: BLEU needs at least one sentence")
    if isinstance(max_n, bool) or not isinstance(max_n, (int, np.integer)) or max_n < 1:
        raise ValueError(f"max_n must be an int >= 1, got {max_n!r}")
    matches, totals = np.zeros(max_n + 1, np.int64), np.zeros(max_n + 1, np.int64)
    hyp_len = ref_len = 0
    for i, (refs, hyp) in enumerate(zip(references, hypotheses)):
        hyp = _sentence(hyp, f"hypotheses[{i}]")
        if isinstance(refs, (str, bytes)):
            raise TypeError(f"references[{i}] must be a list of tokenized reference sentences")
        refs = [_sentence(r, f"references[{i}][{j}]") for j, r in enumerate(refs)]
        if not refs:
            raise ValueError(f"references[{i}] is empty: each hypothesis needs a reference")
        for n in range(1, max_n + 1):
            counts = ngram_counts(hyp, n)
            ref_counts = [ngram_counts(r, n) for r in refs]
            matches[n] += sum(min(c, max(rc[g] for rc in ref_counts)) for g, c in counts.items())
            totals[n] += max(1, sum(counts.values()))
        hyp_len += len(hyp)
        ref_len += min((len(r) for r in refs), key=lambda length: (abs(length - len(hyp)), length))
    if hyp_len == 0 or matches[1] == 0:
        return [0.0] * max_n
    bp = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    scores, log_sum = [], 0.0
    for n in range(1, max_n + 1):
        if matches[n] == 0:
            scores.extend([0.0] * (max_n - n + 1))
            break
        log_sum += math.log(matches[n] / totals[n])
        scores.append(bp * math.exp(log_sum / n))
    return scores


def tokenize(caption):
    """Lower-case a caption, drop punctuation, split on white space.

    Parameters
    ----------
    caption : str

    Returns
    -------
    list of str tokens (``<start>`` and ``<end>`` are kept as tokens).
    """
    if not isinstance(caption, str):
        raise TypeError(f"caption must be a str, got {type(caption).__name__}")
    return re.sub(r"[^a-z0-9<>\[\] ]+", " ", caption.lower()).split()


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------

def _check_token(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be an int >= 0 (a token id), got {value!r}")
    return int(value)


def _check_states(states, name="states"):
    if not isinstance(states, (list, tuple)):
        raise TypeError(f"{name} must be a list of arrays with one row per image, "
                        f"got {type(states).__name__}")
    states = [np.asarray(s) for s in states]
    if not states or any(s.ndim < 1 for s in states):
        raise ValueError(f"{name} must be a non-empty list of arrays of shape (N, ...)")
    n = states[0].shape[0]
    if any(s.shape[0] != n for s in states):
        raise ValueError(f"every array in {name} needs the same first dimension N, got "
                         f"{[s.shape[0] for s in states]}")
    return states, n


def _step_log_probs(step, tokens, states):
    out = step(tokens, states)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError("step must return a pair (log_probs (M, V), new_states list)")
    log_probs, new_states = out
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.ndim != 2 or log_probs.shape[0] != len(tokens):
        raise ValueError(f"step must return log_probs of shape (M, V) with M = {len(tokens)}, "
                         f"got {log_probs.shape}")
    return log_probs, [np.asarray(s) for s in new_states]


def greedy_decode(step, states, start_token, end_token, max_len):
    """Decode by taking the most probable next token at every step.

    Parameters
    ----------
    step : callable ``step(tokens, states) -> (log_probs, new_states)`` with tokens (M,) int,
        states a list of arrays (M, ...), log_probs (M, V) log-probabilities of the next token
    states : list of arrays (N, ...), the decoder state of each of N images (e.g. [h, c])
    start_token, end_token : int token ids
    max_len : int >= 1, the most tokens generated per image (``end_token`` included)

    Returns
    -------
    sequences : list of N lists of token ids, without ``start_token`` and ``end_token``
    log_probs : (N,) float64, the total log-probability of each sequence (end token included)
    """
    states, n = _check_states(states)
    start_token = _check_token(start_token, "start_token")
    end_token = _check_token(end_token, "end_token")
    if isinstance(max_len, bool) or not isinstance(max_len, (int, np.integer)) or max_len < 1:
        raise ValueError(f"max_len must be an int >= 1, got {max_len!r}")
    tokens = np.full(n, start_token, np.int64)
    done = np.zeros(n, bool)
    total = np.zeros(n)
    sequences = [[] for _ in range(n)]
    for _ in range(max_len):
        log_probs, states = _step_log_probs(step, tokens, states)
        tokens = log_probs.argmax(axis=1)
        total[~done] += log_probs[np.flatnonzero(~done), tokens[~done]]
        for i in np.flatnonzero(~done):
            if tokens[i] == end_token:
                done[i] = True
            else:
                sequences[i].append(int(tokens[i]))
        if done.all():
            break
    return sequences, total


def beam_search(step, states, start_token, end_token, beam_width, max_len):
    """Keep the ``beam_width`` most probable partial captions at every step.

    Each image starts with one hypothesis, ``[start_token]``. At every step each unfinished
    hypothesis is extended by every token, and the ``beam_width`` extensions with the highest
    total log-probability are kept; a hypothesis that produced ``end_token`` is finished and
    keeps its score. The result is the finished hypothesis with the highest total
    log-probability (no length normalisation). ``beam_width=1`` is greedy decoding.

    Parameters
    ----------
    step : callable ``step(tokens, states) -> (log_probs, new_states)`` as in ``greedy_decode``;
        it is called with M = N * beam_width rows
    states : list of arrays (N, ...), the initial decoder state of each image
    start_token, end_token : int token ids
    beam_width : int >= 1
    max_len : int >= 1, the most tokens generated per image (``end_token`` included)

    Returns
    -------
    sequences : list of N lists of token ids, without ``start_token`` and ``end_token``
    log_probs : (N,) float64, the total log-probability of each returned sequence
    """
    states, n = _check_states(states)
    start_token = _check_token(start_token, "start_token")
    end_token = _check_token(end_token, "end_token")
    for value, name in ((beam_width, "beam_width"), (max_len, "max_len")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    k = int(beam_width)
    # beam b of image i lives in row i * k + b; only beam 0 is alive at the start
    states = [np.repeat(s, k, axis=0) for s in states]
    scores = np.full((n, k), -np.inf)
    scores[:, 0] = 0.0
    tokens = np.full(n * k, start_token, np.int64)
    finished = np.zeros((n, k), bool)
    history = np.zeros((n, k, 0), np.int64)
    for _ in range(max_len):
        log_probs, new_states = _step_log_probs(step, tokens, states)
        v = log_probs.shape[1]
        if end_token >= v:
            raise ValueError(f"end_token {end_token} is not a token of a {v}-word vocabulary")
        log_probs = log_probs.reshape(n, k, v)
        # a finished beam has one continuation (itself, padded with end_token) at no cost
        frozen = np.full(v, -np.inf)
        frozen[end_token] = 0.0
        log_probs = np.where(finished[..., None], frozen, log_probs)
        candidates = (scores[..., None] + log_probs).reshape(n, k * v)
        best = np.argsort(-candidates, axis=1, kind="stable")[:, :k]
        parent, token = best // v, best % v
        scores = np.take_along_axis(candidates, best, axis=1)
        was_finished = np.take_along_axis(finished, parent, axis=1)
        finished = was_finished | (token == end_token)
        history = np.concatenate([np.take_along_axis(history, parent[..., None], axis=1),
                                  token[..., None]], axis=2)
        rows = (np.arange(n)[:, None] * k + parent).ravel()
        states = [s[rows] for s in new_states]
        tokens = token.ravel().astype(np.int64)
        if finished[np.isfinite(scores)].all():
            break
    # unfinished beams at max_len compete too (their caption is cut off)
    best_beam = np.argmax(scores, axis=1)
    sequences = []
    for i, b in enumerate(best_beam):
        seq = history[i, b].tolist()
        sequences.append(seq[:seq.index(end_token)] if end_token in seq else seq)
    return sequences, scores[np.arange(n), best_beam]


def sequence_log_prob(step, states, tokens, start_token, end_token):
    """Total log-probability that a step function gives one token sequence followed by the end.

    Parameters
    ----------
    step : callable as in ``greedy_decode``
    states : list of arrays (1, ...), the decoder state of one image
    tokens : list of int, the sequence without start and end tokens
    start_token, end_token : int

    Returns
    -------
    float: :math:`\\sum_t \\log P(w_t \\mid w_{<t})` over the tokens and the end token.
    """
    states, n = _check_states(states)
    if n != 1:
        raise ValueError(f"states must describe one image (first dimension 1), got {n}")
    total, previous = 0.0, _check_token(start_token, "start_token")
    for token in list(tokens) + [_check_token(end_token, "end_token")]:
        log_probs, states = _step_log_probs(step, np.array([previous]), states)
        total += float(log_probs[0, token])
        previous = token
    return total


# --------------------------------------------------------------------------------------------
# Captions of generated scenes
# --------------------------------------------------------------------------------------------

def _phrase(obj):
    return f"a {obj.colour} {obj.shape}"


def scene_caption(objects):
    """The caption of one generated scene, from its objects, by a small grammar.

    Objects are named left to right (by column of their centre). One object: "a red circle".
    Two: "a red circle above a blue square" when the vertical distance of the centres is larger
    than the horizontal one (the upper object first, "above"), else "a red circle left of a blue
    square". Three: "a red circle , a blue square and a green triangle" (left to right).

    Parameters
    ----------
    objects : list of 1 to 3 objects with attributes ``shape``, ``colour`` and
        ``centre`` = (row, col), such as ``cnnlib.scenes.SceneObject``

    Returns
    -------
    str, the caption (lower case, tokens separated by single spaces).
    """
    objects = list(objects)
    if not 1 <= len(objects) <= 3:
        raise ValueError(f"objects must hold 1 to 3 objects, got {len(objects)}")
    for obj in objects:
        if not all(hasattr(obj, a) for a in ("shape", "colour", "centre")):
            raise TypeError("each object needs attributes shape, colour and centre=(row, col)")
    ordered = caption_order(objects)
    if len(ordered) == 1:
        return _phrase(ordered[0])
    if len(ordered) == 2:
        a, b = ordered
        (ra, ca), (rb, cb) = a.centre, b.centre
        if abs(ra - rb) > abs(ca - cb):
            return f"{_phrase(a)} above {_phrase(b)}"
        return f"{_phrase(a)} left of {_phrase(b)}"
    return f"{_phrase(ordered[0])} , {_phrase(ordered[1])} and {_phrase(ordered[2])}"


def caption_order(objects):
    """The objects in the order ``scene_caption`` names them.

    Parameters
    ----------
    objects : list of objects with ``centre`` = (row, col)

    Returns
    -------
    list of the same objects: for two objects whose centres differ more vertically than
    horizontally, top to bottom; otherwise left to right (ties broken by row).
    """
    objects = list(objects)
    if len(objects) == 2:
        (ra, ca), (rb, cb) = objects[0].centre, objects[1].centre
        if abs(ra - rb) > abs(ca - cb):
            return sorted(objects, key=lambda o: (o.centre[0], o.centre[1]))
    return sorted(objects, key=lambda o: (o.centre[1], o.centre[0]))


def scene_captions(objects_per_image):
    """Captions of many scenes.

    Parameters
    ----------
    objects_per_image : list of N lists of objects (``Scenes.objects``)

    Returns
    -------
    list of N str captions.
    """
    return [scene_caption(objects) for objects in objects_per_image]


def held_out_mask(objects_per_image, combinations):
    """Which scenes contain a held-out colour/shape combination.

    Parameters
    ----------
    objects_per_image : list of N lists of objects with ``colour`` and ``shape``
    combinations : iterable of (colour, shape) pairs, e.g. [("blue", "triangle")]

    Returns
    -------
    (N,) bool, True where a scene holds at least one object of a held-out combination.
    """
    combos = set()
    for combo in combinations:
        if isinstance(combo, str) or len(combo) != 2:
            raise ValueError(f"combinations must hold (colour, shape) pairs, got {combo!r}")
        combos.add(tuple(combo))
    return np.array([any((o.colour, o.shape) in combos for o in objects)
                     for objects in objects_per_image], bool)


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

    if isinstance(max_len, bool) or not isinstance(max_len, (int, np.integer)) or max_len < 3:
        raise ValueError(f"max_len must be an int >= 3 (start, a word, end), got {max_len!r}")
    if max_tokens is not None and (isinstance(max_tokens, bool) or
                                   not isinstance(max_tokens, (int, np.integer)) or max_tokens < 5):
        raise ValueError(f"max_tokens must be None or an int >= 5, got {max_tokens!r}")
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
    ids = np.asarray(ids)
    if ids.ndim != 2 or ids.shape[1] < 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be an int array of shape (N, T) with T >= 2, got "
                         f"{ids.dtype} {ids.shape}")
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
    words = []
    for i in np.asarray(ids).ravel():
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
    targets = np.asarray(targets)
    logits = np.asarray(logits, dtype=np.float64)
    if targets.ndim != 2 or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be an int array (N, T), got {targets.dtype} "
                         f"{targets.shape}")
    if logits.ndim != 3 or logits.shape[:2] != targets.shape:
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
    alone, as Vinyals et al. (2015). ``"attention"`` adds the row and column of each grid cell to
    its features (so the decoder can tell places apart) and, at every step, scores each cell
    against the LSTM's output with additive (Bahdanau) attention
    (``keras.layers.AdditiveAttention``); the weighted mean of the cells (the context) joins the
    LSTM output before the word classifier.

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

    if kind not in MODEL_KINDS:
        raise ValueError(f"kind must be one of {MODEL_KINDS}, got {kind!r}")
    image_shape = tuple(image_shape)
    if len(image_shape) != 3 or image_shape[2] != 3:
        raise ValueError(f"image_shape must be (H, W, 3), got {image_shape}")
    factor = 2 ** len(filters)
    if image_shape[0] % factor or image_shape[1] % factor:
        raise ValueError(f"image height and width must be divisible by {factor}, got {image_shape}")
    for value, name in ((vocab_size, "vocab_size"), (max_len, "max_len"),
                        (embed_dim, "embed_dim"), (units, "units")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
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
    if kind == "attention":
        rows, cols = np.meshgrid(np.linspace(-1, 1, gh), np.linspace(-1, 1, gw), indexing="ij")
        coords = np.stack([rows, cols], axis=-1).reshape(1, gh * gw, 2).astype("float32")
        project = L.Dense(units, name="project_features")
        query = L.Dense(units, name="query")
        attend = L.AdditiveAttention(name="additive_attention")
        mix = L.Dense(units, activation="tanh", name="mix_context")

    def encode(images):
        x = images
        for c, p in conv:
            x = p(c(x))
        grid = L.Reshape((gh * gw, filters[-1]))(x)
        summary = summarize(L.Flatten()(grid))
        h0, c0 = init_h(summary), init_c(summary)
        if kind == "attention":
            where = L.Lambda(lambda g: keras.ops.concatenate(
                [g, keras.ops.broadcast_to(coords, keras.ops.shape(g)[:2] + (2,))], axis=-1))(grid)
            return project(where), h0, c0
        return None, h0, c0

    def decode(tokens, h0, c0, features):
        out, h, c = lstm(embed(tokens), initial_state=[h0, c0])
        if kind == "attention":
            context, scores = attend([query(out), features], return_attention_scores=True)
            out = mix(L.Concatenate()([out, context]))
        else:
            scores = None
        return classify(out), h, c, scores

    image_in = keras.Input(image_shape, name="image")
    tokens_in = keras.Input((max_len,), dtype="int32", name="tokens")
    features, h0, c0 = encode(image_in)
    logits, _, _, _ = decode(tokens_in, h0, c0, features)
    train = keras.Model([image_in, tokens_in], logits, name=f"{kind}_train")

    if kind == "attention":
        encoder = keras.Model(image_in, [features, h0, c0], name=f"{kind}_encoder")
        feat_in = keras.Input((gh * gw, units), name="features")
    else:
        dummy = L.Lambda(lambda h: keras.ops.zeros_like(h[:, :1]))(h0)
        encoder = keras.Model(image_in, [dummy, h0, c0], name=f"{kind}_encoder")
        feat_in = keras.Input((1,), name="features")
    token_in = keras.Input((1,), dtype="int32", name="token")
    h_in, c_in = keras.Input((units,), name="h"), keras.Input((units,), name="c")
    logits1, h1, c1, scores1 = decode(token_in, h_in, c_in,
                                      feat_in if kind == "attention" else None)
    logits1 = L.Reshape((vocab_size,))(logits1)
    if kind == "attention":
        weights1 = L.Reshape((gh * gw,))(scores1)
    else:  # zeros computed from the (unused) features input, which every input must reach
        weights1 = L.Lambda(keras.ops.zeros_like, name="no_attention")(feat_in)
    step = keras.Model([token_in, h_in, c_in, feat_in], [logits1, h1, c1, weights1],
                       name=f"{kind}_step")
    return Captioner(train, encoder, step, kind)


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
# Flickr8k
# --------------------------------------------------------------------------------------------

class Flickr8k(NamedTuple):
    """Human captions of Flickr8k images (a NamedTuple with these fields).

    - ``captions``: dict mapping an image file name to its list of (usually 5) str captions
    - ``image_dir``: pathlib.Path or None, the folder holding (some of) the images
    - ``images``: list of str, the image files present in ``image_dir``
    """

    captions: dict
    image_dir: object
    images: list


def load_flickr8k_captions(data_dir=None):
    """The Flickr8k captions of the course sample (or of ``<data_dir>/flickr8k/``).

    Reads ``captions.txt`` (CSV with a header ``image,caption``) and lists ``images/*.jpg``.
    Prints one line saying what was found. Flickr8k (Hodosh et al. 2013) is for research use.

    Parameters
    ----------
    data_dir : str, path or None (default: the course sample, see :mod:`cnnlib.course_sample`)

    Returns
    -------
    Flickr8k, or None when the course sample cannot be reached (the notice says so). A
    ``data_dir`` without ``flickr8k/captions.txt`` raises FileNotFoundError.
    """
    from cnnlib import course_sample

    if data_dir is not None and not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir must be a str, a path or None, got {type(data_dir).__name__}")
    if data_dir is not None:
        folder, where = Path(data_dir) / "flickr8k", str(data_dir)
    else:
        try:
            folder, where = course_sample.locate("flickr8k")
        except course_sample.Unreachable as err:
            print(f"cnnlib.captioning: the course sample is not reachable ({err}); "
                  "the real-caption section is skipped")
            return None
    path = folder / "captions.txt"
    if not path.is_file():
        raise FileNotFoundError(f"no flickr8k/captions.txt in {folder.parent}")
    captions = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header[:2]] != ["image", "caption"]:
            raise ValueError(f"{path} must start with the header 'image,caption', got {header}")
        for row in reader:
            if not row:
                continue
            if len(row) < 2:
                raise ValueError(f"{path}: a row without caption: {row}")
            captions.setdefault(row[0], []).append(",".join(row[1:]).strip())
    image_dir = path.parent / "images"
    images = sorted(p.name for p in image_dir.glob("*.jpg")) if image_dir.is_dir() else []
    print(f"cnnlib.captioning: flickr8k <- {len(captions)} images x "
          f"{round(np.mean([len(c) for c in captions.values()]))} human captions "
          f"({len(images)} image files), from {where}")
    return Flickr8k(captions, image_dir if images else None, images)


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
    words = _sentence(words, "words")
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
    query = np.asarray(query, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    scale = np.asarray(scale, dtype=np.float64)
    if query.ndim != 3 or values.ndim != 3:
        raise ValueError(f"query and values must be (N, T, D) and (N, L, D), got {query.shape} "
                         f"and {values.shape}")
    if query.shape[0] != values.shape[0] or query.shape[2] != values.shape[2]:
        raise ValueError(f"query {query.shape} and values {values.shape} must agree in N and D")
    if scale.shape != (query.shape[2],):
        raise ValueError(f"scale must have shape ({query.shape[2]},), got {scale.shape}")
    scores = (scale * np.tanh(query[:, :, None, :] + values[:, None, :, :])).sum(axis=-1)
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ values, weights
