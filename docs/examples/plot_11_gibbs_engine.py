"""
Gibbs against NUTS on a p > n learnt-scale model
================================================

NUTS samples every PyMC model regprior builds. Under a Gaussian likelihood, a prior that is a
normal scale mixture has conjugate conditionals, and for the specifications that declare them
(``Normal`` and ``Laplace`` at a known noise sigma, Park & Casella's ``BayesianLasso``,
``LearnedScale``) a Gibbs sampler draws them exactly (:ref:`spec-gibbs`):
``sample_posterior(..., engine="gibbs")``. The weights are drawn in one
block given their prior variances (here, with more features than rows, by Bhattacharya,
Chakraborty & Mallick's algorithm, which solves an ``n x n`` system), and a learnt scale and
noise are drawn with the weights integrated out. Both engines return the same
:class:`regprior.PosteriorResult`, so their diagnostics sit side by side.

The data: 50 rows, 100 standard-normal columns, five non-zero weights (2, -2, 1, -1, 0.5) and
unit noise, seeded: the 50 x 100 set of the committed engine benchmark (:ref:`bench-engines`,
where with 4 x 1000 draws NUTS had r_hat 1.06, bulk ESS 77 and 4 divergences, and Gibbs was
healthy). The model is :class:`regprior.LearnedScale`: a Normal prior whose scale is
learnt, with the noise sigma, both under half-normal priors.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import regprior as rp

rng = np.random.default_rng(1)
X = rng.normal(size=(50, 100))
coef = np.zeros(100)
coef[:5] = [2.0, -2.0, 1.0, -1.0, 0.5]
y = X @ coef + rng.normal(size=50)
spec = rp.LearnedScale()

# %%
# Both engines, same draws
# ------------------------
# Two chains of 1000 draws after 1000 warm-up steps (NUTS: tuning steps; Gibbs: discarded
# sweeps) and the same seed. ``problems`` lists what fails the package's health rule
# (``r_hat <= 1.01``, bulk ESS >= 400, no divergence).
settings = {"draws": 1000, "tune": 1000, "chains": 2, "random_seed": 0}
posteriors = {
    engine: rp.sample_posterior(X, y, spec, engine=engine, **settings)
    for engine in ("nuts", "gibbs")
}
for posterior in posteriors.values():
    print(posterior)
    print("  problems:", posterior.problems or "none")

# %%
# The diagnostics of every parameter: the minimum bulk ESS and the largest ``r_hat`` over the
# weights, the intercept and the learnt scalars, and the wall time of each call (NUTS's
# includes compiling the model).
pd.DataFrame(
    {
        engine: {
            "seconds": posterior.seconds,
            "divergences": posterior.divergences,
            "ess_bulk_min": posterior.ess_bulk_min,
            "r_hat_max": posterior.r_hat_max,
        }
        for engine, posterior in posteriors.items()
    }
).round(3)

# %%
# Bulk ESS of each weight: the scale hierarchy is a funnel NUTS explores slowly when most
# weights are near zero; the Gibbs engine's collapsed draws of the scale do not see it.
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for (engine, posterior), colour in zip(posteriors.items(), ["tab:blue", "tab:orange"], strict=True):
    ess = posterior.summary["ess_bulk"].drop("intercept", errors="ignore").to_numpy()
    ax.plot(np.sort(ess), color=colour, label=f"{engine} (min {ess.min():.0f})")
ax.axhline(400, color="0.4", ls=":", lw=1, label="bulk ESS 400")
ax.set_yscale("log")
ax.set_xlabel("parameters, sorted by bulk ESS")
ax.set_ylabel("bulk ESS")
ax.legend(fontsize="small")
plt.show()

# %%
# The posterior means of the five true effects and the first null weights. Both engines put
# the true effects far below their values: one learnt scale shared by 100 Normal weights
# shrinks every weight alike when p > n. That is the prior's doing, not the sampler's; the
# horseshoe family (:ref:`spec-sparse-priors`) is the prior for a few large effects among
# many null ones.
means = pd.DataFrame(
    {engine: posterior.summary["mean"] for engine, posterior in posteriors.items()}
)
means.insert(0, "true", pd.Series(coef, index=posteriors["gibbs"].summary.index[:100]))
means.head(8).round(3)
