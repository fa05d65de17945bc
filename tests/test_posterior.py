"""NUTS against the exact conjugate posterior (Normal prior, known sigma)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from conftest import DIABETES_NOISE_SIGMA
from regprior import ElasticNetPrior, Laplace, Normal, RegressionData
from regprior.backend.model import build_model
from regprior.inference import exact_gaussian_posterior, nuts_posterior
from regprior.spec.likelihoods import Gaussian

#: 2 chains x 1000 draws (1000 tuning steps): ~1-3 s of sampling after a ~3 s compile.
DRAWS, TUNE, CHAINS = 1000, 1000, 2
#: Means within 4 MCSE (a false alarm ~1 in 16,000 per coefficient), sds within 10%
#: (the sd's Monte-Carlo error at ESS >= 400 is <= ~4%).
MCSE_FACTOR, SD_RTOL = 4.0, 0.10


def check_against_exact(model, posterior):
    exact = exact_gaussian_posterior(model)
    features = list(model.data.feature_names)
    summary = posterior.summary.loc[features]
    assert posterior.divergences == 0
    assert posterior.r_hat_max <= 1.01
    assert np.all(np.abs(summary["mean"] - exact.mean) <= MCSE_FACTOR * summary["mcse_mean"])
    assert_allclose(summary["sd"], exact.sd, rtol=SD_RTOL)
    if model.fit_intercept:
        row = posterior.summary.loc["intercept"]
        assert abs(row["mean"] - exact.intercept_mean) <= MCSE_FACTOR * row["mcse_mean"]
        assert_allclose(row["sd"], exact.intercept_sd, rtol=SD_RTOL)


@pytest.mark.slow
def test_nuts_matches_exact_posterior_on_diabetes(diabetes):
    # alpha = 0.01: a weak prior, where diabetes' collinear s1..s4 make the posterior correlated.
    prior = Normal(sigma=DIABETES_NOISE_SIGMA / np.sqrt(0.01))
    model = build_model(diabetes, prior, Gaussian(DIABETES_NOISE_SIGMA))
    posterior = nuts_posterior(model, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=1)
    check_against_exact(model, posterior)


@pytest.mark.slow
def test_nuts_matches_exact_posterior_with_weights_centre_and_no_intercept(weighted):
    centre = np.linspace(-1, 1, weighted.n_features)
    model = build_model(weighted, Normal(mu=centre, sigma=0.5), Gaussian(1.0), fit_intercept=False)
    posterior = nuts_posterior(model, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=2)
    check_against_exact(model, posterior)


@pytest.mark.slow
def test_same_seed_same_draws(weighted):
    model = build_model(weighted, Laplace(scale=1.0), Gaussian(1.0))
    first = nuts_posterior(model, draws=100, tune=100, chains=2, random_seed=5)
    second = nuts_posterior(model, draws=100, tune=100, chains=2, random_seed=5)
    np.testing.assert_array_equal(
        first.datatree.posterior["beta"].values, second.datatree.posterior["beta"].values
    )


def test_exact_posterior_needs_a_normal_prior(weighted):
    model = build_model(weighted, Laplace(), Gaussian(1.0))
    with pytest.raises(TypeError, match="exact posterior needs a Normal prior"):
        exact_gaussian_posterior(model)


def test_exact_posterior_interval_is_gaussian(weighted):
    model = build_model(weighted, Normal(sigma=1.0), Gaussian(1.0))
    exact = exact_gaussian_posterior(model)
    low, high = exact.interval(0.94)
    # 94% central interval of a Gaussian: mean +- 1.8808 sd.
    assert_allclose((high - low) / (2 * exact.sd), 1.880793608, rtol=1e-8)


@pytest.mark.slow
def test_set_prior_reuses_the_compiled_sampler(weighted):
    model = build_model(weighted, Normal(sigma=0.05), Gaussian(1.0))
    nuts_posterior(model, draws=200, tune=200)
    compiled = model.compiled("nutpie", lambda: None)
    model.set_prior(Normal(sigma=3.0))
    posterior = nuts_posterior(model, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=4)
    assert model.compiled("nutpie", lambda: None) is compiled
    assert float(posterior.datatree.constant_data["prior_sigma"]) == 3.0
    # Against the exact posterior at the new scale: a stale scale (0.05) would fail by far.
    check_against_exact(model, posterior)


@pytest.mark.slow
@pytest.mark.parametrize(
    "prior", [Laplace(mu=0.2, scale=0.3), ElasticNetPrior(mu=0.2, scale=0.3, sigma=0.4)]
)
def test_nuts_matches_quadrature_for_one_weight(prior):
    """No conjugate reference for a kinked prior: with one feature the posterior is 1-D and
    quadrature gives its mean and sd exactly (the flat intercept integrates out on centred data)."""
    from scipy.integrate import quad

    rng = np.random.default_rng(5)
    x = rng.normal(size=30)
    data = RegressionData(x[:, None], 1.0 + 0.3 * x + rng.normal(size=30), name="one_feature")
    noise_sigma = 1.0
    xc, yc = x - x.mean(), data.y - data.y.mean()

    def log_density(beta):
        return -np.sum((yc - xc * beta) ** 2) / (2 * noise_sigma**2) - prior.neg_logpdf(beta)

    peak = max(log_density(b) for b in np.linspace(-2, 2, 4001))
    moments = [
        quad(
            lambda b, k=k: b**k * np.exp(log_density(b) - peak),
            -3,
            3,
            points=[0.2],
            epsrel=1e-12,
            limit=200,
        )[0]
        for k in range(3)
    ]
    mean = moments[1] / moments[0]
    sd = np.sqrt(moments[2] / moments[0] - mean**2)
    model = build_model(data, prior, Gaussian(noise_sigma))
    posterior = nuts_posterior(model, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=2)
    row = posterior.summary.loc["x0"]
    assert posterior.healthy, posterior.problems
    assert abs(row["mean"] - mean) <= MCSE_FACTOR * row["mcse_mean"]
    assert_allclose(row["sd"], sd, rtol=SD_RTOL)


@pytest.mark.slow
def test_elastic_net_nuts_is_healthy_on_diabetes(diabetes):
    from conftest import prior_at
    from regprior import compare

    prior = prior_at(
        "elasticnet", noise_sigma=DIABETES_NOISE_SIGMA, weight_sum=442, alpha=0.3, l1_ratio=0.5
    )
    c = compare(
        diabetes.X,
        diabetes.y,
        prior,
        noise_sigma=DIABETES_NOISE_SIGMA,
        feature_names=diabetes.feature_names,
        draws=DRAWS,
        tune=TUNE,
        random_seed=3,
    )
    assert c.verdict.passed, c.verdict.problems
    assert c.posterior.healthy and c.verdict.support_match
    # Exact zeros at the MAP, none in the posterior mean.
    assert (c.map_result.coef == 0).any() and (
        c.posterior.summary.loc[list(diabetes.feature_names), "mean"] != 0
    ).all()


def importance_reference(data, prior, likelihood, map_result, *, n_draws=40_000, seed=0):
    """Posterior mean and sd of (intercept, weights) by self-normalised importance sampling.

    Independent of PyMC and of MCMC: the log posterior is the spec's NumPy density (flat
    intercept), the proposal a multivariate Student-t(5) at the MAP with the inverse Hessian
    (inflated 1.5x) as scale. Returns ``(mean, sd, mcse_of_mean)`` for [intercept, *weights].
    """
    rng = np.random.default_rng(seed)
    X1 = np.column_stack([np.ones(data.n_samples), data.X])
    mode = np.concatenate([[map_result.intercept], map_result.coef])
    eta = X1 @ mode
    hessian = (X1.T * (data.weights * likelihood.variance(eta))) @ X1
    hessian[1:, 1:] += np.diag(prior.smooth_hessian_diagonal(map_result.coef))
    scale = np.linalg.cholesky(np.linalg.inv(hessian)) * 1.5
    dof = 5.0
    z = rng.standard_normal((n_draws, len(mode)))
    radius = np.sqrt(dof / rng.chisquare(dof, n_draws))
    draws = mode + (z @ scale.T) * radius[:, None]
    log_q = (
        -(dof + len(mode))
        / 2
        * np.log1p(np.sum(np.linalg.solve(scale, (draws - mode).T) ** 2, axis=0) / dof)
    )
    eta = draws @ X1.T
    log_p = -np.sum(likelihood.neg_loglik(data.y, eta, data.weights), axis=1) - np.sum(
        prior.neg_logpdf(draws[:, 1:]), axis=1
    )
    log_w = log_p - log_q
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    mean = w @ draws
    sd = np.sqrt(w @ (draws - mean) ** 2)
    ess = 1.0 / np.sum(w**2)
    return mean, sd, sd / np.sqrt(ess)


@pytest.mark.slow
@pytest.mark.parametrize("likelihood_name", ["bernoulli", "poisson"])
@pytest.mark.parametrize(
    "prior", [Normal(sigma=1.0), Laplace(scale=0.5)], ids=["normal", "laplace"]
)
def test_glm_nuts_matches_importance_sampling(likelihood_name, prior):
    """No conjugate reference for a GLM:
    NUTS (nutpie) against importance sampling on a small problem."""
    import scipy.special

    from regprior.inference import map_estimate
    from regprior.spec.likelihoods import Bernoulli, Poisson

    rng = np.random.default_rng(11)
    X = rng.normal(size=(120, 3))
    eta = 0.3 + X @ np.array([0.8, -0.5, 0.0])
    if likelihood_name == "bernoulli":
        likelihood, y = (
            Bernoulli(),
            (rng.uniform(size=120) < scipy.special.expit(eta)).astype(float),
        )
    else:
        likelihood, y = Poisson(), rng.poisson(np.exp(eta)).astype(float)
    data = RegressionData(X, y, rng.uniform(0.5, 2.0, 120), name=likelihood_name)
    model = build_model(data, prior, likelihood)
    posterior = nuts_posterior(model, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=5)
    assert posterior.healthy, posterior.problems
    mean, sd, mcse = importance_reference(data, prior, likelihood, map_estimate(model))
    summary = posterior.summary.loc[["intercept", "x0", "x1", "x2"]]
    # Both estimates carry Monte-Carlo error: 4 combined standard errors.
    combined = np.sqrt(summary["mcse_mean"].to_numpy() ** 2 + mcse**2)
    assert np.all(np.abs(summary["mean"].to_numpy() - mean) <= MCSE_FACTOR * combined)
    assert_allclose(summary["sd"].to_numpy(), sd, rtol=SD_RTOL)


#: One short posterior in a fresh process: its draws, as a list, on stdout.
_DRAWS_SCRIPT = """
import json
from regprior import Laplace
from regprior.backend.model import build_model
from regprior.inference import nuts_posterior
from regprior.spec.data import load_diabetes
from regprior.spec.likelihoods import Gaussian
model = build_model(load_diabetes(), Laplace(scale=100.0), Gaussian(54.0))
posterior = nuts_posterior(model, draws=50, tune=50, chains=1, random_seed=3)
print(json.dumps(posterior.datatree.posterior["beta"].values.ravel().tolist()))
"""


@pytest.mark.slow
def test_draws_do_not_depend_on_the_compile_cache(tmp_path):
    """A sampler compiled here and one loaded from PyTensor's disk cache give the same draws.

    With numba's fast-math flags they did not: the first run on a machine (nothing cached)
    sampled other draws than every later run from the same seed.
    """
    import json
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "PYTENSOR_FLAGS": f"base_compiledir={tmp_path / 'pytensor'}",
        "NUMBA_CACHE_DIR": str(tmp_path / "numba"),
    }
    runs = [
        subprocess.run(
            [sys.executable, "-c", _DRAWS_SCRIPT],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        for _ in ("empty cache", "warm cache")
    ]
    first, second = (np.array(json.loads(run.stdout)) for run in runs)
    np.testing.assert_array_equal(first, second)
