"""cnnlib.zoo and cnnlib.complexity: published parameter counts, Keras equality, validation."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib import complexity, zoo

# --------------------------------------------------------------------------- published counts


@pytest.fixture(scope="module")
def table():
    return {row["name"]: row for row in zoo.zoo_table()}


def test_vgg_reproduces_table_2_of_the_paper(table):
    # Simonyan & Zisserman, Table 2: parameters in millions
    published = {"A": 133, "A-LRN": 133, "B": 133, "C": 134, "D": 138, "E": 144}
    for config, millions in published.items():
        row = next(r for n, r in table.items() if n.endswith(f"({config})"))
        assert round(row["params"] / 1e6) == millions, config
    assert [table[n]["depth"] for n in table if n.startswith("VGG")] == [11, 11, 13, 16, 16, 19]


def test_vgg_d_and_e_equal_keras_applications_exactly(table):
    vgg16 = complexity.measure(keras.applications.VGG16, weights=None)
    vgg19 = complexity.measure(keras.applications.VGG19, weights=None)
    assert table["VGG-16 (D)"]["params"] == vgg16["params"] == 138_357_544
    assert table["VGG-19 (E)"]["params"] == vgg19["params"] == 143_667_240
    assert vgg16["depth"] == 16 and vgg16["multiply_adds"] == table["VGG-16 (D)"]["multiply_adds"]


@pytest.mark.parametrize("depth, keras_count, torchvision_trainable", [
    (50, 25_636_712, 25_557_032), (101, 44_707_176, 44_549_160), (152, 60_419_944, 60_192_808)])
def test_resnet_bottleneck_equals_keras_with_conv_biases(table, depth, keras_count,
                                                         torchvision_trainable):
    ours = table[f"ResNet-{depth}"]
    app = complexity.measure(getattr(keras.applications, f"ResNet{depth}"), weights=None)
    with_bias = complexity.measure(zoo.resnet, depth=depth, conv_bias=True, with_layers=True)
    assert app["params"] == keras_count == with_bias["params"]
    assert app["depth"] == ours["depth"] == depth
    # the only difference: Keras gives each convolution a bias (redundant before batch norm)
    filters = sum(shape[-1] for _, kind, shape, _ in with_bias["layers"] if kind == "Conv2D")
    assert keras_count - ours["params"] == filters
    # without biases the trainable weights are those of the paper (and torchvision's count)
    assert ours["trainable_params"] == torchvision_trainable


@pytest.mark.parametrize("depth, trainable", [(18, 11_689_512), (34, 21_797_672)])
def test_resnet_basic_block_counts(table, depth, trainable):
    assert table[f"ResNet-{depth}"]["trainable_params"] == trainable
    assert table[f"ResNet-{depth}"]["depth"] == depth


def test_multiply_adds_match_the_resnet_paper(table):
    # He et al., Table 1: FLOPs (multiply-adds) 1.8, 3.6, 3.8, 7.6, 11.3 x 10^9
    for depth, gmacs in ((18, 1.8), (34, 3.6), (50, 3.8), (101, 7.6), (152, 11.3)):
        assert abs(table[f"ResNet-{depth}"]["multiply_adds"] / 1e9 - gmacs) < 0.1, depth
    assert round(table["VGG-16 (D)"]["multiply_adds"] / 1e9, 1) == 15.5
    assert 1.5e9 < table["GoogLeNet"]["multiply_adds"] < 1.6e9  # "1.5 billion"


def test_lenet_alexnet_googlenet_nin_counts(table):
    assert table["LeNet-1"]["params"] == 3_246 and table["LeNet-1"]["depth"] == 3
    assert table["LeNet-5"]["params"] == 61_706 and table["LeNet-5"]["depth"] == 5
    assert abs(table["LeNet-5"]["params"] / 60_000 - 1) < 0.05
    assert table["AlexNet"]["params"] == 62_378_344 and table["AlexNet"]["depth"] == 8
    assert complexity.measure(zoo.alexnet, two_streams=True)["params"] == 60_965_224
    assert table["GoogLeNet"]["params"] == 6_998_552 and table["GoogLeNet"]["depth"] == 22
    assert complexity.measure(zoo.googlenet, aux_classifiers=True)["params"] == 13_378_280
    assert table["NiN"]["params"] == 7_595_176


def test_zoo_table_rows_and_format():
    rows = zoo.zoo_table(["LeNet-5", "NiN"])
    assert [r["name"] for r in rows] == ["LeNet-5", "NiN"]
    assert set(rows[0]) == {"name", "year", "input", "depth", "params", "trainable_params",
                            "multiply_adds"}
    text = zoo.format_table(rows).splitlines()
    assert len(text) == 3 and "61,706" in text[1] and "7,595,176" in text[2]
    with pytest.raises(ValueError, match="unknown architecture"):
        zoo.zoo_table(["LeNet-7"])


# --------------------------------------------------------------------------- complexity


def test_multiply_adds_and_depth_by_hand():
    inputs = keras.Input((10, 10, 3))
    a = keras.layers.Conv2D(4, 3, padding="same")(inputs)           # 10*10*4*27 = 10,800
    b = keras.layers.Conv2D(4, 1)(inputs)                           # 10*10*4*3 = 1,200
    c = keras.layers.Conv2D(4, 3, padding="same")(a)                # 10*10*4*36 = 14,400
    x = keras.layers.Concatenate()([b, c])
    x = keras.layers.Conv2D(8, 3, strides=2, groups=2)(x)           # 4*4*8*9*4 = 4,608
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(5)(x)                              # 40
    model = keras.Model(inputs, outputs)
    assert complexity.multiply_adds(model) == 10_800 + 1_200 + 14_400 + 4_608 + 40
    assert complexity.weight_layer_depth(model) == 4  # a -> c -> grouped conv -> dense
    rows = complexity.layer_rows(model)
    assert rows[0][1] == "InputLayer" and sum(r[3] for r in rows) == model.count_params()


def test_multiply_adds_of_a_dense_layer_on_a_sequence():
    inputs = keras.Input((7, 3))
    model = keras.Model(inputs, keras.layers.Dense(4)(inputs))
    assert complexity.multiply_adds(model) == 7 * 3 * 4


def test_measure_allocates_nothing_and_validates():
    from keras.src.backend.common import global_state

    before = list(global_state.get_global_attribute("uninitialized_variables") or [])
    info = complexity.measure(zoo.vgg, config="E")
    assert info["params"] == 143_667_240
    assert list(global_state.get_global_attribute("uninitialized_variables") or []) == before
    with pytest.raises(TypeError, match="callable"):
        complexity.measure("vgg")
    with pytest.raises(TypeError, match="keras.Model"):
        complexity.multiply_adds("model")
    with pytest.raises(TypeError, match="keras.Model"):
        complexity.weight_layer_depth(None)


# --------------------------------------------------------------------------- builders


@pytest.mark.parametrize("build", [
    lambda: zoo.lenet1(),
    lambda: zoo.lenet1(modern=True),
    lambda: zoo.lenet5((32, 32, 1), 10, modern=True, dropout=0.5),
    lambda: zoo.vgg("C", (32, 32, 1), 10, width=1 / 16, dense_units=16, batch_norm=True),
    lambda: zoo.vgg("A-LRN", (32, 32, 3), 10, width=1 / 16, dense_units=16),
    lambda: zoo.nin((32, 32, 1), 10, width=1 / 16, small_input=True),
    lambda: zoo.googlenet((32, 32, 1), 10, width=1 / 16, small_input=True, modules=(1, 1),
                          batch_norm=True),
    lambda: zoo.resnet(18, (32, 32, 1), 10, width=1 / 16, small_input=True, stages=(1, 1)),
    lambda: zoo.resnet(50, (32, 32, 1), 10, width=1 / 16, stages=(1, 1), residual=False),
], ids=["lenet1", "lenet1-modern", "lenet5", "vgg-C", "vgg-A-LRN", "nin", "googlenet",
        "resnet18", "plain50"])
def test_small_versions_run_forward(build):
    model = build()
    x = np.random.default_rng(0).random((2, *model.inputs[0].shape[1:])).astype("float32")
    y = keras.ops.convert_to_numpy(model(x))
    assert y.shape == (2, 10)
    assert np.allclose(y.sum(axis=1), 1.0, atol=1e-5)


def test_width_scales_channels_and_residual_switch():
    small = zoo.vgg("D", (32, 32, 3), 10, width=0.25, dense_units=32)
    assert small.get_layer("block1_conv1").filters == 16
    assert small.get_layer("block5_conv3").filters == 128
    res = zoo.resnet(18, (32, 32, 1), 10, width=1 / 8, small_input=True, stages=(2,))
    plain = zoo.resnet(18, (32, 32, 1), 10, width=1 / 8, small_input=True, stages=(2,),
                       residual=False)
    assert res.count_params() == plain.count_params()  # identity shortcuts are free
    assert any(isinstance(layer, keras.layers.Add) for layer in res.layers)
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)


def test_googlenet_aux_heads_and_modules():
    model = zoo.googlenet(aux_classifiers=True, width=1 / 16, num_classes=7)
    assert len(model.outputs) == 3 and all(o.shape[-1] == 7 for o in model.outputs)
    small = zoo.googlenet((32, 32, 1), 10, small_input=True, modules=(1, 1), width=1 / 8)
    names = [layer.name for layer in small.layers if layer.name.endswith("_output")]
    assert names == ["inception_3a_output", "inception_4a_output"]


def test_inception_module_output_channels():
    inputs = keras.Input((28, 28, 192))
    out = zoo.inception_module(inputs, zoo.INCEPTION_V1["3a"], "m")
    assert tuple(out.shape[1:]) == (28, 28, 256)
    with pytest.raises(ValueError, match="6 channel counts"):
        zoo.inception_module(inputs, (64, 96, 128), "bad")


def test_blocks_shapes():
    inputs = keras.Input((56, 56, 64))
    assert tuple(zoo.basic_block(inputs, 128, "b", strides=2).shape[1:]) == (28, 28, 128)
    assert tuple(zoo.bottleneck_block(inputs, 64, "c").shape[1:]) == (56, 56, 256)
    assert tuple(zoo.mlpconv(inputs, [32, 32, 10], 3, "n").shape[1:]) == (56, 56, 10)


def test_local_response_normalization_matches_tensorflow():
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 9)).astype("float32") * 5
    ours = keras.ops.convert_to_numpy(zoo.LocalResponseNormalization()(x))
    ref = tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=1e-4,
                                             beta=0.75).numpy()
    assert np.allclose(ours, ref, atol=1e-6)
    layer = zoo.LocalResponseNormalization(size=3, k=1.0)
    clone = zoo.LocalResponseNormalization.from_config(layer.get_config())
    assert (clone.size, clone.k) == (3, 1.0)
    with pytest.raises(ValueError, match="odd positive int"):
        zoo.LocalResponseNormalization(size=4)


@pytest.mark.parametrize("call, message", [
    (lambda: zoo.vgg("F"), "config must be one of"),
    (lambda: zoo.resnet(20), "depth must be one of"),
    (lambda: zoo.lenet5(width=0), "width must be a positive number"),
    (lambda: zoo.lenet5(input_shape=(32, 32)), "input_shape must be"),
    (lambda: zoo.lenet5(input_shape=(32, 32, 0)), r"input_shape\[2\]"),
    (lambda: zoo.lenet5(num_classes=1), "num_classes must be an int >= 2"),
    (lambda: zoo.lenet5(input_shape=(20, 20, 1)), "too small for lenet5"),
    (lambda: zoo.alexnet(input_shape=(64, 64, 3)), "too small for alexnet"),
    (lambda: zoo.googlenet(modules=(3, 5, 2)), "modules must give"),
    (lambda: zoo.googlenet(modules=(2, 2), aux_classifiers=True), "aux_classifiers need"),
    (lambda: zoo.resnet(18, stages=(0, 1)), "stages must be"),
])
def test_bad_arguments_raise_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
