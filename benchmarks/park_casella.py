"""Park & Casella's Bayesian lasso on diabetes: posterior medians and 95% intervals.

Posterior medians and 95% equal-tailed intervals of the ten coefficients, sigma^2 and the
implied sklearn Lasso alpha (sigma lambda / N), with lambda = 0.237 fixed (their marginal-ML
value), then with lambda learnt (lambda^2 ~ Gamma(1, 1.78)); NUTS 4 chains x 2000 draws. Then the
empirical-Bayes lambda (marginal maximum likelihood by Monte Carlo EM, NUTS E-steps) beside
their published 0.237, with its score certificate.
Writes ``benchmarks/results/park_casella.{md,csv}`` (the alpha choices: ``alpha_choice.py``).

    python benchmarks/park_casella.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402
from regprior.backend.model import build_hierarchical_model  # noqa: E402
from regprior.inference import bayesian_lasso_lambda, nuts_posterior  # noqa: E402
from regprior.spec.data import load_diabetes  # noqa: E402
from regprior.spec.hierarchical import BayesianLasso  # noqa: E402

DRAWS, TUNE, CHAINS = 2000, 1000, 4


def quantiles(posterior, names, feature_names):
    draws = posterior.datatree.posterior
    rows = []
    for name in names:
        values = draws[name]
        columns = (
            [(f, values.sel(feature=f).to_numpy().ravel()) for f in feature_names]
            if "feature" in values.dims
            else [(name, values.to_numpy().ravel())]
        )
        for label, v in columns:
            low, median, high = np.quantile(v, [0.025, 0.5, 0.975])
            summary = posterior.summary.loc[label]
            rows.append(
                {
                    "quantity": label,
                    "median": median,
                    "q2.5": low,
                    "q97.5": high,
                    "ess_bulk": summary["ess_bulk"],
                    "r_hat": summary["r_hat"],
                }
            )
    return pd.DataFrame(rows)


def main():
    data = load_diabetes()
    out = Path("benchmarks/results")
    fixed = nuts_posterior(
        build_hierarchical_model(data, BayesianLasso(lam=0.237)),
        draws=DRAWS,
        tune=TUNE,
        chains=CHAINS,
        random_seed=0,
    )
    learnt = nuts_posterior(
        build_hierarchical_model(data, BayesianLasso(lam=None)),
        draws=DRAWS,
        tune=TUNE,
        chains=CHAINS,
        random_seed=0,
    )
    table = quantiles(fixed, ["beta", "sigma2", "sklearn_alpha"], data.feature_names).assign(
        model="lambda = 0.237"
    )
    table = pd.concat(
        [
            table,
            quantiles(learnt, ["lambda", "sigma2", "sklearn_alpha"], data.feature_names).assign(
                model="lambda^2 ~ Gamma(1, 1.78)"
            ),
        ],
        ignore_index=True,
    )
    start = time.perf_counter()
    estimate = bayesian_lasso_lambda(data, random_seed=0)
    seconds = time.perf_counter() - start
    final = estimate.posterior.summary.loc["sklearn_alpha"]
    table = pd.concat(
        [
            table,
            pd.DataFrame(
                [
                    {
                        "quantity": "lambda (empirical Bayes, MCEM)",
                        "median": estimate.lam,
                        "q2.5": estimate.lam - 1.96 * estimate.lam_se,
                        "q97.5": estimate.lam + 1.96 * estimate.lam_se,
                        "ess_bulk": final["ess_bulk"],
                        "r_hat": final["r_hat"],
                        "model": "lambda at its marginal-likelihood maximum",
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    health = "; ".join(
        f"{name}: {p.divergences} divergences, r_hat max {p.r_hat_max:.4f}, "
        f"bulk ESS min {p.ess_bulk_min:.0f}" + ("" if p.healthy else " UNHEALTHY")
        for name, p in (("fixed", fixed), ("learnt", learnt))
    )
    write_table(
        table,
        out,
        "park_casella",
        title="Park & Casella's Bayesian lasso on diabetes (NUTS)",
        notes=[
            f"NUTS (nutpie) {CHAINS} chains x {DRAWS} draws ({TUNE} tune), seed 0; "
            "95% equal-tailed intervals",
            "p(sigma^2) ~ 1/sigma^2, theta_j | sigma ~ Laplace(0, sigma/lambda), flat intercept; "
            "sklearn_alpha = sigma lambda / N is the Lasso alpha of the conditional mode",
            f"sampler: {health}",
            f"empirical Bayes: lambda = {estimate.lam:.4f} +- {estimate.lam_se:.4f} "
            "(mean of the last 10 of 25 Monte Carlo EM steps, 4 chains x 500 draws each; "
            "interval = +-1.96 MC se), Park & Casella: 0.237; "
            "score E[p/lambda - sum|theta|/sigma]/p at it = "
            f"{estimate.score:.2g} +- {estimate.score_mcse:.2g} "
            f"(MCSE, final run 4 x 2000); {seconds:.0f} s; sampler of the final run: "
            f"{'; '.join(estimate.posterior.problems) or 'healthy'}",
            "iterates: " + ", ".join(f"{v:.4f}" for v in estimate.iterates),
        ],
    )
    print(table.round(4).to_string())


if __name__ == "__main__":
    main()
