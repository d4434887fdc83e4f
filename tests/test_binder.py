"""Binder's files agree with requirements.txt and the venv.

repo2docker reads binder/ in preference to the repository root: binder/requirements.txt holds only
the runtime (what the chapters and cnnlib import, plus the kernel and widgets), with the same pins
as requirements.txt, so Binder does not install the book build and test stack.
"""

import re
import sys
import tomllib

from conftest import ROOT


BINDER = ROOT / "binder"
# Installed for building the book or running the tests only: never on Binder
BUILD_AND_TEST_ONLY = {"jupyter-book", "sphinx-exercise", "pytest", "pytest-xdist", "nbval",
                       "nbclient", "playwright", "pypdf", "pyyaml", "psutil", "nltk",
                       "hypothesis", "mutmut"}


def normalise(name):
    return re.sub(r"[-_.]+", "-", name.lower())


def pinned(path=ROOT / "requirements.txt"):
    """{normalised package name: version} from a requirements file."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"{path.name}: {line!r} is not pinned with =="
            pins[normalise(name)] = version
    return pins


def test_runtime_txt_names_the_python_the_book_is_tested_with():
    runtime = (ROOT / "runtime.txt").read_text().strip()
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}", runtime


def test_every_cnnlib_dependency_is_pinned_for_binder():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = pinned()
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name.lower()) in pins, f"{name} is not in requirements.txt"


def test_postbuild_installs_cnnlib_without_touching_the_pins():
    post_build = (ROOT / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build
    assert (ROOT / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def test_binder_pins_are_requirements_txt_pins():
    binder, pins = pinned(BINDER / "requirements.txt"), pinned()
    assert binder, "binder/requirements.txt is empty"
    for name, version in binder.items():
        assert name in pins, f"binder/requirements.txt: {name} is not in requirements.txt"
        assert version == pins[name], f"{name}: Binder pins {version}, requirements.txt {pins[name]}"


def test_binder_installs_every_cnnlib_dependency_and_the_kernel():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    binder = pinned(BINDER / "requirements.txt")
    for requirement in project["dependencies"]:
        name = normalise(re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0])
        assert name in binder, f"{name} (a cnnlib dependency) is not in binder/requirements.txt"
    for name in ("ipykernel", "ipywidgets"):
        assert name in binder, f"{name} is not in binder/requirements.txt"


def test_binder_does_not_install_the_build_and_test_stack():
    binder = pinned(BINDER / "requirements.txt")
    assert not BUILD_AND_TEST_ONLY & set(binder), sorted(BUILD_AND_TEST_ONLY & set(binder))
    # every pin of requirements.txt is either on Binder or named here as build/test-only
    unaccounted = set(pinned()) - set(binder) - BUILD_AND_TEST_ONLY
    assert not unaccounted, f"neither on Binder nor build/test-only: {sorted(unaccounted)}"


def test_binder_postbuild_and_runtime_match_the_root_ones():
    post_build = (BINDER / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build
    assert (BINDER / "postBuild").stat().st_mode & 0o111, "binder/postBuild must be executable"
    runtime = (ROOT / "runtime.txt").read_text().strip()
    assert (BINDER / "runtime.txt").read_text().strip() == runtime
