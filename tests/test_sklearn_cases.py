"""scikit-learn's own Lasso / ElasticNet / Ridge test cases,
rerun with regprior's estimators in their place.

Set-ups and expected values are copied from scikit-learn 1.9.1,
``sklearn/linear_model/tests/test_coordinate_descent.py`` and ``.../test_ridge.py`` (each test
names its source). sklearn checks them with ``assert_array_almost_equal`` (6 decimals) at its
default tolerance; the MAP is exact, so the same checks hold, and the dual gaps are ~1e-15.

Deliberate differences, not rerun here:
- ``test_ridge_vs_lstsq`` fits ``Ridge(alpha=0)``: regprior refuses ``alpha=0`` (a flat prior:
  no proper prior has least squares as its MAP; tests/test_hardening.py pins the message).
- ``test_ridge_shapes_type`` expects ``intercept_`` of shape (1,) for ``y`` of shape (n, 1):
  regprior ravels such ``y`` (with sklearn's DataConversionWarning) as ``Lasso`` does, so
  ``intercept_`` is a scalar; the other shapes of that test are checked below.
- ``ElasticNet(l1_ratio=1.0)`` in ``test_enet_toy`` is the lasso: ``ElasticNetPriorRegressor``
  takes ``0 < l1_ratio < 1``, so that case runs with ``LaplacePriorRegressor``.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_almost_equal, assert_array_almost_equal

from regprior.estimators import (
    ElasticNetPriorRegressor,
    LaplacePriorRegressor,
    NormalPriorRegressor,
)

X_LINE = np.array([[-1.0], [0.0], [1.0]])
Y_LINE = [-1, 0, 1]  # just a straight line
T_LINE = [[2.0], [3.0], [4.0]]  # test sample


def test_lasso_zero():
    """test_coordinate_descent.py::test_lasso_zero: zero data, no crash, all zero."""
    clf = LaplacePriorRegressor(alpha=0.1).fit([[0], [0], [0]], [0, 0, 0])
    assert_array_almost_equal(clf.coef_, [0])
    assert_array_almost_equal(clf.predict([[1], [2], [3]]), [0, 0, 0])
    assert_almost_equal(clf.dual_gap_, 0)


@pytest.mark.parametrize(
    "alpha, coef, pred",
    [
        (1e-8, [1], [2, 3, 4]),
        (0.1, [0.85], [1.7, 2.55, 3.4]),
        (0.5, [0.25], [0.5, 0.75, 1.0]),
        (1, [0.0], [0, 0, 0]),
    ],
)
def test_lasso_toy(alpha, coef, pred):
    """test_coordinate_descent.py::test_lasso_toy (the four alphas)."""
    clf = LaplacePriorRegressor(alpha=alpha).fit(X_LINE, Y_LINE)
    assert_array_almost_equal(clf.coef_, coef)
    assert_array_almost_equal(clf.predict(T_LINE), pred)
    assert_almost_equal(clf.dual_gap_, 0)


@pytest.mark.parametrize(
    "estimator, coef, pred, decimal",
    [
        (
            LaplacePriorRegressor(alpha=1e-8),
            [1],
            [2, 3, 4],
            6,
        ),  # ElasticNet(alpha=1e-8, l1_ratio=1.0)
        (ElasticNetPriorRegressor(alpha=0.5, l1_ratio=0.3), [0.50819], [1.0163, 1.5245, 2.0327], 3),
        (ElasticNetPriorRegressor(alpha=0.5, l1_ratio=0.5), [0.45454], [0.9090, 1.3636, 1.8181], 3),
    ],
)
def test_enet_toy(estimator, coef, pred, decimal):
    """test_coordinate_descent.py::test_enet_toy (its Gram-matrix variants are one solve here)."""
    clf = estimator.fit(X_LINE, Y_LINE)
    assert_array_almost_equal(clf.coef_, coef, decimal=decimal)
    assert_array_almost_equal(clf.predict(T_LINE), pred, decimal=decimal)
    assert_almost_equal(clf.dual_gap_, 0)


def _build_dataset(n_samples=50, n_features=200, n_informative_features=10):
    """test_coordinate_descent.py::build_dataset (one target)."""
    random_state = np.random.RandomState(0)
    w = random_state.randn(n_features)
    w[n_informative_features:] = 0.0
    X = random_state.randn(n_samples, n_features)
    return X, np.dot(X, w)


def test_lasso_dual_gap():
    """test_coordinate_descent.py::test_lasso_dual_gap: dual_gap_ is primal - dual of the
    n-normalised objective. At the exact MAP both sides are rounding (~1e-15), so the check is
    absolute, at 1e-12 x mean(y^2), where sklearn's relative default fits its inexact solution."""
    X, y = _build_dataset(n_samples=10, n_features=30)
    n_samples = len(y)
    alpha = 0.01 * np.max(np.abs(X.T @ y)) / n_samples
    clf = LaplacePriorRegressor(alpha=alpha, fit_intercept=False, noise_sigma=1.0).fit(X, y)
    w = clf.coef_
    R = y - X @ w
    primal = 0.5 * np.mean(R**2) + clf.alpha * np.sum(np.abs(w))
    R /= np.max(np.abs(X.T @ R) / (n_samples * alpha))
    dual = 0.5 * (np.mean(y**2) - np.mean((y - R) ** 2))
    assert_allclose(clf.dual_gap_, primal - dual, rtol=0, atol=1e-12 * np.mean(y**2))


def _ridge_set_up():
    """The set-up both ridge tests share (p > n: the MAP at a given alpha needs no noise sigma)."""
    rng = np.random.RandomState(0)
    n_samples, n_features = 5, 10
    return rng.randn(n_samples, n_features), rng.randn(n_samples)


def test_ridge_shapes_type():
    """test_ridge.py::test_ridge_shapes_type
    (p > n: the MAP at a given alpha needs no noise sigma)."""
    X, y = _ridge_set_up()
    n_features = X.shape[1]
    ridge = NormalPriorRegressor()
    ridge.fit(X, y)
    assert ridge.coef_.shape == (n_features,)
    assert isinstance(ridge.coef_, np.ndarray) and isinstance(ridge.intercept_, float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DataConversionWarning: y raveled
        ridge.fit(X, y[:, np.newaxis])
    assert ridge.coef_.shape == (n_features,)
    ridge.fit(X, np.c_[y, 1 + y])
    assert ridge.coef_.shape == (2, n_features)
    assert ridge.intercept_.shape == (2,)
    assert isinstance(ridge.coef_, np.ndarray) and isinstance(ridge.intercept_, np.ndarray)


def test_ridge_intercept():
    """test_ridge.py::test_ridge_intercept (GH #708): each target keeps its own intercept."""
    X, y = _ridge_set_up()
    ridge = NormalPriorRegressor()
    intercept = ridge.fit(X, y).intercept_
    ridge.fit(X, np.c_[y, 1.0 + y])
    assert_almost_equal(ridge.intercept_[0], intercept)
    assert_almost_equal(ridge.intercept_[1], intercept + 1.0)
