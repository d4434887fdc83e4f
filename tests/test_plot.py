"""cnnlib.plot: what each panel draws (the data, its colour map and limits) and its labels."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlib import plot  # noqa: E402


def _titled_axes(fig):
    return [ax for ax in fig.axes if ax.get_title()]


def _drawn(ax):
    """The one image an axes shows, as a plain array."""
    (image,) = ax.get_images()
    return np.asarray(image.get_array())


def _visible(fig):
    return [ax for ax in fig.axes if ax.axison]


def test_show_images_draws_each_image_in_grey_or_colour():
    rng = np.random.default_rng(0)
    grey = rng.random((3, 5, 4))
    fig = plot.show_images(grey[..., None], titles=["a", "b", "c"], ncols=2)
    axes = [ax for ax in fig.axes if ax.get_images()]
    assert len(fig.axes) == 4 and len(axes) == 3  # 2 x 2 grid, the fourth panel empty
    assert [ax.get_title() for ax in axes] == ["a", "b", "c"]
    for ax, image in zip(axes, grey):
        np.testing.assert_array_equal(_drawn(ax), image)  # (H, W, 1) drawn as (H, W)
        assert ax.get_images()[0].get_cmap().name == "gray"
    assert not fig.axes[3].get_images()
    plt.close(fig)
    rgb = rng.random((2, 4, 6, 3))
    fig = plot.show_images(rgb, suptitle="colour")
    assert fig._suptitle.get_text() == "colour"
    for ax, image in zip(fig.axes, rgb):
        np.testing.assert_array_equal(_drawn(ax), image)
    plt.close(fig)
    with pytest.raises(TypeError, match="ncols must be an int, got float"):
        plot.show_images(rgb, ncols=2.0)
    with pytest.raises(ValueError, match="size must be a finite number > 0, got 0"):
        plot.show_images(rgb, size=0)


def test_show_images_errors():
    with pytest.raises(ValueError, match=r"images must be \(N, H, W\), \(N, H, W, 1\) or "
                                         r"\(N, H, W, 3\), got \(2, 4, 4, 2\)"):
        plot.show_images(np.zeros((2, 4, 4, 2)))
    with pytest.raises(ValueError, match="got 1 titles for 2 images"):
        plot.show_images(np.zeros((2, 4, 4)), titles=["a"])


def test_show_feature_maps_one_panel_per_channel():
    fmap = np.random.default_rng(0).normal(size=(6, 7, 5))
    fig = plot.show_feature_maps(fmap, ncols=3)
    assert isinstance(fig, matplotlib.figure.Figure)
    axes = _titled_axes(fig)
    assert [ax.get_title() for ax in axes] == [f"channel {i}" for i in range(5)]
    assert fig._suptitle.get_text() == "Feature map: 5 channels of 6 x 7"
    assert len(fig.axes) == 6 and len(_visible(fig)) == 5  # 2 x 3 grid, the sixth hidden
    for i, ax in enumerate(axes):
        np.testing.assert_array_equal(_drawn(ax), fmap[:, :, i])
        image = ax.get_images()[0]
        assert image.get_cmap().name == "viridis"
        # each panel has its own colour scale: its channel's min to max
        assert image.get_clim() == pytest.approx((fmap[:, :, i].min(), fmap[:, :, i].max()))
    plt.close(fig)
    fig = plot.show_feature_maps(fmap[:, :, :2], titles=["x", "y"], colorbar=True, cmap="magma")
    axes = _titled_axes(fig)
    assert [ax.get_title() for ax in axes] == ["x", "y"]
    assert [ax.get_images()[0].get_cmap().name for ax in axes] == ["magma", "magma"]
    assert len(fig.axes) == 4  # two panels and their two colour bars
    plt.close(fig)


def test_show_feature_maps_errors():
    with pytest.raises(ValueError, match=r"feature_map must be \(H, W, C\), got shape "
                                         r"\(1, 4, 4, 2\) \(a batch\? pass feature_map\[0\]\)"):
        plot.show_feature_maps(np.zeros((1, 4, 4, 2)))
    with pytest.raises(ValueError, match="got 2 titles for 3 channels"):
        plot.show_feature_maps(np.zeros((4, 4, 3)), titles=["a", "b"])


def test_show_kernels_grey_rgb_and_multichannel():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3, 3, 1, 4))
    fig = plot.show_kernels(w, annotate=True)
    axes = _titled_axes(fig)
    assert [ax.get_title() for ax in axes] == [f"filter {i}" for i in range(4)]
    for f, ax in enumerate(axes):
        np.testing.assert_array_equal(_drawn(ax), w[:, :, 0, f])
        image = ax.get_images()[0]
        # a diverging map centred on 0: the limits are +-(largest |weight| of this filter)
        limit = np.abs(w[:, :, 0, f]).max()
        assert image.get_cmap().name == "RdBu_r"
        assert image.get_clim() == pytest.approx((-limit, limit))
        # one number per weight, written at its (column, row)
        assert sorted((t.get_position(), t.get_text()) for t in ax.texts) == sorted(
            ((c, r), f"{v:.3g}") for (r, c), v in np.ndenumerate(w[:, :, 0, f]))
    plt.close(fig)

    w = rng.normal(size=(5, 5, 3, 2))
    fig = plot.show_kernels(w)
    for f, ax in enumerate(_titled_axes(fig)):
        # each RGB filter rescaled on its own from its min (0) to its max (1)
        kernel = w[:, :, :, f]
        expected = (kernel - kernel.min()) / (kernel.max() - kernel.min())
        np.testing.assert_allclose(_drawn(ax), expected, atol=1e-12)
    assert len(_titled_axes(fig)) == 2
    plt.close(fig)

    w = rng.normal(size=(3, 3, 2, 3))
    fig = plot.show_kernels(w)
    axes = _titled_axes(fig)
    assert [ax.get_title() for ax in axes] == [f"filter {f}, in {c}" for f in range(3)
                                               for c in range(2)]
    for ax, (f, c) in zip(axes, [(f, c) for f in range(3) for c in range(2)]):
        np.testing.assert_array_equal(_drawn(ax), w[:, :, c, f])
    # a C_out x C_in grid: one row per filter
    rows = sorted({round(ax.get_position().y0, 6) for ax in axes})
    assert len(rows) == 3 and len({round(ax.get_position().x0, 6) for ax in axes}) == 2
    assert fig._suptitle.get_text() == "3 kernel(s) of 3 x 3 x 2"
    plt.close(fig)

    fig = plot.show_kernels(np.eye(3), titles=["identity-ish"])
    (ax,) = _titled_axes(fig)
    assert ax.get_title() == "identity-ish"
    np.testing.assert_array_equal(_drawn(ax), np.eye(3))
    assert ax.get_images()[0].get_clim() == (-1.0, 1.0)
    plt.close(fig)
    fig = plot.show_kernels(np.zeros((2, 2)))  # all zero: limits +-1, not a zero range
    assert _titled_axes(fig)[0].get_images()[0].get_clim() == (-1.0, 1.0)
    plt.close(fig)


def test_show_kernels_errors():
    with pytest.raises(ValueError, match=r"kernels must be \(kh, kw, C_in, C_out\) or \(kh, kw\), "
                                         r"got shape \(3, 3, 2\)"):
        plot.show_kernels(np.zeros((3, 3, 2)))
    with pytest.raises(ValueError, match="got 1 titles for 2 kernel panels"):
        plot.show_kernels(np.zeros((3, 3, 1, 2)), titles=["a"])
