"""
Ten million rows: sufficient statistics and Dask
================================================

A Gaussian likelihood depends on the data only through :math:`X^\\top W X`, :math:`X^\\top W y`,
:math:`y^\\top W y`, the weight sum and the means. :meth:`regprior.SufficientStatistics.from_dask`
computes them chunk by chunk, so the data never has to fit in memory; the model built on them
has the same log density as the one on raw rows, at :math:`O(p^2)` per gradient instead of
:math:`O(np)`. The exact MAP and the conjugate posterior then take milliseconds.
"""

# %%
# The data: 1e7 rows in chunks of 1e6
# -----------------------------------
# Generated lazily by Dask from a seed; nothing of size n is ever held in memory.
import time

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np

import regprior as rp
from regprior.backend.model import build_model
from regprior.inference import exact_gaussian_posterior, map_estimate

n, p, chunk = 10_000_000, 5, 1_000_000
true_coef = np.array([1.0, -0.5, 0.0, 0.25, 0.0])
rng = da.random.default_rng(8)
X = rng.standard_normal((n, p), chunks=(chunk, p))
y = 3.0 + X @ true_coef + 2.0 * rng.standard_normal(n, chunks=chunk)

start = time.perf_counter()
stats = rp.SufficientStatistics.from_dask(X, y, feature_names=[f"x{j}" for j in range(p)])
print(f"statistics of {n:.0e} rows: {time.perf_counter() - start:.1f} s")
print(stats.n_samples, stats.weight_sum, np.round(stats.x_mean, 4))

# %%
# A model on the statistics
# -------------------------
# :func:`regprior.backend.model.build_model` chooses the sufficient-statistics form for large n
# (a ``pm.Potential`` on the statistics). The MAP engine and the exact posterior take it as
# they take a model on raw rows.
prior = rp.Laplace(scale=0.01)
model = build_model(stats, prior, rp.Gaussian(2.0))
start = time.perf_counter()
result = map_estimate(model)
print(f"exact MAP in {time.perf_counter() - start:.2f} s: {np.round(result.coef, 5)}")
print("exact zeros:", np.flatnonzero(result.coef == 0), " KKT residual:", result.kkt_residual)

# %%
# The Normal prior is conjugate: its posterior is Gaussian with covariance
# :math:`\\sigma^2 (X^\\top X + \\alpha I)^{-1}`, computed from the statistics alone. At this n
# the posterior sd is about :math:`\\sigma/\\sqrt n`.
exact = exact_gaussian_posterior(build_model(stats, rp.Normal(sigma=1.0), rp.Gaussian(2.0)))
sd = np.sqrt(np.diag(exact.cov))
print("posterior sd:", np.round(sd, 6), " sigma / sqrt(n) =", 2.0 / np.sqrt(n))

fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
x = np.arange(p)
ax.errorbar(
    x,
    exact.mean - true_coef,
    yerr=3 * sd,
    fmt="o",
    color="tab:blue",
    label="Normal prior: posterior mean - truth, +- 3 sd",
)
ax.plot(
    x + 0.1, result.coef - true_coef, "D", color="tab:purple", label="Laplace prior: MAP - truth"
)
ax.axhline(0, color="black", linewidth=0.5)
ax.set_xticks(x, stats.feature_names)
ax.set_ylabel("error")
ax.legend(fontsize="small")
plt.show()
