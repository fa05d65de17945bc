"""Projection predictive selection beside the Lasso: diabetes, noise columns, a known truth.

Three data sets, each with ``rp.select_variables`` (L1 search, 5-fold CV of the whole search,
reference ``LearnedScale()`` by NUTS 4 x 1000 draws, each fold's reference refitted with 2 x 300
draws) and LassoCV / the 1-SE Lasso on the same folds:

- diabetes (442 x 10);
- diabetes with 90 seeded pure-noise columns (442 x 100; a selected noise column is a false
  positive);
- a sparse synthetic set with correlated features (n = 200, p = 30, AR(1) correlation 0.6, six
  non-zero weights, seeded).

Then stability over 20 bootstrap resamples of diabetes + 90 noise columns: how often each size
and each feature is chosen by the projection (L1 search, suggestion by PSIS-LOO along the
full-data search and by 5-fold CV, reference 2 x 500 draws) and by LassoCV and the 1-SE Lasso
(same folds); a resample is its distinct rows weighted by their multiplicities. Wall times are
with BLAS pinned to one thread (threadpoolctl) on a 2-core machine shared with other jobs: the
load average is recorded beside.

Writes ``benchmarks/results/selection.{md,csv}``, ``selection_stability.{md,csv}`` and
``selection.png`` (elpd by size on diabetes + 90 noise columns).

    python benchmarks/selection.py
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
import regprior as rp  # noqa: E402
from _common import write_table  # noqa: E402
from regprior.selection import add_noise_columns  # noqa: E402

OUT = Path(__file__).parent / "results"
SEED = 0
N_NOISE = 90
N_BOOTSTRAP = 20
REFERENCE = {"draws": 1000, "tune": 1000, "chains": 4}
BOOTSTRAP_REFERENCE = {"draws": 500, "tune": 500, "chains": 2}
CV_SAMPLER = {}
if os.environ.get("SELECTION_SMOKE"):  # a quick run of every step, written to /tmp
    OUT = Path("/tmp/selection_smoke")
    N_BOOTSTRAP, REFERENCE, BOOTSTRAP_REFERENCE = (
        2,
        {"draws": 200, "tune": 200, "chains": 2},
        {
            "draws": 200,
            "tune": 200,
            "chains": 2,
        },
    )
    CV_SAMPLER = {"cv": 2, "cv_draws": 100, "cv_tune": 100}


def correlated_truth(n=200, p=30, rho=0.6, seed=SEED):
    """AR(1)-correlated standard-normal features; weights 2, -1.5, 1, 1, -0.75, 0.5 on six."""
    rng = np.random.default_rng(seed)
    covariance = rho ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    X = rng.multivariate_normal(np.zeros(p), covariance, size=n)
    truth_index = [0, 1, 5, 10, 11, 20]
    coef = np.zeros(p)
    coef[truth_index] = [2.0, -1.5, 1.0, 1.0, -0.75, 0.5]
    y = 1.0 + X @ coef + rng.standard_normal(n) * 1.5
    names = tuple(f"x{j:02d}" for j in range(p))
    data = rp.RegressionData(X, y, feature_names=names, name="correlated synthetic")
    return data, tuple(names[j] for j in truth_index)


def run(name, data, truth):
    start = time.perf_counter()
    posterior = rp.sample_posterior(
        data.X, data.y, rp.LearnedScale(), random_seed=SEED, **REFERENCE
    )
    reference_seconds = time.perf_counter() - start
    start = time.perf_counter()
    selection = rp.select_variables(
        data.X,
        data.y,
        posterior,
        specification=rp.LearnedScale(),
        feature_names=data.feature_names,
        truth=truth,
        random_seed=SEED,
        **CV_SAMPLER,
    )
    selection_seconds = time.perf_counter() - start
    table = selection.table
    rows = []
    for _, row in selection.lasso.iterrows():
        size = int(row["size"])
        rows.append(
            {
                "data": name,
                "method": row["method"],
                "size": size,
                "false_positives": row.get("false_positives", np.nan),
                "false_negatives": row.get("false_negatives", np.nan),
                "support": ", ".join(row["support"]),
            }
        )
    suggested = selection.suggested_size
    at = table.loc[suggested] if suggested is not None else None
    summary = {
        "data": name,
        "n_features": data.n_features,
        "suggested_size": suggested,
        "selected": ", ".join(selection.selected),
        "diff_cv": None if at is None else at["diff_cv"],
        "diff_se_cv": None if at is None else at["diff_se_cv"],
        "within_one_se": None if at is None else bool(abs(at["diff_cv"]) <= at["diff_se_cv"]),
        "not_below_one_se": None if at is None else bool(at["diff_cv"] >= -at["diff_se_cv"]),
        "reference_elpd_cv": selection.reference_elpd["cv"][0],
        "reference_seconds": reference_seconds,
        "selection_seconds": selection_seconds,
        "cv_refit_seconds": selection.timings["cv_reference_refits"],
        "reference_problems": "; ".join(posterior.problems),
        "pareto_k_max": selection.diagnostics["pareto_k_max"],
        "load_average": os.getloadavg()[0],
    }
    return selection, rows, summary


def stability(data, truth):
    """Sizes and features chosen over bootstrap resamples, by the projection and by the Lasso.

    A resample is the distinct rows it holds with their multiplicities as sample weights, so that
    the folds and PSIS-LOO leave a row out with all its copies (duplicated rows on both sides of a
    fold would reward overfitting).
    """
    from regprior.selection.performance import suggest_size

    rng = np.random.default_rng(SEED)
    methods = ("projection (CV)", "projection (PSIS-LOO)", "LassoCV", "Lasso 1-SE")
    sizes = {m: Counter() for m in methods}
    features = {m: Counter() for m in methods}
    noise = {m: [] for m in methods}
    seconds = []
    for b in range(N_BOOTSTRAP):
        counts = np.bincount(
            rng.integers(0, data.n_samples, data.n_samples), minlength=data.n_samples
        )
        keep = counts > 0
        start = time.perf_counter()
        selection = rp.select_variables(
            data.X[keep],
            data.y[keep],
            rp.LearnedScale(),
            sample_weight=counts[keep].astype(float),
            feature_names=data.feature_names,
            truth=truth,
            random_seed=SEED + b,
            **BOOTSTRAP_REFERENCE,
            **CV_SAMPLER,
        )
        seconds.append(time.perf_counter() - start)
        table, lasso = selection.table, selection.lasso
        by_loo = suggest_size(table["diff_loo"], table["diff_se_loo"])
        chosen = {
            "projection (CV)": selection.selected,
            "projection (PSIS-LOO)": selection.ranking[: by_loo or 0],
            "LassoCV": lasso["support"].iloc[1],
            "Lasso 1-SE": lasso["support"].iloc[2],
        }
        for method, selected in chosen.items():
            sizes[method][len(selected)] += 1
            features[method].update(selected)
            noise[method].append(sum(f not in truth for f in selected))
        print(f"bootstrap {b} ({seconds[-1]:.0f} s): {chosen}", flush=True)
    rows = []
    for method in methods:
        rows.append(
            {
                "method": method,
                "sizes (count)": ", ".join(f"{k}: {v}" for k, v in sorted(sizes[method].items())),
                "modal size share": max(sizes[method].values()) / N_BOOTSTRAP,
                "mean noise columns": float(np.mean(noise[method])),
                "max noise columns": int(np.max(noise[method])),
                "features chosen (share of resamples)": ", ".join(
                    f"{f} {c / N_BOOTSTRAP:.2f}" for f, c in features[method].most_common(12)
                ),
            }
        )
    return pd.DataFrame(rows), float(np.median(seconds))


def main():
    import matplotlib

    matplotlib.use("Agg")
    from regprior.report.selection import plot_selection

    OUT.mkdir(parents=True, exist_ok=True)
    diabetes = rp.load_diabetes()
    noisy, truth = add_noise_columns(diabetes, N_NOISE, seed=SEED)
    synthetic, synthetic_truth = correlated_truth()
    sets = [
        ("diabetes", diabetes, None),
        (f"diabetes + {N_NOISE} noise columns", noisy, truth),
        ("correlated synthetic (6 true of 30)", synthetic, synthetic_truth),
    ]
    supports, summaries = [], []
    with threadpool_limits(1):
        for name, data, known in sets:
            selection, rows, summary = run(name, data, known)
            supports += rows
            summaries.append(summary)
            print(selection, summary, flush=True)
            if data is noisy:
                plot_selection(selection).savefig(OUT / "selection.png", dpi=110)
        stable, bootstrap_seconds = stability(noisy, truth)
    notes = [
        "rp.select_variables: L1 search (exact L1 path of the reference's mean fit, regprior's "
        "MAP engine), PSIS-LOO of 400 projected draws with the reference's LOO weights, 5-fold CV "
        "of the whole search (each fold's LearnedScale reference refitted by NUTS, 2 chains x 300 "
        "draws after 300 tuning steps), suggestion: projpred's rule (smallest size whose CV elpd "
        "difference to the reference has its upper one-SE bound above 0).",
        "Reference: LearnedScale() (Normal prior with a learnt scale, unknown noise), NUTS "
        "4 x 1000 draws; the regularized horseshoe is to become the default reference.",
        "LassoCV (100 alphas) and the 1-SE Lasso on the selection's folds, refitted at "
        "tol=1e-12; false positives: selected columns outside the truth (the noise columns, or "
        "the synthetic set's zero weights).",
        "selection_seconds is everything after the reference posterior (search, LOO, the five "
        "fold refits and searches, LassoCV); cv_refit_seconds the fold refits alone (nutpie "
        "compiles one sampler per fold: most of it); load_average the 1-minute load of the "
        "shared 2-core machine at the end of the run.",
    ]
    write_table(
        pd.DataFrame(summaries),
        OUT,
        "selection",
        title="Projection predictive selection beside the Lasso",
        notes=notes
        + ["Supports:", ""]
        + [
            f"{row['data']}: {row['method']}: size {row['size']}, false positives "
            f"{row['false_positives']}: {row['support']}"
            for row in supports
        ],
    )
    pd.DataFrame(supports).to_csv(OUT / "selection_supports.csv", index=False)
    write_table(
        stable,
        OUT,
        "selection_stability",
        title=f"Stability over {N_BOOTSTRAP} bootstrap resamples (diabetes + {N_NOISE} noise)",
        notes=[
            "Each resample: its distinct rows, their multiplicities as sample weights (regprior's "
            "precision weights: the same likelihood in the weights as the copies, not in the "
            "noise sd, which sees the distinct rows only), so that folds and PSIS-LOO leave a row "
            "out with all its copies.",
            "projection (CV): rp.select_variables, 5-fold CV of the whole search, reference "
            "LearnedScale() by NUTS 2 x 500 draws, folds 2 x 300; projection (PSIS-LOO): the same "
            "run's suggestion by PSIS-LOO along the full-data search (optimistic). Median wall "
            f"time per resample {bootstrap_seconds:.1f} s (reference fit included).",
            "LassoCV and the 1-SE Lasso: on the same folds and weights (the run's lasso table).",
        ],
    )


if __name__ == "__main__":
    main()
