"""Samples for the later chapters: CamVid street scenes (chapter 10), Flickr8k captions (11).

Both come from the course sample (or ``<data_dir>/camvid/``, ``<data_dir>/flickr8k/``), with no
stand-in: when the sample cannot be reached the loader prints the :mod:`cnnlib.datasets` notice
and returns None, and the chapter skips that section.
"""

import csv
from typing import NamedTuple

import numpy as np

from cnnlib.datasets._source import notice, sample_or_notice

#: SegNet's 11 CamVid classes; label 11 is "void" (unlabelled).
CAMVID_CLASSES = ("sky", "building", "pole", "road", "pavement", "tree", "sign/symbol", "fence",
                  "car", "pedestrian", "bicyclist")
CAMVID_VOID = 11


class CamVid(NamedTuple):
    """The CamVid sample (a NamedTuple with these fields).

    - ``images``: uint8 array (N, 360, 480, 3)
    - ``masks``: uint8 array (N, 360, 480), ids into ``class_names``, ``void`` = unlabelled
    - ``names``: tuple of the N file names
    - ``class_names``: the 11 classes (``CAMVID_CLASSES``)
    - ``void``: int, 11
    - ``description``: one line saying what this is
    """

    images: np.ndarray
    masks: np.ndarray
    names: tuple
    class_names: tuple
    void: int
    description: str


def load_camvid(data_dir=None):
    """Load the CamVid scenes of the course sample (or of ``<data_dir>/camvid/``).

    The folder holds ``images/*.png`` (RGB) and ``masks/*.png`` (same names, uint8 class ids,
    11 = void), as in the SegNet tutorial copy of CamVid (Brostow et al. 2008);
    :func:`cnnlib.course_sample.locate` finds the sample's copy.

    Parameters
    ----------
    data_dir : str, path or None (default: the course sample)

    Returns
    -------
    CamVid, or None (with the notice) when the course sample cannot be reached (no
    local copy and no network). A ``data_dir`` without ``camvid/images`` and ``camvid/masks``
    raises FileNotFoundError; unreadable or mismatched files raise ValueError.
    """
    from PIL import Image

    found = sample_or_notice("camvid", "camvid", data_dir, "the real street scenes are skipped")
    if found is None:
        return None
    folder, where = found
    if not (folder / "images").is_dir() or not (folder / "masks").is_dir():
        raise FileNotFoundError(f"no camvid/images and camvid/masks folders in {folder.parent}")
    names = tuple(sorted(p.name for p in (folder / "images").glob("*.png")))
    if not names:
        raise ValueError(f"{folder / 'images'} holds no .png files")
    images, masks = [], []
    for name in names:
        mask_path = folder / "masks" / name
        if not mask_path.is_file():
            raise ValueError(f"image {name} has no mask {mask_path}")
        image = np.asarray(Image.open(folder / "images" / name).convert("RGB"))
        mask = np.asarray(Image.open(mask_path))
        if mask.ndim != 2 or mask.shape != image.shape[:2]:
            raise ValueError(f"mask {name} has shape {mask.shape}, expected {image.shape[:2]}")
        if mask.max() > CAMVID_VOID:
            raise ValueError(f"mask {name} holds label {mask.max()}, allowed 0..{CAMVID_VOID}")
        images.append(image)
        masks.append(mask.astype(np.uint8))
    shapes = {im.shape for im in images}
    if len(shapes) != 1:
        raise ValueError(f"CamVid images differ in size: {sorted(shapes)}")
    h, w = images[0].shape[:2]
    description = (f"CamVid sample: {len(names)} street scenes {h}x{w} with per-pixel labels "
                   f"(11 classes + void), from {where}")
    notice("camvid", description)
    return CamVid(np.stack(images), np.stack(masks), names, CAMVID_CLASSES, CAMVID_VOID,
                  description)


class Flickr8k(NamedTuple):
    """Human captions of Flickr8k images (a NamedTuple with these fields).

    - ``captions``: dict mapping an image file name to its list of (usually 5) str captions
    - ``image_dir``: pathlib.Path or None, the folder holding (some of) the images
    - ``images``: list of str, the image files present in ``image_dir``
    """

    captions: dict
    image_dir: object
    images: list


def load_flickr8k_captions(data_dir=None):
    """The Flickr8k captions of the course sample (or of ``<data_dir>/flickr8k/``).

    Reads ``captions.txt`` (CSV with a header ``image,caption``) and lists ``images/*.jpg``.
    Prints one line saying what was found. Flickr8k (Hodosh et al. 2013) is for research use.

    Parameters
    ----------
    data_dir : str, path or None (default: the course sample, see :mod:`cnnlib.course_sample`)

    Returns
    -------
    Flickr8k, or None when the course sample cannot be reached (the notice says so). A
    ``data_dir`` without ``flickr8k/captions.txt`` raises FileNotFoundError.
    """
    found = sample_or_notice("flickr8k", "flickr8k", data_dir,
                             "the real-caption section is skipped")
    if found is None:
        return None
    folder, where = found
    path = folder / "captions.txt"
    if not path.is_file():
        raise FileNotFoundError(f"no flickr8k/captions.txt in {folder.parent}")
    captions = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header[:2]] != ["image", "caption"]:
            raise ValueError(f"{path} must start with the header 'image,caption', got {header}")
        for row in reader:
            if not row:
                continue
            if len(row) < 2:
                raise ValueError(f"{path}: a row without caption: {row}")
            captions.setdefault(row[0], []).append(",".join(row[1:]).strip())
    image_dir = path.parent / "images"
    images = sorted(p.name for p in image_dir.glob("*.jpg")) if image_dir.is_dir() else []
    notice("flickr8k", f"{len(captions)} images x "
          f"{round(np.mean([len(c) for c in captions.values()]))} human captions "
          f"({len(images)} image files), from {where}")
    return Flickr8k(captions, image_dir if images else None, images)
