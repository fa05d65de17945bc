"""The posterior engine (``engine="nuts"|"gibbs"|"auto"``) through LOO, the estimators, selection
and the CLI: the Gibbs log likelihood, the engine named in every output, refusals before sampling.

Most tests sample by Gibbs (NumPy, nothing compiled) with few draws; those that run NUTS are
marked slow.
"""

import json
import re

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import xarray as xr
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

import regprior as rp
from regprior.checks.loo import SampledData, gaussian_log_likelihood, with_log_likelihood
from regprior.cli import main
from regprior.inference.engines import EngineChoice, choose_engine
from regprior.spec.data import RegressionData
from regprior.spec.statistics import SufficientStatistics

SIGMA = 54.0  # diabetes' known noise sigma in these tests (the maps hold for known sigma)
FEW = {"draws": 200, "tune": 100, "chains": 2}


@pytest.fixture
def no_sampling(monkeypatch):
    """Every sampler raises: a test using it shows an error comes before anything is sampled."""
    import regprior.inference.gibbs as gibbs
    import regprior.inference.nuts as nuts

    def refuse(*args, **kwargs):
        raise AssertionError("sampled before the input was refused")

    monkeypatch.setattr(gibbs, "gibbs_posterior", refuse)
    monkeypatch.setattr(nuts, "sample_nuts", refuse)
    monkeypatch.setattr("regprior.estimators.sample_nuts", refuse)
    monkeypatch.setattr("regprior.api.sample_nuts", refuse)


def lasso_prior(alpha, n=442):
    return rp.Laplace(scale=rp.laplace_scale_from_lasso_alpha(alpha, SIGMA, n))


# -- the pointwise log likelihood of Gibbs draws -------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "fit_intercept"),
    [
        (rp.Laplace(scale=5.0), True),
        (rp.Laplace(scale=5.0), False),
        (rp.BayesianLasso(lam=0.237), True),
        (rp.LearnedScale(), True),
    ],
    ids=["known sigma", "no intercept", "sigma2 drawn", "sigma drawn"],
)
def test_gibbs_log_likelihood_is_the_gaussian_density_of_each_draw(spec, fit_intercept, diabetes):
    rng = np.random.default_rng(0)
    weights = rng.uniform(0.5, 2.0, diabetes.n_samples)
    if not getattr(spec, "supports_weights", True):  # Park & Casella: unweighted data only
        weights = None
    noise = SIGMA if isinstance(spec, rp.Laplace) else None
    result = rp.sample_posterior(
        diabetes.X,
        diabetes.y,
        spec,
        noise_sigma=noise,
        sample_weight=weights,
        engine="gibbs",
        fit_intercept=fit_intercept,
        **FEW,
    )
    data = RegressionData(diabetes.X, diabetes.y, weights)
    tree = with_log_likelihood(SampledData(data), result)
    values = tree["log_likelihood"]["y"]
    assert values.dims == ("chain", "draw", "y_dim_0")  # PyMC's names for a NUTS posterior
    post = result.datatree.posterior
    if "sigma" in post:
        sigma = post["sigma"].to_numpy()
    elif "sigma2" in post:
        sigma = np.sqrt(post["sigma2"].to_numpy())
    else:
        sigma = np.full((FEW["chains"], FEW["draws"]), SIGMA)
    mean = post["beta"].to_numpy() @ diabetes.X.T
    assert ("intercept" in post) == fit_intercept
    if fit_intercept:
        mean += post["intercept"].to_numpy()[..., None]
    w = np.ones(diabetes.n_samples) if weights is None else weights
    expected = scipy.stats.norm.logpdf(diabetes.y, mean, sigma[..., None] / np.sqrt(w))
    # The same formula in another order of operations: last-bit rounding only.
    assert_allclose(values.to_numpy(), expected, rtol=1e-12, atol=0)


def test_gibbs_log_likelihood_needs_the_rows_and_a_noise(diabetes):
    result = rp.sample_posterior(diabetes.X, diabetes.y, rp.Normal(sigma=100.0), noise_sigma=SIGMA,
                                 engine="gibbs", **FEW)  # fmt: skip
    statistics = SufficientStatistics.from_data(RegressionData(diabetes.X, diabetes.y))
    with pytest.raises(ValueError, match="the data must be the rows"):
        gaussian_log_likelihood(result.datatree, statistics)
    tree = result.datatree.copy()
    del tree["constant_data"]
    with pytest.raises(ValueError, match="holds no noise sigma"):
        gaussian_log_likelihood(tree, RegressionData(diabetes.X, diabetes.y))


# -- compare_loo -----------------------------------------------------------------------------------
def test_compare_loo_by_gibbs_names_the_engine_and_reads_arviz(diabetes):
    models = {"laplace": lasso_prior(1.0), "lasso_bayes": rp.BayesianLasso(lam=0.237)}
    comparison = rp.compare_loo(diabetes.X, diabetes.y, models, noise_sigma=SIGMA, engine="gibbs",
                                **FEW)  # fmt: skip
    table = comparison.table
    assert list(table["engine"]) == ["gibbs", "gibbs"]
    assert list(table["engine_note"]) == ["", ""]
    import arviz as az

    data = RegressionData(diabetes.X, diabetes.y)
    for name in models:
        posterior = comparison.posteriors[name]
        assert posterior.engine == "gibbs"
        loo = az.loo(with_log_likelihood(SampledData(data), posterior))
        assert table.loc[name, "elpd_loo"] == float(loo.elpd)  # the table is ArviZ's figure


def test_frequency_weights_of_one_are_ordinary_loo_under_gibbs(diabetes):
    """Weights that are all 1 count one observation per row: leaving a row out (``"row"``) and
    leaving one observation out (``"frequency"``, one column per counted observation) are the
    same computation on the same draws."""
    ones = np.ones(diabetes.n_samples)
    models = {"normal": rp.Normal(sigma=100.0), "laplace": lasso_prior(1.0)}
    tables = {
        unit: rp.compare_loo(
            diabetes.X,
            diabetes.y,
            models,
            noise_sigma=SIGMA,
            sample_weight=ones,
            weights=unit,
            engine="gibbs",
            **FEW,
        ).table  # fmt: skip
        for unit in ("row", "frequency")
    }
    assert set(tables["frequency"]["loo_unit"]) == {"observation (frequency weights)"}
    # Same draws and the same log densities (weight 1): equal up to summation order.
    assert_allclose(tables["frequency"]["elpd_loo"], tables["row"]["elpd_loo"], rtol=1e-12)


def test_compare_loo_refuses_before_sampling(diabetes, no_sampling):
    X, y = diabetes.X, diabetes.y
    models = {"laplace": rp.Laplace(scale=5.0), "elastic": rp.ElasticNetPrior(scale=5.0)}
    with pytest.raises(ValueError, match=r"engine must be one of \('nuts', 'gibbs', 'auto'\)"):
        rp.compare_loo(X, y, models, noise_sigma=SIGMA, engine="Gibbs")
    with pytest.raises(ValueError, match=r"models\['elastic'\]: engine='gibbs': no Gibbs .*gamma"):
        rp.compare_loo(X, y, models, noise_sigma=SIGMA, engine="gibbs")
    counts = (y > np.median(y)).astype(float)
    with pytest.raises(
        ValueError,
        match=r"models\[.laplace.\]: .*poisson likelihood .the Gibbs engine needs the Gaussian",
    ):
        rp.compare_loo(X, counts, models, likelihood=rp.Poisson(), engine="gibbs")


def test_auto_takes_gibbs_where_it_can_and_says_why_not_elsewhere():
    gaussian = rp.Gaussian(SIGMA)
    assert choose_engine("auto", rp.Laplace(), gaussian) == choose_engine("gibbs", rp.Laplace(),
                                                                          gaussian)  # fmt: skip
    assert choose_engine("auto", rp.Laplace(), gaussian).engine == "gibbs"
    assert choose_engine("auto", rp.LearnedScale()).note == ""
    fallback = choose_engine("auto", rp.ElasticNetPrior(), gaussian)
    assert fallback.engine == "nuts"
    assert fallback.note.startswith("auto: NUTS (no Gibbs sampler for the elasticnet prior")
    assert "poisson" in choose_engine("auto", rp.Laplace(), rp.Poisson()).note
    for prior in (rp.Normal(), rp.Laplace(), rp.GeneralizedDoublePareto()):  # Polya-Gamma
        assert choose_engine("auto", prior, rp.Bernoulli()) == EngineChoice("gibbs")
    assert choose_engine("auto", rp.ElasticNetPrior(), rp.Bernoulli()).engine == "nuts"
    assert choose_engine("auto", rp.R2D2()).engine == "gibbs"  # R2D2Scales
    assert choose_engine("auto", rp.RegularizedHorseshoe()).engine == "gibbs"  # RHS scales
    assert choose_engine("auto", rp.Horseshoe()).engine == "gibbs"  # Makalic & Schmidt
    assert choose_engine("nuts", rp.ElasticNetPrior(), gaussian).engine == "nuts"


def test_terminal_loo_table_names_the_engine_and_why_nuts():
    from regprior.report.terminal import make_console, print_loo

    table = pd.DataFrame(
        {
            "elpd_loo": [-10.0, -12.0],
            "engine": ["gibbs", "nuts"],
            "engine_note": ["", "auto: NUTS (no Gibbs sampler for the elasticnet prior)"],
            "flags": ["", ""],
        },
        index=pd.Index(["laplace", "elastic"], name="model"),
    )
    console = make_console(width=100)
    with console.capture() as captured:
        print_loo(table, console)
    text = captured.get()
    assert "engine" in text.splitlines()[0]
    assert "engine elastic: auto: NUTS (no Gibbs sampler for the elasticnet prior)" in text
    assert "engine laplace" not in text  # no note where Gibbs sampled


def mcse_elpd_loo(tree) -> float:
    """Monte Carlo SE of ``elpd_loo``, linearised over the draws (not per observation).

    With ``r_is = 1 / p(y_i | theta_s)``, ``elpd_i = -log E[r_i]``; to first order the error of
    the sum is the error of the mean of ``g_s = -sum_i r_is / E[r_i]``, whose SE is
    ``sd(g) / sqrt(ESS(g))`` with the chains' autocorrelation. The observations' errors are
    correlated (the same draws serve all), so summing per-observation variances understates
    it: measured on diabetes, Laplace at Lasso alpha 1.0, 4 x 1000 Gibbs draws, 0.07 summed
    per observation against 0.29 here and 0.35 between four seeds.
    """
    import arviz as az

    log_lik = tree["log_likelihood"]["y"].transpose("chain", "draw", ...).to_numpy()
    ratios = np.exp(-(log_lik - log_lik.min(axis=(0, 1), keepdims=True)))
    g = -(ratios / ratios.mean(axis=(0, 1), keepdims=True)).sum(axis=-1)
    ess = float(az.ess(xr.Dataset({"g": (("chain", "draw"), g)}), method="mean")["g"])
    return float(g.std(ddof=1) / np.sqrt(ess))


@pytest.mark.slow
def test_gibbs_and_nuts_agree_on_elpd_loo_and_auto_falls_back(diabetes):
    """Same specifications, same data: elpd_loo by Gibbs and by NUTS within 4 combined MCSE.

    Measured (4 x 1000 draws each, seeds 0-3): the Laplace prior at Lasso alpha 1.0 gave
    -2458.03 to -2458.86 by Gibbs (MCSE ~0.29, bulk ESS ~500) and -2458.47 to -2458.59 by NUTS
    (MCSE ~0.16): a tolerance of 4 x 0.33 = 1.3 points, where elpd_loo's own SE is 14.9 and a
    wrong log likelihood (noise sd for variance, a missing intercept) moves it by hundreds.
    """
    X, y = diabetes.X, diabetes.y
    models = {"laplace": lasso_prior(1.0), "normal": rp.Normal(sigma=100.0)}
    runs = {
        engine: rp.compare_loo(X, y, models, noise_sigma=SIGMA, engine=engine)
        for engine in ("gibbs", "nuts")
    }
    rows = RegressionData(X, y)
    for name in models:
        gibbs, nuts = (runs[e].table.loc[name] for e in ("gibbs", "nuts"))
        assert (gibbs["engine"], nuts["engine"]) == ("gibbs", "nuts")
        errors = [
            mcse_elpd_loo(with_log_likelihood(SampledData(rows), runs["gibbs"].posteriors[name])),
            mcse_elpd_loo(_nuts_tree(X, y, models[name], runs["nuts"].posteriors[name])),
        ]
        combined = float(np.hypot(*errors))
        assert combined < 0.6, errors  # the tolerance below stays a few tenths of a point
        assert abs(gibbs["elpd_loo"] - nuts["elpd_loo"]) <= 4 * combined, (name, errors)
        assert abs(gibbs["p_loo"] - nuts["p_loo"]) < 1.0  # ~5 effective parameters each
    auto = rp.compare_loo(
        X, y, {"laplace": models["laplace"], "elastic": rp.ElasticNetPrior(scale=5.0, sigma=50.0)},
        noise_sigma=SIGMA, engine="auto", draws=300, tune=300,
    ).table  # fmt: skip
    assert auto.loc["laplace", "engine"] == "gibbs"
    assert auto.loc["elastic", "engine"] == "nuts"
    assert auto.loc["elastic", "engine_note"].startswith("auto: NUTS (no Gibbs sampler for the "
                                                         "elasticnet prior")  # fmt: skip


def _nuts_tree(X, y, prior, posterior):
    model = rp.make_model(X, y, prior, noise_sigma=SIGMA, form="raw")
    return with_log_likelihood(model, posterior)


# -- the estimators ------------------------------------------------------------------------------
def test_prior_regressor_samples_by_gibbs_as_sample_posterior_does(diabetes):
    estimator = rp.LaplacePriorRegressor(
        alpha=0.5, noise_sigma=SIGMA, inference="posterior", engine="gibbs", **FEW
    )
    assert clone(estimator).get_params()["engine"] == "gibbs"
    assert estimator.set_params(engine="auto").engine == "auto"  # auto takes Gibbs here
    with pytest.warns(UserWarning, match="the Gibbs sampler is unhealthy.*raise tune, draws\\.$"):
        estimator.fit(diabetes.X, diabetes.y)  # 2 x 200 Laplace draws: too few for ESS 400
    direct = rp.sample_posterior(diabetes.X, diabetes.y, estimator.prior_, noise_sigma=SIGMA,
                                 engine="gibbs", **FEW)  # fmt: skip
    assert estimator.diagnostics_["engine"] == "gibbs"
    # The same prior, data and seed: the same draws, bit for bit.
    assert_array_equal(estimator.posterior_.posterior["beta"], direct.datatree.posterior["beta"])
    assert_allclose(estimator.coef_, direct.summary["mean"].to_numpy()[:-1], rtol=1e-12)
    mean, sd = estimator.predict(diabetes.X[:3], return_std=True)
    assert np.all(sd > SIGMA)  # the noise plus the weights' posterior spread


@pytest.mark.filterwarnings("ignore:.*sampler is unhealthy")
def test_multi_target_gibbs_fit_keeps_one_posterior_per_target(diabetes):
    Y = np.column_stack([diabetes.y, diabetes.y[::-1]])
    estimator = rp.NormalPriorRegressor(alpha=1.0, inference="posterior", engine="gibbs", **FEW)
    estimator.fit(diabetes.X, Y)
    assert len(estimator.posterior_) == 2
    assert [fit.diagnostics_["engine"] for fit in estimator.estimators_] == ["gibbs", "gibbs"]


def test_estimators_refuse_an_engine_before_sampling(diabetes, no_sampling):
    import scipy.sparse

    X, y = diabetes.X, diabetes.y
    with pytest.raises(ValueError, match="engine='gibbs' chooses how a posterior is sampled"):
        rp.LaplacePriorRegressor(engine="gibbs").fit(X, y)  # inference="map"
    with pytest.raises(ValueError, match="inference='nuts' samples by NUTS, and engine='auto'"):
        rp.LaplacePriorRegressor(inference="nuts", engine="auto").fit(X, y)
    with pytest.raises(ValueError, match="ElasticNetPriorRegressor: engine='gibbs': no Gibbs"):
        rp.ElasticNetPriorRegressor(inference="posterior", engine="gibbs").fit(X, y)
    with pytest.raises(
        ValueError,
        match="PoissonPriorRegressor: .*poisson likelihood .the Gibbs engine needs the Gaussian",
    ):
        rp.PoissonPriorRegressor(inference="posterior", engine="gibbs").fit(X, np.round(y / 10))
    with pytest.raises(ValueError, match="engine='gibbs' takes a dense X"):
        rp.LaplacePriorRegressor(inference="posterior", engine="gibbs").fit(
            scipy.sparse.csr_matrix(X), y
        )
    with pytest.raises(InvalidParameterError, match="The 'engine' parameter of NormalPrior"):
        rp.NormalPriorRegressor(inference="posterior", engine="metropolis").fit(X, y)
    with pytest.raises(InvalidParameterError, match="The 'engine' parameter of BayesianRegressor"):
        rp.BayesianRegressor(engine="metropolis").fit(X, y)
    with pytest.raises(ValueError, match="engine='gibbs': no Gibbs sampler for the elasticnet"):
        rp.BayesianRegressor(rp.ElasticNetPrior(), engine="gibbs").fit(X, y)


def test_bayesian_regressor_by_gibbs_says_so(diabetes):
    estimator = rp.BayesianRegressor(rp.BayesianLasso(lam=0.237), engine="auto", draws=300,
                                     tune=100, chains=2)  # fmt: skip
    assert clone(estimator).get_params()["engine"] == "auto"
    estimator.fit(diabetes.X, diabetes.y)
    assert estimator.diagnostics_["engine"] == "gibbs"
    # Park & Casella's noise is drawn as sigma2 by Gibbs: its sd is the mean of the roots.
    sigma2 = estimator.posterior_.posterior["sigma2"].to_numpy()
    assert_allclose(estimator.noise_sigma_, np.mean(np.sqrt(sigma2)), rtol=1e-12)


# -- selection -----------------------------------------------------------------------------------
def test_select_variables_samples_its_reference_by_gibbs(diabetes):
    from regprior.selection.workflow import _draws_of

    selection = rp.select_variables(diabetes.X, diabetes.y, rp.BayesianLasso(lam=0.237), cv=None,
                                    engine="gibbs", max_size=4, **FEW)  # fmt: skip
    assert selection.settings["engine"] == "gibbs"
    assert "(sampled by Gibbs)" in selection._repr_html_()
    # Park & Casella's Gibbs draws hold sigma2 (NUTS's hold sigma): the projection reads its root.
    posterior = rp.sample_posterior(diabetes.X, diabetes.y, rp.BayesianLasso(lam=0.237),
                                    engine="gibbs", **FEW)  # fmt: skip
    draws = _draws_of(posterior, rp.Gaussian.nominal(), diabetes.n_features)
    sigma2 = posterior.datatree.posterior["sigma2"].to_numpy().ravel()
    assert_array_equal(draws.noise, np.sqrt(sigma2))


def test_select_variables_refuses_an_engine_before_sampling(diabetes, no_sampling):
    X, y = diabetes.X, diabetes.y
    with pytest.raises(ValueError, match="engine must be one of"):
        rp.select_variables(X, y, rp.LearnedScale(), engine="metropolis", cv=None)
    with pytest.raises(ValueError, match="engine='gibbs': no Gibbs sampler for the elasticnet"):
        rp.select_variables(X, y, rp.ElasticNetPrior(), engine="gibbs", cv=None)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_select_variables_on_a_fitted_reference_reports_its_engine(diabetes):
    fitted = rp.sample_posterior(diabetes.X, diabetes.y, rp.LearnedScale(), engine="gibbs", **FEW)
    selection = rp.select_variables(diabetes.X, diabetes.y, fitted, specification=rp.LearnedScale(),
                                    cv=2, engine="auto", max_size=3, cv_draws=100, cv_tune=50,
                                    **FEW)  # fmt: skip
    assert selection.settings["engine"] == "gibbs"  # the fitted reference's own
    assert not any(note.startswith("reference engine") for note in selection.notes)


# -- the CLI ---------------------------------------------------------------------------------------
LOO_FEW = ["--draws", "300", "--tune", "100", "--chains", "2", "--no-cv"]


def test_cli_loo_by_gibbs_names_the_engine_in_json_and_files(tmp_path, capsys):
    out = tmp_path / "loo"
    status = main(["loo", "--prior", "both", "--no-full-bayes", "--noise-sigma", "54",
                   "--engine", "gibbs", *LOO_FEW, "--format", "json",
                   "--out", str(out)])  # fmt: skip
    table = pd.DataFrame(json.loads(capsys.readouterr().out)).set_index("model")
    assert status == (1 if any(table["flags"]) else 0)
    assert set(table.index) == {"normal at the CV alpha", "laplace at the CV alpha"}
    assert set(table["engine"]) == {"gibbs"}
    assert set(pd.read_csv(out / "loo.csv")["engine"]) == {"gibbs"}
    page = (out / "report.html").read_text()
    assert re.search(r"<th[^>]*>engine</th>", page)  # regprior report's table has the column
    assert page.count(">gibbs</td>") == 2


def test_cli_loo_terminal_table_has_the_engine_column(capsys):
    status = main(["loo", "--prior", "both", "--no-full-bayes", "--noise-sigma", "54",
                   "--engine", "auto", *LOO_FEW])  # fmt: skip
    assert status in (0, 1)
    header = capsys.readouterr().out.splitlines()[0]
    assert "engine" in header.split()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--engine", "gibbs"],
            "^regprior loo: error: --engine gibbs: no Gibbs sampler for the "
            "elasticnet prior .* Use --engine auto",
        ),  # fmt: skip
        (
            ["--engine", "gibbs", "--likelihood", "poisson"],
            "poisson likelihood .the Gibbs engine needs the Gaussian",
        ),
    ],
)
def test_cli_loo_refuses_what_gibbs_cannot_sample_with_exit_2(flags, message, tmp_path, capsys,
                                                              no_sampling):  # fmt: skip
    out = tmp_path / "never"
    assert main(["loo", *flags, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert re.search(message, err), err
    assert not out.exists()


def test_cli_engine_choices_are_checked_and_auto_is_explained(capsys):
    for command in ("loo", "select", "compare"):
        with pytest.raises(SystemExit) as exited:
            main([command, "--engine", "metropolis"])
        assert exited.value.code == 2
        assert "invalid choice: 'metropolis'" in capsys.readouterr().err
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "auto: Gibbs where the model allows it, NUTS elsewhere" in text


def test_cli_select_by_gibbs_records_the_engine(tmp_path, capsys):
    out = tmp_path / "select"
    status = main(["select", "--reference", "bayesian_lasso", "--engine", "gibbs", "--cv", "0",
                   "--max-size", "3", "--draws", "300", "--tune", "100", "--chains", "2",
                   "--format", "csv", "--out", str(out)])  # fmt: skip
    record = json.loads((out / "selection.json").read_text())
    assert record["settings"]["engine"] == "gibbs"
    unhealthy = bool(record["diagnostics"]["sampler_problems"])
    assert status == (1 if unhealthy or record["suggested_size"] is None else 0)
    assert "(sampled by Gibbs)" in (out / "report.html").read_text()
    capsys.readouterr()
    assert main(["select", "--likelihood", "poisson", "--engine", "gibbs", "--cv", "0"]) == 2
    assert "error: --engine gibbs: no Gibbs sampler" in capsys.readouterr().err


def test_frequency_loo_refuses_a_full_bayes_model_before_sampling(monkeypatch):
    """It sampled every model, then refused (1.2 s Gibbs, 6.3 s NUTS at 2 x 200 draws)."""
    import regprior as rp
    from regprior.inference import gibbs, nuts

    def refuse(*args, **kwargs):
        raise AssertionError("sampled before the refusal")

    monkeypatch.setattr(gibbs, "gibbs_posterior", refuse)
    monkeypatch.setattr(nuts, "sample_nuts", refuse)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = X @ [1.0, 0.0, -1.0] + rng.standard_normal(40)
    counts = rng.integers(1, 4, 40).astype(float)
    with pytest.raises(ValueError, match=r"models\['ls'\]: weights='frequency' needs"):
        rp.compare_loo(
            X,
            y,
            {"lap": rp.Laplace(scale=1.0), "ls": rp.LearnedScale()},
            sample_weight=counts,
            noise_sigma=1.0,
            weights="frequency",
            engine="gibbs",
        )


def test_large_pareto_k_is_flagged_in_the_table_not_warned_on_stderr():
    """ArviZ warned once per model and call (six warnings for one compare --sparse run); the
    table's flags already say it."""
    import warnings

    import regprior as rp

    rng = np.random.default_rng(0)
    X = rng.standard_normal((15, 3))
    y = X @ [1.0, 0.0, -1.0] + 0.3 * rng.standard_normal(15)
    y[0] += 8.0  # an outlier a noise sigma of 0.3 cannot explain: large k
    models = {"a": rp.Laplace(scale=1.0), "b": rp.Normal(sigma=1.0)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = rp.compare_loo(
            X, y, models, noise_sigma=0.3, engine="gibbs", draws=300, tune=100, chains=2
        ).table
    assert (table["n_bad_k"] > 0).all()
    assert table["flags"].str.contains("Pareto k >").all()
    assert not [w for w in caught if "Pareto distribution" in str(w.message)]
