"""
Poisson counts: a Normal prior and PoissonRegressor
===================================================

A Normal prior :math:`\\mathcal N(0, \\tau^2)` on each weight with a Poisson (log) likelihood and
a flat intercept has ``PoissonRegressor`` as its MAP at :math:`\\alpha = 1/(S\\tau^2)`, where
:math:`S` is the weight sum (:ref:`spec-poisson`). PoissonRegressor gives the mode; NUTS gives
the whole posterior, and with it the uncertainty of each expected count.
"""

# %%
# Seeded synthetic counts (400 samples, 8 features).
import matplotlib.pyplot as plt
import numpy as np

import regprior as rp

data = rp.make_poisson_counts(seed=0)
likelihood = rp.Poisson()
prior = rp.make_prior(
    "normal", likelihood=likelihood, weight_sum=data.weight_sum, sklearn={"alpha": 0.01}
)
print(prior, "->", rp.sklearn_counterpart(prior, likelihood=likelihood, weight_sum=data.weight_sum))

comparison = rp.compare(
    data.X,
    data.y,
    prior,
    likelihood=likelihood,
    feature_names=data.feature_names,
    draws=500,
    tune=500,
    chains=4,
    random_seed=5,
)
print(comparison.to_text())

# %%
comparison.table[["sklearn", "map", "abs_diff", "posterior_mean", "hdi_low", "hdi_high"]]

# %%
# The scikit-learn estimator
# --------------------------
# :class:`regprior.PoissonPriorRegressor` is a drop-in for ``PoissonRegressor``: same
# parameters, the exact MAP as ``coef_``, predictions as expected counts.
model = rp.PoissonPriorRegressor(alpha=0.01).fit(data.X, data.y)
print("max |coef_ - MAP| =", np.max(np.abs(model.coef_ - comparison.map_result.coef)))

# %%
# Posterior of the expected count for the first 40 samples: the mean of ``exp(eta)`` over the
# draws with its 94% interval, against the observed counts and the MAP's prediction.
post = comparison.posterior.datatree["posterior"]
beta = post["beta"].values.reshape(-1, data.X.shape[1])
intercept = post["intercept"].values.reshape(-1)
rows = slice(0, 40)
mu = np.exp(intercept[:, None] + beta @ data.X[rows].T)
low, high = np.quantile(mu, [0.03, 0.97], axis=0)
fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
x = np.arange(mu.shape[1])
ax.vlines(x, low, high, color="tab:blue", alpha=0.6, label="94% posterior interval of E[y]")
ax.plot(x, model.predict(data.X[rows]), "k_", markersize=10, label="MAP = PoissonRegressor")
ax.plot(x, data.y[rows], "o", color="tab:red", markersize=4, label="observed count")
ax.set_xlabel("sample")
ax.set_ylabel("count")
ax.legend(fontsize="small")
plt.show()
