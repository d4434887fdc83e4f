"""BLEU: n-gram counts and corpus-level BLEU-1..4 in plain Python, and caption tokenization.

Checked against ``nltk.translate.bleu_score.corpus_bleu`` in ``tests/test_captioning.py``.
Chapter 11 uses it (through :mod:`cnnlib.captioning`, which re-exports these names).
"""

import math
import re
from collections import Counter

import numpy as np

from cnnlib import _validate


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
    tokens = _validate.tokens("tokens", tokens)
    n = _validate.integer("n", n, minimum=1)
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
    max_n = _validate.integer("max_n", max_n, minimum=1)
    matches, totals = np.zeros(max_n + 1, np.int64), np.zeros(max_n + 1, np.int64)
    hyp_len = ref_len = 0
    for i, (refs, hyp) in enumerate(zip(references, hypotheses)):
        hyp = _validate.tokens(f"hypotheses[{i}]", hyp)
        if isinstance(refs, (str, bytes)):
            raise TypeError(f"references[{i}] must be a list of tokenized reference sentences")
        refs = [_validate.tokens(f"references[{i}][{j}]", r) for j, r in enumerate(refs)]
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
