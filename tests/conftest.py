"""Shared data sets: the bundled diabetes data and seeded synthetic problems whose settings vary."""

import numpy as np
import pytest

from regprior.spec.data import RegressionData, load_diabetes

#: A fixed noise sigma for the exact correspondences (the maps hold for known sigma).
DIABETES_NOISE_SIGMA = 54.0


def make_sparse_problem(n_samples, n_features, *, seed, n_informative=5, weighted=False, noise=1.0):
    """Correlated Gaussian features, a sparse truth,
    Gaussian noise; weights in [0.5, 2] if asked."""
    rng = np.random.default_rng(seed)
    correlation = 0.5 ** np.abs(np.subtract.outer(np.arange(n_features), np.arange(n_features)))
    X = rng.multivariate_normal(np.zeros(n_features), correlation, size=n_samples) + 0.3
    coef = np.zeros(n_features)
    coef[rng.choice(n_features, n_informative, replace=False)] = rng.normal(0, 3, n_informative)
    weights = rng.uniform(0.5, 2.0, n_samples) if weighted else None
    scale = noise / np.sqrt(weights) if weighted else noise
    y = 2.0 + X @ coef + rng.normal(0, 1, n_samples) * scale
    return RegressionData(X, y, weights, name=f"synthetic_{n_samples}x{n_features}")


@pytest.fixture(scope="session")
def diabetes():
    return load_diabetes()


@pytest.fixture(scope="session")
def wide():
    """p > n: 40 samples, 80 features."""
    return make_sparse_problem(40, 80, seed=1)


@pytest.fixture(scope="session")
def weighted():
    """Sample weights in [0.5, 2]: Ridge and Lasso treat them differently (N = sum w)."""
    return make_sparse_problem(120, 12, seed=2, weighted=True)


def prior_at(family, *, noise_sigma, weight_sum, alpha, mu=0.0, **fixed):
    """The prior of ``family`` whose MAP is sklearn's solution at ``alpha``
    (Gaussian likelihood)."""
    from regprior import registry
    from regprior.spec.likelihoods import Gaussian

    return registry.prior_from_sklearn_strength(
        family, {"alpha": alpha, **fixed}, Gaussian(noise_sigma), weight_sum, mu=mu
    )
