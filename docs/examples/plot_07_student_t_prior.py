"""
A prior without a scikit-learn twin: Student-t weights
======================================================

No scikit-learn estimator has a Student-t prior as its penalty, yet regprior fits, samples and
predicts with it through the same public functions as the built-in families. A family defined
outside the package joins through two documented extension points (``ARCHITECTURE.md`` walks
them, ``tests/test_extension.py`` tests them):

1. one class: a subclass of :class:`regprior.Prior` with its normalised density and, for a
   posterior mode, the gradient and curvature of :math:`-\\log p`;
2. one table entry: :func:`regprior.backend.distributions.register_prior_distribution`, how
   PyMC builds it.
"""

# %%
# The class (NumPy and SciPy only)
# --------------------------------
# :math:`p(\\theta) = \\frac{\\Gamma((\\nu+1)/2)}{\\Gamma(\\nu/2)\\sqrt{\\nu\\pi}\\,s}
# (1 + z^2/\\nu)^{-(\\nu+1)/2}`, :math:`z = (\\theta - \\mu)/s`. Defining the class registers
# its ``family``.
import matplotlib.pyplot as plt
import numpy as np
import pymc as pm
import scipy.special
import scipy.stats

import regprior as rp
from regprior.backend.distributions import register_prior_distribution


class StudentTPrior(rp.Prior):
    """Student-t prior on each weight: heavy tails, no scikit-learn twin."""

    family = "student_t_gallery"
    parameter_names = ("nu", "scale")

    def __init__(self, mu=0.0, nu=3.0, scale=1.0):
        super().__init__(mu=mu, nu=nu, scale=scale)

    def _z(self, theta):
        return (np.asarray(theta, dtype=float) - self.mu) / self.parameters["scale"]

    def neg_logpdf(self, theta):
        nu, s = self.parameters["nu"], self.parameters["scale"]
        z = self._z(theta)
        log_normaliser = (
            scipy.special.gammaln(nu / 2)
            - scipy.special.gammaln((nu + 1) / 2)
            + 0.5 * np.log(nu * np.pi)
            + np.log(s)
        )
        return 0.5 * (nu + 1) * np.log1p(z**2 / nu) + log_normaliser

    def smooth_gradient(self, theta):
        nu, s = self.parameters["nu"], self.parameters["scale"]
        z = self._z(theta)
        return (nu + 1) * z / (s * (nu + z**2))

    def smooth_hessian_diagonal(self, theta):
        nu, s = self.parameters["nu"], self.parameters["scale"]
        z = self._z(theta)
        return (nu + 1) * (nu - z**2) / (s**2 * (nu + z**2) ** 2)


# %%
# The table entry (PyMC)
# ----------------------
# Its parameters arrive as ``pm.Data``, so a model is compiled once per structure.
@register_prior_distribution("student_t_gallery")
def _student_t(name, mu, parameters, dims):
    return pm.StudentT(name, nu=parameters["nu"], mu=mu, sigma=parameters["scale"], dims=dims)


prior = StudentTPrior(nu=3.0, scale=0.5)
theta = np.linspace(-10, 10, 5)
same = np.allclose(prior.neg_logpdf(theta), -scipy.stats.t.logpdf(theta, 3.0, 0.0, 0.5), rtol=1e-12)
print("density equals SciPy's:", same)

# %%
# Through the front door
# ----------------------
# Seeded data with a sparse truth: two large weights, two small ones, the rest zero.
# ``fit_map`` (the exact MAP with its certificate) and ``sample_posterior`` (NUTS) take the new
# prior as they take ``Normal`` or ``Laplace``. The Student-t prior is not log-concave, so a
# MAP is a mode the engine certifies as stationary (its KKT residual), not a global optimum.
rng = np.random.default_rng(7)
n, p = 100, 8
true_coef = np.array([4.0, -3.0, 0.3, -0.3, 0.0, 0.0, 0.0, 0.0])
X = rng.standard_normal((n, p))
y = 1.0 + X @ true_coef + rng.standard_normal(n)
names = [f"x{j}" for j in range(p)]

result = rp.fit_map(X, y, prior, noise_sigma=1.0)
print("MAP:", np.round(result.coef, 3))
print("KKT residual:", result.kkt_residual, " converged:", result.converged)

posterior = rp.sample_posterior(
    X, y, prior, noise_sigma=1.0, draws=500, tune=500, chains=4, random_seed=7
)
print(posterior.problems or "sampler healthy")
posterior.summary.loc[:, ["mean", "sd", "hdi_low", "hdi_high", "r_hat"]]

# %%
# Heavy tails shrink small weights and leave large ones nearly alone. A Normal prior of the
# same scale (the MAP is Ridge's) pulls the large weights towards 0 as well.
normal = rp.fit_map(X, y, rp.Normal(sigma=0.5), noise_sigma=1.0)
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
x = np.arange(p)
ax.plot(x, true_coef, "o", color="grey", label="truth")
ax.plot(x, normal.coef, "s", color="tab:blue", label="Normal(0, 0.5) MAP = Ridge")
ax.plot(x, result.coef, "D", color="tab:green", label="Student-t(3, 0, 0.5) MAP")
ax.set_xticks(x, names)
ax.axhline(0, color="black", linewidth=0.5)
ax.set_ylabel("weight")
ax.legend(fontsize="small")
plt.show()
