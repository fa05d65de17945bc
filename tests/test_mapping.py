import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import (
    BayesianRidge,
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    Ridge,
    RidgeCV,
)

from regprior import (
    ElasticNetPrior,
    Laplace,
    Normal,
    prior_from_sklearn,
    registry,
    sklearn_counterpart,
)
from regprior.backend.model import build_model
from regprior.inference import exact_gaussian_posterior
from regprior.spec.likelihoods import Gaussian
from regprior.spec.mapping import (
    elastic_net_alpha,
    elastic_net_scales_from_alpha,
    laplace_scale_from_lasso_alpha,
    lasso_alpha,
    normal_sigma_from_ridge_alpha,
    ridge_alpha,
    weight_sum,
)


@pytest.mark.parametrize("noise_sigma", [0.1, 1.0, 54.0])
@pytest.mark.parametrize("prior_sigma", [1e-3, 0.5, 2.0, 1e4])
def test_ridge_round_trip(noise_sigma, prior_sigma):
    alpha = ridge_alpha(noise_sigma, prior_sigma)
    assert_allclose(alpha, noise_sigma**2 / prior_sigma**2, rtol=1e-15)
    # Two float operations each way: a few ulps.
    assert_allclose(normal_sigma_from_ridge_alpha(alpha, noise_sigma), prior_sigma, rtol=1e-14)


@pytest.mark.parametrize("n_samples", [1, 442, 1e6])
@pytest.mark.parametrize("scale", [1e-3, 0.5, 1e4])
def test_lasso_round_trip(n_samples, scale):
    alpha = lasso_alpha(3.0, scale, n_samples)
    assert_allclose(alpha, 9.0 / (n_samples * scale), rtol=1e-15)
    assert_allclose(laplace_scale_from_lasso_alpha(alpha, 3.0, n_samples), scale, rtol=1e-14)


def test_blog_special_case():
    # The blog's alpha = lambda is the special case 2 sigma^2 = 1.
    prior = Normal.from_lambda(3.0)
    assert_allclose(ridge_alpha(np.sqrt(0.5), prior.sigma), 3.0, rtol=1e-14)
    # Laplace: alpha = b / (2N) with its rate b, at 2 sigma^2 = 1.
    laplace = Laplace.from_rate(5.0)
    assert_allclose(lasso_alpha(np.sqrt(0.5), laplace.scale, 100), 5.0 / 200, rtol=1e-14)


def test_weight_sum():
    assert weight_sum(5) == 5.0
    assert weight_sum(3, np.array([0.5, 1.0, 2.0])) == 3.5


def test_counterpart_and_back():
    ridge = sklearn_counterpart(Normal(sigma=2.0), noise_sigma=4.0)
    assert isinstance(ridge, Ridge) and ridge.alpha == 4.0
    assert prior_from_sklearn(ridge, noise_sigma=4.0) == Normal(sigma=2.0)
    lasso = sklearn_counterpart(Laplace(scale=0.5), noise_sigma=2.0, weight_sum=8.0)
    assert isinstance(lasso, Lasso) and lasso.alpha == 1.0
    assert prior_from_sklearn(lasso, noise_sigma=2.0, weight_sum=8.0) == Laplace(scale=0.5)


def test_cv_estimators_map_their_chosen_alpha(diabetes):
    ridge = RidgeCV(alphas=[0.1, 1.0]).fit(diabetes.X, diabetes.y)
    # The registry's route (penalty weights over the loss factor) and the closed form differ
    # by the rounding of a few float operations.
    assert_allclose(
        prior_from_sklearn(ridge, noise_sigma=1.0).sigma,
        normal_sigma_from_ridge_alpha(ridge.alpha_, 1.0),
        rtol=1e-14,
    )
    lasso = LassoCV(cv=3, alphas=[0.1, 1.0]).fit(diabetes.X, diabetes.y)
    assert_allclose(
        prior_from_sklearn(lasso, noise_sigma=1.0, weight_sum=442).scale,
        laplace_scale_from_lasso_alpha(lasso.alpha_, 1.0, 442),
        rtol=1e-14,
    )


def test_bayesian_ridge_identity(diabetes):
    """sklearn's own identity: BayesianRidge.coef_ is Ridge(alpha=lambda_/alpha_)."""
    bayes = BayesianRidge(tol=1e-10, max_iter=1000).fit(diabetes.X, diabetes.y)
    noise_sigma = 1.0 / np.sqrt(bayes.alpha_)  # alpha_ is the noise precision
    prior = prior_from_sklearn(bayes)  # lambda_ is the weight precision
    alpha = ridge_alpha(noise_sigma, prior.sigma)
    assert_allclose(alpha, bayes.lambda_ / bayes.alpha_, rtol=1e-14)
    ridge = Ridge(alpha=alpha, solver="cholesky").fit(diabetes.X, diabetes.y)
    # Both are one linear solve of a system with cond ~ 500: ~1e-13 relative.
    assert_allclose(ridge.coef_, bayes.coef_, rtol=1e-9)
    # And regprior's exact posterior is BayesianRidge's (mean and covariance sigma_).
    model = build_model(diabetes, prior, Gaussian(noise_sigma))
    exact = exact_gaussian_posterior(model)
    assert_allclose(exact.mean, bayes.coef_, rtol=1e-9)
    assert_allclose(exact.cov, bayes.sigma_, rtol=1e-9)


@pytest.mark.parametrize("scale, prior_sigma", [(1e-3, 5.0), (0.5, 0.5), (40.0, 1e-2)])
def test_elastic_net_round_trip(scale, prior_sigma):
    alpha, l1_ratio = elastic_net_alpha(3.0, scale, prior_sigma, 442)
    assert_allclose(alpha, 9.0 / 442 * (1 / scale + 1 / prior_sigma**2), rtol=1e-15)
    assert_allclose(l1_ratio, (1 / scale) / (1 / scale + 1 / prior_sigma**2), rtol=1e-15)
    # prior_sigma comes back through 1 - l1_ratio: cancellation costs eps / (1 - l1_ratio).
    back = elastic_net_scales_from_alpha(alpha, l1_ratio, 3.0, 442)
    assert_allclose(back, (scale, prior_sigma), rtol=1e-14 / (1 - l1_ratio))


@pytest.mark.parametrize(
    "prior, closed_form",
    [
        (Normal(sigma=2.0), lambda: {"alpha": ridge_alpha(3.0, 2.0)}),
        (Laplace(scale=0.5), lambda: {"alpha": lasso_alpha(3.0, 0.5, 80.0)}),
        (
            ElasticNetPrior(scale=0.5, sigma=2.0),
            lambda: dict(
                zip(("alpha", "l1_ratio"), elastic_net_alpha(3.0, 0.5, 2.0, 80.0), strict=True)
            ),
        ),
    ],
)
def test_registry_agrees_with_the_closed_forms(prior, closed_form):
    """The registry's one identity (penalty weights x loss factor) against each written-out map."""
    strength = registry.sklearn_strength(prior, Gaussian(3.0), 80.0)
    expected = closed_form()
    assert strength.keys() == expected.keys()
    # A few float operations on each route: a few ulps.
    assert_allclose([strength[k] for k in expected], list(expected.values()), rtol=1e-14)
    back = registry.prior_from_sklearn_strength(prior.family, strength, Gaussian(3.0), 80.0)
    assert_allclose(list(back.parameters.values()), list(prior.parameters.values()), rtol=1e-14)


def test_elastic_net_counterpart_and_back(diabetes):
    enet = sklearn_counterpart(
        ElasticNetPrior(scale=0.5, sigma=2.0), noise_sigma=2.0, weight_sum=8.0
    )
    assert isinstance(enet, ElasticNet) and enet.tol == 1e-12
    # 1/s = 2, 1/tau^2 = 0.25, sigma^2/N = 0.5: alpha = 1.125, l1_ratio = 2/2.25.
    assert_allclose([enet.alpha, enet.l1_ratio], [1.125, 2 / 2.25], rtol=1e-15)
    back = prior_from_sklearn(enet, noise_sigma=2.0, weight_sum=8.0)
    assert_allclose([back.scale, back.sigma], [0.5, 2.0], rtol=1e-14)
    search = ElasticNetCV(cv=3, alphas=[0.01, 0.1], l1_ratio=0.3).fit(diabetes.X, diabetes.y)
    prior = prior_from_sklearn(search, noise_sigma=1.0, weight_sum=442)
    assert_allclose(
        elastic_net_alpha(1.0, prior.scale, prior.sigma, 442), (search.alpha_, 0.3), rtol=1e-13
    )
