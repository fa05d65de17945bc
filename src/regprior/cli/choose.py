"""``regprior choose``: alpha by cross-validation, by evidence and by full Bayes, side by side."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from regprior.cli import _options, _output


def add_parser(commands) -> None:
    command = commands.add_parser(
        "choose",
        help="alpha by cross-validation, by evidence maximisation and by full Bayes, side by "
        "side (gaussian likelihood)",
        description=(
            "RidgeCV / LassoCV curves with their alpha and the 1-SE alpha, the type-II ML alpha "
            "of the Normal prior, and the posterior of the implied alpha under learnt-scale and "
            "Park & Casella models (NUTS). Exit status: 0 done, 1 a full-Bayes sampler was "
            "unhealthy (flagged in the table), 2 bad input, 3 an internal error."
        ),
    )
    _options.add_debug_option(command, default=argparse.SUPPRESS)
    command.add_argument(
        "--data", default="diabetes", help="an embedded data set or a CSV file (default: diabetes)"
    )
    command.add_argument("--target", help="target column of the CSV (default: its last column)")
    _options.add_sampler_options(command, defaults=_options.SAMPLER_DEFAULTS)
    _options.add_format_option(command)
    _options.add_verbose_option(command)
    command.add_argument(
        "--out",
        type=Path,
        help="folder for alpha_choice.{md,csv,png} and alpha_choice_coefficients.{md,csv}",
    )


@dataclass(frozen=True)
class Job:
    args: argparse.Namespace
    data: object
    settings: dict


def prepare(args) -> Job:
    """Check ``--out`` and the sampler flags, load the data."""
    from regprior.spec.data import load_data

    _options.check_out(args.out)
    settings = _options.sampler_settings(args, {})
    _options.check_sampler(settings)
    data = load_data(args.data, target=args.target)
    _options.warn_about_columns(data, args.command)
    return Job(args, data, settings)


def run(job: Job) -> int:
    """Choose alpha every way, print the table and write the files."""
    from regprior.checks.alpha_choice import choice_table, choose_alpha
    from regprior.report.plots import plot_alpha_choice
    from regprior.report.tables import render_frame
    from regprior.report.terminal import make_console, print_choices

    args = job.args
    choices, coefficients = choose_alpha(job.data, **job.settings)
    table = choice_table(choices)
    if args.format == "table":
        print_choices(table, make_console(), verbose=args.verbose)
    else:
        print(render_frame(table, args.format))
    if args.out is not None:
        files = {
            "alpha_choice.md": render_frame(table, "markdown"),
            "alpha_choice.csv": render_frame(table, "csv"),
            "alpha_choice.png": _output.figure_writer(lambda: plot_alpha_choice(choices)),
            "alpha_choice_coefficients.md": render_frame(coefficients, "markdown", index=True),
            "alpha_choice_coefficients.csv": render_frame(coefficients, "csv", index=True),
        }
        _output.write_run(args.out, files)
    healthy = all(
        not problems for choice in choices.values() for problems in choice.health.values()
    )
    return 0 if healthy else 1
