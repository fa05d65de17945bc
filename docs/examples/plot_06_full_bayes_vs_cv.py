"""
Full Bayes against cross-validation
===================================

scikit-learn chooses the strength of a penalty by cross-validation (``LassoCV``). A Bayesian
learns it: put a prior on the scale (and on the noise sigma) and let the posterior decide. Two
such specifications ship with regprior:

* :class:`regprior.BayesianLasso`, Park & Casella's Bayesian lasso:
  :math:`\\theta_j \\mid \\sigma \\sim \\mathrm{Laplace}(0, \\sigma/\\lambda)`,
  :math:`p(\\sigma^2) \\propto 1/\\sigma^2` (:ref:`spec-park-casella`);
* :class:`regprior.LearnedScale`, a half-normal prior on the Normal or Laplace prior's scale and
  on sigma (:ref:`spec-full-bayes`).

Each has the Lasso (or Ridge) alpha it implies as a deterministic quantity with a posterior of
its own, which can be set beside ``LassoCV``'s choice. PSIS-LOO (:func:`regprior.compare_loo`)
then compares their predictive fit.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LassoCV

import regprior as rp

data = rp.load_diabetes()
cv = LassoCV(cv=5, alphas=100).fit(data.X, data.y)
print(f"LassoCV alpha: {cv.alpha_:.4f}")

# %%
# Two full-Bayes specifications, each sampled once and compared by PSIS-LOO. Small draws keep
# the page fast (2 chains x 400); the committed benchmark uses 4 x 1000.
specifications = {
    "Bayesian lasso (lambda = 0.237)": rp.BayesianLasso(lam=0.237),
    "learnt-scale Laplace": rp.LearnedScale("laplace"),
}
loo = rp.compare_loo(data.X, data.y, specifications, draws=400, tune=400, chains=2, random_seed=6)
loo.table.round(3)

# %%
# The implied Lasso alpha
# -----------------------
# Each full-Bayes model records ``sklearn_alpha``, the Lasso alpha its scale and sigma imply
# at every draw: the posterior of the strength that cross-validation picks one value of.
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for (name, posterior), colour in zip(
    loo.posteriors.items(), ["tab:purple", "tab:olive"], strict=True
):
    alphas = posterior.datatree["posterior"]["sklearn_alpha"].values.ravel()
    ax.hist(np.log10(alphas), bins=40, density=True, alpha=0.5, color=colour, label=name)
    print(f"{name}: median alpha {np.median(alphas):.4f}")
ax.axvline(np.log10(cv.alpha_), color="tab:red", label="LassoCV")
ax.set_xlabel("log10 Lasso alpha")
ax.set_yticks([])
ax.legend(fontsize="small")
plt.show()
