"""cnnlib: the small helper library the chapters of the CNN course build on.

One concept per module: ``env`` (seeding, device, Colab), ``datasets`` (offline-first data),
``arithmetic`` (parameter counts), ``perturb`` (pixel shifts and permutations), ``plot``.
"""

__version__ = "0.1.0"
