"""Convolution animations in the style of Dumoulin & Visin's convolution-arithmetic guide.

One picture per step: the zero-padded input grid (padding cells dashed and white, input cells
blue), the kernel footprint on it (dark cells; a dilated kernel shows its gaps), and the output
grid filling cell by cell. With ``values`` and ``kernel`` the cells show numbers, the output
cells receive the computed dot products and ``show_products`` writes the sum being computed.

``conv_animation`` returns a :class:`ConvAnimation` (a matplotlib ``FuncAnimation``) with one
frame per output cell; show it in a notebook with ``HTML(anim.to_jshtml())`` (plays in static
HTML). Its player is made accessible and light by :func:`accessible_jshtml`.
The figures are created without pyplot, so no static copy is displayed and nothing needs
closing. ``conv_frames_grid`` draws a few steps side by side as one static figure, and
``draw_conv_step`` draws one step into a given axes.

Chapters 2 and 3 use it, directly and through :mod:`cnnlib.widgets`.

The convolution is the cross-correlation deep-learning libraries compute (``Conv2D``):
``out[i, j] = sum_{u, v} x_pad[i s_h + u d_h, j s_w + v d_w] * kernel[u, v]``.
"""

import base64
import html
import io
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image
from matplotlib import animation as mpl_animation
from matplotlib.figure import Figure
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

from . import _validate, arithmetic, ops

MAX_FRAMES = 100
PALETTE_COLOURS = 32  # colours of a player's PNG frames: flat drawings, about 3x fewer bytes

# colours (flat, few: small PNG frames)
_INPUT = "#9ecae1"
_PAD = "#ffffff"
_TAP = "#08519c"
_OUT_DONE = "#74c476"
_OUT_NOW = "#238b45"
_OUT_TODO = "#ffffff"
_EDGE = "#333333"
_GAP = 1.2  # cells between the input and the output grid


@dataclass(frozen=True)
class ConvGeometry:
    """Everything needed to draw a 2-D convolution (one channel).

    Sizes are (height, width) pairs; ``pads`` is (top, bottom, left, right); ``x_pad`` (Hp, Wp),
    ``kernel`` (kh, kw) and ``output`` (Ho, Wo) are float arrays or None when no numbers were given.
    """

    input_size: tuple
    kernel_size: tuple
    strides: tuple
    dilation: tuple
    pads: tuple
    padded_size: tuple
    output_size: tuple
    x_pad: np.ndarray | None
    kernel: np.ndarray | None
    output: np.ndarray | None
    padding_spec: object

    @property
    def n_steps(self) -> int:
        """Number of output cells = frames of the animation."""
        return self.output_size[0] * self.output_size[1]

    def window(self, step: int):
        """Top-left corner (row, col) in padded coordinates and the output cell of ``step``."""
        i, j = divmod(step, self.output_size[1])
        return (i * self.strides[0], j * self.strides[1]), (i, j)

    def taps(self, step: int):
        """Padded-grid (row, col) of every kernel tap at ``step``, in kernel order (kh*kw,)."""
        (r0, c0), _ = self.window(step)
        kh, kw = self.kernel_size
        dh, dw = self.dilation
        return [(r0 + u * dh, c0 + v * dw) for u in range(kh) for v in range(kw)]


def _as_grid(name, array, shape):
    if array is None:
        return None
    a = _validate.array(name, array, ndim=2, layout="(height, width)", finite=True)
    a = a.astype(float)
    if a.shape != tuple(shape):
        size_name = "input_size" if name == "values" else "kernel_size"
        raise ValueError(f"{name} has shape {a.shape} but {size_name} is {tuple(shape)}")
    return a


def conv_geometry(input_size, kernel_size, padding=0, strides=1, dilation=1, values=None,
                  kernel=None) -> ConvGeometry:
    """Sizes, padding and (with ``values`` and ``kernel``) the output of a 2-D convolution.

    Parameters
    ----------
    input_size, kernel_size, strides, dilation : int >= 1 or (height, width) ints
    padding : "valid", "same" (TensorFlow's split), "full", an int, (pad_h, pad_w) or
        (top, bottom, left, right): :mod:`cnnlib.arithmetic`'s padding grammar
    values : (H, W) finite numbers or None, the input
    kernel : (kh, kw) finite numbers or None, the weights

    Returns
    -------
    geometry : ConvGeometry; its ``output`` is (Ho, Wo) when both values and kernel are given
    """
    h_w = _validate.per_axis("input_size", input_size, 2)
    k = _validate.per_axis("kernel_size", kernel_size, 2)
    s = _validate.per_axis("strides", strides, 2)
    d = _validate.per_axis("dilation", dilation, 2)
    pads = arithmetic.resolve_padding(h_w, k, padding, s, d)
    out = arithmetic.conv_output_size(h_w, k, padding, s, d)
    (t, b), (l, r) = pads
    padded = (h_w[0] + t + b, h_w[1] + l + r)
    x = _as_grid("values", values, h_w)
    w = _as_grid("kernel", kernel, k)
    x_pad = None if x is None else np.pad(x, ((t, b), (l, r)))
    output = None
    if x is not None and w is not None:  # one image, one channel, one filter
        output = ops.conv2d_loops(x[None, :, :, None], w[:, :, None, None], strides=s,
                                  padding=((t, b), (l, r)), dilation=d)[0, :, :, 0]
    return ConvGeometry(h_w, k, s, d, (t, b, l, r), padded, out, x_pad, w, output, padding)


def _fmt(v: float) -> str:
    if float(v).is_integer():
        return str(int(round(v)))
    return f"{v:.2g}" if abs(v) < 10 else f"{v:.3g}"


def products_text(geometry: ConvGeometry, step: int) -> str:
    """The sum computed at ``step``, one kernel row per line: ``"0*1 + 1*0 + ... = 3"``.

    Parameters
    ----------
    geometry : ConvGeometry made with values and kernel
    step : int in 0 .. n_steps - 1, the output cell (row-major)

    Returns
    -------
    text : str, ``kh`` lines
    """
    _geometry(geometry)
    step = _step(geometry, step)
    if geometry.x_pad is None or geometry.kernel is None:
        raise ValueError("products need both values and kernel")
    kh, kw = geometry.kernel_size
    taps = geometry.taps(step)
    rows = []
    for u in range(kh):
        terms = [f"{_fmt(geometry.x_pad[taps[u * kw + v]])}*{_fmt(geometry.kernel[u, v])}"
                 for v in range(kw)]
        rows.append(" + ".join(terms))
    _, (i, j) = geometry.window(step)
    return " +\n".join(rows) + f" = {_fmt(geometry.output[i, j])}"


def describe(g: ConvGeometry) -> str:
    """One line of sizes for titles: ``"i=5, k=3, p='same' = 1, s=1  ->  o=5"``.

    Parameters
    ----------
    g : ConvGeometry

    Returns
    -------
    text : str; sizes that differ between height and width are written ``HxW``
    """
    _geometry(g)
    def one(v):
        return str(v[0]) if v[0] == v[1] else f"{v[0]}x{v[1]}"

    t, b, l, r = g.pads
    pad = f"{t}" if t == b == l == r else f"({t},{b},{l},{r})"
    if isinstance(g.padding_spec, str):
        pad = f"'{g.padding_spec}' = {pad}"
    text = f"i={one(g.input_size)}, k={one(g.kernel_size)}, p={pad}, s={one(g.strides)}"
    if g.dilation != (1, 1):
        text += f", d={one(g.dilation)}"
    return text + f"  ->  o={one(g.output_size)}"


class _Drawing:
    """The artists of one convolution picture, built once; ``set_step`` moves the kernel."""

    def __init__(self, g: ConvGeometry, ax, show_products: bool, title):
        self.g, self.ax, self.show_products = g, ax, show_products
        ax.clear()
        ax.set_axis_off()
        hp, wp = g.padded_size
        ho, wo = g.output_size
        t, _, l, _ = g.pads
        h, w = g.input_size
        self.ox, self.oy = wp + _GAP, (hp - ho) / 2
        self.font = font = 8 if max(hp, wp) <= 9 else 6
        inside = [(r, c) for r in range(hp) for c in range(wp)
                  if t <= r < t + h and l <= c < l + w]
        outside = [(r, c) for r in range(hp) for c in range(wp)
                   if not (t <= r < t + h and l <= c < l + w)]
        if outside:
            ax.add_collection(PatchCollection(
                [Rectangle((c, r), 1, 1) for r, c in outside], facecolor=_PAD,
                edgecolor="#999999", linestyle="--", linewidth=0.6))
        ax.add_collection(PatchCollection(
            [Rectangle((c, r), 1, 1) for r, c in inside], facecolor=_INPUT, edgecolor=_EDGE,
            linewidth=0.6))
        self.tap_patches = [ax.add_patch(Rectangle((0, 0), 1, 1, facecolor=_TAP, alpha=0.55,
                                                   edgecolor=_TAP, linewidth=1.2))
                            for _ in range(g.kernel_size[0] * g.kernel_size[1])]
        self.weight_texts = []
        if g.kernel is not None:
            self.weight_texts = [ax.text(0, 0, _fmt(v), ha="right", va="bottom",
                                         fontsize=font - 2, color="#fdd0a2", fontweight="bold")
                                 for v in g.kernel.ravel()]
        ext_h = (g.kernel_size[0] - 1) * g.dilation[0] + 1
        ext_w = (g.kernel_size[1] - 1) * g.dilation[1] + 1
        self.outline = ax.add_patch(Rectangle((0, 0), ext_w, ext_h, fill=False, edgecolor=_TAP,
                                              linewidth=1.8))
        self.input_texts = {}
        if g.x_pad is not None:
            self.input_texts = {(r, c): ax.text(c + 0.5, r + 0.45, _fmt(g.x_pad[r, c]),
                                                ha="center", va="center", fontsize=font)
                                for r in range(hp) for c in range(wp)}
        out_cells = [Rectangle((self.ox + j, self.oy + i), 1, 1)
                     for i in range(ho) for j in range(wo)]
        ax.add_collection(PatchCollection(out_cells, facecolor=_OUT_TODO, edgecolor="#999999",
                                          linestyle="--", linewidth=0.6))
        self.out_fill = PatchCollection(
            [Rectangle((self.ox + j, self.oy + i), 1, 1) for i in range(ho) for j in range(wo)],
            linewidth=0.6)
        ax.add_collection(self.out_fill)
        self.out_texts = []
        if g.output is not None:
            self.out_texts = [ax.text(self.ox + j + 0.5, self.oy + i + 0.5, _fmt(g.output[i, j]),
                                      ha="center", va="center", fontsize=font)
                              for i in range(ho) for j in range(wo)]
        extra = 0.0
        self.products = None
        if show_products:
            lines = g.kernel_size[0]
            extra = 0.55 * lines + 0.3
            self.products = ax.text(0, hp + 0.35, "", ha="left", va="top", fontsize=font,
                                    family="monospace")
        ax.text(wp / 2, -0.25, "input (padded)", ha="center", va="bottom", fontsize=font)
        ax.text(self.ox + wo / 2, self.oy - 0.25, "output", ha="center", va="bottom",
                fontsize=font)
        ax.set_xlim(-0.1, self.ox + wo + 0.1)
        ax.set_ylim(hp + extra + 0.1, -1.1)
        ax.set_aspect("equal")
        ax.set_title(describe(g) if title is None else title, fontsize=font + 1)
        self.current_taps = []

    def set_step(self, step: int):
        g = self.g
        step = _step(g, step)
        for rc in self.current_taps:
            self.input_texts[rc].set_color("black")
        taps = g.taps(step)
        for patch, (r, c) in zip(self.tap_patches, taps):
            patch.set_xy((c, r))
        for text, (r, c) in zip(self.weight_texts, taps):
            text.set_position((c + 0.95, r + 0.95))
        if self.input_texts:
            for rc in taps:
                self.input_texts[rc].set_color("white")
        self.current_taps = taps if self.input_texts else []
        (r0, c0), _ = g.window(step)
        self.outline.set_xy((c0, r0))
        faces = [_OUT_DONE if k < step else _OUT_NOW if k == step else "none"
                 for k in range(g.n_steps)]
        self.out_fill.set_facecolor(faces)
        self.out_fill.set_edgecolor([_EDGE if k <= step else "none" for k in range(g.n_steps)])
        for k, text in enumerate(self.out_texts):
            text.set_visible(k <= step)
            text.set_color("white" if k == step else "black")
        if self.products is not None:
            self.products.set_text(products_text(g, step))


def alt_text(g: ConvGeometry) -> str:
    """A sentence for the animation's frame image (its alt text): the sizes and what moves.

    Parameters
    ----------
    g : ConvGeometry

    Returns
    -------
    text : str, two sentences
    """
    _geometry(g)
    def one(v):
        return f"{v[0]} x {v[1]}"

    t, b, l, r = g.pads
    pad = f"{t}" if t == b == l == r else f"{t} top, {b} bottom, {l} left, {r} right"
    words = [f"a {one(g.input_size)} input", f"a {one(g.kernel_size)} kernel", f"padding {pad}",
             f"stride {one(g.strides) if g.strides[0] != g.strides[1] else g.strides[0]}"]
    if g.dilation != (1, 1):
        words.append(f"dilation {one(g.dilation)}")
    numbers = ", with the numbers and the computed value" if g.output is not None else ""
    return (f"Animated convolution of {', '.join(words)}: a {one(g.output_size)} output. "
            f"Each of the {g.n_steps} frames places the kernel (dark cells) on the padded "
            f"input (blue cells, padding dashed) and fills the next output cell{numbers}.")


_FRAME = re.compile(r'(data:image/png;base64,)([A-Za-z0-9+/=\\\n]+)"')


def _palette_frame(match) -> str:
    png = base64.b64decode(match.group(2).replace("\\\n", ""))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT).save(buffer, "PNG",
                                                                           optimize=True)
    return match.group(1) + base64.b64encode(buffer.getvalue()).decode("ascii") + '"'


def accessible_jshtml(player: str, description: str) -> str:
    """Make a matplotlib ``to_jshtml()`` player accessible and light.

    The frame image gets ``description`` as alt text, the frame slider a label, the
    repetition-mode form the role of a radio group (not a landmark: a page has many players),
    and every embedded PNG frame a ``PALETTE_COLOURS``-colour palette.

    Parameters
    ----------
    player : str, the HTML of one ``FuncAnimation.to_jshtml()`` player
    description : str, non-empty, the alt text

    Returns
    -------
    html : str, the changed player
    """
    if not isinstance(player, str) or not isinstance(description, str):
        raise TypeError("player and description must be str")
    if not description.strip():
        raise ValueError("description must be a non-empty sentence (the frames' alt text)")
    marks = ('<img id="_anim_img', 'type="range" class="anim-slider"',
             '<form title="Repetition mode"')
    if not all(player.count(mark) == 1 for mark in marks):
        raise ValueError("player must be the HTML of one matplotlib to_jshtml() player")
    alt = html.escape(description, quote=True)
    player = re.sub(r'<img id="(_anim_img\w+)">',
                    lambda m: f'<img id="{m.group(1)}" alt="{alt}">', player)
    player = player.replace('type="range" class="anim-slider"',
                            'type="range" class="anim-slider" aria-label="Animation frame"')
    player = player.replace('<form title="Repetition mode"',
                            '<form role="radiogroup" title="Repetition mode"')
    return _FRAME.sub(_palette_frame, player)


class ConvAnimation(mpl_animation.FuncAnimation):
    """A ``FuncAnimation`` whose ``to_jshtml()`` goes through :func:`accessible_jshtml`.

    ``description``: the alt text of the player's frame image.
    """

    def __init__(self, fig, func, description: str, **kwargs):
        super().__init__(fig, func, **kwargs)
        self.description = description

    def to_jshtml(self, fps=None, embed_frames=True, default_mode=None) -> str:
        return accessible_jshtml(super().to_jshtml(fps, embed_frames, default_mode),
                                 self.description)


def draw_conv_step(geometry: ConvGeometry, step: int, ax, show_products: bool = False,
                   title=None):
    """Draw step ``step`` (0 .. n_steps - 1) of ``geometry`` into the matplotlib axes ``ax``.

    Left: padded input with the kernel footprint; right: output with cells ``< step`` filled
    and cell ``step`` highlighted.

    Parameters
    ----------
    geometry : ConvGeometry
    step : int in 0 .. n_steps - 1, the output cell (row-major)
    ax : matplotlib Axes, cleared first
    show_products : bool, write the sum of :func:`products_text` (needs values and kernel)
    title : str or None (None: :func:`describe`)

    Returns
    -------
    ax : the same Axes
    """
    _geometry(geometry)
    _check_products(show_products, geometry.x_pad, geometry.kernel)
    title = _title(title)
    drawing = _Drawing(geometry, ax, show_products, title)
    drawing.set_step(step)
    return ax


def _figure_size(g: ConvGeometry, show_products: bool, cell: float):
    hp, wp = g.padded_size
    lines = g.kernel_size[0] if show_products else 0
    width = (wp + _GAP + g.output_size[1] + 0.2) * cell
    height = (hp + 1.2 + (0.55 * lines + 0.3 if lines else 0)) * cell + 0.3
    return width, height


def _geometry(g):
    if not isinstance(g, ConvGeometry):
        raise TypeError(f"geometry must be a ConvGeometry (from conv_geometry), "
                        f"got {type(g).__name__}")
    return g


def _step(g, step, name="step"):
    step = _validate.integer(name, step, minimum=0)
    if step >= g.n_steps:
        raise ValueError(f"{name} must be < {g.n_steps} (the number of output cells), got {step}")
    return step


def _title(title):
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {type(title).__name__}")
    return title


def _check_products(show_products, values, kernel):
    if _validate.boolean("show_products", show_products) and (values is None or kernel is None):
        raise ValueError("show_products=True needs both values (the input) and kernel")


def _check_figure(cell_inches, dpi, title):
    _validate.real("cell_inches", cell_inches, above=0)
    _validate.real("dpi", dpi, above=0)
    _title(title)


def conv_animation(input_size, kernel_size, padding=0, strides=1, dilation=1, values=None,
                   kernel=None, show_products=False, interval=700, cell_inches=0.3, dpi=72,
                   title=None) -> ConvAnimation:
    """Animate a 2-D convolution, one frame per output cell.

    Parameters
    ----------
    input_size, kernel_size, padding, strides, dilation, values, kernel
        as :func:`conv_geometry`; with values and kernel the output cells show the dot products
    show_products : bool, write the current sum as text (needs values and kernel)
    interval : float > 0, milliseconds per frame
    cell_inches, dpi : float > 0, size of a grid cell and resolution (small keeps
        ``to_jshtml()`` light: about 10-25 KB per frame)
    title : str or None (None: :func:`describe`)

    Returns
    -------
    anim : ConvAnimation (a FuncAnimation) on a pyplot-free figure, with the computed sizes
        and values as ``anim.geometry`` (a :class:`ConvGeometry`) and its alt text as
        ``anim.description``; display with ``HTML(anim.to_jshtml())``

    Raises
    ------
    ValueError
        For an invalid convolution (see ``arithmetic.conv_output_size``) or more than
        ``MAX_FRAMES`` (100) output cells.
    """
    _check_products(show_products, values, kernel)
    _check_figure(cell_inches, dpi, title)
    interval = _validate.real("interval", interval, above=0)
    g = conv_geometry(input_size, kernel_size, padding, strides, dilation, values, kernel)
    if g.n_steps > MAX_FRAMES:
        raise ValueError(
            f"{g.n_steps} output cells = frames; at most {MAX_FRAMES} keep the HTML small: "
            f"use a smaller input_size"
        )
    fig = Figure(figsize=_figure_size(g, show_products, cell_inches), dpi=dpi)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.9))

    drawing = _Drawing(g, ax, show_products, title)

    def update(step):
        drawing.set_step(step)
        return []

    update(0)
    description = alt_text(g) if title is None else f"{title}. {alt_text(g)}"
    anim = ConvAnimation(fig, update, description, frames=g.n_steps, interval=interval,
                         blit=False, repeat=True)
    anim.geometry = g
    return anim


def conv_frames_grid(input_size, kernel_size, padding=0, strides=1, dilation=1, values=None,
                     kernel=None, steps=None, show_products=False, ncols=None,
                     cell_inches=0.3, dpi=100, title=None) -> Figure:
    """A static figure with a few steps of the convolution side by side.

    Parameters
    ----------
    input_size, kernel_size, padding, strides, dilation, values, kernel
        as :func:`conv_animation`
    show_products, cell_inches, dpi, title
        as :func:`conv_animation`
    steps : ints in 0 .. n_steps - 1 or None, which output cells to show (None: the first,
        second and last, plus the first of the second row when there is one)
    ncols : int >= 1 or None (None: all steps in one row)

    Returns
    -------
    fig : matplotlib Figure, pyplot-free: display it, e.g. as the cell's last expression
    """
    _check_products(show_products, values, kernel)
    _check_figure(cell_inches, dpi, title)
    g = conv_geometry(input_size, kernel_size, padding, strides, dilation, values, kernel)
    if steps is None:
        steps = sorted({0, min(1, g.n_steps - 1), min(g.output_size[1], g.n_steps - 1),
                        g.n_steps - 1})
    if isinstance(steps, (str, bytes)) or not hasattr(steps, "__iter__"):
        raise TypeError(f"steps must be a list of output cells (ints), got {steps!r}")
    steps = [_step(g, s, "steps") for s in steps]
    if not steps:
        raise ValueError("steps must name at least one output cell")
    ncols = len(steps) if ncols is None else _validate.integer("ncols", ncols, minimum=1)
    nrows = -(-len(steps) // ncols)
    w, h = _figure_size(g, show_products, cell_inches)
    fig = Figure(figsize=(w * ncols, h * nrows + 0.3), dpi=dpi, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, step in zip(axes.flat, steps):
        draw_conv_step(g, step, ax, show_products=show_products,
                       title=f"step {step + 1} of {g.n_steps}")
    fig.suptitle(describe(g) if title is None else title, fontsize=10)
    return fig
