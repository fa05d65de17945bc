"""Benchmark suite: MAP vs sklearn and NUTS vs exact over data sets x priors x settings x alphas.

Resumable (finished cells are stored under OUT/cells/ and skipped on a rerun) and parallel
(joblib processes, or a Dask cluster with --scheduler). Writes OUT/agreement.{md,csv}
(deterministic for a seed) and OUT/timings.{md,csv}.

    python benchmarks/agreement.py --out benchmarks/results/agreement
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import write_table  # noqa: E402
from regprior.checks.agreement import DATASETS, PRIORS, SETTINGS  # noqa: E402
from suite import run_suite  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/agreement"))
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--priors", nargs="+", default=list(PRIORS), choices=list(PRIORS))
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument(
        "--chains", type=int, default=4, help="NUTS chains (Vehtari et al. 2021 recommend >= 4)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-sample", action="store_true", help="MAP vs sklearn only (no NUTS)")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--scheduler", help="address of a Dask scheduler to run the cells on")
    args = parser.parse_args(argv)
    agreement, timings, wall = run_suite(
        args.out,
        datasets=args.datasets,
        priors=args.priors,
        settings=args.settings,
        seed=args.seed,
        sample=not args.no_sample,
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        n_jobs=args.n_jobs,
        scheduler=args.scheduler,
    )
    sampled = (
        ""
        if args.no_sample
        else f"; NUTS {args.draws} draws + {args.tune} tune x {args.chains} chains, "
        "seed = seed + alpha index"
    )
    worst = agreement["rel_diff"].max()
    failed = int((~agreement["passed"]).sum())
    write_table(
        agreement,
        args.out,
        "agreement",
        title="Agreement suite: MAP vs sklearn, NUTS vs exact",
        notes=[
            f"{len(agreement)} comparisons; "
            f"worst max|MAP - sklearn| / max(1, |coef|) = {worst:.1e}; "
            f"{failed} failed verdict(s)",
            "three alphas per cell: interior points of the 5-point grid "
            "(lasso: alpha_max .. 1e-3 alpha_max)",
            f"seed {args.seed}{sampled}",
            "exact_max_mcse / exact_max_sd_dev: Normal prior only, NUTS vs the conjugate posterior",
            "elastic net: l1_ratio = 0.5 (the registry default)",
        ],
    )
    write_table(
        timings,
        args.out,
        "timings",
        title="Agreement suite: timings (seconds)",
        notes=[
            f"wall time of this invocation: {wall:.1f} s with n_jobs={args.n_jobs}"
            + (f", scheduler {args.scheduler}" if args.scheduler else "")
        ],
    )
    print(
        f"{len(agreement)} comparisons, worst relative diff {worst:.1e}, "
        f"{failed} failed, wall {wall:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
