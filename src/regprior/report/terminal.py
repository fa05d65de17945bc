"""Terminal output of the commands: rich tables that fit 100 columns, coloured verdicts, progress.

Formatting only (every number comes from the results). Colour and the progress spinner are
used only on a terminal; piped output is plain text with the same content. No cell of a table
ever wraps: every number takes at most :data:`NUMBER_WIDTH` characters, a feature name longer
than :data:`NAME_WIDTH` ends in an ellipsis, text columns (flags, sampler health) are written
beneath the table, one line per row, and columns that do not fit the width continue in a second
block below, the row names repeated.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import pandas as pd

from regprior.report.lines import sampler_line, verdict_line

__all__ = [
    "MAX_WIDTH",
    "NAME_WIDTH",
    "SIGNIFICANT_DIGITS",
    "format_number",
    "make_console",
    "print_choices",
    "print_comparisons",
    "print_frame",
    "print_loo",
    "print_paths",
    "print_sparse",
    "progress",
]

#: The widest the output gets, whatever the terminal (README: fits 100 columns).
MAX_WIDTH = 100
#: Significant digits of every number in a terminal table (the files keep every digit).
SIGNIFICANT_DIGITS = 4
#: Below this magnitude a number is written in scientific notation: ``-1.234e-4``, not
#: ``-0.0001234`` (so no number is wider than :data:`NUMBER_WIDTH`).
SCIENTIFIC_BELOW = 1e-3
#: The widest a number gets for magnitudes in [1e-9, 1e10): sign, digits, point and ``e-N``
#: (``-0.001234``, ``-1.234e-4``, ``-1.234e4``).
NUMBER_WIDTH = SIGNIFICANT_DIGITS + 5
#: The widest a feature name gets in ``compare``'s table; longer names end in "…".
NAME_WIDTH = 16
#: Columns of ``compare``'s table shown by default (``--verbose`` shows every column); where a
#: second reference judged the MAP, ``reference`` and ``|MAP-ref|`` take the place of ``|diff|``.
COMPACT_COLUMNS = {
    "coefficient": "coefficient",
    "sklearn": "sklearn",
    "map": "MAP",
    "abs_diff": "|diff|",
    "reference": "reference",
    "reference_abs_diff": "|MAP-ref|",
    "posterior_mean": "post. mean",
    "hdi": "94% HDI",
    "p_near_centre": "P(near 0)",
}
#: Columns of ``path``'s table shown by default.
PATH_COLUMNS = {
    "max_abs_diff": "max |diff|",
    "tolerance": "tolerance",
    "agree": "agree",
    "support_match": "same support",
    "n_active_map": "active MAP",
    "n_active_sklearn": "active sklearn",
    "kkt_residual": "KKT MAP",
    "sklearn_certificate": "KKT sklearn",
}
#: Columns of ``loo``'s table shown by default.
LOO_COLUMNS = {
    "model": "model",
    "elpd_loo": "elpd_loo",
    "se": "se",
    "p_loo": "p_loo",
    "elpd_diff": "elpd_diff",
    "dse": "dse",
    "weight": "weight",
    "pareto_k_max": "max k",
    "engine": "engine",
    "elpd_cv_sklearn": "sklearn LOO-CV",
}
#: Columns of ``choose``'s table shown by default.
CHOOSE_COLUMNS = {
    "estimator": "estimator",
    "way": "way",
    "alpha": "alpha",
    "interval": "94% interval",
}
#: Text columns written beneath a table, one line per row that has one, not in a cell.
NOTE_COLUMNS = {"flags": "flags", "sampler": "sampler", "engine_note": "engine"}


def make_console(*, stderr: bool = False, width: int | None = None):
    """A rich Console no wider than :data:`MAX_WIDTH` (plain text when not a terminal)."""
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=False)
    # rich assumes 80 columns when piped: use the full MAX_WIDTH there, the terminal's if narrower.
    console.width = min(width or (console.width if console.is_terminal else MAX_WIDTH), MAX_WIDTH)
    return console


def format_number(value, digits: int = SIGNIFICANT_DIGITS) -> str:
    """A table cell: ``digits`` significant digits, scientific below 1e-3 and from 1e4.

    ``0.6078``, ``-0.02856``, ``1234``, ``-1.234e-4``, ``1.235e4``, ``1.11e-16`` (trailing zeros
    dropped, exponents without ``+`` or leading zeros); integers and text as they are, booleans
    ``yes`` / ``no``, a missing number (None, NaN) empty.
    """
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return ""
    if math.isinf(value) or value == 0:
        return f"{value:g}"
    text = f"{value:.{digits}g}"
    if "e" in text or abs(value) < SCIENTIFIC_BELOW:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}e{int(exponent)}"
    return text


def interval_cells(low, high) -> list[str]:
    """``[low, high]`` per row, each end right-aligned to the widest of its column."""
    lows, highs = [format_number(v) for v in low], [format_number(v) for v in high]
    width_low = max(map(len, lows), default=0)
    width_high = max(map(len, highs), default=0)
    return [
        f"[{lo:>{width_low}}, {hi:>{width_high}}]" if lo or hi else ""
        for lo, hi in zip(lows, highs, strict=True)
    ]


def _truncate(text: str, width: int | None) -> str:
    from rich.cells import cell_len

    if width is None or cell_len(text) <= width:
        return text
    return text[: width - 1] + "…"


def _blocks(widths: list[int], width: int) -> tuple[list[list[int]], int]:
    """Columns 1.. packed into blocks that fit ``width`` beside column 0, and the gap between
    columns: 2 spaces, or 1 if that keeps the table in one block."""
    for gap in (2, 1):
        if sum(widths) + gap * (len(widths) - 1) <= width:
            return [list(range(1, len(widths)))], gap
    gap, blocks, used = 2, [[]], widths[0]
    for index in range(1, len(widths)):
        if blocks[-1] and used + gap + widths[index] > width:
            blocks.append([])
            used = widths[0]
        blocks[-1].append(index)
        used += gap + widths[index]
    return blocks, gap


def print_frame(
    frame,
    console,
    *,
    columns: dict | None = None,
    name_width: int | None = None,
    styles=None,
    note_names=None,
) -> None:
    """``frame``'s rows as a table no cell of which wraps, then its text columns, one line each.

    ``columns`` (key: label, the first key the row name) picks and orders the columns shown
    (default: every column, under its own name); a missing key is skipped. The row name is cut
    at ``name_width`` with an ellipsis; columns past the console's width continue in another
    block below, the row names repeated. The columns of :data:`NOTE_COLUMNS` are written beneath
    the table as ``flags <row>: <text>``, one line per row that has one (``<row>`` from
    ``note_names`` if given). ``styles``: a rich style per row (or None).
    """
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    if columns is None:
        columns = {key: str(key) for key in frame.columns}
    columns = {key: label for key, label in columns.items() if key in frame}
    notes = {key: label for key, label in NOTE_COLUMNS.items() if key in frame}
    keys = [key for key in columns if key not in notes]
    styles = list(styles) if styles is not None else [None] * len(frame)
    cells = {key: [format_number(v) for v in frame[key]] for key in keys}
    name = keys[0]
    cells[name] = [_truncate(text, name_width) for text in cells[name]]
    text_columns = {key for key in keys if not pd.api.types.is_numeric_dtype(frame[key])}
    widths = [max([cell_len(columns[key]), *map(cell_len, cells[key])]) for key in keys]
    blocks, gap = _blocks(widths, console.width)
    for number, block in enumerate(blocks):
        table = Table(
            box=None,
            pad_edge=False,
            show_edge=False,
            header_style="bold",
            collapse_padding=gap == 1,
            padding=(0, 1),
        )
        for index in [0, *block]:
            key = keys[index]
            justify = "left" if key in text_columns else "right"
            table.add_column(
                columns[key],
                justify=justify,
                no_wrap=True,
                overflow="ellipsis",
            )
        for row, style in enumerate(styles):
            table.add_row(*(cells[keys[index]][row] for index in [0, *block]), style=style)
        if number:
            console.print()
        console.print(table)
    names = [str(v) for v in (frame[name] if note_names is None else note_names)]
    for key, label in notes.items():
        for row, text in zip(names, frame[key], strict=True):
            if isinstance(text, str) and text:
                console.print(Text(f"{label} {row}: {text}", style="yellow"))


def _comparison_frame(comparison, verbose: bool):
    """``compare``'s table with its row names as a column (and, compact, the HDI in one cell)."""
    frame = comparison.table.reset_index()
    if verbose:
        return frame, None
    if "hdi_low" in frame:
        frame["hdi"] = interval_cells(frame["hdi_low"], frame["hdi_high"])
    columns = dict(COMPACT_COLUMNS)
    # The twin's column is headed by its library: "skglm" for a penalty sklearn has not.
    columns["sklearn"] = comparison.verdict.counterpart
    if "reference" in frame:  # the MAP is judged against the second reference
        columns.pop("abs_diff")
    columns["flags"] = "flags"
    return frame, columns


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
            parameters = ", ".join(f"{k} {format_number(v)}" for k, v in c.prior.parameters.items())
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
            frame, columns = _comparison_frame(c, verbose=verbosity > 1)
            styles = [
                "yellow" if flags else None for flags in frame.get("flags", [""] * len(frame))
            ]
            print_frame(frame, console, columns=columns, name_width=NAME_WIDTH, styles=styles)
            console.print()


def print_sparse(sparse: dict, console, *, verbosity: int = 1) -> None:
    """``compare --sparse``: per sparse prior a rule, its sampler and m_eff lines, its table.

    The table: the Lasso's coefficient at each compared strength (0: an exact zero), the
    posterior median and 94% HDI of the weight, the posterior median and 3%-97% interval of
    ``kappa_j``; ``verbosity`` as for :func:`print_comparisons`.
    """
    from rich.rule import Rule
    from rich.text import Text

    for name, s in sparse.items():
        healthy = s.posterior.healthy
        if verbosity > 0:
            console.print(Rule(f"{name}: {s.spec!r}", style="dim"))
            console.print(
                Text(
                    "no posterior mode: no sklearn twin and no verdict; kappa_j (1: shrunk to 0) "
                    "beside the Lasso's exact zeros",
                    style="dim",
                )
            )
        console.print(
            Text(sampler_line(s.diagnostics(), name), style="green" if healthy else "bold yellow")
        )
        console.print(Text(f"{name}: {s.summary_line()}"))
        if verbosity == 0:
            continue
        frame = s.table.reset_index()
        if verbosity > 1:
            columns = None
        else:
            frame["hdi"] = interval_cells(frame["hdi_low"], frame["hdi_high"])
            frame["kappa 3-97%"] = interval_cells(frame["kappa_low"], frame["kappa_high"])
            columns = {
                "coefficient": "coefficient",
                **{label: label for label in s.lasso_support},
                "median": "post. median",
                "hdi": "94% HDI",
                "kappa": "kappa",
                "kappa 3-97%": "kappa 3-97%",
                "flags": "flags",
            }
        styles = ["yellow" if flags else None for flags in frame["flags"]]
        print_frame(frame, console, columns=columns, name_width=NAME_WIDTH, styles=styles)
        if s.loo is not None:
            console.print(Text(f"{name} beside the twins' posteriors by PSIS-LOO:", style="dim"))
            loo = s.loo.reset_index()
            styles = ["yellow" if flags else None for flags in loo["flags"]]
            print_frame(loo, console, columns=None if verbosity > 1 else LOO_COLUMNS, styles=styles)
        console.print()


def print_paths(comparisons: dict, console, *, verbose: bool = False) -> None:
    """Per prior family of ``regprior path``: its summary line and its table, alpha by alpha."""
    from rich.text import Text

    from regprior.report.tables import path_summary_line

    for c in comparisons.values():
        console.print(Text(path_summary_line(c), style="bold green" if c.passed else "bold red"))
        frame = c.table.reset_index()
        parameter = frame.columns[0]
        columns = None if verbose else {parameter: parameter, **PATH_COLUMNS}
        styles = [None if agree else "red" for agree in frame["agree"]]
        print_frame(frame, console, columns=columns, styles=styles)
        console.print()


def print_loo(table, console, *, verbose: bool = False) -> None:
    """``regprior loo``'s table: every model (best first), its flags beneath."""
    frame = table.reset_index()
    styles = ["yellow" if flags else None for flags in frame["flags"]]
    print_frame(frame, console, columns=None if verbose else LOO_COLUMNS, styles=styles)


def print_choices(table, console, *, verbose: bool = False) -> None:
    """``regprior choose``'s table: every way of choosing alpha, the samplers' health beneath."""
    frame = table.copy()
    if not verbose and "low_3%" in frame:
        frame["interval"] = interval_cells(frame["low_3%"], frame["high_97%"])
    if "sampler" in frame:
        frame["sampler"] = frame["sampler"].where(frame["sampler"].notna(), "")
    # A row's name for its note: the estimator and the way ("Lasso, full Bayes: ...").
    names = [f"{e}, {w}" for e, w in zip(frame["estimator"], frame["way"], strict=True)]
    print_frame(frame, console, columns=None if verbose else CHOOSE_COLUMNS, note_names=names)


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
