"""The family -> PyMC distribution tables: how each prior and likelihood is declared in a model.

The specification (:mod:`regprior.spec`) knows nothing of PyMC; these tables are the one
place a family becomes a ``pm`` distribution. A family defined outside regprior joins them
through :func:`register_prior_distribution` and :func:`register_likelihood_distribution`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "PRIOR_DISTRIBUTIONS",
    "LIKELIHOOD_DISTRIBUTIONS",
    "register_prior_distribution",
    "register_likelihood_distribution",
    "generalized_double_pareto",
]


def _pm():
    import pymc as pm

    return pm


def _normal(name, mu, parameters, dims):
    return _pm().Normal(name, mu=mu, sigma=parameters["sigma"], dims=dims)


def _laplace(name, mu, parameters, dims):
    # PyMC's ``b`` is the scale (density exp(-|x - mu| / b) / (2 b)), not the blog's rate.
    return _pm().Laplace(name, mu=mu, b=parameters["scale"], dims=dims)


def _elastic_net_logp(value, mu, scale, sigma):
    """Log density of :class:`~regprior.spec.priors.ElasticNetPrior`, normaliser included."""
    import pytensor.tensor as pt

    shift = value - mu
    log_normaliser = (
        pt.log(sigma) + 0.5 * np.log(2.0 * np.pi) + pt.log(pt.erfcx(sigma / (np.sqrt(2.0) * scale)))
    )
    return -pt.abs(shift) / scale - shift**2 / (2.0 * sigma**2) - log_normaliser


def _elastic_net(name, mu, parameters, dims):
    # No generative form is needed for NUTS or the MAP: a log density (and a start) is enough.
    return _pm().CustomDist(
        name,
        mu,
        parameters["scale"],
        parameters["sigma"],
        logp=_elastic_net_logp,
        support_point=lambda rv, size, mu, scale, sigma: mu,
        dims=dims,
    )


def _gdp_logp(value, mu, scale, shape):
    """Log density of :class:`~regprior.spec.priors.GeneralizedDoublePareto`, normalised."""
    import pytensor.tensor as pt

    return -(shape + 1.0) * pt.log1p(pt.abs(value - mu) / (shape * scale)) - pt.log(2.0 * scale)


def _gdp_random(mu, scale, shape, rng=None, size=None):
    # Inverse CDF of |theta - mu|: P(|theta - mu| > t) = (1 + t / (a xi))**-a; a random sign.
    uniform = rng.uniform(size=size)
    magnitude = shape * scale * np.expm1(-np.log1p(-uniform) / shape)
    return mu + np.where(rng.uniform(size=size) < 0.5, -magnitude, magnitude)


def generalized_double_pareto(name, mu, parameters, dims):
    """A generalized double Pareto variable (``parameters``: ``scale``, ``shape``, tensors).

    PyMC has none: a ``CustomDist`` with the normalised log density and a start at the centre;
    the fixed-scale prior's entry of :data:`PRIOR_DISTRIBUTIONS`, and the weights of
    :class:`~regprior.spec.sparse.BayesianGDP` with ``scale = sigma xi``.
    """
    return _pm().CustomDist(
        name,
        mu,
        parameters["scale"],
        parameters["shape"],
        logp=_gdp_logp,
        random=_gdp_random,
        support_point=lambda rv, size, mu, scale, shape: mu,
        dims=dims,
    )


#: The one family -> PyMC distribution table: ``build(name, mu, {parameter: tensor}, dims)``.
#: Each entry's log density equals the spec's ``neg_logpdf`` (tested at random points).
PRIOR_DISTRIBUTIONS = {
    "normal": _normal,
    "laplace": _laplace,
    "elasticnet": _elastic_net,
    "gdp": generalized_double_pareto,
}


def _gaussian(name, eta, parameters, weights, observed):
    sigma = (
        parameters["noise_sigma"]
        if weights is None
        else parameters["noise_sigma"] / _pt().sqrt(weights)
    )
    return _pm().Normal(name, mu=eta, sigma=sigma, observed=observed)


def _bernoulli_logp(value, eta, weights):
    # y eta - softplus(eta): the Bernoulli(logit) log mass in a form whose first and second
    # derivatives stay finite for any eta. PyMC 6.4's Bernoulli(logit_p=) writes
    # switch(y, log(sigmoid(eta)), log(1 - sigmoid(eta))), whose Hessian is NaN once |eta| > ~710.
    pt = _pt()
    return weights * (value * eta - pt.softplus(eta))


def _poisson_logp(value, eta, weights):
    # y eta - exp(eta) - log(y!): the Poisson(log link) log mass without log(exp(eta)).
    pt = _pt()
    return weights * (value * eta - pt.exp(eta) - pt.gammaln(value + 1.0))


def _bernoulli_random(eta, weights, rng=None, size=None):
    return rng.binomial(1, 1.0 / (1.0 + np.exp(-eta)), size=size)


def _poisson_random(eta, weights, rng=None, size=None):
    return rng.poisson(np.exp(eta), size=size)


def _glm(logp, random):
    """An observed GLM variable:
    each observation's log mass times its weight (sklearn's weights)."""

    def build(name, eta, parameters, weights, observed):
        weights = 1.0 if weights is None else weights
        return _pm().CustomDist(name, eta, weights, logp=logp, random=random, observed=observed)

    return build


def _pt():
    import pytensor.tensor as pt

    return pt


#: The one likelihood family -> PyMC observed-variable table:
#: ``build(name, eta, {parameter: tensor}, weights or None, observed)``. Each entry's log
#: density equals the likelihood's ``-neg_loglik`` (tested).
LIKELIHOOD_DISTRIBUTIONS = {
    "gaussian": _gaussian,
    "bernoulli": _glm(_bernoulli_logp, _bernoulli_random),
    "poisson": _glm(_poisson_logp, _poisson_random),
}


def register_prior_distribution(family: str, build=None):
    """Declare how a prior family is built in PyMC (usable as a decorator).

    Parameters
    ----------
    family : str
        The prior class's ``family``.
    build : callable
        ``build(name, mu, parameters, dims) -> pm variable``: inside a model context, the weights
        under the prior, with ``mu`` the centre (a tensor of shape (n_features,)) and
        ``parameters`` the class's ``parameter_names`` as tensors (``pm.Data``, swapped without a
        rebuild). Its log density must equal ``-neg_logpdf`` of the specification, normaliser
        included (a ``pm.CustomDist`` with ``logp=`` serves when PyMC has no such distribution).

    Returns
    -------
    build
    """

    return registrar(PRIOR_DISTRIBUTIONS, family, build)


def register_likelihood_distribution(family: str, build=None):
    """Declare how a likelihood family is built in PyMC (usable as a decorator).

    ``build(name, eta, parameters, weights, observed) -> pm variable``: inside a model context,
    the observed variable at the linear predictor ``eta``; ``parameters`` are the likelihood's
    ``parameters`` as tensors; ``weights`` (None without sample weights) multiply each
    observation's log likelihood. Its log density must equal ``-neg_loglik`` of the
    specification. Returns ``build``.
    """

    return registrar(LIKELIHOOD_DISTRIBUTIONS, family, build)


def registrar(table: dict, key: str, function=None):
    """Add ``function`` to ``table`` under ``key``, or return a decorator that does."""
    if not isinstance(key, str):
        raise TypeError(f"the table key must be a family or kind name (str); got {key!r}.")

    def register(function):
        if not callable(function):
            raise TypeError(f"{key}: the declaration must be callable; got {function!r}.")
        table[key] = function
        return function

    return register if function is None else register(function)
