"""``regprior loo``: every prior compared by PSIS-LOO, its sklearn counterpart's LOO-CV beside."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from regprior import registry
from regprior.cli import _options, _output


def add_parser(commands) -> None:
    command = commands.add_parser(
        "loo",
        help="PSIS-LOO of every prior (fixed at the CV alpha, and learnt) with the sklearn "
        "counterparts' LOO-CV beside",
        description=(
            "Fit each prior family at its sklearn counterpart's CV strength and, for the gaussian "
            "likelihood, the learnt-scale Normal and Laplace and Park & Casella's Bayesian lasso "
            "(where that leaves one model, as for the poisson likelihood, the prior at 0.1, 1 and "
            "10 times its CV penalty); sample each by --engine (NUTS, Gibbs, or auto: Gibbs "
            "where the model allows it); compare them by ArviZ's PSIS-LOO (stacking weights, "
            "Pareto-k flagged), with each "
            "counterpart's exact leave-one-out log predictive density. Exit status: 0 no flags, "
            "1 a Pareto k above its threshold (0.7 from 2154 draws on) or an unhealthy sampler "
            "(flagged in the table), 2 bad input, 3 an internal error."
        ),
    )
    _options.add_debug_option(command, default=argparse.SUPPRESS)
    _options.add_data_options(
        command,
        prior_default="all",
        sparse_help="that full-Bayes model beside the 'both' families at their CV strength",
        shrinkage=False,
    )
    command.add_argument(
        "--no-full-bayes", action="store_true", help="fixed priors only (no learnt-scale models)"
    )
    command.add_argument(
        "--no-cv", action="store_true", help="skip the sklearn counterparts' leave-one-out refits"
    )
    command.add_argument(
        "--frequency-weights",
        action="store_true",
        help="with --weights: the weights count repeated observations (integers), and LOO leaves "
        "one observation out at a time (default: each weighted row is left out whole; the "
        "table's loo_unit column says which)",
    )
    _options.add_engine_option(
        command,
        where="the table's engine column names the engine of each model, and a note says why "
        "auto took NUTS",
    )
    command.add_argument("--out", type=Path, help="folder for loo.{md,csv} and loo_compare.png")


@dataclass(frozen=True)
class Job:
    args: argparse.Namespace
    data: object
    likelihood: object
    families: tuple
    settings: dict
    full_bayes: object = True


def prepare(args) -> Job:
    """Check the flags, load the data and name the families."""
    _options.check_out(args.out)
    settings = _options.sampler_settings(args, {})
    _options.check_sampler(settings)
    for flag, value in (("--prior-mu", args.prior_mu or None), ("--l1-ratio", args.l1_ratio)):
        if value is not None:
            raise ValueError(
                f"{flag} does not apply to regprior loo: it compares the priors at their defaults."
            )
    likelihood_family = args.likelihood or registry.likelihood_families()[0]
    data, likelihood = _options.load(args, likelihood_family, not args.no_intercept)
    if args.frequency_weights:
        from regprior.checks.loo import check_frequency_weights

        if data.sample_weight is None:
            raise ValueError(
                "--frequency-weights reads the --weights column as counts; give --weights."
            )
        check_frequency_weights(data)
    from regprior.checks.loo import loo_engines, loo_models

    full_bayes = _full_bayes(args)
    families, specs = loo_models(
        data,
        likelihood,
        families=_options.families(args, likelihood_family, command="loo"),
        hierarchical=full_bayes,
        weights="frequency" if args.frequency_weights else "row",
    )
    try:  # checked here, before anything is fitted: a model Gibbs cannot sample is bad input
        loo_engines(args.engine, data, likelihood, families, specs, name="--engine")
    except ValueError as error:
        # A sparse --prior is the one full-Bayes model asked for: it cannot be left out.
        leave_out = "" if full_bayes not in (True, False) else ", or leave it out (--prior, "
        leave_out += "--no-full-bayes)" if leave_out else ""
        raise ValueError(f"{error} Use --engine auto to sample it by NUTS{leave_out}.") from None
    return Job(args, data, likelihood, families, settings, full_bayes)


def _full_bayes(args):
    """The full-Bayes models: none (``--no-full-bayes``), the sparse ``--prior``, or all."""
    if args.prior in _options.sparse_kinds(shrinkage=False):
        if args.no_full_bayes:
            raise ValueError(f"--prior {args.prior} is a full-Bayes model: drop --no-full-bayes.")
        return (args.prior,)
    return not args.no_full_bayes


def run(job: Job) -> int:
    """Fit and compare every model, print the table and write the files."""
    from regprior.checks.loo import loo_for_data
    from regprior.report.plots import plot_loo
    from regprior.report.tables import render_frame
    from regprior.report.terminal import make_console, print_loo

    args = job.args
    comparison = loo_for_data(
        job.data,
        job.likelihood,
        families=job.families,
        hierarchical=job.full_bayes,
        cv=not args.no_cv,
        fit_intercept=not args.no_intercept,
        weights="frequency" if args.frequency_weights else "row",
        engine=args.engine,
        **job.settings,
    )
    table = comparison.table.reset_index()
    if args.format == "table":
        print_loo(comparison.table, make_console(), verbose=args.verbose)
    else:
        print(render_frame(table, args.format))
    if args.out is not None:
        files = {
            "loo.md": render_frame(table, "markdown"),
            "loo.csv": render_frame(table, "csv"),
            "loo_compare.png": _output.figure_writer(lambda: plot_loo(comparison)),
        }
        _output.write_run(args.out, files)
    return 0 if not any(comparison.table["flags"]) else 1
