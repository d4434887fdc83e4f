"""cnnlib.arithmetic against the output shapes of real Keras layers, over a generated grid.

Every configuration (layer arguments + input size) is executed by a real Keras layer on a tiny
zero tensor (one image, one channel) and its output shape compared with the formula. Layers
are built once per set of arguments and called on many input sizes, which keeps the whole grid
to a few seconds. Configurations Keras refuses are checked to be refused by cnnlib too.
Padding modes Keras lacks ("full", explicit asymmetric ints, transposed padding) are checked
against the explicit construction they stand for (ZeroPadding + "valid", crop after "valid").
"""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib import arithmetic

RNG = np.random.default_rng(0)
SIZES_1D = range(1, 11)


def _zeros(size):
    return np.zeros((1, *size, 1), dtype="float32")


def _spatial(y):
    return tuple(int(v) for v in y.shape[1:-1])


def _sizes_2d(n):
    """n distinct (H, W) input sizes in 1..11, reproducible."""
    pairs = list(itertools.product(range(1, 12), repeat=2))
    idx = RNG.choice(len(pairs), size=n, replace=False)
    return [pairs[i] for i in idx]


def _ours(fn, *args, **kwargs):
    """cnnlib's answer, or 'refused' when it raises ValueError."""
    try:
        return fn(*args, **kwargs)
    except ValueError:
        return "refused"


def _keras_refuses(make_layer, size):
    """True when Keras refuses the layer: at construction or when shaping a symbolic input."""
    try:
        layer = make_layer()
        layer.compute_output_shape((1, *size, 1))
    except ValueError:
        return True
    return False


class Grid:
    def __init__(self):
        self.records = []  # (family, config, ours, keras)

    def add(self, family, config, ours, theirs):
        self.records.append((family, config, ours, theirs))

    def mismatches(self, family=None):
        return [r for r in self.records if (family is None or r[0] == family) and r[2] != r[3]]

    def count(self, family=None):
        return sum(1 for r in self.records if family is None or r[0] == family)


def _conv1d(grid):
    for k, s, d, pad in itertools.product(range(1, 6), range(1, 4), range(1, 4),
                                          ("valid", "same", "causal")):
        if s > 1 and d > 1:
            continue  # Keras refuses the combination: see _strided_dilated
        layer = keras.layers.Conv1D(1, k, strides=s, dilation_rate=d, padding=pad,
                                    use_bias=False, kernel_initializer="zeros")
        for n in SIZES_1D:
            cfg = dict(n=n, k=k, s=s, d=d, padding=pad)
            ours = _ours(arithmetic.conv_output_size, n, k, pad, s, d)
            k_eff = k + (k - 1) * (d - 1)
            if pad == "valid" and n < k_eff:
                theirs = "refused" if _keras_refuses(lambda: keras.layers.Conv1D(
                    1, k, strides=s, dilation_rate=d, padding=pad), (n,)) else "accepted"
            else:
                theirs = _spatial(layer(_zeros((n,))))[0]
            grid.add("Conv1D", cfg, ours, theirs)


def _conv2d(grid):
    kernels = list(itertools.product((1, 2, 3, 5), repeat=2))
    settings = [(st, (1, 1)) for st in itertools.product((1, 2, 3), repeat=2)]
    settings += [((1, 1), dil) for dil in ((2, 1), (1, 2), (2, 2), (3, 2))]
    for (kh, kw), (strides, dil), pad in itertools.product(kernels, settings, ("valid", "same")):
        layer = keras.layers.Conv2D(1, (kh, kw), strides=strides, dilation_rate=dil,
                                    padding=pad, use_bias=False, kernel_initializer="zeros")
        for size in _sizes_2d(3):
            cfg = dict(size=size, k=(kh, kw), s=strides, d=dil, padding=pad)
            ours = _ours(arithmetic.conv_output_size, size, (kh, kw), pad, strides, dil)
            k_eff = arithmetic.effective_kernel_size((kh, kw), dil)
            if pad == "valid" and (size[0] < k_eff[0] or size[1] < k_eff[1]):
                theirs = "refused" if _keras_refuses(lambda: keras.layers.Conv2D(
                    1, (kh, kw), strides=strides, dilation_rate=dil, padding=pad), size) \
                    else "accepted"
            else:
                theirs = _spatial(layer(_zeros(size)))
            grid.add("Conv2D", cfg, ours, theirs)


def _strided_dilated(grid):
    """Keras refuses strides > 1 with dilation > 1; the size is that of the stride-1 dilated
    output subsampled every s positions (what a strided convolution is)."""
    for k, d, s, pad in itertools.product((2, 3), (2, 3), (2, 3), ("valid", "same")):
        with pytest.raises(ValueError, match="dilation_rate"):
            keras.layers.Conv2D(1, k, strides=s, dilation_rate=d, padding=pad)
        layer = keras.layers.Conv2D(1, k, dilation_rate=d, padding=pad, use_bias=False)
        for size in _sizes_2d(4):
            if pad == "valid" and min(size) < k + (k - 1) * (d - 1):
                continue
            cfg = dict(size=size, k=k, s=s, d=d, padding=pad)
            dense = _spatial(layer(_zeros(size)))
            if pad == "same":
                # TF's "same" for a strided layer pads for ceil(n / s) outputs, not for n:
                # compare with the explicit padding instead
                pads = arithmetic.same_padding(size, k, s, d)
                x = keras.layers.ZeroPadding2D(pads)(_zeros(size))
                dense = _spatial(keras.layers.Conv2D(1, k, dilation_rate=d)(x))
            theirs = tuple(len(range(0, o, s)) for o in dense)
            grid.add("Conv2D strides+dilation", cfg,
                     _ours(arithmetic.conv_output_size, size, k, pad, s, d), theirs)


def _explicit_padding(grid):
    """Explicit (asymmetric) and "full" padding = ZeroPadding2D + a "valid" Conv2D."""
    for i in range(120):
        kh, kw = (int(v) for v in RNG.integers(1, 5, size=2))
        strides = tuple(int(v) for v in RNG.integers(1, 4, size=2))
        dil = (1, 1) if max(strides) > 1 else tuple(int(v) for v in RNG.integers(1, 3, size=2))
        if i % 4 == 0:
            padding = "full"
        else:
            padding = tuple(int(v) for v in RNG.integers(0, 4, size=4))  # top, bottom, left, right
        pads = arithmetic.resolve_padding((1, 1), (kh, kw), padding, strides, dil)
        conv = keras.layers.Conv2D(1, (kh, kw), strides=strides, dilation_rate=dil,
                                   use_bias=False, kernel_initializer="zeros")
        padder = keras.layers.ZeroPadding2D(pads)
        for size in _sizes_2d(3):
            cfg = dict(size=size, k=(kh, kw), s=strides, d=dil, padding=padding)
            ours = _ours(arithmetic.conv_output_size, size, (kh, kw), padding, strides, dil)
            padded = _spatial(padder(_zeros(size)))
            k_eff = arithmetic.effective_kernel_size((kh, kw), dil)
            if padded[0] < k_eff[0] or padded[1] < k_eff[1]:
                theirs = "refused" if _keras_refuses(lambda: keras.layers.Conv2D(
                    1, (kh, kw), strides=strides, dilation_rate=dil), padded) else "accepted"
            else:
                theirs = _spatial(conv(padder(_zeros(size))))
            grid.add("ZeroPadding2D+Conv2D", cfg, ours, theirs)


def _transposed_keras(layer, size):
    """Keras' output size, or 'refused' for a size no convolution maps back to the input.

    TensorFlow refuses such a size at execution, and how depends on the machine's kernel:
    InvalidArgumentError (Eigen), AbortedError (oneDNN), or, for a zero-size axis, an empty
    result on some machines. All three count as a refusal; any other error fails the test.
    """
    try:
        out = _spatial(layer(_zeros(size)))
    except tf.errors.OpError:
        return "refused"
    return "refused" if min(out) == 0 else out


def _transposed(grid):
    kernels = list(itertools.product((1, 2, 3, 4), repeat=2))
    for (kh, kw), s, pad, with_a in itertools.product(kernels, (1, 2, 3), ("valid", "same"),
                                                      (False, True)):
        a = (int(RNG.integers(0, s)), int(RNG.integers(0, s))) if with_a else None
        dil = (2, 1) if (s == 1 and kh == 3) else (1, 1)
        # TensorFlow's CPU kernel has no dilated transposed convolution: a dilated kernel is the
        # kernel of its full extent with zeros between the taps, so run that one instead
        extent = arithmetic.effective_kernel_size((kh, kw), dil)
        layer = keras.layers.Conv2DTranspose(1, extent, strides=s, padding=pad,
                                             output_padding=a, use_bias=False,
                                             kernel_initializer="zeros")
        for size in _sizes_2d(3):
            cfg = dict(size=size, k=(kh, kw), s=s, d=dil, padding=pad, output_padding=a)
            ours = _ours(arithmetic.conv_transpose_output_size, size, (kh, kw), s, pad, a, dil)
            theirs = _transposed_keras(layer, size)
            grid.add("Conv2DTranspose", cfg, ours, theirs)
    # output_padding >= strides: refused by both
    for s, a in ((1, 1), (2, 2), (2, 3), (3, 5)):
        with pytest.raises(ValueError, match="output_padding"):
            keras.layers.Conv2DTranspose(1, 3, strides=s, output_padding=a)
        grid.add("Conv2DTranspose", dict(s=s, output_padding=a),
                 _ours(arithmetic.conv_transpose_output_size, 5, 3, s, "valid", a), "refused")


def _transposed_explicit(grid):
    """Explicit padding p of a transposed convolution = crop p from a "valid" output."""
    for i in range(60):
        k, s = int(RNG.integers(1, 5)), int(RNG.integers(1, 4))
        p = (int(RNG.integers(0, k)), int(RNG.integers(0, k)))
        a = int(RNG.integers(0, s))
        layer = keras.layers.Conv2DTranspose(1, k, strides=s, output_padding=a,
                                             use_bias=False, kernel_initializer="zeros")
        for size in _sizes_2d(2):
            cfg = dict(size=size, k=k, s=s, padding=p, output_padding=a)
            ours = _ours(arithmetic.conv_transpose_output_size, size, k, s, (p, p), a)
            full = _spatial(layer(_zeros(size)))
            if min(full) <= p[0] + p[1]:
                theirs = "refused"  # Cropping2D refuses to crop everything
            else:
                theirs = _spatial(keras.layers.Cropping2D((p, p))(layer(_zeros(size))))
            grid.add("Conv2DTranspose+Cropping2D", cfg, ours, theirs)


def _pooling(grid):
    pools = list(itertools.product((1, 2, 3, 4), repeat=2))
    for cls in (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D):
        for (ph, pw), strides, pad in itertools.product(
                pools, (None, (1, 1), (2, 2), (3, 2), (1, 3)), ("valid", "same")):
            layer = cls((ph, pw), strides=strides, padding=pad)
            for size in _sizes_2d(4):
                cfg = dict(size=size, pool=(ph, pw), s=strides, padding=pad)
                ours = _ours(arithmetic.pool_output_size, size, (ph, pw), strides, pad)
                if pad == "valid" and (size[0] < ph or size[1] < pw):
                    theirs = "refused" if _keras_refuses(
                        lambda: cls((ph, pw), strides=strides, padding=pad), size) else "accepted"
                else:
                    theirs = _spatial(layer(_zeros(size)))
                grid.add(cls.__name__, cfg, ours, theirs)


@pytest.fixture(scope="module")
def grid():
    g = Grid()
    for family in (_conv1d, _conv2d, _strided_dilated, _explicit_padding, _transposed,
                   _transposed_explicit, _pooling):
        family(g)
    return g


FAMILIES = ["Conv1D", "Conv2D", "Conv2D strides+dilation", "ZeroPadding2D+Conv2D",
            "Conv2DTranspose", "Conv2DTranspose+Cropping2D", "MaxPooling2D", "AveragePooling2D"]


def test_grid_has_at_least_2000_configurations(grid, capsys):
    with capsys.disabled():  # the grid's size, visible with pytest -s
        counts = ", ".join(f"{f}: {grid.count(f)}" for f in FAMILIES)
        print(f"\narithmetic grid: {grid.count()} configurations ({counts})")
    assert grid.count() >= 2000, grid.count()
    for family in FAMILIES:
        assert grid.count(family) >= 40, (family, grid.count(family))
    refused = sum(1 for r in grid.records if r[3] == "refused")
    assert refused >= 50, refused  # invalid configurations are part of the grid


@pytest.mark.parametrize("family", FAMILIES)
def test_no_mismatch_with_keras(grid, family):
    bad = grid.mismatches(family)
    assert not bad, f"{len(bad)} of {grid.count(family)} mismatches, e.g. {bad[:5]}"


# --------------------------------------------------------------------------- values, not shapes


@pytest.mark.parametrize("n,k,s,d", [(n, k, s, d) for n in (4, 5, 6, 7) for k in (2, 3, 4)
                                     for s in (1, 2, 3) for d in (1, 2) if s == 1 or d == 1])
def test_same_padding_is_the_split_tensorflow_applies(n, k, s, d):
    """Conv2D(padding="same") == explicit ZeroPadding2D(same_padding) + "valid", values included:
    the extra pixel of an odd total goes to the bottom/right."""
    rng = np.random.default_rng(n * 100 + k * 10 + s + d)
    x = rng.normal(size=(1, n, n + 1, 1)).astype("float32")
    same = keras.layers.Conv2D(1, k, strides=s, dilation_rate=d, padding="same")
    y_same = keras.ops.convert_to_numpy(same(x))
    pads = arithmetic.same_padding((n, n + 1), k, s, d)
    valid = keras.layers.Conv2D(1, k, strides=s, dilation_rate=d)
    valid.build((1, n + sum(pads[0]), n + 1 + sum(pads[1]), 1))
    valid.set_weights(same.get_weights())
    y_valid = keras.ops.convert_to_numpy(valid(keras.layers.ZeroPadding2D(pads)(x)))
    np.testing.assert_allclose(y_same, y_valid, atol=1e-5)
    # and the other split (extra pixel on top/left) differs whenever the total is odd
    if any((pb + pa) % 2 for pb, pa in pads):
        flipped = tuple((pa, pb) for pb, pa in pads)
        y_flip = keras.ops.convert_to_numpy(valid(keras.layers.ZeroPadding2D(flipped)(x)))
        assert not np.allclose(y_same, y_flip, atol=1e-5)


@pytest.mark.parametrize("n,k,s", [(5, 2, 1), (6, 3, 2), (7, 2, 2), (7, 3, 3), (8, 3, 2)])
def test_max_pooling_same_padding_split(n, k, s):
    """MaxPooling2D(padding="same") ignores padded cells: -inf padding, same split as conv."""
    rng = np.random.default_rng(n + k + s)
    x = rng.normal(size=(1, n, n, 1)).astype("float32")
    y_same = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(k, s, padding="same")(x))
    (t, b), (l, r) = arithmetic.same_padding((n, n), k, s)
    x_pad = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=-np.inf)
    y_pad = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(k, s)(x_pad))
    np.testing.assert_allclose(y_same, y_pad)
