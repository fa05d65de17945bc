"""ArviZ posterior plots with the MAP and the sklearn estimate drawn on them (drawing only)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from regprior import registry
from regprior.backend.model import WEIGHTS

__all__ = [
    "plot_posterior_with_estimates",
    "reference_estimates",
    "plot_path",
    "plot_forest_comparison",
    "plot_alpha_choice",
    "plot_shrinkage",
    "plot_sparse_beside",
    "PRIOR_COLOURS",
    "prior_colours",
]

#: Colours and line styles of the reference lines, so a MAP hidden under an identical
#: sklearn line still shows (solid under dashed): MAP black, sklearn red, in every figure.
REFERENCE_STYLE = {"MAP": ("black", "-"), "sklearn": ("red", "--")}
#: One colour per prior family in every figure (the registry names them); a second model of
#: the same family (another strength) takes the second shade.
PRIOR_COLOURS = registry.PRIOR_COLOURS
#: Posteriors drawn beside the twins without point estimates (a sparse prior's).
BESIDE_COLOURS = ("tab:green", "tab:olive")


def prior_colours(comparisons: dict) -> list[str]:
    """The colour of each comparison's model, by its prior family (see :data:`PRIOR_COLOURS`)."""
    seen, colours = {}, []
    for comparison in comparisons.values():
        family = comparison.prior.family
        shades = PRIOR_COLOURS.get(family, ("tab:gray", "darkgray"))
        colours.append(shades[min(seen.get(family, 0), len(shades) - 1)])
        seen[family] = seen.get(family, 0) + 1
    return colours


def reference_estimates(comparison) -> xr.Dataset:
    """The point estimates of a comparison as a Dataset ``beta(ref_dim, feature)``."""
    features = list(comparison.table.index.drop("intercept", errors="ignore"))
    values = np.stack([comparison.map_result.coef, comparison.sklearn_fit.coef])
    return xr.Dataset(
        {
            WEIGHTS: xr.DataArray(
                values,
                dims=["ref_dim", "feature"],
                coords={"ref_dim": ["MAP", "sklearn"], "feature": features},
            )
        }
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
    figure_kwargs = (
        {"figsize": (3.6 * columns, 2.6 * rows + 0.6), "layout": "constrained"}
        if backend == "matplotlib"
        else {}
    )
    colour = PRIOR_COLOURS.get(comparison.prior.family, ("tab:gray",))[0]
    from arviz_base import rc_context

    # One panel per weight: ArviZ refuses more than plot.max_subplots (40) by default.
    with rc_context({"plot.max_subplots": max(n_features, 40)}):
        plot = azp.plot_dist(
            comparison.posterior.datatree,
            var_names=[WEIGHTS],
            backend=backend,
            point_estimate="mean",
            ci_kind="hdi",
            ci_prob=0.94,
            col_wrap=columns,
            figure_kwargs=figure_kwargs,
            visuals={"dist": {"color": colour}},
        )
    colours, styles = zip(
        *(REFERENCE_STYLE[name] for name in references["ref_dim"].values), strict=True
    )
    azp.add_lines(
        plot,
        references,
        aes_by_visuals={"ref_line": ["color", "linestyle"]},
        color=list(colours),
        linestyle=list(styles),
    )
    plot.add_legend(["ref_dim", "__variable__"], title="point estimate")
    return plot


#: Line styles of the alphas marked on a path plot (``marks``), by the way each was chosen.
MARK_STYLES = {"CV": ("black", "--"), "1-SE": ("black", ":"), "EB": ("tab:purple", "-.")}


def plot_path(
    comparison, posterior=None, *, marks: dict | None = None, style: str = "arviz-variat"
):
    """Regularisation path: MAP as lines, sklearn as markers.

    The posterior mean and 94% HDI are drawn at the sampled alphas.

    Parameters
    ----------
    comparison : regprior.checks.paths.PathComparison
    posterior : pandas.DataFrame, optional
        Output of :func:`regprior.checks.paths.posterior_path` (one row per alpha and feature).
    marks : dict of str -> float, optional
        Alphas to mark with a vertical line, by how they were chosen (``{"CV": ..., "1-SE": ...,
        "EB": ...}``); each is named in the legend.
    style : str, default="arviz-variat"
        A matplotlib style; ArviZ registers its own (``arviz-variat``, ``arviz-vibrant``, ...).

    Returns
    -------
    matplotlib.figure.Figure
        One axis; x is sklearn's path parameter on a log scale, the penalty weakening to the
        right as in sklearn's path examples (alpha decreasing, C increasing). Its legend names
        the three layers.
    """
    import arviz_plots  # noqa: F401  (registers the ArviZ matplotlib styles)
    import matplotlib.pyplot as plt

    bayes, sklearn = comparison.map_path, comparison.sklearn_path
    with plt.style.context(style):
        figure, ax = plt.subplots(figsize=(9, 5.5), layout="constrained")
        colours = [f"C{j % 10}" for j in range(len(bayes.feature_names))]
        for j, (name, colour) in enumerate(zip(bayes.feature_names, colours, strict=True)):
            ax.plot(
                bayes.alphas, bayes.coefs[:, j], color=colour, linewidth=1.5, label=name, gid="map"
            )
            ax.scatter(
                sklearn.alphas,
                sklearn.coefs[:, j],
                s=14,
                facecolors="none",
                edgecolors=colour,
                linewidths=0.8,
                gid="sklearn",
            )
        if posterior is not None:
            for j, name in enumerate(bayes.feature_names):
                rows = posterior[posterior["feature"] == name]
                low, high = rows["mean"] - rows["hdi_low"], rows["hdi_high"] - rows["mean"]
                ax.errorbar(
                    rows["alpha"],
                    rows["mean"],
                    yerr=[low, high],
                    fmt="D",
                    markersize=4,
                    color=colours[j],
                    alpha=0.6,
                    capsize=2,
                    gid="posterior",
                )
        for label, value in (marks or {}).items():
            colour, line = MARK_STYLES.get(label, ("grey", "--"))
            ax.axvline(
                value,
                color=colour,
                linestyle=line,
                linewidth=1.2,
                label=f"{label} {bayes.parameter} = {value:.3g}",
                gid="mark",
            )
        ax.set_xscale("log")
        if bayes.alphas[0] > bayes.alphas[-1]:
            ax.invert_xaxis()  # the penalty weakens to the right, as in sklearn's path examples
        ax.set_xlabel(f"sklearn {bayes.parameter}")
        ax.set_ylabel("coefficient")
        subtitle = "\nposterior mean and 94% HDI (diamonds)" if posterior is not None else ""
        ax.set_title(
            f"{bayes.family} prior: MAP (lines), sklearn (circles){subtitle}", fontsize="medium"
        )
        ax.legend(
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            fontsize="small",
            ncols=1 + len(bayes.feature_names) // 20,
        )
    return figure


def _estimates_by_model(comparisons: dict, attribute: str, beside=()) -> xr.Dataset:
    """Each comparison's point estimate (``attribute``), NaN (nothing drawn) for ``beside``."""
    names = list(comparisons) + list(beside)
    features = list(next(iter(comparisons.values())).table.index.drop("intercept", errors="ignore"))
    values = np.stack(
        [getattr(comparisons[name], attribute).coef for name in comparisons]
        + [np.full(len(features), np.nan) for _ in beside]
    )
    return xr.Dataset(
        {
            WEIGHTS: xr.DataArray(
                values, dims=["model", "feature"], coords={"model": names, "feature": features}
            )
        }
    )


def plot_forest_comparison(
    comparisons: dict, *, beside: dict | None = None, backend: str = "matplotlib"
):
    """Forest plot of several posteriors (e.g. Normal vs Laplace) with both point estimates.

    Per weight and model: the 94% HDI (thin), the 50% interval (thick) and the posterior mean
    (open dot) from ``arviz.plot_forest``; the MAP as a black ``x``; sklearn's estimate as a
    red circle. Where the Laplace MAP is exactly zero, its posterior mean is not.

    Parameters
    ----------
    comparisons : dict of str -> Comparison
        Sampled comparisons on the same features, keyed by the label to show.
    beside : dict of str -> PosteriorResult, optional
        Posteriors without a MAP or sklearn twin (a sparse prior's), drawn below the others
        in :data:`BESIDE_COLOURS`, with no point-estimate markers.
    backend : str, default="matplotlib"
        ``"none"`` to inspect what would be drawn.
    """
    import arviz_plots as azp

    missing = [name for name, c in comparisons.items() if c.posterior is None]
    if missing:
        raise ValueError(
            f"comparisons {missing} have no posterior to plot: run them with sample=True."
        )
    beside = beside or {}
    trees = {name: c.posterior.datatree for name, c in comparisons.items()}
    trees.update({name: posterior.datatree for name, posterior in beside.items()})
    colours = prior_colours(comparisons) + [
        BESIDE_COLOURS[index % len(BESIDE_COLOURS)] for index in range(len(beside))
    ]
    plot = azp.plot_forest(
        trees,
        var_names=[WEIGHTS],
        combined=True,
        backend=backend,
        point_estimate="mean",
        aes={"color": ["model"]},
        color=colours,
    )
    for visual, attribute, style in (
        ("map_estimate", "map_result", {"marker": "x", "color": "black", "size": 40}),
        (
            "sklearn_estimate",
            "sklearn_fit",
            {"marker": "o", "facecolor": "none", "color": "red", "size": 70},
        ),
    ):
        plot.map(
            azp.visuals.scatter_x,
            visual,
            data=_estimates_by_model(comparisons, attribute, beside),
            coords={"column": "forest"},
            **style,
        )
    plot.add_legend("model")
    if backend == "matplotlib":
        _explain_forest_markers(plot.viz["legend"]["model"].item().figure)
    return plot


def _explain_forest_markers(figure) -> None:
    """A second legend naming every marker and interval of the forest plot, and the axis label."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color="grey", linewidth=1, label="94% HDI"),
        Line2D([], [], color="grey", linewidth=3, label="50% interval"),
        Line2D(
            [],
            [],
            color="grey",
            marker="o",
            markerfacecolor="white",
            linestyle="none",
            label="posterior mean",
        ),
        Line2D([], [], color="black", marker="x", linestyle="none", label="MAP (regprior)"),
        Line2D(
            [],
            [],
            color="red",
            marker="o",
            markerfacecolor="none",
            markersize=9,
            linestyle="none",
            label="sklearn",
        ),
    ]
    figure.legend(handles=handles, loc="lower right", title="markers", fontsize="small")
    figure.axes[-1].set_xlabel("weight")


def plot_alpha_choice(choices: dict, *, style: str = "arviz-variat"):
    """CV curve, 1-SE and evidence alphas, and the implied alpha's posterior, on one log axis.

    One panel per estimator (Ridge and Lasso alphas are on different scales). Left axis: mean
    CV error with a +-1 SE band; vertical lines: CV's alpha (solid), the 1-SE alpha (dashed),
    type-II ML (dotted); right axis: the posterior density of log10(alpha) per full-Bayes
    model, with its median as a marker. Draws only; see
    :func:`regprior.checks.alpha_choice.choose_alpha`.
    """
    import arviz_plots  # noqa: F401  (registers the ArviZ matplotlib styles)
    import matplotlib.pyplot as plt
    from scipy.stats import gaussian_kde

    with plt.style.context(style):
        figure, axes = plt.subplots(
            1, len(choices), figsize=(6.5 * len(choices), 4.5), layout="constrained"
        )
        for ax, (name, choice) in zip(np.atleast_1d(axes), choices.items(), strict=True):
            ax.plot(choice.cv_alphas, choice.cv_mean, color="C0", label="CV error (mean)")
            ax.fill_between(
                choice.cv_alphas,
                choice.cv_mean - choice.cv_se,
                choice.cv_mean + choice.cv_se,
                color="C0",
                alpha=0.2,
                label="+-1 SE",
            )
            ax.axvline(
                choice.cv_alpha, color="C0", linestyle="-", label=f"CV alpha {choice.cv_alpha:.3g}"
            )
            ax.axvline(
                choice.one_se_alpha,
                color="C0",
                linestyle="--",
                label=f"1-SE alpha {choice.one_se_alpha:.3g}",
            )
            if choice.eb_alpha is not None:
                ax.axvline(
                    choice.eb_alpha,
                    color="C3",
                    linestyle=":",
                    linewidth=2,
                    label=f"type-II ML alpha {choice.eb_alpha:.3g}",
                )
            ax.set_xscale("log")
            ax.set_xlabel(f"sklearn {name} alpha")
            ax.set_ylabel("CV mean squared error")
            density_ax = ax.twinx()
            for index, (model, draws) in enumerate(choice.posterior_alphas.items()):
                logs = np.log10(draws)
                grid = np.linspace(logs.min(), logs.max(), 200)
                density_ax.plot(
                    10**grid,
                    gaussian_kde(logs)(grid),
                    color=f"C{index + 1}",
                    label=f"posterior: {model}",
                )
                density_ax.plot(
                    [10 ** np.median(logs)],
                    [0.0],
                    marker="^",
                    color=f"C{index + 1}",
                    markersize=9,
                    clip_on=False,
                )
            density_ax.set_ylabel("posterior density of log10(alpha)")
            density_ax.set_ylim(bottom=0)
            lines = ax.get_legend_handles_labels()
            more = density_ax.get_legend_handles_labels()
            ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize="x-small", loc="upper left")
            ax.set_title(
                f"{name}: choosing alpha by CV, by evidence, by full Bayes", fontsize="medium"
            )
    return figure


def plot_loo(comparison, *, backend: str = "matplotlib"):
    """ArviZ's comparison plot (elpd_loo with its se, and the difference to the best model)."""
    import arviz_plots as azp

    return azp.plot_compare(
        comparison.compare,
        backend=backend,
        figure_kwargs={"layout": "constrained", "figsize": (9, 1.2 + 0.5 * len(comparison.table))},
    )


def plot_shrinkage(kappa, feature_names, lasso_coefs: dict, *, truth=None, title=None):
    """Each coefficient's posterior of ``kappa_j`` beside the Lasso's exact zeros.

    Left: one box per coefficient (median, quartiles, 3%-97% whiskers) of the posterior draws of
    the shrinkage factor ``kappa_j`` (1 = shrunk to 0). Right: one column per Lasso fit
    (``lasso_coefs``, e.g. the CV and 1-SE alphas), a filled marker where the Lasso keeps the
    coefficient and an open one at its exact zeros; with ``truth``, a column marking the truly
    non-zero coefficients. Draws only: ``kappa`` is ``(draws, n_features)``
    (:func:`regprior.inference.shrinkage.kappa_draws`), the fits are computed by the caller.
    """
    import matplotlib.pyplot as plt

    kappa = np.asarray(kappa)
    names = list(feature_names)
    columns = dict(lasso_coefs)
    if truth is not None:
        columns["truth"] = np.asarray(truth)
    height = 1.5 + 0.16 * len(names)
    figure, (ax, marks) = plt.subplots(
        1,
        2,
        figsize=(7.5, height),
        sharey=True,
        gridspec_kw={"width_ratios": [4, 0.35 * len(columns) + 0.3]},
        layout="constrained",
    )
    positions = np.arange(len(names))[::-1]
    ax.boxplot(
        list(kappa.T),
        positions=positions,
        orientation="horizontal",
        whis=(3, 97),
        showfliers=False,
        widths=0.6,
        medianprops={"color": "C1"},
    )
    ax.set_xlim(-0.02, 1.02)
    ax.set_yticks(positions, names, fontsize="x-small" if len(names) > 30 else "small")
    ax.set_xlabel("posterior of kappa_j (0: kept, 1: shrunk to zero)")
    ax.axvline(0.5, color="grey", linewidth=0.8, linestyle=":")
    for index, coef in enumerate(columns.values()):
        kept = np.asarray(coef) != 0
        marks.scatter(np.full(kept.sum(), index), positions[kept], color=f"C{index}", s=22)
        marks.scatter(
            np.full((~kept).sum(), index),
            positions[~kept],
            facecolors="none",
            edgecolors=f"C{index}",
            s=22,
            linewidths=0.7,
        )
    marks.set_xticks(range(len(columns)), list(columns), rotation=60, fontsize="x-small")
    marks.set_xlim(-0.6, len(columns) - 0.4)
    marks.set_title("non-zero (filled)\nexact zero (open)", fontsize="x-small")
    if title:
        ax.set_title(title, fontsize="medium")
    return figure


def plot_sparse_beside(sparse):
    """``compare --sparse``'s figure: :func:`plot_shrinkage` of a
    :class:`~regprior.checks.sparse.SparseComparison` (every weight; the Lasso fits it holds)."""
    from regprior.inference.shrinkage import kappa_draws

    lasso = {label: sparse.table[label].to_numpy() for label in sparse.lasso_support}
    m = sparse.m_eff
    return plot_shrinkage(
        kappa_draws(sparse.posterior),
        list(sparse.table.index),
        lasso,
        title=f"{sparse.name}: kappa per weight, m_eff {m['median']:.3g} "
        f"[{m['low']:.3g}, {m['high']:.3g}]",
    )
