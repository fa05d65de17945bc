"""Array-in entry points (``X``, ``y`` like scikit-learn): validate, build the model, run an engine."""

from __future__ import annotations

import numpy as np

from regprior import registry
from regprior._validation import check_sampling_args
from regprior.backend.model import RegressionModel, build_model
from regprior.checks.comparison import Comparison, compare_data
from regprior.inference import (
    ExactPosterior,
    MAPResult,
    PosteriorResult,
    exact_gaussian_posterior,
    map_estimate,
    nuts_posterior,
)
from regprior.inference.map import DEFAULT_TOL
from regprior.spec.data import RegressionData
from regprior.spec.likelihoods import LIKELIHOOD_FAMILIES, Gaussian
from regprior.spec.priors import Prior

__all__ = [
    "make_model",
    "fit_map",
    "sample_posterior",
    "exact_posterior",
    "compare",
    "warn_degenerate_columns",
]


def make_model(
    X,
    y,
    prior: Prior,
    *,
    noise_sigma=None,
    sample_weight=None,
    fit_intercept=True,
    feature_names=None,
    likelihood=None,
) -> RegressionModel:
    """Validate the inputs and build the PyMC model (see :func:`regprior.backend.model.build_model`).

    ``noise_sigma=None`` estimates it as the least-squares residual sd
    (:func:`regprior.spec.likelihoods.estimate_noise_sigma`); the result records which was used.
    ``likelihood``: ``Bernoulli()`` or ``Poisson()`` for logistic or Poisson regression (default:
    the Gaussian). Everything is checked here, before PyMC builds or compiles anything.
    """
    data, likelihood = _checked_inputs(
        X, y, prior, noise_sigma, sample_weight, fit_intercept, feature_names, likelihood
    )
    return build_model(data, prior, likelihood, fit_intercept=fit_intercept)


def warn_degenerate_columns(data) -> None:
    """Warn (UserWarning, naming them) about constant and duplicated columns of ``X``.

    Both are legal, but a constant column's weight is decided by the prior alone, and duplicated
    (or exactly collinear) columns make a lasso solution non-unique: MAP and sklearn may split the
    weight differently at equal objectives (the comparison's verdict then compares objectives).
    """
    import warnings

    X = data.X
    constant = [data.feature_names[j] for j in np.flatnonzero(np.ptp(X, axis=0) == 0)]
    if constant:
        warnings.warn(
            f"X has constant column(s) {constant}: with an intercept their weights are fixed by the prior alone.",
            UserWarning,
            stacklevel=3,
        )
    # Equal columns have equal random projections: O(n p) to find candidates (np.unique(axis=1)
    # sorts the columns and cost more than a warm MAP), then each candidate checked exactly.
    fingerprints = np.random.default_rng(0).standard_normal(X.shape[0]) @ X
    order = np.argsort(fingerprints, kind="stable")  # equal columns end up next to each other
    first_of_group, duplicated = order[0], set()
    for j in order[1:]:
        if fingerprints[j] == fingerprints[first_of_group] and np.array_equal(
            X[:, j], X[:, first_of_group]
        ):
            duplicated.add(
                first_of_group
            )  # stable sort: the group's first column is its lowest index
        else:
            first_of_group = j
    duplicated = [data.feature_names[j] for j in sorted(duplicated)]
    if duplicated:
        warnings.warn(
            f"X has duplicated column(s) (first of each: {duplicated}): a lasso-type MAP is not unique there.",
            UserWarning,
            stacklevel=3,
        )


def _checked_inputs(
    X, y, prior, noise_sigma, sample_weight, fit_intercept, feature_names, likelihood=None
):
    """Every check of the array entry points; returns ``(data, likelihood)``.

    ``likelihood=None`` is the Gaussian, with ``noise_sigma`` given or estimated; a Bernoulli or
    Poisson instance takes no ``noise_sigma``.
    """
    if not isinstance(prior, Prior):
        raise TypeError(
            f"prior must be a regprior prior such as Normal or Laplace; got {type(prior).__name__}."
        )
    if likelihood is not None and getattr(likelihood, "family", None) not in LIKELIHOOD_FAMILIES:
        raise TypeError(
            f"likelihood must be one of {sorted(LIKELIHOOD_FAMILIES)} (an instance); got {likelihood!r}."
        )
    family = Gaussian.family if likelihood is None else likelihood.family
    registry.pairing(prior, family)  # a family without a model or counterpart fails here
    if not isinstance(fit_intercept, bool):
        raise TypeError(f"fit_intercept must be a bool; got {fit_intercept!r}.")
    data = RegressionData(X, y, sample_weight, feature_names=feature_names)
    warn_degenerate_columns(data)
    prior.centre(data.n_features)
    if likelihood is None or family == Gaussian.family and noise_sigma is not None:
        return data, Gaussian.resolve(data, noise_sigma, fit_intercept=fit_intercept)
    if noise_sigma is not None and family != Gaussian.family:
        raise ValueError(
            f"noise_sigma applies to the gaussian likelihood only; got it with a {family} likelihood."
        )
    likelihood.check_target(data.y)
    return data, likelihood


def fit_map(
    X,
    y,
    prior: Prior,
    *,
    noise_sigma=None,
    sample_weight=None,
    fit_intercept=True,
    tol=DEFAULT_TOL,
    likelihood=None,
) -> MAPResult:
    """Posterior mode (MAP) of the regression weights under ``prior``, exact.

    Maximises ``log p(y | beta, c) + log p(beta)`` (flat prior on the intercept ``c``)
    with the engine of :func:`regprior.inference.map_estimate`. At
    ``Normal(mu, sigma)`` this is ``Ridge(alpha=noise_sigma**2 / sigma**2)``; at
    ``Laplace(mu, scale)``, ``Lasso(alpha=noise_sigma**2 / (N * scale))``; at
    ``ElasticNetPrior(mu, scale, sigma)``, ``ElasticNet`` (see :mod:`regprior.registry`).
    The compiled model is reused across calls of the same structure (prior family, likelihood,
    data shape, intercept: :mod:`regprior.backend.cache`); the data and parameters are swapped in.
    """
    from regprior.backend.cache import reusable_model
    from regprior.inference.map import check_map_settings

    check_map_settings(tol=tol)
    data, likelihood = _checked_inputs(
        X, y, prior, noise_sigma, sample_weight, fit_intercept, None, likelihood
    )
    with reusable_model(data, prior, likelihood, fit_intercept=fit_intercept) as model:
        return map_estimate(model, tol=tol)


def sample_posterior(
    X,
    y,
    prior: Prior,
    *,
    noise_sigma=None,
    sample_weight=None,
    fit_intercept=True,
    draws=1000,
    tune=1000,
    chains=4,
    random_seed=0,
    likelihood=None,
) -> PosteriorResult:
    """NUTS posterior (nutpie, compiled once per model) of the weights and intercept under ``prior``."""
    check_sampling_args(draws=draws, tune=tune, chains=chains, random_seed=random_seed)
    model = make_model(
        X,
        y,
        prior,
        noise_sigma=noise_sigma,
        sample_weight=sample_weight,
        fit_intercept=fit_intercept,
        likelihood=likelihood,
    )
    return nuts_posterior(model, draws=draws, tune=tune, chains=chains, random_seed=random_seed)


def exact_posterior(
    X, y, prior: Prior, *, noise_sigma=None, sample_weight=None, fit_intercept=True
) -> ExactPosterior:
    """Closed-form Gaussian posterior for a ``Normal`` prior with known noise sigma."""
    if not registry.pairing(prior, Gaussian.family).conjugate:
        raise TypeError(
            f"the exact posterior needs a Normal prior (conjugate to the Gaussian likelihood); got {type(prior).__name__}. "
            "Use sample_posterior for it."
        )
    model = make_model(
        X,
        y,
        prior,
        noise_sigma=noise_sigma,
        sample_weight=sample_weight,
        fit_intercept=fit_intercept,
    )
    return exact_gaussian_posterior(model)


def compare(
    X,
    y,
    prior: Prior,
    *,
    noise_sigma=None,
    sample_weight=None,
    fit_intercept=True,
    feature_names=None,
    sample=True,
    draws=1000,
    tune=1000,
    chains=4,
    random_seed=0,
    likelihood=None,
) -> Comparison:
    """MAP and posterior under ``prior`` against the sklearn counterpart, as a table and a verdict.

    See :func:`regprior.checks.comparison.compare_data`; ``likelihood`` as for :func:`make_model`.
    """
    data, likelihood = _checked_inputs(
        X, y, prior, noise_sigma, sample_weight, fit_intercept, feature_names, likelihood
    )
    return compare_data(
        data,
        prior,
        likelihood,
        fit_intercept=fit_intercept,
        sample=sample,
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
    )
