"""scikit-learn estimators whose fit is the MAP (or the posterior) of a prior on the weights."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from regprior import registry
from regprior._validation import check_not_ragged, check_numeric
from regprior.backend.cache import cached_models, clear_model_cache, reusable_model
from regprior.backend.model import INTERCEPT, WEIGHTS
from regprior.bayesian_estimator import warn_if_unhealthy
from regprior.inference import exact_gaussian_posterior, map_estimate
from regprior.inference.gibbs import ENGINES
from regprior.inference.map import DEFAULT_TOL
from regprior.inference.nuts import sample_nuts
from regprior.spec.data import RegressionData, check_noise_scale, warn_degenerate_columns
from regprior.spec.likelihoods import Bernoulli, Gaussian, Poisson
from regprior.spec.statistics import SufficientStatistics

__all__ = [
    "NormalPriorRegressor",
    "LaplacePriorRegressor",
    "ElasticNetPriorRegressor",
    "LogisticPriorClassifier",
    "PoissonPriorRegressor",
    "cached_models",
    "clear_model_cache",
]

#: The MAP engine's default cap on coordinate-descent sweeps per Newton step (``max_iter=None``).
DEFAULT_MAX_ITER = 100_000

#: Ridge's solvers (and Lasso's "auto"): accepted, so that a copied pipeline runs, with no effect.
SKLEARN_SOLVERS = {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs"}

#: ``inference``: the exact MAP, or the posterior sampled by ``engine``; ``"nuts"`` is the
#: posterior by NUTS (the name from before the Gibbs engine, kept: it takes ``engine="nuts"`` only).
INFERENCES = ("map", "posterior", "nuts")

#: Sparse ``X`` the Gaussian estimators take (through sufficient statistics; the GLMs need it
#: dense).
SPARSE_FORMATS = ("csr", "csc", "coo")


def _weighted_data(
    X, y, sample_weight, *, fit_intercept: bool = True, feature_names=None, stacklevel=5
):
    """The data of a fit: rows with zero ``sample_weight`` carry no information and are dropped.

    Constant and duplicated columns of the rows kept are named in a UserWarning, as every entry
    point names them (:func:`~regprior.spec.data.warn_degenerate_columns`).

    A scalar ``sample_weight`` weighs every row alike (as in sklearn). A SciPy sparse ``X`` gives
    the data's :class:`~regprior.spec.statistics.SufficientStatistics` (sparse products, never a
    dense ``X``): the Gaussian model needs nothing else.
    """
    if sample_weight is not None:
        sample_weight = check_numeric(sample_weight, "sample_weight")
        if sample_weight.dtype.kind == "c":
            raise TypeError(f"sample_weight is complex ({sample_weight.dtype}); it must be real.")
        sample_weight = sample_weight.astype(np.float64)
        if sample_weight.ndim == 0:
            sample_weight = np.full(y.shape, float(sample_weight))
        if sample_weight.shape != y.shape:
            raise ValueError(f"sample_weight must have shape {y.shape}; got {sample_weight.shape}.")
        if not np.all(np.isfinite(sample_weight)):
            raise ValueError(
                f"sample_weight has {int(np.sum(~np.isfinite(sample_weight)))} NaN or infinite "
                "value(s); weights must be finite."
            )
        if np.any(sample_weight < 0):
            raise ValueError("sample_weight must be non-negative.")
        keep = sample_weight > 0
        if not keep.any():
            raise ValueError(
                "sample_weight is zero everywhere; at least one positive weight is needed."
            )
        X, y, sample_weight = X[keep], y[keep], sample_weight[keep]
    # stacklevel: the caller's line of ``fit`` (through sklearn's fit wrapper).
    warn_degenerate_columns(X, feature_names=feature_names, stacklevel=stacklevel)
    if scipy.sparse.issparse(X):
        return SufficientStatistics.from_sparse(X, y, sample_weight, fit_intercept=fit_intercept)
    return RegressionData(X, y, sample_weight)


def _check_one_strength(estimator, *scales: str) -> None:
    """One rule for every estimator: ``alpha`` and the prior's scales are two ways to set one
    strength, so giving both is refused, whatever their values (sklearn's default alpha too)."""
    given = [name for name in scales if getattr(estimator, name, None) is not None]
    if estimator.alpha is not None and given:
        values = ", ".join(f"{name}={getattr(estimator, name)!r}" for name in given)
        raise ValueError(
            f"The 'alpha' parameter of {type(estimator).__name__} and its prior's scale are two "
            f"ways to set one strength: give alpha or {' and '.join(given)}, not both. "
            f"Got alpha={estimator.alpha!r}, {values} instead."
        )


def _check_inference(estimator) -> None:
    """ValueError when ``inference`` and ``engine`` contradict (checked by ``fit`` before any work).

    ``engine`` chooses how a posterior is sampled: ``inference="map"`` samples none, and
    ``inference="nuts"`` names its engine already.
    """
    name = type(estimator).__name__
    if estimator.engine == "nuts":
        return
    if estimator.inference == "map":
        raise ValueError(
            f"{name}: engine={estimator.engine!r} chooses how a posterior is sampled, and "
            "inference='map' samples none; use inference='posterior' (or engine='nuts')."
        )
    if estimator.inference == "nuts":
        raise ValueError(
            f"{name}: inference='nuts' samples by NUTS, and engine={estimator.engine!r} asks for "
            f"another engine; use inference='posterior' with engine={estimator.engine!r}."
        )


def _solve(estimator, data, prior, likelihood) -> None:
    """MAP on the cached compiled model, or the posterior by the estimator's engine; sets
    ``coef_``, ``intercept_`` and the mode's attributes.

    The engine is chosen (``"gibbs"`` refused with the reason, ``"auto"`` resolved) before any
    model is built: the Gibbs engine builds none.
    """
    settings = {
        "draws": estimator.draws,
        "tune": estimator.tune,
        "chains": estimator.chains,
        "random_seed": estimator.random_seed,
    }
    if estimator.inference != "map":
        from regprior.inference.engines import choose_engine

        # The rows are needed: a SciPy sparse X arrives as sufficient statistics.
        rows = isinstance(data, RegressionData)
        engine = estimator.engine
        if not rows and engine != "nuts":
            if engine == "gibbs":
                raise ValueError(
                    f"{type(estimator).__name__}: engine='gibbs' takes a dense X (the Gibbs "
                    "engine samples from the rows); got a SciPy sparse X. Use engine='nuts' or "
                    "'auto', or a dense X."
                )
            engine = "nuts"
        try:
            choice = choose_engine(engine, prior, likelihood)
        except ValueError as error:
            raise ValueError(f"{type(estimator).__name__}: {error}") from None
        if choice.engine == "gibbs":
            from regprior.inference.gibbs import gibbs_posterior

            posterior = gibbs_posterior(
                data, prior, likelihood, fit_intercept=estimator.fit_intercept, **settings
            )
            _set_posterior(estimator, posterior)
            return
    with reusable_model(data, prior, likelihood, fit_intercept=estimator.fit_intercept) as model:
        if estimator.inference == "map":
            result = map_estimate(
                model,
                start=_warm_start(estimator, data.n_features),
                tol=estimator.tol,
                max_iter=DEFAULT_MAX_ITER if estimator.max_iter is None else estimator.max_iter,
            )
            if not result.converged:
                warnings.warn(
                    f"{type(estimator).__name__}: the MAP did not reach tol={estimator.tol!r} "
                    f"(relative KKT residual {result.kkt_residual:.3g}) within "
                    f"max_iter={estimator.max_iter!r} sweeps; increase max_iter or tol.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
            estimator.coef_, estimator.intercept_ = result.coef, result.intercept
            estimator.kkt_residual_ = result.kkt_residual
            # Newton steps, plus coordinate-descent sweeps for a prior with a kink.
            estimator.n_iter_ = result.n_newton + result.n_iter
            estimator._predictive = estimator._map_predictive(model)
        else:
            # The sampler settings are validated by fit (_parameter_constraints).
            _set_posterior(estimator, sample_nuts(model, **settings))


def _set_posterior(estimator, posterior) -> None:
    """The posterior's draws, diagnostics (the engine among them), means and predictive draws."""
    estimator.posterior_ = posterior.datatree
    estimator.diagnostics_ = posterior.diagnostics()
    warn_if_unhealthy(estimator, posterior)
    draws = posterior.datatree.posterior
    estimator.coef_ = draws[WEIGHTS].mean(("chain", "draw")).to_numpy()
    estimator.intercept_ = float(draws[INTERCEPT].mean()) if estimator.fit_intercept else 0.0
    estimator._predictive = _posterior_draws(draws, estimator.fit_intercept)


def _warm_start(estimator, n_features: int):
    """The previous fit's weights when ``warm_start=True`` and they fit this ``X``, else None."""
    if not estimator.warm_start:
        return None
    coef = np.ravel(getattr(estimator, "coef_", np.empty(0)))
    return coef.astype(np.float64) if coef.shape == (n_features,) else None


def _posterior_draws(draws, fit_intercept):
    """``("draws", intercept draws, weight draws)``: what a NUTS fit predicts with."""
    beta = draws[WEIGHTS].stack(sample=("chain", "draw")).transpose("sample", ...).to_numpy()
    intercept = (
        draws[INTERCEPT].stack(sample=("chain", "draw")).to_numpy()
        if fit_intercept
        else np.zeros(len(beta))
    )
    return ("draws", intercept, beta)


class _PriorRegressor(RegressorMixin, BaseEstimator):
    """Shared machinery; subclasses set ``_family`` (a registry key) and document their objective.

    Parameters
    ----------
    alpha : float, default=None
        scikit-learn's penalty strength. ``None`` with ``prior_scale=None`` means 1.0,
        sklearn's default. Give ``alpha`` or ``prior_scale``, not both.
    prior_scale : float, default=None
        The prior's scale (Normal sd, Laplace scale), the other way to set the strength.
    prior_mu : float, default=0.0
        Prior centre of every weight (sklearn's estimators have 0).
    noise_sigma : float, default=None
        Known noise sd; ``None`` estimates it as the least-squares residual sd. At a given
        ``alpha`` the MAP does not depend on it; ``prior_scale_`` and the posterior do.
    fit_intercept : bool, default=True
        Flat-prior (unpenalised) intercept.
    positive : bool, default=False
        sklearn's parameter, kept so that a swapped-in estimator says why: ``True`` is refused
        (the truncated prior it stands for is not built).
    inference : {"map", "posterior", "nuts"}, default="map"
        ``"map"``: ``coef_`` is the exact posterior mode (= sklearn's solution).
        ``"posterior"``: ``coef_`` is the posterior mean, sampled by ``engine``; the draws are
        in ``posterior_``. ``"nuts"``: the same by NUTS (``engine="nuts"`` only).
    engine : {"nuts", "gibbs", "auto"}, default="nuts"
        The posterior engine (:func:`regprior.sample_posterior`), with ``inference="posterior"``:
        NUTS on the PyMC model; the conditionally conjugate Gibbs sampler (Normal and Laplace
        priors; the elastic-net prior has none: a ``ValueError`` at ``fit`` says why, before
        anything is sampled); or ``"auto"``: Gibbs where the prior allows it, NUTS elsewhere.
        ``diagnostics_["engine"]`` names the engine that sampled. Gibbs takes a dense ``X``
        (``"auto"`` samples a sparse one by NUTS).
    draws, tune, chains, random_seed : int
        Sampler settings (a posterior only; for Gibbs ``tune`` is its discarded warm-up).
    tol : float, default=1e-10
        The MAP's relative KKT tolerance (:attr:`regprior.inference.MAPResult.kkt_residual`),
        not sklearn's duality gap or coefficient change: a ``tol`` copied from ``Lasso``
        (1e-4) gives a less exact MAP. A MAP short of it raises a ``ConvergenceWarning``.
    max_iter : int, default=None
        Cap on the MAP's coordinate-descent sweeps per Newton step (priors with a kink);
        ``None``: 100_000.
    warm_start : bool, default=False
        Start the MAP from the previous fit's ``coef_`` (same number of features). The MAP
        is the same; only the work to reach it changes.

    Parameters accepted from sklearn's ``Ridge`` / ``Lasso`` / ``ElasticNet`` so that a
    pipeline runs unchanged, each with no effect on the fit, for the reason given:

    copy_X : bool, default=True
        ``X`` is never written to: it is always copied to float64 first.
    selection : {"cyclic", "random"}, default="cyclic"
        The MAP is solved to its certificate whatever the order of the coordinates.
    random_state : int, RandomState instance or None, default=None
        The MAP is deterministic; NUTS draws are seeded by ``random_seed``.
    precompute : bool or "auto", default=False
        The Gram matrix ``X'WX`` is always formed (it is the Gaussian likelihood's Hessian).
        A precomputed Gram array is refused: the model is defined by ``X``, and a Gram that
        does not match it would change the model silently.
    solver : {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs"}, \
            default="auto"
        One engine solves every MAP (proximal Newton; a Normal prior on ``p > n`` data at a
        tiny ``alpha`` goes through the SVD), to the same exact answer whatever the name.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    alpha_ : float
        sklearn alpha of the fit (given, or mapped from ``prior_scale``).
    prior_scale_ : float
        Prior scale of the fit (given, or mapped from ``alpha``).
    noise_sigma_ : float
        NaN when it could not be estimated (see ``fit``).
    prior_ : Prior, or None when ``noise_sigma_`` is NaN
    kkt_residual_ : float
        Optimality certificate of the MAP (``inference="map"``).
    n_iter_ : int
        Newton steps plus coordinate-descent sweeps of the MAP (``inference="map"``).
    dual_gap_ : float
        Priors with a kink (Laplace, elastic net) only: the duality gap of ``coef_`` for
        sklearn's ``Lasso`` / ``ElasticNet`` objective, computed as sklearn computes its own
        (:func:`regprior.checks.sklearn.enet_dual_gap`); ~0 at the exact MAP.
    posterior_ : xarray.DataTree
        The posterior draws (a posterior only).
    diagnostics_ : dict
        The sampler's health (a posterior only): ``engine`` (``"nuts"`` or ``"gibbs"``),
        ``r_hat_max``, ``ess_bulk_min``, ``divergences``, ``healthy``, ``problems``; an
        unhealthy sampler also raises a
        ``UserWarning`` naming the problems at fit time.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When ``X`` has string column names.
    """

    _family = "prior"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags

    _parameter_constraints: dict = {
        # alpha=0 passes here to reach fit's message (a flat prior has no MAP counterpart).
        "alpha": [Interval(Real, 0, None, closed="left"), None],
        "prior_scale": [Interval(Real, 0, None, closed="neither"), None],
        "prior_mu": [Interval(Real, None, None, closed="neither")],
        "noise_sigma": [Interval(Real, 0, None, closed="neither"), None],
        "fit_intercept": ["boolean"],
        "positive": ["boolean"],
        "inference": [StrOptions(set(INFERENCES))],
        "engine": [StrOptions(set(ENGINES))],
        "draws": [Interval(Integral, 1, None, closed="left")],
        "tune": [Interval(Integral, 0, None, closed="left")],
        "chains": [Interval(Integral, 1, None, closed="left")],
        "random_seed": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "warm_start": ["boolean"],
        "copy_X": ["boolean"],
        "selection": [StrOptions({"cyclic", "random"})],
        "random_state": ["random_state"],
        "precompute": ["boolean", StrOptions({"auto"}), "array-like"],
        "solver": [StrOptions(SKLEARN_SOLVERS)],
    }

    def __init__(
        self,
        alpha=None,
        *,
        prior_scale=None,
        prior_mu=0.0,
        noise_sigma=None,
        fit_intercept=True,
        positive=False,
        inference="map",
        engine="nuts",
        draws=1000,
        tune=1000,
        chains=4,
        random_seed=0,
        tol=DEFAULT_TOL,
        max_iter=None,
        warm_start=False,
        copy_X=True,
        selection="cyclic",
        random_state=None,
        precompute=False,
        solver="auto",
    ):
        self.alpha = alpha
        self.prior_scale = prior_scale
        self.prior_mu = prior_mu
        self.noise_sigma = noise_sigma
        self.fit_intercept = fit_intercept
        self.positive = positive
        self.inference = inference
        self.engine = engine
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.random_seed = random_seed
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.copy_X = copy_X
        self.selection = selection
        self.random_state = random_state
        self.precompute = precompute
        self.solver = solver

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the MAP (or sample the posterior) of the weights.

        Rows with zero ``sample_weight`` carry no information (noise variance
        ``noise_sigma**2 / 0``) and are dropped, as in sklearn's objectives. With
        ``noise_sigma=None`` and ``n_samples <= n_features + 1``, see ``_likelihood``.
        """
        _check_one_strength(self, "prior_scale", "prior_sigma")
        _check_inference(self)
        if not isinstance(self.precompute, (bool, str)):
            raise ValueError(
                f"The 'precompute' parameter of {type(self).__name__} must be a bool or 'auto'; "
                "a precomputed Gram matrix is not taken (regprior forms X'WX from X itself: a "
                "Gram that does not match X would change the model silently). Got an array "
                "instead."
            )
        if self.positive:
            raise ValueError(
                "positive=True (weights >= 0) is the MAP of the prior truncated at its centre, a "
                "model regprior does not build (neither its MAP nor its posterior); use sklearn's "
                "estimator with positive=True."
            )
        if self.alpha == 0:
            raise ValueError(
                "alpha=0 is a flat prior (infinite prior scale): no proper prior has least squares "
                "as its MAP, and its posterior is improper when p >= n. Use "
                "sklearn.linear_model.LinearRegression, or a small positive alpha."
            )
        check_not_ragged(X, "X")
        check_not_ragged(y, "y")
        # Array-likes that refuse NumPy's functions (sklearn's _NotAnArray): checked by their shape.
        y_shape = getattr(y, "shape", None) or np.asarray(y).shape
        if len(y_shape) == 2 and y_shape[1] > 1:
            return self._fit_targets(X, y, sample_weight)
        # float32 in, float32 out (as sklearn's Lasso and Ridge); the solve itself is float64.
        # y of shape (n, 1) is raveled with sklearn's DataConversionWarning.
        X, y = validate_data(
            self, X, y, y_numeric=True, dtype=[np.float64, np.float32], accept_sparse=SPARSE_FORMATS
        )
        self.__dict__.pop("estimators_", None)  # of an earlier multi-output fit
        dtype = X.dtype
        data = _weighted_data(
            X.astype(np.float64),
            y.astype(np.float64),
            sample_weight,
            fit_intercept=self.fit_intercept,
            feature_names=getattr(self, "feature_names_in_", None),
        )
        likelihood, sigma_known = self._likelihood(data)
        if sigma_known:
            check_noise_scale(data, likelihood.noise_sigma)
        prior = registry.make_prior(
            self._family,
            likelihood=likelihood,
            weight_sum=data.weight_sum,
            mu=self.prior_mu,
            **self._strength(),
        )
        _solve(self, data, prior, likelihood)
        strength = registry.sklearn_strength(prior, likelihood, data.weight_sum)
        if prior.kink_slope > 0:
            # Computed on the rows as given (zero weights included), as sklearn counts n.
            from regprior.checks.sklearn import enet_dual_gap

            self.dual_gap_ = enet_dual_gap(
                X,
                y,
                self.coef_,
                alpha=strength["alpha"],
                l1_ratio=strength.get("l1_ratio", 1.0),
                sample_weight=sample_weight,
                fit_intercept=self.fit_intercept,
                mu=self.prior_mu,
            )
        self.coef_ = np.asarray(self.coef_, dtype=dtype)
        self.intercept_ = dtype.type(self.intercept_)
        self._set_strength_attributes(strength)
        self.prior_ = prior if sigma_known else None
        self.noise_sigma_ = likelihood.noise_sigma if sigma_known else np.nan
        self.prior_scale_ = prior.scale if sigma_known else np.nan
        return self

    #: Per-target attributes of a multi-output fit, stacked over the targets.
    _TARGET_ATTRIBUTES = (
        "coef_",
        "intercept_",
        "alpha_",
        "l1_ratio_",
        "noise_sigma_",
        "prior_scale_",
        "prior_sigma_",
        "kkt_residual_",
        "n_iter_",
        "dual_gap_",
    )

    def _fit_targets(self, X, y, sample_weight):
        """Independent targets (2-D ``y``): one fit per column, each with its own noise sigma and
        posterior, on the one cached compiled model (the same ``X`` shape). Attributes are stacked
        as sklearn's multi-output ``Lasso`` / ``Ridge`` stack them: ``coef_`` (n_targets,
        n_features), ``intercept_`` and the scalars (n_targets,); ``prior_`` and ``posterior_`` are
        lists; ``estimators_`` holds the single-target fits.
        """
        from sklearn.base import clone

        X, y = validate_data(
            self,
            X,
            y,
            y_numeric=True,
            multi_output=True,
            dtype=[np.float64, np.float32],
            accept_sparse=SPARSE_FORMATS,
        )
        self.estimators_ = [clone(self).fit(X, y[:, k], sample_weight) for k in range(y.shape[1])]
        for name in self._TARGET_ATTRIBUTES:
            if hasattr(self.estimators_[0], name):
                setattr(self, name, np.array([getattr(fit, name) for fit in self.estimators_]))
        self.coef_ = self.coef_.astype(X.dtype)
        self.intercept_ = self.intercept_.astype(X.dtype)
        self.prior_ = [fit.prior_ for fit in self.estimators_]
        if self.inference != "map":
            self.posterior_ = [fit.posterior_ for fit in self.estimators_]
        return self

    def _strength(self) -> dict:
        """The strength as ``make_prior`` takes it: sklearn's ``alpha`` or the prior's scale."""
        if self.prior_scale is not None:
            return {"parameters": {"scale": self.prior_scale}}
        return {"sklearn": {"alpha": 1.0 if self.alpha is None else self.alpha}}

    def _set_strength_attributes(self, strength: dict) -> None:
        self.alpha_ = strength["alpha"]

    def _likelihood(self, data):
        """The noise model, and whether its sigma is known (given or estimable).

        With ``n_samples <= n_features + 1`` least squares cannot estimate sigma. The MAP at
        a given ``alpha`` does not depend on sigma, so it is computed with a nominal sigma
        of 1 and ``noise_sigma_`` / ``prior_scale_`` / ``prior_`` are left undefined (NaN,
        None). A posterior or a ``prior_scale`` parametrisation needs sigma: then it raises.
        """
        try:
            return Gaussian.resolve(data, self.noise_sigma, fit_intercept=self.fit_intercept), True
        except ValueError:
            if (
                self.noise_sigma is not None
                or self.inference != "map"
                or "parameters" in self._strength()
            ):
                raise
            return Gaussian(1.0, "nominal (the MAP at a given alpha does not depend on it)"), False

    def _map_predictive(self, model):
        """Posterior covariance of (intercept, weights) for the predictive sd, or None."""
        return None

    def predict(self, X, return_std=False):
        """Predicted mean ``X @ coef_ + intercept_``; with ``return_std`` also the predictive sd.

        The predictive sd is ``sqrt(Var[c + x @ beta | data] + noise_sigma_**2)``. With
        a posterior (``inference="posterior"`` or ``"nuts"``) the variance is taken over the
        posterior draws; with
        ``inference="map"`` and a Normal prior it is exact (the posterior is Gaussian, as in
        sklearn's ``BayesianRidge``); with ``inference="map"`` and a Laplace prior the MAP is
        a point estimate with no posterior attached, so only the noise term ``noise_sigma_``
        is returned: use ``inference="posterior"`` for parameter uncertainty.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, dtype=[np.float64, np.float32], accept_sparse=SPARSE_FORMATS
        )
        if np.ndim(self.coef_) == 2:  # independent targets: (n_samples, n_targets)
            if not return_std:
                return X @ self.coef_.T + self.intercept_
            columns = [fit.predict(X, return_std=True) for fit in self.estimators_]
            return tuple(np.column_stack(parts) for parts in zip(*columns, strict=True))
        mean = X @ self.coef_ + self.intercept_
        if not return_std:
            return mean
        X = X.toarray() if scipy.sparse.issparse(X) else X
        X = X.astype(np.float64)
        variance = np.zeros(len(X))
        if self._predictive is not None and self._predictive[0] == "draws":
            _, intercept, beta = self._predictive
            variance = np.var(intercept[None, :] + X @ beta.T, axis=1, ddof=1)
        elif self._predictive is not None and np.isfinite(self.noise_sigma_):
            _, x_mean, cov, intercept_var = self._predictive
            shifted = X - x_mean
            variance = np.sum((shifted @ cov) * shifted, axis=1) + intercept_var
        return mean, np.sqrt(variance + self.noise_sigma_**2)


class NormalPriorRegressor(_PriorRegressor):
    r"""Linear regression with a ``Normal(mu, prior_scale)`` prior on each weight.

    With ``inference="map"`` it minimises, exactly like ``sklearn.linear_model.Ridge``::

        ||y - Xw - c||^2_W + alpha * ||w - mu||^2_2,     alpha = noise_sigma**2 / prior_scale**2

    (``W`` the sample weights). It is the MAP of ``y ~ N(c + Xw, noise_sigma^2 / w_i)``,
    ``w_j ~ Normal(mu, prior_scale)``, flat prior on ``c``; the posterior is Gaussian, so
    ``predict(return_std=True)`` is exact in both inference modes.
    """

    _family = "normal"

    def _map_predictive(self, model):
        exact = exact_gaussian_posterior(model)
        # Var(c + x beta) with c = y_mean - x_mean beta + c0: Var((x - x_mean) beta) + Var(c0).
        c0_var = model.noise_sigma**2 / model.data.weight_sum if model.fit_intercept else 0.0
        return ("gaussian", model.x_mean, exact.cov, c0_var)


class LaplacePriorRegressor(_PriorRegressor):
    r"""Linear regression with a ``Laplace(mu, prior_scale)`` prior on each weight.

    With ``inference="map"`` it minimises, exactly like ``sklearn.linear_model.Lasso``::

        1 / (2N) ||y - Xw - c||^2_W + alpha * ||w - mu||_1,
        alpha = noise_sigma**2 / (N * prior_scale)

    with ``N = sum(sample_weight)``. The MAP has exact zeros (weights exactly at ``mu``);
    the posterior mean (``inference="posterior"``) does not.
    """

    _family = "laplace"

    @property
    def sparse_coef_(self):
        """``coef_`` as a SciPy CSR matrix, as sklearn's ``Lasso`` has it (the MAP's exact zeros
        are not stored)."""
        return scipy.sparse.csr_matrix(self.coef_)


class ElasticNetPriorRegressor(_PriorRegressor):
    r"""Linear regression with the Bayesian elastic-net prior (Laplace x Normal) on each weight.

    With ``inference="map"`` it minimises, exactly like ``sklearn.linear_model.ElasticNet``::

        1 / (2N) ||y - Xw - c||^2_W + alpha * l1_ratio * ||w - mu||_1
                                   + alpha * (1 - l1_ratio) / 2 * ||w - mu||^2_2

    with ``N = sum(sample_weight)``. It is the MAP under the prior with density proportional
    to ``exp(-|w_j - mu| / prior_scale - (w_j - mu)**2 / (2 prior_sigma**2))`` per weight
    (:class:`~regprior.spec.priors.ElasticNetPrior`), where::

        alpha = noise_sigma**2 / N * (1/prior_scale + 1/prior_sigma**2)
        l1_ratio = (1/prior_scale) / (1/prior_scale + 1/prior_sigma**2)

    The MAP has exact zeros; the posterior mean (``inference="posterior"``) does not.

    Parameters
    ----------
    alpha : float, default=None
        sklearn's strength (1.0, sklearn's default, when neither it nor the scales are given).
    l1_ratio : float, default=0.5
        sklearn's mixing parameter, strictly between 0 and 1 (at 1 the prior is a Laplace:
        use :class:`LaplacePriorRegressor`; at 0 a Normal: :class:`NormalPriorRegressor`).
    prior_scale : float, default=None
        Scale of the Laplace factor; with ``prior_sigma``, the other way to set the strength.
    prior_sigma : float, default=None
        Standard deviation of the Normal factor.
    **others
        As for :class:`NormalPriorRegressor` (``prior_mu``, ``noise_sigma``,
        ``fit_intercept``, ``inference``, ``engine``, sampler settings).

    Attributes
    ----------
    alpha_, l1_ratio_ : float
        sklearn's strength of the fit (given, or mapped from the scales).
    prior_scale_, prior_sigma_ : float
        The prior's scales of the fit (NaN when ``noise_sigma_`` is).
    """

    _family = "elasticnet"
    _parameter_constraints: dict = {
        **_PriorRegressor._parameter_constraints,
        "l1_ratio": [Interval(Real, 0, 1, closed="neither")],
        "prior_sigma": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self,
        alpha=None,
        *,
        l1_ratio=0.5,
        prior_scale=None,
        prior_sigma=None,
        prior_mu=0.0,
        noise_sigma=None,
        fit_intercept=True,
        positive=False,
        inference="map",
        engine="nuts",
        draws=1000,
        tune=1000,
        chains=4,
        random_seed=0,
        tol=DEFAULT_TOL,
        max_iter=None,
        warm_start=False,
        copy_X=True,
        selection="cyclic",
        random_state=None,
        precompute=False,
        solver="auto",
    ):
        super().__init__(
            alpha,
            prior_scale=prior_scale,
            prior_mu=prior_mu,
            noise_sigma=noise_sigma,
            fit_intercept=fit_intercept,
            positive=positive,
            inference=inference,
            engine=engine,
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            tol=tol,
            max_iter=max_iter,
            warm_start=warm_start,
            copy_X=copy_X,
            selection=selection,
            random_state=random_state,
            precompute=precompute,
            solver=solver,
        )
        self.l1_ratio = l1_ratio
        self.prior_sigma = prior_sigma

    def _strength(self) -> dict:
        if (self.prior_scale is None) != (self.prior_sigma is None):
            raise ValueError(
                "give prior_scale and prior_sigma together (the two scales of the elastic-net "
                "prior)."
            )
        if self.prior_scale is not None:
            return {"parameters": {"scale": self.prior_scale, "sigma": self.prior_sigma}}
        return {
            "sklearn": {
                "alpha": 1.0 if self.alpha is None else self.alpha,
                "l1_ratio": self.l1_ratio,
            }
        }

    def _set_strength_attributes(self, strength: dict) -> None:
        self.alpha_, self.l1_ratio_ = strength["alpha"], strength["l1_ratio"]

    @property
    def sparse_coef_(self):
        """``coef_`` as a SciPy CSR matrix, as sklearn's ``Lasso`` has it (the MAP's exact zeros
        are not stored)."""
        return scipy.sparse.csr_matrix(self.coef_)

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight)
        if np.ndim(self.coef_) == 1:  # a multi-output fit stacked its targets' prior_sigma_
            self.prior_sigma_ = self.prior_.sigma if self.prior_ is not None else np.nan
        return self


_GLM_CONSTRAINTS = {
    "fit_intercept": ["boolean"],
    "inference": [StrOptions(set(INFERENCES))],
    "engine": [StrOptions(set(ENGINES))],
    "draws": [Interval(Integral, 1, None, closed="left")],
    "tune": [Interval(Integral, 0, None, closed="left")],
    "chains": [Interval(Integral, 1, None, closed="left")],
    "random_seed": [Interval(Integral, 0, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="neither")],
    "max_iter": [Interval(Integral, 1, None, closed="left"), None],
    "warm_start": ["boolean"],
}


class _GLMPriorEstimator(BaseEstimator):
    """Shared fitting of the GLM estimators: MAP (or NUTS) of a prior under a Bernoulli or Poisson
    likelihood.

    The prior is centred at 0: sklearn cannot offset the linear predictor, so a non-zero
    centre would have no counterpart. The fitted ``prior_`` is the prior the strength maps to.
    """

    _likelihood_class = None

    def _map_predictive(self, model):
        return None

    def _fit_glm(self, X, y, sample_weight):
        _check_inference(self)
        data = _weighted_data(
            X,
            y,
            sample_weight,
            feature_names=getattr(self, "feature_names_in_", None),
            stacklevel=6,
        )
        likelihood = self._likelihood_class()
        likelihood.check_target(data.y)
        prior = registry.make_prior(
            self._family(), likelihood=likelihood, weight_sum=data.weight_sum, **self._strength()
        )
        _solve(self, data, prior, likelihood)
        self.prior_ = prior
        return registry.sklearn_strength(prior, likelihood, data.weight_sum)

    def _expected(self, X, mean):
        """The likelihood's mean at each row: posterior expectation (NUTS), plug-in (MAP)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        if self._predictive is not None:
            _, intercept, beta = self._predictive
            return mean(intercept[None, :] + X @ beta.T).mean(axis=1)
        # coef_ is (n_features,) for a regressor, (1, n_features) for the classifier.
        return mean(X @ np.ravel(self.coef_) + float(np.ravel(self.intercept_)[0]))


class LogisticPriorClassifier(ClassifierMixin, _GLMPriorEstimator):
    r"""Binary logistic regression as the MAP (or posterior) of a prior on the weights.

    With ``inference="map"`` it minimises, exactly like ``sklearn.linear_model.LogisticRegression``
    (any solver but ``liblinear``, which penalises the intercept)::

        C * sum_i s_i logloss_i + l1_ratio * ||w||_1 + (1 - l1_ratio) / 2 * ||w||_2^2

    the MAP of a Bernoulli (logit) likelihood with a flat intercept and, by ``l1_ratio``, the
    prior ``Normal(0, sqrt(C))`` (0), ``Laplace(0, C)`` (1) or the elastic-net prior with
    ``1/s = l1_ratio / C``, ``1/tau**2 = (1 - l1_ratio) / C`` (in between). Two classes only.

    Parameters
    ----------
    C : float, default=1.0
        sklearn's inverse penalty strength (``C = tau**2`` for the Normal prior, ``C = s`` for
        the Laplace prior).
    l1_ratio : float, default=0.0
        sklearn's mixing parameter in [0, 1]; picks the prior family.
    fit_intercept : bool, default=True
    inference : {"map", "posterior", "nuts"}, default="map"
        ``"posterior"`` (or ``"nuts"``): ``coef_`` is the posterior mean and ``predict_proba``
        the posterior predictive probability (averaged over the draws).
    engine : {"nuts", "gibbs", "auto"}, default="nuts"
        As for :class:`NormalPriorRegressor`. The Bernoulli (and Poisson) likelihood has no
        Gibbs sampler: ``"gibbs"`` is refused at ``fit`` with the reason, ``"auto"`` samples by
        NUTS.
    draws, tune, chains, random_seed : int
        NUTS settings.
    tol, max_iter, warm_start
        The MAP engine's settings, as for :class:`NormalPriorRegressor`.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    prior_ : Prior
    kkt_residual_ : float
        ``inference="map"`` only.
    n_iter_ : int
        Newton steps plus coordinate-descent sweeps (``inference="map"`` only).
    posterior_ : xarray.DataTree
        A posterior only.
    diagnostics_ : dict
        A posterior only: the sampler's health and ``engine``.
    """

    _likelihood_class = Bernoulli
    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        **_GLM_CONSTRAINTS,
    }

    def __init__(
        self,
        C=1.0,
        *,
        l1_ratio=0.0,
        fit_intercept=True,
        inference="map",
        engine="nuts",
        draws=1000,
        tune=1000,
        chains=4,
        random_seed=0,
        tol=DEFAULT_TOL,
        max_iter=None,
        warm_start=False,
    ):
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.inference = inference
        self.engine = engine
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.random_seed = random_seed
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _family(self) -> str:
        if self.l1_ratio == 0:
            return "normal"
        return "laplace" if self.l1_ratio == 1 else "elasticnet"

    def _strength(self) -> dict:
        strength = {"C": self.C}
        if 0 < self.l1_ratio < 1:
            strength["l1_ratio"] = self.l1_ratio
        return {"sklearn": strength}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit on two classes (any labels; the second of ``np.unique(y)`` is the positive one)."""
        from sklearn.utils.multiclass import check_classification_targets

        check_not_ragged(X, "X")
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) != 2:
            n = len(self.classes_)
            raise ValueError(
                "Only binary classification is supported: LogisticPriorClassifier needs exactly "
                f"2 classes in y; got {n} class{'es' if n != 1 else ''} "
                f"({self.classes_[:5].tolist()})."
            )
        self._fit_glm(X, encoded.astype(np.float64), sample_weight)
        self.coef_ = self.coef_[None, :]
        self.intercept_ = np.array([self.intercept_])
        return self

    def decision_function(self, X):
        """Linear predictor ``X @ coef_ + intercept_`` (log-odds of the second class)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X):
        """``[P(first class), P(second class)]`` per row (under NUTS, the posterior mean of the
        probability)."""
        import scipy.special

        positive = self._expected(X, scipy.special.expit)
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X):
        check_is_fitted(self)
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]


class PoissonPriorRegressor(RegressorMixin, _GLMPriorEstimator):
    r"""Poisson regression (log link) as the MAP (or posterior) of a Normal prior on the weights.

    With ``inference="map"`` it minimises, exactly like ``sklearn.linear_model.PoissonRegressor``::

        1 / (2 S) * sum_i s_i deviance_i + alpha / 2 * ||w||_2^2,   alpha = 1 / (S * prior_scale**2)

    (``S = sum(sample_weight)``), the MAP of a Poisson likelihood with a flat intercept and a
    ``Normal(0, prior_scale)`` prior. ``predict`` returns the expected count ``exp(X @ coef_ +
    intercept_)`` (under NUTS, the posterior mean of ``exp(eta)``).

    Parameters
    ----------
    alpha : float, default=None
        sklearn's penalty strength; ``None`` with ``prior_scale=None`` means 1.0, sklearn's
        default. Give ``alpha`` or ``prior_scale``, not both.
    prior_scale : float, default=None
        The Normal prior's sd, the other way to set the strength.
    fit_intercept, inference, engine, draws, tune, chains, random_seed, tol, max_iter
        As for :class:`LogisticPriorClassifier`.
    warm_start
        As for :class:`LogisticPriorClassifier`.
    """

    _likelihood_class = Poisson
    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="neither"), None],
        "prior_scale": [Interval(Real, 0, None, closed="neither"), None],
        **_GLM_CONSTRAINTS,
    }

    def __init__(
        self,
        alpha=None,
        *,
        prior_scale=None,
        fit_intercept=True,
        inference="map",
        engine="nuts",
        draws=1000,
        tune=1000,
        chains=4,
        random_seed=0,
        tol=DEFAULT_TOL,
        max_iter=None,
        warm_start=False,
    ):
        self.alpha = alpha
        self.prior_scale = prior_scale
        self.fit_intercept = fit_intercept
        self.inference = inference
        self.engine = engine
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.random_seed = random_seed
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _family(self) -> str:
        return "normal"

    def _strength(self) -> dict:
        _check_one_strength(self, "prior_scale")
        if self.prior_scale is not None:
            return {"parameters": {"sigma": self.prior_scale}}
        return {"sklearn": {"alpha": 1.0 if self.alpha is None else self.alpha}}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit on non-negative counts ``y``, not all zero (non-integer values: see
        :class:`~regprior.spec.likelihoods.Poisson`)."""
        check_not_ragged(X, "X")
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        self.alpha_ = self._fit_glm(X, y, sample_weight)["alpha"]
        self.prior_scale_ = self.prior_.sigma
        return self

    def predict(self, X):
        return self._expected(X, np.exp)
