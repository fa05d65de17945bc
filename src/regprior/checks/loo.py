"""Predictive model comparison: pointwise log likelihood and PSIS-LOO (ArviZ) across fitted priors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["LOOComparison", "with_log_likelihood", "loo_compare", "PARETO_K_BAD"]

#: Pareto-k above this makes the PSIS estimate of that observation unreliable (Vehtari et al.
#: 2024, for S >= 2000 draws the threshold is min(1 - 1/log10(S), 0.7) = 0.7).
PARETO_K_BAD = 0.7


def with_log_likelihood(model, posterior):
    """The posterior's DataTree with a ``log_likelihood`` group (pointwise, from the PyMC model).

    Needs the raw model form: the sufficient-statistics form has no observed variable.
    """
    import pymc as pm

    if getattr(model, "form", "raw") != "raw":
        raise ValueError("LOO needs the pointwise log likelihood: build the model with form='raw'.")
    log_likelihood = pm.compute_log_likelihood(posterior.datatree, model=model.pymc_model, progressbar=False,
                                               extend_inferencedata=False)
    tree = posterior.datatree.copy()
    tree["log_likelihood"] = log_likelihood
    return tree


@dataclass(frozen=True)
class LOOComparison:
    """ArviZ's comparison of several fitted models on the same data.

    Attributes
    ----------
    table : DataFrame
        Per model (best first): ``elpd_loo``, ``se``, ``p_loo``, ``elpd_diff`` (``d_loo``),
        ``dse``, ``weight`` (stacking), ``pareto_k_max``, ``n_bad_k`` (observations with
        ``k > 0.7``), the sampler's ``divergences`` / ``r_hat_max`` / ``ess_bulk_min``, and
        ``flags`` naming every unreliable part (bad Pareto-k, unhealthy sampler).
    compare : DataFrame
        ArviZ's own ``compare`` output (for ``arviz_plots.plot_compare``).
    """

    table: pd.DataFrame
    compare: pd.DataFrame


def loo_compare(fits: dict) -> LOOComparison:
    """PSIS-LOO of each ``name -> (model, PosteriorResult)`` and their comparison (stacking weights)."""
    import arviz as az

    if len(fits) < 2:
        raise ValueError(f"loo_compare needs at least two fitted models; got {len(fits)}.")
    trees = {name: with_log_likelihood(model, posterior) for name, (model, posterior) in fits.items()}
    compared = az.compare(trees)
    loos = {name: az.loo(trees[name], pointwise=True) for name in compared.index}
    best = max(float(loo.elpd) for loo in loos.values())
    rows = []
    for name in compared.index:
        loo = loos[name]
        k = np.asarray(loo.pareto_k).ravel()
        posterior = fits[name][1]
        flags = []
        if np.any(k > PARETO_K_BAD):
            flags.append(f"{int(np.sum(k > PARETO_K_BAD))} Pareto k > {PARETO_K_BAD}")
        flags += [f"sampler: {p}" for p in posterior.problems]
        rows.append({
            "model": name,
            # ArviZ's compare table is rounded for display: elpd, se and p come from loo itself.
            "elpd_loo": float(loo.elpd),
            "se": float(loo.se),
            "p_loo": float(loo.p),
            "elpd_diff": float(loo.elpd) - best,
            "dse": float(compared.loc[name, "dse"]),
            "weight": float(compared.loc[name, "weight"]),
            "pareto_k_max": float(k.max()),
            "n_bad_k": int(np.sum(k > PARETO_K_BAD)),
            "divergences": posterior.divergences,
            "r_hat_max": posterior.r_hat_max,
            "ess_bulk_min": posterior.ess_bulk_min,
            "flags": "; ".join(flags),
        })
    return LOOComparison(pd.DataFrame(rows).set_index("model"), compared)
