"""The posterior summary without ArviZ equals the summary ArviZ computed (issue 23, part a).

``_summarise`` used to call ``az.mcse``, ``az.ess``, ``az.rhat`` and ``az.hdi``; it now computes
them in NumPy (regprior.inference.diagnostics). The old route is kept here, verbatim, as the
reference: same DataFrame within a relative 1e-12 (bit for bit on C-ordered draws), on Gibbs
draws at a fixed seed and on hand-made edge cases (one chain, an odd number of draws, a constant
quantity, NaN draws, three draws, a Fortran-ordered array, ties).
"""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import regprior as rp
from conftest import DIABETES_NOISE_SIGMA
from regprior.backend.names import WEIGHTS
from regprior.inference import diagnostics
from regprior.inference.nuts import HDI_PROB, _summarise


def arviz_summary(datatree, var_names, feature_names) -> pd.DataFrame:
    """The summary as regprior computed it with ArviZ before (nuts._summarise, c29bbc2)."""
    import arviz as az

    posterior = datatree.posterior
    stats = {
        "mean": posterior.mean(("chain", "draw")),
        "median": posterior.median(("chain", "draw")),
        "sd": posterior.std(("chain", "draw"), ddof=1),
        "mcse_mean": az.mcse(datatree, var_names=var_names, method="mean"),
        "mcse_sd": az.mcse(datatree, var_names=var_names, method="sd"),
        "ess_bulk": az.ess(datatree, var_names=var_names, method="bulk"),
        "ess_tail": az.ess(datatree, var_names=var_names, method="tail"),
        "r_hat": az.rhat(datatree, var_names=var_names),
    }
    hdi = az.hdi(datatree, prob=HDI_PROB, var_names=var_names)
    rows = {}
    for column, values in stats.items():
        values = getattr(values, "dataset", values)
        rows[column] = np.concatenate(
            [np.atleast_1d(np.asarray(values[name])) for name in var_names]
        )
    hdi = getattr(hdi, "dataset", hdi)
    bounds = np.concatenate([np.atleast_2d(np.asarray(hdi[name])) for name in var_names])
    rows["hdi_low"], rows["hdi_high"] = bounds[:, 0], bounds[:, 1]
    index = []
    for name in var_names:
        index += list(feature_names) if name == WEIGHTS else [name]
    columns = [
        "mean",
        "median",
        "sd",
        "hdi_low",
        "hdi_high",
        "mcse_mean",
        "mcse_sd",
        "ess_bulk",
        "ess_tail",
        "r_hat",
    ]
    return pd.DataFrame(rows, index=pd.Index(index, name="coefficient"))[columns]


def assert_same_summary(datatree, var_names, feature_names):
    new = _summarise(datatree, var_names, feature_names)
    old = arviz_summary(datatree, var_names, feature_names)
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12, atol=0.0)
    return new


@pytest.mark.parametrize(
    "spec, noise_sigma, settings",
    [
        (rp.Laplace(scale=66.0), DIABETES_NOISE_SIGMA, {}),
        (rp.BayesianLasso(lam=None), None, {"chains": 3, "draws": 501, "tune": 200}),
    ],
    ids=["laplace_known_sigma", "park_casella_learnt_odd_draws"],
)
def test_summary_of_gibbs_draws_equals_arviz(spec, noise_sigma, settings, diabetes):
    result = rp.sample_posterior(
        diabetes.X, diabetes.y, spec, noise_sigma=noise_sigma, engine="gibbs", **settings
    )
    var_names = list(result.datatree.posterior.data_vars)
    assert var_names[:2] == [WEIGHTS, "intercept"]
    features = list(result.datatree.posterior["feature"].to_numpy())
    summary = assert_same_summary(result.datatree, var_names, features)
    pd.testing.assert_frame_equal(summary, result.summary)


def posterior_tree(beta, intercept):
    chains, draws, p = beta.shape
    posterior = xr.Dataset(
        {
            WEIGHTS: (("chain", "draw", "feature"), beta),
            "intercept": (("chain", "draw"), intercept),
        },
        coords={"chain": np.arange(chains), "draw": np.arange(draws), "feature": np.arange(p)},
    )
    return xr.DataTree.from_dict({"posterior": posterior})


@pytest.mark.parametrize(
    "case", ["one_chain", "constant", "nan", "three_draws", "fortran_order", "ties"]
)
def test_summary_edge_cases_equal_arviz(case):
    rng = np.random.default_rng(4)
    chains, draws = (1, 200) if case == "one_chain" else (4, 3 if case == "three_draws" else 301)
    # An autocorrelated chain (AR(1), 0.8): a Geyer sequence longer than a few lags.
    beta = np.empty((chains, draws, 3))
    beta[:, 0] = rng.standard_normal((chains, 3))
    for t in range(1, draws):
        beta[:, t] = 0.8 * beta[:, t - 1] + rng.standard_normal((chains, 3))
    intercept = rng.standard_normal((chains, draws))
    if case == "constant":
        beta[..., 1] = 2.5
    elif case == "nan":
        beta[2, 7, 0] = np.nan
    elif case == "fortran_order":
        beta = np.asfortranarray(beta)
    elif case == "ties":
        beta = np.round(beta, 1)  # many tied ranks
    summary = assert_same_summary(
        posterior_tree(beta, intercept), [WEIGHTS, "intercept"], ["a", "b", "c"]
    )
    if case == "one_chain":
        assert summary["r_hat"].isna().all()
    if case == "constant":
        assert summary.loc["b", "ess_bulk"] == chains * 2 * (draws // 2)  # split, middle dropped


@pytest.mark.parametrize("chunk", [256, 3])
def test_all_quantities_at_once_equal_one_by_one_bit_for_bit(chunk, monkeypatch):
    """summary_statistics (stacks of quantities, 7 in one chunk or in chunks of 3) against the
    one-quantity functions."""
    monkeypatch.setattr(diagnostics, "CHUNK", chunk)
    rng = np.random.default_rng(6)
    draws = rng.standard_normal((4, 400, 7))
    draws[:, 1:] += 0.6 * draws[:, :-1]
    draws[..., 3] = np.round(draws[..., 3], 1)  # ties
    draws[..., 4] = -1.5  # constant
    draws[1, 5, 5] = np.nan
    quantities = [draws[..., j] for j in range(7)]
    stacked = diagnostics.summary_statistics(quantities, HDI_PROB)
    one_by_one = {
        "mcse_mean": diagnostics.mcse_mean,
        "mcse_sd": diagnostics.mcse_sd,
        "ess_bulk": diagnostics.ess_bulk,
        "ess_tail": diagnostics.ess_tail,
        "r_hat": diagnostics.rhat_rank,
    }
    for name, function in one_by_one.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = [function(q) for q in quantities]
        np.testing.assert_array_equal(stacked[name], expected, err_msg=name)
    bounds = np.array([diagnostics.hdi_nearest(q, HDI_PROB) for q in quantities])
    np.testing.assert_array_equal(stacked["hdi_low"], bounds[:, 0])
    np.testing.assert_array_equal(stacked["hdi_high"], bounds[:, 1])


def test_a_gibbs_posterior_imports_neither_arviz_nor_pymc():
    """The Gibbs route loads no ArviZ (matplotlib with it), PyMC, PyTensor, nutpie or numba."""
    script = (
        "import sys, regprior as rp\n"
        "data = rp.load_diabetes()\n"
        "rp.sample_posterior(data.X, data.y, rp.Laplace(scale=66.0), noise_sigma=54.0,\n"
        "                    engine='gibbs', draws=20, tune=20)\n"
        "heavy = ['arviz', 'arviz_base', 'arviz_stats', 'arviz_plots', 'matplotlib', 'pymc',\n"
        "         'pytensor', 'nutpie', 'numba']\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
