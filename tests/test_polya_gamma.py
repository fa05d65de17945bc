"""The Gibbs engine's Polya-Gamma sweep (Bernoulli likelihood) against the Polya-Gamma law,
quadrature, NUTS on the same PyMC model, and itself (issue 23).

Monte Carlo tolerances: a mean or a median within 4 combined MCSE (a false alarm rate below
1e-4 per quantity); an sd within 10% where both engines' bulk ESS is at least 1,000 (the
relative error of an sd estimate is ~1/sqrt(2 ESS), 2.2% at 1,000, 3.2% for the difference of
two: 10% is over 3 combined standard errors), 5% against quadrature (one engine, ESS > 4,000).
"""

import numpy as np
import pytest
import scipy.special

import regprior as rp
from regprior.inference import diagnostics
from regprior.inference.gibbs import gibbs_posterior, gibbs_unavailable
from regprior.inference.polya_gamma import polya_gamma_draws
from regprior.spec.data import RegressionData, load_breast_cancer


def logistic_data(n, p, *, seed, weighted=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    X[:, 1] += 0.6 * X[:, 0]  # correlated columns: the joint draw must get the covariance
    coef = np.zeros(p)
    coef[: min(p, 3)] = [1.2, -0.8, 0.4][: min(p, 3)]
    y = (rng.uniform(size=n) < scipy.special.expit(0.3 + X @ coef)).astype(float)
    return RegressionData(X, y, rng.uniform(0.5, 2.0, n) if weighted else None)


def mcse_median(draws) -> float:
    """MCSE of the median from the ESS of ``I(x <= median)`` (Vehtari et al. 2021): half the
    spread of the quantiles at ``1/2 -+ sqrt(1/(4 ESS))``."""
    draws = np.asarray(draws, dtype=float)
    ess = diagnostics._ess_quantile(draws, 0.5)
    half = np.sqrt(0.25 / ess)
    low, high = np.quantile(draws, [0.5 - half, 0.5 + half])
    return 0.5 * (high - low)


def columns(result):
    post = result.datatree.posterior
    beta = post["beta"].transpose("chain", "draw", "feature").to_numpy()
    quantities = [beta[..., j] for j in range(beta.shape[-1])]
    if "intercept" in post:
        quantities.append(post["intercept"].transpose("chain", "draw").to_numpy())
    return quantities


# -- the Polya-Gamma draws themselves ----------------------------------------------------------
@pytest.mark.parametrize("h, z", [(1.0, 0.0), (1.0, 1.5), (2.5, -4.0), (0.7, 10.0)])
def test_polya_gamma_draws_have_the_known_mean(h, z):
    # E[PG(h, z)] = h tanh(z/2) / (2z) (h/4 at z = 0), Polson, Scott & Windle (2013) sec. 2.
    random_polyagamma = polya_gamma_draws()
    draws = random_polyagamma(h, z, size=40_000, random_state=np.random.default_rng(7))
    mean = h / 4.0 if z == 0 else h * np.tanh(z / 2.0) / (2.0 * z)
    assert abs(draws.mean() - mean) <= 4 * draws.std() / np.sqrt(draws.size)
    again = random_polyagamma(h, z, size=40_000, random_state=np.random.default_rng(7))
    assert np.array_equal(again, draws)  # seeded by the Generator handed in


def test_chains_draw_from_their_own_seeds():
    data = logistic_data(60, 2, seed=1)
    settings = dict(draws=30, tune=10, chains=2, random_seed=4)
    one = gibbs_posterior(data, rp.Normal(), rp.Bernoulli(), **settings)
    two = gibbs_posterior(data, rp.Normal(), rp.Bernoulli(), **settings)
    beta = one.datatree.posterior["beta"].to_numpy()
    assert np.array_equal(beta, two.datatree.posterior["beta"].to_numpy())
    assert not np.array_equal(beta[0], beta[1])
    assert one.engine == "gibbs" and one.divergences == 0


# -- one weight: 2-D quadrature of the exact posterior ----------------------------------------
def test_one_weight_matches_quadrature():
    rng = np.random.default_rng(11)
    n, tau = 80, 0.8
    x = rng.normal(size=n)
    y = (rng.uniform(size=n) < scipy.special.expit(-0.4 + 0.9 * x)).astype(float)
    result = rp.sample_posterior(
        x[:, None], y, rp.Normal(sigma=tau), likelihood=rp.Bernoulli(), engine="gibbs",
        draws=4000, random_seed=2,
    )  # fmt: skip
    # Logistic likelihood times the Normal prior on b and the flat one on c, on a grid wide
    # enough that the density at its edges is below 1e-12 of its peak (checked below).
    c_grid, b_grid = np.linspace(-3.5, 2.5, 961), np.linspace(-2.0, 4.0, 961)
    eta = c_grid[:, None, None] + b_grid[None, :, None] * x
    log_density = -np.sum(np.logaddexp(0.0, eta) - y * eta, axis=2) - b_grid**2 / (2 * tau**2)
    density = np.exp(log_density - log_density.max())
    edges = np.concatenate([density[0], density[-1], density[:, 0], density[:, -1]])
    assert edges.max() < 1e-12
    for grid, marginal, name in (
        (b_grid, density.sum(axis=0), "x0"),
        (c_grid, density.sum(axis=1), "intercept"),
    ):
        marginal = marginal / marginal.sum()
        mean = np.sum(grid * marginal)
        sd = np.sqrt(np.sum((grid - mean) ** 2 * marginal))
        median = np.interp(0.5, np.cumsum(marginal), grid)
        row = result.summary.loc[name]
        draws = columns(result)[0 if name == "x0" else 1]
        assert abs(row["mean"] - mean) <= 4 * row["mcse_mean"], (name, row["mean"], mean)
        assert abs(row["median"] - median) <= 4 * mcse_median(draws), (name, median)
        assert row["ess_bulk"] > 4000
        assert row["sd"] == pytest.approx(sd, rel=0.05)


# -- Gibbs against NUTS on the same PyMC model -------------------------------------------------
def cancer_subset():
    data = load_breast_cancer()
    keep = [0, 1, 7, 20, 27]  # mean radius, mean texture, mean concave points, worst ...
    return RegressionData(
        data.X[:, keep], data.y, feature_names=[data.feature_names[j] for j in keep]
    )


CASES = {
    # a prior centre away from 0 and sample weights: the offset X mu and h_i = w_i
    "normal_centred_weighted": (
        lambda: logistic_data(200, 4, seed=3, weighted=True),
        rp.Normal(mu=np.array([0.2, 0.0, -0.1, 0.3]), sigma=1.0),
    ),
    # near-separable: small omega, large weights, slow Polya-Gamma mixing (bulk ESS ~270 per
    # 4 x 1000 sweeps for the worst weight): 4 x 6000 sweeps for Gibbs (GIBBS_DRAWS)
    "laplace_cancer": (cancer_subset, rp.Laplace(scale=0.5)),
    "gdp": (lambda: logistic_data(150, 3, seed=8), rp.GeneralizedDoublePareto(scale=0.5)),
    # p > n: the (p + 1) x (p + 1) factor is exact there too
    "normal_wide": (lambda: logistic_data(30, 40, seed=5), rp.Normal(sigma=0.5)),
}


GIBBS_DRAWS = {"laplace_cancer": 6000}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_gibbs_matches_nuts(case):
    make, prior = CASES[case]
    data = make()
    args = (data.X, data.y, prior)
    kwargs = dict(sample_weight=data.sample_weight, likelihood=rp.Bernoulli(), random_seed=1)
    gibbs = rp.sample_posterior(*args, engine="gibbs", draws=GIBBS_DRAWS.get(case, 1000), **kwargs)
    nuts = rp.sample_posterior(*args, engine="nuts", **kwargs)
    assert gibbs.engine == "gibbs" and nuts.engine == "nuts" and nuts.divergences == 0
    g, n = gibbs.summary, nuts.summary
    assert list(g.index) == list(n.index)
    assert gibbs.r_hat_max < 1.01 and nuts.r_hat_max < 1.01
    combined = np.hypot(g["mcse_mean"], n["mcse_mean"])
    assert (np.abs(g["mean"] - n["mean"]) <= 4 * combined).all(), (g["mean"] - n["mean"]) / combined
    medians = np.hypot(
        [mcse_median(d) for d in columns(gibbs)], [mcse_median(d) for d in columns(nuts)]
    )
    assert (np.abs(g["median"] - n["median"]) <= 4 * medians).all(), (
        g["median"] - n["median"]
    ) / medians
    assert g["ess_bulk"].min() >= 1000 and n["ess_bulk"].min() >= 1000
    np.testing.assert_allclose(g["sd"], n["sd"], rtol=0.10)


# -- wiring: auto, refusals, LOO, the classifier -----------------------------------------------
def test_auto_takes_gibbs_for_the_bernoulli_likelihood():
    data = logistic_data(50, 2, seed=2)
    for prior in (rp.Normal(), rp.Laplace(), rp.GeneralizedDoublePareto()):
        assert gibbs_unavailable(prior, rp.Bernoulli()) is None
        result = rp.sample_posterior(
            data.X, data.y, prior, likelihood=rp.Bernoulli(), engine="auto", draws=20, tune=10
        )
        assert result.engine == "gibbs"
    assert "elasticnet" in gibbs_unavailable(rp.ElasticNetPrior(), rp.Bernoulli())


def test_bad_input_is_refused_before_any_sampling(monkeypatch):
    import regprior.inference.polya_gamma as polya_gamma

    def refuse(*args, **kwargs):
        raise AssertionError("sampled before the input was refused")

    monkeypatch.setattr(polya_gamma, "polya_gamma_posterior", refuse)
    data = logistic_data(40, 2, seed=0)
    with pytest.raises(ValueError, match=r"y must be binary \(0 or 1\) for a Bernoulli"):
        rp.sample_posterior(
            data.X, data.y * 2, rp.Normal(), likelihood=rp.Bernoulli(), engine="gibbs"
        )
    with pytest.raises(ValueError, match="y is 0 for every sample"):
        rp.sample_posterior(data.X, 0 * data.y, rp.Laplace(), likelihood=rp.Bernoulli(),
                            engine="gibbs")  # fmt: skip
    with pytest.raises(ValueError, match="noise_sigma applies to a likelihood with a noise"):
        rp.sample_posterior(data.X, data.y, rp.Normal(), likelihood=rp.Bernoulli(), engine="gibbs",
                            noise_sigma=1.0)  # fmt: skip
    with pytest.raises(ValueError, match="draws must be an integer >= 1"):
        rp.sample_posterior(data.X, data.y, rp.Normal(), likelihood=rp.Bernoulli(), engine="gibbs",
                            draws=0)  # fmt: skip
    with pytest.raises(ValueError, match="Polya-Gamma sweep takes none .got route='rue'"):
        gibbs_posterior(data, rp.Normal(), rp.Bernoulli(), route="rue")
    with pytest.raises(
        ValueError, match="poisson likelihood .the Gibbs engine needs the Gaussian likelihood or"
    ):
        rp.sample_posterior(data.X, data.y, rp.Normal(), likelihood=rp.Poisson(), engine="gibbs")


def test_loo_log_likelihood_is_the_weighted_bernoulli_mass():
    import scipy.stats

    from regprior.checks.loo import SampledData, with_log_likelihood

    data = logistic_data(40, 3, seed=6, weighted=True)
    prior, likelihood = rp.Laplace(scale=0.7), rp.Bernoulli()
    posterior = gibbs_posterior(data, prior, likelihood, draws=20, tune=10, chains=2)
    ours = with_log_likelihood(SampledData(data, likelihood), posterior)["log_likelihood"]["y"]
    post = posterior.datatree.posterior
    eta = post["beta"].to_numpy() @ data.X.T + post["intercept"].to_numpy()[..., None]
    reference = data.sample_weight * scipy.stats.bernoulli.logpmf(data.y, scipy.special.expit(eta))
    assert ours.dims == ("chain", "draw", "y_dim_0")
    np.testing.assert_allclose(ours.to_numpy(), reference, rtol=1e-10)  # rounding of expit


@pytest.mark.slow
def test_compare_loo_samples_bernoulli_models_by_gibbs():
    data = logistic_data(80, 3, seed=12)
    models = {"normal": rp.Normal(sigma=1.0), "laplace": rp.Laplace(scale=0.5)}
    table = rp.compare_loo(
        data.X, data.y, models, likelihood=rp.Bernoulli(), engine="auto", draws=300, tune=200
    ).table
    assert set(table["engine"]) == {"gibbs"}
    assert np.isfinite(table["elpd_loo"]).all()


def test_logistic_classifier_samples_by_gibbs():
    data = logistic_data(60, 2, seed=9)
    model = rp.LogisticPriorClassifier(inference="posterior", engine="gibbs", draws=300, tune=200)
    model.fit(data.X, data.y.astype(int))
    assert model.diagnostics_["engine"] == "gibbs"
    assert model.predict_proba(data.X).shape == (60, 2)
