"""The horseshoe on the Gibbs engine (issue 23): its conditionals, against independent references.

References: the Makalic & Schmidt (2016) sampler written in ``test_sparse_priors.py`` (plain
NumPy, uncollapsed, p x p Cholesky: shares no code with the engine), NUTS on the PyMC model
(weights integrated out), and the engine's two weight routes against each other.

Tolerances. A posterior median is compared within 4 combined Monte Carlo standard errors,
``4 sqrt(MCSE_a^2 + MCSE_b^2)``, each MCSE of the median from ArviZ on that sampler's own draws
(its ESS): both estimates are unbiased up to their MC error, and 4 SE gives a false alarm
probability ~6e-5 per quantity (~1e-3 over a test's dozen). A posterior sd is compared within
4 combined MCSEs of the sd as well (a stated percentage is quoted where the ESS makes it apt).
"""

import numpy as np
import pytest
from scipy import stats

import regprior as rp
from regprior.inference.gibbs import gibbs_posterior
from regprior.spec.data import RegressionData
from regprior.spec.sparse import HorseshoeScales
from test_sparse_priors import _median_mcse, horseshoe_gibbs, small_problem


def draws_of(result, name):
    """``(chains, draws[, p])`` array of one posterior variable."""
    values = result.datatree.posterior[name]
    return np.asarray(values.transpose("chain", "draw", ...))


def assert_medians_agree(pairs, labels):
    """Every pair of (chains x draws) samples has medians within 4 combined MCSE."""
    gaps = {}
    for (a, b), label in zip(pairs, labels, strict=True):
        tolerance = 4 * np.hypot(_median_mcse(a), _median_mcse(b))
        gaps[label] = abs(np.median(a) - np.median(b)) / tolerance * 4
    assert max(gaps.values()) < 4, gaps


# -- the conditionals themselves ---------------------------------------------------------------
def test_global_prior_is_the_half_cauchy_density_of_log_tau_squared():
    # x = log tau^2, tau ~ C+(0, tau0): p(x) = halfcauchy(tau; tau0) |d tau / d x| = ... tau / 2.
    # The spec's log density must differ from SciPy's by one constant over 8 decades.
    tau0 = 0.07
    scales = HorseshoeScales(3, tau0=tau0)
    tau = np.logspace(-5, 3, 41)
    exact = stats.halfcauchy.logpdf(tau, scale=tau0) + np.log(tau / 2)
    offset = scales.log_global_prior(tau**2) - exact
    np.testing.assert_allclose(offset, offset[0], atol=1e-12)


def test_uncollapsed_global_draw_is_makalic_schmidts_inverse_gamma():
    # draw_global (update without global_drawn): with the weights, lambda^2 and xi given,
    # tau^2 ~ InvGamma((p + 1)/2, 1/xi + sum theta^2 / (2 sigma^2 lambda^2)). The mean of
    # tau^2 / rate over 4 chains x 5,000 draws within 4 standard errors (finite variance for
    # p >= 4); xi | tau^2 ~ InvGamma(1, 1/tau0^2 + 1/tau^2), whose mean is infinite: the share
    # of xi / rate below 1 against exp(-1), within 4 binomial standard errors.
    from regprior.spec.conditionals import ChainStreams

    chains, p, repeats, tau0 = 4, 6, 5_000, 0.5
    scales = HorseshoeScales(p, tau0=tau0)
    streams = ChainStreams(np.random.default_rng([2, c]) for c in range(chains))
    gamma = np.tile(np.linspace(-1.0, 1.5, p), (chains, 1))
    lambda2 = np.tile(np.linspace(0.5, 3.0, p), (chains, 1))
    rate = 1 / 0.3 + np.sum(gamma**2 / lambda2, axis=1) / (2 * 0.8)
    ratios, xi_scaled = [], []
    for _ in range(repeats):
        state = {"lambda2": lambda2, "xi": np.full(chains, 0.3)}
        scales.draw_global(gamma, np.full(chains, 0.8), state, streams)
        ratios.append(state["tau2"] / rate)
        xi_scaled.append(state["xi"] / (1 / tau0**2 + 1 / state["tau2"]))
    shape = (p + 1) / 2
    mean, sd = 1 / (shape - 1), 1 / ((shape - 1) * np.sqrt(shape - 2))  # InvGamma(shape, 1)
    assert abs(np.mean(ratios) - mean) < 4 * sd / np.sqrt(chains * repeats)
    # xi / rate ~ InvGamma(1, 1) = 1 / Exp(1): P(xi / rate < 1) = exp(-1); binomial SE.
    share = np.mean(np.asarray(xi_scaled) < 1)
    assert abs(share - np.exp(-1)) < 4 * np.sqrt(np.exp(-1) * (1 - np.exp(-1)) / (chains * repeats))


@pytest.mark.parametrize("m", [1e-6, 1e-2, 0.3, 3.0, 50.0])
def test_local_draw_has_the_marginal_conditional_of_lambda(m):
    # eta = 1 / lambda^2 given m = theta^2 / (2 sigma^2 tau^2), nu integrated out, has the
    # density exp(-m eta) / (1 + eta): CDF 1 - E1(m (1 + x)) / E1(m). Kolmogorov-Smirnov on
    # 40,000 draws at the 1e-3 level (a false alarm in 1 run of 1000 per m).
    from scipy.special import exp1

    from regprior.spec.conditionals import ChainStreams
    from regprior.spec.sparse import horseshoe_local_draw

    streams = ChainStreams(np.random.default_rng([5, c]) for c in range(2))
    eta = 1 / horseshoe_local_draw(np.full((2, 20_000), m), streams).ravel()
    cdf = lambda x: 1 - exp1(m * (1 + x)) / exp1(m)  # noqa: E731
    assert stats.kstest(eta, cdf).pvalue > 1e-3


def test_local_draw_survives_extreme_rates():
    # A weight over a sigma^2 tau^2 that underflowed (an interpolating fit at tau0 = 1 on p > n)
    # gives m = inf: the draw once looped forever there (0 * inf in its acceptance ratio). Every
    # rate from 0 to inf must give a positive finite lambda^2, ordered as the rates.
    from regprior.spec.conditionals import ChainStreams
    from regprior.spec.sparse import horseshoe_local_draw

    streams = ChainStreams(np.random.default_rng([6, c]) for c in range(2))
    m = np.tile([0.0, 1e-320, 1e-8, 1.0, 1e8, 1e300, 1e308, np.inf], (2, 1))
    lambda2 = np.median([horseshoe_local_draw(m, streams) for _ in range(200)], axis=0)
    assert np.all(np.isfinite(lambda2)) and np.all(lambda2 > 0)
    assert np.all(np.diff(lambda2[0, 1:6]) > 0)  # larger rate, larger local scale


def test_horseshoe_declares_gibbs_conditionals_for_every_noise_prior(diabetes):
    for noise_prior in ("jeffreys", "halfnormal", "halfstudentt"):
        spec = rp.Horseshoe(p0=3, noise_prior=noise_prior)
        assert spec.gibbs_unavailable() is None
        scales = spec.gibbs_conditionals(diabetes)
        assert scales.tau0 == pytest.approx(3 / 7 / np.sqrt(diabetes.weight_sum))
        assert scales.jeffreys_noise is (noise_prior == "jeffreys")
        assert scales.noise_scale == pytest.approx(np.std(diabetes.y))
    # scale_columns: the prior is on s_j theta_j, so the engine's columns are x_j / s_j.
    scales = rp.Horseshoe(scale_columns=True).gibbs_conditionals(diabetes)
    np.testing.assert_allclose(scales.column_scales, 1 / np.std(diabetes.X, axis=0))
    assert rp.Horseshoe().gibbs_conditionals(diabetes).column_scales is None


# -- against Makalic & Schmidt's sampler ------------------------------------------------------
@pytest.mark.parametrize(
    "n, p, p0", [(40, 8, 2), (20, 30, 3)], ids=["p_lt_n_rue", "p_gt_n_collapsed_wide"]
)
def test_gibbs_horseshoe_matches_makalic_schmidt(n, p, p0):
    # The engine (tau^2 collapsed by slice steps; Rue's weights at p <= n, Bhattacharya's at
    # p > n) against the plain uncollapsed sampler: medians of every weight, tau and sigma.
    X, y = small_problem(n=n, p=p)
    spec = rp.Horseshoe(p0=p0)
    tau0 = spec.global_scale(n, p)
    # 4 x 1000 draws, each the last of the horseshoe's 4 sweeps, after 500 warm-up sweeps.
    result = rp.sample_posterior(X, y, spec, engine="gibbs", draws=1000, tune=500, random_seed=3)
    burn, sweeps = 1_000, 8_000
    chains = [horseshoe_gibbs(X, y, tau0, n_iter=sweeps, seed=10 + s) for s in range(4)]
    reference_beta = np.stack([c[0][burn:] for c in chains])
    reference_tau = np.stack([c[1][burn:] for c in chains])
    beta, tau = draws_of(result, "beta"), draws_of(result, "tau")
    pairs = [(beta[..., j], reference_beta[..., j]) for j in range(p)] + [(tau, reference_tau)]
    assert_medians_agree(pairs, [f"x{j}" for j in range(p)] + ["tau"])


def test_both_weight_routes_sample_the_same_horseshoe_posterior():
    # Collapsed sweep with Rue's p x p draw against the same sweep with the n x n draw.
    data = RegressionData(*small_problem(n=30, p=6, seed=5))
    spec = rp.Horseshoe(p0=2, noise_prior="halfstudentt")
    results = [
        gibbs_posterior(data, spec, draws=2000, random_seed=4, route=route, thin=1)
        for route in ("rue", "bhattacharya")
    ]
    names = ["beta", "tau", "sigma"]
    a = [draws_of(results[0], name) for name in names]
    b = [draws_of(results[1], name) for name in names]
    pairs = [(a[0][..., j], b[0][..., j]) for j in range(6)] + [(a[1], b[1]), (a[2], b[2])]
    assert_medians_agree(pairs, [f"x{j}" for j in range(6)] + ["tau", "sigma"])


def test_thin_keeps_the_last_sweep_of_each_block(diabetes):
    # Same seed: thin=2 keeps sweeps 2, 4, ... after the warm-up, the weights of every second
    # draw of a thin=1 run twice as long (the intercept is drawn after the sweeps: not compared).
    spec = rp.BayesianLasso()
    one = gibbs_posterior(diabetes, spec, draws=40, tune=10, chains=2, random_seed=5, thin=1)
    two = gibbs_posterior(diabetes, spec, draws=20, tune=10, chains=2, random_seed=5, thin=2)
    np.testing.assert_array_equal(draws_of(two, "beta"), draws_of(one, "beta")[:, 1::2])
    assert two.datatree.posterior.attrs["sweeps_per_draw"] == 2
    # The horseshoe's default is its sweeps_per_draw (4); every other specification's is 1.
    horseshoe = gibbs_posterior(diabetes, rp.Horseshoe(), draws=5, tune=5, chains=2)
    assert horseshoe.datatree.posterior.attrs["sweeps_per_draw"] == 4
    assert one.datatree.posterior.attrs["sweeps_per_draw"] == 1
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="thin must be an integer >= 1 or None"):
            gibbs_posterior(diabetes, spec, thin=bad)


# -- the result: the names, kappa and m_eff of the NUTS result --------------------------------
def test_result_has_the_nuts_names_kappa_and_m_eff(diabetes):
    from regprior.backend.model import build_hierarchical_model
    from regprior.inference import shrinkage_summary
    from regprior.inference.shrinkage import kappa_draws

    spec = rp.Horseshoe(p0=3, scale_columns=True)
    model = build_hierarchical_model(diabetes, spec)
    result = rp.sample_posterior(
        diabetes.X, diabetes.y, spec, engine="gibbs", draws=100, tune=50, chains=2
    )
    assert result.engine == "gibbs"
    post = result.datatree.posterior
    assert tuple(result.summary.index[11:]) == model.summary_names == ("sigma", "tau", "m_eff")
    for name in ("lambda_local", "kappa"):
        assert post[name].dims == ("chain", "draw", "feature")
    # kappa_j = 1 / (1 + x_j'x_j tau^2 lambda_j^2 / s_j^2) on centred columns, as the PyMC model.
    X = diabetes.X - diabetes.X.mean(0)
    tau, lam = draws_of(result, "tau"), draws_of(result, "lambda_local")
    kappa = 1 / (1 + np.sum(X**2, 0) * (tau[..., None] * lam) ** 2 / np.var(diabetes.X, 0))
    np.testing.assert_allclose(draws_of(result, "kappa"), kappa, rtol=1e-12)
    np.testing.assert_allclose(draws_of(result, "m_eff"), np.sum(1 - kappa, -1), rtol=1e-12)
    table = shrinkage_summary(model, result, prior_draws=200)
    assert table.loc["m_eff", "median"] == pytest.approx(np.median(draws_of(result, "m_eff")))
    assert kappa_draws(result).shape == (200, 10)


# -- against NUTS on the same PyMC model (slow: compiles) -------------------------------------
@pytest.mark.slow
def test_gibbs_horseshoe_matches_nuts_on_diabetes(diabetes):
    spec = rp.Horseshoe()
    settings = dict(draws=2000, tune=1000, chains=4)
    nuts = rp.sample_posterior(diabetes.X, diabetes.y, spec, engine="nuts", **settings)
    assert nuts.healthy, nuts.problems
    result = rp.sample_posterior(diabetes.X, diabetes.y, spec, engine="gibbs", **settings)
    assert result.healthy, result.problems
    assert list(result.summary.index) == list(nuts.summary.index)
    names = ["beta", "intercept", "sigma", "tau", "m_eff"]
    a = {name: draws_of(result, name) for name in names}
    b = {name: draws_of(nuts, name) for name in names}
    pairs = [(a["beta"][..., j], b["beta"][..., j]) for j in range(10)]
    pairs += [(a[name], b[name]) for name in names[1:]]
    assert_medians_agree(pairs, list(result.summary.index))
    # sds: the weights' and the intercept's within 5% (the issue's bar; measured at most 1.8%,
    # NUTS's bulk ESS 6,000-8,700 and Gibbs's ~3,000 put each estimate ~1-2% off); every sd,
    # tau's heavy-tailed one too (7.6% apart), within 4 combined MCSE of the sd.
    gap = (result.summary["sd"] - nuts.summary["sd"]).abs()
    mcse = np.hypot(result.summary["mcse_sd"], nuts.summary["mcse_sd"])
    assert (gap <= 4 * mcse).all(), (gap / mcse).to_dict()
    coefficients = list(result.summary.index[:11])
    np.testing.assert_allclose(
        result.summary.loc[coefficients, "sd"], nuts.summary.loc[coefficients, "sd"], rtol=0.05
    )


# -- Johndrow et al.'s thresholded sweep -----------------------------------------------------
def _draw_pairs(a, b, p):
    names = ["tau", "sigma", "m_eff"]
    pairs = [(draws_of(a, "beta")[..., j], draws_of(b, "beta")[..., j]) for j in range(p)]
    return pairs + [(draws_of(a, name), draws_of(b, name)) for name in names], [
        *(f"x{j}" for j in range(p)),
        *names,
    ]


@pytest.mark.parametrize(
    "n, p, route, exact_route",
    [(12, 30, "auto", "auto"), (30, 6, "bhattacharya", "rue")],
    ids=["all_columns_n_x_n", "all_columns_p_x_p"],
)
def test_thresholded_sweep_with_every_column_kept_is_exact(n, p, route, exact_route):
    # A vanishing threshold keeps every column: the thresholded sweep is then the exact
    # collapsed sweep, through its |S| > n branch (n x n) or its |S| <= n branch (|S| x |S|).
    data = RegressionData(*small_problem(n=n, p=p, seed=6))
    spec = rp.Horseshoe(p0=2)
    kept = gibbs_posterior(
        data, spec, draws=2000, random_seed=2, route=route, threshold=1e-300, thin=1
    )
    assert f"mean |S| {p}.0 of {p}" in kept.datatree.posterior.attrs["approximation"]
    exact = gibbs_posterior(data, spec, draws=2000, random_seed=3, route=exact_route, thin=1)
    assert "approximation" not in exact.datatree.posterior.attrs
    assert_medians_agree(*_draw_pairs(kept, exact, min(p, 8)))


def test_thresholded_sweep_approximates_the_exact_posterior():
    # A 60 x 300 problem with 3 clear effects at threshold 1e-3: fewer columns than rows are
    # kept on average (the |S| x |S| branch), and the medians of the effects, the first nulls,
    # tau and m_eff agree with the exact sweep's within 4 combined MCSE. sigma is biased up, as
    # the approximation predicts: the dropped columns act as extra noise of variance
    # sigma^2 sum_{j not in S} s_j^2 d_j <= sigma^2 (p - |S|) threshold, so its median may exceed
    # the exact one by at most sqrt(1 + 300e-3) (measured: 0.885 and 0.867 against 0.826 and
    # 0.837 at two pairs of seeds, 4.7 and 2.1 combined MCSE).
    rng = np.random.default_rng(11)
    X = rng.standard_normal((60, 300))
    y = X[:, :3] @ np.array([3.0, -2.5, 2.0]) + rng.standard_normal(60)
    data = RegressionData(X, y)
    spec = rp.Horseshoe(p0=3)
    approximate = gibbs_posterior(data, spec, draws=1500, random_seed=1, threshold=1e-3, thin=1)
    exact = gibbs_posterior(data, spec, draws=1500, random_seed=2, thin=1)
    mean_kept = float(
        approximate.datatree.posterior.attrs["approximation"].split("mean |S| ")[1].split()[0]
    )
    assert mean_kept < 60
    pairs, labels = _draw_pairs(approximate, exact, 8)
    keep = [i for i, label in enumerate(labels) if label != "sigma"]
    assert_medians_agree([pairs[i] for i in keep], [labels[i] for i in keep])
    a, b = pairs[labels.index("sigma")]
    lower = np.median(b) - 4 * np.hypot(_median_mcse(a), _median_mcse(b))
    assert lower <= np.median(a) <= np.median(b) * np.sqrt(1 + 300 * 1e-3)


def test_threshold_is_refused_where_it_does_not_apply(diabetes):
    with pytest.raises(ValueError, match="threshold must be a positive float or None"):
        gibbs_posterior(diabetes, rp.Horseshoe(), threshold=-1.0)
    with pytest.raises(ValueError, match=r"needs the n x n route \(p > n"):
        gibbs_posterior(diabetes, rp.Horseshoe(), threshold=1e-4)
    wide = RegressionData(*small_problem(n=10, p=20))
    with pytest.raises(ValueError, match="noise-scaled prior with a learnt global scale"):
        gibbs_posterior(wide, rp.BayesianLasso(), threshold=1e-4)
