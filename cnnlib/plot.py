"""Small matplotlib helpers shared by the chapters (1, 2, 4, 5, 7 and 8 use them)."""

import matplotlib.pyplot as plt
import numpy as np

from cnnlib import _validate


def show_images(images, titles=None, ncols: int = 8, size: float = 1.3, suptitle=None):
    """Draw a grid of images with pyplot.

    Parameters
    ----------
    images : (N, H, W) or (N, H, W, C) with C in {1, 3}
    titles : N titles (anything ``str`` accepts) or None
    ncols : int >= 1, images per row (fewer when N is smaller)
    size : float > 0, inches per image
    suptitle : str or None, the figure's title

    Returns
    -------
    fig : matplotlib Figure
    """
    images = np.asarray(images)
    ncols = _validate.integer("ncols", ncols, minimum=1)
    size = _validate.real("size", size, above=0)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise ValueError(f"images must be (N, H, W), (N, H, W, 1) or (N, H, W, 3), "
                         f"got {images.shape}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images")
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap="gray" if images.ndim == 3 else None)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def _grid(n: int, ncols: int, size: float, extra_height: float = 0.5):
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    height = (size + 0.3) * nrows + extra_height  # 0.3 inch per row for the panel titles
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, height), squeeze=False)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.flat[n:]:
        ax.axis("off")
    return fig, axes.flat[:n]


def show_feature_maps(feature_map, titles=None, ncols: int = 8, size: float = 1.6,
                      cmap: str = "viridis", suptitle=None, colorbar: bool = False):
    """Draw each channel of one feature map in its own panel.

    Parameters
    ----------
    feature_map : array (H, W, C), e.g. ``conv_output[0]`` for the first image of a batch
    titles : C labels (default "channel 0", "channel 1", ...)
    cmap : colormap; each panel has its own colour scale (its min to its max)
    colorbar : add a colour bar to every panel

    Returns the matplotlib Figure.
    """
    fmap = np.asarray(feature_map)
    if fmap.ndim != 3:
        hint = " (a batch? pass feature_map[0])" if fmap.ndim == 4 else ""
        raise ValueError(f"feature_map must be (H, W, C), got shape {fmap.shape}{hint}")
    n = fmap.shape[-1]
    if titles is None:
        titles = [f"channel {i}" for i in range(n)]
    if len(titles) != n:
        raise ValueError(f"got {len(titles)} titles for {n} channels")
    fig, axes = _grid(n, ncols, size)
    for i, ax in enumerate(axes):
        im = ax.imshow(fmap[:, :, i], cmap=cmap)
        ax.set_title(str(titles[i]), fontsize=9)
        if colorbar:
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    fig.suptitle(suptitle or f"Feature map: {n} channels of {fmap.shape[0]} x {fmap.shape[1]}")
    fig.tight_layout()
    return fig


def show_kernels(kernels, titles=None, ncols: int = 8, size: float = 1.3, cmap: str = "RdBu_r",
                 annotate: bool = False, suptitle=None):
    """Draw convolution kernels (filters) as small images.

    Parameters
    ----------
    kernels : array (kh, kw, C_in, C_out) like Keras ``Conv2D.kernel``, or one kernel (kh, kw).
        C_in == 1: one panel per filter, ``cmap`` centred on 0 (red positive, blue negative).
        C_in == 3: one RGB panel per filter, each rescaled to 0..1 (its min to its max).
        otherwise: a C_out x C_in grid, one panel per (filter, input channel).
    titles : one label per panel (default "filter f" or "filter f, in c")
    annotate : write the weight in each cell (for small kernels such as 3 x 3)

    Returns the matplotlib Figure.
    """
    w = np.asarray(kernels, dtype=float)
    if w.ndim == 2:
        w = w[:, :, None, None]
    if w.ndim != 4:
        raise ValueError(f"kernels must be (kh, kw, C_in, C_out) or (kh, kw), got shape {w.shape}")
    kh, kw, c_in, c_out = w.shape
    if c_in == 3:
        lo = w.min(axis=(0, 1, 2), keepdims=True)
        span = w.max(axis=(0, 1, 2), keepdims=True) - lo
        panels = [((w - lo) / np.where(span > 0, span, 1))[:, :, :, f] for f in range(c_out)]
        default = [f"filter {f}" for f in range(c_out)]
    elif c_in == 1:
        panels = [w[:, :, 0, f] for f in range(c_out)]
        default = [f"filter {f}" for f in range(c_out)]
    else:
        panels = [w[:, :, c, f] for f in range(c_out) for c in range(c_in)]
        default = [f"filter {f}, in {c}" for f in range(c_out) for c in range(c_in)]
        ncols = c_in
    if titles is None:
        titles = default
    if len(titles) != len(panels):
        raise ValueError(f"got {len(titles)} titles for {len(panels)} kernel panels")
    fig, axes = _grid(len(panels), ncols, size)
    for ax, panel, title in zip(axes, panels, titles):
        if panel.ndim == 3:
            ax.imshow(panel)
        else:
            limit = float(np.abs(panel).max()) or 1.0
            ax.imshow(panel, cmap=cmap, vmin=-limit, vmax=limit)
            if annotate:
                for (r, c), v in np.ndenumerate(panel):
                    colour = "white" if abs(v) > 0.6 * limit else "black"
                    ax.text(c, r, f"{v:.3g}", ha="center", va="center", fontsize=8, color=colour)
        ax.set_title(str(title), fontsize=9)
    fig.suptitle(suptitle or f"{c_out} kernel(s) of {kh} x {kw} x {c_in}")
    fig.tight_layout()
    return fig
