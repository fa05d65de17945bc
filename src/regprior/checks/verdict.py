"""Judging: the per-row flags and the verdict of a comparison, from one set of named checks.

Each check is computed once, per coefficient where it is per coefficient; the row flags and
the verdict's problem list are both read off the same booleans, so a table can never show a
clean row under a failed verdict or the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regprior.inference.nuts import GOOD_RHAT, MIN_ESS_BULK

__all__ = [
    "Verdict",
    "judge",
    "path_agreement",
    "support_agreement",
    "AGREEMENT_RTOL",
    "CERTIFICATE_TOL",
    "MCSE_FACTOR",
    "SD_RTOL",
    "GOOD_RHAT",
    "MIN_ESS_BULK",
]

#: MAP vs sklearn: ``max |diff| <= AGREEMENT_RTOL * max(1, max |coef|)``. Both sides are
#: solved to ~1e-12 relative (sklearn at tol=1e-12, the MAP to a 1e-10 KKT residual), so
#: 1e-8 leaves room for conditioning (cond(X^T X) ~ 500 on diabetes) and nothing else.
AGREEMENT_RTOL = 1e-8
#: Relative KKT residual accepted as proof of optimality.
CERTIFICATE_TOL = 1e-8
#: NUTS vs the exact posterior (conjugate pairs): means within 4 Monte-Carlo standard errors
#: (a false alarm about once in 16,000 coefficients) ...
MCSE_FACTOR = 4.0
#: ... and standard deviations within 10% (the sd's own Monte-Carlo error is ~3% at ESS 500).
SD_RTOL = 0.10
#: When sklearn's solver cannot reach ~1e-12 (saga), the MAP's negative log posterior must not
#: exceed sklearn's by more than this (relative): the exact optimum is never worse.
OBJECTIVE_RTOL = 1e-12


@dataclass(frozen=True)
class Verdict:
    """Pass/fail of every check, with the measured numbers behind it.

    ``passed`` is True only if the MAP matches sklearn within ``tolerance``, the sets of
    exact zeros match (where sklearn's own certificate is tight enough to decide them), the
    KKT certificate is below ``CERTIFICATE_TOL``, and, when a posterior was sampled, the
    sampler is healthy and (conjugate pairs) agrees with the exact posterior.

    ``sklearn_certificate`` is sklearn's solution judged by the same KKT residual as the MAP;
    ``tolerance_source`` says whether ``tolerance`` is the fixed bar or the error bound that
    sklearn's certificate allows (for solvers that cannot reach ~1e-12).
    """

    max_abs_diff: float
    tolerance: float
    support_match: bool | None
    certificate: float
    sampler_healthy: bool | None
    exact_agreement: bool | None
    problems: tuple[str, ...] = field(default_factory=tuple)
    sklearn_certificate: float | None = None
    tolerance_source: str = "1e-8 x max(1, max |sklearn coef|)"

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def less_exact(self) -> str | None:
        """Which side's certificate is larger: ``"sklearn"`` or ``"map"`` (None if unknown)."""
        if self.sklearn_certificate is None:
            return None
        return "sklearn" if self.sklearn_certificate > self.certificate else "map"

    def to_dict(self) -> dict:
        return {
            "max_abs_diff": self.max_abs_diff,
            "tolerance": self.tolerance,
            "support_match": self.support_match,
            "certificate": self.certificate,
            "certificate_tolerance": CERTIFICATE_TOL,
            "sklearn_certificate": self.sklearn_certificate,
            "less_exact": self.less_exact,
            "tolerance_source": self.tolerance_source,
            "sampler_healthy": self.sampler_healthy,
            "exact_agreement": self.exact_agreement,
            "passed": self.passed,
            "problems": list(self.problems),
        }


def _row_checks(table: pd.DataFrame, tolerance: float) -> dict:
    """``{flag name: (boolean Series of failing rows, problem message or None)}``."""
    checks = {}
    bad = ~(table["abs_diff"] <= tolerance)
    checks["map!=sklearn"] = (
        bad,
        f"max |MAP - sklearn| {table['abs_diff'].max():.2e} > {tolerance:.2e}",
    )
    if "r_hat" in table:
        bad = ~(table["r_hat"] <= GOOD_RHAT)
        checks[f"r_hat>{GOOD_RHAT}"] = (
            bad,
            f"sampler: r_hat max {table['r_hat'].max():.4f} > {GOOD_RHAT}",
        )
        bad = ~(table["ess_bulk"] >= MIN_ESS_BULK)
        checks[f"ess<{MIN_ESS_BULK}"] = (
            bad,
            f"sampler: bulk ESS min {table['ess_bulk'].min():.0f} < {MIN_ESS_BULK}",
        )
    if "mean_error_mcse" in table:
        bad = ~(table["mean_error_mcse"].abs() <= MCSE_FACTOR)
        checks[f"mean>{MCSE_FACTOR:g}mcse"] = (
            bad,
            f"NUTS mean off the exact posterior by > {MCSE_FACTOR:g} MCSE: {list(table.index[bad])}",
        )
        bad = ~((table["sd_ratio"] - 1).abs() <= SD_RTOL)
        checks[f"sd>{SD_RTOL:.0%}off"] = (
            bad,
            f"NUTS sd off the exact posterior by > {SD_RTOL:.0%}: {list(table.index[bad])}",
        )
    return checks


def judge(
    table: pd.DataFrame,
    *,
    map_result,
    sklearn_fit,
    divergences: int | None = None,
    sklearn_certificate: float | None = None,
    error_bound: float | None = None,
    objectives: tuple[float, float] | None = None,
    non_unique: bool = False,
) -> tuple[pd.Series, Verdict]:
    """Judge a comparison table: per-row flags and the verdict, from the same checks.

    Parameters
    ----------
    table : DataFrame
        One row per coefficient with at least ``sklearn`` and ``abs_diff``; optional
        posterior columns ``r_hat``, ``ess_bulk`` and exact-posterior columns
        ``mean_error_mcse``, ``sd_ratio`` add their checks.
    map_result : MAPResult
        Its exact zeros and KKT certificate are checked.
    sklearn_fit : SklearnFit
    divergences : int, optional
        Divergent transitions of the sampler (None without a posterior).
    sklearn_certificate : float, optional
        sklearn's solution's relative KKT residual (same measure as the MAP's), reported.
    error_bound : float, optional
        For a reference solver that cannot reach ~1e-12: the distance to the exact optimum
        that sklearn's certificate allows; the tolerance becomes the larger of it and the bar,
        and a weight that is exactly zero on one side only counts against the support when
        the other side's value exceeds that tolerance (within it, sklearn's solution cannot
        decide whether the weight is zero). If even that leaves a difference, the support
        is reported as not decidable (``support_match=None``) only when sklearn's certificate
        is above ``CERTIFICATE_TOL``.
    objectives : (float, float), optional
        Negative log posterior at the MAP and at sklearn's solution: with ``error_bound``,
        the MAP's must not be larger (by ``OBJECTIVE_RTOL``).
    non_unique : bool, default=False
        The optimum is not unique where the two solutions live (duplicated or exactly collinear
        columns under a prior without an l2 part): different coefficients can both be optimal.
        With ``objectives``, the coefficients and exact zeros are then not compared; the two
        objectives must agree to ``OBJECTIVE_RTOL`` instead.

    Returns
    -------
    flags : Series of str
        Per row, the names of its failed checks joined by commas ("" when clean).
    verdict : Verdict
    """
    tolerance = AGREEMENT_RTOL * max(1.0, float(np.max(np.abs(table["sklearn"]))))
    source = Verdict.tolerance_source
    if error_bound is not None and error_bound > tolerance:
        tolerance, source = (
            error_bound,
            "error bound from sklearn's certificate (its solver stops short of 1e-12)",
        )
    checks = _row_checks(table, tolerance)
    judged_by_objective = non_unique and objectives is not None
    if judged_by_objective:
        # Several optima: a coefficient that differs is no failure if both are optimal.
        source = "the optimum is not unique (collinear columns): MAP and sklearn judged by their objectives"
        checks["map!=sklearn"] = (pd.Series(False, index=table.index), "")
    failing = pd.DataFrame({name: bad for name, (bad, _) in checks.items()}, index=table.index)
    flags = failing.apply(lambda row: ",".join(name for name, bad in row.items() if bad), axis=1)
    support_match = support_agreement(
        map_result.coef,
        sklearn_fit.coef,
        map_result.centre,
        tolerance=None if error_bound is None else tolerance,
    )
    decidable = sklearn_certificate is None or sklearn_certificate <= CERTIFICATE_TOL
    problems = []
    if failing["map!=sklearn"].any():
        problems.append(checks["map!=sklearn"][1])
    if judged_by_objective:
        at_map, at_sklearn = objectives
        if abs(at_map - at_sklearn) > OBJECTIVE_RTOL * max(1.0, abs(at_sklearn)):
            problems.append(
                f"non-unique optimum, but the objectives differ: MAP {at_map:.15g}, sklearn {at_sklearn:.15g}"
            )
        support_match = support_match or None  # which weights are zero is not unique either
    elif not support_match and decidable:
        problems.append("the MAP's exact zeros differ from sklearn's")
    if support_match is False and not decidable:
        support_match = (
            None  # sklearn's solution is too loose to say which weights are exactly zero
        )
    if error_bound is not None and objectives is not None:
        at_map, at_sklearn = objectives
        if at_map > at_sklearn + OBJECTIVE_RTOL * max(1.0, abs(at_sklearn)):
            problems.append(
                f"the MAP's negative log posterior {at_map:.12g} exceeds sklearn's {at_sklearn:.12g}"
            )
    if not map_result.kkt_residual <= CERTIFICATE_TOL:
        problems.append(f"KKT residual {map_result.kkt_residual:.1e} > {CERTIFICATE_TOL:.0e}")
    sampler_healthy = exact_agreement = None
    if divergences is not None:
        sampler_names = [name for name in failing if name.startswith(("r_hat", "ess"))]
        if divergences:
            problems.append(f"sampler: {divergences} divergent transitions")
        problems.extend(checks[name][1] for name in sampler_names if failing[name].any())
        sampler_healthy = not divergences and not failing[sampler_names].to_numpy().any()
    exact_names = [name for name in failing if name.startswith(("mean>", "sd>"))]
    if exact_names:
        problems.extend(checks[name][1] for name in exact_names if failing[name].any())
        exact_agreement = not failing[exact_names].to_numpy().any()
    verdict = Verdict(
        max_abs_diff=float(table["abs_diff"].max()),
        tolerance=tolerance,
        support_match=support_match,
        certificate=map_result.kkt_residual,
        sampler_healthy=sampler_healthy,
        exact_agreement=exact_agreement,
        problems=tuple(problems),
        sklearn_certificate=sklearn_certificate,
        tolerance_source=source,
    )
    return flags, verdict


def support_agreement(map_coef, sklearn_coef, centre, *, tolerance: float | None = None) -> bool:
    """The two sets of weights exactly at the centre agree.

    With ``tolerance`` (a reference that stops short of ~1e-12), a weight at the centre on one
    side only is forgiven when the other side's distance from the centre is within it.
    """
    map_active, sklearn_active = map_coef != centre, sklearn_coef != centre
    differ = map_active != sklearn_active
    if tolerance is not None:
        distance = np.maximum(np.abs(map_coef - centre), np.abs(sklearn_coef - centre))
        differ &= distance > tolerance
    return not bool(differ.any())


def path_agreement(bayes_coefs, sklearn_coefs, centre) -> pd.DataFrame:
    """Per grid point: ``max_abs_diff``, ``rel_diff`` (over ``max(1, max |coef|)``), ``tolerance``,
    ``agree``, ``support_match`` and active counts."""
    scale = np.maximum(1.0, np.max(np.abs(sklearn_coefs), axis=1))
    diff = np.max(np.abs(bayes_coefs - sklearn_coefs), axis=1)
    active_map, active_sklearn = bayes_coefs != centre, sklearn_coefs != centre
    return pd.DataFrame(
        {
            "max_abs_diff": diff,
            "rel_diff": diff / scale,
            "tolerance": AGREEMENT_RTOL * scale,
            "agree": diff <= AGREEMENT_RTOL * scale,
            "support_match": np.all(active_map == active_sklearn, axis=1),
            "n_active_map": active_map.sum(axis=1),
            "n_active_sklearn": active_sklearn.sum(axis=1),
        }
    )
