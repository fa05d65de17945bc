"""Check a prior's MAP and posterior against its scikit-learn counterpart: a tidy table and a verdict."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regprior._validation import check_sampling_args
from regprior.checks.sklearn import SklearnFit, fit_counterpart
from regprior.spec.data import RegressionData
from regprior.inference import (
    ExactPosterior,
    MAPResult,
    PosteriorResult,
    exact_gaussian_posterior,
    map_estimate,
    nuts_posterior,
)
from regprior.inference.nuts import GOOD_RHAT, MIN_ESS_BULK
from regprior.spec.likelihoods import Gaussian
from regprior.backend.model import INTERCEPT, RegressionModel, build_model
from regprior.spec.priors import Normal, Prior

__all__ = ["Comparison", "Verdict", "compare_data", "compare_model", "AGREEMENT_RTOL", "CERTIFICATE_TOL", "MCSE_FACTOR", "SD_RTOL"]

#: MAP vs sklearn: ``max |diff| <= AGREEMENT_RTOL * max(1, max |coef|)``. Both sides are
#: solved to ~1e-12 relative (sklearn at tol=1e-12, the MAP to a 1e-10 KKT residual), so
#: 1e-8 leaves room for conditioning (cond(X^T X) ~ 500 on diabetes) and nothing else.
AGREEMENT_RTOL = 1e-8
#: Relative KKT residual accepted as proof of optimality.
CERTIFICATE_TOL = 1e-8
#: NUTS vs the exact posterior (Normal prior): means within 4 Monte-Carlo standard errors
#: (a false alarm about once in 16,000 coefficients) ...
MCSE_FACTOR = 4.0
#: ... and standard deviations within 10% (the sd's own Monte-Carlo error is ~3% at ESS 500).
SD_RTOL = 0.10


@dataclass(frozen=True)
class Verdict:
    """Pass/fail of every check, with the measured numbers behind it.

    ``passed`` is True only if the MAP matches sklearn within ``tolerance``, the sets of
    exact zeros match, the KKT certificate is below ``CERTIFICATE_TOL``, and, when a
    posterior was sampled, the sampler is healthy and (Normal prior) agrees with the exact
    posterior.
    """

    max_abs_diff: float
    tolerance: float
    support_match: bool
    certificate: float
    sampler_healthy: bool | None
    exact_agreement: bool | None
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {
            "max_abs_diff": self.max_abs_diff,
            "tolerance": self.tolerance,
            "support_match": self.support_match,
            "certificate": self.certificate,
            "certificate_tolerance": CERTIFICATE_TOL,
            "sampler_healthy": self.sampler_healthy,
            "exact_agreement": self.exact_agreement,
            "passed": self.passed,
            "problems": list(self.problems),
        }

    def line(self) -> str:
        status = "PASSED" if self.passed else "FAILED: " + "; ".join(self.problems)
        return (
            f"verdict: {status} | max |MAP - sklearn| = {self.max_abs_diff:.2e} (tol {self.tolerance:.2e}), "
            f"support match: {'yes' if self.support_match else 'NO'}, KKT residual {self.certificate:.1e}"
        )


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare_data`: one prior on one data set against its sklearn counterpart.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature and one for ``intercept``. Columns: ``sklearn``, ``map``,
        ``abs_diff``; with a posterior, ``posterior_mean``, ``posterior_median``,
        ``posterior_sd``, ``hdi_low``, ``hdi_high`` (94% HDI), ``mcse_mean``, ``ess_bulk``,
        ``r_hat``; for a Normal prior also ``exact_mean``, ``exact_sd``, ``mean_error_mcse``
        and ``sd_ratio``; ``flags`` names every failed check of the row.
    verdict : Verdict
    timings : dict
        Seconds per stage: ``sklearn``, ``map`` (model build and compile included),
        ``nuts``, ``exact``.
    """

    data_name: str
    prior: Prior
    alpha: float
    alpha_source: str
    likelihood: Gaussian
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
    def estimator_name(self) -> str:
        return "Ridge" if isinstance(self.prior, Normal) else "Lasso"

    def mapping(self) -> dict:
        """The hyperparameters on both sides of the correspondence."""
        out = {
            "prior": repr(self.prior),
            "family": self.prior.family,
            "sklearn_estimator": self.estimator_name,
            "alpha": self.alpha,
            "alpha_source": self.alpha_source,
            "prior_scale": self.prior.scale,
            "n_samples": self.n_samples,
            "weight_sum": self.weight_sum,
            "noise_sigma": self.likelihood.noise_sigma,
            "noise_sigma_source": self.likelihood.source,
            "fit_intercept": self.fit_intercept,
        }
        if isinstance(self.prior, Normal):
            out["blog_lambda"] = self.prior.lam
        else:
            out["blog_rate"] = self.prior.rate
        return out

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

    def header_lines(self) -> list[str]:
        m = self.mapping()
        strength = f"lambda = {m['blog_lambda']:.6g}" if "blog_lambda" in m else f"rate = {m['blog_rate']:.6g}"
        lines = [
            f"{self.data_name}: {m['prior']} prior <-> {self.estimator_name}(alpha={self.alpha:.6g}) [alpha: {self.alpha_source}]",
            f"mapping: prior scale = {self.prior.scale:.6g} (blog {strength}), n = {self.n_samples}, "
            f"N = sum(w) = {self.weight_sum:.6g}, noise sigma = {self.likelihood.noise_sigma:.6g} "
            f"({self.likelihood.source}), intercept: {'flat prior' if self.fit_intercept else 'none'}",
            self.verdict.line(),
        ]
        if self.posterior is not None:
            p = self.posterior
            health = "healthy" if p.healthy else "UNHEALTHY: " + "; ".join(p.problems)
            lines.append(
                f"sampler: NUTS {p.chains} chains x {p.draws} draws, r_hat max {p.r_hat_max:.4f}, "
                f"bulk ESS min {p.ess_bulk_min:.0f}, divergences {p.divergences} -> {health}"
            )
        lines.append("timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in self.timings.items()))
        return lines

    def to_text(self) -> str:
        with pd.option_context("display.width", 250, "display.max_columns", 30):
            body = self.table.to_string(float_format=lambda v: f"{v:.6g}")
        return "\n".join(self.header_lines()) + "\n" + body

    def to_markdown(self) -> str:
        head = "\n".join(f"- {line}" for line in self.header_lines()[1:])
        title = self.header_lines()[0]
        return f"### {title}\n\n{head}\n\n{self.table.to_markdown(floatfmt='.6g')}\n"


def _records(table: pd.DataFrame) -> list[dict]:
    frame = table.reset_index().rename(columns={"coefficient": "feature"})
    records = frame.to_dict(orient="records")
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()} for r in records]


def _flags(table: pd.DataFrame, tolerance: float) -> pd.Series:
    checks = {"map!=sklearn": table["abs_diff"] > tolerance}
    if "r_hat" in table:
        checks[f"r_hat>{GOOD_RHAT}"] = ~(table["r_hat"] <= GOOD_RHAT)
        checks[f"ess<{MIN_ESS_BULK}"] = ~(table["ess_bulk"] >= MIN_ESS_BULK)
    if "mean_error_mcse" in table:
        checks[f"mean>{MCSE_FACTOR:g}mcse"] = ~(table["mean_error_mcse"].abs() <= MCSE_FACTOR)
        checks[f"sd>{SD_RTOL:.0%}off"] = ~((table["sd_ratio"] - 1).abs() <= SD_RTOL)
    flags = pd.DataFrame(checks)
    return flags.apply(lambda row: ",".join(name for name, bad in row.items() if bad), axis=1)


def _build_table(data, sklearn_fit, map_result, posterior, exact, fit_intercept):
    index = list(data.feature_names) + ([INTERCEPT] if fit_intercept else [])
    sk = np.append(sklearn_fit.coef, sklearn_fit.intercept) if fit_intercept else sklearn_fit.coef
    mp = np.append(map_result.coef, map_result.intercept) if fit_intercept else map_result.coef
    table = pd.DataFrame({"sklearn": sk, "map": mp, "abs_diff": np.abs(mp - sk)}, index=pd.Index(index, name="coefficient"))
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


def _verdict(table, sklearn_fit, map_result, posterior, exact) -> Verdict:
    scale = max(1.0, float(np.max(np.abs(table["sklearn"]))))
    tolerance = AGREEMENT_RTOL * scale
    max_abs_diff = float(table["abs_diff"].max())
    support_match = bool(np.array_equal(map_result.support, sklearn_fit.coef != map_result.centre))
    problems = []
    if not max_abs_diff <= tolerance:
        problems.append(f"max |MAP - sklearn| {max_abs_diff:.2e} > {tolerance:.2e}")
    if not support_match:
        problems.append("the MAP's exact zeros differ from sklearn's")
    if not map_result.kkt_residual <= CERTIFICATE_TOL:
        problems.append(f"KKT residual {map_result.kkt_residual:.1e} > {CERTIFICATE_TOL:.0e}")
    sampler_healthy = exact_agreement = None
    if posterior is not None:
        sampler_healthy = posterior.healthy
        problems.extend(f"sampler: {p}" for p in posterior.problems)
        if exact is not None:
            bad_mean = ~(table["mean_error_mcse"].abs() <= MCSE_FACTOR)
            bad_sd = ~((table["sd_ratio"] - 1).abs() <= SD_RTOL)
            exact_agreement = not (bad_mean.any() or bad_sd.any())
            if bad_mean.any():
                problems.append(f"NUTS mean off the exact posterior by > {MCSE_FACTOR:g} MCSE: {list(table.index[bad_mean])}")
            if bad_sd.any():
                problems.append(f"NUTS sd off the exact posterior by > {SD_RTOL:.0%}: {list(table.index[bad_sd])}")
    return Verdict(
        max_abs_diff=max_abs_diff,
        tolerance=tolerance,
        support_match=support_match,
        certificate=map_result.kkt_residual,
        sampler_healthy=sampler_healthy,
        exact_agreement=exact_agreement,
        problems=tuple(problems),
    )


def compare_data(
    data: RegressionData,
    prior: Prior,
    likelihood: Gaussian,
    *,
    fit_intercept: bool = True,
    sample: bool = True,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    random_seed: int = 0,
    alpha_source: str = "given",
) -> Comparison:
    """Compare the MAP (and NUTS posterior) under ``prior`` with sklearn's Ridge / Lasso.

    One PyMC model is built and serves both the MAP engine and the sampler. sklearn is
    fitted at ``tol=1e-12`` on ``y - X @ mu`` (it has no prior centre).

    Parameters
    ----------
    data : RegressionData
    prior : Normal or Laplace
    likelihood : Gaussian
        Known noise sigma (the maps hold for fixed sigma).
    fit_intercept : bool, default=True
        Flat-prior intercept on the Bayesian side, unpenalised intercept on sklearn's.
    sample : bool, default=True
        Run NUTS; without it the table has only the point estimates (and the exact
        posterior for a Normal prior).
    draws, tune, chains, random_seed
        Passed to :func:`~regprior.inference.nuts_posterior`.
    alpha_source : str
        How alpha was chosen, shown in the table (e.g. ``"given"`` or ``"LassoCV ..."``).
    """
    if sample:
        check_sampling_args(draws=draws, tune=tune, chains=chains, random_seed=random_seed)
    prior.centre(data.n_features)  # a centre of the wrong length fails here, before any fit
    start = time.perf_counter()
    model = build_model(data, prior, likelihood, fit_intercept=fit_intercept)
    build_seconds = time.perf_counter() - start
    comparison = compare_model(model, sample=sample, draws=draws, tune=tune, chains=chains,
                               random_seed=random_seed, alpha_source=alpha_source)
    comparison.timings["map"] += build_seconds
    return comparison


def compare_model(
    model: RegressionModel,
    *,
    sample: bool = True,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    random_seed: int = 0,
    alpha_source: str = "given",
) -> Comparison:
    """:func:`compare_data` on an already built model (raw data), at its current prior.

    Lets a caller compare several alphas on one model (``set_prior`` in between) with one
    compile of the MAP objective and one of the sampler.
    """
    data, prior, likelihood, fit_intercept = model.data, model.prior, model.likelihood, model.fit_intercept
    if not isinstance(data, RegressionData):
        raise TypeError("comparing with sklearn needs the raw data; this model was built on sufficient statistics.")
    if sample:
        check_sampling_args(draws=draws, tune=tune, chains=chains, random_seed=random_seed)
    timings = {}
    start = time.perf_counter()
    sklearn_fit = fit_counterpart(data, prior, noise_sigma=likelihood.noise_sigma, fit_intercept=fit_intercept)
    timings["sklearn"] = time.perf_counter() - start

    start = time.perf_counter()
    map_result = map_estimate(model)
    timings["map"] = time.perf_counter() - start

    exact = None
    if isinstance(prior, Normal):
        start = time.perf_counter()
        exact = exact_gaussian_posterior(model)
        timings["exact"] = time.perf_counter() - start

    posterior = None
    if sample:
        posterior = nuts_posterior(model, draws=draws, tune=tune, chains=chains, random_seed=random_seed)
        timings["nuts"] = posterior.seconds

    table = _build_table(data, sklearn_fit, map_result, posterior, exact, fit_intercept)
    verdict = _verdict(table, sklearn_fit, map_result, posterior, exact)
    table["flags"] = _flags(table, verdict.tolerance)
    return Comparison(
        data_name=data.name,
        prior=prior,
        alpha=sklearn_fit.alpha,
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
