"""Three ways to choose the strength, side by side: cross-validation, evidence, full Bayes.

For the Gaussian likelihood on one data set: sklearn's CV curves (RidgeCV's leave-one-out
error, LassoCV's 5-fold error, each with its chosen alpha and the 1-SE alpha), the type-II ML
alpha of the Normal prior (:func:`regprior.inference.type2_ml`), and the posterior of the
implied alpha under full-Bayes models (learnt-scale Normal; learnt-scale Laplace and Park &
Casella). Computing only: :func:`regprior.report.plots.plot_alpha_choice` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from regprior import registry
from regprior.backend.model import build_hierarchical_model
from regprior.checks.sklearn import one_se_alpha
from regprior.inference import nuts_posterior, type2_ml
from regprior.spec.hierarchical import BayesianLasso, LearnedScale

__all__ = ["AlphaChoice", "BayesAlpha", "choose_alpha", "choice_table", "bayes_alpha"]


@dataclass(frozen=True)
class AlphaChoice:
    """The choices of one sklearn estimator's alpha (``"Ridge"`` or ``"Lasso"``).

    Attributes
    ----------
    cv_alphas, cv_mean, cv_se : ndarray
        The CV curve: mean validation error per alpha and its standard error.
    cv_alpha, one_se_alpha : float
        CV's choice, and the largest alpha within one SE of the best (the 1-SE rule).
    eb_alpha : float or None
        Type-II ML (Normal prior only).
    posterior_alphas : dict of str -> ndarray
        Posterior draws of the implied alpha, per full-Bayes model.
    health : dict of str -> list of str
        Each full-Bayes model's sampler problems (empty when healthy).
    """

    estimator: str
    cv_alphas: np.ndarray
    cv_mean: np.ndarray
    cv_se: np.ndarray
    cv_alpha: float
    one_se_alpha: float
    eb_alpha: float | None
    posterior_alphas: dict = field(default_factory=dict)
    health: dict = field(default_factory=dict)

    def _repr_html_(self) -> str:
        from regprior.report.html import frame_html

        return frame_html(self.table(), f"Choosing {self.estimator}'s alpha", flag_column=None)

    def __repr__(self) -> str:
        return (
            f"<AlphaChoice {self.estimator}: CV {self.cv_alpha:.4g}, 1-SE {self.one_se_alpha:.4g}"
            + ("" if self.eb_alpha is None else f", EB {self.eb_alpha:.4g}")
            + f", {len(self.posterior_alphas)} full-Bayes>"
        )

    def table(self) -> pd.DataFrame:
        rows = [
            {"way": "cross-validation", "alpha": self.cv_alpha},
            {"way": "cross-validation, 1-SE rule", "alpha": self.one_se_alpha},
        ]
        if self.eb_alpha is not None:
            rows.append({"way": "type-II ML (evidence)", "alpha": self.eb_alpha})
        for name, draws in self.posterior_alphas.items():
            low, median, high = np.quantile(draws, [0.03, 0.5, 0.97])
            rows.append(
                {
                    "way": f"full Bayes: {name}",
                    "alpha": median,
                    "low_3%": low,
                    "high_97%": high,
                    "sampler": "; ".join(self.health[name]) or "healthy",
                }
            )
        return pd.DataFrame(rows).assign(estimator=self.estimator)[
            ["estimator", "way", *[c for c in rows[-1] if c != "way"]]
        ]


def choice_table(choices: dict) -> pd.DataFrame:
    """Every estimator's choices in one frame (see :meth:`AlphaChoice.table`)."""
    return pd.concat([choice.table() for choice in choices.values()], ignore_index=True)


def choose_alpha(
    data,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int = 0,
    target_accept: float = 0.95,
) -> tuple[dict, pd.DataFrame]:
    """Run every way of choosing alpha on ``data`` (Gaussian, flat intercept, no weights).

    Returns ``({"Ridge": AlphaChoice, "Lasso": AlphaChoice}, coefficients)`` where the
    coefficient table has, per feature, the Ridge solution at the CV and the EB alpha, the
    Lasso solution at the CV and the 1-SE alpha, and each full-Bayes model's posterior median
    and 94% interval.
    """
    from sklearn.linear_model import Lasso, LassoCV, Ridge, RidgeCV

    if data.sample_weight is not None:
        raise ValueError(
            "choose_alpha compares unweighted fits (Park & Casella's model has no weights)."
        )
    ridge_alphas = np.logspace(-6, 6, 121)
    ridge = RidgeCV(alphas=ridge_alphas, store_cv_results=True).fit(data.X, data.y)
    errors = ridge.cv_results_  # leave-one-out squared errors, (n_samples, n_alphas)
    ridge_mean, ridge_se = (
        errors.mean(axis=0),
        errors.std(axis=0, ddof=1) / np.sqrt(errors.shape[0]),
    )
    lasso = LassoCV(cv=5, alphas=100).fit(data.X, data.y)
    lasso_mean = lasso.mse_path_.mean(axis=1)
    lasso_se = lasso.mse_path_.std(axis=1, ddof=1) / np.sqrt(lasso.mse_path_.shape[1])
    evidence = type2_ml(data)
    settings = {
        "draws": draws,
        "tune": tune,
        "chains": chains,
        "random_seed": random_seed,
        "target_accept": target_accept,
    }
    # The learnt-scale version of the prior family each estimator is paired with.
    ridge_family, lasso_family = (
        registry.pairing_for_estimator(name).family for name in ("Ridge", "Lasso")
    )
    models = {
        "Ridge": {"Normal, learnt tau": build_hierarchical_model(data, _shared(ridge_family))},
        "Lasso": {
            "Laplace, learnt scale": build_hierarchical_model(data, _shared(lasso_family)),
            "Park & Casella, learnt lambda": build_hierarchical_model(
                data, BayesianLasso(lam=None)
            ),
        },
    }
    posteriors = {
        name: nuts_posterior(model, **settings)
        for group in models.values()
        for name, model in group.items()
    }

    def draws_of(name):
        return posteriors[name].datatree.posterior["sklearn_alpha"].to_numpy().ravel()

    choices = {
        "Ridge": AlphaChoice(
            "Ridge",
            ridge_alphas,
            ridge_mean,
            ridge_se,
            float(ridge.alpha_),
            one_se_alpha(ridge_alphas, ridge_mean, ridge_se),
            evidence.ridge_alpha,
            {n: draws_of(n) for n in models["Ridge"]},
            {n: posteriors[n].problems for n in models["Ridge"]},
        ),
        "Lasso": AlphaChoice(
            "Lasso",
            lasso.alphas_,
            lasso_mean,
            lasso_se,
            float(lasso.alpha_),
            one_se_alpha(lasso.alphas_, lasso_mean, lasso_se),
            None,
            {n: draws_of(n) for n in models["Lasso"]},
            {n: posteriors[n].problems for n in models["Lasso"]},
        ),
    }
    columns = {
        "Ridge at CV alpha": Ridge(alpha=choices["Ridge"].cv_alpha, solver="cholesky")
        .fit(data.X, data.y)
        .coef_,
        "Ridge at EB alpha": evidence.coef,
        "Lasso at CV alpha": Lasso(alpha=choices["Lasso"].cv_alpha, tol=1e-12, max_iter=10**6)
        .fit(data.X, data.y)
        .coef_,
        "Lasso at 1-SE alpha": Lasso(alpha=choices["Lasso"].one_se_alpha, tol=1e-12, max_iter=10**6)
        .fit(data.X, data.y)
        .coef_,
    }
    table = pd.DataFrame(columns, index=pd.Index(list(data.feature_names), name="feature"))
    for name, posterior in posteriors.items():
        summary = posterior.summary.loc[list(data.feature_names)]
        table[f"{name}: median"] = summary["median"]
        table[f"{name}: 94% HDI"] = [
            f"[{lo:.4g}, {hi:.4g}]"
            for lo, hi in zip(summary["hdi_low"], summary["hdi_high"], strict=True)
        ]
    return choices, table


def _shared(family: str) -> LearnedScale:
    """The learnt-scale model whose implied alpha is sklearn's on the columns as given.

    sklearn's alpha is one number for every column in its own units, so its full-Bayes
    analogue is the model with one shared scale (``scale_by_column=False``), not the default
    per-column scales, whose implied alpha belongs to the standardised columns.
    """
    return LearnedScale(family, scale_by_column=False)


@dataclass(frozen=True)
class BayesAlpha:
    """The full-Bayes choice of a prior's strength: the posterior of the implied sklearn alpha.

    Attributes
    ----------
    alpha : float
        Posterior median of the implied alpha (Ridge ``sigma^2/tau^2``, Lasso ``sigma^2/(N tau)``).
    hdi : tuple of float
        Its 94% HDI.
    noise_sigma : float
        Posterior median of the noise sigma: the plug-in for the fixed-sigma comparison.
    posterior : PosteriorResult
        The learnt-scale model's posterior (its sampler problems, if any, belong in every table).
    """

    alpha: float
    hdi: tuple
    noise_sigma: float
    posterior: object

    def describe(self) -> str:
        health = "; ".join(self.posterior.problems) or "healthy"
        return (
            "full Bayes: posterior median of the implied alpha, 94% HDI "
            f"[{self.hdi[0]:.4g}, {self.hdi[1]:.4g}] "
            f"(learnt scale, sigma unknown; sampler {health})"
        )


def bayes_alpha(
    data,
    family: str,
    *,
    fit_intercept: bool = True,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int = 0,
    target_accept: float = 0.95,
) -> BayesAlpha:
    """Fit the learnt-scale version of ``family`` (:class:`LearnedScale`, NUTS): its implied alpha.

    Conditionally on ``(sigma, tau)`` the mode is sklearn's estimator at the implied alpha, so
    the posterior median of that alpha, with the posterior median of sigma as the plug-in noise,
    is the full-Bayes analogue of CV's single alpha (``regprior compare --alpha bayes``).
    """
    if family not in registry.SEED_FAMILIES:
        raise ValueError(
            "a learnt-scale model exists for the "
            f"{' and '.join(registry.SEED_FAMILIES)} priors; got {family!r}."
        )
    model = build_hierarchical_model(data, _shared(family), fit_intercept=fit_intercept)
    posterior = nuts_posterior(
        model,
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
        target_accept=target_accept,
    )
    alpha, sigma = posterior.summary.loc["sklearn_alpha"], posterior.summary.loc["sigma"]
    return BayesAlpha(
        float(alpha["median"]),
        (float(alpha["hdi_low"]), float(alpha["hdi_high"])),
        float(sigma["median"]),
        posterior,
    )
