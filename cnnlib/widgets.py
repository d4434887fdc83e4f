"""Interactive explorers for Colab/Binder readers, each with a static twin for the HTML book.

``conv_explorer()`` returns an ipywidgets box: sliders for input size, kernel size, padding,
stride, dilation and the step, the output size worked out by the formula, and the picture of
that step of the convolution. ``explorer_cases_figure()`` draws a fixed set of the same cases
as one static figure, so a reader of the static HTML (where widgets do not run) loses nothing.
Creating a widget never needs a browser: headless execution just stores it.

Chapter 3 uses it.

"""

from matplotlib.figure import Figure

from . import _validate, animation, arithmetic

PADDING_CHOICES = ("valid", "same", "full", 0, 1, 2, 3)

# (title, keyword arguments of animation.conv_geometry): Dumoulin & Visin's cases
CASES = (
    ("no padding, stride 1", dict(input_size=4, kernel_size=3)),
    ("arbitrary padding", dict(input_size=5, kernel_size=4, padding=2)),
    ("half ('same') padding", dict(input_size=5, kernel_size=3, padding="same")),
    ("full padding", dict(input_size=5, kernel_size=3, padding="full")),
    ("stride 2", dict(input_size=5, kernel_size=3, strides=2)),
    ("padding 1, stride 2", dict(input_size=5, kernel_size=3, padding=1, strides=2)),
    ("padding 1, stride 2, odd size", dict(input_size=6, kernel_size=3, padding=1, strides=2)),
    ("dilation 2", dict(input_size=7, kernel_size=3, dilation=2)),
)


def size_report(input_size: int, kernel_size: int, padding="valid", strides: int = 1,
                dilation: int = 1) -> str:
    """The output size of a square convolution worked out in words and numbers (one line).

    Parameters
    ----------
    input_size, kernel_size, padding, strides, dilation : one axis, as
        :func:`cnnlib.arithmetic.conv_output_size`

    Returns
    -------
    text : str, e.g. ``"o = floor((5 + 1 + 1 - 3) / 2) + 1 = 3   [padding 1: ...]"``; an
        invalid configuration gives the reason instead (the ValueError message), so an
        explorer never raises on a slider move
    """
    try:
        pb, pa = arithmetic.resolve_padding(input_size, kernel_size, padding, strides, dilation)
        o = arithmetic.conv_output_size(input_size, kernel_size, padding, strides, dilation)
    except ValueError as err:
        return f"invalid: {err}"
    k_eff = arithmetic.effective_kernel_size(kernel_size, dilation)
    k_text = str(kernel_size) if dilation == 1 else f"{k_eff} (k={kernel_size}, d={dilation})"
    return (f"o = floor(({input_size} + {pb} + {pa} - {k_text}) / {strides}) + 1 = {o}"
            f"   [padding {padding!r}: {pb} before, {pa} after]")


def explorer_cases_figure(cases=CASES, step: str = "last", ncols: int = 4,
                          dpi: int = 80) -> Figure:
    """Static twin of :func:`conv_explorer`: one picture per case, in a grid.

    Parameters
    ----------
    cases : sequence of ``(title, kwargs)``, kwargs of :func:`cnnlib.animation.conv_geometry`
    step : "first" or "last", the output cell to show
    ncols : int >= 1, pictures per row
    dpi : float > 0

    Returns
    -------
    fig : matplotlib Figure, pyplot-free
    """
    if step not in ("first", "last"):
        raise ValueError(f"step must be 'first' or 'last', got {step!r}")
    cases = list(cases)
    if not cases:
        raise ValueError("cases must contain at least one (title, kwargs) pair")
    ncols = min(_validate.integer("ncols", ncols, minimum=1), len(cases))
    nrows = -(-len(cases) // ncols)
    fig = Figure(figsize=(3.4 * ncols, 2.6 * nrows), dpi=_validate.real("dpi", dpi, above=0),
                 layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, (title, kwargs) in zip(axes.flat, cases):
        g = animation.conv_geometry(**kwargs)
        n = 0 if step == "first" else g.n_steps - 1
        animation.draw_conv_step(g, n, ax)
        ax.set_title(f"{title}\n{animation.describe(g)}", fontsize=8)
    return fig


def conv_explorer(input_size: int = 5, kernel_size: int = 3, padding="valid", strides: int = 1,
                  dilation: int = 1, max_input: int = 9):
    """An ipywidgets explorer of the convolution arithmetic (square inputs and kernels).

    Moving a slider redraws the picture and the output-size formula. Needs ``ipywidgets`` (Colab
    and Binder have it); in the static HTML book use :func:`explorer_cases_figure` beside it.

    Parameters
    ----------
    input_size, kernel_size, strides, dilation : int >= 1, the sliders' start values
    padding : one of :data:`PADDING_CHOICES`
    max_input : int >= 2, the largest input size on the slider

    Returns
    -------
    box : ipywidgets.VBox; display it as a cell's last expression
    """
    try:
        import ipywidgets as w
        from IPython.display import display
    except ImportError as err:  # pragma: no cover - ipywidgets ships with the course
        raise ImportError("conv_explorer needs ipywidgets: pip install ipywidgets") from err
    max_input = _validate.integer("max_input", max_input, minimum=2)
    if padding not in PADDING_CHOICES:
        raise ValueError(f"padding must be one of {PADDING_CHOICES}, got {padding!r}")
    style = {"description_width": "90px"}
    size = w.IntSlider(_validate.integer("input_size", input_size, minimum=1), 1, max_input,
                       description="input size", style=style)
    kernel = w.IntSlider(_validate.integer("kernel_size", kernel_size, minimum=1), 1, 5,
                         description="kernel size", style=style)
    pad = w.Dropdown(options=list(PADDING_CHOICES), value=padding, description="padding",
                     style=style)
    stride = w.IntSlider(_validate.integer("strides", strides, minimum=1), 1, 3,
                         description="stride", style=style)
    dil = w.IntSlider(_validate.integer("dilation", dilation, minimum=1), 1, 3,
                      description="dilation", style=style)
    step = w.IntSlider(0, 0, 0, description="step (output cell)", style=style)
    report = w.HTML()
    out = w.Output()

    busy = []

    def redraw(*_):
        if busy:  # changing step.max below may move step.value and call back
            return
        busy.append(True)
        try:
            _redraw()
        finally:
            busy.clear()

    def _redraw():
        args = (size.value, kernel.value, pad.value, stride.value, dil.value)
        text = size_report(*args)
        report.value = f"<code>{text}</code>"
        out.clear_output(wait=True)
        if text.startswith("invalid"):
            return
        g = animation.conv_geometry(*args)
        if g.n_steps > animation.MAX_FRAMES:
            report.value += "<br>(too many output cells to draw; choose a smaller input)"
            return
        step.max = g.n_steps - 1
        fig = Figure(figsize=(4.5, 3), dpi=80)
        animation.draw_conv_step(g, min(step.value, g.n_steps - 1), fig.add_subplot())
        with out:
            display(fig)

    for control in (size, kernel, pad, stride, dil, step):
        control.observe(redraw, names="value")
    redraw()
    controls = w.VBox([size, kernel, pad, stride, dil, step])
    return w.VBox([w.HBox([controls, out]), report])
