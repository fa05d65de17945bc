"""Terminal output of ``regprior compare``: rich tables in 100 columns, coloured verdicts, progress.

Formatting only (every number comes from the comparison). Colour and the progress spinner are
used only on a terminal; piped output is plain text with the same content.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from regprior.report.lines import sampler_line, verdict_line

__all__ = ["MAX_WIDTH", "make_console", "print_comparisons", "progress"]

#: The widest the output gets, whatever the terminal (README: fits 100 columns).
MAX_WIDTH = 100
#: Columns shown by default (``--verbose`` shows the whole table).
COMPACT_COLUMNS = {
    "sklearn": "sklearn",
    "map": "MAP",
    "abs_diff": "|diff|",
    "reference": "reference",
    "reference_abs_diff": "|MAP-ref|",
    "posterior_mean": "post. mean",
    "hdi": "94% HDI",
    "p_near_centre": "P(near 0)",
    "r_hat": "r_hat",
    "ess_bulk": "ESS",
    "flags": "flags",
}


def make_console(*, stderr: bool = False, width: int | None = None):
    """A rich Console no wider than :data:`MAX_WIDTH` (plain text when not a terminal)."""
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=False)
    # rich assumes 80 columns when piped: use the full MAX_WIDTH there, the terminal's if narrower.
    console.width = min(width or (console.width if console.is_terminal else MAX_WIDTH), MAX_WIDTH)
    return console


def _number(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (int, np.integer)):
        return str(value)
    value = float(value)
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.2e}"
    return f"{value:.4g}"


def _table(comparison, verbose: bool):
    from rich.table import Table

    frame = comparison.table.copy()
    if verbose:
        columns = {c: c for c in frame.columns}
    else:
        if "hdi_low" in frame:
            frame["hdi"] = [
                f"[{_number(lo)}, {_number(hi)}]"
                for lo, hi in zip(frame["hdi_low"], frame["hdi_high"], strict=True)
            ]
        columns = {c: label for c, label in COMPACT_COLUMNS.items() if c in frame}
    table = Table(box=None, pad_edge=False, header_style="bold", show_edge=False)
    table.add_column("coefficient", no_wrap=True)
    for column, label in columns.items():
        table.add_column(
            label, justify="left" if column in ("flags", "hdi") else "right", overflow="fold"
        )
    for name, row in frame.iterrows():
        style = "yellow" if row.get("flags") else None
        cells = [row[c] if isinstance(row[c], str) else _number(row[c]) for c in columns]
        table.add_row(str(name), *cells, style=style)
    return table


def print_comparisons(comparisons: dict, console, *, verbosity: int = 1) -> None:
    """Per comparison: a rule with the pairing, the mapping, the coloured verdict and sampler lines,
    and the table.

    ``verbosity``: 0 the verdict lines only (``--quiet``), 1 the compact table, 2 every column.
    """
    from rich.rule import Rule
    from rich.text import Text

    for name, c in comparisons.items():
        verdict = c.verdict
        if verbosity > 0:
            parameters = ", ".join(f"{k} {v:.4g}" for k, v in c.prior.parameters.items())
            console.print(
                Rule(
                    f"{name}: {c.prior.family} prior <-> {c.pairing.describe(c.strength)}",
                    style="dim",
                )
            )
            console.print(
                Text(
                    f"{c.pairing.path_parameter}: {c.alpha_source}; prior {parameters}; "
                    f"{c.likelihood.describe()}",
                    style="dim",
                )
            )
        record = verdict.to_dict()
        console.print(Text(verdict_line(record, name), style=_verdict_style(verdict)))
        if c.posterior is not None:
            console.print(
                Text(
                    sampler_line(c.posterior.diagnostics(), name),
                    style="green" if c.posterior.healthy else "bold yellow",
                )
            )
        if verbosity > 0:
            console.print(_table(c, verbose=verbosity > 1))
            console.print()


def _verdict_style(verdict) -> str:
    """Green passed; yellow undecided, or failed by the sampler alone (its own line says how);
    red failed."""
    if verdict.passed:
        return "bold green"
    if not verdict.failed or all(p.startswith("sampler") for p in verdict.problems):
        return "bold yellow"
    return "bold red"


@contextmanager
def progress(console, enabled: bool):
    """A spinner on ``console`` (stderr) whose text the caller updates; nothing if off or piped."""
    if not enabled or not console.is_terminal:
        yield lambda text: None
        return
    with console.status("") as status:
        yield lambda text: status.update(text)
