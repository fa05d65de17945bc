"""Every bad input gets a ValueError/TypeError naming the argument, before any model is built."""

import numpy as np
import pytest

import regprior
from regprior import Laplace, Normal
from regprior.checks.sklearn import prior_from_sklearn
from regprior.registry import make_prior
from regprior.spec.likelihoods import Gaussian
from regprior.spec.mapping import (
    laplace_scale_from_lasso_alpha,
    lasso_alpha,
    normal_sigma_from_ridge_alpha,
    ridge_alpha,
)

rng = np.random.default_rng(0)
X = rng.normal(size=(30, 3))
y = X @ [1.0, 0.0, -2.0] + rng.normal(size=30)


@pytest.fixture(autouse=True)
def no_model_building(monkeypatch):
    """Any call that reaches PyMC's model building fails the test: checks come first."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a model was built before the input was checked")

    monkeypatch.setattr("regprior.api.build_model", forbidden)
    monkeypatch.setattr("regprior.backend.cache.build_model", forbidden)


def with_nan(array, index):
    array = np.array(array, dtype=float)
    array[index] = np.nan
    return array


ARRAY_CASES = [
    # (X, y, sample_weight, error, match)
    (with_nan(X, (0, 0)), y, None, ValueError, r"X contains 1 NaN or infinite"),
    (X, np.where(np.arange(30) == 3, np.inf, y), None, ValueError, r"y contains 1 NaN or infinite"),
    (
        X[:, 0],
        y,
        None,
        ValueError,
        r"X must be a 2-D array of shape \(n_samples, n_features\); got shape \(30,\)",
    ),
    (X, X, None, ValueError, r"y must be a 1-D array of shape \(n_samples,\)"),
    (
        X[:20],
        y,
        None,
        ValueError,
        r"X and y have inconsistent numbers of samples: X has 20 rows, y has 30",
    ),
    (np.empty((0, 3)), np.empty(0), None, ValueError, r"X is empty"),
    (np.empty((30, 0)), y, None, ValueError, r"X has no columns"),
    (X, y, -np.ones(30), ValueError, r"sample_weight must be strictly positive"),
    (X, y, np.ones(29), ValueError, r"sample_weight has 29 entries but y has 30 samples"),
    (X, y, with_nan(np.ones(30), 2), ValueError, r"sample_weight contains 1 NaN"),
    (
        [["a", "b", "c"]] * 30,
        y,
        None,
        TypeError,
        r"X must hold numbers \(bool, int or float\); got dtype <U1 \(strings",
    ),
    (
        [["1.5", "2", "3"]] * 30,
        y,
        None,
        TypeError,
        r"X must hold numbers .* \(strings: convert them with float first\)",
    ),
    (X + 1j, y, None, TypeError, r"X is complex \(complex128\); regprior needs real numbers"),
    (
        X,
        y.astype(object),
        None,
        TypeError,
        r"y must hold numbers \(bool, int or float\); got dtype object",
    ),
]


@pytest.mark.parametrize("X_bad, y_bad, weights, error, match", ARRAY_CASES)
@pytest.mark.parametrize("entry", ["fit_map", "sample_posterior", "exact_posterior", "compare"])
def test_bad_arrays(entry, X_bad, y_bad, weights, error, match):
    with pytest.raises(error, match=match):
        getattr(regprior, entry)(X_bad, y_bad, Normal(), noise_sigma=1.0, sample_weight=weights)


PRIOR_CASES = [
    (
        lambda: Normal(sigma=0.0),
        ValueError,
        r"The 'sigma' parameter of Normal must be a float in the range \(0, inf\). "
        r"Got 0.0 instead.",
    ),
    (
        lambda: Laplace(scale=-1),
        ValueError,
        r"The 'scale' parameter of Laplace must be a float in the range \(0, inf\). "
        r"Got -1 instead.",
    ),
    (lambda: Laplace(scale="1"), TypeError, r"The 'scale' parameter of Laplace must be a float"),
    (lambda: Normal(sigma=np.inf), ValueError, r"The 'sigma' parameter of Normal"),
    (lambda: Normal(mu=[0.0, np.nan]), ValueError, r"mu contains 1 NaN"),
    (lambda: Normal.from_lambda(-2.0), ValueError, r"The 'lam' parameter of Normal.from_lambda"),
    (lambda: Laplace.from_rate(0.0), ValueError, r"The 'rate' parameter of Laplace.from_rate"),
    (lambda: Gaussian(0.0), ValueError, r"The 'noise_sigma' parameter of Gaussian"),
    (lambda: ridge_alpha(-1.0, 1.0), ValueError, r"The 'noise_sigma' parameter of ridge_alpha"),
    (
        lambda: normal_sigma_from_ridge_alpha(-1.0, 1.0),
        ValueError,
        r"The 'alpha' parameter of Ridge \(mapped to a Normal prior\) "
        r"must be a float in the range \(0, inf\). Got -1.0",
    ),
    (
        lambda: laplace_scale_from_lasso_alpha(0.0, 1.0, 10),
        ValueError,
        r"The 'alpha' parameter of Lasso \(mapped to a Laplace prior\)",
    ),
    (lambda: lasso_alpha(1.0, 1.0, 0), ValueError, r"The 'n_samples' parameter of lasso_alpha"),
    (
        lambda: make_prior(
            "normal",
            likelihood=Gaussian(1.0),
            weight_sum=10,
            sklearn={"alpha": 1.0},
            blog={"lam": 1.0},
        ),
        ValueError,
        r"give the strength one way: sklearn, parameters or blog; got \['blog', 'sklearn'\]",
    ),
    (
        lambda: make_prior("laplace", likelihood=Gaussian(1.0), weight_sum=10, blog={"lam": 1.0}),
        ValueError,
        r"the blog post writes the laplace prior with \['rate'\]; got \['lam'\]",
    ),
    (
        lambda: make_prior("normal", likelihood=Gaussian(1.0), weight_sum=10, blog={"rate": 1.0}),
        ValueError,
        r"the blog post writes the normal prior with \['lam'\]; got \['rate'\]",
    ),
    (
        lambda: make_prior(
            "horseshoe", likelihood=Gaussian(1.0), weight_sum=10, sklearn={"alpha": 1.0}
        ),
        ValueError,
        r"prior family must be one of \['normal', 'laplace', 'elasticnet'\]",
    ),
    (
        lambda: make_prior(
            "elasticnet",
            likelihood=Gaussian(1.0),
            weight_sum=10,
            sklearn={"alpha": 1.0, "l1_ratio": 1.0},
        ),
        ValueError,
        r"The 'l1_ratio' parameter of ElasticNet \(mapped to an ElasticNetPrior prior\) "
        r"must be a float in the range \(0, 1\)",
    ),
    (
        lambda: make_prior(
            "elasticnet", likelihood=Gaussian(1.0), weight_sum=10, parameters={"scale": 1.0}
        ),
        ValueError,
        r"the elasticnet prior takes the parameters \['scale', 'sigma'\]; got \['scale'\]",
    ),
    (
        lambda: make_prior(
            "laplace",
            likelihood=Gaussian(1.0),
            weight_sum=10,
            sklearn={"alpha": 1.0, "l1_ratio": 0.5},
        ),
        ValueError,
        r"Lasso takes the strength parameters \['alpha'\]",
    ),
    (
        lambda: prior_from_sklearn(
            __import__("sklearn.linear_model").linear_model.GammaRegressor(), noise_sigma=1.0
        ),
        TypeError,
        r"estimator must be one of \['ElasticNet', 'ElasticNetCV', 'Lasso', 'LassoCV', "
        r"'LogisticRegression', 'LogisticRegressionCV', 'PoissonRegressor', 'Ridge', 'RidgeCV'\] "
        r"\(or BayesianRidge\); got GammaRegressor",
    ),
    (
        lambda: prior_from_sklearn(
            __import__("sklearn.linear_model").linear_model.Lasso(alpha=0.1), noise_sigma=1.0
        ),
        ValueError,
        r"weight_sum .* is required for a Lasso",
    ),
]


@pytest.mark.parametrize("make, error, match", PRIOR_CASES)
def test_bad_hyperparameters(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_prior_centre_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"prior centre mu has shape \(2,\) but X has 3 features"):
        regprior.fit_map(X, y, Laplace(mu=[0.0, 1.0]), noise_sigma=1.0)


def test_non_positive_noise_sigma():
    with pytest.raises(
        ValueError, match=r"The 'noise_sigma' parameter of Gaussian .* Got -1.0 instead"
    ):
        regprior.fit_map(X, y, Normal(), noise_sigma=-1.0)


def test_noise_sigma_cannot_be_estimated_when_p_ge_n():
    with pytest.raises(
        ValueError, match=r"noise_sigma cannot be estimated by least squares with n_samples=3"
    ):
        regprior.fit_map(X[:3], y[:3], Normal())


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"draws": 0}, ValueError, r"draws must be an integer >= 1; got 0"),
        ({"chains": 1.5}, TypeError, r"chains must be an integer >= 1; got 1.5"),
        ({"tune": -1}, ValueError, r"tune must be an integer >= 0; got -1"),
        ({"random_seed": "x"}, TypeError, r"random_seed must be an integer"),
    ],
)
def test_bad_sampler_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        regprior.sample_posterior(X, y, Normal(), noise_sigma=1.0, **kwargs)
    with pytest.raises(error, match=match):
        regprior.compare(X, y, Normal(), noise_sigma=1.0, **kwargs)


def test_not_a_prior():
    with pytest.raises(
        TypeError,
        match=r"prior must be a regprior prior such as Normal or Laplace, "
        r"or a full-Bayes specification such as BayesianLasso; got dict",
    ):
        regprior.fit_map(X, y, {"sigma": 1.0}, noise_sigma=1.0)


def test_fit_intercept_must_be_bool():
    with pytest.raises(TypeError, match=r"fit_intercept must be a bool; got 'yes'"):
        regprior.fit_map(X, y, Normal(), noise_sigma=1.0, fit_intercept="yes")


def test_feature_names_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"feature_names has 2 names but X has 3 columns"):
        regprior.compare(X, y, Normal(), noise_sigma=1.0, feature_names=["a", "b"])


def test_sparse_statistics_check_their_feature_names():
    import scipy.sparse

    from regprior.spec.statistics import SufficientStatistics

    with pytest.raises(ValueError, match=r"feature_names has 2 names but X has 3 columns"):
        SufficientStatistics.from_sparse(scipy.sparse.csr_array(X), y, feature_names=["a", "b"])
