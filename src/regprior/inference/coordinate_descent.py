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

A prior whose ``-log p`` is not convex (the generalized double Pareto's log-sum penalty) has
its own route, :func:`solve_nonconvex_quadratic`: the same cyclic sweeps with each coordinate
moved to the exact minimiser of its one-dimensional problem, the prior's
:meth:`~regprior.spec.priors.Prior.penalty_prox` (skglm's coordinate descent does the same with
``prox_1d``), then Newton's method on the support the sweeps found. In NumPy: the prior's prox
is its own, not compiled here.

Two routes for the convex priors, compiled by numba (installed with PyMC) and cached on disk:

* :func:`solve_penalised_quadratic`, one Newton step's inner problem: compiled sweeps, then
  :func:`polish_on_support` in NumPy/LAPACK. The first MAP in a process compiles ~1 s of numba.
* :func:`solve_path`, a whole path of them for a quadratic likelihood in one compiled call (no
  Python between the alphas; the polish compiled too). It costs ~4 s of compiling the first
  time on a machine (numba re-optimises every callee inside its caller), then none.
"""

from __future__ import annotations

import functools
import threading

import numpy as np
import scipy.linalg
from numba import njit

__all__ = [
    "solve_penalised_quadratic",
    "solve_path",
    "polish_on_support",
    "solve_nonconvex_quadratic",
]


@njit(cache=True, nogil=True)
def _sweeps(
    hessian, linear, x, n_smooth, l1, centre, tol, max_sweeps
):  # pragma: no cover - compiled
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
    """The KKT system on the support of ``x``: free index (its first ``m`` entries), the matrix and
    right-hand side, the free mask and the slopes."""
    p = x.shape[0]
    free = np.empty(p, dtype=np.bool_)
    slopes = np.zeros(p)
    index = np.empty(p, dtype=np.int64)
    m = 0
    for j in range(p):
        if j < n_smooth:
            free[j] = True
        else:
            shift = x[j] - centre[j - n_smooth]
            free[j] = shift != 0.0
            slopes[j] = l1 if shift > 0.0 else -l1
        if free[j]:
            index[m] = j
            m += 1
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
    return index, m, system, rhs, free, slopes


@njit(cache=True, nogil=True)
def _optimal_on_support(
    hessian, linear, polished, free, slopes, n_smooth, l1, centre
):  # pragma: no cover - compiled
    """The solved point keeps the support and slopes it assumed, and is optimal off it."""
    p = polished.shape[0]
    for j in range(n_smooth, p):
        shift = polished[j] - centre[j - n_smooth]
        if free[j] and (shift == 0.0 or slopes[j] != (l1 if shift > 0.0 else -l1)):
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
    index, m, system, rhs, free, slopes = _support_system(hessian, linear, x, n_smooth, l1, centre)
    polished = x.copy()
    if m:
        solved, values = _cholesky_solve(system, rhs)
        if not solved:
            return polished, False
        for a in range(m):
            polished[index[a]] = values[a]
    return polished, _optimal_on_support(
        hessian, linear, polished, free, slopes, n_smooth, l1, centre
    )


@functools.cache
def compile_in_background() -> threading.Thread:
    """Compile the sweeps in a background thread, once per process (the thread is returned).

    The MAP engine calls this before PyTensor builds and rewrites a model's gradient graph; numba's
    LLVM passes here run outside the GIL, so the two overlap (measured, empty caches: a first
    Laplace ``fit_map`` on diabetes took 2.2 s with this, 2.9 s without). A later call of the sweeps
    waits for this compile (numba's lock) and uses it: the dummy problem below has the types
    :func:`solve_penalised_quadratic` passes.
    """
    dummy = (np.eye(2), np.zeros(2), np.zeros(2), 1, 1.0, np.zeros(1), 1e-10, 1)
    thread = threading.Thread(
        target=lambda: _sweeps(*dummy), name="regprior-numba-warmup", daemon=True
    )
    thread.start()
    return thread


def solve_penalised_quadratic(
    hessian, linear, x, *, n_smooth: int, l1: float, centre, tol: float, max_sweeps: int
):
    """Minimise ``x^T H x / 2 - linear^T x + l1 sum_j |x_j - c_j|`` (weights only) exactly.

    Coordinate descent finds the generalized support; the KKT system on that support, with the
    kink's slope held fixed, is then solved directly and accepted when it satisfies every
    optimality condition, which makes the result exact rather than approximately sparse. If it
    does not yet, the sweeps continue at a 1000x tighter tolerance. ``tol`` is absolute, in
    gradient units. Returns ``(x, n_sweeps, certified)`` (``x`` a new array).
    """
    hessian = np.ascontiguousarray(hessian, dtype=np.float64)
    linear, centre = (
        np.ascontiguousarray(linear, dtype=np.float64),
        np.ascontiguousarray(centre, dtype=np.float64),
    )
    x, n_smooth, l1, tol = np.array(x, dtype=np.float64), int(n_smooth), float(l1), float(tol)
    done = 0
    while done < max_sweeps:
        done += _sweeps(hessian, linear, x, n_smooth, l1, centre, tol, max_sweeps - done)
        polished = polish_on_support(hessian, linear, x, n_smooth=n_smooth, l1=l1, centre=centre)
        if polished is not None:
            return polished, done, True
        tol *= 1e-3
        if tol < np.finfo(float).tiny:
            break
    return x, done, False


def polish_on_support(hessian, linear, x, *, n_smooth: int, l1: float, centre):
    """The polish of the compiled ``_polish`` in NumPy and LAPACK: the exact minimiser on the
    support of ``x``, or None if that support (with its signs) is not the optimal one.

    One Newton step's problem is solved this way so that the first MAP in a process compiles
    only the sweeps (~1 s on a cold numba cache; the compiled polish would add ~1.5 s). Both
    versions are held to each other by the tests.
    """
    shift = x[n_smooth:] - centre
    free = np.concatenate([np.ones(n_smooth, dtype=bool), shift != 0.0])
    slopes = np.concatenate([np.zeros(n_smooth), np.where(shift > 0.0, l1, -l1) * (shift != 0.0)])
    polished = x.copy()
    if free.any():
        system = hessian[np.ix_(free, free)]
        rhs = linear[free] - slopes[free] - hessian[np.ix_(free, ~free)] @ x[~free]
        try:
            polished[free] = scipy.linalg.cho_solve(
                scipy.linalg.cho_factor(system, check_finite=False), rhs, check_finite=False
            )
        except np.linalg.LinAlgError:  # singular on that support
            return None
    new_shift = polished[n_smooth:] - centre
    weights_free = free[n_smooth:]
    if np.any(
        weights_free
        & ((new_shift == 0.0) | (np.where(new_shift > 0.0, l1, -l1) != slopes[n_smooth:]))
    ):
        return None
    gradient = hessian[~free] @ polished - linear[~free]
    # Slack of a few ulps, as in _optimal_on_support.
    if np.any(np.abs(gradient) - l1 > 1e-9 * np.abs(gradient)):
        return None
    return polished


@njit(cache=True, nogil=True)
def _path(
    hessian, linear, x, n_smooth, l1s, l2s, centre, tols, max_sweeps
):  # pragma: no cover - compiled
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
        tol, done = tols[k], 0
        while done < max_sweeps:  # as solve_penalised_quadratic
            done += _sweeps(hessian, shifted, x, n_smooth, l1s[k], centre, tol, max_sweeps - done)
            polished, certified[k] = _polish(hessian, shifted, x, n_smooth, l1s[k], centre)
            if certified[k]:
                for j in range(p):
                    x[j] = polished[j]
                break
            tol *= 1e-3
            if tol < 2.2250738585072014e-308:
                break
        sweeps[k] = done
        for j in range(p):
            solutions[k, j] = x[j]
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
    solutions, sweeps, certified = _path(
        hessian,
        linear,
        np.array(x, dtype=np.float64),
        int(n_smooth),
        l1s,
        l2s,
        centre,
        tols,
        int(max_sweeps),
    )
    return solutions, sweeps, certified


#: Newton steps of the support polish of :func:`solve_nonconvex_quadratic` (quadratic convergence
#: from a point the sweeps left within the tolerance: 3-5 are used).
POLISH_NEWTON_STEPS = 30


def solve_nonconvex_quadratic(
    hessian, linear, x, *, n_smooth: int, prior, tol: float, max_sweeps: int
):
    """A stationary point of ``x^T H x / 2 - linear^T x - sum_j log p(x_j)`` reached from ``x``.

    ``H`` and ``linear`` are the quadratic model of the likelihood alone (the prior enters whole,
    through its :meth:`~regprior.spec.priors.Prior.penalty_prox`): the exact problem for a
    Gaussian likelihood. Cyclic coordinate descent moves each weight to the exact minimiser of
    its one-dimensional problem, ``prox_{-log p / H_jj}(x_j - g_j / H_jj)`` (the unpenalised head
    by a Newton step), as skglm's coordinate descent does; the objective never increases. Once
    the largest move is below ``tol`` (gradient units), Newton's method on the support the sweeps
    found (the signs fixed there, where ``-log p`` is smooth) takes the point to rounding level,
    and it is accepted when the support's Hessian is positive definite (a strict local minimum on
    the support), no sign changed, the gradient on the support is within ``tol`` and every
    weight at the centre satisfies the first-order condition ``|g_j| <= kink_slope``. If it is
    not accepted the sweeps continue at a 1000x tighter tolerance. Returns ``(x, n_sweeps,
    certified)`` (``x`` a new array).
    """
    hessian = np.asarray(hessian, dtype=np.float64)
    linear = np.asarray(linear, dtype=np.float64)
    x = np.array(x, dtype=np.float64)
    centre = prior.centre(len(x) - n_smooth)
    # The prox around each weight's own centre, from the same family centred at 0.
    at_zero = type(prior).from_parameters(mu=0.0, **prior.parameters)
    diagonal = np.diagonal(hessian).copy()
    steps = np.divide(1.0, diagonal, out=np.full_like(diagonal, np.inf), where=diagonal > 0)
    gradient = hessian @ x - linear
    target, done = tol, 0
    while done < max_sweeps:
        done += 1
        largest = 0.0
        for j in range(len(x)):
            if not diagonal[j] > 0.0:
                continue
            old = x[j]
            moved = old - gradient[j] * steps[j]
            if j < n_smooth:
                new = moved
            else:
                c = centre[j - n_smooth]
                new = c + float(at_zero.penalty_prox(moved - c, steps[j]))
            delta = new - old
            if delta != 0.0:
                x[j] = new
                gradient += delta * hessian[j]
                largest = max(largest, abs(delta) * diagonal[j])
        if largest <= tol:
            polished = _polish_nonconvex(
                hessian, linear, x, n_smooth=n_smooth, prior=prior, tol=target
            )
            if polished is not None:
                return polished, done, True
            tol *= 1e-3
            if tol < np.finfo(float).tiny:
                break
    return x, done, False


def _polish_nonconvex(hessian, linear, x, *, n_smooth, prior, tol):
    """Newton's method on the support of ``x`` (signs fixed), or None if it is not a strict local
    minimum there (gradient within ``tol``) with the first-order conditions met off it."""
    centre = prior.centre(len(x) - n_smooth)
    shift = x[n_smooth:] - centre
    free = np.concatenate([np.ones(n_smooth, dtype=bool), shift != 0.0])
    signs = np.sign(shift)
    kink = prior.kink_slope
    polished = x.copy()

    def gradient_of(point):
        gradient = hessian @ point - linear
        weights = point[n_smooth:]
        gradient[n_smooth:] += prior.smooth_gradient(weights) + kink * np.sign(weights - centre)
        return gradient

    if free.any():
        previous = np.inf
        for _ in range(POLISH_NEWTON_STEPS):
            gradient = gradient_of(polished)
            curvature = hessian.copy()
            index = np.arange(n_smooth, len(x))
            curvature[index, index] += prior.smooth_hessian_diagonal(polished[n_smooth:])
            try:
                factor = scipy.linalg.cho_factor(curvature[np.ix_(free, free)], check_finite=False)
            except np.linalg.LinAlgError:  # not a strict local minimum on this support
                return None
            step = scipy.linalg.cho_solve(factor, gradient[free], check_finite=False)
            polished[free] -= step
            size = float(np.max(np.abs(step)))
            if size == 0.0 or not size < previous:  # rounding level reached
                break
            previous = size
        new_shift = polished[n_smooth:] - centre
        if np.any(free[n_smooth:] & (np.sign(new_shift) != signs)):
            return None
    gradient = gradient_of(polished)
    if free.any() and not np.max(np.abs(gradient[free])) <= tol:
        return None
    off = np.abs(gradient[~free])
    # Slack of a few ulps, as in _optimal_on_support.
    if np.any(off - kink > 1e-9 * off):
        return None
    return polished
