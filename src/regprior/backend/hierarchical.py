"""The prior side of the full-Bayes models: each specification's PyMC variables, in a model.

:func:`regprior.backend.model.build_hierarchical_model` creates the ``pm.Model`` (the one
builder), the flat intercept and the likelihood; the functions of
:data:`FULL_BAYES_DECLARATIONS` declare, inside that model, the noise sigma, the weights with
their learnt or sigma-scaled prior, and the implied sklearn alpha as a Deterministic.
"""

from __future__ import annotations

from regprior.backend.distributions import registrar
from regprior.backend.names import LAMBDA, SIGMA, SIGMA2, SKLEARN_ALPHA, TAU, WEIGHTS

__all__ = [
    "FULL_BAYES_DECLARATIONS",
    "register_full_bayes",
    "SCALE_MIXTURE_DECLARATIONS",
    "register_scale_mixture",
    "declare_noise",
    "SIGMA",
    "SIGMA2",
    "LAMBDA",
    "TAU",
    "SKLEARN_ALPHA",
]


def declare_noise(noise_prior: str, scale: float | None):
    """The noise sigma under one of :data:`regprior.spec.hierarchical.NOISE_PRIORS`.

    ``"jeffreys"``: ``p(sigma^2) ~ 1/sigma^2`` equals ``p(sigma) ~ 1/sigma``, a flat density on
    ``log sigma``; declared as ``pm.Flat`` on ``log_sigma`` so that NUTS works on the real line.
    """
    import pymc as pm
    import pytensor.tensor as pt

    from regprior.spec.hierarchical import HALF_STUDENT_T_NU

    if noise_prior == "jeffreys":
        return pm.Deterministic(SIGMA, pt.exp(pm.Flat("log_sigma")))
    if noise_prior == "halfstudentt":
        return pm.HalfStudentT(SIGMA, nu=HALF_STUDENT_T_NU, sigma=scale)
    return pm.HalfNormal(SIGMA, sigma=scale)


def _declare_bayesian_lasso(spec, data):
    r"""Park & Casella's Bayesian lasso (see :mod:`regprior.spec.hierarchical`).

    ``p(sigma^2) ~ 1/sigma^2`` is a flat density on ``log sigma`` (the free variable, so NUTS
    works on the real line); ``theta_j ~ Laplace(0, sigma / lambda)`` (PyMC's ``b`` is the
    scale). Deterministics: ``sigma2``, ``lambda`` (when learnt),
    ``sklearn_alpha = sigma lambda / N``.
    Returns ``(beta, sigma, summary names)``.
    """
    import pymc as pm
    import pytensor.tensor as pt

    sigma = declare_noise("jeffreys", None)
    pm.Deterministic(SIGMA2, sigma**2)
    if spec.learns_lambda:
        lambda2 = pm.Gamma("lambda2", alpha=spec.gamma_shape, beta=spec.gamma_rate)
        lam = pm.Deterministic(LAMBDA, pt.sqrt(lambda2))
    else:
        # pm.Data: one compiled sampler serves every lambda (empirical Bayes iterates over it).
        lam = pm.Data(spec.data_fields["lam"], spec.lam)
    beta = pm.Laplace(WEIGHTS, mu=0.0, b=sigma / lam, dims="feature")
    pm.Deterministic(SKLEARN_ALPHA, spec.lasso_alpha(sigma, lam, data.weight_sum))
    return beta, sigma, (SIGMA2,) + ((LAMBDA,) if spec.learns_lambda else ()) + (SKLEARN_ALPHA,)


def _declare_learned_scale(spec, data):
    """A Normal or Laplace prior with a learnt scale ``tau`` and an unknown noise sigma.

    (:class:`~regprior.spec.hierarchical.LearnedScale`.) Non-centred weights
    ``theta_j = tau z_j c_j`` with ``c_j = 1 / sd(x_j)`` (per-column scales, the default) or 1
    (one shared scale); the implied sklearn alpha (Ridge ``sigma^2 / tau^2``, Lasso
    ``sigma^2 / (N tau)``: :mod:`regprior.spec.mapping`), on the standardised columns or on the
    columns as given respectively, is the Deterministic ``sklearn_alpha``.
    Returns ``(beta, sigma, summary names)``.
    """
    import pymc as pm

    noise_scale, prior_scale = spec.scales(data.X, data.y)
    column_scales = spec.column_scales(data.X)
    sigma = declare_noise(spec.noise_prior, noise_scale)
    tau = pm.HalfNormal(TAU, sigma=prior_scale)
    if spec.family == "normal":
        z = pm.Normal("z", 0.0, 1.0, dims="feature")
        pm.Deterministic(SKLEARN_ALPHA, sigma**2 / tau**2)
    else:
        # PyMC's b is the Laplace scale.
        z = pm.Laplace("z", 0.0, b=1.0, dims="feature")
        pm.Deterministic(SKLEARN_ALPHA, sigma**2 / (data.weight_sum * tau))
    if spec.scale_by_column:
        beta = pm.Deterministic(WEIGHTS, tau * z * column_scales, dims="feature")
    else:  # the shared form, as it always was: the same graph, the same draws for a seed
        beta = pm.Deterministic(WEIGHTS, tau * z, dims="feature")
    return beta, sigma, (SIGMA, TAU, SKLEARN_ALPHA)


#: Full-Bayes specification kind -> ``declare(spec, data) -> (beta, sigma, summary names)``.
FULL_BAYES_DECLARATIONS = {
    "bayesian_lasso": _declare_bayesian_lasso,
    "learned_scale": _declare_learned_scale,
}


def register_full_bayes(kind: str, declare=None):
    """Declare how a full-Bayes specification's priors are built in PyMC (usable as a decorator).

    ``declare(spec, data) -> (beta, sigma, summary_names)``: inside a model context, the noise sd
    (:func:`declare_noise` offers the standard noise priors), the weights named
    :data:`~regprior.backend.names.WEIGHTS` with dims ``"feature"``, and the names of the scalar
    variables the posterior summary reports. Returns ``declare``.
    """

    return registrar(FULL_BAYES_DECLARATIONS, kind, declare)


#: Full-Bayes kinds that are normal scale mixtures under the Gaussian likelihood:
#: ``kind -> declare_scales(spec, data) -> (prior variances v, sigma, summary names)``, with
#: ``theta_j | scales, sigma ~ N(0, v_j)``. ``build_hierarchical_model`` samples them with the
#: weights integrated out and draws the weights exactly afterwards.
SCALE_MIXTURE_DECLARATIONS = {}


def register_scale_mixture(kind: str, declare_scales=None):
    """Register a normal scale-mixture specification (usable as a decorator).

    ``declare_scales(spec, data) -> (variance, sigma, summary_names)`` declares, inside a model
    context, the noise sd and the scales, and returns the prior variances ``v`` of the weights
    (dims ``"feature"``). The joint declaration (``beta ~ N(0, sqrt(v))``) is registered with
    :func:`register_full_bayes`; the model NUTS samples integrates ``beta`` out
    (:func:`regprior.backend.model.build_hierarchical_model`). Returns ``declare_scales``.
    """

    def register(declare_scales):
        if not callable(declare_scales):
            raise TypeError(f"{kind}: the declaration must be callable; got {declare_scales!r}.")

        def declare(spec, data):
            import pymc as pm
            import pytensor.tensor as pt

            variance, sigma, names = declare_scales(spec, data)
            beta = pm.Normal(WEIGHTS, 0.0, sigma=pt.sqrt(variance), dims="feature")
            return beta, sigma, names

        SCALE_MIXTURE_DECLARATIONS[kind] = declare_scales
        register_full_bayes(kind, declare)
        return declare_scales

    return register if declare_scales is None else register(declare_scales)
