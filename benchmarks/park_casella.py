"""Park & Casella's Bayesian lasso on diabetes: posterior medians and 95% intervals.

Posterior medians and 95% equal-tailed intervals of the ten coefficients, sigma^2 and the
implied sklearn Lasso alpha (sigma lambda / N), with lambda = 0.237 fixed (their marginal-ML
value), then with lambda learnt (lambda^2 ~ Gamma(1, 1.78)); NUTS 4 chains x 2000 draws.
Writes ``benchmarks/results/park_casella.{md,csv}`` (the alpha choices: ``alpha_choice.py``).

    python benchmarks/park_casella.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402

from regprior.backend.model import build_hierarchical_model  # noqa: E402
from regprior.inference import nuts_posterior  # noqa: E402
from regprior.spec.data import load_diabetes  # noqa: E402
from regprior.spec.hierarchical import BayesianLasso  # noqa: E402

DRAWS, TUNE, CHAINS = 2000, 1000, 4


def quantiles(posterior, names, feature_names):
    draws = posterior.datatree.posterior
    rows = []
    for name in names:
        values = draws[name]
        columns = [(f, values.sel(feature=f).to_numpy().ravel()) for f in feature_names] if "feature" in values.dims \
            else [(name, values.to_numpy().ravel())]
        for label, v in columns:
            low, median, high = np.quantile(v, [0.025, 0.5, 0.975])
            summary = posterior.summary.loc[label]
            rows.append({"quantity": label, "median": median, "q2.5": low, "q97.5": high,
                         "ess_bulk": summary["ess_bulk"], "r_hat": summary["r_hat"]})
    return pd.DataFrame(rows)


def main():
    data = load_diabetes()
    out = Path("benchmarks/results")
    fixed = nuts_posterior(build_hierarchical_model(data, BayesianLasso(lam=0.237)), draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=0)
    learnt = nuts_posterior(build_hierarchical_model(data, BayesianLasso(lam=None)), draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=0)
    table = quantiles(fixed, ["beta", "sigma2", "sklearn_alpha"], data.feature_names).assign(model="lambda = 0.237")
    table = pd.concat([table, quantiles(learnt, ["lambda", "sigma2", "sklearn_alpha"], data.feature_names)
                       .assign(model="lambda^2 ~ Gamma(1, 1.78)")], ignore_index=True)
    health = "; ".join(f"{name}: {p.divergences} divergences, r_hat max {p.r_hat_max:.4f}, bulk ESS min {p.ess_bulk_min:.0f}"
                       + ("" if p.healthy else " UNHEALTHY") for name, p in (("fixed", fixed), ("learnt", learnt)))
    write_table(table, out, "park_casella", title="Park & Casella's Bayesian lasso on diabetes (NUTS)",
                notes=[f"NUTS (nutpie) {CHAINS} chains x {DRAWS} draws ({TUNE} tune), seed 0; 95% equal-tailed intervals",
                       "p(sigma^2) ~ 1/sigma^2, theta_j | sigma ~ Laplace(0, sigma/lambda), flat intercept; "
                       "sklearn_alpha = sigma lambda / N is the Lasso alpha of the conditional mode",
                       f"sampler: {health}"])
    print(table.round(4).to_string())


if __name__ == "__main__":
    main()
