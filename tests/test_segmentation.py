"""Tests of cnnlib.segmentation against Keras/TF: IoU metrics, transposed conv, bilinear, FCN."""

import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from cnnlib import grad, ops
from cnnlib import segmentation as seg

RNG = np.random.default_rng(0)


# ---------------------------------------------------------------- metrics vs Keras
def keras_mean_iou(t, p, num_classes, ignore_class=None):
    m = keras.metrics.MeanIoU(num_classes, ignore_class=ignore_class)
    m.update_state(t, p)
    return float(m.result())


def keras_iou(t, p, num_classes, cls):
    m = keras.metrics.IoU(num_classes, target_class_ids=[cls])
    m.update_state(t, p)
    return float(m.result())


@pytest.mark.parametrize("seed", range(5))
def test_mean_iou_equals_keras_on_random_maps(seed):
    rng = np.random.default_rng(seed)
    c = int(rng.integers(2, 7))
    t = rng.integers(0, c, size=(3, 17, 13))
    p = np.where(rng.random(t.shape) < 0.6, t, rng.integers(0, c, size=t.shape))
    assert seg.mean_iou(t, p, c) == pytest.approx(keras_mean_iou(t, p, c), abs=1e-6)
    per = seg.iou_per_class(t, p, c)
    for k in range(c):
        assert per[k] == pytest.approx(keras_iou(t, p, c, k), abs=1e-6)
    cm = seg.confusion_matrix(t, p, c)
    m = keras.metrics.MeanIoU(c)
    m.update_state(t, p)
    assert np.array_equal(cm, np.asarray(m.total_cm).astype(np.int64))


def test_class_absent_from_both_is_left_out_of_the_mean():
    t = np.array([[0, 0, 1], [1, 1, 0]])
    p = np.array([[0, 1, 1], [1, 1, 0]])
    per = seg.iou_per_class(t, p, 4)  # classes 2 and 3 appear nowhere
    assert np.isnan(per[2]) and np.isnan(per[3])
    assert per[0] == pytest.approx(2 / 3) and per[1] == pytest.approx(3 / 4)
    assert seg.mean_iou(t, p, 4) == pytest.approx((2 / 3 + 3 / 4) / 2)
    assert seg.mean_iou(t, p, 4) == pytest.approx(keras_mean_iou(t, p, 4), abs=1e-6)
    assert keras_iou(t, p, 4, 2) == 0.0  # Keras reports 0 where we report nan


def test_class_in_one_map_only_has_iou_zero():
    t = np.array([0, 0, 1, 1])
    p = np.array([0, 2, 1, 1])  # class 2 predicted, never true
    per = seg.iou_per_class(t, p, 3)
    assert per[2] == 0.0
    p2 = np.array([0, 0, 0, 0])  # class 1 true, never predicted
    assert seg.iou_per_class(t, p2, 3)[1] == 0.0
    for q in (p, p2):
        assert seg.mean_iou(t, q, 3) == pytest.approx(keras_mean_iou(t, q, 3), abs=1e-6)


def test_void_pixels_are_ignored_like_keras_ignore_class():
    rng = np.random.default_rng(3)
    t = rng.integers(0, 4, size=(2, 20, 20))  # 3 = void
    p = rng.integers(0, 3, size=t.shape)
    ours = seg.mean_iou(t, p, 3, ignore_index=3)
    assert ours == pytest.approx(keras_mean_iou(t, p, 4, ignore_class=3), abs=1e-6)
    keep = t != 3
    assert ours == pytest.approx(seg.mean_iou(t[keep], p[keep], 3))
    assert seg.pixel_accuracy(t, p, ignore_index=3) == pytest.approx(np.mean(t[keep] == p[keep]))


def test_perfect_and_hopeless_predictions():
    t = RNG.integers(0, 3, size=(4, 8, 8))
    assert seg.mean_iou(t, t, 3) == 1.0 and seg.pixel_accuracy(t, t) == 1.0
    assert seg.mean_iou(t, (t + 1) % 3, 3) == 0.0
    acc = keras.metrics.Accuracy()
    p = np.where(RNG.random(t.shape) < 0.5, t, 0)
    acc.update_state(t, p)
    assert seg.pixel_accuracy(t, p) == pytest.approx(float(acc.result()), abs=1e-6)


def test_seed_formula_by_hand():
    gt = np.zeros((10, 10), int)
    gt[2:6, 2:6] = 1  # 16 pixels
    pr = np.zeros((10, 10), int)
    pr[3:7, 3:7] = 1  # 16 pixels, 9 shared
    assert seg.iou_per_class(gt, pr, 2)[1] == pytest.approx(9 / 23)
    assert seg.pixel_accuracy(gt, pr) == pytest.approx(1 - 14 / 100)


@pytest.mark.parametrize("call, error, words", [
    (lambda: seg.mean_iou(np.zeros((2, 3), int), np.zeros((3, 2), int), 2), ValueError,
     "same shape"),
    (lambda: seg.mean_iou(np.zeros(3), np.zeros(3, int), 2), TypeError, "argmax"),
    (lambda: seg.mean_iou(np.array([0, 5]), np.array([0, 1]), 3), ValueError, "class id 5"),
    (lambda: seg.mean_iou(np.array([0, 1]), np.array([0, -1]), 3), ValueError, "class id -1"),
    (lambda: seg.mean_iou(np.array([0, 1]), np.array([0, 1]), 0), ValueError, "num_classes"),
    (lambda: seg.mean_iou(np.array([3, 3]), np.array([0, 1]), 3, ignore_index=3), ValueError,
     "nothing to score"),
    (lambda: seg.mean_iou(np.array([3, 1]), np.array([0, 1]), 3, ignore_index=2.5), TypeError,
     "ignore_index"),
    (lambda: seg.pixel_accuracy(np.zeros(0, int), np.zeros(0, int)), ValueError, "empty"),
    (lambda: seg.pixel_accuracy(["a", "b"], ["a", "b"]), TypeError,
     "y_true must hold integer class ids, got dtype <U1"),
    (lambda: seg.bilinear_upsampling(3, 2, trainable="no"), TypeError,
     "trainable must be True or False, got str"),
])
def test_metric_bad_input(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


# ---------------------------------------------------------------- box IoU
def test_box_iou_equals_pixel_mask_iou():
    rng = np.random.default_rng(1)
    for _ in range(50):
        boxes = []
        for _ in range(2):
            r0, c0 = rng.integers(0, 20, size=2)
            boxes.append((r0, c0, r0 + rng.integers(1, 15), c0 + rng.integers(1, 15)))
        masks = []
        for r0, c0, r1, c1 in boxes:
            m = np.zeros((40, 40), int)
            m[r0:r1, c0:c1] = 1
            masks.append(m)
        expected = seg.iou_per_class(masks[0], masks[1], 2)[1]
        assert seg.box_iou(*boxes) == pytest.approx(expected)


def test_box_iou_broadcasts_and_edge_cases():
    a = np.array([[0, 0, 10, 10], [0, 0, 4, 4]])
    b = np.array([0, 0, 10, 10])
    assert np.allclose(seg.box_iou(a, b), [1.0, 0.16])
    assert seg.box_iou((0, 0, 2, 2), (2, 2, 4, 4)) == 0.0  # touching corners
    assert seg.box_iou((0, 0, 2, 2), (0.5, 0.5, 1.5, 1.5)) == pytest.approx(0.25)
    with pytest.raises(ValueError,
                       match=r"box_a needs bottom > top and right > left \(a positive area\)"):
        seg.box_iou((0, 0, 0, 2), (0, 0, 1, 1))
    with pytest.raises(ValueError, match=r"box_a must have shape \(\.\.\., 4\)"):
        seg.box_iou((0, 0, 1), (0, 0, 1, 1))
    with pytest.raises(TypeError, match="box_a must hold numbers"):
        seg.box_iou(("a", 0, 1, 1), (0, 0, 1, 1))


# ---------------------------------------------------------------- transposed convolution
@pytest.mark.parametrize("k, s, padding", [(3, 1, "valid"), (3, 2, "valid"), (4, 2, "same"),
                                           (3, 2, "same"), (2, 3, "valid"), (5, 3, "same"),
                                           (1, 2, "same")])
def test_conv2d_transpose_equals_tf_and_keras(k, s, padding):
    rng = np.random.default_rng(k * 10 + s)
    x = rng.normal(size=(2, 5, 4, 3)).astype(np.float32)
    w = rng.normal(size=(k, k, 2, 3)).astype(np.float32)
    out = seg.conv2d_transpose(x, w, s, padding)
    from cnnlib import arithmetic
    assert out.shape[1:3] == arithmetic.conv_transpose_output_size((5, 4), k, s, padding)
    ref = tf.nn.conv2d_transpose(x, w, output_shape=(2, *out.shape[1:3], 2), strides=s,
                                 padding=padding.upper())
    np.testing.assert_allclose(out, ref, atol=1e-5)
    layer = keras.layers.Conv2DTranspose(2, k, strides=s, padding=padding, use_bias=False)
    layer.build(x.shape)
    layer.set_weights([w])
    np.testing.assert_allclose(out, layer(x), atol=1e-5)


@pytest.mark.parametrize("k, s, padding", [(3, 2, "valid"), (4, 2, "same"), (3, 1, "same")])
def test_conv2d_transpose_is_the_gradient_of_conv(k, s, padding):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1, 8, 8, 3))  # the conv's input
    w = rng.normal(size=(k, k, 3, 2))  # conv kernel (kh, kw, C_in, C_out)
    y, cache = grad.conv2d_forward(x, w, strides=s, padding=padding)
    dy = rng.normal(size=y.shape)
    dx, _, _ = grad.conv2d_backward(dy, cache)
    # the same kernel, read as (kh, kw, C_out=3, C_in=2) by the transposed convolution
    up = seg.conv2d_transpose(dy, w, s, padding)[:, :8, :8]
    h = up.shape[1]  # "valid" k=3, s=2: 3 outputs stamp back onto 7 rows; row 8 got no gradient
    np.testing.assert_allclose(up, dx[:, :h, :h], atol=1e-10)
    assert not dx[:, h:].any() and not dx[:, :, h:].any()
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        out = tf.nn.conv2d(xt, w, s, padding.upper())
    np.testing.assert_allclose(tape.gradient(out, xt, output_gradients=dy), dx, atol=1e-10)
    np.testing.assert_allclose(ops.conv2d(x, w, strides=s, padding=padding), y)


def test_conv2d_transpose_bad_input():
    x = np.zeros((1, 3, 3, 2))
    with pytest.raises(ValueError, match=r"w has 4 input channels \(last axis\) but x has 2"):
        seg.conv2d_transpose(x, np.zeros((3, 3, 1, 4)))
    with pytest.raises(ValueError, match="strides must be an int >= 1, got 0"):
        seg.conv2d_transpose(x, np.zeros((3, 3, 1, 2)), strides=0)
    with pytest.raises(TypeError, match="strides must be an int, got float"):
        seg.conv2d_transpose(x, np.zeros((3, 3, 1, 2)), strides=2.0)
    with pytest.raises(ValueError, match=r"strides must be an int or a tuple of 2 ints"):
        seg.conv2d_transpose(x, np.zeros((3, 3, 1, 2)), strides=(1, 2, 3))
    with pytest.raises(ValueError, match="unknown padding 'full'; allowed: valid, same"):
        seg.conv2d_transpose(x, np.zeros((3, 3, 1, 2)), padding="full")
    with pytest.raises(ValueError, match=r"x must be 4-D \(N, H, W, C_in\), got shape \(3, 3, 2\)"):
        seg.conv2d_transpose(np.zeros((3, 3, 2)), np.zeros((3, 3, 1, 2)))
    with pytest.raises(ValueError, match=r"w must be 4-D \(kh, kw, C_out, C_in\)"):
        seg.conv2d_transpose(x, np.zeros((3, 3)))
    with pytest.raises(TypeError, match="x must hold numbers"):
        seg.conv2d_transpose(np.full((1, 3, 3, 2), "a"), np.zeros((3, 3, 1, 2)))
    with pytest.raises(ValueError, match="x must not have an empty axis"):
        seg.conv2d_transpose(np.zeros((0, 3, 3, 2)), np.zeros((3, 3, 1, 2)))


# ---------------------------------------------------------------- bilinear upsampling
def test_bilinear_kernel_matches_fcn_upsample_filt():
    k = seg.bilinear_kernel(2, 1)[:, :, 0, 0]
    np.testing.assert_allclose(k[0], [0.0625, 0.1875, 0.1875, 0.0625])
    assert seg.bilinear_kernel(3, 2).shape == (5, 5, 2, 2)
    np.testing.assert_allclose(seg.bilinear_kernel(3)[2, :, 0, 0], [1 / 3, 2 / 3, 1, 2 / 3, 1 / 3])
    k2 = seg.bilinear_kernel(4, 3)
    assert k2[:, :, 0, 1].max() == 0 and k2[:, :, 2, 2].max() > 0


@pytest.mark.parametrize("factor", [2, 3, 4, 8])
def test_bilinear_upsampling_equals_tf_image_resize_inside(factor):
    x = np.random.default_rng(factor).random((2, 6, 7, 3)).astype(np.float32)
    up = np.asarray(seg.bilinear_upsampling(3, factor)(x))
    ref = np.asarray(tf.image.resize(x, (6 * factor, 7 * factor), "bilinear"))
    up2 = np.asarray(keras.layers.UpSampling2D(factor, interpolation="bilinear")(x))
    f = factor
    np.testing.assert_allclose(up[:, f:-f, f:-f], ref[:, f:-f, f:-f], atol=1e-5)
    np.testing.assert_allclose(up2, ref, atol=1e-5)
    assert np.abs(up - ref).max() > 0.05  # borders differ: zeros vs clamped edge


def test_bilinear_initializer_checks_shape():
    with pytest.raises(ValueError, match="filters == input channels"):
        seg.BilinearInitializer()((4, 4, 2, 3))
    with pytest.raises(ValueError, match="not 2 \\* factor"):
        seg.BilinearInitializer()((6, 6, 1, 1))


# ---------------------------------------------------------------- dense -> conv
def test_convolutionize_gives_same_scores_and_a_map():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((12, 12, 3)),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(3, activation="softmax"),
    ])
    conv = seg.convolutionize(model)
    x = np.random.default_rng(0).random((2, 12, 12, 3)).astype(np.float32)
    np.testing.assert_allclose(conv(x)[:, 0, 0], model(x), atol=1e-5)
    big = np.random.default_rng(1).random((1, 20, 24, 3)).astype(np.float32)
    out = np.asarray(conv(big))
    assert out.shape == (1, 5, 7, 3)  # (20-12)/2+1, (24-12)/2+1 window positions
    np.testing.assert_allclose(out[0, 2, 3], model(big[:, 4:16, 6:18])[0], atol=1e-5)
    w = model.layers[3].get_weights()[0]
    assert seg.dense_to_conv_kernel(w, (5, 5, 4)).shape == (5, 5, 4, 8)
    with pytest.raises(ValueError, match="100 values"):
        seg.dense_to_conv_kernel(np.zeros((99, 2)), (5, 5, 4))


def test_convolutionize_rejects_unsupported_layers():
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="GlobalAveragePooling2D"):
        seg.convolutionize(model)
    with pytest.raises(TypeError, match="keras.Model"):
        seg.convolutionize("model")


# ---------------------------------------------------------------- FCN builders
def test_fcn_variants_shapes_and_skips():
    for variant, skips in (("32s", set()), ("16s", {"score_pool4"}),
                           ("8s", {"score_pool4", "score_pool3"})):
        m = seg.fcn(variant, input_shape=(64, 64, 3), num_classes=5, width=1 / 16)
        assert m.output_shape == (None, 64, 64, 5)
        names = {layer.name for layer in m.layers}
        assert {n for n in names if n.startswith("score_pool")} == skips
        assert f"up{ {'32s': 32, '16s': 16, '8s': 8}[variant]}" in names
        x = np.random.default_rng(0).random((2, 64, 64, 3)).astype(np.float32)
        y = np.asarray(m(x))
        np.testing.assert_allclose(y.sum(-1), 1, atol=1e-5)
    # at initialisation the skip scores are zero, so FCN-8s starts as FCN-32s would
    m8 = seg.fcn("8s", num_classes=3)
    for name in ("score_pool4", "score_pool3"):
        assert not np.asarray(m8.get_layer(name).kernel).any()
    up = m8.get_layer("up_to_pool4")
    np.testing.assert_allclose(up.kernel, seg.bilinear_kernel(2, 3))


def test_fcn_bad_input():
    with pytest.raises(ValueError,
                       match=re.escape("variant must be one of ('32s', '16s', '8s'), got '4s'")):
        seg.fcn("4s")
    with pytest.raises(ValueError, match="height and width must be multiples of 32"):
        seg.fcn("8s", input_shape=(48, 64, 3))


# ---------------------------------------------------------------- CamVid
def test_load_camvid(capsys):
    cv = seg.load_camvid()  # the course sample in this checkout's data/
    assert cv.images.shape == (9, 360, 480, 3) and cv.images.dtype == np.uint8
    assert cv.masks.shape == (9, 360, 480) and cv.masks.max() <= 11
    assert len(cv.class_names) == 11 and cv.void == 11 and len(cv.names) == 9
    assert cv.description.endswith("from the course sample in this checkout's data/")
    assert capsys.readouterr().out == f"cnnlib.datasets: camvid <- {cv.description}\n"


@pytest.mark.usefixtures("offline_datasets")
def test_load_camvid_absent(tmp_path, capsys):
    assert seg.load_camvid() is None
    out = capsys.readouterr().out
    assert out.startswith("cnnlib.datasets: camvid <- nothing: the course sample is not "
                          "reachable (cannot download")
    with pytest.raises(FileNotFoundError, match="camvid"):
        seg.load_camvid(tmp_path)


def test_load_camvid_broken(tmp_path):
    from PIL import Image
    (tmp_path / "camvid" / "images").mkdir(parents=True)
    (tmp_path / "camvid" / "masks").mkdir()
    Image.fromarray(np.zeros((4, 5, 3), np.uint8)).save(tmp_path / "camvid/images/a.png")
    with pytest.raises(ValueError, match="no mask"):
        seg.load_camvid(tmp_path)
    Image.fromarray(np.full((4, 5), 40, np.uint8)).save(tmp_path / "camvid/masks/a.png")
    with pytest.raises(ValueError, match="label 40"):
        seg.load_camvid(tmp_path)
    Image.fromarray(np.zeros((4, 6), np.uint8)).save(tmp_path / "camvid/masks/a.png")
    with pytest.raises(ValueError, match="shape"):
        seg.load_camvid(tmp_path)


def test_pixel_accuracy_range_check_and_box_iou_edges_exactly():
    # pixel_accuracy checks ids against the largest id present, so -1 is outside 0..0 here
    with pytest.raises(ValueError, match=r"^y_pred holds class id -1, outside 0\.\.0 for "
                                         r"num_classes=1$"):
        seg.pixel_accuracy([0, 0], [-1, 0])
    with pytest.raises(ValueError, match=r"^y_true holds class id -1, outside 0\.\.1 for "
                                         r"num_classes=2$"):
        seg.pixel_accuracy([-1, 0], [0, 1])
    assert seg.pixel_accuracy([[0, 1], [1, 1]], [[0, 1], [0, 1]]) == 0.75
    with pytest.raises(ValueError, match=r"^box_b needs bottom > top and right > left \(a "
                                         r"positive area\), got \[0, 0, 2, 0\]$"):
        seg.box_iou([0, 0, 2, 2], [0, 0, 2, 0])
    with pytest.raises(ValueError, match=r"^box_b must have shape \(\.\.\., 4\)"):
        seg.box_iou([0, 0, 2, 2], [0, 0, 2])
    iou = seg.box_iou([0, 0, 2, 2], [1, 1, 3, 3])
    assert type(iou) is float and iou == 1 / 7


def test_label_map_errors_are_exact():
    y = np.array([0, 1])
    with pytest.raises(ValueError, match=r"^num_classes must be an int >= 1, got 0$"):
        seg.confusion_matrix(y, y, 0)
    with pytest.raises(TypeError, match=r"^ignore_index must be an int, got float \(2\.5\)$"):
        seg.confusion_matrix(y, y, 3, ignore_index=2.5)
    with pytest.raises(TypeError, match=r"^y_pred must hold integer class ids, got dtype "
                                        r"float64; for scores or probabilities take argmax over "
                                        r"the class axis first$"):
        seg.confusion_matrix(y, np.array([0.0, 1.0]), 2)
    with pytest.raises(ValueError, match=r"^y_true and y_pred are empty$"):
        seg.confusion_matrix(np.zeros((0, 2), int), np.zeros((0, 2), int), 2)
    # the largest valid id is num_classes - 1: num_classes itself is outside
    with pytest.raises(ValueError, match=r"^y_true holds class id 3, outside 0\.\.2 for "
                                         r"num_classes=3$"):
        seg.confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError, match=r"^y_pred holds class id 3, outside 0\.\.2 for "
                                         r"num_classes=3$"):
        seg.confusion_matrix([0, 1], [3, 1], 3)
    # with ignore_index, a bad id in y_true reminds that void pixels are skipped; y_pred has no
    # void pixels, so its message has no such note
    with pytest.raises(ValueError, match=r"^y_true holds class id 3, outside 0\.\.2 for "
                                         r"num_classes=3 \(pixels equal to ignore_index=255 are "
                                         r"skipped\)$"):
        seg.confusion_matrix([0, 3, 255], [0, 1, 1], 3, ignore_index=255)
    with pytest.raises(ValueError, match=r"^y_pred holds class id 3, outside 0\.\.2 for "
                                         r"num_classes=3$"):
        seg.confusion_matrix([0, 1, 255], [0, 3, 1], 3, ignore_index=255)


def test_boolean_label_maps_are_classes_0_and_1():
    # counted by hand: pixel 0 is class 1 predicted 1, pixel 1 class 0 predicted 1
    cm = seg.confusion_matrix(np.array([True, False]), np.array([True, True]), 2)
    assert cm.tolist() == [[0, 1], [0, 1]]


@pytest.mark.filterwarnings("error")
def test_a_class_absent_from_both_maps_is_nan_without_a_warning():
    iou = seg.iou_per_class([0, 0, 1], [0, 1, 1], 3)
    np.testing.assert_array_equal(iou, [0.5, 0.5, np.nan])
