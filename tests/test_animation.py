import re

import keras
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from cnnlib import animation, arithmetic

SEED_IMAGE = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0],
                       [0, 1, 1, 0, 0]])
SEED_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])


def n_frames(html: str) -> int:
    return len(set(re.findall(r"frames\[(\d+)\] = ", html)))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(input_size=4, kernel_size=3),                                 # no padding
        dict(input_size=5, kernel_size=4, padding=2),                      # arbitrary padding
        dict(input_size=5, kernel_size=3, padding="same"),                 # half padding
        dict(input_size=5, kernel_size=3, padding="full"),                 # full padding
        dict(input_size=5, kernel_size=3, strides=2),                      # strided
        dict(input_size=5, kernel_size=3, padding=1, strides=2),           # strided + padded
        dict(input_size=6, kernel_size=3, padding=1, strides=2),           # odd
        dict(input_size=7, kernel_size=3, dilation=2),                     # dilated
        dict(input_size=(4, 6), kernel_size=(2, 3), padding=(0, 1, 2, 0), strides=(1, 2)),
    ],
)
def test_one_frame_per_output_cell_and_html(kwargs):
    anim = animation.conv_animation(**kwargs)
    assert isinstance(anim, FuncAnimation)
    out = arithmetic.conv_output_size(kwargs["input_size"], kwargs["kernel_size"],
                                      kwargs.get("padding", 0), kwargs.get("strides", 1),
                                      kwargs.get("dilation", 1))
    out = (out, out) if isinstance(out, int) else out
    html = anim.to_jshtml()
    assert html.lstrip().startswith("<") and "<script" in html and "data:image/png;base64" in html
    assert n_frames(html) == out[0] * out[1] == anim.geometry.n_steps
    assert len(html) < 1_000_000


def test_values_give_the_seed_dot_products_and_match_keras():
    g = animation.conv_geometry(5, 3, values=SEED_IMAGE, kernel=SEED_KERNEL)
    layer = keras.layers.Conv2D(1, 3, use_bias=False)
    layer.build((1, 5, 5, 1))
    layer.set_weights([SEED_KERNEL.reshape(3, 3, 1, 1).astype("float32")])
    y = keras.ops.convert_to_numpy(layer(SEED_IMAGE.reshape(1, 5, 5, 1).astype("float32")))
    np.testing.assert_allclose(g.output, y[0, :, :, 0])
    assert g.output[0, 0] == 4
    text = animation.products_text(g, 0)
    assert text.endswith("= 4") and text.count("*") == 9 and text.count("\n") == 2


@pytest.mark.parametrize("padding,strides,dilation", [("same", 2, 1), ("full", 1, 1),
                                                      ((1, 0, 2, 1), (2, 1), 1), (0, 1, 2)])
def test_output_values_match_keras_with_padding_stride_dilation(padding, strides, dilation):
    rng = np.random.default_rng(0)
    x, k = rng.integers(-3, 4, size=(6, 7)), rng.integers(-2, 3, size=(3, 2))
    g = animation.conv_geometry((6, 7), (3, 2), padding, strides, dilation, values=x, kernel=k)
    (t, b), (l, r) = arithmetic.resolve_padding((6, 7), (3, 2), padding, strides, dilation)
    layer = keras.layers.Conv2D(1, (3, 2), strides=strides, dilation_rate=dilation,
                                use_bias=False)
    x_pad = np.pad(x, ((t, b), (l, r))).reshape(1, 6 + t + b, 7 + l + r, 1).astype("float32")
    layer.build(x_pad.shape)
    layer.set_weights([k.reshape(3, 2, 1, 1).astype("float32")])
    np.testing.assert_allclose(g.output, keras.ops.convert_to_numpy(layer(x_pad))[0, :, :, 0])


def test_products_animation_and_static_grid():
    anim = animation.conv_animation(5, 3, values=SEED_IMAGE, kernel=SEED_KERNEL,
                                    show_products=True)
    html = anim.to_jshtml()
    assert n_frames(html) == 9
    fig = animation.conv_frames_grid(5, 3, values=SEED_IMAGE, kernel=SEED_KERNEL,
                                     show_products=True)
    assert isinstance(fig, Figure) and len([a for a in fig.axes if a.get_title()]) == 4
    fig = animation.conv_frames_grid(7, 3, dilation=2, steps=[0, 8], ncols=1)
    assert len(fig.axes) == 2


def test_dilated_footprint_has_gaps():
    g = animation.conv_geometry(7, 3, dilation=2)
    taps = g.taps(0)
    assert taps[:3] == [(0, 0), (0, 2), (0, 4)] and len(taps) == 9


def test_draw_conv_step_into_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    g = animation.conv_geometry(5, 3, padding=1, strides=2)
    assert animation.draw_conv_step(g, 8, ax) is ax
    with pytest.raises(ValueError, match="step must be < 9"):
        animation.draw_conv_step(g, 9, ax)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(input_size=3, kernel_size=5), ValueError,
         r"larger than the padded input \(3 \+ 0 \+ 0 = 3\)"),
        (dict(input_size=5, kernel_size=3, strides=0), ValueError,
         "strides must be an int >= 1, got 0"),
        (dict(input_size=5, kernel_size=3, padding="circular"), ValueError,
         "padding must be one of 'valid', 'same', 'full', 'causal' or explicit ints, "
         "got 'circular'"),
        (dict(input_size=5, kernel_size=3, values=np.ones((4, 4))), ValueError,
         r"values has shape \(4, 4\) but input_size is \(5, 5\)"),
        (dict(input_size=5, kernel_size=3, kernel=np.ones((3, 3, 1))), ValueError,
         r"kernel must be 2-D \(height, width\), got shape \(3, 3, 1\)"),
        (dict(input_size=2, kernel_size=1, values=[[0, np.nan], [1, 2]]), ValueError,
         r"values must hold finite numbers"),
        (dict(input_size=2, kernel_size=1, kernel=[["a"]]), TypeError,
         "kernel must hold numbers"),
        (dict(input_size=(5, 5, 5), kernel_size=3), ValueError,
         r"input_size must be an int or a tuple of 2 ints"),
        (dict(input_size=5, kernel_size=(3, True)), TypeError,
         r"kernel_size\[1\] must be an int, got bool"),
        (dict(input_size=5, kernel_size=3, show_products=True), ValueError,
         r"show_products=True needs both values \(the input\) and kernel"),
        (dict(input_size=20, kernel_size=3, padding="same"), ValueError,
         "400 output cells = frames; at most 100"),
        (dict(input_size=2.5, kernel_size=3), TypeError,
         r"input_size must be an int, got float \(2\.5\)"),
    ],
)
def test_bad_input_raises_clear_error(kwargs, error, match):
    with pytest.raises(error, match=match):
        animation.conv_animation(**kwargs)


def test_frames_grid_checks_steps_and_ncols():
    with pytest.raises(TypeError, match=r"ncols must be an int, got str"):
        animation.conv_frames_grid(5, 3, ncols="2")
    with pytest.raises(ValueError, match=r"steps must be an int >= 0, got -1"):
        animation.conv_frames_grid(5, 3, steps=[-1])
    with pytest.raises(ValueError, match=r"steps must be < 9 \(the number of output cells\)"):
        animation.conv_frames_grid(5, 3, steps=[0, 9])
    with pytest.raises(TypeError, match=r"steps must be a list of output cells \(ints\), got 5"):
        animation.conv_frames_grid(5, 3, steps=5)


@pytest.mark.parametrize("call, error, match", [
    (lambda: animation.conv_animation(3, 2, show_products="no"), TypeError,
     "show_products must be True or False, got str"),
    (lambda: animation.conv_animation(3, 2, interval=0), ValueError, "interval must be"),
    (lambda: animation.conv_animation(3, 2, dpi=float("nan")), ValueError, "dpi must be"),
    (lambda: animation.conv_frames_grid(3, 2, cell_inches="1"), TypeError, "cell_inches must"),
    (lambda: animation.conv_frames_grid(3, 2, title=3), TypeError,
     "title must be a str or None, got int"),
    (lambda: animation.draw_conv_step((3, 2), 0, None), TypeError,
     "geometry must be a ConvGeometry"),
    (lambda: animation.describe("g"), TypeError, "geometry must be a ConvGeometry"),
    (lambda: animation.products_text(animation.conv_geometry(2, 1, values=np.ones((2, 2)),
                                                            kernel=[[2]]), 4),
     ValueError, r"step must be < 4"),
])
def test_drawing_arguments_are_checked(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_describe_names_sizes_padding_and_output():
    g = animation.conv_geometry(5, 3, padding="same", strides=2, dilation=(1, 2))
    assert animation.describe(g) == "i=5, k=3, p='same' = (1,1,2,2), s=2, d=1x2  ->  o=3"


# --------------------------------------------------------------------------- widgets


def test_size_report():
    from cnnlib import widgets

    assert widgets.size_report(5, 3, 1, 2).startswith("o = floor((5 + 1 + 1 - 3) / 2) + 1 = 3")
    assert widgets.size_report(6, 3, "same", 2).startswith("o = floor((6 + 0 + 1 - 3) / 2) + 1 = 3")
    assert "k=3, d=2" in widgets.size_report(7, 3, dilation=2)
    assert widgets.size_report(2, 5).startswith("invalid: the kernel")


def test_explorer_builds_headless_and_reacts():
    from cnnlib import widgets

    box = widgets.conv_explorer(5, 3, "valid", 1, 1)
    sliders = box.children[0].children[0].children
    report = box.children[1]
    assert "= 3" in report.value
    sliders[2].value = "full"           # padding
    assert "= 7" in report.value and sliders[5].max == 48
    sliders[0].value = 1                 # input size 1, kernel 3, full padding: 3 outputs
    assert "= 3" in report.value and sliders[5].max == 8
    sliders[2].value = "valid"
    assert report.value.startswith("<code>invalid")
    with pytest.raises(ValueError,
                       match=r"padding must be one of \('valid', 'same', 'full', 0, 1, 2, 3\), "
                             r"got 'reflect'"):
        widgets.conv_explorer(padding="reflect")


def test_static_twin_figure():
    from cnnlib import widgets

    fig = widgets.explorer_cases_figure()
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(titled) == len(widgets.CASES) == 8
    assert "o=2" in titled[0].get_title() and "o=3" in titled[-1].get_title()
    with pytest.raises(ValueError, match="step must be 'first' or 'last', got 'middle'"):
        widgets.explorer_cases_figure(step="middle")
    with pytest.raises(ValueError, match="dpi must be a finite number > 0, got -80"):
        widgets.explorer_cases_figure(dpi=-80)


# --------------------------------------------------------------------------- accessible player


def frames_of(html: str):
    """The PIL images of a player's embedded PNG frames."""
    import base64
    import io

    from PIL import Image

    data = re.findall(r'frames\[\d+\] = "data:image/png;base64,([A-Za-z0-9+/=\\\n]+)"', html)
    return [Image.open(io.BytesIO(base64.b64decode(d.replace("\\\n", "")))) for d in data]


def test_player_has_alt_text_labelled_controls_and_palette_frames():
    anim = animation.conv_animation(6, 3, padding=1, strides=2)
    html = anim.to_jshtml()
    alt = re.search(r'<img id="_anim_img\w+" alt="([^"]+)">', html).group(1)
    assert alt == anim.description
    assert "6 x 6 input, a 3 x 3 kernel, padding 1, stride 2: a 3 x 3 output" in alt
    assert "Each of the 9 frames" in alt
    assert re.search(r'<input id="_anim_slider\w+" type="range" class="anim-slider" '
                     r'aria-label="Animation frame"', html)
    assert '<form role="radiogroup" title="Repetition mode"' in html
    frames = frames_of(html)
    assert len(frames) == 9
    assert all(f.mode == "P" and len(f.getcolors()) <= animation.PALETTE_COLOURS
               for f in frames)
    plain = FuncAnimation.to_jshtml(anim)  # matplotlib's own player, RGBA frames
    assert frames_of(plain)[0].mode == "RGBA" and 'alt="' not in plain
    assert len(html) < 0.6 * len(plain)


def test_alt_text_names_uneven_padding_dilation_and_numbers():
    g = animation.conv_geometry((4, 6), (2, 3), (0, 1, 2, 0), (1, 2), values=np.ones((4, 6)),
                                kernel=np.ones((2, 3)))
    text = animation.alt_text(g)
    assert "padding 0 top, 1 bottom, 2 left, 0 right, stride 1 x 2: a 4 x 3 output" in text
    assert text.endswith("with the numbers and the computed value.")
    assert "dilation 2" in animation.alt_text(animation.conv_geometry(7, 3, dilation=2))
    titled = animation.conv_animation(4, 3, title="no padding").to_jshtml()
    assert 'alt="no padding. Animated convolution of a 4 x 4 input' in titled


def test_accessible_jshtml_refuses_what_is_not_one_player():
    player = animation.conv_animation(4, 3).to_jshtml()
    with pytest.raises(ValueError, match="one matplotlib to_jshtml"):
        animation.accessible_jshtml("<p>no player</p>", "a picture")
    with pytest.raises(ValueError, match="one matplotlib to_jshtml"):
        animation.accessible_jshtml(player + player, "two players")
    with pytest.raises(ValueError, match="description must be a non-empty sentence"):
        animation.accessible_jshtml(player, "  ")
    with pytest.raises(TypeError, match="player and description must be str"):
        animation.accessible_jshtml(player, None)
