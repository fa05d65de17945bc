"""Gibbs conditionals of scale-mixture priors under the Gaussian likelihood, several chains at once.

What the Gibbs engine (:mod:`regprior.inference.gibbs`) asks of a specification, as the MAP
engine asks a prior for its penalty maths: the engine draws the weights given their prior
variances exactly (docs/specification.md, "Gibbs conditionals") and never knows which family
it samples; a :class:`ScaleConditionals` object draws everything else. Every array has the
chains as its leading axis, and chain ``c`` draws from its own generator only
(:class:`ChainStreams`), so a chain's draws depend on its own seed alone.

The weights the engine hands over are *shifted* by the prior centre (``gamma = theta - mu``),
so that every conditional here is of a zero-centred prior. NumPy and SciPy only.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ScaleConditionals",
    "FixedScales",
    "LaplaceScales",
    "GeneralizedDoubleParetoScales",
    "known_noise_variance",
    "inverse_gaussian",
    "laplace_variances",
    "inverse_gamma",
    "generalized_inverse_gaussian",
    "generalized_inverse_gaussian_array",
    "NOT_GAUSSIAN",
    "ChainStreams",
    "slice_step",
]

#: Why a specification under a likelihood other than the Gaussian with a known noise, or one
#: with a Polya-Gamma augmentation (the Bernoulli), has no Gibbs conditionals here.
NOT_GAUSSIAN = (
    "the {family} likelihood (the Gibbs engine needs the Gaussian likelihood or the Bernoulli's "
    "Polya-Gamma augmentation: conditionally Gaussian weights)"
)


def known_noise_variance(likelihood) -> float | None:
    """``sigma**2`` of a quadratic (Gaussian) likelihood with a known noise sd, else None."""
    if likelihood is None or not getattr(likelihood, "quadratic", False):
        return None
    name = getattr(likelihood, "noise_parameter", None)
    if name is None:
        return None
    return float(likelihood.parameters[name]) ** 2


class ChainStreams:
    """One random stream per chain, drawn in blocks and handed out for all chains at once.

    ``normal(k)`` returns a ``(chains, k)`` array whose row ``c`` comes from chain ``c``'s own
    generator (``generators[c]``), so a chain's draws depend on its seed alone; drawing blocks
    of :attr:`BLOCK` values per chain turns one generator call per chain and draw into one per
    block. ``generators`` serve any other law (SciPy's ``random_state``).
    """

    BLOCK = 4096

    def __init__(self, generators):
        self.generators = list(generators)
        self._buffers: dict = {}

    def __len__(self) -> int:
        return len(self.generators)

    def _take(self, key, k: int, fill) -> np.ndarray:
        buffer, used = self._buffers.get(key, (None, 0))
        if buffer is None or used + k > buffer.shape[1]:
            size = max(self.BLOCK, k)
            buffer, used = np.stack([fill(rng, size) for rng in self.generators]), 0
        self._buffers[key] = (buffer, used + k)
        return buffer[:, used : used + k]

    def normal(self, k: int) -> np.ndarray:
        """Standard normal draws, shape ``(chains, k)``."""
        return self._take("standard_normal", k, lambda rng, size: rng.standard_normal(size))

    def uniform(self, k: int) -> np.ndarray:
        """Uniform draws on [0, 1), shape ``(chains, k)``."""
        return self._take("uniform", k, lambda rng, size: rng.random(size))

    def exponential(self, k: int) -> np.ndarray:
        """Standard exponential draws, shape ``(chains, k)``."""
        return self._take("exponential", k, lambda rng, size: rng.standard_exponential(size))

    def gamma(self, shape: float, k: int) -> np.ndarray:
        """``Gamma(shape, rate 1)`` draws, shape ``(chains, k)``."""
        return self._take(
            ("gamma", float(shape)), k, lambda rng, size: rng.standard_gamma(shape, size)
        )

    def normal_squared(self, k: int, factor: float = 1.0) -> np.ndarray:
        """``factor * z^2`` for standard normal ``z`` (``factor`` times a chi-square with one
        degree of freedom), shape ``(chains, k)``: squared and scaled a block at a time."""
        factor = float(factor)

        def fill(rng, size):
            z = rng.standard_normal(size)
            z *= z
            z *= factor
            return z

        return self._take(("normal_squared", factor), k, fill)

    def uniform_odds(self, k: int) -> np.ndarray:
        """``u / (1 - u)`` for uniform ``u`` on [0, 1), shape ``(chains, k)``: ``u <= q`` exactly
        when the odds are ``<= q / (1 - q)``, one comparison where ``u`` would need three."""

        def fill(rng, size):
            u = rng.random(size)
            return u / (1.0 - u)

        return self._take("uniform_odds", k, fill)


def _larger_root_ratio(a: np.ndarray) -> np.ndarray:
    """``t = 1 + a + sqrt(a (2 + a))`` (a new array): Michael, Schucany & Haas's two roots of an
    inverse Gaussian draw are ``mean / t`` and ``mean t``, with ``a = mean z^2 / (2 shape)``.

    A sum of non-negative terms: nothing cancels, so every digit survives when ``mean`` is huge
    (NumPy's ``wald`` subtracts two nearly equal numbers there, and loses them all). The root is
    taken as ``sqrt(a) sqrt(2 + a)``, which cannot overflow where ``a (2 + a)`` would (a weight
    below ~1e-154 in magnitude).
    """
    t = a + 2.0
    np.sqrt(t, out=t)
    t *= np.sqrt(a)
    t += a
    t += 1.0
    return t


def inverse_gaussian(mean, shape, streams: ChainStreams, *, reciprocal: bool = False):
    """Inverse Gaussian draws (Michael, Schucany & Haas 1976), one row per chain.

    ``mean`` and ``shape`` broadcast to ``(chains, k)``. With ``a = mean z^2 / (2 shape)`` and
    ``t = 1 + a + sqrt(a (2 + a))``, the draw is the smaller root ``mean / t`` with probability
    ``mean / (mean + mean / t) = t / (1 + t)``, else ``mean t``: ``u <= t / (1 + t)`` is
    ``u / (1 - u) <= t`` (:meth:`ChainStreams.uniform_odds`). ``reciprocal``: return ``1 / X``
    (``t / mean`` or ``1 / (mean t)``), the variance a normal scale mixture needs, without a
    division more.
    """
    mean, shape = np.asarray(mean, float), np.asarray(shape, float)
    k = np.broadcast_shapes(mean.shape, shape.shape)[1]
    a = streams.normal_squared(k, 0.5) * mean
    a /= shape
    t = _larger_root_ratio(a)
    odds = streams.uniform_odds(k)
    if reciprocal:
        np.reciprocal(t, out=t, where=odds > t)  # t where the smaller root is drawn, else 1 / t
        t /= mean
        return t
    np.reciprocal(t, out=t, where=odds <= t)  # 1 / t where the smaller root is drawn, else t
    t *= mean
    return t


def laplace_variances(gamma, scale: float, streams: ChainStreams) -> np.ndarray:
    """The variances ``d_j`` of a Laplace(0, ``scale``) scale mixture given the weights, per chain.

    ``1 / d_j ~ InverseGaussian(mean 1 / (s |gamma_j|), shape 1 / s^2)`` (Park & Casella 2008),
    drawn as :func:`inverse_gaussian` draws it, with ``mean`` and ``shape`` substituted:
    ``a = mean z^2 / (2 shape) = (s^2 / 2) z^2 / (s |gamma_j|)`` and
    ``d_j = s |gamma_j| t`` (the smaller root of ``1 / d_j``) or ``s |gamma_j| / t``.
    """
    s = float(scale)
    k = gamma.shape[1]
    spread = np.abs(gamma)
    spread *= s
    t = _larger_root_ratio(streams.normal_squared(k, 0.5 * s * s) / spread)
    # The larger root of 1 / d (probability 1 / (1 + t)) is drawn: d = s |gamma| / t.
    np.reciprocal(t, out=t, where=streams.uniform_odds(k) > t)
    t *= spread
    return t


def inverse_gamma(shape: float, rate, streams: ChainStreams) -> np.ndarray:
    """``InvGamma(shape, rate)`` draws, density ``x^(-shape - 1) exp(-rate / x)``, per chain."""
    rate = np.asarray(rate, float)
    k = int(np.prod(rate.shape[1:], dtype=int))
    return rate / streams.gamma(shape, k).reshape(rate.shape)


def generalized_inverse_gaussian(lam: float, a: float, b, streams: ChainStreams) -> np.ndarray:
    """``GIG(lam, a, b)`` draws, density ``x^(lam - 1) exp(-(a x + b / x) / 2)``, one per chain.

    ``b`` has one value per chain (``a > 0`` and ``b > 0``). SciPy's ``geninvgauss(p, w)`` is
    this law with ``a = b = w`` and scale 1; scaling by ``sqrt(b / a)`` gives the general one.
    """
    from scipy.stats import geninvgauss

    b = np.asarray(b, float)
    omega = np.sqrt(a * b)
    draws = np.array(
        [
            geninvgauss.rvs(lam, w, random_state=rng)
            for w, rng in zip(omega, streams.generators, strict=True)
        ],
        dtype=float,
    )
    return draws * np.sqrt(b / a)


#: Rounds of :func:`generalized_inverse_gaussian_array`'s rejection sampler before it gives up
#: (Devroye's envelope accepts with probability >= ~0.4 for every parameter).
GIG_MAX_ROUNDS = 200


def generalized_inverse_gaussian_array(lam: float, a: float, b, streams: ChainStreams):
    r"""``GIG(lam, a, b)`` draws with one ``b`` per chain and element (Devroye 2014), vectorised.

    The density is ``x^(lam - 1) exp(-(a x + b / x) / 2)`` (as :func:`generalized_inverse_gaussian`,
    which draws one value per chain through SciPy: one call per value would cost ~20 us each).
    ``b`` has shape ``(chains, k)``, ``a > 0``; chain ``c`` draws from ``streams.generators[c]``
    only.

    Devroye (2014, Statistics and Computing 24:239), "Random variate generation for the
    generalized inverse Gaussian distribution": with ``omega = sqrt(a b)``, ``mu = |lam|`` and
    ``alpha = sqrt(omega^2 + mu^2) - mu``, the logarithm ``y`` of ``X / m`` (``X`` the
    standardised ``GIG(mu, omega)`` variable, density ``x^(mu - 1) exp(-omega (x + 1/x) / 2)``,
    ``m = (mu + sqrt(mu^2 + omega^2)) / omega`` its mode's scale) has the log-concave density

    .. math:: \psi(y) = -\alpha(\cosh y - 1) - \mu(e^y - y - 1),

    maximal (0) at ``y = 0``. The envelope is 1 on ``[-s', t']`` and the tangents of ``psi`` at
    ``t > 0`` and ``-s < 0`` beyond (above ``psi`` by concavity, for any ``t`` and ``s``:
    Devroye's choices of ``t`` and ``s`` bound the rejection rate), where ``t' = t + psi(t) /
    psi'(t)`` and ``s' = s + psi(-s) / psi'(-s)`` are where the tangents reach 1. A negative
    ``lam`` uses ``GIG(-mu, omega) = 1 / GIG(mu, omega)``. Back on the original scale
    ``X sqrt(b / a) = e^y (mu + sqrt(mu^2 + omega^2)) / a``, or ``e^-y b / (mu + sqrt(mu^2 +
    omega^2))`` for ``lam < 0``: no intermediate overflows when ``b`` is tiny.
    """
    b = np.asarray(b, dtype=float)
    lam, a = float(lam), float(a)
    mu = abs(lam)
    omega = np.sqrt(a * b)
    root = np.sqrt(mu * mu + omega * omega)
    alpha = omega * omega / (root + mu)  # sqrt(omega^2 + mu^2) - mu without cancellation
    out = np.empty_like(b)
    for c, rng in enumerate(streams.generators):
        out[c] = _devroye_log_draw(alpha[c], mu, rng)
    if lam >= 0:
        return np.exp(out) * (mu + root) / a
    return np.exp(-out) * b / (mu + root)


def _devroye_psi(y, alpha, mu):
    curve = -alpha * (np.cosh(y) - 1.0)
    return curve if mu == 0 else curve - mu * (np.expm1(y) - y)


def _devroye_slope(y, alpha, mu):
    return -alpha * np.sinh(y) - mu * np.expm1(y)


def _devroye_log_draw(alpha, mu: float, rng) -> np.ndarray:
    """``y`` of :func:`generalized_inverse_gaussian_array` for one chain (``alpha`` an array)."""
    alpha = np.asarray(alpha, dtype=float)
    # Devroye's t: 1 where -psi(1) is within [1/2, 2], else from the tail's asymptotics.
    drop = -_devroye_psi(1.0, alpha, mu)
    t = np.where(
        drop > 2.0,
        np.sqrt(2.0 / (alpha + mu)),
        np.where(drop < 0.5, np.log(4.0 / (alpha + 2.0 * mu)), 1.0),
    )
    drop = -_devroye_psi(-1.0, alpha, mu)
    with np.errstate(divide="ignore"):
        small = np.log1p(1.0 / alpha + np.sqrt(1.0 / alpha**2 + 2.0 / alpha))
        if mu > 0:
            small = np.minimum(small, 1.0 / mu)
    s = np.where(
        drop > 2.0,
        np.sqrt(4.0 / (alpha * np.cosh(1.0) + mu)),
        np.where(drop < 0.5, small, 1.0),
    )
    eta, zeta = -_devroye_psi(t, alpha, mu), -_devroye_slope(t, alpha, mu)
    theta, xi = -_devroye_psi(-s, alpha, mu), _devroye_slope(-s, alpha, mu)
    left_mass, right_mass = 1.0 / xi, 1.0 / zeta  # the exponential tails' masses
    right, left = t - eta * right_mass, s - theta * left_mass  # t', s'
    flat = right + left
    total = flat + right_mass + left_mass
    y = np.empty_like(alpha)
    pending = np.arange(alpha.size)
    for _ in range(GIG_MAX_ROUNDS):
        if not pending.size:
            return y
        k = pending.size
        u, v, w = rng.random(k), rng.random(k), rng.random(k)
        r_, l_, f_, m_, sum_ = (x[pending] for x in (right, left, flat, right_mass, total))
        in_flat = u * sum_ < f_
        in_right = ~in_flat & (u * sum_ < f_ + m_)
        log_v = np.log1p(-v)  # v in [0, 1): never log(0)
        proposal = np.where(
            in_flat,
            -l_ + f_ * v,
            np.where(in_right, r_ - m_ * log_v, -l_ + left_mass[pending] * log_v),
        )
        # log of the envelope: 0 on the flat part, the tangent lines beyond it
        envelope = np.where(
            proposal > r_,
            -eta[pending] - zeta[pending] * (proposal - t[pending]),
            np.where(proposal < -l_, -theta[pending] + xi[pending] * (proposal + s[pending]), 0.0),
        )
        with np.errstate(over="ignore", invalid="ignore"):  # far tails: psi = -inf, rejected
            accept = np.log1p(-w) + envelope <= _devroye_psi(proposal, alpha[pending], mu)
        y[pending[accept]] = proposal[accept]
        pending = pending[~accept]
    if not pending.size:
        return y
    raise RuntimeError(
        f"the GIG draw accepted nothing in {GIG_MAX_ROUNDS} rounds (alpha {alpha[pending][:5]}, "
        f"mu {mu}): a bug."
    )


class ScaleConditionals:
    """The conditionals of one specification's scales and noise, for several chains at once.

    The weights have the prior ``theta_j - mu_j ~ N(0, v_j)`` given the scales, with prior
    variance ``v_j = sigma^2 d_j`` when :attr:`noise_scaled` (Park & Casella, the horseshoe),
    else ``v_j = d_j``. The engine, each sweep:

    1. reads ``d = state["d"]`` (shape ``(chains, p)``);
    2. noise-scaled and noise learnt: draws ``sigma^2`` with the weights integrated out,
       :meth:`noise` of ``y'(I + X D X')^{-1} y`` (blocked Gibbs: the joint draw of
       ``(sigma^2, theta)`` given ``d`` mixes where the three-step sampler crawls at p > n,
       Rajaratnam et al. 2019);
    3. draws the weights given ``d`` and ``sigma^2`` exactly;
    4. not noise-scaled and noise learnt: draws ``sigma^2`` given the weights, :meth:`noise`
       of the residual sum of squares;
    5. calls :meth:`update` with the shifted weights, which redraws ``state["d"]`` and any
       hyperparameter (in place).

    A specification with a learnt global scale :attr:`global_key` (``d = g e``, with
    ``g = state[global_key]`` and local scales ``e``) or a learnt noise not scaling the prior is
    sampled partially collapsed (van Dyk & Park 2008), with the weights integrated out: the
    engine draws ``log g`` given ``e`` and ``sigma^2`` by a slice step on the Gaussian marginal
    likelihood (docs/specification.md, "Integrating the weights out") times the joint prior
    :meth:`log_scales_prior` (by default :meth:`log_global_prior` times
    :meth:`log_noise_prior`), then ``log sigma^2`` likewise (or :meth:`noise` when
    noise-scaled), rescales ``state["d"]``, draws the weights, and calls
    :meth:`update` with ``global_drawn=True`` (redraw ``e`` only). Drawing the global scale
    given the local ones and the weights crawls at p > n (the 50 x 100 set of
    ``hierarchical_health.md``: bulk ESS ~15 in 4 x 1000 sweeps for sigma, tau and lambda) and
    is slow on diabetes too (Park & Casella's lambda: bulk ESS ~450 against ~1,600 collapsed).

    A new specification adds one subclass and a ``scale_conditionals`` method on its own class
    (spec/ only; the engine is untouched). The horseshoe
    (``HorseshoeScales`` in :mod:`regprior.spec.sparse`), for instance: ``noise_scaled = True``,
    ``global_key = "tau2"``, ``d_j = tau^2 lambda_j^2``; :meth:`update` draws ``lambda_j^2``
    (and, unless ``global_drawn``, ``tau^2`` and ``xi``) and sets ``state["d"]``;
    :meth:`log_global_prior` is that of ``log tau^2`` under ``tau ~ C+(0, tau0)``,
    ``log tau - log(1 + tau^2 / tau0^2)``.

    Attributes
    ----------
    noise_scaled : bool
        Prior variances ``sigma^2 d_j`` (True) or ``d_j`` (False).
    noise_variance : float or None
        The known ``sigma^2`` of the likelihood; None when the specification learns it.
    centre : ndarray of shape (p,)
        The prior centre ``mu`` (zeros for every full-Bayes specification).
    column_scales : ndarray of shape (p,) or None
        ``c_j`` of a prior stated on ``theta_j / c_j`` (per-column scales): the engine samples
        ``gamma_j / c_j`` against the columns ``c_j x_j`` and hands those to the conditionals.
    global_key : str or None
        The state entry of a learnt global multiplier of the prior variances (None: none).
    jeffreys_noise : bool
        The noise prior is ``p(sigma^2) ~ 1/sigma^2`` (the default :meth:`noise`), which the
        engine may integrate out in closed form.
    reports_shrinkage : bool
        The engine records each draw's shrinkage factors ``kappa_j = 1 / (1 + x_j'Wx_j v_j /
        sigma^2)`` (centred columns) and ``m_eff = sum_j (1 - kappa_j)``, as the PyMC model of
        a sparse prior does (``docs/specification.md``, "Horseshoe").
    sweeps_per_draw : int
        Sweeps per kept draw by default (the engine's ``thin``): more than 1 where one sweep
        moves too little for the diagnostics' targets at 1000 draws a chain.
    draws_only : tuple of str
        Scalar records kept in the draws but not summarised, as the PyMC model keeps its free
        variables beside its summary names (so that the two engines' tables line up).
    """

    noise_scaled: bool = False
    global_key: str | None = None
    jeffreys_noise: bool = True
    reports_shrinkage: bool = False
    sweeps_per_draw: int = 1
    draws_only: tuple = ()

    def __init__(self, n_features: int, *, noise_variance=None, centre=None, column_scales=None):
        self.n_features = int(n_features)
        self.noise_variance = noise_variance
        self.centre = np.zeros(n_features) if centre is None else np.asarray(centre, float)
        self.column_scales = None if column_scales is None else np.asarray(column_scales, float)

    @property
    def learns_noise(self) -> bool:
        return self.noise_variance is None

    def start(self, streams, noise_guess: float) -> dict:
        """The first state of each chain: ``{"d": (chains, p), ...}``, drawn to be overdispersed.

        ``noise_guess`` is a rough noise variance (the variance of ``y``) for specifications
        that must start ``sigma^2`` somewhere.
        """
        raise NotImplementedError

    def update(self, gamma, sigma2, state: dict, streams, *, global_drawn=False) -> None:
        """Redraw the scales (``state["d"]``) and hyperparameters given the shifted weights.

        ``global_drawn``: the engine has drawn the global scale (collapsed); keep it.
        """
        raise NotImplementedError

    def log_global_prior(self, g) -> np.ndarray:
        """Log prior density of ``log g``, up to a constant (a learnt global scale)."""
        raise NotImplementedError

    #: Log prior density of ``log e_j``, up to a constant, of the local scales ``e = d / g``
    #: (``e = d`` without a learnt global scale), iid a priori and independent of ``g``: a
    #: callable of ``e`` (shape ``(chains, p)``), or None where it is not known in closed form.
    #: The single-site sweep uses it for a Metropolis step on each ``e_j`` with the weight
    #: integrated out; :meth:`update` must then redraw the local scales given the weights
    #: without reading their previous values.
    log_local_prior = None

    @property
    def independent_scale_priors(self) -> bool:
        """Whether :meth:`log_scales_prior` is the default sum of :meth:`log_global_prior` and
        :meth:`log_noise_prior` (what the single-site route's moves assume)."""
        return type(self).log_scales_prior is ScaleConditionals.log_scales_prior

    def log_scales_prior(self, g, sigma2, state: dict) -> np.ndarray:
        """Log joint prior density of ``(log g, log sigma^2)`` given the rest of ``state``, up to
        a constant: what the engine's collapsed step adds to the marginal likelihood.

        ``g`` and ``sigma2`` have one value per chain; ``state`` holds the local scales ``e =
        d / state[global_key]`` (and any hyperparameter) fixed while ``g`` and ``sigma^2``
        move, in the coordinates the specification chose. Default: independent priors,
        :meth:`log_global_prior` (with a :attr:`global_key`) plus :meth:`log_noise_prior`. A
        specification whose global scale's prior involves sigma, or whose other scales move
        with ``g`` in its chosen coordinates (a Jacobian, their prior at the moved values),
        overrides this. Under a noise-scaled prior with Jeffreys' noise the engine integrates
        sigma out: the density must then not depend on ``sigma2``.
        """
        noise = self.log_noise_prior(sigma2)
        if self.global_key is None:
            return noise
        return self.log_global_prior(g) + noise

    def log_noise_prior(self, sigma2) -> np.ndarray:
        """Log prior density of ``log sigma^2``, up to a constant: Jeffreys' flat one here."""
        return np.zeros_like(np.asarray(sigma2, float))

    def noise(self, quadratic, dof: float, state: dict, streams) -> np.ndarray:
        """Draw ``sigma^2`` given a quadratic form, one per chain.

        ``quadratic`` is ``y'(I + X D X')^{-1} y`` (noise-scaled: the weights integrated out)
        or the residual sum of squares (otherwise), and ``sigma^{-dof} exp(-quadratic /
        (2 sigma^2))`` is its likelihood in ``sigma``. The default is the Jeffreys prior
        ``p(sigma^2) ~ 1/sigma^2``: ``InvGamma(dof / 2, quadratic / 2)``.
        """
        return inverse_gamma(0.5 * dof, 0.5 * np.asarray(quadratic)[:, None], streams)[:, 0]

    def record(self, sigma2, state: dict, weight_sum: float) -> dict:
        """``{name: values}`` the posterior reports (none by default).

        Values of shape ``(chains,)`` are scalars, summarised beside the weights (but those in
        :attr:`draws_only`); values of shape ``(chains, p)`` are per weight (dims ``feature``),
        kept in the draws only.
        """
        return {}


class FixedScales(ScaleConditionals):
    """A Normal prior with fixed variances ``d_j = v_j``: nothing to draw but the weights."""

    def __init__(self, variances, n_features, **kwargs):
        super().__init__(n_features, **kwargs)
        self.variances = np.broadcast_to(np.asarray(variances, float), (n_features,))

    def start(self, streams, noise_guess):
        return {"d": np.tile(self.variances, (len(streams), 1))}

    def update(self, gamma, sigma2, state, streams, *, global_drawn=False):
        pass


class LaplaceScales(ScaleConditionals):
    """A Laplace prior of scale ``s`` as a normal scale mixture (Andrews & Mallows 1974).

    ``theta_j ~ N(0, d_j)``, ``d_j ~ Exp(rate 1 / (2 s^2))``; given the weight,
    ``1 / d_j ~ InverseGaussian(mean 1 / (s |theta_j|), shape 1 / s^2)``.
    """

    def __init__(self, scale: float, n_features, **kwargs):
        super().__init__(n_features, **kwargs)
        self.scale = float(scale)

    def start(self, streams, noise_guess):
        p = self.n_features
        return {"d": 2.0 * self.scale**2 * streams.exponential(p)}

    def update(self, gamma, sigma2, state, streams, *, global_drawn=False):
        state["d"] = laplace_variances(gamma, self.scale, streams)

    def log_local_prior(self, e):
        """``d ~ Exp(rate 1 / (2 s^2))``: the density of ``log d`` is ``d exp(-d / (2 s^2))``."""
        return np.log(e) - 0.5 * e / self.scale**2


class GeneralizedDoubleParetoScales(ScaleConditionals):
    """A generalized double Pareto prior (scale ``xi``, shape ``a``) as a normal scale mixture.

    Armagan, Dunson & Lee (2013): ``theta_j ~ N(0, d_j)``, ``d_j ~ Exp(rate l_j^2 / 2)``,
    ``l_j ~ Gamma(a, rate a xi)``. Given the weight, ``d_j`` integrated out leaves
    ``theta_j | l_j ~ Laplace(rate l_j)``, so ``l_j | theta_j ~ Gamma(a + 1, rate |theta_j| + a
    xi)``; then ``1 / d_j | theta_j, l_j ~ InverseGaussian(mean l_j / |theta_j|, shape
    l_j^2)``. Drawing ``l_j`` with ``d_j`` integrated out and then ``d_j`` is one joint draw of
    ``(l_j, d_j)`` given the weight.
    """

    def __init__(self, scale: float, shape: float, n_features, **kwargs):
        super().__init__(n_features, **kwargs)
        self.scale, self.shape = float(scale), float(shape)

    def start(self, streams, noise_guess):
        # The Laplace(scale) mixture, not the GDP's own: a Gamma(a) draw near 0 (a < 1) gives
        # variances of 1e13-1e17 that make the p > n system indefinite in floating point.
        return {"d": 2.0 * self.scale**2 * streams.exponential(self.n_features)}

    def update(self, gamma, sigma2, state, streams, *, global_drawn=False):
        magnitude = np.abs(gamma)
        laplace_rate = streams.gamma(self.shape + 1.0, self.n_features) / (
            magnitude + self.shape * self.scale
        )
        state["d"] = 1.0 / inverse_gaussian(laplace_rate / magnitude, laplace_rate**2, streams)


def slice_step(log_density, x0, streams, width: float = 1.0, max_steps: int = 50):
    """One slice-sampling update of a scalar per chain: stepping out, then shrinkage (Neal 2003).

    Vectorised over the chains: ``log_density`` maps ``(chains,)`` to ``(chains,)``; every chain
    draws its uniforms from its own stream, in lockstep.
    """
    chains = len(x0)
    level = log_density(x0) - streams.exponential(1)[:, 0]
    left = x0 - width * streams.uniform(1)[:, 0]
    right = left + width
    steps_left = np.floor(max_steps * streams.uniform(1)[:, 0])
    steps_right = max_steps - 1 - steps_left
    for _ in range(max_steps):
        out = (steps_left > 0) & (log_density(left) > level)
        if not out.any():
            break
        left = np.where(out, left - width, left)
        steps_left -= out
    for _ in range(max_steps):
        out = (steps_right > 0) & (log_density(right) > level)
        if not out.any():
            break
        right = np.where(out, right + width, right)
        steps_right -= out
    x1, pending = np.array(x0, dtype=float), np.ones(chains, bool)
    for _ in range(200):
        proposal = left + (right - left) * streams.uniform(1)[:, 0]
        accept = pending & (log_density(proposal) > level)
        x1 = np.where(accept, proposal, x1)
        pending &= ~accept
        if not pending.any():
            return x1
        below = pending & (proposal < x0)
        left = np.where(below, proposal, left)
        right = np.where(pending & ~below, proposal, right)
    return x1  # shrunk to the current point: keep it (a valid, if lazy, move)
