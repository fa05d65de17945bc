"""The horseshoe on the Gibbs engine: health at its defaults, and the thresholded sweep.

Rows, 4 chains x 1000 draws after 1000 warm-up, BLAS on one thread:

* diabetes (``tau0 = 1``) and the 60 x 120 set with 5 true effects of ``sparse_priors.py`` (same
  generator, seed 0), at ``tau0 = 1`` and ``p0 = 5``, two seeds each, at one sweep a draw and
  at the horseshoe's default (four) on 60 x 120: r_hat max and bulk ESS min
  over the weights and tau (the targets: r_hat <= 1.01, ESS >= 400), bulk ESS of tau, sampling
  wall time;
* 100 x 2000 and 200 x 1000 (10 effects ``linspace(3, -3, 10)``, unit noise), ``p0 = 5``: the
  exact collapsed sweep against the thresholded sweep (``threshold`` ``1e-4``, Johndrow et al.'s
  delta): wall time, mean ``|S|``, health, and the largest gap between the two runs' medians of
  the 10 effects, tau, sigma and m_eff in combined Monte Carlo standard errors;
* 500 x 10,000 (the same generator), thresholded, in a subprocess for its peak memory.

Writes ``benchmarks/results/horseshoe_gibbs.{md,csv}``.

    python benchmarks/horseshoe_gibbs.py [--skip-large]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import regprior as rp  # noqa: E402
from _common import FRESH_PRELUDE, fresh_process, synthetic, write_table  # noqa: E402
from regprior.inference.gibbs import gibbs_posterior  # noqa: E402
from sparse_priors import sparse_truth  # noqa: E402

DRAWS = TUNE = 1000
THRESHOLD = 1e-4
WEIGHTS_AND_TAU = "weights and tau"


def health(result, p):
    """r_hat max and bulk ESS min over the weights and tau, and tau's own."""
    summary = result.summary
    names = list(summary.index[:p]) + ["tau"]
    return {
        "r_hat_max": float(summary.loc[names, "r_hat"].max()),
        "ess_bulk_min": float(summary.loc[names, "ess_bulk"].min()),
        "ess_tau": float(summary.loc["tau", "ess_bulk"]),
        "tau_median": float(summary.loc["tau", "median"]),
        "sigma_median": float(summary.loc["sigma", "median"]),
    }


def run(data, spec, *, seed=0, threshold=None, thin=None):
    start = time.perf_counter()
    result = gibbs_posterior(
        data,
        spec,
        draws=DRAWS,
        tune=TUNE,
        chains=4,
        random_seed=seed,
        threshold=threshold,
        thin=thin,
    )
    whole = time.perf_counter() - start
    attrs = result.datatree.posterior.attrs
    note = attrs.get("approximation", "")
    kept = float(note.split("mean |S| ")[1].split()[0]) if note else float(data.n_features)
    return result, {
        "sweeps_per_draw": attrs["sweeps_per_draw"],
        "sampling_s": result.seconds,
        "whole_call_s": whole,
        "mean_S": kept,
    }


def median_gap(a, b):
    """Largest |median_a - median_b| / sqrt(MCSE_a^2 + MCSE_b^2) over effects, tau, sigma, m_eff."""
    import arviz as az

    def values(result, name):
        return np.asarray(result.datatree.posterior[name].transpose("chain", "draw", ...))

    pairs = [(values(a, "beta")[..., j], values(b, "beta")[..., j]) for j in range(10)]
    pairs += [(values(a, name), values(b, name)) for name in ("tau", "sigma", "m_eff")]
    gaps = []
    for x, y in pairs:
        mcse = np.hypot(float(az.mcse(x, method="median")), float(az.mcse(y, method="median")))
        gaps.append(abs(np.median(x) - np.median(y)) / mcse)
    return float(max(gaps))


LARGE = (
    FRESH_PRELUDE
    + """
from regprior.inference.gibbs import gibbs_posterior
start = time.perf_counter()
result = gibbs_posterior(data, rp.Horseshoe(p0=5), draws={draws},
                         tune={draws}, chains=4, random_seed=0, threshold={threshold}, thin=1)
whole = time.perf_counter() - start
s = result.summary
names = list(s.index[:data.n_features]) + ["tau"]
note = result.datatree.posterior.attrs["approximation"]
print(json.dumps({{"sweeps_per_draw": 1, "sampling_s": result.seconds, "whole_call_s": whole,
    "r_hat_max": float(s.loc[names, "r_hat"].max()),
    "ess_bulk_min": float(s.loc[names, "ess_bulk"].min()),
    "ess_tau": float(s.loc["tau", "ess_bulk"]), "tau_median": float(s.loc["tau", "median"]),
    "sigma_median": float(s.loc["sigma", "median"]),
    "mean_S": float(note.split("mean |S| ")[1].split()[0]),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
)


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-large", action="store_true", help="no 500 x 10,000 row")
    args = parser.parse_args()
    rows = []

    def add(case, spec_name, route, seed, result_row, result=None, p=None, **extra):
        row = {"data": case, "prior": spec_name, "route": route, "seed": seed, **result_row}
        if result is not None:
            row.update(health(result, p))
        row.update(extra, load_1min=load())
        rows.append(row)
        print(pd.Series(row).to_dict(), flush=True)

    diabetes = rp.load_diabetes()
    for seed in (0, 1):
        result, timing = run(diabetes, rp.Horseshoe(), seed=seed)
        add("diabetes", "tau0 1", "exact", seed, timing, result, 10)
    X, y, _ = sparse_truth(60, 120, 5, seed=0)
    sixty = rp.RegressionData(X, y)
    for spec, name in ((rp.Horseshoe(), "tau0 1"), (rp.Horseshoe(p0=5), "p0 5")):
        for thin in (1, None):  # one sweep a draw, and the default
            for seed in (0, 1):
                result, timing = run(sixty, spec, seed=seed, thin=thin)
                add("60x120", name, "exact", seed, timing, result, 120)
    for n, p, seed in ((100, 2000, 2), (200, 1000, 2)):
        data = synthetic(n, p, seed)
        exact, timing = run(data, rp.Horseshoe(p0=5), thin=1)
        add(f"{n}x{p}", "p0 5", "exact", 0, timing, exact, p)
        approximate, timing = run(data, rp.Horseshoe(p0=5), threshold=THRESHOLD, thin=1)
        gap = median_gap(approximate, exact)
        add(f"{n}x{p}", "p0 5", f"threshold {THRESHOLD:g}", 0, timing, approximate, p,
            median_gap_vs_exact=gap)  # fmt: skip
    if not args.skip_large:
        script = LARGE.format(n=500, p=10_000, draws=DRAWS, threshold=THRESHOLD)
        large = json.loads(fresh_process(script, empty_caches=False))
        add("500x10000", "p0 5", f"threshold {THRESHOLD:g}", 0, large)
    frame = pd.DataFrame(rows)
    write_table(
        frame,
        Path(__file__).parent / "results",
        "horseshoe_gibbs",
        title="The horseshoe on the Gibbs engine: health at defaults, the thresholded sweep",
        notes=[
            "4 chains x 1000 draws after 1000 warm-up sweeps, each draw the last of "
            "sweeps_per_draw sweeps (the horseshoe's default 4; 1 for the comparisons of the "
            "thresholded sweep); BLAS on one thread (the engine pins it); sampling_s: the "
            "engine's own wall time; whole_call_s adds the summary",
            f"r_hat_max, ess_bulk_min: over the {WEIGHTS_AND_TAU} (targets r_hat <= 1.01, bulk "
            "ESS >= 400); mean_S: mean number of columns the thresholded sweep kept",
            "median_gap_vs_exact: largest |median difference| between the thresholded and the "
            "exact run over the 10 effects, tau, sigma and m_eff, in combined MCSEs of the median",
            "load_1min: the machine's 1-minute load average when the row finished (2 cores, "
            "shared): wall times are inflated accordingly",
        ],
    )
    print(frame.to_string())


if __name__ == "__main__":
    main()
