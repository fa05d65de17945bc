"""Posterior engines side by side: NUTS (nutpie) against the Gibbs engine, and a plain loop.

Minimum bulk ESS per second over every reported quantity (weights, intercept, full-Bayes
scalars), of sampling alone and of the whole call (model build and compile included), for NUTS
and Gibbs on diabetes (Normal, Laplace at Lasso alpha 0.1 and 1.0 at a known sigma, Park &
Casella), on the p > n set of ``hierarchical_health.md`` (50 x 100, the three learnt-scale
models), and for the Bayesian lasso with lambda learnt on 200 x 1000 and 500 x 10,000 (Gibbs
only), the horseshoe on both by the thresholded and the single-site sweeps. A plain NumPy
scale-mixture loop (:func:`plain_laplace_loop`, one chain at a time) is the floor for the
Laplace rows. The first Gibbs posterior in a fresh process with empty
caches, and the largest case with its peak memory, run in subprocesses.
Writes ``benchmarks/results/posterior_engines.{md,csv}``.

    python benchmarks/posterior_engines.py [--large-draws 100]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import regprior as rp  # noqa: E402
from _common import FRESH_PRELUDE, fresh_process, synthetic, write_table  # noqa: E402
from regprior.checks.agreement import DATASETS  # noqa: E402
from regprior.inference import nuts_posterior  # noqa: E402
from regprior.inference.gibbs import gibbs_posterior  # noqa: E402
from regprior.inference.threads import one_blas_thread  # noqa: E402
from regprior.spec.data import load_diabetes  # noqa: E402
from regprior.spec.likelihoods import estimate_noise_sigma  # noqa: E402

DRAWS, TUNE, CHAINS, SEED = 1000, 1000, 4, 0
#: Johndrow et al.'s threshold on s_j^2 d_j (their delta on standardised columns).
HORSESHOE_THRESHOLD = 1e-4
#: Fresh processes timed for the first posterior (median and range reported).
FRESH_PROCESSES = 5


def plain_laplace_loop(X, y, noise_sigma, scale, *, draws, tune, chains, seed):
    """The floor: Laplace(0, scale) at a known sigma as a scale mixture, one chain at a time."""
    from scipy.linalg import cho_factor, cho_solve, solve_triangular

    Xc, yc = X - X.mean(0), y - y.mean()
    xtx, xty = Xc.T @ Xc / noise_sigma**2, Xc.T @ yc / noise_sigma**2
    p = X.shape[1]
    out = np.empty((chains, draws, p))
    for c in range(chains):
        rng = np.random.default_rng([seed, c])
        d = 2.0 * scale**2 * rng.standard_exponential(p)
        for sweep in range(tune + draws):
            factor = cho_factor(xtx + np.diag(1.0 / d), lower=True)
            mean = cho_solve(factor, xty)
            beta = mean + solve_triangular(factor[0], rng.standard_normal(p), lower=True, trans=1)
            d = 1.0 / rng.wald(1.0 / (scale * np.abs(beta)), 1.0 / scale**2)
            if sweep >= tune:
                out[c, sweep - tune] = beta
    return out


def min_ess(draws) -> float:
    import arviz as az
    import xarray as xr

    dataset = xr.Dataset({"beta": (("chain", "draw", "feature"), draws)})
    return float(np.min(az.ess(dataset, method="bulk")["beta"].to_numpy()))


def nuts_row(data, spec, *, name, case, noise_sigma=None):
    """Whole call (build, compile, sample) then sampling alone on the compiled model."""
    start = time.perf_counter()
    model = rp.make_model(data.X, data.y, spec, noise_sigma=noise_sigma)
    accept = getattr(spec, "target_accept", 0.8)
    first = nuts_posterior(
        model, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=SEED, target_accept=accept
    )
    whole = time.perf_counter() - start
    again = nuts_posterior(
        model, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=SEED + 1, target_accept=accept
    )
    return row(case, name, "nuts", first, whole, again.seconds, again)


def gibbs_row(
    data,
    spec,
    *,
    name,
    case,
    noise_sigma=None,
    draws=DRAWS,
    tune=TUNE,
    threshold=None,
    route=None,
):
    """A Gibbs row; ``threshold``: Johndrow et al.'s approximate sweep, ``route``: a route of
    ``gibbs_posterior`` other than its default."""
    start = time.perf_counter()
    if route is not None:
        result = gibbs_posterior(
            data, spec, draws=draws, tune=tune, chains=CHAINS, random_seed=SEED, route=route
        )
    elif threshold is None:
        result = rp.sample_posterior(
            data.X,
            data.y,
            spec,
            noise_sigma=noise_sigma,
            engine="gibbs",
            draws=draws,
            tune=tune,
            chains=CHAINS,
            random_seed=SEED,
        )
    else:
        result = gibbs_posterior(
            data, spec, draws=draws, tune=tune, chains=CHAINS, random_seed=SEED, threshold=threshold
        )
    whole = time.perf_counter() - start
    engine = "gibbs" if threshold is None else f"gibbs, threshold {threshold:g}"
    if route is not None:
        engine = f"gibbs, {route}"
    return row(case, name, engine, result, whole, result.seconds, result)


def row(case, name, engine, result, whole, sampling, sampled):
    return {
        "data": case,
        "model": name,
        "engine": engine,
        "draws": f"{result.chains}x{result.draws}",
        "whole_call_s": whole,
        "sampling_s": sampling,
        "ess_bulk_min": sampled.ess_bulk_min,
        "ess_per_s_sampling": sampled.ess_bulk_min / sampling,
        "ess_per_s_whole": result.ess_bulk_min / whole,
        "r_hat_max": sampled.r_hat_max,
        "divergences": sampled.divergences,
        "healthy": sampled.healthy,
    }


def loop_row(data, noise_sigma, scale, *, name):
    with one_blas_thread():
        start = time.perf_counter()
        draws = plain_laplace_loop(
            data.X, data.y, noise_sigma, scale, draws=DRAWS, tune=TUNE, chains=CHAINS, seed=SEED
        )
        seconds = time.perf_counter() - start
    ess = min_ess(draws)
    return {
        "data": "diabetes",
        "model": name,
        "engine": "plain loop",
        "draws": f"{CHAINS}x{DRAWS}",
        "whole_call_s": seconds,
        "sampling_s": seconds,
        "ess_bulk_min": ess,
        "ess_per_s_sampling": ess / seconds,
        "ess_per_s_whole": ess / seconds,
        "r_hat_max": np.nan,
        "divergences": 0,
        "healthy": None,
    }


FRESH = """
import time
import regprior as rp
from regprior.spec.data import load_diabetes
data = load_diabetes()
start = time.perf_counter()
rp.sample_posterior(data.X, data.y, rp.Laplace(scale={scale!r}), noise_sigma={sigma!r},
                    engine="gibbs")
print(time.perf_counter() - start)
"""

LARGE = (
    FRESH_PRELUDE
    + """
start = time.perf_counter()
result = rp.sample_posterior(data.X, data.y, rp.BayesianLasso(lam=None), engine="gibbs",
                             draws={draws}, tune={tune}, chains=4, random_seed=0)
whole = time.perf_counter() - start
print(json.dumps({{"whole": whole, "sampling": result.seconds, "ess": result.ess_bulk_min,
                  "r_hat": result.r_hat_max, "healthy": result.healthy,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
)

#: The horseshoe on 500 x 10,000 by Johndrow et al.'s thresholded sweep or the exact
#: single-site sweep, its peak memory (max RSS of the process) and the sampling wall time
#: apart from the summary's.
HORSESHOE_LARGE = (
    FRESH_PRELUDE
    + """
from regprior.inference.gibbs import gibbs_posterior
start = time.perf_counter()
result = gibbs_posterior(data, rp.Horseshoe(p0={p0}), draws={draws}, tune={tune}, chains=4,
                         random_seed=0, threshold={threshold}, thin={thin}, route={route!r})
whole = time.perf_counter() - start
summary = result.summary
tau = summary.loc["tau"]
print(json.dumps({{"whole": whole, "sampling": result.seconds, "ess": result.ess_bulk_min,
                  "r_hat": result.r_hat_max, "healthy": result.healthy,
                  "ess_tau": float(tau["ess_bulk"]), "r_hat_tau": float(tau["r_hat"]),
                  "approximation": result.datatree.posterior.attrs.get("approximation", "exact"),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
)


def large_row(large: dict, model: str, engine: str, k: int) -> dict:
    """The table row of a 500 x 10,000 run (the JSON its fresh process printed)."""
    return {
        "data": "500x10000",
        "model": model,
        "engine": engine,
        "draws": f"4x{k}",
        "whole_call_s": large["whole"],
        "sampling_s": large["sampling"],
        "ess_bulk_min": large["ess"],
        "ess_per_s_sampling": large["ess"] / large["sampling"],
        "ess_per_s_whole": large["ess"] / large["whole"],
        "r_hat_max": large["r_hat"],
        "divergences": 0,
        "healthy": large["healthy"],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--large-draws",
        type=int,
        default=100,
        help="draws and warm-up per chain on 500 x 10,000 (full: 1000)",
    )
    parser.add_argument(
        "--horseshoe-large-draws",
        type=int,
        default=1000,
        help="draws and warm-up per chain of the horseshoe on 500 x 10,000",
    )
    args = parser.parse_args()
    rows, notes = [], []
    data = load_diabetes()
    sigma = estimate_noise_sigma(data)
    for alpha in (0.1, 1.0):
        scale = sigma**2 / (data.weight_sum * alpha)  # Lasso alpha = sigma^2 / (N s)
        name = f"laplace, lasso alpha {alpha}, known sigma"
        rows.append(loop_row(data, sigma, scale, name=name))
        rows.append(
            gibbs_row(data, rp.Laplace(scale=scale), name=name, case="diabetes", noise_sigma=sigma)
        )
        rows.append(
            nuts_row(data, rp.Laplace(scale=scale), name=name, case="diabetes", noise_sigma=sigma)
        )
    normal = rp.Normal(sigma=sigma)  # Ridge alpha = sigma^2 / tau^2 = 1
    for engine_row in (gibbs_row, nuts_row):
        rows.append(
            engine_row(
                data,
                normal,
                name="normal, ridge alpha 1, known sigma",
                case="diabetes",
                noise_sigma=sigma,
            )
        )
    for spec, name in (
        (rp.BayesianLasso(), "Park & Casella, lambda 0.237"),
        (rp.BayesianLasso(lam=None), "Park & Casella, learnt lambda"),
    ):
        for engine_row in (gibbs_row, nuts_row):
            rows.append(engine_row(data, spec, name=name, case="diabetes"))
    for engine_row in (gibbs_row, nuts_row):
        rows.append(engine_row(data, rp.Horseshoe(), name="horseshoe, tau0 1", case="diabetes"))
    wide, _ = DATASETS["wide_p_gt_n"](0)
    for spec, name in (
        (rp.LearnedScale(family="normal"), "normal, learnt scale"),
        (rp.LearnedScale(family="laplace"), "laplace, learnt scale"),
        (rp.BayesianLasso(lam=None), "Park & Casella, learnt lambda"),
    ):
        for engine_row in (gibbs_row, nuts_row):
            rows.append(engine_row(wide, spec, name=name, case="wide_p_gt_n 50x100"))
    rows.append(
        gibbs_row(
            synthetic(200, 1000, 2),
            rp.BayesianLasso(lam=None),
            name="Park & Casella, learnt lambda",
            case="200x1000",
        )
    )
    for threshold, route in ((None, None), (HORSESHOE_THRESHOLD, None), (None, "single_site")):
        rows.append(
            gibbs_row(
                synthetic(200, 1000, 2),
                rp.Horseshoe(p0=5),
                name="horseshoe, p0 5",
                case="200x1000",
                threshold=threshold,
                route=route,
            )
        )
    laplace_scale = sigma**2 / (data.weight_sum * 0.1)
    firsts, loads = [], []
    for _ in range(FRESH_PROCESSES):
        firsts.append(float(fresh_process(FRESH.format(scale=laplace_scale, sigma=sigma))))
        loads.append(os.getloadavg()[0])
    notes.append(
        f"first Gibbs posterior in a fresh process, empty PyTensor, numba and matplotlib caches "
        f"(diabetes, Laplace at Lasso alpha 0.1, 4 x (1000 + 1000)), {FRESH_PROCESSES} "
        f"processes: median {np.median(firsts):.2f} s after the import (min {min(firsts):.2f}, "
        f"max {max(firsts):.2f}; load average {min(loads):.1f}-{max(loads):.1f})"
    )
    k = args.large_draws
    large = json.loads(fresh_process(LARGE.format(n=500, p=10_000, draws=k, tune=k)))
    rows.append(large_row(large, "Park & Casella, learnt lambda", "gibbs", k))
    per_sweep = large["sampling"] / (2 * k)
    notes.append(
        f"500 x 10,000, 4 chains x {k} draws after {k} warm-up: {large['sampling']:.1f} s of "
        f"sampling ({per_sweep:.2f} s per sweep of 4 chains), so 4 x (1000 + 1000) would take "
        f"~{per_sweep * 2000:.0f} s; peak memory {large['peak_mb']:.0f} MB (max RSS of its process)"
    )
    k = args.horseshoe_large_draws
    for engine, route, threshold, thin in (
        (f"gibbs, threshold {HORSESHOE_THRESHOLD:g}", "auto", HORSESHOE_THRESHOLD, 1),
        ("gibbs, single_site", "single_site", None, 1),
        ("gibbs, single_site, 4 sweeps a draw", "single_site", None, 4),
    ):
        script = HORSESHOE_LARGE.format(
            n=500, p=10_000, p0=5, draws=k, tune=k, threshold=threshold, thin=thin, route=route
        )
        large = json.loads(fresh_process(script))
        rows.append(large_row(large, "horseshoe, p0 5", engine, k))
        notes.append(
            f"horseshoe (p0 5) on 500 x 10,000, 4 chains x {k} draws after {k} warm-up "
            f"sweeps, {thin} sweep(s) a draw, {engine}: {large['sampling']:.1f} s of sampling, "
            f"{large['whole']:.1f} s with the summary; bulk ESS of tau {large['ess_tau']:.0f}, "
            f"r_hat of tau {large['r_hat_tau']:.3f}; {large['approximation']}; peak memory "
            f"{large['peak_mb']:.0f} MB (max RSS of its process)"
        )
    frame = pd.DataFrame(rows)
    write_table(
        frame,
        Path("benchmarks/results"),
        "posterior_engines",
        title="Posterior engines: NUTS (nutpie) and Gibbs, minimum bulk ESS per second",
        notes=[
            f"{CHAINS} chains x {DRAWS} draws after {TUNE} warm-up unless the draws column says "
            "otherwise; seed 0; BLAS pinned to one thread in every engine and in the plain loop",
            "ess_bulk_min: over the weights, the intercept and the full-Bayes scalars (the plain "
            "loop: the weights); sampling_s: NUTS on its compiled model (a second call), Gibbs "
            "its own wall time; whole_call_s: build, compile and sample",
            f"diabetes noise sigma {sigma:.4g} (least squares); NUTS at target_accept 0.8 for "
            "fixed priors and 0.95 for full-Bayes ones; NUTS not run at p >= 1000 (not timed)",
            *notes,
        ],
    )
    print(frame.to_string())


if __name__ == "__main__":
    main()
