"""Projection of reference posterior draws onto a submodel (docs/specification.md, "Projection
predictive selection"; Goutis & Robert 1998; Piironen, Paasiniemi & Vehtari 2020).

A reference draw ``s`` gives the fit ``mu^(s) = c^(s) + X theta^(s)`` on the link scale (and, for
a likelihood with a noise scale, ``sigma^(s)``). Its projection onto the features ``A`` is the
submodel closest to it in Kullback-Leibler divergence:

* a quadratic likelihood (the Gaussian): weighted least squares of ``mu^(s)`` on ``[1, X_A]``
  gives ``mu_perp^(s)``, and ``sigma_perp^(s)^2 = sigma^(s)^2 + (1/n) sum_i w_i (mu_i^(s) -
  mu_perp_i^(s))^2``. With regprior's precision weights (``Var(y_i) = sigma^2 / w_i``) the KL
  divergence summed over the observations is minimised with the divisor ``n``; without
  weights ``n = N``, the formula of projpred;
* a likelihood without a noise parameter (Bernoulli, Poisson): the submodel's maximum likelihood
  fit to the reference's mean response ``E[y | mu^(s)]`` (fractional targets for the
  Bernoulli), by a direct Newton iteration (IRLS with step halving) on the likelihood's own
  gradient and Hessian, ``coef_gradient`` and ``coef_hessian`` of
  :class:`~regprior.spec.likelihoods.Likelihood` with ``[1, X_A]`` as the design; it stops when
  the largest gradient entry is below ``NEWTON_TOL`` times its value at the start.

Draws may first be grouped into clusters (k-means on their mean response, projpred's way): a
cluster is projected as the mixture of its draws, i.e. its mean response is the target, and for
the Gaussian the within-cluster spread of the fits and the mean noise variance enter
``sigma_perp^2``. A cluster of one draw is that draw's projection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "ReferenceDraws",
    "ClusteredReference",
    "Projection",
    "cluster_draws",
    "single_draws",
    "project",
    "NEWTON_TOL",
]

#: Relative gradient tolerance of the Newton projection of a GLM (the largest entry of
#: ``[1, X_A]^T W (t - E[y | eta])``, relative to its value at the start).
NEWTON_TOL = 1e-10
MAX_NEWTON = 100


@dataclass(frozen=True)
class ReferenceDraws:
    """Reference posterior draws as the projection needs them.

    Attributes
    ----------
    coef : ndarray of shape (n_draws, n_features)
    intercept : ndarray of shape (n_draws,)
    noise : ndarray of shape (n_draws,) or None
        The noise sd of each draw (a likelihood with a noise parameter), else None.
    likelihood : Likelihood
        Its family decides the projection; a noise parameter is per draw (``noise``).
    """

    coef: np.ndarray
    intercept: np.ndarray
    noise: np.ndarray | None
    likelihood: object

    @property
    def n_draws(self) -> int:
        return self.coef.shape[0]

    def fit(self, X) -> np.ndarray:
        """``mu^(s) = c^(s) + X theta^(s)`` (link scale), shape (n_draws, n_samples)."""
        return self.intercept[:, None] + self.coef @ np.asarray(X, dtype=float).T

    def subset(self, index) -> ReferenceDraws:
        return ReferenceDraws(
            self.coef[index],
            self.intercept[index],
            None if self.noise is None else self.noise[index],
            self.likelihood,
        )


@dataclass(frozen=True)
class ClusteredReference:
    """Draws grouped into clusters, each projected as the mixture of its draws.

    Attributes
    ----------
    target : ndarray of shape (n_clusters, n_samples)
        The mean response ``mean_{s in c} E[y | mu^(s)]`` (for the Gaussian, the mean fit).
    noise_variance : ndarray of shape (n_clusters,) or None
        ``mean_{s in c} sigma^(s)^2`` (Gaussian).
    spread : ndarray of shape (n_clusters,)
        ``mean_{s in c} sum_i w_i (mu_i^(s) - target_i)^2`` (Gaussian; 0 for one draw).
    weight : ndarray of shape (n_clusters,)
        Share of the draws in each cluster (sums to 1).
    """

    target: np.ndarray
    noise_variance: np.ndarray | None
    spread: np.ndarray
    weight: np.ndarray

    @property
    def n_clusters(self) -> int:
        return self.target.shape[0]


def has_noise_scale(likelihood) -> bool:
    """Whether the likelihood is quadratic with a noise scale (the Gaussian's projection)."""
    return bool(likelihood.quadratic and likelihood.noise_parameter is not None)


def check_projectable(likelihood) -> None:
    """ValueError unless the likelihood is quadratic with a noise scale or a GLM without one."""
    if has_noise_scale(likelihood):
        return
    if likelihood.noise_parameter is None and not likelihood.quadratic:
        return
    raise ValueError(
        f"likelihood: the projection needs a quadratic likelihood with a noise scale (least "
        f"squares) or one without a noise parameter (maximum likelihood); got {likelihood!r}."
    )


def single_draws(draws: ReferenceDraws, X, weights) -> ClusteredReference:
    """Every draw its own cluster (equal weights)."""
    mu = draws.fit(X)
    target = mu if has_noise_scale(draws.likelihood) else draws.likelihood.mean(mu)
    n = draws.n_draws
    return ClusteredReference(
        target=target,
        noise_variance=None if draws.noise is None else draws.noise**2,
        spread=np.zeros(n),
        weight=np.full(n, 1.0 / n),
    )


def cluster_draws(
    draws: ReferenceDraws, X, weights, n_clusters: int, *, random_seed: int = 0
) -> ClusteredReference:
    """k-means of the draws' mean responses into ``n_clusters`` (all draws apart if fewer)."""
    if n_clusters >= draws.n_draws:
        return single_draws(draws, X, weights)
    from sklearn.cluster import KMeans

    mu = draws.fit(X)
    gaussian = has_noise_scale(draws.likelihood)
    response = mu if gaussian else draws.likelihood.mean(mu)
    labels = KMeans(n_clusters, n_init=1, random_state=random_seed).fit_predict(response)
    present = np.unique(labels)
    target = np.array([response[labels == c].mean(axis=0) for c in present])
    weight = np.array([np.mean(labels == c) for c in present])
    spread = np.zeros(len(present))
    noise_variance = None
    if gaussian:
        spread = np.array(
            [np.mean(((mu[labels == c] - target[i]) ** 2) @ weights) for i, c in enumerate(present)]
        )
        noise_variance = np.array([np.mean(draws.noise[labels == c] ** 2) for c in present])
    return ClusteredReference(target, noise_variance, spread, weight)


@dataclass(frozen=True)
class Projection:
    """The projected draws (or clusters) on one submodel.

    Attributes
    ----------
    features : tuple of int
        Column indices of the submodel, in order of entry.
    coef : ndarray of shape (n_clusters, len(features))
    intercept : ndarray of shape (n_clusters,)
    noise : ndarray of shape (n_clusters,) or None
        ``sigma_perp`` (Gaussian).
    eta : ndarray of shape (n_clusters, n_samples)
        The submodel's linear predictor on the data it was projected on.
    weight : ndarray of shape (n_clusters,)
    divergence : ndarray of shape (n_clusters,)
        What the search minimises, up to a constant that does not depend on the submodel:
        the weighted residual sum of squares of the projection (Gaussian), the negative log
        likelihood of the targets under the submodel (GLMs).
    """

    features: tuple
    coef: np.ndarray
    intercept: np.ndarray
    noise: np.ndarray | None
    eta: np.ndarray
    weight: np.ndarray
    divergence: np.ndarray

    def predict_eta(self, X) -> np.ndarray:
        """The submodel's linear predictor at new rows of the full ``X``, (n_clusters, n_rows)."""
        X = np.asarray(X, dtype=float)[:, list(self.features)]
        return self.intercept[:, None] + self.coef @ X.T

    @property
    def mean_divergence(self) -> float:
        return float(self.weight @ self.divergence)


def _design(X, features) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    return np.column_stack([np.ones(X.shape[0]), X[:, list(features)]])


def project(reference: ClusteredReference, X, weights, likelihood, features) -> Projection:
    """Project every cluster of ``reference`` onto the submodel of ``features`` (column indices)."""
    features = tuple(int(j) for j in features)
    design = _design(X, features)
    weights = np.asarray(weights, dtype=float)
    if has_noise_scale(likelihood):
        return _project_least_squares(reference, design, weights, features)
    return _project_newton(reference, design, weights, likelihood, features)


def _project_least_squares(reference, design, weights, features) -> Projection:
    """Weighted least squares of every cluster's mean fit on ``[1, X_A]`` (one factorisation)."""
    root = np.sqrt(weights)
    solution, *_ = np.linalg.lstsq(design * root[:, None], (reference.target * root).T, rcond=None)
    eta = (design @ solution).T
    rss = ((reference.target - eta) ** 2) @ weights
    n = design.shape[0]
    noise = np.sqrt(reference.noise_variance + (rss + reference.spread) / n)
    return Projection(
        features=features,
        coef=solution[1:].T.copy(),
        intercept=solution[0].copy(),
        noise=noise,
        eta=eta,
        weight=reference.weight,
        divergence=rss + reference.spread,
    )


def _project_newton(reference, design, weights, likelihood, features, start=None) -> Projection:
    """Maximum likelihood of the submodel for every cluster's mean response (Newton, batched)."""
    targets = reference.target
    n_clusters, k = targets.shape[0], design.shape[1]
    solution = np.zeros((n_clusters, k))
    if start is not None:
        solution[:, : start.shape[1]] = start
    else:
        solution[:, 0] = [likelihood.intercept_start(t, weights) for t in targets]

    def objective(eta):
        return likelihood.neg_loglik(targets, eta, weights).sum(axis=1)

    eta = solution @ design.T
    value = objective(eta)
    first = None
    for _ in range(MAX_NEWTON):
        gradient = np.array(
            [
                likelihood.coef_gradient(design, t, weights, e)
                for t, e in zip(targets, eta, strict=True)
            ]
        )
        size = np.max(np.abs(gradient), axis=1)
        first = size if first is None else first
        active = size > NEWTON_TOL * np.maximum(first, 1e-300)
        if not active.any():
            break
        for c in np.flatnonzero(active):
            hessian = likelihood.coef_hessian(design, weights, eta[c])
            try:
                step = np.linalg.solve(hessian, gradient[c])
            except np.linalg.LinAlgError:
                step = np.linalg.lstsq(hessian, gradient[c], rcond=None)[0]
            scale = 1.0
            for _ in range(60):
                candidate = solution[c] - scale * step
                candidate_eta = design @ candidate
                candidate_value = likelihood.neg_loglik(targets[c], candidate_eta, weights).sum()
                if candidate_value <= value[c] + 1e-12 * abs(value[c]):
                    break
                scale /= 2.0
            solution[c], eta[c], value[c] = candidate, candidate_eta, candidate_value
    return Projection(
        features=features,
        coef=solution[:, 1:].copy(),
        intercept=solution[:, 0].copy(),
        noise=None,
        eta=eta,
        weight=reference.weight,
        divergence=value,
    )


def log_density(projection_or_eta, noise, y, weights, likelihood) -> np.ndarray:
    """``log p(y_i | draw)`` for every draw (rows) and observation (columns).

    ``noise`` is each draw's noise sd for a likelihood with a noise parameter (None otherwise);
    each draw is then scored by the likelihood at its own noise (:meth:`Likelihood.with_noise`).
    """
    eta = np.atleast_2d(projection_or_eta)
    if noise is None:
        return -likelihood.neg_loglik(y, eta, weights)
    return -np.array(
        [
            likelihood.with_noise(float(s), "projected").neg_loglik(y, e, weights)
            for s, e in zip(noise, eta, strict=True)
        ]
    )
