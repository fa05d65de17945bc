"""The result of a projection predictive selection, and the projected posterior of a submodel."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["VariableSelection", "ProjectedPosterior"]

#: Central interval of the projected posterior's summary (the package's 94%).
INTERVAL = 0.94


@dataclass(frozen=True)
class ProjectedPosterior:
    """Reference draws projected onto one submodel (each draw its own projection).

    Attributes
    ----------
    features : tuple of str
        The submodel's features, in order of entry.
    coef : ndarray of shape (n_draws, len(features))
    intercept : ndarray of shape (n_draws,)
    noise : ndarray of shape (n_draws,) or None
        ``sigma_perp`` of each draw (a likelihood with a noise scale).
    weight : ndarray of shape (n_draws,)
        Each projected draw's weight (equal for thinned draws, cluster shares otherwise).
    """

    features: tuple
    coef: np.ndarray
    intercept: np.ndarray
    noise: np.ndarray | None
    weight: np.ndarray
    noise_name: str | None = None

    @property
    def summary(self) -> pd.DataFrame:
        """Weighted mean, sd and 94% central interval of every projected parameter."""
        columns = {name: self.coef[:, j] for j, name in enumerate(self.features)}
        columns["intercept"] = self.intercept
        if self.noise is not None:
            columns[self.noise_name or "noise"] = self.noise
        rows = {}
        tail = (1.0 - INTERVAL) / 2.0
        for name, values in columns.items():
            mean = float(self.weight @ values)
            order = np.argsort(values)
            cumulative = np.cumsum(self.weight[order])
            low = values[order][np.searchsorted(cumulative, tail)]
            high = values[order][min(np.searchsorted(cumulative, 1.0 - tail), len(values) - 1)]
            rows[name] = {
                "mean": mean,
                "sd": float(np.sqrt(self.weight @ (values - mean) ** 2)),
                "low_3%": float(low),
                "high_97%": float(high),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("parameter")

    def __repr__(self) -> str:
        return (
            f"<ProjectedPosterior on {len(self.features)} features {list(self.features)}, "
            f"{len(self.weight)} projected draws>"
        )


@dataclass(frozen=True)
class VariableSelection:
    """Projection predictive variable selection (Piironen, Paasiniemi & Vehtari 2020).

    Attributes
    ----------
    method : {"l1", "forward"}
    ranking : tuple of str
        Features in order of entry (up to ``max_size``).
    table : DataFrame
        One row per submodel size ``k`` (0: the intercept alone): the feature entering at ``k``,
        ``elpd_loo``, ``se_loo``, ``diff_loo``, ``diff_se_loo`` (PSIS-LOO along the full-data
        search, differences to the reference), the same ``*_cv`` by K-fold cross-validation of
        the whole search (with ``cv``), ``cv_proportion`` (share of the folds whose first ``k``
        features hold this one), ``true_feature`` (with ``truth``) and ``suggested``.
    reference_elpd : dict
        ``{"loo": (elpd, se), "cv": (elpd, se)}`` of the reference (its band in the plot).
    suggested_size : int or None
        The rule's size (:data:`regprior.selection.performance.SUGGESTION_RULE`) on the CV
        estimates when there are any (searching on all the data and scoring by LOO is
        optimistic), else on the LOO ones; None when no size up to ``max_size`` reaches it.
    suggestion_source : {"cv", "loo"}
    selected : tuple of str
        ``ranking[:suggested_size]``.
    lasso : DataFrame or None
        The Lasso's supports beside (:func:`regprior.selection.lasso.lasso_supports`), with
        ``size`` and, with ``truth``, ``false_positives``; one row for the suggestion too.
    fold_rankings : tuple of tuple of str
        Each fold's ranking.
    settings, timings, diagnostics : dict
        What was run (reference, clusters, draws, folds), wall times in seconds, and the
        reference's health (sampler problems, Pareto k).
    """

    method: str
    feature_names: tuple
    ranking: tuple
    table: pd.DataFrame
    reference_elpd: dict
    suggested_size: int | None
    suggestion_source: str
    rule: str
    lasso: pd.DataFrame | None
    fold_rankings: tuple
    settings: dict
    timings: dict
    diagnostics: dict
    notes: tuple = ()
    _reference: object = field(default=None, repr=False, compare=False)

    @property
    def selected(self) -> tuple:
        return () if self.suggested_size is None else self.ranking[: self.suggested_size]

    def project(self, size: int | None = None, *, features=None) -> ProjectedPosterior:
        """The projected posterior of the submodel of ``size`` (default: the suggested one) or of
        the given ``features`` (names), from the reference's thinned draws."""
        return self._reference.projected_posterior(self, size=size, features=features)

    def _repr_html_(self) -> str:
        from regprior.report.selection import selection_html

        return selection_html(self)

    def __repr__(self) -> str:
        size = "none" if self.suggested_size is None else self.suggested_size
        return (
            f"<VariableSelection ({self.method} search, {len(self.feature_names)} features): "
            f"suggested size {size} by {self.suggestion_source}, selected {list(self.selected)}>"
        )
