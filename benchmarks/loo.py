"""Full Bayes vs fixed priors on diabetes: PSIS-LOO of every prior, and sampler health of the hierarchical models.

LOO table (ArviZ ``compare``, stacking weights; Pareto k > 0.7 and sampler problems flagged):
Normal / Laplace / elastic-net priors at the strength sklearn's CV picks (noise sigma plugged
in: OLS residual sd), the learnt-scale Normal and Laplace (sigma unknown), and Park & Casella's
Bayesian lasso (lambda learnt). Health table: the hierarchical models at their defaults
(target_accept 0.95) on diabetes and on a p > n set, every failure shown. NUTS 4 chains x 1000
draws. Writes ``benchmarks/results/loo.{md,csv}``, ``loo_compare.png``, ``hierarchical_health.{md,csv}``.

    python benchmarks/loo.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402

from regprior.backend.model import build_hierarchical_model  # noqa: E402
from regprior.backend.model import build_model  # noqa: E402
from regprior.checks.agreement import DATASETS  # noqa: E402
from regprior.checks.loo import loo_compare  # noqa: E402
from regprior.checks.sklearn import prior_by_cross_validation  # noqa: E402
from regprior.inference import nuts_posterior  # noqa: E402
from regprior.spec.data import load_diabetes  # noqa: E402
from regprior.spec.hierarchical import BayesianLasso, LearnedScale  # noqa: E402
from regprior.spec.likelihoods import Gaussian  # noqa: E402

SETTINGS = {"draws": 1000, "tune": 1000, "chains": 4, "random_seed": 0}
HIERARCHICAL_TARGET_ACCEPT = 0.95


def hierarchical(data):
    return {
        "normal, learnt tau": build_hierarchical_model(data, LearnedScale("normal")),
        "laplace, learnt scale": build_hierarchical_model(data, LearnedScale("laplace")),
        "Park & Casella, learnt lambda": build_hierarchical_model(data, BayesianLasso(lam=None)),
    }


def main():
    import matplotlib

    matplotlib.use("Agg")
    import arviz_plots as azp

    out = Path("benchmarks/results")
    data = load_diabetes()
    likelihood = Gaussian.resolve(data)
    fits = {}
    for family in ("normal", "laplace", "elasticnet"):
        prior, source = prior_by_cross_validation(data, family, likelihood)
        model = build_model(data, prior, likelihood, form="raw")
        fits[f"{family} at the CV alpha"] = (model, nuts_posterior(model, **SETTINGS))
    health = []
    wide, noise = DATASETS["wide_p_gt_n"](0)
    for name_data, dataset in (("diabetes", data), ("wide_p_gt_n 50x100", wide)):
        for name, model in hierarchical(dataset).items():
            posterior = nuts_posterior(model, **SETTINGS, target_accept=HIERARCHICAL_TARGET_ACCEPT)
            if name_data == "diabetes":
                fits[name] = (model, posterior)
            alpha = posterior.summary.loc["sklearn_alpha"]
            health.append({"data": name_data, "model": name, "divergences": posterior.divergences,
                           "r_hat_max": posterior.r_hat_max, "ess_bulk_min": posterior.ess_bulk_min,
                           "healthy": posterior.healthy, "implied_alpha_median": alpha["median"],
                           "alpha_hdi_low": alpha["hdi_low"], "alpha_hdi_high": alpha["hdi_high"],
                           "problems": "; ".join(posterior.problems)})
    comparison = loo_compare(fits)
    table = comparison.table.reset_index()
    write_table(table, out, "loo", title="Diabetes: PSIS-LOO of fixed and learnt priors",
                notes=[f"NUTS {SETTINGS['chains']} chains x {SETTINGS['draws']} draws; hierarchical models at target_accept "
                       f"{HIERARCHICAL_TARGET_ACCEPT}; fixed priors at sklearn's CV alpha with noise sigma "
                       f"{likelihood.noise_sigma:.4g} ({likelihood.source})",
                       "elpd_diff / dse against the best model; weight: stacking; flags: Pareto k > 0.7 or sampler problems"])
    azp.plot_compare(comparison.compare, backend="matplotlib",
                     figure_kwargs={"layout": "constrained", "figsize": (9, 4)}).savefig(out / "loo_compare.png", dpi=90)
    health = pd.DataFrame(health)
    write_table(health, out, "hierarchical_health", title="Hierarchical models at their defaults: sampler health",
                notes=[f"NUTS {SETTINGS['chains']} chains x {SETTINGS['draws']} draws, target_accept {HIERARCHICAL_TARGET_ACCEPT}, "
                       "non-centred weights; every failure shown",
                       "implied_alpha: Ridge alpha sigma^2/tau^2 (normal), Lasso alpha sigma^2/(N s) (laplace), "
                       "sigma lambda / N (Park & Casella); 94% HDI"])
    print(table.to_string())
    print(health.to_string())


if __name__ == "__main__":
    main()
