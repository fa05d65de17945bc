"""Full-Bayes specifications: priors on the noise and on the prior's own scale (NumPy only).

Park & Casella's Bayesian lasso (2008, JASA 103:681) in their own parametrisation::

    y | c, theta, sigma^2  ~ N(c + X theta, sigma^2 I),   p(c) flat
    theta_j | sigma^2      ~ Laplace(0, sigma / lambda)   (density lambda/(2 sigma) exp(-lambda |theta_j| / sigma))
    p(sigma^2)             ~ 1 / sigma^2                  (improper; the posterior is proper)
    lambda fixed, or lambda^2 ~ Gamma(shape r, rate delta)

Conditionally on sigma and lambda the mode is scikit-learn's Lasso with
``alpha = sigma lambda / N`` (``docs/specification.md``, "Park & Casella's Bayesian lasso"):
a derived quantity with a posterior of its own.
Their diabetes data (unit-norm centred columns) is scikit-learn's ``load_diabetes()``; they
report lambda ~ 0.237 by marginal maximum likelihood.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from regprior._validation import check_positive_float

__all__ = ["FullBayes", "BayesianLasso", "LearnedScale", "NOISE_PRIORS", "FULL_BAYES_KINDS"]

#: Priors on the noise sigma of :class:`LearnedScale`:
#: ``"halfnormal"`` HalfNormal(s_sigma); ``"halfstudentt"`` HalfStudentT(nu=3, s_sigma), heavier
#: tailed; ``"jeffreys"`` p(sigma^2) ~ 1/sigma^2 (improper, flat in log sigma; the posterior is
#: proper for N > 1 with a proper or Gaussian-likelihood-dominated weight prior, as in Park & Casella).
NOISE_PRIORS = ("halfnormal", "halfstudentt", "jeffreys")
#: Degrees of freedom of the half-Student-t noise prior (Gelman 2006's weakly informative choice).
HALF_STUDENT_T_NU = 3.0


#: Every full-Bayes specification by its kind: filled by defining a subclass of :class:`FullBayes`;
#: the backend, the catalogue, LOO and the strength choice all read this one table.
FULL_BAYES_KINDS: dict[str, type] = {}


class FullBayes:
    """A full-Bayes specification: priors on the noise sigma and on the weights' own scales.

    Unlike a fixed-scale :class:`~regprior.spec.priors.Prior`, a full-Bayes specification
    carries its likelihood's noise prior, so it takes no ``noise_sigma``; it has no single
    posterior mode the MAP engine solves (the joint mode over weights and scales is degenerate
    or not the quantity sklearn computes), so ``fit_map`` refuses it with
    :attr:`no_mode_reason`. Its conditional mode given the scales is a scikit-learn fit (the
    implied ``sklearn_alpha`` is a derived quantity with a posterior of its own).

    A subclass is a frozen dataclass defining :attr:`kind`; defining it registers it in
    :data:`FULL_BAYES_KINDS`. The backend needs one declaration for it
    (:func:`regprior.backend.hierarchical.register_full_bayes`).

    Attributes
    ----------
    kind : str
        Key of :data:`FULL_BAYES_KINDS` and of the backend's declarations.
    likelihood : str
        The likelihood family the model is built with (the Gaussian for every kind here).
    supports_weights : bool
        Whether sample weights (precision weights) are part of the model.
    target_accept : float
        NUTS target acceptance the model is sampled at by default: hierarchical posteriors
        have funnels that the default 0.8 resolves with divergences.
    data_fields : dict
        ``{field: pm.Data name}``: fields a built model holds as data, swapped without a
        rebuild (declared when the field is not None).
    """

    kind: ClassVar[str] = "full_bayes"
    likelihood: ClassVar[str] = "gaussian"
    supports_weights: ClassVar[bool] = True
    target_accept: ClassVar[float] = 0.95
    data_fields: ClassVar[dict] = {}
    no_mode_reason: ClassVar[str] = (
        "it learns the noise sigma and the prior's scale: the joint posterior mode is not the "
        "conditional mode sklearn computes (and may not exist). Use sample_posterior, or fit_map "
        "with a fixed prior such as Laplace(scale=...) for the conditional mode"
    )

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind")
        if kind is not None:
            FULL_BAYES_KINDS[kind] = cls

    @classmethod
    def has_mode(cls) -> bool:
        """Whether the MAP engine can find this specification's posterior mode: no."""
        return False

    def data_values(self) -> dict:
        """``{pm.Data name: value}`` a model of this specification holds (set fields only)."""
        return {
            name: getattr(self, field)
            for field, name in self.data_fields.items()
            if getattr(self, field) is not None
        }

    def same_structure(self, other) -> bool:
        """Whether ``other`` differs from this specification in its ``pm.Data`` values only."""
        if type(other) is not type(self):
            return False
        held = {field: getattr(self, field) for field in self.data_fields}
        return dataclasses.replace(other, **held) == self and set(other.data_values()) == set(
            self.data_values()
        )


@dataclass(frozen=True)
class BayesianLasso(FullBayes):
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

    kind = "bayesian_lasso"
    supports_weights = False
    #: pm.Data holding a fixed lambda: one compiled sampler serves every lambda.
    data_fields = {"lam": "lambda_fixed"}

    def __post_init__(self):
        if self.lam is not None:
            object.__setattr__(self, "lam", check_positive_float(self.lam, "lam", "BayesianLasso"))
        object.__setattr__(
            self,
            "gamma_shape",
            check_positive_float(self.gamma_shape, "gamma_shape", "BayesianLasso"),
        )
        object.__setattr__(
            self, "gamma_rate", check_positive_float(self.gamma_rate, "gamma_rate", "BayesianLasso")
        )

    @property
    def learns_lambda(self) -> bool:
        return self.lam is None

    def with_lambda(self, lam: float) -> BayesianLasso:
        """The same model at another fixed ``lambda``."""
        return BayesianLasso(lam=lam, gamma_shape=self.gamma_shape, gamma_rate=self.gamma_rate)

    @staticmethod
    def lasso_alpha(sigma, lam, n_samples):
        """sklearn Lasso alpha of the conditional mode: ``sigma * lambda / N``."""
        return sigma * lam / n_samples


@dataclass(frozen=True)
class LearnedScale(FullBayes):
    r"""A Normal or Laplace prior whose scale is learnt, with the noise sigma unknown too.

    .. math::

        \sigma \sim \text{HalfNormal}(s_\sigma), \qquad
        \tau \sim \text{HalfNormal}(s_\tau), \qquad
        \theta_j = \tau z_j, \quad z_j \sim \text{Normal}(0, 1) \text{ or } \text{Laplace}(0, 1)

    (non-centred: NUTS samples ``z`` and ``tau`` apart, which avoids the funnel of a centred
    hierarchy). ``tau`` is the Normal's sd or the Laplace's scale. Conditionally on
    ``(sigma, tau)`` the mode is sklearn's Ridge at ``alpha = sigma^2 / tau^2`` or Lasso at
    ``alpha = sigma^2 / (N tau)``: the model records that implied alpha as a derived quantity.

    Parameters
    ----------
    family : {"normal", "laplace"}
    noise_scale : float, optional
        ``s_sigma``; default ``sd(y)`` (a weakly informative half-normal on the data's scale).
    prior_scale : float, optional
        ``s_tau``; default ``2.5 sd(y) / mean_j sd(x_j)``: a coefficient moving ``y`` by a few of
        its own sds per sd of ``x_j`` (Bambi's scaling, stated here, never applied silently
        to a comparison with sklearn).
    noise_prior : {"halfnormal", "halfstudentt", "jeffreys"}, default="halfnormal"
        Prior on sigma (:data:`NOISE_PRIORS`): HalfNormal(s_sigma), HalfStudentT(3, s_sigma), or
        the improper ``p(sigma^2) ~ 1/sigma^2`` (``noise_scale`` unused).
    """

    family: str = "normal"
    noise_scale: float | None = None
    prior_scale: float | None = None
    noise_prior: str = "halfnormal"

    kind = "learned_scale"

    def __post_init__(self):
        if self.family not in ("normal", "laplace"):
            raise ValueError(f"family must be 'normal' or 'laplace'; got {self.family!r}.")
        if self.noise_prior not in NOISE_PRIORS:
            raise ValueError(
                f"noise_prior must be one of {NOISE_PRIORS}; got {self.noise_prior!r}."
            )
        for name in ("noise_scale", "prior_scale"):
            if getattr(self, name) is not None:
                object.__setattr__(
                    self, name, check_positive_float(getattr(self, name), name, "LearnedScale")
                )

    def scales(self, X, y) -> tuple[float, float]:
        """``(s_sigma, s_tau)``: the given values or the data-scaled defaults."""
        import numpy as np

        y_sd = float(np.std(y))
        x_sd = float(np.mean(np.std(X, axis=0)))
        noise = self.noise_scale if self.noise_scale is not None else y_sd
        prior = self.prior_scale if self.prior_scale is not None else 2.5 * y_sd / x_sd
        return noise, prior
