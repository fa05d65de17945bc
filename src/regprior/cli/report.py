"""``regprior report DIR``: rebuild a run's self-contained ``report.html`` from its files."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from regprior.cli import _options, _output


def add_parser(commands) -> None:
    command = commands.add_parser(
        "report",
        help="rebuild the self-contained report.html of a run from its files",
        description=(
            "Read the --out folder of compare, path, choose or loo (comparison.json, path_*.csv, "
            "alpha_choice.csv, loo.csv and the figures; files of several commands in one folder "
            "make one report) and write DIR/report.html, every figure embedded. Exit status: "
            "0 written, 2 not a run folder, 3 an internal error."
        ),
    )
    _options.add_debug_option(command, default=argparse.SUPPRESS)
    command.add_argument(
        "run_dir", type=Path, metavar="DIR", help="the --out folder of a regprior command"
    )


@dataclass(frozen=True)
class Job:
    target: Path
    page: str


def prepare(args) -> Job:
    """Read the run's files into the page (what is missing or unreadable is bad input)."""
    from regprior.report.html import render_report

    page = render_report(args.run_dir)
    return Job(args.run_dir / _output.REPORT_NAME, page)


def run(job: Job) -> int:
    """Write the page atomically."""
    from regprior.report.output import write_atomic

    target = write_atomic(job.target, job.page)
    print(f"wrote {target}", file=sys.stderr)
    return 0
