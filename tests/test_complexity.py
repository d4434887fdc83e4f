"""cnnlib.complexity on depthwise convolutions: counted by hand, and MobileNetV2's published
depth (53 weight layers) and multiply-adds (about 300 million at 224 x 224)."""

import keras
import pytest

from cnnlib import complexity, zoo


def test_depthwise_convolution_counted_by_hand():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")(inputs)  # 8*8*6*9
    x = keras.layers.Conv2D(4, 1)(x)                                                 # 8*8*4*6
    model = keras.Model(inputs, x)
    assert complexity.multiply_adds(model) == 8 * 8 * 6 * 9 + 8 * 8 * 4 * 6
    assert complexity.weight_layer_depth(model) == 2


def test_mobilenet_v2_matches_the_paper():
    info = complexity.measure(keras.applications.MobileNetV2, weights=None)
    assert info["depth"] == 53  # Sandler et al. 2018: 52 convolutions and the classifier
    assert 295e6 < info["multiply_adds"] < 305e6  # Table 6: 300M multiply-adds
    assert info["params"] == 3_538_984


@pytest.mark.parametrize("call, match", [
    (lambda: complexity.describe("vgg"), "model must be a keras.Model, got str"),
    (lambda: complexity.layer_rows(None), "model must be a keras.Model, got NoneType"),
    (lambda: complexity.measure(zoo.lenet1, with_layers="yes"),
     "with_layers must be True or False, got str"),
    (lambda: complexity.measure("lenet1"), "builder must be callable"),
])
def test_wrong_types_are_type_errors_naming_the_argument(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_producers_are_the_layers_feeding_a_layer_in_order():
    inputs = keras.Input((4, 4, 2), name="x")
    a = keras.layers.Conv2D(2, 1, name="a")(inputs)
    b = keras.layers.Conv2D(2, 3, padding="same", name="b")(inputs)
    out = keras.layers.Add(name="add")([b, a])
    model = keras.Model(inputs, out)
    by_name = {layer.name: layer for layer in model.layers}
    assert complexity.producers(by_name["add"].input) == [by_name["b"], by_name["a"]]
    assert complexity.producers(by_name["a"].input) == [by_name["x"]]
    assert complexity.producers(model.outputs) == [by_name["add"]]
    assert complexity.producers(None) == []
