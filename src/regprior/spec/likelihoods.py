"""The Gaussian likelihood with known noise sigma, and the default estimate of that sigma."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regprior._validation import check_positive_float
from regprior.spec.data import RegressionData, weighted_centring

__all__ = ["Gaussian", "estimate_noise_sigma"]

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

    def __post_init__(self):
        object.__setattr__(
            self, "noise_sigma", check_positive_float(self.noise_sigma, "noise_sigma", "Gaussian")
        )

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
