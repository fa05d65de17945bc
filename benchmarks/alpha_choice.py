"""Diabetes: the strength chosen by cross-validation, by evidence maximisation and by full Bayes.

Table and figure: writes ``benchmarks/results/alpha_choice.{md,csv,png}`` and
``alpha_choice_coefficients.{md,csv}``.

    python benchmarks/alpha_choice.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402
from regprior.checks.alpha_choice import choice_table, choose_alpha  # noqa: E402
from regprior.report.plots import plot_alpha_choice  # noqa: E402
from regprior.spec.data import load_diabetes  # noqa: E402


def main():
    import matplotlib

    matplotlib.use("Agg")
    out = Path("benchmarks/results")
    choices, coefficients = choose_alpha(
        load_diabetes(), draws=1000, tune=1000, chains=4, random_seed=0
    )
    table = choice_table(choices)
    write_table(
        table,
        out,
        "alpha_choice",
        title="Diabetes: choosing alpha by CV, by evidence, by full Bayes",
        notes=[
            "CV: RidgeCV leave-one-out (121 alphas in [1e-6, 1e6]), LassoCV 5-fold (100 alphas); "
            "1-SE: the largest alpha within one SE of the best mean CV error",
            "type-II ML: the Normal prior's evidence maximum "
            "(= BayesianRidge with zero hyperpriors)",
            "full Bayes: posterior median and 94% interval of the implied alpha "
            "(Ridge sigma^2/tau^2, Lasso sigma^2/(N s) or sigma lambda / N); "
            "NUTS 4 chains x 1000 draws, target_accept 0.95",
            "Ridge and Lasso alphas are on different scales "
            "(Ridge's data term is not divided by N); figure: alpha_choice.png",
        ],
    )
    write_table(
        coefficients.reset_index(),
        out,
        "alpha_choice_coefficients",
        title="Diabetes: coefficients under each choice",
        notes=[
            "sklearn solutions at the CV / EB / 1-SE alpha (= the MAPs there) "
            "beside full-Bayes posterior medians and 94% HDIs"
        ],
    )
    plot_alpha_choice(choices).savefig(out / "alpha_choice.png", dpi=100)
    print(table.to_string())


if __name__ == "__main__":
    main()
