"""ArviZ posterior plots with the MAP and the sklearn estimate drawn on them (draw only, no computing)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from regprior.model import WEIGHTS

__all__ = ["plot_posterior_with_estimates", "reference_estimates"]

#: Colours and line styles of the reference lines, so a MAP hidden under an identical
#: sklearn line still shows (solid under dashed).
REFERENCE_STYLE = {"MAP": ("C1", "-"), "sklearn": ("C2", "--")}


def reference_estimates(comparison) -> xr.Dataset:
    """The point estimates of a comparison as a Dataset ``beta(ref_dim, feature)``."""
    features = list(comparison.table.index.drop("intercept", errors="ignore"))
    values = np.stack([comparison.map_result.coef, comparison.sklearn_fit.coef])
    return xr.Dataset(
        {WEIGHTS: xr.DataArray(values, dims=["ref_dim", "feature"], coords={"ref_dim": ["MAP", "sklearn"], "feature": features})}
    )


def plot_posterior_with_estimates(comparison, *, backend: str = "matplotlib"):
    """Marginal posterior of every weight (``arviz.plot_dist``) with the MAP and sklearn lines.

    Parameters
    ----------
    comparison : regprior.Comparison
        A comparison that sampled a posterior.
    backend : str, default="matplotlib"
        Any ArviZ plotting backend; ``"none"`` draws nothing and lets tests inspect what
        would have been drawn.

    Returns
    -------
    arviz_plots.PlotCollection
        Save it with ``.savefig(path)``. Its ``viz["ref_line"]`` holds the reference lines.
    """
    import arviz_plots as azp

    if comparison.posterior is None:
        raise ValueError("comparison has no posterior to plot: run it with sample=True.")
    references = reference_estimates(comparison)
    n_features = references.sizes["feature"]
    columns = min(4, n_features)
    rows = -(-n_features // columns)
    figure_kwargs = {"figsize": (3.6 * columns, 2.6 * rows + 0.6), "layout": "constrained"} if backend == "matplotlib" else {}
    plot = azp.plot_dist(
        comparison.posterior.datatree,
        var_names=[WEIGHTS],
        backend=backend,
        point_estimate="mean",
        ci_kind="hdi",
        ci_prob=0.94,
        col_wrap=columns,
        figure_kwargs=figure_kwargs,
    )
    colours, styles = zip(*(REFERENCE_STYLE[name] for name in references["ref_dim"].values))
    azp.add_lines(
        plot,
        references,
        aes_by_visuals={"ref_line": ["color", "linestyle"]},
        color=list(colours),
        linestyle=list(styles),
    )
    plot.add_legend(["ref_dim", "__variable__"], title="point estimate")
    return plot
