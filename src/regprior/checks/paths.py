"""Regularisation paths: the MAP along an alpha grid from one compiled model, beside sklearn's path."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from regprior.checks.comparison import AGREEMENT_RTOL
from regprior.checks.sklearn import PRIOR_FAMILIES, SKLEARN_MAX_ITER, SKLEARN_TOL, prior_from_strength
from regprior.spec.data import RegressionData, weighted_centring
from regprior.inference import map_estimate, nuts_posterior
from regprior.inference.map import compile_map_objective
from regprior.spec.likelihoods import Gaussian
from regprior.backend.model import INTERCEPT, RegressionModel, build_model
from regprior.spec.priors import as_centre

__all__ = [
    "MAPPath",
    "SklearnPath",
    "PathComparison",
    "alpha_grid",
    "solve_path",
    "map_path",
    "path_for_data",
    "sklearn_path",
    "compare_paths",
    "posterior_path",
]

#: Default grid length and lasso eps, as in sklearn's ``lasso_path``.
N_ALPHAS = 50
LASSO_EPS = 1e-3
#: Ridge never reaches zero: its grid runs from RIDGE_TOP x the largest eigenvalue of
#: X^T W X (every weight shrunk >= 1000x towards the centre) down to RIDGE_BOTTOM x the
#: smallest non-zero eigenvalue (within 0.1% of least squares in every direction).
RIDGE_TOP, RIDGE_BOTTOM = 1e3, 1e-3


def _check_family(family: str) -> None:
    if family not in PRIOR_FAMILIES:
        raise ValueError(f"family must be one of {sorted(PRIOR_FAMILIES)}; got {family!r}.")


def alpha_grid(data: RegressionData, family: str, *, fit_intercept: bool = True, mu=0.0, n_alphas: int = N_ALPHAS, eps: float | None = None) -> np.ndarray:
    """Decreasing log-spaced sklearn alphas, from all weights at the prior centre to near least squares.

    Laplace: sklearn's grid, ``alpha_max = max_j |x_j^T W (y - X mu)| / N`` (on centred data
    with an intercept) down to ``eps * alpha_max`` (default ``eps = 1e-3``). At ``alpha_max``
    every weight is exactly at its centre. Normal: see ``RIDGE_TOP`` / ``RIDGE_BOTTOM``;
    ``eps``, when given, sets the bottom to ``eps * alpha_max`` instead.
    """
    _check_family(family)
    if isinstance(n_alphas, bool) or not isinstance(n_alphas, (int, np.integer)) or n_alphas < 2:
        raise ValueError(f"n_alphas must be an integer >= 2; got {n_alphas!r}.")
    if eps is not None and not (0 < eps < 1):
        raise ValueError(f"eps must be in (0, 1); got {eps!r}.")
    _, _, X, y = weighted_centring(data, fit_intercept=fit_intercept)
    residual = y - X @ as_centre(mu, data.n_features)
    if family == "laplace":
        alpha_max = np.max(np.abs(X.T @ (data.weights * residual))) / data.weight_sum
        if alpha_max == 0:
            raise ValueError("every weight is at its prior centre for every alpha (X^T W (y - X mu) = 0).")
        bottom = alpha_max * (LASSO_EPS if eps is None else eps)
    else:
        eigenvalues = np.linalg.eigvalsh((X.T * data.weights) @ X)
        alpha_max = RIDGE_TOP * eigenvalues[-1]
        positive = eigenvalues[eigenvalues > eigenvalues[-1] * 1e-12]
        bottom = RIDGE_BOTTOM * positive[0] if eps is None else alpha_max * eps
    return np.geomspace(alpha_max, bottom, n_alphas)


@dataclass(frozen=True)
class MAPPath:
    """MAP of every weight along an alpha grid.

    Attributes
    ----------
    family : str
    alphas : ndarray of shape (n_alphas,)
        sklearn alphas, decreasing.
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

    def to_frame(self) -> pd.DataFrame:
        """One row per alpha: the weights, the intercept, the certificate and the iterations."""
        frame = pd.DataFrame(self.coefs, columns=list(self.feature_names), index=pd.Index(self.alphas, name="alpha"))
        frame[INTERCEPT] = self.intercepts
        frame["kkt_residual"] = self.kkt_residuals
        frame["n_iter"] = self.n_iters
        return frame


def solve_path(model: RegressionModel, alphas) -> MAPPath:
    """MAP at every alpha on one model: ``set_prior`` swaps ``pm.Data``, each solve warm-starts.

    The model's prior family and centre are kept; only the scale changes with alpha. The
    MAP objective is compiled once (on the first solve, timed as ``compile_seconds``).
    """
    alphas = np.asarray(alphas, dtype=float)
    if alphas.ndim != 1 or alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas <= 0):
        raise ValueError("alphas must be a non-empty 1-D array of positive finite numbers.")
    family = model.prior.family
    centre = model.prior.centre(model.data.n_features)
    priors = [
        prior_from_strength(family, noise_sigma=model.noise_sigma, weight_sum=model.data.weight_sum, alpha=a, mu=model.prior.mu)
        for a in alphas
    ]
    start = time.perf_counter()
    compile_map_objective(model)
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    results, previous = [], None
    for prior in priors:
        model.set_prior(prior)
        result = map_estimate(model, start=previous)
        results.append(result)
        previous = result.coef
    solve_seconds = time.perf_counter() - start
    return MAPPath(
        family=family,
        alphas=alphas,
        coefs=np.array([r.coef for r in results]),
        intercepts=np.array([r.intercept for r in results]),
        kkt_residuals=np.array([r.kkt_residual for r in results]),
        n_iters=np.array([r.n_iter for r in results]),
        centre=centre,
        feature_names=model.data.feature_names,
        solve_seconds=solve_seconds,
        compile_seconds=compile_seconds,
    )


def map_path(
    X, y, family: str, *, alphas=None, n_alphas: int = N_ALPHAS, eps: float | None = None, noise_sigma=None,
    sample_weight=None, fit_intercept: bool = True, mu=0.0, feature_names=None,
) -> MAPPath:
    """MAP path of a ``"normal"`` (Ridge) or ``"laplace"`` (Lasso) prior over sklearn alphas.

    ``alphas=None`` uses :func:`alpha_grid`. Each alpha maps to a prior scale through the
    exact map (:mod:`regprior.spec.mapping`) at ``noise_sigma`` (default: least-squares residual sd).
    """
    _check_family(family)
    data = RegressionData(X, y, sample_weight, feature_names=feature_names)
    likelihood = Gaussian.resolve(data, noise_sigma, fit_intercept=fit_intercept)
    if alphas is None:
        alphas = alpha_grid(data, family, fit_intercept=fit_intercept, mu=mu, n_alphas=n_alphas, eps=eps)
    return path_for_data(data, family, likelihood, alphas, fit_intercept=fit_intercept, mu=mu)[0]


def path_for_data(data, family, likelihood, alphas, *, fit_intercept=True, mu=0.0):
    """Build the model once and solve the path on it; returns ``(MAPPath, model)``."""
    start = time.perf_counter()
    first = prior_from_strength(family, noise_sigma=likelihood.noise_sigma, weight_sum=data.weight_sum, alpha=float(np.max(alphas)), mu=mu)
    model = build_model(data, first, likelihood, fit_intercept=fit_intercept)
    build_seconds = time.perf_counter() - start
    path = solve_path(model, alphas)
    return replace(path, compile_seconds=path.compile_seconds + build_seconds), model


@dataclass(frozen=True)
class SklearnPath:
    """sklearn's solutions on the same grid, around the prior centre (``coef`` includes ``mu``)."""

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    seconds: float


def sklearn_path(data: RegressionData, family: str, alphas, *, fit_intercept: bool = True, mu=0.0) -> SklearnPath:
    """sklearn's Lasso path (``lasso_path`` at ``tol=1e-12``) or Ridge over the grid.

    ``lasso_path`` takes neither weights nor an intercept, so the data are weighted-centred
    and scaled by ``sqrt(w * n / N)``: its objective ``1/(2n) ||y~ - X~ w||^2`` then equals
    Lasso's ``1/(2N) sum_i w_i r_i^2`` exactly. Ridge is fitted per alpha (Cholesky).
    """
    from sklearn.linear_model import Ridge, lasso_path

    _check_family(family)
    alphas = np.asarray(alphas, dtype=float)
    centre = as_centre(mu, data.n_features)
    x_mean, y_mean, X, y = weighted_centring(data, fit_intercept=fit_intercept)
    start = time.perf_counter()
    if family == "laplace":
        root = np.sqrt(data.weights * data.n_samples / data.weight_sum)
        _, coefs, _ = lasso_path(
            X * root[:, None], (y - X @ centre) * root, alphas=alphas, tol=SKLEARN_TOL, max_iter=SKLEARN_MAX_ITER
        )
        coefs = coefs.T
    else:
        ridge = Ridge(fit_intercept=fit_intercept, solver="cholesky")
        target = data.y - data.X @ centre
        coefs = np.array([ridge.set_params(alpha=a).fit(data.X, target, sample_weight=data.sample_weight).coef_ for a in alphas])
    seconds = time.perf_counter() - start
    coefs = coefs + centre
    intercepts = y_mean - coefs @ x_mean if fit_intercept else np.zeros(len(alphas))
    return SklearnPath(alphas=alphas, coefs=coefs, intercepts=intercepts, seconds=seconds)


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

    @property
    def passed(self) -> bool:
        return bool(self.table["agree"].all() and self.table["support_match"].all() and self.entries["same_entry"].all())

    def to_frame(self) -> pd.DataFrame:
        """Per alpha: the comparison columns, then every MAP and sklearn coefficient."""
        names = list(self.map_path.feature_names)
        index = self.table.index
        map_coefs = pd.DataFrame(self.map_path.coefs, columns=[f"map_{n}" for n in names], index=index)
        sklearn_coefs = pd.DataFrame(self.sklearn_path.coefs, columns=[f"sklearn_{n}" for n in names], index=index)
        return pd.concat([self.table, map_coefs, sklearn_coefs], axis=1)

    def to_markdown(self, likelihood) -> str:
        return (
            f"### {self.summary_line()}\n\n- noise sigma = {likelihood.noise_sigma:.6g} ({likelihood.source})\n\n"
            f"{self.table.to_markdown(floatfmt='.4g')}\n\n#### Entry points\n\n{self.entries.to_markdown(floatfmt='.4g')}\n"
        )

    def to_dict(self, likelihood) -> dict:
        """JSON-ready record (``regprior path --format json``)."""
        def records(frame):
            return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()}
                    for r in frame.reset_index().to_dict(orient="records")]

        return {
            "passed": self.passed,
            "noise_sigma": likelihood.noise_sigma,
            "noise_sigma_source": likelihood.source,
            "solve_seconds": self.map_path.solve_seconds,
            "compile_seconds": self.map_path.compile_seconds,
            "alphas": records(self.table),
            "entries": records(self.entries),
        }

    def summary_line(self) -> str:
        t = self.table
        worst = (t["max_abs_diff"] / t["tolerance"]).max() * AGREEMENT_RTOL
        return (
            f"{self.map_path.family} path, {len(t)} alphas: {'PASSED' if self.passed else 'FAILED'} | "
            f"worst max|MAP - sklearn| / max(1, |coef|) = {worst:.1e}, support identical at "
            f"{int(t['support_match'].sum())}/{len(t)} alphas, entry points identical for "
            f"{int(self.entries['same_entry'].sum())}/{len(self.entries)} features; MAP path "
            f"{self.map_path.solve_seconds:.3f} s after a {self.map_path.compile_seconds:.2f} s build+compile, "
            f"sklearn {self.sklearn_path.seconds:.3f} s"
        )


def _entry_alphas(alphas, coefs, centre):
    active = coefs != centre
    first = np.argmax(active, axis=0)
    return np.where(active.any(axis=0), alphas[first], np.nan)


def compare_paths(bayes: MAPPath, sklearn: SklearnPath) -> PathComparison:
    """Compare the two paths alpha by alpha (same grid required)."""
    if not np.array_equal(bayes.alphas, sklearn.alphas):
        raise ValueError("the two paths must be computed on the same alpha grid.")
    scale = np.maximum(1.0, np.max(np.abs(sklearn.coefs), axis=1))
    diff = np.max(np.abs(bayes.coefs - sklearn.coefs), axis=1)
    active_map = bayes.coefs != bayes.centre
    active_sklearn = sklearn.coefs != bayes.centre
    table = pd.DataFrame(
        {
            "max_abs_diff": diff,
            "tolerance": AGREEMENT_RTOL * scale,
            "agree": diff <= AGREEMENT_RTOL * scale,
            "support_match": np.all(active_map == active_sklearn, axis=1),
            "n_active_map": active_map.sum(axis=1),
            "n_active_sklearn": active_sklearn.sum(axis=1),
            "kkt_residual": bayes.kkt_residuals,
            "n_iter": bayes.n_iters,
        },
        index=pd.Index(bayes.alphas, name="alpha"),
    )
    entry_map = _entry_alphas(bayes.alphas, bayes.coefs, bayes.centre)
    entry_sklearn = _entry_alphas(sklearn.alphas, sklearn.coefs, bayes.centre)
    entries = pd.DataFrame(
        {
            "map_entry_alpha": entry_map,
            "sklearn_entry_alpha": entry_sklearn,
            "same_entry": (entry_map == entry_sklearn) | (np.isnan(entry_map) & np.isnan(entry_sklearn)),
        },
        index=pd.Index(list(bayes.feature_names), name="feature"),
    )
    return PathComparison(bayes, sklearn, table, entries)


def posterior_path(model: RegressionModel, alphas, *, draws=1000, tune=1000, chains=2, random_seed=0) -> pd.DataFrame:
    """Posterior mean and 94% HDI of every weight at a few alphas, on one compiled sampler.

    Returns a tidy frame: one row per (alpha, feature) with ``mean``, ``hdi_low``,
    ``hdi_high``, and the run's ``r_hat_max``, ``ess_bulk_min``, ``divergences`` and
    ``healthy`` on every row, so an unhealthy alpha is flagged wherever the rows go.
    """
    family, mu = model.prior.family, model.prior.mu
    rows = []
    for alpha in np.asarray(alphas, dtype=float):
        model.set_prior(prior_from_strength(family, noise_sigma=model.noise_sigma, weight_sum=model.data.weight_sum, alpha=alpha, mu=mu))
        posterior = nuts_posterior(model, draws=draws, tune=tune, chains=chains, random_seed=random_seed)
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
