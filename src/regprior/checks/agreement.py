"""The agreement suite's cells: data sets x prior families x settings,
each compared with sklearn at three alphas.

This module computes one cell (:func:`run_cell`); storing, resuming, running cells in
parallel and showing progress is the benchmark harness's job (``benchmarks/suite.py``).
"""

from __future__ import annotations

import time

import numpy as np

from regprior import registry
from regprior.backend.model import build_model
from regprior.checks.comparison import compare_model
from regprior.checks.paths import alpha_grid
from regprior.checks.verdict import AGREEMENT_RTOL
from regprior.spec.data import (
    RegressionData,
    load_breast_cancer,
    load_diabetes,
    make_poisson_counts,
)
from regprior.spec.likelihoods import LIKELIHOOD_FAMILIES, resolve_likelihood

__all__ = [
    "DATASETS",
    "PRIORS",
    "SETTINGS",
    "LIKELIHOOD_OF",
    "cells",
    "make_dataset",
    "run_cell",
    "cell_key",
]

#: Every prior family with a sklearn counterpart under some likelihood.
PRIORS = tuple(dict.fromkeys(row.family for row in registry.PAIRINGS))
SETTINGS = ("plain", "weights", "centre", "no_intercept")


def _sparse_correlated(seed):
    rng = np.random.default_rng(seed)
    p = 30
    cov = 0.8 ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    X = rng.multivariate_normal(np.zeros(p), cov, size=200)
    coef = np.zeros(p)
    coef[[0, 5, 10, 15, 20]] = [3.0, -2.0, 1.5, -1.0, 0.5]
    return RegressionData(X, 1.0 + X @ coef + rng.normal(size=200), name="sparse_correlated"), None


def _wide(seed):
    rng = np.random.default_rng(seed + 1)
    X = rng.normal(size=(50, 100))
    coef = np.zeros(100)
    coef[:5] = [2.0, -2.0, 1.0, -1.0, 0.5]
    # p > n: least squares cannot estimate sigma; the generating value is used (known).
    return RegressionData(X, X @ coef + rng.normal(size=50), name="wide_p_gt_n"), 1.0


def _heavy_tailed(seed):
    rng = np.random.default_rng(seed + 2)
    X = rng.normal(size=(200, 10))
    coef = np.linspace(-1, 1, 10)
    return RegressionData(X, X @ coef + rng.standard_t(3, size=200), name="heavy_tailed_t3"), None


def _linnerud(seed):
    from sklearn.datasets import load_linnerud

    bunch = load_linnerud()  # bundled with sklearn: 20 athletes, 3 exercises -> weight
    return RegressionData(
        bunch.data,
        bunch.target[:, 0],
        feature_names=tuple(bunch.feature_names),
        name="linnerud_weight",
    ), None


def _binary_wide(seed):
    rng = np.random.default_rng(seed + 3)
    X = rng.normal(size=(40, 60))
    coef = np.zeros(60)
    coef[:3] = [1.5, -1.0, 0.5]
    y = (rng.uniform(size=40) < 1.0 / (1.0 + np.exp(-(0.3 + X @ coef)))).astype(float)
    return RegressionData(X, y, name="binary_p_gt_n"), None


DATASETS = {
    "diabetes": lambda seed: (load_diabetes(), None),
    "sparse_correlated": _sparse_correlated,
    "wide_p_gt_n": _wide,
    "heavy_tailed_t3": _heavy_tailed,
    "linnerud_weight": _linnerud,
    "breast_cancer": lambda seed: (load_breast_cancer(), None),
    "binary_p_gt_n": _binary_wide,
    "poisson_counts": lambda seed: (make_poisson_counts(seed=seed), None),
}
#: The likelihood each data set is compared under: an embedded set's own (the likelihood whose
#: example it is), the synthetic binary set's that of breast_cancer; the Gaussian otherwise.
_EXAMPLE_OF = {cls.example_data: family for family, cls in LIKELIHOOD_FAMILIES.items()}
LIKELIHOOD_OF = {
    "breast_cancer": _EXAMPLE_OF["breast_cancer"],
    "binary_p_gt_n": _EXAMPLE_OF["breast_cancer"],
    "poisson_counts": _EXAMPLE_OF["poisson_counts"],
}


def cells(datasets=tuple(DATASETS), priors=PRIORS, settings=SETTINGS) -> list[tuple[str, str, str]]:
    """The valid (data set, prior, setting) cells: priors the data set's likelihood pairs with;
    no ``centre`` setting for a GLM (sklearn cannot offset its linear predictor)."""
    grid = []
    for dataset in datasets:
        likelihood = LIKELIHOOD_OF.get(dataset, registry.DEFAULT_LIKELIHOOD)
        for prior in priors:
            if prior not in registry.prior_families(likelihood):
                continue
            grid += [
                (dataset, prior, s)
                for s in settings
                if not (s == "centre" and not registry.takes_prior_centre(likelihood))
            ]
    return grid


def make_dataset(name: str, setting: str, seed: int):
    """Data, noise sigma (None: estimate it), prior centre and intercept flag of one cell."""
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {sorted(DATASETS)}; got {name!r}.")
    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {list(SETTINGS)}; got {setting!r}.")
    data, noise_sigma = DATASETS[name](seed)
    rng = np.random.default_rng(seed + 100)
    centre = np.zeros(data.n_features)
    if setting == "weights":
        data = RegressionData(
            data.X,
            data.y,
            rng.uniform(0.5, 2.0, data.n_samples),
            feature_names=data.feature_names,
            name=data.name,
        )
    elif setting == "centre":
        centre = rng.normal(0, np.std(data.y) / 4, data.n_features)
    return data, noise_sigma, centre, setting != "no_intercept"


def cell_key(dataset, prior, setting) -> str:
    """File stem of a stored cell: ``<dataset>__<prior>__<setting>``."""
    return f"{dataset}__{prior}__{setting}"


def run_cell(
    dataset: str,
    family: str,
    setting: str,
    *,
    seed: int,
    sample: bool,
    draws: int,
    tune: int,
    chains: int = 4,
) -> dict:
    """Compare one model at three values of its grid (the interior points of a 5-point grid).

    ``alpha`` in the rows is sklearn's path parameter, named in ``parameter`` (``C`` for
    logistic regression).

    Fixed strength parameters take the registry's defaults (``l1_ratio = 0.5``). Returns
    ``{"key", "rows", "timings", "seconds"}``: plain JSON-ready values.
    """
    if family not in PRIORS:
        raise ValueError(f"prior must be one of {list(PRIORS)}; got {family!r}.")
    data, noise_sigma, centre, fit_intercept = make_dataset(dataset, setting, seed)
    likelihood = resolve_likelihood(
        LIKELIHOOD_OF.get(dataset, registry.DEFAULT_LIKELIHOOD),
        data,
        noise_sigma=noise_sigma,
        fit_intercept=fit_intercept,
    )
    row = registry.pairing(family, likelihood.family)
    alphas = alpha_grid(
        data, family, fit_intercept=fit_intercept, mu=centre, n_alphas=5, likelihood=likelihood
    )[1:4]
    priors = [
        registry.prior_from_sklearn_strength(
            family, {row.path_parameter: a}, likelihood, data.weight_sum, mu=centre
        )
        for a in alphas
    ]
    start = time.perf_counter()
    model = build_model(data, priors[0], likelihood, fit_intercept=fit_intercept, form="raw")
    rows, timings = [], []
    for index, prior in enumerate(priors):
        model.set_prior(prior)
        c = compare_model(
            model, sample=sample, draws=draws, tune=tune, chains=chains, random_seed=seed + index
        )
        table, verdict = c.table, c.verdict
        record = {
            "dataset": dataset,
            "likelihood": likelihood.family,
            "prior": family,
            "setting": setting,
            "parameter": row.path_parameter,
            "alpha": float(c.alpha),
            "n": data.n_samples,
            "p": data.n_features,
            "noise_sigma": getattr(likelihood, "noise_sigma", None),
            "max_abs_diff": verdict.max_abs_diff,
            "rel_diff": verdict.max_abs_diff / verdict.tolerance * AGREEMENT_RTOL,
            "support_match": verdict.support_match,
            "n_zero_map": int(np.sum(c.map_result.coef == c.map_result.centre)),
            "kkt_residual": verdict.certificate,
            "sklearn_kkt_residual": verdict.sklearn_certificate,
            "tolerance": verdict.tolerance,
        }
        if sample:
            record.update(
                r_hat_max=c.posterior.r_hat_max,
                ess_bulk_min=c.posterior.ess_bulk_min,
                divergences=c.posterior.divergences,
            )
            if "mean_error_mcse" in table:
                record.update(
                    exact_max_mcse=float(table["mean_error_mcse"].abs().max()),
                    exact_max_sd_dev=float((table["sd_ratio"] - 1).abs().max()),
                )
        record.update(passed=verdict.passed, problems="; ".join(verdict.problems))
        rows.append(record)
        timings.append(
            {
                "dataset": dataset,
                "prior": family,
                "setting": setting,
                "alpha": float(c.alpha),
                **c.timings,
            }
        )
    return {
        "key": cell_key(dataset, family, setting),
        "rows": rows,
        "timings": timings,
        "seconds": time.perf_counter() - start,
    }
