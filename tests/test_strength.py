"""choose_prior: the prior at a given strength, or chosen by CV, 1-SE, evidence or full Bayes."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import BayesianRidge, LassoCV, RidgeCV

from regprior import registry
from regprior.checks.strength import WAYS, StrengthChoice, check_way, choose_prior
from regprior.spec.data import load_diabetes
from regprior.spec.likelihoods import Bernoulli, Gaussian, Poisson

NOISE_SIGMA = 54.0


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes()


def test_a_number_is_sklearns_path_parameter(diabetes):
    choice = choose_prior(diabetes, "normal", Gaussian(NOISE_SIGMA), way=0.5)
    assert isinstance(choice, StrengthChoice) and choice.way == choice.source == "given"
    # Ridge: alpha = sigma^2 / tau^2, so tau = sigma / sqrt(alpha); the map is closed form.
    assert_allclose(choice.prior.sigma, NOISE_SIGMA / np.sqrt(0.5), rtol=1e-15)
    assert choice.likelihood.noise_sigma == NOISE_SIGMA and choice.result is None


def test_a_given_strength_fills_in_the_fixed_parameters(diabetes):
    likelihood = Gaussian(NOISE_SIGMA)
    choice = choose_prior(diabetes, "elasticnet", likelihood, way=0.1, fixed={"l1_ratio": 0.3})
    expected = registry.make_prior(
        "elasticnet",
        likelihood=likelihood,
        weight_sum=diabetes.weight_sum,
        sklearn={"alpha": 0.1, "l1_ratio": 0.3},
    )
    assert choice.prior == expected


@pytest.mark.parametrize(
    "way, attribute, value",
    [({"parameters": {"sigma": 2.0}}, "sigma", 2.0), ({"blog": {"lam": 2.0}}, "sigma", 0.5)],
)
def test_a_strength_stated_the_priors_or_the_blogs_way(diabetes, way, attribute, value):
    # The blog's lambda = 1 / (2 sd^2): lambda 2 is sd 0.5.
    choice = choose_prior(diabetes, "normal", Gaussian(NOISE_SIGMA), way=way)
    assert_allclose(getattr(choice.prior, attribute), value, rtol=1e-15)


def test_cv_is_ridgecvs_leave_one_out_choice(diabetes):
    choice = choose_prior(diabetes, "normal", Gaussian(NOISE_SIGMA), way="cv")
    alpha = RidgeCV(alphas=np.logspace(-6, 6, 121)).fit(diabetes.X, diabetes.y).alpha_
    # Same estimator, same grid: the same alpha, then the closed-form map (rounding only).
    assert_allclose(choice.prior.sigma, NOISE_SIGMA / np.sqrt(alpha), rtol=1e-12)
    assert choice.way == "cv" and choice.source.startswith("RidgeCV (leave-one-out")


def test_1se_is_the_largest_alpha_within_one_se_of_lassocvs_best(diabetes):
    choice = choose_prior(diabetes, "laplace", Gaussian(NOISE_SIGMA), way="1se")
    search = LassoCV(cv=5, alphas=100).fit(diabetes.X, diabetes.y)  # the registry's settings
    mean = search.mse_path_.mean(axis=1)
    se = search.mse_path_.std(axis=1, ddof=1) / np.sqrt(search.mse_path_.shape[1])
    best = np.argmin(mean)
    alpha = search.alphas_[mean <= mean[best] + se[best]].max()
    assert alpha > search.alpha_  # the rule picks a stronger penalty than CV's best
    # Lasso: alpha = sigma^2 / (N scale). The same grid point, mapped in closed form.
    assert_allclose(choice.prior.scale, NOISE_SIGMA**2 / (diabetes.weight_sum * alpha), rtol=1e-12)
    assert choice.way == "1se" and choice.source.endswith("1-SE rule")


def test_eb_is_bayesian_ridge_with_zero_hyperpriors(diabetes):
    choice = choose_prior(diabetes, "normal", Gaussian(NOISE_SIGMA), way="eb")
    bayes = BayesianRidge(
        alpha_1=0, alpha_2=0, lambda_1=0, lambda_2=0, tol=1e-12, max_iter=10_000
    ).fit(diabetes.X, diabetes.y)
    # Two fixed-point solvers of the same evidence: 1e-6 relative.
    assert_allclose(choice.prior.sigma, 1 / np.sqrt(bayes.lambda_), rtol=1e-6)
    assert_allclose(choice.likelihood.noise_sigma, 1 / np.sqrt(bayes.alpha_), rtol=1e-6)
    assert choice.likelihood.noise_sigma != NOISE_SIGMA  # learnt, not the one given
    assert choice.result.converged and choice.source.startswith("type-II ML")


def test_bayes_maps_the_posterior_medians(diabetes, monkeypatch):
    """The wiring only (NUTS itself is tested with bayes_alpha): a stand-in posterior."""
    from regprior.checks import alpha_choice

    class Posterior:
        problems = []

    def fake(data, family, **settings):
        assert family == "laplace" and settings["draws"] == 7
        return alpha_choice.BayesAlpha(0.2, (0.1, 0.3), 50.0, Posterior())

    monkeypatch.setattr(alpha_choice, "bayes_alpha", fake)
    choice = choose_prior(diabetes, "laplace", Gaussian(NOISE_SIGMA), way="bayes", draws=7)
    assert choice.likelihood.noise_sigma == 50.0
    assert_allclose(choice.prior.scale, 50.0**2 / (diabetes.weight_sum * 0.2), rtol=1e-15)
    assert choice.source.startswith("full Bayes: posterior median") and choice.way == "bayes"


def test_every_way_applies_to_the_blogs_gaussian_pair():
    for way in WAYS:
        assert check_way("normal", Gaussian(1.0), way) == way
    assert check_way("laplace", Gaussian(1.0), {"sklearn": {"alpha": 1.0}}) == "given"


@pytest.mark.parametrize(
    "family, likelihood, way, options, message",
    [
        ("normal", Gaussian(1.0), "loo", {}, r"way must be one of \['cv', '1se', 'eb', 'bayes'\]"),
        (
            "normal",
            Gaussian(1.0),
            {"sklearn": {"alpha": 1.0}, "blog": {"lam": 1.0}},
            {},
            r"a given strength is one of \['sklearn', 'parameters', 'blog'\]",
        ),
        (
            "laplace",
            Gaussian(1.0),
            "eb",
            {},
            r"evidence maximisation \('eb'\) is defined for the normal prior with a gaussian "
            r"likelihood; got the laplace prior with a gaussian likelihood",
        ),
        (
            "normal",
            Gaussian(1.0),
            "eb",
            {"mu": 1.0},
            r"the 'eb' way uses a prior centred at 0; got mu=1.0",
        ),
        (
            "elasticnet",
            Gaussian(1.0),
            "bayes",
            {},
            r"the learnt prior scale \('bayes'\) is defined for the normal and laplace priors",
        ),
        (
            "normal",
            Poisson(),
            "bayes",
            {},
            r"got the normal prior with a poisson likelihood",
        ),
        (
            "normal",
            Bernoulli(),
            "1se",
            {},
            r"the 1-SE rule \('1se'\) needs per-fold errors \(RidgeCV, LassoCV, ElasticNetCV\); "
            r"the normal prior with a bernoulli likelihood is chosen by LogisticRegressionCV",
        ),
    ],
)
def test_a_way_that_does_not_apply_is_refused_before_any_fit(
    family, likelihood, way, options, message
):
    with pytest.raises(ValueError, match=message):
        check_way(family, likelihood, way, **options)
    with pytest.raises(ValueError, match=message):
        choose_prior(None, family, likelihood, way=way, **options)  # no data: nothing is fitted


def test_a_bad_given_strength_is_the_registrys_error(diabetes):
    with pytest.raises(ValueError, match=r"The 'alpha' parameter of Ridge .* Got -1.0"):
        choose_prior(diabetes, "normal", Gaussian(1.0), way=-1.0)
