"""
The elastic net and the product prior
=====================================

The product of a Laplace and a Normal density,
:math:`p(\\theta) \\propto \\exp(-|\\theta|/s - \\theta^2 / (2\\tau^2))` (Li & Lin's Bayesian
elastic net), has scikit-learn's ``ElasticNet`` as its posterior mode, with
:math:`\\alpha = \\sigma^2 (1/s + 1/\\tau^2) / N` and
:math:`\\rho = (1/s) / (1/s + 1/\\tau^2)` (:ref:`spec-elastic-net`). Its normalising constant
is :math:`Z = \\tau\\sqrt{2\\pi}\\,\\mathrm{erfcx}(\\tau / (\\sqrt2 s))`.
"""

# %%
# From sklearn's (alpha, l1_ratio) to the prior's two scales
# -----------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import ElasticNet

import regprior as rp

data = rp.load_diabetes()
noise_sigma, n = 54.0, data.X.shape[0]
alpha, l1_ratio = 0.05, 0.5
prior = rp.make_prior(
    "elasticnet",
    likelihood=rp.Gaussian(noise_sigma),
    weight_sum=n,
    sklearn={"alpha": alpha, "l1_ratio": l1_ratio},
)
print(prior)
print("back to sklearn:", rp.elastic_net_alpha(noise_sigma, prior.scale, prior.sigma, n))

# %%
# The three densities at the same strength
# ----------------------------------------
# With the same Laplace scale and Normal sd, the product prior is narrower than either factor:
# a kink at 0 (the l1 part) and Gaussian tails (the l2 part).
theta = np.linspace(-150, 150, 601)
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for p, colour in [
    (rp.Laplace(scale=prior.scale), "tab:purple"),
    (rp.Normal(sigma=prior.sigma), "tab:blue"),
    (prior, "tab:brown"),
]:
    ax.plot(theta, np.exp(-p.neg_logpdf(theta)), color=colour, label=repr(p))
ax.set_xlabel("weight")
ax.set_ylabel("prior density")
ax.legend(fontsize="small")
plt.show()

# %%
# The MAP against ElasticNet
# --------------------------
# :func:`regprior.compare` with ``sample=False`` judges the MAP alone: coefficient by
# coefficient against ``ElasticNet(tol=1e-12)``, the same exact zeros, and the KKT certificate.
comparison = rp.compare(
    data.X, data.y, prior, noise_sigma=noise_sigma, feature_names=data.feature_names, sample=False
)
print(comparison.to_text().splitlines()[2])
enet = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000).fit(data.X, data.y)
result = rp.fit_map(data.X, data.y, prior, noise_sigma=noise_sigma)
print("max |MAP - ElasticNet| =", np.max(np.abs(result.coef - enet.coef_)))
print("KKT residual:", result.kkt_residual, " exact zeros:", np.flatnonzero(result.coef == 0))

# %%
# A path over alpha at fixed l1_ratio
# -----------------------------------
# ``fixed`` holds the other strength parameter; the grid is sklearn's (the lasso's
# ``alpha_max`` over ``l1_ratio``).
path = rp.map_path(
    data.X,
    data.y,
    "elasticnet",
    noise_sigma=noise_sigma,
    fixed={"l1_ratio": 0.5},
    feature_names=data.feature_names,
)
frame = path.to_frame()
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for name in data.feature_names:
    ax.plot(frame.index, frame[name], label=name)
ax.set_xscale("log")
ax.invert_xaxis()
ax.set_xlabel("ElasticNet alpha (l1_ratio = 0.5)")
ax.set_ylabel("MAP weight")
ax.legend(ncol=2, fontsize="small")
plt.show()
