"""
Lasso and the Laplace prior: exact zeros against posterior mass
===============================================================

A Laplace prior of scale :math:`s` on each weight has scikit-learn's ``Lasso`` as its posterior
mode at :math:`\\alpha = \\sigma^2 / (N s)` (:ref:`spec-laplace-lasso`). The MAP sets some
weights *exactly* to zero; the posterior does not: a weight whose MAP is 0 still has most of its
posterior mass away from 0. This example shows both, on the path and at one strength.
"""

# %%
# The path: exact zeros, one compiled model
# -----------------------------------------
# :func:`regprior.map_path` solves the MAP along sklearn's own grid of 50 alphas (from
# ``alpha_max``, where every weight is 0, down to ``1e-3 alpha_max``) on one compiled PyMC
# model, each point certified by the model's KKT residual.
import matplotlib.pyplot as plt
import numpy as np

import regprior as rp

data = rp.load_diabetes()
noise_sigma = 54.0
path = rp.map_path(
    data.X, data.y, "laplace", noise_sigma=noise_sigma, feature_names=data.feature_names
)
frame = path.to_frame()
print(frame[["kkt_residual", "n_iter"]].describe().loc[["max", "mean"]])

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for name in data.feature_names:
    ax.plot(frame.index, frame[name], label=name)
ax.set_xscale("log")
ax.invert_xaxis()
ax.set_xlabel("Lasso alpha (strongest penalty on the left)")
ax.set_ylabel("MAP weight")
ax.axvline(0.187, color="grey", linestyle=":")
ax.legend(ncol=2, fontsize="small")
ax.set_title("Laplace prior: MAP path (exact zeros on the left)")
plt.show()

# %%
# One strength: the MAP against Lasso and the posterior
# -----------------------------------------------------
# At Lasso alpha 0.187 (the 1-SE rule of ``LassoCV`` on this data) four weights of the MAP are
# exactly zero, as in ``Lasso``. ``p_near_centre`` is the posterior mass within a quarter of
# each weight's own posterior sd of zero (0.20 for a normal posterior centred at 0).
alpha = 0.187
n = data.X.shape[0]
prior = rp.Laplace(scale=rp.laplace_scale_from_lasso_alpha(alpha, noise_sigma, n))
comparison = rp.compare(
    data.X,
    data.y,
    prior,
    noise_sigma=noise_sigma,
    feature_names=data.feature_names,
    draws=500,
    tune=500,
    chains=2,
    random_seed=2,
)
print(comparison.to_text().splitlines()[2])
comparison.table[["sklearn", "map", "posterior_mean", "posterior_median", "p_near_centre"]]

# %%
# Where the MAP is exactly 0, the posterior is a spread-out density with no atom at 0: the
# Laplace prior shrinks, but it does not select. Its mean and median are not 0 either.
draws = comparison.posterior.datatree["posterior"]["beta"]
zeros = [name for j, name in enumerate(data.feature_names) if comparison.map_result.coef[j] == 0]
print("exact zeros of the MAP:", zeros)
fig, axes = plt.subplots(1, len(zeros), figsize=(3 * len(zeros), 3), layout="constrained")
for ax, name in zip(np.atleast_1d(axes), zeros, strict=True):
    values = draws.sel(feature=name).values.ravel()
    ax.hist(values, bins=40, density=True, color="tab:purple", alpha=0.6)
    ax.axvline(0.0, color="black", label="MAP = Lasso = 0")
    ax.axvline(np.mean(values), color="tab:purple", linestyle="--", label="posterior mean")
    ax.set_title(name)
    ax.set_yticks([])
np.atleast_1d(axes)[0].legend(fontsize="small")
plt.show()
