"""Bernoulli <-> LogisticRegression and Poisson <-> PoissonRegressor:
densities, maps, MAP paths, bad input."""

import numpy as np
import pytest
import scipy.special
import scipy.stats as st
from numpy.testing import assert_allclose
from sklearn.utils import check_random_state

from regprior import registry
from regprior.backend.model import build_model
from regprior.checks.comparison import compare_data
from regprior.checks.paths import alpha_grid, compare_paths, path_for_data, sklearn_path
from regprior.checks.sklearn import fit_counterpart, prior_from_sklearn
from regprior.inference import map_estimate
from regprior.spec.data import RegressionData, load_breast_cancer, make_poisson_counts
from regprior.spec.likelihoods import Bernoulli, Poisson
from regprior.spec.priors import ElasticNetPrior, Laplace, Normal

#: The bar: max |MAP - sklearn| <= 1e-8 x max(1, max |coef|) where sklearn reaches ~1e-12.
RTOL = 1e-8


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer()


@pytest.fixture(scope="module")
def counts():
    return make_poisson_counts()


def binary_problem(n, p, *, seed, weighted=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    coef = np.zeros(p)
    coef[:3] = [1.5, -1.0, 0.5]
    y = (rng.uniform(size=n) < scipy.special.expit(0.3 + X @ coef)).astype(float)
    return RegressionData(
        X, y, rng.uniform(0.5, 2.0, n) if weighted else None, name=f"binary_{n}x{p}"
    )


def test_likelihood_densities_match_scipy():
    eta = np.linspace(-3, 3, 7)
    y01 = np.array([0, 1, 1, 0, 1, 0, 1.0])
    counts = np.array([0, 1, 2, 5, 0, 3, 10.0])
    weights = np.linspace(0.5, 2.0, 7)
    # Closed forms: agreement to rounding.
    assert_allclose(
        Bernoulli().neg_loglik(y01, eta, weights),
        -weights * st.bernoulli.logpmf(y01, scipy.special.expit(eta)),
        rtol=1e-12,
    )
    assert_allclose(
        Poisson().neg_loglik(counts, eta, weights),
        -weights * st.poisson.logpmf(counts, np.exp(eta)),
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    "likelihood, y", [(Bernoulli(), [0, 1, 1, 0, 1, 0.0]), (Poisson(), [0, 1, 2, 5, 0, 3.0])]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_backend_log_density_is_the_spec(likelihood, y, weighted):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 2))
    weights = rng.uniform(0.5, 2, 6) if weighted else None
    data = RegressionData(X, np.array(y), weights)
    model = build_model(data, Normal(sigma=2.0), likelihood)
    point = {"centred_intercept": 0.3, "beta": np.array([0.5, -0.2])}
    logp = model.pymc_model.compile_logp(vars=[model.pymc_model["y"]])(point)
    eta = 0.3 + (X - model.x_mean) @ point["beta"]
    assert_allclose(logp, -np.sum(likelihood.neg_loglik(data.y, eta, data.weights)), rtol=1e-12)


def test_registry_maps_are_the_conventions():
    """C = tau^2 (Normal), C = s (Laplace),
    the product prior's C and l1_ratio; Poisson alpha = 1/(S tau^2)."""
    assert_allclose(
        registry.sklearn_strength(Normal(sigma=3.0), Bernoulli(), 50)["C"], 9.0, rtol=1e-15
    )
    assert registry.sklearn_strength(Laplace(scale=0.4), Bernoulli(), 50) == {"C": 0.4}
    strength = registry.sklearn_strength(ElasticNetPrior(scale=0.5, sigma=2.0), Bernoulli(), 50)
    assert_allclose([strength["C"], strength["l1_ratio"]], [1 / (2 + 0.25), 2 / 2.25], rtol=1e-15)
    assert_allclose(
        registry.sklearn_strength(Normal(sigma=2.0), Poisson(), 400)["alpha"],
        1 / (400 * 4),
        rtol=1e-15,
    )


def test_logistic_estimators_map_back_to_their_prior(cancer):
    from sklearn.linear_model import LogisticRegression, PoissonRegressor

    assert isinstance(prior_from_sklearn(LogisticRegression(C=4.0)), Normal)
    assert prior_from_sklearn(LogisticRegression(C=0.3, l1_ratio=1.0)) == Laplace(scale=0.3)
    both = prior_from_sklearn(LogisticRegression(C=0.5, l1_ratio=0.5))
    assert isinstance(both, ElasticNetPrior)
    assert_allclose([both.scale, both.sigma], [1.0, 1.0], rtol=1e-14)
    assert_allclose(
        prior_from_sklearn(PoissonRegressor(alpha=0.01), weight_sum=400).sigma, 0.5, rtol=1e-14
    )


def check_path(comparison, *, exact_reference):
    table = comparison.table
    assert (table["kkt_residual"] <= 1e-10).all(), table["kkt_residual"].max()
    if exact_reference:
        assert (table["rel_diff"] <= RTOL).all(), table["rel_diff"].max()
        assert (table["sklearn_certificate"] <= 1e-8).all()
    assert comparison.passed, comparison.summary_line()


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weights"])
@pytest.mark.parametrize("case", ["breast_cancer", "wide_p_gt_n"])
def test_logistic_l2_path_matches_newton_cholesky(cancer, case, weighted):
    data = cancer if case == "breast_cancer" else binary_problem(40, 60, seed=3)
    if weighted:
        data = RegressionData(
            data.X,
            data.y,
            np.random.default_rng(1).uniform(0.5, 2.0, data.n_samples),
            feature_names=data.feature_names,
        )
    likelihood = Bernoulli()
    Cs = alpha_grid(data, "normal", n_alphas=30, likelihood=likelihood)
    assert Cs[0] < Cs[-1]  # from the strongest penalty (small C) to the weakest
    path, model = path_for_data(data, "normal", likelihood, Cs)
    comparison = compare_paths(
        path, sklearn_path(data, "normal", Cs, likelihood="bernoulli"), model=model
    )
    check_path(comparison, exact_reference=True)


@pytest.mark.parametrize("family", ["laplace", "elasticnet"])
def test_logistic_l1_and_elastic_net_judged_by_certificates(cancer, family):
    """saga stops short of 1e-12: the MAP's certificate must be tight, sklearn's reported, the
    difference within the bound sklearn's certificate allows, supports equal where decidable."""
    likelihood = Bernoulli()
    Cs = alpha_grid(cancer, family, n_alphas=6, eps=1e-2, likelihood=likelihood)
    path, model = path_for_data(cancer, family, likelihood, Cs)
    comparison = compare_paths(
        path, sklearn_path(cancer, family, Cs, likelihood="bernoulli"), model=model
    )
    check_path(comparison, exact_reference=False)
    table = comparison.table
    assert table["n_active_map"].iloc[0] == 0 and table["n_active_map"].iloc[-1] > 5
    # Where sklearn's certificate decides it, the support is the MAP's.
    assert table.loc[table["support_decidable"], "support_match"].all()
    assert (
        table["sklearn_certificate"] > table["kkt_residual"]
    ).all()  # saga is the less exact side


def test_poisson_l2_path_matches_sklearn(counts):
    likelihood = Poisson()
    alphas = alpha_grid(counts, "normal", n_alphas=30, likelihood=likelihood)
    path, model = path_for_data(counts, "normal", likelihood, alphas)
    comparison = compare_paths(
        path, sklearn_path(counts, "normal", alphas, likelihood="poisson"), model=model
    )
    check_path(comparison, exact_reference=True)


def test_weighted_poisson_and_no_intercept(counts):
    weighted = RegressionData(
        counts.X, counts.y, np.random.default_rng(2).uniform(0.5, 2, counts.n_samples)
    )
    for data, fit_intercept in ((weighted, True), (counts, False)):
        prior = registry.prior_from_sklearn_strength(
            "normal", {"alpha": 0.05}, Poisson(), data.weight_sum
        )
        c = compare_data(data, prior, Poisson(), fit_intercept=fit_intercept, sample=False)
        assert c.verdict.passed, c.verdict.problems
        assert c.verdict.max_abs_diff <= RTOL * max(1, np.abs(c.table["sklearn"]).max())


def test_separable_data_has_a_map_under_a_proper_prior():
    """Perfectly separable: no maximum-likelihood estimate,
    but the Normal prior keeps the MAP finite."""
    X = np.array([[-2.0], [-1.0], [-0.5], [0.5], [1.0], [2.0]])
    data = RegressionData(X, (X[:, 0] > 0).astype(float))
    prior = Normal(sigma=10.0)
    result = map_estimate(build_model(data, prior, Bernoulli()))
    reference = fit_counterpart(data, prior, Bernoulli())
    assert result.converged and np.all(np.isfinite(result.coef))
    assert_allclose(result.coef, reference.coef, rtol=RTOL)


@pytest.mark.parametrize(
    "likelihood, y, match",
    [
        (
            Bernoulli(),
            [0, 1, 2, 1],
            r"y must be binary \(0 or 1\) for a Bernoulli likelihood; got values \[0.0, 1.0, 2.0\]",
        ),
        (
            Bernoulli(),
            [1, 1, 1, 1],
            r"y is 1 for every sample: the MAP of a flat intercept does not exist",
        ),
        (
            Poisson(),
            [0, 1, -2, 1],
            r"y must hold non-negative counts for a Poisson likelihood; got \[-2.0\]",
        ),
        (Poisson(), [0, 0, 0, 0], r"y is 0 for every sample"),
    ],
)
def test_bad_targets_fail_before_any_compile(likelihood, y, match):
    data = RegressionData(np.arange(8.0).reshape(4, 2), np.array(y, dtype=float))
    with pytest.raises(ValueError, match=match):
        build_model(data, Normal(), likelihood)


def test_non_zero_prior_centre_has_no_glm_counterpart(cancer):
    with pytest.raises(
        ValueError, match="a non-zero prior centre has no LogisticRegression counterpart"
    ):
        fit_counterpart(cancer, Normal(mu=0.1), Bernoulli())


def test_saga_counterpart_does_not_follow_the_global_random_state():
    """saga shuffles the samples: seeded, its answer is the same
    whatever drew from NumPy's global generator."""
    data = binary_problem(120, 6, seed=3)
    prior = registry.make_prior(
        "laplace", likelihood=Bernoulli(), weight_sum=data.weight_sum, sklearn={"C": 0.5}
    )
    fits = []
    for global_seed in (0, 1):
        # sklearn's global random state (random_state=None) is NumPy's legacy global generator.
        check_random_state(None).seed(global_seed)
        fits.append(fit_counterpart(data, prior, Bernoulli()))
    np.testing.assert_array_equal(fits[0].coef, fits[1].coef)
