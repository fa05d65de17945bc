"""Full-Bayes specifications: priors on the noise and on the prior's own scale (NumPy only).

Park & Casella's Bayesian lasso (2008, JASA 103:681) in their own parametrisation::

    y | c, theta, sigma^2  ~ N(c + X theta, sigma^2 I),   p(c) flat
    theta_j | sigma^2      ~ Laplace(0, sigma / lambda)
                             (density lambda/(2 sigma) exp(-lambda |theta_j| / sigma))
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

import numpy as np

from regprior._validation import check_positive_float
from regprior.spec.conditionals import (
    ScaleConditionals,
    generalized_inverse_gaussian,
    inverse_gamma,
    inverse_gaussian,
)

__all__ = ["FullBayes", "BayesianLasso", "LearnedScale", "NOISE_PRIORS", "FULL_BAYES_KINDS"]

#: Priors on the noise sigma of :class:`LearnedScale`:
#: ``"halfnormal"`` HalfNormal(s_sigma); ``"halfstudentt"`` HalfStudentT(nu=3, s_sigma), heavier
#: tailed; ``"jeffreys"`` p(sigma^2) ~ 1/sigma^2 (improper, flat in log sigma; the posterior is
#: proper for N > 1 with a proper or Gaussian-likelihood-dominated weight prior, as in Park &
#: Casella).
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
    gibbs_reason : str or None
        Why the specification has no Gibbs conditionals (None: :meth:`scale_conditionals`
        gives them, a :class:`~regprior.spec.conditionals.ScaleConditionals`).
    sparse : bool
        A sparse prior (spike near 0, heavy tails: :mod:`regprior.spec.sparse`), which
        ``regprior loo --prior <kind>`` sets beside the seed families.
    """

    kind: ClassVar[str] = "full_bayes"
    likelihood: ClassVar[str] = "gaussian"
    supports_weights: ClassVar[bool] = True
    target_accept: ClassVar[float] = 0.95
    data_fields: ClassVar[dict] = {}
    sparse: ClassVar[bool] = False
    no_mode_reason: ClassVar[str] = (
        "it learns the noise sigma and the prior's scale: the joint posterior mode is not the "
        "conditional mode sklearn computes (and may not exist). Use sample_posterior, or fit_map "
        "with a fixed prior such as Laplace(scale=...) for the conditional mode"
    )
    gibbs_reason: ClassVar[str | None] = (
        "it declares no Gibbs conditionals (a normal scale mixture defines scale_conditionals)"
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

    def gibbs_unavailable(self) -> str | None:
        """Why the Gibbs engine cannot sample this specification; None when it can."""
        if self.gibbs_reason is not None:
            return f"{type(self).__name__}: {self.gibbs_reason}"
        if self.likelihood != "gaussian":
            return f"{type(self).__name__}: the Gibbs engine needs the Gaussian likelihood"
        return None

    def gibbs_conditionals(self, data) -> ScaleConditionals:
        """The conditionals the Gibbs engine draws the scales and noise with; ValueError if none."""
        reason = self.gibbs_unavailable()
        if reason is not None:
            raise ValueError(f"no Gibbs sampler: {reason}.")
        return self.scale_conditionals(data)

    def scale_conditionals(self, data) -> ScaleConditionals:
        """The specification's scale and noise conditionals on ``data`` (a subclass hook)."""
        raise NotImplementedError(f"no Gibbs sampler: {self.gibbs_reason}.")

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
    """Park & Casella's Bayesian lasso: Laplace prior scaled by the noise sigma, Jeffreys noise.

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

    gibbs_reason = None

    def scale_conditionals(self, data) -> ScaleConditionals:
        """Park & Casella's Gibbs sampler (:class:`BayesianLassoScales`)."""
        return BayesianLassoScales(self, data.n_features, weight_sum=data.weight_sum)


@dataclass(frozen=True)
class LearnedScale(FullBayes):
    r"""A Normal or Laplace prior whose scale is learnt, with the noise sigma unknown too.

    By default (``scale_by_column=True``) the prior acts on each weight in units of its own
    column's sd, as Bambi scales each slope by its predictor's sd:

    .. math::

        \sigma \sim \text{HalfNormal}(s_\sigma), \qquad
        \tau \sim \text{HalfNormal}(s_\tau), \qquad
        \theta_j = \tau z_j / \operatorname{sd}(x_j), \quad
        z_j \sim \text{Normal}(0, 1) \text{ or } \text{Laplace}(0, 1)

    so the prior scale of weight ``j`` is ``tau / sd(x_j)``, with the default
    ``s_tau = 2.5 sd(y)``: a per-column default scale ``2.5 sd(y) / sd(x_j)``. Changing a
    column's units rescales its own weight and nothing else. ``tau`` is then the Normal's sd or
    the Laplace's scale of the *standardised* weights ``sd(x_j) theta_j``, and the implied alpha
    the model records, ``sigma^2 / tau^2`` (Ridge) or ``sigma^2 / (N tau)`` (Lasso), is
    sklearn's alpha on the standardised columns ``x_j / sd(x_j)`` (``StandardScaler``).

    With ``scale_by_column=False`` one scale is shared by every weight in its column's own
    units, ``theta_j = tau z_j`` with the default ``s_tau = 2.5 sd(y) / mean_j sd(x_j)``; the
    implied alpha is then sklearn's on the columns as given. This is the form whose implied
    alpha the strength choice (``way="bayes"``) hands to Ridge / Lasso on the raw columns.

    Non-centred in both forms: NUTS samples ``z`` and ``tau`` apart, which avoids the funnel of
    a centred hierarchy. Conditionally on ``(sigma, tau)`` the mode is sklearn's estimator at
    the implied alpha (on the standardised or the raw columns).

    Parameters
    ----------
    family : {"normal", "laplace"}
    noise_scale : float, optional
        ``s_sigma``; default ``sd(y)`` (a weakly informative half-normal on the data's scale).
    prior_scale : float, optional
        ``s_tau``; default ``2.5 sd(y)`` (per column) or ``2.5 sd(y) / mean_j sd(x_j)``
        (shared): a coefficient moving ``y`` by a few of its own sds per sd of ``x_j``. These
        data-scaled defaults are stated here and never applied silently to a comparison with
        sklearn.
    noise_prior : {"halfnormal", "halfstudentt", "jeffreys"}, default="halfnormal"
        Prior on sigma (:data:`NOISE_PRIORS`): HalfNormal(s_sigma), HalfStudentT(3, s_sigma), or
        the improper ``p(sigma^2) ~ 1/sigma^2`` (``noise_scale`` unused).
    scale_by_column : bool, default=True
        Each weight's prior scale divided by its column's sd (above), or one shared scale.
    """

    family: str = "normal"
    noise_scale: float | None = None
    prior_scale: float | None = None
    noise_prior: str = "halfnormal"
    scale_by_column: bool = True

    kind = "learned_scale"

    def __post_init__(self):
        if self.family not in ("normal", "laplace"):
            raise ValueError(f"family must be 'normal' or 'laplace'; got {self.family!r}.")
        if self.noise_prior not in NOISE_PRIORS:
            raise ValueError(
                f"noise_prior must be one of {NOISE_PRIORS}; got {self.noise_prior!r}."
            )
        if not isinstance(self.scale_by_column, bool):
            raise ValueError(
                f"scale_by_column must be True or False; got {self.scale_by_column!r}."
            )
        for name in ("noise_scale", "prior_scale"):
            if getattr(self, name) is not None:
                object.__setattr__(
                    self, name, check_positive_float(getattr(self, name), name, "LearnedScale")
                )

    def scales(self, X, y) -> tuple[float, float]:
        """``(s_sigma, s_tau)``: the given values or the data-scaled defaults."""
        y_sd = float(np.std(y))
        noise = self.noise_scale if self.noise_scale is not None else y_sd
        if self.prior_scale is not None:
            return noise, self.prior_scale
        if self.scale_by_column:
            return noise, 2.5 * y_sd
        return noise, 2.5 * y_sd / float(np.mean(np.std(X, axis=0)))

    def column_scales(self, X):
        """Per weight, ``c_j = 1 / sd(x_j)`` (``scale_by_column``) or 1: ``theta_j = tau z_j c_j``.

        Raises
        ------
        ValueError
            A constant column has no sd to scale its weight by.
        """
        import numpy as np

        X = np.asarray(X, dtype=float)
        if not self.scale_by_column:
            return np.ones(X.shape[1])
        sd = np.std(X, axis=0)
        constant = np.flatnonzero(sd == 0.0)
        if constant.size:
            raise ValueError(
                f"LearnedScale scales each weight by its column's sd, and column(s) "
                f"{constant.tolist()} are constant: drop them, or pass scale_by_column=False."
            )
        return 1.0 / sd

    gibbs_reason = None

    def scale_conditionals(self, data) -> ScaleConditionals:
        """Conditionally conjugate under every noise prior (:class:`LearnedScaleConditionals`).

        With ``scale_by_column`` the prior is on ``theta_j / c_j`` (:meth:`column_scales`): the
        engine samples it against the columns ``c_j x_j``.
        """
        noise_scale, prior_scale = self.scales(data.X, data.y)
        return LearnedScaleConditionals(
            self,
            data.n_features,
            noise_scale=noise_scale,
            prior_scale=prior_scale,
            column_scales=self.column_scales(data.X) if self.scale_by_column else None,
        )


class BayesianLassoScales(ScaleConditionals):
    r"""Park & Casella's conditionals (docs/specification.md, "Gibbs conditionals").

    Noise-scaled: ``theta_j ~ N(0, sigma^2 d_j)`` with ``d_j = tau_j^2 ~ Exp(rate lambda^2 / 2)``
    (the Laplace of scale ``sigma / lambda`` as a normal scale mixture), and

    .. math::

        \frac1{d_j}\Big|\cdot \sim \mathrm{InverseGaussian}\Big(\sqrt{\lambda^2\sigma^2/
        \theta_j^2},\ \lambda^2\Big), \qquad
        \lambda^2 \mid d \sim \mathrm{Gamma}\Big(p + r,\ \text{rate } \sum_j d_j / 2 + \delta\Big)

    when ``lambda`` is learnt; ``sigma^2`` under the Jeffreys prior (the default :meth:`noise`).
    """

    noise_scaled = True

    def __init__(self, spec: BayesianLasso, n_features: int, *, weight_sum: float):
        super().__init__(n_features)
        self.spec = spec
        self.weight_sum = float(weight_sum)

    @property
    def global_key(self):
        """``g = 1 / lambda^2`` multiplies the prior variances when lambda is learnt."""
        return "g" if self.spec.learns_lambda else None

    def start(self, streams, noise_guess):
        p, spec = self.n_features, self.spec
        if spec.learns_lambda:
            lambda2 = streams.gamma(spec.gamma_shape, 1)[:, 0] / spec.gamma_rate
        else:
            lambda2 = np.full(len(streams), spec.lam**2)
        return {"d": 2.0 * streams.exponential(p) / lambda2[:, None], "g": 1.0 / lambda2}

    def update(self, gamma, sigma2, state, streams, *, global_drawn=False):
        lambda2 = 1.0 / state["g"][:, None]
        mean = np.sqrt(lambda2 * sigma2[:, None]) / np.abs(gamma)
        state["d"] = inverse_gaussian(mean, lambda2, streams, reciprocal=True)
        if self.spec.learns_lambda and not global_drawn:
            shape = self.n_features + self.spec.gamma_shape
            rate = 0.5 * state["d"].sum(axis=1) + self.spec.gamma_rate
            state["g"] = rate / streams.gamma(shape, 1)[:, 0]

    def log_local_prior(self, e):
        """``e = d / g ~ Exp(rate 1/2)`` (``lambda`` learnt; ``e = d ~ Exp(rate lambda^2 / 2)``
        otherwise): the density of ``log e`` is ``e exp(-rate e)``."""
        rate = 0.5 if self.spec.learns_lambda else 0.5 * self.spec.lam**2
        return np.log(e) - rate * e

    def log_global_prior(self, g):
        """``lambda^2 = 1/g ~ Gamma(r, delta)``: density of ``log g`` ``g^-r exp(-delta / g)``."""
        return -self.spec.gamma_shape * np.log(g) - self.spec.gamma_rate / g

    def record(self, sigma2, state, weight_sum):
        lam = 1.0 / np.sqrt(state["g"])
        out = {"sigma2": sigma2}
        if self.spec.learns_lambda:
            out["lambda"] = lam
        out["sklearn_alpha"] = self.spec.lasso_alpha(np.sqrt(sigma2), lam, weight_sum)
        return out


class NoisePriorConditionals(ScaleConditionals):
    r"""Conditionals of a noise sigma under one of :data:`NOISE_PRIORS` (scale ``s_sigma``).

    The noise enters through ``sigma^{-dof} exp(-Q / (2 sigma^2))``, with ``Q`` the residual sum
    of squares (a prior not scaled by the noise) or ``y'(I + X D X')^{-1} y`` (a noise-scaled
    prior, the weights integrated out). Jeffreys ``p(sigma^2) ~ 1/sigma^2``:
    ``InvGamma(dof/2, Q/2)``; half-normal ``GIG(1/2 - dof/2, 1/s_sigma^2, Q)`` in ``sigma^2``;
    half-Student-t(nu, s_sigma) as the mixture ``sigma^2 | a ~ InvGamma(nu/2, nu/a)``,
    ``a ~ InvGamma(1/2, 1/s_sigma^2)`` (Wand et al. 2011), so ``sigma^2 | a ~
    InvGamma((dof + nu)/2, Q/2 + nu/a)`` and ``a | sigma^2 ~ InvGamma((nu + 1)/2, nu/sigma^2 +
    1/s_sigma^2)`` (``state["aux"]``, set by :meth:`noise_state`).
    """

    def __init__(self, n_features, *, noise_prior: str, noise_scale: float, **kwargs):
        super().__init__(n_features, **kwargs)
        self.noise_prior = noise_prior
        self.noise_scale = float(noise_scale)

    @property
    def jeffreys_noise(self):
        return self.noise_prior == "jeffreys"

    def noise_state(self, streams) -> dict:
        """The half-Student-t's auxiliary variable, started at ``s_sigma^2``."""
        return {"aux": np.full(len(streams), self.noise_scale**2)}

    def log_noise_prior(self, sigma2):
        """Density of ``log sigma^2`` under the noise prior (``sigma`` times that of ``sigma``)."""
        s2 = self.noise_scale**2
        if self.noise_prior == "halfnormal":
            return 0.5 * np.log(sigma2) - 0.5 * sigma2 / s2
        if self.noise_prior == "halfstudentt":
            nu = HALF_STUDENT_T_NU
            return 0.5 * np.log(sigma2) - 0.5 * (nu + 1.0) * np.log1p(sigma2 / (nu * s2))
        return super().log_noise_prior(sigma2)

    def noise(self, quadratic, dof, state, streams):
        quadratic = np.asarray(quadratic, float)
        s2 = self.noise_scale**2
        if self.noise_prior == "halfnormal":
            return generalized_inverse_gaussian(0.5 - 0.5 * dof, 1.0 / s2, quadratic, streams)
        if self.noise_prior == "halfstudentt":
            nu = HALF_STUDENT_T_NU
            rate = 0.5 * quadratic + nu / state["aux"]
            sigma2 = inverse_gamma(0.5 * (dof + nu), rate[:, None], streams)[:, 0]
            aux_rate = nu / sigma2 + 1.0 / s2
            state["aux"] = inverse_gamma(0.5 * (nu + 1.0), aux_rate[:, None], streams)[:, 0]
            return sigma2
        return super().noise(quadratic, dof, state, streams)


class LearnedScaleConditionals(NoisePriorConditionals):
    r"""The conditionals of :class:`LearnedScale`: all draws exact, no slice or Metropolis step.

    The half-normal on ``tau`` is conjugate for ``t = tau^2`` in the generalized inverse
    Gaussian family (``GIG(lam, a, b)``, density ``t^(lam - 1) exp(-(a t + b / t) / 2)``):

    * Normal: ``theta_j ~ N(0, t)``, so ``t | theta ~ GIG(1/2 - p/2, 1/s_tau^2, sum theta_j^2)``;
    * Laplace of scale ``tau``: ``theta_j ~ N(0, d_j)``, ``d_j ~ Exp(rate 1 / (2 t))``, so
      ``1/d_j | theta_j ~ InverseGaussian(1 / (tau |theta_j|), 1 / t)`` and
      ``t | d ~ GIG(1/2 - p, 1/s_tau^2, sum d_j)``.

    The noise under every noise prior: ``NoisePriorConditionals``, with ``Q`` the residual
    sum of squares. The prior variance is not scaled by the noise.
    """

    noise_scaled = False
    global_key = "tau2"

    def __init__(
        self, spec: LearnedScale, n_features, *, noise_scale, prior_scale, column_scales=None
    ):
        super().__init__(
            n_features,
            noise_prior=spec.noise_prior,
            noise_scale=noise_scale,
            column_scales=column_scales,
        )
        self.spec = spec
        self.prior_scale = float(prior_scale)

    def start(self, streams, noise_guess):
        p = self.n_features
        # Overdispersed: tau from its half-normal prior, sigma^2 within a factor ~3 of var(y).
        tau2 = (self.prior_scale * streams.normal(1)[:, 0]) ** 2
        tau2 = np.maximum(tau2, 1e-4 * self.prior_scale**2)
        state = {
            "tau2": tau2,
            "sigma2": noise_guess * np.exp(2.0 * streams.uniform(1)[:, 0] - 1.0),
            **self.noise_state(streams),
        }
        if self.spec.family == "normal":
            state["d"] = np.tile(tau2[:, None], (1, p))
        else:
            state["d"] = 2.0 * tau2[:, None] * streams.exponential(p)
        return state

    def update(self, gamma, sigma2, state, streams, *, global_drawn=False):
        p, a = self.n_features, 1.0 / self.prior_scale**2
        tau2 = state["tau2"]
        if self.spec.family == "normal":
            if not global_drawn:
                total = np.sum(gamma**2, axis=1)
                tau2 = generalized_inverse_gaussian(0.5 - 0.5 * p, a, total, streams)
            state["d"] = np.tile(tau2[:, None], (1, p))
        else:
            mean = 1.0 / (np.sqrt(tau2)[:, None] * np.abs(gamma))
            state["d"] = inverse_gaussian(mean, 1.0 / tau2[:, None], streams, reciprocal=True)
            if not global_drawn:
                tau2 = generalized_inverse_gaussian(0.5 - p, a, state["d"].sum(axis=1), streams)
        state["tau2"] = tau2

    @property
    def log_local_prior(self):
        """Laplace: ``e = d / tau^2 ~ Exp(rate 1/2)``, the density of ``log e`` ``e exp(-e / 2)``;
        Normal: no local scale (None)."""
        if self.spec.family == "normal":
            return None
        return lambda e: np.log(e) - 0.5 * e

    def log_global_prior(self, g):
        """``tau ~ HalfNormal(s_tau)``: density of ``log tau^2`` ``tau exp(-tau^2 / (2 s^2))``."""
        return 0.5 * np.log(g) - 0.5 * g / self.prior_scale**2

    def record(self, sigma2, state, weight_sum):
        tau2 = state["tau2"]
        if self.spec.family == "normal":
            alpha = sigma2 / tau2
        else:
            alpha = sigma2 / (weight_sum * np.sqrt(tau2))
        return {"sigma": np.sqrt(sigma2), "tau": np.sqrt(tau2), "sklearn_alpha": alpha}
