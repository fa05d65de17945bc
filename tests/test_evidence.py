"""Type-II maximum likelihood (evidence maximisation) against BayesianRidge and ARDRegression."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import ARDRegression, BayesianRidge, Ridge

from regprior.inference.evidence import ard, type2_ml
from regprior.spec.data import RegressionData, load_diabetes
from regprior.spec.statistics import SufficientStatistics


def synthetic(n, p, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    coef = np.zeros(p)
    coef[:3] = [2.0, -1.0, 0.5]
    return RegressionData(X, 1.0 + X @ coef + rng.normal(size=n), name=f"synthetic_{n}x{p}")


CASES = {
    "diabetes": load_diabetes,
    "long_200x10": lambda: synthetic(200, 10, 1),
    "wide_60x40": lambda: synthetic(60, 40, 2),
}
#: sklearn at tol 1e-12 on sum |coef change|, all Gamma hyperparameters 0: pure type-II ML.
ZERO_HYPERPRIORS = {"alpha_1": 0.0, "alpha_2": 0.0, "lambda_1": 0.0, "lambda_2": 0.0}


@pytest.mark.parametrize("case", list(CASES))
def test_type2_ml_is_bayesian_ridge_with_zero_hyperpriors(case):
    data = CASES[case]()
    ours = type2_ml(data)
    theirs = BayesianRidge(**ZERO_HYPERPRIORS, tol=1e-12, max_iter=100_000).fit(data.X, data.y)
    assert (
        ours.converged and np.max(np.abs(ours.gradient)) <= 1e-12
    )  # a stationary point of the evidence
    # Both iterate the same stationarity conditions to ~1e-14: the bar asked is 1e-6 / 1e-8.
    assert_allclose(
        [ours.noise_precision, ours.weight_precision], [theirs.alpha_, theirs.lambda_], rtol=1e-6
    )
    assert_allclose(ours.coef, theirs.coef_, rtol=0, atol=1e-8 * np.abs(theirs.coef_).max())
    assert_allclose(ours.intercept, theirs.intercept_, rtol=1e-8)
    # The identity that makes it a Ridge: the posterior mean is Ridge(alpha = lambda_ / alpha_).
    ridge = Ridge(alpha=ours.ridge_alpha, solver="cholesky").fit(data.X, data.y)
    assert_allclose(ours.coef, ridge.coef_, rtol=0, atol=1e-9 * np.abs(ridge.coef_).max())


def test_diabetes_evidence_alpha_and_statistics_route(diabetes):
    ours = type2_ml(diabetes)
    # docs/specification.md, type-II ML: diabetes lambda_/alpha_ = 0.0336
    assert_allclose(ours.ridge_alpha, 0.0336, rtol=2e-3)
    from_stats = type2_ml(SufficientStatistics.from_data(diabetes))
    assert_allclose(from_stats.coef, ours.coef, rtol=1e-12)


@pytest.mark.parametrize("case", list(CASES))
def test_ard_is_ard_regression_with_zero_hyperpriors(case):
    data = CASES[case]()
    ours = ard(data, tol=1e-10)
    theirs = ARDRegression(**ZERO_HYPERPRIORS, tol=1e-10, max_iter=100_000).fit(data.X, data.y)
    assert ours.converged and theirs.n_iter_ < 100_000  # both converge on these three sets
    assert np.array_equal(ours.coef == 0, theirs.coef_ == 0)  # same pruned weights, exactly 0
    assert_allclose(ours.noise_precision, theirs.alpha_, rtol=1e-6)
    # sklearn stops when sum |coef change| < 1e-10: agreement to that tolerance, scaled.
    assert_allclose(
        ours.coef, theirs.coef_, rtol=0, atol=1e-8 * max(1.0, np.abs(theirs.coef_).max())
    )
    assert np.max(np.abs(ours.gradient)) <= 1e-8


EXACT_FITS = {
    # The two rows, no intercept: y = 1 + x exactly.
    "square_no_intercept": (RegressionData([[1.0, 1.0], [1.0, 2.0]], [2.0, 3.0]), False),
    # n <= p + 1 with an intercept: the evidence rises without bound as the noise sd -> 0.
    "wide_20x40": (synthetic(20, 40, 0), True),
    "n_equals_p_plus_1": (synthetic(4, 3, 5), True),
    # n > p + 1, but y in the span of the columns.
    "noiseless_30x3": (
        RegressionData(
            np.arange(90.0).reshape(30, 3) ** 0.5, np.arange(90.0).reshape(30, 3) ** 0.5 @ [1, 2, 3]
        ),
        True,
    ),
}


@pytest.mark.parametrize("case", list(EXACT_FITS))
@pytest.mark.parametrize("method", [type2_ml, ard])
def test_exact_fits_are_refused_before_any_iteration(case, method):
    data, fit_intercept = EXACT_FITS[case]
    with pytest.raises(ValueError, match=r"fitted exactly .*no maximum.*--noise-sigma.*bayes"):
        method(data, fit_intercept=fit_intercept)
    with pytest.raises(ValueError, match="fitted exactly"):
        method(
            SufficientStatistics.from_data(data, fit_intercept=fit_intercept),
            fit_intercept=fit_intercept,
        )


def test_exact_fit_message_names_the_shape():
    data, _ = EXACT_FITS["wide_20x40"]
    with pytest.raises(ValueError, match=r"n_samples=20 <= n_features \+ intercept=41"):
        type2_ml(data)


def test_the_refused_evidence_has_no_maximum():
    # Why the refusal is right: on the 20 x 40 set, BayesianRidge's evidence (counting N) keeps
    # rising as the noise sd falls, at any weight precision: (N - rank)/2 log a with N - rank = 1.
    data, _ = EXACT_FITS["wide_20x40"]
    X = data.X - data.X.mean(axis=0)
    y = data.y - data.y.mean()
    n = len(y)

    def log_evidence(noise_precision, weight_precision):
        covariance = np.eye(n) / noise_precision + X @ X.T / weight_precision
        _, log_det = np.linalg.slogdet(covariance)
        # n - 1 dimensions are the marginal of the centred data; BayesianRidge adds 1/2 log a.
        return 0.5 * (np.log(noise_precision) - log_det - y @ np.linalg.solve(covariance, y))

    values = [log_evidence(1.0 / sd**2, 1.0) for sd in (1e-1, 1e-2, 1e-3, 1e-4)]
    assert np.all(np.diff(values) > 0)


def test_data_with_a_residual_are_accepted_at_the_boundary():
    # n = p + 2 with an intercept: one residual degree of freedom, a maximum exists.
    data = synthetic(6, 4, 3)
    result = type2_ml(data)
    # The certificate: the gradient of the log evidence (per N/2) at rounding level.
    assert np.isfinite(result.log_evidence)
    assert np.max(np.abs(result.gradient)) < 1e-10
