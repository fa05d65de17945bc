"""Exact MAP of a regression model by proximal Newton, the prior taken as a penalty.

The negative log posterior splits as ``F(x) = f(x) + h(beta)``: ``f`` is the likelihood
and the flat intercept, taken from the PyMC model's own log density
(:mod:`regprior.inference.objective`), plus the smooth part of the prior; ``h`` is the
non-smooth part of the prior. The engine asks the prior (:class:`~regprior.spec.priors.Prior`)
for its smooth gradient and Hessian, its proximal operator and its subdifferential distance, as
skglm's solvers ask a penalty: it never knows which family it solves. It is a proximal Newton
method:

* at ``x_k`` it forms the quadratic model ``f(x_k) + g^T d + d^T H d / 2``;
* it minimises that model plus ``h`` exactly: a Newton solve when the prior is smooth;
  otherwise compiled coordinate descent on the Gram matrix (soft-thresholding around the
  prior's centre, as glmnet and scikit-learn do) until the generalized support settles, then
  the KKT system on that support (the prior's gradient there fixed) is solved directly and
  checked, which gives exact zeros and machine-precision values;
* it stops when the relative KKT residual (gradient and the prior's subdifferential distance:
  :mod:`regprior.inference.certificates`) is below ``tol``.

For the Gaussian likelihood ``f`` is quadratic, so one Newton step solves the problem and
the next gradient evaluation certifies it. Gradient optimisers on the raw log density
(``pm.find_MAP``) cannot do this: the Laplace density has a kink exactly where the lasso
puts its zeros. The value reported is the PyMC likelihood plus the prior's normalised log
density, which equals the PyMC model's full log density (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.linalg

from regprior.backend.model import RegressionModel
from regprior.inference.certificates import centre_reference, residual_scale, subgradient_distances
from regprior.inference.objective import Penalised, compile_map_objective

__all__ = [
    "MAPResult",
    "map_estimate",
    "check_map_settings",
    "map_path_estimates",
]

#: Armijo constant of the line search (sufficient decrease of the composite objective).
ARMIJO = 1e-4
MAX_HALVINGS = 60

#: Default relative KKT tolerance: ~1e4 x machine epsilon, reached in one or two Newton
#: steps for the Gaussian likelihood; well inside the 1e-8 agreement asked of the MAP.
DEFAULT_TOL = 1e-10


@dataclass(frozen=True)
class MAPResult:
    """Posterior mode of a regression model, with its optimality certificate.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        MAP of the weights ``beta``. Under a prior with a kink at its centre (Laplace,
        elastic net), coordinates at the centre are exactly equal to it (the lasso's exact
        zeros, shifted by ``mu``).
    intercept : float
        MAP of the intercept (0.0 without one).
    kkt_residual : float
        Largest entry of the minimum-norm subgradient of the negative log posterior at the
        solution, relative to the same quantity at the start (the prior centre): 0 at an
        exact optimum.
    n_iter : int
        Inner iterations (coordinate-descent sweeps; 0 for a smooth prior).
    n_newton : int
        Newton steps (each evaluates the compiled gradient and Hessian once).
    converged : bool
        ``kkt_residual <= tol``.
    neg_log_posterior : float
        Negative log posterior at the MAP, constants of the PyMC log density included.
    error_bound : float
        Bound on ``||x - x*||`` (intercept and weights) from the certificate: the norm of the
        minimum-norm subgradient over the smallest eigenvalue of the Hessian of the smooth part
        (:func:`regprior.inference.certificates.error_bound`; exact for a Gaussian likelihood,
        local otherwise; ``inf`` when that eigenvalue is not positive). A tiny ``kkt_residual``
        with a large ``error_bound`` means an ill-conditioned problem (p > n with a vanishing
        prior): the gradient cannot see the error. For a prior that is not convex
        (``prior.convex`` False) the point is a stationary point and the bound is local: the
        distance to the stationary point on the same face (weights at the centre held there),
        from the curvature of the whole objective on that face. Computed on first access.
    solve : {"newton", "svd"}
        How the point was found: ``"newton"``, proximal Newton steps on the Hessian (for a
        prior that is not convex, coordinate descent with its exact prox inside each step);
        ``"svd"``, the closed form of a Gaussian likelihood with a Normal prior through the
        singular value decomposition of the weighted, centred data (sklearn's ``Ridge``
        ``solver="svd"``), used where the Hessian is ill-conditioned (``p >= n``, or a prior
        precision below ``sqrt(eps)`` of the data's): accurate to rounding where
        ``error_bound``, which only sees the gradient, is loose.
    """

    coef: np.ndarray
    intercept: float
    kkt_residual: float
    n_iter: int
    n_newton: int
    converged: bool
    neg_log_posterior: float
    centre: np.ndarray
    solve: str = "newton"
    _subgradient_norm: float = field(default=np.nan, repr=False, compare=False)
    _hessian: np.ndarray | None = field(default=None, repr=False, compare=False)

    @cached_property
    def error_bound(self) -> float:
        if self._hessian is None:
            return np.nan
        curvature = float(scipy.linalg.eigvalsh(self._hessian, subset_by_index=[0, 0])[0])
        return self._subgradient_norm / curvature if curvature > 0 else np.inf

    def _repr_html_(self) -> str:
        from regprior.report.html import map_result_html

        return map_result_html(self)

    @property
    def support(self) -> np.ndarray:
        """Boolean mask of the weights that differ from the prior centre."""
        return self.coef != self.centre


def map_estimate(
    model: RegressionModel,
    *,
    start: np.ndarray | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = 100_000,
    max_newton: int = 50,
) -> MAPResult:
    """Maximise the PyMC model's log posterior exactly.

    BLAS is pinned to one thread meanwhile (:mod:`regprior.inference.threads` says why).
    Each Newton step solves the quadratic model plus the prior's non-smooth part exactly;
    with a non-quadratic likelihood (Bernoulli, Poisson) the step is then shortened by
    backtracking until the negative log posterior decreases sufficiently (Armijo), and the
    Hessian is recomputed at the new point.

    Parameters
    ----------
    model : RegressionModel
        The likelihood objective is compiled on first use and held by the model: later
        calls after :meth:`RegressionModel.set_prior` reuse it.
    start : ndarray of shape (n_features,), optional
        Weights to start from (a warm start, e.g. the MAP at the previous alpha of a path).
        Default: the prior centre.
    tol : float, default=1e-10
        Relative KKT tolerance (see :attr:`MAPResult.kkt_residual`).
    max_iter : int, default=100_000
        Cap on coordinate-descent sweeps per Newton step (priors with a non-smooth part only).
    max_newton : int, default=50
        Cap on Newton steps (a Gaussian likelihood needs one or two).
    """
    from regprior.inference.threads import one_blas_thread

    check_map_settings(tol=tol, max_iter=max_iter, max_newton=max_newton)
    with one_blas_thread():
        return _map_estimate(model, start=start, tol=tol, max_iter=max_iter, max_newton=max_newton)


def check_map_settings(*, tol=DEFAULT_TOL, max_iter=100_000, max_newton=50) -> None:
    """Check the MAP engine's settings (public entry points call it before building anything)."""
    from regprior._validation import check_positive_float, check_positive_int

    check_positive_float(tol, "tol", "map_estimate")
    check_positive_int(max_iter, "max_iter", "map_estimate")
    check_positive_int(max_newton, "max_newton", "map_estimate")


def _map_estimate(model: RegressionModel, *, start, tol, max_iter, max_newton) -> MAPResult:
    """The engine of :func:`map_estimate` (same parameters, checked there)."""
    prior = model.prior
    objective = compile_map_objective(model)
    penalised = Penalised(objective, prior)
    n_smooth = objective.n_smooth
    centre = prior.centre(model.data.n_features)
    at_centre, gradient_at_centre, reference = centre_reference(model, objective)
    x = at_centre.copy()
    if start is not None:
        start = np.asarray(start, dtype=float)
        if start.shape != centre.shape:
            raise ValueError(f"start must have shape {centre.shape}; got {start.shape}.")
        x[n_smooth:] = start
    closed_form = _svd_solution(model, prior, n_smooth)
    if closed_form is not None:
        # Certified like any other point, by the compiled PyMC gradient; no Newton step follows
        # (a step through the ill-conditioned Hessian would only add its rounding back).
        value, gradient = penalised.value_and_gradient(closed_form)
        distances = subgradient_distances(closed_form, gradient, n_smooth=n_smooth, prior=prior)
        return _result(
            model,
            prior,
            closed_form,
            value,
            distances,
            reference,
            tol=tol,
            n_iter=0,
            n_newton=0,
            hessian=penalised.hessian(closed_form),
            solve="svd",
        )
    n_iter = 0
    quadratic = model.likelihood.quadratic
    # Newton converges quadratically near the optimum: for a non-quadratic likelihood one
    # more step once ``tol`` is met costs one Hessian and takes the residual to rounding level.
    extra_steps = 0 if quadratic else 1
    previous_residual = np.inf
    for n_newton in range(max_newton + 1):
        if quadratic and n_newton == 0:
            # The first gradient of a quadratic follows from the cached one at the centre; it only
            # sets up the Newton step. Every result is certified by a compiled PyMC gradient below.
            value, gradient = np.nan, penalised.quadratic_gradient(x, at_centre, gradient_at_centre)
            distances = None
        else:
            value, gradient = penalised.value_and_gradient(x)
            distances = subgradient_distances(x, gradient, n_smooth=n_smooth, prior=prior)
            residual = float(np.max(distances))
            if n_newton == max_newton:
                break
            if residual <= tol * reference:
                if extra_steps == 0 or not residual < previous_residual:
                    break
                extra_steps -= 1
            previous_residual = residual
        hessian = penalised.hessian(x)
        if prior.smooth:
            candidate = x - _newton_direction(hessian, gradient)
        elif not prior.convex:
            from regprior.inference.coordinate_descent import solve_nonconvex_quadratic

            # The likelihood's quadratic model with the prior whole (its exact prox per weight):
            # the prior's smooth part is concave, so its Hessian must not enter the model.
            likelihood_hessian = objective.hessian(x)
            likelihood_gradient = gradient.copy()
            likelihood_gradient[n_smooth:] -= prior.smooth_gradient(x[n_smooth:])
            candidate, inner, _ = solve_nonconvex_quadratic(
                likelihood_hessian,
                likelihood_hessian @ x - likelihood_gradient,
                x,
                n_smooth=n_smooth,
                prior=prior,
                tol=tol * reference,
                max_sweeps=max_iter,
            )
            n_iter += inner
        else:
            from regprior.inference.coordinate_descent import solve_penalised_quadratic

            candidate, inner, _ = solve_penalised_quadratic(
                hessian,
                hessian @ x - gradient,
                x,
                n_smooth=n_smooth,
                l1=prior.kink_slope,
                centre=centre,
                tol=tol * reference,
                max_sweeps=max_iter,
            )
            n_iter += inner
        x = candidate if quadratic else _line_search(penalised, x, candidate, value, gradient)
    # A quadratic's Hessian is the same everywhere; a GLM's is taken at the result, and so is
    # that of a prior that is not convex (its curvature depends on the point).
    return _result(
        model,
        prior,
        x,
        value,
        distances,
        reference,
        tol=tol,
        n_iter=n_iter,
        n_newton=n_newton,
        hessian=hessian if quadratic and prior.convex else penalised.hessian(x),
    )


def _result(
    model, prior, x, value, distances, reference, *, tol, n_iter, n_newton, hessian, solve="newton"
) -> MAPResult:
    """The :class:`MAPResult` of the point ``x``, certified by ``distances``.

    ``distances`` is the minimum-norm subgradient at ``x``
    (:func:`~regprior.inference.certificates.subgradient_distances`).
    """
    n_smooth = int(model.fit_intercept)
    coef = x[n_smooth:].copy()
    intercept = model.y_mean + x[0] - float(model.x_mean @ coef) if model.fit_intercept else 0.0
    relative = float(np.max(distances)) / reference
    if not prior.convex:
        # A stationary point of a non-convex objective: the bound is local, on the face of the
        # support (the weights at the centre held there), with the prior's (negative) curvature.
        face = np.concatenate([np.ones(n_smooth, dtype=bool), coef != prior.centre(len(coef))])
        hessian, distances = hessian[np.ix_(face, face)], distances[face]
    likelihood_value = value - prior.smooth_value(coef)
    return MAPResult(
        coef=coef,
        intercept=float(intercept),
        kkt_residual=relative,
        n_iter=n_iter,
        n_newton=n_newton,
        converged=relative <= tol,
        neg_log_posterior=likelihood_value + float(np.sum(prior.neg_logpdf(coef))),
        centre=prior.centre(model.data.n_features),
        solve=solve,
        _subgradient_norm=float(np.linalg.norm(distances)),
        _hessian=hessian,
    )


def map_path_estimates(
    model: RegressionModel,
    priors,
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = 100_000,
    max_newton: int = 50,
) -> list[MAPResult]:
    """:func:`map_estimate` at each prior in turn, warm-started from the previous MAP.

    The priors share the model's family and centre (a regularisation path). For a quadratic
    (Gaussian) likelihood and a prior with a kink, the inner problems of the whole path are
    solved in one compiled call (:func:`regprior.inference.coordinate_descent.solve_path`) on
    the likelihood's constant Hessian; each point is then certified exactly as
    :func:`map_estimate` certifies it, by the compiled PyMC gradient, and any point the
    certificate rejects is solved again by :func:`map_estimate`. Otherwise this is a loop of
    :func:`map_estimate`. The model is left with the last prior set.
    """
    from regprior.inference.threads import one_blas_thread

    check_map_settings(tol=tol, max_iter=max_iter, max_newton=max_newton)
    priors = list(priors)
    with one_blas_thread():
        if not priors:
            return []
        if not (model.likelihood.quadratic and not priors[0].smooth and priors[0].convex):
            results, previous = [], None
            for prior in priors:
                model.set_prior(prior)
                results.append(
                    _map_estimate(
                        model, start=previous, tol=tol, max_iter=max_iter, max_newton=max_newton
                    )
                )
                previous = results[-1].coef
            return results
        return _quadratic_path(model, priors, tol=tol, max_iter=max_iter, max_newton=max_newton)


def _quadratic_path(
    model: RegressionModel, priors, *, tol, max_iter, max_newton
) -> list[MAPResult]:
    from regprior.inference.coordinate_descent import solve_path

    centre = priors[0].centre(model.data.n_features)
    if any(
        type(p) is not type(priors[0]) or not np.array_equal(p.centre(len(centre)), centre)
        for p in priors
    ):
        raise ValueError("a path's priors share one family and one centre; got several.")
    model.set_prior(priors[0])
    objective = compile_map_objective(model)
    n_smooth = objective.n_smooth
    at_centre, gradient_at_centre, _ = centre_reference(model, objective)
    hessian = objective.hessian(at_centre)
    weights = np.array([prior.penalty_weights for prior in priors])
    references = np.array([residual_scale(gradient_at_centre, prior) for prior in priors])
    solutions, sweeps, _ = solve_path(
        hessian,
        hessian @ at_centre - gradient_at_centre,
        at_centre,
        n_smooth=n_smooth,
        l1s=weights[:, 0],
        l2s=weights[:, 1],
        centre=at_centre[n_smooth:],
        tols=tol * references,
        max_sweeps=max_iter,
    )
    # Every point's certificate from one batched call of the likelihood; the prior's smooth part
    # differs by point and is added per point.
    values, gradients = objective.values_and_gradients(solutions)
    results = []
    for prior, x, n_sweeps, reference, value, gradient in zip(
        priors, solutions, sweeps, references, values, gradients, strict=True
    ):
        penalised = Penalised(objective, prior)
        value, gradient = penalised.with_prior(x, value, gradient)
        distances = subgradient_distances(x, gradient, n_smooth=n_smooth, prior=prior)
        result = _result(
            model,
            prior,
            x,
            value,
            distances,
            reference,
            tol=tol,
            n_iter=int(n_sweeps),
            n_newton=1,
            hessian=penalised.hessian(x),
        )
        if not result.converged:
            # The compiled solve was not certified: the general engine takes it.
            model.set_prior(prior)
            result = _map_estimate(
                model, start=x[n_smooth:], tol=tol, max_iter=max_iter, max_newton=max_newton
            )
        results.append(result)
    model.set_prior(priors[-1])
    return results


def _svd_solution(model: RegressionModel, prior, n_smooth: int) -> np.ndarray | None:
    """The exact MAP of a quadratic likelihood with a Normal prior, through the SVD, or None.

    With ``A = sqrt(W) (X - x_mean) / sigma`` and ``b = sqrt(W) (y - y_mean) / sigma`` the
    posterior mode solves ``min ||A beta - b||^2 + l2 ||beta - mu||^2``, whose solution is
    ``mu + V diag(s / (s^2 + l2)) U^T (b - A mu)`` (``A = U diag(s) V^T``) and whose centred
    intercept is 0: no Gram matrix is formed, so directions with ``s`` near 0 (p >= n, tiny
    ``l2``) get exactly ``mu``, where a Cholesky solve of ``A^T A + l2 I`` returns its rounding
    divided by ``l2`` (2e-8 relative at sklearn's alpha 1e-6 on p > n data; specification,
    "Certificates under ill-conditioning"). Used only where that solve is ill-conditioned
    (``p + intercept >= n``, or ``l2`` below ``sqrt(eps)`` times the largest diagonal of
    ``A^T A``) and the raw data are at hand; None otherwise (Newton takes the problem).
    """
    likelihood = model.likelihood
    weights = getattr(prior, "penalty_weights", None)
    data = model.data
    if (
        not (likelihood.quadratic and likelihood.centres_target and prior.smooth)
        or weights is None
        or weights[0] != 0
        or not hasattr(data, "X")
        or getattr(likelihood, "noise_sigma", None) is None
    ):
        return None
    l2 = float(weights[1])
    key = ("svd", model.data_version, model.likelihood_version)
    if key not in model._compiled:
        scale = np.sqrt(data.weights) / likelihood.noise_sigma
        A = (data.X - model.x_mean) * scale[:, None]
        b = (data.y - model.y_mean) * scale
        model._compiled[key] = (A, b, float(np.max(np.einsum("ij,ij->j", A, A))))
    A, b, largest = model._compiled[key]
    n, p = A.shape
    if p + n_smooth < n and l2 >= np.sqrt(np.finfo(float).eps) * largest:
        return None
    svd_key = key + ("factors",)
    if svd_key not in model._compiled:
        model._compiled[svd_key] = scipy.linalg.svd(A, full_matrices=False, lapack_driver="gesdd")
    U, singular, Vt = model._compiled[svd_key]
    mu = prior.centre(p)
    shrink = singular / (singular**2 + l2)
    coef = mu + Vt.T @ (shrink * (U.T @ (b - A @ mu)))
    return np.concatenate([np.zeros(n_smooth), coef])


def _newton_direction(hessian: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """``H^-1 g`` by Cholesky; where ``H`` is numerically singular, by its eigendecomposition.

    Eigenvalues below ``n eps max(eigenvalue)`` are treated as zero (the pseudo-inverse): on
    p > n data with a vanishing prior (Ridge alpha 1e-16) the step is then the minimum-norm
    one, sklearn's limit, instead of a LinAlgError. :attr:`MAPResult.error_bound` tells how far
    the result may be from the exact MAP when the Hessian is ill-conditioned.
    """
    try:
        factor = scipy.linalg.cho_factor(hessian, check_finite=False)
        return scipy.linalg.cho_solve(factor, gradient, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        values, vectors = np.linalg.eigh(hessian)
        keep = values > len(values) * np.finfo(float).eps * max(values.max(), 0.0)
        return vectors[:, keep] @ ((vectors[:, keep].T @ gradient) / values[keep])


def _line_search(penalised: Penalised, x, candidate, value, gradient):
    """Backtrack from the full proximal Newton step until ``F`` decreases by Armijo's rule.

    ``Delta = g^T d + h(x + d) - h(x)`` is negative for a descent step; accept the first
    ``t = 1, 1/2, ...`` with ``F(x + t d) <= F(x) + ARMIJO t Delta``. The full step is always
    tried first, so the fast local convergence of Newton's method is kept. Near the optimum the
    decrease falls below the rounding of ``F`` itself (``|Delta| ~ residual**2``): a full step
    that changes ``F`` by no more than that rounding is accepted, otherwise Newton would stall
    a few digits short of its limit.
    """
    prior, n_smooth = penalised.prior, penalised.n_smooth
    direction = candidate - x
    h_now = prior.nonsmooth_value(x[n_smooth:])
    decrease = float(gradient @ direction) + prior.nonsmooth_value(candidate[n_smooth:]) - h_now
    current = value + h_now
    rounding = 64 * np.finfo(float).eps * max(1.0, abs(current))
    if penalised.composite(candidate) <= current + rounding and -decrease <= rounding:
        return candidate
    step = 1.0
    for _ in range(MAX_HALVINGS):
        trial = x + step * direction
        trial_value = penalised.composite(trial)
        if np.isfinite(trial_value) and trial_value <= current + ARMIJO * step * decrease:
            return trial
        step /= 2.0
    return x
