"""The commands end to end: outputs, the JSON contract, exit status 2 and one line on bad input."""

import io
import json
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

from regprior.cli import main


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(80, 4))
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["w"] = rng.uniform(0.5, 2, 80)
    frame["target"] = 1.0 + X @ [2.0, 0.0, -1.0, 0.5] + rng.normal(size=80) / np.sqrt(frame["w"])
    path = tmp_path_factory.mktemp("data") / "toy.csv"
    frame.to_csv(path, index=False)
    return path


def test_json_contract_without_sampling(capsys):
    status = main(
        [
            "compare",
            "--prior",
            "laplace",
            "--alpha",
            "0.2",
            "--noise-sigma",
            "54",
            "--no-sample",
            "--format",
            "json",
        ]
    )
    assert status == 0
    document = json.loads(capsys.readouterr().out)
    [record] = document["comparisons"]
    assert record["model"] == "lasso"
    assert record["mapping"]["alpha"] == 0.2
    # alpha = sigma^2 / (N scale)  <=>  scale = sigma^2 / (N alpha)
    assert_allclose(record["mapping"]["prior_scale"], 54.0**2 / (442 * 0.2), rtol=1e-14)
    assert [c["feature"] for c in record["coefficients"]][:3] == ["age", "sex", "bmi"]
    assert record["intercept"]["feature"] == "intercept"
    assert record["verdict"]["passed"] and record["verdict"]["support_match"]
    assert record["diagnostics"] is None  # not sampled


def test_csv_with_weights_and_blog_parametrisations(csv_path, capsys):
    status = main(
        [
            "compare",
            "--data",
            str(csv_path),
            "--target",
            "target",
            "--weights",
            "w",
            "--prior",
            "normal",
            "--lambda",
            "0.5",
            "--noise-sigma",
            "1",
            "--no-sample",
            "--format",
            "csv",
        ]
    )
    assert status == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(table["coefficient"]) == ["a", "b", "c", "d", "intercept"]
    # lambda = 1/(2 tau^2) = 0.5 -> tau = 1 -> Ridge alpha = sigma^2 / tau^2 = 1.
    assert (table["alpha"] == 1.0).all()
    assert table["passed"].all()
    status = main(
        [
            "compare",
            "--data",
            str(csv_path),
            "--target",
            "target",
            "--prior",
            "laplace",
            "--rate",
            "2",
            "--noise-sigma",
            "1",
            "--no-sample",
            "--format",
            "json",
        ]
    )
    record = json.loads(capsys.readouterr().out)["comparisons"][0]
    assert record["mapping"]["prior_scale"] == 0.5  # the blog's b is a rate
    assert_allclose(record["mapping"]["alpha"], 1.0 / (80 * 0.5), rtol=1e-15)


@pytest.mark.slow
def test_full_run_writes_every_output(tmp_path, capsys):
    out = tmp_path / "run"
    status = main(
        [
            "compare",
            "--prior",
            "both",
            "--draws",
            "300",
            "--tune",
            "300",
            "--out",
            str(out),
            "--format",
            "markdown",
        ]
    )
    printed = capsys.readouterr().out
    assert status in (0, 1)  # 1 only if a verdict failed; either way everything is written
    assert "alpha: RidgeCV" in printed and "alpha: LassoCV" in printed
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "comparison.csv",
        "comparison.json",
        "comparison.md",
        "forest.png",
        "posterior_lasso.nc",
        "posterior_lasso.png",
        "posterior_ridge.nc",
        "posterior_ridge.png",
        "report.html",
    ]
    tree = xr.open_datatree(out / "posterior_lasso.nc")
    assert tree.posterior["beta"].shape == (4, 300, 10)  # four chains by default
    document = json.loads((out / "comparison.json").read_text())
    assert {c["model"] for c in document["comparisons"]} == {"ridge", "lasso"}
    for record in document["comparisons"]:
        assert set(record["diagnostics"]) >= {"r_hat_max", "ess_bulk_min", "divergences"}
        assert set(record["coefficients"][0]) >= {
            "posterior_mean",
            "posterior_median",
            "posterior_sd",
            "hdi_low",
            "hdi_high",
        }
        assert set(record["timings"]) >= {"sklearn", "map", "nuts"}
    assert (out / "posterior_ridge.png").stat().st_size > 10_000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".run.")]  # no staging left


def test_one_process_per_family_gives_what_one_process_gives(tmp_path, capsys):
    """The families ran in two processes above (two CPUs here); --jobs 1 runs them here, in order.

    Same seeds, same draws: the tables and the posteriors are identical, not merely close.
    """
    import os

    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one CPU: compare runs in one process anyway")
    runs, statuses = {}, set()
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        # Short chains: a verdict may fail on ESS (status 1); it must fail alike in both.
        statuses.add(
            main(
                [
                    "compare",
                    "--prior",
                    "both",
                    "--draws",
                    "200",
                    "--tune",
                    "200",
                    "--chains",
                    "2",
                    "--jobs",
                    jobs,
                    "--out",
                    str(out),
                    "--format",
                    "csv",
                ]
            )
        )
        runs[jobs] = out
    capsys.readouterr()
    assert len(statuses) == 1
    for name in ("lasso", "ridge"):
        one, two = (xr.open_datatree(runs[j] / f"posterior_{name}.nc") for j in ("1", "2"))
        np.testing.assert_array_equal(one.posterior["beta"].values, two.posterior["beta"].values)
    pd.testing.assert_frame_equal(
        pd.read_csv(runs["1"] / "comparison.csv"), pd.read_csv(runs["2"] / "comparison.csv")
    )


BAD_COMMANDS = [
    (["--data", "missing.csv"], r"data file 'missing.csv' does not exist"),
    (
        ["--alpha", "-1"],
        r"The 'alpha' parameter of Ridge \(mapped to a Normal prior\) must be a float in the "
        r"range \(0, inf\). Got -1.0",
    ),
    (
        ["--prior", "laplace", "--lambda", "1"],
        r"the blog post writes the laplace prior with \['rate'\]; got \['lam'\]",
    ),
    (
        ["--prior", "laplace", "--alpha", "1", "--l1-ratio", "0.5"],
        r"--l1-ratio does not apply to the laplace prior: Lasso has no l1_ratio",
    ),
    (
        ["--prior", "elasticnet", "--alpha", "1", "--l1-ratio", "1.5"],
        r"The 'l1_ratio' parameter of ElasticNet \(mapped to an ElasticNetPrior prior\) must be "
        r"a float in the range \(0, 1\)",
    ),
    (
        ["--prior", "elasticnet", "--prior-scale", "1"],
        r"the elasticnet prior takes the parameters \['scale', 'sigma'\]; got \['scale'\]",
    ),
    (
        ["--alpha", "1", "--rate", "2"],
        r"give the strength one way; got --alpha/--C and --lambda/--rate",
    ),
    (["--noise-sigma", "0"], r"The 'noise_sigma' parameter of Gaussian"),
    (["--draws", "0", "--alpha", "1"], r"draws must be an integer >= 1; got 0"),
    (["--model", "spike_and_slab"], r"model 'spike_and_slab' is neither a catalogued name"),
    (["--model", "horseshoe"], r"model 'horseshoe' is a full-Bayes model .* use regprior loo"),
    (["--data", "diabetes", "--target", "y"], r"target and weights columns apply to CSV data"),
    (["--jobs", "0"], r"--jobs must be an integer >= 1; got 0"),
]


@pytest.mark.parametrize("extra, message", BAD_COMMANDS)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, extra, message):
    out = tmp_path / "out"
    status = main(["compare", "--out", str(out), *extra])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("regprior compare: error: ")
    assert re.search(message, err)
    assert not out.exists()


@pytest.mark.parametrize(
    "content, extra, message",
    [
        ("a,b,y\n1,x,2\n2,y,3\n", [], r"columns \['b'\] of .* are not numeric"),
        ("a,b,y\n1,2,3\n", ["--target", "z"], r"target column 'z' is not in"),
        (
            "a,b,y\n1,,3\n2,3,4\n",
            ["--target", "y"],
            r"column 'b' has 1 missing or non-finite value\(s\), the first in data row 1 \(line 2",
        ),
        (
            "a,a,y\n1,2,3\n2,3,4\n",
            ["--target", "y"],
            r"has duplicated column names \['a'\]; rename them",
        ),
        (
            "a,w,y\n1,2,2\n2,3,3\n",
            ["--target", "y", "--weights", "w"],
            r"the weights column 'w' holds the same values as the target 'y'",
        ),
        ("", [], r"is empty"),
        ("a,y\n", [], r"has a header but no rows"),
        (
            "a,y,w\n1,2,0\n2,3,1\n",
            ["--weights", "w", "--target", "y"],
            r"sample_weight must be strictly positive",
        ),
    ],
)
def test_bad_csv(tmp_path, capsys, content, extra, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    status = main(
        [
            "compare",
            "--data",
            str(path),
            "--noise-sigma",
            "1",
            "--alpha",
            "1",
            "--no-sample",
            *extra,
        ]
    )
    assert status == 2
    assert re.search(message, capsys.readouterr().err)


def test_out_must_be_a_folder(tmp_path, capsys):
    existing = tmp_path / "file.txt"
    existing.write_text("keep me")
    assert main(["compare", "--out", str(existing), "--alpha", "1", "--no-sample"]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert existing.read_text() == "keep me"


def test_path_json_and_outputs(tmp_path, capsys):
    out = tmp_path / "paths"
    status = main(
        [
            "path",
            "--prior",
            "laplace",
            "--noise-sigma",
            "54",
            "--n-alphas",
            "20",
            "--format",
            "json",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    document = json.loads(capsys.readouterr().out)
    lasso = document["laplace"]
    assert lasso["passed"] and len(lasso["alphas"]) == 20
    assert lasso["alphas"][0]["n_active_map"] == 0  # alpha_max
    assert {e["feature"] for e in lasso["entries"]} == {
        "age",
        "sex",
        "bmi",
        "bp",
        "s1",
        "s2",
        "s3",
        "s4",
        "s5",
        "s6",
    }
    assert sorted(p.name for p in out.iterdir()) == [
        "path_laplace.csv",
        "path_laplace.md",
        "path_laplace.png",
        "report.html",
    ]
    page = (out / "report.html").read_text()
    assert f"<h1>regprior: {out.name}</h1>" in page and "Regularisation path: laplace" in page
    frame = pd.read_csv(out / "path_laplace.csv")
    assert {"alpha", "max_abs_diff", "map_bmi", "sklearn_bmi"} <= set(frame.columns)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--n-alphas", "1"], r"n_alphas must be an integer >= 2; got 1"),
        (["--posterior-alphas", "60"], r"--posterior-alphas \(60\) exceeds --n-alphas \(50\)"),
        (["--eps", "0"], r"eps must be in \(0, 1\)"),
        (["--posterior-alphas", "2", "--chains", "0"], r"chains must be an integer >= 1; got 0"),
    ],
)
def test_path_bad_input(tmp_path, capsys, extra, message):
    out = tmp_path / "out"
    assert main(["path", "--noise-sigma", "54", "--out", str(out), *extra]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not out.exists()


def test_elastic_net_compare_and_path(tmp_path, capsys):
    status = main(
        [
            "compare",
            "--prior",
            "elasticnet",
            "--alpha",
            "0.3",
            "--l1-ratio",
            "0.5",
            "--noise-sigma",
            "54",
            "--no-sample",
            "--format",
            "json",
        ]
    )
    assert status == 0
    [record] = json.loads(capsys.readouterr().out)["comparisons"]
    assert (
        record["model"] == "elasticnet" and record["mapping"]["sklearn_estimator"] == "ElasticNet"
    )
    assert (record["mapping"]["alpha"], record["mapping"]["l1_ratio"]) == (0.3, 0.5)
    # alpha l1_ratio = sigma^2 / (N s): s = 54^2 / (442 * 0.15).
    assert_allclose(
        record["mapping"]["prior_parameters"]["scale"], 54.0**2 / (442 * 0.15), rtol=1e-14
    )
    assert {"blog_lambda", "blog_rate"} <= set(record["mapping"])
    assert record["verdict"]["passed"] and any(c["map"] == 0 for c in record["coefficients"])
    status = main(
        [
            "compare",
            "--prior",
            "elasticnet",
            "--lambda",
            "0.01",
            "--rate",
            "0.02",
            "--noise-sigma",
            "54",
            "--no-sample",
            "--format",
            "json",
        ]
    )
    assert status == 0
    [record] = json.loads(capsys.readouterr().out)["comparisons"]
    assert record["mapping"]["prior_parameters"] == {"scale": 50.0, "sigma": 1 / np.sqrt(0.02)}
    out = tmp_path / "paths"
    assert (
        main(
            [
                "path",
                "--prior",
                "elasticnet",
                "--l1-ratio",
                "0.2",
                "--noise-sigma",
                "54",
                "--n-alphas",
                "20",
                "--format",
                "json",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["elasticnet"]["passed"] and document["elasticnet"]["fixed"] == {"l1_ratio": 0.2}
    assert (out / "path_elasticnet.png").stat().st_size > 10_000


def test_elastic_net_chosen_by_cross_validation(capsys):
    assert main(["compare", "--model", "elasticnet", "--noise-sigma", "54", "--no-sample"]) == 0
    printed = capsys.readouterr().out
    assert (
        "ElasticNet(alpha=" in printed
        and "l1_ratio=0.5" in printed
        and "alpha: ElasticNetCV" in printed
    )


def test_logistic_and_poisson_from_the_command_line(tmp_path, capsys):
    assert (
        main(
            [
                "compare",
                "--likelihood",
                "bernoulli",
                "--prior",
                "all",
                "--C",
                "0.5",
                "--no-sample",
                "--format",
                "json",
            ]
        )
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["data"]["name"] == "breast_cancer"
    records = {c["model"]: c for c in document["comparisons"]}
    assert set(records) == {"logistic_l2", "logistic_l1", "logistic_elasticnet"}
    assert_allclose(
        records["logistic_l2"]["mapping"]["prior_parameters"]["sigma"], np.sqrt(0.5), rtol=1e-15
    )  # C = tau^2
    assert records["logistic_l1"]["mapping"]["prior_parameters"]["scale"] == 0.5  # C = s
    l1 = records["logistic_l1"]["verdict"]
    assert l1["passed"] and l1["less_exact"] == "sklearn" and l1["certificate"] <= 1e-10
    # saga stops short: the MAP is judged against skglm, saga's error bound reported beside it
    assert l1["reference"] == "skglm" and l1["sklearn_error_bound"] > 0
    assert records["logistic_l2"]["verdict"]["tolerance_source"].startswith("1e-8")
    out = tmp_path / "poisson"
    assert (
        main(
            [
                "path",
                "--likelihood",
                "poisson",
                "--n-alphas",
                "15",
                "--format",
                "json",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    record = json.loads(capsys.readouterr().out)["normal"]
    assert record["passed"] and record["likelihood"] == "poisson" and len(record["alphas"]) == 15
    assert (out / "path_normal.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            ["--likelihood", "bernoulli", "--noise-sigma", "1", "--C", "1"],
            r"--noise-sigma applies to the gaussian likelihood only",
        ),
        (
            ["--likelihood", "poisson", "--prior", "laplace", "--alpha", "1"],
            r"prior family must be one of \['normal'\] for a poisson likelihood; got 'laplace'",
        ),
        (
            ["--likelihood", "bernoulli", "--data", "diabetes", "--C", "1"],
            r"y must be binary \(0 or 1\) for a Bernoulli likelihood",
        ),
        (
            ["--model", "ridge", "--model", "poisson"],
            r"the models and --likelihood name different likelihoods \['gaussian', 'poisson'\]",
        ),
    ],
)
def test_glm_bad_input(tmp_path, capsys, extra, message):
    out = tmp_path / "out"
    assert main(["compare", "--no-sample", "--out", str(out), *extra]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not out.exists()


def test_alpha_by_evidence_maximisation(capsys):
    from sklearn.linear_model import BayesianRidge

    from regprior.spec.data import load_diabetes

    assert (
        main(["compare", "--prior", "normal", "--alpha", "eb", "--no-sample", "--format", "json"])
        == 0
    )
    [record] = json.loads(capsys.readouterr().out)["comparisons"]
    data = load_diabetes()
    bayes = BayesianRidge(
        alpha_1=0, alpha_2=0, lambda_1=0, lambda_2=0, tol=1e-12, max_iter=10_000
    ).fit(data.X, data.y)
    # Two fixed-point solvers of the same evidence: 1e-6 relative, the bar.
    assert_allclose(record["mapping"]["alpha"], bayes.lambda_ / bayes.alpha_, rtol=1e-6)
    assert_allclose(record["mapping"]["noise_sigma"], 1 / np.sqrt(bayes.alpha_), rtol=1e-6)
    assert (
        record["mapping"]["alpha_source"].startswith("type-II ML") and record["verdict"]["passed"]
    )


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            ["--alpha", "eb"],
            r"--alpha eb: evidence maximisation \('eb'\) is defined for the normal prior with a "
            r"gaussian likelihood; got the laplace prior",
        ),
        (
            ["--prior", "normal", "--alpha", "eb", "--noise-sigma", "50"],
            r"--alpha eb learns the noise sigma",
        ),
        (
            ["--alpha", "lots"],
            r"--alpha must be a number, 'cv', '1se', 'eb' or 'bayes' "
            r"\(or a comma-separated list\); got 'lots'",
        ),
        (
            ["--prior", "elasticnet", "--alpha", "bayes"],
            r"--alpha bayes: the learnt prior scale \('bayes'\) is defined for the normal and "
            r"laplace priors with a gaussian likelihood; got the elasticnet prior",
        ),
        (
            ["--likelihood", "poisson", "--alpha", "bayes"],
            r"--alpha bayes: .* got the normal prior with a poisson likelihood",
        ),
        (
            ["--alpha", "bayes", "--prior-mu", "1"],
            r"--alpha bayes learns the noise sigma and uses a prior centred at 0",
        ),
    ],
)
def test_alpha_way_bad_input(tmp_path, capsys, extra, message):
    out = tmp_path / "out"
    assert main(["compare", "--no-sample", "--out", str(out), *extra]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not out.exists()


@pytest.mark.slow
def test_choose_writes_the_alpha_choice(tmp_path, capsys):
    out = tmp_path / "choice"
    status = main(
        [
            "choose",
            "--draws",
            "200",
            "--tune",
            "200",
            "--chains",
            "2",
            "--format",
            "json",
            "--out",
            str(out),
        ]
    )
    assert status in (0, 1)  # 1: a short run's sampler flagged, and the table says which
    rows = json.loads(capsys.readouterr().out)
    ways = [row["way"] for row in rows]
    assert "type-II ML (evidence)" in ways and "full Bayes: Park & Casella, learnt lambda" in ways
    assert sorted(p.name for p in out.iterdir()) == [
        "alpha_choice.csv",
        "alpha_choice.md",
        "alpha_choice.png",
        "alpha_choice_coefficients.csv",
        "alpha_choice_coefficients.md",
        "report.html",
    ]
    assert main(["choose", "--draws", "0", "--out", str(tmp_path / "bad")]) == 2


@pytest.mark.slow
def test_alpha_by_full_bayes(csv_path, capsys):
    from regprior.checks.alpha_choice import bayes_alpha
    from regprior.spec.data import load_data

    settings = ["--draws", "300", "--tune", "300", "--chains", "2", "--seed", "3"]
    status = main(
        [
            "compare",
            "--data",
            str(csv_path),
            "--target",
            "target",
            "--prior",
            "laplace",
            "--alpha",
            "bayes",
            "--no-sample",
            "--format",
            "json",
            *settings,
        ]
    )
    assert status == 0
    [record] = json.loads(capsys.readouterr().out)["comparisons"]
    # The same posterior (same seed) through the API: its medians are the comparison's alpha and
    # sigma.
    choice = bayes_alpha(
        load_data(str(csv_path), target="target"),
        "laplace",
        draws=300,
        tune=300,
        chains=2,
        random_seed=3,
    )
    assert_allclose(record["mapping"]["alpha"], choice.alpha, rtol=1e-9)
    assert_allclose(record["mapping"]["noise_sigma"], choice.noise_sigma, rtol=1e-9)
    assert choice.hdi[0] < choice.alpha < choice.hdi[1]
    assert record["mapping"]["alpha_source"].startswith(
        "full Bayes: posterior median of the implied alpha, 94% HDI"
    )


@pytest.mark.slow
def test_loo_table_and_files(csv_path, tmp_path, capsys):
    out = tmp_path / "loo"
    status = main(
        [
            "loo",
            "--data",
            str(csv_path),
            "--target",
            "target",
            "--draws",
            "300",
            "--tune",
            "300",
            "--chains",
            "2",
            "--format",
            "json",
            "--out",
            str(out),
        ]
    )
    rows = json.loads(capsys.readouterr().out)
    table = pd.DataFrame(rows).set_index("model")
    assert status == (1 if any(table["flags"]) else 0)
    fixed = [f"{family} at the CV alpha" for family in ("normal", "laplace", "elasticnet")]
    from regprior.catalogue import full_bayes_models

    # The fixed priors at their CV strength and every catalogued full-Bayes model (learnt
    # scales, Park & Casella, the sparse priors).
    assert set(table.index) == {*fixed, *full_bayes_models()}
    assert {"learnt_normal", "bayesian_lasso", "horseshoe"} <= set(table.index)
    # The sklearn counterparts' exact LOO-CV sits beside PSIS-LOO; the plug-in ignores posterior
    # spread, so the two differ by a little, not by a different model (|diff| < 2 se).
    for name in fixed:
        assert (
            abs(table.loc[name, "elpd_cv_sklearn"] - table.loc[name, "elpd_loo"])
            < 2 * table.loc[name, "se"]
        )
    assert pd.isna(table.loc["bayesian_lasso", "elpd_cv_sklearn"])  # JSON null: no counterpart
    assert sorted(p.name for p in out.iterdir()) == [
        "loo.csv",
        "loo.md",
        "loo_compare.png",
        "report.html",
    ]
    assert main(["loo", "--prior-mu", "1", "--out", str(tmp_path / "bad")]) == 2
    assert "--prior-mu does not apply to regprior loo" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_sklearn_loo_cv_is_exact_leave_one_out():
    from sklearn.linear_model import Lasso

    from regprior import registry
    from regprior.checks.sklearn import sklearn_loo_cv
    from regprior.spec.data import RegressionData
    from regprior.spec.likelihoods import Gaussian

    rng = np.random.default_rng(2)
    X = rng.normal(size=(25, 3))
    data = RegressionData(X, X @ [1.0, 0.0, -2.0] + rng.normal(size=25))
    likelihood = Gaussian(1.1)
    prior = registry.make_prior(
        "laplace", likelihood=likelihood, weight_sum=25, sklearn={"alpha": 0.1}
    )
    pointwise = sklearn_loo_cv(data, prior, likelihood)
    # By hand: the same prior on 24 samples is Lasso(alpha = sigma^2 / (24 s)) = 0.1 * 25 / 24.
    for i in (0, 13, 24):
        keep = np.arange(25) != i
        fit = Lasso(alpha=0.1 * 25 / 24, tol=1e-12, max_iter=10**6).fit(X[keep], data.y[keep])
        prediction = fit.predict(X[i : i + 1])[0]
        expected = -0.5 * ((data.y[i] - prediction) ** 2 / 1.1**2 + np.log(2 * np.pi * 1.1**2))
        # 1e-9: both solve the same lasso to tol 1e-12; the log density is smooth in the prediction.
        assert_allclose(pointwise[i], expected, rtol=1e-9)


@pytest.mark.parametrize(
    "argv, early",
    [
        (["compare", "--jobs", "2"], True),
        (["compare", "--jobs", "2", "--prior", "all"], True),
        (["compare", "--jobs", "2", "--model", "lasso", "--model", "ridge"], True),
        (["compare", "--jobs", "2", "--prior", "laplace"], False),
        (
            ["compare", "--jobs", "2", "--model", "lasso"],
            False,
        ),  # --model overrides the default --prior both
        (["compare", "--jobs", "2", "--no-sample"], False),
        (["compare", "--jobs", "1"], False),
    ],
)
def test_fork_server_starts_early_only_for_several_sampled_families(argv, early):
    from regprior.cli._main import build_parser
    from regprior.cli.compare import may_use_processes

    assert may_use_processes(build_parser().parse_args(argv)) is early
