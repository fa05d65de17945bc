"""The sklearn-compatible estimators: estimator checks, pipelines and grid search, NUTS mode."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.linear_model import (
    BayesianRidge,
    ElasticNet,
    Lasso,
    LogisticRegression,
    PoissonRegressor,
    Ridge,
)
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from regprior.estimators import (
    ElasticNetPriorRegressor,
    LaplacePriorRegressor,
    LogisticPriorClassifier,
    NormalPriorRegressor,
    PoissonPriorRegressor,
)
from regprior.spec.mapping import ridge_alpha


# No check is skipped by us. sklearn itself skips check_array_api_input unless
# SCIPY_ARRAY_API=1 is set (regprior computes in NumPy float64 only).
@pytest.mark.slow
@parametrize_with_checks(
    [
        NormalPriorRegressor(),
        LaplacePriorRegressor(),
        ElasticNetPriorRegressor(),
        LogisticPriorClassifier(),
        PoissonPriorRegressor(),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "ours, theirs, extra",
    [
        (NormalPriorRegressor, Ridge, {"solver": "cholesky"}),
        (LaplacePriorRegressor, Lasso, {"tol": 1e-12, "max_iter": 10**6}),
        (ElasticNetPriorRegressor, ElasticNet, {"tol": 1e-12, "max_iter": 10**6, "l1_ratio": 0.3}),
    ],
)
def test_map_mode_is_sklearn(diabetes, ours, theirs, extra):
    weights = np.random.default_rng(0).uniform(0.5, 2.0, diabetes.n_samples)
    shared = {"l1_ratio": 0.3} if ours is ElasticNetPriorRegressor else {}
    model = ours(alpha=0.05, noise_sigma=54.0, **shared).fit(
        diabetes.X, diabetes.y, sample_weight=weights
    )
    reference = theirs(alpha=0.05, **extra).fit(diabetes.X, diabetes.y, sample_weight=weights)
    # The spine's bar: 1e-8 x max |coef|.
    assert_allclose(model.coef_, reference.coef_, rtol=0, atol=1e-8 * np.abs(reference.coef_).max())
    assert_allclose(model.intercept_, reference.intercept_, rtol=1e-10)
    assert model.kkt_residual_ <= 1e-10


def test_alpha_and_prior_scale_are_two_doors_to_one_prior(diabetes):
    by_alpha = LaplacePriorRegressor(alpha=0.1, noise_sigma=54.0).fit(diabetes.X, diabetes.y)
    assert_allclose(by_alpha.prior_scale_, 54.0**2 / (442 * 0.1), rtol=1e-14)
    by_scale = LaplacePriorRegressor(prior_scale=by_alpha.prior_scale_, noise_sigma=54.0).fit(
        diabetes.X, diabetes.y
    )
    assert_allclose(by_scale.alpha_, 0.1, rtol=1e-14)
    np.testing.assert_array_equal(by_scale.coef_ == 0, by_alpha.coef_ == 0)
    ridge = NormalPriorRegressor(prior_scale=100.0, noise_sigma=54.0).fit(diabetes.X, diabetes.y)
    assert_allclose(ridge.alpha_, ridge_alpha(54.0, 100.0), rtol=1e-15)
    with pytest.raises(ValueError, match="give alpha or prior_scale, not both"):
        NormalPriorRegressor(alpha=1.0, prior_scale=1.0).fit(diabetes.X, diabetes.y)
    with pytest.raises(ValueError, match=r"The 'alpha' parameter of LaplacePriorRegressor must be"):
        LaplacePriorRegressor(alpha=-1.0).fit(diabetes.X, diabetes.y)


def test_normal_map_predictive_sd_is_bayesian_ridges(diabetes):
    bayes = BayesianRidge(tol=1e-10, max_iter=1000).fit(diabetes.X, diabetes.y)
    noise_sigma = 1 / np.sqrt(bayes.alpha_)
    model = NormalPriorRegressor(
        prior_scale=1 / np.sqrt(bayes.lambda_), noise_sigma=noise_sigma
    ).fit(diabetes.X, diabetes.y)
    mean, sd = model.predict(diabetes.X[:20], return_std=True)
    their_mean, their_sd = bayes.predict(diabetes.X[:20], return_std=True)
    assert_allclose(mean, their_mean, rtol=1e-9)
    # sklearn's BayesianRidge leaves the intercept's uncertainty out (it centres the data);
    # ours includes Var(c0) = sigma^2 / n: compare after removing it.
    assert_allclose(np.sqrt(sd**2 - noise_sigma**2 / 442), their_sd, rtol=1e-8)


def test_pipeline_grid_search_selects_sklearns_alpha(diabetes):
    alphas = np.geomspace(1e-3, 10, 20)
    cv = KFold(5, shuffle=True, random_state=0)
    ours = GridSearchCV(
        make_pipeline(StandardScaler(), LaplacePriorRegressor(noise_sigma=54.0)),
        {"laplacepriorregressor__alpha": alphas},
        cv=cv,
    ).fit(diabetes.X, diabetes.y)
    theirs = GridSearchCV(
        make_pipeline(StandardScaler(), Lasso(tol=1e-12, max_iter=10**6)),
        {"lasso__alpha": alphas},
        cv=cv,
    ).fit(diabetes.X, diabetes.y)
    assert ours.best_params_["laplacepriorregressor__alpha"] == theirs.best_params_["lasso__alpha"]
    # Same coefficients on every fold, hence the same R^2 to ~1e-10.
    assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], rtol=1e-8
    )


def test_clone_and_compile_reuse(diabetes):
    from regprior import estimators

    estimators.clear_model_cache()
    base = LaplacePriorRegressor(noise_sigma=54.0)
    for alpha in (1.0, 0.1, 0.01):
        clone(base).set_params(alpha=alpha).fit(diabetes.X, diabetes.y)
    [model] = estimators.cached_models()  # one compiled model served the three fits
    assert model.data_version == 2


def test_elastic_net_scales_are_the_other_door(diabetes):
    by_alpha = ElasticNetPriorRegressor(alpha=0.05, l1_ratio=0.7, noise_sigma=54.0).fit(
        diabetes.X, diabetes.y
    )
    by_scales = ElasticNetPriorRegressor(
        prior_scale=by_alpha.prior_scale_, prior_sigma=by_alpha.prior_sigma_, noise_sigma=54.0
    ).fit(diabetes.X, diabetes.y)
    assert_allclose([by_scales.alpha_, by_scales.l1_ratio_], [0.05, 0.7], rtol=1e-13)
    assert_allclose(
        by_scales.coef_, by_alpha.coef_, rtol=0, atol=1e-9 * np.abs(by_alpha.coef_).max()
    )
    assert np.array_equal(by_scales.coef_ == 0, by_alpha.coef_ == 0)
    with pytest.raises(ValueError, match="give prior_scale and prior_sigma together"):
        ElasticNetPriorRegressor(prior_scale=1.0).fit(diabetes.X, diabetes.y)


def test_p_greater_than_n_without_noise_sigma(wide):
    model = LaplacePriorRegressor(alpha=0.1).fit(wide.X, wide.y)
    reference = Lasso(alpha=0.1, tol=1e-12, max_iter=10**6).fit(wide.X, wide.y)
    assert_allclose(model.coef_, reference.coef_, rtol=0, atol=1e-8 * np.abs(reference.coef_).max())
    assert np.isnan(model.noise_sigma_) and np.isnan(model.prior_scale_) and model.prior_ is None
    with pytest.raises(ValueError, match="noise_sigma cannot be estimated"):
        LaplacePriorRegressor(prior_scale=1.0).fit(wide.X, wide.y)


@pytest.mark.slow
def test_nuts_mode(diabetes):
    model = NormalPriorRegressor(
        alpha=0.1, noise_sigma=54.0, inference="nuts", draws=1000, random_seed=1
    )
    model.fit(diabetes.X, diabetes.y)
    exact = NormalPriorRegressor(alpha=0.1, noise_sigma=54.0).fit(diabetes.X, diabetes.y)
    assert model.posterior_.posterior["beta"].shape == (4, 1000, 10)  # four chains by default
    # Posterior mean vs the exact one (= the MAP here): within Monte-Carlo error, ~5% of a
    # posterior sd (~65) at ESS ~2000; 20 is ~4 MCSE.
    assert_allclose(model.coef_, exact.coef_, rtol=0, atol=20.0)
    _, sd_nuts = model.predict(diabetes.X[:5], return_std=True)
    _, sd_exact = exact.predict(diabetes.X[:5], return_std=True)
    assert_allclose(sd_nuts, sd_exact, rtol=0.02)  # dominated by noise sigma; MC error ~1%


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0, 0.4])
def test_logistic_classifier_is_logistic_regression(l1_ratio):
    from regprior.spec.data import load_breast_cancer

    data = load_breast_cancer()
    labels = np.where(data.y == 1, "benign", "malignant")  # any two labels
    weights = np.random.default_rng(0).uniform(0.5, 2.0, data.n_samples)
    ours = LogisticPriorClassifier(C=0.3, l1_ratio=l1_ratio).fit(
        data.X, labels, sample_weight=weights
    )
    solver = (
        {"solver": "newton-cholesky", "tol": 1e-12}
        if l1_ratio == 0
        else {"solver": "saga", "tol": 1e-10, "max_iter": 100_000}
    )
    theirs = LogisticRegression(C=0.3, l1_ratio=l1_ratio, **solver).fit(
        data.X, labels, sample_weight=weights
    )
    assert list(ours.classes_) == list(theirs.classes_)
    # newton-cholesky reaches ~1e-15; saga stops ~1e-7 away (its own certificate, see test_glm).
    atol = 1e-8 if l1_ratio == 0 else 1e-5
    assert_allclose(
        ours.coef_, theirs.coef_, rtol=0, atol=atol * max(1, np.abs(theirs.coef_).max())
    )
    assert_allclose(ours.predict_proba(data.X), theirs.predict_proba(data.X), rtol=0, atol=atol)
    assert (ours.predict(data.X) == theirs.predict(data.X)).mean() > 0.99
    assert ours.kkt_residual_ <= 1e-10
    if l1_ratio > 0:
        assert (ours.coef_ == 0).any()  # exact zeros


def test_poisson_regressor_is_poisson_regressor():
    from regprior.spec.data import make_poisson_counts

    data = make_poisson_counts()
    ours = PoissonPriorRegressor(alpha=0.02).fit(data.X, data.y)
    theirs = PoissonRegressor(alpha=0.02, solver="newton-cholesky", tol=1e-12).fit(data.X, data.y)
    assert_allclose(
        ours.coef_, theirs.coef_, rtol=0, atol=1e-8 * max(1, np.abs(theirs.coef_).max())
    )
    assert_allclose(ours.predict(data.X), theirs.predict(data.X), rtol=1e-10)
    by_scale = PoissonPriorRegressor(prior_scale=ours.prior_scale_).fit(data.X, data.y)
    assert_allclose(by_scale.alpha_, 0.02, rtol=1e-13)
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        LogisticPriorClassifier().fit(data.X, data.y)  # counts: several classes


@pytest.mark.slow
def test_glm_estimators_in_nuts_mode():
    from regprior.spec.data import load_breast_cancer, make_poisson_counts

    cancer = load_breast_cancer()
    X = cancer.X[:, :5]
    bayes = LogisticPriorClassifier(
        C=0.5, inference="nuts", draws=300, tune=300, random_seed=2
    ).fit(X, cancer.y)
    mode = LogisticPriorClassifier(C=0.5).fit(X, cancer.y)
    proba = bayes.predict_proba(X)
    assert bayes.coef_.shape == (1, 5) and "posterior" in bayes.posterior_.children
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    # The posterior-averaged probability stays near the plug-in one at the mode
    # (weak prior, n = 569).
    assert np.max(np.abs(proba - mode.predict_proba(X))) < 0.1
    counts = make_poisson_counts()
    rates = (
        PoissonPriorRegressor(alpha=0.01, inference="nuts", draws=300, tune=300)
        .fit(counts.X, counts.y)
        .predict(counts.X)
    )
    plug_in = PoissonPriorRegressor(alpha=0.01).fit(counts.X, counts.y).predict(counts.X)
    assert np.all(rates > 0) and np.max(np.abs(rates / plug_in - 1)) < 0.1


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    "theirs, l1_ratio", [(Lasso(alpha=0.05), 1.0), (ElasticNet(alpha=0.01, l1_ratio=0.3), 0.3)]
)
def test_dual_gap_is_computed_as_sklearn_computes_it(diabetes, theirs, l1_ratio, fit_intercept):
    """At a point far from the optimum (sklearn stopped after 2 sweeps) the formula gives
    sklearn's own ``dual_gap_`` (the same sums: 1e-12 relative; measured 3e-15), zero weights
    included."""
    from regprior.checks.sklearn import enet_dual_gap

    weights = np.random.default_rng(0).uniform(0, 2, diabetes.n_samples)
    weights[:5] = 0.0
    stopped = clone(theirs).set_params(max_iter=2, tol=0.0, fit_intercept=fit_intercept)
    with pytest.warns(UserWarning, match="did not converge"):
        stopped.fit(diabetes.X, diabetes.y, sample_weight=weights)
    gap = enet_dual_gap(
        diabetes.X,
        diabetes.y,
        stopped.coef_,
        alpha=stopped.alpha,
        l1_ratio=l1_ratio,
        sample_weight=weights,
        fit_intercept=fit_intercept,
    )
    assert stopped.dual_gap_ > 1.0
    assert_allclose(gap, stopped.dual_gap_, rtol=1e-12)


@pytest.mark.parametrize(
    "ours, extra", [(LaplacePriorRegressor, {}), (ElasticNetPriorRegressor, {"l1_ratio": 0.3})]
)
def test_dual_gap_of_the_map_is_zero_to_rounding(diabetes, ours, extra):
    """The exact MAP closes the gap: below 1e-12 x ||y||^2 / n (sklearn stops at tol x that)."""
    model = ours(alpha=0.01, **extra).fit(diabetes.X, diabetes.y)
    scale = diabetes.y @ diabetes.y / diabetes.n_samples
    assert -1e-12 * scale <= model.dual_gap_ <= 1e-12 * scale
    assert not hasattr(NormalPriorRegressor(alpha=0.01).fit(diabetes.X, diabetes.y), "dual_gap_")


@pytest.mark.parametrize(
    "ours, theirs, extra",
    [
        (NormalPriorRegressor, Ridge, {"solver": "sparse_cg", "tol": 1e-14, "max_iter": 10**5}),
        (LaplacePriorRegressor, Lasso, {"tol": 1e-12, "max_iter": 10**6}),
        (ElasticNetPriorRegressor, ElasticNet, {"tol": 1e-12, "max_iter": 10**6, "l1_ratio": 0.3}),
    ],
)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_x_is_fitted_through_its_statistics(ours, theirs, extra, fit_intercept):
    """scipy.sparse X (90% zeros, weighted, zero weights included) fits as sklearn fits it, and the
    sparse and dense fits are the same MAP: 1e-8 x max |coef|, the spine's bar."""
    import scipy.sparse

    rng = np.random.default_rng(3)
    dense = rng.normal(size=(300, 40)) * (rng.uniform(size=(300, 40)) < 0.1)
    y = dense[:, :5] @ [3.0, -2.0, 1.0, 0.5, 4.0] + 2.0 + rng.normal(size=300)
    weights = rng.uniform(0.5, 2.0, 300)
    weights[:3] = 0.0
    shared = {"l1_ratio": 0.3} if ours is ElasticNetPriorRegressor else {}
    X = scipy.sparse.csr_array(dense)
    model = ours(alpha=0.01, noise_sigma=1.0, fit_intercept=fit_intercept, **shared).fit(
        X, y, sample_weight=weights
    )
    reference = theirs(alpha=0.01, fit_intercept=fit_intercept, **extra).fit(
        X, y, sample_weight=weights
    )
    on_dense = ours(alpha=0.01, noise_sigma=1.0, fit_intercept=fit_intercept, **shared).fit(
        dense, y, sample_weight=weights
    )
    scale = max(1.0, np.abs(reference.coef_).max())
    assert_allclose(model.coef_, reference.coef_, rtol=0, atol=1e-8 * scale)
    assert_allclose(model.intercept_, reference.intercept_, rtol=0, atol=1e-8 * scale)
    assert_allclose(model.coef_, on_dense.coef_, rtol=0, atol=1e-10 * scale)
    assert_allclose(model.predict(X), on_dense.predict(dense), rtol=1e-10)
    if ours is not NormalPriorRegressor:
        np.testing.assert_array_equal(model.coef_ == 0, reference.coef_ == 0)
        assert abs(model.dual_gap_ - on_dense.dual_gap_) <= 1e-12 * (y @ y) / len(y)
    assert model.kkt_residual_ <= 1e-10


def test_glm_estimators_refuse_sparse_x_with_sklearns_message():
    import scipy.sparse

    X = scipy.sparse.csr_array(np.eye(6))
    with pytest.raises(TypeError, match="Sparse data was passed .* but dense data is required"):
        LogisticPriorClassifier().fit(X, [0, 1, 0, 1, 0, 1])


def test_sparse_x_posterior_is_the_dense_posterior():
    """inference="nuts" on sparse X samples the sufficient-statistics model: the same posterior as
    the dense raw-form model, so the posterior means agree within 4 combined MCSE."""
    import arviz as az
    import scipy.sparse

    rng = np.random.default_rng(0)
    dense = rng.normal(size=(200, 5)) * (rng.uniform(size=(200, 5)) < 0.3)
    y = dense @ [1.0, 2.0, 0.0, 0.0, 3.0] + rng.normal(size=200)
    settings = {"alpha": 0.01, "inference": "nuts", "draws": 500, "tune": 500, "chains": 2}
    fits = [
        LaplacePriorRegressor(**settings).fit(X, y) for X in (scipy.sparse.csr_array(dense), dense)
    ]
    mcse = [
        np.asarray(az.mcse(fit.posterior_, var_names=["beta"], method="mean").dataset["beta"])
        for fit in fits
    ]
    assert np.all(np.abs(fits[0].coef_ - fits[1].coef_) <= 4 * np.hypot(*mcse))
