"""The seed's point in one table: the Laplace MAP is sparse, its posterior mean and median are not.

For each coefficient of diabetes: sklearn Ridge / Lasso, the MAPs of the Normal / Laplace
priors, their NUTS posterior mean and median, and how far the posterior mean sits from the
MAP in posterior sds. Also writes the per-prior posterior plots and a forest plot of both.

    python benchmarks/shrinkage.py --out benchmarks/results
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402
from regprior.checks.comparison import compare_data  # noqa: E402

CHAINS = 4
from regprior import registry  # noqa: E402
from regprior.report.plots import plot_forest_comparison, plot_posterior_with_estimates  # noqa: E402
from regprior.spec.data import load_diabetes  # noqa: E402
from regprior.spec.likelihoods import Gaussian  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--ridge-alpha", type=float, default=0.1)
    parser.add_argument("--lasso-alpha", type=float, default=0.3)
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = load_diabetes()
    likelihood = Gaussian.resolve(data)
    comparisons = {}
    for family, alpha in (("normal", args.ridge_alpha), ("laplace", args.lasso_alpha)):
        prior = registry.prior_from_sklearn_strength(
            family, {"alpha": alpha}, likelihood, data.weight_sum
        )
        comparisons[family] = compare_data(
            data,
            prior,
            likelihood,
            draws=args.draws,
            tune=1000,
            chains=CHAINS,
            random_seed=args.seed,
        )
    rows = []
    for feature in data.feature_names:
        row = {"feature": feature}
        for family, label in (("normal", "ridge"), ("laplace", "lasso")):
            t = comparisons[family].table.loc[feature]
            row.update(
                {
                    f"{label}_sklearn": t["sklearn"],
                    f"{family}_map": t["map"],
                    f"{family}_post_mean": t["posterior_mean"],
                    f"{family}_post_median": t["posterior_median"],
                    f"{family}_(mean-map)/sd": (t["posterior_mean"] - t["map"]) / t["posterior_sd"],
                }
            )
        rows.append(row)
    table = pd.DataFrame(rows)
    zeros = int((table["laplace_map"] == 0).sum())
    nonzero_means = int(((table["laplace_map"] == 0) & (table["laplace_post_mean"] != 0)).sum())
    health = "; ".join(
        f"{f}: "
        f"{'healthy' if c.posterior.healthy else 'UNHEALTHY ' + ', '.join(c.posterior.problems)}"
        for f, c in comparisons.items()
    )
    write_table(
        table,
        args.out,
        "shrinkage",
        title="Shrinkage on diabetes: MAP vs posterior mean and median",
        notes=[
            f"noise sigma {likelihood.noise_sigma:.4g} ({likelihood.source}); "
            f"Ridge alpha {args.ridge_alpha}, Lasso alpha {args.lasso_alpha}; "
            f"NUTS {CHAINS} chains x {args.draws} draws, seed {args.seed}",
            f"the Laplace MAP has {zeros} exact zeros; "
            f"the posterior mean is non-zero at {nonzero_means} of them",
            f"sampler: {health}",
            "verdicts: "
            + "; ".join(
                f"{f}: {'PASSED' if c.verdict.passed else 'FAILED'}" for f, c in comparisons.items()
            ),
        ],
    )
    for family, comparison in comparisons.items():
        plot_posterior_with_estimates(comparison).savefig(
            args.out / f"shrinkage_posterior_{family}.png", dpi=90
        )
    plot_forest_comparison(comparisons).savefig(args.out / "shrinkage_forest.png", dpi=90)
    print(table.to_string())


if __name__ == "__main__":
    main()
