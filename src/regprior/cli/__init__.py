"""Command line ``regprior``: parse, call the library, print and write (no numerics).

``regprior compare``, ``path``, ``choose``, ``loo`` and ``report``, one module each; the
options they share, the output writers and the worker processes live beside them.
"""

from regprior.cli._main import main

__all__ = ["main"]
