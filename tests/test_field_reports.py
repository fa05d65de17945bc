"""Issue 21: faults users reported against sklearn, statsmodels, glmnet, PyMC, rebuilt here."""

import warnings
from pathlib import Path

import numpy as np
import pytest

import regprior as rp
from regprior.spec.data import RegressionData, warn_degenerate_columns


def _duplicated_design(seed):
    """60 x 5 standard normal, column 4 an exact copy of column 1."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 5))
    X[:, 4] = X[:, 1]
    return X, rng.normal(size=60)


# Seeds 0, 2, 3 gave projections of the equal columns 1 and 4 that differ in the last bits
# (BLAS sums columns at other positions in another order), so the old check missed them.
@pytest.mark.parametrize("seed", [0, 2, 3])
@pytest.mark.parametrize("layout", ["C", "F", "subset"])
def test_exact_duplicates_are_found_whatever_the_layout(seed, layout):
    X, y = _duplicated_design(seed)
    X = {"C": X, "F": np.asfortranarray(X), "subset": X[:, [0, 1, 4]]}[layout]
    with pytest.warns(UserWarning, match=r"duplicated column\(s\) \(first of each: \['x1'\]\)"):
        warn_degenerate_columns(RegressionData(X, y))


def test_signed_zeros_are_equal_and_near_copies_are_not():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    X[:, 2] = X[:, 0]
    X[3, 0], X[3, 2] = 0.0, -0.0
    X[:, 1] = X[:, 0] + 1e-15  # not an exact duplicate: no warning about it
    with pytest.warns(UserWarning, match=r"first of each: \['x0'\]\)") as record:
        warn_degenerate_columns(RegressionData(X, rng.normal(size=20)))
    assert len(record) == 1


@pytest.mark.parametrize("seed", [0, 2, 3])
def test_fit_map_warns_about_exact_duplicates(seed):
    X, y = _duplicated_design(seed)
    with pytest.warns(UserWarning, match=r"duplicated column\(s\)"):
        rp.fit_map(X, y, rp.Laplace(scale=1.0), noise_sigma=1.0)


@pytest.mark.parametrize(
    "estimator",
    [
        rp.NormalPriorRegressor(alpha=1.0),
        rp.LaplacePriorRegressor(alpha=0.1),
        rp.ElasticNetPriorRegressor(alpha=0.1),
        rp.PoissonPriorRegressor(alpha=0.1),
    ],
    ids=type,
)
def test_estimators_warn_about_degenerate_columns(estimator):
    X, y = _duplicated_design(0)
    y = np.round(np.abs(y) * 2)
    with pytest.warns(UserWarning, match=r"duplicated column\(s\) \(first of each: \['x1'\]\)"):
        estimator.fit(X, y)
    X[:, 2] = 3.0
    with pytest.warns(UserWarning, match=r"constant column\(s\) \['x2'\]"):
        estimator.fit(X, y)


def test_classifier_and_sparse_input_warn_too():
    import scipy.sparse

    X, y = _duplicated_design(0)
    with pytest.warns(UserWarning, match=r"first of each: \['x1'\]\)"):
        rp.LogisticPriorClassifier().fit(X, y > 0)
    with pytest.warns(UserWarning, match=r"first of each: \['x1'\]\)"):
        rp.NormalPriorRegressor().fit(scipy.sparse.csr_array(X), y)


def test_estimator_on_clean_columns_is_silent():
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rp.LaplacePriorRegressor(alpha=0.1).fit(rng.normal(size=(30, 4)), rng.normal(size=30))


def test_cli_warns_about_duplicated_columns(tmp_path, capsys):
    from regprior.cli import main

    X, y = _duplicated_design(0)
    path = tmp_path / "dup.csv"
    header = "a,b,c,d,e,target"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="")
    main(["path", "--data", str(path), "--prior", "laplace", "--format", "csv", "--quiet"])
    err = capsys.readouterr().err
    assert "warning: X has duplicated column(s) (first of each: ['b'])" in err


# Item 5: alpha and the prior's scale are two doors to one strength; every estimator refuses both.
@pytest.mark.parametrize(
    "estimator, scales",
    [
        (rp.NormalPriorRegressor, {"prior_scale": 0.7}),
        (rp.LaplacePriorRegressor, {"prior_scale": 0.7}),
        (rp.ElasticNetPriorRegressor, {"prior_scale": 0.7, "prior_sigma": 0.7}),
        (rp.ElasticNetPriorRegressor, {"prior_sigma": 0.7}),
        (rp.PoissonPriorRegressor, {"prior_scale": 0.7}),
    ],
)
@pytest.mark.parametrize("alpha", [0.5, 1.0])  # 1.0, sklearn's default value, given explicitly
def test_alpha_and_a_prior_scale_are_refused_together(estimator, scales, alpha):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.poisson(2.0, size=30).astype(float)
    name = estimator.__name__
    with pytest.raises(
        ValueError,
        match=rf"The 'alpha' parameter of {name} and its prior's scale are two ways to set one "
        rf"strength: give alpha or {' and '.join(scales)}, not both\. Got alpha={alpha}",
    ):
        estimator(alpha=alpha, **scales).fit(X, y)


def test_poisson_prior_scale_alone_sets_the_strength():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.poisson(2.0, size=30).astype(float)
    fit = rp.PoissonPriorRegressor(prior_scale=0.7).fit(X, y)
    assert fit.prior_scale_ == pytest.approx(0.7)
    assert fit.alpha_ == pytest.approx(1 / (30 * 0.7**2))  # alpha = 1 / (S prior_scale^2)
    assert rp.PoissonPriorRegressor().fit(X, y).alpha_ == pytest.approx(1.0)  # sklearn default


# Item 13: a pipeline copied from Lasso / Ridge / ElasticNet runs unchanged.
DROP_IN = {
    rp.NormalPriorRegressor: dict(
        tol=1e-8, max_iter=500, copy_X=False, solver="svd", random_state=0
    ),
    rp.LaplacePriorRegressor: dict(
        tol=1e-8,
        max_iter=500,
        copy_X=False,
        warm_start=True,
        selection="random",
        random_state=np.random.RandomState(0),
        precompute=True,
    ),
    rp.ElasticNetPriorRegressor: dict(
        tol=1e-8, max_iter=500, warm_start=True, selection="cyclic", precompute="auto"
    ),
    rp.PoissonPriorRegressor: dict(tol=1e-8, max_iter=500, warm_start=True),
    rp.LogisticPriorClassifier: dict(tol=1e-8, max_iter=500, warm_start=True),
}


@pytest.mark.parametrize("estimator", list(DROP_IN), ids=lambda cls: cls.__name__)
def test_sklearns_solver_parameters_are_taken(estimator):
    from sklearn.base import clone

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    y = X @ [1.0, 0.0, -0.5, 0.2] + rng.normal(size=40)
    if estimator is rp.PoissonPriorRegressor:
        y = rng.poisson(np.exp(0.3 * X[:, 0])).astype(float)
    elif estimator is rp.LogisticPriorClassifier:
        y = (y > 0).astype(float)
    given = DROP_IN[estimator]
    model = estimator(**given)
    assert clone(model).get_params()["tol"] == 1e-8  # stored unchanged
    reference = estimator().fit(X, y)
    fitted = model.fit(X, y).fit(X, y)  # the second fit starts warm where warm_start is given
    np.testing.assert_allclose(fitted.coef_, reference.coef_, rtol=1e-7, atol=1e-9)


def test_max_iter_is_the_engines_and_short_runs_warn():
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 30))
    X[:, 1:] += X[:, :1]  # strongly correlated columns: coordinate descent needs many sweeps
    y = X[:, 0] + rng.normal(size=50)
    with pytest.warns(ConvergenceWarning, match=r"did not reach tol=1e-10 .* max_iter=1 "):
        rp.LaplacePriorRegressor(alpha=0.01, max_iter=1).fit(X, y)


@pytest.mark.parametrize(
    "parameter, value, message",
    [
        ("precompute", np.eye(3), r"a precomputed Gram matrix is not taken"),
        ("selection", "greedy", r"The 'selection' parameter of LaplacePriorRegressor must be"),
        ("solver", "magic", r"The 'solver' parameter of LaplacePriorRegressor must be"),
        ("tol", 0.0, r"The 'tol' parameter of LaplacePriorRegressor must be"),
        ("max_iter", 0, r"The 'max_iter' parameter of LaplacePriorRegressor must be"),
    ],
)
def test_drop_in_parameters_are_validated_in_fit(parameter, value, message):
    rng = np.random.default_rng(0)
    model = rp.LaplacePriorRegressor(**{parameter: value})  # stored as given: refused in fit
    with pytest.raises(ValueError, match=message):
        model.fit(rng.normal(size=(20, 3)), rng.normal(size=20))


@pytest.mark.parametrize("estimator", [rp.LaplacePriorRegressor, rp.ElasticNetPriorRegressor])
def test_sparse_coef_is_lassos(estimator):
    import scipy.sparse
    from sklearn.linear_model import Lasso

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 6))
    y = X[:, 0] + rng.normal(size=40)
    ours = estimator(alpha=0.3).fit(X, y)
    theirs = Lasso(alpha=0.3).fit(X, y)
    assert scipy.sparse.issparse(ours.sparse_coef_)
    assert ours.sparse_coef_.format == "csr"
    assert ours.sparse_coef_.shape == theirs.sparse_coef_.shape == (1, 6)
    np.testing.assert_array_equal(ours.sparse_coef_.toarray().ravel(), ours.coef_)


# Item 8: finite values whose moments overflow are refused by name before the engine runs.
def _overflowing(where):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
    if where == "X":
        X[4, 1] = 1e300
    elif where == "X everywhere":
        X = X * 1e300
    else:
        y[4] = 1e300
    return X, y


X_MESSAGE = r"X contains values too large for float64 arithmetic: .* column 'x\d' "
Y_MESSAGE = r"y contains values too large for float64 arithmetic"


@pytest.mark.parametrize(
    "where, message",
    [("X", X_MESSAGE), ("X everywhere", X_MESSAGE), ("y", Y_MESSAGE)],
)
@pytest.mark.parametrize("noise_sigma", [1.0, None])  # None: estimated (it used to blame it)
@pytest.mark.parametrize("prior", [rp.Normal(sigma=1.0), rp.Laplace(scale=1.0)], ids=repr)
def test_overflowing_input_is_refused_by_name(where, message, noise_sigma, prior):
    X, y = _overflowing(where)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=message):
            rp.fit_map(X, y, prior, noise_sigma=noise_sigma)


@pytest.mark.parametrize("where", ["X", "y"])
@pytest.mark.parametrize(
    "estimator",
    [rp.NormalPriorRegressor(), rp.LaplacePriorRegressor(), rp.PoissonPriorRegressor()],
    ids=type,
)
def test_estimators_refuse_overflowing_input_by_name(where, estimator):
    X, y = _overflowing(where)
    y = np.abs(y)
    with pytest.raises(ValueError, match=X_MESSAGE if where == "X" else Y_MESSAGE):
        estimator.fit(X, y)


def test_overflowing_sparse_input_and_sample_weight_are_refused():
    import scipy.sparse

    X, y = _overflowing("X")
    with pytest.raises(ValueError, match=X_MESSAGE):
        rp.NormalPriorRegressor().fit(scipy.sparse.csr_array(X), y)
    X, y = _overflowing("none")
    y[4] = 1.0
    with pytest.raises(ValueError, match=r"sample_weight is too large .* its sum overflows"):
        rp.fit_map(X, y, rp.Normal(), noise_sigma=1.0, sample_weight=np.full(30, 1e307))


@pytest.mark.parametrize("noise_sigma", [1e-200, 1e200, 1e-160])
def test_a_noise_sigma_float64_cannot_square_is_refused(noise_sigma):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
    with pytest.raises(
        ValueError,
        match=rf"noise_sigma={noise_sigma!r} is outside what float64".replace("+", r"\+"),
    ):
        rp.fit_map(X, y, rp.Normal(sigma=1.0), noise_sigma=noise_sigma)


def test_a_noise_sigma_too_small_for_the_data_is_refused():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)) * 1e150, rng.normal(size=30)
    with pytest.raises(ValueError, match=r"noise_sigma=1e-10 is too small for these data"):
        rp.fit_map(X, y, rp.Normal(sigma=1.0), noise_sigma=1e-10)


@pytest.mark.parametrize("scale", [1e-8, 1e8, 1e40])
def test_large_but_representable_input_is_fitted(scale):
    """The checks refuse overflow only: data at 1e8 or 1e40 give sklearn's Ridge."""
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3)) * scale
    y = X @ [1.0 / scale, -0.5 / scale, 0.0] + rng.normal(size=30)
    fit = rp.NormalPriorRegressor(alpha=1e-3 * scale**2).fit(X, y)
    theirs = Ridge(alpha=1e-3 * scale**2, solver="svd").fit(X, y)
    np.testing.assert_allclose(fit.coef_ * scale, theirs.coef_ * scale, rtol=1e-8)


# Item 9: every message names its culprit.
def test_a_ragged_nested_list_is_named():
    ragged = [[1.0, 2.0], [3.0], [4.0, 5.0]]
    message = r"X is a ragged nested sequence: its rows have different lengths \(1, 2\)"
    with pytest.raises(ValueError, match=message):
        rp.fit_map(ragged, [1.0, 2.0, 3.0], rp.Normal(), noise_sigma=1.0)
    with pytest.raises(ValueError, match=message):
        rp.NormalPriorRegressor().fit(ragged, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=message):
        rp.LogisticPriorClassifier().fit(ragged, [0, 1, 1])


@pytest.mark.parametrize("weights", [["a"] * 20, ["1.0"] * 20, [object()] * 20])
def test_non_numeric_sample_weights_are_named(weights):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    message = r"sample_weight must hold numbers \(bool, int or float\); got dtype"
    with pytest.raises(TypeError, match=message):
        rp.fit_map(X, y, rp.Normal(), noise_sigma=1.0, sample_weight=weights)
    for estimator in (rp.NormalPriorRegressor(), rp.PoissonPriorRegressor()):
        with pytest.raises(TypeError, match=message):
            estimator.fit(X, np.abs(y), sample_weight=weights)


def test_non_numeric_alphas_are_named():
    from regprior.checks.paths import map_path

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    with pytest.raises(TypeError, match=r"alphas must be .* got \['a', 'b'\], which does not"):
        map_path(X, X[:, 0], "laplace", alphas=["a", "b"], noise_sigma=1.0)


def _write(path, text):
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "content, message",
    [
        (
            "a,b,t\n1,2,3\n4,,6\n7,8,9\n",
            r"column 'b' has 1 .* data row 2 \(line 3 of the file\): an empty",
        ),
        ("a,b,t\n1,x,3\n4,5,6\n", r"column 'b' has 1 .* data row 1 \(line 2 of the file\): 'x'"),
        (
            "a,b,t\n1,2,3\n4,inf,6\n",
            r"column 'b' has 1 .* data row 2 \(line 3 of the file\): 'inf'",
        ),
        ("a,b,t\n1,2,3\n4,5,1e999\n", r"column 't' has 1 .* data row 2 \(line 3 of the file\)"),
        ("", r"data file '.*data\.csv' is empty"),
    ],
    ids=["nan", "text", "inf", "overflowing-literal", "empty"],
)
def test_from_files_names_file_column_and_line(tmp_path, content, message):
    from regprior.spec.statistics import SufficientStatistics

    path = _write(tmp_path / "data.csv", content)
    with pytest.raises(ValueError, match=message):
        SufficientStatistics.from_files(path, target="t")


def test_from_files_names_the_file_of_a_glob(tmp_path):
    from regprior.spec.statistics import SufficientStatistics

    _write(tmp_path / "a.csv", "a,b,t\n1,2,3\n4,5,6\n7,8,10\n")
    _write(tmp_path / "b.csv", "a,b,t\n1,2,3\n4,nope,6\n")
    with pytest.raises(ValueError, match=r"b\.csv': column 'b' .* data row 2 .*: 'nope'"):
        SufficientStatistics.from_files(str(tmp_path / "*.csv"), target="t")


@pytest.mark.parametrize("cell", ["inf", "-inf", "1e999"])
def test_a_csv_cell_that_parses_to_inf_is_named(tmp_path, cell):
    from regprior.spec.data import load_csv

    path = _write(tmp_path / "data.csv", f"a,b,t\n1,2,3\n4,{cell},6\n7,8,9\n")
    with pytest.raises(
        ValueError,
        match=r"column 'b' has 1 missing or non-finite value\(s\), the first in data "
        r"row 2 \(line 3 of the file\)",
    ):
        load_csv(path)


def test_a_model_file_that_is_not_utf8_is_named(tmp_path, capsys):
    from regprior.catalogue import load_model_spec
    from regprior.cli import main

    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "x"\n# café\n'.encode("latin-1"))
    message = r"latin1\.toml: not UTF-8 text \(invalid continuation byte at byte 16, line 2\)"
    with pytest.raises(ValueError, match=message):
        load_model_spec(str(path))
    assert main(["compare", "--model", str(path), "--alpha", "0.1"]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: rp.Normal(sigma=1e-200), r"The 'sigma' parameter of Normal must be a float in"),
        (lambda: rp.Normal(sigma=1e300), r"The 'sigma' parameter of Normal must be a float in"),
        (lambda: rp.Laplace(scale=1e-300), r"The 'scale' parameter of Laplace must be a float"),
        (lambda: rp.ElasticNetPrior(scale=1.0, sigma=1e-160), r"The 'sigma' parameter of Elas"),
        (lambda: rp.Normal(mu=1e300), r"The 'mu' parameter of Normal is too far from 0"),
        (lambda: rp.Normal(mu=1e100, sigma=1e-100), r"\(mu / sigma\)\*\*2 overflows float64"),
    ],
)
def test_priors_float64_cannot_represent_are_refused_when_built(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_priors_at_representable_extremes_are_kept():
    assert rp.Normal(sigma=1e-150).sigma == 1e-150
    assert rp.Laplace(mu=1e100, scale=1e50).scale == 1e50


# Item 10: the weights column must not be the target (as the CLI's CSV loader says).
def test_from_files_refuses_the_target_as_weights(tmp_path):
    from regprior.spec.statistics import SufficientStatistics

    path = _write(tmp_path / "data.csv", "a,b,t,w\n1,2,3,3\n4,5,6,6\n7,8,10,10\n")
    with pytest.raises(ValueError, match="the weights column must differ from the target"):
        SufficientStatistics.from_files(path, target="t", weights="t")
    with pytest.raises(ValueError, match="the weights column 'w' holds the same values as the "):
        SufficientStatistics.from_files(path, target="t", weights="w")


# Item 11: an --out the operating system refuses is bad input, found before any work.
@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("out", ["/proc/regprior-out", "/proc/regprior-out/nested", "/proc/self"])
def test_an_out_folder_the_os_refuses_is_refused_up_front(out, capsys, monkeypatch):
    from regprior.checks import paths
    from regprior.cli import main

    def no_work(*args, **kwargs):
        raise AssertionError("the path was computed although --out cannot be written")

    monkeypatch.setattr(paths, "compare_paths", no_work)
    status = main(["path", "--prior", "laplace", "--out", out, "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1
    assert f"--out {out!r} cannot be written: creating a folder in" in err


def test_a_writable_out_folder_leaves_no_probe(tmp_path):
    from regprior.cli._options import check_out

    check_out(tmp_path / "new" / "deeper")
    check_out(tmp_path)
    assert list(tmp_path.iterdir()) == []


# Item 12: Ridge on p > n at a tiny alpha is solved where the Cholesky solve is not accurate.
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [1e-6, 1e-8, 1e-10])
@pytest.mark.parametrize("weighted", [False, True])
def test_wide_ridge_at_a_tiny_alpha_is_sklearns_svd_solution(fit_intercept, alpha, weighted):
    from sklearn.linear_model import Ridge

    # sklearn's "wide" ridge data (test_ridge.py's ols_ridge_dataset): n < p, y in X's span
    # plus noise; a vanishing alpha approaches the minimum-norm least-squares solution.
    rng = np.random.default_rng(42)
    n, p = 6, 12
    X = rng.uniform(size=(n, p)) * 3 + rng.normal(size=(n, p))
    y = X @ rng.uniform(low=-10, high=10, size=p) + rng.normal(size=n)
    sample_weight = rng.uniform(0.5, 2.0, size=n) if weighted else None
    ours = rp.NormalPriorRegressor(alpha=alpha, fit_intercept=fit_intercept, noise_sigma=1.0)
    ours.fit(X, y, sample_weight=sample_weight)
    theirs = Ridge(alpha=alpha, solver="svd", fit_intercept=fit_intercept)
    theirs.fit(X, y, sample_weight=sample_weight)
    # Both sides solve through the SVD: rounding only (it was 1e-10 to 3e-6 through Cholesky).
    scale = np.linalg.norm(theirs.coef_)
    assert np.linalg.norm(ours.coef_ - theirs.coef_) <= 1e-10 * scale
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-10, abs=1e-10 * scale)


def test_the_svd_solve_is_certified_and_says_so():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 8)), rng.normal(size=5)
    result = rp.fit_map(X, y, rp.Normal(sigma=1e4), noise_sigma=1.0)  # alpha 1e-8
    assert result.solve == "svd" and result.converged
    tall = rng.normal(size=(50, 3))
    assert rp.fit_map(tall, tall[:, 0], rp.Normal(sigma=1.0), noise_sigma=1.0).solve == "newton"
