"""How far any ``(coef, intercept)`` is from the exact MAP, told by its optimality certificate.

The certificate of a point ``x`` of ``F = f + h`` is its minimum-norm subgradient: per
coordinate, the distance of 0 to the subdifferential of ``F`` (the gradient of ``f`` from
:mod:`regprior.inference.objective`, the subdifferential distance of ``h`` from the prior).
Its largest entry over the problem's scale is the relative KKT residual the MAP engine stops
on (:attr:`regprior.inference.map.MAPResult.kkt_residual`); :func:`certificate` measures any
other solution (sklearn's) by the same quantity, :func:`error_bound` turns it into a distance,
:func:`unique_optimum` says whether the optimum is unique and :func:`objective_value` gives
``F`` itself, so that both sides of a comparison are judged alike.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from regprior.backend.model import RegressionModel
from regprior.inference.objective import Penalised, SmoothObjective, compile_map_objective

__all__ = [
    "subgradient_distances",
    "kkt_residual",
    "centre_reference",
    "residual_scale",
    "certificate",
    "error_bound",
    "unique_optimum",
    "objective_value",
]


def subgradient_distances(
    x: np.ndarray, gradient: np.ndarray, *, n_smooth: int, prior
) -> np.ndarray:
    """Per coordinate, the distance of 0 to the subdifferential of ``f + h`` at ``x``.

    ``gradient`` is that of ``f`` (likelihood and the prior's smooth part). Unpenalised
    coordinates (the intercept) contribute ``|g_j|``; each weight the prior's
    :meth:`~regprior.spec.priors.Prior.subdiff_distance`. Together: the minimum-norm subgradient.
    """
    return np.concatenate(
        [np.abs(gradient[:n_smooth]), prior.subdiff_distance(x[n_smooth:], gradient[n_smooth:])]
    )


def kkt_residual(x: np.ndarray, gradient: np.ndarray, *, n_smooth: int, prior) -> float:
    """Infinity norm of the minimum-norm subgradient of ``f + h`` at ``x`` (absolute)."""
    return float(np.max(subgradient_distances(x, gradient, n_smooth=n_smooth, prior=prior)))


def centre_reference(model: RegressionModel, objective: SmoothObjective):
    """``(point at the prior centre, likelihood gradient there, scale of the problem)``.

    The scale, independent of any start, is the largest likelihood gradient at the prior centre
    (where the prior's smooth gradient vanishes) or the slope of the prior's kink: the relative
    KKT residual divides by it.
    """
    prior = model.prior
    at_centre = _start(model, objective.n_smooth, prior.centre(model.data.n_features))
    gradient = objective.reference_gradient(at_centre)
    return at_centre, gradient, residual_scale(gradient, prior)


def residual_scale(gradient_at_centre: np.ndarray, prior) -> float:
    """The relative KKT residual's divisor: the largest likelihood gradient at the centre, or the
    slope of the prior's kink, whichever is larger."""
    return max(float(np.max(np.abs(gradient_at_centre))), prior.kink_slope, np.finfo(float).tiny)


def _start(model: RegressionModel, n_smooth: int, centre: np.ndarray) -> np.ndarray:
    """Weights at the prior centre and the intercept the likelihood would pick there."""
    intercept = [0.0] * n_smooth
    if n_smooth and not model.likelihood.centres_target:
        start = model.likelihood.intercept_start(model.data.y, model.data.weights)
        intercept = [start - model.y_mean]
    return np.concatenate([intercept, centre])


def _free_point(model: RegressionModel, coef, intercept: float) -> np.ndarray:
    """``(centred intercept, weights)`` of a solution written as ``(coef, intercept)``."""
    coef = np.asarray(coef, dtype=float)
    head = [intercept - model.y_mean + float(model.x_mean @ coef)] if model.fit_intercept else []
    return np.concatenate([head, coef])


def _min_norm_subgradient(penalised: Penalised, x: np.ndarray) -> np.ndarray:
    _, gradient = penalised.value_and_gradient(x)
    return subgradient_distances(x, gradient, n_smooth=penalised.n_smooth, prior=penalised.prior)


def error_bound(model: RegressionModel, coef, intercept: float, *, at) -> float:
    """Local bound on the distance from ``(coef, intercept)`` to the exact MAP, by its certificate.

    For ``F = f + h`` with ``f`` m-strongly convex, any point ``x`` and subgradient ``s`` of
    ``F`` at ``x`` satisfy ``||x - x*|| <= ||s|| / m``. ``s`` is the minimum-norm subgradient at
    the point; ``m`` the smallest eigenvalue of the Hessian of ``f`` (likelihood and the prior's
    smooth part), taken as the smaller at the point and at ``at`` (the MAP's ``(coef,
    intercept)``): exact for a Gaussian likelihood, local for the others. When the prior has a
    kink and both points have the same weights at the centre, their difference lies in that
    face, and the residual and curvature are those of the intercept and the support only (the
    smooth part restricted to the face). ``inf`` when ``f`` is not strongly convex there.
    """
    penalised = Penalised(compile_map_objective(model), model.prior)
    x = _free_point(model, coef, intercept)
    subgradient = _min_norm_subgradient(penalised, x)
    free = np.ones(len(x), dtype=bool)
    centre = model.prior.centre(model.data.n_features)
    at_zeros = np.asarray(at[0]) == centre
    if model.prior.kink_slope > 0 and np.array_equal(np.asarray(coef) == centre, at_zeros):
        # Both points on one face (the same weights at the centre): their difference lies in the
        # face, so only the curvature there counts (p > n l1 problems: singular in full, not on
        # the support).
        free[penalised.n_smooth :] = ~at_zeros
    residual = float(np.linalg.norm(subgradient[free]))
    curvature = min(
        float(
            scipy.linalg.eigvalsh(
                penalised.hessian(point)[np.ix_(free, free)], subset_by_index=[0, 0]
            )[0]
        )
        for point in (x, _free_point(model, *at))
    )
    return residual / curvature if curvature > 0 else np.inf


def unique_optimum(model: RegressionModel, *solutions) -> bool:
    """Whether the MAP is unique around ``(coef, intercept)`` solutions: the Hessian of the smooth
    part, restricted to the intercept and the union of their supports, is positive definite
    (smallest eigenvalue above 1e-10 x the largest). Duplicated or exactly collinear columns under
    a prior without an l2 part make it singular: then several points share the optimal objective.
    """
    penalised = Penalised(compile_map_objective(model), model.prior)
    centre = model.prior.centre(model.data.n_features)
    x = _free_point(model, *solutions[0])
    support = np.zeros(len(centre), dtype=bool)
    for coef, _ in solutions:
        support |= np.asarray(coef) != centre
    free = np.concatenate([np.ones(penalised.n_smooth, dtype=bool), support])
    if not free.any():
        return True
    values = np.linalg.eigvalsh(penalised.hessian(x)[np.ix_(free, free)])
    return bool(values[0] > 1e-10 * max(values[-1], np.finfo(float).tiny))


def objective_value(model: RegressionModel, coef, intercept: float = 0.0) -> float:
    """Negative log posterior (up to a constant) of any ``(coef, intercept)``.

    ``F = f + h``: what the MAP minimises.
    """
    penalised = Penalised(compile_map_objective(model), model.prior)
    return penalised.composite(_free_point(model, coef, intercept))


def certificate(model: RegressionModel, coef, intercept: float = 0.0) -> float:
    """Relative KKT residual of any ``(coef, intercept)`` for this model (e.g. sklearn's solution).

    The same quantity as :attr:`MAPResult.kkt_residual`, from the same compiled gradient and
    the prior's subdifferential distance, so both sides of a comparison are judged alike.
    """
    objective = compile_map_objective(model)
    residual = _min_norm_subgradient(
        Penalised(objective, model.prior), _free_point(model, coef, intercept)
    )
    return float(np.max(residual)) / centre_reference(model, objective)[2]
