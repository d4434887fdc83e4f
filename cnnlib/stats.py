"""Uncertainty of the book's comparisons, thin over scipy.stats and statsmodels.

A claim "A beats B" in a chapter is measured on one test set, often over a few training seeds.
This module says how sure such a measurement is, and prints every comparison the same way:

- :func:`mcnemar`: the exact McNemar test of two classifiers on the same test items
  (statsmodels' ``mcnemar(exact=True)``: a binomial test on the items where they disagree);
- :func:`bootstrap_ci`: a percentile bootstrap interval for any metric of a set of items,
  resampling the items (scipy's ``stats.bootstrap``), e.g. accuracy, mean IoU or BLEU;
- :func:`over_seeds`: mean, spread and Student-t interval of one number measured over seeds;
- :func:`compare`: two classifiers over seeds and items, printed as
  ``CNN 0.978 vs MLP 0.967: +1.1 points, 95 % CI [-0.4, 2.7], McNemar p = 0.21, 3 seeds``.

Every chapter that compares models uses it: chapters 1, 2 and 4-13.
"""

from typing import NamedTuple

import numpy as np

from cnnlib import _validate


def _correctness(name, values):
    """A bool array (seeds, items) from a (items,) or (seeds, items) array of 0/1 or bools."""
    arr = np.asarray(values)
    if arr.dtype == object or arr.size == 0 or arr.ndim not in (1, 2):
        raise ValueError(f"{name} must be a non-empty (items,) or (seeds, items) array of "
                         f"True/False, got shape {arr.shape}")
    if arr.dtype != bool:
        if not np.issubdtype(arr.dtype, np.number) or not np.isin(arr, (0, 1)).all():
            raise ValueError(f"{name} must hold only True/False (or 1/0): whether each test "
                             f"item was classified correctly")
        arr = arr.astype(bool)
    return arr[None] if arr.ndim == 1 else arr


def _confidence(confidence):
    return _validate.real("confidence", confidence, above=0, below=1)


class McNemar(NamedTuple):
    """Exact McNemar test: ``only_a`` items only A got right, ``only_b`` only B; ``pvalue``."""

    only_a: int
    only_b: int
    pvalue: float


def mcnemar(correct_a, correct_b):
    """Exact McNemar test of two classifiers on the same test items.

    Parameters
    ----------
    correct_a, correct_b : bool arrays (N,), whether each item was classified correctly

    Returns
    -------
    McNemar(only_a, only_b, pvalue), two-sided.
    """
    from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

    a, b = _correctness("correct_a", correct_a), _correctness("correct_b", correct_b)
    if a.shape != b.shape or a.shape[0] != 1:
        raise ValueError(f"correct_a and correct_b must be (N,) arrays of the same N, got "
                         f"{np.shape(correct_a)} and {np.shape(correct_b)}")
    a, b = a[0], b[0]
    table = [[int(np.sum(a & b)), int(np.sum(a & ~b))], [int(np.sum(~a & b)), int(np.sum(~a & ~b))]]
    result = sm_mcnemar(table, exact=True)
    return McNemar(table[0][1], table[1][0], float(result.pvalue))


def bootstrap_ci(statistic, n_items, confidence=0.95, n_resamples=2000, seed=0):
    """Percentile bootstrap interval of ``statistic`` over resampled test items.

    Parameters
    ----------
    statistic : callable ``statistic(idx) -> float``, the metric computed on the items ``idx``
        (an int array (N,), drawn with replacement), e.g. ``lambda i: mean_iou(gt[i], pr[i])``
    n_items : int N, the number of test items
    confidence : float in (0, 1)
    n_resamples : int >= 100
    seed : int, for the resampling

    Returns
    -------
    (low, high) floats.
    """
    from scipy import stats

    if not callable(statistic):
        raise TypeError(f"statistic must be a function of the item indices, got "
                        f"{type(statistic).__name__}")
    for value, label, low in ((n_items, "n_items", 2), (n_resamples, "n_resamples", 100),
                              (seed, "seed", 0)):
        _validate.integer(label, value, minimum=low)
    result = stats.bootstrap((np.arange(n_items),), lambda idx: float(statistic(idx)),
                             vectorized=False, confidence_level=_confidence(confidence),
                             n_resamples=n_resamples, method="percentile",
                             random_state=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


class SeedSummary(NamedTuple):
    """One number over seeds: ``mean``, ``std`` (n - 1), the t-interval ``low``-``high``, ``n``."""

    mean: float
    std: float
    low: float
    high: float
    n: int


def over_seeds(values, confidence=0.95):
    """Mean, standard deviation and Student-t confidence interval of a number over seeds.

    Parameters
    ----------
    values : (S,) floats, S >= 2, one per seed (finite)

    Returns
    -------
    SeedSummary(mean, std, low, high, n).
    """
    from scipy import stats

    arr = _validate.array("values", values, ndim=1, layout="(S,), one number per seed",
                          finite=True).astype(float)
    if arr.size < 2:
        raise ValueError(f"values must hold at least 2 finite numbers (one per seed), "
                         f"got {arr.size}")
    mean, std = float(arr.mean()), float(arr.std(ddof=1))
    if std == 0:
        return SeedSummary(mean, 0.0, mean, mean, arr.size)
    low, high = stats.t.interval(_confidence(confidence), arr.size - 1, loc=mean,
                                 scale=std / np.sqrt(arr.size))
    return SeedSummary(mean, std, float(low), float(high), arr.size)


class Comparison(NamedTuple):
    """Two classifiers on the same test items, over seeds; ``str()`` gives the book's format.

    Accuracies and ``difference`` (A - B, in accuracy units) are means over seeds; ``low`` and
    ``high`` bound the difference (bootstrap over test items, the same items for every seed);
    ``pvalues`` holds one exact McNemar p-value per seed; ``per_seed`` the differences.
    """

    name_a: str
    name_b: str
    accuracy_a: float
    accuracy_b: float
    difference: float
    low: float
    high: float
    confidence: float
    pvalues: tuple
    per_seed: tuple

    def __str__(self):
        p = min(self.pvalues), max(self.pvalues)
        p_text = (f"McNemar p = {p[0]:.2g}" if len(self.pvalues) == 1
                  else f"McNemar p = {p[0]:.2g} to {p[1]:.2g}")
        seeds = f"{len(self.pvalues)} seed{'s' if len(self.pvalues) > 1 else ''}"
        return (f"{self.name_a} {self.accuracy_a:.3f} vs {self.name_b} {self.accuracy_b:.3f}: "
                f"{100 * self.difference:+.1f} points, {100 * self.confidence:.0f} % CI "
                f"[{100 * self.low:.1f}, {100 * self.high:.1f}], {p_text}, {seeds}")

    @property
    def separated(self):
        """True when the interval excludes 0: the data tell A and B apart."""
        return self.low > 0 or self.high < 0


def compare(name_a, name_b, correct_a, correct_b, confidence=0.95, n_resamples=2000, seed=0):
    """Compare two classifiers measured on the same test items, over one or more seeds.

    Parameters
    ----------
    name_a, name_b : str, printed names
    correct_a, correct_b : bool arrays (N,) or (S, N): whether each test item was classified
        correctly, one row per training seed (row s of A and of B share seed s)

    Returns
    -------
    Comparison (``print`` it for the one-line summary).
    """
    for value, label in ((name_a, "name_a"), (name_b, "name_b")):
        if not isinstance(value, str):
            raise TypeError(f"{label} must be a str, got {type(value).__name__}")
    a, b = _correctness("correct_a", correct_a), _correctness("correct_b", correct_b)
    if a.shape != b.shape:
        raise ValueError(f"correct_a and correct_b must have the same shape (seeds, items), got "
                         f"{a.shape} and {b.shape}")
    diff = a.astype(float) - b.astype(float)  # (S, N)
    low, high = bootstrap_ci(lambda idx: diff[:, idx].mean(), a.shape[1], confidence,
                             n_resamples, seed)
    return Comparison(name_a, name_b, float(a.mean()), float(b.mean()), float(diff.mean()),
                      low, high, _confidence(confidence),
                      tuple(mcnemar(ra, rb).pvalue for ra, rb in zip(a, b)),
                      tuple(float(d) for d in diff.mean(axis=1)))
