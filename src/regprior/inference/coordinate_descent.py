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
with exact zeros. Both are compiled by numba (installed with PyMC) and cached on disk, except the
solve itself (LAPACK through NumPy).
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
                # A tie (|shift| equal to the threshold up to rounding, as at alpha_max) goes to
                # the centre: there the subgradient condition holds with equality and 0 is optimal.
                threshold = l1 / curvature
                tie = threshold * (1.0 + 64.0 * 2.220446049250313e-16)
                shift = moved - c
                if shift > tie:
                    new = moved - threshold
                elif shift < -tie:
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


@njit(cache=True, nogil=True)
def _support_system(hessian, linear, x, n_smooth, l1, centre):  # pragma: no cover - compiled
    """The KKT system on the support of ``x``: free index, its matrix and right-hand side, the slopes."""
    p = x.shape[0]
    free = np.empty(p, dtype=np.bool_)
    slopes = np.zeros(p)
    for j in range(p):
        if j < n_smooth:
            free[j] = True
        else:
            shift = x[j] - centre[j - n_smooth]
            free[j] = shift != 0.0
            slopes[j] = l1 * np.sign(shift)
    index = np.nonzero(free)[0]
    m = index.size
    system = np.empty((m, m))
    rhs = np.empty(m)
    for a in range(m):
        i = index[a]
        total = linear[i] - slopes[i]
        for k in range(p):
            if not free[k]:
                total -= hessian[i, k] * x[k]
        rhs[a] = total
        for b in range(m):
            system[a, b] = hessian[i, index[b]]
    return index, system, rhs, free, slopes


@njit(cache=True, nogil=True)
def _optimal_on_support(hessian, linear, polished, free, slopes, n_smooth, l1, centre):  # pragma: no cover - compiled
    """The solved point keeps the support and slopes it assumed, and is optimal off it."""
    p = polished.shape[0]
    for j in range(n_smooth, p):
        shift = polished[j] - centre[j - n_smooth]
        if free[j] and (shift == 0.0 or l1 * np.sign(shift) != slopes[j]):
            return False
    for j in range(n_smooth, p):
        if not free[j]:
            gradient = -linear[j]
            for k in range(p):
                gradient += hessian[j, k] * polished[k]
            # Slack of a few ulps: at a strength where a weight is about to leave the support
            # its gradient equals the edge of the subdifferential up to rounding.
            if abs(gradient) - l1 > 1e-9 * abs(gradient):
                return False
    return True


def polish_on_support(hessian, linear, x, *, n_smooth: int, l1: float, centre):
    """The exact minimiser on the support of ``x``, or None if that support is not the optimal one.

    The system is assembled and checked by compiled loops; the solve is NumPy's LAPACK call
    (compiling ``np.linalg.solve`` with numba cost ~4.6 s on a cold cache).
    """
    hessian = np.ascontiguousarray(hessian, dtype=np.float64)
    linear, x, centre = (np.asarray(a, dtype=np.float64) for a in (linear, x, centre))
    index, system, rhs, free, slopes = _support_system(hessian, linear, x, int(n_smooth), float(l1), centre)
    polished = x.copy()
    if index.size:
        try:
            polished[index] = np.linalg.solve(system, rhs)
        except np.linalg.LinAlgError:  # singular on that support
            return None
    if not _optimal_on_support(hessian, linear, polished, free, slopes, int(n_smooth), float(l1), centre):
        return None
    return polished
