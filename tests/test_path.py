"""Paths: one compiled model along the grid, equal to sklearn's path at every alpha."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Lasso

from conftest import DIABETES_NOISE_SIGMA
from regprior.checks.paths import (
    alpha_grid,
    compare_paths,
    map_path,
    path_for_data,
    posterior_path,
    sklearn_path,
)
from regprior.spec.likelihoods import Gaussian


@pytest.mark.parametrize("family", ["normal", "laplace"])
@pytest.mark.parametrize(
    "fixture, noise_sigma", [("diabetes", DIABETES_NOISE_SIGMA), ("wide", 1.0), ("weighted", 1.0)]
)
def test_map_path_equals_sklearn_path(request, fixture, noise_sigma, family):
    data = request.getfixturevalue(fixture)
    alphas = alpha_grid(data, family, n_alphas=50)
    path = map_path(
        data.X,
        data.y,
        family,
        alphas=alphas,
        noise_sigma=noise_sigma,
        sample_weight=data.sample_weight,
    )
    comparison = compare_paths(path, sklearn_path(data, family, alphas))
    # Per alpha: max |diff| <= 1e-8 x max(1, |coef|), same exact zeros, same entry points.
    assert comparison.passed, comparison.table[
        ~comparison.table["agree"] | ~comparison.table["support_match"]
    ]
    assert (comparison.table["kkt_residual"] <= 1e-10).all()
    frame = path.to_frame()
    assert frame.shape == (50, data.n_features + 3)
    if family == "laplace":
        assert comparison.table["n_active_map"].iloc[0] == 0  # alpha_max: all at the centre
        assert (
            comparison.entries["map_entry_alpha"].notna().sum()
            >= min(data.n_samples, data.n_features) // 2
        )


def test_lasso_path_transform_equals_weighted_lasso(weighted):
    """lasso_path has no weights:
    sqrt(w n / N) scaling of centred data reproduces Lasso(sample_weight)."""
    alphas = alpha_grid(weighted, "laplace", n_alphas=5)
    path = sklearn_path(weighted, "laplace", alphas)
    for alpha, coef, intercept in zip(alphas, path.coefs, path.intercepts, strict=True):
        lasso = Lasso(alpha=alpha, tol=1e-12, max_iter=10**6).fit(
            weighted.X, weighted.y, sample_weight=weighted.sample_weight
        )
        # Two coordinate-descent runs at tol=1e-12 on the same objective: ~1e-10 apart.
        assert_allclose(coef, lasso.coef_, rtol=0, atol=1e-8 * max(1, np.abs(lasso.coef_).max()))
        assert_allclose(
            intercept, lasso.intercept_, rtol=0, atol=1e-8 * max(1, abs(lasso.intercept_))
        )


def test_prior_centre_path(diabetes):
    centre = np.random.default_rng(3).normal(0, 50, 10)
    alphas = alpha_grid(diabetes, "laplace", mu=centre, n_alphas=20)
    path = map_path(diabetes.X, diabetes.y, "laplace", alphas=alphas, noise_sigma=54.0, mu=centre)
    comparison = compare_paths(path, sklearn_path(diabetes, "laplace", alphas, mu=centre))
    assert comparison.passed
    np.testing.assert_array_equal(path.coefs[0], centre)  # alpha_max: everything at the centre


def test_paths_must_share_the_grid(diabetes):
    a = map_path(diabetes.X, diabetes.y, "normal", n_alphas=5, noise_sigma=54.0)
    b = sklearn_path(diabetes, "normal", a.alphas[::-1])
    with pytest.raises(ValueError, match="same alpha grid"):
        compare_paths(a, b)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"family": "ridge"},
            r"prior family must be one of \['normal', 'laplace', 'elasticnet'\] for a gaussian "
            r"likelihood; got 'ridge'",
        ),
        ({"n_alphas": 1}, r"n_alphas must be an integer >= 2; got 1"),
        ({"eps": 2.0}, r"eps must be in \(0, 1\); got 2.0"),
        (
            {"alphas": [1.0, -1.0]},
            r"alphas must be a non-empty 1-D array of positive finite numbers",
        ),
    ],
)
def test_bad_path_input(diabetes, kwargs, match):
    arguments = {"family": "laplace", "noise_sigma": 54.0, **kwargs}
    with pytest.raises(ValueError, match=match):
        map_path(diabetes.X, diabetes.y, **arguments)


@pytest.mark.slow
def test_posterior_path_reuses_one_compiled_sampler(diabetes):
    alphas = alpha_grid(diabetes, "laplace", n_alphas=10)
    path, model = path_for_data(diabetes, "laplace", Gaussian(54.0), alphas)
    frame = posterior_path(model, alphas[[2, 6]], draws=300, tune=300)
    assert model.compiled_keys == ("map_objective", "nutpie")  # one MAP objective, one nutpie model
    assert frame.shape[0] == 2 * 10
    # The Laplace posterior mean is not sparse, even where the MAP is exactly zero.
    at_zero = path.coefs[2] == 0
    means = frame[frame["alpha"] == alphas[2]]["mean"].to_numpy()
    assert at_zero.any() and np.all(means[at_zero] != 0)
    assert (frame["hdi_low"] < frame["hdi_high"]).all()
