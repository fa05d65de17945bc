"""The ``regprior`` command: parse, accept or refuse the input, run, and say how it ended.

Each command module has ``add_parser`` (its flags), ``prepare`` (the boundary: parse the
values, load and check the data, build the priors and grids, check ``--out``; nothing is
written) and ``run`` (the work, the printing and the files).
"""

from __future__ import annotations

import argparse
import sys
import traceback

from regprior.cli import _options, choose, compare, loo, path, report, select

#: The commands, in the order ``regprior --help`` lists them.
COMMANDS = {
    "compare": compare,
    "path": path,
    "choose": choose,
    "loo": loo,
    "select": select,
    "report": report,
}

#: Exit statuses.
EXIT_PASSED = 0
EXIT_FAILED = 1  # a verdict failed (or a flag was raised); the outputs are written
EXIT_BAD_INPUT = 2  # refused at the boundary (argparse's usage errors too); nothing written
EXIT_INTERNAL = 3  # an exception after the input was accepted


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _options.ArgumentParser(
        prog="regprior",
        description="Bayesian priors vs scikit-learn's penalised regression.",
        epilog=(
            "Exit status: 0 every verdict passed, 1 a verdict failed or is undecided (outputs "
            "still written), "
            "2 bad input (one line on stderr, nothing written), 3 an internal error after the "
            "input was accepted (a bug in regprior, or the system's: --debug prints the "
            "traceback)."
        ),
    )
    _options.add_debug_option(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_parser(commands)
    return parser


def main(argv=None) -> int:
    """Run ``regprior`` on ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = build_parser().parse_args(argv)
    command = COMMANDS[args.command]
    prefix = f"regprior {args.command}: error:"
    try:
        job = command.prepare(args)
    except (ValueError, TypeError) as error:
        if args.debug:
            traceback.print_exc()
        print(f"{prefix} {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # any other exception is not the input's fault
        return _internal_error(args, prefix, error)
    try:
        return command.run(job)
    except Exception as error:
        return _internal_error(args, prefix, error)


def _internal_error(args, prefix: str, error: Exception) -> int:
    """Say that the run failed after its input was accepted, and whose fault that is."""
    if args.debug:
        traceback.print_exc()
    what = f"{type(error).__name__}: {error}"
    if isinstance(error, OSError):
        cause = f"a system error ({what}); check the disk, the permissions and the paths."
    else:
        cause = f"an internal error, a bug in regprior ({what}); please report it."
    hint = "" if args.debug else " Run again with --debug for the full traceback."
    print(f"{prefix} {cause}{hint}", file=sys.stderr)
    return EXIT_INTERNAL
