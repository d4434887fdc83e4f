"""Decoding a sequence model: greedy decoding, beam search, and the log-probability of a sequence.

The functions work on any *step function* ``step(tokens, states) -> (log_probs, new_states)``,
batched over images, so they serve a Keras captioner (:func:`cnnlib.captioning.model_step_fn`)
and a hand-written toy model alike. Chapter 11 uses it (through :mod:`cnnlib.captioning`).
"""

import numpy as np

from cnnlib import _validate


def _check_token(value, name):
    return _validate.integer(name, value, minimum=0, why="a token id")


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
    max_len = _validate.integer("max_len", max_len, minimum=1)
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
    keeps its score. The result is the hypothesis with the highest total log-probability
    (no length normalisation); when ``max_len`` steps end the search, unfinished hypotheses
    compete too, and a winner among them is returned cut off. ``beam_width=1`` is greedy
    decoding.

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
    k = _validate.integer("beam_width", beam_width, minimum=1)
    max_len = _validate.integer("max_len", max_len, minimum=1)
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
    if isinstance(tokens, (str, bytes)) or not hasattr(tokens, "__iter__"):
        raise TypeError(f"tokens must be a list of int token ids, got {type(tokens).__name__}")
    tokens = [_check_token(t, f"tokens[{i}]") for i, t in enumerate(tokens)]
    total, previous = 0.0, _check_token(start_token, "start_token")
    for token in tokens + [_check_token(end_token, "end_token")]:
        log_probs, states = _step_log_probs(step, np.array([previous]), states)
        if token >= log_probs.shape[1]:
            raise ValueError(f"token {token} is not a token of a {log_probs.shape[1]}-word "
                             "vocabulary")
        total += float(log_probs[0, token])
        previous = token
    return total
