"""The package's version, in a module of its own that imports nothing.

``inceptionsk.__version__``, the command line's ``--version`` and the header of saved
models read it from here, and ``pyproject.toml`` reads it without importing the package.
"""

__version__ = "0.1.0"
