"""
Which variables? Projection predictive selection against the Lasso's support
============================================================================

The Lasso selects by its exact zeros; its strength is chosen by cross-validation, which tunes
prediction, not selection, and tends to keep noise. Projection predictive selection
(Piironen, Paasiniemi & Vehtari 2020, as in R's projpred; :ref:`spec-projpred`) starts from a
reference posterior with every feature, projects its draws onto submodels of growing size and
suggests the smallest size that predicts about as well as the reference.
:func:`regprior.select_variables` runs it and sets ``LassoCV``'s and the 1-SE Lasso's supports
beside it, cross-validated on the same folds.

Here diabetes gets 30 seeded columns of pure noise: a selected noise column is a false positive.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import regprior as rp
from regprior.selection import add_noise_columns

data, truth = add_noise_columns(rp.load_diabetes(), 30, seed=0)
print(data.X.shape, "real columns:", truth)

# %%
# The reference posterior
# -----------------------
# The reference is the default one, :class:`regprior.LearnedScale` (a Normal prior whose scale is
# learnt, with the noise sigma), here sampled by the Gibbs engine (``engine="gibbs"``: its
# conditionals are conjugate, so the draws are cheap and well mixed; see
# :ref:`guide-posteriors`). ``select_variables`` also takes a specification and samples it by
# NUTS itself.
reference = rp.LearnedScale()
posterior = rp.sample_posterior(
    data.X, data.y, reference, engine="gibbs", draws=1000, tune=1000, chains=2, random_seed=0
)
print(posterior)

# %%
# The selection
# -------------
# The features are ranked by the exact L1 path of the reference's mean fit, each size is scored
# by PSIS-LOO of its projected draws and by a cross-validation of the whole search (the
# reference refitted by NUTS on every fold: it needs ``specification=``), and the suggested
# size is projpred's rule: the smallest size whose elpd difference to the reference has its
# upper one-SE bound above 0. Few draws per fold and two folds keep the page fast; the
# committed benchmark (``benchmarks/results/selection.md``: 90 noise columns, 4 x 1000
# reference draws, 5 folds) is the careful run.
selection = rp.select_variables(
    data.X,
    data.y,
    posterior,
    specification=reference,
    feature_names=data.feature_names,
    truth=truth,
    max_size=12,
    cv=2,
    cv_draws=200,
    cv_tune=200,
    random_seed=0,
)
print(selection)
print("Pareto k, largest:", round(selection.diagnostics["pareto_k_max"], 2))
selection.table[["feature", "diff_loo", "diff_se_loo", "diff_cv", "diff_se_cv", "suggested"]].round(
    2
)

# %%
# Beside the Lasso
# ----------------
# ``selection.lasso`` holds the supports: the projection's suggestion, ``LassoCV``'s (the alpha
# of least CV error) and the 1-SE Lasso's (the strongest alpha within one standard error of
# it), each refitted on all the data so that its exact zeros are the support, and the number
# of noise columns each keeps.
selection.lasso[["method", "strength", "size", "false_positives"]]

# %%
# The elpd of each size, its difference to the reference and the suggested size: the first
# features bring most of the predictive performance, and the noise columns the Lasso keeps
# add nothing a cross-validation can see.
sizes = selection.table.index.to_numpy()
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
for source, colour, label in (
    ("loo", "tab:blue", "PSIS-LOO along the full-data search"),
    ("cv", "tab:orange", "2-fold CV of the whole search"),
):
    shift = -0.1 if source == "loo" else 0.1
    ax.errorbar(
        sizes + shift,
        selection.table[f"diff_{source}"],
        yerr=selection.table[f"diff_se_{source}"],
        marker="o",
        ms=4,
        capsize=2,
        color=colour,
        label=label,
    )
ax.axhline(0.0, color="0.35", ls="--", lw=1, label="reference")
if selection.suggested_size is not None:
    ax.axvline(selection.suggested_size, color="black", ls=":", lw=1, label="suggested size")
labels = ["0"] + [f"{k}\n{name}" for k, name in zip(sizes[1:], selection.ranking, strict=True)]
ax.set_xticks(sizes, labels, fontsize=7)
ax.set_xlabel("submodel size (feature entering)")
ax.set_ylabel("elpd difference to the reference")
ax.legend(fontsize="small", loc="lower right")
plt.show()

# %%
# Which columns each method keeps: real ones in colour, noise in grey.
rows = list(selection.lasso.itertuples())
short = {rows[0].method: "projection predictive"}
fig, ax = plt.subplots(figsize=(8, 0.6 + 0.5 * len(rows)), layout="constrained")
for i, row in enumerate(rows):
    positions = [data.feature_names.index(name) for name in row.support]
    colours = ["tab:purple" if name in truth else "0.6" for name in row.support]
    ax.scatter(positions, np.full(len(positions), i), c=colours, marker="s", s=30)
ax.axvline(len(truth) - 0.5, color="black", lw=0.8)
ax.set_yticks(
    range(len(rows)), [f"{short.get(r.method, r.method)} ({r.size})" for r in rows], fontsize=8
)
ax.set_xlim(-1, data.n_features)
ax.set_xlabel(f"column (0-{len(truth) - 1}: diabetes; {len(truth)}-{data.n_features - 1}: noise)")
ax.invert_yaxis()
plt.show()

# %%
# The projected posterior of the selected submodel: each reference draw projected onto the
# selected features (weighted least squares of its fit, sigma projected), so the posterior of
# the small model inherits the reference's uncertainty instead of being refitted.
projected = selection.project()
print(projected)
projected.summary.round(2)
