"""Park & Casella's Bayesian lasso: NUTS against an independent Gibbs sampler (their full conditionals)."""

import numpy as np
import pytest

from regprior.backend.hierarchical import build_bayesian_lasso
from regprior.inference import nuts_posterior
from regprior.spec.data import RegressionData
from regprior.spec.hierarchical import BayesianLasso


def park_casella_gibbs(X, y, lam, *, n_iter, seed):
    """Park & Casella (2008), section 2: Gibbs on (beta, sigma^2, 1/tau^2) with centred data.

    beta | . ~ N(A^-1 X^T y, sigma^2 A^-1), A = X^T X + D_tau^-1;
    sigma^2 | . ~ InvGamma((n - 1)/2 + p/2, ||y - X beta||^2 / 2 + beta^T D_tau^-1 beta / 2)
    (n - 1: the flat intercept integrated out); 1/tau_j^2 | . ~ InvGaussian(sqrt(lam^2 sigma^2 / beta_j^2), lam^2).
    """
    rng = np.random.default_rng(seed)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    n, p = Xc.shape
    xtx, xty = Xc.T @ Xc, Xc.T @ yc
    beta, sigma2, inv_tau2 = np.zeros(p), float(np.var(yc)), np.ones(p)
    betas, sigma2s = np.empty((n_iter, p)), np.empty(n_iter)
    for it in range(n_iter):
        A = xtx + np.diag(inv_tau2)
        chol = np.linalg.cholesky(A)
        mean = np.linalg.solve(A, xty)
        beta = mean + np.sqrt(sigma2) * np.linalg.solve(chol.T, rng.standard_normal(p))
        residual = yc - Xc @ beta
        shape = (n - 1) / 2 + p / 2
        scale = residual @ residual / 2 + beta @ (inv_tau2 * beta) / 2
        sigma2 = scale / rng.gamma(shape)
        inv_tau2 = rng.wald(np.sqrt(lam**2 * sigma2 / beta**2), lam**2)
        betas[it], sigma2s[it] = beta, sigma2
    return betas, sigma2s


@pytest.mark.slow
def test_bayesian_lasso_nuts_matches_gibbs():
    import arviz as az

    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 3))
    y = 1.0 + X @ np.array([1.0, -0.5, 0.0]) + rng.normal(size=60)
    lam = 2.0
    model = build_bayesian_lasso(RegressionData(X, y), BayesianLasso(lam=lam))
    posterior = nuts_posterior(model, draws=2000, tune=1000, chains=4, random_seed=7)
    assert posterior.healthy, posterior.problems
    betas, sigma2s = park_casella_gibbs(X, y, lam, n_iter=40_000, seed=3)
    betas, sigma2s = betas[2000:], sigma2s[2000:]  # burn-in
    draws = posterior.datatree.posterior
    for name, nuts_draws, gibbs_draws in [
        *[(f"x{j}", draws["beta"].isel(feature=j).to_numpy(), betas[:, j]) for j in range(3)],
        ("sigma2", draws["sigma2"].to_numpy(), sigma2s),
    ]:
        nuts_mcse = float(az.mcse(nuts_draws, method="median"))
        gibbs_mcse = float(az.mcse(gibbs_draws[None, :], method="median"))
        # Medians within 4 combined Monte-Carlo standard errors (a false alarm ~1 in 16,000).
        difference = abs(np.median(nuts_draws) - np.median(gibbs_draws))
        assert difference <= 4 * np.hypot(nuts_mcse, gibbs_mcse), (name, difference, nuts_mcse, gibbs_mcse)


def test_bayesian_lasso_input_checks():
    with pytest.raises(ValueError, match=r"The 'lam' parameter of BayesianLasso must be a float in the range \(0, inf\)"):
        BayesianLasso(lam=0.0)
    data = RegressionData(np.eye(3), np.arange(3.0), np.ones(3))
    with pytest.raises(ValueError, match="Park & Casella's Bayesian lasso has no sample weights"):
        build_bayesian_lasso(data, BayesianLasso())
