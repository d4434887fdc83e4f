"""Root pytest configuration: load the nbval-to-execution-cache bridge, tools/nbval_cache.py."""

pytest_plugins = ["tools.nbval_cache"]
