"""Tests of cnnlib.scenes: shapes, determinism, masks consistent with pixels and objects."""

import re

import numpy as np
import pytest

from cnnlib.scenes import COLOURS, PLAIN_GRAY, SceneObject, Scenes, generate_scenes


def test_format_and_types():
    s = generate_scenes(5, size=48, seed=2)
    assert isinstance(s, Scenes)
    assert s.images.shape == (5, 48, 48, 3) and s.images.dtype == np.uint8
    assert s.masks.shape == (5, 48, 48) and s.masks.dtype == np.uint8
    assert s.shape_names == ("background", "circle", "square", "triangle")
    assert len(s.objects) == 5
    for objs in s.objects:
        assert 1 <= len(objs) <= 3
        for o in objs:
            assert isinstance(o, SceneObject)
            assert o.shape in s.shape_names[1:] and o.colour in COLOURS
            assert all(type(v) is int for v in o.centre + o.box) and type(o.radius) is int
            r0, c0, r1, c1 = o.box
            assert 0 <= r0 < r1 <= 48 and 0 <= c0 < c1 <= 48
            assert r0 <= o.centre[0] < r1 and c0 <= o.centre[1] < c1


def test_deterministic_for_a_seed():
    a, b = generate_scenes(20, seed=7), generate_scenes(20, seed=7)
    c = generate_scenes(20, seed=8)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.masks, b.masks)
    assert a.objects == b.objects
    assert not np.array_equal(a.images, c.images)


def test_mask_matches_visible_objects():
    s = generate_scenes(200, seed=0, max_objects=4, shapes=("circle", "square", "triangle",
                                                             "diamond"))
    for img, mask, objs in zip(s.images, s.masks, s.objects):
        present = {s.shape_names.index(o.shape) for o in objs}
        assert set(np.unique(mask)) - {0} <= present
        last = objs[-1]  # the last object is never covered: its box holds its class
        r0, c0, r1, c1 = last.box
        box = mask[r0:r1, c0:c1]
        cls = s.shape_names.index(last.shape)
        assert (box == cls).any(axis=1).all() and (box == cls).any(axis=0).all()
        assert mask[last.centre] == cls
        expected = np.array(COLOURS[last.colour])
        assert np.abs(img[last.centre].astype(int) - expected).max() <= 25  # colour jitter
        # no shape class outside the objects' boxes
        inside_any = np.zeros(mask.shape, bool)
        for o in objs:
            inside_any[o.box[0]:o.box[2], o.box[1]:o.box[3]] = True
        assert not (mask[~inside_any] > 0).any()


def test_plain_background_is_uniform_gray():
    s = generate_scenes(10, background="plain", seed=1)
    bg = s.images[s.masks == 0]
    assert (bg == PLAIN_GRAY).all()
    # object pixels carry their (jittered) colour, not the background
    assert (s.images[s.masks > 0] != PLAIN_GRAY).any(axis=-1).all()


def test_textured_background_varies():
    s = generate_scenes(10, background="textured", seed=1)
    stds = [s.images[i][s.masks[i] == 0].std() for i in range(10)]
    assert min(stds) > 5


def test_object_counts_and_sizes():
    s = generate_scenes(300, min_objects=2, max_objects=2, seed=3)
    assert all(len(o) == 2 for o in s.objects)
    radii = [o.radius for objs in s.objects for o in objs]
    assert min(radii) >= 5 and max(radii) <= 14 and len(set(radii)) > 4
    s0 = generate_scenes(3, min_objects=0, max_objects=0)
    assert all(o == [] for o in s0.objects) and (s0.masks == 0).all()


def test_objects_rarely_overlap():
    s = generate_scenes(300, max_objects=3, min_objects=3, seed=4)
    covered = []
    for mask, objs in zip(s.masks, s.objects):
        for o in objs[:-1]:
            r0, c0, r1, c1 = o.box
            covered.append((mask[r0:r1, c0:c1] == s.shape_names.index(o.shape)).any())
    assert np.mean(covered) > 0.99  # almost every earlier object stays visible


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(n=0), ValueError, "n must be an int >= 1"),
    (dict(n=2.5), TypeError, "n must be an int"),
    (dict(n=2, size=8), ValueError, "size must be an int >= 16"),
    (dict(n=2, min_objects=3, max_objects=2), ValueError, "min_objects (3)"),
    (dict(n=2, max_objects=9), ValueError, "max_objects must be an int in 0..8"),
    (dict(n=2, shapes=("circle", "hexagon")), ValueError, "unknown name(s) ['hexagon']"),
    (dict(n=2, shapes="circle"), TypeError, "shapes must be a tuple"),
    (dict(n=2, shapes=()), ValueError, "at least one"),
    (dict(n=2, shapes=("circle", "circle")), ValueError, "must not repeat"),
    (dict(n=2, colours=("mauve",)), ValueError, "colours contains unknown"),
    (dict(n=2, background="noisy"), ValueError, "background must be one of"),
    (dict(n=2, seed=-1), ValueError, "seed must be an int >= 0"),
])
def test_bad_input(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        generate_scenes(**kwargs)
