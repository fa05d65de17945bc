"""Render results as text, Markdown, CSV and JSON (formatting only: numbers come from upstream)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from regprior.report.lines import sampler_line, verdict_line

__all__ = [
    "json_safe",
    "comparison_header",
    "comparison_text",
    "comparison_markdown",
    "comparisons_to_json",
    "comparisons_to_csv",
    "comparisons_to_markdown",
    "path_summary_line",
    "path_markdown",
    "path_record",
    "paths_csv",
    "paths_json",
    "render_frame",
]


def render_frame(frame, fmt: str, *, index: bool = False) -> str:
    """A frame as ``table`` (4 significant digits), ``markdown``, ``csv`` or ``json`` (records)."""
    if fmt == "table":
        return frame.to_string(index=index, float_format=lambda v: f"{v:.4g}")
    if fmt == "markdown":
        return frame.to_markdown(index=index, floatfmt=".4g")
    if fmt == "csv":
        return frame.to_csv(index=index)
    if fmt == "json":
        return json.dumps(
            json_safe(
                frame.reset_index().to_dict(orient="records")
                if index
                else frame.to_dict(orient="records")
            ),
            indent=2,
            allow_nan=False,
        )
    raise ValueError(f"format must be table, markdown, csv or json; got {fmt!r}.")


def json_safe(value):
    """Non-finite floats to None (JSON has no NaN), NumPy scalars to Python ones, recursively."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def comparison_header(comparison) -> list[str]:
    """Title, mapping, verdict, sampler health and timings of a comparison, one line each."""
    c = comparison
    m = c.mapping()
    blog = ", ".join(
        f"{k.removeprefix('blog_')} = {v:.6g}" for k, v in c.prior.blog_parameters().items()
    )
    parameters = ", ".join(f"{k} = {v:.6g}" for k, v in c.prior.parameters.items())
    lines = [
        f"{c.data_name}: {m['prior']} prior <-> {c.pairing.describe(c.strength)} "
        f"[{c.pairing.path_parameter}: {c.alpha_source}]",
        f"mapping: prior {parameters}{f' (blog {blog})' if blog else ''}, n = {c.n_samples}, "
        f"N = sum(w) = {c.weight_sum:.6g}, {c.likelihood.describe()}, "
        f"intercept: {'flat prior' if c.fit_intercept else 'none'}",
        "verdict: " + verdict_line(c.verdict.to_dict()),
    ]
    if c.posterior is not None:
        lines.append(sampler_line(c.posterior.diagnostics()))
    twin = c.verdict.counterpart  # the "sklearn" timing is the twin's fit: skglm's for some
    lines.append(
        "timings (s): "
        + ", ".join(f"{twin if k == 'sklearn' else k} {v:.2f}" for k, v in c.timings.items())
    )
    return lines


def comparison_text(comparison) -> str:
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        body = comparison.table.to_string(float_format=lambda v: f"{v:.6g}")
    return "\n".join(comparison_header(comparison)) + "\n" + body


def comparison_markdown(comparison) -> str:
    title, *rest = comparison_header(comparison)
    head = "\n".join(f"- {line}" for line in rest)
    return f"### {title}\n\n{head}\n\n{comparison.table.to_markdown(floatfmt='.6g')}\n"


def comparisons_to_json(comparisons: dict, *, data, sparse: dict | None = None) -> str:
    """``{"regprior_version", "data", "comparisons": [...], "sparse": [...]}``; non-finite
    numbers become null. ``sparse``: the :class:`~regprior.checks.sparse.SparseComparison`
    records of ``compare --sparse`` (an empty list without)."""
    from regprior._version import __version__

    document = {
        "regprior_version": __version__,
        "data": {"name": data.name, "n_samples": data.n_samples, "n_features": data.n_features},
        "comparisons": [{"model": name, **c.to_dict()} for name, c in comparisons.items()],
        "sparse": [s.to_dict() for s in (sparse or {}).values()],
    }
    return json.dumps(json_safe(document), indent=2, allow_nan=False)


def comparisons_to_csv(comparisons: dict) -> str:
    """One row per (model, coefficient), with the mapping and the verdict repeated on each row."""
    frames = []
    for name, c in comparisons.items():
        frame = c.table.reset_index()
        frame.insert(0, "model", name)
        frame.insert(1, "prior", repr(c.prior))
        for position, (key, value) in enumerate(c.strength.items(), start=2):
            frame.insert(position, key, value)
        for position, (key, value) in enumerate(
            c.likelihood.record().items(), start=2 + len(c.strength)
        ):
            frame.insert(position, key, value)
        frame["passed"] = c.verdict.passed
        frame["status"] = c.verdict.status  # PASSED, FAILED or UNDECIDED
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).to_csv(index=False)


def comparisons_to_markdown(comparisons: dict, sparse: dict | None = None) -> str:
    sections = [c.to_markdown() for c in comparisons.values()]
    sections += [sparse_markdown(s) for s in (sparse or {}).values()]
    return "\n".join(sections)


def sparse_markdown(sparse) -> str:
    """A ``compare --sparse`` section: what it is, its sampler and m_eff lines, its table."""
    from regprior.report.lines import sampler_line

    loo = (
        ""
        if sparse.loo is None
        else "\nBeside the twins' posteriors by PSIS-LOO:\n\n"
        f"{sparse.loo.to_markdown(floatfmt='.4g')}\n"
    )
    return (
        f"### {sparse.name}: {sparse.spec!r} (no posterior mode: no sklearn twin, no verdict)\n\n"
        f"- {sampler_line(sparse.diagnostics())}\n- {sparse.summary_line()}\n\n"
        f"{sparse.table.to_markdown(floatfmt='.4g')}\n{loo}"
    )


def path_summary_line(comparison) -> str:
    """One line: pass/fail, worst relative difference, supports, entry points and timings."""
    t, bayes = comparison.table, comparison.map_path
    fixed = "".join(f", {k} = {v:g}" for k, v in bayes.fixed.items())
    certificates = ""
    if "sklearn_certificate" in t:
        certificates = (
            f", worst KKT residual MAP {t['kkt_residual'].max():.1e} "
            f"/ sklearn {t['sklearn_certificate'].max():.1e}"
            f" (supports decidable at {int(t['support_decidable'].sum())}/{len(t)})"
        )
    return (
        f"{bayes.family} path{fixed}, {len(t)} values of {bayes.parameter}: "
        f"{'PASSED' if comparison.passed else 'FAILED'} | "
        f"worst max|MAP - sklearn| / max(1, |coef|) = {t['rel_diff'].max():.1e}, "
        "support identical at "
        f"{int(t['support_match'].sum())}/{len(t)}, entry points identical for "
        f"{int(comparison.entries['same_entry'].sum())}/{len(comparison.entries)} "
        f"features{certificates}; MAP path "
        f"{bayes.solve_seconds:.3f} s after a {bayes.compile_seconds:.2f} s build+compile, "
        f"sklearn {comparison.sklearn_path.seconds:.3f} s"
    )


def path_markdown(comparison, likelihood) -> str:
    return (
        f"### {path_summary_line(comparison)}\n\n- {likelihood.describe()}\n\n"
        f"{comparison.table.to_markdown(floatfmt='.4g')}\n\n#### Entry points\n\n"
        f"{comparison.entries.to_markdown(floatfmt='.4g')}\n"
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()}
        for r in frame.reset_index().to_dict(orient="records")
    ]


def path_record(comparison, likelihood) -> dict:
    """JSON-ready record of a path comparison (``regprior path --format json``)."""
    return {
        "passed": comparison.passed,
        "fixed": comparison.map_path.fixed,
        **likelihood.record(),
        "solve_seconds": comparison.map_path.solve_seconds,
        "compile_seconds": comparison.map_path.compile_seconds,
        "alphas": _records(comparison.table),
        "entries": _records(comparison.entries),
    }


def paths_csv(comparisons: dict) -> str:
    frames = [c.to_frame().reset_index().assign(prior=family) for family, c in comparisons.items()]
    return pd.concat(frames, ignore_index=True).to_csv(index=False)


def paths_json(comparisons: dict, likelihood) -> str:
    document = {family: path_record(c, likelihood) for family, c in comparisons.items()}
    return json.dumps(json_safe(document), indent=2, allow_nan=False)
