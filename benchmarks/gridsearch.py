"""Benchmark: GridSearchCV (5 folds x 20 alphas) over LaplacePriorRegressor vs sklearn's Lasso.

Three runs of the same search on diabetes (StandardScaler -> estimator):
- regprior: compiled models are cached per (family, shape): one compile per fold size;
- regprior, recompiling: the cache is emptied before every fit (what a naive PyMC wrapper does);
- sklearn Lasso at tol=1e-12.
Reports wall times, their ratios, and whether the selected alpha and the CV scores agree.

    python benchmarks/gridsearch.py --out benchmarks/results
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import Lasso
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402

from regprior import estimators
from regprior.spec.data import load_diabetes
from regprior.estimators import LaplacePriorRegressor


class RecompilingLaplaceRegressor(LaplacePriorRegressor):
    """The same estimator with its compiled-model cache emptied before every fit."""

    def fit(self, X, y, sample_weight=None):
        estimators.clear_model_cache()
        return super().fit(X, y, sample_weight=sample_weight)


def search(estimator, name, X, y, alphas, cv):
    grid = GridSearchCV(make_pipeline(StandardScaler(), estimator), {f"{name}__alpha": alphas}, cv=cv)
    start = time.perf_counter()
    grid.fit(X, y)
    return time.perf_counter() - start, grid


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    data = load_diabetes()
    alphas = np.geomspace(1e-3, 10, 20)
    cv = KFold(5, shuffle=True, random_state=0)
    estimators.clear_model_cache()
    runs = {
        "regprior LaplacePriorRegressor (compiled models cached)": search(LaplacePriorRegressor(noise_sigma=54.0), "laplacepriorregressor", data.X, data.y, alphas, cv),
        "regprior, recompiling every fit": search(RecompilingLaplaceRegressor(noise_sigma=54.0), "recompilinglaplaceregressor", data.X, data.y, alphas, cv),
        "sklearn Lasso (tol 1e-12)": search(Lasso(tol=1e-12, max_iter=10**6), "lasso", data.X, data.y, alphas, cv),
    }
    reference_scores = runs["sklearn Lasso (tol 1e-12)"][1].cv_results_["mean_test_score"]
    cached_seconds = runs["regprior LaplacePriorRegressor (compiled models cached)"][0]
    rows = []
    for name, (seconds, grid) in runs.items():
        alpha = next(iter(grid.best_params_.values()))
        rows.append({
            "engine": name,
            "fits": 5 * len(alphas) + 1,
            "seconds": seconds,
            "seconds_per_fit": seconds / (5 * len(alphas) + 1),
            "time_vs_cached": seconds / cached_seconds,
            "best_alpha": alpha,
            "max_score_diff_vs_sklearn": float(np.max(np.abs(grid.cv_results_["mean_test_score"] - reference_scores))),
        })
    table = pd.DataFrame(rows)
    write_table(table, args.out, "gridsearch", title="GridSearchCV, 5 folds x 20 alphas, diabetes",
                notes=["StandardScaler -> estimator; alphas geomspace(1e-3, 10, 20); KFold(5, shuffle, seed 0)",
                       "one run each, in the same process, cached run first (its compiles are included)",
                       "the first fit in the process also pays PyTensor's start-up compile"])
    print(table.to_string())


if __name__ == "__main__":
    main()
