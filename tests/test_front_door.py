"""Every specification through the public API: full-Bayes models sample, predict, enter LOO."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

import regprior as rp
from test_hierarchical import park_casella_gibbs


def test_full_bayes_specifications_are_exported():
    for name in ("BayesianLasso", "LearnedScale", "FullBayes", "Prior", "Likelihood"):
        assert name in rp.__all__
    assert isinstance(rp.BayesianLasso(), rp.FullBayes)


def test_fit_map_refuses_a_full_bayes_specification_and_says_why(diabetes):
    with pytest.raises(ValueError, match="BayesianLasso has no posterior mode.*learns the noise"):
        rp.fit_map(diabetes.X, diabetes.y, rp.BayesianLasso(lam=0.237))


def test_a_full_bayes_specification_refuses_a_noise_sigma(diabetes):
    with pytest.raises(ValueError, match="noise_sigma: BayesianLasso puts a prior on the noise"):
        rp.sample_posterior(diabetes.X, diabetes.y, rp.BayesianLasso(), noise_sigma=50.0)
    with pytest.raises(ValueError, match="noise_sigma: LearnedScale puts a prior on the noise"):
        rp.BayesianRegressor(rp.LearnedScale(), noise_sigma=1.0).fit(diabetes.X, diabetes.y)


def test_a_specification_is_checked_before_any_work(diabetes):
    with pytest.raises(TypeError, match="prior must be a regprior prior .* got str"):
        rp.sample_posterior(diabetes.X, diabetes.y, "laplace")
    with pytest.raises(ValueError, match="models must be a dict of at least two"):
        rp.compare_loo(diabetes.X, diabetes.y, {"one": rp.Normal()})
    with pytest.raises(TypeError, match=r"models\['b'\] must be a regprior prior"):
        rp.compare_loo(diabetes.X, diabetes.y, {"a": rp.Normal(), "b": 3.0})
    with pytest.raises(ValueError, match="sample_weight: BayesianLasso has no sample weights"):
        rp.sample_posterior(diabetes.X, diabetes.y, rp.BayesianLasso(), sample_weight=np.ones(442))
    with pytest.raises(ValueError, match="likelihood: BayesianLasso is built with the gaussian"):
        rp.sample_posterior(diabetes.X, diabetes.y, rp.BayesianLasso(), likelihood=rp.Poisson())


@pytest.mark.slow
def test_public_bayesian_lasso_on_diabetes_is_park_and_casellas_posterior(diabetes):
    import arviz as az

    posterior = rp.sample_posterior(
        diabetes.X, diabetes.y, rp.BayesianLasso(lam=0.237), draws=1000, chains=4, random_seed=0
    )
    assert posterior.healthy, posterior.problems
    betas, sigma2s = park_casella_gibbs(diabetes.X, diabetes.y, 0.237, n_iter=22_000, seed=5)
    betas, sigma2s = betas[2000:], sigma2s[2000:]
    draws = posterior.datatree.posterior
    for j, name in enumerate(diabetes.feature_names):
        nuts = draws["beta"].isel(feature=j).to_numpy()
        nuts_mcse = float(az.mcse(nuts, method="median"))
        gibbs_mcse = float(az.mcse(betas[None, :, j], method="median"))
        # Medians within 4 combined Monte-Carlo standard errors (a false alarm ~1 in 16,000).
        difference = abs(np.median(nuts) - np.median(betas[:, j]))
        assert difference <= 4 * np.hypot(nuts_mcse, gibbs_mcse), (name, difference)
    # Park & Casella's Figure 2 medians (benchmarks/results/park_casella.md, 4 x 2000 draws):
    # bmi 524 and s5 520, each with a posterior sd of ~65-100, so 3% is ~4 MCSE of the median.
    medians = posterior.summary["median"]
    assert_allclose(medians[["x2", "x8"]], [524.0, 520.0], rtol=0.03)


@pytest.mark.slow
def test_an_estimator_of_a_full_bayes_specification_predicts_with_its_sd(diabetes):
    model = rp.BayesianRegressor(rp.BayesianLasso(lam=0.237), draws=1000, chains=4)
    model.fit(diabetes.X, diabetes.y)
    assert model.diagnostics_["divergences"] == 0
    mean, sd = model.predict(diabetes.X[:20], return_std=True)
    assert_allclose(mean, diabetes.X[:20] @ model.coef_ + model.intercept_, rtol=1e-10)
    # The predictive sd adds the parameter uncertainty to the noise: sqrt(E[sigma^2]) <= sd,
    # and on diabetes the noise dominates (sigma ~54 against a parameter sd of a few units).
    noise = np.sqrt(np.mean(model.posterior_.posterior["sigma"].to_numpy() ** 2))
    assert np.all(sd >= noise) and np.all(sd <= 1.2 * noise)
    assert model.score(diabetes.X, diabetes.y) > 0.4


@pytest.mark.slow
def test_an_estimator_warns_when_its_sampler_is_unhealthy():
    # A separable set (y = x > 0) with a weak prior: the posterior has a long ridge that NUTS
    # crosses with divergences.
    x = np.array([-3, -2.2, -1.4, -1, -0.6, -0.2, 0.3, 0.7, 1.1, 1.6, 2.1, 2.9])[:, None]
    y = (x[:, 0] > 0).astype(float)
    estimator = rp.LogisticPriorClassifier(C=100, inference="nuts", draws=200, tune=200, chains=2)
    with pytest.warns(UserWarning, match="LogisticPriorClassifier: the NUTS sampler is unhealthy"):
        estimator.fit(x, y)
    assert not estimator.diagnostics_["healthy"]
    assert estimator.diagnostics_["problems"]


@pytest.mark.slow
def test_a_healthy_estimator_does_not_warn(diabetes):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        fitted = rp.NormalPriorRegressor(
            alpha=0.1, noise_sigma=54.0, inference="nuts", draws=1000, chains=4
        ).fit(diabetes.X, diabetes.y)
    assert fitted.diagnostics_["healthy"]


#: sklearn's estimator checks that the posterior estimator runs: the ones that validate input and
#: parameters (no fit, or one small fit). The others (fit on many shapes and dtypes, idempotence
#: under refits) would each compile and sample NUTS tens of times: the same code paths, minutes.
CHECKS_RUN = {
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_estimator_repr",
    "check_estimators_overwrite_params",
    "check_fit2d_1sample",
    "check_estimators_empty_data_messages",
    "check_estimators_nan_inf",
    "check_fit_check_is_fitted",
    "check_n_features_in",
    "check_dont_overwrite_parameters",
}


def _selected_checks():
    from sklearn.utils.estimator_checks import estimator_checks_generator

    estimator = rp.BayesianRegressor(rp.Normal(sigma=1.0), draws=20, tune=20, chains=1)
    checks = []
    for est, check in estimator_checks_generator(estimator, mark="skip"):
        name = getattr(check, "func", check).__name__
        if name in CHECKS_RUN:
            checks.append(pytest.param(est, check, id=name))
    return checks


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:BayesianRegressor. the NUTS sampler is unhealthy")
@pytest.mark.parametrize(("estimator", "check"), _selected_checks())
def test_bayesian_regressor_passes_sklearns_checks(estimator, check):
    check(estimator)


def test_an_estimator_samples_by_gibbs_when_asked(diabetes):
    """The Gibbs engine needs no compile: a fast end-to-end check of the estimator's engine."""
    model = rp.BayesianRegressor(rp.BayesianLasso(lam=0.237), engine="gibbs", random_seed=3)
    model.fit(diabetes.X, diabetes.y)
    assert model.diagnostics_["engine"] == "gibbs" and model.diagnostics_["healthy"]
    mean, sd = model.predict(diabetes.X[:5], return_std=True)
    assert_allclose(mean, diabetes.X[:5] @ model.coef_ + model.intercept_, rtol=1e-10)
    # Park & Casella on diabetes: bmi and s5 medians ~524 and ~520 with posterior sds ~65-100.
    assert_allclose(model.summary_["median"].iloc[[2, 8]], [524.0, 520.0], rtol=0.04)
    with pytest.raises(ValueError, match="engine='gibbs': no Gibbs sampler for .*elasticnet"):
        rp.BayesianRegressor(
            rp.ElasticNetPrior(scale=1.0, sigma=1.0), noise_sigma=54.0, engine="gibbs"
        ).fit(diabetes.X, diabetes.y)
