"""Likelihoods of the observations given the linear predictor: the interface and its families."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from regprior._validation import check_positive_float
from regprior.spec.data import RegressionData, weighted_centring

__all__ = [
    "Likelihood",
    "resolve_likelihood",
    "likelihood_class",
    "Gaussian",
    "Bernoulli",
    "Poisson",
    "estimate_noise_sigma",
    "LIKELIHOOD_FAMILIES",
    "DATA_TERMS",
]

#: How scikit-learn writes the data term of an objective, by name:
#: ``"sum"``, the weighted sum of its loss (Ridge: ``sum_i s_i r_i**2``); ``"mean"``, the
#: weighted mean, divided by ``N = sum_i s_i`` (Lasso, ElasticNet: ``1/(2N) sum_i s_i r_i**2``).
DATA_TERMS = ("sum", "mean")

OLS_RESIDUAL_SD = "OLS residual sd"


#: Every likelihood family by its registry key: filled by defining a subclass of
#: :class:`Likelihood`.
LIKELIHOOD_FAMILIES: dict[str, type] = {}


class Likelihood(ABC):
    r"""What a likelihood provides: the interface every family implements.

    The observations depend on the weights through the linear predictor
    ``eta_i = c + x_i^T theta`` and a link (``mean(eta)`` is ``E[y_i]``). Sample weights
    ``w_i`` multiply each observation's log likelihood (the Gaussian: precision weights, the
    same thing). A subclass that defines :attr:`family` is registered in
    :data:`LIKELIHOOD_FAMILIES`; the backend needs one table entry to build its observed
    variable (:func:`regprior.backend.distributions.register_likelihood_distribution`).

    Required (every engine): :attr:`family`, :attr:`link`, :attr:`parameters`,
    :meth:`neg_loglik`, :meth:`check_target`, :meth:`mean`.
    For the MAP engine: :meth:`coef_gradient`, :meth:`coef_hessian`, :meth:`intercept_start`,
    :attr:`quadratic` (a constant Hessian: one Newton step), :attr:`centres_target`.
    For a scikit-learn twin: :meth:`sklearn_loss_factor` (and a row of the registry).
    Sufficient statistics exist only for a quadratic likelihood (:attr:`quadratic`).

    Attributes
    ----------
    family : str
        Registry key (``"gaussian"``, ``"bernoulli"``, ``"poisson"``, or a new family's name).
    link : str
        Name of the link function (``"identity"``, ``"logit"``, ``"log"``).
    noise_parameter : str or None
        Name of the free noise parameter the user may give or have estimated (the Gaussian's
        ``"noise_sigma"``), None for a likelihood without one.
    example_data : str or None
        The embedded data set the CLI uses for this likelihood by default.
    quadratic : bool
        The negative log likelihood is quadratic in ``(c, theta)`` (constant Hessian).
    centres_target : bool
        The model centres ``y`` by its weighted mean (the intercept then decouples exactly).
    gibbs_augmentation : str or None
        The data augmentation that makes the weights conditionally Gaussian for the Gibbs
        engine (``"polya_gamma"``: :meth:`polya_gamma_terms`); None for none.
    source : str
        Where the likelihood's parameters came from, shown in every table.
    """

    family: ClassVar[str] = "likelihood"
    link: ClassVar[str] = "identity"
    noise_parameter: ClassVar[str | None] = None
    example_data: ClassVar[str | None] = None
    quadratic: ClassVar[bool] = False
    centres_target: ClassVar[bool] = False
    gibbs_augmentation: ClassVar[str | None] = None
    source = "no free parameter"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        family = cls.__dict__.get("family")
        if family is not None:
            LIKELIHOOD_FAMILIES[family] = cls

    @property
    def parameters(self) -> dict:
        """Parameters the model holds as ``pm.Data`` (swapped without a rebuild), by name."""
        return {}

    def describe(self) -> str:
        """One line for tables: the family and its parameters."""
        return f"{self.family} likelihood ({self.link} link)"

    def record(self) -> dict:
        """JSON fields of the likelihood in a comparison's mapping."""
        return {"likelihood": self.family, "link": self.link}

    @abstractmethod
    def neg_loglik(self, y, eta, weights=None) -> np.ndarray:
        """Negative log likelihood of each observation at the linear predictor,
        constants included."""

    @staticmethod
    @abstractmethod
    def check_target(y) -> None:
        """Raise ValueError naming what is wrong when ``y`` is not a valid target."""

    @staticmethod
    @abstractmethod
    def mean(eta):
        """``E[y | eta]``: the inverse link."""

    def coef_gradient(self, X, y, weights, eta) -> np.ndarray:
        """Gradient in the weights of the negative log likelihood at ``eta`` (MAP engine, grids)."""
        raise NotImplementedError(f"{type(self).__name__} provides no coef_gradient.")

    def coef_hessian(self, X, weights, eta) -> np.ndarray:
        """Hessian in the weights of the negative log likelihood at ``eta``."""
        raise NotImplementedError(f"{type(self).__name__} provides no coef_hessian.")

    @staticmethod
    def intercept_start(y, weights) -> float:
        """Starting (centred) intercept of the MAP engine."""
        return 0.0

    def polya_gamma_terms(self, y, weights):
        """``(h, kappa)`` of a row likelihood ``exp(kappa_i eta_i) / cosh(eta_i / 2)^(h_i)``
        (Polson, Scott & Windle 2013): what the Gibbs engine's Polya-Gamma sweep reads."""
        raise NotImplementedError(f"the {self.family} likelihood has no Polya-Gamma augmentation.")

    def sklearn_loss_factor(self, data_term: str, weight_sum: float) -> float:
        """``c`` such that sklearn's data term equals ``c`` times the negative log likelihood."""
        raise NotImplementedError(f"the {self.family} likelihood has no scikit-learn counterpart.")

    @classmethod
    def nominal(cls) -> Likelihood:
        """An instance for computations that do not depend on the noise (grids, maps' shapes)."""
        return cls()

    def with_noise(self, noise: float, source: str) -> Likelihood:
        """The same likelihood at another noise parameter (a learnt or estimated value)."""
        raise ValueError(f"the {self.family} likelihood has no noise parameter to set.")

    @classmethod
    def resolve(cls, data, noise=None, *, fit_intercept: bool = True) -> Likelihood:
        """An instance for ``data``: its noise parameter as given or estimated (see subclasses).

        A likelihood without a noise parameter refuses a given one.
        """
        if noise is not None:
            raise ValueError(
                f"noise_sigma applies to a likelihood with a noise parameter (the gaussian); "
                f"got it with a {cls.family} likelihood."
            )
        return cls()


def likelihood_class(family: str) -> type:
    """The likelihood class of a family name; ValueError naming the known ones otherwise."""
    if family not in LIKELIHOOD_FAMILIES:
        raise ValueError(
            f"likelihood must be one of {sorted(LIKELIHOOD_FAMILIES)}; got {family!r}."
        )
    return LIKELIHOOD_FAMILIES[family]


def resolve_likelihood(likelihood=None, data=None, *, noise_sigma=None, fit_intercept=True):
    """The one place a likelihood and its noise are resolved, and the target checked against it.

    Parameters
    ----------
    likelihood : Likelihood instance, subclass, family name or None
        ``None`` is the Gaussian. A family name (``"gaussian"``, ``"bernoulli"``, ...) or class
        is instantiated for ``data``.
    data : RegressionData or SufficientStatistics, optional
        Needed to estimate a noise parameter left out; its target is checked.
    noise_sigma : float, optional
        The Gaussian's known noise sd; ``None`` keeps an instance's own value or estimates it
        as the least-squares residual sd (:func:`estimate_noise_sigma`).

    Returns
    -------
    Likelihood

    Raises
    ------
    TypeError
        When ``likelihood`` is none of the above.
    ValueError
        Unknown family name; ``noise_sigma`` with a likelihood that has none; a target the
        likelihood refuses; a noise sigma that cannot be estimated.
    """
    if likelihood is None:
        likelihood = Gaussian
    if isinstance(likelihood, str):
        likelihood = likelihood_class(likelihood)
    if isinstance(likelihood, type) and issubclass(likelihood, Likelihood):
        if data is None and likelihood.noise_parameter is not None and noise_sigma is None:
            raise ValueError(f"data are needed to estimate the {likelihood.family} noise.")
        resolved = likelihood.resolve(data, noise_sigma, fit_intercept=fit_intercept)
    elif isinstance(likelihood, Likelihood):
        resolved = likelihood
        if noise_sigma is not None:
            resolved = type(likelihood).resolve(data, noise_sigma, fit_intercept=fit_intercept)
    else:
        raise TypeError(
            "likelihood must be a regprior Likelihood (an instance such as Bernoulli(), its class "
            f"or its family name among {sorted(LIKELIHOOD_FAMILIES)}); got {likelihood!r}."
        )
    if data is not None and hasattr(data, "y"):
        resolved.check_target(data.y)
    return resolved


@dataclass(frozen=True)
class Gaussian(Likelihood):
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
    link = "identity"
    noise_parameter = "noise_sigma"
    example_data = "diabetes"
    #: The negative log likelihood is quadratic in (intercept, weights): its Hessian is constant.
    quadratic = True
    #: The model centres ``y`` by its weighted mean (the intercept then decouples exactly).
    centres_target = True

    @property
    def parameters(self) -> dict:
        """Parameters the model holds as ``pm.Data`` (swapped without a rebuild)."""
        return {"noise_sigma": self.noise_sigma}

    def describe(self) -> str:
        return f"noise sigma = {self.noise_sigma:.6g} ({self.source})"

    def record(self) -> dict:
        """JSON fields of the likelihood in a comparison's mapping."""
        return {
            "likelihood": self.family,
            "noise_sigma": self.noise_sigma,
            "noise_sigma_source": self.source,
        }

    @staticmethod
    def check_target(y) -> None:
        """Any finite real target is valid (checked by :class:`RegressionData`)."""

    @staticmethod
    def mean(eta):
        """The identity link: ``E[y | eta] = eta``."""
        return np.asarray(eta, dtype=float)

    @staticmethod
    def intercept_start(y, weights) -> float:
        """Starting centred intercept of the MAP engine: 0 (``y`` is centred)."""
        return 0.0

    def __post_init__(self):
        object.__setattr__(
            self, "noise_sigma", check_positive_float(self.noise_sigma, "noise_sigma", "Gaussian")
        )

    def neg_loglik(self, y, mean, weights=None) -> np.ndarray:
        """Negative log density of each observation, constants included.

        With ``r_i = y_i - mean_i``::

            -log N(y_i | mean_i, sigma**2 / w_i)
                = (w_i r_i**2 / sigma**2 + log(2 pi sigma**2 / w_i)) / 2
        """
        y, mean = np.asarray(y, dtype=float), np.asarray(mean, dtype=float)
        weights = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
        variance = self.noise_sigma**2 / weights
        return 0.5 * ((y - mean) ** 2 / variance + np.log(2.0 * np.pi * variance))

    def coef_gradient(self, X, y, weights, eta) -> np.ndarray:
        """Gradient in the weights of the negative log likelihood at the linear predictor ``eta``:
        ``-X^T W (y - eta) / sigma**2``."""
        return -(X.T @ (weights * (np.asarray(y, dtype=float) - eta))) / self.noise_sigma**2

    def coef_hessian(self, X, weights, eta) -> np.ndarray:
        """Hessian in the weights of the negative log likelihood:
        ``X^T W X / sigma**2`` (constant)."""
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
            return self.noise_sigma**2 / check_positive_float(
                weight_sum, "weight_sum", "Gaussian.sklearn_loss_factor"
            )
        raise ValueError(f"data_term must be one of {DATA_TERMS}; got {data_term!r}.")

    @classmethod
    def nominal(cls) -> Gaussian:
        """A noise sigma of 1: the grids and the MAP at a given alpha do not depend on it."""
        return cls(1.0, "nominal")

    def with_noise(self, noise: float, source: str) -> Gaussian:
        """This likelihood at another noise sigma, recording where it came from."""
        return type(self)(noise, source)

    @classmethod
    def resolve(
        cls, data: RegressionData, noise_sigma=None, *, fit_intercept: bool = True
    ) -> Gaussian:
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
            f"n_features + intercept={data.n_features + int(fit_intercept)}; "
            "pass noise_sigma explicitly."
        )
    if isinstance(data, RegressionData):
        _, _, X, y = weighted_centring(data, fit_intercept=fit_intercept)
        root_w = np.sqrt(data.weights)
        coef, *_ = np.linalg.lstsq(X * root_w[:, None], y * root_w, rcond=None)
        residual_ss = float(data.weights @ (y - X @ coef) ** 2)
    else:
        # Sufficient statistics: the normal equations (cond(X^T W X) squared vs lstsq's).
        if data.fit_intercept != fit_intercept:
            raise ValueError(
                f"the statistics were computed with fit_intercept={data.fit_intercept}."
            )
        coef, *_ = np.linalg.lstsq(data.xtx, data.xty, rcond=None)
        residual_ss = float(data.yty - data.xty @ coef)
    sigma = np.sqrt(residual_ss / dof)
    if not sigma > 0:
        raise ValueError(
            "the least-squares fit is exact (zero residuals); pass noise_sigma explicitly."
        )
    return float(sigma)


class _GeneralisedLinear(Likelihood):
    """Shared behaviour of the likelihoods without a free parameter (Bernoulli, Poisson)."""

    def coef_gradient(self, X, y, weights, eta) -> np.ndarray:
        """Gradient in the weights of the negative log likelihood: ``-X^T W (y - mean(eta))``."""
        return -(X.T @ (weights * (np.asarray(y, dtype=float) - self.mean(eta))))

    def coef_hessian(self, X, weights, eta) -> np.ndarray:
        """Hessian in the weights of the negative log likelihood: ``X^T W V(eta) X``."""
        return (X.T * (weights * self.variance(eta))) @ X

    def sklearn_loss_factor(self, data_term: str, weight_sum: float) -> float:
        """``c`` such that sklearn's data term equals ``c`` times the negative log likelihood.

        ``"sum"`` (LogisticRegression's ``sum_i s_i logloss_i``, with ``C`` moved into the
        penalty) is ``c = 1``; ``"mean"`` (PoissonRegressor's ``1/(2S) sum_i s_i deviance_i``,
        half the deviance being the negative log likelihood up to a constant) is ``c = 1/S``.
        """
        if data_term == "sum":
            return 1.0
        if data_term == "mean":
            return 1.0 / check_positive_float(
                weight_sum, "weight_sum", f"{type(self).__name__}.sklearn_loss_factor"
            )
        raise ValueError(f"data_term must be one of {DATA_TERMS}; got {data_term!r}.")

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self).__name__)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Bernoulli(_GeneralisedLinear):
    r"""Binary outcomes with a logit link: the Bayesian side of ``LogisticRegression``.

    .. math::

        y_i \in \{0, 1\}, \qquad P(y_i = 1) = \sigma(c + x_i^\top\theta), \qquad
        -\log L = \sum_i w_i \left[\log(1 + e^{\eta_i}) - y_i \eta_i\right]

    Sample weights multiply each observation's log likelihood, as in scikit-learn. sklearn's
    ``LogisticRegression`` minimises ``C sum_i s_i logloss_i + P(w)`` with
    ``P = l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||_2**2``: with a flat intercept and
    ``Normal(0, tau)`` its solution is the MAP at ``C = tau**2``, with ``Laplace(0, s)`` at
    ``C = s`` (see :mod:`regprior.registry`). Its ``liblinear`` solver penalises the intercept
    (through ``intercept_scaling``): it is not the counterpart of a flat intercept.
    The MAP exists for perfectly separable data (the prior keeps the weights finite) unless
    ``y`` is constant, which only an infinite intercept fits: rejected.
    """

    family = "bernoulli"
    link = "logit"
    example_data = "breast_cancer"
    gibbs_augmentation = "polya_gamma"

    def polya_gamma_terms(self, y, weights):
        """``h_i = w_i``, ``kappa_i = w_i (y_i - 1/2)``: ``(e^eta)^y / (1 + e^eta)`` is
        ``exp((y - 1/2) eta) / (2 cosh(eta / 2))``, raised to the power ``w_i``."""
        y, weights = np.asarray(y, dtype=float), np.asarray(weights, dtype=float)
        return weights, weights * (y - 0.5)

    @staticmethod
    def mean(eta):
        import scipy.special

        return scipy.special.expit(eta)

    @staticmethod
    def variance(eta):
        import scipy.special

        p = scipy.special.expit(eta)
        return p * (1.0 - p)

    def neg_loglik(self, y, eta, weights=None) -> np.ndarray:
        y, eta = np.asarray(y, dtype=float), np.asarray(eta, dtype=float)
        weights = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
        return weights * (np.logaddexp(0.0, eta) - y * eta)

    @staticmethod
    def check_target(y) -> None:
        y = np.asarray(y)
        if not np.all((y == 0) | (y == 1)):
            values = np.unique(y)
            raise ValueError(
                "y must be binary (0 or 1) for a Bernoulli likelihood; got values "
                f"{values[:5].tolist()}" + (" ..." if len(values) > 5 else "") + "."
            )
        if np.all(y == y[0]):
            raise ValueError(
                f"y is {int(y[0])} for every sample: the MAP of a flat intercept does not exist "
                "(the intercept runs to infinity); both classes are needed."
            )

    @staticmethod
    def intercept_start(y, weights) -> float:
        """``logit`` of the weighted mean of ``y``:
        the exact intercept when the weights are at 0."""
        mean = float(np.average(y, weights=weights))
        return float(np.log(mean / (1.0 - mean)))


class Poisson(_GeneralisedLinear):
    r"""Counts with a log link: the Bayesian side of ``PoissonRegressor``.

    .. math::

        y_i \sim \text{Poisson}(e^{\eta_i}), \quad \eta_i = c + x_i^\top\theta, \qquad
        -\log L = \sum_i w_i \left[e^{\eta_i} - y_i \eta_i + \log y_i!\right]

    Sample weights multiply each observation's log likelihood. sklearn's ``PoissonRegressor``
    minimises ``1/(2S) sum_i s_i deviance_i + alpha/2 ||w||_2**2``; half the deviance is the
    negative log likelihood up to a constant, so with ``Normal(0, tau)`` its solution is the MAP
    at ``alpha = 1 / (S tau**2)`` (``S = sum s_i``). sklearn has only the l2 penalty here.

    Non-integer non-negative ``y`` (rates, averaged counts) is accepted, as sklearn accepts it:
    ``exp(y eta - e^eta) / Gamma(y + 1)`` is then a quasi-likelihood, not a normalised mass in
    ``y``, but the posterior of the weights (``y`` fixed) and its mode are well defined and the
    MAP is still ``PoissonRegressor``'s solution. Negative ``y`` is rejected.
    """

    family = "poisson"
    link = "log"
    example_data = "poisson_counts"

    @staticmethod
    def mean(eta):
        return np.exp(eta)

    @staticmethod
    def variance(eta):
        return np.exp(eta)

    def neg_loglik(self, y, eta, weights=None) -> np.ndarray:
        import scipy.special

        y, eta = np.asarray(y, dtype=float), np.asarray(eta, dtype=float)
        weights = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
        return weights * (np.exp(eta) - y * eta + scipy.special.gammaln(y + 1.0))

    @staticmethod
    def check_target(y) -> None:
        y = np.asarray(y, dtype=float)
        if np.any(y < 0):
            raise ValueError(
                "y must hold non-negative counts for a Poisson likelihood; got "
                f"{y[y < 0][:5].tolist()}."
            )
        if np.all(y == 0):
            raise ValueError(
                "y is 0 for every sample: the MAP of a flat intercept does not exist "
                "(log rate -> -inf)."
            )

    @staticmethod
    def intercept_start(y, weights) -> float:
        """``log`` of the weighted mean count: the exact intercept when the weights are at 0."""
        return float(np.log(np.average(y, weights=weights)))
