"""The Gibbs engine against exact posteriors, quadrature, NUTS and itself (issue 23).

Monte Carlo tolerances: a posterior mean is checked within 4 MCSE (its standard error; 4 gives
a false alarm rate below 1e-4 per quantity), a posterior sd within 5% (with a bulk ESS of a few
thousand the sd estimate's own relative error is ~1-2%).
"""

import numpy as np
import pytest
from scipy import integrate

import regprior as rp
from conftest import DIABETES_NOISE_SIGMA, make_sparse_problem
from regprior.inference.gibbs import (
    ROUTES,
    _Problem,
    _rue_step,
    _wide_step,
    gibbs_posterior,
    gibbs_unavailable,
)
from regprior.spec.conditionals import ChainStreams, FixedScales, inverse_gaussian
from regprior.spec.data import RegressionData


def gibbs(data, spec, **kwargs):
    kwargs.setdefault("noise_sigma", None)
    return rp.sample_posterior(data.X, data.y, spec, engine="gibbs", **kwargs)


def within_mcse(result, reference_mean, k=4.0, other=None):
    """|mean - reference| <= k MCSE (combined with ``other``'s MCSE when given)."""
    summary = result.summary
    mcse = summary["mcse_mean"].to_numpy()
    if other is not None:
        mcse = np.hypot(mcse, other.summary["mcse_mean"].to_numpy())
    error = np.abs(summary["mean"].to_numpy() - reference_mean)
    return error <= k * mcse, error / mcse


# -- exact conjugate posterior (Normal prior, known sigma) ---------------------------------
@pytest.mark.parametrize("case", ["diabetes_centred", "weighted"])
def test_normal_prior_matches_the_exact_posterior(case, diabetes, weighted):
    if case == "diabetes_centred":
        data, prior, sigma = diabetes, rp.Normal(mu=np.linspace(-50, 50, 10), sigma=100.0), 54.0
    else:
        data, prior, sigma = weighted, rp.Normal(sigma=0.7), 1.0
    result = gibbs(data, prior, noise_sigma=sigma, sample_weight=data.sample_weight)
    exact = rp.exact_posterior(
        data.X, data.y, prior, noise_sigma=sigma, sample_weight=data.sample_weight
    )
    mean = np.append(exact.mean, exact.intercept_mean)
    sd = np.append(np.sqrt(np.diag(exact.cov)), exact.intercept_sd)
    ok, ratio = within_mcse(result, mean)
    assert ok.all(), ratio
    np.testing.assert_allclose(result.summary["sd"].to_numpy(), sd, rtol=0.05)
    assert result.engine == "gibbs" and result.divergences == 0 and result.healthy


# -- one weight, Laplace prior: quadrature ---------------------------------------------------
def test_laplace_one_weight_matches_quadrature():
    rng = np.random.default_rng(5)
    x = rng.normal(size=20)
    y = 1.0 + 0.4 * x + rng.normal(size=20)
    sigma, scale = 1.0, 0.3
    data = RegressionData(x[:, None], y)
    result = gibbs(data, rp.Laplace(scale=scale), noise_sigma=sigma, draws=4000)
    xc, yc = x - x.mean(), y - y.mean()

    def density(theta):  # the flat intercept integrated out: centred data
        return np.exp(-np.sum((yc - xc * theta) ** 2) / (2 * sigma**2) - abs(theta) / scale)

    bounds = (-3.0, 3.0)
    z = integrate.quad(density, *bounds, points=[0.0])[0]
    mean = integrate.quad(lambda t: t * density(t), *bounds, points=[0.0])[0] / z
    second = integrate.quad(lambda t: t * t * density(t), *bounds, points=[0.0])[0] / z
    row = result.summary.loc["x0"]
    assert abs(row["mean"] - mean) <= 4 * row["mcse_mean"]
    assert row["sd"] == pytest.approx(np.sqrt(second - mean**2), rel=0.05)


# -- the weight draw given the scales: both routes against the closed form ------------------
def _weight_draws(data, route, variances, sigma2, scaled, chains=6000):
    """One draw of the weights given fixed prior variances from each of ``chains`` chains."""
    conditionals = FixedScales(variances, data.n_features, noise_variance=sigma2)
    conditionals.noise_scaled = scaled
    problem = _Problem(data, conditionals.centre, fit_intercept=True, route=route)
    streams = ChainStreams(np.random.default_rng([7, c]) for c in range(chains))
    state = {"d": np.tile(conditionals.variances, (chains, 1))}
    step = _wide_step if problem.wide else _rue_step
    from regprior.inference.gibbs import _lapack

    gamma, _ = step(problem, conditionals, state, np.full(chains, sigma2), streams, _lapack())
    return gamma


@pytest.mark.parametrize("shape", [(30, 4), (8, 12)])
@pytest.mark.parametrize("scaled", [False, True])
def test_both_routes_draw_the_exact_conditional_of_the_weights(shape, scaled):
    n, p = shape
    data = make_sparse_problem(n, p, seed=3, n_informative=2, weighted=True)
    variances = np.linspace(0.2, 3.0, p)
    sigma2 = 0.8
    w = data.weights
    X = data.X - w @ data.X / w.sum()
    y = data.y - w @ data.y / w.sum()
    prior_variance = variances * (sigma2 if scaled else 1.0)
    precision = (X.T * w) @ X / sigma2 + np.diag(1.0 / prior_variance)
    cov = np.linalg.inv(precision)
    mean = cov @ (X.T @ (w * y)) / sigma2
    routes = ["rue", "bhattacharya"] if n >= p else ["bhattacharya"]
    for route in routes:
        draws = _weight_draws(data, route, variances, sigma2, scaled)
        standard_error = np.sqrt(np.diag(cov) / len(draws))
        np.testing.assert_array_less(np.abs(draws.mean(0) - mean), 4 * standard_error)
        # Sample covariance of 6000 draws: relative error ~ sqrt(2 / 6000) ~ 2% on the diagonal.
        np.testing.assert_allclose(np.cov(draws.T), cov, rtol=0.08, atol=0.08 * cov.max())


def test_inverse_gaussian_draws_have_their_moments_even_for_huge_means():
    streams = ChainStreams(np.random.default_rng([1, c]) for c in range(4))
    mean, shape = np.array([[0.5, 3.0, 1e8]]), np.array([[2.0, 0.7, 1.0]])
    draws = np.concatenate([inverse_gaussian(mean, shape, streams) for _ in range(20000)])
    assert np.all(np.isfinite(draws)) and np.all(draws > 0)
    # E[1/X] = 1/mean + 1/shape holds for every mean, and is finite even for mean 1e8, where
    # NumPy's wald loses every digit.
    np.testing.assert_allclose(np.mean(1 / draws, 0), 1 / mean[0] + 1 / shape[0], rtol=0.03)
    np.testing.assert_allclose(draws[:, :2].mean(0), mean[0, :2], rtol=0.03)


# -- the collapsed p > n sweep against the Rue sweep on the same posterior -------------------
@pytest.mark.parametrize(
    "spec",
    [
        rp.BayesianLasso(lam=None),
        rp.LearnedScale(family="normal"),
        rp.LearnedScale(family="laplace", noise_prior="halfstudentt"),
    ],
    ids=["park_casella", "learnt_normal", "learnt_laplace_t"],
)
def test_collapsed_route_and_rue_route_sample_the_same_posterior(spec):
    data = make_sparse_problem(40, 6, seed=4, n_informative=3)
    results = [
        gibbs_posterior(data, spec, draws=2000, random_seed=1, route=route)
        for route in ("rue", "bhattacharya")
    ]
    ok, ratio = within_mcse(results[0], results[1].summary["mean"].to_numpy(), other=results[1])
    assert ok.all(), ratio
    np.testing.assert_allclose(
        results[0].summary["sd"], results[1].summary["sd"], rtol=0.1
    )  # two Monte Carlo estimates, each ~3% off at a few thousand ESS


# -- against NUTS on the same PyMC model (slow: compiles) ------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    "spec, noise_sigma",
    [
        # Lasso alpha ~0.33. At scale 2 (alpha 3.3) s8's posterior has a spike at 0 and a
        # second mode: sds then differ by 5-10% between 4 x 2000 runs of either engine
        # (4 x 20,000 Gibbs sweeps: 5.42 and 5.32 from two seeds; NUTS 5.24).
        (rp.Laplace(scale=20.0), DIABETES_NOISE_SIGMA),
        (rp.BayesianLasso(), None),
        (rp.BayesianLasso(lam=None), None),
        (rp.LearnedScale(family="laplace"), None),
    ],
    ids=["laplace_known_sigma", "park_casella", "park_casella_learnt", "learnt_laplace"],
)
def test_gibbs_matches_nuts_on_diabetes(spec, noise_sigma, diabetes):
    settings = dict(draws=2000, tune=1000, chains=4, noise_sigma=noise_sigma)
    # NUTS must be a healthy reference: on the learnt-scale Laplace it diverged 103 times at
    # seed 0 (tau's sd 10.9 against 5.5-6.0 from healthy NUTS and Gibbs runs); seed 1 is healthy.
    nuts = rp.sample_posterior(
        diabetes.X, diabetes.y, spec, engine="nuts", random_seed=1, **settings
    )
    assert nuts.healthy, nuts.problems
    result = rp.sample_posterior(diabetes.X, diabetes.y, spec, engine="gibbs", **settings)
    assert list(result.summary.index) == list(nuts.summary.index)
    ok, ratio = within_mcse(result, nuts.summary["mean"].to_numpy(), other=nuts)
    assert ok.all(), ratio
    # The weights' and the intercept's sds within 5% (the issue's bar); a learnt scale's sd, of
    # a skewed heavy-tailed posterior, within 4 combined Monte Carlo errors of the sd (tau's sd
    # has a ~6% MC error at NUTS's bulk ESS of ~760 on the learnt-scale Laplace).
    coefficients = list(result.summary.index[: diabetes.X.shape[1] + 1])  # weights, intercept
    np.testing.assert_allclose(
        result.summary.loc[coefficients, "sd"], nuts.summary.loc[coefficients, "sd"], rtol=0.05
    )
    scalars = [name for name in result.summary.index if name not in coefficients]
    gap = (result.summary.loc[scalars, "sd"] - nuts.summary.loc[scalars, "sd"]).abs()
    mcse = np.hypot(result.summary.loc[scalars, "mcse_sd"], nuts.summary.loc[scalars, "mcse_sd"])
    assert (gap <= 4 * mcse).all(), (gap / mcse).to_dict()


# -- the result, the engine choice, the seed ---------------------------------------------------
def test_result_has_the_nuts_groups_names_and_says_which_engine(diabetes):
    result = gibbs(diabetes, rp.BayesianLasso(lam=None), draws=200, tune=100)
    assert set(result.datatree.children) == {"posterior", "constant_data", "observed_data"}
    posterior = result.datatree.posterior
    assert posterior["beta"].dims == ("chain", "draw", "feature")
    assert list(result.summary.index[-4:]) == ["intercept", "sigma2", "lambda", "sklearn_alpha"]
    assert "Gibbs 4 chains x 200 draws" in repr(result)
    assert result.diagnostics()["engine"] == "gibbs"
    assert result.diagnostics()["divergences"] == 0


def test_summary_names_follow_the_pymc_declaration(diabetes):
    from regprior.backend.model import build_hierarchical_model

    for spec in (rp.BayesianLasso(), rp.BayesianLasso(lam=None), rp.LearnedScale()):
        model = build_hierarchical_model(diabetes, spec)
        result = gibbs(diabetes, spec, draws=50, tune=10)
        assert tuple(result.summary.index[11:]) == model.summary_names


def test_same_seed_same_draws_and_chains_differ(diabetes):
    first, again, other = (
        gibbs(diabetes, rp.Laplace(scale=5.0), noise_sigma=54.0, draws=50, tune=10, random_seed=s)
        for s in (3, 3, 4)
    )
    beta = first.datatree.posterior["beta"].to_numpy()
    np.testing.assert_array_equal(beta, again.datatree.posterior["beta"].to_numpy())
    assert not np.array_equal(beta, other.datatree.posterior["beta"].to_numpy())
    assert not np.array_equal(beta[0], beta[1])


def test_auto_picks_gibbs_where_the_specification_allows_it(diabetes):
    result = rp.sample_posterior(
        diabetes.X, diabetes.y, rp.Laplace(scale=5.0), noise_sigma=54.0, engine="auto", draws=50
    )
    assert result.engine == "gibbs"
    assert gibbs_unavailable(rp.ElasticNetPrior(), rp.Gaussian(noise_sigma=1.0)) is not None
    assert gibbs_unavailable(rp.Laplace(), rp.Poisson()) is not None
    assert gibbs_unavailable(rp.Laplace(), rp.Bernoulli()) is None  # Polya-Gamma
    assert gibbs_unavailable(rp.BayesianLasso()) is None


@pytest.mark.slow
def test_auto_falls_back_to_nuts_without_conditionals(diabetes):
    result = rp.sample_posterior(
        diabetes.X, diabetes.y, rp.ElasticNetPrior(scale=5.0, sigma=10.0), noise_sigma=54.0,
        engine="auto", draws=100, tune=100,
    )  # fmt: skip
    assert result.engine == "nuts"


# -- input validation --------------------------------------------------------------------------
def test_bad_engine_and_settings_are_refused(diabetes):
    X, y = diabetes.X, diabetes.y
    with pytest.raises(ValueError, match=r"engine must be one of \('nuts', 'gibbs', 'auto'\)"):
        rp.sample_posterior(X, y, rp.Laplace(), noise_sigma=54.0, engine="metropolis")
    with pytest.raises(ValueError, match="target_accept is a NUTS setting"):
        rp.sample_posterior(X, y, rp.Laplace(), noise_sigma=54.0, engine="gibbs", target_accept=0.9)
    with pytest.raises(ValueError, match="engine='gibbs': no Gibbs sampler.*truncated gamma"):
        rp.sample_posterior(X, y, rp.ElasticNetPrior(), noise_sigma=54.0, engine="gibbs")
    counts = np.round(y / 10)
    with pytest.raises(
        ValueError,
        match="for the poisson likelihood .the Gibbs engine needs the Gaussian likelihood or",
    ):
        rp.sample_posterior(X, counts, rp.Laplace(), likelihood=rp.Poisson(), engine="gibbs")
    with pytest.raises(ValueError, match="draws must be an integer >= 1"):
        rp.sample_posterior(X, y, rp.Laplace(), noise_sigma=54.0, engine="gibbs", draws=0)
    with pytest.raises(ValueError, match="route must be one of"):
        gibbs_posterior(diabetes, rp.BayesianLasso(), route="qr")
    assert ROUTES == ("auto", "rue", "bhattacharya", "single_site")


@pytest.mark.parametrize(
    "spec",
    [rp.RegularizedHorseshoe(), rp.BayesianGDP(), rp.BayesianLasso(), rp.R2D2(), rp.Horseshoe()],
    ids=lambda spec: type(spec).__name__,
)
def test_a_constant_y_is_refused_where_the_noise_is_learnt(spec):
    # Every chain would start at sigma^2 = 0: before this check, NaN means summarised as
    # "r_hat undefined", draws of exactly 0, or a LinAlgError from inside numpy.
    X = np.random.default_rng(0).standard_normal((20, 5))
    with pytest.raises(ValueError, match="y is constant .*noise sigma cannot be learnt"):
        rp.sample_posterior(X, np.ones(20), spec, engine="gibbs", draws=20, tune=20)


def test_bayesian_gdp_scale_must_be_representable():
    # 1e-200 squared underflows: the Gibbs start's variances were 0 and every draw NaN.
    with pytest.raises(ValueError, match="'scale' parameter of BayesianGDP"):
        rp.BayesianGDP(scale=1e-200)
