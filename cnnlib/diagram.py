"""Draw a Keras model as a box-and-arrow diagram with matplotlib (no Graphviz needed).

:func:`draw_model` lays out any functional model top to bottom: one box per layer, placed on
the row of its longest path from the input, parallel branches side by side, and an edge that
skips rows (a shortcut) routed beside the boxes it jumps over. Pointwise layers (batch norm,
activations, dropout) are folded into the box of the layer they follow, as the papers draw them.

Chapters 7 and 10 use it.

"""

import keras
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from cnnlib import _validate
from cnnlib.complexity import producers

#: layer types folded into their parent's box; the suffix is appended to its label
FOLDED = {"BatchNormalization": "BN", "Activation": None, "ReLU": "ReLU", "Dropout": None,
          "LocalResponseNormalization": "LRN"}
COLOURS = {"conv": "#9ecae1", "pool": "#fdd0a2", "dense": "#a1d99b", "merge": "#d9d9d9",
           "input": "#ffffff", "other": "#f2f2f2"}


def _pair(v):
    return f"{v[0]}x{v[1]}" if v[0] != v[1] else f"{v[0]}x{v[0]}"


def layer_label(layer) -> tuple:
    """The box text and kind of one Keras layer.

    Parameters
    ----------
    layer : keras.layers.Layer, in a built model

    Returns
    -------
    text : str, e.g. "conv 3x3, 64" or "max pool 2x2"
    kind : str, e.g. "conv", "pool", "input" (chooses the box colour)
    """
    kind = type(layer).__name__
    if kind == "InputLayer":
        shape = layer.output.shape[1:]
        return "input " + "x".join(str(d) for d in shape), "input"
    if kind in ("Conv2D", "DepthwiseConv2D"):
        stride = "" if layer.strides == (1, 1) else f"/{layer.strides[0]}"
        act = getattr(layer.activation, "__name__", "linear")
        act = "" if act == "linear" else " + " + {"relu": "ReLU"}.get(act, act)
        return f"conv {_pair(layer.kernel_size)}{stride}, {layer.filters}{act}", "conv"
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        word = "max" if kind.startswith("Max") else "avg"
        stride = "" if layer.strides == layer.pool_size else f"/{layer.strides[0]}"
        return f"{word} pool {_pair(layer.pool_size)}{stride}", "pool"
    if kind.startswith("Global"):
        return ("global avg pool" if "Average" in kind else "global max pool"), "pool"
    if kind == "Dense":
        act = getattr(layer.activation, "__name__", "")
        return f"dense {layer.units}" + (f", {act}" if act not in ("linear", "") else ""), "dense"
    if kind == "Concatenate":
        return "concatenate", "merge"
    if kind == "Add":
        return "add (+)", "merge"
    if kind == "Flatten":
        return "flatten", "other"
    return kind, "other"


def _layers(model):
    """``model.layers`` with every parent before its children, the input layer included
    (``keras.Sequential`` leaves it out of ``model.layers``)."""
    seen, out = set(), []

    def visit(layer):
        if id(layer) not in seen:
            seen.add(id(layer))
            for parent in producers(layer.input):
                visit(parent)
            out.append(layer)

    for layer in model.layers:
        visit(layer)
    return out


def _graph(model, fold):
    """Nodes (representative layers in order), their labels/kinds, parents and output shapes."""
    rep, label, kind, parents, shape = {}, {}, {}, {}, {}
    order = []
    for layer in _layers(model):
        ps = [rep[id(p)] for p in producers(layer.input)]
        t = type(layer).__name__
        if fold and t in FOLDED and len(ps) == 1:
            owner = ps[0]
            rep[id(layer)] = owner
            suffix = FOLDED[t]
            if t == "Activation":
                suffix = getattr(layer.activation, "__name__", "")
                suffix = {"relu": "ReLU", "tanh": "tanh", "softmax": "softmax"}.get(suffix, suffix)
            if suffix and kind[owner] != "input":
                label[owner] += f" + {suffix}"
            shape[owner] = tuple(layer.output.shape[1:])
            continue
        rep[id(layer)] = id(layer)
        order.append(id(layer))
        label[id(layer)], kind[id(layer)] = layer_label(layer)
        parents[id(layer)] = list(dict.fromkeys(ps))
        shape[id(layer)] = tuple(layer.output.shape[1:])
    return order, label, kind, parents, shape


def _layout(order, parents):
    level, x = {}, {}
    for n in order:
        level[n] = 1 + max((level[p] for p in parents[n]), default=-1)
    rows = {}
    for n in order:
        rows.setdefault(level[n], []).append(n)
    for lv in sorted(rows):
        nodes = rows[lv]
        if lv == 0 or len(nodes) > 1 and all(len(parents[n]) == 1 for n in nodes) and \
                len({parents[n][0] for n in nodes}) == 1:
            for i, n in enumerate(nodes):  # siblings of one parent: spread evenly around it
                base = x[parents[n][0]] if parents[n] else 0.0
                x[n] = base + i - (len(nodes) - 1) / 2
            continue
        want = sorted(nodes, key=lambda n: sum(x[p] for p in parents[n]) / max(len(parents[n]), 1))
        placed = []
        for n in want:
            pos = sum(x[p] for p in parents[n]) / max(len(parents[n]), 1)
            if placed and pos < placed[-1] + 1:
                pos = placed[-1] + 1
            placed.append(pos)
            x[n] = pos
    return level, x


def draw_model(model, ax=None, title=None, fold=True, show_shapes=True, box_width=2.2,
               box_height=0.55, row_gap=1.0, col_gap=2.6):
    """Draw a functional Keras model (or block) as boxes and arrows, input at the top.

    Parameters
    ----------
    model : keras.Model (functional or a built ``keras.Sequential``), e.g.
        ``keras.Model(inp, zoo.inception_module(inp, ...))``
    ax : matplotlib Axes to draw into (default: a new figure sized to the graph)
    fold : fold batch norm, activations, dropout and LRN into the preceding box
    show_shapes : write each box's output shape (H x W x C) under its label
    title : str or None; box_width, box_height, row_gap, col_gap : float > 0, layout in
        data units

    Returns
    -------
    fig : the matplotlib Figure drawn into
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a functional keras.Model, got {type(model).__name__}")
    if not model.built or not model.layers:
        raise ValueError(f"model {model.name!r} has no layers or no input shape yet: build it "
                         "with keras.Input(shape) first (e.g. keras.Sequential([keras.Input("
                         "(28, 28, 1)), ...]))")
    for name, value in (("fold", fold), ("show_shapes", show_shapes)):
        _validate.boolean(name, value)
    for name, value in (("box_width", box_width), ("box_height", box_height),
                        ("row_gap", row_gap), ("col_gap", col_gap)):
        _validate.real(name, value, above=0)
    order, label, kind, parents, shape = _graph(model, fold)
    level, x = _layout(order, parents)
    xs = [x[n] * col_gap for n in order]
    n_rows = max(level.values()) + 1
    if ax is None:
        width = max(xs) - min(xs) + box_width + 1.5
        fig, ax = plt.subplots(figsize=(max(3.0, 1.05 * width), 0.7 * n_rows * row_gap + 0.7))
    else:
        fig = ax.figure
    pos = {n: (x[n] * col_gap, -level[n] * row_gap) for n in order}
    for n in order:
        cx, cy = pos[n]
        ax.add_patch(FancyBboxPatch((cx - box_width / 2, cy - box_height / 2), box_width,
                                    box_height, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor=COLOURS[kind[n]], edgecolor="black", lw=0.8))
        text = label[n]
        if show_shapes and kind[n] != "input":
            text += "\n" + " x ".join(str(d) for d in shape[n])
        ax.text(cx, cy, text, ha="center", va="center", fontsize=7)
    occupied = {}
    for n in order:
        occupied.setdefault(level[n], []).append(pos[n][0])
    for n in order:
        for p in parents[n]:
            (x0, y0), (x1, y1) = pos[p], pos[n]
            start, end = (x0, y0 - box_height / 2), (x1, y1 + box_height / 2)
            between = [cx for lv in range(level[p] + 1, level[n]) for cx in occupied.get(lv, [])]
            if not between:
                ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9,
                                             lw=0.8, color="black"))
                continue
            lane = x0 if all(abs(cx - x0) > box_width * 0.6 for cx in between) else \
                max(between + [x0, x1]) + box_width / 2 + 0.35
            pts = [start, (lane, y0 - box_height / 2 - 0.15), (lane, y1 + box_height / 2 + 0.15)]
            ax.plot([p_[0] for p_ in pts], [p_[1] for p_ in pts], color="black", lw=0.8)
            ax.add_patch(FancyArrowPatch(pts[-1], end, arrowstyle="-|>", mutation_scale=9,
                                         lw=0.8, color="black"))
            if kind[n] == "merge" and label[n].startswith("add") and lane != x0:
                ax.text(lane + 0.08, (y0 + y1) / 2, "identity\nshortcut" if x0 == x1 else
                        "shortcut", fontsize=7, va="center", ha="left", style="italic")
    all_x = [pos[n][0] for n in order]
    ax.set_xlim(min(all_x) - box_width, max(all_x) + box_width + 0.9)
    ax.set_ylim(-(n_rows - 1) * row_gap - box_height, box_height)
    ax.set_aspect("auto")
    ax.axis("off")
    ax.set_title(title or model.name)
    return fig
