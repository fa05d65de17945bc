"""Full posterior by conditionally conjugate Gibbs sampling of scale-mixture priors (NumPy, LAPACK).

The weights given their prior variances are Gaussian and drawn exactly (docs/specification.md,
"Gibbs conditionals"): by Rue's (2001) Cholesky algorithm on the sufficient statistics
``X'WX``, ``X'Wy`` when ``p <= n`` (a sweep then costs nothing in ``n``), and by the algorithm
of Bhattacharya, Chakraborty & Mallick (2016) when ``p > n`` (``O(n^2 p)``, an ``n x n``
system, never a ``p x p`` matrix), or, on request, one at a time (``route="single_site"``,
``O(n p)`` a sweep, ``_SingleSite``). The scales, hyperparameters and noise come from the
specification's own conditionals (:mod:`regprior.spec.conditionals`): this module never names
a prior family. A learnt global scale and a learnt noise are drawn with the weights integrated
out (a partially collapsed sweep, ``_collapsed_step``). The result is the
:class:`~regprior.inference.nuts.PosteriorResult` NUTS returns, with ``engine="gibbs"``; Gibbs
has no divergences (reported as 0).

The flat intercept is integrated out by centring (weighted); the centred intercept is then
``N(0, sigma^2 / N)`` a posteriori, independent of the weights, and is drawn from that
conditional each sweep. Sample weights are precisions (``y_i ~ N(c + x_i'theta,
sigma^2 / w_i)``, as in the PyMC model): the likelihood's power of ``sigma`` counts rows, so a
learnt noise has ``n - 1`` residual degrees of freedom (``n`` without an intercept), which is
``N - 1`` without weights.

A likelihood that names a data augmentation (``gibbs_augmentation``: the Bernoulli's
Polya-Gamma) is sampled by its own sweep, :mod:`regprior.inference.polya_gamma`; the Gaussian
sweep here does not see it.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from regprior._validation import check_sampling_args
from regprior.backend.names import (
    INTERCEPT,
    KAPPA,
    M_EFF,
    WEIGHTS,
)
from regprior.inference.nuts import PosteriorResult, _summarise
from regprior.spec.conditionals import ChainStreams
from regprior.spec.conditionals import slice_step as _slice
from regprior.spec.data import RegressionData, weighted_centring
from regprior.spec.hierarchical import FullBayes

__all__ = ["gibbs_posterior", "gibbs_unavailable", "gibbs_conditionals", "ENGINES"]

#: The engines of :func:`regprior.sample_posterior`.
ENGINES = ("nuts", "gibbs", "auto")
#: How the weights are drawn (:func:`gibbs_posterior`).
ROUTES = ("auto", "rue", "bhattacharya", "single_site")


def gibbs_unavailable(spec, likelihood=None) -> str | None:
    """Why the Gibbs engine cannot sample ``spec`` (with ``likelihood``); None when it can."""
    if isinstance(spec, FullBayes):
        return spec.gibbs_unavailable()
    return spec.gibbs_unavailable(likelihood)


def gibbs_conditionals(spec, likelihood, data: RegressionData):
    """The specification's :class:`~regprior.spec.conditionals.ScaleConditionals` on ``data``."""
    if isinstance(spec, FullBayes):
        return spec.gibbs_conditionals(data)
    return spec.gibbs_conditionals(likelihood, data.n_features)


class _Problem:
    """The centred data a sweep needs: sufficient statistics (p <= n) or weighted rows (p > n).

    The weights are shifted by the prior centre (``gamma = theta - mu``, ``y - X mu``), so that
    every conditional is of a zero-centred prior.
    """

    def __init__(
        self,
        data: RegressionData,
        centre,
        *,
        fit_intercept: bool,
        route: str = "auto",
        column_scales=None,
        threshold: float | None = None,
    ):
        x_mean, y_mean, X, y = weighted_centring(data, fit_intercept=fit_intercept)
        self.x_mean, self.y_mean = x_mean, y_mean
        self.n, self.p = data.n_samples, data.n_features
        self.weight_sum = data.weight_sum
        self.dof = self.n - 1 if fit_intercept else self.n
        self.wide = self.p > self.n if route == "auto" else route == "bhattacharya"
        self.single_site = route == "single_site"
        self.threshold = threshold
        # Johndrow et al.'s d_j s_j^2 > threshold as x_j'Wx_j d_j > threshold N (s_j^2 the
        # weighted variance of the centred column).
        self.cutoff = None if threshold is None else threshold * self.weight_sum
        self.selected: list = []  # thresholded route: |S| of every chain and sweep
        root_w = np.sqrt(data.weights)
        y = (y - X @ centre) * root_w
        # A prior on theta_j / c_j: the sweep runs on the columns c_j x_j (theta = c * draw).
        self.column_scales = column_scales
        if column_scales is not None:
            X = X * column_scales
        if self.single_site:
            # One weight at a time (_SingleSite): the columns of W^(1/2) X, each contiguous.
            self.columns = np.asfortranarray(X * root_w[:, None])
            self.target = y
            self.column_norms = np.einsum("ij,ij->j", self.columns, self.columns)
        elif self.wide:
            # Bhattacharya et al.: the n x p rows W^(1/2) X, never X'WX.
            self.rows = X * root_w[:, None]
            self.target = y
            # Reused every sweep: a fresh n x p product would page-fault its memory each time.
            self.buffer = np.empty_like(self.rows)
            self.spectra: dict = {}  # chain -> (local scales, eigenvalues, eigenvectors, z^2)
            self.column_norms = np.einsum("ij,ij->j", self.rows, self.rows)
        else:
            rows = X * root_w[:, None]
            self.xtx = rows.T @ rows
            self.xty = rows.T @ y
            self.column_norms = np.diag(self.xtx).copy()
        self.yty = float(y @ y)


def _lapack():
    from scipy.linalg import get_lapack_funcs

    return get_lapack_funcs(("potrf", "trtrs", "potrs"), (np.empty((1, 1)),))


@functools.cache
def _banded_lapack():
    """``dpbtrf``, ``dpbtrs`` and ``dtbmv``: the stacked weight draw (:class:`_StackedSystems`)."""
    from scipy.linalg import get_blas_funcs, get_lapack_funcs

    like = (np.empty((1, 1)),)
    return (*get_lapack_funcs(("pbtrf", "pbtrs"), like), get_blas_funcs("tbmv", like))


def _cholesky(potrf, matrix) -> np.ndarray:
    factor, info = potrf(matrix, lower=1, overwrite_a=1, clean=1)
    _check_factor(info)
    return factor


def _check_factor(info: int) -> None:
    if info != 0:
        raise np.linalg.LinAlgError(
            f"the Gibbs engine's Cholesky factor failed (LAPACK info {info}): a prior variance "
            "underflowed or overflowed; rescale X and y."
        )


def gibbs_posterior(
    data: RegressionData,
    spec,
    likelihood=None,
    *,
    fit_intercept: bool = True,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int = 0,
    route: str = "auto",
    threshold: float | None = None,
    thin: int | None = None,
) -> PosteriorResult:
    """Sample the posterior of ``spec`` on ``data`` by Gibbs, with the result NUTS gives.

    Each sweep draws, for every chain: the noise variance with the weights integrated out (a
    noise-scaled prior with a learnt noise); the weights given the prior variances, exactly;
    the noise given the weights (a learnt noise otherwise); the scales and hyperparameters
    (:meth:`~regprior.spec.conditionals.ScaleConditionals.update`); the centred intercept.
    The first ``tune`` sweeps of every chain are discarded. Chains draw from independent
    streams spawned by ``np.random.SeedSequence(random_seed)``: same seed, same draws. BLAS is
    pinned to one thread (:func:`~regprior.inference.threads.one_blas_thread`).

    Parameters
    ----------
    data : RegressionData
        Checked data (:func:`regprior.sample_posterior` checks them).
    spec : Prior or FullBayes
        A specification with Gibbs conditionals (``gibbs_unavailable`` returns None).
    likelihood : Likelihood, optional
        The Gaussian with a known noise sigma for a prior, or a likelihood with a Polya-Gamma
        augmentation (the Bernoulli: :func:`regprior.inference.polya_gamma.polya_gamma_posterior`
        samples it, taking none of ``route``, ``threshold``, ``thin``); None for a full-Bayes
        specification.
    fit_intercept : bool, default=True
    draws, tune, chains : int, default=1000, 1000, 4
        Kept sweeps per chain, discarded warm-up sweeps per chain, chains.
    random_seed : int, default=0
    route : {"auto", "rue", "bhattacharya", "single_site"}, default="auto"
        How the weights are drawn: Rue's ``p x p`` Cholesky, Bhattacharya et al.'s ``n x n``
        system (partially collapsed when a global scale or a non-scaling noise is learnt), or
        ``"auto"``: Rue when ``p <= n``. Both are exact at any shape; the tests compare them.
        ``"single_site"``: one weight at a time from its full conditional given the others
        (coordinate-wise Gibbs, ``O(n p)`` a sweep against ``O(n^2 p)``; compiled with numba),
        the noise and the global scale given the weights, interwoven with non-centred and
        partially non-centred moves (Yu & Meng 2011; ``_SingleSite``). Exact too, but
        a sweep moves less than a blocked one, and much less where the weights' posterior is
        strongly correlated (``p > n`` with little shrinkage). Measured on the horseshoe
        (``p0 = 5``, 4 x 1000 draws after 1000 sweeps, BLAS pinned, a 2-core machine at load
        ~2): on 500 x 10,000 ~0.019 s a sweep of 4 chains against ~0.3 s for the ``n x n``
        route; at the default four sweeps a draw 94 s of sampling (110 s with the summary),
        r_hat <= 1.01 and a bulk ESS >= 417 over the weights, ``tau``, ``sigma`` and
        ``m_eff``, peak memory 1.7 GB; on 200 x 1000 r_hat 1.009 and bulk ESS >= 518 in 19 s
        (the ``n x n`` route: r_hat 1.016 and 404 in 97 s). Where shrinkage is weak it fails:
        ``tau0 = 1`` on 60 x 120 (r_hat 1.08, ESS 41; the ``n x n`` route 1.010 and 598) and
        on 100 x 1000 (r_hat 2.5; ``p0 = 5`` there 1.047 and 55 against 1.011 and 527).
        Never chosen by ``"auto"``.
    thin : int, optional
        Sweeps per kept draw (the last of each ``thin`` is kept): default the specification's
        :attr:`~regprior.spec.conditionals.ScaleConditionals.sweeps_per_draw` (1 but for the
        horseshoe). ``tune`` counts sweeps.
    threshold : float, optional
        Opt in to the approximate sweep of Johndrow, Orenstein & Bhattacharya (2020, JMLR 21:73,
        "Scalable approximate MCMC algorithms for the horseshoe prior") on the ``n x n`` route
        (p > n), for a noise-scaled prior with a learnt global scale (the horseshoe, Park &
        Casella's with a learnt lambda). Each sweep keeps the columns
        ``S = {j : s_j^2 d_j > threshold}``, ``s_j^2 = x_j'Wx_j / N`` the (weighted) variance of
        the centred column and ``sigma^2 d_j`` the weight's prior variance: Johndrow et al.'s
        ``d_j > delta`` on standardised columns, with their ``delta = 1e-4`` in mind
        (``N s_j^2 d_j = 1/kappa_j - 1`` is column ``j``'s share of the trace of
        ``M = I + X D X'``). It approximates ``M`` by ``I + X_S D_S X_S'`` in the collapsed draw
        of the global scale and the noise, draws ``theta_S`` from the exact conditional given
        ``X_S`` alone and the other weights from their prior. A sweep then costs
        ``O(n |S|^2 + p)`` (``|S| <= n``) instead of ``O(n^2 p)``; it pays only when ``|S|`` is
        well below ``n``. The dropped columns act on ``y`` like extra noise of variance
        ``sigma^2 sum_{j not in S} s_j^2 d_j``, which sigma absorbs. **Measured failure
        mode**: an effect whose local scale falls below the threshold is drawn from its prior and
        no longer seen by the draw of the global scale; sigma absorbs it, tau shrinks and more
        columns fall out. Measured at ``delta = 1e-4`` with ten effects and ``p0 = 5``: on
        200 x 2000 (4 x 300 sweeps) one chain of four settled with sigma 3.2 for 0.8 and three
        effects at 0 where the exact sweep's four chains agreed; on 500 x 10,000 (4 x 1000 after
        1000, ``benchmarks/results/horseshoe_gibbs.md``) r_hat 1.55 over the weights and tau,
        in 31 s of sampling (the exact sweep: ~0.3 s a sweep of 4 chains, ~600 s) with a mean
        ``|S|`` of 98. Check the chains
        (r_hat, sigma) and compare with the exact sweep on a subsample before relying on it; the
        posterior's attributes state the approximation and the mean ``|S|``. None (default):
        the exact sweep. Never switched on silently: a posterior whose target depends on the
        problem's size without the caller asking is not one a verdict should rest on.

    Returns
    -------
    PosteriorResult
        ``engine="gibbs"``, ``divergences=0``; the DataTree has the groups ``posterior``
        (``beta`` with dims ``feature``, ``intercept``, the specification's scalars),
        ``constant_data`` and ``observed_data``.
    """
    from regprior.inference.threads import one_blas_thread

    check_sampling_args(draws=draws, tune=tune, chains=chains, random_seed=random_seed)
    if route not in ROUTES:
        raise ValueError(f"route must be one of {ROUTES}; got {route!r}.")
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, (int, float))
        or not 0 < threshold < np.inf
    ):  # fmt: skip
        raise ValueError(f"threshold must be a positive float or None; got {threshold!r}.")
    if thin is not None and (isinstance(thin, bool) or not isinstance(thin, int) or thin < 1):
        raise ValueError(f"thin must be an integer >= 1 or None; got {thin!r}.")
    if getattr(likelihood, "gibbs_augmentation", None) is not None:
        from regprior.inference.polya_gamma import polya_gamma_posterior

        if route != "auto" or threshold is not None or thin is not None:
            raise ValueError(
                f"route, threshold and thin are settings of the Gaussian sweep; the "
                f"{likelihood.family} likelihood's Polya-Gamma sweep takes none (got "
                f"route={route!r}, threshold={threshold!r}, thin={thin!r})."
            )
        return polya_gamma_posterior(
            data,
            spec,
            likelihood,
            fit_intercept=fit_intercept,
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
        )
    start = time.perf_counter()
    conditionals = gibbs_conditionals(spec, likelihood, data)
    thin = conditionals.sweeps_per_draw if thin is None else thin
    problem = _Problem(
        data,
        conditionals.centre,
        fit_intercept=fit_intercept,
        route=route,
        column_scales=conditionals.column_scales,
        threshold=None if threshold is None else float(threshold),
    )
    if threshold is not None and not (
        problem.wide and conditionals.noise_scaled and conditionals.global_key is not None
    ):
        raise ValueError(
            "threshold (Johndrow et al.'s approximation) needs the n x n route (p > n, or "
            "route='bhattacharya') and a noise-scaled prior with a learnt global scale; got "
            f"{type(spec).__name__} on {problem.n} x {problem.p} with route={route!r}."
        )
    if problem.single_site and not conditionals.independent_scale_priors:
        # The single-site moves of g and sigma^2 read log_global_prior and log_noise_prior
        # apart: a joint prior given the state (log_scales_prior) would be silently dropped.
        raise ValueError(
            f"route='single_site' needs independent priors of the global scale and the noise; "
            f"{type(spec).__name__}'s joint prior of its scales depends on the rest of its state "
            "(log_scales_prior). Use route='auto'."
        )
    if conditionals.learns_noise and problem.dof < 1:
        raise ValueError(
            f"the noise needs at least one residual degree of freedom; got n_samples={problem.n}."
        )
    if conditionals.learns_noise and not problem.yty > 0.0:
        # Every chain would start (and stay) at sigma^2 = 0: NaN draws, or a LinAlgError deep
        # in the spectra.
        raise ValueError(
            "y is constant"
            + (" (after centring for the intercept)" if fit_intercept else "")
            + ": the noise sigma cannot be learnt from it."
        )
    rngs = ChainStreams(
        np.random.Generator(np.random.PCG64(s))
        for s in np.random.SeedSequence(random_seed).spawn(chains)
    )
    with one_blas_thread():
        samples = _run(
            problem,
            conditionals,
            rngs,
            draws=draws,
            tune=tune,
            fit_intercept=fit_intercept,
            thin=thin,
        )
    seconds = time.perf_counter() - start
    if not np.all(np.isfinite(samples["beta"])):
        raise RuntimeError(
            f"the Gibbs sampler produced non-finite weights for {type(spec).__name__} (a bug in "
            "regprior, or scales beyond float64's range); please report it."
        )
    datatree = _datatree(samples, data, conditionals, likelihood, seconds, tune)
    datatree["posterior"].attrs["sweeps_per_draw"] = thin
    if threshold is not None:
        datatree["posterior"].attrs["approximation"] = (
            f"Johndrow, Orenstein & Bhattacharya (2020) thresholded sweep: columns with "
            f"s_j^2 d_j > {threshold:g} kept, mean |S| {np.mean(problem.selected):.1f} of "
            f"{problem.p}"
        )
    scalars = [
        name
        for name, values in samples["scalars"].items()
        if values.ndim == 2 and name not in conditionals.draws_only
    ]
    var_names = [WEIGHTS] + ([INTERCEPT] if fit_intercept else []) + scalars
    summary = _summarise(datatree, var_names, data.feature_names)
    return PosteriorResult(datatree, summary, 0, draws, chains, seconds, engine="gibbs")


def _run(problem: _Problem, conditionals, rngs, *, draws, tune, fit_intercept, thin=1):
    """The sweeps of every chain; returns the kept draws (chains first).

    The centred intercept is ``N(0, sigma^2 / N)`` given the noise and independent of
    everything else, so it is drawn once after the sweeps for every kept ``sigma^2``; the prior
    centre and per-column scales are applied to all kept weights at once as well.
    """
    chains, p = len(rngs), problem.p
    noise_guess = problem.yty / max(problem.dof, 1)
    state = conditionals.start(rngs, noise_guess)
    known = conditionals.noise_variance
    sigma2 = np.full(chains, known if known is not None else noise_guess)
    if "sigma2" in state:
        sigma2 = state.pop("sigma2")
    beta = np.empty((chains, draws, p))
    kept_sigma2 = np.empty((chains, draws))
    scalars: dict[str, np.ndarray] = {}
    # A learnt global scale, or a learnt noise the prior is not scaled by: partially collapsed
    # (ScaleConditionals' docstring); otherwise the plain blocked sweep.
    collapsed = conditionals.global_key is not None or (
        conditionals.learns_noise and not conditionals.noise_scaled
    )
    if collapsed:
        step = _collapsed_step
    else:
        step = _wide_step if problem.wide else _rue_step
    redraw_noise = conditionals.learns_noise and not conditionals.noise_scaled and not collapsed
    update, weight_sum = conditionals.update, problem.weight_sum
    lapack = _lapack()
    single_site = _SingleSite(problem, conditionals, chains) if problem.single_site else None
    for sweep in range(tune + draws * thin):
        if single_site is not None:
            gamma, sigma2 = single_site.sweep(state, sigma2, rngs)
        else:
            gamma, sigma2 = step(problem, conditionals, state, sigma2, rngs, lapack)
            if redraw_noise:
                sigma2 = conditionals.noise(_rss(problem, gamma), problem.dof, state, rngs)
            update(gamma, sigma2, state, rngs, global_drawn=collapsed)
        kept, skipped = divmod(sweep - tune + 1, thin)
        if sweep < tune or skipped:
            continue
        kept -= 1
        beta[:, kept] = gamma
        kept_sigma2[:, kept] = sigma2
        for name, values in _records(problem, conditionals, sigma2, state).items():
            scalars.setdefault(name, np.empty((chains, draws) + values.shape[1:]))[:, kept] = values
    if problem.column_scales is not None:
        beta *= problem.column_scales
    if np.any(conditionals.centre):
        beta += conditionals.centre
    intercept = None
    if fit_intercept:
        centred = rngs.normal(draws) * np.sqrt(kept_sigma2 / weight_sum)
        intercept = problem.y_mean - beta @ problem.x_mean + centred
    return {"beta": beta, "intercept": intercept, "scalars": scalars}


def _records(problem: _Problem, conditionals, sigma2, state) -> dict:
    """What a kept sweep records beside the weights: the specification's own records and, when
    it :attr:`~regprior.spec.conditionals.ScaleConditionals.reports_shrinkage`, the shrinkage
    factors ``kappa_j = 1 / (1 + x_j'Wx_j v_j / sigma^2)`` of the (centred, column-scaled)
    columns and ``m_eff = sum_j (1 - kappa_j)``, as the PyMC model records them."""
    records = {
        name: np.asarray(values, dtype=float)
        for name, values in conditionals.record(sigma2, state, problem.weight_sum).items()
    }
    if conditionals.reports_shrinkage:
        relative = state["d"] if conditionals.noise_scaled else state["d"] / sigma2[:, None]
        kappa = 1.0 / (1.0 + problem.column_norms * relative)
        records[KAPPA] = kappa
        records[M_EFF] = np.sum(1.0 - kappa, axis=1)
    return records


def _rss(problem: _Problem, gamma) -> np.ndarray:
    """Weighted residual sum of squares of each chain's (shifted) weights, centred data."""
    if problem.wide:
        residual = problem.target[None, :] - gamma @ problem.rows.T
        return np.einsum("cn,cn->c", residual, residual)
    fitted = gamma @ problem.xtx
    return problem.yty - 2.0 * gamma @ problem.xty + np.einsum("cp,cp->c", fitted, gamma)


class _SingleSite:
    """The single-site sweep (``route="single_site"``): one weight at a time, ``O(n p)``.

    Each sweep, every chain:

    1. the weights one at a time from their full conditionals given the prior variances and
       the noise (:func:`~regprior.inference._coordinate.coordinate_sweep`, compiled),
       ``b_j | rest ~ N(x_j'r_{-j} / A_j, sigma^2 / A_j)`` with ``A_j = x_j'Wx_j + 1 / d_j``
       (noise-scaled) or ``x_j'Wx_j + sigma^2 / d_j`` (fixed-scale), ``r_{-j}`` the residual
       without weight ``j``; the residual ``r = W^(1/2)(y - X b)`` is kept per chain. When
       the specification states the prior of its local scales
       (:attr:`~regprior.spec.conditionals.ScaleConditionals.log_local_prior`), each draw is
       preceded by a Metropolis step on ``log e_j`` (``d_j = g e_j``) with ``b_j`` integrated
       out: ``t = x_j'r_{-j} ~ N(0, sigma^2 a (1 + a / v_j))``, ``a = x_j'Wx_j``, ``v_j`` the
       prior's term of ``A_j``; a random walk, sds :attr:`LOCAL_STEPS`. ``(e_j, b_j)`` then
       move together, where ``e_j | b_j`` and ``b_j | e_j`` alone stay stuck with an effect
       shrunk to 0 (docs/specification.md, "Gibbs conditionals");
    2. a learnt noise given the weights (centred): ``sigma^2 | b, d`` has the likelihood
       ``sigma^{-k} exp(-Q / (2 sigma^2))`` with ``Q = RSS + sum_j b_j^2 / d_j`` and
       ``k = n_eff + p`` (noise-scaled) or ``Q = RSS``, ``k = n_eff``;
       :meth:`~regprior.spec.conditionals.ScaleConditionals.noise` draws it (Jeffreys' prior,
       or any prior of a fixed-scale specification), else a slice step on ``log sigma^2`` with
       :meth:`~regprior.spec.conditionals.ScaleConditionals.log_noise_prior`; then, noise-scaled,
       the non-centred move below;
    3. the scales: :meth:`~regprior.spec.conditionals.ScaleConditionals.update` (with
       ``global_drawn=True`` when a global scale is learnt);
    4. a learnt global scale ``g`` (``d = g e``): a centred slice step on ``log g`` given the
       weights and ``e``, target ``-(p/2) log g - S / (2 g) + log p(log g)`` with
       ``S = sum_j b_j^2 / (s e_j)`` (``s = sigma^2`` noise-scaled, else 1), then the
       non-centred move.

    Non-centred moves (an ancillarity-sufficiency interweaving, Yu & Meng 2011): holding
    ``z_j = b_j / sqrt(s d_j)`` fixed (standard normal a priori whatever ``g`` and ``sigma``),
    a new ``g'`` scales every weight and the fitted values ``f = W^(1/2) X b`` by
    ``c = sqrt(g' / g)``; the target in ``log g'`` is the likelihood times the prior,
    ``-||y - c f||^2 / (2 sigma^2) + log p(log g')``. Noise-scaled, a new ``sigma'`` scales
    them by ``c = sigma' / sigma`` and the target in ``log sigma'^2`` is
    ``-(n_eff / 2) log sigma'^2 - ||y - c f||^2 / (2 sigma'^2) + log p(log sigma'^2)``: the
    ``z`` contribute no Jacobian (their law does not involve ``sigma``). With ``y'y``, ``y'f``
    and ``f'f`` computed once, each evaluation costs ``O(1)``; the slice step is
    :func:`~regprior.spec.conditionals.slice_step`, all chains at once. The weights and the
    residual are then rescaled (``b <- c b``, ``r <- y - c f``). The centred draw of ``g``
    given the weights is very tight at ``p >> n`` (``p`` terms) and barely moves it; the
    non-centred one is bounded by the data instead, and the two together move ``g`` where
    either alone crawls.

    Partially non-centred moves (:meth:`move_partially`, one per size in :attr:`SPLITS`)
    hold the weights of largest ``d_j`` centred and the others non-centred.

    The global scale and the noise are drawn with the prior densities of ``log g`` and
    ``log sigma^2`` (any auxiliary variable of the specification integrated out), never with
    the specification's own auxiliary draws (the horseshoe's ``xi``, a half-Student-t's
    ``a``): a draw of ``tau^2 | xi`` after a move that integrated ``xi`` out would condition on
    a stale ``xi``.

    The engine never names a family: it reads ``noise_scaled``, ``learns_noise``,
    ``jeffreys_noise``, ``global_key``, ``log_global_prior`` and ``log_noise_prior``. Cost: a
    sweep is ``4 n p`` floating-point operations per chain (a dot product and an update per
    column) against Bhattacharya et al.'s ``O(n^2 p)``; the chains share each column while it
    is in cache. Single-site updates mix slowly when columns are strongly correlated (the
    blocked draw has no such weakness): compare routes before relying on it there.
    """

    #: Sweeps between recomputations of the residuals from the weights (rounding drift).
    RESYNC = 100
    #: Sds of the random-walk proposals of ``log e_j`` (the local scales' Metropolis step),
    #: one or the other with probability 1/2 (a symmetric mixture): short steps within a mode,
    #: long ones across the valley between a shrunk weight and a kept one.
    LOCAL_STEPS = (2.0, 8.0)
    #: Sizes of the centred sets of the partially non-centred moves (:meth:`move_partially`),
    #: one move each: a few effects to many, none tuned to a problem.
    SPLITS = (5, 20, 80)

    def __init__(self, problem: _Problem, conditionals, chains: int):
        from regprior.inference._coordinate import coordinate_sweep

        self.sweep_weights = coordinate_sweep
        self.problem, self.conditionals = problem, conditionals
        self.weights = np.zeros((chains, problem.p))
        self.residuals = np.tile(problem.target, (chains, 1))
        self.count = 0
        self.splits = tuple(k for k in self.SPLITS if k < problem.p)

    def sweep(self, state, sigma2, rngs):
        problem, conditionals = self.problem, self.conditionals
        scaled, key = conditionals.noise_scaled, conditionals.global_key
        b, r = self.weights, self.residuals
        d = state["d"]
        with np.errstate(divide="ignore"):
            v = 1.0 / d if scaled else sigma2[:, None] / d
        z = np.ascontiguousarray(rngs.normal(problem.p))
        local_prior = conditionals.log_local_prior
        if local_prior is None:
            self.sweep_weights(problem.columns, problem.column_norms, b, r, v, np.sqrt(sigma2), z)
        else:
            # Random-walk proposals of log e_j, symmetric: the odds are the prior's ratio.
            g = state[key][:, None] if key is not None else 1.0
            wide = rngs.uniform(problem.p) < 0.5
            step = np.where(wide, self.LOCAL_STEPS[1], self.LOCAL_STEPS[0]) * rngs.normal(problem.p)
            local = d / g
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                ratio = local_prior(local * np.exp(step)) - local_prior(local)
                log_odds = np.log(rngs.uniform(problem.p)) - np.nan_to_num(ratio, nan=-np.inf)
                proposal = (v * np.exp(-step), np.ascontiguousarray(log_odds))
            moved = self.sweep_weights(
                problem.columns, problem.column_norms, b, r, v, np.sqrt(sigma2), z, proposal
            )
            state["d"] = np.where(moved, d * np.exp(step), d)
        self.count += 1
        if self.count % self.RESYNC == 0:
            np.subtract(problem.target, b @ problem.columns.T, out=r)
        if conditionals.learns_noise:
            sigma2 = self._noise(state, sigma2, rngs)
        conditionals.update(b, sigma2, state, rngs, global_drawn=key is not None)
        if key is not None:
            self._global(state, sigma2, rngs)
        return b, sigma2

    def move_partially(self, state, sigma2, rngs, k: int, *, noise: bool):
        """A partially non-centred move of the global scale (``noise=False``) or of a
        noise-scaled ``sigma^2`` (``noise=True``): the ``k`` weights of largest prior variance
        ``d_j`` held fixed (centred), the others' ``z_j`` (non-centred). Returns ``sigma^2``.

        The split is by ``e = d / g`` (the same order as ``d``), which neither move changes, so
        each is a slice step on one conditional. With ``S`` the split, ``f_S = X_S b_S``,
        ``f_N = f - f_S``, ``c`` the factor of the free weights (``sqrt(g' / g)`` or
        ``sigma' / sigma``) and ``M(c) = ||y - f_S - c f_N||^2``, the targets are

        * ``log g'``: ``-(k/2) log g' - g T / (2 s g') - M(c) / (2 sigma^2) + log p(log g')``,
          ``T = sum_{j in S} b_j^2 / (s d_j)``, ``s = sigma^2`` noise-scaled, else 1;
        * ``log sigma'^2``: ``-((n_eff + k)/2) log sigma'^2 - (T' + M(c)) / (2 sigma'^2)
          + log p(log sigma'^2)``, ``T' = sum_{j in S} b_j^2 / d_j``;

        then ``b_j <- c b_j`` outside ``S`` (``d <- d g' / g`` for the global scale). Neither
        the strong effects, whose size the data fix (the limit of the non-centred move), nor
        the many small weights, which fix the scale given the weights (the centred move's),
        then pin it. ``O(n k)`` to set up, ``O(1)`` per evaluation.
        """
        problem, conditionals = self.problem, self.conditionals
        b, d = self.weights, state["d"]
        chains = len(b)
        strong = np.argpartition(-d, k - 1, axis=1)[:, :k]
        held = np.take_along_axis(b, strong, axis=1)
        total = np.sum(held**2 / np.take_along_axis(d, strong, axis=1), axis=1)
        fixed = np.stack([problem.columns[:, strong[c]] @ held[c] for c in range(chains)])
        rest = problem.target - fixed
        free = rest - self.residuals  # f_N = f - f_S
        aa = np.einsum("cn,cn->c", rest, rest)
        ab = np.einsum("cn,cn->c", rest, free)
        bb = np.einsum("cn,cn->c", free, free)
        if noise:
            old, dof = np.log(sigma2), problem.dof + k
            prior = conditionals.log_noise_prior

            def target(x):
                c = np.exp(0.5 * (x - old))
                misfit = aa - 2.0 * c * ab + c * c * bb
                return -0.5 * (dof * x + (total + misfit) * np.exp(-x)) + prior(np.exp(x))

        else:
            key, prior = conditionals.global_key, conditionals.log_global_prior
            g = state[key]
            old = np.log(g)
            if conditionals.noise_scaled:
                total = total * g / sigma2
            else:
                total = total * g

            def target(x):
                c = np.exp(0.5 * (x - old))
                misfit = aa - 2.0 * c * ab + c * c * bb
                return -0.5 * (k * x + total * np.exp(-x) + misfit / sigma2) + prior(np.exp(x))

        new = _slice(target, old, rngs)
        factor = np.exp(0.5 * (new - old))
        np.put_along_axis(b, strong, held / factor[:, None], axis=1)
        b *= factor[:, None]
        np.subtract(rest, factor[:, None] * free, out=self.residuals)
        if noise:
            return np.exp(new)
        state["d"] = d * (factor**2)[:, None]
        state[key] = np.exp(new)
        return sigma2

    def _moments(self):
        """``y'y``, ``y'f`` and ``f'f`` per chain, ``f = y - r`` the fitted values."""
        y, r = self.problem.target, self.residuals
        fitted = y - r
        return self.problem.yty, fitted @ y, np.einsum("cn,cn->c", fitted, fitted), fitted

    def _rescale(self, factor, fitted) -> None:
        """``b <- c b`` and ``r <- y - c f`` (the non-centred moves)."""
        self.weights *= factor[:, None]
        np.subtract(self.problem.target, factor[:, None] * fitted, out=self.residuals)

    def _noise(self, state, sigma2, rngs):
        problem, conditionals = self.problem, self.conditionals
        b, r = self.weights, self.residuals
        quadratic = np.einsum("cn,cn->c", r, r)
        dof = problem.dof
        if conditionals.noise_scaled:
            quadratic = quadratic + np.sum(b * b / state["d"], axis=1)
            dof = dof + problem.p
        prior = conditionals.log_noise_prior
        if conditionals.jeffreys_noise or not conditionals.noise_scaled:
            sigma2 = conditionals.noise(quadratic, dof, state, rngs)
        else:  # no auxiliary of the noise prior: the non-centred move integrates it out
            sigma2 = np.exp(
                _slice(
                    lambda x: -0.5 * (dof * x + quadratic * np.exp(-x)) + prior(np.exp(x)),
                    np.log(sigma2),
                    rngs,
                )
            )
        if not conditionals.noise_scaled:
            return sigma2
        sigma2 = self.move_noise(sigma2, rngs)
        for k in self.splits:
            sigma2 = self.move_partially(state, sigma2, rngs, k, noise=True)
        return sigma2

    def move_noise(self, sigma2, rngs) -> np.ndarray:
        """The non-centred move of a noise-scaled ``sigma^2`` (``z = b / (sigma d^(1/2))``
        fixed); rescales the weights and residuals, returns the new ``sigma^2``."""
        dof, prior = self.problem.dof, self.conditionals.log_noise_prior
        yty, yf, ff, fitted = self._moments()
        old = np.log(sigma2)

        def target(x):
            c = np.exp(0.5 * (x - old))
            misfit = yty - 2.0 * c * yf + c * c * ff
            return -0.5 * (dof * x + misfit * np.exp(-x)) + prior(np.exp(x))

        new = _slice(target, old, rngs)
        self._rescale(np.exp(0.5 * (new - old)), fitted)
        return np.exp(new)

    def _global(self, state, sigma2, rngs) -> None:
        conditionals, key = self.conditionals, self.conditionals.global_key
        b, p = self.weights, self.problem.p
        g, d = state[key], state["d"]
        spread = sigma2 if conditionals.noise_scaled else np.ones_like(sigma2)
        # S = sum_j b_j^2 / (s e_j) = g sum_j b_j^2 / (s d_j).
        total = g * np.sum(b * b / d, axis=1) / spread
        prior = conditionals.log_global_prior

        def centred(x):
            return -0.5 * (p * x + total * np.exp(-x)) + prior(np.exp(x))

        centred_g = np.exp(_slice(centred, np.log(g), rngs))
        state["d"] = d * (centred_g / g)[:, None]
        state[key] = centred_g
        self.move_global(state, sigma2, rngs)
        for k in self.splits:
            self.move_partially(state, sigma2, rngs, k, noise=False)

    def move_global(self, state, sigma2, rngs) -> None:
        """The non-centred move of the global scale (``z = b / (s d)^(1/2)`` and ``e`` fixed);
        rescales the weights, residuals and ``state["d"]``."""
        key, prior = self.conditionals.global_key, self.conditionals.log_global_prior
        yty, yf, ff, fitted = self._moments()
        old = np.log(state[key])

        def target(x):
            c = np.exp(0.5 * (x - old))
            return -0.5 * (yty - 2.0 * c * yf + c * c * ff) / sigma2 + prior(np.exp(x))

        new = _slice(target, old, rngs)
        ratio = np.exp(new - old)
        self._rescale(np.sqrt(ratio), fitted)
        state["d"] = state["d"] * ratio[:, None]
        state[key] = np.exp(new)


#: Up to this many features the chains' p x p systems are factored and solved together, as the
#: blocks of one banded matrix (the Python overhead of a LAPACK call per chain dominates there);
#: above it, one LAPACK call each.
STACKED_MAX_FEATURES = 64


class _StackedSystems:
    """The chains' ``p x p`` precision matrices as the blocks of one block-diagonal band matrix.

    Block-diagonal with ``p x p`` blocks, the ``chains p x chains p`` matrix has ``p - 1``
    subdiagonals: LAPACK's banded Cholesky (``dpbtrf``) factors every chain's matrix in one call,
    and ``dtbmv`` and ``dpbtrs`` multiply and solve with all the factors in one call each. The
    band is stored as LAPACK wants it (``band[k, j] = A[j + k, j]``, Fortran order), as the view
    of a ``(chains, p, p)`` array whose block ``c`` holds chain ``c``'s columns, so that a chain's
    diagonal is ``blocks[c, :, 0]``. Made once per run: only the diagonal (``X'WX / s + 1 / d``)
    changes from sweep to sweep when the divisor ``s`` is fixed (1 for a noise-scaled prior, the
    known ``sigma^2`` otherwise); with a learnt noise the prior is not scaled by, the blocks are
    ``X'WX / sigma^2`` anew every sweep (:meth:`divide`).
    """

    def __init__(self, problem: _Problem, chains: int, conditionals):
        p = problem.p
        self.key = (chains, conditionals)
        if conditionals.noise_scaled:
            divisor = 1.0
        elif conditionals.learns_noise:
            divisor = None  # sigma^2, drawn every sweep: divide()
        else:
            divisor = float(conditionals.noise_variance)
        self.divisor = divisor
        # lower[j, k] = X'WX[j + k, j]: column j of the lower band, zero below the block.
        self.lower = np.zeros((p, p))
        for k in range(p):
            self.lower[: p - k, k] = np.diagonal(problem.xtx, -k)
        self.blocks = np.empty((chains, p, p))
        self.band = self.blocks.reshape(chains * p, p).T  # (p, chains p), Fortran order
        self.diagonal = self.blocks[:, :, 0]
        if divisor is not None:
            np.divide(self.lower, divisor, out=self.blocks)
            self.base = self.diagonal.copy()
            self.rhs = np.tile(problem.xty / divisor, chains)

    def divide(self, problem: _Problem, sigma2) -> None:
        np.divide(self.lower, sigma2[:, None, None], out=self.blocks)
        self.base = self.diagonal.copy()
        self.rhs = (problem.xty / sigma2[:, None]).ravel()


def _rue_step(problem, conditionals, state, sigma2, rngs, lapack):
    """Weights given the variances (p <= n): Cholesky of ``A = X'WX / s + D^-1`` (Rue 2001).

    Noise-scaled (prior variances ``sigma^2 d``): ``A = X'WX + D^-1``, mean ``A^-1 X'Wy``,
    covariance ``sigma^2 A^-1``, and ``y'(I + XDX')^-1 y = y'Wy - b'A^-1 b`` (``b = X'Wy``)
    gives the noise with the weights integrated out. Otherwise ``A = X'WX / sigma^2 + D^-1``,
    mean ``A^-1 b`` with ``b = X'Wy / sigma^2``, covariance ``A^-1``. With ``A = LL'``:

    * up to :data:`STACKED_MAX_FEATURES` features, all chains at once
      (:class:`_StackedSystems`): the draw is ``A^-1 (b + s L z)`` (``s = sigma`` noise-scaled,
      else 1), whose mean is ``A^-1 b`` and covariance ``s^2 A^-1 L L' A^-1 = s^2 A^-1``: one
      banded factorisation, one banded product, one banded solve (with ``b`` as a second
      right-hand side when the noise needs ``b'A^-1 b``);
    * above it, chain by chain: ``L'^-1 (L^-1 b + s z)``, two triangular solves.
    """
    d = state["d"]
    chains, p = d.shape
    scaled = conditionals.noise_scaled
    quadratic_needed = scaled and conditionals.learns_noise
    if p <= STACKED_MAX_FEATURES:
        systems = getattr(problem, "stacked_systems", None)
        if systems is None or systems.key != (chains, conditionals):
            systems = _StackedSystems(problem, chains, conditionals)
            problem.stacked_systems = systems
        if systems.divisor is None:
            systems.divide(problem, sigma2)
        pbtrf, pbtrs, tbmv = _banded_lapack()
        np.add(systems.base, 1.0 / d, out=systems.diagonal)
        factor, info = pbtrf(systems.band, lower=1)
        _check_factor(info)
        z = rngs.normal(p)
        if scaled and not quadratic_needed:
            z = z * np.sqrt(sigma2)[:, None]
        noise = tbmv(p - 1, factor, z.ravel(), lower=1)  # L z, every chain
        if not quadratic_needed:
            noise += systems.rhs
            gamma, info = pbtrs(factor, noise, lower=1, overwrite_b=1)
            return gamma.reshape(chains, p), sigma2
        both, info = pbtrs(factor, np.column_stack((systems.rhs, noise)), lower=1)
        mean = both[:, 0].reshape(chains, p)
        quadratic = problem.yty - np.einsum("cp,cp->c", systems.rhs.reshape(chains, p), mean)
        sigma2 = conditionals.noise(np.maximum(quadratic, 0.0), problem.dof, state, rngs)
        return mean + np.sqrt(sigma2)[:, None] * both[:, 1].reshape(chains, p), sigma2
    potrf, trtrs, _ = lapack
    divisor = np.ones(chains) if scaled else sigma2
    factors, projections = [], np.empty((chains, p))
    for c in range(chains):
        matrix = problem.xtx / divisor[c]
        matrix.flat[:: p + 1] += 1.0 / d[c]
        factors.append(_cholesky(potrf, matrix))
        projections[c], _ = trtrs(factors[c], problem.xty / divisor[c], lower=1)
    if quadratic_needed:
        quadratic = problem.yty - np.einsum("cp,cp->c", projections, projections)
        sigma2 = conditionals.noise(np.maximum(quadratic, 0.0), problem.dof, state, rngs)
    z = rngs.normal(p)
    if scaled:
        z = z * np.sqrt(sigma2)[:, None]
    gamma = np.empty((chains, p))
    for c in range(chains):
        gamma[c], _ = trtrs(factors[c], projections[c] + z[c], lower=1, trans=1)
    return gamma, sigma2


def _wide_step(problem, conditionals, state, sigma2, rngs, lapack):
    """Weights given the variances (p > n): Bhattacharya, Chakraborty & Mallick (2016).

    With ``Phi = W^(1/2) X / sigma``, ``r = W^(1/2) y / sigma`` and ``S`` the prior covariance
    (``sigma^2 D`` or ``D``): ``u ~ N(0, S)``, ``delta ~ N(0, I_n)``, ``v = Phi u + delta``,
    solve ``(Phi S Phi' + I_n) w = r - v``, return ``u + S Phi' w``. The ``n x n`` matrix is
    ``I + B B'`` with ``B = W^(1/2) X (S / sigma^2)^(1/2)``, formed by a symmetric rank-k
    update; noise-scaled, it does not depend on ``sigma`` and ``y'W^(1/2) M^-1 W^(1/2) y``
    gives the noise with the weights integrated out.
    """
    from scipy.linalg.blas import dsyrk

    potrf, trtrs, potrs = lapack
    d = state["d"]
    scaled = conditionals.noise_scaled
    n = problem.n
    factors, quadratics = [], []
    for c in range(len(rngs)):
        ratio = d[c] if scaled else d[c] / sigma2[c]  # S / sigma^2
        root = np.multiply(problem.rows, np.sqrt(ratio), out=problem.buffer)
        # B B' from the F-ordered view of B' (p x n): lower triangle only, no copy of B.
        gram = dsyrk(1.0, root.T, trans=1, lower=1)
        gram.flat[:: n + 1] += 1.0
        factor = _cholesky(potrf, gram)
        factors.append(factor)
        if scaled and conditionals.learns_noise:
            solved, _ = trtrs(factor, problem.target, lower=1)
            quadratics.append(solved @ solved)
    if scaled and conditionals.learns_noise:
        sigma2 = conditionals.noise(np.maximum(quadratics, 0.0), problem.dof, state, rngs)
    gamma = np.empty((len(rngs), problem.p))
    normal_p, normal_n = rngs.normal(problem.p), rngs.normal(n)
    for c in range(len(rngs)):
        sigma = np.sqrt(sigma2[c])
        prior_variance = d[c] * sigma2[c] if scaled else d[c]
        u = np.sqrt(prior_variance) * normal_p[c]
        v = problem.rows @ u / sigma + normal_n[c]
        omega, _ = potrs(factors[c], problem.target / sigma - v, lower=1)
        gamma[c] = u + prior_variance * (problem.rows.T @ omega) / sigma
    return gamma, sigma2


def _spectra(problem, local):
    """Per chain, ``(k, a)`` with ``|I + c K| = prod(1 + c k)`` and ``y'(I + c K)^-1 y = y'y -
    sum(c a / (1 + c k))``, ``K = W^(1/2) X E X' W^(1/2)``, ``E = diag(local)``, and the
    eigenvectors the wide draw reuses.

    p > n: ``K = V diag(k) V'`` (``n x n``, one symmetric rank-k update), ``a = k (V'y)^2``.
    p <= n: the same non-zero spectrum from ``E^(1/2) X'WX E^(1/2) = U diag(k) U'``
    (``p x p``, from the sufficient statistics), ``a = (U' E^(1/2) X'Wy)^2``.
    """
    from scipy.linalg.blas import dsyrk

    chains = len(local)
    if not problem.wide:
        root = np.sqrt(local)
        matrix = problem.xtx[None] * root[:, :, None] * root[:, None, :]
        values, vectors = np.linalg.eigh(matrix)
        projections = np.einsum("cpk,cp->ck", vectors, root * problem.xty[None])
        return np.maximum(values, 0.0), projections**2, None
    values, weights, bases = [], [], []
    for c in range(chains):
        cached = problem.spectra.get(c)
        if cached is not None and np.array_equal(cached[0], local[c]):
            # Local scales that never move (a learnt Normal scale): one decomposition per chain.
            _, k, a, vectors = cached
        else:
            root = np.multiply(problem.rows, np.sqrt(local[c]), out=problem.buffer)
            k, vectors = np.linalg.eigh(dsyrk(1.0, root.T, trans=1, lower=1))
            k = np.maximum(k, 0.0)
            a = k * (vectors.T @ problem.target) ** 2
            problem.spectra[c] = (local[c].copy(), k, a, vectors)
        values.append(k)
        weights.append(a)
        bases.append(vectors)
    return np.array(values), np.array(weights), bases


#: Eigenvalues below this fraction of a spectrum's largest are rounding
#: (:func:`marginal_quadratic`).
EIGEN_FLOOR = 1e-12


def marginal_quadratic(values, weights, yty: float):
    """``c -> y'(I + c K)^-1 y`` per chain, from the spectrum of :func:`_spectra`.

    ``values`` (``k``) and ``weights`` (``a``) of shape ``(chains, m)`` give
    ``y'(I + cK)^-1 y = y'y - sum_i c a_i / (1 + c k_i)``. Evaluated so, the difference cancels
    to rounding once ``c k`` nears ``1e16`` (an interpolating fit at p > n) and a slice step
    climbs into the rounding error: a chain of the 100 x 1000 horseshoe at ``tau0 = 1`` reached
    sigma ``1e-151`` and weights of ``1e68``. Here it is a sum of positive terms,
    ``r0 + sum_i w_i / (1 + c k_i)``, with ``w_i = a_i / k_i`` (the squared projection of ``y``
    on eigenvector ``i``) and ``r0 = y'y - sum_i w_i >= 0`` (the part of ``y`` no eigenvector
    with ``k_i > 0`` reaches), exact at any ``c``; eigenvalues at rounding level
    (below :data:`EIGEN_FLOOR` times the largest) keep the subtracted form, harmless there.
    Floored at ``1e-300`` (the draws take its logarithm).
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    positive = values > EIGEN_FLOOR * np.max(values, axis=1, keepdims=True)
    shares = np.where(positive, weights / np.where(positive, values, 1.0), 0.0)
    residual = np.maximum(yty - np.sum(shares, axis=1), 0.0)
    leftover = np.where(positive, 0.0, weights)

    def quadratic(ratio):
        spread = 1.0 + ratio[:, None] * values
        kept = residual + np.sum(shares / spread, axis=1)
        return np.maximum(kept - np.sum(ratio[:, None] * leftover / spread, axis=1), 1e-300)

    return quadratic


def _collapsed_step(problem, conditionals, state, sigma2, rngs, lapack):
    """Partially collapsed sweep: global scale and noise with the weights integrated out.

    With ``d = g e`` (``g = state[global_key]``), ``y ~ N(0, sigma^2 (I + c K))``, ``c = g``
    (noise-scaled) or ``g / sigma^2``, ``K = W^(1/2) X E X' W^(1/2)``: from the spectrum of
    :func:`_spectra` (one eigendecomposition per chain and sweep, ``n x n`` at p > n, ``p x p``
    from the sufficient statistics otherwise) the marginal likelihood ``-(dof/2) log sigma^2 -
    sum log(1 + c k) / 2 - q(c) / (2 sigma^2)`` costs ``O(min(n, p))`` per evaluation. Slice
    steps (all chains at once) on ``log g`` (under Jeffreys' prior for a noise-scaled prior,
    with ``sigma^2`` integrated out as well: ``-sum log(1 + g k) / 2 - (dof/2) log q(g)``) and,
    for a learnt noise not scaling the prior, on ``log sigma^2`` and along ``(1, 1)`` in
    ``(log g, log sigma^2)`` (the likelihood sees ``g / sigma^2`` only: the ridge the single
    coordinates crawl on). Every target adds the specification's joint prior of ``(log g, log
    sigma^2)``, :meth:`~regprior.spec.conditionals.ScaleConditionals.log_scales_prior` (given
    the rest of ``state``, held fixed: the coordinates the specification chose for ``e``). Then
    the weights (and a noise-scaled ``sigma^2``) as usual.
    """
    d = state["d"]
    chains, p = d.shape
    scaled, key = conditionals.noise_scaled, conditionals.global_key
    dof, yty = problem.dof, problem.yty
    old = state[key] if key is not None else np.ones(chains)
    local = d / old[:, None]
    if problem.threshold is not None:
        values, weights, bases = _thresholded_spectra(problem, local, d)
    else:
        values, weights, bases = _spectra(problem, local)

    quadratic = marginal_quadratic(values, weights, yty)

    def log_det(ratio):
        return np.sum(np.log1p(ratio[:, None] * values), axis=1)

    def log_likelihood(log_g, log_s2):
        ratio = np.exp(log_g if scaled else log_g - log_s2)
        return -0.5 * (dof * log_s2 + log_det(ratio) + quadratic(ratio) * np.exp(-log_s2))

    def log_evidence(log_g):  # noise-scaled, Jeffreys: sigma^2 integrated out too
        ratio = np.exp(log_g)
        return -0.5 * (log_det(ratio) + dof * np.log(quadratic(ratio)))

    def prior(log_g, log_s2):  # the joint prior of (log g, log sigma^2): the spec's hook
        return conditionals.log_scales_prior(np.exp(log_g), np.exp(log_s2), state)

    log_g, log_s2 = np.log(old), np.log(np.asarray(sigma2, dtype=float))
    if key is not None:
        if scaled and conditionals.learns_noise and conditionals.jeffreys_noise:
            target = lambda x: log_evidence(x) + prior(x, log_s2)  # noqa: E731
        else:
            target = lambda x: log_likelihood(x, log_s2) + prior(x, log_s2)  # noqa: E731
        log_g = _slice(target, log_g, rngs)
    # Two rounds: the pair can be bimodal (noise against signal at p > n), and a round costs
    # O(min(n, p)) per evaluation once the spectrum is known.
    for _ in range(2 if conditionals.learns_noise and not scaled else 0):
        log_s2 = _slice(lambda x, lg=log_g: log_likelihood(lg, x) + prior(lg, x), log_s2, rngs)
        if key is not None:
            shift = _slice(
                lambda t, lg=log_g, ls=log_s2: (
                    log_likelihood(lg + t, ls + t) + prior(lg + t, ls + t)
                ),
                np.zeros(chains),
                rngs,
            )
            log_g, log_s2 = log_g + shift, log_s2 + shift
            log_g = _slice(lambda x, ls=log_s2: log_likelihood(x, ls) + prior(x, ls), log_g, rngs)
    g, sigma2 = np.exp(log_g), np.exp(log_s2)
    if key is not None:
        state[key] = g
        state["d"] = local * g[:, None]
    if not problem.wide:
        return _rue_step(problem, conditionals, state, sigma2, rngs, lapack)
    if scaled and conditionals.learns_noise:
        sigma2 = conditionals.noise(quadratic(g), dof, state, rngs)
    if problem.threshold is not None:
        return _thresholded_weights(problem, state["d"], g, sigma2, bases, rngs), sigma2
    normal_p, normal_n = rngs.normal(p), rngs.normal(problem.n)
    rows, target_y = problem.rows, problem.target
    gamma = np.empty((chains, p))
    for c in range(chains):
        vectors = bases[c]
        sigma = np.sqrt(sigma2[c])
        prior_variance = state["d"][c] * (sigma2[c] if scaled else 1.0)
        ratio = g[c] if scaled else g[c] / sigma2[c]
        u = np.sqrt(prior_variance) * normal_p[c]
        v = rows @ u / sigma + normal_n[c]
        omega = vectors @ ((vectors.T @ (target_y / sigma - v)) / (1.0 + ratio * values[c]))
        gamma[c] = u + prior_variance * (rows.T @ omega) / sigma
    return gamma, sigma2


def _thresholded_spectra(problem, local, d):
    """:func:`_spectra` of Johndrow et al.'s thresholded ``M``: columns ``S = {j : s_j^2 d_j >
    threshold}`` only (see :func:`gibbs_posterior`, ``threshold``).

    Per chain, with ``B = X_S E_S^(1/2)`` (``E`` the local scales): ``|S| <= n``, the spectrum
    of ``B'B`` (``|S| x |S|``, ``O(n |S|^2)``) and ``a = (U'B'y)^2``; ``|S| > n``, that of
    ``BB'`` (``n x n``, ``O(n^2 |S|)``) and ``a = k (V'y)^2``. The spectra are padded with zeros
    (terms ``log(1 + g 0) = 0``) to one length. Returns the padded eigenvalues and ``a``, and per
    chain ``(S, X_S, vectors, eigenvalues, U'B'y or None)`` for :func:`_thresholded_weights`.
    """
    from scipy.linalg.blas import dsyrk

    chains = len(local)
    spectra, parts = [], []
    for c in range(chains):
        selected = np.flatnonzero(problem.column_norms * d[c] > problem.cutoff)
        problem.selected.append(selected.size)
        columns = problem.rows[:, selected]  # X_S, n x |S|
        root = columns * np.sqrt(local[c, selected])  # B
        if selected.size <= problem.n:
            k, vectors = np.linalg.eigh(root.T @ root)
            k = np.maximum(k, 0.0)
            projection = vectors.T @ (root.T @ problem.target)  # U'B'y
            a = projection**2
        else:
            k, vectors = np.linalg.eigh(dsyrk(1.0, root.T, trans=1, lower=1))
            k, projection = np.maximum(k, 0.0), None
            a = k * (vectors.T @ problem.target) ** 2
        spectra.append((k, a))
        parts.append((selected, columns, vectors, k, projection))
    length = max(k.size for k, _ in spectra)
    values, weights = np.zeros((chains, length)), np.zeros((chains, length))
    for c, (k, a) in enumerate(spectra):
        values[c, : k.size], weights[c, : k.size] = k, a
    return values, weights, parts


def _thresholded_weights(problem, d, g, sigma2, parts, rngs):
    """Weights from Johndrow et al.'s thresholded conditional (noise-scaled prior).

    In ``S``, the exact Gaussian conditional given the columns ``X_S`` alone,
    ``N(A^-1 X_S'Wy, sigma^2 A^-1)``, ``A = X_S'WX_S + D_S^-1`` (:func:`_selected_weights`);
    outside ``S``, the prior ``N(0, sigma^2 d_j)``, as Johndrow et al. draw them.
    """
    chains, p = d.shape
    normal_p, normal_n = rngs.normal(p), rngs.normal(problem.n)
    gamma = np.sqrt(d * sigma2[:, None]) * normal_p
    for c, part in enumerate(parts):
        selected = part[0]
        if selected.size:
            sigma = np.sqrt(sigma2[c])
            gamma[c, selected] = _selected_weights(
                problem, part, d[c], g[c], sigma, normal_p[c], normal_n[c]
            )
    return gamma


def _selected_weights(problem, part, d, g, sigma, normal_p, normal_n) -> np.ndarray:
    """``theta_S`` given ``X_S`` alone, one chain (:func:`_thresholded_weights`).

    ``|S| <= n``, with ``B'B = U diag(k) U'``:
    ``E_S^(1/2) U [g (U'B'y) / (1 + g k) + sigma g^(1/2) z_S / (1 + g k)^(1/2)]``. ``|S| > n``,
    Bhattacharya et al.'s draw on ``X_S`` (:func:`_wide_step`) solved in the eigenbasis of
    ``BB' = V diag(k) V'``. ``z_S`` are the normals of the columns in ``S`` (drawn before
    ``S`` is used, so independent of it).
    """
    selected, columns, vectors, k, projection = part
    z, spread = normal_p[selected], 1.0 + g * k
    if projection is not None:
        inner = g * projection / spread + sigma * np.sqrt(g) * z / np.sqrt(spread)
        return np.sqrt(d[selected] / g) * (vectors @ inner)
    prior_variance = d[selected] * sigma**2
    u = np.sqrt(prior_variance) * z
    v = columns @ u / sigma + normal_n
    omega = vectors @ ((vectors.T @ (problem.target / sigma - v)) / spread)
    return u + prior_variance * (columns.T @ omega) / sigma


def _datatree(samples, data, conditionals, likelihood, seconds, tune):
    """The draws as a DataTree (:func:`~regprior.inference.draws.gibbs_datatree`), with the
    known noise sigma of a prior's likelihood."""
    from regprior.inference.draws import gibbs_datatree

    known = likelihood is not None and conditionals.noise_variance is not None
    return gibbs_datatree(
        samples,
        data,
        conditionals.centre,
        seconds=seconds,
        tune=tune,
        noise_sigma=np.sqrt(conditionals.noise_variance) if known else None,
    )
