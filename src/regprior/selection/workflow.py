"""``select_variables``: projection predictive selection from a reference, beside the Lasso.

The steps (docs/specification.md, "Projection predictive selection"): fit or take the reference
posterior; search the order of entry on the full data (L1 or forward, on ``n_clusters`` clusters
of draws); project ``n_projection_draws`` thinned draws onto every size and score them by
PSIS-LOO with the reference's LOO weights; cross-validate the whole search over ``cv`` folds
(the reference refitted on each, with fewer draws); suggest a size by projpred's rule; fit the
Lasso's CV and 1-SE supports on the same folds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regprior.selection import performance
from regprior.selection.projection import (
    ReferenceDraws,
    check_projectable,
    cluster_draws,
    has_noise_scale,
    log_density,
    project,
    single_draws,
)
from regprior.selection.result import ProjectedPosterior, VariableSelection
from regprior.selection.search import forward_ranking, l1_ranking

__all__ = [
    "select_variables",
    "default_reference",
    "add_noise_columns",
    "METHODS",
    "PROJPRED_MAX_SIZE",
]

METHODS = ("l1", "forward")
#: projpred's default largest submodel: ``min(19, n_features)``.
PROJPRED_MAX_SIZE = 19
#: The few draws of each fold's reference refit (the expensive part of the cross-validation).
CV_SAMPLER = {"draws": 300, "tune": 300, "chains": 2}


def default_reference():
    """The default reference specification: a full-Bayes one, learnt scale and noise.

    ``benchmarks/results/selection.md`` was measured with it. It is weak with many noise
    columns (bp and s3 left out of diabetes + 90 noise columns); the horseshoe family is the
    reference projpred recommends and the horseshoe now samples fast by Gibbs: switching here
    (one line) needs that benchmark re-run.
    """
    from regprior.spec.hierarchical import LearnedScale

    return LearnedScale()


def add_noise_columns(data, count: int, *, seed: int = 0):
    """``data`` with ``count`` seeded pure-noise columns appended (``noise_00``, ...).

    Each is standard normal times the mean sd of the real columns, independent of ``y``.
    Returns ``(data, truth)``, ``truth`` the names of the real columns.
    """
    from regprior.spec.data import RegressionData

    count = _check_int(count, "count", 0)
    rng = np.random.default_rng(seed)
    scale = float(np.mean(np.std(data.X, axis=0)))
    noise = rng.standard_normal((data.n_samples, count)) * scale
    width = max(2, len(str(count - 1)))
    names = (*data.feature_names, *(f"noise_{j:0{width}d}" for j in range(count)))
    noisy = RegressionData(
        np.hstack([data.X, noise]),
        data.y,
        data.sample_weight,
        feature_names=names,
        name=f"{data.name} + {count} noise columns" if count else data.name,
    )
    return noisy, tuple(data.feature_names)


def _check_int(value, name, low, high=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}.")
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer {bound}; got {value!r}.")
    return int(value)


def _draws_of(posterior, likelihood, n_features, *, noise_known=True) -> ReferenceDraws:
    """The reference's draws (weights, intercept, noise sd) from its DataTree."""
    from regprior.backend.names import INTERCEPT, NOISE_SIGMA, SIGMA, SIGMA2, WEIGHTS

    tree = posterior.datatree
    post = tree.posterior
    if WEIGHTS not in post or INTERCEPT not in post:
        raise ValueError(
            "reference: the posterior has no intercept; projection onto [1, X_A] needs a "
            "reference fitted with fit_intercept=True."
        )
    coef = np.asarray(post[WEIGHTS], dtype=float).reshape(-1, post[WEIGHTS].shape[-1])
    if coef.shape[1] != n_features:
        raise ValueError(
            f"reference: its posterior has {coef.shape[1]} weights but X has {n_features} columns."
        )
    intercept = np.asarray(post[INTERCEPT], dtype=float).reshape(-1)
    noise = None
    if has_noise_scale(likelihood):
        if SIGMA in post:
            noise = np.asarray(post[SIGMA], dtype=float).reshape(-1)
        elif SIGMA2 in post:  # the Gibbs engine draws the noise variance
            noise = np.sqrt(np.asarray(post[SIGMA2], dtype=float).reshape(-1))
        elif "constant_data" in tree and NOISE_SIGMA in tree["constant_data"]:
            noise = np.full(len(intercept), float(np.asarray(tree["constant_data"][NOISE_SIGMA])))
        elif noise_known:
            noise = np.full(len(intercept), float(getattr(likelihood, likelihood.noise_parameter)))
        else:
            raise ValueError(
                f"noise_sigma: the reference posterior holds no {likelihood.noise_parameter} "
                "(neither drawn nor as data); give noise_sigma or the likelihood with its noise."
            )
    return ReferenceDraws(coef, intercept, noise, likelihood)


def _fit(
    X, y, spec, *, likelihood, noise_sigma, sample_weight, feature_names, sampler, seed, engine
):
    """Fit ``spec`` by ``engine``; returns ``(draws, posterior, seconds)``.

    NUTS samples the PyMC model on the raw data; Gibbs builds none.
    """
    from regprior.api import _build, _checked_inputs
    from regprior.inference.engines import choose_engine
    from regprior.inference.gibbs import gibbs_posterior
    from regprior.inference.nuts import sample_nuts
    from regprior.spec.hierarchical import FullBayes
    from regprior.spec.likelihoods import likelihood_class

    full_bayes = isinstance(spec, FullBayes)
    start = time.perf_counter()
    data, resolved = _checked_inputs(
        X,
        y,
        spec,
        None if full_bayes else noise_sigma,
        sample_weight,
        True,
        feature_names,
        None if full_bayes else likelihood,
    )
    if choose_engine(engine, spec, resolved).engine == "gibbs":
        posterior = gibbs_posterior(data, spec, resolved, **sampler, random_seed=seed)
    else:
        model = _build(data, spec, resolved, fit_intercept=True, form="raw")
        posterior = sample_nuts(
            model, **sampler, random_seed=seed, target_accept=getattr(spec, "target_accept", 0.8)
        )
    if full_bayes:
        resolved = likelihood_class(spec.likelihood).nominal()
    draws = _draws_of(posterior, resolved, np.shape(X)[1])
    return draws, posterior, time.perf_counter() - start


def _thin(n_draws, count) -> np.ndarray:
    return np.unique(np.linspace(0, n_draws - 1, min(count, n_draws)).round().astype(int))


def _search(draws, X, weights, method, max_size, n_clusters, seed) -> list[int]:
    likelihood = draws.likelihood
    if method == "l1":
        mean_fit = draws.fit(X).mean(axis=0)
        target = mean_fit if has_noise_scale(likelihood) else likelihood.mean(draws.fit(X)).mean(0)
        ranking, _ = l1_ranking(X, target, weights, likelihood)
        return ranking[:max_size]
    clusters = cluster_draws(draws, X, weights, n_clusters, random_seed=seed)
    ranking, _ = forward_ranking(clusters, X, weights, likelihood, max_size)
    return ranking


def _size_log_densities(draws, X_train, w_train, X_eval, y_eval, w_eval, ranking):
    """``{k: log p(y_eval | projected draw s)}`` for k = 0..len(ranking), draws projected on the
    training rows one by one."""
    likelihood = draws.likelihood
    reference = single_draws(draws, X_train, w_train)
    out = {}
    for k in range(len(ranking) + 1):
        projection = project(reference, X_train, w_train, likelihood, ranking[:k])
        eta = projection.predict_eta(X_eval)
        out[k] = log_density(eta, projection.noise, y_eval, w_eval, likelihood)
    return out


@dataclass(frozen=True)
class _Reference:
    """What ``VariableSelection.project`` needs: the thinned draws and the data."""

    draws: ReferenceDraws
    X: np.ndarray
    weights: np.ndarray

    def projected_posterior(self, selection, *, size=None, features=None):
        names = list(selection.feature_names)
        if features is None:
            size = selection.suggested_size if size is None else size
            if size is None:
                raise ValueError("size: no size was suggested; give a size or features.")
            size = _check_int(size, "size", 0, len(selection.ranking))
            features = selection.ranking[:size]
        unknown = [f for f in features if f not in names]
        if unknown:
            raise ValueError(f"features: unknown feature name(s) {unknown}.")
        columns = [names.index(f) for f in features]
        reference = single_draws(self.draws, self.X, self.weights)
        projection = project(reference, self.X, self.weights, self.draws.likelihood, columns)
        return ProjectedPosterior(
            features=tuple(features),
            coef=projection.coef,
            intercept=projection.intercept,
            noise=projection.noise,
            weight=projection.weight,
            noise_name=self.draws.likelihood.noise_parameter,
        )


def select_variables(
    X,
    y,
    reference=None,
    *,
    method: str = "l1",
    cv: int | None = 5,
    n_clusters: int = 20,
    n_projection_draws: int = 400,
    max_size: int | None = None,
    likelihood=None,
    noise_sigma=None,
    sample_weight=None,
    feature_names=None,
    specification=None,
    truth=None,
    lasso: bool = True,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    cv_draws: int = CV_SAMPLER["draws"],
    cv_tune: int = CV_SAMPLER["tune"],
    cv_chains: int = CV_SAMPLER["chains"],
    random_seed: int = 0,
    engine: str | None = None,
) -> VariableSelection:
    """Projection predictive variable selection, with the Lasso's supports beside it.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    reference : PosteriorResult, Prior, FullBayes or None
        A fitted posterior of ``(X, y)`` (with an intercept), or a specification to fit by
        ``engine`` (``draws``, ``tune``, ``chains``); None fits :func:`default_reference`
        (``LearnedScale()`` now; the regularized horseshoe once it is in the package).
    method : {"l1", "forward"}, default="l1"
        The search (:mod:`regprior.selection.search`).
    cv : int or None, default=5
        Folds of the cross-validation of the whole search (shuffled, seeded); None scores by
        PSIS-LOO only. Each fold refits the reference with ``cv_draws``, ``cv_tune`` and
        ``cv_chains`` (default 300, 300, 2: few draws, the expensive part).
    n_clusters : int, default=20
        Clusters of draws for the forward search (projpred's default; the L1 search uses the
        mean fit).
    n_projection_draws : int, default=400
        Thinned draws projected one by one for the performance and the final projection
        (projpred's ``ndraws_pred``).
    max_size : int, optional
        Largest submodel searched; default ``min(19, n_features)`` (projpred's).
    likelihood, noise_sigma, sample_weight, feature_names
        As for :func:`regprior.sample_posterior`. A full-Bayes specification carries its own
        likelihood; with a fitted posterior, ``likelihood`` names its family (default Gaussian,
        the noise sd read from the posterior).
    specification : Prior or FullBayes, optional
        The specification a fitted ``reference`` came from: the folds refit it. Needed with a
        fitted ``reference`` and ``cv``.
    truth : sequence of str, optional
        The features known to matter (or, with noise columns added, the real ones): selected
        features outside it are counted as false positives, for both methods.
    lasso : bool, default=True
        Fit the likelihood's L1 counterpart's CV and 1-SE supports on the same folds.
    random_seed : int, default=0
        Seeds the sampler, the folds and the k-means clusters.
    engine : {"nuts", "gibbs", "auto"} or None, default=None
        The posterior engine of the reference and of every fold's refit
        (:func:`regprior.sample_posterior`): ``"gibbs"`` needs a specification with Gibbs
        conditionals (Gaussian likelihood: ``LearnedScale``, ``BayesianLasso``, ``Normal`` and
        ``Laplace`` at a known or estimated noise sigma; Bernoulli: ``Normal`` and ``Laplace``,
        by Polya-Gamma augmentation; a ValueError says why otherwise, before
        anything is sampled); ``"auto"`` takes Gibbs where the specification allows it and
        NUTS elsewhere, saying so in ``notes``. ``settings["engine"]`` names the engine that
        sampled the reference (a fitted reference: its own).

    Returns
    -------
    VariableSelection
    """
    from regprior._validation import check_sampling_args
    from regprior.api import check_specification
    from regprior.inference import PosteriorResult
    from regprior.inference.engines import check_engine_name, choose_engine
    from regprior.spec.data import RegressionData
    from regprior.spec.hierarchical import FullBayes
    from regprior.spec.likelihoods import Likelihood, likelihood_class

    total_start = time.perf_counter()
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    data = RegressionData(X, y, sample_weight, feature_names=feature_names)
    n, p = data.n_samples, data.n_features
    if cv is not None:
        cv = _check_int(cv, "cv", 2, n)
    n_clusters = _check_int(n_clusters, "n_clusters", 1)
    n_projection_draws = _check_int(n_projection_draws, "n_projection_draws", 2)
    max_size = (
        min(PROJPRED_MAX_SIZE, p) if max_size is None else _check_int(max_size, "max_size", 1, p)
    )
    check_sampling_args(draws=draws, tune=tune, chains=chains, random_seed=random_seed)
    if cv is not None:
        check_sampling_args(draws=cv_draws, tune=cv_tune, chains=cv_chains, random_seed=random_seed)
    if not isinstance(lasso, bool):
        raise TypeError(f"lasso must be a bool; got {lasso!r}.")
    truth_set = None
    if truth is not None:
        truth_set = set(str(t) for t in truth)
        unknown = sorted(truth_set - set(data.feature_names))
        if unknown:
            raise ValueError(f"truth: unknown feature name(s) {unknown}.")
    if likelihood is not None and not isinstance(likelihood, Likelihood):
        raise TypeError(
            "likelihood must be a regprior likelihood instance such as Bernoulli(); "
            f"got {likelihood!r}."
        )
    check_engine_name(engine)
    sampler = {"draws": draws, "tune": tune, "chains": chains}
    fit_options = {
        "likelihood": likelihood,
        "noise_sigma": noise_sigma,
        "sample_weight": sample_weight,
        "feature_names": data.feature_names,
    }
    if reference is None:
        reference = default_reference()
    fitted = isinstance(reference, PosteriorResult)
    spec = specification if fitted else reference
    choice = None
    if spec is not None and (not fitted or cv is not None):
        check_specification(spec, "specification" if fitted else "reference")
        # Before anything is sampled: the engine of the reference and of the folds' refits (a
        # fixed prior's noise sigma, given or estimated, does not change which engine applies).
        nominal = None
        if not isinstance(spec, FullBayes):
            nominal = (
                likelihood
                if likelihood is not None
                else likelihood_class(_default_family()).nominal()
            )
        choice = choose_engine(engine, spec, nominal)
    if isinstance(reference, PosteriorResult):
        if specification is not None:
            check_specification(specification, "specification")
        elif cv is not None:
            raise ValueError(
                "specification: K-fold cross-validation refits the reference on every fold and "
                "needs the specification it was fitted with; pass specification=..., or cv=None "
                "to score by PSIS-LOO only."
            )
        observed = reference.datatree["observed_data"]
        y_ref = np.asarray(next(iter(observed.data_vars.values())), dtype=float)
        if y_ref.shape != data.y.shape or not np.array_equal(y_ref, data.y):
            raise ValueError("reference: its posterior was fitted to another y than the one given.")
        family = likelihood_class(
            getattr(specification, "likelihood", None)
            if isinstance(specification, FullBayes)
            else (likelihood.family if likelihood is not None else _default_family())
        )
        resolved = likelihood if likelihood is not None else family.nominal()
        if noise_sigma is not None:
            resolved = resolved.with_noise(noise_sigma, "given")
        check_projectable(resolved)
        noise_known = likelihood is not None or noise_sigma is not None
        ref_draws = _draws_of(reference, resolved, p, noise_known=noise_known)
        posterior, reference_seconds = reference, 0.0
        spec = specification
    else:
        check_specification(reference, "reference")
        spec = reference
        ref_draws, posterior, reference_seconds = _fit(
            data.X, data.y, spec, **fit_options, sampler=sampler, seed=random_seed, engine=engine
        )
        check_projectable(ref_draws.likelihood)
    lik = ref_draws.likelihood
    weights = data.weights
    timings = {"reference": reference_seconds}

    # The search on the full data.
    start = time.perf_counter()
    ranking = _search(ref_draws, data.X, weights, method, max_size, n_clusters, random_seed)
    timings["search"] = time.perf_counter() - start

    # PSIS-LOO of the projected thinned draws, the reference's LOO weights.
    start = time.perf_counter()
    thinned = ref_draws.subset(_thin(ref_draws.n_draws, n_projection_draws))
    reference_ll = log_density(thinned.fit(data.X), thinned.noise, data.y, weights, lik)
    log_weights, pareto_k = performance.psis_log_weights(reference_ll)
    reference_loo = performance.loo_pointwise(log_weights, reference_ll)
    sizes = _size_log_densities(thinned, data.X, weights, data.X, data.y, weights, ranking)
    loo_frame = performance.elpd_frame(
        {k: performance.loo_pointwise(log_weights, ll) for k, ll in sizes.items()},
        reference_loo,
        "loo",
    )
    timings["loo"] = time.perf_counter() - start
    reference_elpd = {
        "loo": (
            float(reference_loo.sum()),
            float(np.sqrt(n * np.var(reference_loo, ddof=1))),
        )
    }

    # K-fold cross-validation of the whole search.
    fold_rankings, splits, cv_frame = [], None, None
    if cv is not None or lasso:
        from sklearn.model_selection import KFold

        splits = list(KFold(n_splits=cv or 5, shuffle=True, random_state=random_seed).split(data.X))
    if cv is not None:
        start = time.perf_counter()
        cv_sampler = {"draws": cv_draws, "tune": cv_tune, "chains": cv_chains}
        pointwise = {k: np.empty(n) for k in range(max_size + 1)}
        reference_cv = np.empty(n)
        refit_seconds = 0.0
        for fold, (train, test) in enumerate(splits):
            fold_draws, _, seconds = _fit(
                data.X[train],
                data.y[train],
                spec,
                likelihood=likelihood if not isinstance(spec, FullBayes) else None,
                noise_sigma=noise_sigma,
                sample_weight=None if data.sample_weight is None else weights[train],
                feature_names=data.feature_names,
                sampler=cv_sampler,
                seed=random_seed + fold + 1,
                engine=engine,
            )
            refit_seconds += seconds
            fold_ranking = _search(
                fold_draws, data.X[train], weights[train], method, max_size, n_clusters, random_seed
            )
            fold_rankings.append(tuple(data.feature_names[j] for j in fold_ranking))
            fold_thinned = fold_draws.subset(_thin(fold_draws.n_draws, n_projection_draws))
            reference_cv[test] = performance.held_out_pointwise(
                log_density(
                    fold_thinned.fit(data.X[test]),
                    fold_thinned.noise,
                    data.y[test],
                    weights[test],
                    fold_draws.likelihood,
                )
            )
            fold_sizes = _size_log_densities(
                fold_thinned,
                data.X[train],
                weights[train],
                data.X[test],
                data.y[test],
                weights[test],
                fold_ranking,
            )
            for k in range(max_size + 1):
                # A fold whose search stopped early keeps its largest submodel.
                pointwise[k][test] = performance.held_out_pointwise(
                    fold_sizes[min(k, len(fold_ranking))]
                )
        cv_frame = performance.elpd_frame(pointwise, reference_cv, "cv")
        reference_elpd["cv"] = (
            float(reference_cv.sum()),
            float(np.sqrt(n * np.var(reference_cv, ddof=1))),
        )
        timings["cv"] = time.perf_counter() - start
        timings["cv_reference_refits"] = refit_seconds

    names = [data.feature_names[j] for j in ranking]
    table = loo_frame.loc[: len(ranking)].copy()
    table.insert(0, "feature", [""] + names)
    if cv_frame is not None:
        table = table.join(cv_frame.loc[: len(ranking)])
        table["cv_proportion"] = [np.nan] + [
            float(np.mean([names[k - 1] in fold[:k] for fold in fold_rankings]))
            for k in range(1, len(ranking) + 1)
        ]
    if truth_set is not None:
        table["true_feature"] = [None] + [name in truth_set for name in names]
    source = "cv" if cv_frame is not None else "loo"
    suggested = performance.suggest_size(table[f"diff_{source}"], table[f"diff_se_{source}"])
    table["suggested"] = [k == suggested for k in table.index]

    # The Lasso's supports on the same folds.
    lasso_frame, notes = None, []
    if lasso:
        start = time.perf_counter()
        from regprior.selection.lasso import lasso_supports

        lasso_frame, note = lasso_supports(data, lik, splits)
        notes.append(note)
        timings["lasso"] = time.perf_counter() - start
    rows = [
        {
            "method": f"projection predictive ({method} search), suggested size",
            "strength": np.nan,
            "support": tuple(names[: suggested or 0]),
        }
    ]
    lasso_frame = pd.concat(
        [pd.DataFrame(rows), lasso_frame] if lasso_frame is not None else [pd.DataFrame(rows)],
        ignore_index=True,
    )
    lasso_frame["size"] = [len(s) for s in lasso_frame["support"]]
    if truth_set is not None:
        lasso_frame["false_positives"] = [
            sum(f not in truth_set for f in s) for s in lasso_frame["support"]
        ]
        lasso_frame["false_negatives"] = [len(truth_set - set(s)) for s in lasso_frame["support"]]
    timings["after_reference"] = time.perf_counter() - total_start - reference_seconds
    if choice is not None and choice.note:
        notes.append(f"reference engine {choice.note}")
    threshold = _pareto_threshold(len(thinned.intercept))
    diagnostics = {
        "sampler_problems": tuple(getattr(posterior, "problems", ())),
        "pareto_k_max": float(np.max(pareto_k)),
        "pareto_k_threshold": threshold,
        "n_bad_pareto_k": int(np.sum(pareto_k > threshold)),
    }
    settings = {
        "reference": repr(spec) if spec is not None else "a fitted posterior",
        "likelihood": lik.family,
        "n_samples": n,
        "n_features": p,
        "max_size": max_size,
        "n_clusters": n_clusters if method == "forward" else None,
        "n_projection_draws": thinned.n_draws,
        "reference_draws": ref_draws.n_draws,
        "cv": cv,
        "cv_sampler": None
        if cv is None
        else {"draws": cv_draws, "tune": cv_tune, "chains": cv_chains},
        "random_seed": random_seed,
        "engine": getattr(posterior, "engine", "nuts"),
        "projection": "weighted least squares, sigma projected"
        if has_noise_scale(lik)
        else "maximum likelihood by Newton (IRLS) on the mean response",
    }
    return VariableSelection(
        method=method,
        feature_names=data.feature_names,
        ranking=tuple(names),
        table=table,
        reference_elpd=reference_elpd,
        suggested_size=suggested,
        suggestion_source=source,
        rule=performance.SUGGESTION_RULE,
        lasso=lasso_frame,
        fold_rankings=tuple(fold_rankings),
        settings=settings,
        timings=timings,
        diagnostics=diagnostics,
        notes=tuple(notes),
        _reference=_Reference(thinned, data.X, weights),
    )


def _default_family() -> str:
    from regprior import registry

    return registry.DEFAULT_LIKELIHOOD


def _pareto_threshold(n_draws: int) -> float:
    from regprior.checks.loo import pareto_k_threshold

    return pareto_k_threshold(n_draws)
