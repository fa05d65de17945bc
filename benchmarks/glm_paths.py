"""GLM paths: the MAP along 30 values of sklearn's path parameter
vs LogisticRegression / PoissonRegressor.

Logistic regression over ``C`` (l2: newton-cholesky at tol 1e-12; l1 and elastic net: saga at
tol 1e-10, the tightest it reaches in reasonable time) on breast_cancer (standardised) and a
p > n synthetic problem; Poisson over ``alpha`` (newton-cholesky, tol 1e-12) on the seeded
counts. Per path: worst ``max |MAP - sklearn| / max(1, |coef|)``, the worst KKT residual of each
side (the same measure), supports, and the time of the MAP path (model already built and
compiled) against sklearn's in the same run. Writes ``benchmarks/results/glm_paths.{md,csv}``.

    python benchmarks/glm_paths.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402
from regprior.checks.agreement import DATASETS  # noqa: E402
from regprior.checks.paths import alpha_grid, compare_paths, path_for_data, sklearn_path  # noqa: E402
from regprior.spec.data import load_breast_cancer, make_poisson_counts  # noqa: E402
from regprior.spec.likelihoods import Bernoulli, Poisson  # noqa: E402

N_VALUES = 30


def cases():
    cancer = load_breast_cancer()
    wide, _ = DATASETS["binary_p_gt_n"](0)
    yield "breast_cancer 569x30", cancer, Bernoulli(), "normal", {}, None
    yield "binary_p_gt_n 40x60", wide, Bernoulli(), "normal", {}, None
    yield "breast_cancer 569x30", cancer, Bernoulli(), "laplace", {}, 1e-2
    yield "breast_cancer 569x30", cancer, Bernoulli(), "elasticnet", {"l1_ratio": 0.5}, 1e-2
    yield "poisson_counts 400x8", make_poisson_counts(), Poisson(), "normal", {}, None


def main():
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for name, data, likelihood, family, fixed, eps in cases():
            grid = alpha_grid(
                data, family, n_alphas=N_VALUES, eps=eps, fixed=fixed, likelihood=likelihood
            )
            path, model = path_for_data(data, family, likelihood, grid, fixed=fixed)
            reference = sklearn_path(data, family, grid, fixed=fixed, likelihood=likelihood.family)
            comparison = compare_paths(path, reference, model=model)
            t = comparison.table
            rows.append(
                {
                    "data": name,
                    "likelihood": likelihood.family,
                    "prior": family,
                    **fixed,
                    "parameter": path.parameter,
                    "range": f"{grid[0]:.2g} .. {grid[-1]:.2g}",
                    "worst_rel_diff": float(t["rel_diff"].max()),
                    "worst_kkt_map": float(t["kkt_residual"].max()),
                    "worst_kkt_sklearn": float(t["sklearn_certificate"].max()),
                    "tolerance_source": "error bound" if "error_bound" in t else "1e-8 bar",
                    "supports_equal": f"{int(t['support_match'].sum())}/{len(t)}",
                    "exact_zeros": int((path.coefs == path.centre).sum()),
                    "passed": comparison.passed,
                    "map_path_s": path.solve_seconds,
                    "build_compile_s": path.compile_seconds,
                    "sklearn_path_s": reference.seconds,
                    "map_vs_sklearn_time": path.solve_seconds / reference.seconds,
                }
            )
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    write_table(
        table,
        Path("benchmarks/results"),
        "glm_paths",
        title="GLM paths: MAP vs LogisticRegression / PoissonRegressor",
        notes=[
            f"{N_VALUES} values per path; both sides judged by the same KKT residual "
            "(relative to the gradient at the prior centre); "
            "saga rows (l1, elastic net) use the error bound sklearn's certificate allows",
            "BLAS pinned to one thread; times in seconds, the MAP path after its build+compile; "
            "map_vs_sklearn_time < 1: regprior faster",
        ],
    )
    return 0 if table["passed"].all() else 1


if __name__ == "__main__":
    sys.exit(main())
