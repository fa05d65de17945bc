"""Benchmark: NUTS cost against n, raw likelihood vs sufficient statistics (p = 20, Normal prior).

For n in 1e3 .. 1e6 both forms of the same model are compiled (nutpie) and sampled with the
same seed (2 chains x (1000 tune + 1000 draws)); then n = 1e7 in the sufficient form from a
chunked Dask array, its statistics computed in a subprocess whose peak RSS is recorded, and
compared with the statistics of the same array in memory.

Columns: compile and sampling seconds, bulk ESS per sampling second, and the largest
difference of posterior means between the forms in units of their combined MCSE (and against
the exact posterior). Raw runs above ``--naive-max-n`` sample 10x fewer steps and their time
is scaled by 10 (marked "extrapolated").

    python benchmarks/nuts_scale.py --out benchmarks/results
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402
from regprior import Normal
from regprior.backend.model import build_model
from regprior.inference import exact_gaussian_posterior
from regprior.inference.nuts import compile_sampler, nuts_posterior
from regprior.spec.data import RegressionData
from regprior.spec.likelihoods import Gaussian

P = 20
COEF = np.linspace(-2, 2, P)


def make_data(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, P))
    return RegressionData(X, 1.0 + X @ COEF + rng.normal(size=n), name=f"n={n}")


def run(model, draws, tune):
    start = time.perf_counter()
    compile_sampler(model)
    compile_seconds = time.perf_counter() - start
    posterior = nuts_posterior(model, draws=draws, tune=tune, chains=2, random_seed=1)
    return compile_seconds, posterior


def dask_statistics_child(n, chunk_rows):
    """Run in a subprocess: statistics of a seeded chunked Dask array, with peak RSS."""
    import dask.array as da

    from regprior.spec.statistics import SufficientStatistics

    rng = da.random.default_rng(0)
    X = rng.normal(size=(n, P), chunks=(chunk_rows, P))
    y = 1.0 + X @ COEF + rng.normal(size=n, chunks=chunk_rows)
    start = time.perf_counter()
    stats = SufficientStatistics.from_dask(X, y)
    seconds = time.perf_counter() - start
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over execve, so a child of a
    # large parent would report the parent's peak.
    status = Path("/proc/self/status").read_text()
    peak_mb = (
        int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
        / 1024
    )
    np.savez(
        "/tmp/regprior_stats_1e7.npz",
        xtx=stats.xtx,
        xty=stats.xty,
        yty=stats.yty,
        x_mean=stats.x_mean,
        y_mean=stats.y_mean,
        n=stats.n_samples,
    )
    in_memory = None
    if "--compare-in-memory" in sys.argv:
        Xm, ym = da.compute(X, y)
        ref = SufficientStatistics.from_data(RegressionData(Xm, ym))
        in_memory = float(np.max(np.abs(ref.xtx - stats.xtx)) / np.max(np.abs(ref.xtx)))
        np.savez(
            "/tmp/regprior_stats_1e7_memory.npz",
            xtx=ref.xtx,
            xty=ref.xty,
            yty=ref.yty,
            x_mean=ref.x_mean,
            y_mean=ref.y_mean,
            n=ref.n_samples,
        )
    print(
        json.dumps(
            {"seconds": seconds, "peak_rss_mb": peak_mb, "xtx_rel_diff_vs_in_memory": in_memory}
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--naive-max-n", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=1000)
    args = parser.parse_args()
    draws = tune = args.draws
    rows = []
    for n in (1_000, 10_000, 100_000, 1_000_000):
        data = make_data(n)
        prior = Normal(sigma=1.0)
        posteriors = {}
        for form in ("sufficient", "raw"):
            scale = 10 if (form == "raw" and n > args.naive_max_n) else 1
            print(f"n={n} {form}", file=sys.stderr, flush=True)
            model = build_model(data, prior, Gaussian(1.0), form=form)
            compile_seconds, posterior = run(model, draws // scale, tune // scale)
            sampling = posterior.seconds * scale
            posteriors[form] = posterior
            exact = exact_gaussian_posterior(model)
            s = posterior.summary.loc[list(data.feature_names)]
            rows.append(
                {
                    "n": n,
                    "form": form + (" (extrapolated x10)" if scale > 1 else ""),
                    "compile_seconds": compile_seconds,
                    "sampling_seconds": sampling,
                    "ess_bulk_min": posterior.ess_bulk_min * scale,
                    "ess_per_second": posterior.ess_bulk_min / posterior.seconds,
                    "max_mean_error_vs_exact_mcse": float(
                        np.max(np.abs(s["mean"] - exact.mean) / s["mcse_mean"])
                    ),
                    "max_mean_diff_between_forms_mcse": np.nan,
                    "divergences": posterior.divergences,
                }
            )
        a = posteriors["sufficient"].summary
        b = posteriors["raw"].summary
        rows[-1]["max_mean_diff_between_forms_mcse"] = float(
            np.max(
                np.abs(a["mean"] - b["mean"]) / np.sqrt(a["mcse_mean"] ** 2 + b["mcse_mean"] ** 2)
            )
        )
    # n = 1e7 from a chunked Dask array, statistics in a subprocess (peak RSS of that process).
    print("n=1e7 dask", file=sys.stderr, flush=True)
    child = subprocess.run(
        [sys.executable, __file__, "--child", "--compare-in-memory"],
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    from regprior.spec.statistics import SufficientStatistics

    def load(path):
        saved = np.load(path)
        return SufficientStatistics(
            xtx=saved["xtx"],
            xty=saved["xty"],
            yty=float(saved["yty"]),
            x_mean=saved["x_mean"],
            y_mean=float(saved["y_mean"]),
            weight_sum=float(saved["n"]),
            n_samples=int(saved["n"]),
            log_weight_sum=0.0,
            feature_names=tuple(f"x{j}" for j in range(P)),
            fit_intercept=True,
        )

    stats = load("/tmp/regprior_stats_1e7.npz")
    model = build_model(stats, Normal(sigma=1.0), Gaussian(1.0))
    compile_seconds, posterior = run(model, draws, tune)
    _, in_memory_posterior = run(
        build_model(load("/tmp/regprior_stats_1e7_memory.npz"), Normal(sigma=1.0), Gaussian(1.0)),
        draws,
        tune,
    )
    a, b = posterior.summary, in_memory_posterior.summary
    dask_vs_memory = float(
        np.max(np.abs(a["mean"] - b["mean"]) / np.sqrt(a["mcse_mean"] ** 2 + b["mcse_mean"] ** 2))
    )
    exact = exact_gaussian_posterior(model)
    s = posterior.summary.loc[list(stats.feature_names)]
    rows.append(
        {
            "n": 10_000_000,
            "form": "sufficient, Dask chunks of 1e5 rows",
            "compile_seconds": compile_seconds,
            "sampling_seconds": posterior.seconds,
            "ess_bulk_min": posterior.ess_bulk_min,
            "ess_per_second": posterior.ess_bulk_min / posterior.seconds,
            "max_mean_error_vs_exact_mcse": float(
                np.max(np.abs(s["mean"] - exact.mean) / s["mcse_mean"])
            ),
            "max_mean_diff_between_forms_mcse": dask_vs_memory,
            "divergences": posterior.divergences,
        }
    )
    table = pd.DataFrame(rows)
    write_table(
        table,
        args.out,
        "nuts_scale",
        title="NUTS cost against n: raw likelihood vs sufficient statistics (p = 20)",
        notes=[
            f"2 chains x ({tune} tune + {draws} draws), nutpie low-rank adaptation, seed 1, "
            "Normal(0, 1) prior, sigma = 1",
            "sampling_seconds: nutpie.sample after the compile (compile_seconds), "
            "BLAS pinned to 1 thread",
            "max_mean_error_vs_exact_mcse: "
            "max over weights of |posterior mean - exact mean| / MCSE",
            "max_mean_diff_between_forms_mcse: "
            "max |mean_sufficient - mean_raw| / sqrt(mcse_s^2 + mcse_r^2) (on the raw row); "
            "on the 1e7 row: Dask statistics vs in-memory statistics of the same array, same seed",
            f"n = 1e7 statistics from a chunked Dask array: {measured['seconds']:.1f} s, "
            f"peak RSS of that process {measured['peak_rss_mb']:.0f} MB "
            "(the array itself is 1.6 GB); "
            "relative difference of X^T X vs the in-memory computation on the same array: "
            f"{measured['xtx_rel_diff_vs_in_memory']:.1e} "
            "(the in-memory comparison runs after the peak was read)",
        ],
    )
    print(table.to_string())


if __name__ == "__main__":
    if "--child" in sys.argv:
        dask_statistics_child(10_000_000, 100_000)
    else:
        main()
