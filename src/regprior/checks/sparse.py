"""A sparse prior without a penalty twin, set beside the Lasso: shrinkage against exact zeros.

The horseshoe family and R2-D2 have no posterior mode (the horseshoe's density is infinite at
0) and so no scikit-learn counterpart to agree with: there is no verdict to give. What can be
compared is the answer to "which weights matter?": each weight's posterior shrinkage factor
``kappa_j`` (1: pulled to zero; ``docs/specification.md``, "Horseshoe") beside the Lasso's exact
zeros at the strengths the twins were compared at, and the effective number of non-zero weights
``m_eff = sum_j (1 - kappa_j)`` beside the Lasso's support size. ``regprior compare --sparse``
adds this section to the main report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from regprior.backend.names import M_EFF

__all__ = [
    "SparseComparison",
    "sample_sparse",
    "compare_sparse",
    "sparse_kinds",
    "sparse_prior_kinds",
]

#: The columns :func:`compare_sparse` adds after the fits' own.
SUMMARY_COLUMNS = (
    "median",
    "hdi_low",
    "hdi_high",
    "kappa",
    "kappa_low",
    "kappa_high",
    "kept",
    "r_hat",
    "ess_bulk",
    "flags",
)


def sparse_kinds() -> dict:
    """The full-Bayes kinds with shrinkage factors (normal scale mixtures): name -> class."""
    from regprior.spec.hierarchical import FULL_BAYES_KINDS
    from regprior.spec.sparse import ScaleMixture

    return {kind: cls for kind, cls in FULL_BAYES_KINDS.items() if issubclass(cls, ScaleMixture)}


def sparse_prior_kinds() -> dict:
    """Every sparse full-Bayes kind (``FullBayes.sparse``), with shrinkage factors or not (the
    generalized double Pareto's NUTS model has no latent scales): name -> class."""
    from regprior.spec.hierarchical import FULL_BAYES_KINDS

    return {kind: cls for kind, cls in FULL_BAYES_KINDS.items() if cls.sparse}


@dataclass(frozen=True)
class SparseComparison:
    """A sparse prior's posterior on the data of a comparison, beside the Lasso fits.

    Attributes
    ----------
    name : str
        The specification's kind (``"horseshoe"``, ...).
    spec : ScaleMixture
    posterior : PosteriorResult
    table : pandas.DataFrame
        One row per weight: each sparse fit's coefficient (a column per label of
        :attr:`lasso_support`; 0 is an exact zero), the posterior ``median`` and 94% HDI
        (``hdi_low``, ``hdi_high``) of the weight, the posterior median and 3%-97% interval
        of ``kappa_j`` (``kappa``, ``kappa_low``, ``kappa_high``), ``kept`` (the posterior
        median of ``kappa_j`` below 1/2: more signal than shrinkage), the weight's ``r_hat``
        and ``ess_bulk``, and ``flags``.
    m_eff : dict
        Posterior ``median``, ``low``, ``high`` (3%, 97%) of ``m_eff`` and the prior's
        ``prior_median``, ``prior_low``, ``prior_high``.
    lasso_support : dict
        Per sparse fit (label: its model's name, e.g. ``lasso``, ``lasso_1se``), its number of
        non-zero coefficients.
    loo : pandas.DataFrame or None
        PSIS-LOO of the sparse prior's posterior beside the twins' posteriors
        (:func:`regprior.checks.loo.loo_compare`'s table: ``elpd_loo``, ``se``, ``elpd_diff``,
        ``dse``, ``pareto_k_max``, ``flags``, ...); None without twins' posteriors. Where a
        prior has no twin, prediction is what can be compared.
    """

    name: str
    spec: object
    posterior: object
    table: pd.DataFrame
    m_eff: dict
    lasso_support: dict
    loo: pd.DataFrame | None = None

    def diagnostics(self) -> dict:
        return self.posterior.diagnostics()

    def summary_line(self) -> str:
        """``m_eff`` beside its prior, and the Lasso's support sizes, in one line."""
        m = self.m_eff
        kept = int(self.table["kept"].sum())
        lasso = ", ".join(f"{label} {size}" for label, size in self.lasso_support.items())
        return (
            f"m_eff {m['median']:.3g} [{m['low']:.3g}, {m['high']:.3g}] (prior "
            f"{m['prior_median']:.3g} [{m['prior_low']:.3g}, {m['prior_high']:.3g}]); kappa "
            f"median < 1/2 for {kept} of {len(self.table)} weights; non-zero: {lasso or 'no fit'}"
        )

    def to_dict(self) -> dict:
        """JSON-ready record (``comparison.json``'s ``sparse`` entry)."""
        return {
            "name": self.name,
            "spec": repr(self.spec),
            "coefficients": _records(self.table.reset_index()),
            "m_eff": self.m_eff,
            "lasso_support": self.lasso_support,
            "diagnostics": self.diagnostics(),
            "summary": self.summary_line(),
            "loo": None if self.loo is None else _records(self.loo.reset_index()),
        }


def sample_sparse(data, spec, *, fit_intercept=True, engine=None, **settings):
    """The posterior of ``spec`` on checked ``data`` by ``engine`` (NUTS or Gibbs, as
    :func:`regprior.sample_posterior` chooses; None: the specification's own)."""
    from regprior.api import _build
    from regprior.inference.engines import choose_engine
    from regprior.inference.gibbs import gibbs_posterior
    from regprior.inference.nuts import sample_nuts

    if choose_engine(engine, spec).engine == "gibbs":
        return gibbs_posterior(data, spec, None, fit_intercept=fit_intercept, **settings)
    model = _build(data, spec, None, fit_intercept=fit_intercept)
    return sample_nuts(model, target_accept=spec.target_accept, **settings)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {key: (None if isinstance(v, float) and np.isnan(v) else v) for key, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def compare_sparse(
    name: str, spec, data, posterior, lasso: dict, twins: dict | None = None
) -> SparseComparison:
    """The shrinkage of ``posterior`` (a sparse prior's, on ``data``) beside Lasso fits.

    Parameters
    ----------
    name : str
        The specification's name in the report.
    spec : ScaleMixture
        The specification that was sampled (its prior ``m_eff`` is simulated here).
    data : RegressionData
    posterior : PosteriorResult
        Holds ``kappa`` and ``m_eff`` (NUTS or Gibbs).
    lasso : dict of str -> array of shape (p,)
        Coefficients of fits with exact zeros (Lasso, ElasticNet) by label, e.g.
        ``{"lasso": ..., "lasso_1se": ...}``; each becomes a column of the table.
    twins : dict of str -> PosteriorResult, optional
        The twins' posteriors under the Gaussian likelihood with a known noise sigma, on the
        same rows: compared with ``posterior`` by PSIS-LOO (each log likelihood computed from
        the draws, :func:`regprior.checks.loo.gaussian_log_likelihood`).

    Returns
    -------
    SparseComparison

    Raises
    ------
    ValueError
        A coefficient vector of the wrong length, or a label that is a column of the table.
    """
    from regprior.inference.shrinkage import shrinkage_table

    names = list(data.feature_names)
    for label, coef in lasso.items():
        if np.shape(coef) != (len(names),):
            raise ValueError(
                f"lasso[{label!r}] must have one coefficient per feature ({len(names)}); "
                f"got shape {np.shape(coef)}."
            )
    shrinkage = shrinkage_table(spec, data, posterior)
    summary = posterior.summary.loc[names]
    table = pd.DataFrame(index=pd.Index(names, name="coefficient"))
    for label, coef in lasso.items():
        if label in SUMMARY_COLUMNS:
            raise ValueError(f"lasso: the label {label!r} is a column of the table already.")
        table[label] = np.asarray(coef, dtype=float)
    table["median"] = summary["median"]
    table["hdi_low"], table["hdi_high"] = summary["hdi_low"], summary["hdi_high"]
    weights = shrinkage.loc[names]
    table["kappa"] = weights["median"]
    table["kappa_low"], table["kappa_high"] = weights["low"], weights["high"]
    table["kept"] = weights["selected"].astype(bool)
    table["r_hat"], table["ess_bulk"] = summary["r_hat"], summary["ess_bulk"]
    table["flags"] = [_flags(r, e) for r, e in zip(table["r_hat"], table["ess_bulk"], strict=True)]
    effective = shrinkage.loc[M_EFF]
    m_eff = {
        key: float(effective[key])
        for key in ("median", "low", "high", "prior_median", "prior_low", "prior_high")
    }
    support = {label: int(np.count_nonzero(coef)) for label, coef in lasso.items()}
    loo = None
    if twins:
        from regprior.checks.loo import SampledData, loo_compare

        fits = {label: (SampledData(data), twin) for label, twin in twins.items()}
        fits[name] = (SampledData(data), posterior)
        columns = ["elpd_loo", "se", "p_loo", "elpd_diff", "dse", "weight", "pareto_k_max"]
        loo = loo_compare(fits).table[[*columns, "flags"]]
    return SparseComparison(name, spec, posterior, table, m_eff, support, loo)


def _flags(r_hat: float, ess_bulk: float) -> str:
    from regprior.inference.nuts import GOOD_RHAT, MIN_ESS_BULK

    flags = []
    if not np.isfinite(r_hat):
        flags.append("r_hat n/a (one chain)")
    elif not r_hat <= GOOD_RHAT:
        flags.append(f"r_hat {r_hat:.3f}")
    if not ess_bulk >= MIN_ESS_BULK:
        flags.append(f"ESS {ess_bulk:.0f}")
    return ", ".join(flags)
