"""A scikit-learn regressor for any model specification, fitted by its full posterior."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from regprior.backend.names import INTERCEPT, SIGMA, SIGMA2, WEIGHTS
from regprior.inference.gibbs import ENGINES

__all__ = ["BayesianRegressor"]


class BayesianRegressor(RegressorMixin, BaseEstimator):
    r"""Regression by the posterior of any model specification, in ``BayesianRidge``'s convention.

    Samples the posterior of ``prior`` (a fixed-scale prior such as ``Normal`` or ``Laplace``,
    a prior without a scikit-learn twin, or a full-Bayes specification such as
    ``BayesianLasso``) with NUTS or Gibbs (``engine``, :func:`regprior.sample_posterior`).
    ``coef_`` and ``intercept_`` are posterior means; ``predict(X, return_std=True)`` returns
    the posterior predictive mean and sd, as :class:`sklearn.linear_model.BayesianRidge` does:

    .. math::

        \hat y(x) = E[\mu(x)], \qquad
        \mathrm{sd}(x) = \sqrt{\mathrm{Var}[\mu(x)] + E[v(x)]},

    with ``mu(x) = E[y | c, beta, x]`` (``c + x beta`` for the Gaussian, ``exp(c + x beta)``
    for the Poisson) and ``v(x)`` the observation variance (``sigma**2`` for the Gaussian,
    ``mu(x)`` for the Poisson); both expectations are over the posterior draws.

    Parameters
    ----------
    prior : Prior or FullBayes, default=None
        The model specification. ``None`` is ``LearnedScale()``: a Normal prior whose scale
        and the noise sigma are learnt, with weakly informative data-scaled hyperpriors.
    likelihood : {"gaussian", "poisson"}, default="gaussian"
        Observation model of a fixed-scale prior (a full-Bayes specification has its own).
    noise_sigma : float, default=None
        The Gaussian's known noise sd for a fixed-scale prior; None estimates it as the
        least-squares residual sd. Must be None for a full-Bayes specification, which learns it.
    fit_intercept : bool, default=True
        Flat-prior intercept.
    draws, tune, chains : int, default=1000, 1000, 4
        Draws and tuning steps (Gibbs: discarded warm-up sweeps) per chain, number of chains.
    random_seed : int, default=0
        Same seed, same draws.
    target_accept : float, default=None
        NUTS target acceptance; None is 0.8 for a fixed prior and the specification's own
        (0.95) for a full-Bayes one.
    engine : {"nuts", "gibbs", "auto"} or None, default=None
        The posterior engine (:func:`regprior.sample_posterior`): NUTS on the PyMC model, the
        conditionally conjugate Gibbs sampler (Gaussian likelihood, specifications with
        conjugate conditionals; the Bernoulli with a Normal, Laplace or GDP prior, by
        Polya-Gamma augmentation; a ValueError at ``fit`` says why otherwise, before anything is
        sampled), ``"auto"``: Gibbs where the specification allows it, NUTS elsewhere, or
        None: the specification's own (NUTS; ``"auto"`` for the sparse priors: the two
        horseshoes, R2-D2, ``BayesianGDP``).
        ``diagnostics_["engine"]`` names the engine that sampled.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Posterior mean of the weights.
    intercept_ : float
        Posterior mean of the intercept (0.0 without one).
    posterior_ : xarray.DataTree
        The draws (groups ``posterior``, ``sample_stats``, ...).
    summary_ : pandas.DataFrame
        Posterior summary (mean, median, sd, 94% HDI, MCSE, ESS, r_hat) per weight and scalar.
    diagnostics_ : dict
        ``engine``, ``r_hat_max``, ``ess_bulk_min``, ``divergences``, ``healthy``,
        ``problems``. An unhealthy sampler also raises a ``UserWarning`` naming the problems at
        fit time.
    noise_sigma_ : float
        Posterior mean of the noise sd (full Bayes), the known or estimated one (fixed
        Gaussian prior), NaN for the Poisson.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When ``X`` has string column names.

    Raises
    ------
    TypeError, ValueError
        At ``fit``, for a ``prior`` that is not a specification or inputs it refuses (for
        example ``noise_sigma`` with a full-Bayes specification), before anything is compiled.

    Examples
    --------
    >>> import regprior as rp
    >>> X, y = rp.load_diabetes().X, rp.load_diabetes().y
    >>> model = rp.BayesianRegressor(rp.BayesianLasso(lam=0.237), draws=500, chains=2)
    >>> mean, sd = model.fit(X, y).predict(X[:3], return_std=True)  # doctest: +SKIP
    """

    _parameter_constraints: dict = {
        "prior": [object, None],
        "likelihood": [StrOptions({"gaussian", "poisson"})],
        "noise_sigma": [Interval(Real, 0, None, closed="neither"), None],
        "fit_intercept": ["boolean"],
        "draws": [Interval(Integral, 1, None, closed="left")],
        "tune": [Interval(Integral, 0, None, closed="left")],
        "chains": [Interval(Integral, 1, None, closed="left")],
        "random_seed": [Interval(Integral, 0, None, closed="left")],
        "target_accept": [Interval(Real, 0, 1, closed="neither"), None],
        "engine": [StrOptions(set(ENGINES)), None],
    }

    def __init__(
        self,
        prior=None,
        *,
        likelihood="gaussian",
        noise_sigma=None,
        fit_intercept=True,
        draws=1000,
        tune=1000,
        chains=4,
        random_seed=0,
        target_accept=None,
        engine=None,
    ):
        self.prior = prior
        self.likelihood = likelihood
        self.noise_sigma = noise_sigma
        self.fit_intercept = fit_intercept
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.random_seed = random_seed
        self.target_accept = target_accept
        self.engine = engine

    def _specification(self):
        from regprior.api import check_specification
        from regprior.spec.hierarchical import LearnedScale

        spec = LearnedScale() if self.prior is None else self.prior
        check_specification(spec)
        return spec

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Sample the posterior of the weights, intercept and any learnt scale.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Precision weights of the Gaussian (the log likelihood of row ``i`` times ``w_i``).

        Returns
        -------
        self
        """
        from regprior.api import sample_posterior
        from regprior.spec.data import RegressionData
        from regprior.spec.hierarchical import FullBayes
        from regprior.spec.likelihoods import resolve_likelihood

        spec = self._specification()
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        full_bayes = isinstance(spec, FullBayes)
        if full_bayes and self.likelihood != spec.likelihood:
            raise ValueError(
                f"likelihood: {type(spec).__name__} is built with the {spec.likelihood} "
                f"likelihood; got {self.likelihood!r}."
            )
        likelihood = None
        if not full_bayes:
            data = RegressionData(X, y, sample_weight)
            likelihood = resolve_likelihood(
                self.likelihood,
                data,
                noise_sigma=self.noise_sigma,
                fit_intercept=self.fit_intercept,
            )
        posterior = sample_posterior(
            X,
            y,
            spec,
            noise_sigma=self.noise_sigma if full_bayes else None,
            sample_weight=sample_weight,
            fit_intercept=self.fit_intercept,
            draws=self.draws,
            tune=self.tune,
            chains=self.chains,
            random_seed=self.random_seed,
            likelihood=likelihood,
            target_accept=self.target_accept,
            engine=self.engine,
        )
        draws = posterior.datatree.posterior
        self.posterior_ = posterior.datatree
        self.summary_ = posterior.summary
        self.diagnostics_ = posterior.diagnostics()
        self.coef_ = draws[WEIGHTS].mean(("chain", "draw")).to_numpy()
        self.intercept_ = float(draws[INTERCEPT].mean()) if self.fit_intercept else 0.0
        self._beta = draws[WEIGHTS].stack(sample=("chain", "draw")).transpose("sample", ...)
        self._beta = self._beta.to_numpy()
        self._intercept = (
            draws[INTERCEPT].stack(sample=("chain", "draw")).to_numpy()
            if self.fit_intercept
            else np.zeros(len(self._beta))
        )
        if SIGMA in draws or SIGMA2 in draws:  # a learnt noise (NUTS records sigma, Gibbs sigma2)
            noise = draws[SIGMA] ** 2 if SIGMA in draws else draws[SIGMA2]
            self._noise_variance = noise.stack(sample=("chain", "draw")).to_numpy()
            self.noise_sigma_ = float(np.mean(np.sqrt(self._noise_variance)))
        elif likelihood is not None and likelihood.noise_parameter is not None:
            sigma = likelihood.noise_sigma
            self._noise_variance = np.full(len(self._beta), sigma**2)
            self.noise_sigma_ = sigma
        else:
            self._noise_variance = None
            self.noise_sigma_ = np.nan
        warn_if_unhealthy(self, posterior)
        return self

    def _linear_predictor_draws(self, X):
        return self._intercept[None, :] + X @ self._beta.T  # (n_rows, n_draws)

    def predict(self, X, return_std=False):
        """Posterior predictive mean of ``y`` at ``X``; with ``return_std`` its sd too.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_std : bool, default=False

        Returns
        -------
        y_mean : ndarray of shape (n_samples,)
        y_std : ndarray of shape (n_samples,)
            Only with ``return_std``: ``sqrt(Var[mu(x)] + E[v(x)])`` over the draws.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        eta = self._linear_predictor_draws(X)
        mean_response = eta if self.likelihood == "gaussian" else np.exp(eta)
        mean = mean_response.mean(axis=1)
        if not return_std:
            return mean
        variance = mean_response.var(axis=1, ddof=1) if mean_response.shape[1] > 1 else 0.0
        if self._noise_variance is not None:
            noise = np.mean(self._noise_variance)
        else:
            noise = mean_response.mean(axis=1)  # Poisson: Var[y | mu] = mu
        return mean, np.sqrt(variance + noise)


def warn_if_unhealthy(estimator, posterior) -> None:
    """A ``UserWarning`` naming the sampler's problems (divergences, r_hat, ESS), as PyMC warns."""
    from regprior.inference.nuts import ENGINE_LABELS

    engine = posterior.engine
    if not posterior.healthy:
        warnings.warn(
            f"{type(estimator).__name__}: the {ENGINE_LABELS.get(engine, engine)} sampler is "
            "unhealthy ("
            + "; ".join(posterior.problems)
            + "): the posterior summaries may be wrong. See diagnostics_; raise tune, draws"
            + (" or target_accept." if posterior.engine == "nuts" else "."),
            UserWarning,
            stacklevel=3,
        )
