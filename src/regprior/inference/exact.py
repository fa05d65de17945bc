"""Closed-form posterior of the conjugate model: Gaussian prior
(quadratic log density), Gaussian likelihood, known sigma."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.stats

from regprior.backend.model import RegressionModel

__all__ = ["ExactPosterior", "exact_gaussian_posterior"]


@dataclass(frozen=True)
class ExactPosterior:
    """Exact Gaussian posterior of the weights and the intercept.

    Attributes
    ----------
    mean : ndarray of shape (n_features,)
        Posterior mean = median = mode of the weights: the Ridge solution.
    cov : ndarray of shape (n_features, n_features)
    intercept_mean, intercept_sd : float
        Marginal posterior of the intercept (0.0 and 0.0 without one).
    """

    mean: np.ndarray
    cov: np.ndarray
    intercept_mean: float
    intercept_sd: float

    @property
    def sd(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def interval(self, prob: float = 0.94):
        """Central (= highest-density, the posterior being Gaussian) interval of each weight."""
        z = scipy.stats.norm.ppf(0.5 + prob / 2.0)
        return self.mean - z * self.sd, self.mean + z * self.sd


def exact_gaussian_posterior(model: RegressionModel) -> ExactPosterior:
    r"""Posterior of the weights under a Normal prior with known noise sigma, in closed form.

    On weighted-centred data (``X``, ``y`` centred by their weighted means when there is an
    intercept), with ``W = diag(w)``, prior ``Normal(mu, tau)`` and noise ``sigma``:

    .. math::

        A = X^\top W X / \sigma^2 + I / \tau^2, \qquad
        \text{cov} = A^{-1}, \qquad
        \text{mean} = A^{-1} (X^\top W y / \sigma^2 + \mu / \tau^2).

    ``sigma**2 A`` is ``X^T W X + alpha I`` with ``alpha = sigma**2 / tau**2``, so the mean
    is ``Ridge(alpha)`` on ``y - X mu`` plus ``mu``. The intercept is
    ``y_mean - x_mean @ beta + c0`` with ``c0 ~ Normal(0, sigma**2 / N)`` independent of
    ``beta`` (flat intercept prior).

    Raises
    ------
    TypeError
        If the model's prior is not Gaussian (a smooth prior with no l1 term, i.e.
        :class:`~regprior.spec.priors.Normal`): no other prior has a closed-form posterior here.
    """
    prior = model.prior
    l1_weight, prior_precision = prior.penalty_weights
    if not prior.smooth or l1_weight != 0.0:
        raise TypeError(
            f"the exact posterior needs a Normal prior (conjugate to the Gaussian likelihood); "
            f"got {type(prior).__name__}. Use NUTS for it."
        )
    stats = model.statistics()
    p = stats.n_features
    noise_var = model.noise_sigma**2
    precision = stats.xtx / noise_var + prior_precision * np.eye(p)
    linear = stats.xty / noise_var + prior_precision * prior.centre(p)
    try:
        factor = scipy.linalg.cho_factor(precision)
        cov = scipy.linalg.cho_solve(factor, np.eye(p))
        mean = scipy.linalg.cho_solve(factor, linear)
    except np.linalg.LinAlgError:
        # Numerically singular (p > n with a vanishing prior precision): every eigenvalue of
        # X^T W X / sigma^2 + I / tau^2 is >= 1 / tau^2 in exact arithmetic, so rounding below
        # that bound is clamped to it.
        values, vectors = np.linalg.eigh(precision)
        values = np.maximum(values, prior_precision)
        cov = (vectors / values) @ vectors.T
        mean = cov @ linear
    if model.fit_intercept:
        intercept_mean = stats.y_mean - float(stats.x_mean @ mean)
        intercept_sd = float(
            np.sqrt(stats.x_mean @ cov @ stats.x_mean + noise_var / stats.weight_sum)
        )
    else:
        intercept_mean = intercept_sd = 0.0
    return ExactPosterior(
        mean=mean, cov=cov, intercept_mean=intercept_mean, intercept_sd=intercept_sd
    )
