"""cnnlib.zoo and cnnlib.complexity: published parameter counts, Keras equality, validation."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib import complexity, ops, zoo

# Ampere and later GPUs compute float32 convolutions in TF32 unless told not to; the comparison
# of the small models with a float64 NumPy forward pass (rtol 2e-4) needs true float32.
tf.config.experimental.enable_tensor_float_32_execution(False)

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
    assert len(text) == 3 and text[1].count("61,706") == 2 and text[2].count("7,595,176") == 2


def test_resnet50_trainable_count_is_the_published_one(table):
    # He et al.'s 25.6 M counts weights only; Keras adds BN's moving mean and variance
    row = table["ResNet-50"]
    assert row["trainable_params"] == 25_557_032
    assert row["params"] - row["trainable_params"] == 2 * 26_560  # moving mean + variance
    assert f"{row['trainable_params']:,}" in zoo.format_table([row])
    with pytest.raises(ValueError, match=re.escape("unknown architecture(s) ['LeNet-7']")):
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
    with pytest.raises(TypeError, match=r"builder must be callable \(e.g. zoo.vgg\), got str"):
        complexity.measure("vgg")
    with pytest.raises(TypeError, match=r"model must be a keras\.Model, got str"):
        complexity.multiply_adds("model")
    with pytest.raises(TypeError, match=r"model must be a keras\.Model, got NoneType"):
        complexity.weight_layer_depth(None)


# --------------------------------------------------------------------------- builders


# A NumPy forward pass of each small model, written from the builders' docstrings (the papers'
# layer order) with cnnlib.ops, reading each named layer's weights. The Keras model must give
# the same probabilities once every bias and batch-norm statistic is made non-trivial, so a
# missing, extra or reordered layer, a wrong activation, pooling, stride, padding or shortcut
# changes the output.
ACT = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, None: lambda z: z}


def _weights(model, name):
    return [np.asarray(v, np.float64) for v in model.get_layer(name).get_weights()]


def _conv(model, x, name, strides=1, padding="same", act="relu", bn=False):
    w = _weights(model, name)
    y = ops.conv2d(x, w[0], w[1] if len(w) > 1 else None, strides=strides, padding=padding)
    if bn:
        gamma, beta, mean, var = _weights(model, f"{name}_bn")
        y = gamma * (y - mean) / np.sqrt(var + 1e-3) + beta
    return ACT[act](y)


def _dense(model, x, name, act=None):
    w, b = _weights(model, name)
    return ACT[act](x @ w + b)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _lrn(x, n=5, k=2.0, alpha=1e-4, beta=0.75):  # Krizhevsky et al., section 3.3
    r, c = n // 2, x.shape[-1]
    sq = np.pad(x**2, [(0, 0)] * 3 + [(r, r)])
    return x / (k + alpha * sum(sq[..., i:i + c] for i in range(n))) ** beta


def _lenet1(model, x, act, mode):
    x = ops.pool2d(_conv(model, x, "conv1", padding="valid", act=act), 2, mode=mode)
    x = ops.pool2d(_conv(model, x, "conv2", padding="valid", act=act), 2, mode=mode)
    return _softmax(_dense(model, x.reshape(len(x), -1), "output"))


def _lenet5(model, x):  # modern: ReLU and max pooling; dropout is off at inference
    x = ops.pool2d(_conv(model, x, "C1", padding="valid"), 2)
    x = ops.pool2d(_conv(model, x, "C3", padding="valid"), 2)
    x = _conv(model, x, "C5", padding="valid").reshape(len(x), -1)
    return _softmax(_dense(model, _dense(model, x, "F6", "relu"), "output"))


def _vgg(model, x, blocks, bn):  # blocks: kernel sizes per block, "LRN" after a layer
    for b, block in enumerate(blocks, start=1):
        convs = [k for k in block if k != "LRN"]
        for i, k in enumerate(convs, start=1):
            x = _conv(model, x, f"block{b}_conv{i}", bn=bn)
            assert model.get_layer(f"block{b}_conv{i}").kernel_size == (k, k)
            if "LRN" in block and block.index("LRN") == i:
                x = _lrn(x)
        x = ops.pool2d(x, 2)
    x = _dense(model, _dense(model, x.reshape(len(x), -1), "fc1", "relu"), "fc2", "relu")
    return _softmax(_dense(model, x, "predictions"))


def _nin(model, x):  # small_input: the first mlpconv is 5x5/1
    for b, k in enumerate((5, 5, 3, 3), start=1):
        x = _conv(model, x, f"mlpconv{b}_conv")
        assert model.get_layer(f"mlpconv{b}_conv").kernel_size == (k, k)
        x = _conv(model, _conv(model, x, f"mlpconv{b}_cccp1"), f"mlpconv{b}_cccp2")
        if b < 4:
            x = ops.pool2d(x, 3, 2, padding="same")
    return _softmax(x.mean(axis=(1, 2)))


def _inception(model, x, name):  # Szegedy et al., Fig. 2b
    conv = lambda y, branch: _conv(model, y, f"{name}_{branch}", bn=True)
    pooled = ops.pool2d(x, 3, 1, padding="same")
    return np.concatenate([conv(x, "1x1"), conv(conv(x, "3x3_reduce"), "3x3"),
                           conv(conv(x, "5x5_reduce"), "5x5"), conv(pooled, "pool_proj")],
                          axis=-1)


def _googlenet(model, x):  # small_input, batch_norm, modules (1, 1): 3a, pool, 4a
    x = ops.pool2d(_conv(model, x, "conv1", bn=True), 3, 2, padding="same")
    x = _lrn(x)
    x = _lrn(_conv(model, _conv(model, x, "conv2_reduce", bn=True), "conv2", bn=True))
    x = _inception(model, x, "inception_3a")
    x = _inception(model, ops.pool2d(x, 3, 2, padding="same"), "inception_4a")
    return _softmax(_dense(model, x.mean(axis=(1, 2)), "predictions"))


def _resnet18(model, x):  # small_input, stages (1, 1): identity then projection shortcut
    x = _conv(model, x, "conv1", bn=True)
    for name, strides in (("stage2_block1", 1), ("stage3_block1", 2)):
        out = _conv(model, x, f"{name}_1", strides=strides, bn=True)
        out = _conv(model, out, f"{name}_2", bn=True, act=None)
        short = x if strides == 1 else _conv(model, x, f"{name}_proj", strides, bn=True, act=None)
        x = ACT["relu"](out + short)
    return _softmax(_dense(model, x.mean(axis=(1, 2)), "predictions"))


def _plain50(model, x):  # ImageNet stem, bottleneck blocks without shortcuts
    x = _conv(model, np.pad(x, [(0, 0), (3, 3), (3, 3), (0, 0)]), "conv1", 2, "valid", bn=True)
    x = ops.pool2d(np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)]), 3, 2)
    for name, strides in (("stage2_block1", 1), ("stage3_block1", 2)):
        x = _conv(model, x, f"{name}_1", strides=strides, bn=True)
        x = _conv(model, _conv(model, x, f"{name}_2", bn=True), f"{name}_3", bn=True, act=None)
        x = ACT["relu"](x)
    return _softmax(_dense(model, x.mean(axis=(1, 2)), "predictions"))


def _params(convs, dense, bias=True):
    """Parameter count of (k, c_in, c_out) convolutions (with batch norm when not bias: 4 per
    channel, 2 of them non-trainable) and (n_in, n_out) dense layers -> (total, non-trainable)."""
    total = sum(k * k * c_in * c_out + (c_out if bias else 4 * c_out) for k, c_in, c_out in convs)
    total += sum(n_in * n_out + n_out for n_in, n_out in dense)
    return total, 0 if bias else sum(2 * c_out for _, _, c_out in convs)


# width 1/16: 64 -> 4, 96 -> 6, 128 -> 8, 192 -> 12, 256 -> 16, 384 -> 24, 512 -> 32, 1024 -> 64
SMALL_MODELS = {
    "lenet1": (lambda: zoo.lenet1(), lambda m, x: _lenet1(m, x, "tanh", "average"),
               _params([(5, 1, 4), (5, 4, 12)], [(4 * 4 * 12, 10)])),  # 3,246 (docstring)
    "lenet1-modern": (lambda: zoo.lenet1(modern=True), lambda m, x: _lenet1(m, x, "relu", "max"),
                      _params([(5, 1, 4), (5, 4, 12)], [(4 * 4 * 12, 10)])),
    "lenet5": (lambda: zoo.lenet5((32, 32, 1), 10, modern=True, dropout=0.5), _lenet5,
               _params([(5, 1, 6), (5, 6, 16), (5, 16, 120)], [(120, 84), (84, 10)])),  # 61,706
    "vgg-C": (lambda: zoo.vgg("C", (32, 32, 1), 10, width=1 / 16, dense_units=16,
                              batch_norm=True),
              lambda m, x: _vgg(m, x, [[3, 3], [3, 3], [3, 3, 1], [3, 3, 1], [3, 3, 1]], True),
              _params([(3, 1, 4), (3, 4, 4), (3, 4, 8), (3, 8, 8), (3, 8, 16), (3, 16, 16),
                       (1, 16, 16), (3, 16, 32), (3, 32, 32), (1, 32, 32), (3, 32, 32),
                       (3, 32, 32), (1, 32, 32)], [(32, 16), (16, 16), (16, 10)], bias=False)),
    "vgg-A-LRN": (lambda: zoo.vgg("A-LRN", (32, 32, 3), 10, width=1 / 16, dense_units=16),
                  lambda m, x: _vgg(m, x, [[3, "LRN"], [3], [3, 3], [3, 3], [3, 3]], False),
                  _params([(3, 3, 4), (3, 4, 8), (3, 8, 16), (3, 16, 16), (3, 16, 32),
                           (3, 32, 32), (3, 32, 32), (3, 32, 32)], [(32, 16), (16, 16), (16, 10)])),
    "nin": (lambda: zoo.nin((32, 32, 1), 10, width=1 / 16, small_input=True), _nin,
            _params([(5, 1, 6), (1, 6, 6), (1, 6, 6), (5, 6, 16), (1, 16, 16), (1, 16, 16),
                     (3, 16, 24), (1, 24, 24), (1, 24, 24), (3, 24, 64), (1, 64, 64),
                     (1, 64, 10)], [])),
    # inception 3a (64, 96, 128, 16, 32, 32) and 4a (192, 96, 208, 16, 48, 64), x 1/16
    "googlenet": (lambda: zoo.googlenet((32, 32, 1), 10, width=1 / 16, small_input=True,
                                        modules=(1, 1), batch_norm=True), _googlenet,
                  _params([(3, 1, 4), (1, 4, 4), (3, 4, 12),
                           (1, 12, 4), (1, 12, 6), (3, 6, 8), (1, 12, 1), (5, 1, 2), (1, 12, 2),
                           (1, 16, 12), (1, 16, 6), (3, 6, 13), (1, 16, 1), (5, 1, 3),
                           (1, 16, 4)], [(12 + 13 + 3 + 4, 10)], bias=False)),
    "resnet18": (lambda: zoo.resnet(18, (32, 32, 1), 10, width=1 / 16, small_input=True,
                                    stages=(1, 1)), _resnet18,
                 _params([(3, 1, 4), (3, 4, 4), (3, 4, 4), (3, 4, 8), (3, 8, 8), (1, 4, 8)],
                         [(8, 10)], bias=False)),
    "plain50": (lambda: zoo.resnet(50, (32, 32, 1), 10, width=1 / 16, stages=(1, 1),
                                   residual=False), _plain50,
                _params([(7, 1, 4), (1, 4, 4), (3, 4, 4), (1, 4, 16), (1, 16, 8), (3, 8, 8),
                         (1, 8, 32)], [(32, 10)], bias=False)),
}


def _randomise_biases_and_statistics(model, rng):
    """Keep the initial kernels; give biases, beta, gamma and the moving statistics values
    that make every one of them change the output (fresh they are 0 or 1)."""
    for layer in model.layers:
        values = []
        for v in layer.weights:
            shape = tuple(v.shape)
            if v.name in ("gamma", "moving_variance"):
                values.append(rng.uniform(0.5, 1.5, shape))
            elif v.name in ("bias", "beta", "moving_mean"):
                values.append(rng.normal(0, 0.2, shape))
            else:
                values.append(np.asarray(v))
        if values:
            layer.set_weights([np.asarray(a, "float32") for a in values])


@pytest.mark.parametrize("name", list(SMALL_MODELS))
def test_small_versions_match_a_numpy_forward_pass_and_their_parameter_count(name):
    build, forward, (params, non_trainable) = SMALL_MODELS[name]
    model = build()
    assert model.count_params() == params
    assert sum(int(np.prod(v.shape)) for v in model.non_trainable_weights) == non_trainable
    rng = np.random.default_rng(0)
    _randomise_biases_and_statistics(model, rng)
    shape = model.inputs[0].shape[1:]
    x = np.stack([rng.random(shape), 3 * rng.normal(size=shape)]).astype("float32")
    y = keras.ops.convert_to_numpy(model(x))
    assert y.shape == (2, 10) and np.allclose(y.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(y, forward(model, x.astype(np.float64)), rtol=2e-4, atol=1e-6)
    # the probabilities depend on the image (by far more than the tolerance) and are not uniform
    assert np.abs(y[0] - y[1]).max() > 1e-4 and (y.max(axis=1) - y.min(axis=1) > 1e-2).all()


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
    with pytest.raises(ValueError, match="filters needs 6 channel counts"):
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
    with pytest.raises(ValueError, match="size must be an odd positive int .* got 4"):
        zoo.LocalResponseNormalization(size=4)


@pytest.mark.parametrize("call, message", [
    (lambda: zoo.vgg("F"), "unknown VGG config 'F'; allowed: A, A-LRN, B, C, D, E"),
    (lambda: zoo.resnet(20), "depth must be one of"),
    (lambda: zoo.lenet5(width=0), "width must be a finite number > 0, got 0"),
    (lambda: zoo.lenet5(dropout=1.5), r"dropout must be a finite number >= 0 and < 1, got 1\.5"),
    (lambda: zoo.vgg("A", input_shape=(32, 32, 3), dense_units=0),
     "dense_units must be an int >= 1, got 0"),
    (lambda: zoo.lenet5(width=float("nan")), "width must be a finite number"),
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


@pytest.mark.parametrize("call, error, message", [
    (lambda: zoo.lenet5(modern="no"), TypeError, r"modern must be True or False, got str"),
    (lambda: zoo.resnet(18, batch_norm=1), TypeError, "batch_norm must be True or False"),
    (lambda: zoo.lenet5(num_classes=10.0), TypeError, "num_classes must be an int, got float"),
    (lambda: zoo.vgg("A", dense_units=8.5), TypeError, "dense_units must be an int"),
    (lambda: zoo.googlenet(modules="25"), TypeError, "modules must be a tuple"),
    (lambda: zoo.resnet(18, stages=(1.5, 1)), TypeError, r"stages\[0\] must be an int"),
    (lambda: zoo.vgg(16), TypeError, "config must be a str"),
    (lambda: zoo.resnet(18.0), TypeError, "depth must be an int, got float"),
    (lambda: zoo.lenet5(input_shape=32), TypeError,
     r"input_shape must be a tuple \(H, W, C\) of positive ints, got int"),
    (lambda: zoo.zoo_table("LeNet-5"), TypeError, r"names must be a list .* \['LeNet-5'\]"),
])
def test_wrong_types_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()

