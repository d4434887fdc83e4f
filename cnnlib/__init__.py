"""cnnlib: the small helper library the chapters of the CNN course build on.

One concept per module; `book/api.md` lists them all with their docstrings.
"""

__version__ = "0.1.0"
