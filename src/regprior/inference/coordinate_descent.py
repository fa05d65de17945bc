r"""Cyclic coordinate descent for the penalised quadratic model of a Newton step (numba).

Minimises, over ``x = (unpenalised head, weights)``,

.. math::

    \tfrac12 x^\top H x - \ell^\top x + \sum_j l_{1} |x_j - c_j|

where ``H`` and ``ell`` are the quadratic model of the smooth part (likelihood and the prior's
``l2`` part, from the PyMC model's own gradient and Hessian) and ``l1 |x_j - c_j|`` is the
prior's non-smooth part (:attr:`regprior.spec.priors.Prior.penalty_weights`, centre ``c``).
This is glmnet's and scikit-learn's algorithm written on the Gram matrix ("covariance
updates", Friedman et al. 2010): each coordinate minimisation is a soft-threshold around the
centre, and the gradient ``H x - ell`` is updated in O(p) after each move.
:func:`polish_on_support` then solves the KKT system on the support the sweeps found (the
kink's slope ``l1 sign(x_j - c_j)`` fixed there) and accepts the solution only if it keeps that
support and those signs and satisfies the optimality conditions off it: the exact solution,
with exact zeros. The sweeps are compiled by numba (installed with PyMC) and cached on disk.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["coordinate_descent", "polish_on_support"]


@njit(cache=True, nogil=True)
def _sweeps(hessian, linear, x, n_smooth, l1, centre, tol, max_sweeps):  # pragma: no cover - compiled
    p = x.shape[0]
    gradient = hessian @ x - linear
    for sweep in range(1, max_sweeps + 1):
        largest = 0.0
        for j in range(p):
            curvature = hessian[j, j]
            if curvature <= 0.0:
                continue
            old = x[j]
            moved = old - gradient[j] / curvature
            if j < n_smooth:
                new = moved
            else:
                c = centre[j - n_smooth]
                threshold = l1 / curvature
                shift = moved - c
                if shift > threshold:
                    new = moved - threshold
                elif shift < -threshold:
                    new = moved + threshold
                else:
                    new = c
            delta = new - old
            if delta != 0.0:
                x[j] = new
                for k in range(p):
                    gradient[k] += delta * hessian[j, k]  # H is symmetric: a contiguous row
                # The move in gradient units: comparable with the KKT tolerance.
                change = abs(delta) * curvature
                if change > largest:
                    largest = change
        if largest <= tol:
            return sweep
    return max_sweeps


def coordinate_descent(hessian, linear, x, *, n_smooth: int, l1: float, centre, tol: float, max_sweeps: int):
    """Run sweeps from ``x`` until no coordinate moves by more than ``tol`` in gradient units.

    Returns ``(x, n_sweeps)`` (``x`` is a new array).
    """
    x = np.array(x, dtype=np.float64)
    sweeps = _sweeps(np.ascontiguousarray(hessian, dtype=np.float64), np.asarray(linear, dtype=np.float64), x,
                     int(n_smooth), float(l1), np.asarray(centre, dtype=np.float64), float(tol), int(max_sweeps))
    return x, int(sweeps)


def polish_on_support(hessian, linear, x, *, n_smooth: int, l1: float, centre):
    """The exact minimiser on the support of ``x``, or None if that support is not the optimal one.

    Plain NumPy (one LAPACK solve): compiling the solve with numba cost ~4.6 s on a cold cache,
    and the NumPy version costs ~30 us on diabetes.
    """
    shift = x[n_smooth:] - centre
    free = np.concatenate([np.ones(n_smooth, dtype=bool), shift != 0.0])
    slopes = np.concatenate([np.zeros(n_smooth), l1 * np.sign(shift)])
    polished = x.copy()
    if free.any():
        rhs = linear[free] - slopes[free] - hessian[free][:, ~free] @ x[~free]
        try:
            polished[free] = np.linalg.solve(hessian[free][:, free], rhs)
        except np.linalg.LinAlgError:  # singular on that support
            return None
    # The support and the slopes on it must be the ones the system assumed.
    new_shift = polished[n_smooth:] - centre
    if not np.array_equal(new_shift != 0.0, free[n_smooth:]) or not np.array_equal(l1 * np.sign(new_shift), slopes[n_smooth:]):
        return None
    outside = ~free[n_smooth:]
    gradient = (hessian[n_smooth:] @ polished - linear[n_smooth:])[outside]
    # Slack of a few ulps: at a strength where a weight is about to leave the support its
    # gradient equals the edge of the subdifferential up to rounding.
    if np.any(np.abs(gradient) - l1 > 1e-9 * np.abs(gradient)):
        return None
    return polished
