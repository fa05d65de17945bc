"""The MAP engine against sklearn along whole alpha paths: the central claim of regprior."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from conftest import DIABETES_NOISE_SIGMA, prior_at
from regprior.backend.model import build_model
from regprior.checks.paths import alpha_grid
from regprior.checks.sklearn import fit_counterpart
from regprior.inference import map_estimate
from regprior.inference.objective import compile_map_objective
from regprior.spec.likelihoods import Gaussian

#: The bar of the spine issue: max |MAP - sklearn| <= 1e-8 x max(1, max |coef|). Both
#: sides are solved to ~1e-12 (sklearn at tol=1e-12); 1e-8 leaves room for conditioning.
RTOL = 1e-8
N_ALPHAS = 50


CASES = {
    # name: (fixture, noise sigma, prior centre seed or None, eps of the grid)
    "diabetes": ("diabetes", DIABETES_NOISE_SIGMA, None, 1e-4),
    "wide_p_gt_n": ("wide", 1.0, None, 1e-2),
    "sample_weights": ("weighted", 1.0, None, 1e-4),
    "prior_centre": ("diabetes", DIABETES_NOISE_SIGMA, 7, 1e-4),
}


FAMILIES = {
    # id: (prior family, fixed strength parameters)
    "normal": ("normal", {}),
    "laplace": ("laplace", {}),
    "elasticnet_0.2": ("elasticnet", {"l1_ratio": 0.2}),
    "elasticnet_0.5": ("elasticnet", {"l1_ratio": 0.5}),
    "elasticnet_0.9": ("elasticnet", {"l1_ratio": 0.9}),
}


def _case(request, case):
    """``(data, noise sigma, prior centre, grid eps)`` of a CASES entry."""
    fixture, noise_sigma, centre_seed, eps = CASES[case]
    data = request.getfixturevalue(fixture)
    centre = np.zeros(data.n_features)
    if centre_seed is not None:
        centre = np.random.default_rng(centre_seed).normal(0, 100, data.n_features)
    return data, noise_sigma, centre, eps


@pytest.mark.parametrize("family_id", list(FAMILIES))
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("case", list(CASES))
def test_map_matches_sklearn_along_the_path(request, case, fit_intercept, family_id):
    family, fixed = FAMILIES[family_id]
    data, noise_sigma, centre, eps = _case(request, case)
    likelihood = Gaussian(noise_sigma)
    # Laplace: from alpha_max (all weights at the centre) down to eps * alpha_max;
    # Normal: from 1e3 x the top eigenvalue of X^T W X down to 1e-3 x the smallest non-zero one.
    kinked = family != "normal"
    alphas = alpha_grid(
        data,
        family,
        fit_intercept=fit_intercept,
        mu=centre,
        n_alphas=N_ALPHAS,
        eps=eps if kinked else None,
        fixed=fixed,
    )

    def prior(alpha):
        return prior_at(
            family,
            noise_sigma=noise_sigma,
            weight_sum=data.weight_sum,
            alpha=alpha,
            mu=centre,
            **fixed,
        )

    model = build_model(data, prior(alphas[0]), likelihood, fit_intercept=fit_intercept)
    n_at_centre = []
    for alpha in alphas:
        model.set_prior(prior(alpha))
        result = map_estimate(model)
        reference = fit_counterpart(data, model.prior, likelihood, fit_intercept=fit_intercept)
        assert result.converged, f"alpha={alpha:.3g}: KKT residual {result.kkt_residual:.1e}"
        scale = max(1.0, np.max(np.abs(reference.coef)))
        assert_allclose(
            result.coef, reference.coef, rtol=0, atol=RTOL * scale, err_msg=f"alpha={alpha:.4g}"
        )
        assert_allclose(
            result.intercept,
            reference.intercept,
            rtol=0,
            atol=RTOL * max(scale, abs(reference.intercept)),
        )
        if kinked:
            # Exact zeros (weights exactly at the centre) must be sklearn's, not merely small.
            assert_array_equal(
                result.coef == centre, reference.coef == centre, err_msg=f"alpha={alpha:.4g}"
            )
        n_at_centre.append(int(np.sum(result.coef == centre)))
    if kinked:
        # The grid really spans all-zero to (nearly) all-active.
        assert n_at_centre[0] == data.n_features
        n_active = data.n_features - n_at_centre[-1]
        assert n_active >= min(data.n_features, data.n_samples) // 2


def test_map_reuses_the_compiled_objective(diabetes):
    """set_prior swaps pm.Data: the second and later solves do not compile again."""
    likelihood = Gaussian(DIABETES_NOISE_SIGMA)

    def make(alpha):
        return prior_at("laplace", noise_sigma=54.0, weight_sum=442, alpha=alpha)

    model = build_model(diabetes, make(1.0), likelihood)
    map_estimate(model)
    objective = compile_map_objective(model)
    model.set_prior(make(0.1))
    result = map_estimate(model)
    assert compile_map_objective(model) is objective and model.compiled_keys == ("map_objective",)
    reference = fit_counterpart(diabetes, make(0.1), likelihood)
    assert_allclose(result.coef, reference.coef, rtol=0, atol=RTOL * np.max(np.abs(reference.coef)))


def test_certificate_detects_a_non_optimal_point(diabetes):
    """The KKT residual is large away from the optimum: it can fail."""
    from regprior.inference.certificates import kkt_residual

    prior = prior_at("laplace", noise_sigma=54.0, weight_sum=442, alpha=0.1)
    model = build_model(diabetes, prior, Gaussian(DIABETES_NOISE_SIGMA))
    result = map_estimate(model)
    x = np.concatenate([[0.0], result.coef])
    objective = compile_map_objective(model)
    _, gradient = objective.value_and_gradient(x)
    at_optimum = kkt_residual(x, gradient, n_smooth=1, prior=prior)
    x[3] += 1e-3
    _, gradient = objective.value_and_gradient(x)
    off_optimum = kkt_residual(x, gradient, n_smooth=1, prior=prior)
    assert off_optimum > 1e6 * max(at_optimum, 1e-300)


@pytest.mark.parametrize("family_id", [f for f in FAMILIES if f != "normal"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("case", list(CASES))
def test_compiled_path_equals_the_per_alpha_engine(request, case, fit_intercept, family_id):
    """map_path_estimates solves a Gaussian path in one compiled call: same points, same zeros.

    The per-alpha engine is held to sklearn above; both certify with the same PyMC gradient and
    differ only in rounding (1e-10 x max(1, |coef|) leaves room for the 1e-12 solves).
    """
    from regprior.inference.map import map_path_estimates

    family, fixed = FAMILIES[family_id]
    data, noise_sigma, centre, eps = _case(request, case)
    alphas = alpha_grid(
        data,
        family,
        fit_intercept=fit_intercept,
        mu=centre,
        n_alphas=N_ALPHAS,
        eps=eps,
        fixed=fixed,
    )
    priors = [
        prior_at(
            family, noise_sigma=noise_sigma, weight_sum=data.weight_sum, alpha=a, mu=centre, **fixed
        )
        for a in alphas
    ]
    model = build_model(data, priors[0], Gaussian(noise_sigma), fit_intercept=fit_intercept)
    path = map_path_estimates(model, priors)
    assert model.prior == priors[-1]
    for prior, result in zip(priors, path, strict=True):
        model.set_prior(prior)
        single = map_estimate(model)
        assert result.converged and result.n_newton == 1, f"{prior}: KKT {result.kkt_residual:.1e}"
        scale = max(1.0, float(np.max(np.abs(single.coef))))
        assert_allclose(result.coef, single.coef, rtol=0, atol=1e-10 * scale)
        assert_allclose(
            result.intercept,
            single.intercept,
            rtol=0,
            atol=1e-10 * max(scale, abs(single.intercept)),
        )
        assert_array_equal(result.coef == centre, single.coef == centre)
        assert_allclose(result.neg_log_posterior, single.neg_log_posterior, rtol=1e-12)


def test_compiled_path_hands_uncertified_points_to_the_general_engine(diabetes, monkeypatch):
    """A compiled solution the PyMC gradient does not certify is solved again, not returned."""
    import regprior.inference.coordinate_descent as cd
    from regprior.inference.map import map_path_estimates

    alphas = alpha_grid(diabetes, "laplace", n_alphas=5)
    priors = [prior_at("laplace", noise_sigma=54.0, weight_sum=442, alpha=a) for a in alphas]
    model = build_model(diabetes, priors[0], Gaussian(DIABETES_NOISE_SIGMA))
    honest = map_path_estimates(model, priors)
    real = cd.solve_path

    def off_by_a_little(*args, **kwargs):
        solutions, sweeps, certified = real(*args, **kwargs)
        solutions[:, 1:] += 1e-3  # every weight off its optimum
        return solutions, sweeps, certified

    monkeypatch.setattr(cd, "solve_path", off_by_a_little)
    rescued = map_path_estimates(model, priors)
    for good, result in zip(honest, rescued, strict=True):
        assert result.converged and result.n_newton >= 1
        assert_allclose(
            result.coef, good.coef, rtol=0, atol=1e-10 * max(1.0, float(np.max(np.abs(good.coef))))
        )
        assert_array_equal(result.coef == 0.0, good.coef == 0.0)


def test_compiled_path_refuses_priors_of_different_centres(diabetes):
    from regprior.inference.map import map_path_estimates

    priors = [
        prior_at("laplace", noise_sigma=54.0, weight_sum=442, alpha=0.1, mu=mu) for mu in (0.0, 1.0)
    ]
    model = build_model(diabetes, priors[0], Gaussian(DIABETES_NOISE_SIGMA))
    with pytest.raises(ValueError, match="a path's priors share one family and one centre"):
        map_path_estimates(model, priors)


def test_background_compile_of_the_sweeps_is_the_one_the_engine_uses(diabetes):
    """The warm-up's dummy problem has the engine's argument types: one compiled signature."""
    import regprior.inference.coordinate_descent as cd

    cd.compile_in_background().join()
    model = build_model(
        diabetes,
        prior_at("laplace", noise_sigma=54.0, weight_sum=442, alpha=0.1),
        Gaussian(DIABETES_NOISE_SIGMA),
    )
    assert map_estimate(model).converged
    assert len(cd._sweeps.signatures) == 1


def test_softplus_in_ufuncs_is_pytensors_softplus_to_the_last_bit():
    """The objective's mode spells softplus in NumPy ufuncs, with PyTensor's values to the bit."""
    import pytensor
    import pytensor.tensor as pt
    from pytensor.compile.mode import Mode
    from pytensor.link.vm import VMLinker

    from regprior.inference.objective import _objective_mode

    x = pt.vector("x")
    grid = np.concatenate(
        [np.linspace(-800, 800, 4001), [-37.0, -36.99, 18.0, 17.99, 33.3, 33.29, 0.0, -0.0, 1e-300]]
    )
    ours = pytensor.function([x], pt.softplus(x), mode=_objective_mode())
    assert not any("Softplus" in str(node.op) for node in ours.maker.fgraph.apply_nodes)
    scalar_softplus = Mode(VMLinker(c_thunks=False, use_cloop=False), "fast_compile")
    reference = pytensor.function([x], pt.softplus(x), mode=scalar_softplus)
    with np.errstate(all="raise"):  # no branch overflows on the way
        np.testing.assert_array_equal(ours(grid), reference(grid))
