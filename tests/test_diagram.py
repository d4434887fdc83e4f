"""cnnlib.diagram: drawn model diagrams (no Graphviz)."""

import keras
import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import FancyBboxPatch

from cnnlib import diagram, zoo


def _boxes(fig):
    return [p for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_lenet5_is_a_column_of_boxes():
    fig = diagram.draw_model(zoo.lenet5(), title="LeNet-5")
    texts = _texts(fig)
    assert len(_boxes(fig)) == 9  # input, C1, S2, C3, S4, C5, flatten, F6, output
    assert any(t.startswith("conv 5x5, 6 + tanh") for t in texts)
    assert any(t.startswith("avg pool 2x2") for t in texts)
    assert fig.axes[0].get_title() == "LeNet-5"
    plt.close(fig)


def test_inception_module_branches_side_by_side():
    inputs = keras.Input((28, 28, 192))
    module = keras.Model(inputs, zoo.inception_module(inputs, zoo.INCEPTION_V1["3a"], "3a"))
    fig = diagram.draw_model(module)
    boxes = _boxes(fig)
    assert len(boxes) == 9  # input, 6 convolutions, pooling, concatenate
    rows = {round(b.get_y(), 3) for b in boxes}
    assert len(rows) == 4   # input / four branches / second layers / concatenate
    assert any(t.startswith("concatenate\n28 x 28 x 256") for t in _texts(fig))
    plt.close(fig)


def test_residual_block_folds_batch_norm_and_draws_the_shortcut():
    inputs = keras.Input((56, 56, 64))
    block = keras.Model(inputs, zoo.basic_block(inputs, 64, "b"))
    fig = diagram.draw_model(block)
    texts = _texts(fig)
    assert len(_boxes(fig)) == 4  # input, two convolutions, add
    assert any(t.startswith("conv 3x3, 64 + BN + ReLU") for t in texts)
    assert "identity\nshortcut" in texts
    unfolded = diagram.draw_model(block, fold=False)
    assert len(_boxes(unfolded)) > 4
    plt.close("all")


def test_layer_label_and_validation():
    assert diagram.layer_label(keras.layers.Dense(10, activation="softmax")) == (
        "dense 10, softmax", "dense")
    with pytest.raises(TypeError, match=r"model must be a functional keras\.Model, got str"):
        diagram.draw_model("model")


def test_sequential_models_are_drawn_with_their_input():
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3),
                              keras.layers.Flatten(), keras.layers.Dense(2)])
    order, label, kind, parents, shape = diagram._graph(model, fold=True)
    assert [label[n] for n in order] == ["input 8x8x1", "conv 3x3, 4", "flatten", "dense 2"]
    assert all(parents[b] == [a] for a, b in zip(order, order[1:]))
    fig = diagram.draw_model(model)
    plt.close(fig)


def test_unbuilt_models_and_bad_options_are_refused():
    with pytest.raises(ValueError, match=r"no input shape yet: build it with keras\.Input"):
        diagram.draw_model(keras.Sequential([keras.layers.Dense(2)]))
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(TypeError, match="fold must be True or False, got str"):
        diagram.draw_model(model, fold="no")
    with pytest.raises(ValueError, match="box_width must be a finite number > 0"):
        diagram.draw_model(model, box_width=0)

