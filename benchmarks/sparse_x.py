"""Benchmark: sparse X through sufficient statistics vs sklearn on the same sparse matrix.

A seeded sparse design (CSR, 1% non-zeros) with a sparse truth and Gaussian noise. For the
Laplace and Normal estimators (MAP mode, alpha given, noise sigma given so that no least-squares
fit is timed): regprior's fit on the sparse X (statistics X^T W X from sparse products, then the
exact MAP on the cached model; its first fit compiles), the same fit warm, sklearn's Lasso
(tol=1e-12) / Ridge (sparse_cg, tol 1e-12) on the same sparse X, and regprior on the dense X.
Agreement: max |coef - sklearn| / max(1, |coef|) and, for the Laplace prior, the exact zeros.
BLAS pinned to one thread; times are medians of ``--repeats``.

    python benchmarks/sparse_x.py --out benchmarks/results
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse
from sklearn.linear_model import Lasso, Ridge
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from _common import timed, write_table  # noqa: E402
from regprior.estimators import LaplacePriorRegressor, NormalPriorRegressor


def sparse_problem(n_samples, n_features, density, seed=0):
    rng = np.random.default_rng(seed)
    X = scipy.sparse.random_array(
        (n_samples, n_features),
        density=density,
        format="csr",
        rng=rng,
        data_sampler=rng.standard_normal,
    )
    truth = np.zeros(n_features)
    truth[:20] = rng.normal(0, 3, 20)
    return X, X @ truth + 1.0 + rng.normal(size=n_samples)


def fit_fresh(make, X, y):
    """A new estimator from ``make()``, fitted on ``(X, y)``."""
    return make().fit(X, y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n-samples", type=int, default=20_000)
    parser.add_argument("--n-features", type=int, default=500)
    parser.add_argument("--density", type=float, default=0.01)
    args = parser.parse_args()
    threadpool_limits(1)
    X, y = sparse_problem(args.n_samples, args.n_features, args.density)
    dense = X.toarray()
    alphas = {"laplace": 0.02, "normal": 10.0}
    cases = {
        "laplace": (LaplacePriorRegressor, lambda a: Lasso(alpha=a, tol=1e-12, max_iter=10**6)),
        "normal": (
            NormalPriorRegressor,
            lambda a: Ridge(alpha=a, solver="sparse_cg", tol=1e-12, max_iter=10**5),
        ),
    }
    rows = []
    for family, (ours, theirs) in cases.items():
        alpha = alphas[family]
        make = partial(ours, alpha=alpha, noise_sigma=1.0)
        start = time.perf_counter()
        first = make().fit(X, y)
        first_seconds = time.perf_counter() - start
        warm_seconds, warm = timed(partial(fit_fresh, make, X, y), args.repeats)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk_seconds, reference = timed(
                partial(fit_fresh, partial(theirs, alpha), X, y), args.repeats
            )
        dense_seconds, on_dense = timed(partial(fit_fresh, make, dense, y), args.repeats)
        scale = max(1.0, float(np.max(np.abs(reference.coef_))))
        for engine, seconds, model in [
            ("regprior, sparse X, first fit (compiles)", first_seconds, first),
            ("regprior, sparse X, warm", warm_seconds, warm),
            ("sklearn, sparse X", sk_seconds, reference),
            ("regprior, dense X, warm", dense_seconds, on_dense),
        ]:
            rows.append(
                {
                    "prior": family,
                    "alpha": alpha,
                    "engine": engine,
                    "seconds": seconds,
                    "time_vs_sklearn": seconds / sk_seconds,
                    "rel_diff_vs_sklearn": float(np.max(np.abs(model.coef_ - reference.coef_)))
                    / scale,
                    "exact_zeros": int(np.sum(model.coef_ == 0.0)),
                    "same_zeros_as_sklearn": bool(
                        np.array_equal(model.coef_ == 0.0, reference.coef_ == 0.0)
                    ),
                }
            )
    frame = pd.DataFrame(rows)
    write_table(
        frame,
        args.out,
        "sparse_x",
        title=(
            f"Sparse X: {args.n_samples} x {args.n_features}, {args.density:.0%} non-zeros (CSR)"
        ),
        notes=[
            "regprior fits sparse X through its sufficient statistics "
            "(SufficientStatistics.from_sparse: sparse products, X never densified), "
            "then the exact MAP on the cached compiled model",
            "alpha given (Lasso 0.02, Ridge 10), noise sigma 1 given; "
            "sklearn Lasso tol 1e-12, Ridge sparse_cg tol 1e-12",
            f"seconds: median of {args.repeats} fits (the first fit once); "
            "BLAS pinned to one thread",
            "rel_diff_vs_sklearn: max |coef - sklearn coef| / max(1, max |sklearn coef|)",
        ],
    )
    print(frame.to_string())


if __name__ == "__main__":
    main()
