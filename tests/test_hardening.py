"""Hostile inputs and drop-in behaviour: each caught early with a message that names the culprit."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Lasso, Ridge

from regprior import registry
from regprior.cli import main
from regprior.estimators import LaplacePriorRegressor, NormalPriorRegressor
from regprior.spec import mapping
from regprior.spec.likelihoods import Gaussian
from regprior.spec.priors import Laplace, Normal

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 3))
y = X @ [1.0, 0.0, -2.0] + rng.normal(size=40)


@pytest.mark.parametrize(
    "function, arguments",
    [
        (mapping.ridge_alpha, (1e200, 1.0)),
        (mapping.ridge_alpha, (1.0, 1e-200)),
        (mapping.lasso_alpha, (1e300, 1e-10, 5)),
        (mapping.elastic_net_alpha, (1.0, 1e-320, 1.0, 10)),
        (mapping.elastic_net_scales_from_alpha, (1e-300, 0.5, 1e200, 1)),
    ],
)
def test_extreme_finite_floats_in_the_maps_are_value_errors(function, arguments):
    with pytest.raises(
        ValueError, match=r"not a positive finite float: the inputs are too extreme for float64"
    ):
        function(*arguments)


@pytest.mark.parametrize(
    "call",
    [
        lambda: registry.make_prior(
            "normal", likelihood=Gaussian(1e200), weight_sum=10.0, sklearn={"alpha": 1.0}
        ),
        lambda: registry.make_prior(
            "laplace", likelihood=Gaussian(1e-200), weight_sum=10.0, sklearn={"alpha": 1.0}
        ),
        lambda: registry.sklearn_strength(Normal(sigma=1e-200), Gaussian(1.0), 10.0),
        lambda: registry.sklearn_strength(Laplace(scale=1e-320), Gaussian(1.0), 10.0),
    ],
)
def test_extreme_finite_floats_in_the_registry_are_value_errors(call):
    # A prior whose scale float64 cannot square and invert is refused when it is built.
    with pytest.raises(
        ValueError,
        match=r"is not a finite positive float64: the inputs are too extreme"
        r"|must be a float in the range \[1.49e-154, 6.7e\+153\] \(float64 must square",
    ):
        call()


def test_estimator_weights_and_targets():
    with pytest.raises(
        ValueError, match=r"sample_weight has 1 NaN or infinite value\(s\); weights must be finite"
    ):
        LaplacePriorRegressor(alpha=0.1).fit(
            X, y, sample_weight=np.where(np.arange(40) == 5, np.nan, 1.0)
        )
    # A scalar weight weighs every row alike, as in sklearn: the same fit as no weight.
    scalar = LaplacePriorRegressor(alpha=0.1, noise_sigma=1.0).fit(X, y, sample_weight=2.0)
    plain = LaplacePriorRegressor(alpha=0.1, noise_sigma=1.0).fit(X, y)
    assert_allclose(scalar.coef_, plain.coef_, rtol=1e-12, atol=1e-14)
    # y of shape (n, 1) is one target (raveled with sklearn's DataConversionWarning).
    from sklearn.exceptions import DataConversionWarning

    with pytest.warns(DataConversionWarning):
        column = LaplacePriorRegressor(alpha=0.1, noise_sigma=1.0).fit(X, y[:, None])
    assert column.coef_.shape == (3,) and column.predict(X).shape == (40,)
    assert_allclose(column.coef_, plain.coef_, rtol=1e-12, atol=1e-14)
    # 2-D y: independent targets, stacked as sklearn's multi-output Lasso stacks them.
    from sklearn.linear_model import Lasso

    Y = np.column_stack([y, 2.0 * y + 1.0])
    both = LaplacePriorRegressor(alpha=0.1, noise_sigma=1.0).fit(X, Y)
    reference = Lasso(alpha=0.1, tol=1e-12, max_iter=10**6).fit(X, Y)
    assert (
        both.coef_.shape == (2, 3)
        and both.intercept_.shape == (2,)
        and both.predict(X).shape == (40, 2)
    )
    assert_allclose(both.coef_, reference.coef_, rtol=0, atol=1e-8 * np.abs(reference.coef_).max())
    assert_allclose(both.intercept_, reference.intercept_, rtol=1e-10)
    assert_allclose(both.coef_[0], plain.coef_, rtol=1e-12, atol=1e-14)
    assert both.dual_gap_.shape == (2,) and len(both.prior_) == 2
    with pytest.raises(ValueError, match=r"alpha=0 is a flat prior .*LinearRegression"):
        NormalPriorRegressor(alpha=0.0).fit(X, y)
    with pytest.raises(
        ValueError,
        match=r"positive=True \(weights >= 0\) is the MAP of the prior truncated at its centre",
    ):
        LaplacePriorRegressor(alpha=0.1, positive=True).fit(X, y)
    assert plain.n_iter_ >= 1


def test_float32_in_float32_out():
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    ours = LaplacePriorRegressor(alpha=0.1, noise_sigma=1.0).fit(X32, y32)
    theirs = Lasso(alpha=0.1, tol=1e-7).fit(X32, y32)  # float32 cannot reach 1e-12
    assert ours.coef_.dtype == theirs.coef_.dtype == np.float32
    assert ours.predict(X32).dtype == theirs.predict(X32).dtype == np.float32
    # Both solve in their own precision; float32 rounding of the data dominates (~1e-6).
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-5)


def test_prior_from_sklearn_refuses_positive_and_a_different_intercept():
    from regprior.checks.sklearn import prior_from_sklearn

    with pytest.raises(
        ValueError, match=r"Lasso\(positive=True\) constrains the weights to be >= 0"
    ):
        prior_from_sklearn(Lasso(alpha=0.1, positive=True), noise_sigma=1.0, weight_sum=40)
    with pytest.raises(
        ValueError,
        match=r"Lasso has fit_intercept=False but the prior is for a model with fit_intercept=True",
    ):
        prior_from_sklearn(
            Lasso(alpha=0.1, fit_intercept=False),
            noise_sigma=1.0,
            weight_sum=40,
            fit_intercept=True,
        )


@pytest.mark.parametrize("alpha", [1e-16, 1e-10, 1e-3, 1.0])
def test_ridge_limit_on_wide_data_is_solved_and_its_error_bounded(alpha):
    """sklearn's test_regularization_limits_ridge (50 x 100): no LinAlgError, an honest bound."""
    from regprior.api import fit_map

    wide = np.random.RandomState(42)
    Xw, yw = wide.randn(50, 100), wide.randn(50)
    reference = Ridge(alpha=alpha, solver="svd").fit(Xw, yw).coef_  # SVD: accurate at any alpha
    result = fit_map(Xw, yw, Normal(sigma=1.0 / np.sqrt(alpha)), noise_sigma=1.0)
    error = np.linalg.norm(result.coef - reference)
    # The certificate's bound must cover the actual error (it is inf where the Hessian is singular
    # to working precision, alpha 1e-16: there the pseudo-inverse step gives sklearn's limit).
    assert error <= result.error_bound
    # Solved through the SVD of X (p > n), as sklearn's reference: rounding only at every alpha
    # (through a Cholesky solve it was 1.8e-8 relative at alpha 1e-6, 1.7e-4 at 1e-10).
    assert result.solve == "svd"
    assert error <= 1e-10 * np.linalg.norm(reference)


def test_cli_usage_errors_are_one_line_and_exit_2(tmp_path):
    for argv in (["compare", "--bogus"], ["compare", "--draws", "x"], []):
        run = subprocess.run(
            [sys.executable, "-m", "regprior.cli", *argv], capture_output=True, text=True
        )
        assert run.returncode == 2 and run.stdout == ""
        assert len(run.stderr.strip().splitlines()) == 1 and run.stderr.startswith("regprior"), (
            run.stderr
        )


def test_out_that_cannot_be_created_fails_before_any_work(tmp_path, capsys):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert main(["compare", "--no-sample", "--out", str(a_file / "sub")]) == 2
    assert re.search(r"cannot be created: .* is a file, not a folder", capsys.readouterr().err)


def test_stale_staging_folders_of_killed_runs_are_removed(tmp_path):
    from regprior.report.output import remove_stale_staging, write_outputs

    out = tmp_path / "run"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = tmp_path / f".run.staging-{int(dead.stdout)}-abc"
    live = tmp_path / f".run.staging-{os.getpid()}-xyz"
    stale.mkdir()
    live.mkdir()
    write_outputs(out, {"a.txt": "done"})
    assert not stale.exists() and live.exists() and (out / "a.txt").read_text() == "done"
    assert remove_stale_staging(out) == []


def test_non_unique_lasso_is_judged_by_its_objective(monkeypatch):
    """Duplicated columns: two solutions that split the weight differently at the same objective.

    Which split a solver lands on depends on its rounding, so sklearn's answer is made to split
    it the other way: its weights of the two copies of bmi are swapped, which changes neither
    the fit nor the l1 norm.
    """
    from dataclasses import replace

    import regprior.checks.comparison as comparison_module
    from regprior.api import compare
    from regprior.spec.data import load_diabetes

    data = load_diabetes()
    X = np.column_stack([data.X[:, 2], data.X])  # bmi twice: columns 0 and 3
    real = comparison_module.fit_counterpart

    def swapped(*args, **kwargs):
        fit = real(*args, **kwargs)
        coef = fit.coef.copy()
        coef[[0, 3]] = coef[[3, 0]]
        return replace(fit, coef=coef)

    monkeypatch.setattr(comparison_module, "fit_counterpart", swapped)
    prior = registry.make_prior(
        "laplace", likelihood=Gaussian(54.0), weight_sum=442, sklearn={"alpha": 0.01}
    )
    with pytest.warns(UserWarning, match=r"duplicated column\(s\) \(first of each: \['x0'\]\)"):
        comparison = compare(X, data.y, prior, noise_sigma=54.0, sample=False)
    verdict = comparison.verdict
    assert verdict.max_abs_diff > 100 * verdict.tolerance  # the coefficients really differ ...
    assert verdict.passed and verdict.tolerance_source.startswith(
        "the optimum is not unique"
    )  # ... both optimal
    assert not comparison.table["flags"].any()


def test_judge_fails_a_non_unique_optimum_with_different_objectives():
    import pandas as pd

    from regprior.checks.verdict import judge

    class Result:
        coef, centre, kkt_residual = np.array([1.0, 0.0]), np.zeros(2), 1e-15

    class Fit:
        coef = np.array([0.0, 1.0])

    table = pd.DataFrame({"sklearn": [0.0, 1.0], "abs_diff": [1.0, 1.0]}, index=["a", "b"])
    _, verdict = judge(
        table, map_result=Result(), sklearn_fit=Fit(), objectives=(10.0, 10.5), non_unique=True
    )
    assert not verdict.passed and "the objectives differ" in verdict.problems[0]
    _, verdict = judge(
        table, map_result=Result(), sklearn_fit=Fit(), objectives=(10.0, 10.0), non_unique=True
    )
    assert verdict.passed


def test_constant_columns_warn_and_empty_globs_fail():
    from regprior.api import fit_map
    from regprior.spec.statistics import SufficientStatistics

    with pytest.warns(UserWarning, match=r"constant column\(s\) \['x3'\]"):
        fit_map(np.column_stack([X, np.ones(40)]), y, Laplace(scale=1.0), noise_sigma=1.0)
    with pytest.raises(ValueError, match=r"pattern '/nonexistent/\*.csv' matches no file"):
        SufficientStatistics.from_files("/nonexistent/*.csv", target="y")
    with pytest.raises(TypeError, match="pattern must be a path or glob pattern"):
        SufficientStatistics.from_files(3, target="y")


def test_cached_models_keep_their_feature_names():
    """A cached model of the same shape but other feature names must not lend its coordinate."""
    from regprior.api import compare, fit_map
    from regprior.spec.data import load_diabetes

    data = load_diabetes()
    fit_map(data.X, data.y, Laplace(scale=30.0), noise_sigma=54.0)  # cached with names x0 .. x9
    comparison = compare(
        data.X,
        data.y,
        Laplace(scale=30.0),
        noise_sigma=54.0,
        feature_names=data.feature_names,
        draws=100,
        tune=100,
    )
    assert list(comparison.posterior.datatree.posterior["beta"].coords["feature"].values) == list(
        data.feature_names
    )


def test_duplicated_columns_are_named_once_per_group():
    """Three copies of one column and two of another: the first of each group is named, once."""
    from regprior.api import warn_degenerate_columns
    from regprior.spec.data import RegressionData

    rng = np.random.default_rng(1)
    base = rng.normal(size=(30, 4))
    X = np.column_stack([base, base[:, 2], base[:, 0], base[:, 2], base[:, 1] + 1e-12])
    with pytest.warns(UserWarning, match=r"first of each: \['x0', 'x2'\]\)") as record:
        warn_degenerate_columns(RegressionData(X, rng.normal(size=30)))
    assert len(record) == 1
