"""The sufficient-statistics likelihood: same log density, same MAP and posterior, from Dask too."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from conftest import make_sparse_problem
from regprior import Laplace, Normal
from regprior.backend.model import build_model, choose_form
from regprior.inference import exact_gaussian_posterior, map_estimate, nuts_posterior
from regprior.spec.likelihoods import Gaussian, estimate_noise_sigma
from regprior.spec.statistics import SufficientStatistics


@pytest.mark.parametrize(
    "prior", [Normal(mu=0.3, sigma=2.0), Laplace(mu=0.3, scale=2.0)], ids=["normal", "laplace"]
)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_log_density_equals_the_raw_model(weighted, prior, fit_intercept):
    raw = build_model(weighted, prior, Gaussian(1.3), fit_intercept=fit_intercept, form="raw")
    sufficient = build_model(
        weighted, prior, Gaussian(1.3), fit_intercept=fit_intercept, form="sufficient"
    )
    raw_logp = raw.pymc_model.compile_logp(jacobian=False)
    sufficient_logp = sufficient.pymc_model.compile_logp(jacobian=False)
    rng = np.random.default_rng(1)
    for _ in range(10):
        point = {"beta": rng.normal(0, 3, weighted.n_features)}
        if fit_intercept:
            point["centred_intercept"] = rng.normal(0, 2)
        # Equal including constants; ~120 terms of size ~10 summed two ways: 1e-11 relative.
        assert_allclose(sufficient_logp(point), raw_logp(point), rtol=1e-11)
    assert sufficient.form == "sufficient" and raw.form == "raw"


def test_auto_form():
    large = make_sparse_problem(6_000, 5, seed=3)
    assert choose_form(large, "auto") == "sufficient"
    # Mutable data keeps the statistics as pm.Data: set_data swaps a new data set's in.
    assert choose_form(large, "auto", mutable_data=True) == "sufficient"
    assert choose_form(make_sparse_problem(200, 5, seed=3), "auto") == "raw"
    with pytest.raises(
        ValueError, match=r"form must be one of \('auto', 'raw', 'sufficient'\); got 'fast'"
    ):
        choose_form(large, "fast")


@pytest.mark.parametrize("family", ["normal", "laplace"])
def test_map_and_exact_posterior_are_the_same(weighted, family):
    prior = Normal(sigma=0.3) if family == "normal" else Laplace(scale=0.05)
    raw = build_model(weighted, prior, Gaussian(1.0), form="raw")
    sufficient = build_model(weighted, prior, Gaussian(1.0), form="sufficient")
    a, b = map_estimate(raw), map_estimate(sufficient)
    assert_allclose(b.coef, a.coef, rtol=0, atol=1e-10 * np.abs(a.coef).max())
    np.testing.assert_array_equal(a.coef == 0, b.coef == 0)
    assert_allclose(b.intercept, a.intercept, rtol=1e-12)
    if family == "normal":
        assert_allclose(
            exact_gaussian_posterior(sufficient).cov, exact_gaussian_posterior(raw).cov, rtol=1e-12
        )


def test_noise_sigma_from_statistics(weighted):
    stats = SufficientStatistics.from_data(weighted)
    # Normal equations vs lstsq on a well-conditioned problem: 1e-10 relative.
    assert_allclose(estimate_noise_sigma(stats), estimate_noise_sigma(weighted), rtol=1e-10)


@pytest.mark.slow
def test_nuts_on_statistics_matches_the_exact_posterior():
    data = make_sparse_problem(20_000, 8, seed=5, weighted=True)
    model = build_model(data, Normal(sigma=1.0), Gaussian(1.0))
    assert model.form == "sufficient"
    posterior = nuts_posterior(model, draws=1000, tune=1000, random_seed=2)
    exact = exact_gaussian_posterior(model)
    summary = posterior.summary.loc[list(data.feature_names)]
    assert posterior.divergences == 0 and posterior.r_hat_max <= 1.01
    assert np.all(np.abs(summary["mean"] - exact.mean) <= 4 * summary["mcse_mean"])
    assert_allclose(summary["sd"], exact.sd, rtol=0.10)
    assert not posterior.datatree.observed_data.data_vars  # no observed variable in this form


def test_dask_statistics_on_a_local_cluster(weighted):
    """Chunked reduction on a LocalCluster equals the in-memory statistics."""
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    X = da.from_array(weighted.X, chunks=(25, weighted.n_features))
    y = da.from_array(weighted.y, chunks=25)
    w = da.from_array(weighted.sample_weight, chunks=25)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        stats = SufficientStatistics.from_dask(X, y, w)
    reference = SufficientStatistics.from_data(weighted)
    # Chunked sums vs one sum: rounding only, ~1e-13 relative.
    for name in ("xtx", "xty", "yty", "x_mean", "y_mean", "weight_sum", "log_weight_sum"):
        assert_allclose(
            getattr(stats, name), getattr(reference, name), rtol=1e-12, atol=1e-12, err_msg=name
        )
    assert stats.n_samples == weighted.n_samples
    a = map_estimate(build_model(stats, Laplace(scale=0.05), Gaussian(1.0)))
    b = map_estimate(build_model(weighted, Laplace(scale=0.05), Gaussian(1.0), form="raw"))
    assert_allclose(a.coef, b.coef, rtol=0, atol=1e-9 * np.abs(b.coef).max())


def test_statistics_from_a_folder_of_csv_files(tmp_path, weighted):
    import pandas as pd

    frame = pd.DataFrame(weighted.X, columns=list(weighted.feature_names)).assign(
        w=weighted.sample_weight, target=weighted.y
    )
    for part, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        chunk = frame.iloc[rows]
        chunk.to_csv(tmp_path / f"part{part}.csv", index=False)
    stats = SufficientStatistics.from_files(str(tmp_path / "*.csv"), target="target", weights="w")
    assert_allclose(stats.xtx, SufficientStatistics.from_data(weighted).xtx, rtol=1e-12)
    assert stats.feature_names == weighted.feature_names
    with pytest.raises(ValueError, match="target column 'y' is not in"):
        SufficientStatistics.from_files(str(tmp_path / "*.csv"), target="y")


def test_dask_input_is_checked():
    import dask.array as da

    X = da.from_array(np.array([[1.0, np.nan], [2.0, 3.0]]), chunks=(1, 2))
    with pytest.raises(ValueError, match=r"the data contain 1 NaN or infinite value"):
        SufficientStatistics.from_dask(X, da.ones(2, chunks=1))
    with pytest.raises(ValueError, match="sample_weight must be strictly positive"):
        SufficientStatistics.from_dask(
            da.ones((2, 2), chunks=(1, 2)), da.ones(2, chunks=1), da.zeros(2, chunks=1)
        )
    with pytest.raises(ValueError, match=r"form='raw' needs the raw data"):
        stats = SufficientStatistics.from_dask(
            da.ones((3, 1), chunks=(1, 1)) * da.arange(3)[:, None], da.arange(3.0, chunks=1)
        )
        build_model(stats, Normal(), Gaussian(1.0), form="raw")


def test_mutable_sufficient_model_swaps_statistics():
    from sklearn.linear_model import Ridge

    from regprior.backend.model import build_model
    from regprior.inference import map_estimate
    from regprior.spec.data import RegressionData
    from regprior.spec.likelihoods import Gaussian
    from regprior.spec.priors import Normal

    first = make_sparse_problem(6_000, 5, seed=3)
    model = build_model(first, Normal(sigma=0.5), Gaussian(1.0), mutable_data=True)
    assert model.form == "sufficient"
    rng = np.random.default_rng(7)
    weights = rng.uniform(0.5, 2.0, first.n_samples)
    second = RegressionData(first.X[::-1] * 1.5, first.y + 1.0, weights)
    model.set_data(second)
    result = map_estimate(model)
    ridge = Ridge(alpha=1.0 / 0.5**2, solver="cholesky").fit(
        second.X, second.y, sample_weight=weights
    )
    # The swapped statistics give the new data's Ridge; 1e-10: two exact solvers of a
    # well-conditioned system (cond ~ 10).
    np.testing.assert_allclose(result.coef, ridge.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(result.intercept, ridge.intercept_, rtol=1e-10)
