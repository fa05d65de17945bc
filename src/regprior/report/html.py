"""HTML: notebook display of results and the one self-contained report of a run (formatting only).

The result objects' ``_repr_html_`` call the ``*_html`` functions here: pandas' Styler tables
with significant digits, flagged rows highlighted, the verdict as a coloured banner.
:func:`render_report` builds ``report.html`` from the files a run wrote (``comparison.json``,
the PNG figures, the path, alpha-choice and LOO tables when present), with every figure embedded
as a data URI: the file opens anywhere, offline, alone.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from regprior.report.lines import sampler_line, verdict_line, verdict_status

__all__ = [
    "VERDICT_COLOURS",
    "styled_table",
    "verdict_banner",
    "comparison_html",
    "map_result_html",
    "posterior_html",
    "path_comparison_html",
    "frame_html",
    "render_report",
    "REPORT_NAME",
]

REPORT_NAME = "report.html"
#: Banner colours (text, background): passed, failed, warning (unhealthy sampler, flags).
VERDICT_COLOURS = {
    "passed": ("#0b4f1c", "#d8f3dc"),
    "failed": ("#7a1010", "#fbdada"),
    "warning": ("#6b4a00", "#fff1c9"),
}
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1200px; color: #1d1d1f; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.meta { color: #555; font-size: 0.9rem; }
.verdict { padding: 0.6rem 0.9rem; border-radius: 6px; font-weight: 600; margin: 0.6rem 0; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.6rem 0; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #e5e5e5; text-align: right;
         white-space: nowrap; }
.scroll { overflow-x: auto; }
th { background: #f5f5f7; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.4rem 0; }
code { background: #f5f5f7; padding: 0 0.25rem; border-radius: 3px; }
"""


def _digits(value, significant: int = 4) -> str:
    if isinstance(value, (bool, np.bool_)) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (int, np.integer)):
        return str(value)
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return "" if np.isnan(value) else str(value)
        return f"{value:.{significant}g}"
    return html.escape(str(value))


def styled_table(
    frame: pd.DataFrame,
    *,
    flag_column: str | None = "flags",
    index: bool = True,
    significant: int = 4,
) -> str:
    """A frame as an HTML table (pandas Styler): ``significant`` digits, flagged rows tinted."""
    # A uuid from the content, not pandas' random one: the same run renders the same page.
    uuid = hashlib.sha1(frame.to_csv().encode()).hexdigest()[:10]
    styler = frame.style.set_uuid(uuid).format(lambda v: _digits(v, significant))
    if flag_column and flag_column in frame:
        tint = f"background-color: {VERDICT_COLOURS['warning'][1]}"
        styler = styler.apply(lambda row: [tint if row[flag_column] else "" for _ in row], axis=1)
    if not index:
        styler = styler.hide(axis="index")
    return f'<div class="scroll">{styler.to_html()}</div>'


def verdict_banner(passed: bool | None, text: str, *, warning: bool = False) -> str:
    """A coloured line: green passed, red failed, amber for a warning (unhealthy sampler,
    undecided verdict)."""
    kind = "warning" if warning and passed else ("passed" if passed else "failed")
    foreground, background = VERDICT_COLOURS[kind]
    style = f"color:{foreground};background:{background}"
    return f'<div class="verdict" style="{style}">{html.escape(text)}</div>'


def _sampler_text(diagnostics: dict | None) -> str | None:
    return None if diagnostics is None else sampler_line(diagnostics)


def _record_section(name: str, record: dict, figures: dict, *, level: int = 2) -> str:
    """One model of ``comparison.json``: mapping, verdict, sampler line, table, its figure."""
    mapping = record["mapping"]
    strength = ", ".join(
        f"{k} = {mapping[k]:.4g}"
        for k in ("alpha", "C", "l1_ratio")
        if isinstance(mapping.get(k), float)
    )
    parameters = ", ".join(f"{k} = {v:.4g}" for k, v in mapping["prior_parameters"].items())
    prior = f"{mapping['family'].capitalize()}({parameters})"
    parts = [
        f"<h{level}>{html.escape(name)}: {html.escape(prior)} prior &harr; "
        f"{html.escape(mapping['sklearn_estimator'])}({html.escape(strength)})</h{level}>",
        f'<p class="meta">strength chosen by: {html.escape(str(mapping["alpha_source"]))}; '
        f"N = sum of weights = {mapping['weight_sum']:.6g}; intercept: "
        f"{'flat prior' if mapping['fit_intercept'] else 'none'}</p>",
    ]
    verdict = record["verdict"]
    sampler = _sampler_text(record.get("diagnostics"))
    unhealthy = record.get("diagnostics") is not None and not record["diagnostics"]["healthy"]
    undecided = verdict_status(verdict) == "UNDECIDED"
    parts.append(
        verdict_banner(
            verdict["passed"] or undecided, "verdict: " + verdict_line(verdict), warning=undecided
        )
    )
    if sampler:
        parts.append(verdict_banner(not unhealthy, sampler))
    rows = record["coefficients"] + ([record["intercept"]] if record.get("intercept") else [])
    counterpart = verdict.get("counterpart") or "sklearn"
    parts.append(styled_table(_compact(pd.DataFrame(rows).set_index("feature"), counterpart)))
    figure = figures.get(f"posterior_{name}.png")
    if figure:
        parts.append(
            f'<img alt="posterior of {html.escape(name)} with the MAP and sklearn lines" '
            f'src="{figure}">'
        )
    return "\n".join(parts)


def _sparse_section(record: dict, figures: dict) -> str:
    """A ``compare --sparse`` entry of ``comparison.json``: no verdict, its shrinkage instead."""
    name = record["name"]
    diagnostics = record["diagnostics"]
    frame = pd.DataFrame(record["coefficients"]).set_index("coefficient")
    frame["94% HDI"] = [
        f"[{_digits(lo)}, {_digits(hi)}]"
        for lo, hi in zip(frame.pop("hdi_low"), frame.pop("hdi_high"), strict=True)
    ]
    frame["kappa 3%-97%"] = [
        f"[{_digits(lo)}, {_digits(hi)}]"
        for lo, hi in zip(frame.pop("kappa_low"), frame.pop("kappa_high"), strict=True)
    ]
    frame = frame.rename(columns={"median": "posterior median", "kappa": "kappa median"})
    order = list(record["lasso_support"]) + [
        "posterior median",
        "94% HDI",
        "kappa median",
        "kappa 3%-97%",
        "kept",
        "r_hat",
        "ess_bulk",
        "flags",
    ]
    parts = [
        f"<h2>{html.escape(name)}: a sparse prior without a penalty twin</h2>",
        f'<p class="meta">{html.escape(record["spec"])}</p>',
        "<p>Its density is infinite at zero: no posterior mode, so no sklearn twin and no "
        "verdict. Its answer to &ldquo;which weights matter?&rdquo; is each weight's shrinkage "
        "factor kappa<sub>j</sub> (1: pulled to zero; kept: posterior median below 1/2), set "
        "beside the Lasso's exact zeros at the strengths compared above, and m<sub>eff</sub> = "
        "&sum;(1 &minus; kappa<sub>j</sub>) beside the Lasso's support size "
        "(docs/specification.md, &ldquo;Horseshoe&rdquo;).</p>",
        verdict_banner(diagnostics["healthy"], _sampler_text(diagnostics)),
        f"<p>{html.escape(record['summary'])}</p>",
        styled_table(frame[[c for c in order if c in frame]]),
    ]
    figure = figures.get(f"shrinkage_{name}.png")
    if figure:
        parts.append(
            f'<img alt="kappa of {html.escape(name)} beside the Lasso\'s zeros" src="{figure}">'
        )
    if record.get("loo"):
        loo = pd.DataFrame(record["loo"]).set_index("model")
        loo["flags"] = loo["flags"].fillna("").astype(str)
        parts += [
            "<p>Without a twin, prediction is what can be compared: PSIS-LOO of its posterior "
            "beside the twins' (each pointwise log likelihood from the draws; flagged: a Pareto "
            "k above its threshold or an unhealthy sampler).</p>",
            styled_table(loo),
        ]
    return "\n".join(parts)


#: The columns shown (the CSV and JSON files keep every column), in order, with their headers.
COMPACT_COLUMNS = {
    "sklearn": "sklearn",
    "map": "MAP",
    "abs_diff": "|MAP - sklearn|",
    "reference": "reference",
    "reference_abs_diff": "|MAP - reference|",
    "tolerance": "tolerance",
    "exact_mean": "exact mean",
    "posterior_mean": "posterior mean",
    "hdi": "94% HDI",
    "p_near_centre": "P(near 0)",
    "r_hat": "r_hat",
    "ess_bulk": "bulk ESS",
    "flags": "flags",
}


def _compact(frame: pd.DataFrame, counterpart: str = "sklearn") -> pd.DataFrame:
    """The shown columns, the twin's headed by its library (``counterpart``: sklearn or skglm)."""
    frame = frame.copy()
    if "hdi_low" in frame:
        frame["hdi"] = [
            f"[{_digits(lo)}, {_digits(hi)}]"
            for lo, hi in zip(frame["hdi_low"], frame["hdi_high"], strict=True)
        ]
    headers = {
        **COMPACT_COLUMNS,
        "sklearn": counterpart,
        "abs_diff": f"|MAP - {counterpart}|",
    }
    columns = [c for c in headers if c in frame]
    return frame[columns].rename(columns=headers)


def comparison_html(comparison) -> str:
    """Notebook display of a :class:`~regprior.checks.comparison.Comparison` (no figure)."""
    record = json.loads(json.dumps(comparison.to_dict(), default=float))
    return _record_section(comparison.data_name, record, {}, level=4)


def map_result_html(result) -> str:
    frame = pd.DataFrame(
        {"coef": result.coef, "centre": result.centre},
        index=[f"beta[{j}]" for j in range(len(result.coef))],
    )
    line = (
        f"MAP: KKT residual {result.kkt_residual:.1e} "
        f"({'converged' if result.converged else 'NOT converged'}), "
        f"{result.n_newton} Newton steps, {result.n_iter} sweeps, "
        f"intercept {result.intercept:.6g}, "
        f"{int(np.sum(result.coef == result.centre))} weights exactly at the prior centre"
    )
    return verdict_banner(result.converged, line) + styled_table(frame, flag_column=None)


def posterior_html(posterior) -> str:
    line = _sampler_text(posterior.diagnostics())
    return verdict_banner(posterior.healthy, line) + styled_table(
        posterior.summary, flag_column=None
    )


def path_comparison_html(comparison) -> str:
    table = comparison.table
    line = (
        f"{comparison.map_path.family} path, {len(table)} values of "
        f"{comparison.map_path.parameter}: {'PASSED' if comparison.passed else 'FAILED'} | "
        f"worst |MAP - sklearn| {table['max_abs_diff'].max():.2e}, "
        f"supports equal at {int(table['support_match'].sum())}/{len(table)}"
    )
    return verdict_banner(comparison.passed, line) + styled_table(
        table, flag_column=None, index=False
    )


def frame_html(
    frame: pd.DataFrame, title: str | None = None, *, flag_column: str | None = "flags"
) -> str:
    """Any result table (alpha choice, LOO) with a title."""
    head = f"<h4>{html.escape(title)}</h4>" if title else ""
    return head + styled_table(frame, flag_column=flag_column, index=False)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _environment() -> str:
    from importlib.metadata import PackageNotFoundError, version

    names = ("regprior", "pymc", "pytensor", "nutpie", "arviz", "scikit-learn", "numpy", "pandas")
    versions = []
    for name in names:
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return (
        f"Python {platform.python_version()} on {platform.machine()} ({platform.system()}), "
        f"{__import__('os').cpu_count()} cores; " + ", ".join(versions)
    )


def render_report(run_dir, *, name: str | None = None) -> str:
    """``report.html`` of the run whose files are in ``run_dir``: one self-contained page.

    Reads ``comparison.json`` (required: the mapping, verdicts and tables), every
    ``posterior_<model>.png``, ``forest.png``, ``path_<family>.{csv,png}``,
    ``alpha_choice.{csv,png}``, ``loo.csv`` / ``loo_compare.png`` when present. Raises
    ValueError naming what is missing or unreadable.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ValueError(f"run folder {str(run_dir)!r} does not exist or is not a folder.")
    source = run_dir / "comparison.json"
    sections_found = [
        name for name in ("alpha_choice.csv", "loo.csv") if (run_dir / name).is_file()
    ]
    sections_found += [path.name for path in run_dir.glob("path_*.csv")]
    if not source.is_file() and not sections_found:
        raise ValueError(
            f"{str(run_dir)!r} has no comparison.json, path_*.csv, alpha_choice.csv or loo.csv: "
            "it is not the output folder of a regprior command."
        )
    records, sparse, data = [], [], {"name": name or run_dir.name}
    if source.is_file():
        try:
            document = json.loads(source.read_text())
            records, data = document["comparisons"], document.get("data", data)
            sparse = document.get("sparse", [])
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(
                f"{str(source)!r} is not a regprior comparison.json ({error})."
            ) from None
    figures = {path.name: _data_uri(path) for path in sorted(run_dir.glob("*.png"))}
    shape = (
        f" ({data['n_samples']} samples, {data['n_features']} features)"
        if "n_samples" in data
        else ""
    )
    sections = [
        f"<h1>regprior: {html.escape(str(data.get('name', 'data')))}{shape}</h1>",
        f'<p class="meta">{html.escape(_environment())}</p>',
    ]
    if records:
        statuses = [verdict_status(record["verdict"]) for record in records]
        passed = all(status == "PASSED" for status in statuses)
        failed = "FAILED" in statuses
        summary = "ALL PASSED" if passed else ("FAILED" if failed else "UNDECIDED")
        sections += [
            verdict_banner(
                not failed,
                f"{summary}: "
                + "; ".join(
                    f"{r['model']} {status.lower() if status == 'PASSED' else status}"
                    for r, status in zip(records, statuses, strict=True)
                ),
                warning=not passed and not failed,
            ),
            "<p>Each prior's MAP is the sklearn estimator's solution through the exact map of the "
            "strength (docs/specification.md, &ldquo;Every map in one table&rdquo;): "
            "Normal(sd tau) &harr; "
            "Ridge(alpha = sigma&sup2;/tau&sup2;), Laplace(scale s) &harr; "
            "Lasso(alpha = sigma&sup2;/(N s)). The tables put sklearn's coefficients, the MAP, "
            "their difference and the NUTS posterior side by side (and, where sklearn's solver "
            "stops short of the optimum, an exact second reference, skglm's); the figures draw "
            "the MAP (solid) and sklearn (dashed) on each posterior.</p>",
        ]
    for record in records:
        sections.append(_record_section(record["model"], record, figures))
    for record in sparse:
        sections.append(_sparse_section(record, figures))
    if "forest.png" in figures:
        sections.append(
            f'<h2>All priors side by side</h2><img alt="forest plot" src="{figures["forest.png"]}">'
        )
    for path in sorted(run_dir.glob("path_*.csv")):
        family = path.stem.removeprefix("path_")
        frame = pd.read_csv(path)
        columns = [
            c
            for c in (
                "alpha",
                "C",
                "max_abs_diff",
                "agree",
                "support_match",
                "n_active_map",
                "kkt_residual",
            )
            if c in frame
        ]
        sections.append(f"<h2>Regularisation path: {html.escape(family)}</h2>")
        if f"path_{family}.png" in figures:
            sections.append(
                f'<img alt="path of the {html.escape(family)} prior" '
                f'src="{figures[f"path_{family}.png"]}">'
            )
        sections.append(styled_table(frame[columns], flag_column=None, index=False))
    if (run_dir / "alpha_choice.csv").is_file():
        sections.append("<h2>Choosing alpha: cross-validation, evidence, full Bayes</h2>")
        if "alpha_choice.png" in figures:
            sections.append(f'<img alt="alpha choice" src="{figures["alpha_choice.png"]}">')
        sections.append(
            styled_table(pd.read_csv(run_dir / "alpha_choice.csv"), flag_column=None, index=False)
        )
    if (run_dir / "loo.csv").is_file():
        sections.append("<h2>Predictive comparison (PSIS-LOO)</h2>")
        loo = pd.read_csv(run_dir / "loo.csv")
        for column in ("flags", "engine_note"):
            if column in loo:  # empty text reads back as NaN (a float column when all empty)
                loo[column] = loo[column].astype(object).fillna("").astype(str)
        sections.append(styled_table(loo, index=False))
        if "loo_compare.png" in figures:
            sections.append(f'<img alt="LOO comparison" src="{figures["loo_compare.png"]}">')
    body = "\n".join(sections)
    title = f"regprior report: {html.escape(str(data.get('name', 'data')))}"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
