"""``regprior compare --sparse``: a sparse prior without a twin beside the Lasso (issue 22)."""

import io
import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Lasso

import regprior as rp
from regprior.cli import main

SETTINGS = ["--draws", "1000", "--tune", "500", "--chains", "2", "--jobs", "1"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("sparse")
    status = main(
        [
            "compare",
            "--prior",
            "laplace",
            "--alpha",
            "cv,1se",
            "--sparse",
            "horseshoe",
            "--engine",
            "auto",
            "--quiet",
            "--out",
            str(out),
            *SETTINGS,
        ]
    )
    return status, out, json.loads((out / "comparison.json").read_text())


def test_sparse_prior_is_reported_beside_the_lasso_without_a_verdict(run):
    status, out, document = run
    # The verdicts are the twins'; the horseshoe has none and does not change the exit status.
    assert status == 0
    assert [c["model"] for c in document["comparisons"]] == ["lasso", "lasso_1se"]
    [sparse] = document["sparse"]
    assert sparse["name"] == "horseshoe" and sparse["spec"].startswith("Horseshoe(")
    rows = {row["coefficient"]: row for row in sparse["coefficients"]}
    assert list(rows) == list(load_diabetes(as_frame=True).data.columns)
    # The Lasso columns are the twins' sklearn fits, exact zeros included.
    for model in ("lasso", "lasso_1se"):
        [record] = [c for c in document["comparisons"] if c["model"] == model]
        sklearn = {c["feature"]: c["sklearn"] for c in record["coefficients"]}
        assert [rows[f][model] for f in rows] == [sklearn[f] for f in rows]
        assert sparse["lasso_support"][model] == sum(v != 0 for v in sklearn.values())
    # and the 1-SE fit is sklearn's Lasso refitted at its alpha (1e-8: both solve to 1e-12 tol).
    [one_se] = [c for c in document["comparisons"] if c["model"] == "lasso_1se"]
    diabetes = load_diabetes()
    refit = Lasso(alpha=one_se["mapping"]["alpha"], tol=1e-12, max_iter=100_000)
    refit.fit(diabetes.data, diabetes.target)
    assert_allclose([rows[f]["lasso_1se"] for f in rows], refit.coef_, atol=1e-8)


def test_sparse_summaries_are_those_of_the_written_draws(run):
    _, out, document = run
    [sparse] = document["sparse"]
    tree = xr.open_datatree(out / "posterior_horseshoe.nc")
    kappa = tree.posterior["kappa"].transpose("chain", "draw", "feature").values
    kappa = kappa.reshape(-1, kappa.shape[-1])
    rows = sparse["coefficients"]
    # Quantiles of the very draws written (no Monte Carlo tolerance: the same numbers).
    assert_allclose([r["kappa"] for r in rows], np.median(kappa, axis=0), rtol=1e-12)
    assert_allclose([r["kappa_high"] for r in rows], np.quantile(kappa, 0.97, axis=0), rtol=1e-12)
    assert [r["kept"] for r in rows] == list(np.median(kappa, axis=0) < 0.5)
    beta = tree.posterior["beta"].transpose("chain", "draw", "feature").values
    assert_allclose([r["median"] for r in rows], np.median(beta.reshape(-1, 10), axis=0))
    m_eff = tree.posterior["m_eff"].values.ravel()
    assert_allclose(sparse["m_eff"]["median"], np.median(m_eff), rtol=1e-12)
    assert_allclose(m_eff, np.sum(1 - kappa, axis=1).reshape(m_eff.shape), rtol=1e-10)
    # Diagnostics and flags as every other table's.
    diagnostics = sparse["diagnostics"]
    from regprior.inference.engines import choose_engine

    expected = choose_engine("auto", rp.Horseshoe()).engine  # --engine auto: Gibbs where it can
    assert diagnostics["engine"] == expected and diagnostics["chains"] == 2
    assert diagnostics["healthy"] == (not diagnostics["problems"])
    for r in rows:
        assert ("ESS" in r["flags"]) == (r["ess_bulk"] < 400)
        assert ("r_hat" in r["flags"]) == (r["r_hat"] > 1.01)


def test_sparse_prior_is_compared_by_loo_beside_the_twins(run):
    import arviz as az
    from scipy.stats import norm

    _, out, document = run
    [sparse] = document["sparse"]
    loo = {row["model"]: row for row in sparse["loo"]}
    assert sorted(loo) == ["horseshoe", "lasso", "lasso_1se"]
    # The horseshoe's elpd_loo from its written draws, the log likelihood by scipy (1e-9: the
    # same draws and PSIS; only summation order differs).
    tree = xr.open_datatree(out / "posterior_horseshoe.nc")
    diabetes = load_diabetes()
    post = tree.posterior
    mean = post["intercept"].values[..., None] + np.einsum(
        "cdf,nf->cdn", post["beta"].transpose("chain", "draw", "feature").values, diabetes.data
    )
    pointwise = norm.logpdf(diabetes.target, mean, post["sigma"].values[..., None])
    tree["log_likelihood"] = xr.Dataset({"y": (("chain", "draw", "y_dim_0"), pointwise)})
    assert_allclose(loo["horseshoe"]["elpd_loo"], float(az.loo(tree).elpd), rtol=1e-9)


def test_sparse_section_in_every_output(run):
    _, out, _ = run
    html = (out / "report.html").read_text()
    assert "horseshoe: a sparse prior without a penalty twin" in html
    assert 'alt="kappa of horseshoe' in html
    assert (out / "shrinkage_horseshoe.png").stat().st_size > 10_000
    markdown = (out / "comparison.md").read_text()
    assert "no posterior mode: no sklearn twin, no verdict" in markdown
    assert "Beside the twins' posteriors by PSIS-LOO" in markdown
    assert "prediction is what can be compared" in html
    header = (out / "sparse_horseshoe.csv").read_text().splitlines()[0]
    assert header.startswith("coefficient,lasso,lasso_1se,median,hdi_low,hdi_high,kappa")


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--sparse", "ridge"], "--sparse must be one of"),
        (["--sparse", "horseshoe", "--no-sample"], "is a posterior only: drop --no-sample"),
        (["--sparse", "horseshoe", "--likelihood", "bernoulli"], "has a gaussian likelihood"),
    ],
)
def test_bad_sparse_flags_exit_2_before_any_work(flags, message, capsys):
    status = main(["compare", "--prior", "laplace", "--alpha", "0.2", *flags])
    assert status == 2
    assert message in capsys.readouterr().err


def test_forest_draws_the_sparse_posterior_beside_the_twins_without_estimates():
    from regprior.report.plots import plot_forest_comparison

    frame = load_diabetes(as_frame=True)
    settings = {"engine": "gibbs", "draws": 200, "tune": 100}
    lasso = rp.compare(
        frame.data, frame.target, rp.Laplace(scale=35.5), noise_sigma=54.0, **settings
    )
    beside = rp.sample_posterior(frame.data, frame.target, rp.BayesianLasso(lam=0.237), **settings)
    plot = plot_forest_comparison({"lasso": lasso}, beside={"bl": beside}, backend="none")
    intervals = plot.viz["twig"]["beta"]
    assert list(intervals.coords["model"].values) == ["lasso", "bl"]
    assert intervals.sizes["feature"] == 10  # the same features, not an outer join of two names
    drawn = plot.viz["map_estimate"]["beta"]
    for j, feature in enumerate(frame.data.columns):
        assert drawn.sel(model="bl", feature=feature).item() is None  # no MAP marker
        x = np.ravel(drawn.sel(model="lasso", feature=feature).item()["x"])[0]
        assert x == lasso.map_result.coef[j]


def test_a_dataframe_names_the_features_by_its_columns():

    frame = load_diabetes(as_frame=True)
    result = rp.sample_posterior(
        frame.data,
        frame.target,
        rp.Laplace(scale=35.5),
        noise_sigma=54.0,
        engine="gibbs",
        draws=20,
        tune=20,
    )
    assert list(result.summary.index[:10]) == list(frame.data.columns)


def test_prior_horseshoe_in_compare_is_the_seed_families_with_the_horseshoe_beside(capsys):
    from regprior.cli import compare as command

    args = _parse(["compare", "--prior", "horseshoe", "--alpha", "0.2", "--noise-sigma", "54"])
    job = command.prepare(args)
    runs = job.runs
    assert list(runs) == ["ridge", "lasso", "horseshoe"]
    assert isinstance(runs["horseshoe"], command.SparseRun)
    assert runs["horseshoe"].spec.kind == "horseshoe"


@pytest.mark.slow
def test_prior_horseshoe_in_loo_sets_it_beside_the_seed_families(tmp_path, capsys):
    status = main(
        [
            "loo",
            "--prior",
            "horseshoe",
            "--no-cv",
            "--draws",
            "300",
            "--tune",
            "300",
            "--chains",
            "2",
            "--format",
            "csv",
        ]
    )
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    # 1 exactly when a row is flagged (2 x 300 draws may leave a Pareto k or an ESS short).
    assert status == int(table["flags"].fillna("").astype(bool).any())
    assert sorted(table["model"]) == [
        "horseshoe",
        "laplace at the CV alpha",
        "normal at the CV alpha",
    ]
    assert np.isfinite(table["elpd_loo"]).all()


def _parse(argv):
    from regprior.cli._main import build_parser

    return build_parser().parse_args(argv)


@pytest.mark.slow
def test_loo_of_a_nuts_posterior_from_its_draws_equals_pymcs():
    """A NUTS posterior of the sufficient-statistics form has no observed variable: its log
    likelihood from the draws (SampledData) equals PyMC's on the raw model (1e-12: one formula)."""
    from regprior.checks.loo import SampledData, with_log_likelihood
    from regprior.spec.data import RegressionData

    frame = load_diabetes(as_frame=True)
    comparison = rp.compare(
        frame.data, frame.target, rp.Laplace(scale=35.5), noise_sigma=54.0, draws=100, tune=100
    )
    raw = rp.make_model(
        frame.data, frame.target, rp.Laplace(scale=35.5), noise_sigma=54.0, form="raw"
    )
    data = RegressionData(frame.data, frame.target)
    drawn = with_log_likelihood(SampledData(data), comparison.posterior)["log_likelihood"]["y"]
    pymc = with_log_likelihood(raw, comparison.posterior)["log_likelihood"]["y"]
    assert_allclose(drawn.values, pymc.values, rtol=1e-12)
