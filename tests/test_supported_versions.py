"""The versions cnnlib declares are the ones CI tests: the lowest stack (Colab's runtime,
requirements-colab.txt) for the lower bounds in pyproject.toml, and the pins in
requirements.txt, which must satisfy them too."""

import tomllib

import pytest
from packaging.requirements import Requirement

from conftest import ROOT


def pins(filename):
    """{canonical name: version} of the `name==version` lines of a requirements file."""
    out = {}
    for line in (ROOT / filename).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"{filename}: {line!r} is not pinned with =="
            out[req.name.lower().replace("_", "-")] = spec.version
    return out


DEPENDENCIES = [Requirement(r) for r in
                tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]


@pytest.mark.parametrize("requirement", DEPENDENCIES, ids=str)
def test_lower_bound_is_the_colab_version(requirement):
    (spec,) = requirement.specifier
    assert spec.operator == ">=", f"{requirement}: declare a lower bound (>=), not a pin"
    colab = pins("requirements-colab.txt")
    assert spec.version == colab[requirement.name], (
        f"{requirement}: requirements-colab.txt has {colab[requirement.name]}")


@pytest.mark.parametrize("requirement", DEPENDENCIES, ids=str)
def test_pinned_version_satisfies_the_bound(requirement):
    version = pins("requirements.txt")[requirement.name]
    assert requirement.specifier.contains(version), f"requirements.txt pins {version}"


def test_colab_stack_keeps_what_the_chapters_import_beyond_cnnlib():
    colab = pins("requirements-colab.txt")
    for name in ("ipykernel", "scipy", "threadpoolctl", "statsmodels"):
        assert name in colab, f"requirements-colab.txt lacks {name}"
