"""The prior at a strength chosen one way: given, by cross-validation, by evidence or by full Bayes.

``regprior compare --alpha A|cv|1se|eb|bayes`` calls :func:`choose_prior`; a Python user
gets the same prior, likelihood and description from the same call.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np

from regprior import registry
from regprior.spec.priors import Prior

__all__ = ["WAYS", "StrengthChoice", "check_way", "choose_prior"]

#: The ways of choosing a strength from the data, by name: cross-validation, its 1-SE rule,
#: evidence maximisation (type-II ML), full Bayes.
WAYS = ("cv", "1se", "eb", "bayes")
#: How the registry's three ways of stating a strength are given (:func:`registry.make_prior`).
GIVEN_KINDS = ("sklearn", "parameters", "blog")


@dataclass(frozen=True)
class StrengthChoice:
    """A prior at its chosen strength, and how it was chosen.

    Attributes
    ----------
    prior : Prior
        The prior whose MAP is the sklearn counterpart at the chosen strength.
    likelihood : Gaussian, Bernoulli or Poisson
        The likelihood the prior goes with: the one given, except for ``"eb"`` and ``"bayes"``,
        which learn the Gaussian's noise sigma and return it here.
    way : str
        ``"given"`` or one of :data:`WAYS`.
    source : str
        A one-line description (the comparison tables' ``alpha_source``): ``"given"``, the CV
        estimator and its grid, the evidence maximum's iterations, or the full-Bayes posterior's
        94% HDI and sampler health.
    result : EvidenceResult, BayesAlpha or None
        The evidence maximum (``"eb"``) or the full-Bayes choice (``"bayes"``, its posterior
        included); None otherwise.
    """

    prior: Prior
    likelihood: object
    way: str
    source: str
    result: object = None


def check_way(family, likelihood, way, *, mu=0.0) -> str:
    """Check that ``way`` applies to the pair, without fitting anything; return its kind.

    Parameters
    ----------
    family : str or Prior class
        A prior family with a sklearn counterpart under ``likelihood``.
    likelihood : Gaussian, Bernoulli or Poisson
    way : str, float or dict
        As in :func:`choose_prior`.
    mu : float or array-like, default=0.0
        Prior centre; the ``"eb"`` and ``"bayes"`` ways need 0.

    Returns
    -------
    str
        ``"given"`` or the name of the way.

    Raises
    ------
    ValueError
        The way is unknown or is not defined for this prior and likelihood.
    """
    from regprior.checks.sklearn import ONE_SE_ESTIMATORS

    row = registry.pairing(family, likelihood.family)
    if isinstance(way, dict):
        if len(way) != 1 or not set(way) <= set(GIVEN_KINDS):
            raise ValueError(
                f"a given strength is one of {list(GIVEN_KINDS)} with its values; "
                f"got {sorted(way)}."
            )
        return "given"
    if isinstance(way, Real) and not isinstance(way, bool):
        return "given"
    if way not in WAYS:
        raise ValueError(
            f"way must be one of {list(WAYS)}, a number (sklearn's {row.path_parameter}) or a "
            f"dict with one of {list(GIVEN_KINDS)}; got {way!r}."
        )
    described = f"the {row.family} prior with a {likelihood.family} likelihood"
    if way in ("cv", "1se") and not row.cv_estimator:
        raise ValueError(
            f"{described} has no cross-validated counterpart ({row.cv_description}): give its "
            "strength as the prior's parameters (regprior compare: --prior-scale and "
            "--prior-shape)"
        )
    if way == "1se" and row.cv_estimator not in ONE_SE_ESTIMATORS:
        raise ValueError(
            f"the 1-SE rule ('1se') needs per-fold errors ({', '.join(ONE_SE_ESTIMATORS)}); "
            f"{described} is chosen by {row.cv_estimator}."
        )
    if way == "eb" and not row.conjugate:
        conjugate = " or ".join(
            f"the {r.family} prior with a {r.likelihood} likelihood"
            for r in registry.PAIRINGS
            if r.conjugate
        )
        raise ValueError(
            f"evidence maximisation ('eb') is defined for {conjugate}; got {described}."
        )
    if way == "bayes" and (
        row.family not in registry.SEED_FAMILIES or likelihood.family != registry.DEFAULT_LIKELIHOOD
    ):
        raise ValueError(
            "the learnt prior scale ('bayes') is defined for the "
            f"{' and '.join(registry.SEED_FAMILIES)} priors with a "
            f"{registry.DEFAULT_LIKELIHOOD} likelihood; got {described}."
        )
    if way in ("eb", "bayes") and np.any(np.asarray(mu, dtype=float) != 0.0):
        raise ValueError(f"the {way!r} way uses a prior centred at 0; got mu={mu!r}.")
    return way


def choose_prior(
    data,
    family,
    likelihood,
    *,
    way="cv",
    fit_intercept: bool = True,
    mu=0.0,
    fixed: dict | None = None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int = 0,
) -> StrengthChoice:
    """The prior of ``family`` at a strength given, or chosen from ``data`` one of four ways.

    Parameters
    ----------
    data : RegressionData
    family : str or Prior class
        A prior family with a sklearn counterpart under ``likelihood`` (:mod:`regprior.registry`).
    likelihood : Gaussian, Bernoulli or Poisson
        For the Gaussian, the known noise sigma of the sklearn map; the ``"eb"`` and ``"bayes"``
        ways learn sigma instead and return the one they learnt, so for them the given sigma is
        not used (``Gaussian.nominal()`` will do: no least-squares estimate, which data with
        ``n <= p + 1`` do not have, is needed).
    way : {"cv", "1se", "eb", "bayes"}, float or dict, default="cv"
        How the strength is chosen:

        - ``"cv"``: the pair's CV estimator (the registry's ``cv_estimator``), deterministic
          (unshuffled folds). ``RidgeCV``: efficient leave-one-out over
          ``logspace(-6, 6, 121)``; ``LassoCV`` and ``ElasticNetCV``: 5-fold over their own
          100-alpha grid, at the fixed ``l1_ratio``; ``LogisticRegressionCV``: 5-fold over 20
          Cs; ``GridSearchCV(PoissonRegressor)``: 5-fold over ``logspace(-6, 2, 33)``, mean
          D^2. Its best alpha (or C) is mapped to the prior.
        - ``"1se"``: the 1-SE rule on the same fit (``RidgeCV``, ``LassoCV`` and
          ``ElasticNetCV`` only): the largest alpha whose mean CV error is at most the smallest
          mean plus its standard error, the SE being the sd of the per-sample leave-one-out
          squared errors over ``sqrt(n_samples)`` (RidgeCV) or of the per-fold mean squared
          errors over ``sqrt(n_folds)`` (LassoCV, ElasticNetCV), at the best alpha.
        - ``"eb"``: type-II maximum likelihood (:func:`regprior.inference.type2_ml`): the
          noise and weight precisions that maximise the exact marginal likelihood of the Normal
          prior (conjugate pair only), i.e. ``BayesianRidge`` with zero hyperpriors. The prior
          is ``Normal(0, 1/sqrt(weight_precision))`` and the likelihood's noise sigma
          ``1/sqrt(noise_precision)``, so sklearn's alpha is ``sigma^2 / tau^2``.
        - ``"bayes"``: full Bayes (:func:`regprior.checks.alpha_choice.bayes_alpha`): NUTS on
          the learnt-scale version of the Normal or Laplace prior (:class:`LearnedScale`:
          half-normal priors on the noise sigma and the prior scale, Gaussian likelihood,
          ``target_accept=0.95``); the prior is the counterpart's at the posterior median of the
          implied alpha, with the posterior median of sigma as the likelihood's noise sigma.
          The only way that samples: seconds to minutes.
        - a number: sklearn's path parameter as given (``alpha``, or ``C`` for
          ``LogisticRegression``), with ``fixed`` filled in.
        - a dict with one key of ``"sklearn"``, ``"parameters"`` or ``"blog"``: a strength
          stated one of the registry's ways (:func:`regprior.registry.make_prior`), e.g.
          ``{"sklearn": {"alpha": 0.1}}``, ``{"parameters": {"scale": 0.5}}``,
          ``{"blog": {"lam": 2.0}}``.
    fit_intercept : bool, default=True
        An unpenalised intercept (flat prior) in every fit.
    mu : float or array-like, default=0.0
        Prior centre (sklearn is fitted on ``y - X mu``); ``"eb"`` and ``"bayes"`` need 0.
    fixed : dict, optional
        The pair's fixed strength parameters (``{"l1_ratio": 0.5}``), for ``"cv"``, ``"1se"``
        and sklearn's strength; the registry's defaults otherwise.
    draws, tune, chains, random_seed : int
        NUTS settings of the ``"bayes"`` way (unused by the others).

    Returns
    -------
    StrengthChoice
        The prior, its likelihood, the way and a description of the choice.

    Raises
    ------
    ValueError
        The way is not defined for the pair (:func:`check_way`), or the strength is invalid;
        for ``"eb"``, data that can be fitted exactly, where the evidence has no maximum
        (:func:`regprior.inference.evidence.check_evidence_maximum`).
    """
    kind = check_way(family, likelihood, way, mu=mu)
    row = registry.pairing(family, likelihood.family)
    if kind == "given":
        stated = way if isinstance(way, dict) else {"sklearn": {row.path_parameter: float(way)}}
        [(how, values)] = stated.items()
        if how == "sklearn":
            values = {**values, **(fixed or {})}
        prior = registry.make_prior(
            row.prior, likelihood=likelihood, weight_sum=data.weight_sum, mu=mu, **{how: values}
        )
        return StrengthChoice(prior, likelihood, "given", "given")
    if kind in ("cv", "1se"):
        from regprior.checks.sklearn import prior_by_cross_validation

        prior, source = prior_by_cross_validation(
            data,
            row.prior,
            likelihood,
            fit_intercept=fit_intercept,
            mu=mu,
            fixed=fixed,
            one_se=kind == "1se",
        )
        return StrengthChoice(prior, likelihood, kind, source)
    if kind == "eb":
        from regprior.inference import type2_ml

        evidence = type2_ml(data, fit_intercept=fit_intercept)
        return StrengthChoice(
            registry.prior_from_evidence(evidence.weight_precision),
            likelihood.with_noise(
                evidence.noise_sigma, f"type-II ML ({evidence.n_iter} iterations)"
            ),
            kind,
            "type-II ML (evidence maximum = BayesianRidge, zero hyperpriors)",
            evidence,
        )
    from regprior.checks.alpha_choice import bayes_alpha

    choice = bayes_alpha(
        data,
        row.family,
        fit_intercept=fit_intercept,
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
    )
    plug_in = likelihood.with_noise(
        choice.noise_sigma, "posterior median of sigma (learnt-scale model)"
    )
    prior = registry.make_prior(
        row.prior,
        likelihood=plug_in,
        weight_sum=data.weight_sum,
        sklearn={row.path_parameter: choice.alpha},
    )
    return StrengthChoice(prior, plug_in, kind, choice.describe(), choice)
