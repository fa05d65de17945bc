"""R2-D2 on the Gibbs engine: its conditionals, against independent references.

References: SciPy's ``geninvgauss`` for the vectorised GIG draw; two-dimensional quadrature of
the model's own density (written here from the definitions, not through the GIG) for the block
Metropolis-Hastings step on the shares; the prior itself (Beta and Dirichlet marginals) for a
design that carries no information; NUTS on the PyMC model (weights integrated out, Gamma
variables normalised by PyTensor) on diabetes and on a p > n set.

Tolerances. A posterior median is compared within 4 combined Monte Carlo standard errors,
``4 sqrt(MCSE_a^2 + MCSE_b^2)``, each MCSE from ArviZ on that sampler's own draws: both
estimates are unbiased up to their MC error, and 4 SE gives a false alarm probability ~6e-5 per
quantity (~3e-3 over the ~50 quantities of this file).
"""

import numpy as np
import pytest
from scipy import stats

import regprior as rp
from regprior.inference.gibbs import gibbs_posterior
from regprior.spec.conditionals import ChainStreams, generalized_inverse_gaussian_array
from regprior.spec.data import RegressionData
from regprior.spec.sparse import R2D2Scales
from test_gibbs_horseshoe import assert_medians_agree, draws_of
from test_sparse_priors import small_problem


def streams(chains=4, seed=0):
    return ChainStreams(np.random.default_rng([seed, c]) for c in range(chains))


def ess(draws):
    import arviz as az

    return float(az.ess(np.asarray(draws)))


def mcse_mean(draws):
    import arviz as az

    return float(az.mcse(np.asarray(draws), method="mean"))


def mcse_sd(draws):
    import arviz as az

    return float(az.mcse(np.asarray(draws), method="sd"))


# -- the GIG draw ------------------------------------------------------------------------------
@pytest.mark.parametrize("lam", [-0.5, 0.0, 0.2, 1.5, -2.5])
@pytest.mark.parametrize("b", [1e-12, 1e-3, 1.0, 1e3])
def test_vectorised_gig_draws_have_scipys_law(lam, b):
    # Two-sample KS against SciPy's sampler (its cdf integrates numerically and fails at tiny
    # b): 40,000 draws each; p < 1e-4 is a false alarm once in 10,000 (20 cases here). Each
    # chain's row comes from its own generator.
    draws = generalized_inverse_gaussian_array(lam, 2.0, np.full((2, 20_000), b), streams(2))
    reference = stats.geninvgauss.rvs(
        lam, np.sqrt(2.0 * b), scale=np.sqrt(b / 2.0), size=40_000, random_state=1
    )
    assert stats.ks_2samp(draws.ravel(), reference).pvalue > 1e-4


def test_vectorised_gig_rows_follow_their_own_chain():
    b = np.exp(np.linspace(-20, 5, 50))
    both = generalized_inverse_gaussian_array(0.0, 2.0, np.tile(b, (2, 1)), streams(2, seed=4))
    alone = generalized_inverse_gaussian_array(
        0.0, 2.0, b[None], ChainStreams([streams(2, 4).generators[1]])
    )
    np.testing.assert_array_equal(both[1], alone[0])


# -- the block Metropolis-Hastings step on T ---------------------------------------------------
def _quadrature(alpha, beta, a, g, sigma2, gamma, *, with_sum_term=True):
    """Expectations of ``phi_1``, ``log S`` and ``1{phi_1 < 1/2}`` under ``p(T | g, theta,
    sigma)`` for p = 2, from the model's density on a grid of ``(log T_1, log T_2)``."""
    u = np.linspace(-30.0, 5.0, 1401)
    u1, u2 = np.meshgrid(u, u, indexing="ij")
    t1, t2 = np.exp(u1), np.exp(u2)
    total = t1 + t2
    log_density = 0.0
    for t, lu, weight in ((t1, u1, gamma[0]), (t2, u2, gamma[1])):
        # Gamma(a, 1) in log T (Jacobian T), and the weight's N(0, sigma^2 g T) density
        log_density = log_density + a * lu - t
        log_density = log_density + stats.norm.logpdf(weight, 0.0, np.sqrt(sigma2 * g * t))
    if with_sum_term:
        w = g * total  # W = g S, the beta-prime prior of W
        log_density = log_density + alpha * np.log(w) - (alpha + beta) * np.log1p(w)
    density = np.exp(log_density - log_density.max())
    density /= density.sum()
    phi = t1 / total
    return {
        "phi_1": np.sum(density * phi),
        "log_S": np.sum(density * np.log(total)),
        "phi_1 < 1/2": np.sum(density * (phi < 0.5)),
    }


def test_block_metropolis_step_has_the_conditional_of_the_shares():
    # p = 2, the weights, g and sigma held fixed: the chain of draw_local alone against
    # quadrature of the density p_logW(log g + log S) prod Gamma(T_j; a, 1) N(theta_j; 0,
    # sigma^2 g T_j). Means within 4 MCSE (ArviZ, the chain's own ESS).
    alpha, beta, a, g, sigma2 = 0.6, 1.4, 0.5, 2.0, 1.0
    gamma = np.array([1.5, 0.05])
    scales = R2D2Scales(2, r2_shapes=(alpha, beta), concentration=a)
    rngs = streams(4, seed=11)
    state = scales.start(rngs, 1.0)
    state["g"] = np.full(4, g)
    chains = np.tile(gamma, (4, 1))
    sweeps = 6000
    phi, log_total, accepted = (np.empty((4, sweeps)) for _ in range(3))
    for k in range(sweeps):
        scales.draw_local(chains, np.full(4, sigma2), state, rngs)
        total = state["T"].sum(axis=1)
        phi[:, k], log_total[:, k] = state["T"][:, 0] / total, np.log(total)
        accepted[:, k] = state["accepted"]
    np.testing.assert_array_equal(state["d"], g * state["T"])
    burn = 200
    draws = {
        "phi_1": phi[:, burn:],
        "log_S": log_total[:, burn:],
        "phi_1 < 1/2": (phi[:, burn:] < 0.5).astype(float),
    }
    expected = _quadrature(alpha, beta, a, g, sigma2, gamma)
    without = _quadrature(alpha, beta, a, g, sigma2, gamma, with_sum_term=False)
    errors = {name: mcse_mean(values) for name, values in draws.items()}
    for name, values in draws.items():
        assert abs(values.mean() - expected[name]) < 4 * errors[name], (name, expected[name])
    # The test has power: without the MH correction h(S) (every proposal accepted) the law of
    # log S differs by far more than 4 MCSE; and the correction rejects a share of proposals.
    assert abs(without["log_S"] - expected["log_S"]) > 20 * errors["log_S"]
    assert 0.2 < accepted.mean() < 0.95


def test_global_prior_is_the_beta_prime_of_g_times_the_sum():
    # log_scales_prior(g) is p_logW(log g + log S): the Beta(alpha, beta) density of
    # R^2 = W / (1 + W) times the Jacobians dR^2/dW = (1 + W)^-2 and dW/dlog W = W.
    alpha, beta = 0.9, 2.1
    scales = R2D2Scales(3, r2_shapes=(alpha, beta), concentration=0.5, noise_scale=1.0)
    state = {"T": np.array([[0.2, 1.0, 0.3], [2.0, 0.1, 0.4]])}
    g = np.array([[0.5, 0.5], [0.1, 3.0], [2.0, 0.01]])
    total = state["T"].sum(axis=1)
    w = g * total
    expected = stats.beta.logpdf(w / (1 + w), alpha, beta) - 2 * np.log1p(w) + np.log(w)
    got = np.array([scales.log_scales_prior(row, np.ones(2), state) for row in g])
    differences = (got - expected) - (got - expected)[0, 0]
    np.testing.assert_allclose(differences, 0.0, atol=1e-12)  # equal up to one constant


def test_uncollapsed_global_step_has_the_conditional_of_log_g():
    # update(global_drawn=False) first draws log g given T, the weights and sigma: the chain of
    # draw_global alone against 1-D quadrature of p_logW(log g + log S) prod_j N(theta_j; 0,
    # sigma^2 g T_j) in log g. Mean and sd within 4 MCSE.
    alpha, beta, sigma2 = 1.2, 0.8, 0.5
    local = np.array([0.3, 1.2, 0.05])
    gamma = np.array([0.4, -1.0, 0.02])
    scales = R2D2Scales(3, r2_shapes=(alpha, beta), concentration=0.5)
    rngs = streams(4, seed=3)
    state = {"T": np.tile(local, (4, 1)), "g": np.ones(4)}
    draws = np.empty((4, 3000))
    for k in range(draws.shape[1]):
        scales.draw_global(np.tile(gamma, (4, 1)), np.full(4, sigma2), state, rngs)
        draws[:, k] = np.log(state["g"])
    x = np.linspace(-25.0, 25.0, 20001)
    w = np.exp(x) * local.sum()
    log_density = alpha * np.log(w) - (alpha + beta) * np.log1p(w)
    log_density += sum(
        stats.norm.logpdf(t, 0.0, np.sqrt(sigma2 * np.exp(x) * s))
        for t, s in zip(gamma, local, strict=True)
    )
    density = np.exp(log_density - log_density.max())
    density /= density.sum()
    mean = np.sum(density * x)
    sd = np.sqrt(np.sum(density * (x - mean) ** 2))
    assert abs(draws.mean() - mean) < 4 * mcse_mean(draws)
    assert abs(draws.std() - sd) < 4 * mcse_sd(draws)


# -- whole sweeps -----------------------------------------------------------------------------
# An all-zero design makes kappa = 1 and m_eff = 0 in every draw: their r_hat divides 0 by 0.
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_gibbs_reproduces_the_prior_without_information():
    # An all-zero design: the likelihood does not see the weights, so the posterior of R^2 and
    # phi is the prior: Beta(m k, (1 - m) k) and phi_j ~ Beta(a, (p - 1) a). The chain's KS
    # distance D is held to D sqrt(ESS) < 2.0 (Kolmogorov's P(K > 2.0) = 6e-4 for independent
    # draws; ESS stands in for the sample size of autocorrelated ones), seven quantities.
    m, k, a, p = 0.3, 3.0, 0.7, 6
    spec = rp.R2D2(mean_r2=m, prec_r2=k, concentration=a)
    rng = np.random.default_rng(5)
    data = RegressionData(np.zeros((30, p)), rng.standard_normal(30))
    result = gibbs_posterior(data, spec, draws=3000, tune=300, random_seed=2, thin=1)
    laws = {"r2": stats.beta(m * k, (1 - m) * k)}
    checks = [(draws_of(result, "r2"), laws["r2"])]
    phi = draws_of(result, "phi")
    checks += [(phi[..., j], stats.beta(a, (p - 1) * a)) for j in range(p)]
    for values, law in checks:
        distance = stats.kstest(values.ravel(), law.cdf).statistic
        assert distance * np.sqrt(ess(values)) < 2.0
    np.testing.assert_allclose(phi.sum(axis=-1), 1.0, rtol=1e-12)
    tau = draws_of(result, "tau")
    np.testing.assert_allclose(tau**2, draws_of(result, "r2") / (1 - draws_of(result, "r2")))


def test_r2d2_declares_gibbs_conditionals(diabetes):
    for noise_prior in ("jeffreys", "halfnormal", "halfstudentt"):
        spec = rp.R2D2(noise_prior=noise_prior)
        assert spec.gibbs_unavailable() is None
        scales = spec.gibbs_conditionals(diabetes)
        assert isinstance(scales, R2D2Scales)
        assert scales.noise_prior == noise_prior
        assert (scales.r2_alpha, scales.r2_beta) == spec.beta_parameters
    columns = rp.R2D2().gibbs_conditionals(diabetes).column_scales
    np.testing.assert_allclose(columns, 1.0 / np.std(diabetes.X, axis=0))
    assert rp.R2D2(scale_columns=False).gibbs_conditionals(diabetes).column_scales is None


def test_result_has_the_nuts_names_and_the_nuts_kappa(diabetes):
    result = rp.sample_posterior(
        diabetes.X, diabetes.y, rp.R2D2(), engine="gibbs", draws=100, tune=50, chains=2
    )
    post = result.datatree.posterior
    for name in ("beta", "intercept", "sigma", "r2", "tau", "phi", "kappa", "m_eff"):
        assert name in post
    assert "phi_accepted" in post and "phi_accepted" not in result.summary.index
    assert {"sigma", "r2", "tau", "m_eff"} <= set(result.summary.index)
    # kappa_j = 1 / (1 + n phi_j tau^2) on standardised columns (the PyMC model's
    # 1 / (1 + x_j'x_j v_j / sigma^2) with v_j = sigma^2 phi_j tau^2 / s_j^2)
    n = diabetes.n_samples
    tau2 = draws_of(result, "tau")[..., None] ** 2
    expected = 1.0 / (1.0 + n * draws_of(result, "phi") * tau2)
    np.testing.assert_allclose(draws_of(result, "kappa"), expected, rtol=1e-10)


# -- against NUTS on the same PyMC model (slow: compiles) -------------------------------------
def _compare_with_nuts(X, y, spec, settings):
    nuts = rp.sample_posterior(X, y, spec, engine="nuts", **settings)
    assert nuts.healthy, nuts.problems
    result = rp.sample_posterior(X, y, spec, engine="gibbs", **settings)
    assert result.healthy, result.problems
    assert list(result.summary.index) == list(nuts.summary.index)
    p = X.shape[1]
    names = ["intercept", "sigma", "r2", "tau", "m_eff"]
    a = {name: draws_of(result, name) for name in ["beta", *names]}
    b = {name: draws_of(nuts, name) for name in ["beta", *names]}
    pairs = [(a["beta"][..., j], b["beta"][..., j]) for j in range(p)]
    pairs += [(a[name], b[name]) for name in names]
    assert_medians_agree(pairs, [f"beta[{j}]" for j in range(p)] + names)
    # sds of the weights, the intercept and the scalars within 4 combined MCSE of the sd (the
    # summary's mcse_sd: each engine's own Monte Carlo error, heavy tails included).
    names = list(result.summary.index)
    gap = np.abs(result.summary.loc[names, "sd"] - nuts.summary.loc[names, "sd"])
    mcse = np.hypot(result.summary.loc[names, "mcse_sd"], nuts.summary.loc[names, "mcse_sd"])
    assert (gap <= 4 * mcse).all(), (gap / mcse).to_dict()
    return result, nuts


@pytest.mark.slow
@pytest.mark.parametrize(
    "spec",
    [
        rp.R2D2(),
        # the other branches: a half-normal noise (drawn given the quadratic form, its prior in
        # the collapsed step), the prior on the weights as given, a = 1 (GIG index 1/2)
        rp.R2D2(
            mean_r2=0.3,
            prec_r2=3.0,
            concentration=1.0,
            noise_prior="halfnormal",
            scale_columns=False,
        ),  # fmt: skip
    ],
    ids=["defaults", "halfnormal-unscaled"],
)
def test_gibbs_r2d2_matches_nuts_on_diabetes(diabetes, spec):
    _compare_with_nuts(diabetes.X, diabetes.y, spec, dict(draws=2000, tune=1000, chains=4))


@pytest.mark.slow
def test_gibbs_r2d2_matches_nuts_at_p_above_n():
    # 25 x 40, three effects: the n x n route of both engines.
    X, y = small_problem(n=25, p=40, seed=4)
    _compare_with_nuts(X, y, rp.R2D2(), dict(draws=2000, tune=1000, chains=4, random_seed=1))
