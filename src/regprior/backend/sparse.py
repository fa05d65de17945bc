r"""The sparse priors in PyMC: their scales, and the Gaussian marginal likelihood NUTS samples.

Each specification of :mod:`regprior.spec.sparse` is a normal scale mixture,
``theta_j | scales, sigma ~ N(0, v_j)``. Its declaration here creates the noise sigma and the
scales and returns the prior variances ``v``;
:func:`regprior.backend.hierarchical.register_scale_mixture` turns it into two models built by
:func:`regprior.backend.model.build_hierarchical_model`: the joint model (weights
``beta ~ N(0, v)`` and the observed ``y``: the specification's density, used for the pointwise
log likelihood and posterior predictions) and the model NUTS samples, with the weights
integrated out (:func:`marginal_log_likelihood`); the weights are then drawn exactly given each
draw of the scales (``docs/specification.md``, "Integrating the weights out"). The one
exception, the full-Bayes generalized double Pareto, has a closed-form density of its weights:
it is declared as Park & Casella's Laplace is, weights and sigma, with no latent scales.
"""

from __future__ import annotations

import numpy as np

from regprior.backend.hierarchical import (
    declare_noise,
    register_full_bayes,
    register_scale_mixture,
)
from regprior.backend.names import SIGMA, SIGMA2, TAU, WEIGHTS

__all__ = ["marginal_log_likelihood", "LOCAL_SCALES", "SLAB", "R2"]

#: The local scales ``lambda_j`` of the horseshoe family (dims ``"feature"``).
LOCAL_SCALES = "lambda_local"
#: The regularized horseshoe's slab width ``psi`` (Piironen & Vehtari's ``c``).
SLAB = "slab"
#: R2-D2's share of explained variance.
R2 = "r2"


def marginal_log_likelihood(variance, sigma, X, y, *, fit_intercept: bool, log_weight_term=0.0):
    r"""``log p(y | v, sigma)`` with the weights ``theta ~ N(0, diag(v))`` and the flat intercept
    integrated out (PyTensor).

    ``X``, ``y``: centred data, rows multiplied by ``sqrt(w_i)`` when weighted (NumPy constants).
    With ``D = diag(v) / sigma^2`` and ``M = I_n + X D X'``:

    .. math::

        \log p = -\frac{n - 1}{2}\log(2\pi\sigma^2) - \frac12\log|M|
                 - \frac{y^\top M^{-1} y}{2\sigma^2} + \frac12\sum_i\log w_i - \frac12\log N

    (``n`` and no ``log N`` without an intercept). For ``p <= n`` the ``p x p`` form:
    ``|M| = |I_p + D^{1/2}X'XD^{1/2}| = |L|^2`` and ``y'M^{-1}y = y'y - b'b``,
    ``b = L^{-1}D^{1/2}X'y`` (determinant lemma and Woodbury); for ``p > n`` the ``n x n``
    Cholesky of ``M``, ``O(n^2 p)`` (``docs/specification.md``, "Integrating the weights out").
    ``log_weight_term`` is the constant ``1/2 sum log w - 1/2 log N``.
    """
    import pytensor.tensor as pt
    from pytensor.tensor.linalg import cholesky, solve_triangular

    n, p = X.shape
    dof = n - 1 if fit_intercept else n
    sigma2 = sigma**2
    relative = variance / sigma2
    if p <= n:
        gram, xty, yty = X.T @ X, X.T @ y, float(y @ y)
        sd = pt.sqrt(relative)
        L = cholesky(pt.eye(p) + sd[:, None] * pt.as_tensor(gram) * sd[None, :])
        b = solve_triangular(L, sd * pt.as_tensor(xty), lower=True)
        quadratic = yty - pt.sum(b**2)
    else:
        X_t = pt.as_tensor(X)
        L = cholesky(pt.eye(n) + pt.dot(X_t * relative[None, :], X_t.T))
        a = solve_triangular(L, pt.as_tensor(y), lower=True)
        quadratic = pt.sum(a**2)
    log_det = 2.0 * pt.sum(pt.log(pt.diag(L)))
    return (
        -0.5 * dof * pt.log(2.0 * np.pi * sigma2)
        - 0.5 * log_det
        - quadratic / (2.0 * sigma2)
        + log_weight_term
    )


def _noise(spec, data):
    import pymc as pm

    sigma = declare_noise(spec.noise_prior, spec.noise_scale_for(data.y))
    pm.Deterministic(SIGMA2, sigma**2)
    return sigma


@register_scale_mixture("horseshoe")
def _declare_horseshoe(spec, data):
    """Horseshoe: ``v_j = sigma^2 tau^2 lambda_j^2`` (over ``s_j^2`` with ``scale_columns``)."""
    import pymc as pm

    sigma = _noise(spec, data)
    tau = pm.HalfCauchy(TAU, beta=spec.global_scale(data.weight_sum, data.n_features))
    lam = pm.HalfCauchy(LOCAL_SCALES, beta=1.0, dims="feature")
    divisor = spec.variance_divisor(data.X)
    return (sigma * tau * lam) ** 2 / divisor, sigma, (SIGMA, TAU)


@register_scale_mixture("regularized_horseshoe")
def _declare_regularized_horseshoe(spec, data):
    """Regularized horseshoe: ``v_j = psi^2 tau^2 lambda_j^2 / (psi^2 + tau^2 lambda_j^2)``.

    ``tau = sigma tau_unit`` with ``tau_unit ~ C+(0, tau0)`` (``tau ~ C+(0, tau0 sigma)``
    non-centred in sigma); ``psi^2 ~ InvGamma(nu/2, nu s_slab^2/2)``.
    """
    import pymc as pm
    import pytensor.tensor as pt

    sigma = _noise(spec, data)
    tau_unit = pm.HalfCauchy("tau_unit", beta=spec.global_scale(data.weight_sum, data.n_features))
    tau = pm.Deterministic(TAU, sigma * tau_unit)
    lam = pm.HalfCauchy(LOCAL_SCALES, beta=1.0, dims="feature")
    nu, slab_scale = spec.slab_df, spec.slab_scale_for(data.X, data.y)
    slab2 = pm.InverseGamma("slab2", alpha=nu / 2, beta=nu * slab_scale**2 / 2)
    pm.Deterministic(SLAB, pt.sqrt(slab2))
    spread = (tau * lam) ** 2
    divisor = spec.variance_divisor(data.X)
    return slab2 * spread / (slab2 + spread) / divisor, sigma, (SIGMA, TAU, SLAB)


@register_scale_mixture("r2d2")
def _declare_r2d2(spec, data):
    """R2-D2, normal kernel: ``v_j = sigma^2 phi_j tau^2 / s_j^2``, ``tau^2 = R^2 / (1 - R^2)``.

    ``phi ~ Dirichlet(a)`` as ``g / sum(g)``, ``g_j ~ Gamma(a, 1)`` independent: the same
    distribution, on an unconstrained space NUTS moves through without a simplex transform.
    """
    import pymc as pm
    import pytensor.tensor as pt

    sigma = _noise(spec, data)
    a, b = spec.beta_parameters
    r2 = pm.Beta(R2, alpha=a, beta=b)
    tau2 = r2 / (1.0 - r2)
    pm.Deterministic(TAU, pt.sqrt(tau2))
    g = pm.Gamma("phi_gamma", alpha=spec.concentration, beta=1.0, dims="feature")
    phi = pm.Deterministic("phi", g / pt.sum(g), dims="feature")
    divisor = spec.variance_divisor(data.X)
    return sigma**2 * phi * tau2 / divisor, sigma, (SIGMA, R2, TAU)


@register_full_bayes("bayesian_gdp")
def _declare_bayesian_gdp(spec, data):
    """Armagan, Dunson & Lee's GDP scaled by the noise: ``theta_j ~ GDP(sigma xi_j, a)``.

    The weights under their closed-form density (the GDP ``CustomDist`` of
    :mod:`regprior.backend.distributions`), not the scale mixture: NUTS then moves through
    ``(theta, log sigma)`` alone, with no latent scales and no funnel. ``xi_j = xi`` or
    ``xi / s_j`` (``scale_columns``). Returns ``(beta, sigma, summary names)``.
    """
    from regprior.backend.distributions import generalized_double_pareto

    sigma = _noise(spec, data)
    scale = sigma * spec.prior_scale_for(data.X)
    beta = generalized_double_pareto(
        WEIGHTS, np.zeros(data.n_features), {"scale": scale, "shape": spec.shape}, "feature"
    )
    return beta, sigma, (SIGMA,)
