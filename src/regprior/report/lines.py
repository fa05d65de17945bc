"""The verdict line and the sampler line: each written once, for text, terminal and HTML.

Both take the JSON form (``Verdict.to_dict()``, ``PosteriorResult.diagnostics()``, or the same
records read back from ``comparison.json``, where non-finite numbers are ``null``), so a
report rebuilt from its files says what the run printed.
"""

from __future__ import annotations

import math

__all__ = ["verdict_status", "verdict_line", "sampler_line"]

_SUPPORT = {True: "zeros match", False: "ZEROS DIFFER", None: "zeros not decidable"}


def _number(value, spec: str) -> str:
    """``value`` formatted by ``spec``; ``n/a`` for a missing or non-finite number."""
    try:
        finite = value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return str(value)
    return format(value, spec) if finite else "n/a"


def verdict_status(verdict: dict) -> str:
    """``PASSED``, ``FAILED`` or ``UNDECIDED`` (records written before ``status`` existed too)."""
    if verdict.get("status"):
        return verdict["status"]
    return "PASSED" if verdict["passed"] else "FAILED"


def verdict_line(verdict: dict, name: str | None = None) -> str:
    """One line: status, the judged difference and its tolerances, exact zeros, certificates.

    ``PASSED lasso: max |MAP - sklearn| 2.1e-09 (tol 1.0e-08, intercept 1.5e-06), zeros match,
    KKT 3.1e-16`` with ``name``; ``PASSED | max |MAP - sklearn| ...`` without. Where sklearn's
    solver stops short (its certificate above the bar, its error bound used, or a second
    reference judged the MAP), the line gives sklearn's certificate, its distance from the MAP
    and from the optimum, and says when sklearn is the less exact side. A failed verdict ends
    with its problems, an undecided one with its reason. ("zeros not decidable": the
    reference's certificate is too loose to say which weights are exactly zero.)
    """
    status = verdict_status(verdict)
    reference = verdict.get("reference") or "sklearn"
    tolerance = f"tol {_number(verdict['tolerance'], '.1e')}"
    if verdict.get("intercept_tolerance") is not None:
        tolerance += f", intercept {_number(verdict['intercept_tolerance'], '.1e')}"
    parts = [
        f"max |MAP - {reference}| {_number(verdict['max_abs_diff'], '.1e')} ({tolerance})",
        _SUPPORT[verdict["support_match"]],
        f"KKT {_number(verdict['certificate'], '.1e')}",
    ]
    sklearn_certificate = verdict.get("sklearn_certificate")
    counterpart = verdict.get("counterpart") or "sklearn"
    bar = verdict.get("certificate_tolerance", 1e-8)
    short = (
        reference != counterpart
        or verdict.get("sklearn_error_bound") is not None
        or (sklearn_certificate is not None and sklearn_certificate > bar)
    )
    if sklearn_certificate is not None and short:
        sklearn = f"{counterpart}'s KKT {_number(sklearn_certificate, '.1e')}"
        if reference != counterpart and verdict.get("sklearn_max_abs_diff") is not None:
            sklearn += f", {_number(verdict['sklearn_max_abs_diff'], '.1e')} from the MAP"
        if verdict.get("sklearn_error_bound") is not None:
            bound = _number(verdict["sklearn_error_bound"], ".1e")
            sklearn += f", up to {bound} from the optimum"
        if verdict.get("less_exact") == "sklearn":
            sklearn += f": {counterpart} is the less exact side"
        parts.append(sklearn)
    line = f"{status} {name}: " if name else f"{status} | "
    line += ", ".join(parts)
    if verdict.get("problems"):
        line += " | " + "; ".join(verdict["problems"])
    if verdict.get("undecided_reason"):
        line += " | undecided: " + verdict["undecided_reason"]
    elif verdict.get("non_convex"):
        line += " | " + verdict["non_convex"]
    return line


#: How each posterior engine is named in the sampler line.
ENGINE_NAMES = {"nuts": "NUTS", "gibbs": "Gibbs"}


def sampler_line(diagnostics: dict, name: str | None = None) -> str:
    """One line: chains x draws, worst r_hat and bulk ESS, divergences, health.

    An r_hat that is undefined (one chain: NaN, ``null`` in JSON) reads ``r_hat n/a (1 chain)``.
    """
    chains = diagnostics.get("chains")
    r_hat = _number(diagnostics.get("r_hat_max"), ".4f")
    r_hat = f"r_hat max {r_hat}" if r_hat != "n/a" else "r_hat n/a"
    if r_hat == "r_hat n/a" and chains == 1:
        r_hat += " (1 chain)"
    health = (
        "healthy"
        if diagnostics.get("healthy")
        else "UNHEALTHY: " + "; ".join(diagnostics.get("problems") or [])
    )
    head = f"sampler {name}: " if name else "sampler: "
    engine = diagnostics.get("engine", "nuts")
    # Divergences are a NUTS diagnostic; the Gibbs engine has none to report.
    divergences = f", {diagnostics.get('divergences')} divergences" if engine == "nuts" else ""
    return (
        f"{head}{ENGINE_NAMES.get(engine, engine)} {chains} chains x "
        f"{diagnostics.get('draws')} draws, {r_hat}, bulk ESS min "
        f"{_number(diagnostics.get('ess_bulk_min'), '.0f')}{divergences}: {health}"
    )
