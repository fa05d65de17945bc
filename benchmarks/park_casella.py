"""Park & Casella's Bayesian lasso on diabetes, and the ways of choosing the strength side by side.

Table 1: posterior medians and 95% equal-tailed intervals of the ten coefficients, sigma^2 and
the implied sklearn Lasso alpha (sigma lambda / N), lambda = 0.237 fixed (their marginal-ML
value), NUTS 4 chains x 2000 draws. Table 2: lambda learnt (lambda^2 ~ Gamma(1, 1.78)).
Table 3: the strength chosen by cross-validation (RidgeCV, LassoCV and its 1-SE rule), by
evidence maximisation (type-II ML of the Normal prior, = BayesianRidge with zero hyperpriors)
and by full Bayes (posterior of the implied Lasso alpha). Writes
``benchmarks/results/park_casella.{md,csv}`` and ``alpha_choice.{md,csv}``.

    python benchmarks/park_casella.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402

from regprior.backend.hierarchical import build_bayesian_lasso  # noqa: E402
from regprior.inference import nuts_posterior, type2_ml  # noqa: E402
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


def one_se_alpha(search):
    """LassoCV's 1-SE rule: the largest alpha whose mean CV error is within one SE of the best."""
    mean = search.mse_path_.mean(axis=1)
    se = search.mse_path_.std(axis=1, ddof=1) / np.sqrt(search.mse_path_.shape[1])
    best = np.argmin(mean)
    return float(np.max(search.alphas_[mean <= mean[best] + se[best]]))


def main():
    from sklearn.linear_model import LassoCV, RidgeCV

    data = load_diabetes()
    out = Path("benchmarks/results")
    fixed = nuts_posterior(build_bayesian_lasso(data, BayesianLasso(lam=0.237)), draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=0)
    learnt = nuts_posterior(build_bayesian_lasso(data, BayesianLasso(lam=None)), draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=0)
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
    ridge = RidgeCV(alphas=np.logspace(-6, 6, 121)).fit(data.X, data.y)
    lasso = LassoCV(cv=5, alphas=100).fit(data.X, data.y)
    evidence = type2_ml(data)
    posterior_alpha = {name: np.quantile(p.datatree.posterior["sklearn_alpha"].to_numpy().ravel(), [0.03, 0.5, 0.97])
                       for name, p in (("fixed", fixed), ("learnt", learnt))}
    choices = pd.DataFrame([
        {"estimator": "Ridge", "way": "RidgeCV (leave-one-out, 121 alphas)", "alpha": float(ridge.alpha_)},
        {"estimator": "Ridge", "way": "type-II ML (Normal prior; = BayesianRidge, zero hyperpriors)", "alpha": evidence.ridge_alpha},
        {"estimator": "Lasso", "way": "LassoCV (5-fold, 100 alphas)", "alpha": float(lasso.alpha_)},
        {"estimator": "Lasso", "way": "LassoCV 1-SE rule", "alpha": one_se_alpha(lasso)},
        *[{"estimator": "Lasso", "way": f"Park & Casella, lambda {'= 0.237' if name == 'fixed' else 'learnt'}: "
           f"posterior median [94% interval]", "alpha": q[1], "low": q[0], "high": q[2]}
          for name, q in posterior_alpha.items()],
    ])
    write_table(choices, out, "alpha_choice", title="Diabetes: choosing the strength by CV, by evidence, by full Bayes",
                notes=[f"type-II ML: noise sigma {evidence.noise_sigma:.4g}, prior sigma {evidence.prior_sigma:.4g}, "
                       f"{evidence.n_iter} fixed-point iterations, gradient certificate {np.max(np.abs(evidence.gradient)):.1e}",
                       "Ridge and Lasso alphas are on different scales (Ridge's data term is not divided by N)",
                       "the figure of the issue (CV curves and the posterior density of the implied alpha on one axis) is not built yet"])
    print(table.round(4).to_string())
    print(choices.to_string())


if __name__ == "__main__":
    main()
