"""Array-in entry points (``X``, ``y`` like scikit-learn): validate, build the model, run an engine.

Every function takes a *model specification*: a prior with fixed scales (``Normal``,
``Laplace``, ``ElasticNetPrior``, or any :class:`~regprior.spec.priors.Prior` subclass) with a
likelihood, or a full-Bayes specification (:class:`~regprior.spec.hierarchical.FullBayes`:
``BayesianLasso``, ``LearnedScale``) that carries its own noise prior. A scikit-learn twin (a
row of :mod:`regprior.registry`) is needed only by :func:`compare`; a posterior mode only by
:func:`fit_map`.
"""

from __future__ import annotations

from regprior import registry
from regprior.backend.distributions import LIKELIHOOD_DISTRIBUTIONS, PRIOR_DISTRIBUTIONS
from regprior.backend.hierarchical import FULL_BAYES_DECLARATIONS
from regprior.backend.model import build_hierarchical_model, build_model
from regprior.checks.comparison import Comparison, compare_data
from regprior.inference import (
    ExactPosterior,
    MAPResult,
    PosteriorResult,
    exact_gaussian_posterior,
    map_estimate,
)
from regprior.inference.map import DEFAULT_TOL
from regprior.inference.nuts import check_nuts_settings, sample_nuts
from regprior.spec.data import RegressionData, check_noise_scale, warn_degenerate_columns
from regprior.spec.hierarchical import FullBayes
from regprior.spec.likelihoods import Likelihood, resolve_likelihood
from regprior.spec.priors import Prior

__all__ = [
    "make_model",
    "fit_map",
    "sample_posterior",
    "exact_posterior",
    "compare",
    "compare_loo",
    "check_specification",
    "warn_degenerate_columns",
]


def make_model(
    X,
    y,
    prior,
    *,
    noise_sigma=None,
    sample_weight=None,
    fit_intercept=True,
    feature_names=None,
    likelihood=None,
    form="auto",
):
    """Validate the inputs and build the PyMC model of a specification.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    prior : Prior or FullBayes
        A prior with fixed scales (built by :func:`regprior.backend.model.build_model`) or a
        full-Bayes specification (:func:`regprior.backend.model.build_hierarchical_model`).
    noise_sigma : float, optional
        The Gaussian's known noise sd; None estimates it as the least-squares residual sd
        (:func:`regprior.spec.likelihoods.estimate_noise_sigma`). Refused by a full-Bayes
        specification, which learns it.
    sample_weight : array-like of shape (n_samples,), optional
    fit_intercept : bool, default=True
        A flat-prior intercept.
    feature_names : sequence of str, optional
    likelihood : Likelihood, optional
        ``Bernoulli()`` or ``Poisson()`` for logistic or Poisson regression (default: the
        Gaussian).
    form : {"auto", "raw", "sufficient"}, default="auto"
        The likelihood on the raw data (pointwise log likelihood, LOO, posterior predictive) or
        on sufficient statistics (Gaussian, large n); ``"auto"`` picks sufficient statistics
        from n = 5000 and n >= 20 (p + 1) on.

    Returns
    -------
    RegressionModel or HierarchicalModel

    Raises
    ------
    TypeError, ValueError
        Bad input, before PyMC builds or compiles anything.
    """
    data, likelihood = _checked_inputs(
        X, y, prior, noise_sigma, sample_weight, fit_intercept, feature_names, likelihood
    )
    return _build(data, prior, likelihood, fit_intercept=fit_intercept, form=form)


def check_specification(spec, name: str = "prior") -> None:
    """TypeError unless ``spec`` is a model specification: a prior or a full-Bayes specification."""
    if not isinstance(spec, (Prior, FullBayes)):
        raise TypeError(
            f"{name} must be a regprior prior such as Normal or Laplace, or a full-Bayes "
            f"specification such as BayesianLasso; got {type(spec).__name__}."
        )


def _checked_inputs(
    X, y, spec, noise_sigma, sample_weight, fit_intercept, feature_names, likelihood=None
):
    """Every check of the array entry points; returns ``(data, likelihood)``.

    For a prior: ``likelihood=None`` is the Gaussian, with ``noise_sigma`` given or estimated
    (:func:`regprior.spec.likelihoods.resolve_likelihood`). A full-Bayes specification carries
    its own noise prior: it takes no ``noise_sigma``, and its likelihood is its own (returned as
    None). Nothing is built or compiled before every check has passed.
    """
    check_specification(spec)
    if not isinstance(fit_intercept, bool):
        raise TypeError(f"fit_intercept must be a bool; got {fit_intercept!r}.")
    if isinstance(spec, FullBayes):
        return _checked_full_bayes(
            X, y, spec, noise_sigma, sample_weight, feature_names, likelihood
        )
    if spec.family not in PRIOR_DISTRIBUTIONS:
        raise ValueError(
            f"the {spec.family} prior ({type(spec).__name__}) has no PyMC declaration: "
            "register one with regprior.backend.distributions.register_prior_distribution."
        )
    if isinstance(likelihood, (str, type)) or (
        likelihood is not None and not isinstance(likelihood, Likelihood)
    ):
        raise TypeError(
            "likelihood must be a regprior likelihood instance such as Bernoulli() or Poisson(); "
            f"got {likelihood!r}."
        )
    data = RegressionData(X, y, sample_weight, feature_names=feature_names)
    warn_degenerate_columns(data)
    spec.centre(data.n_features)
    likelihood = resolve_likelihood(
        likelihood, data, noise_sigma=noise_sigma, fit_intercept=fit_intercept
    )
    if likelihood.noise_parameter is not None:
        check_noise_scale(data, getattr(likelihood, likelihood.noise_parameter))
    if likelihood.family not in LIKELIHOOD_DISTRIBUTIONS:
        raise ValueError(
            f"the {likelihood.family} likelihood has no PyMC declaration: register one with "
            "regprior.backend.distributions.register_likelihood_distribution."
        )
    return data, likelihood


def _checked_full_bayes(X, y, spec, noise_sigma, sample_weight, feature_names, likelihood):
    name = type(spec).__name__
    if noise_sigma is not None:
        raise ValueError(
            f"noise_sigma: {name} puts a prior on the noise sigma and learns it; drop noise_sigma "
            "(or use a fixed prior such as Laplace with a known noise sigma)."
        )
    if likelihood is not None and getattr(likelihood, "family", likelihood) != spec.likelihood:
        raise ValueError(
            f"likelihood: {name} is built with the {spec.likelihood} likelihood; "
            f"got {likelihood!r}."
        )
    if spec.kind not in FULL_BAYES_DECLARATIONS:
        raise ValueError(
            f"{name} has no PyMC declaration: register one with "
            "regprior.backend.hierarchical.register_full_bayes."
        )
    data = RegressionData(X, y, sample_weight, feature_names=feature_names)
    if data.sample_weight is not None and not spec.supports_weights:
        raise ValueError(f"sample_weight: {name} has no sample weights; fit it on unweighted data.")
    warn_degenerate_columns(data)
    return data, None


def _build(data, spec, likelihood, *, fit_intercept, form="auto"):
    """The PyMC model of ``spec`` on checked data (the one dispatch between the two builders)."""
    if isinstance(spec, FullBayes):
        if form == "sufficient":
            raise ValueError(
                f"form: {type(spec).__name__} is built on the raw data only; got form='sufficient'."
            )
        return build_hierarchical_model(data, spec, fit_intercept=fit_intercept)
    return build_model(data, spec, likelihood, fit_intercept=fit_intercept, form=form)


def fit_map(
    X,
    y,
    prior,
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
    ``ElasticNetPrior(mu, scale, sigma)``, ``ElasticNet`` (see :mod:`regprior.registry` and
    the specification page, docs/specification.md). A prior without a scikit-learn twin is
    solved the same way when it provides the gradient and Hessian diagonal of ``-log p``.
    The compiled model is reused across calls of the same structure (prior family, likelihood,
    data shape, intercept: :mod:`regprior.backend.cache`); the data and parameters are swapped in.

    Raises
    ------
    ValueError
        For a specification without a posterior mode (a full-Bayes specification, a prior whose
        density is infinite at its centre), saying why; for bad input.

    Examples
    --------
    >>> import regprior as rp
    >>> data = rp.load_diabetes()
    >>> prior = rp.Laplace(scale=rp.laplace_scale_from_lasso_alpha(1.0, 54.0, 442))
    >>> result = rp.fit_map(data.X, data.y, prior, noise_sigma=54.0)  # = Lasso(alpha=1.0)
    >>> result.coef.round(2)
    array([  0.  ,   0.  , 367.7 ,   6.31,   0.  ,   0.  ,   0.  ,   0.  , 307.6 ,   0.  ])
    >>> bool(result.kkt_residual < 1e-12)
    True
    """
    from regprior.backend.cache import reusable_model
    from regprior.inference.map import check_map_settings

    check_map_settings(tol=tol)
    check_specification(prior)
    if not prior.has_mode():
        raise ValueError(
            f"prior: {type(prior).__name__} has no posterior mode fit_map can compute: "
            f"{prior.no_mode_reason}."
        )
    data, likelihood = _checked_inputs(
        X, y, prior, noise_sigma, sample_weight, fit_intercept, None, likelihood
    )
    with reusable_model(data, prior, likelihood, fit_intercept=fit_intercept) as model:
        return map_estimate(model, tol=tol)


def sample_posterior(
    X,
    y,
    prior,
    *,
    noise_sigma=None,
    sample_weight=None,
    fit_intercept=True,
    draws=1000,
    tune=1000,
    chains=4,
    random_seed=0,
    likelihood=None,
    target_accept=None,
    engine=None,
    route=None,
) -> PosteriorResult:
    """Posterior draws of the weights and intercept, by NUTS (nutpie, compiled once) or Gibbs.

    Parameters
    ----------
    X, y, prior, noise_sigma, sample_weight, fit_intercept, likelihood
        As for :func:`make_model`; ``prior`` may be a full-Bayes specification, e.g.
        ``sample_posterior(X, y, BayesianLasso(lam=0.237))`` for Park & Casella's posterior.
    draws, tune, chains : int, default=1000, 1000, 4
        Kept draws per chain, tuning steps per chain, chains.
    random_seed : int, default=0
        Same seed, same draws.
    target_accept : float, optional
        NUTS target acceptance; default 0.8 for a fixed prior and the specification's own
        (0.95) for a full-Bayes one. Not a Gibbs setting.
    engine : {"nuts", "gibbs", "auto"} or None, default=None
        ``"gibbs"``: the conditionally conjugate Gibbs sampler
        (:func:`regprior.inference.gibbs.gibbs_posterior`; NumPy, nothing compiled), for a
        specification with Gibbs conditionals under the Gaussian likelihood, or a Normal,
        Laplace or generalized double Pareto prior under the Bernoulli one (Polya-Gamma
        augmentation, :mod:`regprior.inference.polya_gamma`) (ValueError saying why
        otherwise); ``tune`` is then its discarded warm-up. ``"auto"``: Gibbs where the
        specification allows it, NUTS elsewhere. None: the specification's own
        (``regprior.inference.engines.default_engine``): NUTS, except ``"auto"`` for the
        sparse priors (the two horseshoes, R2-D2, ``BayesianGDP``). The result's ``engine`` says
        which sampled.
    route : {"auto", "rue", "bhattacharya", "single_site"}, optional
        How the Gibbs engine draws the weights (``gibbs_posterior``'s ``route``; None:
        ``"auto"``). ``"single_site"``, one weight at a time in ``O(n p)`` a sweep, is the
        opt-in route for large p where shrinkage is strong (the horseshoe with ``p0`` on
        500 x 10,000 in ~100 s); a ValueError when NUTS samples.

    Returns
    -------
    PosteriorResult
        Draws (``datatree``), summary and sampler diagnostics (divergences, r_hat, bulk ESS),
        with the full-Bayes scalars (noise variance, lambda, implied sklearn alpha) summarised
        beside the weights.
    """
    from regprior.inference.engines import check_engine_name, choose_engine, default_engine
    from regprior.inference.gibbs import ROUTES, gibbs_posterior

    check_engine_name(engine)
    if route is not None and route not in ROUTES:
        raise ValueError(f"route must be one of {ROUTES} or None; got {route!r}.")
    if engine is None:
        engine = default_engine(prior)
    if engine == "gibbs" and target_accept is not None:
        raise ValueError("target_accept is a NUTS setting; engine='gibbs' takes none.")
    if target_accept is None:
        target_accept = getattr(prior, "target_accept", 0.8)
    check_nuts_settings(
        draws=draws, tune=tune, chains=chains, random_seed=random_seed, target_accept=target_accept
    )
    data, resolved = _checked_inputs(
        X, y, prior, noise_sigma, sample_weight, fit_intercept, None, likelihood
    )
    if choose_engine(engine, prior, resolved).engine == "gibbs":
        return gibbs_posterior(
            data,
            prior,
            resolved,
            fit_intercept=fit_intercept,
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            route="auto" if route is None else route,
        )
    if route is not None:
        raise ValueError(
            f"route={route!r} is a Gibbs setting; NUTS samples {type(prior).__name__} here."
        )
    model = _build(data, prior, resolved, fit_intercept=fit_intercept)
    return sample_nuts(
        model,
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
        target_accept=target_accept,
    )


def exact_posterior(
    X, y, prior: Prior, *, noise_sigma=None, sample_weight=None, fit_intercept=True
) -> ExactPosterior:
    """Closed-form Gaussian posterior for a ``Normal`` prior with known noise sigma."""
    check_specification(prior)
    if isinstance(prior, FullBayes) or not registry.is_conjugate(prior):
        raise TypeError(
            "the exact posterior needs a Normal prior (conjugate to the Gaussian likelihood); "
            f"got {type(prior).__name__}. Use sample_posterior for it."
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
    engine="nuts",
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
        engine=engine,
    )


def compare_loo(
    X,
    y,
    models,
    *,
    noise_sigma=None,
    sample_weight=None,
    fit_intercept=True,
    likelihood=None,
    draws=1000,
    tune=1000,
    chains=4,
    random_seed=0,
    weights="row",
    engine=None,
):
    """Sample every specification on the same data and compare them by PSIS-LOO (ArviZ).

    Each model is sampled by ``engine``: by NUTS on the PyMC model built on the raw data (the
    pointwise log likelihood needs it) at the specification's own default ``target_accept``,
    or by Gibbs, whose pointwise log likelihood is computed from its draws
    (:func:`regprior.checks.loo.gaussian_log_likelihood`; the Bernoulli's by
    ``regprior.checks.loo.linear_predictor_log_likelihood``). A specification needs no
    scikit-learn twin.

    Parameters
    ----------
    models : dict of str -> Prior or FullBayes
        At least two named specifications. Fixed priors share ``likelihood`` and
        ``noise_sigma``; full-Bayes specifications learn their noise.
    X, y, sample_weight, fit_intercept, likelihood, noise_sigma
        As for :func:`make_model`.
    draws, tune, chains, random_seed
        As for :func:`sample_posterior`.
    weights : {"row", "frequency"}, default="row"
        With sample weights, what is left out: a weighted row whole, or one of the repeated
        observations an integer (frequency) weight counts
        (:func:`regprior.checks.loo.loo_compare`).
    engine : {"nuts", "gibbs", "auto"} or None, default=None
        The posterior engine of every model (:func:`sample_posterior`): ``"gibbs"`` needs every
        specification to have Gibbs conditionals (Gaussian likelihood, a normal scale-mixture
        prior; the Bernoulli with a Normal, Laplace or GDP prior); ``"auto"`` samples each by
        Gibbs where it has them and by NUTS elsewhere (the Poisson likelihood, the elastic-net
        prior), the table's ``engine_note`` saying why
        NUTS; None: each specification's own (NUTS, the sparse priors by ``"auto"``).
        The ``engine`` column names the engine of each row.

    Returns
    -------
    LOOComparison
        elpd_loo, its SE, p_loo, differences, stacking weights, Pareto-k and sampler flags
        per model, and the engine that sampled it (:class:`regprior.checks.loo.LOOComparison`).

    Raises
    ------
    TypeError, ValueError
        Fewer than two models, a model that is not a specification, bad input, or a model
        ``engine="gibbs"`` cannot sample (named), before any model is built or sampled.
    """
    from regprior.checks.loo import (
        LOO_WEIGHTS,
        SampledData,
        check_frequency_weights,
        loo_compare,
    )
    from regprior.inference.engines import check_engine_name, choose_engine
    from regprior.inference.gibbs import gibbs_posterior

    check_engine_name(engine)
    if weights not in LOO_WEIGHTS:
        raise ValueError(f"weights must be one of {list(LOO_WEIGHTS)}; got {weights!r}.")
    if not isinstance(models, dict) or len(models) < 2:
        raise ValueError(
            "models must be a dict of at least two named specifications; got "
            f"{type(models).__name__} of {len(models) if hasattr(models, '__len__') else '?'}."
        )
    check_nuts_settings(draws=draws, tune=tune, chains=chains, random_seed=random_seed)
    checked, choices = {}, {}
    for name, spec in models.items():
        check_specification(spec, f"models[{name!r}]")
        is_full_bayes = isinstance(spec, FullBayes)
        checked[name] = _checked_inputs(
            X,
            y,
            spec,
            None if is_full_bayes else noise_sigma,
            sample_weight,
            fit_intercept,
            None,
            None if is_full_bayes else likelihood,
        )
        if weights == "frequency" and sample_weight is not None:
            if is_full_bayes:
                raise ValueError(
                    f"models[{name!r}]: weights='frequency' needs the posterior of repeated "
                    "rows; a full-Bayes model learns its noise sigma under precision weights, "
                    "which is not that posterior: use weights='row', or fit it to the rows "
                    "repeated."
                )
            check_frequency_weights(checked[name][0])
        try:
            choices[name] = choose_engine(engine, spec, checked[name][1])
        except ValueError as error:
            raise ValueError(f"models[{name!r}]: {error}") from None
    settings = {"draws": draws, "tune": tune, "chains": chains, "random_seed": random_seed}
    fits = {}
    for name, spec in models.items():
        data, resolved = checked[name]
        if choices[name].engine == "gibbs":
            posterior = gibbs_posterior(
                data, spec, resolved, fit_intercept=fit_intercept, **settings
            )
            fits[name] = (SampledData(data, resolved), posterior)
            continue
        model = _build(data, spec, resolved, fit_intercept=fit_intercept, form="raw")
        posterior = sample_nuts(
            model, **settings, target_accept=getattr(spec, "target_accept", 0.8)
        )
        fits[name] = (model, posterior)
    notes = {name: choice.note for name, choice in choices.items()}
    return loo_compare(fits, weights=weights, engine_notes=notes)
