"""Generated scenes: coloured shapes on plain or textured backgrounds, with exact masks.

``generate_scenes(n)`` draws ``n`` small RGB images, each holding a few shapes (circle, square,
triangle, diamond) in a few colours, and returns the per-pixel class mask and a list of the
objects (shape, colour, centre, radius, bounding box). It is the offline stand-in wherever a
chapter needs segmentation masks, boxes or grammar-built captions: every label is exact
because the image is drawn from it. The data are *generated*, not photographs.

Everything is vectorised over images, so thousands of 64x64 scenes take a fraction of a second;
the same ``seed`` gives the same scenes.

Chapters 10 and 11 use it.
"""

from typing import NamedTuple

import numpy as np

from cnnlib import _validate

SHAPES = ("circle", "square", "triangle", "diamond")
COLOURS = {
    "red": (215, 45, 40),
    "green": (40, 170, 60),
    "blue": (45, 85, 215),
    "yellow": (235, 205, 45),
    "magenta": (200, 60, 190),
    "cyan": (50, 200, 210),
    "white": (240, 240, 240),
}
BACKGROUNDS = ("plain", "textured")
PLAIN_GRAY = 60
_TRIES = 30  # rejection-sampling candidates per object
_CHUNK = 128  # scenes drawn at a time


class SceneObject(NamedTuple):
    """One drawn shape (a NamedTuple with these fields).

    - ``shape``: str, one of the ``shapes`` passed to :func:`generate_scenes`
    - ``colour``: str, one of the ``colours`` passed to :func:`generate_scenes`
    - ``centre``: (row, col) ints, pixel coordinates of the shape's centre
    - ``radius``: int, half the shape's nominal size in pixels
    - ``box``: (row0, col0, row1, col1) ints, the tight bounding box of the whole shape (even
      where a later shape covers part of it), end-exclusive like a slice:
      ``mask[row0:row1, col0:col1]``
    """

    shape: str
    colour: str
    centre: tuple
    radius: int
    box: tuple


class Scenes(NamedTuple):
    """A batch of generated scenes (a NamedTuple with these fields).

    - ``images``: uint8 array (N, size, size, 3), RGB 0..255
    - ``masks``: uint8 array (N, size, size), class ids: 0 = background, ``i + 1`` =
      ``shapes[i]``; a pixel has the class of the shape visible there (later shapes are drawn
      over earlier ones)
    - ``objects``: list of N lists of :class:`SceneObject`, in drawing order
    - ``shape_names``: tuple of str, ``("background", *shapes)``: the name of each class id
    """

    images: np.ndarray
    masks: np.ndarray
    objects: list
    shape_names: tuple


def _names(name, values, allowed):
    if isinstance(values, str) or not isinstance(values, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of names from {allowed}, got {values!r}")
    values = tuple(values)
    if not values:
        raise ValueError(f"{name} must name at least one of {allowed}, got an empty tuple")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"{name} contains unknown name(s) {unknown}; allowed: {allowed}")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat a name, got {values!r}")
    return values


def _shape_mask(shape, dy, dx, r):
    """Pixels inside one kind of shape; dy (m, S, 1), dx (m, 1, S), r (m, 1, 1) -> (m, S, S)."""
    if shape == "circle":
        return dy * dy + dx * dx <= r * r
    if shape == "square":
        half = 0.82 * r
        return (np.abs(dy) <= half) & (np.abs(dx) <= half)
    if shape == "diamond":
        return np.abs(dy) + np.abs(dx) <= 1.2 * r
    # triangle pointing up, its bounding box centred on the centre: rows -r..r, base 2.3 r wide
    top = dy + r
    return (top >= 0) & (dy <= r) & (np.abs(dx) <= 0.575 * top)


def _interp_matrix(size, cells):
    """(size, cells) linear-interpolation weights; each row sums to 1."""
    pos = np.linspace(0, cells - 1, size)
    lo = np.minimum(np.floor(pos).astype(int), cells - 2)
    frac = (pos - lo).astype(np.float32)
    interp = np.zeros((size, cells), np.float32)
    interp[np.arange(size), lo] = 1 - frac
    interp[np.arange(size), lo + 1] = frac
    return interp


def _backgrounds(rng, n, size, kind):
    """(n, size, size, 3) float32 backgrounds, roughly 0..255.

    "textured" = smooth colour noise (a random coarse grid, bilinearly upsampled) around a random
    base colour, plus coloured stripes of random direction and frequency. Both terms are sums of
    separable products, so one batched product ``rows @ G @ cols.T`` draws them.
    """
    if kind == "plain":
        return np.full((n, size, size, 3), PLAIN_GRAY, np.float32)
    cells = max(2, size // 10)
    base = rng.uniform(50, 190, size=(n, 1, 1, 3))
    amp = rng.uniform(20, 55, size=(n, 1, 1, 1))
    angle = rng.uniform(0, np.pi, size=(n, 1))
    freq = rng.uniform(2, 7, size=(n, 1)) * 2 * np.pi / size
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    stripe_colour = rng.uniform(-35, 35, size=(n, 3))
    pos = np.arange(size)[None, :]
    a = freq * np.cos(angle) * pos + phase  # stripes: sin(a_i + b_j), split as
    b = freq * np.sin(angle) * pos  # sin a cos b + cos a sin b
    interp = np.broadcast_to(_interp_matrix(size, cells), (n, size, cells))
    left = np.concatenate([interp, np.sin(a)[..., None], np.cos(a)[..., None]], axis=2)
    right = np.concatenate([interp, np.cos(b)[..., None], np.sin(b)[..., None]], axis=2)
    mid = np.zeros((n, cells + 2, cells + 2, 3))
    mid[:, :cells, :cells] = base + amp * rng.uniform(-1, 1, size=(n, cells, cells, 3))
    mid[:, cells, cells] = mid[:, cells + 1, cells + 1] = stripe_colour
    f32 = np.float32
    return np.einsum("nik,nklc,njl->nijc", left.astype(f32), mid.astype(f32),
                     right.astype(f32), optimize=True)


def _place(rng, n, size, n_objects, max_objects):
    """Rejection-sample centres and radii; returns (n, max_objects) arrays and a validity mask."""
    r_lo, r_hi = max(2, int(round(0.09 * size))), max(3, int(round(0.2 * size)))
    radius = rng.integers(r_lo, r_hi + 1, size=(n, max_objects, _TRIES))
    margin = np.ceil(1.2 * radius).astype(int) + 1
    u = rng.random(size=(n, max_objects, _TRIES, 2))
    span = np.maximum(size - 2 * margin, 1)
    rows = margin + (u[..., 0] * span).astype(int)
    cols = margin + (u[..., 1] * span).astype(int)
    out_r = np.zeros((n, max_objects), int)
    out_cr = np.zeros((n, max_objects), int)
    out_cc = np.zeros((n, max_objects), int)
    valid = np.arange(max_objects)[None, :] < n_objects[:, None]
    for i in range(n):
        placed = []
        for k in range(n_objects[i]):
            choice = _TRIES - 1  # if nothing fits, the last candidate may overlap a little
            for t in range(_TRIES):
                r, cr, cc = radius[i, k, t], rows[i, k, t], cols[i, k, t]
                if all((cr - pr) ** 2 + (cc - pc) ** 2 >= (1.1 * (r + pr_r)) ** 2
                       for pr, pc, pr_r in placed):
                    choice = t
                    break
            r, cr, cc = radius[i, k, choice], rows[i, k, choice], cols[i, k, choice]
            placed.append((cr, cc, r))
            out_r[i, k], out_cr[i, k], out_cc[i, k] = r, cr, cc
    return out_r, out_cr, out_cc, valid


def _draw(images, masks, boxes, shapes, valid, shape_id, radius, c_row, c_col, colour):
    """Draw the shapes of one chunk in place, slot 0 first; fill their boxes."""
    size = images.shape[1]
    grid = np.arange(size, dtype=np.float32)
    top = np.full(masks.shape, -1, np.int8)  # slot of the shape visible at each pixel
    for k in range(valid.shape[1]):
        for s, name in enumerate(shapes):
            idx = np.flatnonzero(valid[:, k] & (shape_id[:, k] == s))
            if idx.size == 0:
                continue
            dy = grid[None, :, None] - c_row[idx, k, None, None].astype(np.float32)
            dx = grid[None, None, :] - c_col[idx, k, None, None].astype(np.float32)
            inside = _shape_mask(name, dy, dx, radius[idx, k, None, None].astype(np.float32))
            top[idx] = np.where(inside, np.int8(k), top[idx])
            any_row, any_col = inside.any(axis=2), inside.any(axis=1)
            boxes[idx, k, 0] = any_row.argmax(axis=1)
            boxes[idx, k, 1] = any_col.argmax(axis=1)
            boxes[idx, k, 2] = size - any_row[:, ::-1].argmax(axis=1)
            boxes[idx, k, 3] = size - any_col[:, ::-1].argmax(axis=1)
    flat = np.flatnonzero(top >= 0)  # pixels covered by a shape
    owner = flat // (size * size) * valid.shape[1] + top.ravel()[flat]  # (image, slot) row
    masks.reshape(-1)[flat] = np.take(shape_id.ravel() + 1, owner)
    images.reshape(-1, 3)[flat] = np.take(colour.reshape(-1, 3), owner, axis=0)


def generate_scenes(n, size=64, max_objects=3, min_objects=1,
                    shapes=("circle", "square", "triangle"),
                    colours=("red", "green", "blue", "yellow"),
                    background="textured", seed=0):
    """Draw ``n`` scenes of coloured shapes with exact segmentation masks and boxes.

    Each scene holds between ``min_objects`` and ``max_objects`` shapes of random kind, colour
    and size (radius about 9% to 20% of ``size``), placed by rejection sampling so that they
    rarely overlap; where they do, the later shape is drawn over the earlier one and the mask
    follows what is visible. The class of a pixel is the *shape*, not the colour, so a model
    has to look at form.

    Parameters
    ----------
    n : int >= 1, number of scenes
    size : int >= 16, height and width in pixels
    max_objects, min_objects : ints, 0 <= min_objects <= max_objects <= 8
    shapes : tuple of names from ``SHAPES`` ("circle", "square", "triangle", "diamond"); class
        id ``i + 1`` is ``shapes[i]``
    colours : tuple of names from ``COLOURS`` (red, green, blue, yellow, magenta, cyan, white)
    background : "textured" (random smooth colour noise plus stripes) or "plain" (uniform dark
        gray, value 60)
    seed : int, the same seed gives the same scenes

    Returns
    -------
    Scenes
        ``images`` (n, size, size, 3) uint8, ``masks`` (n, size, size) uint8,
        ``objects`` (n lists of :class:`SceneObject`), ``shape_names`` ``("background", *shapes)``.

    Examples
    --------
    >>> s = generate_scenes(2, size=32, seed=1)
    >>> s.images.shape, s.masks.shape, s.shape_names
    ((2, 32, 32, 3), (2, 32, 32), ('background', 'circle', 'square', 'triangle'))
    """
    n = _validate.integer("n", n, minimum=1)
    size = _validate.integer("size", size, minimum=16)
    max_objects = _validate.integer("max_objects", max_objects, minimum=0, maximum=8)
    min_objects = _validate.integer("min_objects", min_objects, minimum=0, maximum=8)
    if min_objects > max_objects:
        raise ValueError(f"min_objects ({min_objects}) must be <= max_objects ({max_objects})")
    shapes = _names("shapes", shapes, SHAPES)
    colours = _names("colours", colours, tuple(COLOURS))
    if background not in BACKGROUNDS:
        raise ValueError(f"background must be one of {BACKGROUNDS}, got {background!r}")
    seed = _validate.integer("seed", seed, minimum=0)

    rng = np.random.default_rng(seed)
    n_objects = rng.integers(min_objects, max_objects + 1, size=n)
    slots = max(max_objects, 1)
    radius, c_row, c_col, valid = _place(rng, n, size, n_objects, slots)
    shape_id = rng.integers(0, len(shapes), size=valid.shape)
    colour_id = rng.integers(0, len(colours), size=valid.shape)
    jitter = rng.integers(-25, 26, size=valid.shape + (3,))
    palette = np.array([COLOURS[c] for c in colours], np.float32)
    colour = np.clip(palette[colour_id] + jitter, 0, 255).astype(np.uint8)
    images = np.empty((n, size, size, 3), np.uint8)
    masks = np.zeros((n, size, size), np.uint8)
    boxes = np.zeros(valid.shape + (4,), int)
    for start in range(0, n, _CHUNK):  # chunks keep the float temporaries small
        part = slice(start, min(start + _CHUNK, n))
        background_part = _backgrounds(rng, part.stop - start, size, background)
        images[part] = np.clip(background_part, 0, 255, out=background_part)
        _draw(images[part], masks[part], boxes[part], shapes, valid[part], shape_id[part],
              radius[part], c_row[part], c_col[part], colour[part])

    objects = [[SceneObject(shapes[shape_id[i, k]], colours[colour_id[i, k]],
                            (int(c_row[i, k]), int(c_col[i, k])), int(radius[i, k]),
                            tuple(int(v) for v in boxes[i, k]))
                for k in range(n_objects[i])] for i in range(n)]
    return Scenes(images, masks, objects, ("background",) + shapes)


# ---------------------------------------------------------------- captions by a small grammar

def _phrase(obj):
    return f"a {obj.colour} {obj.shape}"


def scene_caption(objects):
    """The caption of one generated scene, from its objects, by a small grammar.

    Objects are named left to right (by column of their centre). One object: "a red circle".
    Two: "a red circle above a blue square" when the vertical distance of the centres is larger
    than the horizontal one (the upper object first, "above"), else "a red circle left of a blue
    square". Three: "a red circle , a blue square and a green triangle" (left to right).

    Parameters
    ----------
    objects : list of 1 to 3 objects with attributes ``shape``, ``colour`` and
        ``centre`` = (row, col), such as ``cnnlib.scenes.SceneObject``

    Returns
    -------
    str, the caption (lower case, tokens separated by single spaces).
    """
    objects = list(objects)
    if not 1 <= len(objects) <= 3:
        raise ValueError(f"objects must hold 1 to 3 objects, got {len(objects)}")
    for obj in objects:
        if not all(hasattr(obj, a) for a in ("shape", "colour", "centre")):
            raise TypeError("each object needs attributes shape, colour and centre=(row, col)")
    ordered = caption_order(objects)
    if len(ordered) == 1:
        return _phrase(ordered[0])
    if len(ordered) == 2:
        a, b = ordered
        (ra, ca), (rb, cb) = a.centre, b.centre
        if abs(ra - rb) > abs(ca - cb):
            return f"{_phrase(a)} above {_phrase(b)}"
        return f"{_phrase(a)} left of {_phrase(b)}"
    return f"{_phrase(ordered[0])} , {_phrase(ordered[1])} and {_phrase(ordered[2])}"


def caption_order(objects):
    """The objects in the order ``scene_caption`` names them.

    Parameters
    ----------
    objects : list of objects with ``centre`` = (row, col)

    Returns
    -------
    list of the same objects: for two objects whose centres differ more vertically than
    horizontally, top to bottom; otherwise left to right (ties broken by row).
    """
    objects = list(objects)
    if len(objects) == 2:
        (ra, ca), (rb, cb) = objects[0].centre, objects[1].centre
        if abs(ra - rb) > abs(ca - cb):
            return sorted(objects, key=lambda o: (o.centre[0], o.centre[1]))
    return sorted(objects, key=lambda o: (o.centre[1], o.centre[0]))


def scene_captions(objects_per_image):
    """Captions of many scenes.

    Parameters
    ----------
    objects_per_image : list of N lists of objects (``Scenes.objects``)

    Returns
    -------
    list of N str captions.
    """
    return [scene_caption(objects) for objects in objects_per_image]


def held_out_mask(objects_per_image, combinations):
    """Which scenes contain a held-out colour/shape combination.

    Parameters
    ----------
    objects_per_image : list of N lists of objects with ``colour`` and ``shape``
    combinations : iterable of (colour, shape) pairs, e.g. [("blue", "triangle")]

    Returns
    -------
    (N,) bool, True where a scene holds at least one object of a held-out combination.
    """
    for name, value in (("objects_per_image", objects_per_image),
                        ("combinations", combinations)):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise TypeError(f"{name} must be a list, got {type(value).__name__}")
    combos = set()
    for combo in combinations:
        if isinstance(combo, str) or len(combo) != 2:
            raise ValueError(f"combinations must hold (colour, shape) pairs, got {combo!r}")
        combos.add(tuple(combo))
    return np.array([any((o.colour, o.shape) in combos for o in objects)
                     for objects in objects_per_image], bool)
