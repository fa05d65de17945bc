"""The Gibbs sweep's draws against their closed forms: the stacked weight draw, the noise with the
weights integrated out, the inverse Gaussian scale draws (issue 23's speed work kept them exact).

Monte Carlo tolerances as in test_gibbs.py: a mean within 4 standard errors, a covariance from
6000 draws within 8% (its relative error on the diagonal is ~sqrt(2 / 6000) ~ 2%); a whole law by
a Kolmogorov-Smirnov test at level 1e-3 (a false alarm once in a thousand runs).
"""

import numpy as np
import pytest
from scipy import stats

from conftest import make_sparse_problem
from regprior.inference.gibbs import STACKED_MAX_FEATURES, _lapack, _Problem, _rue_step
from regprior.spec.conditionals import (
    ChainStreams,
    FixedScales,
    inverse_gaussian,
    laplace_variances,
)


def streams(chains, seed=7):
    return ChainStreams(np.random.default_rng([seed, c]) for c in range(chains))


def centred(data):
    w = data.weights
    return data.X - w @ data.X / w.sum(), data.y - w @ data.y / w.sum(), w


def assert_moments(draws, mean, cov):
    """Sample mean within 4 standard errors, sample covariance within 8% of ``cov``."""
    standard_error = np.sqrt(np.diag(cov) / len(draws))
    np.testing.assert_array_less(np.abs(draws.mean(0) - mean), 4 * standard_error)
    np.testing.assert_allclose(np.cov(draws.T), cov, rtol=0.08, atol=0.08 * np.abs(cov).max())


# -- the stacked (banded) weight draw -------------------------------------------------------------
@pytest.mark.parametrize("p", [1, 5, STACKED_MAX_FEATURES])
def test_stacked_weight_draw_has_the_exact_conditional_at_every_width(p):
    """One weight, a few, and the widest stacked system; 6000 draws from 8 chains x 750 sweeps."""
    data = make_sparse_problem(p + 20, p, seed=3, n_informative=1, weighted=True)
    variances, sigma2 = np.linspace(0.2, 3.0, p), 0.8
    conditionals = FixedScales(variances, p, noise_variance=sigma2)
    problem = _Problem(data, conditionals.centre, fit_intercept=True)
    chains, rngs, lapack = 8, streams(8), _lapack()
    state = {"d": np.tile(variances, (chains, 1))}
    draws = np.concatenate(
        [
            _rue_step(problem, conditionals, state, np.full(chains, sigma2), rngs, lapack)[0]
            for _ in range(750)
        ]
    )
    X, y, w = centred(data)
    cov = np.linalg.inv((X.T * w) @ X / sigma2 + np.diag(1.0 / variances))
    assert_moments(draws, cov @ (X.T @ (w * y)) / sigma2, cov)


def test_noise_with_the_weights_integrated_out_then_the_weights():
    """Noise-scaled prior, learnt noise (Jeffreys): sigma^2 | d ~ InvGamma(dof/2, q/2) with
    q = y'(I + B B')^-1 y computed here on the n x n side, then the weights given sigma^2."""
    data = make_sparse_problem(30, 4, seed=3, n_informative=2, weighted=True)
    variances = np.linspace(0.2, 3.0, 4)
    conditionals = FixedScales(variances, 4)  # noise_variance None: learnt
    conditionals.noise_scaled = True
    problem = _Problem(data, conditionals.centre, fit_intercept=True)
    chains = 6000
    state = {"d": np.tile(variances, (chains, 1))}
    gamma, sigma2 = _rue_step(
        problem, conditionals, state, np.ones(chains), streams(chains), _lapack()
    )
    X, y, w = centred(data)
    root_w = np.sqrt(w)
    B = root_w[:, None] * X * np.sqrt(variances)
    q = (root_w * y) @ np.linalg.solve(np.eye(len(y)) + B @ B.T, root_w * y)
    shape, dof = 0.5 * problem.dof, problem.dof
    assert dof == len(y) - 1
    law = stats.invgamma(shape, scale=0.5 * q)
    assert stats.kstest(sigma2, law.cdf).pvalue > 1e-3
    precision = (X.T * w) @ X + np.diag(1.0 / variances)
    cov = np.linalg.inv(precision)
    assert_moments(gamma, cov @ (X.T @ (w * y)), law.mean() * cov)


def test_learnt_noise_not_scaling_the_prior_refactors_every_sweep():
    """The varying divisor (X'WX / sigma^2 each sweep): a second call with another sigma^2 must
    not reuse the first one's matrices."""
    data = make_sparse_problem(30, 4, seed=3, n_informative=2, weighted=True)
    variances = np.linspace(0.2, 3.0, 4)
    conditionals = FixedScales(variances, 4)  # learnt noise, not noise-scaled
    problem = _Problem(data, conditionals.centre, fit_intercept=True)
    chains, rngs, lapack = 6000, streams(6000), _lapack()
    state = {"d": np.tile(variances, (chains, 1))}
    X, y, w = centred(data)
    for sigma2 in (0.3, 2.5):
        gamma, returned = _rue_step(
            problem, conditionals, state, np.full(chains, sigma2), rngs, lapack
        )
        assert np.all(returned == sigma2)
        cov = np.linalg.inv((X.T * w) @ X / sigma2 + np.diag(1.0 / variances))
        assert_moments(gamma, cov @ (X.T @ (w * y)) / sigma2, cov)


def test_an_indefinite_system_says_so():
    data = make_sparse_problem(30, 4, seed=3, n_informative=2)
    conditionals = FixedScales(1.0, 4, noise_variance=1.0)
    problem = _Problem(data, conditionals.centre, fit_intercept=True)
    state = {"d": np.array([[1.0, 1.0, -1e-3, 1.0]])}  # a negative prior variance
    with pytest.raises(np.linalg.LinAlgError, match="Cholesky factor failed"):
        _rue_step(problem, conditionals, state, np.ones(1), streams(1), _lapack())


# -- the inverse Gaussian scale draws -------------------------------------------------------------
def test_laplace_variances_have_the_inverse_gaussian_law():
    """1 / d_j ~ InverseGaussian(1 / (s |gamma_j|), 1 / s^2): Kolmogorov-Smirnov against SciPy's
    invgauss, and E[d_j] = s |gamma_j| + s^2, for a weight near zero, a moderate and a large one."""
    scale = 0.5
    gamma = np.array([[1e-9, 0.3, -40.0]])
    rngs = streams(4, seed=11)
    draws = np.concatenate([laplace_variances(gamma, scale, rngs) for _ in range(5000)])
    mean, shape = 1.0 / (scale * np.abs(gamma[0])), 1.0 / scale**2
    for j in range(3):
        law = stats.invgauss(mean[j] / shape, scale=shape)  # SciPy's IG(mu, lambda)
        assert stats.kstest(1.0 / draws[:, j], law.cdf).pvalue > 1e-3, j
    expected = scale * np.abs(gamma[0]) + scale**2
    standard_error = draws.std(0) / np.sqrt(len(draws))
    np.testing.assert_array_less(np.abs(draws.mean(0) - expected), 4 * standard_error)


@pytest.mark.parametrize("reciprocal", [False, True])
def test_inverse_gaussian_draws_follow_their_law(reciprocal):
    rngs = streams(4, seed=12)
    mean, shape = np.array([[0.5, 3.0]]), np.array([[2.0, 0.7]])
    draws = np.concatenate(
        [inverse_gaussian(mean, shape, rngs, reciprocal=reciprocal) for _ in range(5000)]
    )
    if reciprocal:
        draws = 1.0 / draws
    for j in range(2):
        law = stats.invgauss(mean[0, j] / shape[0, j], scale=shape[0, j])
        assert stats.kstest(draws[:, j], law.cdf).pvalue > 1e-3, j


def test_derived_streams_are_per_chain_and_seeded():
    """normal_squared and uniform_odds come from each chain's own generator, a block at a time."""
    first, again = streams(3, seed=5), streams(3, seed=5)
    a = np.concatenate([first.normal_squared(7, 0.5) for _ in range(1000)], axis=1)
    b = np.concatenate([again.normal_squared(7, 0.5) for _ in range(1000)], axis=1)
    np.testing.assert_array_equal(a, b)
    # Chain 1's first block: 585 takes of 7 (the 586th starts a new block).
    reference = 0.5 * np.random.default_rng([5, 1]).standard_normal(ChainStreams.BLOCK) ** 2
    np.testing.assert_array_equal(a[1, : 585 * 7], reference[: 585 * 7])
    odds = np.concatenate([first.uniform_odds(7) for _ in range(1000)], axis=1)
    u = odds / (1.0 + odds)  # back to the uniforms
    assert stats.kstest(u.ravel(), "uniform").pvalue > 1e-3


# -- the collapsed step's quadratic form y'(I + cK)^-1 y ----------------------------------------
def _exact_quadratic(K, y, c):
    """``y'(I + cK)^-1 y`` in exact rational arithmetic (Gauss-Jordan on Fractions)."""
    from fractions import Fraction

    n, c = len(y), Fraction(c)
    rows = [
        [Fraction(int(i == j)) + c * Fraction(K[i][j]) for j in range(n)] + [Fraction(y[i])]
        for i in range(n)
    ]
    for col in range(n):
        pivot = next(r for r in range(col, n) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rows[col] = [v / rows[col][col] for v in rows[col]]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                rows[r] = [a - rows[r][col] * b for a, b in zip(rows[r], rows[col], strict=True)]
    return float(sum(Fraction(y[i]) * rows[i][n] for i in range(n)))


@pytest.mark.parametrize("wide", [True, False])
def test_marginal_quadratic_is_exact_where_the_fit_interpolates(wide):
    # At c k ~ 1e20 (an interpolating fit: large global scale, p > n) the form y'y - sum c a /
    # (1 + c k) is rounding alone (~1e-16 y'y against a true ~1e-19 y'y); it once let a chain of
    # the 100 x 1000 horseshoe drift to sigma 1e-151. Integer data make an exact reference;
    # rtol 1e-8 allows the eigendecomposition's rounding, amplified by the spread of 1 / k.
    from regprior.inference.gibbs import _spectra, marginal_quadratic
    from regprior.spec.data import RegressionData

    rng = np.random.default_rng(0)
    n, p = (4, 7) if wide else (6, 3)
    X = rng.integers(-3, 4, size=(n, p)).astype(float)
    y = rng.integers(-5, 6, size=n).astype(float)
    local = rng.integers(1, 4, size=p).astype(float)
    data = RegressionData(X, y)
    problem = _Problem(data, np.zeros(p), fit_intercept=False)
    assert problem.wide is wide
    values, weights, _ = _spectra(problem, local[None, :])
    K = (X * local) @ X.T  # integer: X E X'
    quadratic = marginal_quadratic(values, weights, problem.yty)
    for c in (1e-3, 1.0, 1e6, 1e12, 1e20):
        exact = _exact_quadratic(K.astype(int).tolist(), y.astype(int).tolist(), c)
        np.testing.assert_allclose(quadratic(np.array([c]))[0], exact, rtol=1e-8)


def test_quadratic_form_of_an_interpolating_fit_is_exact():
    # y'(I + c K)^-1 y at p > n for c from 1 to 1e16, against Gaussian elimination in exact
    # rational arithmetic (Fraction) on the same floating-point K and y: relative error below
    # 1e-9 (the sum of positive terms loses a few ulps per eigenvalue, ~1e-13, and the
    # eigendecomposition's own error relative to the smallest non-zero eigenvalue ~1e-12). The
    # subtraction y'y - sum c a / (1 + c k) alone keeps only the rounding of y'y (~1e-15) there:
    # at c = 1e14 it was 68% off, at c = 1e16 (true value ~1e-17 y'y) it is negative and
    # clamped to 1e-300.

    from regprior.inference.gibbs import _spectra, marginal_quadratic
    from regprior.spec.data import RegressionData

    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((8, 20)), rng.standard_normal(8)
    problem = _Problem(RegressionData(X, y), np.zeros(20), fit_intercept=True)
    values, weights, _ = _spectra(problem, np.ones((1, 20)))
    gram = problem.rows @ problem.rows.T
    target = problem.target

    quadratic = marginal_quadratic(values, weights, problem.yty)
    for c in (1.0, 1e4, 1e8, 1e12, 1e16):
        reference = _exact_quadratic(gram.tolist(), target.tolist(), c)
        got = quadratic(np.array([c]))[0]
        assert got == pytest.approx(reference, rel=1e-9, abs=0), (c, got, reference)
    plain = problem.yty - np.sum(1e16 * weights / (1.0 + 1e16 * values))  # the old form
    assert abs(plain - reference) > 0.5 * reference
