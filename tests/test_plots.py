"""Plots are checked on what they draw (ArviZ backend "none"), not on pixels."""

import numpy as np
import pytest

from conftest import prior_at
from regprior.checks.comparison import compare_data
from regprior.report.plots import plot_posterior_with_estimates
from regprior.spec.likelihoods import Gaussian


@pytest.mark.slow
def test_reference_lines_are_the_map_and_sklearn_estimates(diabetes):
    prior = prior_at("laplace", noise_sigma=54.0, weight_sum=442, alpha=0.3)
    comparison = compare_data(diabetes, prior, Gaussian(54.0), draws=200, tune=200)
    plot = plot_posterior_with_estimates(comparison, backend="none")
    lines = plot.viz["ref_line"]["beta"]
    assert list(lines["ref_dim"].values) == ["MAP", "sklearn"]
    drawn = np.array(
        [
            [lines.sel(ref_dim=r, feature=f).item()["x"] for f in diabetes.feature_names]
            for r in ("MAP", "sklearn")
        ]
    )
    np.testing.assert_array_equal(drawn[0], comparison.map_result.coef)
    np.testing.assert_array_equal(drawn[1], comparison.sklearn_fit.coef)
    # One density per coefficient.
    assert plot.viz["dist"]["beta"].sizes["feature"] == 10


def test_plot_needs_a_posterior(diabetes):
    prior = prior_at("normal", noise_sigma=54.0, weight_sum=442, alpha=0.3)
    comparison = compare_data(diabetes, prior, Gaussian(54.0), sample=False)
    with pytest.raises(ValueError, match="comparison has no posterior to plot"):
        plot_posterior_with_estimates(comparison, backend="none")


@pytest.mark.slow
def test_forest_draws_both_point_estimates_for_each_model(diabetes):
    from regprior.report.plots import plot_forest_comparison

    comparisons = {
        family: compare_data(
            diabetes,
            prior_at(family, noise_sigma=54.0, weight_sum=442, alpha=alpha),
            Gaussian(54.0),
            draws=200,
            tune=200,
        )
        for family, alpha in (("normal", 0.1), ("laplace", 0.3))
    }
    plot = plot_forest_comparison(comparisons, backend="none")
    for visual, attribute in (("map_estimate", "map_result"), ("sklearn_estimate", "sklearn_fit")):
        drawn = plot.viz[visual]["beta"]
        for family in comparisons:
            xs = [
                np.ravel(drawn.sel(model=family, feature=f).item()["x"])[0]
                for f in diabetes.feature_names
            ]
            np.testing.assert_array_equal(xs, getattr(comparisons[family], attribute).coef)


def test_path_plot_marks_the_cv_and_one_se_alphas():
    import matplotlib

    matplotlib.use("Agg")
    from regprior.checks.paths import (
        alpha_grid,
        compare_paths,
        cross_validation_marks,
        path_for_data,
        sklearn_path,
    )
    from regprior.report.plots import plot_path
    from regprior.spec.data import load_diabetes
    from regprior.spec.likelihoods import Gaussian

    data, likelihood = load_diabetes(), Gaussian(54.0)
    marks = cross_validation_marks(data, "laplace", likelihood)
    # The 1-SE rule never picks a weaker penalty than CV's minimum
    # (LassoCV on diabetes: 0.0038, 0.187).
    assert set(marks) == {"CV", "1-SE"} and marks["1-SE"] > marks["CV"]
    alphas = alpha_grid(data, "laplace", n_alphas=10)
    path, model = path_for_data(data, "laplace", likelihood, alphas)
    figure = plot_path(
        compare_paths(path, sklearn_path(data, "laplace", alphas), model=model), marks=marks
    )
    lines = [line for line in figure.axes[0].get_lines() if line.get_gid() == "mark"]
    assert [line.get_xdata()[0] for line in lines] == [marks["CV"], marks["1-SE"]]
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert any(label.startswith("1-SE alpha = 0.187") for label in labels)


def test_every_prior_family_has_its_colour():
    from regprior import registry

    families = {
        family
        for likelihood in registry.likelihood_families()
        for family in registry.prior_families(likelihood)
    }
    assert families <= set(registry.PRIOR_COLOURS)


def test_ridge_path_marks_the_evidence_maximum():
    from sklearn.linear_model import BayesianRidge

    from regprior.checks.paths import cross_validation_marks
    from regprior.spec.data import load_diabetes
    from regprior.spec.likelihoods import Gaussian

    data = load_diabetes()
    marks = cross_validation_marks(data, "normal", Gaussian(54.0))
    bayes = BayesianRidge(
        alpha_1=0, alpha_2=0, lambda_1=0, lambda_2=0, tol=1e-12, max_iter=10_000
    ).fit(data.X, data.y)
    # Two fixed-point solvers of the same evidence: 1e-6 relative (issue 11's bar).
    np.testing.assert_allclose(marks["EB"], bayes.lambda_ / bayes.alpha_, rtol=1e-6)
    assert set(marks) == {"CV", "1-SE", "EB"}
