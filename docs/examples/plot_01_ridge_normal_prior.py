"""
Ridge and the Normal prior, with the exact posterior
====================================================

A Normal prior :math:`\\theta_j \\sim \\mathcal N(0, \\tau^2)` on each weight, a Gaussian
likelihood of known noise :math:`\\sigma` and a flat intercept give a posterior whose mode is
scikit-learn's ``Ridge`` at :math:`\\alpha = \\sigma^2 / \\tau^2` (see :ref:`spec-normal-ridge`).
The model is conjugate, so its posterior is known in closed form: here NUTS is checked against
it, and the MAP against ``Ridge``, to the digit.
"""

# %%
# The data and the map
# --------------------
# Diabetes (442 patients, ten standardised features). The noise sigma is held fixed at 54, about
# the least-squares residual sd; every identity holds conditionally on it.
import matplotlib.pyplot as plt
import numpy as np
import scipy.stats

import regprior as rp

data = rp.load_diabetes()
noise_sigma = 54.0
alpha = 1.0  # Ridge's alpha
tau = rp.normal_sigma_from_ridge_alpha(alpha, noise_sigma=noise_sigma)
prior = rp.Normal(sigma=tau)
print(prior, f"  Ridge alpha = sigma^2 / tau^2 = {rp.ridge_alpha(noise_sigma, tau):.6g}")
print(rp.sklearn_counterpart(prior, noise_sigma=noise_sigma, weight_sum=data.X.shape[0]))

# %%
# MAP against Ridge, NUTS against the exact posterior
# ---------------------------------------------------
# :func:`regprior.compare` fits ``Ridge``, computes the exact MAP of the PyMC model with its KKT
# certificate, samples NUTS (two chains of 500 draws here, to keep the page fast) and judges
# all of it: the verdict fails if the MAP and ``Ridge`` differ by more than 1e-8, or if a
# posterior mean is more than 4 Monte Carlo standard errors from the exact one.
comparison = rp.compare(
    data.X,
    data.y,
    prior,
    noise_sigma=noise_sigma,
    feature_names=data.feature_names,
    draws=500,
    tune=500,
    chains=2,
    random_seed=1,
)
print(comparison.to_text())

# %%
# The table, one row per coefficient: sklearn's estimate, the MAP, their difference, the NUTS
# posterior and the exact one.
comparison.table[["sklearn", "map", "abs_diff", "posterior_mean", "exact_mean", "exact_sd"]]

# %%
# The exact posterior
# -------------------
# :func:`regprior.exact_posterior` returns the conjugate Gaussian posterior of the weights:
# mean :math:`(X^\\top X + \\alpha I)^{-1} X^\\top y` on centred data (the Ridge solution) and
# covariance :math:`\\sigma^2 (X^\\top X + \\alpha I)^{-1}` (:ref:`spec-conjugate`).
exact = rp.exact_posterior(data.X, data.y, prior, noise_sigma=noise_sigma)
ridge_coef = comparison.table["sklearn"].to_numpy()[: data.X.shape[1]]
print("max |exact mean - Ridge| =", np.max(np.abs(exact.mean - ridge_coef)))

# %%
# NUTS draws against the closed form, for four weights. The black line is the MAP, the red
# dashed one ``Ridge``: they coincide, and so do the posterior mean and mode here.
draws = comparison.posterior.datatree["posterior"]["beta"]
fig, axes = plt.subplots(1, 4, figsize=(12, 3), layout="constrained")
for ax, name in zip(axes, ["bmi", "bp", "s1", "s5"], strict=True):
    j = data.feature_names.index(name)
    values = draws.sel(feature=name).values.ravel()
    ax.hist(values, bins=40, density=True, color="tab:blue", alpha=0.5, label="NUTS")
    grid = np.linspace(values.min(), values.max(), 200)
    sd = np.sqrt(exact.cov[j, j])
    ax.plot(grid, scipy.stats.norm.pdf(grid, exact.mean[j], sd), color="tab:blue", label="exact")
    ax.axvline(comparison.map_result.coef[j], color="black", label="MAP")
    ax.axvline(ridge_coef[j], color="tab:red", linestyle="--", label="Ridge")
    ax.set_title(name)
    ax.set_yticks([])
axes[0].legend(fontsize="small")
fig.suptitle(f"Normal prior (tau = {tau:.1f}) = Ridge (alpha = {alpha})")
plt.show()
