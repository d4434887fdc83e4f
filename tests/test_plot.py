"""cnnlib.plot: figures are built with the right number of panels and labels."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlib import plot  # noqa: E402


def _titled_axes(fig):
    return [ax for ax in fig.axes if ax.get_title()]


def test_show_images_still_works():
    fig = plot.show_images(np.zeros((3, 5, 5)), titles=["a", "b", "c"])
    assert [ax.get_title() for ax in _titled_axes(fig)] == ["a", "b", "c"]
    plt.close(fig)


def test_show_feature_maps_one_panel_per_channel():
    fig = plot.show_feature_maps(np.random.default_rng(0).normal(size=(6, 7, 5)), ncols=3)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert [ax.get_title() for ax in _titled_axes(fig)] == [f"channel {i}" for i in range(5)]
    assert "5 channels of 6 x 7" in fig._suptitle.get_text()
    plt.close(fig)
    fig = plot.show_feature_maps(np.zeros((4, 4, 2)), titles=["x", "y"], colorbar=True)
    assert [ax.get_title() for ax in _titled_axes(fig)] == ["x", "y"]
    plt.close(fig)


def test_show_feature_maps_errors():
    with pytest.raises(ValueError, match=r"feature_map\[0\]"):
        plot.show_feature_maps(np.zeros((1, 4, 4, 2)))
    with pytest.raises(ValueError, match="2 titles for 3 channels"):
        plot.show_feature_maps(np.zeros((4, 4, 3)), titles=["a", "b"])


def test_show_kernels_grey_rgb_and_multichannel():
    rng = np.random.default_rng(0)
    fig = plot.show_kernels(rng.normal(size=(3, 3, 1, 4)), annotate=True)
    axes = _titled_axes(fig)
    assert [ax.get_title() for ax in axes] == [f"filter {i}" for i in range(4)]
    assert len(axes[0].texts) == 9  # one number per weight
    plt.close(fig)
    fig = plot.show_kernels(rng.normal(size=(5, 5, 3, 2)))
    images = [ax.get_images()[0].get_array() for ax in _titled_axes(fig)]
    assert len(images) == 2 and images[0].shape == (5, 5, 3)
    assert images[0].min() >= 0 and images[0].max() <= 1
    plt.close(fig)
    fig = plot.show_kernels(rng.normal(size=(3, 3, 2, 3)))
    assert len(_titled_axes(fig)) == 6
    assert _titled_axes(fig)[1].get_title() == "filter 0, in 1"
    plt.close(fig)
    fig = plot.show_kernels(np.eye(3), titles=["identity-ish"])
    assert _titled_axes(fig)[0].get_title() == "identity-ish"
    plt.close(fig)


def test_show_kernels_errors():
    with pytest.raises(ValueError, match=r"\(kh, kw, C_in, C_out\)"):
        plot.show_kernels(np.zeros((3, 3, 2)))
    with pytest.raises(ValueError, match="1 titles for 2 kernel panels"):
        plot.show_kernels(np.zeros((3, 3, 1, 2)), titles=["a"])
