"""cnnlib.stats against scipy and statsmodels called directly."""

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

from cnnlib import stats


def pair(n=400, p_a=0.9, p_b=0.85, seed=0, seeds=None):
    rng = np.random.default_rng(seed)
    shape = (n,) if seeds is None else (seeds, n)
    return rng.random(shape) < p_a, rng.random(shape) < p_b


@pytest.mark.parametrize("seed", range(6))
def test_mcnemar_is_statsmodels_exact_and_the_binomial_test(seed):
    a, b = pair(n=60 + 40 * seed, p_b=0.7 + 0.03 * seed, seed=seed)
    ours = stats.mcnemar(a, b)
    table = [[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]]
    assert (ours.only_a, ours.only_b) == (table[0][1], table[1][0])
    assert ours.pvalue == pytest.approx(sm_mcnemar(table, exact=True).pvalue, abs=1e-12)
    k, n = min(ours.only_a, ours.only_b), ours.only_a + ours.only_b
    assert ours.pvalue == pytest.approx(sps.binomtest(k, n, 0.5).pvalue, abs=1e-12)


def test_mcnemar_ignores_items_both_get_right_or_wrong():
    a = np.array([1, 1, 1, 0, 0, 1, 0, 1], bool)
    b = np.array([1, 0, 0, 0, 1, 1, 0, 0], bool)
    only_a, only_b, p = stats.mcnemar(a, b)
    assert (only_a, only_b) == (3, 1)
    assert p == pytest.approx(2 * (1 + 4) / 16)  # two-sided binomial, 4 trials, <= 1 success
    # adding items on which both agree changes nothing
    more = stats.mcnemar(np.r_[a, [True] * 50, [False] * 9], np.r_[b, [True] * 50, [False] * 9])
    assert more == (only_a, only_b, p)


def test_bootstrap_ci_is_scipy_on_the_same_resamples():
    a, b = pair(n=300)
    diff = a.astype(float) - b.astype(float)
    ours = stats.bootstrap_ci(lambda i: diff[i].mean(), len(diff), n_resamples=999, seed=3)
    ref = sps.bootstrap((diff,), np.mean, n_resamples=999, method="percentile",
                        confidence_level=0.95, random_state=np.random.default_rng(3))
    assert ours == pytest.approx((ref.confidence_interval.low, ref.confidence_interval.high),
                                 abs=1e-12)


def test_bootstrap_ci_covers_the_truth_about_as_often_as_it_says():
    """Coverage of a 90 % interval for a mean over 200 simulated test sets."""
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(200):
        x = rng.random(150) < 0.8
        low, high = stats.bootstrap_ci(lambda i: x[i].mean(), len(x), 0.9, n_resamples=300,
                                       seed=int(rng.integers(1 << 30)))
        hits += low <= 0.8 <= high
    assert 0.82 <= hits / 200 <= 0.96  # 0.90 +- about 3 standard errors


def test_bootstrap_ci_of_a_metric_over_images():
    """A metric that is not a mean of per-item numbers (a ratio of sums, like IoU)."""
    rng = np.random.default_rng(2)
    inter, union = rng.integers(0, 50, 80), rng.integers(50, 100, 80)
    low, high = stats.bootstrap_ci(lambda i: inter[i].sum() / union[i].sum(), 80, seed=0)
    assert low < inter.sum() / union.sum() < high and high - low < 0.2


def test_over_seeds_is_the_t_interval():
    values = [0.971, 0.978, 0.969, 0.975]
    s = stats.over_seeds(values)
    m, sem = np.mean(values), sps.sem(values)
    low, high = sps.t.interval(0.95, 3, loc=m, scale=sem)
    assert s == pytest.approx((m, np.std(values, ddof=1), low, high, 4))
    assert stats.over_seeds([0.5, 0.5, 0.5]) == (0.5, 0.0, 0.5, 0.5, 3)


def test_compare_over_seeds_and_its_format():
    a, b = pair(n=450, p_a=0.978, p_b=0.967, seeds=3, seed=7)
    c = stats.compare("CNN", "MLP", a, b)
    assert c.accuracy_a == pytest.approx(a.mean()) and c.accuracy_b == pytest.approx(b.mean())
    assert c.difference == pytest.approx(a.mean() - b.mean())
    assert c.per_seed == pytest.approx(tuple(a.mean(1) - b.mean(1)))
    assert c.pvalues == tuple(stats.mcnemar(x, y).pvalue for x, y in zip(a, b))
    assert c.low < c.difference < c.high
    diff = a.astype(float) - b.astype(float)
    assert (c.low, c.high) == stats.bootstrap_ci(lambda i: diff[:, i].mean(), 450)
    text = str(c)
    assert text == (f"CNN {a.mean():.3f} vs MLP {b.mean():.3f}: {100 * c.difference:+.1f} "
                    f"points, 95 % CI [{100 * c.low:.1f}, {100 * c.high:.1f}], McNemar p = "
                    f"{min(c.pvalues):.2g} to {max(c.pvalues):.2g}, 3 seeds")


def test_compare_one_seed_and_separation():
    a = np.r_[np.ones(500, bool), np.zeros(100, bool)]
    b = np.r_[np.ones(400, bool), np.zeros(200, bool)]
    c = stats.compare("A", "B", a, b)
    assert c.separated and c.low > 0.1 and str(c).endswith(", 1 seed")
    assert "McNemar p = " in str(c) and " to " not in str(c)
    same = stats.compare("A", "B", a, a[::-1].copy())
    assert not same.separated


@pytest.mark.parametrize("call, error, match", [
    (lambda: stats.mcnemar([1, 0, 2], [1, 0, 1]), ValueError, "only True/False"),
    (lambda: stats.mcnemar([1, 0], [1, 0, 1]), ValueError, "same N"),
    (lambda: stats.mcnemar([], []), ValueError, "non-empty"),
    (lambda: stats.bootstrap_ci("mean", 10), TypeError, "statistic must be a function"),
    (lambda: stats.bootstrap_ci(np.mean, 1), ValueError, "n_items must be an int >= 2"),
    (lambda: stats.bootstrap_ci(np.mean, 10.0), TypeError, "n_items must be an int"),
    (lambda: stats.bootstrap_ci(np.mean, 10, confidence=95), ValueError, r"confidence must be"),
    (lambda: stats.over_seeds([0.9]), ValueError, "at least 2 finite numbers"),
    (lambda: stats.over_seeds([0.9, np.nan]), ValueError, "values must hold finite numbers"),
    (lambda: stats.over_seeds("abc"), TypeError, "values must hold numbers"),
    (lambda: stats.over_seeds([[0.9, 0.8]]), ValueError, r"values must be 1-D \(S,\)"),
    (lambda: stats.compare("A", 2, [1, 0], [1, 1]), TypeError, "name_b must be a str"),
    (lambda: stats.compare("A", "B", [[1, 0]], [1, 0, 1]), ValueError, "the same shape"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
