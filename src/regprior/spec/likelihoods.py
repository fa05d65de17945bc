"""Likelihoods: their log densities, what sklearn's loss divides them by, and the noise-sigma estimate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regprior._validation import check_positive_float
from regprior.spec.data import RegressionData, weighted_centring

__all__ = ["Gaussian", "estimate_noise_sigma", "LIKELIHOOD_FAMILIES", "DATA_TERMS"]

#: How scikit-learn writes the data term of an objective, by name:
#: ``"sum"``, the weighted sum of its loss (Ridge: ``sum_i s_i r_i**2``); ``"mean"``, the
#: weighted mean, divided by ``N = sum_i s_i`` (Lasso, ElasticNet: ``1/(2N) sum_i s_i r_i**2``).
DATA_TERMS = ("sum", "mean")

OLS_RESIDUAL_SD = "OLS residual sd"


@dataclass(frozen=True)
class Gaussian:
    r"""Gaussian noise with known standard deviation ``noise_sigma``.

    .. math::

        y_i \mid \theta, c \sim \mathcal{N}\left(c + x_i^\top\theta,\ \sigma^2 / w_i\right)

    with precision weights ``w_i`` (``sample_weight``, default 1). The exact Ridge / Lasso
    correspondences hold for this likelihood with ``noise_sigma`` fixed.

    Parameters
    ----------
    noise_sigma : float
        Noise standard deviation for a sample of unit weight.
    source : str
        Where the value came from (``"given"`` or the estimator used); shown in every table.
    """

    noise_sigma: float
    source: str = "given"

    family = "gaussian"

    def __post_init__(self):
        object.__setattr__(
            self, "noise_sigma", check_positive_float(self.noise_sigma, "noise_sigma", "Gaussian")
        )

    def neg_loglik(self, y, mean, weights=None) -> np.ndarray:
        """Negative log density of each observation, constants included.

        ``-log N(y_i | mean_i, sigma**2 / w_i) = (w_i r_i**2 / sigma**2 + log(2 pi sigma**2 / w_i)) / 2``.
        """
        y, mean = np.asarray(y, dtype=float), np.asarray(mean, dtype=float)
        weights = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
        variance = self.noise_sigma**2 / weights
        return 0.5 * ((y - mean) ** 2 / variance + np.log(2.0 * np.pi * variance))

    def coef_gradient(self, X, y, weights, coef) -> np.ndarray:
        """Gradient in ``coef`` of the negative log likelihood: ``-X^T W (y - X coef) / sigma**2``.

        On weighted-centred ``X``, ``y`` this is the gradient with the intercept at its optimum.
        """
        residual = np.asarray(y, dtype=float) - X @ coef
        return -(X.T @ (weights * residual)) / self.noise_sigma**2

    def coef_hessian(self, X, weights) -> np.ndarray:
        """Hessian in ``coef`` of the negative log likelihood: ``X^T W X / sigma**2`` (constant)."""
        return (X.T * weights) @ X / self.noise_sigma**2

    def sklearn_loss_factor(self, data_term: str, weight_sum: float) -> float:
        """``c`` such that sklearn's data term equals ``c`` times the negative log likelihood.

        Up to constants the negative log likelihood is ``sum_i w_i r_i**2 / (2 sigma**2)``, so
        ``"sum"`` (Ridge's ``sum_i s_i r_i**2``) is ``c = 2 sigma**2`` and ``"mean"`` (Lasso's
        and ElasticNet's ``1/(2N) sum_i s_i r_i**2``) is ``c = sigma**2 / N``. A penalty
        ``P(w)`` in sklearn's objective is then ``P(w) / c`` in the negative log posterior.
        """
        if data_term == "sum":
            return 2.0 * self.noise_sigma**2
        if data_term == "mean":
            return self.noise_sigma**2 / check_positive_float(weight_sum, "weight_sum", "Gaussian.sklearn_loss_factor")
        raise ValueError(f"data_term must be one of {DATA_TERMS}; got {data_term!r}.")

    @classmethod
    def resolve(cls, data: RegressionData, noise_sigma=None, *, fit_intercept: bool = True) -> "Gaussian":
        """``noise_sigma`` as given, or estimated by :func:`estimate_noise_sigma` when None."""
        if noise_sigma is not None:
            return cls(noise_sigma, "given")
        value = estimate_noise_sigma(data, fit_intercept=fit_intercept)
        dof = data.n_samples - data.n_features - int(fit_intercept)
        return cls(value, f"{OLS_RESIDUAL_SD} (dof={dof})")


def estimate_noise_sigma(data: RegressionData, *, fit_intercept: bool = True) -> float:
    """Residual standard deviation of the (weighted) least-squares fit.

    ``sqrt(sum_i w_i r_i**2 / (n - p - k))`` with ``k = 1`` when an intercept is fitted:
    with ``Var(eps_i) = noise_sigma**2 / w_i``, ``sum_i w_i r_i**2 / noise_sigma**2`` is
    chi-squared with ``n - p - k`` degrees of freedom, so this is the usual unbiased
    estimate of ``noise_sigma**2`` (the denominator counts samples, not weights).

    ``data`` may be a :class:`~regprior.spec.statistics.SufficientStatistics` as well.

    Raises
    ------
    ValueError
        When ``n_samples <= n_features + k`` (no residual degrees of freedom) or the fit is
        exact: give ``noise_sigma`` explicitly then.
    """
    dof = data.n_samples - data.n_features - int(fit_intercept)
    if dof <= 0:
        raise ValueError(
            f"noise_sigma cannot be estimated by least squares with n_samples={data.n_samples} <= "
            f"n_features + intercept={data.n_features + int(fit_intercept)}; pass noise_sigma explicitly."
        )
    if isinstance(data, RegressionData):
        _, _, X, y = weighted_centring(data, fit_intercept=fit_intercept)
        root_w = np.sqrt(data.weights)
        coef, *_ = np.linalg.lstsq(X * root_w[:, None], y * root_w, rcond=None)
        residual_ss = float(data.weights @ (y - X @ coef) ** 2)
    else:
        # Sufficient statistics: the normal equations (cond(X^T W X) squared vs lstsq's).
        if data.fit_intercept != fit_intercept:
            raise ValueError(f"the statistics were computed with fit_intercept={data.fit_intercept}.")
        coef, *_ = np.linalg.lstsq(data.xtx, data.xty, rcond=None)
        residual_ss = float(data.yty - data.xty @ coef)
    sigma = np.sqrt(residual_ss / dof)
    if not sigma > 0:
        raise ValueError("the least-squares fit is exact (zero residuals); pass noise_sigma explicitly.")
    return float(sigma)


#: Every likelihood family by its registry key.
LIKELIHOOD_FAMILIES = {Gaussian.family: Gaussian}
