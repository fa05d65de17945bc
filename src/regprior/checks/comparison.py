"""One prior's MAP and posterior beside its scikit-learn counterpart, as a table and a verdict.

Running lives here; judging in :mod:`regprior.checks.verdict`; rendering (text, Markdown,
CSV, JSON) in :mod:`regprior.report.tables`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regprior import registry
from regprior._validation import check_sampling_args
from regprior.backend.cache import reusable_model
from regprior.backend.model import INTERCEPT, WEIGHTS, RegressionModel
from regprior.checks.sklearn import (
    SECOND_REFERENCE_NAMES,
    SklearnFit,
    fit_counterpart,
    fit_second_reference,
)
from regprior.checks.verdict import AGREEMENT_RTOL, Verdict, judge, row_tolerances
from regprior.inference import (
    ExactPosterior,
    MAPResult,
    PosteriorResult,
    exact_gaussian_posterior,
    map_estimate,
)
from regprior.inference.certificates import (
    certificate,
    error_bound,
    objective_value,
    unique_optimum,
)
from regprior.inference.nuts import sample_nuts
from regprior.spec.data import RegressionData
from regprior.spec.priors import Prior

__all__ = [
    "Comparison",
    "compare_data",
    "compare_model",
    "comparison_table",
    "NEAR_CENTRE_SD",
]

#: ``p_near_centre`` ("P(near 0)") is the posterior probability that a weight lies within this
#: fraction of its own posterior sd of the prior centre: ``P(|theta_j - mu_j| <= 0.25 sd_j)``.
#: Invariant to each column's units (rescaling ``x_j`` rescales ``theta_j`` and ``sd_j`` alike)
#: and defined whatever the MAP (the lasso may zero every weight). Reference values: a Normal
#: posterior centred on the centre gives 2 Phi(0.25) - 1 = 0.197 (more for a posterior peaked
#: there, as under a Laplace prior); one whose mean lies 3 sds away gives 0.004.
NEAR_CENTRE_SD = 0.25


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare_data`: one prior on one data set against its sklearn counterpart.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature and one for ``intercept`` (see :func:`comparison_table`);
        ``flags`` names every failed check of the row (see :func:`regprior.checks.verdict.judge`).
    verdict : Verdict
    pairing : registry.Pairing
        The (likelihood, prior) row: which sklearn estimator and strength parameters.
    strength : dict
        sklearn's strength parameters at this prior (``{"alpha": ...}``, plus ``l1_ratio``).
    timings : dict
        Seconds per stage: ``sklearn``, ``map`` (model build and compile included),
        ``nuts``, ``exact``, ``reference`` (the second reference, where the pairing has one).
    """

    data_name: str
    prior: Prior
    alpha_source: str
    likelihood: object
    n_samples: int
    weight_sum: float
    fit_intercept: bool
    table: pd.DataFrame
    verdict: Verdict
    map_result: MAPResult
    sklearn_fit: SklearnFit
    posterior: PosteriorResult | None
    exact: ExactPosterior | None
    timings: dict

    @property
    def pairing(self) -> registry.Pairing:
        return registry.pairing(self.prior, self.likelihood.family)

    @property
    def strength(self) -> dict:
        return dict(self.sklearn_fit.strength)

    @property
    def alpha(self) -> float:
        """sklearn's ``alpha`` at this prior."""
        return self.sklearn_fit.alpha

    @property
    def estimator_name(self) -> str:
        return self.pairing.estimator

    def mapping(self) -> dict:
        """The hyperparameters on both sides of the correspondence."""
        return {
            "prior": repr(self.prior),
            "family": self.prior.family,
            "sklearn_estimator": self.estimator_name,
            **self.strength,
            "alpha_source": self.alpha_source,
            "prior_scale": self.prior.scale,
            "prior_parameters": self.prior.parameters,
            "n_samples": self.n_samples,
            "weight_sum": self.weight_sum,
            **self.likelihood.record(),
            "fit_intercept": self.fit_intercept,
            **self.prior.blog_parameters(),
        }

    def diagnostics(self) -> dict | None:
        return None if self.posterior is None else self.posterior.diagnostics()

    def to_dict(self) -> dict:
        """JSON-ready record; the stable contract of ``regprior compare --format json``."""
        records = _records(self.table)
        return {
            "data": self.data_name,
            "mapping": self.mapping(),
            "coefficients": [r for r in records if r["feature"] != INTERCEPT],
            "intercept": next((r for r in records if r["feature"] == INTERCEPT), None),
            "verdict": self.verdict.to_dict(),
            "diagnostics": self.diagnostics(),
            "map": {
                "kkt_residual": self.map_result.kkt_residual,
                "n_iter": self.map_result.n_iter,
                "n_newton": self.map_result.n_newton,
                "converged": self.map_result.converged,
            },
            "timings": self.timings,
        }

    def to_text(self) -> str:
        """Plain-text table with its header lines (see :mod:`regprior.report.tables`)."""
        from regprior.report.tables import comparison_text

        return comparison_text(self)

    def to_markdown(self) -> str:
        """Markdown section (see :mod:`regprior.report.tables`)."""
        from regprior.report.tables import comparison_markdown

        return comparison_markdown(self)

    def _repr_html_(self) -> str:
        from regprior.report.html import comparison_html

        return comparison_html(self)

    def __repr__(self) -> str:
        status = self.verdict.status
        sampler = (
            ""
            if self.posterior is None
            else f", sampler {'healthy' if self.posterior.healthy else 'UNHEALTHY'}"
        )
        return (
            f"<Comparison {self.data_name}: {self.prior!r} <-> "
            f"{self.pairing.describe(self.strength)}: {status}, "
            f"max |MAP - {self.verdict.reference}| {self.verdict.max_abs_diff:.1e}{sampler}>"
        )


def _records(table: pd.DataFrame) -> list[dict]:
    frame = table.reset_index().rename(columns={"coefficient": "feature"})
    records = frame.to_dict(orient="records")
    return [
        {k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()} for r in records
    ]


def comparison_table(
    data, sklearn_fit, map_result, posterior=None, exact=None, *, fit_intercept=True
) -> pd.DataFrame:
    """Assemble the per-coefficient table (features, then ``intercept``) from the results.

    Columns: ``sklearn``, ``map``, ``abs_diff``; with a posterior its summary
    (``posterior_mean`` ... ``r_hat``) and ``p_near_centre`` ("P(near 0)"), the share of
    posterior draws within ``NEAR_CENTRE_SD`` (a quarter) of each weight's own posterior sd of
    the prior centre (NaN for the intercept); with an exact posterior ``exact_mean``,
    ``exact_sd`` and, with both, ``mean_error_mcse`` and ``sd_ratio``.
    """
    index = list(data.feature_names) + ([INTERCEPT] if fit_intercept else [])
    sk = np.append(sklearn_fit.coef, sklearn_fit.intercept) if fit_intercept else sklearn_fit.coef
    mp = np.append(map_result.coef, map_result.intercept) if fit_intercept else map_result.coef
    table = pd.DataFrame(
        {"sklearn": sk, "map": mp, "abs_diff": np.abs(mp - sk)},
        index=pd.Index(index, name="coefficient"),
    )
    if posterior is not None:
        s = posterior.summary.loc[index]
        table = table.assign(
            posterior_mean=s["mean"],
            posterior_median=s["median"],
            posterior_sd=s["sd"],
            hdi_low=s["hdi_low"],
            hdi_high=s["hdi_high"],
            mcse_mean=s["mcse_mean"],
            ess_bulk=s["ess_bulk"],
            r_hat=s["r_hat"],
        )
        draws = (
            posterior.datatree.posterior[WEIGHTS]
            .stack(sample=("chain", "draw"))
            .transpose("feature", "sample")
            .to_numpy()
        )
        # Each weight's own sd sets its band: the same column in other units gives the same P.
        band = NEAR_CENTRE_SD * np.std(draws, axis=1, keepdims=True)
        near = np.mean(np.abs(draws - map_result.centre[:, None]) <= band, axis=1)
        table["p_near_centre"] = np.append(near, np.nan) if fit_intercept else near
    if exact is not None:
        exact_mean = np.append(exact.mean, exact.intercept_mean) if fit_intercept else exact.mean
        exact_sd = np.append(exact.sd, exact.intercept_sd) if fit_intercept else exact.sd
        table = table.assign(exact_mean=exact_mean, exact_sd=exact_sd)
        if posterior is not None:
            table = table.assign(
                mean_error_mcse=(table["posterior_mean"] - exact_mean) / table["mcse_mean"],
                sd_ratio=table["posterior_sd"] / exact_sd,
            )
    return table


def compare_data(
    data: RegressionData,
    prior: Prior,
    likelihood,
    *,
    fit_intercept: bool = True,
    sample: bool = True,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int = 0,
    alpha_source: str = "given",
    progress=None,
    engine: str = "nuts",
) -> Comparison:
    """Compare the MAP (and NUTS posterior) under ``prior`` with its sklearn counterpart.

    One PyMC model serves both the MAP engine and the sampler; a model of the same structure
    from an earlier call (:mod:`regprior.backend.cache`) is reused with the new prior and data
    swapped in, so comparing a prior at several strengths compiles once. sklearn is fitted at
    ``tol=1e-12`` on ``y - X @ mu`` (it has no prior centre).

    Parameters
    ----------
    data : RegressionData
    prior : Prior
        Any family with a sklearn counterpart in :mod:`regprior.registry`.
    likelihood : Gaussian, Bernoulli or Poisson
        For the Gaussian, a known noise sigma (the maps hold for fixed sigma).
    fit_intercept : bool, default=True
        Flat-prior intercept on the Bayesian side, unpenalised intercept on sklearn's.
    sample : bool, default=True
        Run NUTS; without it the table has only the point estimates (and the exact
        posterior for a conjugate pair).
    draws, tune, chains, random_seed
        Passed to the posterior engine.
    alpha_source : str
        How alpha was chosen, shown in the table (e.g. ``"given"`` or ``"LassoCV ..."``).
    progress : callable, optional
        Called with a short description before each stage (build, sklearn, MAP, NUTS): the
        CLI's spinner text.
    engine : {"nuts", "gibbs", "auto"} or None, default="nuts"
        The posterior engine (:func:`regprior.sample_posterior`): ``"auto"`` samples by Gibbs
        where the prior has conjugate conditionals, by NUTS elsewhere; the sampler line and the
        JSON diagnostics name the engine that sampled.
    """
    if sample:
        check_sampling_args(draws=draws, tune=tune, chains=chains, random_seed=random_seed)
        check_engine(engine, prior, likelihood)
    registry.pairing(prior, likelihood.family)  # a family without a counterpart fails here
    prior.centre(data.n_features)  # a centre of the wrong length fails here, before any fit
    _check_raw_data(data)
    start = time.perf_counter()
    if progress is not None:
        progress("building the PyMC model (or reusing one of the same structure)")
    with reusable_model(data, prior, likelihood, fit_intercept=fit_intercept) as model:
        build_seconds = time.perf_counter() - start
        comparison = _compare_checked(
            model,
            engine=engine,
            sample=sample,
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            alpha_source=alpha_source,
            progress=progress,
        )
    comparison.timings["map"] += build_seconds
    return comparison


def compare_model(
    model: RegressionModel,
    *,
    sample: bool = True,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int = 0,
    alpha_source: str = "given",
    progress=None,
    engine: str = "nuts",
) -> Comparison:
    """:func:`compare_data` on an already built model (raw data), at its current prior.

    Lets a caller compare several alphas on one model (``set_prior`` in between) with one
    compile of the MAP objective and one of the sampler.
    """
    _check_raw_data(model.data)
    if sample:
        check_sampling_args(draws=draws, tune=tune, chains=chains, random_seed=random_seed)
        check_engine(engine, model.prior, model.likelihood)
    return _compare_checked(
        model,
        engine=engine,
        sample=sample,
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
        alpha_source=alpha_source,
        progress=progress,
    )


def _check_raw_data(data) -> None:
    """sklearn is fitted on the rows themselves: sufficient statistics cannot be compared."""
    if not isinstance(data, RegressionData):
        raise TypeError(
            "comparing with sklearn needs the raw data; "
            "this model was built on sufficient statistics."
        )


def check_engine(engine: str, prior, likelihood, *, name: str = "engine") -> None:
    """ValueError unless ``engine`` is one of the posterior engines and, if ``"gibbs"``, applies
    (``name``: the parameter or flag the message names)."""
    from regprior.inference.engines import choose_engine

    choose_engine(engine, prior, likelihood, name=name)


def _compare_checked(
    model: RegressionModel,
    *,
    engine: str = "nuts",
    sample: bool,
    draws: int,
    tune: int,
    chains: int,
    random_seed: int,
    alpha_source: str,
    progress,
) -> Comparison:
    """The work of :func:`compare_model`, its arguments checked by the public caller (once)."""
    data, prior, likelihood, fit_intercept = (
        model.data,
        model.prior,
        model.likelihood,
        model.fit_intercept,
    )
    timings = {}
    progress = progress or (lambda text: None)
    progress("fitting the sklearn counterpart")
    start = time.perf_counter()
    sklearn_fit = fit_counterpart(data, prior, likelihood, fit_intercept=fit_intercept)
    timings["sklearn"] = time.perf_counter() - start

    progress("exact MAP (compiling the model's gradient on first use)")
    start = time.perf_counter()
    map_result = map_estimate(model)
    timings["map"] = time.perf_counter() - start

    row = registry.pairing(prior, likelihood.family)
    exact = None
    if row.conjugate:
        start = time.perf_counter()
        exact = exact_gaussian_posterior(model)
        timings["exact"] = time.perf_counter() - start

    posterior = None
    if sample:
        from regprior.inference.engines import choose_engine
        from regprior.inference.gibbs import gibbs_posterior

        settings = {"draws": draws, "tune": tune, "chains": chains, "random_seed": random_seed}
        if choose_engine(engine, prior, likelihood).engine == "gibbs":
            progress(f"Gibbs: {chains} chains x ({tune} warm-up + {draws} draws)")
            posterior = gibbs_posterior(
                data, prior, likelihood, fit_intercept=fit_intercept, **settings
            )
        else:
            progress(
                f"NUTS: compiling with nutpie, then {chains} chains x ({tune} tune + {draws} draws)"
            )
            posterior = sample_nuts(model, **settings)
        timings[posterior.engine] = posterior.seconds

    # sklearn's solution judged by the MAP's own certificate; where its solver stops short of
    # ~1e-12 (saga), the agreement is bounded by what that certificate allows, and the MAP is
    # judged against an exact second reference where there is one (skglm; sklearn beside it).
    sklearn_certificate = certificate(model, sklearn_fit.coef, sklearn_fit.intercept)
    bound = objectives = reference = reference_certificate = sklearn_bound = None
    non_unique = False
    if not prior.convex:
        # Not convex: the two are compared as stationary points, by their objectives too (a
        # unique optimum cannot be claimed).
        objectives = (
            objective_value(model, map_result.coef, map_result.intercept),
            objective_value(model, sklearn_fit.coef, sklearn_fit.intercept),
        )
    elif not row.exact_reference:
        at = (map_result.coef, map_result.intercept)
        bound = error_bound(model, sklearn_fit.coef, sklearn_fit.intercept, at=at)
        start = time.perf_counter()
        reference = fit_second_reference(data, prior, likelihood, fit_intercept=fit_intercept)
        if reference is not None:
            timings["reference"] = time.perf_counter() - start
            sklearn_bound = bound
            reference_certificate = certificate(model, reference.coef, reference.intercept)
            bound = error_bound(model, reference.coef, reference.intercept, at=at)
    elif not np.allclose(
        map_result.coef,
        sklearn_fit.coef,
        rtol=0,
        atol=AGREEMENT_RTOL * max(1.0, float(np.max(np.abs(sklearn_fit.coef)))),
    ):
        # A disagreement: first ask whether the optimum is unique at all (collinear columns).
        non_unique = not unique_optimum(
            model,
            (map_result.coef, map_result.intercept),
            (sklearn_fit.coef, sklearn_fit.intercept),
        )
    if bound is not None or non_unique:
        objectives = (
            objective_value(model, map_result.coef, map_result.intercept),
            objective_value(model, sklearn_fit.coef, sklearn_fit.intercept),
        )
    table = comparison_table(
        data, sklearn_fit, map_result, posterior, exact, fit_intercept=fit_intercept
    )
    if reference is not None:
        judged = np.append(reference.coef, reference.intercept) if fit_intercept else reference.coef
        table.insert(3, "reference", judged)
        table.insert(4, "reference_abs_diff", np.abs(table["map"].to_numpy() - judged))
    flags, verdict = judge(
        table,
        map_result=map_result,
        sklearn_fit=sklearn_fit,
        divergences=None if posterior is None else posterior.divergences,
        sklearn_certificate=sklearn_certificate,
        error_bound=bound,
        objectives=objectives,
        non_unique=non_unique,
        x_mean=model.x_mean,
        y_mean=model.y_mean,
        reference=reference,
        reference_name=None if reference is None else SECOND_REFERENCE_NAMES[row.second_reference],
        reference_certificate=reference_certificate,
        sklearn_error_bound=sklearn_bound,
        counterpart=row.package,
        non_convex=not prior.convex,
    )
    table["tolerance"] = row_tolerances(table.index, verdict)
    table["flags"] = flags
    return Comparison(
        data_name=data.name,
        prior=prior,
        alpha_source=alpha_source,
        likelihood=likelihood,
        n_samples=data.n_samples,
        weight_sum=data.weight_sum,
        fit_intercept=fit_intercept,
        table=table,
        verdict=verdict,
        map_result=map_result,
        sklearn_fit=sklearn_fit,
        posterior=posterior,
        exact=exact,
        timings=timings,
    )
