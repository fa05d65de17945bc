"""Sparse priors against the Laplace family and the Lasso: sampler health, shrinkage, LOO, errors.

Per data set (diabetes; 60 x 120 with 5 true effects; 100 x 1000 with 10; 100 x 50 with
AR(0.9)-correlated columns and 5 true effects) and prior (horseshoe, regularized horseshoe,
R2-D2 at their defaults: sampled with the weights integrated out; Park & Casella's Bayesian lasso
with a learnt lambda, the learnt-scale Laplace and the full-Bayes generalized double Pareto
beside, sampled directly): compile time apart,
sampling wall time (with the exact weight draws), divergences, r_hat max, bulk ESS min (of every
summarised quantity, and of tau), ESS per second, m_eff (posterior median, and its prior by
simulation), elpd_loo (PSIS), RMSE of the posterior mean against the truth; beside them LassoCV's
and the 1-SE Lasso's support size and false positives. Every shortfall of the sampler targets
(0 divergences, r_hat <= 1.01, bulk ESS >= 400) is flagged. Writes
``benchmarks/results/sparse_priors.{md,csv}`` (rows appended as they finish) and
``sparse_priors_<data>.png`` (each coefficient's kappa beside the Lasso's exact zeros).

    python benchmarks/sparse_priors.py [--data sixty diabetes correlated wide] [--draws 1000]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
import regprior as rp  # noqa: E402
from _common import write_table  # noqa: E402
from regprior.checks.loo import (  # noqa: E402
    SampledData,
    pareto_k_threshold,
    with_log_likelihood,
)
from regprior.checks.sklearn import one_se_alpha  # noqa: E402
from regprior.inference import nuts_posterior  # noqa: E402
from regprior.inference.gibbs import gibbs_posterior, gibbs_unavailable  # noqa: E402
from regprior.inference.nuts import GOOD_RHAT, MIN_ESS_BULK, compile_sampler  # noqa: E402
from regprior.inference.shrinkage import kappa_draws, shrinkage_table  # noqa: E402
from regprior.report.plots import plot_shrinkage  # noqa: E402
from regprior.spec.data import RegressionData  # noqa: E402

OUT = Path(__file__).parent / "results"
PRIORS = {
    "horseshoe": rp.Horseshoe(),
    "regularized horseshoe": rp.RegularizedHorseshoe(),
    "R2-D2": rp.R2D2(),
    "Bayesian lasso (learnt lambda)": rp.BayesianLasso(lam=None),
    "Laplace, learnt scale": rp.LearnedScale("laplace"),
    "Bayesian GDP": rp.BayesianGDP(),
}


#: NUTS runs left out (the n x n marginal costs ~0.9 ms a gradient on 100 x 1000 and the
#: horseshoe with p0 = 10 had r_hat 1.60 after 1,530 s at 4 x 300 draws): flagged in the notes.
#: Data sets NUTS is not run on (the note in write() says why).
NUTS_SKIPPED_DATA = {"wide"}


def sparse_truth(n, p, k, *, seed, correlation=0.0):
    """Gaussian columns (AR(correlation) across columns), k effects of size 1-3, unit noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if correlation:
        for j in range(1, p):
            X[:, j] = correlation * X[:, j - 1] + np.sqrt(1 - correlation**2) * X[:, j]
    coef = np.zeros(p)
    support = rng.choice(p, k, replace=False)
    coef[support] = rng.choice([-1.0, 1.0], k) * rng.uniform(1.0, 3.0, k)
    return X, 1.0 + X @ coef + rng.standard_normal(n), coef


def datasets():
    diabetes = rp.load_diabetes()
    return {
        "diabetes": (diabetes.X, diabetes.y, None, list(diabetes.feature_names)),
        "sixty": (*sparse_truth(60, 120, 5, seed=0), None),
        "correlated": (*sparse_truth(100, 50, 5, seed=2, correlation=0.9), None),
        "wide": (*sparse_truth(100, 1000, 10, seed=1), None),
    }


def lasso_fits(X, y):
    """LassoCV (5-fold, its own grid) and the 1-SE rule on the same fit: two coefficient vectors."""
    from sklearn.linear_model import Lasso, LassoCV

    cv = LassoCV(cv=5, alphas=100, max_iter=100_000, tol=1e-10).fit(X, y)
    mse = cv.mse_path_
    alpha_1se = one_se_alpha(cv.alphas_, mse.mean(1), mse.std(1, ddof=1) / np.sqrt(mse.shape[1]))
    one_se = Lasso(alpha=alpha_1se, max_iter=100_000, tol=1e-10).fit(X, y)
    return {
        f"LassoCV (a={cv.alpha_:.3g})": cv.coef_,
        f"1-SE Lasso (a={alpha_1se:.3g})": one_se.coef_,
    }


def lasso_row(fits, truth):
    row = {}
    for label, coef in zip(("lasso_cv", "lasso_1se"), fits.values(), strict=True):
        row[f"{label}_support"] = int(np.sum(coef != 0))
        row[f"{label}_false_pos"] = (
            int(np.sum((coef != 0) & (truth == 0))) if truth is not None else np.nan
        )
    return row


def run(name, X, y, truth, features, prior_name, spec, settings, engine="nuts"):
    """One (data, prior) row: NUTS on the PyMC model, or the Gibbs engine (nothing compiled)."""
    import arviz as az

    data = RegressionData(X, y, feature_names=features)
    if engine == "gibbs":
        compile_seconds = 0.0
        posterior = gibbs_posterior(data, spec, None, **settings)
        loo = az.loo(with_log_likelihood(SampledData(data), posterior))
    else:
        model = rp.make_model(X, y, spec, feature_names=features)
        start = time.perf_counter()
        compile_sampler(model)
        compile_seconds = time.perf_counter() - start
        posterior = nuts_posterior(model, **settings, target_accept=spec.target_accept)
        loo = az.loo(with_log_likelihood(model, posterior))
    summary = posterior.summary
    weights = summary.loc[list(data.feature_names)]
    row = {
        "data": name,
        "n x p": f"{X.shape[0]} x {X.shape[1]}",
        "prior": prior_name,
        "engine": engine,
        "chains x draws": f"{settings['chains']} x {settings['draws']}",
        "target_accept": spec.target_accept if engine == "nuts" else np.nan,
        "compile_s": compile_seconds,
        "sampling_s": posterior.seconds,
        "divergences": posterior.divergences,
        "r_hat_max": posterior.r_hat_max,
        "ess_bulk_min": posterior.ess_bulk_min,
        "ess_bulk_tau": summary.loc["tau", "ess_bulk"] if "tau" in summary.index else np.nan,
        "ess_per_s": posterior.ess_bulk_min / posterior.seconds,
        "m_eff": summary.loc["m_eff", "median"] if "m_eff" in summary.index else np.nan,
        "elpd_loo": float(loo.elpd),
        "elpd_se": float(loo.se),
        "loo_bad_k": int(
            np.sum(
                np.asarray(loo.pareto_k)
                > pareto_k_threshold(settings["draws"] * settings["chains"])
            )
        ),
        "rmse_vs_truth": float(np.sqrt(np.mean((weights["mean"] - truth) ** 2)))
        if truth is not None
        else np.nan,
    }
    flags = []
    if posterior.divergences:
        flags.append("divergences")
    if not row["r_hat_max"] <= GOOD_RHAT:
        flags.append("r_hat")
    if not row["ess_bulk_min"] >= MIN_ESS_BULK:
        flags.append("ESS")
    if row["loo_bad_k"]:
        flags.append("LOO k")
    shrink = None
    if "m_eff" in summary.index:
        shrink = shrinkage_table(spec, data, posterior)
        row["m_eff_prior"] = shrink.loc["m_eff", "prior_median"]
    row["flags"] = ", ".join(flags)
    return row, data, posterior, shrink


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=["diabetes", "sixty", "correlated", "wide"])
    parser.add_argument("--priors", nargs="+", default=list(PRIORS))
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--stem", default="sparse_priors")
    parser.add_argument(
        "--engine",
        nargs="+",
        default=["nuts", "gibbs"],
        help="posterior engines (gibbs: the priors that have Gibbs conditionals only)",
    )
    parser.add_argument(
        "--p0", type=float, help="also the horseshoes with Piironen & Vehtari's tau0 from this p0"
    )
    args = parser.parse_args()
    if args.p0:
        PRIORS[f"horseshoe, p0 = {args.p0:g}"] = rp.Horseshoe(p0=args.p0)
        PRIORS[f"regularized horseshoe, p0 = {args.p0:g}"] = rp.RegularizedHorseshoe(p0=args.p0)
        if not any("p0" in name for name in args.priors):
            args.priors += [
                f"horseshoe, p0 = {args.p0:g}",
                f"regularized horseshoe, p0 = {args.p0:g}",
            ]
    settings = {"draws": args.draws, "tune": args.tune, "chains": args.chains, "random_seed": 0}
    all_data = datasets()
    csv = OUT / f"{args.stem}.csv"
    rows = pd.read_csv(csv).to_dict("records") if csv.exists() else []
    for name in args.data:
        X, y, truth, features = all_data[name]
        with threadpool_limits(1):
            fits = lasso_fits(X, y)
        for prior_name, engine in itertools.product(args.priors, args.engine):
            spec = PRIORS[prior_name]
            if engine == "gibbs" and gibbs_unavailable(spec) is not None:
                continue
            if engine == "nuts" and name in NUTS_SKIPPED_DATA:
                continue
            print(f"{name}: {prior_name} ({engine})", flush=True)
            row, data, posterior, shrink = run(
                name, X, y, truth, features, prior_name, spec, settings, engine
            )
            row.update(lasso_row(fits, truth))
            key = (name, prior_name, engine)
            rows = [r for r in rows if (r["data"], r["prior"], r.get("engine", "nuts")) != key]
            rows.append(row)
            print({k: row[k] for k in ("sampling_s", "divergences", "r_hat_max", "ess_bulk_min")})
            write(rows, args.stem)
            if prior_name.startswith("horseshoe") and shrink is not None:
                order = np.argsort(shrink["median"].to_numpy()[:-1])[:40]
                names = list(data.feature_names)
                figure = plot_shrinkage(
                    kappa_draws(posterior)[:, np.sort(order)],
                    [names[j] for j in np.sort(order)],
                    {k: v[np.sort(order)] for k, v in fits.items()},
                    truth=None if truth is None else truth[np.sort(order)],
                    title=f"{name}: {prior_name}, kappa (the 40 least shrunk) beside the Lasso",
                )
                suffix = ("_p0" if "p0" in prior_name else "") + (
                    "_gibbs" if engine == "gibbs" else ""
                )
                figure.savefig(OUT / f"{args.stem}_{name}{suffix}.png", dpi=110)


def write(rows, stem):
    frame = pd.DataFrame(rows)
    write_table(
        frame,
        OUT,
        stem,
        title="Sparse priors beside the Laplace family and the Lasso",
        notes=[
            "engine nuts: NUTS (nutpie), chains x draws as in the table after as many tuning "
            "steps, seed 0, one BLAS thread, at each specification's own target_accept; "
            "defaults of every prior (horseshoe tau0 = 1, no p0). engine gibbs: the Gibbs "
            "engine (the priors with conditionals: the horseshoe, the regularized horseshoe, "
            "R2-D2, Park & Casella, learnt-scale Laplace, the Bayesian GDP), as many warm-up "
            "sweeps, each kept draw the last of the specification's sweeps_per_draw (the "
            "horseshoes' and the GDP's 4, R2-D2's 2, else 1), compile_s 0. The sparse priors' "
            "default engine is Gibbs "
            "(engine=None); the others' NUTS.",
            "NUTS on wide (100 x 1000) was not re-run: the n x n marginal costs ~0.9 ms a "
            "gradient there, and the one NUTS row (horseshoe, p0 = 10, 4 x 300 draws, an earlier "
            "run) took 1530 s to reach r_hat 1.60; the Bayesian GDP's closed-form NUTS model ran "
            "over 5 minutes there without finishing (stopped). Gibbs rows only there.",
            "horseshoe, regularized horseshoe, R2-D2: the weights integrated out (Gaussian "
            "marginal likelihood, p x p form for p <= n, n x n for p > n), then drawn exactly per "
            "draw (included in sampling_s). The Laplace and GDP rows are sampled directly.",
            "compile_s: nutpie's compile of the model (apart); ess_per_s = ess_bulk_min / "
            "sampling_s; ess_bulk_min is over every weight, the intercept and the summarised "
            "scalars (sigma, tau, m_eff, ...).",
            "m_eff: posterior median of sum_j (1 - kappa_j); m_eff_prior: its prior median by "
            "simulation. rmse_vs_truth: posterior means against the true weights.",
            "flags: divergences > 0, r_hat > 1.01, bulk ESS < 400, LOO k: loo_bad_k "
            "observations whose PSIS Pareto k exceeds the threshold for the draws (0.7 from 2154 "
            "draws on), where that elpd_loo is not reliable. A positive elpd_loo (the wide set at "
            "tau0 = 1) is a posterior that interpolates: sigma near 0, m_eff near n. Every row "
            "but the wide NUTS one from runs within the same hour on a 2-core machine shared with "
            "other jobs (load ~2-3): times are only comparable within such a run.",
            "lasso_*: LassoCV (5-fold, 100 alphas, tol 1e-10) and the 1-SE rule on its CV curve; "
            "support size and false positives (non-zero where the truth is 0).",
        ],
        floatfmt=".4g",
    )


if __name__ == "__main__":
    main()
