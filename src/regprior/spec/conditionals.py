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
    "NOT_GAUSSIAN",
    "ChainStreams",
    "slice_step",
]

#: Why a specification under a likelihood other than the Gaussian with a known noise has no
#: Gibbs conditionals here (Polya-Gamma augmentation would give the Bernoulli one: not done).
NOT_GAUSSIAN = (
    "the {family} likelihood (the Gibbs engine needs the Gaussian likelihood: conditionally "
    "conjugate weights)"
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
    likelihood (docs/specification.md, "Integrating the weights out") times
    :meth:`log_global_prior`, then ``log sigma^2`` likewise with :meth:`log_noise_prior` (or
    :meth:`noise` when noise-scaled), rescales ``state["d"]``, draws the weights, and calls
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
    """

    noise_scaled: bool = False
    global_key: str | None = None
    jeffreys_noise: bool = True
    reports_shrinkage: bool = False
    sweeps_per_draw: int = 1

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

        Values of shape ``(chains,)`` are scalars, summarised beside the weights; values of
        shape ``(chains, p)`` are per weight (dims ``feature``), kept in the draws only.
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
