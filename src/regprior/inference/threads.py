"""One BLAS thread inside the solvers and the sampler: stable timings, no oversubscription.

Measured on a 2-core machine (issue 12): with OpenBLAS at its default threads the same 50-alpha
lasso path (n = 10,000, p = 200) took 0.15 s to 2.4 s from one process to the next, and 0.05 s
every time with one thread; NUTS runs its chains in threads of its own, where a threaded BLAS
inside each chain was ~3x slower. The engines therefore pin BLAS to one thread while they run
(threadpoolctl) and restore the caller's setting afterwards.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

__all__ = ["one_blas_thread"]

_CONTROLLER = None
_STATE = threading.local()


@contextmanager
def one_blas_thread():
    """Limit every loaded BLAS library to one thread inside the block (~10 us per entry).

    Re-entrant: a block inside another (a path's solves inside the path) costs nothing.
    """
    global _CONTROLLER
    if getattr(_STATE, "depth", 0):
        _STATE.depth += 1
        try:
            yield
        finally:
            _STATE.depth -= 1
        return
    from threadpoolctl import ThreadpoolController

    if _CONTROLLER is None:
        # Created on first use, once NumPy's and SciPy's BLAS are loaded; later entries reuse it.
        _CONTROLLER = ThreadpoolController()
    with _CONTROLLER.limit(limits=1, user_api="blas"):
        _STATE.depth = 1
        try:
            yield
        finally:
            _STATE.depth = 0
