"""The nbval -> execution-cache bridge (tools/nbval_cache.py) reads nbval and jupyter-cache
internals; these tests fail loudly when those change, instead of the book build silently
executing every notebook a second time."""

import inspect

import nbformat
import pytest
from jupyter_cache.base import CacheBundleIn
from nbval import plugin as nbval_plugin

from tools import nbval_cache


def test_nbval_still_has_the_cell_class_and_attributes_the_bridge_reads():
    cell = getattr(nbval_plugin, nbval_cache.NBVAL_CELL)
    assert "self.test_outputs" in inspect.getsource(cell), "nbval cells no longer keep outputs"
    assert "self.nb" in inspect.getsource(nbval_plugin.IPyNbFile), "nbval files lost .nb"


def test_jupyter_cache_bundle_takes_what_the_bridge_passes():
    params = inspect.signature(CacheBundleIn).parameters
    assert {"nb", "uri", "data"} <= set(params)


def test_the_plugin_is_loaded_by_the_root_conftest(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("tools.nbval_cache")


class _Item:
    def __init__(self, parent, **attrs):
        self.parent = parent
        self.__dict__.update(attrs)


def test_missing_nbval_attributes_raise_instead_of_storing_nothing():
    parent = type("P", (), {"nb": nbformat.v4.new_notebook()})()
    item = type(nbval_cache.NBVAL_CELL, (_Item,), {})(parent)  # no test_outputs
    with pytest.raises(RuntimeError, match="lack test_outputs; nbval's internals changed"):
        nbval_cache._is_nbval_cell(item)
    item.test_outputs = []
    assert nbval_cache._is_nbval_cell(item)
    assert not nbval_cache._is_nbval_cell(_Item(parent))
