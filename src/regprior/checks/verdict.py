"""Judging: the per-row flags and the verdict of a comparison, from one set of named checks.

Each check is computed once, per coefficient where it is per coefficient; the row flags and
the verdict's problem list are both read off the same booleans, so a table can never show a
clean row under a failed verdict or the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regprior.backend.model import INTERCEPT
from regprior.inference.nuts import GOOD_RHAT, MIN_ESS_BULK

__all__ = [
    "Verdict",
    "judge",
    "tolerances",
    "row_tolerances",
    "UNDECIDED_FRACTION",
    "path_agreement",
    "support_agreement",
    "AGREEMENT_RTOL",
    "CERTIFICATE_TOL",
    "STATIONARY_OBJECTIVE_RTOL",
    "MCSE_FACTOR",
    "SD_RTOL",
    "GOOD_RHAT",
    "MIN_ESS_BULK",
]

#: MAP vs sklearn, per coefficient in the coordinates it is compared in: every weight within
#: ``AGREEMENT_RTOL * max(1, max_j |w_j|)`` (the weights' scale only: the intercept never loosens
#: a weight's tolerance), the raw intercept within the tolerance of the centred intercept plus
#: what the weights' tolerances move it by, ``sum_j |x_mean_j|`` times theirs (see
#: :func:`tolerances`). Both sides are solved to ~1e-12 relative (sklearn at tol=1e-12, the MAP
#: to a 1e-10 KKT residual), so 1e-8 leaves room for conditioning (cond(X^T X) ~ 500 on
#: diabetes) and nothing else.
AGREEMENT_RTOL = 1e-8
#: A verdict whose tolerance (widened by a reference's error bound) exceeds this fraction of
#: the coefficients it judges (``max(1, scale)`` as for the bar) cannot tell a correct MAP from
#: a wrong one: it is *undecided*, never passed. 1e-3 = 1e5 times the bar: a decided verdict
#: misses no error above 0.1% of ``max(1, scale)`` (weights: ``max |w_j|``; intercept: ``|b|``).
UNDECIDED_FRACTION = 1e-3
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
#: A prior that is not convex (the generalized double Pareto): the MAP and its twin (skglm) are
#: the same stationary point when their weights agree at the 1e-8 bar, their exact zeros match
#: and their negative log posteriors agree to this (relative). Both are solved to rounding level;
#: the objective is flat at a stationary point, so its difference is second order in the weights'
#: and 1e-10 leaves room for the rounding of its sums only.
STATIONARY_OBJECTIVE_RTOL = 1e-10


@dataclass(frozen=True)
class Verdict:
    """Pass, fail or undecided, for every check, with the measured numbers behind it.

    ``passed`` is True only if the MAP matches the reference within its tolerances, the sets
    of exact zeros match (where the reference's own certificate is tight enough to decide
    them), the KKT certificate is below ``CERTIFICATE_TOL``, when a posterior was sampled the
    sampler is healthy and (conjugate pairs) agrees with the exact posterior, and the verdict
    is not ``undecided``.

    The reference is sklearn's solution, or where sklearn's solver cannot reach the optimum
    (saga) a second, exact one (``reference``, e.g. skglm's proximal Newton); sklearn's own
    answer is then reported beside it (``sklearn_max_abs_diff``, ``sklearn_certificate``,
    ``sklearn_error_bound``).

    ``tolerance`` is the weights' tolerance, ``intercept_tolerance`` the raw intercept's, both
    in the coordinates they are compared in (:func:`tolerances`); ``tolerance_source`` says
    whether they are the fixed bar or the error bound that the reference's certificate allows.
    ``undecided`` (with ``undecided_reason``): that bound exceeds ``UNDECIDED_FRACTION`` of the
    coefficients, so no difference the check could see would be a failure.

    ``counterpart`` names the twin (``"sklearn"``, or ``"skglm"`` for a penalty scikit-learn
    lacks). ``non_convex_note``: the prior is not convex, and this says whether the MAP and its
    twin are the same stationary point (passed) or two different ones (undecided: both are
    stationary, neither a certified global mode), with the objectives.
    """

    max_abs_diff: float
    tolerance: float
    support_match: bool | None
    certificate: float
    sampler_healthy: bool | None
    exact_agreement: bool | None
    problems: tuple[str, ...] = field(default_factory=tuple)
    sklearn_certificate: float | None = None
    tolerance_source: str = "1e-8 x max(1, max |weight|), the intercept's propagated"
    intercept_tolerance: float | None = None
    reference: str = "sklearn"
    sklearn_max_abs_diff: float | None = None
    sklearn_error_bound: float | None = None
    undecided_reason: str | None = None
    counterpart: str = "sklearn"
    non_convex_note: str | None = None

    @property
    def undecided(self) -> bool:
        """The tolerance is too wide to judge: neither passed nor failed by the coefficients."""
        return self.undecided_reason is not None

    @property
    def failed(self) -> bool:
        """A check failed (an undecided verdict with no failed check is not failed)."""
        return bool(self.problems)

    @property
    def passed(self) -> bool:
        return not self.problems and not self.undecided

    @property
    def status(self) -> str:
        """``"PASSED"``, ``"FAILED"`` or ``"UNDECIDED"`` (a failed check wins over undecided)."""
        return "FAILED" if self.failed else ("UNDECIDED" if self.undecided else "PASSED")

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
            "intercept_tolerance": self.intercept_tolerance,
            "reference": self.reference,
            "support_match": self.support_match,
            "certificate": self.certificate,
            "certificate_tolerance": CERTIFICATE_TOL,
            "sklearn_certificate": self.sklearn_certificate,
            "sklearn_max_abs_diff": self.sklearn_max_abs_diff,
            "sklearn_error_bound": self.sklearn_error_bound,
            "less_exact": self.less_exact,
            "tolerance_source": self.tolerance_source,
            "sampler_healthy": self.sampler_healthy,
            "exact_agreement": self.exact_agreement,
            "passed": self.passed,
            "undecided": self.undecided,
            "undecided_reason": self.undecided_reason,
            "counterpart": self.counterpart,
            "non_convex": self.non_convex_note,
            "status": self.status,
            "problems": list(self.problems),
        }


def tolerances(
    weights,
    *,
    centred_intercept: float | None = None,
    x_mean=None,
    error_bound: float | None = None,
) -> tuple[float, float | None]:
    """The weights' and the raw intercept's tolerances, each in the coordinates it is compared in.

    The bar scales by the weights alone: ``t_w = AGREEMENT_RTOL * max(1, max_j |w_j|)``. The
    intercept is solved as the centred intercept ``c0 = b - y_mean + x_mean @ w`` (tolerance
    ``t_c = AGREEMENT_RTOL * max(1, |c0|)``) and reported raw, ``b = c0 + y_mean - x_mean @ w``;
    an error ``dw`` of the weights moves ``b`` by ``x_mean @ dw``, so the raw intercept's bar is
    ``t_c + sum_j |x_mean_j| t_w``.

    ``error_bound`` bounds the Euclidean distance from the reference to the optimum in the
    centred coordinates ``(c0, w)`` (:func:`regprior.inference.certificates.error_bound`): each
    weight is within it, and the raw intercept within ``error_bound * sqrt(1 + ||x_mean||^2)``
    (Cauchy-Schwarz on ``db = dc0 - x_mean @ dw``). Each tolerance is the larger of the bar
    and the bound.

    Returns ``(weights' tolerance, raw intercept's tolerance or None without an intercept)``.
    """
    weights = np.asarray(weights, dtype=float)
    scale = float(np.max(np.abs(weights))) if weights.size else 0.0
    weight_tol = AGREEMENT_RTOL * max(1.0, scale)
    x_mean = np.zeros_like(weights) if x_mean is None else np.asarray(x_mean, dtype=float)
    intercept_tol = None
    if centred_intercept is not None:
        centred_tol = AGREEMENT_RTOL * max(1.0, abs(float(centred_intercept)))
        intercept_tol = centred_tol + float(np.sum(np.abs(x_mean))) * weight_tol
    if error_bound is not None:
        weight_tol = max(weight_tol, error_bound)
        if intercept_tol is not None:
            shear = float(np.sqrt(1.0 + x_mean @ x_mean))
            intercept_tol = max(intercept_tol, error_bound * shear)
    return weight_tol, intercept_tol


def row_tolerances(index, verdict: Verdict) -> pd.Series:
    """Each row's tolerance: the weights' for a weight, the raw intercept's for ``intercept``."""
    values = [
        verdict.intercept_tolerance
        if name == INTERCEPT and verdict.intercept_tolerance is not None
        else verdict.tolerance
        for name in index
    ]
    return pd.Series(values, index=index, dtype=float)


def _row_checks(table: pd.DataFrame, tolerance: pd.Series, reference: str) -> dict:
    """``{flag name: (boolean Series of failing rows, problem message or None)}``."""
    checks = {}
    diff = table["reference_abs_diff"] if "reference_abs_diff" in table else table["abs_diff"]
    bad = ~(diff <= tolerance)
    message = ""
    if bad.any():
        worst = (diff / tolerance).where(bad).idxmax()
        message = (
            f"max |MAP - {reference}| {diff.max():.2e}: over its tolerance at "
            f"{int(bad.sum())} of {len(bad)} coefficients, worst {worst} "
            f"{diff[worst]:.2e} > {tolerance[worst]:.2e}"
        )
    checks["map!=sklearn"] = (bad, message)
    if "r_hat" in table:
        r_hat = table["r_hat"]
        # An undefined r_hat (one chain, or constant draws) is flagged as such, not as "> 1.01".
        undefined = ~np.isfinite(r_hat)
        checks[f"r_hat>{GOOD_RHAT}"] = (
            ~undefined & ~(r_hat <= GOOD_RHAT),
            f"sampler: r_hat max {r_hat.max():.4f} > {GOOD_RHAT}",
        )
        checks["r_hat n/a"] = (
            undefined,
            "sampler: r_hat undefined (one chain, or constant draws)",
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
            f"NUTS mean off the exact posterior by > {MCSE_FACTOR:g} MCSE: "
            f"{list(table.index[bad])}",
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
    x_mean=None,
    y_mean: float = 0.0,
    reference=None,
    reference_name: str | None = None,
    reference_certificate: float | None = None,
    sklearn_error_bound: float | None = None,
    counterpart: str = "sklearn",
    non_convex: bool = False,
) -> tuple[pd.Series, Verdict]:
    """Judge a comparison table: per-row flags and the verdict, from the same checks.

    Parameters
    ----------
    table : DataFrame
        One row per coefficient with at least ``sklearn`` and ``abs_diff``; with a second
        reference its ``reference`` and ``reference_abs_diff`` columns, which are then the
        ones judged; optional posterior columns ``r_hat``, ``ess_bulk`` and exact-posterior
        columns ``mean_error_mcse``, ``sd_ratio`` add their checks.
    map_result : MAPResult
        Its exact zeros and KKT certificate are checked.
    sklearn_fit : SklearnFit
    divergences : int, optional
        Divergent transitions of the sampler (None without a posterior).
    sklearn_certificate : float, optional
        sklearn's solution's relative KKT residual (same measure as the MAP's), reported.
    error_bound : float, optional
        For a reference solver that cannot reach ~1e-12: the distance to the exact optimum
        (Euclidean, in the centred coordinates ``(c0, w)``) that the judged reference's
        certificate allows; it widens each tolerance in its own coordinates
        (:func:`tolerances`), and a weight that is exactly zero on one side only counts against
        the support when the other side's value exceeds the weights' tolerance. If even that
        leaves a difference, the support is reported as not decidable (``support_match=None``)
        only when the reference's certificate is above ``CERTIFICATE_TOL``. A bound wider than
        ``UNDECIDED_FRACTION`` of the coefficients makes the verdict undecided.
    objectives : (float, float), optional
        Negative log posterior at the MAP and at sklearn's solution: with ``error_bound``,
        the MAP's must not be larger (by ``OBJECTIVE_RTOL``).
    non_unique : bool, default=False
        The optimum is not unique where the two solutions live (duplicated or exactly collinear
        columns under a prior without an l2 part): different coefficients can both be optimal.
        With ``objectives``, the coefficients and exact zeros are then not compared; the two
        objectives must agree to ``OBJECTIVE_RTOL`` instead.
    x_mean : array, optional
        The (weighted) feature means: the raw intercept's tolerance follows from the centred
        one through them (zeros when not given).
    y_mean : float, default=0.0
        The model's ``y_mean`` (Gaussian: the weighted mean of ``y``), for the centred intercept.
    reference : SklearnFit, optional
        A second, exact reference (skglm's proximal Newton for saga's pairings), judged instead
        of sklearn; ``reference_name`` names it and ``reference_certificate`` is its KKT
        residual. sklearn's answer is then reported beside it, with ``sklearn_error_bound``.
    counterpart : str, default="sklearn"
        Who the twin is (``"skglm"`` for a twin outside scikit-learn): named in the messages.
    non_convex : bool, default=False
        The prior is not convex, so both sides are stationary points reached from the same
        start, neither a certified global mode. With ``objectives``: the same stationary point
        (weights at the bar, the same exact zeros, objectives within
        ``STATIONARY_OBJECTIVE_RTOL``) passes with that said in ``non_convex_note``; different
        ones make the verdict undecided, with both objectives and which is lower (a coefficient
        difference is then no failure: both points are stationary).

    Returns
    -------
    flags : Series of str
        Per row, the names of its failed checks joined by commas ("" when clean).
    verdict : Verdict
    """
    judged = sklearn_fit if reference is None else reference
    name = counterpart if reference is None else (reference_name or "reference")
    judged_certificate = sklearn_certificate if reference is None else reference_certificate
    intercept = INTERCEPT in table.index
    judged_coef = np.asarray(judged.coef, dtype=float)
    centred = None
    if intercept:
        x_mean = np.zeros_like(judged_coef) if x_mean is None else np.asarray(x_mean, float)
        centred = float(judged.intercept) - y_mean + float(x_mean @ judged_coef)
    bar = tolerances(judged_coef, centred_intercept=centred, x_mean=x_mean)
    weight_tol, intercept_tol = bar
    source = Verdict.tolerance_source
    widened = error_bound is not None and error_bound > bar[0]
    if widened:
        weight_tol, intercept_tol = tolerances(
            judged_coef, centred_intercept=centred, x_mean=x_mean, error_bound=error_bound
        )
        source = (
            f"error bound from {name}'s certificate ({name}'s solver stops short of 1e-12), "
            "in the coordinates of each coefficient"
        )
    provisional = Verdict(
        max_abs_diff=np.nan,
        tolerance=weight_tol,
        support_match=None,
        certificate=np.nan,
        sampler_healthy=None,
        exact_agreement=None,
        intercept_tolerance=intercept_tol,
    )
    row_tol = row_tolerances(table.index, provisional)
    checks = _row_checks(table, row_tol, name)
    judged_by_objective = non_unique and objectives is not None
    if judged_by_objective:
        # Several optima: a coefficient that differs is no failure if both are optimal.
        source = (
            "the optimum is not unique (collinear columns): "
            "MAP and sklearn judged by their objectives"
        )
        checks["map!=sklearn"] = (pd.Series(False, index=table.index), "")
    non_convex_note = stationary_reason = None
    if non_convex and objectives is not None:
        stationary_reason, non_convex_note = _stationary_points(
            table, checks, map_result, judged_coef, objectives, name
        )
        if stationary_reason is not None:
            # Two stationary points: a coefficient that differs is no failure of either.
            checks["map!=sklearn"] = (pd.Series(False, index=table.index), "")
    failing = pd.DataFrame({key: bad for key, (bad, _) in checks.items()}, index=table.index)
    flags = failing.apply(lambda row: ",".join(key for key, bad in row.items() if bad), axis=1)
    support_match = support_agreement(
        map_result.coef,
        judged_coef,
        map_result.centre,
        tolerance=weight_tol if widened else None,
    )
    decidable = judged_certificate is None or judged_certificate <= CERTIFICATE_TOL
    problems = []
    if failing["map!=sklearn"].any():
        problems.append(checks["map!=sklearn"][1])
    if judged_by_objective:
        at_map, at_sklearn = objectives
        if abs(at_map - at_sklearn) > OBJECTIVE_RTOL * max(1.0, abs(at_sklearn)):
            problems.append(
                "non-unique optimum, but the objectives differ: "
                f"MAP {at_map:.15g}, sklearn {at_sklearn:.15g}"
            )
        support_match = support_match or None  # which weights are zero is not unique either
    elif not support_match and decidable and stationary_reason is None:
        problems.append(f"the MAP's exact zeros differ from {name}'s")
    if support_match is False and not decidable:
        # the reference is too loose to say which weights are exactly zero
        support_match = None
    if error_bound is not None and objectives is not None:
        at_map, at_sklearn = objectives
        if at_map > at_sklearn + OBJECTIVE_RTOL * max(1.0, abs(at_sklearn)):
            problems.append(
                f"the MAP's negative log posterior {at_map:.12g} "
                f"exceeds sklearn's {at_sklearn:.12g}"
            )
    if stationary_reason is not None:
        at_map, at_other = objectives
        if at_map > at_other + STATIONARY_OBJECTIVE_RTOL * max(abs(at_other), 1.0):
            # Whichever point the global mode is, it is not the MAP's: the reference's is lower.
            problems.append(
                f"the MAP is not the posterior mode: {name}'s stationary point, from the same "
                f"start, has the lower negative log posterior ({at_other:.12g} against "
                f"{at_map:.12g})"
            )
    if not map_result.kkt_residual <= CERTIFICATE_TOL:
        problems.append(f"KKT residual {map_result.kkt_residual:.1e} > {CERTIFICATE_TOL:.0e}")
    undecided_reason = stationary_reason
    if widened and not judged_by_objective:
        undecided_reason = _undecided_reason(
            table,
            map_result,
            judged,
            weight_tol=weight_tol,
            intercept_tol=intercept_tol,
            name=name,
            certificate=judged_certificate,
            error_bound=error_bound,
        )
    sampler_healthy = exact_agreement = None
    if divergences is not None:
        sampler_names = [key for key in failing if key.startswith(("r_hat", "ess"))]
        if divergences:
            problems.append(f"sampler: {divergences} divergent transitions")
        problems.extend(checks[key][1] for key in sampler_names if failing[key].any())
        sampler_healthy = not divergences and not failing[sampler_names].to_numpy().any()
    exact_names = [key for key in failing if key.startswith(("mean>", "sd>"))]
    if exact_names:
        problems.extend(checks[key][1] for key in exact_names if failing[key].any())
        exact_agreement = not failing[exact_names].to_numpy().any()
    judged_diff = table["reference_abs_diff"] if reference is not None else table["abs_diff"]
    verdict = Verdict(
        max_abs_diff=float(judged_diff.max()),
        tolerance=weight_tol,
        support_match=support_match,
        certificate=map_result.kkt_residual,
        sampler_healthy=sampler_healthy,
        exact_agreement=exact_agreement,
        problems=tuple(problems),
        sklearn_certificate=sklearn_certificate,
        tolerance_source=source,
        intercept_tolerance=intercept_tol,
        reference=name,
        sklearn_max_abs_diff=float(table["abs_diff"].max()),
        sklearn_error_bound=error_bound if reference is None else sklearn_error_bound,
        undecided_reason=undecided_reason,
        counterpart=counterpart,
        non_convex_note=non_convex_note,
    )
    return flags, verdict


def _stationary_points(table, checks, map_result, judged_coef, objectives, name):
    """``(undecided reason or None, note)`` for a prior that is not convex: one stationary point
    or two, from the coefficients' check, the exact zeros and the two objectives."""
    at_map, at_other = objectives
    relative = (at_map - at_other) / max(abs(at_other), np.finfo(float).tiny)
    same = (
        not checks["map!=sklearn"][0].any()
        and np.array_equal(map_result.coef == map_result.centre, judged_coef == map_result.centre)
        and abs(relative) <= STATIONARY_OBJECTIVE_RTOL
    )
    if same:
        return None, (
            f"the penalty is not convex: the MAP and {name} are the same stationary point "
            f"reached from the prior centre (objectives within {abs(relative):.1e} relative), "
            "not a certified global mode"
        )
    lower = "the MAP's" if relative < 0 else f"{name}'s"
    reason = (
        f"the penalty is not convex: from the same start the MAP and {name} stopped at "
        f"different stationary points (negative log posterior: MAP {at_map:.12g}, {name} "
        f"{at_other:.12g}; {lower} is lower by {abs(relative):.1e} relative); neither is a "
        "certified global mode"
    )
    return reason, reason


def _undecided_reason(
    table, map_result, judged, *, weight_tol, intercept_tol, name, certificate, error_bound
) -> str | None:
    """Why the widened tolerance cannot judge, or None when it is within UNDECIDED_FRACTION."""
    weights = np.concatenate([np.abs(map_result.coef), np.abs(np.asarray(judged.coef))])
    limits = [("weights", weight_tol, float(np.max(weights)) if weights.size else 0.0)]
    if intercept_tol is not None and INTERCEPT in table.index:
        scale = max(abs(float(map_result.intercept)), abs(float(judged.intercept)))
        limits.append(("intercept", intercept_tol, scale))
    wide = [
        (what, tol, scale)
        for what, tol, scale in limits
        if tol > UNDECIDED_FRACTION * max(1.0, scale)
    ]
    if not wide:
        return None
    what, tol, scale = wide[0]
    whose = {"weights": "the weights'", "intercept": "the intercept's"}[what]
    cert = "unknown" if certificate is None else f"{certificate:.1e}"
    return (
        f"{name}'s reference did not converge: its certificate is {cert}, its distance from "
        f"the optimum up to {error_bound:.1e}; {whose} tolerance {tol:.1e} exceeds "
        f"{UNDECIDED_FRACTION:g} x max(1, {scale:.3g})"
    )


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
