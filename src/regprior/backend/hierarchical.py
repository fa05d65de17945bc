"""The PyMC models of the full-Bayes specifications (priors on the noise and on the prior's scale)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from regprior.backend.model import CENTRED_INTERCEPT, INTERCEPT, OBSERVED, WEIGHTS
from regprior.spec.data import RegressionData, weighted_centring
from regprior.spec.hierarchical import BayesianLasso, LearnedScale

__all__ = ["HierarchicalModel", "build_bayesian_lasso", "build_learned_scale"]

SIGMA2 = "sigma2"
LAMBDA = "lambda"
SIGMA = "sigma"
TAU = "tau"
SKLEARN_ALPHA = "sklearn_alpha"


@dataclass
class HierarchicalModel:
    """A built full-Bayes ``pm.Model`` with its data and specification (samples with ``nuts_posterior``).

    ``summary_names`` are the scalars the posterior summary reports beside the weights.
    """

    pymc_model: object
    data: RegressionData
    spec: BayesianLasso
    fit_intercept: bool
    summary_names: tuple = ()
    _compiled: dict = field(default_factory=dict, repr=False)

    def compiled(self, key: str, build):
        if key not in self._compiled:
            self._compiled[key] = build()
        return self._compiled[key]

    def data_values(self) -> dict:
        """No swappable ``pm.Data`` in these models."""
        return {}


def build_bayesian_lasso(data: RegressionData, spec: BayesianLasso, *, fit_intercept: bool = True) -> HierarchicalModel:
    r"""Park & Casella's Bayesian lasso as a PyMC model (see :mod:`regprior.spec.hierarchical`).

    ``p(sigma^2) ~ 1/sigma^2`` is a flat density on ``log sigma`` (the free variable, so NUTS
    works on the real line); ``theta_j ~ Laplace(0, sigma / lambda)`` (PyMC's ``b`` is the
    scale); the intercept is flat and the data centred, as in :func:`regprior.backend.model.build_model`.
    Deterministics: ``sigma2``, ``lambda`` (when learnt) and ``sklearn_alpha = sigma lambda / N``.
    Sample weights are not part of their model: rejected.
    """
    import pymc as pm
    import pytensor.tensor as pt

    if data.sample_weight is not None:
        raise ValueError("Park & Casella's Bayesian lasso has no sample weights; fit it on unweighted data.")
    x_mean, y_mean, X_centred, _ = weighted_centring(data, fit_intercept=fit_intercept)
    with pm.Model(coords={"feature": list(data.feature_names)}) as pymc_model:
        # p(sigma^2) proportional to 1/sigma^2 is flat in log sigma.
        log_sigma = pm.Flat("log_sigma")
        sigma = pt.exp(log_sigma)
        pm.Deterministic(SIGMA2, sigma**2)
        if spec.learns_lambda:
            lambda2 = pm.Gamma("lambda2", alpha=spec.gamma_shape, beta=spec.gamma_rate)
            lam = pm.Deterministic(LAMBDA, pt.sqrt(lambda2))
        else:
            lam = spec.lam
        beta = pm.Laplace(WEIGHTS, mu=0.0, b=sigma / lam, dims="feature")
        mean = pt.dot(pt.as_tensor(X_centred), beta)
        if fit_intercept:
            centred_intercept = pm.Flat(CENTRED_INTERCEPT)
            pm.Deterministic(INTERCEPT, y_mean - pt.dot(x_mean, beta) + centred_intercept)
            mean = mean + y_mean + centred_intercept
        pm.Normal(OBSERVED, mu=mean, sigma=sigma, observed=data.y)
        pm.Deterministic(SKLEARN_ALPHA, spec.lasso_alpha(sigma, lam, data.weight_sum))
    names = (SIGMA2,) + ((LAMBDA,) if spec.learns_lambda else ()) + (SKLEARN_ALPHA,)
    return HierarchicalModel(pymc_model, data, spec, fit_intercept, summary_names=names)


def build_learned_scale(data: RegressionData, spec: LearnedScale, *, fit_intercept: bool = True) -> HierarchicalModel:
    """A Normal or Laplace prior with a learnt scale and an unknown noise sigma (see :class:`LearnedScale`).

    Non-centred weights ``theta = tau z``; flat intercept on centred data; the implied sklearn
    alpha (Ridge ``sigma^2 / tau^2``, Lasso ``sigma^2 / (N tau)``: :mod:`regprior.spec.mapping`)
    is the Deterministic ``sklearn_alpha``. Sample weights enter the likelihood as precisions,
    as in :func:`regprior.backend.model.build_model`.
    """
    import pymc as pm
    import pytensor.tensor as pt

    x_mean, y_mean, X_centred, _ = weighted_centring(data, fit_intercept=fit_intercept)
    noise_scale, prior_scale = spec.scales(data.X, data.y)
    with pm.Model(coords={"feature": list(data.feature_names)}) as pymc_model:
        sigma = pm.HalfNormal(SIGMA, sigma=noise_scale)
        tau = pm.HalfNormal(TAU, sigma=prior_scale)
        if spec.family == "normal":
            z = pm.Normal("z", 0.0, 1.0, dims="feature")
            pm.Deterministic(SKLEARN_ALPHA, sigma**2 / tau**2)
        else:
            # PyMC's b is the Laplace scale.
            z = pm.Laplace("z", 0.0, b=1.0, dims="feature")
            pm.Deterministic(SKLEARN_ALPHA, sigma**2 / (data.weight_sum * tau))
        beta = pm.Deterministic(WEIGHTS, tau * z, dims="feature")
        mean = pt.dot(pt.as_tensor(X_centred), beta)
        if fit_intercept:
            centred_intercept = pm.Flat(CENTRED_INTERCEPT)
            pm.Deterministic(INTERCEPT, y_mean - pt.dot(x_mean, beta) + centred_intercept)
            mean = mean + y_mean + centred_intercept
        pm.Normal(OBSERVED, mu=mean, sigma=sigma / np.sqrt(data.weights), observed=data.y)
    return HierarchicalModel(pymc_model, data, spec, fit_intercept, summary_names=(SIGMA, TAU, SKLEARN_ALPHA))
