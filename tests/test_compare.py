"""The comparison table and its verdict: it passes when it should, and it can fail."""

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose

from conftest import DIABETES_NOISE_SIGMA, prior_at
from regprior import Laplace, Normal, compare
from regprior.checks.comparison import compare_data, comparison_table
from regprior.checks.verdict import judge
from regprior.spec.data import load_diabetes
from regprior.spec.likelihoods import Gaussian


@pytest.fixture(scope="module")
def lasso_comparison(diabetes):
    prior = prior_at("laplace", noise_sigma=DIABETES_NOISE_SIGMA, weight_sum=442, alpha=0.3)
    return compare_data(diabetes, prior, Gaussian(DIABETES_NOISE_SIGMA), sample=False)


@pytest.fixture(scope="module")
def sampled_ridge(diabetes):
    prior = prior_at("normal", noise_sigma=DIABETES_NOISE_SIGMA, weight_sum=442, alpha=0.1)
    return compare_data(
        diabetes, prior, Gaussian(DIABETES_NOISE_SIGMA), draws=1000, tune=1000, random_seed=3
    )


def test_lasso_comparison_passes_with_exact_zeros(lasso_comparison, diabetes):
    c = lasso_comparison
    assert c.verdict.passed, c.verdict.problems
    assert c.verdict.support_match
    assert (c.table.loc[:, "map"] == 0).sum() >= 3  # alpha=0.3 zeroes several weights
    assert c.verdict.max_abs_diff <= c.verdict.tolerance
    assert list(c.table.index) == list(diabetes.feature_names) + ["intercept"]


def test_verdict_fails_on_a_wrong_map(lasso_comparison):
    c = lasso_comparison
    coef = c.map_result.coef.copy()
    coef[np.argmax(np.abs(coef))] *= 1 + 1e-6  # a 1e-6 relative error: 100x the tolerance
    wrong = dataclasses.replace(c.map_result, coef=coef)
    flags, verdict = judge(_build_table_for(c, wrong), map_result=wrong, sklearn_fit=c.sklearn_fit)
    assert not verdict.passed
    assert "max |MAP - sklearn|" in verdict.problems[0]
    # The flag sits on the perturbed row, and only there: flags and verdict come from one check.
    assert flags[flags != ""].to_dict() == {c.table.index[np.argmax(np.abs(coef))]: "map!=sklearn"}


def test_verdict_fails_on_a_near_zero_that_is_not_exact(lasso_comparison):
    c = lasso_comparison
    coef = c.map_result.coef.copy()
    coef[np.flatnonzero(coef == 0)[0]] = 1e-12  # what a gradient optimiser returns
    wrong = dataclasses.replace(c.map_result, coef=coef)
    _, verdict = judge(_build_table_for(c, wrong), map_result=wrong, sklearn_fit=c.sklearn_fit)
    assert not verdict.support_match
    assert not verdict.passed


def test_verdict_fails_on_a_poor_certificate(lasso_comparison):
    c = lasso_comparison
    wrong = dataclasses.replace(c.map_result, kkt_residual=1e-4)
    _, verdict = judge(c.table, map_result=wrong, sklearn_fit=c.sklearn_fit)
    assert verdict.problems == ("KKT residual 1.0e-04 > 1e-08",)


def _build_table_for(c, map_result):
    return comparison_table(
        load_diabetes(), c.sklearn_fit, map_result, fit_intercept=c.fit_intercept
    )


@pytest.mark.slow
def test_sampled_ridge_agrees_with_exact_posterior(sampled_ridge):
    c = sampled_ridge
    assert c.verdict.passed, c.verdict.problems
    assert c.verdict.exact_agreement and c.verdict.sampler_healthy
    # The exact posterior mean is the Ridge solution (conjugacy): 1e-8 like the MAP.
    assert_allclose(
        c.table["exact_mean"],
        c.table["sklearn"],
        rtol=0,
        atol=1e-8 * c.table["sklearn"].abs().max(),
    )
    assert (c.table["flags"] == "").all()


@pytest.mark.slow
def test_unhealthy_sampler_is_flagged_in_the_table_and_verdict(sampled_ridge):
    c = sampled_ridge
    summary = c.posterior.summary.copy()
    summary.loc["bmi", "r_hat"] = 1.05
    summary.loc["sex", "ess_bulk"] = 50.0
    sick = dataclasses.replace(c.posterior, summary=summary, divergences=3)
    table = comparison_table(load_diabetes(), c.sklearn_fit, c.map_result, sick, c.exact)
    flags, verdict = judge(
        table, map_result=c.map_result, sklearn_fit=c.sklearn_fit, divergences=sick.divergences
    )
    assert "r_hat>1.01" in flags["bmi"] and "ess<400" in flags["sex"]
    assert not verdict.sampler_healthy and not verdict.passed
    assert any("3 divergent transitions" in p for p in verdict.problems)


def test_nuts_far_from_exact_fails(sampled_ridge):
    c = sampled_ridge
    table = c.table.copy()
    table.loc["bmi", "mean_error_mcse"] = 6.0
    table.loc["bp", "sd_ratio"] = 1.2
    flags, verdict = judge(
        table,
        map_result=c.map_result,
        sklearn_fit=c.sklearn_fit,
        divergences=c.posterior.divergences,
    )
    assert verdict.exact_agreement is False
    assert "mean>4mcse" in flags["bmi"] and "sd>10%off" in flags["bp"]
    assert any("by > 4 MCSE: ['bmi']" in p for p in verdict.problems)
    assert any("by > 10%: ['bp']" in p for p in verdict.problems)


def test_array_api_and_json_contract(diabetes):
    c = compare(
        diabetes.X,
        diabetes.y,
        Laplace(scale=50.0),
        noise_sigma=DIABETES_NOISE_SIGMA,
        sample=False,
        feature_names=diabetes.feature_names,
    )
    record = c.to_dict()
    assert set(record) >= {
        "mapping",
        "coefficients",
        "intercept",
        "verdict",
        "diagnostics",
        "timings",
    }
    assert set(record["mapping"]) >= {"alpha", "prior_scale", "n_samples", "noise_sigma"}
    assert record["coefficients"][0]["feature"] == "age"
    assert set(record["coefficients"][0]) >= {"feature", "sklearn", "map", "abs_diff"}
    assert set(record["verdict"]) >= {"max_abs_diff", "support_match", "certificate", "passed"}
    assert_allclose(record["mapping"]["alpha"], DIABETES_NOISE_SIGMA**2 / (442 * 50.0), rtol=1e-15)
    assert record["mapping"]["noise_sigma_source"] == "given"


def test_noise_sigma_default_is_the_ols_residual_sd(diabetes):
    from sklearn.linear_model import LinearRegression

    c = compare(diabetes.X, diabetes.y, Normal(sigma=100.0), sample=False)
    ols = LinearRegression().fit(diabetes.X, diabetes.y)
    residual_sd = np.sqrt(np.sum((diabetes.y - ols.predict(diabetes.X)) ** 2) / (442 - 10 - 1))
    assert_allclose(c.likelihood.noise_sigma, residual_sd, rtol=1e-10)
    assert c.likelihood.source == "OLS residual sd (dof=431)"
    assert "OLS residual sd" in c.to_text()
