"""Gibbs sampling of a fixed-scale prior under a Polya-Gamma augmented likelihood (the Bernoulli).

Polson, Scott & Windle (2013, JASA 108:1339): with ``eta_i = c + x_i'theta`` and a likelihood
whose row ``i`` is proportional to ``exp(kappa_i eta_i) / cosh(eta_i / 2)^(h_i)`` (the logit
Bernoulli with sample weight ``w_i``: ``h_i = w_i``, ``kappa_i = w_i (y_i - 1/2)``), an auxiliary
``omega_i ~ PG(h_i, eta_i)`` makes the weights and the intercept jointly Gaussian given it
(docs/specification.md, "Polya-Gamma augmentation"). Each sweep, every chain:

1. ``omega_i | c, theta ~ PG(h_i, eta_i)`` (the ``polyagamma`` package);
2. ``(c, gamma) | omega, D ~ N(A^-1 X1'(kappa - Omega X mu), A^-1)``, with ``gamma = theta -
   mu`` (``mu`` the prior centre), ``X1 = [1, X]`` (``X`` without an intercept),
   ``A = X1' Omega X1 + diag(0, D^-1)``: the flat intercept adds nothing to ``A``, which stays
   positive definite at any shape (``sum_i omega_i > 0``). Drawn by the Cholesky factor
   ``A = L L'`` (Rue 2001): ``L'^-1 (L^-1 b + z)``. ``X1' Omega X1`` changes every sweep:
   ``O(n p^2 + p^3)`` a sweep and chain, at any ``p`` (no ``n x n`` route: see below);
3. the prior variances ``D`` from the prior's own conditionals at unit noise
   (:meth:`~regprior.spec.conditionals.ScaleConditionals.update`): a fixed-scale prior's do not
   involve the noise.

For ``p > n`` Bhattacharya et al.'s ``n x n`` system would need the prior covariance of
``(c, theta)``, which the flat intercept leaves improper; the ``(p + 1) x (p + 1)`` factor
above is exact there too, at ``O(p^3)`` a sweep. The engine reads the likelihood's
:meth:`~regprior.spec.likelihoods.Likelihood.polya_gamma_terms`, never its family. The result
is the :class:`~regprior.inference.nuts.PosteriorResult` of the Gaussian Gibbs engine
(:func:`regprior.inference.gibbs.gibbs_posterior`, which routes here; this module imports
nothing of it).
"""

from __future__ import annotations

import time

import numpy as np

from regprior.backend.names import INTERCEPT, WEIGHTS
from regprior.inference.draws import gibbs_datatree
from regprior.inference.nuts import PosteriorResult, _summarise
from regprior.spec.conditionals import ChainStreams
from regprior.spec.data import RegressionData

__all__ = ["polya_gamma_posterior", "polya_gamma_draws"]

#: The augmentation a likelihood names in ``gibbs_augmentation`` for this engine.
AUGMENTATION = "polya_gamma"


def polya_gamma_draws():
    """``polyagamma.random_polyagamma``, or an ImportError saying what to install."""
    try:
        from polyagamma import random_polyagamma
    except ImportError as error:  # a core dependency: only a broken install lands here
        raise ImportError(
            "the Gibbs engine's Bernoulli likelihood needs the polyagamma package "
            "(pip install polyagamma), a dependency of regprior."
        ) from error
    return random_polyagamma


def polya_gamma_posterior(
    data: RegressionData,
    spec,
    likelihood,
    *,
    fit_intercept: bool = True,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int = 0,
) -> PosteriorResult:
    """Sample the posterior of a fixed-scale prior under a Polya-Gamma augmented likelihood.

    Called by :func:`regprior.inference.gibbs.gibbs_posterior` (which checks the settings);
    the chains draw from the streams of ``np.random.SeedSequence(random_seed).spawn(chains)``
    (the Polya-Gamma draws of chain ``c`` from its generator too): same seed, same draws.
    """
    from scipy.linalg import get_lapack_funcs

    from regprior.inference.threads import one_blas_thread

    random_polyagamma = polya_gamma_draws()
    start = time.perf_counter()
    # A fixed prior's conditionals (a full-Bayes specification has the Gaussian likelihood).
    conditionals = spec.gibbs_conditionals(likelihood, data.n_features)
    if conditionals.noise_scaled or conditionals.noise_variance != 1.0:
        raise ValueError(
            f"the Polya-Gamma sweep needs a fixed-scale prior at unit noise; got "
            f"{type(spec).__name__}."
        )
    h, kappa = likelihood.polya_gamma_terms(data.y, data.weights)
    X = np.asarray(data.X, dtype=float)
    offset = X @ conditionals.centre  # X mu: the weights are sampled shifted, gamma = theta - mu
    if conditionals.column_scales is not None:
        X = X * conditionals.column_scales
    design = np.column_stack((np.ones(data.n_samples), X)) if fit_intercept else X
    n, p = X.shape
    first = 1 if fit_intercept else 0
    p1 = p + first
    generators = [
        np.random.Generator(np.random.PCG64(s))
        for s in np.random.SeedSequence(random_seed).spawn(chains)
    ]
    rngs = ChainStreams(generators)
    potrf, trtrs = get_lapack_funcs(("potrf", "trtrs"), (np.empty((1, 1)),))
    state = conditionals.start(rngs, 1.0)
    unit = np.ones(chains)
    # Start at the weights' centre and the intercept of the mean of y: the chains part at the
    # first Polya-Gamma draw.
    eta = np.tile(offset, (chains, 1))
    if fit_intercept:
        eta += likelihood.intercept_start(data.y, data.weights)
    beta = np.empty((chains, draws, p))
    intercept = np.empty((chains, draws)) if fit_intercept else None
    scalars: dict[str, np.ndarray] = {}
    omega = np.empty(n)
    with one_blas_thread():
        from scipy.linalg.blas import dsyrk

        for sweep in range(tune + draws):
            z = rngs.normal(p1)
            gamma = np.empty((chains, p))
            for c in range(chains):
                random_polyagamma(h, eta[c], out=omega, random_state=generators[c])
                rows = design * np.sqrt(omega)[:, None]
                # rows.T is an F-ordered view: dsyrk forms rows' rows (lower) without a copy.
                matrix = dsyrk(1.0, rows.T, trans=0, lower=1)
                matrix.flat[first * (p1 + 1) :: p1 + 1] += 1.0 / state["d"][c]
                factor, info = potrf(matrix, lower=1, overwrite_a=1, clean=1)
                if info != 0:
                    raise np.linalg.LinAlgError(
                        f"the Polya-Gamma sweep's Cholesky factor failed (LAPACK info {info}): "
                        "a prior variance underflowed or overflowed; rescale X."
                    )
                projection, _ = trtrs(factor, design.T @ (kappa - omega * offset), lower=1)
                draw, _ = trtrs(factor, projection + z[c], lower=1, trans=1)
                gamma[c] = draw[first:]
                eta[c] = design @ draw + offset
                if fit_intercept and sweep >= tune:
                    intercept[c, sweep - tune] = draw[0]
            conditionals.update(gamma, unit, state, rngs)
            if sweep < tune:
                continue
            kept = sweep - tune
            beta[:, kept] = gamma
            for name, values in conditionals.record(unit, state, data.weight_sum).items():
                values = np.asarray(values, dtype=float)
                scalars.setdefault(name, np.empty((chains, draws) + values.shape[1:]))[:, kept] = (
                    values
                )
    if conditionals.column_scales is not None:
        beta *= conditionals.column_scales
    beta += conditionals.centre
    seconds = time.perf_counter() - start
    samples = {"beta": beta, "intercept": intercept, "scalars": scalars}
    datatree = gibbs_datatree(
        samples,
        data,
        conditionals.centre,
        seconds=seconds,
        tune=tune,
        attributes={
            "augmentation": "Polya-Gamma (Polson, Scott & Windle 2013): weights and intercept "
            "jointly",
            "sweeps_per_draw": 1,
        },
    )
    names = [
        name
        for name, values in scalars.items()
        if values.ndim == 2 and name not in conditionals.draws_only
    ]
    var_names = [WEIGHTS] + ([INTERCEPT] if fit_intercept else []) + names
    summary = _summarise(datatree, var_names, data.feature_names)
    return PosteriorResult(datatree, summary, 0, draws, chains, seconds, engine="gibbs")
