"""Benchmark: the MAP along a 50-alpha grid, regprior vs pm.find_MAP vs sklearn's own path.

Engines, all measured in the same run on the same grid:
- regprior: ``solve_path`` on one compiled model (``pm.Data`` hyperparameters, warm starts);
  its one-off build + compile is reported apart;
- find_MAP rebuilt per alpha: a new ``pm.Model`` and ``pm.find_MAP`` for every alpha, as a
  PyMC user without regprior would write it;
- find_MAP on one model: the same, with the prior scale in ``pm.Data`` and ``pm.set_data``;
- sklearn: ``lasso_path`` (tol=1e-12) or ``Ridge`` per alpha.

Accuracy is measured against sklearn at tol=1e-12: the worst ``max_j |diff_j| / max(1, max|coef|)``
over the grid, the total number of exact zeros, and the alphas whose zero set is sklearn's.
Times are medians over ``--repeats`` runs (find_MAP rebuilt: ``--naive-repeats``).

    python benchmarks/map_path.py --out benchmarks/results
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import timed, write_table  # noqa: E402
from regprior import registry
from regprior.checks.paths import alpha_grid, path_for_data, sklearn_path, solve_path
from regprior.spec.data import RegressionData, load_diabetes
from regprior.spec.likelihoods import Gaussian


def synthetic(n_samples, n_features, seed=0) -> RegressionData:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    coef = np.zeros(n_features)
    coef[: n_features // 10] = rng.normal(0, 3, n_features // 10)
    return RegressionData(
        X, 1.0 + X @ coef + rng.normal(size=n_samples), name=f"synthetic {n_samples}x{n_features}"
    )


def naive_model(data, family, alpha, noise_sigma, shared_scale=None):
    """The model a PyMC user would write: Flat intercept, prior on beta, Normal likelihood."""
    import pymc as pm

    prior = registry.prior_from_sklearn_strength(
        family, {"alpha": alpha}, Gaussian(noise_sigma), data.weight_sum
    )
    with pm.Model() as model:
        scale = pm.Data("scale", prior.scale) if shared_scale else prior.scale
        intercept = pm.Flat("intercept")
        if family == "laplace":
            beta = pm.Laplace("beta", mu=0.0, b=scale, shape=data.n_features)
        else:
            beta = pm.Normal("beta", mu=0.0, sigma=scale, shape=data.n_features)
        pm.Normal("y", mu=intercept + pm.math.dot(data.X, beta), sigma=noise_sigma, observed=data.y)
    return model


def find_map_path(data, family, alphas, noise_sigma, *, rebuild):
    import pymc as pm

    coefs = []
    model = (
        None if rebuild else naive_model(data, family, alphas[0], noise_sigma, shared_scale=True)
    )
    for alpha in alphas:
        if rebuild:
            model = naive_model(data, family, alpha, noise_sigma)
        else:
            scale = registry.prior_from_sklearn_strength(
                family, {"alpha": alpha}, Gaussian(noise_sigma), data.weight_sum
            ).scale
            pm.set_data({"scale": scale}, model=model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            point = pm.find_MAP(model=model, progressbar=False)
        coefs.append(point["beta"])
    return np.array(coefs)


def accuracy(coefs, reference):
    scale = np.maximum(1.0, np.max(np.abs(reference), axis=1))
    worst = float(np.max(np.max(np.abs(coefs - reference), axis=1) / scale))
    return {
        "worst_rel_diff": worst,
        "exact_zeros": int(np.sum(coefs == 0)),
        "sklearn_zeros": int(np.sum(reference == 0)),
        "alphas_same_zero_set": int(np.sum(np.all((coefs == 0) == (reference == 0), axis=1))),
    }


def end_to_end_rows(data, family, noise_sigma, alphas, sk, base, repeats):
    """What a user calls: ``map_path(X, y, ...)`` and
    one-alpha ``fit_map`` / sklearn ``fit``, warm."""
    from sklearn.linear_model import Lasso, Ridge

    from regprior.api import fit_map
    from regprior.checks.paths import map_path

    def call():
        return map_path(data.X, data.y, family, alphas=alphas, noise_sigma=noise_sigma)

    call()  # the first call builds and compiles; later ones reuse the model
    seconds, path = timed(call, repeats)
    rows = [
        {
            **base,
            "engine": "regprior map_path(X, y) end to end, warm",
            "seconds": seconds,
            "compile_seconds": np.nan,
            **accuracy(path.coefs, sk.coefs),
        }
    ]
    middle = len(alphas) // 2
    alpha = float(alphas[middle])
    prior = registry.prior_from_sklearn_strength(
        family, {"alpha": alpha}, Gaussian(noise_sigma), data.weight_sum
    )
    fit_map(data.X, data.y, prior, noise_sigma=noise_sigma)
    seconds, result = timed(
        lambda: fit_map(data.X, data.y, prior, noise_sigma=noise_sigma), 4 * repeats
    )
    one = {**base, "n_alphas": 1}
    rows.append(
        {
            **one,
            "engine": "regprior fit_map (one alpha), warm",
            "seconds": seconds,
            "compile_seconds": np.nan,
            **accuracy(result.coef[None, :], sk.coefs[middle : middle + 1]),
        }
    )
    estimator = (
        Lasso(alpha=alpha, tol=1e-12, max_iter=10**6)
        if family == "laplace"
        else Ridge(alpha=alpha, solver="cholesky")
    )
    seconds, fitted = timed(lambda: estimator.fit(data.X, data.y), 4 * repeats)
    rows.append(
        {
            **one,
            "engine": f"sklearn {type(estimator).__name__}.fit (one alpha)",
            "seconds": seconds,
            "compile_seconds": 0.0,
            **accuracy(fitted.coef_[None, :], sk.coefs[middle : middle + 1]),
        }
    )
    return rows


def glmnet_row(data, alphas, sk, base, repeats):
    """glmnet's lasso path (R, thresh 1e-14, standardize = FALSE) on the same grid,
    timed inside R; None without R."""
    import shutil
    import subprocess
    import tempfile

    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        np.savetxt(folder / "X.csv", data.X, delimiter=",", fmt="%.17g")
        np.savetxt(folder / "y.txt", data.y, fmt="%.17g")
        order = np.argsort(alphas)[::-1]  # glmnet wants a decreasing lambda sequence
        np.savetxt(folder / "lambda.txt", alphas[order], fmt="%.17g")
        script = Path(__file__).with_name("glmnet_path.R")
        run = subprocess.run(
            [
                "Rscript",
                str(script),
                *(str(folder / f) for f in ("X.csv", "y.txt", "lambda.txt")),
                str(repeats),
                str(folder / "coefs.csv"),
            ],
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            print(f"glmnet skipped: {run.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            return None
        coefs = np.empty((len(alphas), data.n_features))
        coefs[order] = np.loadtxt(folder / "coefs.csv", delimiter=",", ndmin=2)
    return {
        **base,
        "engine": "glmnet (R, thresh 1e-14)",
        "seconds": float(run.stdout.split()[0]),
        "compile_seconds": 0.0,
        **accuracy(coefs, sk.coefs),
    }


def skglm_row(data, alphas, sk, base, repeats):
    """skglm's Lasso along the grid with warm starts (tol 1e-12);
    None when skglm is not installed."""
    try:
        from skglm import Lasso as SkglmLasso
    except ImportError:
        return None

    def path():
        estimator = SkglmLasso(
            alpha=float(alphas[0]), tol=1e-12, max_iter=10**4, fit_intercept=True, warm_start=True
        )
        coefs = []
        for alpha in alphas:
            estimator.alpha = float(alpha)
            coefs.append(estimator.fit(data.X, data.y).coef_.copy())
        return np.array(coefs)

    path()  # numba compile
    seconds, coefs = timed(path, repeats)
    return {
        **base,
        "engine": "skglm Lasso, warm starts (tol 1e-12)",
        "seconds": seconds,
        "compile_seconds": np.nan,
        **accuracy(coefs, sk.coefs),
    }


def process_spread(n_processes: int = 10) -> dict:
    """``solve_path`` (50 alphas, Laplace, 10000 x 200, compiled) timed in fresh processes,
    BLAS left at its default.

    regprior pins BLAS to one thread inside its engines (regprior.inference.threads); this shows
    whether that makes a timing repeatable from one process to the next.
    """
    import os
    import subprocess

    script = (
        "import sys, time, numpy as np; sys.path.insert(0, 'benchmarks')\n"
        "from map_path import synthetic; "
        "from regprior.checks.paths import alpha_grid, path_for_data, solve_path\n"
        "from regprior.spec.likelihoods import Gaussian\n"
        "d = synthetic(10_000, 200); a = alpha_grid(d, 'laplace', n_alphas=50)\n"
        "_, m = path_for_data(d, 'laplace', Gaussian(1.0), a[:1])\n"
        "ts = []\n"
        "for _ in range(15):\n"
        "    t = time.perf_counter(); solve_path(m, a); ts.append(time.perf_counter() - t)\n"
        "print(np.median(ts))"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(n_processes)
    ]
    median = float(np.median(times))
    return {
        "median": median,
        "max_over_median": max(times) / median,
        "min_over_median": min(times) / median,
    }


def cold_cache_flags(folder) -> str:
    """``PYTENSOR_FLAGS`` for empty PyTensor caches under ``folder``.

    ``base_compiledir``, not ``compiledir``: PyTensor keeps its numba cache (its default backend
    since 3.0) in ``base_compiledir/numba``, beside the C ``compiledir``. Moving ``compiledir``
    alone left the numba cache warm, and an earlier version of this benchmark reported cold starts
    of 2.5-3 s that were ~12 s with every cache empty.
    """
    return f"base_compiledir={folder}/pytensor"


def cold_start_seconds(family: str) -> dict:
    """Import + build + first ``fit_map`` on diabetes in a fresh process
    with empty PyTensor and numba caches."""
    import subprocess
    import tempfile

    script = (
        "import time; t = time.perf_counter()\n"
        "from regprior import registry; from regprior.api import fit_map; "
        "from regprior.spec.data import load_diabetes\n"
        "from regprior.spec.likelihoods import Gaussian\n"
        "d = load_diabetes(); imported = time.perf_counter() - t\n"
        f"prior = registry.prior_from_sklearn_strength({family!r}, {{'alpha': 0.1}}, "
        "Gaussian(54.0), d.weight_sum)\n"
        "t = time.perf_counter(); fit_map(d.X, d.y, prior, noise_sigma=54.0); "
        "first = time.perf_counter() - t\n"
        "print(imported, first)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {
            **__import__("os").environ,
            "PYTENSOR_FLAGS": cold_cache_flags(cache),
            "NUMBA_CACHE_DIR": f"{cache}/numba",
            "OPENBLAS_NUM_THREADS": "1",
        }
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
    imported, first = map(float, out.stdout.split())
    return {"import_seconds": imported, "first_fit_map_seconds": first}


def run_case(data, family, noise_sigma, *, repeats, naive_repeats, naive_alphas=None):
    alphas = alpha_grid(data, family, n_alphas=50)
    likelihood = Gaussian(noise_sigma)
    rows = []
    sk_seconds, sk = timed(lambda: sklearn_path(data, family, alphas), repeats)
    start = time.perf_counter()
    _, model = path_for_data(data, family, likelihood, alphas[:1])
    compile_seconds = time.perf_counter() - start
    rp_seconds, path = timed(lambda: solve_path(model, alphas), repeats)
    base = {
        "data": data.name,
        "n x p": f"{data.n_samples} x {data.n_features}",
        "prior": family,
        "n_alphas": len(alphas),
    }
    rows.append(
        {
            **base,
            "engine": "regprior map_path",
            "seconds": rp_seconds,
            "compile_seconds": compile_seconds,
            **accuracy(path.coefs, sk.coefs),
        }
    )
    rows.append(
        {
            **base,
            "engine": "sklearn path (tol 1e-12)",
            "seconds": sk_seconds,
            "compile_seconds": 0.0,
            **accuracy(sk.coefs, sk.coefs),
        }
    )
    rows += end_to_end_rows(data, family, noise_sigma, alphas, sk, base, repeats)
    if family == "laplace":
        rows += [
            row
            for row in (
                glmnet_row(data, alphas, sk, base, repeats),
                skglm_row(data, alphas, sk, base, repeats),
            )
            if row is not None
        ]
    subset = (
        slice(None)
        if naive_alphas is None
        else np.linspace(0, len(alphas) - 1, naive_alphas).round().astype(int)
    )
    for rebuild, label, reps in (
        (True, "pm.find_MAP, model rebuilt per alpha", naive_repeats),
        (False, "pm.find_MAP, one model + pm.Data", naive_repeats),
    ):
        seconds, coefs = timed(
            lambda rebuild=rebuild: find_map_path(
                data, family, alphas[subset], noise_sigma, rebuild=rebuild
            ),
            reps,
        )
        n_run = len(alphas[subset])
        row = {
            **base,
            "engine": label,
            "seconds": seconds * len(alphas) / n_run,
            "compile_seconds": np.nan,
            **accuracy(coefs, sk.coefs[subset]),
        }
        if n_run < len(alphas):
            row["engine"] += f" ({n_run} alphas, time extrapolated)"
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--naive-repeats", type=int, default=1)
    parser.add_argument(
        "--skip-large", action="store_true", help="skip the n=10,000 x p=200 problem"
    )
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    # One BLAS thread for every engine: with OpenBLAS's default threads the same solve varied
    # 0.15-2.4 s between processes on this 2-core machine (issue 12), 0.05 s with one.
    cold = {family: cold_start_seconds(family) for family in ("normal", "laplace")}
    spread = None if args.skip_large else process_spread()
    threadpool_limits(1)
    rows = []
    diabetes = load_diabetes()
    for family in ("normal", "laplace"):
        print(f"diabetes {family}", file=sys.stderr)
        rows += run_case(
            diabetes, family, 54.0, repeats=args.repeats, naive_repeats=args.naive_repeats
        )
    if not args.skip_large:
        large = synthetic(10_000, 200)
        for family in ("normal", "laplace"):
            print(f"{large.name} {family}", file=sys.stderr)
            rows += run_case(
                large,
                family,
                1.0,
                repeats=max(1, args.repeats // 2),
                naive_repeats=1,
                naive_alphas=3,
            )
    table = pd.DataFrame(rows)
    table["seconds_per_alpha"] = table["seconds"] / table["n_alphas"]
    reference = table[table["engine"] == "regprior map_path"].set_index(["data", "prior"])[
        "seconds_per_alpha"
    ]
    table["time_vs_regprior"] = [
        s / reference[(d, p)]
        for s, d, p in zip(table["seconds_per_alpha"], table["data"], table["prior"], strict=True)
    ]
    columns = [
        "data",
        "n x p",
        "prior",
        "engine",
        "seconds",
        "seconds_per_alpha",
        "time_vs_regprior",
        "compile_seconds",
        "worst_rel_diff",
        "exact_zeros",
        "sklearn_zeros",
        "alphas_same_zero_set",
    ]
    write_table(
        table[columns],
        args.out,
        "map_path",
        title="MAP along a 50-alpha path: regprior vs pm.find_MAP vs sklearn",
        notes=[
            "noise sigma fixed (diabetes 54, synthetic 1); sklearn at tol=1e-12 is the reference",
            "worst_rel_diff: max over alphas of max_j |coef_j - sklearn_j| "
            "/ max(1, max |sklearn coef|)",
            "exact_zeros: coefficients exactly 0.0 summed over the grid; "
            "alphas_same_zero_set: alphas whose zero set is sklearn's",
            f"seconds: median of {args.repeats} runs for regprior and sklearn "
            f"(half on the large problem), {args.naive_repeats} for find_MAP; "
            "regprior's seconds exclude its one build+compile (compile_seconds)",
            "time_vs_regprior: seconds per alpha / regprior solve_path's "
            "on the same data and prior",
            "BLAS pinned to one thread (threadpoolctl) for every engine",
            "end to end, warm: map_path(X, y, ...) and fit_map(X, y, prior) "
            "after a first call of the same structure "
            "(the compiled model is reused, data and prior swapped in); "
            "one-alpha rows at the grid's middle alpha",
            "cold start (fresh process, empty PyTensor and numba caches, diabetes): "
            + "; ".join(
                f"{family}: import {c['import_seconds']:.2f} s, "
                f"first fit_map {c['first_fit_map_seconds']:.2f} s"
                for family, c in cold.items()
            ),
            "glmnet: timed inside R (batches of fits >= 0.2 s, median of repeats), "
            "lambda = alpha, standardize = FALSE; "
            "skglm: Lasso with warm starts along the grid"
            + ("" if shutil.which("Rscript") else "; R absent: glmnet skipped"),
        ]
        + (
            []
            if spread is None
            else [
                "run-to-run spread: solve_path (Laplace, 10000 x 200) in 10 fresh processes "
                "(median of 15 runs in each), BLAS threads left at their default: "
                f"median {spread['median']:.4f} s, "
                f"slowest {spread['max_over_median']:.2f}x and fastest "
                f"{spread['min_over_median']:.2f}x the median"
            ]
        ),
    )
    print(table[columns].to_string())


if __name__ == "__main__":
    main()
