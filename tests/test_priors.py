import numpy as np
import pymc as pm
import pytest
import scipy.stats as st
from numpy.testing import assert_allclose, assert_array_equal

from regprior import ElasticNetPrior, Laplace, Normal


def test_normal_density_matches_scipy():
    prior = Normal(mu=1.5, sigma=2.0)
    x = np.linspace(-5, 5, 11)
    # Closed-form densities: agreement to rounding.
    assert_allclose(-prior.neg_logpdf(x), st.norm.logpdf(x, loc=1.5, scale=2.0), rtol=1e-13)


def test_laplace_density_matches_scipy_scale():
    prior = Laplace(mu=-1.0, scale=0.7)
    x = np.linspace(-5, 5, 11)
    assert_allclose(-prior.neg_logpdf(x), st.laplace.logpdf(x, loc=-1.0, scale=0.7), rtol=1e-13)


@pytest.mark.parametrize(
    "prior",
    [
        Normal(mu=0.3, sigma=1.7),
        Laplace(mu=0.3, scale=1.7),
        ElasticNetPrior(mu=0.3, scale=0.7, sigma=1.9),
    ],
)
def test_backend_distribution_has_the_same_density(prior):
    from regprior.backend.model import PRIOR_DISTRIBUTIONS

    with pm.Model(coords={"feature": ["a", "b", "c"]}) as model:
        parameters = {
            name: pm.Data(f"prior_{name}", value) for name, value in prior.parameters.items()
        }
        PRIOR_DISTRIBUTIONS[prior.family](
            "beta", pm.Data("prior_mu", np.full(3, prior.mu)), parameters, dims="feature"
        )
    x = np.array([0.9, -2.4, 0.3])  # the last sits on the kink
    logp = model.compile_logp()({"beta": x})
    # PyMC's Laplace b must be read as the scale: a rate would give another number.
    assert_allclose(logp, np.sum(-prior.neg_logpdf(x)), rtol=1e-12)


def test_blog_parametrisations():
    # The blog's N(theta0, 1/sqrt(2 lambda)): variance 1/(2 lambda).
    normal = Normal.from_lambda(2.0)
    assert_allclose(normal.sigma**2, 1 / (2 * 2.0), rtol=1e-15)
    assert_allclose(normal.lam, 2.0, rtol=1e-15)
    # Its normalising constant is sqrt(lambda/pi), not 1/sqrt(2 pi 2 lambda).
    assert_allclose(np.exp(-normal.neg_logpdf(0.0)), np.sqrt(2.0 / np.pi), rtol=1e-14)
    # The blog's Laplace(theta0, 1/b): b is a rate.
    laplace = Laplace.from_rate(4.0)
    assert laplace.scale == 0.25 and laplace.rate == 4.0


def test_repr_and_equality():
    assert repr(Normal(mu=0.0, sigma=2.0)) == "Normal(mu=0.0, sigma=2.0)"
    assert repr(Laplace(mu=1.0, scale=0.5)) == "Laplace(mu=1.0, scale=0.5)"
    assert repr(Laplace(mu=np.zeros(3))) == "Laplace(mu=array(shape=(3,)), scale=1.0)"
    assert Normal(sigma=2.0) == Normal(sigma=2.0) != Laplace(scale=2.0)
    assert hash(Normal(mu=np.ones(2))) == hash(Normal(mu=np.ones(2)))


def test_laplace_prox_is_soft_thresholding_around_the_centre():
    centre = np.array([1.0, 1.0, 1.0])
    # step / scale = 0.2: moves of at most 0.2 land exactly on the centre.
    prior = Laplace(mu=centre, scale=0.5)
    out = prior.prox(np.array([1.1, 0.5, 1.3]), 0.1)
    assert out[0] == 1.0
    assert_allclose(out[1:], [0.7, 1.1], rtol=1e-15)


@pytest.mark.parametrize("scale, sigma", [(0.7, 1.9), (1e-3, 10.0), (50.0, 0.01), (1.0, 1.0)])
def test_elastic_net_density_is_normalised_by_quadrature(scale, sigma):
    """The erfcx normaliser against numerical integration, including a = tau/(sqrt(2) s) ~ 7e3."""
    from scipy.integrate import quad

    prior = ElasticNetPrior(mu=0.4, scale=scale, sigma=sigma)
    width = 40 * min(scale, sigma)  # beyond this the density is below exp(-40)
    # Split at the kink: quad is exact to ~1e-14 on each smooth half.
    total = sum(
        quad(lambda t: np.exp(-prior.neg_logpdf(t)), a, b, epsabs=0, epsrel=1e-13, limit=200)[0]
        for a, b in ((0.4 - width, 0.4), (0.4, 0.4 + width))
    )
    assert_allclose(total, 1.0, rtol=1e-10)


def test_elastic_net_limits_and_parametrisations():
    x = np.linspace(-3, 3, 13)
    # A very wide Normal factor leaves the Laplace, a very wide Laplace factor the Normal
    # (up to the 1/sigma^2 = 1e-16 and 1/s = 1e-9 they still add; atol where log p = 0).
    assert_allclose(
        ElasticNetPrior(scale=0.5, sigma=1e8).neg_logpdf(x),
        Laplace(scale=0.5).neg_logpdf(x),
        rtol=1e-7,
        atol=1e-12,
    )
    assert_allclose(
        ElasticNetPrior(scale=1e9, sigma=0.5).neg_logpdf(x),
        Normal(sigma=0.5).neg_logpdf(x),
        rtol=1e-7,
    )
    prior = ElasticNetPrior.from_blog(lam=2.0, rate=4.0)
    assert (prior.scale, prior.sigma) == (0.25, 0.5)
    assert prior.blog_parameters() == {"blog_lambda": 2.0, "blog_rate": 4.0}
    assert prior.penalty_weights == (4.0, 4.0)
    assert ElasticNetPrior.from_penalty_weights(4.0, 4.0) == prior
    assert repr(prior) == "ElasticNetPrior(mu=0.0, scale=0.25, sigma=0.5)"


def test_penalty_maths_of_a_kinked_prior():
    """prox, subdifferential distance and support: what the MAP engine asks of a prior."""
    prior = ElasticNetPrior(mu=1.0, scale=0.5, sigma=2.0)  # l1 = 2, l2 = 0.25
    theta = np.array([1.0, 1.0, 2.0, 0.0])
    gradient = np.array([1.5, -3.0, -2.0, 2.5])
    # At the centre: max(0, |g| - l1); away: |g + l1 sign(theta - mu)|.
    assert_allclose(prior.subdiff_distance(theta, gradient), [0.0, 1.0, 0.0, 0.5], rtol=1e-15)
    assert_array_equal(prior.generalized_support(theta), [False, False, True, True])
    assert_allclose(prior.smooth_gradient(theta), 0.25 * (theta - 1.0), rtol=1e-15)
    assert prior.alpha_max(gradient) == 3.0 and Normal.alpha_max(gradient) is None
    # Soft-thresholding by step * l1 = 0.2 around mu = 1.
    assert_allclose(prior.prox(np.array([1.1, 0.5, 1.3]), 0.1), [1.0, 0.7, 1.1], rtol=1e-15)
