"""Drawing and formatting of a variable selection: the elpd-vs-size figure and the report section.

Formatting only: every number comes from a :class:`~regprior.selection.VariableSelection`.
"""

from __future__ import annotations

import base64
import html
import textwrap

import numpy as np
import pandas as pd

from regprior.report.html import _CSS, _environment, styled_table, verdict_banner
from regprior.report.lines import ENGINE_NAMES

__all__ = [
    "plot_selection",
    "selection_line",
    "selection_html",
    "selection_section",
    "render_selection_report",
    "selection_record",
]

#: Colours: PSIS-LOO along the full-data search, K-fold CV of the search, the reference.
COLOURS = {"loo": "tab:blue", "cv": "tab:orange", "reference": "0.35"}


def plot_selection(selection):
    """elpd by submodel size (LOO and CV) with the reference's one-SE band, and the difference
    to the reference with its SE; the suggested size marked."""
    import matplotlib.pyplot as plt

    table = selection.table
    sizes = table.index.to_numpy()
    fig, axes = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for source, label in (("loo", "PSIS-LOO, full-data search"), ("cv", "K-fold CV of the search")):
        if f"elpd_{source}" not in table:
            continue
        offset = -0.08 if source == "loo" else 0.08
        axes[0].errorbar(
            sizes + offset,
            table[f"elpd_{source}"],
            yerr=table[f"se_{source}"],
            marker="o",
            ms=4,
            capsize=2,
            color=COLOURS[source],
            label=label,
        )
        axes[1].errorbar(
            sizes + offset,
            table[f"diff_{source}"],
            yerr=table[f"diff_se_{source}"],
            marker="o",
            ms=4,
            capsize=2,
            color=COLOURS[source],
            label=label,
        )
        if source in selection.reference_elpd:
            elpd, se = selection.reference_elpd[source]
            axes[0].axhspan(elpd - se, elpd + se, color=COLOURS[source], alpha=0.12)
            axes[0].axhline(elpd, color=COLOURS[source], ls="--", lw=1)
    axes[1].axhline(0.0, color=COLOURS["reference"], ls="--", lw=1, label="reference")
    if selection.suggested_size is not None:
        for axis in axes:
            axis.axvline(selection.suggested_size, color="black", lw=1, ls=":")
        axes[1].annotate(
            f"suggested size {selection.suggested_size}",
            (selection.suggested_size, 0.0),
            xytext=(6, -14),
            textcoords="offset points",
            fontsize=9,
        )
    labels = [
        str(k) if not name else f"{k}\n{name}"
        for k, name in zip(sizes, table["feature"], strict=True)
    ]
    axes[1].set_xticks(sizes, labels, rotation=90 if len(sizes) > 12 else 0, fontsize=8)
    axes[0].set_ylabel("elpd (reference: dashed, band one SE)")
    axes[1].set_ylabel("elpd difference to the reference")
    axes[1].set_xlabel("submodel size (feature entering)")
    axes[0].legend(fontsize=8, loc="lower right")
    title = (
        f"Projection predictive selection ({selection.method} search). Suggested: {selection.rule}"
    )
    axes[0].set_title(textwrap.fill(title, 110), fontsize=9)
    fig.tight_layout()
    return fig


def selection_line(selection) -> str:
    """One line: the suggested size, by which estimate, and the selected features."""
    if selection.suggested_size is None:
        return (
            f"no submodel up to size {len(selection.ranking)} reaches the reference's band "
            f"({selection.suggestion_source}): raise max_size"
        )
    return (
        f"suggested size {selection.suggested_size} (by {selection.suggestion_source.upper()}): "
        f"{', '.join(selection.selected) or 'the intercept alone'}"
    )


def _lasso_frame(selection) -> pd.DataFrame:
    frame = selection.lasso.copy()
    frame["support"] = [", ".join(s) for s in frame["support"]]
    return frame


def selection_section(selection, figure_uri: str | None = None) -> str:
    """The report section: the line, the figure, the order of entry, the supports beside."""
    table = selection.table.reset_index()
    parts = [
        "<h2>Which variables? Projection predictive selection beside the Lasso</h2>",
        verdict_banner(selection.suggested_size is not None, selection_line(selection)),
        f'<p class="meta">rule: {html.escape(selection.rule)}; reference: '
        f"{html.escape(str(selection.settings.get('reference')))}"
        f" (sampled by {html.escape(_engine_label(selection.settings))}); projection: "
        f"{html.escape(str(selection.settings.get('projection')))}; "
        f"{selection.settings.get('n_projection_draws')} projected draws"
        + (
            f"; {selection.settings['cv']}-fold CV of the whole search, each fold's reference "
            f"refitted with {selection.settings['cv_sampler']}"
            if selection.settings.get("cv")
            else ""
        )
        + "</p>",
    ]
    if figure_uri:
        parts.append(f'<img alt="elpd by submodel size" src="{figure_uri}">')
    parts.append("<h3>Order of entry and elpd by size</h3>")
    parts.append(styled_table(table, flag_column=None, index=False))
    parts.append("<h3>The selected set beside the Lasso's supports (same data, same folds)</h3>")
    parts.append(styled_table(_lasso_frame(selection), flag_column=None, index=False))
    diagnostics = selection.diagnostics
    parts.append(
        f'<p class="meta">reference Pareto k max {diagnostics["pareto_k_max"]:.2f} '
        f"({diagnostics['n_bad_pareto_k']} above {diagnostics['pareto_k_threshold']:.2f}); "
        f"sampler: {'; '.join(diagnostics['sampler_problems']) or 'healthy'}; wall times (s): "
        + ", ".join(f"{k} {v:.1f}" for k, v in selection.timings.items())
        + "".join(f"; {html.escape(note)}" for note in selection.notes)
        + "</p>"
    )
    return "\n".join(parts)


def _engine_label(settings: dict) -> str:
    """``NUTS`` or ``Gibbs``: the engine that sampled the reference (NUTS in older records)."""
    engine = settings.get("engine") or "nuts"
    return ENGINE_NAMES.get(engine, engine)


def selection_html(selection) -> str:
    """Notebook display of a :class:`~regprior.selection.VariableSelection` (no figure)."""
    return selection_section(selection)


def render_selection_report(selection, figure_png: bytes | None = None, *, name: str) -> str:
    """``report.html`` of ``regprior select``: one self-contained page, the figure embedded."""
    uri = None
    if figure_png:
        uri = "data:image/png;base64," + base64.b64encode(figure_png).decode("ascii")
    settings = selection.settings
    body = "\n".join(
        [
            f"<h1>regprior select: {html.escape(name)} ({settings['n_samples']} samples, "
            f"{settings['n_features']} features)</h1>",
            f'<p class="meta">{html.escape(_environment())}</p>',
            selection_section(selection, uri),
        ]
    )
    title = f"regprior report: {html.escape(name)}"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def selection_record(selection) -> dict:
    """The selection as JSON-ready fields (``selection.json``)."""

    def clean(value):
        if isinstance(value, (float, np.floating)):
            return float(value) if np.isfinite(value) else None
        if isinstance(value, (np.integer,)):
            return int(value)
        if isinstance(value, (np.bool_,)):
            return bool(value)
        return value

    table = [
        {k: clean(v) for k, v in row.items()}
        for row in selection.table.reset_index().to_dict(orient="records")
    ]
    lasso = [
        {k: clean(list(v) if isinstance(v, tuple) else v) for k, v in row.items()}
        for row in selection.lasso.to_dict(orient="records")
    ]
    return {
        "method": selection.method,
        "ranking": list(selection.ranking),
        "suggested_size": selection.suggested_size,
        "suggestion_source": selection.suggestion_source,
        "rule": selection.rule,
        "selected": list(selection.selected),
        "reference_elpd": {k: list(v) for k, v in selection.reference_elpd.items()},
        "table": table,
        "lasso": lasso,
        "fold_rankings": [list(r) for r in selection.fold_rankings],
        "settings": {k: clean(v) for k, v in selection.settings.items()},
        "timings": selection.timings,
        "diagnostics": {k: clean(v) for k, v in selection.diagnostics.items()},
    }
