"""Where the course sample is: the small real datasets every build of the book computes on.

The sample is the repository's ``data/`` folder (MNIST test set, Fashion-MNIST, a CIFAR-10
subset, UCI sentiment sentences, Flickr8k captions, CamVid scenes), one sub-folder per
dataset. Its SHA-256 hashes ship inside cnnlib (``course_sample.sha256``, a copy of
``data/SHA256SUMS``). :func:`locate` finds a dataset's folder, trying in order:

1. ``$CNNLIB_DATA_DIR/<name>/``, a folder the reader chose (used as it is, not hash-checked);
2. ``data/<name>/`` of the checkout cnnlib was installed from (``pip install -e .``);
3. ``<cache>/data/<name>/`` (``$CNNLIB_CACHE_DIR``, default ``~/.cache/cnnlib``), downloaded
   on first use from ``$CNNLIB_DATA_URL`` (default :data:`DATA_URL`, this repository's
   ``data/`` folder): what a pip-installed cnnlib in Colab uses.

Files from 2 and 3 are checked against the shipped hashes on every load: a changed, missing or
truncated file raises ValueError naming it and saying what to do. A download is written to a
temporary folder and moved into the cache only once every file is verified, so the cache never
holds a partial dataset, also with several processes downloading at once. Used by
:mod:`cnnlib.datasets` (chapters 1-9), :func:`cnnlib.segmentation.load_camvid` (chapter 10) and
:func:`cnnlib.captioning.load_flickr8k_captions` (chapter 11).
"""

import concurrent.futures
import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from cnnlib.env import cache_dir

# The one place the sample's address is named (keep it in step with _config.yml's repository).
DATA_URL = "https://raw.githubusercontent.com/cnn-course/cnn-book/main/data"
NAMES = ("mnist", "fashion_mnist", "cifar10", "sentiment_sentences", "flickr8k", "camvid")
CHECKOUT_DATA = Path(__file__).resolve().parent.parent / "data"
MANIFEST = Path(__file__).resolve().parent / "course_sample.sha256"


class Unreachable(OSError):
    """The course sample is neither on this machine nor downloadable (no network)."""


def manifest(name):
    """The files of one dataset of the sample and their hashes.

    Parameters
    ----------
    name : str, one of :data:`NAMES`

    Returns
    -------
    files : dict {path relative to ``<name>/``: SHA-256 hex digest}
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str (a dataset of the course sample), "
                        f"got {type(name).__name__}")
    if name not in NAMES:
        raise ValueError(f"unknown dataset {name!r}; the course sample has: {', '.join(NAMES)}")
    files = {}
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        digest, path = line.split(maxsplit=1)
        top, _, rest = path.removeprefix("./").partition("/")
        if top == name:
            files[rest] = digest
    return files


def locate(name):
    """The folder holding dataset ``name`` and a few words saying where it came from.

    Parameters
    ----------
    name : str, one of :data:`NAMES`

    Returns
    -------
    folder : pathlib.Path, e.g. ``Path(".../data/mnist")``
    origin : str, e.g. ``"the course sample in data/"``

    Raises
    ------
    Unreachable
        When the sample is not here and cannot be downloaded.
    ValueError
        When a file of it does not match its hash.
    """
    files = manifest(name)
    chosen = os.environ.get("CNNLIB_DATA_DIR")
    if chosen:
        folder = Path(chosen) / name
        if folder.is_dir():
            return folder, f"CNNLIB_DATA_DIR ({folder})"
    folder = CHECKOUT_DATA / name
    if folder.is_dir():
        verify(folder, files)
        return folder, "the course sample in this checkout's data/"
    folder = cache_dir() / "data" / name
    if not folder.is_dir():
        download(name, folder, files)
        verify(folder, files)
        return folder, f"the course sample, downloaded to {folder}"
    verify(folder, files)
    return folder, f"the course sample, cached in {folder}"


def verify(folder, files):
    """Check every file of ``folder`` against its SHA-256.

    Parameters
    ----------
    folder : pathlib.Path, a dataset's folder
    files : dict {relative path: SHA-256 hex}, from :func:`manifest`

    Returns
    -------
    None; raises ValueError naming the first missing or changed file, and what to do
    """
    for rel, digest in files.items():
        path = folder / rel
        if not path.is_file():
            raise ValueError(f"{path} is missing from the course sample; {_remedy(folder)}")
        if _sha256(path.read_bytes()) != digest:
            raise ValueError(f"{path} does not match the course sample's SHA-256 (changed or "
                             f"truncated); {_remedy(folder)}")


def _remedy(folder):
    if folder.is_relative_to(CHECKOUT_DATA):
        return "restore it with `git checkout -- data/`"
    return f"delete the folder {folder} and load again to download it afresh"


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def download(name, folder, files, workers=16):
    """Download every file of dataset ``name`` into ``folder``, all verified, or nothing.

    The files go to a temporary sibling folder, which is renamed to ``folder`` once all are
    there and match their hashes; if another process finished first, its copy is kept.

    Parameters
    ----------
    name : str, one of :data:`NAMES`
    folder : pathlib.Path, where the dataset goes
    files : dict {relative path: SHA-256 hex}, from :func:`manifest`
    workers : int >= 1, parallel downloads

    Returns
    -------
    None
    """
    base = (os.environ.get("CNNLIB_DATA_URL") or DATA_URL).rstrip("/")
    jobs = [(f"{base}/{name}/{rel}", rel, digest) for rel, digest in sorted(files.items())]
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=folder.parent))
    try:
        url, rel, digest = jobs[0]
        _fetch(url, staging / rel, digest)  # alone first: no network fails once, not per file
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            futures = [pool.submit(_fetch, url, staging / rel, digest)
                       for url, rel, digest in jobs[1:]]
            try:
                for future in concurrent.futures.as_completed(futures):
                    future.result()
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
        try:
            staging.rename(folder)
        except OSError:
            if not folder.is_dir():  # not a lost race: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _fetch(url, path, digest):
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except urllib.error.HTTPError as err:
        raise ValueError(f"{url}: the server answered {err.code} {err.reason}; set "
                         f"CNNLIB_DATA_URL to a copy of the course sample's data/ folder") from err
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        reason = getattr(err, "reason", err)
        raise Unreachable(f"cannot download {url}: {reason}") from err
    except http.client.IncompleteRead as err:
        raise ValueError(f"{url}: the download stopped after {len(err.partial):,} bytes "
                         f"(partial file, discarded); load again to retry") from err
    if _sha256(data) != digest:
        raise ValueError(f"{url}: {len(data):,} bytes that do not match the course sample's "
                         f"SHA-256 (partial or changed file, discarded); load again to retry, "
                         f"or set CNNLIB_DATA_URL to a good copy")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
