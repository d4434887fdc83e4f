"""Every public docstring of cnnlib is valid reST once napoleon has read its numpydoc sections.

The book's API page renders them with ``-W``: a broken docstring fails the whole build, after
every chapter has executed. This test finds it in a second.
"""

import importlib
import inspect
import io
import pkgutil

import docutils.core
import pytest
from sphinx.ext.napoleon import Config
from sphinx.ext.napoleon.docstring import NumpyDocstring

import cnnlib

MODULES = sorted("cnnlib." + m.name for m in pkgutil.walk_packages(cnnlib.__path__)
                 if not m.name.startswith("_"))
SPHINX_ONLY = ("Unknown interpreted text role", "No role entry", 'Trying "')


def public_objects(module):
    yield module.__name__, module
    for name, obj in vars(module).items():
        if (not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
                and obj.__module__ == module.__name__):
            yield f"{module.__name__}.{name}", obj


def rest_problems(docstring):
    rst = str(NumpyDocstring(docstring, Config(napoleon_use_param=True)))
    messages = io.StringIO()
    docutils.core.publish_doctree(rst, settings_overrides={"warning_stream": messages,
                                                           "report_level": 2})
    return [line for line in messages.getvalue().splitlines()
            if "(WARNING" in line or "(ERROR" in line or "(SEVERE" in line
            if not any(s in line for s in SPHINX_ONLY)]


def test_the_check_finds_a_broken_docstring():
    broken = "Rows.\n\nReturns\n-------\nrows : list of ``(a, b\n    c)`` tuples\n"
    assert rest_problems(broken) and not rest_problems("Rows.\n\nReturns\n-------\nrows : list\n")


@pytest.mark.parametrize("name", MODULES)
def test_docstrings_are_valid_rest(name):
    problems = {qual: rest_problems(inspect.getdoc(obj))
                for qual, obj in public_objects(importlib.import_module(name))
                if inspect.getdoc(obj)}
    assert not {q: p for q, p in problems.items() if p}
