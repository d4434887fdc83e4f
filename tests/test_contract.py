"""Property-based tests (hypothesis) of cnnlib's input contract and of key invariants.

The contract: a wrong *type* raises TypeError, a wrong *value* raises ValueError, and the
message names the argument. Generated bad values are fed to one argument of each public function
at a time. For good inputs, invariants that tie modules together are checked: ``ops`` follows
``arithmetic``'s sizes, the vectorised and loop versions agree, the transposed convolution is
the adjoint of the convolution, BLEU and IoU stay in [0, 1].
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import arithmetic, bleu, captioning, datasets, decoding, invariance, ops, perturb
from cnnlib import segmentation, stats, transfer, zoo

FAST = settings(max_examples=25, deadline=None)

# values that are not ints: floats (also integral ones such as 2.0), bools, str, None, lists
NOT_INT = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                    st.text(max_size=3), st.none(), st.lists(st.integers(), max_size=1).map(set))
NOT_REAL = st.one_of(st.booleans(), st.text(max_size=3), st.none(), st.just([0.5]))
NOT_BOOL = st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=3), st.none())

X = np.zeros((1, 6, 6, 2))
W = np.zeros((3, 3, 2, 1))


def _step(tokens, states):
    return np.log(np.full((len(tokens), 4), 0.25)), states


# (function taking the argument's value, argument name, smallest allowed int)
INT_ARGS = [
    (lambda v: arithmetic.conv_output_size(v, 3), "input_size", 1),
    (lambda v: arithmetic.conv_output_size(8, v), "kernel_size", 1),
    (lambda v: arithmetic.conv_output_size(8, 3, strides=v), "strides", 1),
    (lambda v: arithmetic.conv_output_size(8, 3, dilation=v), "dilation", 1),
    (lambda v: arithmetic.pool_output_size(8, v), "pool_size", 1),
    (lambda v: arithmetic.pool_output_size(8, 2, v if v is not None else "None"), "strides", 1),
    (lambda v: arithmetic.dense_params(v, 3), "n_inputs", 1),
    (lambda v: arithmetic.conv2d_params(3, 2, v), "filters", 1),
    (lambda v: ops.conv2d(X, W, strides=v), "strides", 1),
    (lambda v: ops.conv2d(X, W, dilation=v), "dilation", 1),
    (lambda v: ops.pool2d(X, v), "pool_size", 1),
    (lambda v: ops.pool2d(X, 2, strides=v if v is not None else "None"), "strides", 1),
    (lambda v: ops.conv2d_transpose(X, np.zeros((3, 3, 1, 2)), strides=v), "strides", 1),
    (lambda v: bleu.ngram_counts(["a", "b"], v), "n", 1),
    (lambda v: bleu.corpus_bleu([[["a"]]], [["a"]], max_n=v), "max_n", 1),
    (lambda v: decoding.greedy_decode(_step, [np.zeros((1, 2))], 0, 3, v), "max_len", 1),
    (lambda v: decoding.greedy_decode(_step, [np.zeros((1, 2))], v, 3, 4), "start_token", 0),
    (lambda v: captioning.masked_cross_entropy([[1, 0]], np.zeros((1, 2, 3)), pad=v), "pad", 0),
    (lambda v: segmentation.bilinear_kernel(v), "factor", 1),
    (lambda v: transfer.augmentation(seed=v), "seed", None),
    (lambda v: perturb.shift_images(X, v, 0), "dy", None),
    (lambda v: perturb.random_pixel_permutation(v, 3), "height", 1),
    (lambda v: perturb.random_pixel_permutation(3, 3, seed=v), "seed", 0),
    (lambda v: invariance.shift_sensitivity(lambda z: z, X, [(0, v)]), "dx", None),
    (lambda v: zoo.lenet5(num_classes=v), "num_classes", 2),
    (lambda v: zoo.vgg("A", (32, 32, 3), dense_units=v if v is not None else "None"),
     "dense_units", 1),
]


@pytest.mark.parametrize("call, name, minimum", INT_ARGS,
                         ids=[f"{i}-{a[1]}" for i, a in enumerate(INT_ARGS)])
@FAST
@given(value=NOT_INT)
def test_a_non_int_is_a_type_error_naming_the_argument(call, name, minimum, value):
    with pytest.raises(TypeError, match=name):
        call(value)


@pytest.mark.parametrize("call, name, minimum", [a for a in INT_ARGS if a[2] is not None],
                         ids=[f"{i}-{a[1]}" for i, a in enumerate(INT_ARGS) if a[2] is not None])
@FAST
@given(below=st.integers(min_value=1, max_value=10**6))
def test_an_int_below_the_minimum_is_a_value_error_naming_the_argument(call, name, minimum,
                                                                       below):
    with pytest.raises(ValueError, match=name):
        call(minimum - below)


REAL_ARGS = [
    (lambda v: transfer.augmentation(rotation=v), "rotation"),
    (lambda v: transfer.augmentation(zoom=v), "zoom"),
    (lambda v: zoo.lenet5(dropout=v), "dropout"),
    (lambda v: zoo.lenet5(width=v), "width"),
]


@pytest.mark.parametrize("call, name", REAL_ARGS, ids=[a[1] for a in REAL_ARGS])
@FAST
@given(value=NOT_REAL)
def test_a_non_number_is_a_type_error(call, name, value):
    with pytest.raises(TypeError, match=name):
        call(value)


@pytest.mark.parametrize("call, name", REAL_ARGS, ids=[a[1] for a in REAL_ARGS])
@FAST
@given(value=st.one_of(st.just(math.nan), st.just(math.inf), st.just(-math.inf),
                       st.floats(max_value=-1e-9, allow_nan=False)))
def test_nan_infinity_and_negative_numbers_are_value_errors(call, name, value):
    with pytest.raises(ValueError, match=name):
        call(value)


BOOL_ARGS = [
    (lambda v: arithmetic.dense_params(3, 2, use_bias=v), "use_bias"),
    (lambda v: arithmetic.conv2d_params(3, 2, 4, use_bias=v), "use_bias"),
    (lambda v: zoo.lenet5(modern=v), "modern"),
    (lambda v: zoo.resnet(18, residual=v), "residual"),
    (lambda v: transfer.small_backbone(batch_norm=v), "batch_norm"),
]


@pytest.mark.parametrize("call, name", BOOL_ARGS, ids=[f"{i}-{a[1]}" for i, a in
                                                       enumerate(BOOL_ARGS)])
@FAST
@given(value=NOT_BOOL)
def test_booleans_only_as_bool(call, name, value):
    with pytest.raises(TypeError, match=f"{name} must be True or False"):
        call(value)


@FAST
@given(shape=st.sampled_from([(), (0,), (5,), (5, 5), (5, 5, 2), (0, 5, 5, 2), (1, 0, 5, 2)]))
def test_ops_refuse_wrong_ndim_and_empty_images(shape):
    for call in (lambda x: ops.conv2d(x, W), lambda x: ops.pool2d(x),
                 lambda x: ops.conv2d_transpose(x, np.zeros((3, 3, 1, 2)))):
        with pytest.raises(ValueError, match="x must"):
            call(np.zeros(shape))


ONES = np.ones((2, 3, 3, 1))
# (function taking the array's value, argument name): arrays of numbers, lists accepted
ARRAY_ARGS = [
    (lambda v: perturb.shift_images(v, 1, 0), "x"),
    (lambda v: perturb.permute_pixels(v, np.arange(9)), "x"),
    (lambda v: invariance.relative_change(v, ONES), "reference"),
    (lambda v: invariance.relative_change(ONES, v), "changed"),
    (lambda v: invariance.shift_sensitivity(lambda z: z, v, [(0, 1)]), "x"),
    (lambda v: stats.over_seeds(np.ravel(v)), "values"),
]
NOT_NUMBERS = st.sampled_from(["a", None, True, 1 + 2j])


@pytest.mark.parametrize("call, name", ARRAY_ARGS, ids=[f"{i}-{a[1]}" for i, a in
                                                        enumerate(ARRAY_ARGS)])
@FAST
@given(fill=NOT_NUMBERS)
def test_arrays_of_non_numbers_are_type_errors(call, name, fill):
    bad = np.full(ONES.shape, fill)
    if bad.dtype == bool and name == "x":  # images: bools are read as 0/1 pixels
        return
    with pytest.raises(TypeError, match=f"{name} must hold numbers"):
        call(bad)


@pytest.mark.parametrize("call, name", ARRAY_ARGS[2:], ids=[f"{i}-{a[1]}" for i, a in
                                                            enumerate(ARRAY_ARGS[2:])])
@FAST
@given(bad=st.sampled_from([math.nan, math.inf, -math.inf]), at=st.integers(0, 17))
def test_nan_or_infinity_in_an_array_is_a_value_error(call, name, bad, at):
    v = ONES.copy()
    v.flat[at] = bad
    with pytest.raises(ValueError, match=f"{name} must hold finite numbers"):
        call(v)


@pytest.mark.parametrize("call, name", ARRAY_ARGS, ids=[f"{i}-{a[1]}" for i, a in
                                                        enumerate(ARRAY_ARGS)])
@FAST
@given(seed=st.integers(0, 999))
def test_a_nested_list_is_read_as_the_array(call, name, seed):
    v = np.random.default_rng(seed).uniform(0.5, 1.5, ONES.shape)
    np.testing.assert_array_equal(np.asarray(call(v.tolist())), np.asarray(call(v)))


# ------------------------------------------------------------------ invariants of good input
PADDING = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.integers(0, 2),
    st.tuples(st.integers(0, 2), st.integers(0, 2)),
    st.tuples(*[st.integers(0, 2)] * 4),
    st.tuples(st.tuples(st.integers(0, 2), st.integers(0, 2)),
              st.tuples(st.integers(0, 2), st.integers(0, 2))),
)


@FAST
@given(h=st.integers(3, 8), w=st.integers(3, 8), k=st.integers(1, 3), s=st.integers(1, 3),
       d=st.integers(1, 2), padding=PADDING, seed=st.integers(0, 99))
def test_conv2d_follows_arithmetic_and_equals_its_loops(h, w, k, s, d, padding, seed):
    rng = np.random.default_rng(seed)
    x, kernel = rng.normal(size=(1, h, w, 2)), rng.normal(size=(k, k, 2, 2))
    try:
        size = arithmetic.conv_output_size((h, w), k, padding, s, d)
    except ValueError:  # the kernel does not fit: ops must refuse it too
        with pytest.raises(ValueError):
            ops.conv2d(x, kernel, strides=s, padding=padding, dilation=d)
        return
    out = ops.conv2d(x, kernel, strides=s, padding=padding, dilation=d)
    assert out.shape == (1, *size, 2)
    np.testing.assert_allclose(out, ops.conv2d_loops(x, kernel, strides=s, padding=padding,
                                                     dilation=d), atol=1e-10)


@FAST
@given(h=st.integers(2, 8), w=st.integers(2, 8), p=st.integers(1, 3), s=st.integers(1, 3),
       padding=st.one_of(st.sampled_from(["valid", "same"]), st.integers(0, 2),
                         st.tuples(st.integers(0, 2), st.integers(0, 2))),
       mode=st.sampled_from(["max", "average"]), seed=st.integers(0, 99))
def test_pool2d_follows_arithmetic_and_equals_its_loops(h, w, p, s, padding, mode, seed):
    x = np.random.default_rng(seed).normal(size=(1, h, w, 2))
    try:
        size = arithmetic.pool_output_size((h, w), p, s, padding)
    except ValueError:
        with pytest.raises(ValueError):
            ops.pool2d(x, p, s, padding, mode)
        return
    out = ops.pool2d(x, p, s, padding, mode)
    assert out.shape == (1, *size, 2)
    np.testing.assert_allclose(out, ops.pool2d_loops(x, p, s, padding, mode), atol=1e-10)


@FAST
@given(h=st.integers(3, 8), k=st.integers(1, 3), s=st.integers(1, 3), d=st.integers(1, 2),
       seed=st.integers(0, 99))
def test_conv2d_transpose_is_the_adjoint_of_conv2d(h, k, s, d, seed):
    """<conv(x), y> = <x, conv_transpose(y)>: the transpose sends y back along the same taps."""
    if d * (k - 1) + 1 > h:
        return
    rng = np.random.default_rng(seed)
    x, kernel = rng.normal(size=(2, h, h, 3)), rng.normal(size=(k, k, 3, 2))
    out = ops.conv2d(x, kernel, strides=s, dilation=d)
    y = rng.normal(size=out.shape)
    back = ops.conv2d_transpose(y, kernel, strides=s, dilation=d)
    canvas = np.zeros_like(x)
    rows = min(h, back.shape[1])
    canvas[:, :rows, :rows] = back[:, :rows, :rows]
    assert np.sum(out * y) == pytest.approx(np.sum(x * canvas), rel=1e-9, abs=1e-9)


WORDS = st.lists(st.sampled_from(["a", "red", "circle", "above", "blue", "square"]),
                 min_size=1, max_size=8)


@FAST
@given(refs=st.lists(st.lists(WORDS, min_size=1, max_size=3), min_size=1, max_size=4),
       data=st.data())
def test_bleu_is_in_0_1_and_1_for_a_copy_of_a_reference(refs, data):
    hyps = [data.draw(WORDS) for _ in refs]
    scores = bleu.corpus_bleu(refs, hyps)
    assert len(scores) == 4 and all(0.0 <= b <= 1.0 + 1e-12 for b in scores)
    copies = [r[0] for r in refs]
    if min(len(c) for c in copies) >= 4:
        assert bleu.corpus_bleu(refs, copies) == pytest.approx([1.0] * 4)


@FAST
@given(seed=st.integers(0, 999), n=st.integers(1, 4), t=st.integers(1, 5),
       v=st.integers(2, 6))
def test_masked_cross_entropy_is_positive_and_blind_to_padding(seed, n, t, v):
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, v, size=(n, t))
    targets[0, 0] = 1  # at least one real target
    logits = rng.normal(size=(n, t, v))
    loss = captioning.masked_cross_entropy(targets, logits)
    assert loss > 0
    changed = logits + 3.0 * (targets == 0)[..., None] * rng.normal(size=logits.shape)
    assert captioning.masked_cross_entropy(targets, changed) == pytest.approx(loss)


@FAST
@given(seed=st.integers(0, 999), k=st.integers(2, 5))
def test_mean_iou_is_in_0_1_and_1_for_a_perfect_prediction(seed, k):
    rng = np.random.default_rng(seed)
    y_true, y_pred = rng.integers(0, k, size=(2, 4, 4)), rng.integers(0, k, size=(2, 4, 4))
    assert 0.0 <= segmentation.mean_iou(y_true, y_pred, k) <= 1.0
    assert segmentation.mean_iou(y_true, y_true, k) == pytest.approx(1.0)


@FAST
@given(n_train=st.integers(0, 10), n_test=st.integers(0, 4), seed=st.integers(0, 99))
def test_dataset_sample_keeps_rows_in_order(n_train, n_test, seed):
    x = np.arange(14, dtype=np.uint8).reshape(14, 1, 1, 1)
    ds = datasets.Dataset("toy", x[:10], np.arange(10), x[10:], np.arange(4), ("a",), "local",
                          "toy")
    sub = ds.sample(n_train, n_test, seed=seed)
    assert len(sub.x_train) == n_train and len(sub.y_test) == n_test
    assert np.all(np.diff(sub.y_train) > 0) and np.array_equal(sub.x_train.ravel(), sub.y_train)
    with pytest.raises(ValueError, match="n_train must be an int in 0..10"):
        ds.sample(11 + n_train)
