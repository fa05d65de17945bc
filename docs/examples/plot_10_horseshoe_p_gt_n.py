"""
The regularized horseshoe on p > n: shrinkage factors against the Lasso's exact zeros
=====================================================================================

With more features than rows and a few real effects, the Lasso's cross-validated fit keeps
many null features. A horseshoe prior (:ref:`spec-horseshoe`) puts a spike of mass near zero
and heavy tails: each weight's shrinkage factor :math:`\\kappa_j \\in [0, 1]` (1: pulled to
zero, 0: left alone) has a posterior of its own, and :math:`m_{\\mathrm{eff}} = \\sum_j (1 -
\\kappa_j)` counts the effective non-zero weights. The regularized horseshoe
(:class:`regprior.RegularizedHorseshoe`, :ref:`spec-regularized-horseshoe`) adds a slab that
keeps the large weights finite.

The data: the 60 x 120 set of the committed benchmark (``benchmarks/results/sparse_priors.md``):
standard-normal columns, five effects of size 1 to 3 with random signs, unit noise, seeded.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import Lasso, LassoCV

import regprior as rp
from regprior.inference import shrinkage_summary
from regprior.inference.shrinkage import kappa_draws
from regprior.report.plots import plot_shrinkage

rng = np.random.default_rng(0)
n, p, k = 60, 120, 5
X = rng.standard_normal((n, p))
coef = np.zeros(p)
support = rng.choice(p, k, replace=False)
coef[support] = rng.choice([-1.0, 1.0], k) * rng.uniform(1.0, 3.0, k)
y = 1.0 + X @ coef + rng.standard_normal(n)
names = [f"x{j:03d}" for j in range(p)]
print("true effects:", {names[j]: round(float(coef[j]), 2) for j in sorted(support)})

# %%
# The Lasso
# ---------
# ``LassoCV`` (5 folds, 100 alphas) and the 1-SE rule on its CV curve (the strongest alpha whose
# mean CV error is within one standard error of the best). Their exact zeros are their answer.
cv = LassoCV(cv=5, alphas=100, max_iter=100_000, tol=1e-10).fit(X, y)
mse = cv.mse_path_.mean(axis=1)
se = cv.mse_path_.std(axis=1, ddof=1) / np.sqrt(cv.mse_path_.shape[1])
alpha_1se = cv.alphas_[mse <= mse.min() + se[np.argmin(mse)]].max()
one_se = Lasso(alpha=alpha_1se, max_iter=100_000, tol=1e-10).fit(X, y)
lasso = {"LassoCV": cv.coef_, "1-SE Lasso": one_se.coef_}
for label, fitted in lasso.items():
    kept = fitted != 0
    print(f"{label}: {kept.sum()} non-zero, {np.sum(kept & (coef == 0))} of them null")

# %%
# The regularized horseshoe
# -------------------------
# ``p0=5``, a prior guess of the number of relevant features, sets the global scale by Piironen
# & Vehtari's rule (:math:`\\tau_0 = \\frac{p_0}{p - p_0}\\frac{1}{\\sqrt n}`); at the default
# ``tau0 = 1`` the prior puts most of its mass on little shrinkage when p > n, and the
# benchmark found NUTS unhealthy there. NUTS samples the scales and the noise with the weights
# integrated out (no funnel between the weights and their scales), then draws the weights
# exactly given each draw. The prior has no mode: ``fit_map`` refuses it.
spec = rp.RegularizedHorseshoe(p0=5)
posterior = rp.sample_posterior(X, y, spec, draws=1000, tune=1000, chains=2, random_seed=0)
print(posterior)

# %%
# ``shrinkage_summary`` gives each weight's posterior of :math:`\\kappa_j` (``selected``: its
# median is below 1/2, more signal than shrinkage) and :math:`m_{\\mathrm{eff}}` beside its
# prior, simulated from the specification.
model = rp.make_model(X, y, spec, feature_names=names)
shrinkage = shrinkage_summary(model, posterior)
print("selected by kappa:", list(shrinkage.index[shrinkage["selected"].eq(True)]))
shrinkage.loc[
    ["m_eff"], ["median", "low", "high", "prior_median", "prior_low", "prior_high"]
].round(2)

# %%
# Five weights have a posterior median of :math:`\kappa_j` below 1/2, the five true effects, but
# :math:`m_{\mathrm{eff}}` is about 22: each of the 115 null weights keeps a little of its
# :math:`1 - \kappa_j` (the wide boxes below), and together they add up. The committed
# benchmark (4 x 1000 draws) found the same, 22.5.

# %%
# The posteriors of :math:`\\kappa_j` beside the Lasso's exact zeros, for the true effects and
# every feature either Lasso keeps: the true effects have :math:`\\kappa_j` near 0, the null
# features the Lasso keeps have most of their posterior near 1.
kept = np.flatnonzero((coef != 0) | (cv.coef_ != 0) | (one_se.coef_ != 0))
fig = plot_shrinkage(
    kappa_draws(posterior)[:, kept],
    [names[j] for j in kept],
    {label: fitted[kept] for label, fitted in lasso.items()},
    truth=coef[kept],
    title="Regularized horseshoe (p0 = 5) against the Lasso, 60 x 120",
)
plt.show()

# %%
# The posterior means against the truth, and ``LassoCV``'s estimates: the Lasso pulls the large
# effects towards 0 (one penalty for all) and keeps nulls; the horseshoe's posterior means of
# the large effects lie near the truth and its null weights near 0, though none is exactly 0.
means = posterior.summary["mean"].iloc[:p].to_numpy()
fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
ax.axline((0, 0), slope=1, color="0.6", lw=0.8)
ax.scatter(coef, cv.coef_, s=18, marker="x", color="tab:red", label="LassoCV")
ax.scatter(coef, means, s=14, color="tab:purple", label="horseshoe posterior mean")
ax.set_xlabel("true weight")
ax.set_ylabel("estimate")
ax.legend(fontsize="small")
plt.show()
