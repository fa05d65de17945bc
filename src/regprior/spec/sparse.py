r"""Sparse priors on the weights: the horseshoe family, R2-D2 and the GDP, full Bayes (NumPy only).

Each is a normal scale mixture, ``theta_j | scales, sigma ~ N(0, v_j)``, whose prior variances
``v_j`` are functions of global and local scales with priors of their own
(``docs/specification.md``, "Sparse priors"). None has a scikit-learn twin (the generalized
double Pareto's at a known sigma is skglm's), and the horseshoe family has no posterior mode
(the marginal prior density is infinite at 0).

Besides the specifications this module holds what the samplers and summaries need in NumPy:
the shrinkage factors ``kappa_j = 1 / (1 + n s_j^2 v_j / sigma^2)`` and ``m_eff``, their prior
by simulation, and the exact draw of the weights given the scales (``docs/specification.md``,
"Integrating the weights out" and "Gibbs conditionals": Rue 2001 for p <= n, Bhattacharya,
Chakraborty & Mallick 2016 for p > n).
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np

from regprior._validation import (
    check_open_unit_interval,
    check_positive_float,
    check_representable_scale,
)
from regprior.spec.conditionals import (
    generalized_inverse_gaussian_array,
    inverse_gamma,
    inverse_gaussian,
    slice_step,
)
from regprior.spec.hierarchical import NOISE_PRIORS, FullBayes, NoisePriorConditionals

__all__ = [
    "ScaleMixture",
    "Horseshoe",
    "HorseshoeScales",
    "RegularizedHorseshoe",
    "RegularizedHorseshoeScales",
    "R2D2",
    "R2D2Scales",
    "BayesianGDP",
    "BayesianGDPScales",
    "piironen_vehtari_tau0",
    "shrinkage_factors",
    "horseshoe_local_draw",
    "regularized_local_draw",
    "draw_gaussian_weights",
]

#: Why the horseshoe family has no posterior mode (``fit_map`` says so).
HORSESHOE_NO_MODE = (
    "the horseshoe's marginal prior density of each weight is infinite at 0, so the posterior "
    "density has no maximum to compute (Carvalho, Polson & Scott 2010). Use sample_posterior"
)


def piironen_vehtari_tau0(p0: float, n_features: int, n_samples: float) -> float:
    r"""Piironen & Vehtari's (2017, sec. 3.3) global scale for a prior guess ``p0`` of non-zeros.

    .. math:: \tau_0 = \frac{p_0}{p - p_0}\,\frac{1}{\sqrt n}

    in the noise-scaled form (multiply by sigma for weights on the data's scale): it sets the
    prior mean of ``m_eff`` near ``p0`` for standardised columns.
    """
    if not 0 < p0 < n_features:
        raise ValueError(
            f"p0 must be in (0, n_features) = (0, {n_features}) for the global-scale rule; "
            f"got {p0!r}."
        )
    return p0 / (n_features - p0) / np.sqrt(n_samples)


def _check_p0(value, owner):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not value > 0:
        raise ValueError(
            f"The 'p0' parameter of {owner} must be a float in the range (0, n_features). "
            f"Got {value!r} instead."
        )
    return float(value)


def _check_noise(spec, owner):
    if spec.noise_prior not in NOISE_PRIORS:
        raise ValueError(
            f"The 'noise_prior' parameter of {owner} must be one of {NOISE_PRIORS}. "
            f"Got {spec.noise_prior!r} instead."
        )
    if spec.noise_scale is not None:
        object.__setattr__(
            spec, "noise_scale", check_positive_float(spec.noise_scale, "noise_scale", owner)
        )
    if not isinstance(spec.scale_columns, bool):
        raise TypeError(
            f"The 'scale_columns' parameter of {owner} must be a bool. "
            f"Got {spec.scale_columns!r} instead."
        )


class ScaleMixture(FullBayes):
    """A full-Bayes normal scale mixture: ``theta_j | scales, sigma ~ N(0, v_j)``, Gaussian noise.

    The backend samples such a model with the weights integrated out (a Gaussian marginal
    likelihood of the scales and sigma) and then draws the weights exactly given each draw
    (``docs/specification.md``, "Integrating the weights out"): the funnel between the weights
    and their scales, which makes a directly non-centred horseshoe diverge, is gone.

    Attributes every subclass has: ``noise_prior`` (:data:`NOISE_PRIORS`), ``noise_scale``
    (``s_sigma`` of the half-normal or half-Student-t noise priors; default ``sd(y)``) and
    ``scale_columns`` (put the prior on ``s_j theta_j`` instead of ``theta_j``).
    """

    #: With the weights integrated out there is no funnel to resolve by smaller steps: nutpie's
    #: default 0.8 gave 0 divergences on diabetes and on a 60 x 120 horseshoe with p0 = 5, where
    #: the directly non-centred model had 413 of 4000 at 0.8 and 24 at 0.99
    #: (benchmarks/results/sparse_parametrisations.md).
    target_accept = 0.8
    sparse = True

    def noise_scale_for(self, y) -> float:
        """``s_sigma``: the given value or ``sd(y)`` (unused by the Jeffreys prior)."""
        return self.noise_scale if self.noise_scale is not None else float(np.std(y))

    def column_scales(self, X) -> np.ndarray:
        """``s_j``, the (unweighted) standard deviations of the columns, 1 for a constant one."""
        sd = np.std(np.asarray(X, dtype=float), axis=0)
        return np.where(sd > 0, sd, 1.0)

    def conditionals_settings(self, data) -> dict:
        """What every sparse prior's Gibbs conditionals take from the data: the noise prior and
        its scale, and ``c_j = 1 / s_j`` with ``scale_columns`` (the engine then samples the
        prior on ``s_j theta_j`` against the columns ``x_j / s_j``), else None."""
        return {
            "noise_prior": self.noise_prior,
            "noise_scale": self.noise_scale_for(data.y),
            "column_scales": 1.0 / self.column_scales(data.X) if self.scale_columns else None,
        }

    def variance_divisor(self, X) -> np.ndarray:
        """What the prior variances are divided by: ``s_j^2`` for a prior on ``s_j theta_j``."""
        p = np.shape(X)[1]
        return self.column_scales(X) ** 2 if self.scale_columns else np.ones(p)

    def prior_scale_draws(
        self, rng, size: int, n_samples: float, n_features: int, *, X=None, y=None
    ) -> dict:
        """Draws of the scales from the prior (for the prior ``m_eff``); see subclasses."""
        raise NotImplementedError

    def relative_variances(self, draws: dict, sigma) -> np.ndarray:
        """``v_j / sigma^2`` per draw (rows) and weight (columns) of :meth:`prior_scale_draws`."""
        raise NotImplementedError

    def prior_m_eff(
        self, X, *, y=None, sigma=None, draws: int = 4000, random_seed: int = 0
    ) -> np.ndarray:
        """Draws of ``m_eff = sum_j (1 - kappa_j)`` under the prior, by simulation.

        ``sigma`` (and ``y`` for a data-scaled slab) are needed only where the prior's variances
        are not proportional to sigma^2 (the regularized horseshoe's slab is on the weights'
        scale); pass the posterior's sigma. The columns' ``s_j`` are unweighted.
        """
        X = np.asarray(X, dtype=float)
        n, p = X.shape
        rng = np.random.default_rng(random_seed)
        scales = self.prior_scale_draws(rng, draws, n, p, X=X, y=y)
        relative = self.relative_variances(scales, 1.0 if sigma is None else sigma)
        relative = relative / self.variance_divisor(X)
        kappa = shrinkage_factors(relative, n, self.column_scales(X))
        return np.sum(1.0 - kappa, axis=-1)


@dataclass(frozen=True)
class Horseshoe(ScaleMixture):
    r"""The horseshoe prior (Carvalho, Polson & Scott 2010), scaled by the noise.

    .. math::

        \theta_j \mid \lambda_j, \tau, \sigma \sim \mathcal N(0, \sigma^2\tau^2\lambda_j^2),
        \qquad \lambda_j \sim \mathrm C^+(0, 1), \qquad \tau \sim \mathrm C^+(0, \tau_0),
        \qquad p(\sigma^2) \propto 1/\sigma^2

    as Piironen & Vehtari (2017) write it (``docs/specification.md``, "Horseshoe"). The
    marginal density of each weight is infinite at 0: there is no posterior mode, and
    ``fit_map`` refuses it. Shrinkage factors
    ``kappa_j = 1 / (1 + n s_j^2 tau^2 lambda_j^2)`` (sigma cancels), ``m_eff = sum (1 - kappa_j)``.

    Parameters
    ----------
    p0 : float, optional
        Prior guess of the number of relevant features. When given, ``tau0`` is Piironen &
        Vehtari's ``p0 / (p - p0) / sqrt(n)`` (the prior mean of ``m_eff`` is then near ``p0``
        for standardised columns).
    tau0 : float, default=1.0
        Scale of the half-Cauchy on ``tau`` when ``p0`` is not given: 1 is Carvalho et al.'s
        choice, the half-Cauchy's heavy tail letting the data set the global scale. On p > n
        data it puts most prior mass on little shrinkage (prior ``m_eff`` near ``p``) and the
        posterior keeps a tail towards interpolating fits (large ``tau``, small sigma) that
        NUTS explores slowly (60 x 120: bulk ESS of ``tau`` 96 of 4000 draws, r_hat 1.049;
        more tuning and ``target_accept`` 0.9 or 0.99 did not help,
        ``benchmarks/results/sparse_priors.md``). The Gibbs engine, this specification's
        default (``default_engine``), meets r_hat <= 1.01 and bulk ESS >= 400 there
        (``benchmarks/results/horseshoe_gibbs.md``); ``p0`` (Piironen & Vehtari 2017) is the
        better prior where a guess exists.
    noise_prior : {"jeffreys", "halfnormal", "halfstudentt"}, default="jeffreys"
        ``p(sigma^2) ~ 1/sigma^2``, the prior of Carvalho et al. and of the Gibbs sampler of
        Makalic & Schmidt (2016): with noise-scaled weights it makes the posterior invariant to
        the scale of ``y``. The half-normal and half-Student-t(3) of ``LearnedScale`` take
        ``noise_scale`` (default ``sd(y)``).
    noise_scale : float, optional
    scale_columns : bool, default=False
        False: the prior is on the weights as given, like the Lasso's (a column's units change
        what it means). True: on ``s_j theta_j``, the weights of standardised columns
        (prior variance divided by ``s_j^2``).
    """

    p0: float | None = None
    tau0: float = 1.0
    noise_prior: str = "jeffreys"
    noise_scale: float | None = None
    scale_columns: bool = False

    kind = "horseshoe"
    no_mode_reason = HORSESHOE_NO_MODE
    #: Sampled by Gibbs unless an engine is named (``regprior.inference.engines.default_engine``):
    #: on the 60 x 120 set at tau0 = 1, NUTS gave r_hat 1.049 and a bulk ESS
    #: of tau of 96 (1.038 / 122 with 2000 tuning steps at target_accept 0.9), the Gibbs
    #: engine r_hat <= 1.0098 and ESS >= 476 in ~9 s (two seeds).
    default_engine = "auto"

    def __post_init__(self):
        owner = type(self).__name__
        object.__setattr__(self, "p0", _check_p0(self.p0, owner))
        object.__setattr__(self, "tau0", check_positive_float(self.tau0, "tau0", owner))
        _check_noise(self, owner)

    def global_scale(self, n_samples: float, n_features: int) -> float:
        """``tau0``: Piironen & Vehtari's rule from ``p0`` when given, else the ``tau0`` given."""
        if self.p0 is None:
            return self.tau0
        return piironen_vehtari_tau0(self.p0, n_features, n_samples)

    def prior_scale_draws(self, rng, size, n_samples, n_features, *, X=None, y=None):
        tau0 = self.global_scale(n_samples, n_features)
        return {
            "tau": tau0 * np.abs(rng.standard_cauchy(size)),
            "lambda_local": np.abs(rng.standard_cauchy((size, n_features))),
        }

    def relative_variances(self, draws, sigma):
        return (draws["tau"][:, None] * draws["lambda_local"]) ** 2

    gibbs_reason = None

    def scale_conditionals(self, data) -> HorseshoeScales:
        """Makalic & Schmidt's conditionals (``HorseshoeScales``), ``tau0`` from ``data``.

        ``tau0`` follows :meth:`global_scale` with ``n = sum w`` (as the PyMC model); with
        ``scale_columns`` the prior is on ``s_j theta_j``: the engine samples it against the
        columns ``x_j / s_j``.
        """
        return HorseshoeScales(
            data.n_features,
            tau0=self.global_scale(data.weight_sum, data.n_features),
            **self.conditionals_settings(data),
        )


class HorseshoeScales(NoisePriorConditionals):
    r"""The horseshoe's Gibbs conditionals (Makalic & Schmidt 2016, IEEE SPL 23:179).

    Noise-scaled, ``theta_j ~ N(0, sigma^2 d_j)`` with ``d_j = tau^2 lambda_j^2``. The
    half-Cauchy scales are inverse-gamma mixtures, ``lambda_j^2 | nu_j ~ InvGamma(1/2, 1/nu_j)``,
    ``nu_j ~ InvGamma(1/2, 1)`` (so ``lambda_j ~ C+(0, 1)``), and likewise ``tau^2 | xi ~
    InvGamma(1/2, 1/xi)``, ``xi ~ InvGamma(1/2, 1/tau0^2)`` (``tau ~ C+(0, tau0)``), which makes
    every conditional an inverse gamma (``docs/specification.md``, "Gibbs conditionals"):

    .. math::

        \lambda_j^2 \mid \cdot &\sim \mathrm{InvGamma}\Big(1, \frac1{\nu_j}
            + \frac{\theta_j^2}{2\tau^2\sigma^2}\Big), \qquad
        \nu_j \mid \cdot \sim \mathrm{InvGamma}\Big(1, 1 + \frac1{\lambda_j^2}\Big),\\
        \tau^2 \mid \cdot &\sim \mathrm{InvGamma}\Big(\frac{p + 1}2, \frac1\xi
            + \sum_j \frac{\theta_j^2}{2\sigma^2\lambda_j^2}\Big), \qquad
        \xi \mid \cdot \sim \mathrm{InvGamma}\Big(1, \frac1{\tau_0^2} + \frac1{\tau^2}\Big).

    The engine draws ``tau^2`` (its :attr:`global_key`) partially collapsed instead, by a slice
    step on ``log tau^2`` with the weights (and, under Jeffreys' prior, ``sigma^2``) integrated
    out, times :meth:`log_global_prior`; :meth:`update` then redraws ``lambda^2`` only
    (``global_drawn``), with ``nu`` integrated out (:func:`horseshoe_local_draw`: exact, and
    faster mixing than the ``(lambda^2, nu)`` pair). The noise under every noise prior of
    :class:`~regprior.spec.hierarchical.NoisePriorConditionals`. Draws of ``lambda_j^2`` are
    kept within ``[1e-100, 1e100]`` (:attr:`LOCAL_BOUNDS`) so that ``1 / d_j`` stays finite: a
    weight's local scale reaches neither bound with any probability that matters (its log has
    exponential tails under the half-Cauchy).

    Parameters
    ----------
    n_features : int
    tau0 : float
        Scale of the half-Cauchy on ``tau``.
    noise_prior, noise_scale
        As :class:`~regprior.spec.hierarchical.NoisePriorConditionals`.
    column_scales : ndarray, optional
        ``c_j``: the prior is on ``theta_j / c_j`` (``c_j = 1 / s_j`` for ``scale_columns``).
    """

    noise_scaled = True
    global_key = "tau2"
    #: The engine records the shrinkage factors ``kappa_j`` and ``m_eff`` of every draw.
    reports_shrinkage = True
    #: Four sweeps per kept draw: on the 60 x 120 set of ``benchmarks/sparse_priors.py`` (4 x
    #: 1000 draws after 1000 sweeps, seeds 0 and 1) one sweep a draw gave r_hat 1.04 / 1.01 and
    #: a bulk ESS of tau of 101 / 227 at tau0 = 1 (390 / 404 with p0 = 5); four gave r_hat
    #: 1.010 / 1.005 and 598 / 476 (1441 / 1206 with p0 = 5), in 8 s. A sweep is cheap where the
    #: posterior is hard, and NUTS fails there (``benchmarks/results/sparse_priors.md``).
    sweeps_per_draw = 4
    LOCAL_BOUNDS = (1e-100, 1e100)

    def __init__(self, n_features, *, tau0, noise_prior="jeffreys", noise_scale=1.0, **kwargs):
        super().__init__(n_features, noise_prior=noise_prior, noise_scale=noise_scale, **kwargs)
        self.tau0 = float(tau0)

    def start(self, streams, noise_guess):
        """Overdispersed: ``tau``, ``lambda_j`` from their half-Cauchy priors (``tau`` within
        ``10^(+-3) tau0``), ``xi`` from its conditional."""
        p = self.n_features
        tau = self.tau0 * np.abs(np.tan(0.5 * np.pi * streams.uniform(1)[:, 0]))
        tau2 = np.clip(tau, 1e-3 * self.tau0, 1e3 * self.tau0) ** 2
        lambda2 = np.tan(0.5 * np.pi * streams.uniform(p)) ** 2
        lambda2 = np.clip(lambda2, *self.LOCAL_BOUNDS)
        state = {
            "tau2": tau2,
            "lambda2": lambda2,
            "xi": inverse_gamma(1.0, (1.0 / self.tau0**2 + 1.0 / tau2)[:, None], streams)[:, 0],
            "d": tau2[:, None] * lambda2,
            **self.noise_state(streams),
        }
        return state

    def update(self, gamma, sigma2, state, streams, *, global_drawn=False):
        """``lambda^2`` given the weights (:func:`horseshoe_local_draw`, ``nu`` integrated out)
        and, unless ``global_drawn``, ``tau^2`` and ``xi`` as Makalic & Schmidt; then
        :meth:`rescale` along the direction that keeps every ``d_j``."""
        spread = np.maximum(2.0 * state["tau2"] * sigma2, np.finfo(float).tiny)[:, None]
        lambda2 = horseshoe_local_draw(gamma**2 / spread, streams)
        state["lambda2"] = np.clip(lambda2, *self.LOCAL_BOUNDS)
        if not global_drawn:
            self.draw_global(gamma, sigma2, state, streams)
        self.rescale(state, streams)

    def rescale(self, state, streams) -> None:
        r"""A slice step on ``t`` along ``(log tau^2 + t, log lambda_j^2 - t)``.

        The move keeps every ``d_j = tau^2 lambda_j^2``, so the likelihood and the weights'
        density are unchanged and the target along the line is the prior alone, with ``nu``
        integrated out (half-Cauchy ``lambda_j``; the density of ``log lambda_j^2`` is
        ``lambda_j / (1 + lambda_j^2)``) and the translation's Jacobian 1:

        .. math::

            \log p(t) = \log p_{\log\tau^2}(\tau^2 e^t)
                + \sum_j \Big[\tfrac12(\ell_j - t) - \log\big(1 + e^{\ell_j - t}\big)\Big],
            \qquad \ell_j = \log\lambda_j^2.

        ``tau`` and the local scales' common level are confounded in the weights' prior
        variances, and the other steps move along this direction slowly: on diabetes (``tau0 =
        1``, 4 x 1000 sweeps after 1000, seeds 0 and 1) the bulk ESS of ``tau`` is 488 and 636
        without this step, 2118 and 1913 with it; on the 60 x 120 set the difference is within
        the ESS's own noise.
        """
        log_tau2 = np.log(state["tau2"])
        log_local = np.log(state["lambda2"])

        def target(t):
            shifted = log_local - t[:, None]
            local = np.sum(0.5 * shifted - np.logaddexp(0.0, shifted), axis=1)
            return self.log_global_prior(np.exp(log_tau2 + t)) + local

        # Along the line each log lambda_j^2 contributes Fisher information 1/8 (its score
        # 1/2 - lambda^2 / (1 + lambda^2) is 1/2 minus a Beta(1/2, 1/2) variable): the target's
        # sd is ~sqrt(8 / p), the slice's initial width three of them (at most 1).
        width = min(1.0, 3.0 * np.sqrt(8.0 / self.n_features))
        shift = slice_step(target, np.zeros(len(log_tau2)), streams, width=width)
        lambda2 = np.clip(np.exp(log_local - shift[:, None]), *self.LOCAL_BOUNDS)
        state["tau2"] = np.exp(log_tau2 + shift)
        state["lambda2"] = lambda2
        state["d"] = state["tau2"][:, None] * lambda2

    def draw_global(self, gamma, sigma2, state, streams) -> None:
        """Makalic & Schmidt's ``tau^2 | xi, lambda, theta`` and ``xi | tau^2`` (uncollapsed)."""
        p = self.n_features
        rate = 1.0 / state["xi"] + np.sum(gamma**2 / state["lambda2"], axis=1) / (2.0 * sigma2)
        state["tau2"] = inverse_gamma(0.5 * (p + 1), rate[:, None], streams)[:, 0]
        rate = 1.0 / self.tau0**2 + 1.0 / state["tau2"]
        state["xi"] = inverse_gamma(1.0, rate[:, None], streams)[:, 0]

    def log_local_prior(self, e):
        """``lambda ~ C+(0, 1)`` (``nu`` integrated out): the density of ``log lambda^2`` is
        ``lambda / (1 + lambda^2)``."""
        return 0.5 * np.log(e) - np.log1p(e)

    def log_global_prior(self, g):
        """``tau ~ C+(0, tau0)``: the density of ``log tau^2`` is ``tau / (1 + tau^2 / tau0^2)``.

        (The half-Cauchy's ``1 / (1 + tau^2 / tau0^2)`` times the Jacobian ``d tau / d log
        tau^2 = tau / 2``.)
        """
        g = np.asarray(g, float)
        return 0.5 * np.log(g) - np.log1p(g / self.tau0**2)

    def record(self, sigma2, state, weight_sum):
        """``sigma``, ``tau`` and ``lambda_local`` (per weight), the NUTS model's names."""
        return {
            "sigma": np.sqrt(sigma2),
            "tau": np.sqrt(state["tau2"]),
            "lambda_local": np.sqrt(state["lambda2"]),
        }


@dataclass(frozen=True)
class RegularizedHorseshoe(ScaleMixture):
    r"""The regularized horseshoe (Piironen & Vehtari 2017, eq. 2.8): a horseshoe with a slab.

    .. math::

        \theta_j \sim \mathcal N(0, \tau^2\tilde\lambda_j^2),\quad
        \tilde\lambda_j^2 = \frac{\psi^2\lambda_j^2}{\psi^2 + \tau^2\lambda_j^2},\quad
        \lambda_j \sim \mathrm C^+(0,1),\quad \tau \sim \mathrm C^+(0, \tau_0\sigma),\quad
        \psi^2 \sim \mathrm{InvGamma}\!\left(\tfrac\nu2, \tfrac{\nu s_{\mathrm{slab}}^2}{2}\right)

    (``docs/specification.md``, "Regularized horseshoe"; Piironen & Vehtari's ``c`` is
    ``psi``). Small weights are shrunk as by the horseshoe; large ones are regularised as by a
    Student-``t_nu(0, s_slab)``, which keeps them finite when the data are separable or
    uninformative. No posterior mode (the density is infinite at 0). Sampled as
    ``tau = sigma tau_unit``, ``tau_unit ~ C+(0, tau0)``: by the Gibbs engine unless an engine
    is named (``default_engine``; ``RegularizedHorseshoeScales``), or by NUTS with the
    weights integrated out (``engine="nuts"``). At ``tau0 = 1`` on the 60 x 120 set of
    ``benchmarks/sparse_priors.py`` NUTS falls short of a bulk ESS of 400 (379 of 4000 draws),
    where the Gibbs engine meets r_hat <= 1.01 and ESS >= 400 in less time.

    Parameters
    ----------
    p0, tau0 : as for :class:`Horseshoe` (``tau0`` multiplies sigma here).
    slab_df : float, default=4.0
        ``nu``: brms's default; 4 degrees of freedom give the slab a finite variance and tails
        heavier than a Normal's.
    slab_scale : float, optional
        ``s_slab`` in the weights' units. Default ``2.5 sd(y) / mean_j s_j``
        (``2.5 sd(y)`` with ``scale_columns``): brms's 2 presumes standardised data; this is
        the scale of ``LearnedScale``, a weight moving ``y`` by a few of its sds per sd of the
        column (data-scaled: never applied silently to a comparison with sklearn).
    noise_prior, noise_scale, scale_columns : as for :class:`Horseshoe`.
    """

    p0: float | None = None
    tau0: float = 1.0
    slab_df: float = 4.0
    slab_scale: float | None = None
    noise_prior: str = "jeffreys"
    noise_scale: float | None = None
    scale_columns: bool = False

    kind = "regularized_horseshoe"
    no_mode_reason = HORSESHOE_NO_MODE
    #: Sampled by Gibbs unless an engine is named (``regprior.inference.engines.default_engine``):
    #: on the 60 x 120 set at tau0 = 1 (4 x 1000 draws after 1000, seeds 0 and 1) NUTS gave a
    #: bulk ESS of 379 in 51 s, the Gibbs engine r_hat <= 1.0097 and ESS >= 431 in ~19 s.
    default_engine = "auto"
    gibbs_reason = None

    def __post_init__(self):
        owner = type(self).__name__
        object.__setattr__(self, "p0", _check_p0(self.p0, owner))
        object.__setattr__(self, "tau0", check_positive_float(self.tau0, "tau0", owner))
        object.__setattr__(self, "slab_df", check_positive_float(self.slab_df, "slab_df", owner))
        if self.slab_scale is not None:
            object.__setattr__(
                self, "slab_scale", check_positive_float(self.slab_scale, "slab_scale", owner)
            )
        _check_noise(self, owner)

    global_scale = Horseshoe.global_scale

    def slab_scale_for(self, X, y) -> float:
        """``s_slab``: the given value or the data-scaled default (see the class docstring)."""
        if self.slab_scale is not None:
            return self.slab_scale
        y_sd = float(np.std(y))
        return (
            2.5 * y_sd if self.scale_columns else 2.5 * y_sd / float(np.mean(self.column_scales(X)))
        )

    def scale_conditionals(self, data) -> RegularizedHorseshoeScales:
        """The Gibbs conditionals (``RegularizedHorseshoeScales``) on ``data``.

        ``tau0``, ``s_slab`` and the noise scale as the PyMC model takes them (``n = sum w``
        in the global-scale rule); with ``scale_columns`` the prior is on ``s_j theta_j``: the
        engine samples it against the columns ``x_j / s_j``.
        """
        return RegularizedHorseshoeScales(
            data.n_features,
            tau0=self.global_scale(data.weight_sum, data.n_features),
            slab_df=self.slab_df,
            slab_scale=self.slab_scale_for(data.X, data.y),
            **self.conditionals_settings(data),
        )

    def prior_scale_draws(self, rng, size, n_samples, n_features, *, X=None, y=None):
        draws = Horseshoe.prior_scale_draws(self, rng, size, n_samples, n_features)
        # The default slab scale is data-scaled: without y, the given one or 1.
        if y is not None and X is not None:
            slab_scale = self.slab_scale_for(X, y)
        else:
            slab_scale = 1.0 if self.slab_scale is None else self.slab_scale
        shape, rate = self.slab_df / 2, self.slab_df * slab_scale**2 / 2
        draws["slab2"] = rate / rng.gamma(shape, 1.0, size)
        return draws

    def relative_variances(self, draws, sigma):
        tau2 = (sigma * draws["tau"][:, None]) ** 2  # tau ~ C+(0, tau0 sigma)
        lam2 = draws["lambda_local"] ** 2
        slab2 = draws["slab2"][:, None]
        return tau2 * slab2 * lam2 / (slab2 + tau2 * lam2) / sigma**2


class RegularizedHorseshoeScales(NoisePriorConditionals):
    r"""The regularized horseshoe's Gibbs conditionals: exact draws and slice steps.

    Prior variances on the weights' scale (not multiplied by the noise),
    ``theta_j ~ N(0, d_j)``, ``d_j = psi^2 t_j / (psi^2 + t_j)``, ``t_j = tau^2 lambda_j^2``,
    with ``lambda_j ~ C+(0, 1)``, ``tau = sigma tau_unit``, ``tau_unit ~ C+(0, tau0)``,
    ``psi^2 ~ InvGamma(nu/2, nu s_slab^2/2)`` (Piironen & Vehtari 2017, eq. 2.8;
    ``docs/specification.md``, "Regularized horseshoe, Gibbs"). Only the weights are
    conjugate: the local scales are drawn exactly by rejection, the global scale, the noise
    and the slab by slice steps on their exact conditionals. One sweep:

    1. **The global scale and the noise, the weights integrated out** (the engine's collapsed
       step, :attr:`global_key` ``"tau2"``, ``g = tau^2``). In the coordinates
       ``(g, lambda, r = psi^2 / g)`` the variances are multiplicative,
       ``d_j = g e_j`` with ``e_j = r lambda_j^2 / (r + lambda_j^2)``: the move holds the local
       scales and ``r``, so ``psi^2 = g r`` moves with ``g``. From
       ``(log g, log lambda^2, log psi^2)`` to ``(log g, log lambda^2, log r)`` the Jacobian is 1
       (``log psi^2 = log r + log g``), and the prior of ``log g`` given the rest,
       :meth:`log_scales_prior`, is

       .. math::

           \log p = \tfrac12\log\frac{g}{\sigma^2} - \log\Big(1 + \frac{g}{\tau_0^2\sigma^2}\Big)
               - \frac\nu2\log(g r) - \frac{\nu s^2}{2 g r} + \log p(\log\sigma^2)

       (the half-Cauchy of ``tau`` with ``d tau / d log g = tau / 2``; the inverse gamma of
       ``psi^2`` in ``log psi^2``; the noise prior's density of ``log sigma^2``). ``O(1)`` per
       evaluation. The scale of ``tau``'s prior carries sigma, which couples ``g`` and
       ``sigma^2`` in the engine's slice steps on ``log sigma^2`` and along ``(1, 1)``.
       (Holding ``lambda~_j^2 = d_j / g`` fixed instead would bound ``g`` above by
       ``psi^2 / max_j lambda~_j^2``, which a weight in the slab pins near its current value.)
    2. **The weights** given ``d`` and ``sigma^2``, exactly (the engine).
    3. **Each** ``lambda_j^2`` given its weight, ``tau`` and ``psi``, exactly
       (:func:`regularized_local_draw`: the horseshoe's conditional times
       ``sqrt(1 + tau^2 lambda^2 / psi^2)``, by the product-of-normals identity, drawn by
       rejection).
    4. **The slab** ``psi^2`` given the weights, ``lambda`` and ``tau``: a slice step on
       ``x = log psi^2`` of

       .. math::

           -\frac\nu2 x - \Big(\frac{\nu s^2}2 + \sum_j\frac{\theta_j^2}2\Big)e^{-x}
               + \frac12\sum_j\log\big(t_j^{-1} + e^{-x}\big),

       the inverse gamma ``InvGamma((nu + p)/2, (nu s^2 + sum theta^2)/2)`` times
       ``prod_j sqrt(1 + psi^2 / t_j)`` (a shrunk weight's factor cancels its share of the
       shape: only the large weights inform the slab).

    ``tau`` is then ``sqrt(g)`` and ``tau_unit = tau / sigma``; ``lambda_j^2`` is kept within
    :attr:`LOCAL_BOUNDS` as the horseshoe's. The noise under every noise prior of
    :class:`~regprior.spec.hierarchical.NoisePriorConditionals` (its density of ``log sigma^2``
    in the collapsed step). Sources: Piironen & Vehtari (2017, Electron. J. Statist. 11:5018)
    for the prior; Makalic & Schmidt (2016, IEEE SPL 23:179) and Johndrow, Orenstein &
    Bhattacharya (2020) for the horseshoe's local conditional, the first part of step 3's
    envelope; van Dyk & Park (2008) for the partially collapsed sweep; Neal (2003) for the slice
    steps. Without the collapsed step (``update(..., global_drawn=False)``) ``tau^2`` is drawn
    given the weights, ``lambda``, ``psi`` and sigma by a slice step (:meth:`draw_global`).

    Parameters
    ----------
    n_features : int
    tau0 : float
        ``tau_unit ~ C+(0, tau0)``.
    slab_df, slab_scale : float
        ``nu`` and ``s_slab`` of the slab's inverse gamma.
    noise_prior, noise_scale
        As :class:`~regprior.spec.hierarchical.NoisePriorConditionals`.
    column_scales : ndarray, optional
        ``c_j``: the prior is on ``theta_j / c_j`` (``c_j = 1 / s_j`` for ``scale_columns``).
    """

    noise_scaled = False
    global_key = "tau2"
    reports_shrinkage = True
    #: Four sweeps per kept draw, as the horseshoe: on the 60 x 120 set of
    #: ``benchmarks/sparse_priors.py`` at tau0 = 1 (4 x 1000 draws after 1000 sweeps, seeds 0
    #: and 1) two sweeps a draw gave r_hat 1.025 / 1.018 and a bulk ESS of 261 / 188 (m_eff,
    #: sigma, tau the slowest); four gave 1.0097 / 1.0069 and 586 / 431, in ~19 s.
    sweeps_per_draw = 4
    #: Kept in the draws, not summarised: the PyMC model's free ``tau_unit`` and ``slab2``.
    draws_only = ("tau_unit", "slab2")
    LOCAL_BOUNDS = HorseshoeScales.LOCAL_BOUNDS

    def __init__(
        self,
        n_features,
        *,
        tau0,
        slab_df,
        slab_scale,
        noise_prior="jeffreys",
        noise_scale=1.0,
        **kwargs,
    ):
        super().__init__(n_features, noise_prior=noise_prior, noise_scale=noise_scale, **kwargs)
        self.tau0 = float(tau0)
        self.slab_shape = 0.5 * float(slab_df)
        self.slab_rate = 0.5 * float(slab_df) * float(slab_scale) ** 2

    def start(self, streams, noise_guess):
        """Overdispersed: ``sigma^2`` within a factor ~3 of ``noise_guess``; ``tau_unit`` and
        ``lambda_j`` from their half-Cauchy priors (``tau_unit`` within ``10^(+-3) tau0``),
        ``psi^2`` from its inverse gamma."""
        p = self.n_features
        sigma2 = noise_guess * np.exp(2.0 * streams.uniform(1)[:, 0] - 1.0)
        tau_unit = self.tau0 * np.abs(np.tan(0.5 * np.pi * streams.uniform(1)[:, 0]))
        tau_unit = np.clip(tau_unit, 1e-3 * self.tau0, 1e3 * self.tau0)
        lambda2 = np.clip(np.tan(0.5 * np.pi * streams.uniform(p)) ** 2, *self.LOCAL_BOUNDS)
        state = {
            "sigma2": sigma2,
            "tau2": sigma2 * tau_unit**2,
            "lambda2": lambda2,
            "slab2": self.slab_rate / streams.gamma(self.slab_shape, 1)[:, 0],
            **self.noise_state(streams),
        }
        self._set_variances(state)
        return state

    def _set_variances(self, state) -> None:
        """``d_j = 1 / (1 / (tau^2 lambda_j^2) + 1 / psi^2)`` and ``r = psi^2 / tau^2``."""
        spread = state["tau2"][:, None] * state["lambda2"]
        with np.errstate(divide="ignore"):
            state["d"] = 1.0 / (1.0 / spread + 1.0 / state["slab2"][:, None])
        state["slab_ratio"] = state["slab2"] / state["tau2"]

    def log_scales_prior(self, g, sigma2, state):
        """Prior of ``(log g, log sigma^2)`` with ``lambda`` and ``r = psi^2 / g`` held (step 1)."""
        g, sigma2 = np.asarray(g, float), np.asarray(sigma2, float)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            log_slab2 = np.log(g) + np.log(state["slab_ratio"])
            slab = -self.slab_shape * log_slab2 - self.slab_rate * np.exp(-log_slab2)
            return self.log_global_prior(g, sigma2) + slab + self.log_noise_prior(sigma2)

    def log_global_prior(self, g, sigma2=None):
        """``tau ~ C+(0, tau0 sigma)``: the density of ``log tau^2`` is ``(tau / sigma) / (1 +
        tau^2 / (tau0^2 sigma^2))`` (the half-Cauchy's, times ``d tau / d log tau^2 = tau / 2``).

        ``sigma2`` is required (the base class's signature has none): a caller that knows only
        ``log_global_prior(g)`` would otherwise get ``tau ~ C+(0, tau0)`` silently.
        """
        if sigma2 is None:
            raise TypeError(
                "RegularizedHorseshoeScales.log_global_prior needs sigma2: tau's prior scale is "
                "tau0 sigma (use log_scales_prior)."
            )
        g, sigma2 = np.asarray(g, float), np.asarray(sigma2, float)
        return 0.5 * np.log(g / sigma2) - np.log1p(g / (self.tau0**2 * sigma2))

    def update(self, gamma, sigma2, state, streams, *, global_drawn=False):
        """``psi^2 = g r`` after the collapsed step (else :meth:`draw_global`), then
        ``lambda^2`` exactly and the slab's slice step."""
        if global_drawn:
            state["slab2"] = state["tau2"] * state["slab_ratio"]
        else:
            self.draw_global(gamma, sigma2, state, streams)
        self.local_step(gamma, state, streams)
        self.slab_step(gamma, state, streams)
        self._set_variances(state)

    def local_step(self, gamma, state, streams) -> None:
        """``lambda^2`` given the weights, ``tau`` and ``psi`` (step 3)."""
        tau2 = state["tau2"]
        rate = gamma**2 / np.maximum(2.0 * tau2, np.finfo(float).tiny)[:, None]
        lambda2 = regularized_local_draw(rate, tau2 / state["slab2"], streams)
        state["lambda2"] = np.clip(lambda2, *self.LOCAL_BOUNDS)

    def slab_step(self, gamma, state, streams) -> None:
        """A slice step on ``log psi^2`` given the weights, ``lambda`` and ``tau`` (step 4)."""
        log_spread = np.log(state["tau2"])[:, None] + np.log(state["lambda2"])
        rate = self.slab_rate + 0.5 * np.sum(gamma**2, axis=1)

        def target(x):
            with np.errstate(over="ignore"):
                weights = 0.5 * np.sum(np.logaddexp(-log_spread, -x[:, None]), axis=1)
                return -self.slab_shape * x - rate * np.exp(-x) + weights

        state["slab2"] = np.exp(slice_step(target, np.log(state["slab2"]), streams))

    def draw_global(self, gamma, sigma2, state, streams) -> None:
        """``tau^2`` given the weights, ``lambda``, ``psi`` and ``sigma``: a slice step on
        ``log tau^2`` (the engine collapses it instead; this serves ``global_drawn=False``)."""
        log_local = np.log(state["lambda2"])
        log_slab2 = np.log(state["slab2"])[:, None]
        scaled = 0.5 * np.sum(gamma**2 / state["lambda2"], axis=1)

        def target(x):
            with np.errstate(over="ignore"):
                weights = 0.5 * np.sum(np.logaddexp(-x[:, None] - log_local, -log_slab2), axis=1)
                return self.log_global_prior(np.exp(x), sigma2) + weights - scaled * np.exp(-x)

        state["tau2"] = np.exp(slice_step(target, np.log(state["tau2"]), streams))

    def record(self, sigma2, state, weight_sum):
        """``sigma``, ``tau`` (absolute), ``slab`` (``psi``), and in the draws only
        ``tau_unit``, ``slab2`` and ``lambda_local``: the PyMC model's names."""
        sigma, tau = np.sqrt(sigma2), np.sqrt(state["tau2"])
        return {
            "sigma": sigma,
            "tau": tau,
            "slab": np.sqrt(state["slab2"]),
            "tau_unit": tau / sigma,
            "slab2": state["slab2"],
            "lambda_local": np.sqrt(state["lambda2"]),
        }


@dataclass(frozen=True)
class R2D2(ScaleMixture):
    r"""The R2-D2 prior (Zhang, Naughton, Bondell & Reich 2022) with brms's normal kernel.

    .. math::

        R^2 \sim \mathrm{Beta}(mk, (1-m)k),\quad \tau^2 = \frac{R^2}{1-R^2},\quad
        \phi \sim \mathrm{Dirichlet}(a, \dots, a),\quad
        \theta_j \sim \mathcal N\!\left(0, \frac{\sigma^2\phi_j\tau^2}{s_j^2}\right)

    (``docs/specification.md``, "R2-D2"; Zhang et al. use a double-exponential kernel, brms
    and this a normal one). The prior is on the share of variance explained, so the division by
    the column variance keeps ``R^2``'s meaning whatever the units (``scale_columns=True`` is
    the definition; False puts the same prior on the weights as given). The Dirichlet is
    sampled as normalised Gamma(a, 1) variables. Shrinkage ``kappa_j = 1 / (1 + n phi_j tau^2)``.
    Sampled by Gibbs unless an engine is named (``R2D2Scales``: the global scale with the
    weights integrated out, the shares by a block Metropolis-Hastings step), NUTS on the PyMC
    model with ``engine="nuts"``.

    Parameters
    ----------
    mean_r2 : float, default=0.5
        ``m``, brms's ``mean_R2``: no preference between signal and noise.
    prec_r2 : float, default=2.0
        ``k``, brms's ``prec_R2``: with ``m = 0.5``, ``R^2 ~ Beta(1, 1)``, uniform.
    concentration : float, default=0.5
        ``a``, brms's ``cons_D2``: below 1 the Dirichlet favours a few large shares (sparsity).
    noise_prior, noise_scale : as for :class:`Horseshoe`.
    scale_columns : bool, default=True
    """

    mean_r2: float = 0.5
    prec_r2: float = 2.0
    concentration: float = 0.5
    noise_prior: str = "jeffreys"
    noise_scale: float | None = None
    scale_columns: bool = True

    kind = "r2d2"
    #: Sampled by Gibbs unless an engine is named (``regprior.inference.engines.default_engine``):
    #: both engines are healthy at the defaults where both ran, but NUTS on the n x n marginal is
    #: slow at p > n (``benchmarks/sparse_priors.py``, 4 x 1000 draws: 60 x 120, 147 s of
    #: sampling after 44 s of compiling; 100 x 1000, ~0.9 ms a gradient, not run) where Gibbs
    #: took ~10 s and 17-51 s (r_hat <= 1.007, bulk ESS >= 668, two seeds on 100 x 1000).
    default_engine = "auto"

    #: With a <= 1/2 the marginal density of a weight is infinite at 0 too: near 0, phi_j has
    #: density ~ phi^(a - 1), and the normal kernel integrates v^(a - 3/2), divergent for a <= 1/2.
    no_mode_reason = (
        "R2-D2 learns the noise sigma and its scales (the joint mode is not a scikit-learn fit), "
        "and at a concentration <= 1/2 the marginal prior density of each weight is infinite "
        "at 0. Use sample_posterior"
    )
    gibbs_reason = None

    def __post_init__(self):
        owner = type(self).__name__
        object.__setattr__(
            self, "mean_r2", check_open_unit_interval(self.mean_r2, "mean_r2", owner)
        )
        object.__setattr__(self, "prec_r2", check_positive_float(self.prec_r2, "prec_r2", owner))
        object.__setattr__(
            self, "concentration", check_positive_float(self.concentration, "concentration", owner)
        )
        _check_noise(self, owner)

    @property
    def beta_parameters(self) -> tuple[float, float]:
        """``(m k, (1 - m) k)``: the Beta prior of ``R^2``."""
        return self.mean_r2 * self.prec_r2, (1.0 - self.mean_r2) * self.prec_r2

    def prior_scale_draws(self, rng, size, n_samples, n_features, *, X=None, y=None):
        a, b = self.beta_parameters
        r2 = rng.beta(a, b, size)
        return {
            "r2": r2,
            "phi": rng.dirichlet(np.full(n_features, self.concentration), size),
        }

    def relative_variances(self, draws, sigma):
        tau2 = draws["r2"] / (1.0 - draws["r2"])
        return draws["phi"] * tau2[:, None]

    def scale_conditionals(self, data) -> R2D2Scales:
        """The conditionals of ``R2D2Scales``: with ``scale_columns`` the prior is on
        ``s_j theta_j``, and the engine samples it against the columns ``x_j / s_j``."""
        return R2D2Scales(
            data.n_features,
            r2_shapes=self.beta_parameters,
            concentration=self.concentration,
            **self.conditionals_settings(data),
        )


class R2D2Scales(NoisePriorConditionals):
    r"""R2-D2's Gibbs conditionals (normal kernel): a collapsed global step and a block
    Metropolis-Hastings step on the Dirichlet shares.

    Noise-scaled, ``theta_j ~ N(0, sigma^2 W phi_j)`` (on ``s_j theta_j`` with
    ``scale_columns``), ``W = tau^2 = R^2 / (1 - R^2)``. ``R^2 ~ Beta(alpha, beta)`` makes ``W``
    beta-prime, and the density of ``log W`` is, up to a constant,

    .. math:: p_{\log W}(x) \propto e^{\alpha x} (1 + e^x)^{-(\alpha + \beta)}.

    The Dirichlet shares are normalised gammas (Devroye 1986, *Non-Uniform Random Variate
    Generation*, ch. XI): ``phi = T / S`` with ``T_j ~ Gamma(a, 1)`` independent and
    ``S = sum_j T_j``, ``phi`` independent of ``S``.
    The sampler's coordinates are ``g = W / S`` (the engine's global scale, :attr:`global_key`
    ``"g"``) and ``T`` (the local scales), so that ``d_j = W phi_j = g T_j``. The map from
    ``(log g, T)`` to ``(log W, T)`` adds ``log S(T)`` to the first coordinate: its Jacobian is
    triangular with unit diagonal, determinant 1, and the prior in the new coordinates is

    .. math:: p(\log g, T) = p_{\log W}(\log g + \log S) \prod_j \mathrm{Gamma}(T_j; a, 1).

    A sweep:

    1. **global**, the engine's collapsed slice step on ``log g`` given ``T``, with the weights
       and (under Jeffreys' prior) sigma integrated out, times :meth:`log_scales_prior`:
       ``p_log W(log g + log S)``, which depends on the state through ``S``;
    2. the weights and the noise, by the engine;
    3. **local**, given ``g``, the weights and sigma, ``T`` has the density
       ``h(S) prod_j GIG(T_j; a - 1/2, 2, chi_j)``, ``chi_j = theta_j^2 / (sigma^2 g)``
       (``GIG(lam, a, b)`` of density ``x^(lam - 1) exp(-(a x + b / x) / 2)``: the gamma
       prior's ``T^(a - 1) e^(-T)`` times the normal kernel's ``T^(-1/2) exp(-chi / (2T))``),
       with ``h(S) = (g S)^alpha / (1 + g S)^(alpha + beta)`` tying the shares through their
       sum. Independence Metropolis-Hastings: every ``T'_j`` drawn from its GIG
       (:func:`~regprior.spec.conditionals.generalized_inverse_gaussian_array`) and the
       vector accepted with probability ``min(1, h(S') / h(S))`` (92-99% on the data sets of
       ``benchmarks/sparse_priors.py``: one round a sweep).

    Every step leaves the joint posterior invariant. (``S`` given everything else is
    ``Gamma(p a, 1)``, the likelihood seeing ``d = W phi`` only; redrawing it, with ``g`` and
    ``T`` rescaled to keep every ``d_j``, is exact too, but made no measurable difference to the
    ESS on diabetes, 60 x 120 and 100 x 1000: not done.) Zhang, Naughton, Bondell & Reich (2022,
    JASA 117:862) define the prior with a double-exponential kernel; brms's ``R2D2()`` and this
    module use the normal one. ``T_j`` is kept within :attr:`LOCAL_BOUNDS`, so that ``1 / d_j``
    stays finite (a share below ``1e-100`` of a sum ~``p a`` has negligible prior mass).

    Parameters
    ----------
    n_features : int
    r2_shapes : tuple of float
        ``(alpha, beta) = (m k, (1 - m) k)``, the Beta prior of ``R^2``.
    concentration : float
        ``a``, the Dirichlet's.
    noise_prior, noise_scale
        As :class:`~regprior.spec.hierarchical.NoisePriorConditionals`.
    column_scales : ndarray, optional
        ``c_j``: the prior is on ``theta_j / c_j`` (``c_j = 1 / s_j`` for ``scale_columns``).
    """

    noise_scaled = True
    global_key = "g"
    reports_shrinkage = True
    #: Two sweeps per kept draw: on the 100 x 1000 set of ``benchmarks/sparse_priors.py`` (4 x
    #: 1000 draws after 1000 sweeps, seeds 0 and 1) one sweep a draw gave r_hat 1.012 / 1.009
    #: and a smallest bulk ESS of 422 / 410 (a weight's; tau's 1680 / 2250), two gave 1.005 /
    #: 1.006 and 800 / 668. On diabetes, 60 x 120 and the correlated 100 x 50 one sweep already
    #: gave r_hat <= 1.007 and ESS >= 918 (the Metropolis-Hastings step accepts 92-99%).
    sweeps_per_draw = 2
    #: The Metropolis-Hastings acceptance of each kept sweep, kept in the draws only.
    draws_only = ("phi_accepted",)
    LOCAL_BOUNDS = (1e-100, 1e100)

    def __init__(
        self,
        n_features,
        *,
        r2_shapes,
        concentration,
        noise_prior="jeffreys",
        noise_scale=1.0,
        **kwargs,
    ):
        super().__init__(n_features, noise_prior=noise_prior, noise_scale=noise_scale, **kwargs)
        self.r2_alpha, self.r2_beta = (float(value) for value in r2_shapes)
        self.concentration = float(concentration)

    def log_w_prior(self, w) -> np.ndarray:
        """Density of ``log W`` (``W = R^2 / (1 - R^2)`` beta-prime), up to a constant."""
        w = np.asarray(w, float)
        return self.r2_alpha * np.log(w) - (self.r2_alpha + self.r2_beta) * np.log1p(w)

    def log_scales_prior(self, g, sigma2, state):
        """``p_log W(log g + log S) p(log sigma^2)``: the Jacobian of ``log g -> log W`` is 1."""
        total = np.sum(state["T"], axis=1)
        return self.log_w_prior(np.asarray(g, float) * total) + self.log_noise_prior(sigma2)

    def start(self, streams, noise_guess):
        """Overdispersed: ``R^2`` from its Beta prior (within ``[0.001, 0.999]``), ``T`` from
        its Gamma prior."""
        p = self.n_features
        left = streams.gamma(self.r2_alpha, 1)[:, 0]
        right = streams.gamma(self.r2_beta, 1)[:, 0]
        r2 = np.clip(left / (left + right), 1e-3, 1.0 - 1e-3)
        local = np.clip(streams.gamma(self.concentration, p), *self.LOCAL_BOUNDS)
        g = r2 / (1.0 - r2) / local.sum(axis=1)
        return {
            "g": g,
            "T": local,
            "d": g[:, None] * local,
            "accepted": np.zeros(len(streams)),
            **self.noise_state(streams),
        }

    def update(self, gamma, sigma2, state, streams, *, global_drawn=False):
        """Step 3 of the sweep (and, unless ``global_drawn``, a slice step on ``log g`` given the
        weights first: :meth:`draw_global`)."""
        if not global_drawn:
            self.draw_global(gamma, sigma2, state, streams)
        self.draw_local(gamma, sigma2, state, streams)

    def draw_local(self, gamma, sigma2, state, streams) -> None:
        """Step 3: ``T`` given ``g``, the weights and sigma, by independence Metropolis-Hastings.

        The proposal ``T'_j ~ GIG(a - 1/2, 2, chi_j)`` is the target without ``h(S)``, so the
        acceptance ratio is ``h(S') / h(S)`` (``state["accepted"]``: 1 where accepted).
        """
        g, local = state["g"], state["T"]
        chi = gamma**2 / (sigma2 * g)[:, None]
        chi = np.clip(np.nan_to_num(chi, posinf=1e300), np.finfo(float).tiny, 1e300)
        proposal = generalized_inverse_gaussian_array(self.concentration - 0.5, 2.0, chi, streams)
        proposal = np.clip(proposal, *self.LOCAL_BOUNDS)
        old, new = local.sum(axis=1), proposal.sum(axis=1)
        log_ratio = self.log_w_prior(g * new) - self.log_w_prior(g * old)
        accept = np.log(streams.uniform(1)[:, 0]) < log_ratio
        state["T"] = np.where(accept[:, None], proposal, local)
        state["accepted"] = accept.astype(float)
        state["d"] = g[:, None] * state["T"]

    def draw_global(self, gamma, sigma2, state, streams) -> None:
        """``log g`` given ``T``, the weights and sigma (uncollapsed), by a slice step."""
        local, p = state["T"], self.n_features
        spread = np.sum(gamma**2 / local, axis=1) / (2.0 * sigma2)

        def target(x):
            return (
                -0.5 * p * x - spread * np.exp(-x) + self.log_scales_prior(np.exp(x), sigma2, state)
            )

        state["g"] = np.exp(slice_step(target, np.log(state["g"]), streams))
        state["d"] = state["g"][:, None] * local

    def record(self, sigma2, state, weight_sum):
        """``sigma``, ``r2``, ``tau`` and ``phi`` (per weight), the NUTS model's names."""
        total = state["T"].sum(axis=1)
        w = state["g"] * total
        return {
            "sigma": np.sqrt(sigma2),
            "r2": w / (1.0 + w),
            "tau": np.sqrt(w),
            "phi": state["T"] / total[:, None],
            "phi_accepted": state["accepted"],
        }


def horseshoe_local_draw(m, streams) -> np.ndarray:
    r"""Exact draws of ``lambda_j^2`` given ``m_j = theta_j^2 / (2 sigma^2 tau^2)``, ``nu``
    integrated out: ``eta = 1 / lambda^2`` has the density ``exp(-m eta) / (1 + eta)``.

    (The half-Cauchy's density of ``eta`` is ``eta^(-1/2) / (1 + eta)``; the weight's normal
    density contributes ``eta^(1/2) exp(-m eta)``; Johndrow, Orenstein & Bhattacharya 2020
    sample the same law.) In ``w = log(1 + eta)`` the density is ``exp(-m (e^w - 1))`` on
    ``w >= 0``: log-concave and decreasing, so it lies below the envelope ``1`` on
    ``[0, w*]`` and below its tangent ``exp(-1 - (1 + m)(w - w*))`` beyond, at
    ``w* = log(1 + 1/m)`` (where ``m e^w = 1 + m``). Rejection from that two-piece envelope
    accepts at least ~1/2 of the proposals whatever ``m`` (~3/4 for large ``m``, ~1 for small).
    Each chain draws from its own generator. Sampling ``lambda_j^2`` this way, rather than
    Makalic & Schmidt's ``lambda_j^2 | nu_j``, ``nu_j | lambda_j^2`` pair, removes the
    auxiliary variable's drag (60 x 120 of ``benchmarks/sparse_priors.py``, ``tau0 = 1``, 4 x
    1000 sweeps after 1000, both without :meth:`HorseshoeScales.rescale`: bulk ESS of ``tau``
    19 with the pair at seed 0, 166 and 197 with this draw at seeds 0 and 1).

    Parameters
    ----------
    m : ndarray of shape (chains, p)
        Non-negative rates, kept within ``[smallest positive float, 1e300]``.
    streams : ChainStreams

    Returns
    -------
    ndarray of shape (chains, p)
        ``lambda^2 = 1 / eta``.
    """
    # Kept within [tiny, 1e300]: an infinite rate (a weight over a sigma^2 tau^2 that
    # underflowed, as on an interpolating p > n fit) would give 0 * inf in the acceptance
    # ratio and never accept; at 1e300 the draw is lambda^2 ~ 1e300, clipped by the caller.
    m = np.nan_to_num(np.asarray(m, dtype=float), posinf=1e300)
    m = np.clip(m, np.finfo(float).tiny, 1e300)
    out = np.empty_like(m)
    with np.errstate(over="ignore", divide="ignore"):  # exp(w) -> inf: rejected, or eta -> inf
        for c, rng in enumerate(streams.generators):
            out[c] = _local_draw(m[c], rng)
    return out


#: Rounds of the local-scale rejection sampler before it gives up (each accepts >= ~1/2).
MAX_REJECTION_ROUNDS = 200


def _local_draw(rate, rng) -> np.ndarray:
    """One chain of :func:`horseshoe_local_draw`."""
    return 1.0 / np.expm1(_local_draw_w(rate, rng))


def _local_draw_w(rate, rng) -> np.ndarray:
    """:func:`_local_draw` as ``w = log(1 + eta)``."""
    corner = np.log1p(1.0 / rate)  # w*
    flat = corner / (corner + np.exp(-1.0) / (1.0 + rate))  # P(first piece)
    w = np.empty_like(rate)
    pending = np.arange(rate.size)
    for _ in range(MAX_REJECTION_ROUNDS):
        if not pending.size:
            break
        r, k, f = rate[pending], corner[pending], flat[pending]
        u, v = rng.random(pending.size), rng.random(pending.size)
        first = u < f
        tail = rng.standard_exponential(pending.size) / (1.0 + r)
        proposal = np.where(first, k * v, k + tail)
        log_ratio = -r * np.expm1(proposal)
        log_ratio = np.where(first, log_ratio, log_ratio + 1.0 + (1.0 + r) * tail)
        accept = np.log(rng.random(pending.size)) < log_ratio
        w[pending[accept]] = proposal[accept]
        pending = pending[~accept]
    if not pending.size:
        return w
    raise RuntimeError(
        f"the horseshoe's local-scale draw accepted nothing in {MAX_REJECTION_ROUNDS} rounds "
        f"(each accepts with probability >= ~1/2) at rates {rate[pending][:5]}: a bug."
    )


def regularized_local_draw(m, b, streams) -> np.ndarray:
    r"""Exact draws of the regularized horseshoe's ``lambda_j^2`` given ``m_j = theta_j^2 / (2
    tau^2)`` and ``b = tau^2 / psi^2``.

    By the product-of-normals identity ``N(theta; 0, d) = N(theta; 0, t) N(theta; 0, psi^2)
    sqrt(2 pi (t + psi^2))`` (``1 / d = 1 / t + 1 / psi^2``, ``t = tau^2 lambda^2``), the
    conditional of ``eta = 1 / lambda^2`` is the horseshoe's (:func:`horseshoe_local_draw`)
    times ``sqrt(1 + b / eta)``:

    .. math:: p(\eta) \propto \sqrt{1 + b/\eta}\;\frac{e^{-m\eta}}{1 + \eta}.

    ``sqrt(1 + b / eta) <= 1 + sqrt(b / eta)``, so the density lies below the mixture
    ``e^{-m eta} / (1 + eta) + sqrt(b) eta^{-1/2} e^{-m eta} / (1 + eta)``, whose parts have the
    masses ``e^m E_1(m)`` and ``sqrt(b) pi e^m erfc(sqrt(m))``. The first part is the
    horseshoe's conditional; in ``s = sqrt(eta)`` the second is ``e^{-m s^2} / (1 + s^2)``,
    drawn by rejection from a half-normal (accepting ``1 / (1 + s^2)``) when ``m > 1/pi`` and
    from a half-Cauchy (accepting ``e^{-m s^2}``) otherwise (each accepts >= ~0.58). A draw from
    the mixture is accepted with probability ``sqrt(eta + b) / (sqrt(eta) + sqrt(b)) >=
    1/sqrt(2)``. (An independence Metropolis step with the horseshoe's conditional as its
    proposal targets the same law, but its acceptance ratio ``sqrt(1 + b / eta)`` is unbounded:
    a weight in the slab keeps its local scale for long runs, and 30 steps from the proposal
    were still off the law in a Kolmogorov-Smirnov test at 2e4 draws.)

    Parameters
    ----------
    m : ndarray of shape (chains, p)
        Non-negative rates, kept within ``[smallest positive float, 1e300]``.
    b : ndarray of shape (chains,) or (chains, p)
        ``tau^2 / psi^2`` (non-negative).
    streams : ChainStreams

    Returns
    -------
    ndarray of shape (chains, p)
        ``lambda^2 = 1 / eta`` (``inf`` where ``eta`` is 0).
    """
    m = np.nan_to_num(np.asarray(m, dtype=float), posinf=1e300)
    m = np.clip(m, np.finfo(float).tiny, 1e300)
    b = np.broadcast_to(np.asarray(b, dtype=float).reshape(len(m), -1), m.shape)
    out = np.empty_like(m)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for c, rng in enumerate(streams.generators):
            out[c] = 1.0 / _regularized_local_draw(m[c], b[c], rng)
    return out


def _scaled_exp1(m) -> np.ndarray:
    """``e^m E_1(m)`` (``E_1`` the exponential integral), finite for every ``m > 0``: SciPy's
    ``exp1`` up to 700, beyond it the asymptotic series ``(1/m) sum_k (-1)^k k! / m^k`` to
    ``k = 12`` (truncation error ``13! / m^13 < 1e-27`` relative there)."""
    from scipy.special import exp1

    small = m <= 700.0
    direct = np.exp(np.minimum(m, 700.0)) * exp1(np.minimum(m, 700.0))
    inverse = 1.0 / np.maximum(m, 700.0)
    series = np.ones_like(inverse)
    for k in range(12, 0, -1):  # Horner: 1 - i (1 - 2 i (1 - 3 i (...)))
        series = 1.0 - k * inverse * series
    return np.where(small, direct, inverse * series)


def _regularized_local_draw(m, b, rng) -> np.ndarray:
    """One chain of :func:`regularized_local_draw`: ``eta``."""
    from scipy.special import erfcx

    root_b = np.sqrt(b)
    first_mass = _scaled_exp1(m)
    share = first_mass / (first_mass + root_b * np.pi * erfcx(np.sqrt(m)))
    eta = np.empty_like(m)
    pending = np.arange(m.size)
    for _ in range(MAX_REJECTION_ROUNDS):
        if not pending.size:
            return eta
        rate, root = m[pending], root_b[pending]
        first = rng.random(pending.size) < share[pending]
        proposal = np.empty(pending.size)
        proposal[first] = np.expm1(_local_draw_w(rate[first], rng))
        proposal[~first] = _root_draw(rate[~first], rng) ** 2
        spread = np.sqrt(proposal) + root
        ratio = np.where(spread > 0, np.sqrt(proposal + root**2) / spread, 1.0)
        accept = rng.random(pending.size) < ratio
        eta[pending[accept]] = proposal[accept]
        pending = pending[~accept]
    if not pending.size:
        return eta
    raise RuntimeError(
        f"the regularized horseshoe's local-scale draw accepted nothing in "
        f"{MAX_REJECTION_ROUNDS} rounds (each accepts with probability >= ~0.4) at rates "
        f"{m[pending][:5]}: a bug."
    )


def _root_draw(rate, rng) -> np.ndarray:
    """``s > 0`` with density ``exp(-rate s^2) / (1 + s^2)``, by rejection (see
    :func:`regularized_local_draw`)."""
    out = np.empty_like(rate)
    pending = np.arange(rate.size)
    normal = rate > 1.0 / np.pi
    for _ in range(MAX_REJECTION_ROUNDS):
        if not pending.size:
            return out
        r, use_normal = rate[pending], normal[pending]
        gaussian = np.abs(rng.standard_normal(pending.size)) / np.sqrt(2.0 * r)
        cauchy = np.tan(0.5 * np.pi * rng.random(pending.size))
        proposal = np.where(use_normal, gaussian, cauchy)
        log_accept = np.where(use_normal, -np.log1p(proposal**2), -r * proposal**2)
        accept = np.log(rng.random(pending.size)) < log_accept
        out[pending[accept]] = proposal[accept]
        pending = pending[~accept]
    if not pending.size:
        return out
    raise RuntimeError(f"no draw accepted in {MAX_REJECTION_ROUNDS} rounds at rates {rate[:5]}.")


def shrinkage_factors(relative_variance, n_samples: float, column_scales) -> np.ndarray:
    r"""``kappa_j = 1 / (1 + n s_j^2 v_j / sigma^2)`` from ``v_j / sigma^2`` (any leading shape).

    For one weight of an orthogonal design the posterior mean given the scales is
    ``(1 - kappa_j)`` times least squares, so ``kappa_j = 1`` is full shrinkage to 0
    (``docs/specification.md``, "Horseshoe").
    """
    scaled = n_samples * np.asarray(column_scales) ** 2 * np.asarray(relative_variance)
    return 1.0 / (1.0 + scaled)


def draw_gaussian_weights(X, y, variance, sigma, rng, *, z=None) -> np.ndarray:
    r"""One exact draw of ``theta | v, sigma, y`` for ``theta ~ N(0, diag(v))`` and Gaussian noise.

    ``X`` and ``y`` are centred (rows multiplied by ``sqrt(w_i)`` when weighted):
    ``theta ~ N(A^{-1} X'y / sigma^2, A^{-1})``, ``A = X'X / sigma^2 + diag(v)^{-1}``.
    p <= n: Rue (2001), a Cholesky of ``A``. p > n: Bhattacharya, Chakraborty & Mallick (2016),
    an ``n x n`` solve in O(n^2 p) (``docs/specification.md``, "Gibbs conditionals").
    """
    from scipy.linalg import cho_factor, cho_solve, solve_triangular

    n, p = X.shape
    v = np.asarray(variance, dtype=float)
    if p <= n:
        sd = np.sqrt(v)
        # Work with A' = D^(1/2) A D^(1/2) = I + D^(1/2) X'X D^(1/2) / sigma^2: well conditioned
        # even when some v_j are tiny.
        Xs = X * sd / sigma
        L = np.linalg.cholesky(np.eye(p) + Xs.T @ Xs)
        mean = cho_solve((L, True), Xs.T @ (y / sigma))
        noise = solve_triangular(L.T, rng.standard_normal(p) if z is None else z, lower=False)
        return sd * (mean + noise)
    Phi = X / sigma
    u = np.sqrt(v) * rng.standard_normal(p)
    delta = rng.standard_normal(n)
    M = (Phi * v) @ Phi.T + np.eye(n)
    omega = cho_solve(cho_factor(M, lower=True), y / sigma - (Phi @ u + delta))
    return u + v * (Phi.T @ omega)


@dataclass(frozen=True)
class BayesianGDP(FullBayes):
    r"""Armagan, Dunson & Lee's generalized double Pareto, full Bayes: scaled by the noise.

    .. math::

        p(\theta_j \mid \sigma) = \frac{1}{2\sigma\xi}
            \Big(1 + \frac{|\theta_j|}{a\,\sigma\xi}\Big)^{-(a + 1)},
        \qquad p(\sigma^2) \propto 1/\sigma^2

    (``theta_j / sigma ~ GDP(xi, a)``; Armagan, Dunson & Lee 2013, Statistica Sinica 23:119,
    sec. 3, write ``GDP(xi = sigma eta / alpha, alpha)`` with ``eta = a xi``). The
    generalized double Pareto counterpart of Park & Casella's :class:`~regprior.BayesianLasso`:
    the same kink at 0 as the Laplace (density ``1 / (2 sigma xi)`` there), and a tail
    ``|theta|^-(a + 1)`` that barely shrinks large weights. A normal scale mixture:

    .. math::

        \theta_j \mid t_j, \sigma \sim \mathcal N(0, \sigma^2 t_j), \qquad
        t_j \mid l_j \sim \mathrm{Exp}(\text{rate } l_j^2 / 2), \qquad
        l_j \sim \mathrm{Gamma}(a, \text{rate } a\xi)

    (``theta_j`` given ``l_j`` and sigma is Laplace of scale ``sigma / l_j``). The Gibbs
    engine samples that mixture (``BayesianGDPScales``); NUTS samples the weights under
    their closed-form density and sigma (no latent scales, hence no shrinkage factors
    ``kappa_j``: unlike the horseshoe family it is not a :class:`ScaleMixture`, and is not set
    beside the Lasso by ``compare --sparse``). At a known sigma the fixed-scale
    :class:`~regprior.GeneralizedDoublePareto` of scale ``sigma xi`` is the same prior, and its
    MAP is skglm's ``LogSumPenalty``; here sigma is learnt, and ``fit_map`` refuses.

    Parameters
    ----------
    scale : float, default=1.0
        ``xi`` (Armagan et al.'s ``eta / alpha``), in units of sigma per unit of the weight's
        column. Default 1 with ``shape`` 1, their ``alpha = eta = 1``: the density at 0 is that
        of a Laplace of scale sigma (Park & Casella's prior at ``lambda = 1``), the tail the
        Cauchy's ``|theta|^-2``, so that large weights are barely shrunk; no data-scaled
        default, as for the fixed-scale prior. Like the Lasso's, the prior is on the weights
        as given.
    shape : float, default=1.0
        ``a`` (their ``alpha``): small values give heavier tails and more shrinkage of small
        weights; ``a -> inf`` gives Park & Casella's Laplace of scale ``sigma xi``.
    noise_prior : {"jeffreys", "halfnormal", "halfstudentt"}, default="jeffreys"
        ``p(sigma^2) ~ 1/sigma^2``, Armagan et al.'s (and Park & Casella's): with weights
        scaled by the noise it makes the posterior invariant to the scale of ``y``. The
        half-normal and half-Student-t(3) take ``noise_scale`` (default ``sd(y)``).
    noise_scale : float, optional
    scale_columns : bool, default=False
        True puts the prior on ``s_j theta_j``, the weights of standardised columns.

    Notes
    -----
    At p > n the defaults give a posterior that nearly interpolates: on the 60 x 120 set of
    ``benchmarks/sparse_priors.py`` (true noise sigma 1) both engines put sigma near 0.04
    (NUTS's 5-95% interval 0.025-0.051; ``shape=3``: ~0.075), where the horseshoe with
    ``p0 = 5`` puts it at ~0.74. The samplers are right (Gibbs and NUTS agree); the prior,
    noise-scaled under Jeffreys' noise prior with no global scale to learn, does not shrink
    enough there, as Park & Casella's with a learnt lambda does not. On p > n data choose a
    smaller ``scale`` (stronger shrinkage), or a horseshoe with ``p0``.
    """

    scale: float = 1.0
    shape: float = 1.0
    noise_prior: str = "jeffreys"
    noise_scale: float | None = None
    scale_columns: bool = False

    kind = "bayesian_gdp"
    sparse = True
    #: Sampled by Gibbs unless an engine is named (``regprior.inference.engines.default_engine``):
    #: on the 60 x 120 set of ``benchmarks/sparse_priors.py`` (4 x 1000 draws after 1000, seed
    #: 0) NUTS gave r_hat 1.022 and a bulk ESS of 195 in 39 s (after 4 s of compiling), the
    #: Gibbs engine r_hat <= 1.008 and ESS >= 553 in ~1.2 s (seeds 0 and 1; the slowest
    #: quantity a weight with a true effect in both). On diabetes both are healthy. (Healthy
    #: chains, not a good fit: at these defaults that posterior interpolates, see Notes.)
    default_engine = "auto"
    #: NUTS on the closed-form density: nutpie's default 0.8 gave 0 divergences on diabetes and
    #: on the 60 x 120 set (the Laplace-like kink at 0 is a kink of the density, not a funnel).
    target_accept = 0.8
    no_mode_reason = (
        "it learns the noise sigma, which scales the prior: the joint posterior mode over the "
        "weights and sigma is not the conditional mode skglm's LogSumPenalty computes. For "
        "that MAP, fit_map a GeneralizedDoublePareto(scale=sigma * xi, shape=a) at a known "
        "noise sigma"
    )
    gibbs_reason = None

    def __post_init__(self):
        owner = type(self).__name__
        object.__setattr__(self, "scale", check_representable_scale(self.scale, "scale", owner))
        object.__setattr__(self, "shape", check_positive_float(self.shape, "shape", owner))
        _check_noise(self, owner)

    noise_scale_for = ScaleMixture.noise_scale_for
    column_scales = ScaleMixture.column_scales
    conditionals_settings = ScaleMixture.conditionals_settings

    def prior_scale_for(self, X) -> np.ndarray:
        """``xi / s_j`` (``scale_columns``) or ``xi``: the GDP scale of ``theta_j / sigma``."""
        p = np.shape(X)[1]
        if self.scale_columns:
            return self.scale / self.column_scales(X)
        return np.full(p, self.scale)

    def scale_conditionals(self, data) -> BayesianGDPScales:
        """The conditionals of ``BayesianGDPScales``; with ``scale_columns`` the prior is on
        ``s_j theta_j``, and the engine samples it against the columns ``x_j / s_j``."""
        return BayesianGDPScales(
            data.n_features,
            scale=self.scale,
            shape=self.shape,
            **self.conditionals_settings(data),
        )


class BayesianGDPScales(NoisePriorConditionals):
    r"""The Gibbs conditionals of :class:`BayesianGDP` (Armagan, Dunson & Lee 2013, sec. 3).

    Noise-scaled, ``theta_j ~ N(0, sigma^2 t_j)`` with ``d_j = t_j``. Given sigma and the
    weights, ``u_j = theta_j / sigma`` has the fixed-scale mixture of
    :class:`~regprior.spec.conditionals.GeneralizedDoubleParetoScales`:

    .. math::

        l_j \mid \theta_j, \sigma \sim \mathrm{Gamma}\Big(a + 1,\ \text{rate } a\xi
            + \frac{|\theta_j|}{\sigma}\Big), \qquad
        \frac1{t_j}\Big|\, l_j, \theta_j, \sigma \sim
            \mathrm{InverseGaussian}\Big(\frac{l_j \sigma}{|\theta_j|},\ l_j^2\Big)

    (``t_j`` integrated out, ``theta_j | l_j, sigma`` is Laplace of rate ``l_j / sigma``, whose
    product with the Gamma prior of ``l_j`` gives the first; the normal kernel times the
    exponential prior of ``t_j``, ``t^(-1/2) exp(-theta^2 / (2 sigma^2 t) - l^2 t / 2)``, gives
    the second). Drawing ``l_j`` with ``t_j`` integrated out and then ``t_j`` is one joint draw
    of ``(l_j, t_j)``. The engine draws sigma with the weights integrated out, then the weights
    (``docs/specification.md``, "Gibbs conditionals"); the noise under every noise prior of
    :class:`~regprior.spec.hierarchical.NoisePriorConditionals`. No global scale: ``xi`` and
    ``a`` are fixed.
    """

    noise_scaled = True
    #: Four sweeps per kept draw (as the horseshoes): on the 60 x 120 set of
    #: ``benchmarks/sparse_priors.py`` (4 x 1000 draws after 1000 sweeps, seeds 0 and 1) one
    #: sweep a draw gave r_hat 1.044 / 1.034 and a bulk ESS of 114 / 123 (a weight with a true
    #: effect, its posterior split between 0 and its value, the slowest); four gave 1.008 /
    #: 1.007 and 553 / 588 in ~1.2 s, eight 1.004 / 1.006 and 1085 / 1190 in ~2 s.
    sweeps_per_draw = 4

    def __init__(self, n_features, *, scale, shape, noise_prior="jeffreys", noise_scale=1.0, **kw):
        super().__init__(n_features, noise_prior=noise_prior, noise_scale=noise_scale, **kw)
        self.scale, self.shape = float(scale), float(shape)

    def start(self, streams, noise_guess):
        """The Laplace(``xi``) mixture's ``t_j`` (as the fixed-scale GDP's start: a Gamma(a) draw
        of ``l_j`` near 0 gives variances that make the p > n system indefinite)."""
        return {
            "d": 2.0 * self.scale**2 * streams.exponential(self.n_features),
            **self.noise_state(streams),
        }

    def update(self, gamma, sigma2, state, streams, *, global_drawn=False):
        # theta / sigma, kept off 0 and inf: a weight of exactly 0 (or a sigma that underflowed)
        # would give an infinite inverse-Gaussian mean.
        tiny = np.finfo(float).tiny
        magnitude = np.abs(gamma) / np.sqrt(np.maximum(sigma2, tiny))[:, None]
        magnitude = np.clip(magnitude, tiny, 1e300)
        rate = streams.gamma(self.shape + 1.0, self.n_features) / (
            magnitude + self.shape * self.scale
        )
        state["d"] = inverse_gaussian(rate / magnitude, rate**2, streams, reciprocal=True)

    def record(self, sigma2, state, weight_sum):
        """``sigma``, the NUTS model's name."""
        return {"sigma": np.sqrt(sigma2)}
