"""The regularized horseshoe on the Gibbs engine: its conditionals, against independent references.

References: SciPy's densities (the joint prior of the collapsed step's coordinates), the exact
one-dimensional conditional of a local scale by quadrature, the prior itself (a likelihood that
carries no information must leave it unchanged: checks the whole sweep, coordinates and
couplings included), the engine's two weight routes against each other, and NUTS on the PyMC
model (weights integrated out).

Tolerances. A posterior median or quantile is compared within 4 combined Monte Carlo standard
errors, each from ArviZ on that sampler's own draws (its ESS): the estimates are unbiased up to
their MC error, and 4 SE gives a false alarm probability ~6e-5 per quantity (~1e-3 over a
test's dozen). Kolmogorov-Smirnov tests of independent draws at the 1e-3 level.
"""

import numpy as np
import pytest
from scipy import integrate, stats

import regprior as rp
from regprior.inference.engines import choose_engine, default_engine
from regprior.inference.gibbs import gibbs_posterior, gibbs_unavailable
from regprior.spec.conditionals import ChainStreams
from regprior.spec.data import RegressionData
from regprior.spec.sparse import RegularizedHorseshoeScales, regularized_local_draw
from test_gibbs_horseshoe import assert_medians_agree, draws_of
from test_sparse_priors import small_problem


def _quantile_mcse(draws, prob):
    import arviz as az

    return float(az.mcse(np.asarray(draws), method="quantile", prob=prob))


# -- the conditionals themselves ---------------------------------------------------------------
@pytest.mark.parametrize("noise_prior", ["jeffreys", "halfnormal"])
def test_scales_prior_is_the_joint_prior_in_the_collapsed_coordinates(noise_prior):
    # In (log g, log lambda^2, log r), r = psi^2 / g, with lambda and r held: the prior of
    # (log g, log sigma^2) is p(log tau^2 | sigma) p_{log psi^2}(log(g r)) p(log sigma^2) (unit
    # Jacobian: log psi^2 = log r + log g). From SciPy's densities of tau ~ C+(0, tau0 sigma),
    # psi^2 ~ InvGamma(nu/2, nu s^2/2) and the noise prior, each times its Jacobian to the log
    # of the square; the hook must differ from it by one constant over 10 decades of g and 4 of
    # sigma^2 (the sigma in tau's prior scale included).
    tau0, nu, s, noise_scale, r = 0.3, 4.0, 1.7, 2.0, 0.8
    scales = RegularizedHorseshoeScales(
        3, tau0=tau0, slab_df=nu, slab_scale=s, noise_prior=noise_prior, noise_scale=noise_scale
    )
    g, sigma2 = (grid.ravel() for grid in np.meshgrid(np.logspace(-6, 4, 41), [1e-2, 1.0, 250.0]))
    tau, sigma = np.sqrt(g), np.sqrt(sigma2)
    exact = (
        stats.halfcauchy.logpdf(tau, scale=tau0 * sigma)
        + np.log(tau / 2)
        + stats.invgamma.logpdf(g * r, nu / 2, scale=nu * s**2 / 2)
        + np.log(g * r)
    )
    if noise_prior == "halfnormal":
        exact += stats.halfnorm.logpdf(sigma, scale=noise_scale) + np.log(sigma / 2)
    got = scales.log_scales_prior(g, sigma2, {"slab_ratio": np.full(g.size, r)})
    np.testing.assert_allclose(got - exact, (got - exact)[0], atol=1e-9)


def _local_cdf(m, b):
    """CDF of eta = 1 / lambda^2 with density sqrt(1 + b / eta) exp(-m eta) / (1 + eta), by the
    trapezoid rule on 200,001 points of log eta in [log 1e-14, log 1e14] (the mass outside is
    below 1e-7 at these m and b)."""
    x = np.linspace(np.log(1e-14), np.log(1e14), 200_001)
    eta = np.exp(x)
    log_density = 0.5 * np.log1p(b / eta) - m * eta - np.log1p(eta) + x  # + x: d eta = eta dx
    cumulative = integrate.cumulative_trapezoid(np.exp(log_density - log_density.max()), x)
    cumulative = np.r_[0.0, cumulative] / cumulative[-1]
    return lambda values: np.interp(np.log(values), x, cumulative)


@pytest.mark.parametrize(
    "m, b",
    [(1e-6, 0.06), (0.2, 0.06), (0.5, 1.0), (18.0, 0.06), (1800.0, 0.06), (3000.0, 1e4)],
    ids=["shrunk", "small", "middle", "slab", "far_slab", "wide_slab"],
)
def test_local_draw_has_the_exact_conditional(m, b):
    # lambda_j^2 given theta_j, tau, psi, with m = theta^2 / (2 tau^2), b = tau^2 / psi^2: the
    # draw against the quadrature CDF, KS on 40,000 draws at 1e-3. Independent draws: a
    # Metropolis step with the horseshoe's conditional as proposal failed this at the slab
    # cases after 30 steps (p = 2e-5 and below).
    streams = ChainStreams(np.random.default_rng([7, c]) for c in range(2))
    eta = 1 / regularized_local_draw(np.full((2, 20_000), m), np.full(2, b), streams).ravel()
    assert stats.kstest(eta, _local_cdf(m, b)).pvalue > 1e-3


def _grid_cdf(log_density, lo, hi):
    """CDF of x from an unnormalised log density on [lo, hi] (trapezoid rule, 40,001 points)."""
    x = np.linspace(lo, hi, 40_001)
    values = log_density(x)
    cumulative = integrate.cumulative_trapezoid(np.exp(values - values.max()), x, initial=0)
    return lambda points: np.interp(points, x, cumulative / cumulative[-1])


def _slice_kernel_draws(step, state_key, state, gamma, sigma2, scales, sweeps=40):
    """Final states of 1,000 independent chains after ``sweeps`` steps of a slice kernel."""
    chains = len(gamma)
    streams = ChainStreams(np.random.default_rng([9, c]) for c in range(chains))
    for _ in range(sweeps):
        if step == "slab":
            scales.slab_step(gamma, state, streams)
        else:
            scales.draw_global(gamma, sigma2, state, streams)
    return np.log(state[state_key])


@pytest.mark.parametrize("step", ["slab", "global"])
def test_slice_steps_have_the_exact_conditionals(step):
    # psi^2 given the weights, lambda and tau (the sweep's slab step), and tau^2 given the
    # weights, lambda, psi and sigma (the uncollapsed draw_global): 1,000 chains, 40 slice steps
    # each from a start far off, the final states against the conditional of the log written
    # from SciPy's densities (normal weights, inverse gamma or half-Cauchy prior, the Jacobian
    # to the log) by quadrature. KS at 1e-3. sigma = 3: a tau prior scale without the sigma fails.
    theta = np.array([3.0, -2.0, 0.05, -0.01, 0.002, 0.0])
    lambda2 = np.array([40.0, 9.0, 0.5, 0.2, 0.05, 1.0])
    tau0, nu, s, sigma2, tau2, slab2 = 0.5, 4.0, 1.5, 9.0, 0.04, 4.0
    scales = RegularizedHorseshoeScales(6, tau0=tau0, slab_df=nu, slab_scale=s)
    chains = 1000
    gamma, lam2 = np.tile(theta, (chains, 1)), np.tile(lambda2, (chains, 1))

    def weights(tau2_, slab2_):
        spread = tau2_[:, None] * lambda2
        d = slab2_[:, None] * spread / (slab2_[:, None] + spread)
        return np.sum(stats.norm.logpdf(theta, 0, np.sqrt(d)), axis=1)

    if step == "slab":
        start = {"tau2": np.full(chains, tau2), "lambda2": lam2, "slab2": np.full(chains, 1e3)}

        def log_density(x):  # x = log psi^2
            prior = stats.invgamma.logpdf(np.exp(x), nu / 2, scale=nu * s**2 / 2) + x
            return prior + weights(np.full(x.size, tau2), np.exp(x))

        draws = _slice_kernel_draws("slab", "slab2", start, gamma, None, scales)
    else:
        start = {"tau2": np.full(chains, 1e-6), "lambda2": lam2, "slab2": np.full(chains, slab2)}

        def log_density(x):  # x = log tau^2, tau ~ C+(0, tau0 sigma)
            tau = np.exp(x / 2)
            prior = stats.halfcauchy.logpdf(tau, scale=tau0 * np.sqrt(sigma2)) + np.log(tau / 2)
            return prior + weights(np.exp(x), np.full(x.size, slab2))

        draws = _slice_kernel_draws("global", "tau2", start, gamma, np.full(chains, sigma2), scales)
    assert stats.kstest(draws, _grid_cdf(log_density, -25.0, 25.0)).pvalue > 1e-3


def test_local_draw_survives_extreme_rates():
    # Every rate from 0 to inf and every ratio b from 0 to 1e300 gives a positive lambda^2
    # (inf allowed only where eta = 0 is drawn; the conditionals clip it), ordered as the rates
    # from 1 on (below, every b but 0 leaves the prior's law: medians of 200 draws tie noisily).
    streams = ChainStreams(np.random.default_rng([6, c]) for c in range(3))
    m = np.tile([0.0, 1e-320, 1e-8, 1.0, 1e8, 1e300, 1e308, np.inf], (3, 1))
    b = np.array([0.0, 1e-300, 1e300])
    lambda2 = np.median([regularized_local_draw(m, b, streams) for _ in range(200)], axis=0)
    assert np.all(lambda2 > 0) and not np.any(np.isnan(lambda2))
    assert np.all(np.diff(lambda2[:, 3:6], axis=1) > 0)  # larger rate, larger local scale


def test_sweep_keeps_the_prior_when_the_data_carry_no_information():
    # Columns of size 1e-6 against y of sd 30: X D X' is ~1e-12 psi^2, nothing beside sigma^2
    # ~ 900, so the posterior of the scales is their prior: tau_unit = tau / sigma ~ C+(0, tau0)
    # whatever sigma (the coupling of tau's prior scale to sigma; sigma ~ 30 here, so a missing
    # coupling moves tau_unit by a factor ~30), lambda_j ~ C+(0, 1), psi^2 ~ InvGamma(nu/2, nu
    # s^2/2). The quantiles 0.1, 0.5, 0.9 of each within 4 MCSE of the quantile (ArviZ, from the
    # draws' ESS): checks the collapsed step's coordinates and prior, the local draw and the
    # slab's slice step together (dropping the slab's prior from the collapsed step, or the
    # sigma in tau's, fails it).
    rng = np.random.default_rng(0)
    data = RegressionData(1e-6 * rng.standard_normal((20, 4)), 30 * rng.standard_normal(20))
    tau0, nu, s = 0.5, 4.0, 1.0
    spec = rp.RegularizedHorseshoe(tau0=tau0, slab_df=nu, slab_scale=s)
    result = gibbs_posterior(data, spec, draws=1200, tune=200, random_seed=1, thin=1)
    lam = draws_of(result, "lambda_local")
    laws = {
        "tau_unit": (draws_of(result, "tau_unit"), stats.halfcauchy(scale=tau0)),
        "lambda_0": (lam[..., 0], stats.halfcauchy()),
        "lambda_3": (lam[..., 3], stats.halfcauchy()),
        "slab2": (draws_of(result, "slab2"), stats.invgamma(nu / 2, scale=nu * s**2 / 2)),
    }
    gaps = {}
    for name, (draws, law) in laws.items():
        for prob in (0.1, 0.5, 0.9):
            gap = abs(np.quantile(draws, prob) - law.ppf(prob))
            gaps[f"{name} q{prob}"] = gap / _quantile_mcse(draws, prob)
    assert max(gaps.values()) < 4, gaps


def test_regularized_horseshoe_declares_gibbs_conditionals(diabetes):
    for noise_prior in ("jeffreys", "halfnormal", "halfstudentt"):
        spec = rp.RegularizedHorseshoe(p0=3, noise_prior=noise_prior)
        assert spec.gibbs_unavailable() is None and gibbs_unavailable(spec) is None
        scales = spec.gibbs_conditionals(diabetes)
        assert scales.tau0 == pytest.approx(3 / 7 / np.sqrt(diabetes.weight_sum))
        assert scales.jeffreys_noise is (noise_prior == "jeffreys")
        assert scales.noise_scale == pytest.approx(np.std(diabetes.y))
        # The slab as the PyMC model takes it: nu = 4, s = 2.5 sd(y) / mean_j s_j by default.
        s_slab = 2.5 * np.std(diabetes.y) / np.mean(np.std(diabetes.X, axis=0))
        assert scales.slab_shape == 2.0
        assert scales.slab_rate == pytest.approx(4 * s_slab**2 / 2)
    scales = rp.RegularizedHorseshoe(scale_columns=True).gibbs_conditionals(diabetes)
    np.testing.assert_allclose(scales.column_scales, 1 / np.std(diabetes.X, axis=0))
    assert rp.RegularizedHorseshoe().gibbs_conditionals(diabetes).column_scales is None
    # Its default engine is "auto", which takes Gibbs (engine=None as well).
    assert default_engine(rp.RegularizedHorseshoe()) == "auto"
    for engine in (None, "auto", "gibbs"):
        assert choose_engine(engine, rp.RegularizedHorseshoe()).engine == "gibbs"
    assert choose_engine("nuts", rp.RegularizedHorseshoe()).engine == "nuts"


def test_threshold_is_refused_for_the_regularized_horseshoe():
    # Johndrow et al.'s approximation needs a noise-scaled prior; the slab is on the weights'
    # scale: refused before anything is sampled.
    wide = RegressionData(*small_problem(n=10, p=20))
    with pytest.raises(ValueError, match="noise-scaled prior with a learnt global scale"):
        gibbs_posterior(wide, rp.RegularizedHorseshoe(), threshold=1e-4)


def test_both_weight_routes_sample_the_same_regularized_horseshoe_posterior():
    # The collapsed sweep with Rue's p x p draw against the same sweep with the n x n draw
    # (the spectrum and weights of the n x n route, with a noise the prior is not scaled by).
    data = RegressionData(*small_problem(n=30, p=6, seed=5))
    spec = rp.RegularizedHorseshoe(p0=2, noise_prior="halfstudentt")
    results = [
        gibbs_posterior(data, spec, draws=600, tune=200, random_seed=4, route=route, thin=1)
        for route in ("rue", "bhattacharya")
    ]
    names = ["beta", "tau", "slab", "sigma"]
    a = [draws_of(results[0], name) for name in names]
    b = [draws_of(results[1], name) for name in names]
    pairs = [(a[0][..., j], b[0][..., j]) for j in range(6)] + list(zip(a[1:], b[1:], strict=True))
    assert_medians_agree(pairs, [f"x{j}" for j in range(6)] + names[1:])


# -- the result: the names, kappa and m_eff of the NUTS result --------------------------------
def test_result_has_the_nuts_names_kappa_and_m_eff(diabetes):
    from regprior.backend.model import build_hierarchical_model

    spec = rp.RegularizedHorseshoe(p0=3, scale_columns=True)
    model = build_hierarchical_model(diabetes, spec)
    result = rp.sample_posterior(diabetes.X, diabetes.y, spec, draws=100, tune=50, chains=2)
    assert result.engine == "gibbs"  # its default engine
    post = result.datatree.posterior
    assert tuple(result.summary.index[11:]) == model.summary_names
    assert model.summary_names == ("sigma", "tau", "slab", "m_eff")
    for name in ("lambda_local", "kappa"):
        assert post[name].dims == ("chain", "draw", "feature")
    sigma, tau, slab = (draws_of(result, name) for name in ("sigma", "tau", "slab"))
    np.testing.assert_allclose(draws_of(result, "tau_unit"), tau / sigma, rtol=1e-12)
    np.testing.assert_allclose(draws_of(result, "slab2"), slab**2, rtol=1e-12)
    # kappa_j = 1 / (1 + x_j'x_j v_j / sigma^2) on centred columns, as the PyMC model, with
    # v_j = psi^2 t_j / (psi^2 + t_j) / s_j^2, t_j = tau^2 lambda_j^2.
    X = diabetes.X - diabetes.X.mean(0)
    spread = (tau[..., None] * draws_of(result, "lambda_local")) ** 2
    slab2 = slab[..., None] ** 2
    variance = slab2 * spread / (slab2 + spread) / np.var(diabetes.X, 0)
    kappa = 1 / (1 + np.sum(X**2, 0) * variance / sigma[..., None] ** 2)
    np.testing.assert_allclose(draws_of(result, "kappa"), kappa, rtol=1e-10)
    np.testing.assert_allclose(draws_of(result, "m_eff"), np.sum(1 - kappa, -1), rtol=1e-10)


# -- against NUTS on the same PyMC model (slow: compiles) -------------------------------------
def _compare_with_nuts(X, y, spec, *, sd_rtol, **settings):
    nuts = rp.sample_posterior(X, y, spec, engine="nuts", **settings)
    assert nuts.healthy, nuts.problems
    result = rp.sample_posterior(X, y, spec, engine="gibbs", **settings)
    assert result.healthy, result.problems
    assert list(result.summary.index) == list(nuts.summary.index)
    names = ["beta", "intercept", "sigma", "tau", "slab", "m_eff"]
    a = {name: draws_of(result, name) for name in names}
    b = {name: draws_of(nuts, name) for name in names}
    p = X.shape[1]
    pairs = [(a["beta"][..., j], b["beta"][..., j]) for j in range(p)]
    pairs += [(a[name], b[name]) for name in names[1:]]
    assert_medians_agree(pairs, list(result.summary.index))
    # Every sd within 4 combined MCSE of the sd (the slab's heavy-tailed one too); the weights'
    # and the intercept's within sd_rtol as well.
    gap = (result.summary["sd"] - nuts.summary["sd"]).abs()
    mcse = np.hypot(result.summary["mcse_sd"], nuts.summary["mcse_sd"])
    assert (gap <= 4 * mcse).all(), (gap / mcse).to_dict()
    coefficients = list(result.summary.index[: p + 1])
    np.testing.assert_allclose(
        result.summary.loc[coefficients, "sd"], nuts.summary.loc[coefficients, "sd"], rtol=sd_rtol
    )


@pytest.mark.slow
def test_gibbs_regularized_horseshoe_matches_nuts_on_diabetes(diabetes):
    # 4 x 1000 draws after 500 (~12 s NUTS with its compile, ~19 s Gibbs at 4 sweeps a draw).
    # sds of the weights within 6%: bulk ESS ~1,500-3,000 put each sd ~1.5-2.5% off (measured
    # at most 2.7% apart at seed 0, 2.9% at 4 x 2000 draws).
    _compare_with_nuts(
        diabetes.X, diabetes.y, rp.RegularizedHorseshoe(), sd_rtol=0.06, draws=1000, tune=500
    )


@pytest.mark.slow
def test_gibbs_regularized_horseshoe_matches_nuts_on_p_gt_n():
    # 25 x 40 with p0 = 3 (NUTS is healthy there; at tau0 = 1 on p > n it is not): the null
    # weights' posteriors are spikes at 0 with heavy tails, whose sds are estimated with a
    # relative MCSE of ~3-4% at ~1,000 effective draws: within 15% (~4 such MCSE; measured at
    # most 7.0% apart at seed 0, 8.9% and 4.8% at 4 x 2000 draws, seeds 0 and 1).
    X, y = small_problem(n=25, p=40, seed=8)
    _compare_with_nuts(X, y, rp.RegularizedHorseshoe(p0=3), sd_rtol=0.15, draws=1000, tune=500)
