"""Shrinkage summaries of a sparse prior's posterior: each weight's kappa and the model's m_eff."""

from __future__ import annotations

import numpy as np
import pandas as pd

from regprior.backend.names import KAPPA, M_EFF, SIGMA

__all__ = ["shrinkage_summary", "shrinkage_table", "kappa_draws"]

#: Central interval of the kappa summary (the posterior summary's HDI mass is not used: kappa
#: piles up at 0 and 1, where an equal-tailed interval reads more plainly).
INTERVAL = (0.03, 0.97)


def kappa_draws(posterior) -> np.ndarray:
    """The posterior draws of ``kappa_j`` as ``(draws, n_features)`` (chains stacked)."""
    kappa = posterior.datatree.posterior[KAPPA].transpose("chain", "draw", "feature")
    return np.asarray(kappa).reshape(-1, kappa.shape[-1])


def shrinkage_summary(model, posterior, *, prior_draws: int = 4000, random_seed: int = 0):
    r"""Per weight the posterior of ``kappa_j``; for the model ``m_eff``, beside its prior.

    ``kappa_j = 1 / (1 + x_j'x_j v_j / sigma^2)`` (``n s_j^2`` for unweighted centred columns) is
    the factor by which the weight is pulled to 0 given the scales (1 = fully shrunk);
    ``m_eff = sum_j (1 - kappa_j)`` the effective number of non-zero weights
    (``docs/specification.md``, "Horseshoe"). The prior ``m_eff`` is simulated from the
    specification's priors (:meth:`regprior.spec.sparse.ScaleMixture.prior_m_eff`, at the
    posterior median of sigma where the prior's variances are not proportional to sigma^2).

    Parameters
    ----------
    model : HierarchicalModel
        A normal scale mixture's model (its posterior holds ``kappa`` and ``m_eff``); anything
        with its ``spec`` and ``data`` will do (``shrinkage_table`` takes them apart).
    posterior : PosteriorResult
        NUTS or Gibbs draws of that model.

    Returns
    -------
    pandas.DataFrame
        One row per weight and a last row ``m_eff``: posterior ``mean``, ``median``,
        ``low``/``high`` (3% and 97% quantiles), and for ``m_eff`` the prior's ``prior_median``,
        ``prior_low``, ``prior_high``. Per weight, ``selected``: the posterior median of
        ``1 - kappa_j`` is above 1/2 (more signal than shrinkage).
    """
    return shrinkage_table(
        model.spec, model.data, posterior, prior_draws=prior_draws, random_seed=random_seed
    )


def shrinkage_table(spec, data, posterior, *, prior_draws: int = 4000, random_seed: int = 0):
    """:func:`shrinkage_summary` of ``posterior`` from the specification and the checked data.

    For a posterior that no PyMC model sampled (``engine="gibbs"``): ``spec`` is the
    :class:`~regprior.spec.sparse.ScaleMixture`, ``data`` the
    :class:`~regprior.spec.data.RegressionData` it was sampled on.
    """
    tree = posterior.datatree.posterior
    if KAPPA not in tree:
        raise ValueError(
            "shrinkage_summary needs a posterior with kappa: sample a sparse prior (Horseshoe, "
            "RegularizedHorseshoe, R2D2) with sample_posterior."
        )
    kappa = kappa_draws(posterior)
    m_eff = np.asarray(tree[M_EFF]).ravel()
    rows = pd.DataFrame(
        {
            "mean": kappa.mean(axis=0),
            "median": np.median(kappa, axis=0),
            "low": np.quantile(kappa, INTERVAL[0], axis=0),
            "high": np.quantile(kappa, INTERVAL[1], axis=0),
            "selected": np.median(kappa, axis=0) < 0.5,
        },
        index=pd.Index(list(data.feature_names), name="coefficient"),
    )
    sigma = float(np.median(np.asarray(tree[SIGMA])))
    prior = spec.prior_m_eff(
        data.X, y=data.y, sigma=sigma, draws=prior_draws, random_seed=random_seed
    )
    effective = pd.DataFrame(
        {
            "mean": [m_eff.mean()],
            "median": [np.median(m_eff)],
            "low": [np.quantile(m_eff, INTERVAL[0])],
            "high": [np.quantile(m_eff, INTERVAL[1])],
            "prior_median": [np.median(prior)],
            "prior_low": [np.quantile(prior, INTERVAL[0])],
            "prior_high": [np.quantile(prior, INTERVAL[1])],
        },
        index=pd.Index([M_EFF], name="coefficient"),
    )
    return pd.concat([rows, effective])
