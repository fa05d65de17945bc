"""Projection predictive selection: the projection, the searches, the rule, the inputs, one run."""

import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import regprior as rp
from regprior.inference import PosteriorResult
from regprior.selection.performance import suggest_size
from regprior.selection.projection import (
    ReferenceDraws,
    cluster_draws,
    project,
    single_draws,
)
from regprior.selection.search import forward_ranking, l1_ranking


def _draws(n=60, p=7, n_draws=5, seed=0, likelihood=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) @ np.triu(np.full((p, p), 0.3)) + rng.standard_normal((n, p))
    coef = rng.standard_normal((n_draws, p))
    intercept = rng.standard_normal(n_draws)
    noise = 0.5 + rng.random(n_draws)
    likelihood = rp.Gaussian(1.0) if likelihood is None else likelihood
    has_noise = likelihood.noise_parameter is not None
    return X, ReferenceDraws(coef, intercept, noise if has_noise else None, likelihood)


@pytest.mark.parametrize("weighted", [False, True])
def test_gaussian_projection_of_a_draw_is_least_squares_of_its_fit(weighted):
    X, draws = _draws()
    weights = np.random.default_rng(1).uniform(0.5, 2.0, len(X)) if weighted else np.ones(len(X))
    features = [1, 3, 4]
    projection = project(single_draws(draws, X, weights), X, weights, draws.likelihood, features)
    design = np.column_stack([np.ones(len(X)), X[:, features]])
    root = np.sqrt(weights)
    for s, mu in enumerate(draws.fit(X)):
        expected, *_ = np.linalg.lstsq(design * root[:, None], mu * root, rcond=None)
        # Two least-squares solves of a well-conditioned 60 x 4 problem: agreement to ~1e-14.
        assert_allclose(projection.intercept[s], expected[0], rtol=1e-10, atol=1e-10)
        assert_allclose(projection.coef[s], expected[1:], rtol=1e-10, atol=1e-10)
        assert_allclose(projection.eta[s], design @ expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_sigma_projection_follows_the_formula(weighted):
    X, draws = _draws()
    n = len(X)
    weights = np.random.default_rng(2).uniform(0.5, 2.0, n) if weighted else np.ones(n)
    projection = project(single_draws(draws, X, weights), X, weights, draws.likelihood, [0, 2])
    mu = draws.fit(X)
    # sigma_perp^2 = sigma^2 + (1/n) sum_i w_i (mu_i - mu_perp_i)^2 (precision weights: 1/n).
    expected = np.sqrt(draws.noise**2 + ((mu - projection.eta) ** 2 @ weights) / n)
    assert_allclose(projection.noise, expected, rtol=1e-12)


def test_sigma_projection_minimises_the_kl_divergence():
    """The formula is the minimiser of sum_i KL(N(mu_i, s^2/w_i) || N(mu_perp_i, t^2/w_i))."""
    X, draws = _draws(n_draws=1)
    weights = np.random.default_rng(3).uniform(0.5, 2.0, len(X))
    projection = project(single_draws(draws, X, weights), X, weights, draws.likelihood, [5])
    mu, sigma = draws.fit(X)[0], draws.noise[0]

    def kl(t):
        variance, perp = sigma**2 / weights, t**2 / weights
        return np.sum(
            np.log(t / sigma) + (variance + (mu - projection.eta[0]) ** 2) / (2 * perp) - 0.5
        )

    best = projection.noise[0]
    assert kl(best) < kl(best * (1 + 1e-4)) and kl(best) < kl(best * (1 - 1e-4))


def test_a_cluster_is_projected_as_the_mixture_of_its_draws():
    X, draws = _draws(n_draws=6)
    weights = np.ones(len(X))
    clusters = cluster_draws(draws, X, weights, 1)
    projection = project(clusters, X, weights, draws.likelihood, [0, 1])
    singles = project(single_draws(draws, X, weights), X, weights, draws.likelihood, [0, 1])
    # Least squares is linear: the mixture's projection is the mean of the draws' projections;
    # its sigma^2 is the mean over the draws of sigma_s^2 + (1/n) ||mu_s - mu_perp||_w^2 with the
    # one common mu_perp (more than the mean of the draws' own projected sigma^2).
    assert_allclose(projection.coef[0], singles.coef.mean(axis=0), rtol=1e-10)
    mu = draws.fit(X)
    expected = np.mean(draws.noise**2 + ((mu - projection.eta[0]) ** 2).sum(axis=1) / len(X))
    assert_allclose(projection.noise[0] ** 2, expected, rtol=1e-10)
    assert projection.noise[0] ** 2 > np.mean(singles.noise**2)


def test_glm_projection_is_the_maximum_likelihood_fit_to_the_mean_response():
    from sklearn.linear_model import LogisticRegression

    X, draws = _draws(n_draws=2, likelihood=rp.Bernoulli())
    weights = np.ones(len(X))
    projection = project(single_draws(draws, X, weights), X, weights, draws.likelihood, [0, 4])
    target = draws.likelihood.mean(draws.fit(X))[0]
    # Fractional targets as two weighted rows: the same log likelihood, sklearn's unpenalised fit.
    rows = np.concatenate([X[:, [0, 4]]] * 2)
    labels = np.concatenate([np.ones(len(X)), np.zeros(len(X))])
    fit = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    fit.fit(rows, labels, sample_weight=np.concatenate([target, 1 - target]))
    # Both are Newton solves to a ~1e-12 gradient on a well-conditioned problem.
    assert_allclose(projection.coef[0], fit.coef_[0], rtol=1e-7, atol=1e-8)
    assert_allclose(projection.intercept[0], fit.intercept_[0], rtol=1e-7, atol=1e-8)


def _entry_order(coefs):
    """Features by the first grid point where their weight is non-zero; asserts no ties."""
    active = coefs != 0
    first = np.where(active.any(axis=0), np.argmax(active, axis=0), len(coefs))
    entered = first[first < len(coefs)]
    assert len(np.unique(entered)) == len(entered), "the reference grid does not resolve entries"
    return list(np.argsort(first, kind="stable")[: len(entered)])


def test_l1_ranking_is_the_order_of_entry_along_sklearns_lasso_path():
    from sklearn.linear_model import lasso_path

    data = rp.load_diabetes()
    X = data.X
    rng = np.random.default_rng(0)
    # A reference's mean fit: a shrunken least-squares fit plus a smooth perturbation.
    coef = np.linalg.lstsq(np.column_stack([np.ones(len(X)), X]), data.y, rcond=None)[0]
    target = coef[0] + X @ (0.8 * coef[1:] + rng.normal(0, 20, X.shape[1]))
    ranking, _ = l1_ranking(X, target, np.ones(len(X)), rp.Gaussian(1.0))
    centred = X - X.mean(axis=0)
    alpha_max = np.max(np.abs(centred.T @ (target - target.mean()))) / len(X)
    alphas = np.geomspace(alpha_max, alpha_max * 1e-4, 4000)
    _, coefs, _ = lasso_path(
        centred, target - target.mean(), alphas=alphas, tol=1e-12, max_iter=100_000
    )
    expected = _entry_order(coefs.T)
    assert ranking[: len(expected)] == expected


def test_forward_search_is_greedy_in_the_mean_projected_residual_sum_of_squares():
    X, draws = _draws(n=80, p=6, n_draws=8, seed=4)
    weights = np.ones(len(X))
    clusters = cluster_draws(draws, X, weights, 3, random_seed=0)
    ranking, divergences = forward_ranking(clusters, X, weights, draws.likelihood, 4)
    chosen = []
    for step in range(4):
        scores = {
            j: project(clusters, X, weights, draws.likelihood, chosen + [j]).mean_divergence
            for j in range(X.shape[1])
            if j not in chosen
        }
        chosen.append(min(scores, key=scores.get))
        assert_allclose(divergences[step + 1], scores[chosen[-1]], rtol=1e-9)
    assert ranking == chosen


@pytest.mark.parametrize("likelihood", [rp.Bernoulli(), rp.Poisson()])
def test_glm_forward_search_is_greedy_in_the_mean_projected_divergence(likelihood):
    X, draws = _draws(n=80, p=5, n_draws=6, seed=5, likelihood=likelihood)
    draws = ReferenceDraws(0.3 * draws.coef, 0.1 * draws.intercept, None, likelihood)
    weights = np.ones(len(X))
    clusters = cluster_draws(draws, X, weights, 2, random_seed=0)
    ranking, divergences = forward_ranking(clusters, X, weights, likelihood, 3)
    chosen = []
    for step in range(3):
        scores = {
            j: project(clusters, X, weights, likelihood, chosen + [j]).mean_divergence
            for j in range(X.shape[1])
            if j not in chosen
        }
        chosen.append(min(scores, key=scores.get))
        # Newton to a 1e-10 relative gradient from two starts: objectives agree to ~1e-12.
        assert_allclose(divergences[step + 1], scores[chosen[-1]], rtol=1e-9)
    assert ranking == chosen


@pytest.mark.parametrize("likelihood", [rp.Bernoulli(), rp.Poisson()])
def test_glm_l1_ranking_starts_where_the_null_gradient_is_largest(likelihood):
    X, draws = _draws(n=80, p=5, n_draws=4, seed=6, likelihood=likelihood)
    draws = ReferenceDraws(0.3 * draws.coef, 0.1 * draws.intercept, None, likelihood)
    target = likelihood.mean(draws.fit(X)).mean(axis=0)  # fractional for the Bernoulli
    ranking, details = l1_ranking(X, target, np.ones(len(X)), likelihood)
    # At the null model (intercept only, fitted to the target's mean) the first feature to
    # enter the L1 path is the one whose gradient is largest in absolute value.
    start = likelihood.intercept_start(target, np.ones(len(X)))
    centred = X - X.mean(axis=0)
    gradient = likelihood.coef_gradient(centred, target, np.ones(len(X)), np.full(len(X), start))
    assert ranking[0] == int(np.argmax(np.abs(gradient)))
    assert sorted(ranking) == list(range(5)) and details["solves"] >= 100


@pytest.mark.parametrize(
    ("differences", "ses", "expected"),
    [
        ([-10.0, -5.0, -1.5, -0.5, 0.2], [2.0, 2.0, 1.0, 1.0, 1.0], 3),
        ([-10.0, 0.5, -0.1], [1.0, 0.1, 1.0], 1),  # the first size above, not the best
        ([-3.0, -1.0, -2.0], [1.0, 1.0, 1.0], None),  # an upper bound exactly 0 is not above 0
        ([0.0], [0.0], None),
    ],
)
def test_the_suggestion_rule_on_a_constructed_table(differences, ses, expected):
    assert suggest_size(differences, ses) == expected


def test_the_suggestion_rule_refuses_bad_tables():
    with pytest.raises(ValueError, match="1-D arrays of one length"):
        suggest_size([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="non-negative"):
        suggest_size([1.0], [-1.0])


def _small():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 5))
    return X, X[:, 0] + rng.standard_normal(40)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"method": "lasso"}, ValueError, r"method must be one of \('l1', 'forward'\)"),
        ({"cv": 1}, ValueError, r"cv must be an integer in \[2, 40\]"),
        ({"cv": True}, TypeError, "cv must be an integer"),
        ({"max_size": 0}, ValueError, r"max_size must be an integer in \[1, 5\]"),
        ({"n_clusters": 0}, ValueError, "n_clusters must be an integer >= 1"),
        ({"n_projection_draws": 1}, ValueError, "n_projection_draws must be an integer >= 2"),
        ({"truth": ["x0", "z"]}, ValueError, r"truth: unknown feature name\(s\) \['z'\]"),
        ({"likelihood": "bernoulli"}, TypeError, "likelihood must be a regprior likelihood"),
        ({"lasso": 1}, TypeError, "lasso must be a bool"),
        ({"draws": 0}, ValueError, "draws"),
    ],
)
def test_bad_input_is_refused_before_any_fit(options, error, match):
    X, y = _small()
    with pytest.raises(error, match=match):
        rp.select_variables(X, y, rp.LearnedScale(), **options)


def test_a_reference_that_is_not_a_specification_is_refused():
    X, y = _small()
    with pytest.raises(TypeError, match="reference must be a regprior prior"):
        rp.select_variables(X, y, "horseshoe")


def test_cross_validation_of_a_fitted_reference_needs_its_specification():
    X, y = _small()
    fitted = PosteriorResult(None, pd.DataFrame(), 0, 10, 1, 0.0)
    with pytest.raises(ValueError, match="needs the specification it was fitted with"):
        rp.select_variables(X, y, fitted, cv=5)


@pytest.mark.slow
def test_a_small_selection_end_to_end():
    rng = np.random.default_rng(1)
    n, p = 120, 8
    X = rng.standard_normal((n, p))
    X[:, 1] += 0.6 * X[:, 0]  # correlated features
    y = 3.0 * X[:, 0] - 2.0 * X[:, 2] + rng.standard_normal(n)
    names = [f"f{j}" for j in range(p)]
    selection = rp.select_variables(
        X,
        y,
        rp.LearnedScale(),
        cv=2,
        draws=300,
        tune=300,
        chains=2,
        cv_draws=200,
        cv_tune=200,
        n_projection_draws=100,
        feature_names=names,
        truth=["f0", "f2"],
    )
    assert selection.ranking[:2] in (("f0", "f2"), ("f2", "f0"))
    assert set(selection.selected) >= {"f0", "f2"} and selection.suggested_size <= 4
    assert selection.suggestion_source == "cv" and len(selection.fold_rankings) == 2
    assert {"elpd_loo", "diff_se_loo", "elpd_cv", "diff_se_cv", "cv_proportion"} <= set(
        selection.table
    )
    lasso = selection.lasso.set_index("method")
    assert lasso["size"].iloc[0] == selection.suggested_size
    assert "false_positives" in lasso
    projected = selection.project(2)
    assert projected.features == selection.ranking[:2]
    assert list(projected.summary.index) == [*selection.ranking[:2], "intercept", "noise_sigma"]
    assert "suggested size" in selection._repr_html_()


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--cv", "1"], "--cv must be 0"),
        (["--clusters", "0"], "--clusters must be an integer >= 1"),
        (["--max-size", "11"], r"--max-size must be an integer in \[1, 10\]"),
        (["--likelihood", "poisson", "--reference", "learnt_normal"], "catalogued full-Bayes"),
        (["--reference", "nope"], "nope"),
    ],
)
def test_the_select_command_refuses_bad_input(argv, match, capsys):
    from regprior.cli import main

    assert main(["select", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("regprior select: error: ") and re.search(match, err)


@pytest.mark.slow
def test_the_select_command_writes_its_report(tmp_path, capsys):
    from regprior.cli import main

    out = tmp_path / "select"
    argv = ["select", "--cv", "0", "--draws", "200", "--tune", "200", "--chains", "2"]
    assert main([*argv, "--noise-columns", "5", "--out", str(out)]) in (0, 1)
    names = {p.name for p in out.iterdir()}
    assert {"selection.csv", "selection.json", "selection.png", "report.html"} <= names
    page = (out / "report.html").read_text()
    assert "Projection predictive selection beside the Lasso" in page and "data:image/png" in page
    assert "Lasso at the CV alpha" in capsys.readouterr().out
