"""Prior families on the regression weights: densities, parametrisations, penalty maths (NumPy).

Every prior is independent across weights. :class:`Prior` is what every family provides (a
normalised density, its parameters, value semantics); :class:`ElasticNetFormPrior` the families
with a scikit-learn twin, whose negative log density is of the *elastic-net form*::

    -log p(theta) = l1 * sum_j |theta_j - mu_j| + l2 / 2 * sum_j (theta_j - mu_j)**2 + log Z

with penalty weights ``(l1, l2)`` fixed by the family's parameters: ``Normal(mu, sigma)`` is
``(0, 1/sigma**2)``, ``Laplace(mu, scale)`` is ``(1/scale, 0)``, ``ElasticNetPrior(mu, scale,
sigma)`` is ``(1/scale, 1/sigma**2)``. The weights are what the registry turns into
scikit-learn's strength parameters (:mod:`regprior.registry`); the proximal operator,
subdifferential distance and ``alpha_max`` below are what the MAP engine and the path grid
ask of a prior, so that neither knows which family it is solving (as skglm's penalties).

No PyMC here: :mod:`regprior.backend.distributions` holds the family -> ``pm`` table.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
import scipy.special

from regprior._validation import (
    check_finite_array,
    check_positive_float,
    check_representable_scale,
)
from regprior.spec.conditionals import (
    NOT_GAUSSIAN,
    FixedScales,
    GeneralizedDoubleParetoScales,
    LaplaceScales,
    ScaleConditionals,
    known_noise_variance,
)
from regprior.spec.mapping import log_sum_strength

__all__ = [
    "Prior",
    "ElasticNetFormPrior",
    "Normal",
    "Laplace",
    "ElasticNetPrior",
    "GeneralizedDoublePareto",
    "as_centre",
    "PRIOR_FAMILIES",
]


#: Every prior family by its registry key: filled by defining a subclass of :class:`Prior`.
PRIOR_FAMILIES: dict[str, type] = {}


def as_centre(mu, n_features: int) -> np.ndarray:
    """A prior centre (scalar or one value per feature) as an array of shape (n_features,)."""
    if np.ndim(mu) == 0:
        return np.full(n_features, float(mu))
    mu = np.asarray(mu, dtype=float)
    if mu.shape != (n_features,):
        raise ValueError(
            f"The prior centre mu has shape {mu.shape} but X has {n_features} features."
        )
    return mu.copy()


def _checked_mu(mu):
    if np.ndim(mu) == 0:
        return float(check_finite_array([mu], "mu", ndim=1)[0])
    mu = check_finite_array(mu, "mu", ndim=1)
    mu.setflags(write=False)
    return mu


def _check_representable_centre(mu, scales: dict, owner: str) -> None:
    """ValueError when ``(mu / scale)**2``, the density's exponent at 0, overflows float64."""
    largest = float(np.max(np.abs(mu)))
    for key, scale in scales.items():
        with np.errstate(over="ignore"):
            exponent = (np.float64(largest) / scale) ** 2
        if not np.isfinite(exponent):
            raise ValueError(
                f"The 'mu' parameter of {owner} is too far from 0 for its {key} ({scale!r}): "
                f"(mu / {key})**2 overflows float64. Got mu={largest!r} instead."
            )


class Prior(ABC):
    """Independent prior on each regression weight: the interface every family implements.

    A prior has a centre ``mu`` (float, or one value per feature: the prior centre
    ``theta0`` of the specification; scikit-learn has none, so the comparison fits sklearn on
    ``y - X @ mu`` and adds ``mu`` back) and the positive parameters named in
    ``parameter_names``. Instances are immutable, hashable and compare by value.

    A subclass becomes a prior family by defining :attr:`family`, :attr:`parameter_names` and
    :meth:`neg_logpdf`; defining the class registers it in :data:`PRIOR_FAMILIES`. The backend
    needs one table entry to build it in PyMC
    (:func:`regprior.backend.distributions.register_prior_distribution`); with that it samples,
    predicts and enters PSIS-LOO. Everything else is optional:

    * a posterior mode (:func:`regprior.fit_map`): :meth:`smooth_gradient` and
      :meth:`smooth_hessian_diagonal` of ``-log p`` (a smooth prior), or the elastic-net form of
      :class:`ElasticNetFormPrior` (a kink ``l1 |theta - mu|`` the MAP engine soft-thresholds).
      A family whose density has no finite mode sets :attr:`no_mode_reason`, and ``fit_map``
      refuses it with that reason;
    * a scikit-learn twin (comparisons, paths, estimators with ``alpha``): a row of
      :mod:`regprior.registry`, which needs the elastic-net form's penalty weights;
    * Gibbs sampling (``sample_posterior(..., engine="gibbs")``) under the Gaussian likelihood:
      :meth:`scale_conditionals`, for a normal scale mixture (see
      :mod:`regprior.spec.conditionals`), with :attr:`gibbs_reason` set to None.

    Attributes
    ----------
    family : str
        Registry key (``"normal"``, ``"laplace"``, ``"elasticnet"``, or a new family's name).
    parameter_names : tuple of str
        Constructor parameters besides ``mu``.
    smooth : bool
        True when ``-log p`` has no kink (no non-smooth part).
    convex : bool
        True when ``-log p`` is convex, so that a stationary point of the negative log posterior
        (Gaussian likelihood, or any log-concave one) is its global minimum. A family with
        ``convex = False`` (the generalized double Pareto) writes ``-log p`` as its kink
        ``l1 |theta - mu|`` plus a smooth part that is not convex, and provides
        :meth:`penalty_prox`; the MAP engine then returns a certified *stationary point*
        reached from the prior centre, not a certified global maximum.
    no_mode_reason : str or None
        Why the posterior under this prior has no mode the MAP engine can find (None: it has).
    gibbs_reason : str or None
        Why the family has no Gibbs conditionals (None: :meth:`scale_conditionals` gives them).
    """

    family: ClassVar[str] = "prior"
    parameter_names: ClassVar[tuple[str, ...]] = ()
    blog_parameter_names: ClassVar[tuple[str, ...]] = ()
    smooth: ClassVar[bool] = True
    convex: ClassVar[bool] = True
    no_mode_reason: ClassVar[str | None] = None
    gibbs_reason: ClassVar[str | None] = (
        "it declares no Gibbs conditionals (a normal scale mixture defines scale_conditionals)"
    )

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        family = cls.__dict__.get("family")
        if family is not None:
            if family in PRIOR_FAMILIES and PRIOR_FAMILIES[family].__qualname__ != cls.__qualname__:
                raise ValueError(
                    f"the prior family {family!r} is taken by {PRIOR_FAMILIES[family].__name__}; "
                    f"give {cls.__name__} another family name."
                )
            PRIOR_FAMILIES[family] = cls

    def __init__(self, mu=0.0, **parameters):
        name = type(self).__name__
        values = {
            key: check_representable_scale(parameters[key], key, name)
            for key in self.parameter_names
        }
        object.__setattr__(self, "_parameters", values)
        object.__setattr__(self, "mu", _checked_mu(mu))
        _check_representable_centre(self.mu, values, name)

    def __setattr__(self, key, value):
        raise AttributeError(
            f"{type(self).__name__} is immutable; use with_parameters() for another one."
        )

    # -- parameters ---------------------------------------------------------------------
    @property
    def parameters(self) -> dict:
        """The family's parameters (besides ``mu``), by name."""
        return dict(self._parameters)

    def centre(self, n_features: int) -> np.ndarray:
        """Return the prior centre as an array of shape (n_features,)."""
        return as_centre(self.mu, n_features)

    def with_parameters(self, **parameters) -> Prior:
        """The same family and centre with some parameters replaced."""
        unknown = sorted(set(parameters) - set(self.parameter_names))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has parameters {list(self.parameter_names)}; got {unknown}."
            )
        return type(self)(mu=self.mu, **{**self._parameters, **parameters})

    @classmethod
    def from_parameters(cls, mu=0.0, **parameters) -> Prior:
        """Build from the family's parameters by name (``parameter_names``), checked."""
        expected = set(cls.parameter_names)
        if set(parameters) != expected:
            raise ValueError(
                f"the {cls.family} prior takes the parameters {sorted(expected)}; "
                f"got {sorted(parameters) or 'none'}."
            )
        return cls(mu=mu, **parameters)

    # -- density ------------------------------------------------------------------------
    @abstractmethod
    def neg_logpdf(self, theta) -> np.ndarray:
        """Negative log density of each weight, shape of ``theta``, normaliser included."""

    def logpdf(self, theta) -> np.ndarray:
        """Log density of each weight (normalised)."""
        return -self.neg_logpdf(theta)

    # -- the prior as a penalty (what the MAP engine asks) -------------------------------
    @classmethod
    def has_mode(cls) -> bool:
        """Whether the MAP engine can find this prior's posterior mode."""
        return cls.no_mode_reason is None

    def _shift(self, theta):
        return np.asarray(theta, dtype=float) - self.mu

    def smooth_value(self, theta) -> float:
        """Smooth part of ``-log p`` summed over the weights (here all of it, normaliser too)."""
        return float(np.sum(self.neg_logpdf(theta)))

    def nonsmooth_value(self, theta) -> float:
        """Non-smooth part ``l1 sum_j |theta_j - mu_j|`` of ``-log p`` (0 for a smooth prior)."""
        return self.kink_slope * float(np.sum(np.abs(self._shift(theta))))

    def smooth_gradient(self, theta) -> np.ndarray:
        """Gradient of the smooth part of ``-log p``; a family with a mode must provide it."""
        raise NotImplementedError(self._no_map_message("smooth_gradient"))

    def smooth_hessian_diagonal(self, theta) -> np.ndarray:
        """Diagonal Hessian of the smooth part (the prior is separable); needed for a mode."""
        raise NotImplementedError(self._no_map_message("smooth_hessian_diagonal"))

    def _no_map_message(self, method: str) -> str:
        return (
            f"the {self.family} prior ({type(self).__name__}) does not define {method}, which the "
            "MAP engine needs; define it (see ARCHITECTURE.md) or set no_mode_reason."
        )

    @property
    def kink_slope(self) -> float:
        """Largest ``|subgradient|`` of the non-smooth part ``l1 |theta - mu|`` (0 if smooth)."""
        return 0.0

    def prox(self, values, step: float) -> np.ndarray:
        """Proximal operator of ``step * l1 * sum_j |theta_j - mu_j|`` (the identity if smooth).

        Soft-thresholding around the centre: coordinates within ``step * l1`` of it land
        exactly on it, which is what gives the MAP the lasso's exact zeros.
        """
        values = np.asarray(values, dtype=float)
        l1 = self.kink_slope
        if l1 == 0.0:
            return values.copy()
        shifted = values - self.mu
        return self.mu + np.sign(shifted) * np.maximum(np.abs(shifted) - step * l1, 0.0)

    def penalty_prox(self, values, step) -> np.ndarray:
        """Proximal operator of ``step * (-log p)`` per weight, the whole penalty (smooth part too).

        ``argmin_t (t - v)**2 / 2 + step * (-log p(t))`` for each value ``v``, with ``step`` a
        scalar or one step per weight. Coordinate descent on a prior that is not convex needs it
        (each coordinate's exact minimiser); a convex family solves its smooth part by Newton
        and need not define it.
        """
        raise NotImplementedError(self._no_map_message("penalty_prox"))

    def generalized_support(self, theta) -> np.ndarray:
        """Weights where the non-smooth part is differentiable: off the centre (all, if smooth)."""
        if self.smooth:
            return np.ones(np.shape(theta), dtype=bool)
        return self._shift(theta) != 0.0

    def subdiff_distance(self, theta, gradient) -> np.ndarray:
        """Distance of ``-gradient`` to the subdifferential of the non-smooth part, per weight.

        ``gradient`` is that of every smooth term (likelihood and the prior's smooth part).
        Away from the centre: ``|g_j + l1 sign(theta_j - mu_j)|``; at the centre the
        subdifferential is ``[-l1, l1]``: ``max(0, |g_j| - l1)``. Zero at an exact optimum.
        """
        gradient = np.asarray(gradient, dtype=float)
        shift = self._shift(theta)
        l1 = self.kink_slope
        return np.where(
            shift != 0.0,
            np.abs(gradient + l1 * np.sign(shift)),
            np.maximum(np.abs(gradient) - l1, 0.0),
        )

    @classmethod
    def alpha_max(cls, gradient_at_centre) -> float | None:
        """Smallest ``l1`` at which every weight's MAP is its centre, or None for a smooth family.

        ``gradient_at_centre`` is the likelihood's gradient with every weight at its centre
        (where the smooth part of the prior has zero gradient). In the prior's own units
        (``l1 = 1/scale``); :func:`regprior.checks.paths.alpha_grid` turns it into sklearn's alpha.
        """
        if cls.smooth:
            return None
        return float(np.max(np.abs(gradient_at_centre)))

    # -- Gibbs conditionals (what the Gibbs engine asks) ----------------------------------
    def gibbs_unavailable(self, likelihood) -> str | None:
        """Why the Gibbs engine cannot sample this prior under ``likelihood``; None when it can.

        It needs a normal scale mixture (:meth:`scale_conditionals`) and the Gaussian likelihood
        with a known noise sigma, or a likelihood with a Polya-Gamma augmentation (the
        Bernoulli's, ``gibbs_augmentation``): the weights are then conditionally Gaussian.
        """
        if self.gibbs_reason is not None:
            return f"the {self.family} prior ({type(self).__name__}): {self.gibbs_reason}"
        augmented = getattr(likelihood, "gibbs_augmentation", None) == "polya_gamma"
        if known_noise_variance(likelihood) is None and not augmented:
            return NOT_GAUSSIAN.format(family=getattr(likelihood, "family", likelihood))
        return None

    def gibbs_conditionals(self, likelihood, n_features: int) -> ScaleConditionals:
        """The conditionals the Gibbs engine draws the scales with; ValueError saying why not."""
        reason = self.gibbs_unavailable(likelihood)
        if reason is not None:
            raise ValueError(f"no Gibbs sampler: {reason}.")
        noise_variance = known_noise_variance(likelihood)
        return self.scale_conditionals(
            n_features,
            # An augmented likelihood: the weights' conditional has unit pseudo-noise.
            noise_variance=1.0 if noise_variance is None else noise_variance,
            centre=self.centre(n_features),
        )

    def scale_conditionals(
        self, n_features: int, *, noise_variance: float, centre
    ) -> ScaleConditionals:
        """This prior as ``theta_j - mu_j ~ N(0, d_j)`` with its scale conditionals (a hook)."""
        raise NotImplementedError(f"no Gibbs sampler: {self.gibbs_reason}.")

    # -- value semantics ----------------------------------------------------------------
    def _mu_repr(self):
        return f"{self.mu!r}" if np.ndim(self.mu) == 0 else f"array(shape={self.mu.shape})"

    def __repr__(self):
        parameters = ", ".join(f"{k}={v!r}" for k, v in self._parameters.items())
        return f"{type(self).__name__}(mu={self._mu_repr()}, {parameters})"

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and self._parameters == other._parameters
            and np.array_equal(np.asarray(self.mu), np.asarray(other.mu))
        )

    def __hash__(self):
        return hash(
            (type(self).__name__, tuple(self._parameters.items()), np.asarray(self.mu).tobytes())
        )

    def __reduce__(self):
        return (_rebuild, (type(self), self.mu, self._parameters))


class ElasticNetFormPrior(Prior):
    """A prior of the *elastic-net form*, the families with a scikit-learn twin.

    ``-log p(theta) = l1 sum_j |theta_j - mu_j| + l2/2 sum_j (theta_j - mu_j)**2 + log Z``, with
    penalty weights ``(l1, l2)`` fixed by the family's parameters. The weights are what the
    registry turns into scikit-learn's strength (:mod:`regprior.registry`); the smooth part
    ``l2/2 (theta - mu)**2`` and the kink ``l1 |theta - mu|`` are what the MAP engine solves
    (its compiled coordinate descent soft-thresholds by ``l1`` around the centre). A family of
    this form also gives its blog-post parametrisation (:meth:`from_blog`,
    :meth:`blog_parameters`).
    """

    # -- strength -----------------------------------------------------------------------
    @property
    @abstractmethod
    def penalty_weights(self) -> tuple[float, float]:
        """``(l1, l2)`` of ``-log p = l1 |theta - mu| + l2/2 (theta - mu)**2 + c`` per weight."""

    @classmethod
    @abstractmethod
    def from_penalty_weights(cls, l1: float, l2: float, mu=0.0) -> Prior:
        """The prior of this family with penalty weights ``(l1, l2)``; ValueError if none has."""

    @classmethod
    @abstractmethod
    def from_blog(cls, mu=0.0, **blog) -> Prior:
        """Build from the blog post's parametrisation (``blog_parameter_names``)."""

    @abstractmethod
    def blog_parameters(self) -> dict:
        """This prior in the blog post's parametrisation, keyed ``blog_<name>``."""

    # -- the prior as a penalty (what the MAP engine asks) -------------------------------
    def smooth_value(self, theta) -> float:
        """Smooth part ``l2/2 sum_j (theta_j - mu_j)**2`` of ``-log p`` (no constant)."""
        return 0.5 * self.penalty_weights[1] * float(np.sum(self._shift(theta) ** 2))

    def smooth_gradient(self, theta) -> np.ndarray:
        """Gradient of the smooth part ``l2/2 (theta - mu)**2`` of ``-log p``."""
        return self.penalty_weights[1] * self._shift(theta)

    def smooth_hessian_diagonal(self, theta) -> np.ndarray:
        """Diagonal Hessian of the smooth part (the prior is separable)."""
        return np.full(np.shape(theta), self.penalty_weights[1])

    @property
    def kink_slope(self) -> float:
        """Largest ``|subgradient|`` of the non-smooth part ``l1 |theta - mu|``: ``l1`` (or 0)."""
        return self.penalty_weights[0]


def _rebuild(cls, mu, parameters):
    return cls(mu=mu, **parameters)


def _only(value: float, name: str, family: str) -> None:
    if value != 0.0:
        raise ValueError(
            f"a {family} prior has no {name} penalty term; got {name} weight {value!r}."
        )


class Normal(ElasticNetFormPrior):
    r"""Normal (Gaussian) prior on each weight: the Bayesian side of ``Ridge``.

    .. math::

        p(\theta_j) = \frac{1}{\sqrt{2\pi}\,\sigma}
                      \exp\left(-\frac{(\theta_j - \mu_j)^2}{2\sigma^2}\right)

    Support: the real line. Mean, median and mode ``mu``; variance ``sigma**2``. Penalty
    weights ``(0, 1/sigma**2)``.

    Parameters
    ----------
    mu : float or array-like of shape (n_features,), default=0.0
        Prior centre.
    sigma : float, default=1.0
        Standard deviation (``sigma > 0``); also available as ``scale``.

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
    parameter_names = ("sigma",)
    blog_parameter_names = ("lam",)
    smooth = True
    gibbs_reason = None

    def scale_conditionals(self, n_features, *, noise_variance, centre):
        """Fixed variances ``sigma**2``: one exact draw of the weights per sweep."""
        return FixedScales(self.sigma**2, n_features, noise_variance=noise_variance, centre=centre)

    def __init__(self, mu=0.0, sigma=1.0):
        super().__init__(mu=mu, sigma=sigma)

    @property
    def sigma(self) -> float:
        """Standard deviation of the prior."""
        return self._parameters["sigma"]

    @property
    def scale(self) -> float:
        """The prior's scale: its standard deviation ``sigma``."""
        return self.sigma

    def with_scale(self, scale: float) -> Normal:
        return Normal(mu=self.mu, sigma=scale)

    @classmethod
    def from_parameters(cls, mu=0.0, **parameters) -> Normal:
        """As :meth:`Prior.from_parameters`; ``scale`` is taken for ``sigma`` (the Normal's)."""
        if set(parameters) == {"scale"}:
            parameters = {"sigma": parameters["scale"]}
        return super().from_parameters(mu=mu, **parameters)

    @classmethod
    def from_lambda(cls, lam: float, mu=0.0) -> Normal:
        """Build the blog post's ``N(mu, 1/sqrt(2 lam))``: ``sigma = 1 / sqrt(2 lam)``.

        ``lam`` is a precision-like strength (``lam = 1 / (2 sigma**2)``), not a variance.
        """
        lam = check_positive_float(lam, "lam", "Normal.from_lambda")
        return cls(mu=mu, sigma=1.0 / np.sqrt(2.0 * lam))

    @classmethod
    def from_blog(cls, mu=0.0, *, lam) -> Normal:
        return cls.from_lambda(lam, mu=mu)

    @property
    def lam(self) -> float:
        """The blog post's ``lambda = 1 / (2 sigma**2)``."""
        return 1.0 / (2.0 * self.sigma**2)

    def blog_parameters(self) -> dict:
        return {"blog_lambda": self.lam}

    def neg_logpdf(self, theta):
        z = (np.asarray(theta) - self.mu) / self.sigma
        return 0.5 * z**2 + np.log(self.sigma) + 0.5 * np.log(2.0 * np.pi)

    @property
    def penalty_weights(self):
        return 0.0, 1.0 / self.sigma**2

    @classmethod
    def from_penalty_weights(cls, l1, l2, mu=0.0):
        _only(l1, "l1", cls.family)
        return cls(
            mu=mu,
            sigma=1.0 / np.sqrt(check_positive_float(l2, "l2", "Normal.from_penalty_weights")),
        )


class Laplace(ElasticNetFormPrior):
    r"""Laplace (double-exponential) prior on each weight: the Bayesian side of ``Lasso``.

    .. math::

        p(\theta_j) = \frac{1}{2s} \exp\left(-\frac{|\theta_j - \mu_j|}{s}\right)

    Support: the real line. Mean, median and mode ``mu``; variance ``2 s**2``. Penalty
    weights ``(1/s, 0)``.

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
    parameter_names = ("scale",)
    blog_parameter_names = ("rate",)
    smooth = False
    gibbs_reason = None

    def scale_conditionals(self, n_features, *, noise_variance, centre):
        """A normal scale mixture, ``1/d_j | theta_j ~ InvGauss(1/(s |theta_j - mu_j|), 1/s^2)``."""
        return LaplaceScales(self.scale, n_features, noise_variance=noise_variance, centre=centre)

    def __init__(self, mu=0.0, scale=1.0):
        super().__init__(mu=mu, scale=scale)

    @property
    def scale(self) -> float:
        """Laplace scale ``s`` (PyMC's ``b``)."""
        return self._parameters["scale"]

    def with_scale(self, scale: float) -> Laplace:
        return Laplace(mu=self.mu, scale=scale)

    @classmethod
    def from_rate(cls, rate: float, mu=0.0) -> Laplace:
        """Build the blog post's ``Laplace(mu, 1/b)`` from its rate ``b``: ``scale = 1 / rate``."""
        rate = check_positive_float(rate, "rate", "Laplace.from_rate")
        return cls(mu=mu, scale=1.0 / rate)

    @classmethod
    def from_blog(cls, mu=0.0, *, rate) -> Laplace:
        return cls.from_rate(rate, mu=mu)

    @property
    def rate(self) -> float:
        """The blog post's ``b``: ``rate = 1 / scale``."""
        return 1.0 / self.scale

    def blog_parameters(self) -> dict:
        return {"blog_rate": self.rate}

    def neg_logpdf(self, theta):
        return np.abs(np.asarray(theta) - self.mu) / self.scale + np.log(2.0 * self.scale)

    @property
    def penalty_weights(self):
        return 1.0 / self.scale, 0.0

    @classmethod
    def from_penalty_weights(cls, l1, l2, mu=0.0):
        _only(l2, "l2", cls.family)
        return cls(
            mu=mu, scale=1.0 / check_positive_float(l1, "l1", "Laplace.from_penalty_weights")
        )


class ElasticNetPrior(ElasticNetFormPrior):
    r"""Bayesian elastic net: the product of a Laplace and a Normal density on each weight.

    .. math::

        p(\theta_j) = \frac{1}{Z} \exp\left(-\frac{|\theta_j - \mu_j|}{s}
                      - \frac{(\theta_j - \mu_j)^2}{2\tau^2}\right), \qquad
        Z = 2\tau\sqrt{\pi/2}\ \mathrm{erfcx}\left(\frac{\tau}{\sqrt{2}\,s}\right)

    (Li & Lin 2010), ``erfcx(a) = exp(a**2) erfc(a)``, which stays finite for large ``a``.
    Support: the real line; symmetric about ``mu`` (mean, median and mode ``mu``). Penalty
    weights ``(1/s, 1/tau**2)``. ``s -> inf`` gives ``Normal(mu, tau)``, ``tau -> inf``
    gives ``Laplace(mu, s)``.

    Parameters
    ----------
    mu : float or array-like of shape (n_features,), default=0.0
        Prior centre.
    scale : float, default=1.0
        Scale ``s`` of the Laplace factor (PyMC's ``b``; the blog's rate is ``1/s``).
    sigma : float, default=1.0
        Standard deviation ``tau`` of the Normal factor (the blog's ``lambda = 1/(2 tau**2)``).

    Notes
    -----
    With Gaussian noise ``noise_sigma``, a flat intercept prior and ``N = sum(sample_weight)``,
    the MAP is sklearn's ``ElasticNet`` with::

        alpha = noise_sigma**2 / N * (1/s + 1/tau**2),   l1_ratio = (1/s) / (1/s + 1/tau**2)

    (see :func:`regprior.spec.mapping.elastic_net_alpha`). The MAP has exact zeros; the
    posterior mean does not. :meth:`from_blog` takes the blog's ``lam`` and ``rate``: the
    density is then ``exp(-rate |theta - mu| - lam (theta - mu)**2) / Z``.
    """

    family = "elasticnet"
    parameter_names = ("scale", "sigma")
    blog_parameter_names = ("lam", "rate")
    smooth = False
    #: Not done: the product prior is a scale mixture whose mixing law is a truncated gamma.
    gibbs_reason = (
        "its exact Gibbs conditionals need truncated gamma draws (Li & Lin 2010), which regprior "
        "does not implement; NUTS samples it"
    )

    def __init__(self, mu=0.0, scale=1.0, sigma=1.0):
        super().__init__(mu=mu, scale=scale, sigma=sigma)

    @property
    def scale(self) -> float:
        """Scale ``s`` of the Laplace factor."""
        return self._parameters["scale"]

    @property
    def sigma(self) -> float:
        """Standard deviation ``tau`` of the Normal factor."""
        return self._parameters["sigma"]

    @classmethod
    def from_blog(cls, mu=0.0, *, lam, rate) -> ElasticNetPrior:
        """``exp(-rate |theta - mu| - lam (theta - mu)**2)``.

        ``scale = 1/rate``, ``sigma = 1/sqrt(2 lam)``.
        """
        lam = check_positive_float(lam, "lam", "ElasticNetPrior.from_blog")
        rate = check_positive_float(rate, "rate", "ElasticNetPrior.from_blog")
        return cls(mu=mu, scale=1.0 / rate, sigma=1.0 / np.sqrt(2.0 * lam))

    def blog_parameters(self) -> dict:
        return {"blog_lambda": 1.0 / (2.0 * self.sigma**2), "blog_rate": 1.0 / self.scale}

    def log_normaliser(self) -> float:
        """``log Z`` per weight, with ``Z = tau sqrt(2 pi) erfcx(tau / (sqrt(2) s))``."""
        a = self.sigma / (np.sqrt(2.0) * self.scale)
        return float(
            np.log(self.sigma) + 0.5 * np.log(2.0 * np.pi) + np.log(scipy.special.erfcx(a))
        )

    def neg_logpdf(self, theta):
        shift = np.asarray(theta) - self.mu
        return np.abs(shift) / self.scale + shift**2 / (2.0 * self.sigma**2) + self.log_normaliser()

    @property
    def penalty_weights(self):
        return 1.0 / self.scale, 1.0 / self.sigma**2

    @classmethod
    def from_penalty_weights(cls, l1, l2, mu=0.0):
        l1 = check_positive_float(l1, "l1", "ElasticNetPrior.from_penalty_weights")
        l2 = check_positive_float(l2, "l2", "ElasticNetPrior.from_penalty_weights")
        return cls(mu=mu, scale=1.0 / l1, sigma=1.0 / np.sqrt(l2))


class GeneralizedDoublePareto(Prior):
    r"""Generalized double Pareto prior on each weight (Armagan, Dunson & Lee 2013).

    .. math::

        p(\theta_j) = \frac{1}{2\xi}
                      \left(1 + \frac{|\theta_j - \mu_j|}{a\xi}\right)^{-(a + 1)}

    Support: the real line. Median and mode ``mu``; the mean is ``mu`` when ``a > 1`` and the
    variance ``2 xi**2 a**2 / ((a - 1)(a - 2))`` when ``a > 2`` (tails like ``|theta|^-(a+1)``).
    As ``a -> inf`` it tends to ``Laplace(mu, xi)``. A normal scale mixture:
    ``theta_j - mu_j ~ N(0, t_j)``, ``t_j ~ Exp(rate l_j**2 / 2)``,
    ``l_j ~ Gamma(a, rate a xi)`` (``theta_j`` given ``l_j`` is Laplace with rate ``l_j``).

    Parameters
    ----------
    mu : float or array-like of shape (n_features,), default=0.0
        Prior centre.
    scale : float, default=1.0
        Scale ``xi > 0``: the density at the centre is ``1 / (2 xi)``, as a Laplace prior of
        scale ``xi`` has. Default 1, as ``Laplace``'s: the prior acts on the weights in the data's
        units, and no default scale fits every data set.
    shape : float, default=1.0
        Shape ``a > 0``: small values give heavy tails and strong shrinkage of small weights,
        large ones approach the Laplace prior. Default 1: the Cauchy's tail ``|theta|^-2``, so
        that large weights are barely shrunk, while the density keeps the Laplace prior's kink
        at the centre (a sparse MAP).

    Notes
    -----
    ``-log p(theta_j) = (a + 1) log(1 + |theta_j - mu_j| / (a xi)) + log(2 xi)``: a log-sum
    penalty. With Gaussian noise ``noise_sigma``, a flat intercept prior and
    ``N = sum(sample_weight)``, multiplying the negative log posterior by ``noise_sigma**2 / N``
    gives skglm's ``GeneralizedLinearEstimator(Quadratic(), LogSumPenalty(alpha, eps))``
    objective ``1/(2N) sum_i w_i r_i**2 + alpha sum_j log(1 + |w_j| / eps)`` at::

        alpha = noise_sigma**2 (a + 1) / N,    eps = a xi

    (:func:`regprior.spec.mapping.log_sum_strength`; docs/specification.md, "Generalized double
    Pareto"). The penalty is **not convex**: the MAP engine returns a stationary point reached
    from the prior centre (skglm starts from zero too), certified as stationary, not as the
    global mode. For the engine ``-log p`` is split into the kink ``(a + 1) / (a xi) |theta -
    mu|`` (the slope of ``-log p`` at the centre) and a smooth, concave remainder
    ``(a + 1) (log(1 + z) - z)``, ``z = |theta - mu| / (a xi)``, whose gradient vanishes at the
    centre (it is continuously differentiable there) and whose curvature ``-(a + 1) / (a xi +
    |theta - mu|)**2`` is negative; :meth:`penalty_prox` is the exact proximal operator of the
    whole penalty.
    """

    family = "gdp"
    parameter_names = ("scale", "shape")
    smooth = False
    convex = False
    gibbs_reason = None

    def __init__(self, mu=0.0, scale=1.0, shape=1.0):
        super().__init__(mu=mu, scale=scale, shape=shape)

    @property
    def scale(self) -> float:
        """Scale ``xi``."""
        return self._parameters["scale"]

    @property
    def shape(self) -> float:
        """Shape ``a``."""
        return self._parameters["shape"]

    @property
    def eps(self) -> float:
        """``a xi``: the log-sum penalty's ``eps`` (skglm's ``LogSumPenalty(alpha, eps)``)."""
        return self.shape * self.scale

    @property
    def log_sum_weight(self) -> float:
        """``a + 1``: the weight of ``log(1 + |theta - mu| / eps)`` in ``-log p``."""
        return self.shape + 1.0

    def log_sum_strength(self, noise_sigma: float, weight_sum: float) -> tuple[float, float]:
        """skglm's ``LogSumPenalty(alpha, eps)`` of this prior's MAP problem.

        ``alpha = noise_sigma**2 (a + 1) / N``, ``eps = a xi``
        (:func:`regprior.spec.mapping.log_sum_strength`).
        """
        return log_sum_strength(noise_sigma, self.scale, self.shape, weight_sum)

    def with_scale(self, scale: float) -> GeneralizedDoublePareto:
        return GeneralizedDoublePareto(mu=self.mu, scale=scale, shape=self.shape)

    def blog_parameters(self) -> dict:
        """The blog post has no generalized double Pareto: no parameters in its terms."""
        return {}

    def neg_logpdf(self, theta):
        z = np.abs(np.asarray(theta, dtype=float) - self.mu) / self.eps
        return self.log_sum_weight * np.log1p(z) + np.log(2.0 * self.scale)

    # -- the penalty: kink (a + 1) / eps at the centre plus a concave smooth remainder ----------
    @property
    def kink_slope(self) -> float:
        """``(a + 1) / (a xi)``: the slope of ``-log p`` on each side of the centre."""
        return self.log_sum_weight / self.eps

    def smooth_value(self, theta) -> float:
        """``(a + 1) sum_j (log(1 + z_j) - z_j)``, ``z_j = |theta_j - mu_j| / eps`` (no const)."""
        z = np.abs(self._shift(theta)) / self.eps
        return self.log_sum_weight * float(np.sum(np.log1p(z) - z))

    def smooth_gradient(self, theta) -> np.ndarray:
        """``-(a + 1) u / (eps (eps + |u|))`` with ``u = theta - mu``: 0 at the centre."""
        u = self._shift(theta)
        return -self.log_sum_weight * u / (self.eps * (self.eps + np.abs(u)))

    def smooth_hessian_diagonal(self, theta) -> np.ndarray:
        """``-(a + 1) / (eps + |u|)**2``: negative (concave), the curvature of ``-log p`` off the
        centre."""
        u = self._shift(theta)
        return -self.log_sum_weight / (self.eps + np.abs(u)) ** 2

    def penalty_prox(self, values, step) -> np.ndarray:
        """Exact proximal operator of ``step (a + 1) log(1 + |t - mu| / eps)``.

        With ``v = |value - mu|`` and ``c = step (a + 1)``, a non-zero minimiser ``t > 0`` of
        ``(t - v)**2 / 2 + c log(1 + t / eps)`` solves ``t**2 + (eps - v) t + c - v eps = 0``;
        its larger root ``r = (v - eps + sqrt((v + eps)**2 - 4 c)) / 2`` is a local minimum
        (the product ``(eps + r)(eps + r') = c`` of the two roots' ``eps + t`` puts
        ``(eps + r)**2 >= c``, the second derivative's sign). The prox is ``r`` (with the sign of
        the shift) when it is real, positive and its objective ``r (r / 2 - v) + c log(1 + r /
        eps)`` is below the value 0 at ``t = 0``; otherwise the centre (ties go to the centre,
        as skglm's ``prox_log_sum`` does).
        """
        values = np.asarray(values, dtype=float)
        shift = values - self.mu
        v = np.abs(shift)
        c = np.asarray(step, dtype=float) * self.log_sum_weight
        eps = self.eps
        discriminant = (v + eps) ** 2 - 4.0 * c
        with np.errstate(invalid="ignore"):
            root = 0.5 * (v - eps + np.sqrt(np.maximum(discriminant, 0.0)))
            gain = root * (0.5 * root - v) + c * np.log1p(root / eps)
        moved = (discriminant >= 0.0) & (root > 0.0) & (gain < 0.0)
        return self.mu + np.where(moved, np.sign(shift) * root, 0.0)

    def scale_conditionals(self, n_features, *, noise_variance, centre):
        """The scale mixture's conditionals (``GeneralizedDoubleParetoScales`` of
        :mod:`regprior.spec.conditionals`)."""
        return GeneralizedDoubleParetoScales(
            self.scale, self.shape, n_features, noise_variance=noise_variance, centre=centre
        )


#: Every prior family by its registry key.
