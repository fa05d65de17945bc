r"""Sparse priors on the weights: the horseshoe, the regularized horseshoe and R2-D2 (NumPy only).

Each is a normal scale mixture, ``theta_j | scales, sigma ~ N(0, v_j)``, whose prior variances
``v_j`` are functions of global and local scales with priors of their own
(``docs/specification.md``, "Sparse priors"). None has a scikit-learn twin, and the horseshoe
family has no posterior mode (the marginal prior density is infinite at 0).

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

from regprior._validation import check_open_unit_interval, check_positive_float
from regprior.spec.conditionals import inverse_gamma, slice_step
from regprior.spec.hierarchical import NOISE_PRIORS, FullBayes, NoisePriorConditionals

__all__ = [
    "ScaleMixture",
    "Horseshoe",
    "HorseshoeScales",
    "RegularizedHorseshoe",
    "R2D2",
    "piironen_vehtari_tau0",
    "shrinkage_factors",
    "horseshoe_local_draw",
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

    def noise_scale_for(self, y) -> float:
        """``s_sigma``: the given value or ``sd(y)`` (unused by the Jeffreys prior)."""
        return self.noise_scale if self.noise_scale is not None else float(np.std(y))

    def column_scales(self, X) -> np.ndarray:
        """``s_j``, the (unweighted) standard deviations of the columns, 1 for a constant one."""
        sd = np.std(np.asarray(X, dtype=float), axis=0)
        return np.where(sd > 0, sd, 1.0)

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
            noise_prior=self.noise_prior,
            noise_scale=self.noise_scale_for(data.y),
            column_scales=1.0 / self.column_scales(data.X) if self.scale_columns else None,
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
    ``tau = sigma tau_unit``, ``tau_unit ~ C+(0, tau0)``.

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
    gibbs_reason = (
        "its slab makes the conditional of each local scale non-conjugate (a slice step on "
        "log lambda_j would do; not built): sample it with NUTS"
    )

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

    #: With a <= 1/2 the marginal density of a weight is infinite at 0 too: near 0, phi_j has
    #: density ~ phi^(a - 1), and the normal kernel integrates v^(a - 3/2), divergent for a <= 1/2.
    no_mode_reason = (
        "R2-D2 learns the noise sigma and its scales (the joint mode is not a scikit-learn fit), "
        "and at a concentration <= 1/2 the marginal prior density of each weight is infinite "
        "at 0. Use sample_posterior"
    )

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
        return 1.0 / np.expm1(w)
    raise RuntimeError(
        f"the horseshoe's local-scale draw accepted nothing in {MAX_REJECTION_ROUNDS} rounds "
        f"(each accepts with probability >= ~1/2) at rates {rate[pending][:5]}: a bug."
    )


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
