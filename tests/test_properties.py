"""Property-based tests (hypothesis): the exact maps' round trips,
and MAP == sklearn on random small problems.

Examples are derandomised (the same on every run, so CI cannot flake) and cover what the
hand-written cases do not: any positive scale over twelve orders of magnitude, random
designs with n > p and p > n, exactly collinear columns, and strengths from a fraction of a
percent of alpha_max to above it (all weights exactly zero).
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import ElasticNet, Lasso, Ridge

from regprior.estimators import (
    ElasticNetPriorRegressor,
    LaplacePriorRegressor,
    NormalPriorRegressor,
)
from regprior.spec.mapping import (
    elastic_net_alpha,
    elastic_net_scales_from_alpha,
    laplace_scale_from_lasso_alpha,
    lasso_alpha,
    normal_sigma_from_ridge_alpha,
    ridge_alpha,
)

# PyTensor raises the recursion limit while it compiles a new model; hypothesis notes it.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The recursion limit will not be reset:hypothesis.errors.HypothesisWarning"
)

POSITIVE = st.floats(1e-6, 1e6, allow_nan=False, allow_infinity=False)
SAMPLES = st.floats(1.0, 1e7, allow_nan=False, allow_infinity=False)
MAPS = settings(max_examples=300, derandomize=True, deadline=None)
#: Each example fits two solvers; the compiled models are cached per (family, shape, intercept).
FITS = settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@MAPS
@given(noise_sigma=POSITIVE, prior_sigma=POSITIVE)
def test_ridge_map_round_trip(noise_sigma, prior_sigma):
    """alpha = sigma^2 / prior_sigma^2 and back:
    a few float operations each way (1e-13 relative)."""
    alpha = ridge_alpha(noise_sigma, prior_sigma)
    assert_allclose(alpha * prior_sigma**2, noise_sigma**2, rtol=1e-13)
    assert_allclose(normal_sigma_from_ridge_alpha(alpha, noise_sigma), prior_sigma, rtol=1e-13)


@MAPS
@given(noise_sigma=POSITIVE, scale=POSITIVE, n_samples=SAMPLES)
def test_lasso_map_round_trip(noise_sigma, scale, n_samples):
    """alpha = sigma^2 / (N scale) and back."""
    alpha = lasso_alpha(noise_sigma, scale, n_samples)
    assert_allclose(alpha * n_samples * scale, noise_sigma**2, rtol=1e-13)
    assert_allclose(
        laplace_scale_from_lasso_alpha(alpha, noise_sigma, n_samples), scale, rtol=1e-13
    )


@MAPS
@given(noise_sigma=POSITIVE, scale=POSITIVE, prior_sigma=POSITIVE, n_samples=SAMPLES)
def test_elastic_net_map_round_trip(noise_sigma, scale, prior_sigma, n_samples):
    """(scale, prior_sigma) -> (alpha, l1_ratio) -> back. Where one penalty weight is below
    1e-13 of the other, l1_ratio rounds to 0 or 1 and that side is not recoverable (then the
    maps refuse it); otherwise 1e-10 relative (l1_ratio and 1 - l1_ratio lose digits)."""
    alpha, l1_ratio = elastic_net_alpha(noise_sigma, scale, prior_sigma, n_samples)
    l1, l2 = 1 / scale, 1 / prior_sigma**2
    if min(l1, l2) < 1e-6 * max(l1, l2):
        return
    back_scale, back_sigma = elastic_net_scales_from_alpha(alpha, l1_ratio, noise_sigma, n_samples)
    assert_allclose([back_scale, back_sigma], [scale, prior_sigma], rtol=1e-10)


def _problem(seed, n_samples, n_features, collinear):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    if collinear:
        X[:, -1] = -2.0 * X[:, 0]  # exactly collinear: a lasso-type optimum may be non-unique
    y = X[:, :3] @ [2.0, -1.0, 0.5] + 1.0 + rng.normal(size=n_samples)
    return X, y


def _sklearn_objective(model, X, y, alpha, l1_ratio):
    """sklearn's ElasticNet objective (Lasso at l1_ratio 1)
    of a fitted model's (coef_, intercept_)."""
    residual = y - X @ model.coef_ - model.intercept_
    return (
        residual @ residual / (2 * len(y))
        + alpha * l1_ratio * np.sum(np.abs(model.coef_))
        + alpha * (1 - l1_ratio) / 2 * model.coef_ @ model.coef_
    )


SHAPES = st.sampled_from([(30, 4), (30, 12), (8, 12)])  # n > p, n ~ p, p > n


@FITS
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=SHAPES,
    collinear=st.booleans(),
    fit_intercept=st.booleans(),
    fraction=st.floats(-3.0, 0.3),
    l1_ratio=st.sampled_from([1.0, 0.7, 0.3]),
)
def test_kinked_map_is_sklearn_on_random_problems(
    seed, shape, collinear, fit_intercept, fraction, l1_ratio
):
    """Lasso / ElasticNet at alpha = 10**fraction x alpha_max: the objectives agree to 1e-9
    relative always; where the optimum is unique (no collinear column) the coefficients agree to
    the spine's 1e-8 x max(1, |coef|) and the exact zeros are sklearn's."""
    X, y = _problem(seed, *shape, collinear)
    Xc = X - X.mean(0) if fit_intercept else X
    yc = y - y.mean() if fit_intercept else y
    alpha = 10.0**fraction * np.max(np.abs(Xc.T @ yc)) / len(y) / l1_ratio
    if l1_ratio == 1.0:
        ours = LaplacePriorRegressor(alpha=alpha, noise_sigma=1.0, fit_intercept=fit_intercept)
        theirs = Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=10**6)
    else:
        ours = ElasticNetPriorRegressor(
            alpha=alpha, l1_ratio=l1_ratio, noise_sigma=1.0, fit_intercept=fit_intercept
        )
        theirs = ElasticNet(
            alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-12, max_iter=10**6
        )
    ours.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # sklearn's ConvergenceWarning at tol 1e-12 on the hardest draws
        theirs.fit(X, y)
    assert ours.kkt_residual_ <= 1e-10
    mine, reference = (_sklearn_objective(m, X, y, alpha, l1_ratio) for m in (ours, theirs))
    assert mine <= reference * (1 + 1e-9)  # never worse than sklearn's solution
    assert_allclose(mine, reference, rtol=1e-9)
    if not collinear or l1_ratio < 1.0:  # an l2 part makes the optimum unique again
        scale = max(1.0, float(np.max(np.abs(theirs.coef_))))
        assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-8 * scale)
        assert_array_equal(ours.coef_ == 0.0, theirs.coef_ == 0.0)


@FITS
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=SHAPES,
    collinear=st.booleans(),
    fit_intercept=st.booleans(),
    log_alpha=st.floats(-3.0, 4.0),
)
def test_normal_map_is_ridge_on_random_problems(seed, shape, collinear, fit_intercept, log_alpha):
    """Ridge is unique at any alpha > 0 (collinear and p > n included): the MAP agrees with the SVD
    solution to 1e-8 x max(1, |coef|) from alpha 1e-3 to 1e4."""
    X, y = _problem(seed, *shape, collinear)
    alpha = 10.0**log_alpha
    ours = NormalPriorRegressor(alpha=alpha, noise_sigma=1.0, fit_intercept=fit_intercept).fit(X, y)
    theirs = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd").fit(X, y)
    scale = max(1.0, float(np.max(np.abs(theirs.coef_))))
    assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-8 * scale)
    assert_allclose(
        ours.intercept_, theirs.intercept_, rtol=0, atol=1e-8 * max(scale, abs(theirs.intercept_))
    )
