"""Issue 27: what a user meets on the posterior side once the numbers are right.

Exact fits refused with a way through (type-II ML), every ``--alpha eb`` refusal naming a way
that works, and the LOO command on Poisson data.
"""

import numpy as np
import pytest

from regprior.cli import main


def write_csv(path, X, y):
    header = ",".join([*(f"x{j}" for j in range(X.shape[1])), "y"])
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="")
    return str(path)


@pytest.fixture
def small_csv(tmp_path):
    # 4 x 3 with an intercept: n = p + 1, fitted exactly by least squares.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 3))
    return write_csv(tmp_path / "small.csv", X, X @ [1.0, 2.0, 3.0] + rng.normal(size=4))


@pytest.fixture
def wide_csv(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 40))
    return write_csv(tmp_path / "wide.csv", X, X[:, :3] @ [1.0, 2.0, 3.0] + rng.normal(size=20))


def one_line(capsys):
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


def test_path_of_the_normal_prior_on_an_exact_fit_runs_without_its_evidence_mark(
    wide_csv, tmp_path, capsys
):
    # Before: type2_ml divided by a zero residual while drawing the EB mark (exit 3, no file).
    out = tmp_path / "out"
    argv = ["path", "--data", wide_csv, "--prior", "normal", "--noise-sigma", "1"]
    assert main([*argv, "--n-alphas", "5", "--format", "csv", "--out", str(out)]) == 0
    assert (out / "path_normal.png").exists()


def test_path_without_a_noise_sigma_on_an_exact_fit_names_the_flag(wide_csv, capsys):
    assert main(["path", "--data", wide_csv, "--prior", "normal", "--n-alphas", "5"]) == 2
    assert "pass noise_sigma explicitly" in one_line(capsys)


def test_compare_eb_on_an_exact_fit_says_why_and_what_works(small_csv, capsys):
    # Before: "noise_sigma cannot be estimated by least squares ...; pass noise_sigma
    # explicitly", although eb does not use that estimate.
    assert main(["compare", "--data", small_csv, "--prior", "normal", "--alpha", "eb"]) == 2
    err = one_line(capsys)
    assert err.startswith("regprior compare: error: --alpha eb: type-II ML needs a residual")
    assert "n_samples=4 <= n_features + intercept=4" in err
    assert "--noise-sigma" in err and "--alpha bayes" in err


def test_compare_eb_with_a_noise_sigma_names_the_ways_that_take_it(small_csv, capsys):
    argv = ["compare", "--data", small_csv, "--prior", "normal", "--no-sample"]
    assert main([*argv, "--alpha", "eb", "--noise-sigma", "1"]) == 2
    assert "drop --noise-sigma (a given noise sigma or centre goes with --alpha cv" in one_line(
        capsys
    )
    # ... and that way works on the same data.
    assert main([*argv, "--alpha", "cv", "--noise-sigma", "1", "--format", "csv"]) == 0


def test_compare_eb_without_a_residual_need_not_estimate_one():
    # eb on data with a residual but no least-squares sigma asked for still works (diabetes).
    assert main(["compare", "--prior", "normal", "--alpha", "eb", "--no-sample", "--quiet"]) == 0


@pytest.mark.parametrize(
    ("likelihood", "family", "strength"),
    [("poisson", "normal", {"alpha": 0.01}), ("bernoulli", "laplace", {"C": 0.5})],
)
def test_a_penalty_scaled_by_ten_is_ten_times_alpha_or_a_tenth_of_c(likelihood, family, strength):
    from regprior import registry
    from regprior.checks.loo import _scaled_penalty
    from regprior.spec.likelihoods import likelihood_class

    nominal = likelihood_class(likelihood).nominal()
    prior = registry.prior_from_sklearn_strength(family, strength, nominal, 50.0)
    stronger = registry.sklearn_strength(_scaled_penalty(prior, nominal, 50.0, 10.0), nominal, 50.0)
    [(name, value)] = [(k, v) for k, v in strength.items()]
    expected = value * 10.0 if name == "alpha" else value / 10.0
    # Two exact maps and their inverses in double precision.
    np.testing.assert_allclose(stronger[name], expected, rtol=1e-12)


@pytest.mark.slow
def test_loo_on_the_poisson_example_compares_the_one_prior_at_three_strengths(capsys):
    # Before: exit 2, "LOO compares at least two models: give two families or keep the
    # full-Bayes models", although the Poisson likelihood has one family and no full-Bayes model.
    argv = ["loo", "--likelihood", "poisson", "--draws", "300", "--tune", "300", "--chains", "2"]
    status = main([*argv, "--format", "csv"])
    captured = capsys.readouterr()
    out = captured.out
    assert status in (0, 1), captured.err  # 1: a short run may flag an r_hat
    assert "normal at the CV alpha" in out
    assert "normal at 0.1 x the CV penalty" in out and "normal at 10 x the CV penalty" in out


def fake_posterior(draws, names):
    """A posterior as comparison_table reads it: weight draws (feature, sample) and a summary."""
    from types import SimpleNamespace

    import pandas as pd
    import xarray as xr

    from regprior.backend.names import WEIGHTS

    chains = draws.reshape(len(names), 4, -1).transpose(1, 2, 0)
    tree = xr.DataTree.from_dict(
        {"posterior": xr.Dataset({WEIGHTS: (("chain", "draw", "feature"), chains)})}
    )
    columns = ["mean", "median", "sd", "hdi_low", "hdi_high", "mcse_mean", "ess_bulk", "r_hat"]
    summary = pd.DataFrame(1.0, index=list(names), columns=columns)
    return SimpleNamespace(datatree=tree, summary=summary)


def near_zero(draws, map_coef, scales=None):
    from types import SimpleNamespace

    from regprior.checks.comparison import comparison_table
    from regprior.spec.data import RegressionData

    p = draws.shape[0]
    scales = np.ones(p) if scales is None else np.asarray(scales)
    names = [f"x{j}" for j in range(p)]
    data = RegressionData(np.ones((3, p)), np.arange(3.0), feature_names=names)
    fit = SimpleNamespace(coef=map_coef / scales, intercept=0.0, centre=np.zeros(p))
    table = comparison_table(
        data, fit, fit, fake_posterior(draws / scales[:, None], names), fit_intercept=False
    )
    return table["p_near_centre"].to_numpy()


def test_p_near_zero_is_not_zero_when_the_lasso_zeroes_every_weight():
    # Before: the band was 1% of the largest |MAP weight|, 0 here, so P(near 0) = 0, 0, 0.
    rng = np.random.default_rng(0)
    draws = rng.normal(0.0, 0.05, size=(3, 40_000))
    near = near_zero(draws, np.zeros(3))
    # A Normal posterior centred at 0: 2 Phi(0.25) - 1 = 0.197; 40,000 draws, 4 binomial sds.
    np.testing.assert_allclose(near, 0.1974, atol=4 * np.sqrt(0.2 * 0.8 / 40_000))


def test_p_near_zero_does_not_follow_the_units_of_another_column():
    # Issue 21: mileage (1e4-2e5) beside a displacement in m^3: the band followed the largest
    # MAP weight, so mileage's P(near 0) was 1 while its HDI lay 17 sds from 0.
    rng = np.random.default_rng(1)
    sd = np.array([0.5, 1e-4, 2e3])  # posterior sds in three columns' units
    mean = np.array([1.0, 17 * 1e-4, 0.0])  # the second is 17 sds from 0; the third at 0
    draws = mean[:, None] + sd[:, None] * rng.normal(size=(3, 20_000))
    near = near_zero(draws, mean)
    assert near[1] == 0.0 and 0.18 < near[2] < 0.22
    # The same data with each column in other units (x_j / scale_j: theta_j * scale_j).
    np.testing.assert_array_equal(near_zero(draws, mean, scales=[1e3, 1e-5, 10.0]), near)


def dose_and_mass(grams: bool):
    # Issue 27 item 6: n = 80, y = 2 + dose + mass + N(0, 1), mass in kilograms or grams.
    from regprior.spec.data import RegressionData

    rng = np.random.default_rng(0)
    dose, mass = rng.normal(size=80), rng.normal(70.0, 10.0, size=80) / 10.0
    y = 2.0 + dose + mass + rng.normal(size=80)
    X = np.column_stack([dose, mass * (1000.0 if grams else 1.0)])
    return RegressionData(X, y, feature_names=["dose", "mass"])


@pytest.mark.parametrize("family", ["normal", "laplace"])
def test_learnt_scale_default_follows_each_column_not_the_largest(family):
    # Before: one shared default 2.5 sd(y) / mean_j sd(x_j): grams moved the dose effect from
    # 1.07 [0.82, 1.32] to 0.0007 [-0.012, 0.011]. Per column, the log density over the
    # sampled variables is the same function in either unit: the dose posterior cannot move.
    from regprior.backend.model import build_hierarchical_model
    from regprior.spec.hierarchical import LearnedScale

    models = [build_hierarchical_model(dose_and_mass(g), LearnedScale(family)) for g in (0, 1)]
    logps = [m.pymc_model.compile_logp() for m in models]
    rng = np.random.default_rng(2)
    for _ in range(5):
        point = {
            name: rng.normal(size=np.shape(value))
            for name, value in models[0].pymc_model.initial_point().items()
        }
        # Same function up to rounding of the rescaled column (1e-12 relative).
        np.testing.assert_allclose(logps[1](point), logps[0](point), rtol=1e-12)


def test_the_shared_scale_form_is_kept_for_sklearns_alpha():
    from regprior.spec.hierarchical import LearnedScale

    data = dose_and_mass(False)
    shared = LearnedScale(scale_by_column=False)
    assert shared.scales(data.X, data.y)[1] == pytest.approx(
        2.5 * np.std(data.y) / np.mean(np.std(data.X, axis=0)), rel=1e-15
    )
    np.testing.assert_array_equal(shared.column_scales(data.X), 1.0)
    per_column = LearnedScale()
    assert per_column.scales(data.X, data.y)[1] == pytest.approx(2.5 * np.std(data.y), rel=1e-15)
    np.testing.assert_allclose(per_column.column_scales(data.X), 1.0 / np.std(data.X, axis=0))
    with pytest.raises(ValueError, match=r"column\(s\) \[1\] are constant"):
        per_column.column_scales(np.column_stack([data.X[:, 0], np.ones(80)]))


@pytest.mark.slow
def test_the_dose_effect_does_not_move_when_mass_is_in_grams():
    # Before: 0.80 [0.59, 1.05] in kilograms, 0.0007 [-0.008, 0.012] in grams.
    import regprior as rp

    effects = []
    for grams in (False, True):
        data = dose_and_mass(grams)
        posterior = rp.sample_posterior(
            data.X, data.y, rp.LearnedScale(), draws=1000, tune=1000, random_seed=0
        )
        # The first row of the summary is the first column, the dose.
        effects.append(posterior.summary.iloc[0])
    kg, g = effects
    # The same posterior, sampled twice (rounding sends the chains apart): 4 MCSE of the
    # difference of two independent means.
    assert abs(g["mean"] - kg["mean"]) <= 4 * np.hypot(g["mcse_mean"], kg["mcse_mean"])
    assert 0.6 < kg["mean"] < 1.0 and kg["hdi_low"] > 0.4


#: A dose-response table (logistic): at each dose a row of failures and a row of successes,
#: each weighted by how many subjects it counts (60 in all).
DOSE = np.repeat([-1.5, -1.0, -0.5, 0.0, 0.5, 1.0], 2)
RESPONSE = np.tile([0.0, 1.0], 6)
COUNTS = np.array([9, 1, 8, 2, 6, 4, 4, 6, 2, 8, 1, 9], dtype=float)


def brute_force_loo(C):
    """Leave-one-observation-out and leave-one-row-out elpd by quadrature (flat intercept,
    Normal(0, sqrt(C)) slope: LogisticRegression's C)."""
    from scipy.special import log_expit, logsumexp

    # The posterior lies well inside this grid; 801 and 1201 points agree to 1e-13.
    intercept, slope = np.meshgrid(np.linspace(-6, 6, 801), np.linspace(-4, 10, 801))
    eta = intercept[..., None] + slope[..., None] * DOSE
    one_copy = np.where(RESPONSE == 1, log_expit(eta), log_expit(-eta))
    log_posterior = -(slope**2) / (2 * C) + one_copy @ COUNTS
    by_observation = by_row = 0.0
    for i, count in enumerate(COUNTS):
        without = log_posterior - one_copy[..., i]
        by_observation += count * (logsumexp(without + one_copy[..., i]) - logsumexp(without))
        without = log_posterior - count * one_copy[..., i]
        by_row += logsumexp(without + count * one_copy[..., i]) - logsumexp(without)
    return by_observation, by_row


@pytest.fixture(scope="module")
def dose_fits():
    import regprior as rp
    from regprior.inference import nuts_posterior
    from regprior.spec.likelihoods import Bernoulli

    fits = {}
    for C in (5.0, 0.5):
        model = rp.make_model(
            DOSE[:, None],
            RESPONSE,
            rp.Normal(sigma=np.sqrt(C)),
            likelihood=Bernoulli(),
            sample_weight=COUNTS,
            form="raw",
        )
        fits[f"C={C:g}"] = (model, nuts_posterior(model, random_seed=0))
    return fits


@pytest.mark.slow
def test_loo_with_frequency_weights_leaves_one_observation_out(dose_fits):
    from regprior.checks.loo import loo_compare

    by_observation, by_row = brute_force_loo(5.0)
    assert by_observation - by_row > 2.5  # two different questions: -32.06 vs -34.95
    frequency = loo_compare(dose_fits, weights="frequency").table.loc["C=5"]
    row = loo_compare(dose_fits).table.loc["C=5"]
    assert frequency["loo_unit"] == "observation (frequency weights)"
    assert row["loo_unit"] == "weighted row"
    # PSIS with 4 x 1000 draws: Monte Carlo error of a few hundredths here (Pareto k < 0.3 per
    # observation); 0.1 is ~3 times the error seen, 1/25 of the gap between the two readings.
    assert abs(frequency["elpd_loo"] - by_observation) < 0.1
    # The default reading is PSIS of the whole-row question (Pareto k up to 0.52: looser).
    assert abs(row["elpd_loo"] - by_row) < 0.3


def test_frequency_weights_must_count_observations():
    from types import SimpleNamespace

    from regprior.checks.loo import _per_observation, check_frequency_weights, loo_compare
    from regprior.spec.data import RegressionData

    halves = RegressionData(DOSE[:, None], RESPONSE, sample_weight=COUNTS / 2)
    with pytest.raises(ValueError, match=r"not non-negative integers \(e.g. \[4.5, 0.5, 0.5\]\)"):
        check_frequency_weights(halves)
    learnt = SimpleNamespace(data=halves)  # a full-Bayes model: no fixed likelihood
    with pytest.raises(ValueError, match="learns its noise sigma under precision weights"):
        _per_observation("learnt", learnt, None)
    with pytest.raises(ValueError, match=r"weights must be one of \['row', 'frequency'\]"):
        loo_compare({"a": None, "b": None}, weights="counts")
