"""The one place that builds a PyMC model: a specification and its data become a ``pm.Model``.

Fixed-scale priors (:func:`build_model`, raw or sufficient-statistics form) and full-Bayes
specifications (:func:`build_hierarchical_model`); the family -> ``pm`` tables are in
:mod:`regprior.backend.distributions` and :mod:`regprior.backend.hierarchical`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from regprior.backend.distributions import LIKELIHOOD_DISTRIBUTIONS, PRIOR_DISTRIBUTIONS
from regprior.backend.hierarchical import FULL_BAYES_DECLARATIONS, SCALE_MIXTURE_DECLARATIONS
from regprior.backend.names import (
    CENTRED_INTERCEPT,
    INTERCEPT,
    KAPPA,
    LIKELIHOOD_POTENTIAL,
    M_EFF,
    NOISE_SIGMA,
    OBSERVED,
    PRIOR_MU,
    PRIOR_VARIANCE,
    SAMPLE_DATA_NAMES,
    SIGMA,
    STATISTIC_NAMES,
    WEIGHTS,
)
from regprior.backend.sparse import marginal_log_likelihood
from regprior.spec.data import RegressionData, weighted_centring
from regprior.spec.hierarchical import FullBayes
from regprior.spec.likelihoods import Likelihood
from regprior.spec.priors import Prior

__all__ = [
    "RegressionModel",
    "HierarchicalModel",
    "build_model",
    "build_hierarchical_model",
    "PRIOR_DISTRIBUTIONS",
    "LIKELIHOOD_DISTRIBUTIONS",
    "prior_data_names",
    "WEIGHTS",
    "INTERCEPT",
    "CENTRED_INTERCEPT",
    "OBSERVED",
    "LIKELIHOOD_POTENTIAL",
    "NOISE_SIGMA",
]

#: ``form="auto"`` switches to sufficient statistics from this many samples on, when
#: ``n_samples >= SUFFICIENT_RATIO * (n_features + 1)``: the raw form's O(n p) gradient then
#: dominates (measured 16 s vs 0.1 s of NUTS at n = 1e5, p = 20), and below it both take
#: well under a second.
SUFFICIENT_MIN_SAMPLES = 5_000
SUFFICIENT_RATIO = 20
FORMS = ("auto", "raw", "sufficient")


class _HoldsCompiled:
    """Compiled objects (MAP objective, nutpie model) kept on a built model for reuse."""

    def compiled(self, key: str, build):
        """The compiled object stored under ``key``, built by ``build()`` on first request.

        Inference engines keep their compiled functions here (``"map_objective"``,
        ``"nutpie"``), so that every later call on this model (after :meth:`set_prior`,
        :meth:`set_likelihood` or :meth:`set_data`, where the model has them) reuses them.
        """
        if key not in self._compiled:
            self._compiled[key] = build()
        return self._compiled[key]

    @property
    def compiled_keys(self) -> tuple[str, ...]:
        """Keys of the compiled objects held by this model (see :meth:`compiled`)."""
        return tuple(k for k in self._compiled if isinstance(k, str))


@dataclass
class RegressionModel(_HoldsCompiled):
    """A built ``pm.Model`` with the data, prior and likelihood it was built from.

    The prior's centre and scale and the noise sigma are ``pm.Data`` containers: change
    them with :meth:`set_prior` / :meth:`set_likelihood` and every function compiled from
    this model (MAP objective, sampler) sees the new values without a rebuild.

    Attributes
    ----------
    pymc_model : pymc.Model
    data : RegressionData
    prior : Prior
    likelihood : Likelihood
    fit_intercept : bool
    x_mean, y_mean : ndarray, float
        Weighted means the model centres the data by (zeros without an intercept).
    """

    pymc_model: object
    data: RegressionData
    prior: Prior
    likelihood: Likelihood
    fit_intercept: bool
    x_mean: np.ndarray
    y_mean: float
    mutable_data: bool = False
    form: str = "raw"
    data_version: int = 0
    #: Incremented by every set_likelihood: compiled caches keyed on it (the MAP's Hessian) refresh.
    likelihood_version: int = 0
    _compiled: dict = field(default_factory=dict, repr=False)

    @property
    def data_names(self) -> tuple[str, ...]:
        """The ``pm.Data`` containers every sampler must refresh: prior centre and parameters, the
        likelihood's parameters (the Gaussian's noise sigma)."""
        return (PRIOR_MU, *prior_data_names(self.prior), *self.likelihood.parameters)

    def data_values(self) -> dict:
        """Current values of :attr:`data_names`."""
        return {name: self.pymc_model[name].get_value() for name in self.data_names}

    @property
    def noise_sigma(self) -> float:
        """The Gaussian likelihood's noise sigma (AttributeError for a likelihood without one)."""
        return self.likelihood.noise_sigma

    @property
    def likelihood_term(self):
        """The PyMC variable carrying the likelihood: the observed ``y`` or the Potential."""
        return self.pymc_model[OBSERVED if self.form == "raw" else LIKELIHOOD_POTENTIAL]

    def statistics(self):
        """Sufficient statistics of the model's data (computed once for raw data)."""
        from regprior.spec.statistics import SufficientStatistics

        if isinstance(self.data, SufficientStatistics):
            return self.data
        key = ("statistics", self.data_version)
        if key not in self._compiled:
            self._compiled[key] = SufficientStatistics.from_data(
                self.data, fit_intercept=self.fit_intercept
            )
        return self._compiled[key]

    @property
    def free_variable_names(self) -> list[str]:
        """Names of the sampled variables, in the order the MAP engine stacks them."""
        return ([CENTRED_INTERCEPT] if self.fit_intercept else []) + [WEIGHTS]

    def set_prior(self, prior: Prior) -> None:
        """Swap the prior's centre and parameters (same family), no rebuild or recompile."""
        if type(prior) is not type(self.prior):
            raise TypeError(
                f"prior must be a {type(self.prior).__name__} to reuse this model; got "
                f"{type(prior).__name__}. Build a new model for another family."
            )
        centre = prior.centre(self.data.n_features)
        _set_shared(self.pymc_model, {PRIOR_MU: centre, **_prior_data(prior)})
        self.prior = prior

    def set_data(self, data) -> None:
        """Swap in another data set of the same shape (needs ``mutable_data=True``).

        A sufficient-form model also takes
        :class:`~regprior.spec.statistics.SufficientStatistics` of the same shape.

        Compiled functions (MAP objective) see the new data without a recompile. The
        nutpie sampler cached on the model is dropped: it is rebuilt on the next sampling.
        """
        from regprior.spec.statistics import SufficientStatistics

        if not self.mutable_data:
            raise ValueError(
                "this model holds its data as constants: build it with mutable_data=True to swap "
                "data."
            )
        if data_shape(data) != data_shape(self.data):
            raise ValueError(
                f"data must have shape {data_shape(self.data)} to reuse this model; got "
                f"{data_shape(data)}."
            )
        import pymc as pm

        if isinstance(data, SufficientStatistics):
            if self.form != "sufficient" or data.fit_intercept != self.fit_intercept:
                raise ValueError(
                    "sufficient statistics replace the data of a sufficient-form model with the "
                    "same intercept."
                )
        else:
            self.likelihood.check_target(data.y)
        if self.form == "sufficient":
            stats = (
                data
                if isinstance(data, SufficientStatistics)
                else SufficientStatistics.from_data(data, fit_intercept=self.fit_intercept)
            )
            _set_shared(self.pymc_model, _statistic_values(stats))
            self.data, self.x_mean, self.y_mean = data, stats.x_mean, float(stats.y_mean)
            self.data_version += 1
            self._compiled[("statistics", self.data_version)] = stats
            self._compiled.pop("nutpie", None)
            return
        arrays = _data_arrays(data, self.likelihood, self.fit_intercept)
        pm.set_data(arrays, model=self.pymc_model)
        self.data, self.x_mean, self.y_mean = data, arrays["x_mean"], float(arrays["y_mean"])
        self.data_version += 1
        self._compiled.pop(
            "nutpie", None
        )  # nutpie froze the old data's shapes: rebuild on next use

    def set_likelihood(self, likelihood) -> None:
        """Swap the likelihood's parameters (the Gaussian's noise sigma), without a rebuild."""
        if type(likelihood) is not type(self.likelihood):
            raise TypeError(
                f"likelihood must be a {type(self.likelihood).__name__} to reuse this model; got "
                f"{type(likelihood).__name__}."
            )
        _set_shared(self.pymc_model, likelihood.parameters)
        self.likelihood = likelihood
        self.likelihood_version += 1


def data_shape(data) -> tuple:
    """What a model's structure depends on in its data: ``X``'s shape, or (n, p) of sufficient
    statistics (their model holds ``n`` as a constant)."""
    if hasattr(data, "X"):
        return data.X.shape
    return ("statistics", data.n_samples, data.n_features)


def _set_shared(pymc_model, values: dict) -> None:
    """Set ``pm.Data`` values of unchanged shape directly on the shared variables.

    What ``pm.set_data`` does for float data of the same shape, without its conversions and
    coordinate checks (~0.15 ms per call, the largest cost of a warm-started path step). The
    values come from validated priors and likelihoods: finite floats of the declared shape.
    """
    for name, value in values.items():
        shared = pymc_model[name]
        array = np.asarray(value, dtype=shared.dtype)
        if array.shape != shared.get_value(borrow=True).shape:
            raise ValueError(
                f"{name} must have shape {shared.get_value(borrow=True).shape}; got {array.shape}."
            )
        shared.set_value(array)


def choose_form(data, form: str, *, mutable_data: bool = False, likelihood=None) -> str:
    """Resolve ``form="auto"``: sufficient statistics when n is large against p (see constants).

    Only a quadratic (Gaussian) likelihood has sufficient statistics of fixed size; any other
    is built raw.
    """
    from regprior.spec.statistics import SufficientStatistics

    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}; got {form!r}.")
    if likelihood is not None and not likelihood.quadratic:
        if form == "sufficient" or isinstance(data, SufficientStatistics):
            raise ValueError(
                f"a {likelihood.family} likelihood has no sufficient statistics of fixed size; "
                "use form='raw'."
            )
        return "raw"
    if isinstance(data, SufficientStatistics):
        if form == "raw":
            raise ValueError("form='raw' needs the raw data; got sufficient statistics.")
        return "sufficient"
    if form != "auto":
        return form
    large = data.n_samples >= SUFFICIENT_MIN_SAMPLES and data.n_samples >= SUFFICIENT_RATIO * (
        data.n_features + 1
    )
    return "sufficient" if large else "raw"


def build_model(
    data,
    prior: Prior,
    likelihood,
    *,
    fit_intercept: bool = True,
    mutable_data: bool = False,
    form: str = "auto",
) -> RegressionModel:
    r"""Build the PyMC model of a (generalised) linear regression with a prior on its weights.

    .. math::

        \eta_i = c + x_i^\top\beta, \qquad y_i \sim \text{likelihood}(\eta_i), \qquad
        \beta_j \sim \text{prior}(\mu_j, \ldots), \qquad p(c) \propto 1.

    The likelihood is one of :data:`LIKELIHOOD_DISTRIBUTIONS` (Gaussian
    ``N(eta_i, sigma**2 / w_i)``, Bernoulli with logit link, Poisson with log link, the last two
    with each observation's log likelihood multiplied by its weight ``w_i``); the prior one of
    :data:`PRIOR_DISTRIBUTIONS`. The intercept ``c`` has a flat (improper) prior because
    scikit-learn never penalises it. The model is written on weighted-centred features,
    ``c = y_mean - x_mean @ beta + centred_intercept`` (``y_mean`` is the weighted mean of ``y``
    for the Gaussian, 0 otherwise): a shear of ``(c, beta)`` with unit Jacobian, so the
    posterior is the same, but ``centred_intercept`` is less correlated with ``beta`` (for the
    Gaussian, a posteriori independent: ``Normal(0, sigma**2 / N)``), which NUTS samples
    without the correlation an uncentred ``X`` would create. ``intercept`` is a
    ``pm.Deterministic``.

    Parameters
    ----------
    data : RegressionData
    prior : Prior
        Any family of :data:`PRIOR_DISTRIBUTIONS`; its centre and parameters become ``pm.Data``.
    likelihood : Gaussian, Bernoulli or Poisson
        Its parameters (the Gaussian's known noise sigma) become ``pm.Data`` too. The target is
        checked against it (binary, counts) before anything is built.
    fit_intercept : bool, default=True
        Without it the model has no intercept and the data are not centred.
    mutable_data : bool, default=False
        Hold the data in ``pm.Data`` too, so that :meth:`RegressionModel.set_data` can swap
        in another data set of the same shape without a recompile (what a cross-validation
        loop needs). Off by default: as constants, ``X`` and ``y`` let PyTensor fold them
        into the compiled graph (measured ~4x faster NUTS at n = 1e5 than ``pm.Data``).
    form : {"auto", "raw", "sufficient"}, default="auto"
        ``"raw"``: the observed ``y`` as a PyMC distribution, O(n p) per gradient, posterior
        predictive available. ``"sufficient"`` (Gaussian only): a ``pm.Potential`` on the
        statistics of :class:`~regprior.spec.statistics.SufficientStatistics`, O(p^2) per
        gradient, the *same* log density (constants included), but no observed variable, hence
        no posterior predictive sampling or pointwise log likelihood (LOO): use ``"raw"`` for
        those. ``"auto"`` picks ``"sufficient"`` for a Gaussian at large n (see ``choose_form``).
        ``data`` may itself be a ``SufficientStatistics`` (e.g. from Dask), which implies
        ``"sufficient"``.
    """
    import pymc as pm
    import pytensor.tensor as pt

    if not isinstance(prior, Prior):
        raise TypeError(
            f"prior must be a regprior prior such as Normal or Laplace; got {type(prior).__name__}."
        )
    if prior.family not in PRIOR_DISTRIBUTIONS:
        raise ValueError(
            f"no PyMC distribution for the {prior.family!r} prior; known: "
            f"{sorted(PRIOR_DISTRIBUTIONS)}."
        )
    if getattr(likelihood, "family", None) not in LIKELIHOOD_DISTRIBUTIONS:
        raise TypeError(
            f"likelihood must be one of {sorted(LIKELIHOOD_DISTRIBUTIONS)}; got "
            f"{type(likelihood).__name__}."
        )
    centre = prior.centre(data.n_features)
    form = choose_form(data, form, mutable_data=mutable_data, likelihood=likelihood)
    if form == "sufficient":
        return _build_sufficient_model(
            data, prior, likelihood, fit_intercept=fit_intercept, mutable_data=mutable_data
        )
    likelihood.check_target(data.y)
    arrays = _data_arrays(data, likelihood, fit_intercept)
    weighted = mutable_data or data.sample_weight is not None
    coords = {"feature": list(data.feature_names)}
    with pm.Model(coords=coords) as pymc_model:
        if mutable_data:
            X_centred, observed, weights, x_mean_t, y_mean_t = (
                pm.Data(name, arrays[name]) for name in SAMPLE_DATA_NAMES
            )
        else:
            X_centred, observed, weights, x_mean_t, y_mean_t = (
                arrays[name] for name in SAMPLE_DATA_NAMES
            )
        beta, likelihood_parameters, centred_intercept = _declare_parameters(
            prior, centre, likelihood, fit_intercept, x_mean_t, y_mean_t
        )
        eta = pt.dot(pt.as_tensor(X_centred), beta)
        if fit_intercept:
            eta = eta + y_mean_t + centred_intercept
        LIKELIHOOD_DISTRIBUTIONS[likelihood.family](
            OBSERVED, eta, likelihood_parameters, weights if weighted else None, observed
        )
    return RegressionModel(
        pymc_model=pymc_model,
        data=data,
        prior=prior,
        likelihood=likelihood,
        fit_intercept=fit_intercept,
        x_mean=arrays["x_mean"],
        y_mean=float(arrays["y_mean"]),
        mutable_data=mutable_data,
        form="raw",
    )


def _declare_parameters(prior, centre, likelihood, fit_intercept, x_mean, y_mean):
    """Inside a model context: the pm.Data hyperparameters, the weights and the intercept.

    Returns ``(beta, likelihood parameters as pm.Data, centred_intercept)``; the last is None
    without intercept.
    """
    import pymc as pm

    prior_mu = pm.Data(PRIOR_MU, centre, dims="feature")
    parameters = {
        name[len("prior_") :]: pm.Data(name, value) for name, value in _prior_data(prior).items()
    }
    likelihood_parameters = {
        name: pm.Data(name, value) for name, value in likelihood.parameters.items()
    }
    beta = PRIOR_DISTRIBUTIONS[prior.family](WEIGHTS, prior_mu, parameters, dims="feature")
    return beta, likelihood_parameters, _declare_intercept(beta, fit_intercept, x_mean, y_mean)


def _declare_intercept(beta, fit_intercept, x_mean, y_mean):
    """Inside a model context: the flat centred intercept and the ``intercept`` Deterministic.

    Returns the centred intercept, None without one.
    """
    import pymc as pm
    import pytensor.tensor as pt

    if not fit_intercept:
        return None
    # sklearn never penalises the intercept: flat prior here.
    centred_intercept = pm.Flat(CENTRED_INTERCEPT)
    pm.Deterministic(INTERCEPT, y_mean - pt.dot(x_mean, beta) + centred_intercept)
    return centred_intercept


@dataclass
class HierarchicalModel(_HoldsCompiled):
    """A built full-Bayes ``pm.Model``, its data and specification (sampled by ``nuts_posterior``).

    ``summary_names`` are the scalars the posterior summary reports beside the weights.
    ``sampling_model``, when set, is the model NUTS samples instead of ``pymc_model``: a normal
    scale mixture's scales with the weights integrated out; :meth:`complete_posterior` then adds
    the weights (drawn exactly given each draw), the intercept and the shrinkage factors.
    """

    pymc_model: object
    data: RegressionData
    spec: object
    fit_intercept: bool
    summary_names: tuple = ()
    sampling_model: object = None
    _compiled: dict = field(default_factory=dict, repr=False)
    #: ``(X, y, x_mean, y_mean)``: centred, row-weighted data the completion draws from.
    _collapsed_data: tuple = field(default=None, repr=False)

    def data_values(self) -> dict:
        """Current values of the model's ``pm.Data`` (Park & Casella's fixed lambda)."""
        return self.spec.data_values()

    def set_spec(self, spec) -> None:
        """Swap in a specification that differs only in its ``pm.Data`` values (a fixed lambda).

        No rebuild, no recompile: the cached nutpie sampler gets the new values.
        """
        import pymc as pm

        if not self.spec.same_structure(spec):
            raise TypeError(
                f"spec must differ from {self.spec!r} in "
                f"{sorted(self.spec.data_fields) or 'nothing'} "
                f"only; got {spec!r}."
            )
        pm.set_data(spec.data_values(), model=self.pymc_model)
        self.spec = spec

    def complete_posterior(self, datatree, random_seed: int = 0):
        """Add what the sampling model integrated out to ``datatree``'s posterior.

        Per draw of the scales and sigma: the weights ``beta`` drawn exactly from
        ``N(A^-1 X'y / sigma^2, A^-1)``, ``A = X'X / sigma^2 + diag(v)^-1``
        (:func:`regprior.spec.sparse.draw_gaussian_weights`), the flat centred intercept from
        ``N(0, sigma^2 / N)`` (independent of the weights on centred data), ``intercept``, the
        shrinkage factors ``kappa_j = 1 / (1 + x_j'x_j v_j / sigma^2)`` and
        ``m_eff = sum_j (1 - kappa_j)``. The prior variances are dropped. Same seed, same draws.
        Returns ``datatree`` unchanged for a model sampled as built.
        """
        import xarray as xr

        from regprior.spec.sparse import draw_gaussian_weights

        if self.sampling_model is None:
            return datatree
        X, y, x_mean, y_mean = self._collapsed_data
        posterior = datatree.posterior.to_dataset()
        variance = np.asarray(posterior[PRIOR_VARIANCE].transpose("chain", "draw", ...))
        sigma = np.asarray(posterior[SIGMA].transpose("chain", "draw"))
        rng = np.random.default_rng([random_seed, 2016])
        beta = np.empty_like(variance)
        for index in np.ndindex(sigma.shape):
            beta[index] = draw_gaussian_weights(X, y, variance[index], sigma[index], rng)
        kappa = 1.0 / (1.0 + np.sum(X**2, axis=0) * variance / sigma[..., None] ** 2)
        dims = ("chain", "draw", "feature")
        added = {
            WEIGHTS: (dims, beta),
            KAPPA: (dims, kappa),
            M_EFF: (("chain", "draw"), np.sum(1.0 - kappa, axis=-1)),
        }
        if self.fit_intercept:
            centred = sigma / np.sqrt(self.data.weight_sum) * rng.standard_normal(sigma.shape)
            added[CENTRED_INTERCEPT] = (("chain", "draw"), centred)
            added[INTERCEPT] = (("chain", "draw"), y_mean - beta @ x_mean + centred)
        posterior = posterior.drop_vars(PRIOR_VARIANCE).assign(added)
        datatree["posterior"] = xr.DataTree(posterior)
        return datatree


def build_hierarchical_model(
    data: RegressionData, spec, *, fit_intercept: bool = True
) -> HierarchicalModel:
    r"""Build a full-Bayes model: priors on the noise sigma and on the prior's own scale.

    .. math::

        y_i \sim \mathcal{N}(c + x_i^\top\beta,\ \sigma^2 / w_i), \qquad p(c) \propto 1,

    with ``beta`` and ``sigma`` declared by the specification's entry of
    :data:`regprior.backend.hierarchical.FULL_BAYES_DECLARATIONS` (Park & Casella's
    :class:`~regprior.spec.hierarchical.BayesianLasso`,
    :class:`~regprior.spec.hierarchical.LearnedScale`). The intercept is flat on centred data,
    as in :func:`build_model`. A specification without sample weights (Park & Casella) rejects
    weighted data before anything is built.
    """
    import pymc as pm
    import pytensor.tensor as pt

    if not isinstance(spec, FullBayes) or spec.kind not in FULL_BAYES_DECLARATIONS:
        raise TypeError(
            "spec must be a full-Bayes specification with a backend declaration "
            f"({sorted(FULL_BAYES_DECLARATIONS)}); got {spec!r}."
        )
    if data.sample_weight is not None and not spec.supports_weights:
        raise ValueError(f"{type(spec).__name__} has no sample weights; fit it on unweighted data.")
    x_mean, y_mean, X_centred, _ = weighted_centring(data, fit_intercept=fit_intercept)
    with pm.Model(coords={"feature": list(data.feature_names)}) as pymc_model:
        beta, sigma, summary_names = FULL_BAYES_DECLARATIONS[spec.kind](spec, data)
        mean = pt.dot(pt.as_tensor(X_centred), beta)
        centred_intercept = _declare_intercept(beta, fit_intercept, x_mean, y_mean)
        if centred_intercept is not None:
            mean = mean + y_mean + centred_intercept
        weights = None if data.sample_weight is None else data.weights
        LIKELIHOOD_DISTRIBUTIONS[spec.likelihood](
            OBSERVED, mean, {NOISE_SIGMA: sigma}, weights, data.y
        )
    model = HierarchicalModel(pymc_model, data, spec, fit_intercept, summary_names=summary_names)
    if spec.kind in SCALE_MIXTURE_DECLARATIONS:
        _add_collapsed_model(model, x_mean, y_mean, X_centred)
    return model


def _add_collapsed_model(model, x_mean, y_mean, X_centred) -> None:
    """The model NUTS samples for a normal scale mixture: its scales, the weights integrated out.

    The same scale variables (names, priors, transforms) as the joint model, the prior
    variances as a Deterministic, and the Gaussian marginal likelihood as a Potential
    (:func:`regprior.backend.sparse.marginal_log_likelihood`): no funnel between the weights and
    their scales. :meth:`HierarchicalModel.complete_posterior` adds the weights afterwards.
    """
    import pymc as pm

    data, spec = model.data, model.spec
    root_w = np.sqrt(data.weights)
    X = X_centred * root_w[:, None]
    y = (data.y - y_mean) * root_w
    constant = 0.5 * float(np.sum(np.log(data.weights)))
    if model.fit_intercept:
        constant -= 0.5 * float(np.log(data.weight_sum))
    with pm.Model(coords={"feature": list(data.feature_names)}) as sampling_model:
        variance, sigma, _ = SCALE_MIXTURE_DECLARATIONS[spec.kind](spec, data)
        pm.Deterministic(PRIOR_VARIANCE, variance, dims="feature")
        pm.Potential(
            LIKELIHOOD_POTENTIAL,
            marginal_log_likelihood(
                variance, sigma, X, y, fit_intercept=model.fit_intercept, log_weight_term=constant
            ),
        )
    model.sampling_model = sampling_model
    model.summary_names = tuple(model.summary_names) + (M_EFF,)
    model._collapsed_data = (X, y, x_mean, float(y_mean))


def prior_data_names(prior: Prior) -> tuple[str, ...]:
    """Names of the ``pm.Data`` holding the prior's parameters: ``prior_<parameter>``."""
    return tuple(f"prior_{name}" for name in prior.parameter_names)


def _prior_data(prior: Prior) -> dict:
    return {f"prior_{name}": value for name, value in prior.parameters.items()}


def _data_arrays(data: RegressionData, likelihood, fit_intercept: bool) -> dict:
    """The arrays a model holds: centred X, y, weights, and the offsets of the intercept."""
    x_mean, y_mean, X_centred, _ = weighted_centring(data, fit_intercept=fit_intercept)
    if not likelihood.centres_target:
        y_mean = 0.0
    return {
        "X_centred": X_centred,
        "y_observed": data.y,
        "weights": data.weights,
        "x_mean": x_mean,
        "y_mean": np.asarray(y_mean),
    }


def _statistic_values(stats) -> dict:
    """The statistics a mutable sufficient-form model holds as ``pm.Data``."""
    return {
        f"stat_{name}": np.asarray(getattr(stats, name), dtype=float) for name in STATISTIC_NAMES
    }


def _build_sufficient_model(
    data, prior: Prior, likelihood: Likelihood, *, fit_intercept: bool, mutable_data: bool = False
) -> RegressionModel:
    """The same model with the likelihood written on sufficient statistics (a pm.Potential).

    With ``mutable_data`` the statistics are ``pm.Data`` (:data:`STATISTIC_NAMES`), so that
    :meth:`RegressionModel.set_data` swaps a new data set's statistics in: an O(n p^2) product,
    no rebuild.

    ``log L = -n/2 log(2 pi sigma^2) + 1/2 sum log w
              - (yWy - 2 beta^T XWy + beta^T XWX beta + N c0^2) / (2 sigma^2)``
    on centred moments: equal to the raw form's log likelihood at every point.
    """
    import pymc as pm
    import pytensor.tensor as pt

    from regprior.spec.statistics import SufficientStatistics

    if isinstance(data, SufficientStatistics):
        stats = data
        if stats.fit_intercept != fit_intercept:
            raise ValueError(
                f"the statistics were computed with fit_intercept={stats.fit_intercept}; the "
                f"model asks for {fit_intercept}."
            )
    else:
        stats = SufficientStatistics.from_data(data, fit_intercept=fit_intercept)
    centre = prior.centre(stats.n_features)
    with pm.Model(coords={"feature": list(stats.feature_names)}) as pymc_model:
        if mutable_data:
            held = {
                name[len("stat_") :]: pm.Data(name, value)
                for name, value in _statistic_values(stats).items()
            }
        else:
            held = {name: getattr(stats, name) for name in STATISTIC_NAMES}
        beta, likelihood_parameters, centred_intercept = _declare_parameters(
            prior, centre, likelihood, fit_intercept, held["x_mean"], held["y_mean"]
        )
        noise_sigma = likelihood_parameters["noise_sigma"]
        residual_ss = (
            held["yty"] - 2.0 * pt.dot(held["xty"], beta) + pt.dot(beta, pt.dot(held["xtx"], beta))
        )
        if fit_intercept:
            residual_ss = residual_ss + held["weight_sum"] * centred_intercept**2
        log_likelihood = (
            -0.5 * stats.n_samples * pt.log(2.0 * np.pi * noise_sigma**2)
            + 0.5 * held["log_weight_sum"]
            - residual_ss / (2.0 * noise_sigma**2)
        )
        pm.Potential(LIKELIHOOD_POTENTIAL, log_likelihood)
    return RegressionModel(
        pymc_model=pymc_model,
        data=data,
        prior=prior,
        likelihood=likelihood,
        fit_intercept=fit_intercept,
        x_mean=stats.x_mean,
        y_mean=stats.y_mean,
        mutable_data=mutable_data,
        form="sufficient",
    )
