"""The search: the order in which features enter the submodels (L1 or forward).

* **L1** (projpred's ``method = "L1"``): the order of first entry along the exact L1 path fitted
  to the reference's mean response (the mean fit ``mean_s mu^(s)`` for the Gaussian, the mean
  of ``E[y | mu^(s)]`` for a GLM: fractional targets for the Bernoulli). The path is regprior's
  MAP engine (:func:`regprior.inference.map.map_path_estimates`, the engine under
  :func:`regprior.map_path`) with the likelihood's pure-L1 prior (the registry's row whose
  penalty is ``a1 ||w||_1``) over a geometric grid of its penalty weight ``l1`` from
  ``l1_max`` (every weight exactly 0) down; wherever several features enter between two grid
  points the interval is refined (up to ``REFINEMENTS`` times), and remaining ties, like the
  features that never enter, are ordered by ``|gradient_j|`` at the last point before, the
  feature nearest to its entry first.
* **Forward**: greedy; at each step the feature whose submodel has the smallest mean projected
  divergence over the search clusters (for the Gaussian the weighted residual sum of squares of
  the projected fits, by Gram-Schmidt updates; for GLMs the negative log likelihood of the
  clusters' targets at their projections).
"""

from __future__ import annotations

import numpy as np

from regprior.selection.projection import (
    ClusteredReference,
    _design,
    _project_newton,
    has_noise_scale,
)

__all__ = ["l1_ranking", "forward_ranking", "l1_prior_class", "REFINEMENTS"]

#: Grid of the L1 path: points, and the weakest penalty as a fraction of ``l1_max``.
L1_POINTS, L1_EPS = 100, 1e-4
#: Rounds of refinement of an interval where several features enter, and points added per round.
REFINEMENTS, REFINE_POINTS = 3, 8


def l1_prior_class():
    """The prior family whose penalty is pure L1 (sklearn's Lasso row), from the registry."""
    from regprior import registry

    for row in registry.PAIRINGS:
        a1, a2 = row.to_penalty({row.path_parameter: 1.0, **row.defaults})
        if a1 > 0 and a2 == 0 and row.path_scaling == 1:
            return row.prior
    raise ValueError("the registry has no pure-L1 prior: the L1 search needs one.")


def _path_data(X, target, weights, likelihood):
    """The data of the L1 path: ``target`` itself, or for fractional binary targets two weighted
    rows per observation (``y = 1`` with weight ``w t``, ``y = 0`` with weight ``w (1 - t)``),
    which is the same log likelihood ``w (t log p + (1 - t) log(1 - p))``."""
    from regprior.spec.data import RegressionData

    X = np.asarray(X, dtype=float)
    try:
        likelihood.check_target(target)
        fractional = False
    except ValueError:
        fractional = bool(np.all((target >= 0) & (target <= 1)))
        if not fractional:
            raise
    if not fractional:
        return RegressionData(X, target, weights)
    rows = np.concatenate([X, X])
    y = np.concatenate([np.ones(len(target)), np.zeros(len(target))])
    w = np.concatenate([weights * target, weights * (1.0 - target)])
    keep = w > 0
    return RegressionData(rows[keep], y[keep], w[keep])


def _gradient(data, likelihood, coef, intercept):
    """The likelihood's gradient in the weights at ``(coef, intercept)``."""
    eta = intercept + data.X @ coef
    return likelihood.coef_gradient(data.X, data.y, data.weights, eta)


def l1_ranking(X, target, weights, likelihood) -> tuple[list[int], dict]:
    """Order of first entry along the exact L1 path of ``target`` (see the module docstring).

    Returns ``(ranking, details)``: ``ranking`` holds every column index, in order of entry;
    ``details`` the grid (``l1``), the entry points and the number of MAP solves.
    """
    from regprior.backend.cache import reusable_model
    from regprior.inference.map import map_path_estimates
    from regprior.spec.data import weighted_centring

    nominal = type(likelihood).nominal()
    data = _path_data(X, np.asarray(target, dtype=float), np.asarray(weights, float), nominal)
    prior_class = l1_prior_class()
    _, _, X_centred, y_centred = weighted_centring(data, fit_intercept=True)
    if nominal.centres_target:
        eta0, y0 = np.zeros(data.n_samples), y_centred
    else:
        eta0 = np.full(data.n_samples, nominal.intercept_start(data.y, data.weights))
        y0 = data.y
    l1_max = prior_class.alpha_max(nominal.coef_gradient(X_centred, y0, data.weights, eta0))
    if not l1_max > 0:
        raise ValueError("the reference's mean fit is constant: no feature enters the L1 path.")
    solves = 0

    def solve(grid):
        nonlocal solves
        priors = [prior_class.from_penalty_weights(float(l1), 0.0) for l1 in grid]
        with reusable_model(data, priors[0], nominal) as model:
            results = map_path_estimates(model, priors)
        solves += len(grid)
        return (
            np.array([r.coef for r in results]),
            np.array([r.intercept for r in results]),
        )

    grid = np.geomspace(l1_max, l1_max * L1_EPS, L1_POINTS)
    coefs, intercepts = solve(grid)
    for _ in range(REFINEMENTS):
        entries = _first_entries(coefs)
        crowded = _crowded_intervals(entries, len(grid))
        if not crowded:
            break
        extra = [np.geomspace(grid[i], grid[i + 1], REFINE_POINTS + 2)[1:-1] for i in crowded]
        extra = np.concatenate(extra)
        extra_coefs, extra_intercepts = solve(extra)
        grid = np.concatenate([grid, extra])
        order = np.argsort(-grid, kind="stable")
        grid = grid[order]
        coefs = np.concatenate([coefs, extra_coefs])[order]
        intercepts = np.concatenate([intercepts, extra_intercepts])[order]
    entries = _first_entries(coefs)
    # Ties (and features that never enter) by |gradient_j| at the grid point before their entry.
    closeness = np.zeros(coefs.shape[1])
    for j in range(coefs.shape[1]):
        before = (entries[j] if entries[j] < len(grid) else len(grid)) - 1
        before = max(before, 0)
        gradient = _gradient(data, nominal, coefs[before], intercepts[before])
        closeness[j] = np.abs(gradient[j]) / grid[before]
    ranking = sorted(range(coefs.shape[1]), key=lambda j: (entries[j], -closeness[j]))
    entry_l1 = np.where(entries < len(grid), grid[np.minimum(entries, len(grid) - 1)], np.nan)
    return ranking, {"l1": grid, "entry_l1": entry_l1, "solves": solves}


def _first_entries(coefs) -> np.ndarray:
    """Index of the first grid point where each weight is non-zero (the grid length if never)."""
    active = coefs != 0.0
    return np.where(active.any(axis=0), np.argmax(active, axis=0), coefs.shape[0])


def _crowded_intervals(entries, n_points: int) -> list[int]:
    """Grid intervals ``(i - 1, i)`` where several features enter, by their start ``i - 1``."""
    values, counts = np.unique(entries, return_counts=True)
    return [int(v) - 1 for v, c in zip(values, counts, strict=True) if c > 1 and 0 < v < n_points]


def forward_ranking(
    reference: ClusteredReference, X, weights, likelihood, max_size: int
) -> tuple[list[int], np.ndarray]:
    """Greedy forward search up to ``max_size`` features; returns ``(ranking, mean divergences)``.

    ``mean divergences[k]`` is the cluster-weighted mean divergence of the size-``k`` submodel.
    """
    if has_noise_scale(likelihood):
        return _forward_least_squares(reference, X, weights, max_size)
    return _forward_newton(reference, X, weights, likelihood, max_size)


def _forward_least_squares(reference, X, weights, max_size):
    """Forward search by the mean projected residual sum of squares (Gram-Schmidt updates).

    With ``q`` an orthonormal basis (in the weighted inner product) of the current submodel and
    ``z_j`` feature ``j`` orthogonalised against it, adding ``j`` lowers cluster ``c``'s residual
    sum of squares by ``(z_j^T W r_c)^2 / (z_j^T W z_j)``.
    """
    X = np.asarray(X, dtype=float)
    root = np.sqrt(weights)
    residual = (reference.target * root).T  # (n, C)
    candidates = X * root[:, None]
    ones = root / np.linalg.norm(root)
    residual = residual - np.outer(ones, ones @ residual)
    candidates = candidates - np.outer(ones, ones @ candidates)
    scale = np.linalg.norm(X * root[:, None], axis=0)
    # The within-cluster spread does not depend on the submodel: added so that the divergences
    # are those of :func:`~regprior.selection.projection.project`.
    spread = float(reference.weight @ reference.spread)
    ranking, divergences = [], [float(reference.weight @ (residual**2).sum(axis=0)) + spread]
    for _ in range(max_size):
        norms = np.sum(candidates**2, axis=0)
        usable = norms > (1e-10 * scale) ** 2
        usable[ranking] = False
        if not usable.any():
            break
        gains = np.full(X.shape[1], -np.inf)
        projections = candidates[:, usable].T @ residual  # (n_usable, C)
        gains[usable] = (projections**2 @ reference.weight) / norms[usable]
        j = int(np.argmax(gains))
        q = candidates[:, j] / np.sqrt(norms[j])
        residual = residual - np.outer(q, q @ residual)
        candidates = candidates - np.outer(q, q @ candidates)
        ranking.append(j)
        divergences.append(float(reference.weight @ (residual**2).sum(axis=0)) + spread)
    return ranking, np.array(divergences)


def _forward_newton(reference, X, weights, likelihood, max_size):
    """Forward search by the mean negative log likelihood of the clusters' targets (Newton)."""
    ranking = []
    start = _project_newton(reference, _design(X, ()), weights, likelihood, ())
    divergences = [start.mean_divergence]
    current = np.column_stack([start.intercept])
    for _ in range(max_size):
        best = None
        for j in range(X.shape[1]):
            if j in ranking:
                continue
            features = (*ranking, j)
            projection = _project_newton(
                reference, _design(X, features), weights, likelihood, features, start=current
            )
            if best is None or projection.mean_divergence < best.mean_divergence:
                best = projection
        if best is None:
            break
        ranking.append(best.features[-1])
        divergences.append(best.mean_divergence)
        current = np.column_stack([best.intercept, best.coef])
    return ranking, np.array(divergences)
