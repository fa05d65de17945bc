"""Prior distributions on the regression weights: their densities and parametrisations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regprior._validation import check_finite_array, check_positive_float

__all__ = ["Prior", "Normal", "Laplace", "as_centre"]


def as_centre(mu, n_features: int) -> np.ndarray:
    """A prior centre (scalar or one value per feature) as an array of shape (n_features,)."""
    if np.ndim(mu) == 0:
        return np.full(n_features, float(mu))
    mu = np.asarray(mu, dtype=float)
    if mu.shape != (n_features,):
        raise ValueError(f"The prior centre mu has shape {mu.shape} but X has {n_features} features.")
    return mu.copy()


@dataclass(frozen=True, repr=False)
class Prior:
    """Independent prior on each regression weight, with centre ``mu`` and scale ``scale``.

    ``mu`` is a float (the same centre for every weight) or one value per feature:
    the prior centre ``theta0`` of the conventions. scikit-learn has no prior centre;
    the comparison fits sklearn on ``y - X @ mu`` and adds ``mu`` back.

    Subclasses state their density; the MAP engine asks a prior whether it is smooth
    and, if not, for its proximal operator.
    """

    mu: float | np.ndarray = 0.0
    scale: float = 1.0

    family = "prior"
    smooth = True

    def __post_init__(self):
        name = type(self).__name__
        scale_name = self._scale_name
        object.__setattr__(self, "scale", check_positive_float(self.scale, scale_name, name))
        if np.ndim(self.mu) == 0:
            mu = check_finite_array([self.mu], "mu", ndim=1)[0]
            object.__setattr__(self, "mu", float(mu))
        else:
            mu = check_finite_array(self.mu, "mu", ndim=1)
            mu.setflags(write=False)
            object.__setattr__(self, "mu", mu)

    _scale_name = "scale"

    def centre(self, n_features: int) -> np.ndarray:
        """Return the prior centre as an array of shape (n_features,)."""
        return as_centre(self.mu, n_features)

    def with_scale(self, scale: float) -> "Prior":
        """Return the same prior family and centre with another scale."""
        return type(self)(mu=self.mu, scale=scale)

    def neg_logpdf(self, theta) -> np.ndarray:
        """Negative log density of each weight, shape of ``theta`` (constants included)."""
        raise NotImplementedError

    def pymc_variable(self, name, *, mu, scale, dims):
        """Create this prior as a PyMC random variable (inside a model context)."""
        raise NotImplementedError

    def _mu_repr(self):
        return f"{self.mu!r}" if np.ndim(self.mu) == 0 else f"array(shape={self.mu.shape})"

    def __repr__(self):
        return f"{type(self).__name__}(mu={self._mu_repr()}, {self._scale_name}={self.scale!r})"

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and self.scale == other.scale
            and np.array_equal(np.asarray(self.mu), np.asarray(other.mu))
        )

    def __hash__(self):
        return hash((type(self).__name__, self.scale, np.asarray(self.mu).tobytes()))


class Normal(Prior):
    r"""Normal (Gaussian) prior on each weight: the Bayesian side of ``Ridge``.

    .. math::

        p(\theta_j) = \frac{1}{\sqrt{2\pi}\,\sigma}
                      \exp\left(-\frac{(\theta_j - \mu_j)^2}{2\sigma^2}\right)

    Support: the real line. Mean, median and mode ``mu``; variance ``sigma**2``.

    Parameters
    ----------
    mu : float or array-like of shape (n_features,), default=0.0
        Prior centre.
    sigma : float, default=1.0
        Standard deviation (``sigma > 0``); stored as ``scale``.

    Notes
    -----
    With Gaussian noise of standard deviation ``noise_sigma`` and a flat prior on the
    intercept, the MAP is ``Ridge(alpha=noise_sigma**2 / sigma**2)``
    (see :func:`regprior.spec.mapping.ridge_alpha`).
    The blog post writes this prior ``N(theta0, 1/sqrt(2 lambda))``, i.e.
    ``sigma**2 = 1 / (2 lambda)``: use :meth:`from_lambda`. Its normalising constant is
    ``sqrt(lambda / pi)``, not the post's ``1 / sqrt(2 pi 2 lambda)``.
    """

    family = "normal"
    smooth = True
    _scale_name = "sigma"

    def __init__(self, mu=0.0, sigma=1.0):
        super().__init__(mu=mu, scale=sigma)

    @property
    def sigma(self) -> float:
        """Standard deviation of the prior (the same number as ``scale``)."""
        return self.scale

    def with_scale(self, scale: float) -> "Normal":
        return Normal(mu=self.mu, sigma=scale)

    @classmethod
    def from_lambda(cls, lam: float, mu=0.0) -> "Normal":
        """Build the blog post's ``N(mu, 1/sqrt(2 lam))``: ``sigma = 1 / sqrt(2 lam)``.

        ``lam`` is a precision-like strength (``lam = 1 / (2 sigma**2)``), not a variance.
        """
        lam = check_positive_float(lam, "lam", "Normal.from_lambda")
        return cls(mu=mu, sigma=1.0 / np.sqrt(2.0 * lam))

    @property
    def lam(self) -> float:
        """The blog post's ``lambda = 1 / (2 sigma**2)``."""
        return 1.0 / (2.0 * self.scale**2)

    def neg_logpdf(self, theta):
        z = (np.asarray(theta) - self.mu) / self.scale
        return 0.5 * z**2 + np.log(self.scale) + 0.5 * np.log(2.0 * np.pi)

    def pymc_variable(self, name, *, mu, scale, dims):
        import pymc as pm

        return pm.Normal(name, mu=mu, sigma=scale, dims=dims)


class Laplace(Prior):
    r"""Laplace (double-exponential) prior on each weight: the Bayesian side of ``Lasso``.

    .. math::

        p(\theta_j) = \frac{1}{2s} \exp\left(-\frac{|\theta_j - \mu_j|}{s}\right)

    Support: the real line. Mean, median and mode ``mu``; variance ``2 s**2``.

    Parameters
    ----------
    mu : float or array-like of shape (n_features,), default=0.0
        Prior centre (location).
    scale : float, default=1.0
        Scale ``s > 0``. This is PyMC's ``pm.Laplace(mu, b)`` parameter ``b``.

    Notes
    -----
    The blog post writes ``Laplace(theta0, 1/b)`` with density ``(b/2) exp(-b |theta - theta0|)``:
    its ``b`` is a **rate**, ``rate = 1 / scale``. Use :meth:`from_rate` for it; this
    class never calls either quantity a bare ``b``.
    With Gaussian noise ``noise_sigma`` and a flat intercept prior, the MAP is
    ``Lasso(alpha=noise_sigma**2 / (N * scale))`` with ``N = sum(sample_weight)``
    (see :func:`regprior.spec.mapping.lasso_alpha`). The MAP is sparse; the posterior mean and
    median are not.
    """

    family = "laplace"
    smooth = False

    def __init__(self, mu=0.0, scale=1.0):
        super().__init__(mu=mu, scale=scale)

    @classmethod
    def from_rate(cls, rate: float, mu=0.0) -> "Laplace":
        """Build the blog post's ``Laplace(mu, 1/b)`` from its rate ``b``: ``scale = 1 / rate``."""
        rate = check_positive_float(rate, "rate", "Laplace.from_rate")
        return cls(mu=mu, scale=1.0 / rate)

    @property
    def rate(self) -> float:
        """The blog post's ``b``: ``rate = 1 / scale``."""
        return 1.0 / self.scale

    def neg_logpdf(self, theta):
        return np.abs(np.asarray(theta) - self.mu) / self.scale + np.log(2.0 * self.scale)

    def prox(self, values: np.ndarray, step: float, centre: np.ndarray) -> np.ndarray:
        """Proximal operator of ``step * sum_j |theta_j - centre_j| / scale``.

        Soft-thresholding around the centre: coordinates within ``step / scale`` of it
        land exactly on it, which is what gives the MAP the lasso's exact zeros.
        """
        shifted = values - centre
        threshold = step / self.scale
        return centre + np.sign(shifted) * np.maximum(np.abs(shifted) - threshold, 0.0)

    def pymc_variable(self, name, *, mu, scale, dims):
        import pymc as pm

        # PyMC's ``b`` is the scale (density exp(-|x - mu| / b) / (2 b)), not the blog's rate.
        return pm.Laplace(name, mu=mu, b=scale, dims=dims)
