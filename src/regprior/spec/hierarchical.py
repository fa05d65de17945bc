"""Full-Bayes specifications: priors on the noise and on the prior's own scale (NumPy only).

Park & Casella's Bayesian lasso (2008, JASA 103:681) in their own parametrisation::

    y | c, theta, sigma^2  ~ N(c + X theta, sigma^2 I),   p(c) flat
    theta_j | sigma^2      ~ Laplace(0, sigma / lambda)   (density lambda/(2 sigma) exp(-lambda |theta_j| / sigma))
    p(sigma^2)             ~ 1 / sigma^2                  (improper; the posterior is proper)
    lambda fixed, or lambda^2 ~ Gamma(shape r, rate delta)

Conditionally on sigma and lambda the mode is scikit-learn's Lasso with
``alpha = sigma lambda / N`` (CONVENTIONS.md): a derived quantity with a posterior of its own.
Their diabetes data (unit-norm centred columns) is scikit-learn's ``load_diabetes()``; they
report lambda ~ 0.237 by marginal maximum likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass

from regprior._validation import check_positive_float

__all__ = ["BayesianLasso"]


@dataclass(frozen=True)
class BayesianLasso:
    """Park & Casella's Bayesian lasso: Laplace prior scaled by the noise sigma, Jeffreys noise prior.

    Parameters
    ----------
    lam : float or None, default=0.237
        Fixed ``lambda`` (their diabetes value); ``None`` puts ``lambda^2 ~ Gamma(r, delta)`` on it.
    gamma_shape, gamma_rate : float, default=1.0, 1.78
        ``r`` and ``delta`` of the Gamma hyperprior (shape, rate), used when ``lam`` is None
        (1 and 1.78 are their diabetes choice: prior mean of lambda^2 ~0.56).
    """

    lam: float | None = 0.237
    gamma_shape: float = 1.0
    gamma_rate: float = 1.78

    family = "bayesian_lasso"

    def __post_init__(self):
        if self.lam is not None:
            object.__setattr__(self, "lam", check_positive_float(self.lam, "lam", "BayesianLasso"))
        object.__setattr__(self, "gamma_shape", check_positive_float(self.gamma_shape, "gamma_shape", "BayesianLasso"))
        object.__setattr__(self, "gamma_rate", check_positive_float(self.gamma_rate, "gamma_rate", "BayesianLasso"))

    @property
    def learns_lambda(self) -> bool:
        return self.lam is None

    @staticmethod
    def lasso_alpha(sigma, lam, n_samples):
        """sklearn Lasso alpha of the conditional mode: ``sigma * lambda / N``."""
        return sigma * lam / n_samples
