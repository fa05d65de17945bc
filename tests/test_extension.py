"""The extension recipe of ARCHITECTURE.md holds: a prior and a likelihood defined outside regprior.

Everything here goes through documented extension points only: subclass ``regprior.Prior`` or
``regprior.Likelihood`` (which registers the family), declare it in PyMC with
``register_prior_distribution`` / ``register_likelihood_distribution``, then use the public API.
The posteriors are checked against one-weight quadrature (an independent reference) and the MAP
against SciPy's optimiser on the same objective.
"""

import numpy as np
import pytest
import scipy.integrate
import scipy.optimize
import scipy.special
import scipy.stats
from numpy.testing import assert_allclose

import regprior as rp
from regprior.backend.distributions import (
    register_likelihood_distribution,
    register_prior_distribution,
)


class StudentTPrior(rp.Prior):
    r"""Student-t prior on each weight, a heavy-tailed prior with no scikit-learn twin.

    ``p(theta) = Gamma((nu+1)/2) / (Gamma(nu/2) sqrt(nu pi) s) (1 + z**2/nu)**(-(nu+1)/2)``,
    ``z = (theta - mu) / s``.
    """

    family = "student_t_example"
    parameter_names = ("nu", "scale")

    def __init__(self, mu=0.0, nu=3.0, scale=1.0):
        super().__init__(mu=mu, nu=nu, scale=scale)

    def _z(self, theta):
        return (np.asarray(theta, dtype=float) - self.mu) / self.parameters["scale"]

    def neg_logpdf(self, theta):
        nu, s = self.parameters["nu"], self.parameters["scale"]
        z = self._z(theta)
        log_normaliser = (
            scipy.special.gammaln(nu / 2)
            - scipy.special.gammaln((nu + 1) / 2)
            + 0.5 * np.log(nu * np.pi)
            + np.log(s)
        )
        return 0.5 * (nu + 1) * np.log1p(z**2 / nu) + log_normaliser

    def smooth_gradient(self, theta):
        nu, s = self.parameters["nu"], self.parameters["scale"]
        z = self._z(theta)
        return (nu + 1) * z / (s * (nu + z**2))

    def smooth_hessian_diagonal(self, theta):
        nu, s = self.parameters["nu"], self.parameters["scale"]
        z = self._z(theta)
        return (nu + 1) * (nu - z**2) / (s**2 * (nu + z**2) ** 2)


@register_prior_distribution("student_t_example")
def _student_t(name, mu, parameters, dims):
    import pymc as pm

    return pm.StudentT(name, nu=parameters["nu"], mu=mu, sigma=parameters["scale"], dims=dims)


class SpikePrior(rp.Prior):
    """A prior whose density is infinite at its centre (as the horseshoe's): no MAP."""

    family = "spike_example"
    parameter_names = ("scale",)
    no_mode_reason = "its density is infinite at the centre"

    def neg_logpdf(self, theta):
        return 0.5 * np.log(np.abs(np.asarray(theta, dtype=float) - self.mu))


class StudentTNoise(rp.Likelihood):
    r"""Robust regression: ``y_i ~ StudentT(nu, c + x_i beta, sigma)``,
    ``sigma`` and ``nu`` known."""

    family = "student_t_noise_example"
    link = "identity"

    def __init__(self, noise_sigma=1.0, nu=4.0):
        self.noise_sigma, self.nu = float(noise_sigma), float(nu)

    @property
    def parameters(self):
        return {"noise_sigma": self.noise_sigma, "nu": self.nu}

    def neg_loglik(self, y, eta, weights=None):
        return -scipy.stats.t.logpdf(y, df=self.nu, loc=eta, scale=self.noise_sigma)

    @staticmethod
    def check_target(y):
        """Any finite real target."""

    @staticmethod
    def mean(eta):
        return np.asarray(eta, dtype=float)


@register_likelihood_distribution("student_t_noise_example")
def _student_t_noise(name, eta, parameters, weights, observed):
    import pymc as pm

    return pm.StudentT(
        name, nu=parameters["nu"], mu=eta, sigma=parameters["noise_sigma"], observed=observed
    )


def test_the_new_families_are_registered_by_their_definition():
    from regprior.spec.likelihoods import LIKELIHOOD_FAMILIES
    from regprior.spec.priors import PRIOR_FAMILIES

    assert PRIOR_FAMILIES["student_t_example"] is StudentTPrior
    assert LIKELIHOOD_FAMILIES["student_t_noise_example"] is StudentTNoise


def test_the_density_is_scipys():
    prior = StudentTPrior(mu=0.5, nu=3.0, scale=2.0)
    theta = np.linspace(-20, 20, 41)
    # Both are closed forms in float64: agreement to rounding.
    assert_allclose(
        prior.neg_logpdf(theta), -scipy.stats.t.logpdf(theta, 3.0, 0.5, 2.0), rtol=1e-12
    )


def test_the_backend_density_is_the_specifications():
    prior = StudentTPrior(mu=0.0, nu=3.0, scale=2.0)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    model = rp.make_model(X, y, prior, noise_sigma=1.0, fit_intercept=False)
    beta = model.pymc_model["beta"]
    logp = model.pymc_model.compile_fn(model.pymc_model.logp(vars=[beta], sum=False)[0])
    point = np.array([0.3, -4.0])
    assert_allclose(logp({"beta": point}), -prior.neg_logpdf(point), rtol=1e-12)


@pytest.fixture(scope="module")
def one_weight():
    """n = 15, one feature, no intercept: a posterior where the prior matters."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(15, 1))
    y = 1.5 * x[:, 0] + rng.normal(scale=1.0, size=15)
    return x, y


def quadrature_moments(log_density, lo=-15.0, hi=15.0):
    """Posterior mean and sd of one weight by adaptive quadrature of ``exp(log_density)``."""
    grid = np.linspace(lo, hi, 20001)
    shift = np.max(log_density(grid))
    density = lambda t: np.exp(log_density(np.atleast_1d(t)) - shift)[0]  # noqa: E731
    mass = scipy.integrate.quad(density, lo, hi, limit=400)[0]
    mean = scipy.integrate.quad(lambda t: t * density(t), lo, hi, limit=400)[0] / mass
    second = scipy.integrate.quad(lambda t: t * t * density(t), lo, hi, limit=400)[0] / mass
    return mean, np.sqrt(second - mean**2)


def test_map_of_a_prior_without_a_twin_is_the_optimum(one_weight):
    x, y = one_weight
    prior = StudentTPrior(nu=3.0, scale=0.5)
    result = rp.fit_map(x, y, prior, noise_sigma=1.0, fit_intercept=False)

    def objective(theta):
        return 0.5 * np.sum((y - x @ theta) ** 2) + float(np.sum(prior.neg_logpdf(theta)))

    reference = scipy.optimize.minimize(objective, np.zeros(1), method="BFGS", tol=1e-14).x
    # Both reach the stationary point of a smooth 1-d objective: agreement well below 1e-7.
    assert_allclose(result.coef, reference, rtol=1e-7)
    assert result.kkt_residual <= 1e-8


def test_fit_map_refuses_a_prior_without_a_mode(one_weight):
    x, y = one_weight
    with pytest.raises(
        ValueError, match="SpikePrior has no posterior mode.*infinite at the centre"
    ):
        rp.fit_map(x, y, SpikePrior(scale=1.0), noise_sigma=1.0)


@pytest.mark.slow
def test_posterior_of_a_prior_without_a_twin_matches_quadrature(one_weight):
    x, y = one_weight
    prior = StudentTPrior(nu=3.0, scale=0.5)
    posterior = rp.sample_posterior(
        x, y, prior, noise_sigma=1.0, fit_intercept=False, draws=1000, chains=4, random_seed=1
    )
    assert posterior.healthy, posterior.problems

    def log_density(theta):
        residual = y[:, None] - x @ theta[None, :]
        return -0.5 * np.sum(residual**2, axis=0) - prior.neg_logpdf(theta)

    mean, sd = quadrature_moments(log_density)
    row = posterior.summary.loc["x0"]
    # Monte Carlo error: 4 MCSE for the mean; the sd's relative MC error at ESS > 1000 is < 3%.
    assert abs(row["mean"] - mean) <= 4 * row["mcse_mean"]
    assert_allclose(row["sd"], sd, rtol=0.1)


@pytest.mark.slow
def test_posterior_of_a_new_likelihood_matches_quadrature(one_weight):
    x, y = one_weight
    likelihood = StudentTNoise(noise_sigma=0.8, nu=4.0)
    prior = rp.Normal(sigma=2.0)
    posterior = rp.sample_posterior(
        x, y, prior, likelihood=likelihood, fit_intercept=False, draws=1000, random_seed=2
    )
    assert posterior.healthy, posterior.problems

    def log_density(theta):
        eta = x @ theta[None, :]
        loglik = scipy.stats.t.logpdf(y[:, None], df=4.0, loc=eta, scale=0.8).sum(axis=0)
        return loglik - prior.neg_logpdf(theta)

    mean, sd = quadrature_moments(log_density)
    row = posterior.summary.loc["x0"]
    assert abs(row["mean"] - mean) <= 4 * row["mcse_mean"]
    assert_allclose(row["sd"], sd, rtol=0.1)


@pytest.mark.slow
def test_a_prior_without_a_twin_enters_loo_and_an_estimator():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([4.0, -3.0, 0.0]) + rng.normal(size=40)
    comparison = rp.compare_loo(
        X,
        y,
        {"student_t": StudentTPrior(nu=3.0, scale=1.0), "squeezed": rp.Normal(sigma=0.01)},
        noise_sigma=1.0,
        draws=500,
        chains=2,
    )
    table = comparison.table
    assert set(table.index) == {"student_t", "squeezed"}
    # A prior that pins weights of 4 and -3 near zero predicts far worse: elpd_loo differs by
    # hundreds of nats here (its SE is large: the squeezed model has bad Pareto-k values).
    assert table.index[0] == "student_t"
    assert table.loc["squeezed", "elpd_diff"] < -2 * table.loc["squeezed", "dse"]

    model = rp.BayesianRegressor(
        StudentTPrior(nu=3.0, scale=1.0), noise_sigma=1.0, draws=300, chains=2
    ).fit(X, y)
    mean, sd = model.predict(X[:5], return_std=True)
    assert_allclose(mean, X[:5] @ model.coef_ + model.intercept_, rtol=1e-12)
    # The predictive sd is at least the known noise sd.
    assert np.all(sd >= 1.0)
