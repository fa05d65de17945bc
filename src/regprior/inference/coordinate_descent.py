r"""Cyclic coordinate descent for the penalised quadratic model of a Newton step (numba).

Minimises, over ``x = (unpenalised head, weights)``,

.. math::

    \tfrac12 x^\top H x - \ell^\top x + \sum_j l_{1} |x_j - c_j|

where ``H`` and ``ell`` are the quadratic model of the smooth part (likelihood and the prior's
``l2`` part, from the PyMC model's own gradient and Hessian) and ``l1 |x_j - c_j|`` is the
prior's non-smooth part (:attr:`regprior.spec.priors.Prior.penalty_weights`, centre ``c``).
This is glmnet's and scikit-learn's algorithm written on the Gram matrix ("covariance
updates", Friedman et al. 2010): each coordinate minimisation is a soft-threshold around the
centre, and the gradient ``H x - ell`` is updated in O(p) after each move. The KKT system on
the support the sweeps found (the kink's slope ``l1 sign(x_j - c_j)`` fixed there) is then
solved by Cholesky, and the solution accepted only if it keeps that support and those signs and
satisfies the optimality conditions off it: the exact solution, with exact zeros.

Everything is compiled by numba (installed with PyMC) and cached on disk:
:func:`solve_penalised_quadratic` is one Newton step's inner problem,
:func:`solve_path` a whole path of them for a quadratic likelihood (one call, no Python
between the alphas).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["solve_penalised_quadratic", "solve_path"]


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


@njit(cache=True, nogil=True)
def _cholesky_solve(system, rhs):  # pragma: no cover - compiled
    """Solve a symmetric positive definite system: ``(True, solution)``, or ``(False, rhs)`` when a
    pivot is not positive (the support's block of the Hessian is singular).

    Written out because numba's binding of LAPACK (``np.linalg.solve``) cost ~4.6 s to compile on
    a cold cache; this loop compiles in a fraction of that and is the same backward-stable
    algorithm for the small dense blocks of a support.
    """
    m = rhs.size
    factor = np.zeros((m, m))
    for j in range(m):
        pivot = system[j, j]
        for k in range(j):
            pivot -= factor[j, k] * factor[j, k]
        if not pivot > 0.0:
            return False, rhs
        factor[j, j] = np.sqrt(pivot)
        for i in range(j + 1, m):
            total = system[i, j]
            for k in range(j):
                total -= factor[i, k] * factor[j, k]
            factor[i, j] = total / factor[j, j]
    solution = rhs.copy()
    for i in range(m):
        total = solution[i]
        for k in range(i):
            total -= factor[i, k] * solution[k]
        solution[i] = total / factor[i, i]
    for i in range(m - 1, -1, -1):
        total = solution[i]
        for k in range(i + 1, m):
            total -= factor[k, i] * solution[k]
        solution[i] = total / factor[i, i]
    return True, solution


@njit(cache=True, nogil=True)
def _polish(hessian, linear, x, n_smooth, l1, centre):  # pragma: no cover - compiled
    """``(polished, True)`` when the KKT system on the support of ``x`` gives the exact optimum."""
    index, system, rhs, free, slopes = _support_system(hessian, linear, x, n_smooth, l1, centre)
    polished = x.copy()
    if index.size:
        solved, values = _cholesky_solve(system, rhs)
        if not solved:
            return polished, False
        for a in range(index.size):
            polished[index[a]] = values[a]
    return polished, _optimal_on_support(hessian, linear, polished, free, slopes, n_smooth, l1, centre)


@njit(cache=True, nogil=True)
def _solve(hessian, linear, x, n_smooth, l1, centre, tol, max_sweeps):  # pragma: no cover - compiled
    """Sweeps until the support is found, then the exact polish; tighter sweeps if it is not yet.

    ``x`` is moved in place. Returns ``(sweeps, certified)``.
    """
    done = 0
    while done < max_sweeps:
        done += _sweeps(hessian, linear, x, n_smooth, l1, centre, tol, max_sweeps - done)
        polished, certified = _polish(hessian, linear, x, n_smooth, l1, centre)
        if certified:
            x[:] = polished
            return done, True
        tol *= 1e-3
        if tol < 2.2250738585072014e-308:
            break
    return done, False


def solve_penalised_quadratic(hessian, linear, x, *, n_smooth: int, l1: float, centre, tol: float, max_sweeps: int):
    """Minimise ``x^T H x / 2 - linear^T x + l1 sum_j |x_j - c_j|`` (weights only) exactly.

    Coordinate descent finds the generalized support; the KKT system on that support, with the
    kink's slope held fixed, is then solved directly and accepted when it satisfies every
    optimality condition, which makes the result exact rather than approximately sparse. If it
    does not yet, the sweeps continue at a 1000x tighter tolerance. ``tol`` is absolute, in
    gradient units. Returns ``(x, n_sweeps, certified)`` (``x`` a new array).
    """
    x = np.array(x, dtype=np.float64)
    sweeps, certified = _solve(np.ascontiguousarray(hessian, dtype=np.float64), np.asarray(linear, dtype=np.float64),
                               x, int(n_smooth), float(l1), np.asarray(centre, dtype=np.float64), float(tol),
                               int(max_sweeps))
    return x, int(sweeps), bool(certified)


@njit(cache=True, nogil=True)
def _path(hessian, linear, x, n_smooth, l1s, l2s, centre, tols, max_sweeps):  # pragma: no cover - compiled
    p = x.shape[0]
    diagonal = np.empty(p)
    for j in range(p):
        diagonal[j] = hessian[j, j]
    shifted = linear.copy()
    solutions = np.empty((l1s.size, p))
    sweeps = np.zeros(l1s.size, dtype=np.int64)
    certified = np.zeros(l1s.size, dtype=np.bool_)
    for k in range(l1s.size):
        for j in range(n_smooth, p):
            hessian[j, j] = diagonal[j] + l2s[k]
            shifted[j] = linear[j] + l2s[k] * centre[j - n_smooth]
        sweeps[k], certified[k] = _solve(hessian, shifted, x, n_smooth, l1s[k], centre, tols[k], max_sweeps)
        solutions[k] = x
    return solutions, sweeps, certified


def solve_path(hessian, linear, x, *, n_smooth: int, l1s, l2s, centre, tols, max_sweeps: int):
    r""":func:`solve_penalised_quadratic` along a path of penalties, in one compiled call.

    At step ``k`` the problem is ``x^T (H + l2_k D) x / 2 - (linear + l2_k D c)^T x +
    l1_k sum_j |x_j - c_j|`` (``D`` selects the weights): the quadratic model of a quadratic
    likelihood plus the prior's smooth part ``l2_k/2 |x - c|^2``, kink ``l1_k``. Each step
    warm-starts from the last. Returns ``(solutions of shape (K, size), sweeps, certified)``;
    the caller re-solves any step that is not certified.
    """
    hessian = np.array(hessian, dtype=np.float64, order="C")  # its diagonal is changed per step
    as_array = [np.ascontiguousarray(a, dtype=np.float64) for a in (linear, l1s, l2s, centre, tols)]
    linear, l1s, l2s, centre, tols = as_array
    solutions, sweeps, certified = _path(hessian, linear, np.array(x, dtype=np.float64), int(n_smooth), l1s, l2s,
                                         centre, tols, int(max_sweeps))
    return solutions, sweeps, certified
