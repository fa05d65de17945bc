"""Every reference fit regprior makes: sklearn's solutions (and skglm's), paths, CV, priors.

Priors are also read off sklearn estimators here (:func:`prior_from_sklearn`).

Which estimator belongs to which prior is the registry's (:mod:`regprior.registry`); this
module only fits them, at tolerances tight enough to compare with an exact MAP.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse

from regprior import registry
from regprior.spec.data import RegressionData, weighted_centring
from regprior.spec.likelihoods import likelihood_class
from regprior.spec.priors import Prior, as_centre

__all__ = [
    "SKLEARN_TOL",
    "SklearnFit",
    "SklearnPath",
    "sklearn_estimator",
    "sklearn_counterpart",
    "prior_from_sklearn",
    "fit_counterpart",
    "fit_second_reference",
    "fit_log_sum_reference",
    "LOG_SUM_REFERENCE_TOL",
    "SECOND_REFERENCE_TOL",
    "SECOND_REFERENCE_NAMES",
    "prior_by_cross_validation",
    "sklearn_loo_cv",
    "cross_validation_alphas",
    "one_se_alpha",
    "sklearn_path",
    "enet_dual_gap",
]

#: sklearn's coordinate descent stops on a duality gap ``<= tol * ||y||^2 / n``; at its
#: default 1e-4 it was measured 0.15 away from the exact lasso on diabetes. Compare at
#: 1e-12 (~2e-9 off). Every reference solver's settings are in the registry's rows.
SKLEARN_TOL = 1e-12
#: Estimators with a path function (``enet_path``: coordinate descent along the grid).
_PATH_FUNCTION = {"Lasso", "ElasticNet"}


def _estimator_class(name: str):
    import sklearn.linear_model
    import sklearn.model_selection

    return getattr(sklearn.linear_model, name, None) or getattr(sklearn.model_selection, name)


def sklearn_estimator(pairing: registry.Pairing, strength: dict, *, fit_intercept: bool = True):
    """Unfitted ``pairing.estimator`` at ``strength``, with the tightest settings it reaches.

    ``LogisticRegression`` is never given ``liblinear``: that solver penalises the intercept
    (through ``intercept_scaling``), so it is not the counterpart of a flat intercept prior.
    """
    return _estimator_class(pairing.estimator)(
        **strength, fit_intercept=fit_intercept, **pairing.estimator_options
    )


def sklearn_counterpart(
    prior: Prior,
    *,
    noise_sigma: float | None = None,
    weight_sum: float | None = None,
    fit_intercept: bool = True,
    likelihood=None,
):
    """Unfitted sklearn estimator whose solution is the MAP under ``prior`` (Gaussian likelihood).

    ``Normal(mu, sigma)`` -> ``Ridge(alpha=noise_sigma**2 / sigma**2)``;
    ``Laplace(mu, scale)`` -> ``Lasso(alpha=noise_sigma**2 / (N * scale))``;
    ``ElasticNetPrior(mu, scale, sigma)`` -> ``ElasticNet(alpha, l1_ratio)`` (see
    :mod:`regprior.registry`), with ``N = sum(sample_weight)``, at a tight tolerance. Holds for
    a flat intercept prior and known ``noise_sigma``. sklearn has no prior centre: fit the
    estimator on ``y - X @ mu`` and add ``mu`` to ``coef_`` (:func:`fit_counterpart` does).

    Parameters
    ----------
    prior : Prior
    noise_sigma : float, optional
        For the default Gaussian likelihood.
    weight_sum : float, optional
        ``N``, required when the estimator divides its data term by it (Lasso, ElasticNet,
        PoissonRegressor).
    fit_intercept : bool, default=True
    likelihood : Bernoulli or Poisson, optional
        Another likelihood than the Gaussian (LogisticRegression, PoissonRegressor).
    """
    if likelihood is None:
        if noise_sigma is None:
            raise ValueError(
                "noise_sigma is required for the Gaussian likelihood (or give likelihood=)."
            )
        likelihood = likelihood_class(registry.DEFAULT_LIKELIHOOD)(noise_sigma)
    row = registry.pairing(prior, likelihood.family)
    if row.data_term == "mean" and weight_sum is None:
        raise ValueError(
            "weight_sum (N = sum of sample weights, or n_samples) is required for a "
            f"{prior.family} prior: "
            f"{row.estimator} divides its data term by it."
        )
    strength = registry.sklearn_strength(
        prior, likelihood, 1.0 if weight_sum is None else weight_sum
    )
    return sklearn_estimator(row, strength, fit_intercept=fit_intercept)


def prior_from_sklearn(
    estimator,
    *,
    noise_sigma: float | None = None,
    weight_sum: float | None = None,
    mu=0.0,
    fit_intercept: bool | None = None,
) -> Prior:
    """The prior whose MAP is the given sklearn estimator's solution.

    ``Ridge`` / ``RidgeCV`` -> ``Normal``; ``Lasso`` / ``LassoCV`` -> ``Laplace``;
    ``ElasticNet`` / ``ElasticNetCV`` -> ``ElasticNetPrior`` (CV estimators must be fitted:
    their ``alpha_`` / ``l1_ratio_`` are used); ``LogisticRegression`` -> ``Normal``
    (``l1_ratio=0``, ``C = tau**2``), ``Laplace`` (``l1_ratio=1``, ``C = s``) or
    ``ElasticNetPrior``; ``PoissonRegressor`` -> ``Normal`` (``alpha = 1/(S tau**2)``, give
    ``weight_sum`` = S). ``noise_sigma`` is needed for the Gaussian estimators only. Fitted
    ``BayesianRidge`` ->
    ``Normal(0, 1 / sqrt(lambda_))`` (its ``lambda_`` is the weight precision; its noise
    precision ``alpha_`` gives ``noise_sigma = 1/sqrt(alpha_)``, so ``noise_sigma`` is not
    needed).

    Refused, with the reason: ``positive=True`` (a prior truncated at zero has another MAP), and
    an estimator whose ``fit_intercept`` differs from the ``fit_intercept`` the prior will be
    used with (when given): the solutions differ although the strength maps exactly.
    """
    name = type(estimator).__name__
    if getattr(estimator, "positive", False):
        raise ValueError(
            f"{name}(positive=True) constrains the weights to be >= 0: "
            "its solution is the MAP of a prior "
            "truncated at zero, which regprior's priors are not. Use positive=False."
        )
    if (
        fit_intercept is not None
        and hasattr(estimator, "fit_intercept")
        and estimator.fit_intercept != fit_intercept
    ):
        raise ValueError(
            f"{name} has fit_intercept={estimator.fit_intercept} but the prior is for a model with "
            f"fit_intercept={fit_intercept}: their solutions differ. "
            "Use the same setting on both sides."
        )
    if name == "BayesianRidge":
        if not hasattr(estimator, "lambda_"):
            raise ValueError(
                "BayesianRidge must be fitted: its prior precision lambda_ is learnt by fit."
            )
        return registry.prior_from_evidence(estimator.lambda_, mu=mu)
    row = registry.pairing_for_estimator(name)
    if name == row.cv_estimator:
        if not hasattr(estimator, f"{row.path_parameter}_"):
            raise ValueError(f"{name} must be fitted: its {row.path_parameter}_ is chosen by fit.")
        strength = {
            k: float(np.ravel(getattr(estimator, f"{k}_"))[0])
            for k in ("C", "alpha", "l1_ratio")
            if hasattr(estimator, f"{k}_")
        }
    else:
        strength = {
            k: getattr(estimator, k) for k in ("C", "alpha", "l1_ratio") if hasattr(estimator, k)
        }
    row = registry.pairing_for_estimator(name, strength)
    strength = {k: v for k, v in strength.items() if k in row.strength}
    cls = likelihood_class(row.likelihood)
    if cls.noise_parameter is not None:
        if noise_sigma is None:
            raise ValueError("noise_sigma is required to map an sklearn alpha to a prior scale.")
        likelihood = cls(noise_sigma)
    else:
        likelihood = cls()
    if row.data_term == "mean" and weight_sum is None:
        raise ValueError(
            f"weight_sum (N = sum of sample weights, or n_samples) is required for a {name}."
        )
    return registry.prior_from_sklearn_strength(
        row.prior, strength, likelihood, 1.0 if weight_sum is None else weight_sum, mu=mu
    )


@dataclass(frozen=True)
class SklearnFit:
    """sklearn's solution expressed on the prior's side: ``coef`` includes the prior centre."""

    coef: np.ndarray
    intercept: float
    strength: dict
    estimator: object

    @property
    def alpha(self) -> float:
        """sklearn's path parameter (``alpha``, or ``C`` for ``LogisticRegression``)."""
        return next(iter(self.strength.values()))


def fit_counterpart(
    data: RegressionData, prior: Prior, likelihood, *, fit_intercept: bool = True
) -> SklearnFit:
    """Fit the sklearn counterpart of ``prior`` and return its coefficients around ``mu``.

    sklearn has no prior centre, so the estimator is fitted on ``y - X @ mu`` (the
    substitution ``theta = mu + w``) and ``mu`` is added back to ``coef_``. The intercept is
    unchanged by that substitution. A twin outside scikit-learn (a row of
    ``regprior.registry.SKGLM_PAIRINGS``) is fitted by skglm (``fit_log_sum_reference``).
    """
    row = registry.pairing(prior, likelihood.family)
    if row.package == "skglm":
        return _SKGLM_FITS[row.estimator](data, prior, likelihood, fit_intercept=fit_intercept)
    strength = registry.sklearn_strength(prior, likelihood, data.weight_sum)
    estimator = sklearn_estimator(row, strength, fit_intercept=fit_intercept)
    centre = prior.centre(data.n_features)
    if np.any(centre != 0) and not likelihood.centres_target:
        raise ValueError(
            f"a non-zero prior centre has no {row.estimator} counterpart: "
            "sklearn cannot offset the "
            f"linear predictor of a {likelihood.family} likelihood; use mu=0."
        )
    estimator.fit(data.X, data.y - data.X @ centre, sample_weight=data.sample_weight)
    intercept = float(np.ravel(estimator.intercept_)[0]) if fit_intercept else 0.0
    return SklearnFit(
        coef=centre + np.ravel(estimator.coef_),
        intercept=intercept,
        strength=strength,
        estimator=estimator,
    )


#: skglm's proximal Newton stops when every coordinate's distance to its subdifferential is
#: below this (in its mean-loss units); 1e-13 puts its answer within ~1e-10 of the optimum on
#: the data sets of the tests, where saga at tol=1e-10 stopped 7.6 away on unscaled features.
SECOND_REFERENCE_TOL = 1e-13
#: How each second reference is named in verdicts and tables.
SECOND_REFERENCE_NAMES = {"skglm": "skglm"}


def fit_second_reference(
    data: RegressionData, prior: Prior, likelihood, *, fit_intercept: bool = True
) -> SklearnFit | None:
    """The exact second reference of a pairing whose sklearn solver stops short, or None.

    For l1 and elastic-net logistic regression (``second_reference="skglm"`` in the registry):
    ``skglm.GeneralizedLinearEstimator(Logistic(), L1_plus_L2(alpha, l1_ratio),
    ProxNewton(fit_intercept=..., tol=SECOND_REFERENCE_TOL))``. skglm's ``Logistic`` is the
    *mean* log-loss and its intercept is unpenalised, so sklearn's
    ``C sum_i logloss_i + l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||^2`` divided by ``C n`` is
    skglm's objective at ``alpha = 1 / (C n)`` (the same minimiser). None when the pairing has
    none, skglm is not installed (``pip install regprior[checks]``), or the data carry sample
    weights (skglm's datafit has none).
    """
    row = registry.pairing(prior, likelihood.family)
    if row.second_reference != "skglm" or data.sample_weight is not None:
        return None
    try:
        from skglm import GeneralizedLinearEstimator
        from skglm.datafits import Logistic
        from skglm.penalties import L1_plus_L2
        from skglm.solvers import ProxNewton
    except ImportError:
        return None
    import warnings

    import scipy.sparse

    strength = registry.sklearn_strength(prior, likelihood, data.weight_sum)
    l1_ratio = strength.get("l1_ratio", row.estimator_options.get("l1_ratio", 1.0))
    alpha = 1.0 / (strength["C"] * data.n_samples)
    estimator = GeneralizedLinearEstimator(
        Logistic(),
        L1_plus_L2(alpha, l1_ratio),
        ProxNewton(fit_intercept=fit_intercept, tol=SECOND_REFERENCE_TOL, max_iter=200),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's performance notes on non-contiguous arrays
        X = data.X.tocsc() if scipy.sparse.issparse(data.X) else np.asarray(data.X, float)
        estimator.fit(X, data.y)
    return SklearnFit(
        coef=np.ravel(estimator.coef_).astype(float),
        intercept=float(np.ravel(estimator.intercept_)[0]) if fit_intercept else 0.0,
        strength={"alpha": alpha, "l1_ratio": l1_ratio},
        estimator=estimator,
    )


#: skglm's coordinate descent stops when every coordinate's distance to its subdifferential is
#: below this times the largest gradient at zero (its own units: an absolute tolerance would be
#: below rounding on diabetes, whose gradients are ~1e3, and skglm would run to ``max_epochs``).
#: 1e-13 leaves its answer at rounding level of the stationary point on the data sets of the
#: tests (weights within ~1e-12 of regprior's MAP where both reach the same point).
LOG_SUM_REFERENCE_TOL = 1e-13


def fit_log_sum_reference(
    data: RegressionData, prior: Prior, likelihood, *, fit_intercept: bool = True
) -> SklearnFit:
    """skglm's log-sum estimator at the strength of a generalized double Pareto prior.

    ``skglm.GeneralizedLinearEstimator(Quadratic(), LogSumPenalty(alpha, eps), AndersonCD(...))``
    with ``alpha = noise_sigma**2 (a + 1) / N``, ``eps = a xi`` (the prior's
    ``log_sum_strength``: :func:`regprior.spec.mapping.log_sum_strength`), fitted from zero, as
    the MAP engine starts from the prior centre. The penalty is not convex, so the two are
    compared as stationary points reached from the same start: skglm is fitted on the
    weighted-centred data, with the rows scaled by ``sqrt(w_i n / N)`` and no intercept, which
    is the same objective in the weights as the flat intercept's (profiled out exactly) and
    keeps skglm's path from depending on how it moves an intercept. ``ws_strategy="fixpoint"``
    grows its working sets by the distance to the fixed point of its coordinate update, the
    condition regprior's sweeps stop on (the default, ``"subdiff"``, stops at zero whenever zero
    meets the first-order conditions, which in the strongly non-convex regime it does while a
    coordinate's exact minimiser is elsewhere). A prior centre ``mu`` is handled as for sklearn
    (fit ``y - X mu``, add ``mu`` back).

    Raises
    ------
    ImportError
        skglm is not installed (``pip install regprior[checks]``).
    ValueError
        The likelihood is not the Gaussian with a known noise sigma, or the prior is not a
        generalized double Pareto (no other prior maps to ``LogSumPenalty``).
    """
    if not hasattr(prior, "log_sum_strength"):
        raise ValueError(
            "fit_log_sum_reference: skglm's LogSumPenalty is the MAP problem of a prior with a "
            f"log-sum penalty (the generalized double Pareto); got {type(prior).__name__}."
        )
    if likelihood.family != registry.DEFAULT_LIKELIHOOD or likelihood.noise_sigma is None:
        raise ValueError(
            "fit_log_sum_reference: the map to LogSumPenalty holds for the Gaussian likelihood "
            f"with a known noise sigma; got {likelihood!r}."
        )
    try:
        from skglm import GeneralizedLinearEstimator
        from skglm.datafits import Quadratic
        from skglm.penalties import LogSumPenalty
        from skglm.solvers import AndersonCD
    except ImportError as error:
        raise ImportError(
            "skglm is needed for the log-sum reference: pip install regprior[checks]"
        ) from error
    alpha, eps = prior.log_sum_strength(likelihood.noise_sigma, data.weight_sum)
    centre = prior.centre(data.n_features)
    if scipy.sparse.issparse(data.X):  # centring makes it dense anyway
        data = RegressionData(
            data.X.toarray(), data.y, data.sample_weight, feature_names=data.feature_names
        )
    x_mean, y_mean, X, y = weighted_centring(data, fit_intercept=fit_intercept)
    root = np.sqrt(data.weights * data.n_samples / data.weight_sum)
    X, y = np.asfortranarray(X * root[:, None]), (y - X @ centre) * root
    scale = max(float(np.max(np.abs(X.T @ y))) / data.n_samples, alpha / eps)
    estimator = GeneralizedLinearEstimator(
        Quadratic(),
        LogSumPenalty(alpha, eps),
        AndersonCD(
            tol=LOG_SUM_REFERENCE_TOL * scale,
            max_iter=200,
            max_epochs=100_000,
            ws_strategy="fixpoint",
            fit_intercept=False,
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's performance notes on non-contiguous arrays
        estimator.fit(X, y)
    coef = centre + np.ravel(estimator.coef_).astype(float)
    intercept = float(y_mean - x_mean @ coef) if fit_intercept else 0.0
    return SklearnFit(
        coef=coef,
        intercept=intercept,
        strength={"alpha": alpha, "eps": eps},
        estimator=estimator,
    )


#: skglm's fit of each twin outside scikit-learn, by the registry row's ``estimator``.
_SKGLM_FITS = {"LogSumPenalty": fit_log_sum_reference}


def sklearn_loo_cv(
    data: RegressionData, prior: Prior, likelihood, *, fit_intercept: bool = True
) -> np.ndarray:
    """Exact leave-one-out CV of the sklearn counterpart: each observation's log predictive density.

    Observation ``i`` is predicted by the counterpart refitted without it under the same prior
    (the fold's sklearn strength follows from the fold's ``N``, as the MAP of that prior would),
    and scored with the likelihood at that plug-in prediction: ``log p(y_i | eta_-i)``, the
    Gaussian's at its noise sigma. The folds are PSIS-LOO's (one observation each); the
    difference to ``elpd_loo`` is the posterior's spread that the plug-in ignores.
    """
    n = data.X.shape[0]
    weights = data.weights
    log_density = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        fold = RegressionData(
            data.X[keep],
            data.y[keep],
            None if data.sample_weight is None else weights[keep],
            feature_names=data.feature_names,
        )
        fit = fit_counterpart(fold, prior, likelihood, fit_intercept=fit_intercept)
        eta = fit.intercept + data.X[i] @ fit.coef
        log_density[i] = -float(
            likelihood.neg_loglik(data.y[i : i + 1], np.atleast_1d(eta), weights[i : i + 1])[0]
        )
    return log_density


def one_se_alpha(alphas, mean, se) -> float:
    """The 1-SE rule: the largest alpha whose mean CV error is within one SE of the best one."""
    alphas, mean, se = (np.asarray(a, dtype=float) for a in (alphas, mean, se))
    best = int(np.argmin(mean))
    return float(np.max(alphas[mean <= mean[best] + se[best]]))


#: The CV estimators whose per-fold errors give a 1-SE alpha.
ONE_SE_ESTIMATORS = ("RidgeCV", "LassoCV", "ElasticNetCV")


def prior_by_cross_validation(
    data: RegressionData,
    family,
    likelihood,
    *,
    fit_intercept: bool = True,
    mu=0.0,
    fixed: dict | None = None,
    one_se: bool = False,
):
    """Choose the path parameter by the pair's CV estimator (RidgeCV, LassoCV, ElasticNetCV...).

    ``RidgeCV`` searches ``logspace(-6, 6, 121)`` by efficient leave-one-out; ``LassoCV`` and
    ``ElasticNetCV`` their own 100-alpha grid, 5-fold unshuffled, at the fixed
    ``l1_ratio``. All are deterministic. With ``one_se`` the choice is the 1-SE rule's (the
    strongest penalty within one standard error of the best CV error; Gaussian pairs only).
    Returns ``(prior, description)``.
    """
    row = registry.pairing(family, likelihood.family)
    fixed = _fixed_of(row, fixed)
    search = _fitted_search(data, row, fixed, fit_intercept=fit_intercept, mu=mu, one_se=one_se)
    if one_se:
        chosen, description = _one_se_choice(search), f"{row.cv_description}, 1-SE rule"
    else:
        chosen, description = _cv_choice(search, row), row.cv_description
    strength = {row.path_parameter: float(chosen), **fixed}
    prior = registry.prior_from_sklearn_strength(
        row.prior, strength, likelihood, data.weight_sum, mu=mu
    )
    return prior, description


def cross_validation_alphas(
    data: RegressionData,
    family,
    likelihood,
    *,
    fit_intercept: bool = True,
    fixed: dict | None = None,
) -> dict:
    """``{"CV": ..., "1-SE": ...}``: both choices of the pair's CV estimator from one fit.

    Gaussian pairs only (the 1-SE rule needs per-fold errors).
    """
    row = registry.pairing(family, likelihood.family)
    search = _fitted_search(
        data, row, _fixed_of(row, fixed), fit_intercept=fit_intercept, mu=0.0, one_se=True
    )
    return {"CV": _cv_choice(search, row), "1-SE": _one_se_choice(search)}


def _fixed_of(row, fixed) -> dict:
    """The pair's fixed strength parameters (``l1_ratio``), defaults filled in and checked."""
    return {
        k: v
        for k, v in row.check_strength({row.path_parameter: 1.0, **(fixed or {})}).items()
        if k != row.path_parameter
    }


def _fitted_search(data, row, fixed, *, fit_intercept, mu, one_se):
    """The pair's CV estimator fitted on ``y - X mu`` (per-sample errors kept for the 1-SE rule)."""
    if one_se and row.cv_estimator not in ONE_SE_ESTIMATORS:
        raise ValueError(
            f"the 1-SE rule needs per-fold errors ({', '.join(ONE_SE_ESTIMATORS)}); "
            f"the {row.family} prior's counterpart is chosen by {row.cv_estimator}."
        )
    if row.cv_estimator == "GridSearchCV":
        base = sklearn_estimator(
            row, {row.path_parameter: 1.0, **fixed}, fit_intercept=fit_intercept
        )
        search = _estimator_class("GridSearchCV")(base, **row.cv_options(fixed))
    else:
        options = row.cv_options(fixed)
        if one_se and row.cv_estimator == "RidgeCV":
            options["store_cv_results"] = True
        search = _estimator_class(row.cv_estimator)(fit_intercept=fit_intercept, **options)
    target = data.y - data.X @ as_centre(mu, data.n_features)
    return search.fit(data.X, target, sample_weight=data.sample_weight)


def _cv_choice(search, row) -> float:
    chosen = (
        search.best_params_[row.path_parameter]
        if hasattr(search, "best_params_")
        else getattr(search, f"{row.path_parameter}_")
    )
    return float(np.ravel(chosen)[0])


def _one_se_choice(search) -> float:
    """1-SE alpha of a fitted RidgeCV (leave-one-out errors) or LassoCV / ElasticNetCV (folds)."""
    if hasattr(search, "cv_results_"):  # RidgeCV: (n_samples, n_alphas) squared errors
        errors = search.cv_results_
        return one_se_alpha(
            search.alphas,
            errors.mean(axis=0),
            errors.std(axis=0, ddof=1) / np.sqrt(errors.shape[0]),
        )
    folds = search.mse_path_  # (n_alphas, n_folds)
    return one_se_alpha(
        search.alphas_, folds.mean(axis=1), folds.std(axis=1, ddof=1) / np.sqrt(folds.shape[1])
    )


def enet_dual_gap(
    X,
    y,
    coef,
    *,
    alpha: float,
    l1_ratio: float = 1.0,
    sample_weight=None,
    fit_intercept: bool = True,
    mu=0.0,
) -> float:
    r"""The duality gap of ``coef`` for sklearn's ElasticNet (Lasso: l1_ratio=1), as sklearn has it.

    sklearn's coordinate descent minimises, on centred data with the weights rescaled to sum to
    ``n`` and folded into the rows (``sqrt(w) X``, ``sqrt(w) y``),
    ``P(w) = ||y - X w||^2 / 2 + a ||w||_1 + b ||w||^2 / 2`` with ``a = n alpha l1_ratio`` and
    ``b = n alpha (1 - l1_ratio)``, and stops on the gap to the dual objective at the point
    ``R = y - X w`` scaled into the dual's feasible set (its "formulation A",
    ``sklearn/linear_model/_cd_fast.pyx``: ``gap_enet``). ``Lasso.dual_gap_`` is that gap
    divided by ``n``, and so is this. ``0 <= gap`` with equality exactly at the optimum; a
    prior centre ``mu`` shifts the problem to ``y - X mu`` and ``coef - mu``.
    """
    import scipy.sparse

    X = X if scipy.sparse.issparse(X) else np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    weights = (
        np.ones(n)
        if sample_weight is None
        else np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), (n,))
    )
    weights = weights * (n / weights.sum())
    centre = as_centre(mu, p)
    y = y - X @ centre
    w = np.asarray(coef, dtype=np.float64) - centre
    # Centred and weighted without forming (X - m) (X may be sparse):
    # Xs = diag(sqrt(weights)) (X - 1 m^T).
    x_mean = np.asarray(X.T @ weights) / n if fit_intercept else np.zeros(p)
    y = y - (weights @ y / n if fit_intercept else 0.0)
    root = np.sqrt(weights)
    y_scaled = root * y
    residual = y_scaled - root * (X @ w - x_mean @ w)
    l1, l2 = n * alpha * l1_ratio, n * alpha * (1.0 - l1_ratio)
    x_t_residual = np.asarray(X.T @ (root * residual)) - x_mean * float(root @ residual)
    dual_norm = float(np.max(np.abs(x_t_residual - l2 * w)))
    squared = float(residual @ residual + l2 * (w @ w))
    primal = 0.5 * squared + l1 * float(np.sum(np.abs(w)))
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    dual = -0.5 * scale**2 * squared + scale * float(residual @ y_scaled)
    return (primal - dual) / n


@dataclass(frozen=True)
class SklearnPath:
    """sklearn's solutions on the same grid, around the prior centre (``coef`` includes ``mu``)."""

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    seconds: float


def sklearn_path(
    data: RegressionData,
    family,
    alphas,
    *,
    fit_intercept: bool = True,
    mu=0.0,
    fixed: dict | None = None,
    likelihood: str = registry.DEFAULT_LIKELIHOOD,
) -> SklearnPath:
    """sklearn's solutions on a grid of the path parameter (alpha, or C), at the registry's options.

    Coordinate-descent estimators use their path function (``lasso_path``, ``enet_path``):
    those take neither weights nor an intercept, so the data are weighted-centred and scaled
    by ``sqrt(w * n / N)``, which makes their ``1/(2n) ||y~ - X~ w||^2`` equal to the
    estimator's ``1/(2N) sum_i w_i r_i^2`` exactly. Every other estimator (Ridge, logistic,
    Poisson) is fitted per grid value, warm-started from the previous one where it can be.
    """
    from sklearn.linear_model import enet_path

    row = registry.pairing(family, likelihood)
    fixed = {
        k: v
        for k, v in row.check_strength({row.path_parameter: 1.0, **(fixed or {})}).items()
        if k != row.path_parameter
    }
    alphas = np.asarray(alphas, dtype=float)
    centre = as_centre(mu, data.n_features)
    x_mean, y_mean, X, y = weighted_centring(data, fit_intercept=fit_intercept)
    start = time.perf_counter()
    if row.estimator in _PATH_FUNCTION:
        root = np.sqrt(data.weights * data.n_samples / data.weight_sum)
        l1_ratio = fixed.get("l1_ratio", 1.0)
        _, coefs, _ = enet_path(
            X * root[:, None],
            (y - X @ centre) * root,
            l1_ratio=l1_ratio,
            alphas=alphas,
            **row.estimator_options,
        )
        coefs = coefs.T + centre
        intercepts = y_mean - coefs @ x_mean if fit_intercept else np.zeros(len(alphas))
    else:
        estimator = sklearn_estimator(
            row, {row.path_parameter: 1.0, **fixed}, fit_intercept=fit_intercept
        )
        if "warm_start" in estimator.get_params():
            estimator.set_params(warm_start=True)
        target = data.y - data.X @ centre
        coefs, intercepts = [], []
        for value in alphas:
            estimator.set_params(**{row.path_parameter: value}).fit(
                data.X, target, sample_weight=data.sample_weight
            )
            coefs.append(centre + np.ravel(estimator.coef_))
            intercepts.append(float(np.ravel(estimator.intercept_)[0]) if fit_intercept else 0.0)
        coefs, intercepts = np.array(coefs), np.array(intercepts)
    seconds = time.perf_counter() - start
    return SklearnPath(alphas=alphas, coefs=coefs, intercepts=intercepts, seconds=seconds)
