"""Regularisation paths: the MAP along a grid of sklearn's path parameter, beside sklearn's path.

The whole grid is solved on one compiled model. Running (grid, MAP path, posterior path) lives
here; per-alpha judging in :func:`regprior.checks.verdict.path_agreement`; rendering in
:mod:`regprior.report.tables`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from regprior import registry
from regprior.backend.cache import reusable_model
from regprior.backend.model import INTERCEPT, RegressionModel, build_model
from regprior.checks.sklearn import SklearnPath, sklearn_path
from regprior.checks.verdict import (
    AGREEMENT_RTOL,
    CERTIFICATE_TOL,
    path_agreement,
    support_agreement,
)
from regprior.inference import nuts_posterior
from regprior.inference.certificates import certificate, error_bound
from regprior.inference.map import map_path_estimates
from regprior.inference.objective import compile_map_objective
from regprior.spec.data import RegressionData, weighted_centring
from regprior.spec.likelihoods import likelihood_class, resolve_likelihood
from regprior.spec.priors import as_centre

__all__ = [
    "MAPPath",
    "SklearnPath",
    "PathComparison",
    "alpha_grid",
    "cross_validation_marks",
    "solve_path",
    "map_path",
    "path_for_data",
    "sklearn_path",
    "compare_paths",
    "posterior_path",
    "posterior_alpha_picks",
]

#: Default grid length and eps of a kinked prior's grid, as in sklearn's ``lasso_path``.
N_ALPHAS = 50
LASSO_EPS = 1e-3
#: A smooth prior never puts a weight at its centre: its grid runs from RIDGE_TOP x the
#: largest eigenvalue of the likelihood's Hessian (every weight shrunk >= 1000x towards the
#: centre) down to RIDGE_BOTTOM x the smallest non-zero one (within 0.1% of least squares).
RIDGE_TOP, RIDGE_BOTTOM = 1e3, 1e-3


def _checked_fixed(row, fixed):
    """The fixed strength parameters of a path (``l1_ratio``), defaults filled in and checked."""
    full = row.check_strength({row.path_parameter: 1.0, **(fixed or {})})
    return {k: v for k, v in full.items() if k != row.path_parameter}


def _check_n_alphas_eps(n_alphas, eps):
    if isinstance(n_alphas, bool) or not isinstance(n_alphas, (int, np.integer)) or n_alphas < 2:
        raise ValueError(f"n_alphas must be an integer >= 2; got {n_alphas!r}.")
    if eps is not None and not (0 < eps < 1):
        raise ValueError(f"eps must be in (0, 1); got {eps!r}.")


def _nominal(likelihood):
    """A likelihood instance for grid computations.

    The Gaussian's grid does not depend on sigma: a nominal one serves.
    """
    if not isinstance(likelihood, str):
        return type(likelihood).nominal()
    return likelihood_class(likelihood).nominal()


def alpha_grid(
    data: RegressionData,
    family,
    *,
    fit_intercept: bool = True,
    mu=0.0,
    n_alphas: int = N_ALPHAS,
    eps: float | None = None,
    fixed: dict | None = None,
    likelihood=registry.DEFAULT_LIKELIHOOD,
) -> np.ndarray:
    """Log-spaced values of sklearn's path parameter, from all weights at the centre onwards.

    The grid runs to near the unpenalised fit, ordered from the strongest penalty to the weakest:
    decreasing ``alpha``, increasing ``C``.
    A prior with a kink at its centre (:meth:`~regprior.spec.priors.Prior.alpha_max` not
    None): sklearn's grid, from the weakest penalty at which every weight is exactly at its
    centre (Lasso: ``alpha_max = max_j |x_j^T W (y - X mu)| / N``; ElasticNet: the same over
    ``l1_ratio``; l1 logistic: ``C_min = 1 / max_j |x_j^T W (y - p0)|``) to ``eps`` times that
    penalty (default ``eps = 1e-3``). A smooth prior: see ``RIDGE_TOP`` / ``RIDGE_BOTTOM``
    (eigenvalues of the likelihood's Hessian at the start); ``eps``, when given, sets the
    weakest penalty to ``eps`` times the strongest instead. The Gaussian grid does not depend
    on the noise sigma. ``likelihood``: a family name or instance.
    """
    nominal = _nominal(likelihood)
    row = registry.pairing(family, nominal.family)
    fixed = _checked_fixed(row, fixed)
    _check_n_alphas_eps(n_alphas, eps)
    # sklearn's penalty is (a1, a2) per unit of the path parameter, to the power path_scaling.
    unit_l1, unit_l2 = row.to_penalty({row.path_parameter: 1.0, **fixed})
    factor = nominal.sklearn_loss_factor(row.data_term, data.weight_sum)
    _, _, X, y = weighted_centring(data, fit_intercept=fit_intercept)
    centre = as_centre(mu, data.n_features)
    eta = X @ centre
    if not nominal.centres_target:
        y = data.y
        eta = eta + (nominal.intercept_start(y, data.weights) if fit_intercept else 0.0)
    l1_max = row.prior.alpha_max(nominal.coef_gradient(X, y, data.weights, eta))
    if l1_max is not None:
        if l1_max == 0:
            raise ValueError(
                "every weight is at its prior centre for every alpha (X^T W (y - X mu) = 0)."
            )
        strongest = l1_max * factor / unit_l1
        weakest = strongest * (LASSO_EPS if eps is None else eps)
    else:
        eigenvalues = np.linalg.eigvalsh(nominal.coef_hessian(X, data.weights, eta))
        strongest = RIDGE_TOP * eigenvalues[-1] * factor / unit_l2
        positive = eigenvalues[eigenvalues > eigenvalues[-1] * 1e-12]
        weakest = RIDGE_BOTTOM * positive[0] * factor / unit_l2 if eps is None else strongest * eps
    return np.geomspace(strongest**row.path_scaling, weakest**row.path_scaling, n_alphas)


@dataclass(frozen=True)
class MAPPath:
    """MAP of every weight along a grid of sklearn's path parameter.

    Attributes
    ----------
    family : str
    alphas : ndarray of shape (n_alphas,)
        sklearn's path parameter (``alpha``), decreasing.
    coefs : ndarray of shape (n_alphas, n_features)
    intercepts : ndarray of shape (n_alphas,)
    kkt_residuals, n_iters : ndarray of shape (n_alphas,)
        Relative KKT residual and inner iterations of each solve.
    centre : ndarray of shape (n_features,)
    feature_names : tuple of str
    solve_seconds : float
        Time of the whole path after the one compile.
    compile_seconds : float
        Model build and compile of the MAP objective (0 when the model was already compiled).
    fixed : dict
        sklearn's strength parameters held fixed along the path (``l1_ratio``).
    parameter : str
        Name of sklearn's path parameter (``alpha``, or ``C`` for logistic regression).
    """

    family: str
    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    kkt_residuals: np.ndarray
    n_iters: np.ndarray
    centre: np.ndarray
    feature_names: tuple
    solve_seconds: float
    compile_seconds: float
    fixed: dict = field(default_factory=dict)
    parameter: str = "alpha"

    def to_frame(self) -> pd.DataFrame:
        """One row per alpha: the weights, the intercept, the certificate and the iterations."""
        frame = pd.DataFrame(
            self.coefs,
            columns=list(self.feature_names),
            index=pd.Index(self.alphas, name=self.parameter),
        )
        frame[INTERCEPT] = self.intercepts
        frame["kkt_residual"] = self.kkt_residuals
        frame["n_iter"] = self.n_iters
        return frame


def _check_alphas(alphas) -> np.ndarray:
    try:
        alphas = np.asarray(alphas, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"alphas must be a non-empty 1-D array of positive finite numbers; got {alphas!r}, "
            "which does not convert to float."
        ) from None
    if (
        alphas.ndim != 1
        or alphas.size == 0
        or not np.all(np.isfinite(alphas))
        or np.any(alphas <= 0)
    ):
        raise ValueError("alphas must be a non-empty 1-D array of positive finite numbers.")
    return alphas


def _prior_at(model: RegressionModel, alpha: float, fixed: dict):
    row = registry.pairing(model.prior, model.likelihood.family)
    return registry.prior_from_sklearn_strength(
        row.prior,
        {row.path_parameter: alpha, **fixed},
        model.likelihood,
        model.data.weight_sum,
        mu=model.prior.mu,
    )


def solve_path(model: RegressionModel, alphas, *, fixed: dict | None = None) -> MAPPath:
    """MAP at every alpha on one model: ``set_prior`` swaps ``pm.Data``, each solve warm-starts.

    The model's prior family and centre are kept; its parameters follow alpha (at the fixed
    ``l1_ratio`` for the elastic net). The MAP objective is compiled once (on the first
    solve, timed as ``compile_seconds``).
    """
    alphas = _check_alphas(alphas)
    fixed = _checked_fixed(registry.pairing(model.prior, model.likelihood.family), fixed)
    centre = model.prior.centre(model.data.n_features)
    priors = [_prior_at(model, a, fixed) for a in alphas]
    start = time.perf_counter()
    compile_map_objective(model)
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    results = map_path_estimates(model, priors)
    solve_seconds = time.perf_counter() - start
    return MAPPath(
        family=model.prior.family,
        alphas=alphas,
        coefs=np.array([r.coef for r in results]),
        intercepts=np.array([r.intercept for r in results]),
        kkt_residuals=np.array([r.kkt_residual for r in results]),
        n_iters=np.array([r.n_iter for r in results]),
        centre=centre,
        feature_names=model.data.feature_names,
        solve_seconds=solve_seconds,
        compile_seconds=compile_seconds,
        fixed=fixed,
        parameter=registry.pairing(model.prior, model.likelihood.family).path_parameter,
    )


def map_path(
    X,
    y,
    family: str,
    *,
    alphas=None,
    n_alphas: int = N_ALPHAS,
    eps: float | None = None,
    noise_sigma=None,
    sample_weight=None,
    fit_intercept: bool = True,
    mu=0.0,
    feature_names=None,
    fixed: dict | None = None,
    likelihood: str = registry.DEFAULT_LIKELIHOOD,
) -> MAPPath:
    """MAP path of a prior family over sklearn's path parameter.

    ``family`` names the prior family (``"normal"``, ``"laplace"``, ``"elasticnet"``).
    ``alphas=None`` uses :func:`alpha_grid`. Each value maps to the prior's parameters through
    the registry's exact map (for the Gaussian at ``noise_sigma``, default: least-squares
    residual sd). ``fixed`` holds the other strength parameters (``{"l1_ratio": 0.5}``, the
    default, for the elastic net). ``likelihood``: ``"gaussian"`` (path over ``alpha``),
    ``"bernoulli"`` (over ``C``) or ``"poisson"`` (over ``alpha``). The compiled model is reused
    across calls of the same structure (:mod:`regprior.backend.cache`).
    """
    nominal = _nominal(likelihood)
    row = registry.pairing(family, nominal.family)
    fixed = _checked_fixed(row, fixed)
    data = RegressionData(X, y, sample_weight, feature_names=feature_names)
    model_likelihood = resolve_likelihood(
        nominal.family, data, noise_sigma=noise_sigma, fit_intercept=fit_intercept
    )
    if alphas is None:
        alphas = alpha_grid(
            data,
            family,
            fit_intercept=fit_intercept,
            mu=mu,
            n_alphas=n_alphas,
            eps=eps,
            fixed=fixed,
            likelihood=model_likelihood,
        )
    alphas = _check_alphas(alphas)
    first = registry.prior_from_sklearn_strength(
        row.prior,
        {row.path_parameter: float(np.max(alphas)), **fixed},
        model_likelihood,
        data.weight_sum,
        mu=mu,
    )
    # A model of the same structure from an earlier call is reused: no build, no compile.
    with reusable_model(data, first, model_likelihood, fit_intercept=fit_intercept) as model:
        return solve_path(model, alphas, fixed=fixed)


def path_for_data(data, family, likelihood, alphas, *, fit_intercept=True, mu=0.0, fixed=None):
    """Build the model once and solve the path on it; returns ``(MAPPath, model)``."""
    alphas = _check_alphas(alphas)
    row = registry.pairing(family, likelihood.family)
    fixed = _checked_fixed(row, fixed)
    start = time.perf_counter()
    first = registry.prior_from_sklearn_strength(
        row.prior,
        {row.path_parameter: float(np.max(alphas)), **fixed},
        likelihood,
        data.weight_sum,
        mu=mu,
    )
    model = build_model(data, first, likelihood, fit_intercept=fit_intercept)
    build_seconds = time.perf_counter() - start
    path = solve_path(model, alphas, fixed=fixed)
    return replace(path, compile_seconds=path.compile_seconds + build_seconds), model


@dataclass(frozen=True)
class PathComparison:
    """Per-alpha agreement of a MAP path with sklearn's, and where each weight enters.

    Attributes
    ----------
    table : DataFrame
        Per alpha: ``max_abs_diff``, ``tolerance`` (``1e-8 * max(1, max |coef|)``), ``agree``,
        ``support_match``, ``n_active_map``, ``n_active_sklearn``, ``kkt_residual``, ``n_iter``.
    entries : DataFrame
        Per feature: the largest grid alpha at which it leaves its centre on each side
        (NaN if never), and whether they are the same grid point.
    """

    map_path: MAPPath
    sklearn_path: SklearnPath
    table: pd.DataFrame
    entries: pd.DataFrame
    agreement_rtol: float = AGREEMENT_RTOL

    @property
    def passed(self) -> bool:
        """Agreement at every grid point and equal supports wherever sklearn's certificate
        decides them; equal entry points when the reference is exact (no ``error_bound``)."""
        decidable = (
            self.table["support_decidable"]
            if "support_decidable" in self.table
            else np.ones(len(self.table), bool)
        )
        supports = (self.table["support_match"] | ~np.asarray(decidable, dtype=bool)).all()
        entries = "error_bound" in self.table or self.entries["same_entry"].all()
        return bool(self.table["agree"].all() and supports and entries)

    def _repr_html_(self) -> str:
        from regprior.report.html import path_comparison_html

        return path_comparison_html(self)

    def to_frame(self) -> pd.DataFrame:
        """Per alpha: the comparison columns, then every MAP and sklearn coefficient."""
        names = list(self.map_path.feature_names)
        index = self.table.index
        map_coefs = pd.DataFrame(
            self.map_path.coefs, columns=[f"map_{n}" for n in names], index=index
        )
        sklearn_coefs = pd.DataFrame(
            self.sklearn_path.coefs, columns=[f"sklearn_{n}" for n in names], index=index
        )
        return pd.concat([self.table, map_coefs, sklearn_coefs], axis=1)

    def summary_line(self) -> str:
        from regprior.report.tables import path_summary_line

        return path_summary_line(self)

    def to_markdown(self, likelihood) -> str:
        from regprior.report.tables import path_markdown

        return path_markdown(self, likelihood)

    def to_dict(self, likelihood) -> dict:
        from regprior.report.tables import path_record

        return path_record(self, likelihood)


def _entry_alphas(alphas, coefs, centre):
    active = coefs != centre
    first = np.argmax(active, axis=0)
    return np.where(active.any(axis=0), alphas[first], np.nan)


def _sklearn_certificates(
    model: RegressionModel, bayes: MAPPath, sklearn: SklearnPath
) -> pd.DataFrame:
    """Per grid point: sklearn's certificate (the MAP's measure) and, for a reference that stops
    short of ~1e-12, the error bound it allows."""
    row = registry.pairing(model.prior, model.likelihood.family)
    records = []
    for alpha, coef, intercept, map_coef, map_intercept in zip(
        bayes.alphas, sklearn.coefs, sklearn.intercepts, bayes.coefs, bayes.intercepts, strict=True
    ):
        model.set_prior(_prior_at(model, alpha, bayes.fixed))
        record = {"sklearn_certificate": certificate(model, coef, intercept)}
        if not row.exact_reference:
            record["error_bound"] = error_bound(
                model, coef, intercept, at=(map_coef, map_intercept)
            )
        records.append(record)
    return pd.DataFrame(records)


def compare_paths(
    bayes: MAPPath, sklearn: SklearnPath, *, model: RegressionModel | None = None
) -> PathComparison:
    """Compare the two paths grid point by grid point (same grid required).

    With the ``model`` the path was solved on, sklearn's solutions are also judged by the
    MAP's own certificate (column ``sklearn_certificate``); where the registry says sklearn's
    solver stops short of ~1e-12 (saga), the tolerance at each point becomes the larger of the
    1e-8 bar and the error bound sklearn's certificate allows (column ``error_bound``), and
    supports are judged only where sklearn's certificate is below ``CERTIFICATE_TOL``.
    """
    if not np.array_equal(bayes.alphas, sklearn.alphas):
        raise ValueError("the two paths must be computed on the same alpha grid.")
    table = path_agreement(bayes.coefs, sklearn.coefs, bayes.centre).assign(
        kkt_residual=bayes.kkt_residuals, n_iter=bayes.n_iters
    )
    if model is not None:
        certificates = _sklearn_certificates(model, bayes, sklearn)
        table["sklearn_certificate"] = certificates["sklearn_certificate"].to_numpy()
        table["support_decidable"] = table["sklearn_certificate"] <= CERTIFICATE_TOL
        if "error_bound" in certificates:
            table["error_bound"] = certificates["error_bound"].to_numpy()
            table["tolerance"] = np.maximum(table["tolerance"], table["error_bound"])
            table["agree"] = table["max_abs_diff"] <= table["tolerance"]
            table["support_match"] = [
                support_agreement(a, b, bayes.centre, tolerance=t)
                for a, b, t in zip(bayes.coefs, sklearn.coefs, table["tolerance"], strict=True)
            ]
    table.index = pd.Index(bayes.alphas, name=bayes.parameter)
    entry_map = _entry_alphas(bayes.alphas, bayes.coefs, bayes.centre)
    entry_sklearn = _entry_alphas(sklearn.alphas, sklearn.coefs, bayes.centre)
    entries = pd.DataFrame(
        {
            "map_entry_alpha": entry_map,
            "sklearn_entry_alpha": entry_sklearn,
            "same_entry": (entry_map == entry_sklearn)
            | (np.isnan(entry_map) & np.isnan(entry_sklearn)),
        },
        index=pd.Index(list(bayes.feature_names), name="feature"),
    )
    return PathComparison(bayes, sklearn, table, entries)


def posterior_alpha_picks(alphas, count: int) -> np.ndarray:
    """``count`` grid alphas evenly spread over the interior of the grid (ends excluded)."""
    alphas = np.asarray(alphas, dtype=float)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
        raise ValueError(f"the number of posterior alphas must be an integer >= 0; got {count!r}.")
    if count > len(alphas):
        raise ValueError(
            f"the number of posterior alphas ({count}) exceeds the grid length ({len(alphas)})."
        )
    if count == 0:
        return alphas[:0]
    picks = np.unique(np.linspace(0, len(alphas) - 1, count + 2).round().astype(int)[1:-1])
    return alphas[picks]


def posterior_path(
    model: RegressionModel,
    alphas,
    *,
    fixed: dict | None = None,
    draws=1000,
    tune=1000,
    chains=4,
    random_seed=0,
) -> pd.DataFrame:
    """Posterior mean and 94% HDI of every weight at a few alphas, on one compiled sampler.

    Returns a tidy frame: one row per (alpha, feature) with ``mean``, ``hdi_low``,
    ``hdi_high``, and the run's ``r_hat_max``, ``ess_bulk_min``, ``divergences`` and
    ``healthy`` on every row, so an unhealthy alpha is flagged wherever the rows go.
    """
    fixed = _checked_fixed(registry.pairing(model.prior, model.likelihood.family), fixed)
    rows = []
    for alpha in _check_alphas(alphas):
        model.set_prior(_prior_at(model, alpha, fixed))
        posterior = nuts_posterior(
            model, draws=draws, tune=tune, chains=chains, random_seed=random_seed
        )
        summary = posterior.summary.loc[list(model.data.feature_names)]
        for feature, row in summary.iterrows():
            rows.append(
                {
                    "alpha": alpha,
                    "feature": feature,
                    "mean": row["mean"],
                    "hdi_low": row["hdi_low"],
                    "hdi_high": row["hdi_high"],
                    "r_hat_max": posterior.r_hat_max,
                    "ess_bulk_min": posterior.ess_bulk_min,
                    "divergences": posterior.divergences,
                    "healthy": posterior.healthy,
                }
            )
    return pd.DataFrame(rows)


def cross_validation_marks(
    data, family, likelihood, *, fit_intercept: bool = True, fixed: dict | None = None
) -> dict:
    """``{"CV": alpha, "1-SE": alpha}`` of the pair's CV estimator, to mark on a path figure,
    and ``"EB"``, the evidence maximum (type-II ML), for the conjugate pair (Normal prior, Ridge).

    Empty for a pair whose CV estimator keeps no per-fold errors (the GLMs'). No ``"EB"`` mark
    where the data can be fitted exactly: the evidence has no maximum there
    (:func:`regprior.inference.evidence.check_evidence_maximum`), while the path itself, at a
    given noise sigma, is well defined.
    """
    from regprior.checks.sklearn import ONE_SE_ESTIMATORS, cross_validation_alphas

    row = registry.pairing(family, likelihood.family)
    if row.cv_estimator not in ONE_SE_ESTIMATORS:
        return {}
    marks = cross_validation_alphas(
        data, family, likelihood, fit_intercept=fit_intercept, fixed=fixed
    )
    if row.conjugate:
        from regprior.inference import type2_ml

        try:
            marks["EB"] = type2_ml(data, fit_intercept=fit_intercept).ridge_alpha
        except ValueError:  # an exact fit: no evidence maximum to mark
            pass
    return marks
