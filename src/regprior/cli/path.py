"""``regprior path``: the MAP over an alpha grid against sklearn's path, alpha by alpha."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from regprior import registry
from regprior.cli import _options, _output


def add_parser(commands) -> None:
    command = commands.add_parser(
        "path",
        help="MAP path over an alpha grid (one compile) vs sklearn's path, with optional "
        "posteriors",
        description=(
            "Solve the MAP at every alpha of a grid on one compiled model and compare it with "
            "sklearn's lasso_path / Ridge, alpha by alpha. Exit status: 0 agreement at every "
            "alpha, 1 a disagreement, 2 bad input, 3 an internal error."
        ),
    )
    _options.add_debug_option(command, default=argparse.SUPPRESS)
    _options.add_data_options(command)
    command.add_argument("--n-alphas", type=int, default=50, help="grid length (default: 50)")
    command.add_argument(
        "--eps",
        type=float,
        help="smallest alpha / largest (default: lasso 1e-3; ridge spans its eigenvalues)",
    )
    command.add_argument(
        "--posterior-alphas",
        type=int,
        default=0,
        help="sample NUTS at this many grid alphas (default: 0)",
    )
    command.add_argument(
        "--out",
        type=Path,
        help="folder for path_<prior>.{md,csv,png} and posterior_path_<prior>.csv",
    )


@dataclass(frozen=True)
class Job:
    """What ``path`` runs once its input is accepted: each family's grid and fixed strength."""

    args: argparse.Namespace
    data: object
    likelihood: object
    grids: dict
    fixed: dict
    settings: dict


def prepare(args) -> Job:
    """Check the flags, load the data and build every family's grid (all before any fit)."""
    from regprior.checks.paths import alpha_grid

    _options.check_out(args.out)
    if args.posterior_alphas < 0:
        raise ValueError(f"--posterior-alphas must be >= 0; got {args.posterior_alphas}.")
    settings = _options.sampler_settings(args, {})
    _options.check_sampler(settings)
    fit_intercept = not args.no_intercept
    likelihood_family = args.likelihood or registry.likelihood_families()[0]
    data, likelihood = _options.load(args, likelihood_family, fit_intercept)
    rows = {
        family: registry.pairing(family, likelihood.family)
        for family in _options.families(args, likelihood_family, command="path")
    }
    fixed = {
        family: _options.fixed_strength(args, row, row.defaults) for family, row in rows.items()
    }
    grids = {
        family: alpha_grid(
            data,
            family,
            fit_intercept=fit_intercept,
            mu=args.prior_mu,
            n_alphas=args.n_alphas,
            eps=args.eps,
            fixed=fixed[family],
            likelihood=likelihood,
        )
        for family in rows
    }
    if args.posterior_alphas > args.n_alphas:
        raise ValueError(
            f"--posterior-alphas ({args.posterior_alphas}) exceeds --n-alphas ({args.n_alphas})."
        )
    return Job(args, data, likelihood, grids, fixed, settings)


def run(job: Job) -> int:
    """Solve and compare every family's path (and its posteriors), print and write."""
    from regprior.checks.paths import (
        compare_paths,
        cross_validation_marks,
        path_for_data,
        posterior_alpha_picks,
        posterior_path,
        sklearn_path,
    )
    from regprior.report.plots import plot_path
    from regprior.report.tables import path_markdown, paths_csv, paths_json
    from regprior.report.terminal import make_console, print_paths

    args, data, likelihood, fixed = job.args, job.data, job.likelihood, job.fixed
    fit_intercept = not args.no_intercept
    results = {}
    for family, alphas in job.grids.items():
        options = {"fit_intercept": fit_intercept, "mu": args.prior_mu, "fixed": fixed[family]}
        path, model = path_for_data(data, family, likelihood, alphas, **options)
        comparison = compare_paths(
            path,
            sklearn_path(data, family, alphas, likelihood=likelihood.family, **options),
            model=model,
        )
        posterior = None
        if args.posterior_alphas:
            posterior = posterior_path(
                model,
                posterior_alpha_picks(alphas, args.posterior_alphas),
                fixed=fixed[family],
                **job.settings,
            )
        results[family] = (comparison, posterior)
    comparisons = {family: c for family, (c, _) in results.items()}
    printers = {
        "markdown": lambda: "\n".join(path_markdown(c, likelihood) for c in comparisons.values()),
        "csv": lambda: paths_csv(comparisons),
        "json": lambda: paths_json(comparisons, likelihood),
    }
    if args.format == "table":
        print_paths(comparisons, make_console(), verbose=args.verbose)
    else:
        print(printers[args.format]())
    if args.out is not None:
        files = {}
        for family, (comparison, posterior) in results.items():
            files[f"path_{family}.md"] = path_markdown(comparison, likelihood)
            files[f"path_{family}.csv"] = comparison.to_frame().to_csv()
            marks = cross_validation_marks(
                data, family, likelihood, fit_intercept=fit_intercept, fixed=fixed[family]
            )
            files[f"path_{family}.png"] = _output.figure_writer(
                lambda c=comparison, p=posterior, m=marks: plot_path(c, p, marks=m)
            )
            if posterior is not None:
                files[f"posterior_path_{family}.csv"] = posterior.to_csv(index=False)
        _output.write_run(args.out, files)
    return 0 if all(c.passed for c in comparisons.values()) else 1
