"""cnnlib.course_sample: the sample in data/, its shipped hashes, the resolution order, and the
download path for real, against an HTTP server on 127.0.0.1 serving this checkout's data/."""

import hashlib
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cnnlib import course_sample, datasets
from conftest import ROOT

DATA = ROOT / "data"
pytestmark = pytest.mark.usefixtures("offline_datasets")


# ---------------------------------------------------------------- the sample and its hashes
def test_shipped_hashes_are_data_sha256sums():
    shipped = course_sample.MANIFEST.read_text(encoding="utf-8")
    assert shipped == (DATA / "SHA256SUMS").read_text(encoding="utf-8")


def test_every_file_of_data_matches_its_hash_and_nothing_is_unlisted():
    listed = set()
    for name in course_sample.NAMES:
        files = course_sample.manifest(name)
        assert files, f"no file of {name} in the manifest"
        course_sample.verify(DATA / name, files)
        listed |= {f"{name}/{rel}" for rel in files}
    on_disk = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file()}
    assert on_disk - listed == {"README.md", "SHA256SUMS"}


def test_sample_size_and_readme():
    size = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert size <= 35 * 2**20, f"data/ holds {size / 2**20:.1f} MB, more than 35 MB"
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in course_sample.NAMES:
        assert f"`{name}/`" in readme, f"data/README.md does not describe {name}/"
    for citation in ("LeCun", "Zalando", "Krizhevsky", "Kotzias", "Hodosh", "Brostow"):
        assert citation in readme


def test_unknown_dataset_is_refused():
    with pytest.raises(ValueError, match="unknown dataset 'imagenet'; the course sample has: mnist"):
        course_sample.locate("imagenet")
    with pytest.raises(TypeError, match="name must be a str .*, got int"):
        course_sample.locate(3)


# ---------------------------------------------------------------- a local server
class Server:
    """data/ served on 127.0.0.1; `corrupt` and `truncate` name files to serve wrongly."""

    def __init__(self, root):
        self.requests, self.corrupt, self.truncate = [], set(), set()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                rel = self.path.removeprefix("/data/")
                server.requests.append(rel)
                path = root / rel
                if not path.is_file():
                    self.send_error(404)
                    return
                body = path.read_bytes()
                if rel in server.corrupt:
                    body = bytes([body[0] ^ 1]) + body[1:]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:len(body) // 2] if rel in server.truncate else body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/data"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    s = Server(DATA)
    monkeypatch.setenv("CNNLIB_DATA_URL", s.url)
    yield s
    s.close()


def cache(tmp_path):
    return tmp_path / "cache" / "data"


def leftovers(tmp_path):
    """Anything in the cache that is not a complete dataset folder (a staging folder)."""
    root = cache(tmp_path)
    return [p.name for p in root.iterdir() if p.name.startswith(".")] if root.exists() else []


def test_cold_then_warm_cache(server, tmp_path):
    folder, where = course_sample.locate("camvid")
    assert folder == cache(tmp_path) / "camvid" and where.startswith("the course sample, "
                                                                      "downloaded to")
    files = course_sample.manifest("camvid")
    assert sorted(server.requests) == sorted(f"camvid/{rel}" for rel in files)
    for rel in files:
        assert (folder / rel).read_bytes() == (DATA / "camvid" / rel).read_bytes()
    server.requests.clear()
    folder_again, where = course_sample.locate("camvid")
    assert folder_again == folder and where.startswith("the course sample, cached in")
    assert server.requests == []  # warm: nothing downloaded
    assert leftovers(tmp_path) == []


def test_loaders_use_the_downloaded_sample(server, capsys):
    ds = datasets.load_dataset("mnist")
    assert ds.source == "local" and len(ds.x_train) == 8000
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "downloaded to" in out and "Downloading" not in out


def test_hash_mismatch_is_an_error_and_leaves_nothing(server, tmp_path):
    server.corrupt.add("sentiment_sentences/yelp_labelled.txt")
    with pytest.raises(ValueError, match=r"sentiment_sentences/yelp_labelled.txt: \d[\d,]* bytes "
                                         r"that do not match the course sample's SHA-256"):
        course_sample.locate("sentiment_sentences")
    assert not (cache(tmp_path) / "sentiment_sentences").exists()
    assert leftovers(tmp_path) == []
    server.corrupt.clear()  # a retry downloads it afresh
    assert course_sample.locate("sentiment_sentences")[0].is_dir()


def test_truncated_download_is_an_error_and_leaves_nothing(server, tmp_path):
    server.truncate.add("mnist/t10k-labels-idx1-ubyte.gz")
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte.gz: the download stopped after "
                                         r"[\d,]+ bytes \(partial file, discarded\)"):
        course_sample.locate("mnist")
    assert not (cache(tmp_path) / "mnist").exists() and leftovers(tmp_path) == []


def test_missing_file_on_the_server(server, tmp_path, monkeypatch):
    monkeypatch.setenv("CNNLIB_DATA_URL", server.url + "/nowhere")
    with pytest.raises(ValueError, match="the server answered 404"):
        course_sample.locate("fashion_mnist")
    assert leftovers(tmp_path) == []


def test_server_down_means_unreachable_and_a_standin(tmp_path, capsys):
    with pytest.raises(course_sample.Unreachable, match="cannot download http://127.0.0.1:9/"):
        course_sample.locate("fashion_mnist")
    assert leftovers(tmp_path) == []
    ds = datasets.load_dataset("fashion_mnist")
    assert ds.source == "standin" and "will differ from the book's" in capsys.readouterr().out


def test_changed_file_in_the_cache_is_an_error_that_says_what_to_do(server, tmp_path):
    folder, _ = course_sample.locate("flickr8k")
    (folder / "captions.txt").write_text("image,caption\n")
    with pytest.raises(ValueError, match=r"captions.txt does not match the course sample's "
                                         r"SHA-256 .* delete the folder .*flickr8k"):
        course_sample.locate("flickr8k")
    (folder / "captions.txt").unlink()
    with pytest.raises(ValueError, match=r"captions.txt is missing from the course sample"):
        course_sample.locate("flickr8k")


def test_concurrent_loads_from_two_processes(server, tmp_path):
    code = ("from cnnlib import course_sample; "
            "print(course_sample.locate('camvid')[0])")
    env = {"CNNLIB_CACHE_DIR": str(tmp_path / "cache"), "CNNLIB_DATA_URL": server.url,
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    # the checkout's data/ must not be found: run from a copy of cnnlib outside the checkout
    copy = tmp_path / "pkg" / "cnnlib"
    copy.mkdir(parents=True)
    for path in (ROOT / "cnnlib").glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    (copy / course_sample.MANIFEST.name).write_bytes(course_sample.MANIFEST.read_bytes())
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=copy.parent, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert Path(out.strip()) == cache(tmp_path) / "camvid"
    assert leftovers(tmp_path) == []
    files = course_sample.manifest("camvid")
    course_sample.verify(cache(tmp_path) / "camvid", files)
    assert len(server.requests) >= len(files)  # both may have downloaded; one copy was kept


# ---------------------------------------------------------------- the resolution order, offline
def test_resolution_order(monkeypatch, tmp_path):
    chosen = tmp_path / "chosen"
    (chosen / "mnist").mkdir(parents=True)
    monkeypatch.setattr(course_sample, "CHECKOUT_DATA", DATA)
    cached = cache(tmp_path) / "mnist"
    cached.mkdir(parents=True)
    for rel in course_sample.manifest("mnist"):
        (cached / rel).write_bytes((DATA / "mnist" / rel).read_bytes())
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(chosen))
    assert course_sample.locate("mnist") == (chosen / "mnist", f"CNNLIB_DATA_DIR ({chosen / 'mnist'})")
    # a CNNLIB_DATA_DIR without that dataset is passed over
    assert course_sample.locate("camvid")[0] == DATA / "camvid"
    monkeypatch.delenv("CNNLIB_DATA_DIR")
    assert course_sample.locate("mnist") == (DATA / "mnist",
                                             "the course sample in this checkout's data/")
    monkeypatch.setattr(course_sample, "CHECKOUT_DATA", tmp_path / "pip_installed")
    assert course_sample.locate("mnist")[0] == cached
    with pytest.raises(course_sample.Unreachable, match=r"cannot download \S+/camvid/"):
        course_sample.locate("camvid")  # nothing cached, no server


def test_checkout_file_changed_is_an_error(monkeypatch, tmp_path):
    copy = tmp_path / "data"
    (copy / "mnist").mkdir(parents=True)
    for rel in course_sample.manifest("mnist"):
        (copy / "mnist" / rel).write_bytes((DATA / "mnist" / rel).read_bytes())
    target = copy / "mnist" / "t10k-labels-idx1-ubyte.gz"
    target.write_bytes(target.read_bytes()[:-1])
    monkeypatch.setattr(course_sample, "CHECKOUT_DATA", copy)
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte.gz does not match .* "
                                         r"restore it with `git checkout -- data/`"):
        course_sample.locate("mnist")
    assert hashlib.sha256(target.read_bytes()).hexdigest() != \
        course_sample.manifest("mnist")["t10k-labels-idx1-ubyte.gz"]
