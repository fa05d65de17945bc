"""The agreement suite: data sets x priors x settings x alphas, one stored cell at a time.

A cell is (data set, prior, setting): one model, built and compiled once, compared with
sklearn at three alphas (``set_prior`` in between). Each finished cell is written atomically
(temporary file, then ``os.replace``) to ``<out>/cells/``; a rerun skips the cells found
there, so an interrupted run (even ``kill -9``) resumes and ends with the same tables. Cells
run in parallel through joblib (local processes by default, a Dask cluster when a scheduler
address is given). Results are deterministic for a seed; timings are kept apart.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd

from regprior.checks.comparison import compare_model
from regprior.checks.sklearn import prior_from_strength
from regprior.spec.data import RegressionData, load_diabetes
from regprior.spec.likelihoods import Gaussian
from regprior.backend.model import build_model
from regprior.checks.paths import alpha_grid

__all__ = ["DATASETS", "PRIORS", "SETTINGS", "make_dataset", "run_suite", "collect"]

PRIORS = ("normal", "laplace")
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
    return RegressionData(bunch.data, bunch.target[:, 0], feature_names=tuple(bunch.feature_names), name="linnerud_weight"), None


DATASETS = {
    "diabetes": lambda seed: (load_diabetes(), None),
    "sparse_correlated": _sparse_correlated,
    "wide_p_gt_n": _wide,
    "heavy_tailed_t3": _heavy_tailed,
    "linnerud_weight": _linnerud,
}


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
        data = RegressionData(data.X, data.y, rng.uniform(0.5, 2.0, data.n_samples), feature_names=data.feature_names, name=data.name)
    elif setting == "centre":
        centre = rng.normal(0, np.std(data.y) / 4, data.n_features)
    return data, noise_sigma, centre, setting != "no_intercept"


def _cell_key(dataset, prior, setting) -> str:
    return f"{dataset}__{prior}__{setting}"


def run_cell(dataset: str, family: str, setting: str, *, seed: int, sample: bool, draws: int, tune: int) -> dict:
    """Compare one model at three alphas of its grid (the interior points of a 5-point grid)."""
    data, noise_sigma, centre, fit_intercept = make_dataset(dataset, setting, seed)
    likelihood = Gaussian.resolve(data, noise_sigma, fit_intercept=fit_intercept)
    alphas = alpha_grid(data, family, fit_intercept=fit_intercept, mu=centre, n_alphas=5)[1:4]
    priors = [prior_from_strength(family, noise_sigma=likelihood.noise_sigma, weight_sum=data.weight_sum, alpha=a, mu=centre)
              for a in alphas]
    start = time.perf_counter()
    model = build_model(data, priors[0], likelihood, fit_intercept=fit_intercept, form="raw")
    rows, timings = [], []
    for index, prior in enumerate(priors):
        model.set_prior(prior)
        c = compare_model(model, sample=sample, draws=draws, tune=tune, random_seed=seed + index)
        table, verdict = c.table, c.verdict
        row = {
            "dataset": dataset, "prior": family, "setting": setting, "alpha": float(c.alpha),
            "n": data.n_samples, "p": data.n_features, "noise_sigma": likelihood.noise_sigma,
            "max_abs_diff": verdict.max_abs_diff, "rel_diff": verdict.max_abs_diff / verdict.tolerance * 1e-8,
            "support_match": verdict.support_match, "n_zero_map": int(np.sum(c.map_result.coef == c.map_result.centre)),
            "kkt_residual": verdict.certificate,
        }
        if sample:
            row.update(r_hat_max=c.posterior.r_hat_max, ess_bulk_min=c.posterior.ess_bulk_min, divergences=c.posterior.divergences)
            if "mean_error_mcse" in table:
                row.update(exact_max_mcse=float(table["mean_error_mcse"].abs().max()),
                           exact_max_sd_dev=float((table["sd_ratio"] - 1).abs().max()))
        row.update(passed=verdict.passed, problems="; ".join(verdict.problems))
        rows.append(row)
        timings.append({"dataset": dataset, "prior": family, "setting": setting, "alpha": float(c.alpha), **c.timings})
    return {"key": _cell_key(dataset, family, setting), "rows": rows, "timings": timings,
            "seconds": time.perf_counter() - start}


def _store(cell: dict, cells_dir: Path) -> None:
    """Write one cell atomically: a reader (or a rerun) sees the whole file or none."""
    handle, temporary = tempfile.mkstemp(dir=cells_dir, prefix=f".{cell['key']}.", suffix=".tmp")
    with os.fdopen(handle, "w") as stream:
        json.dump(cell, stream)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, cells_dir / f"{cell['key']}.json")


def _run_and_store(cells_dir, dataset, family, setting, options):
    cell = run_cell(dataset, family, setting, **options)
    _store(cell, cells_dir)
    return cell["key"], cell["seconds"]


def run_suite(out_dir, *, datasets=tuple(DATASETS), priors=PRIORS, settings=SETTINGS, seed=0, sample=True,
              draws=1000, tune=1000, n_jobs=2, scheduler=None, stream=sys.stderr):
    """Run every missing cell, then return the assembled tables (see :func:`collect`).

    Progress is one line per finished cell (a progress bar per grid, not per draw).
    ``scheduler``: address of a Dask scheduler; cells then run on that cluster.
    """
    import joblib

    for name, values, allowed in (("datasets", datasets, DATASETS), ("priors", priors, PRIORS), ("settings", settings, SETTINGS)):
        unknown = sorted(set(values) - set(allowed))
        if unknown or not values:
            raise ValueError(f"{name} must be a non-empty subset of {sorted(allowed)}; got {list(values)}.")
    cells_dir = Path(out_dir) / "cells"
    cells_dir.mkdir(parents=True, exist_ok=True)
    grid = list(product(datasets, priors, settings))
    todo = [cell for cell in grid if not (cells_dir / f"{_cell_key(*cell)}.json").exists()]
    print(f"{len(grid)} cells: {len(grid) - len(todo)} already stored, {len(todo)} to run", file=stream, flush=True)
    options = {"seed": seed, "sample": sample, "draws": draws, "tune": tune}
    tasks = (joblib.delayed(_run_and_store)(cells_dir, *cell, options) for cell in todo)
    start = time.perf_counter()
    client = None
    if scheduler is not None:
        from dask.distributed import Client

        client = Client(scheduler)
    try:
        backend = joblib.parallel_config(backend="dask") if client is not None else joblib.parallel_config(n_jobs=n_jobs)
        with backend:
            results = joblib.Parallel(return_as="generator_unordered")(tasks)
            for done, (key, seconds) in enumerate(results, start=1):
                bar = "#" * int(30 * done / max(len(todo), 1))
                print(f"[{bar:<30}] {done}/{len(todo)} {key} ({seconds:.1f} s)", file=stream, flush=True)
    finally:
        if client is not None:
            client.close()
    wall = time.perf_counter() - start
    return collect(out_dir, grid=grid) + (wall,)


def collect(out_dir, *, grid=None):
    """Assemble the stored cells: ``(agreement table, timings table)`` sorted by cell."""
    cells_dir = Path(out_dir) / "cells"
    files = sorted(cells_dir.glob("*.json"))
    if grid is not None:
        wanted = {f"{_cell_key(*cell)}.json" for cell in grid}
        files = [f for f in files if f.name in wanted]
    rows, timings = [], []
    for path in files:
        cell = json.loads(path.read_text())
        rows += cell["rows"]
        timings += [{**t, "cell_seconds": cell["seconds"]} for t in cell["timings"]]
    order = ["dataset", "prior", "setting", "alpha"]
    agreement = pd.DataFrame(rows).sort_values(order, ascending=[True, True, True, False], ignore_index=True)
    return agreement, pd.DataFrame(timings).sort_values(order, ascending=[True, True, True, False], ignore_index=True)
