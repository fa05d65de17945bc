"""The PyMC model's log density is the one the conventions write down."""

import numpy as np
import pytest
import scipy.stats as st
from numpy.testing import assert_allclose

from regprior import Laplace, Normal
from regprior.backend.model import build_model
from regprior.spec.likelihoods import Gaussian


def compile_intercept(model):
    """The Deterministic intercept as a function of the value variables."""
    pymc_model = model.pymc_model
    [intercept] = pymc_model.replace_rvs_by_values([pymc_model["intercept"]])
    return pymc_model.compile_fn(intercept, inputs=pymc_model.value_vars, on_unused_input="ignore")


@pytest.mark.parametrize(
    "prior", [Normal(mu=0.5, sigma=2.0), Laplace(mu=0.5, scale=2.0)], ids=["normal", "laplace"]
)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_log_density_matches_the_written_model(weighted, prior, fit_intercept):
    noise_sigma = 1.3
    model = build_model(weighted, prior, Gaussian(noise_sigma), fit_intercept=fit_intercept)
    logp = model.pymc_model.compile_logp(jacobian=False)
    intercept_of = compile_intercept(model) if fit_intercept else None
    rng = np.random.default_rng(0)
    w = weighted.weights
    for _ in range(5):
        beta = rng.normal(0, 2, weighted.n_features)
        point = {"beta": beta}
        intercept = 0.0
        if fit_intercept:
            point["centred_intercept"] = rng.normal()
            intercept = float(intercept_of(point))
        # The conventions' model, written independently with SciPy: eps_i ~ N(0, sigma^2 / w_i).
        residual = weighted.y - intercept - weighted.X @ beta
        expected = (
            st.norm.logpdf(residual, scale=noise_sigma / np.sqrt(w)).sum()
            - prior.neg_logpdf(beta).sum()
        )
        # Sums of ~130 terms of size ~1e1: agreement to ~1e-12 relative.
        assert_allclose(logp(point), expected, rtol=1e-11)


def test_intercept_is_the_uncentred_one(weighted):
    """intercept = y_mean - x_mean @ beta + centred_intercept: a unit-Jacobian shear."""
    model = build_model(weighted, Normal(), Gaussian(1.0))
    beta = np.arange(weighted.n_features, dtype=float)
    value = compile_intercept(model)({"beta": beta, "centred_intercept": 0.25})
    assert_allclose(value, model.y_mean - model.x_mean @ beta + 0.25, rtol=1e-13)


def test_set_prior_changes_the_density_without_rebuilding(weighted):
    model = build_model(weighted, Laplace(scale=1.0), Gaussian(1.0), fit_intercept=False)
    logp = model.pymc_model.compile_logp(jacobian=False)
    point = {"beta": np.full(weighted.n_features, 0.5)}
    before = logp(point)
    model.set_prior(Laplace(scale=2.0))
    # Only the prior term moves: from sum(|b|/1 + log 2) to sum(|b|/2 + log 4).
    p = weighted.n_features
    expected_shift = p * (0.5 - 0.25) - p * np.log(2.0)
    assert_allclose(logp(point) - before, expected_shift, rtol=1e-12)
    with pytest.raises(TypeError, match="prior must be a Laplace to reuse this model"):
        model.set_prior(Normal())


def test_set_data_swaps_the_data_without_recompiling(diabetes):
    from regprior.inference import map_estimate
    from regprior.inference.objective import compile_map_objective
    from regprior.spec.data import RegressionData

    first, second = (
        RegressionData(diabetes.X[:221], diabetes.y[:221]),
        RegressionData(diabetes.X[221:], diabetes.y[221:]),
    )
    likelihood = Gaussian(54.0)
    model = build_model(first, Laplace(scale=10.0), likelihood, mutable_data=True)
    map_estimate(model)
    objective = compile_map_objective(model)
    model.set_data(second)
    swapped = map_estimate(model)
    fresh = map_estimate(build_model(second, Laplace(scale=10.0), likelihood))
    assert compile_map_objective(model) is objective
    # Same optimum from the same objective: both solves are exact to ~1e-12 relative.
    assert_allclose(swapped.coef, fresh.coef, rtol=0, atol=1e-9 * np.abs(fresh.coef).max())
    assert_allclose(swapped.intercept, fresh.intercept, rtol=1e-12)
    with pytest.raises(
        ValueError, match=r"data must have shape \(221, 10\) to reuse this model; got \(10, 10\)"
    ):
        model.set_data(RegressionData(diabetes.X[:10], diabetes.y[:10]))
    with pytest.raises(ValueError, match="build it with mutable_data=True"):
        build_model(first, Normal(), likelihood).set_data(second)
