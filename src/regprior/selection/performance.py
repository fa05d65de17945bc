"""Predictive performance of the submodels by size, and projpred's rule for the suggested size.

* **PSIS-LOO along the full-data search**: the projected draws of each size are weighted by the
  reference's PSIS-LOO weights (ArviZ's ``psislw`` on the reference's pointwise log likelihood of
  the same draws): ``elpd_i = log sum_s w_is p(y_i | projected draw s)``. The search itself saw
  observation ``i``, so this is optimistic.
* **K-fold cross-validation of the whole search**: the reference is refitted and the search run
  on each training part; every size's projection is scored on the held-out part,
  ``elpd_i = log mean_s p(y_i | projected draw s)``.

Differences to the reference are taken observation by observation, so their standard error is
``sqrt(n var_i(d_i))`` (Vehtari, Gelman & Gabry 2017). The suggested size (projpred's default
``suggest_size``) is the smallest ``k`` whose difference has its upper one-SE bound above 0:
``elpd_k - elpd_ref + se(elpd_k - elpd_ref) > 0``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import logsumexp

__all__ = [
    "SUGGESTION_RULE",
    "psis_log_weights",
    "loo_pointwise",
    "held_out_pointwise",
    "elpd_frame",
    "suggest_size",
]

SUGGESTION_RULE = (
    "the smallest size whose elpd difference to the reference has its upper one-SE bound "
    "above 0 (projpred's suggest_size)"
)


def psis_log_weights(log_likelihood) -> tuple[np.ndarray, np.ndarray]:
    """Normalised PSIS-LOO log weights ``(n_draws, n_samples)`` and each observation's Pareto k.

    ``log_likelihood`` is the reference's pointwise log likelihood ``(n_draws, n_samples)`` of
    thinned draws, taken as independent (``r_eff = 1``).
    """
    from arviz_stats.base.array import array_stats

    log_weights, pareto_k = array_stats.psislw(np.asarray(log_likelihood).T, r_eff=1.0, axis=-1)
    return np.asarray(log_weights).T, np.asarray(pareto_k)


def loo_pointwise(log_weights, log_likelihood) -> np.ndarray:
    """``log sum_s w_is p(y_i | s)`` for each observation."""
    return logsumexp(log_weights + log_likelihood, axis=0)


def held_out_pointwise(log_likelihood, weight=None) -> np.ndarray:
    """``log sum_s weight_s p(y_i | s)`` (equal weights by default) per held-out observation."""
    log_likelihood = np.atleast_2d(log_likelihood)
    if weight is None:
        return logsumexp(log_likelihood, axis=0) - np.log(log_likelihood.shape[0])
    return logsumexp(log_likelihood + np.log(weight)[:, None], axis=0)


def elpd_frame(pointwise: dict, reference: np.ndarray, prefix: str) -> pd.DataFrame:
    """Per size: ``elpd``, ``se``, ``diff`` (to the reference) and ``diff_se``, columns prefixed."""
    n = len(reference)
    rows = []
    for size, values in pointwise.items():
        difference = values - reference
        rows.append(
            {
                "size": size,
                f"elpd_{prefix}": float(values.sum()),
                f"se_{prefix}": float(np.sqrt(n * np.var(values, ddof=1))),
                f"diff_{prefix}": float(difference.sum()),
                f"diff_se_{prefix}": float(np.sqrt(n * np.var(difference, ddof=1))),
            }
        )
    return pd.DataFrame(rows).set_index("size")


def suggest_size(differences, standard_errors) -> int | None:
    """projpred's rule: the smallest size ``k`` (the position in the arrays) with
    ``difference_k + se_k > 0``; None when no size reaches the reference's band."""
    differences = np.asarray(differences, dtype=float)
    standard_errors = np.asarray(standard_errors, dtype=float)
    if differences.shape != standard_errors.shape or differences.ndim != 1:
        raise ValueError("differences and standard_errors must be 1-D arrays of one length.")
    if np.any(standard_errors < 0) or not np.all(np.isfinite(differences)):
        raise ValueError("standard_errors must be non-negative and differences finite.")
    reached = np.flatnonzero(differences + standard_errors > 0)
    return int(reached[0]) if reached.size else None
