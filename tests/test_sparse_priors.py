"""Sparse priors: specifications, the marginal likelihood, exact weight draws, and the horseshoe's
NUTS posterior against an independent Gibbs sampler (Makalic & Schmidt 2016)."""

import numpy as np
import pytest
from scipy import integrate, stats

import regprior as rp
from regprior.backend.model import build_hierarchical_model
from regprior.spec.data import RegressionData
from regprior.spec.sparse import draw_gaussian_weights, piironen_vehtari_tau0, shrinkage_factors

SPECS = [rp.Horseshoe(), rp.RegularizedHorseshoe(), rp.R2D2()]


def small_problem(n=40, p=8, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    coef = np.zeros(p)
    coef[:3] = [2.0, -1.5, 1.0]
    y = 0.5 + X @ coef + rng.standard_normal(n)
    return X, y


# --- specifications -------------------------------------------------------------------------


def test_global_scale_rule():
    # Piironen & Vehtari: tau0 = p0 / (p - p0) / sqrt(n) in the noise-scaled form.
    assert rp.Horseshoe(p0=5).global_scale(60, 120) == pytest.approx(5 / 115 / np.sqrt(60))
    assert rp.Horseshoe(tau0=0.3).global_scale(60, 120) == 0.3
    assert piironen_vehtari_tau0(2, 10, 100) == pytest.approx(2 / 8 / 10)
    with pytest.raises(ValueError, match=r"p0 must be in \(0, n_features\) = \(0, 10\)"):
        piironen_vehtari_tau0(10, 10, 100)


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: rp.Horseshoe(tau0=-1), ValueError, r"'tau0' parameter of Horseshoe must be"),
        (lambda: rp.Horseshoe(p0=0), ValueError, r"'p0' parameter of Horseshoe must be"),
        (lambda: rp.Horseshoe(noise_prior="flat"), ValueError, r"'noise_prior' parameter"),
        (lambda: rp.Horseshoe(scale_columns=1), TypeError, r"'scale_columns' parameter"),
        (
            lambda: rp.RegularizedHorseshoe(slab_df=0),
            ValueError,
            r"'slab_df' parameter of RegularizedHorseshoe must be a float in the range \(0, inf\)",
        ),
        (
            lambda: rp.RegularizedHorseshoe(slab_scale="2"),
            TypeError,
            r"'slab_scale' parameter of RegularizedHorseshoe",
        ),
        (lambda: rp.R2D2(mean_r2=1.0), ValueError, r"'mean_r2' parameter of R2D2 .* \(0, 1\)"),
        (lambda: rp.R2D2(concentration=0), ValueError, r"'concentration' parameter of R2D2"),
        (lambda: rp.R2D2(noise_scale=-2), ValueError, r"'noise_scale' parameter of R2D2"),
    ],
)
def test_parameter_validation(build, error, match):
    with pytest.raises(error, match=match):
        build()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.kind)
def test_fit_map_refuses_with_its_reason(spec):
    X, y = small_problem()
    with pytest.raises(ValueError, match=r"has no posterior mode fit_map can compute: .*infinite"):
        rp.fit_map(X, y, spec)


def test_exported_and_registered():
    from regprior.backend.hierarchical import FULL_BAYES_DECLARATIONS, SCALE_MIXTURE_DECLARATIONS

    for spec in SPECS:
        assert spec.kind in FULL_BAYES_DECLARATIONS and spec.kind in SCALE_MIXTURE_DECLARATIONS
        assert not spec.has_mode()


def test_prior_m_eff_follows_the_global_scale_rule():
    # With standardised columns and tau0 from p0, the prior mean of m_eff is near p0 (PV 2017,
    # sec. 3.3: exact for E[1 - kappa | tau] at tau0, approximate over tau's half-Cauchy).
    X = np.random.default_rng(0).standard_normal((100, 200))
    X = (X - X.mean(0)) / X.std(0)
    m_eff = rp.Horseshoe(p0=10).prior_m_eff(X, draws=4000)
    assert 5 < np.median(m_eff) < 20
    assert (
        np.median(rp.Horseshoe().prior_m_eff(X, draws=2000)) > 150
    )  # tau0 = 1: almost no shrinkage


# --- the Gaussian marginal likelihood and the exact weight draws -------------------------------


def _marginal(variance, sigma, X, y, fit_intercept, constant=0.0):
    import pytensor.tensor as pt

    from regprior.backend.sparse import marginal_log_likelihood

    v = pt.dvector("v")
    out = marginal_log_likelihood(
        v, sigma, X, y, fit_intercept=fit_intercept, log_weight_term=constant
    )
    return float(out.eval({v: np.asarray(variance, dtype=float)}))


@pytest.mark.parametrize("n, p", [(12, 5), (6, 15)])
def test_marginal_likelihood_both_forms_equal_the_dense_gaussian(n, p):
    # Without an intercept y ~ N(0, sigma^2 I + X V X'): the p x p (p <= n) and n x n (p > n)
    # forms must both equal SciPy's dense log density, to rounding.
    rng = np.random.default_rng(n)
    X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
    v, sigma = rng.uniform(0.01, 3.0, p), 0.7
    dense = stats.multivariate_normal(np.zeros(n), sigma**2 * np.eye(n) + (X * v) @ X.T).logpdf(y)
    assert _marginal(v, sigma, X, y, False) == pytest.approx(dense, rel=1e-12)


def test_marginal_likelihood_one_weight_quadrature_with_intercept():
    # One weight, fixed scale v and sigma, flat intercept: integrate N(y; c + x b, sigma^2)
    # N(b; 0, v) over (b, c) by quadrature; the closed form on centred data must agree.
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal(6), rng.standard_normal(6) + 1.0
    v, sigma = 0.8, 0.9

    def joint(b, c):
        residual = y - c - x * b
        return np.exp(
            -0.5 * residual @ residual / sigma**2
            - len(y) * np.log(np.sqrt(2 * np.pi) * sigma)
            - 0.5 * b**2 / v
            - 0.5 * np.log(2 * np.pi * v)
        )

    value, _ = integrate.dblquad(joint, -8, 10, -8, 8, epsabs=1e-14, epsrel=1e-10)
    closed = _marginal(
        [v], sigma, (x - x.mean())[:, None], y - y.mean(), True, -0.5 * np.log(len(y))
    )
    assert closed == pytest.approx(np.log(value), abs=1e-8)  # quadrature's own accuracy


@pytest.mark.parametrize("n, p", [(30, 4), (5, 9)])
def test_exact_weight_draws_have_the_gaussian_conditional(n, p):
    # Rue (p <= n) and Bhattacharya et al. (p > n) must both draw N(A^-1 X'y / s^2, A^-1),
    # A = X'X / s^2 + V^-1: 10,000 draws put the sample mean within 5 Monte Carlo SE, the
    # covariance within 0.05 of its largest variance (its SE is ~0.014 of it).
    rng = np.random.default_rng(p)
    X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
    v, sigma = rng.uniform(0.05, 2.0, p), 0.8
    A = X.T @ X / sigma**2 + np.diag(1 / v)
    cov = np.linalg.inv(A)
    mean = cov @ X.T @ y / sigma**2
    draws = np.array([draw_gaussian_weights(X, y, v, sigma, rng) for _ in range(10_000)])
    se = np.sqrt(np.diag(cov) / len(draws))
    assert np.all(np.abs(draws.mean(0) - mean) < 5 * se)
    np.testing.assert_allclose(np.cov(draws.T), cov, atol=0.05 * np.max(np.diag(cov)))


def test_shrinkage_factor_is_the_orthogonal_design_posterior_factor():
    # Orthogonal column with x'x = n s^2: E[theta | v, sigma] = (1 - kappa) * least squares.
    n, s, v, sigma = 50, 1.3, 0.02, 0.5
    kappa = shrinkage_factors(v / sigma**2, n, s)
    posterior_factor = (n * s**2 / sigma**2) / (n * s**2 / sigma**2 + 1 / v)
    assert 1 - kappa == pytest.approx(posterior_factor)


# --- the backend's density against the specification -----------------------------------------


def _joint_logp(model, point):
    fn = model.pymc_model.compile_logp(jacobian=False, mode="FAST_COMPILE")
    return float(fn(point))


def test_backend_joint_density_equals_the_specification():
    # The joint model's log density (no Jacobian) at a point, against SciPy term by term:
    # half-Cauchy scales, N(0, sigma^2 tau^2 lambda^2) weights, flat log sigma and intercept,
    # Gaussian likelihood.
    X, y = small_problem()
    data = RegressionData(X, y)
    spec = rp.Horseshoe(p0=2)
    model = build_hierarchical_model(data, spec)
    rng = np.random.default_rng(0)
    lam, tau, beta, sigma, c0 = rng.uniform(0.2, 2, 8), 0.3, rng.normal(0, 1, 8), 0.9, 0.1
    tau0 = spec.global_scale(40, 8)
    point = {
        "log_sigma": np.log(sigma),
        "tau_log__": np.log(tau),
        "lambda_local_log__": np.log(lam),
        "beta": beta,
        "centred_intercept": c0,
    }
    x_mean, y_mean = X.mean(0), y.mean()
    expected = (
        stats.halfcauchy.logpdf(tau, scale=tau0)
        + stats.halfcauchy.logpdf(lam).sum()
        + stats.norm.logpdf(beta, 0, sigma * tau * lam).sum()
        + stats.norm.logpdf(y, (X - x_mean) @ beta + y_mean + c0, sigma).sum()
    )
    # 1e-10 relative: rounding in the compiled graph's sums (measured 3e-11 on a value of ~600).
    assert _joint_logp(model, point) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.kind)
def test_collapsed_model_is_the_joint_integrated_over_the_weights(spec):
    import pytensor

    # The sampled model's density (scales, weights integrated out) minus the joint's at any
    # weights equals log p(y | scales) - log p(y, beta | scales): the log density of the exact
    # Gaussian conditional of beta. Checked at two weight vectors (independent of beta's value).
    X, y = small_problem(n=10, p=14)  # p > n: the n x n form
    model = build_hierarchical_model(RegressionData(X, y), spec)
    rng = np.random.default_rng(1)
    ip = model.sampling_model.initial_point()
    ip = {k: v + 0.1 * rng.standard_normal(np.shape(v)) for k, v in ip.items()}
    collapsed = float(model.sampling_model.compile_logp(mode="FAST_COMPILE")(ip))
    sampled = model.sampling_model
    outputs = sampled.replace_rvs_by_values([sampled["prior_variance"], sampled["sigma"]])
    function = pytensor.function(
        sampled.value_vars, outputs, on_unused_input="ignore", mode="FAST_COMPILE"
    )
    variance, sigma = function(*(ip[v.name] for v in sampled.value_vars))
    sigma = float(sigma)
    Xw, yw, _, _ = model._collapsed_data
    cov = np.linalg.inv(Xw.T @ Xw / sigma**2 + np.diag(1 / variance))
    mean = cov @ Xw.T @ yw / sigma**2
    joint = model.pymc_model.compile_logp(mode="FAST_COMPILE")
    for beta in (mean, mean + 0.3):
        # Intercept at its conditional mode c0 = 0, where N(0, sigma^2 / n) has density
        # 1 / sqrt(2 pi sigma^2 / n).
        point = dict(ip, beta=beta, centred_intercept=0.0)
        conditional = stats.multivariate_normal(mean, cov).logpdf(beta) + stats.norm.logpdf(
            0.0, 0.0, sigma / np.sqrt(len(y))
        )
        assert float(joint(point)) - conditional == pytest.approx(collapsed, rel=1e-9)


# --- the horseshoe's posterior against an independent Gibbs sampler ---------------------------


def horseshoe_gibbs(X, y, tau0, *, n_iter, seed):
    """Makalic & Schmidt (2016): Gibbs on (beta, sigma^2, lambda^2, nu, tau^2, xi), centred data.

    beta | . ~ N(A^-1 X'y, sigma^2 A^-1), A = X'X + diag(1 / (tau^2 lambda^2));
    sigma^2 | . ~ InvGamma((n - 1 + p)/2, (RSS + sum beta^2 / (tau^2 lambda^2)) / 2)
    (n - 1: the flat intercept integrated out; p(sigma^2) ~ 1/sigma^2);
    lambda_j^2 ~ InvGamma(1, 1/nu_j + beta_j^2 / (2 tau^2 sigma^2)),
    nu_j ~ InvGamma(1, 1 + 1/lambda_j^2);
    tau^2 ~ InvGamma((p + 1)/2, 1/xi + sum beta^2 / (2 sigma^2 lambda^2)),
    xi ~ InvGamma(1, 1/tau0^2 + 1/tau^2). InvGamma(a, b) drawn as b / Gamma(a, 1).
    """
    rng = np.random.default_rng(seed)
    Xc, yc = X - X.mean(0), y - y.mean()
    n, p = Xc.shape
    xtx, xty = Xc.T @ Xc, Xc.T @ yc
    lam2, nu, tau2, xi, sigma2 = np.ones(p), np.ones(p), tau0**2, 1.0, float(np.var(yc))
    betas, taus = np.empty((n_iter, p)), np.empty(n_iter)
    for it in range(n_iter):
        d = tau2 * lam2
        chol = np.linalg.cholesky(xtx + np.diag(1 / d))
        mean = np.linalg.solve(chol.T, np.linalg.solve(chol, xty))
        beta = mean + np.sqrt(sigma2) * np.linalg.solve(chol.T, rng.standard_normal(p))
        residual = yc - Xc @ beta
        sigma2 = (residual @ residual + np.sum(beta**2 / d)) / 2 / rng.gamma((n - 1 + p) / 2)
        lam2 = (1 / nu + beta**2 / (2 * tau2 * sigma2)) / rng.gamma(1.0, size=p)
        nu = (1 + 1 / lam2) / rng.gamma(1.0, size=p)
        tau2 = (1 / xi + np.sum(beta**2 / lam2) / (2 * sigma2)) / rng.gamma((p + 1) / 2)
        xi = (1 / tau0**2 + 1 / tau2) / rng.gamma(1.0)
        betas[it], taus[it] = beta, np.sqrt(tau2)
    return betas, taus


def _median_mcse(draws):
    """MCSE of the median of ``draws`` (chains x draws), by ArviZ."""
    import arviz as az

    return float(
        az.mcse(np.asarray(draws)[None] if np.ndim(draws) == 1 else draws, method="median")
    )


@pytest.mark.slow
def test_horseshoe_nuts_matches_gibbs():
    X, y = small_problem()
    spec = rp.Horseshoe(p0=2)
    tau0 = spec.global_scale(len(y), X.shape[1])
    posterior = rp.sample_posterior(X, y, spec, draws=1000, chains=4, random_seed=1, engine="nuts")
    assert posterior.divergences == 0
    chains = [horseshoe_gibbs(X, y, tau0, n_iter=12_500, seed=s) for s in range(4)]
    burn = 2_500
    gibbs_beta = np.stack([c[0][burn:] for c in chains])  # chains x draws x p
    gibbs_tau = np.stack([c[1][burn:] for c in chains])
    post = posterior.datatree.posterior
    nuts_beta = np.asarray(post["beta"].transpose("chain", "draw", "feature"))
    nuts_tau = np.asarray(post["tau"].transpose("chain", "draw"))
    # Medians agree within 4 combined Monte Carlo standard errors,
    # sqrt(MCSE_nuts^2 + MCSE_gibbs^2) of the median (ArviZ, from each sampler's own ESS): both
    # estimates are unbiased up to their MC error, and 4 SE leaves a ~1e-3 chance of a false
    # alarm over the 9 medians compared.
    pairs = [(nuts_beta[..., j], gibbs_beta[..., j]) for j in range(X.shape[1])]
    pairs.append((nuts_tau, gibbs_tau))
    for nuts, gibbs in pairs:
        tolerance = 4 * np.hypot(_median_mcse(nuts), _median_mcse(gibbs))
        assert abs(np.median(nuts) - np.median(gibbs)) < tolerance


@pytest.mark.slow
@pytest.mark.parametrize("spec", SPECS[1:], ids=lambda s: s.kind)
def test_sparse_posteriors_complete_and_enter_loo(spec):
    # The weights, intercept, kappa and m_eff are in the posterior; the pointwise log likelihood
    # (LOO) comes from the joint model at the exact weight draws.
    from regprior.checks.loo import with_log_likelihood

    X, y = small_problem(n=20, p=30)
    model = rp.make_model(X, y, spec)
    posterior = rp.inference.nuts_posterior(model, draws=200, tune=300, chains=2)
    post = posterior.datatree.posterior
    for name in ("beta", "intercept", "kappa", "m_eff", "sigma", "tau"):
        assert name in post
    assert "prior_variance" not in post
    kappa = np.asarray(post["kappa"])
    assert np.all((kappa > 0) & (kappa < 1))
    tree = with_log_likelihood(model, posterior)
    beta = np.asarray(post["beta"].transpose("chain", "draw", "feature"))
    mean = np.asarray(post["intercept"])[..., None] + beta @ X.T
    sigma = np.asarray(post["sigma"])[..., None]
    expected = stats.norm.logpdf(y, mean, sigma)
    np.testing.assert_allclose(np.asarray(tree.log_likelihood["y"]), expected, rtol=1e-10)
    # Shrinkage summary: one row per weight and m_eff beside its prior; the figure draws them.
    from regprior.inference import shrinkage_summary
    from regprior.inference.shrinkage import kappa_draws
    from regprior.report.plots import plot_shrinkage

    table = shrinkage_summary(model, posterior, prior_draws=500)
    assert list(table.index[:-1]) == list(model.data.feature_names)
    assert table.loc["m_eff", "median"] == pytest.approx(np.median(post["m_eff"]))
    assert 0 < table.loc["m_eff", "prior_median"] < X.shape[1]
    lasso = {"CV": np.r_[1.0, np.zeros(X.shape[1] - 1)], "1-SE": np.zeros(X.shape[1])}
    figure = plot_shrinkage(kappa_draws(posterior), model.data.feature_names, lasso)
    assert len(figure.axes[0].get_yticks()) == X.shape[1]
