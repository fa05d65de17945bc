"""The one table pairing (likelihood, prior) with its scikit-learn estimator and strength.

A row says which sklearn estimator's solution is the MAP of the pair, how sklearn writes its
data term (``"sum"`` or ``"mean"``, see :data:`regprior.spec.likelihoods.DATA_TERMS`) and its
penalty. Every penalty here has the form ``a1 ||w||_1 + a2/2 ||w||_2**2`` in sklearn's
objective; dividing sklearn's objective by the likelihood's loss factor ``c``
(:meth:`~regprior.spec.likelihoods.Gaussian.sklearn_loss_factor`) gives the negative log
posterior, so the prior's penalty weights are ``(l1, l2) = (a1 / c, a2 / c)``
(:attr:`~regprior.spec.priors.ElasticNetFormPrior.penalty_weights`). That one identity is every
map::

    Ridge       sum_i s_i r_i**2 + alpha ||w||**2            a = (0, 2 alpha),  c = 2 sigma**2
    Lasso       1/(2N) sum_i s_i r_i**2 + alpha ||w||_1      a = (alpha, 0),    c = sigma**2 / N
    ElasticNet  1/(2N) sum_i s_i r_i**2 + alpha rho ||w||_1 + alpha (1 - rho)/2 ||w||**2
                                                             a = (alpha rho, alpha (1 - rho))
    LogisticRegression   C sum_i s_i logloss_i + rho ||w||_1 + (1 - rho)/2 ||w||**2, divided by C:
                                                             a = (rho / C, (1 - rho) / C),  c = 1
    PoissonRegressor     1/(2S) sum_i s_i deviance_i + alpha/2 ||w||**2
                                                             a = (0, alpha),    c = 1 / S

(``LogisticRegression``'s penalty falls as ``C`` grows: its rows have ``path_scaling = -1``.)

Adding a pair is one row here (plus its prior class in :mod:`regprior.spec.priors` and its
``pm`` distribution in :mod:`regprior.backend.model`). Only this module and the spec know
family names; everything else dispatches through it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from regprior._validation import check_open_unit_interval, check_positive_float
from regprior.spec.likelihoods import LIKELIHOOD_FAMILIES
from regprior.spec.priors import PRIOR_FAMILIES, Normal, Prior

__all__ = [
    "SEED_FAMILIES",
    "Pairing",
    "PAIRINGS",
    "SKGLM_PAIRINGS",
    "pairing",
    "pairing_for_estimator",
    "prior_families",
    "skglm_families",
    "likelihood_families",
    "sklearn_strength",
    "prior_from_sklearn_strength",
    "make_prior",
    "prior_from_evidence",
]


@dataclass(frozen=True)
class Pairing:
    """One (likelihood, prior) pair and its scikit-learn counterpart.

    Attributes
    ----------
    likelihood : str
        Likelihood family (``"gaussian"``).
    prior : type of Prior
    estimator : str
        Name of the sklearn estimator in ``sklearn.linear_model``.
    cv_estimator : str
        Its cross-validated version, which chooses the path parameter.
    strength : tuple of str
        sklearn parameters that set the penalty; the first is the path parameter, the others
        stay fixed along a path (``l1_ratio``).
    defaults : dict
        Default values of the fixed strength parameters.
    data_term : {"sum", "mean"}
        How sklearn writes the data term of ``estimator``.
    to_penalty : callable
        sklearn strength (dict) -> ``(a1, a2)``, the penalty in sklearn's objective.
    from_penalty : callable
        ``(a1, a2)`` -> sklearn strength; raises ValueError when the estimator has no such penalty.
    estimator_options : dict
        Solver settings for a reference fit (tight tolerance: compare at what sklearn can reach).
    cv_options : callable
        Fixed strength -> keyword arguments of ``cv_estimator`` (grid, folds).
    cv_description : str
        How the CV choice is described in tables.
    model_name : str
        Name of the catalogued model (``models/<name>.toml``).
    conjugate : bool
        The posterior is known in closed form (Normal prior, Gaussian likelihood, known sigma).
    path_scaling : {1, -1}
        The penalty is proportional to the path parameter (``alpha``: 1) or to its inverse
        (``C``: -1).
    exact_reference : bool
        sklearn's solver reaches ~1e-12 (coordinate descent, Cholesky, Newton): the MAP is
        compared at the fixed 1e-8 bar. Otherwise (``saga``) both solutions are judged by their
        own optimality certificates.
    second_reference : str or None
        Where sklearn's solver cannot reach the optimum, the exact solver the MAP is judged
        against instead (``"skglm"``: :func:`regprior.checks.sklearn.fit_second_reference`),
        sklearn's own answer reported beside it; None when sklearn's is exact.
    package : {"sklearn", "skglm"}
        Where the twin lives: ``sklearn.linear_model``, or skglm for a penalty scikit-learn
        does not have (the rows of :data:`SKGLM_PAIRINGS`, which
        :func:`regprior.checks.sklearn.fit_counterpart` fits with skglm).
    strength_of : callable or None
        ``(prior, likelihood, weight_sum) -> strength`` for a twin whose penalty is not of the
        elastic-net form (None: the ``(a1, a2)`` identity above, through ``penalty_weights``).
    """

    likelihood: str
    prior: type
    estimator: str
    cv_estimator: str
    strength: tuple[str, ...]
    data_term: str
    to_penalty: Callable[[dict], tuple[float, float]]
    from_penalty: Callable[[float, float], dict]
    cv_options: Callable[[dict], dict]
    cv_description: str
    model_name: str
    defaults: dict = field(default_factory=dict)
    estimator_options: dict = field(default_factory=dict)
    conjugate: bool = False
    path_scaling: int = 1
    exact_reference: bool = True
    second_reference: str | None = None
    package: str = "sklearn"
    strength_of: Callable | None = None

    @property
    def family(self) -> str:
        return self.prior.family

    @property
    def path_parameter(self) -> str:
        return self.strength[0]

    def check_strength(self, strength: dict) -> dict:
        """Complete ``strength`` with the defaults and check every value; returns a new dict."""
        strength = {**self.defaults, **strength}
        unknown = sorted(set(strength) - set(self.strength))
        missing = sorted(set(self.strength) - set(strength))
        if unknown or missing:
            raise ValueError(
                f"{self.estimator} takes the strength parameters {list(self.strength)}; "
                f"got {sorted(strength)} (unknown {unknown}, missing {missing})."
            )
        owner = self.prior.__name__
        owner = f"{self.estimator} (mapped to {'an' if owner[0] in 'AEIOU' else 'a'} {owner} prior)"
        checked = {}
        for name, value in strength.items():
            if name == "l1_ratio":
                checked[name] = check_open_unit_interval(value, name, owner)
            else:
                checked[name] = check_positive_float(value, name, owner)
        return checked

    def describe(self, strength: dict) -> str:
        """``Lasso(alpha=0.1)``-style label of the estimator at ``strength``."""
        return f"{self.estimator}(" + ", ".join(f"{k}={v:.6g}" for k, v in strength.items()) + ")"


def _ridge_from_penalty(a1, a2):
    if a1 != 0.0:
        raise ValueError("Ridge has no l1 penalty.")
    return {"alpha": a2 / 2.0}


def _lasso_from_penalty(a1, a2):
    if a2 != 0.0:
        raise ValueError("Lasso has no l2 penalty.")
    return {"alpha": a1}


#: Reference solver settings: the tightest each reaches (measured, sklearn 1.9). Coordinate
#: descent stops on a duality gap <= tol ||y||^2 / n; Newton-Cholesky on a gradient test;
#: saga converges slowly (on breast_cancer at tol 1e-10 its KKT residual stayed ~1e-6), so
#: its rows are judged by both sides' certificates (``exact_reference=False``). saga visits the
#: samples in a random order: seeded, or it draws from NumPy's global generator and its answer
#: follows whatever drew from it before (an elastic-net path's worst certificate moved from
#: 2.3e-10 to 3.9e-5 between two runs of one benchmark).
_COORDINATE_DESCENT = {"tol": 1e-12, "max_iter": 1_000_000}
_NEWTON = {"solver": "newton-cholesky", "tol": 1e-12, "max_iter": 1_000}
_SAGA = {"solver": "saga", "tol": 1e-10, "max_iter": 100_000, "random_state": 0}
_SAGA_CV = {"solver": "saga", "tol": 1e-6, "max_iter": 10_000, "random_state": 0}


PAIRINGS = (
    Pairing(
        likelihood="gaussian",
        prior=PRIOR_FAMILIES["normal"],
        estimator="Ridge",
        cv_estimator="RidgeCV",
        strength=("alpha",),
        data_term="sum",
        to_penalty=lambda s: (0.0, 2.0 * s["alpha"]),
        from_penalty=_ridge_from_penalty,
        estimator_options={"solver": "cholesky"},
        cv_options=lambda fixed: {"alphas": np.logspace(-6, 6, 121)},
        cv_description="RidgeCV (leave-one-out, 121 alphas in [1e-6, 1e6])",
        model_name="ridge",
        conjugate=True,
    ),
    Pairing(
        likelihood="gaussian",
        prior=PRIOR_FAMILIES["laplace"],
        estimator="Lasso",
        cv_estimator="LassoCV",
        strength=("alpha",),
        data_term="mean",
        to_penalty=lambda s: (s["alpha"], 0.0),
        from_penalty=_lasso_from_penalty,
        estimator_options=_COORDINATE_DESCENT,
        cv_options=lambda fixed: {"cv": 5, "alphas": 100},
        cv_description="LassoCV (5-fold, 100 alphas)",
        model_name="lasso",
    ),
    Pairing(
        likelihood="gaussian",
        prior=PRIOR_FAMILIES["elasticnet"],
        estimator="ElasticNet",
        cv_estimator="ElasticNetCV",
        strength=("alpha", "l1_ratio"),
        defaults={"l1_ratio": 0.5},
        data_term="mean",
        to_penalty=lambda s: (s["alpha"] * s["l1_ratio"], s["alpha"] * (1.0 - s["l1_ratio"])),
        from_penalty=lambda a1, a2: {"alpha": a1 + a2, "l1_ratio": a1 / (a1 + a2)},
        estimator_options=_COORDINATE_DESCENT,
        cv_options=lambda fixed: {"cv": 5, "alphas": 100, "l1_ratio": fixed["l1_ratio"]},
        cv_description="ElasticNetCV (5-fold, 100 alphas, l1_ratio fixed)",
        model_name="elasticnet",
    ),
    Pairing(
        likelihood="bernoulli",
        prior=PRIOR_FAMILIES["normal"],
        estimator="LogisticRegression",
        cv_estimator="LogisticRegressionCV",
        strength=("C",),
        data_term="sum",
        to_penalty=lambda s: (0.0, 1.0 / s["C"]),
        from_penalty=lambda a1, a2: (
            _only_l2("LogisticRegression(l1_ratio=0)", a1) or {"C": 1.0 / a2}
        ),
        estimator_options={"l1_ratio": 0.0, **_NEWTON},
        cv_options=lambda fixed: {
            "Cs": 20,
            "cv": 5,
            "l1_ratios": (0.0,),
            "solver": "newton-cholesky",
        },
        cv_description="LogisticRegressionCV (5-fold, 20 Cs, l2, newton-cholesky)",
        model_name="logistic_l2",
        path_scaling=-1,
    ),
    Pairing(
        likelihood="bernoulli",
        prior=PRIOR_FAMILIES["laplace"],
        estimator="LogisticRegression",
        cv_estimator="LogisticRegressionCV",
        strength=("C",),
        data_term="sum",
        to_penalty=lambda s: (1.0 / s["C"], 0.0),
        from_penalty=lambda a1, a2: (
            _only_l1("LogisticRegression(l1_ratio=1)", a2) or {"C": 1.0 / a1}
        ),
        estimator_options={"l1_ratio": 1.0, **_SAGA},
        cv_options=lambda fixed: {"Cs": 20, "cv": 5, "l1_ratios": (1.0,), **_SAGA_CV},
        cv_description="LogisticRegressionCV (5-fold, 20 Cs, l1, saga)",
        model_name="logistic_l1",
        path_scaling=-1,
        exact_reference=False,
        second_reference="skglm",
    ),
    Pairing(
        likelihood="bernoulli",
        prior=PRIOR_FAMILIES["elasticnet"],
        estimator="LogisticRegression",
        cv_estimator="LogisticRegressionCV",
        strength=("C", "l1_ratio"),
        defaults={"l1_ratio": 0.5},
        data_term="sum",
        to_penalty=lambda s: (s["l1_ratio"] / s["C"], (1.0 - s["l1_ratio"]) / s["C"]),
        from_penalty=lambda a1, a2: {"C": 1.0 / (a1 + a2), "l1_ratio": a1 / (a1 + a2)},
        estimator_options=_SAGA,
        cv_options=lambda fixed: {"Cs": 20, "cv": 5, "l1_ratios": (fixed["l1_ratio"],), **_SAGA_CV},
        cv_description="LogisticRegressionCV (5-fold, 20 Cs, l1_ratio fixed, saga)",
        model_name="logistic_elasticnet",
        path_scaling=-1,
        exact_reference=False,
        second_reference="skglm",
    ),
    Pairing(
        likelihood="poisson",
        prior=PRIOR_FAMILIES["normal"],
        estimator="PoissonRegressor",
        cv_estimator="GridSearchCV",
        strength=("alpha",),
        data_term="mean",
        to_penalty=lambda s: (0.0, s["alpha"]),
        from_penalty=lambda a1, a2: _only_l2("PoissonRegressor", a1) or {"alpha": a2},
        estimator_options=_NEWTON,
        cv_options=lambda fixed: {"param_grid": {"alpha": np.logspace(-6, 2, 33)}, "cv": 5},
        cv_description=(
            "GridSearchCV(PoissonRegressor) (5-fold, 33 alphas in [1e-6, 1e2], mean D^2)"
        ),
        model_name="poisson",
    ),
)


def _not_elastic_net_form(*_):
    raise ValueError("the log-sum penalty is not of the elastic-net form a1 |w| + a2/2 w^2.")


#: Twins outside scikit-learn: a penalty sklearn lacks, solved by skglm. They are found by
#: :func:`pairing` (so :func:`regprior.compare` takes them) but are not among
#: :func:`prior_families`, whose flows (CV strength choice, paths, the agreement suite, LOO at
#: the CV strength) need an sklearn CV estimator that skglm lacks; the CLI's ``--prior`` takes
#: them for ``compare`` and refuses them elsewhere, saying why.
#:
#: The generalized double Pareto's MAP problem, multiplied by ``sigma**2 / N``, is skglm's
#: ``GeneralizedLinearEstimator(Quadratic(), LogSumPenalty(alpha, eps))`` at
#: ``alpha = sigma**2 (a + 1) / N``, ``eps = a xi``
#: (:func:`regprior.spec.mapping.log_sum_strength`). Not convex: compared as stationary points
#: reached from zero.
SKGLM_PAIRINGS = (
    Pairing(
        likelihood="gaussian",
        prior=PRIOR_FAMILIES["gdp"],
        estimator="LogSumPenalty",
        cv_estimator="",
        strength=("alpha", "eps"),
        data_term="mean",
        to_penalty=_not_elastic_net_form,
        from_penalty=_not_elastic_net_form,
        cv_options=lambda fixed: {},
        cv_description="skglm has no cross-validated LogSumPenalty estimator",
        model_name="gdp",
        package="skglm",
        strength_of=lambda prior, likelihood, weight_sum: dict(
            zip(
                ("alpha", "eps"),
                prior.log_sum_strength(likelihood.noise_sigma, weight_sum),
                strict=True,
            )
        ),
    ),
)


def _only_l2(estimator, a1):
    if a1 != 0.0:
        raise ValueError(f"{estimator} has no l1 penalty.")


def _only_l1(estimator, a2):
    if a2 != 0.0:
        raise ValueError(f"{estimator} has no l2 penalty.")


#: The blog post's two priors (Normal <-> Ridge, Laplace <-> Lasso): the main job's pair,
#: what ``regprior compare --prior both`` selects.
SEED_FAMILIES = ("normal", "laplace")
#: The colour of each prior family in every figure, and a second shade for a second strength.
PRIOR_COLOURS = {
    "normal": ("tab:blue", "tab:cyan"),
    "laplace": ("tab:purple", "tab:pink"),
    "elasticnet": ("tab:brown", "tab:olive"),
}


#: The likelihood of a model given without one (the Gaussian, with known or estimated sigma).
DEFAULT_LIKELIHOOD = "gaussian"


def takes_prior_centre(likelihood: str) -> bool:
    """Whether sklearn's counterparts can take a prior centre ``mu`` (by fitting ``y - X mu``).

    Only an identity link lets the centre move into the target; a GLM's sklearn estimator
    cannot offset its linear predictor.
    """
    return likelihood == DEFAULT_LIKELIHOOD


def skglm_families(likelihood: str = "gaussian") -> tuple[str, ...]:
    """Prior families whose twin is skglm's (:data:`SKGLM_PAIRINGS`), in table order: compared
    at a strength given as the prior's parameters (no CV estimator)."""
    return tuple(p.family for p in SKGLM_PAIRINGS if p.likelihood == likelihood)


def likelihood_families() -> tuple[str, ...]:
    """Likelihood families that have at least one sklearn counterpart, in table order."""
    return tuple(dict.fromkeys(p.likelihood for p in PAIRINGS))


def prior_families(likelihood: str = "gaussian") -> tuple[str, ...]:
    """Prior families that have a sklearn counterpart under ``likelihood``, in table order."""
    return tuple(p.family for p in PAIRINGS if p.likelihood == likelihood)


def pairing(prior, likelihood: str = "gaussian") -> Pairing:
    """The row of a prior (instance, class or family name) under a likelihood family."""
    family = prior if isinstance(prior, str) else getattr(prior, "family", None)
    if isinstance(prior, type) and not issubclass(prior, Prior) or family is None:
        raise TypeError(
            f"prior must be a regprior prior or a family name; got {type(prior).__name__}."
        )
    if likelihood not in LIKELIHOOD_FAMILIES:
        raise ValueError(
            f"likelihood must be one of {sorted(LIKELIHOOD_FAMILIES)}; got {likelihood!r}."
        )
    for row in PAIRINGS + SKGLM_PAIRINGS:
        if row.likelihood == likelihood and row.family == family:
            return row
    raise ValueError(
        f"prior family must be one of {list(prior_families(likelihood))} for a {likelihood} "
        f"likelihood; got {family!r} (it has no scikit-learn counterpart: sample_posterior and "
        "compare_loo take a prior without one)."
    )


def has_twin(prior, likelihood: str = "gaussian") -> bool:
    """Whether a prior (instance, class or family name) has a counterpart (sklearn or skglm)."""
    family = prior if isinstance(prior, str) else getattr(prior, "family", None)
    return any(
        row.likelihood == likelihood and row.family == family for row in PAIRINGS + SKGLM_PAIRINGS
    )


def is_conjugate(prior, likelihood: str = "gaussian") -> bool:
    """Whether a prior has a closed-form posterior under the likelihood (its row says so)."""
    return has_twin(prior, likelihood) and pairing(prior, likelihood).conjugate


def pairing_for_estimator(name: str, strength: dict | None = None) -> Pairing:
    """The row of the sklearn class named ``name`` (estimator or CV estimator).

    Several rows share ``LogisticRegression`` (l2, l1, elastic net): ``strength`` (its ``C``
    and ``l1_ratio``) picks the first row, in table order, whose penalty it is.
    """
    rows = [
        row
        for row in PAIRINGS
        if name != "GridSearchCV" and name in (row.estimator, row.cv_estimator)
    ]
    if not rows:
        known = sorted(
            {
                n
                for row in PAIRINGS
                for n in (row.estimator, row.cv_estimator)
                if n != "GridSearchCV"
            }
        )
        raise TypeError(f"estimator must be one of {known} (or BayesianRidge); got {name}.")
    if len(rows) == 1 or strength is None:
        return rows[0]
    widest = max(rows, key=lambda row: len(row.strength))
    a1, a2 = widest.to_penalty({**widest.defaults, **strength})
    for row in rows:
        try:
            row.from_penalty(a1, a2)
            row.prior.from_penalty_weights(a1, a2)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        return row
    raise ValueError(f"no prior family has the penalty of {name} at {strength}.")


def sklearn_strength(prior: Prior, likelihood, weight_sum: float) -> dict:
    """sklearn strength parameters whose solution is the MAP under ``prior``.

    ``weight_sum`` is ``N = sum(sample_weight)``, which the ``"mean"`` data terms divide by.
    """
    row = pairing(prior, likelihood.family)
    if row.strength_of is not None:
        return row.strength_of(prior, likelihood, weight_sum)
    with _representable("the sklearn strength of " + repr(prior)):
        factor = likelihood.sklearn_loss_factor(row.data_term, weight_sum)
        l1, l2 = prior.penalty_weights
        strength = row.from_penalty(l1 * factor, l2 * factor)
        if not all(
            np.isfinite(v) and v > 0 for k, v in strength.items() if k == row.path_parameter
        ):
            raise OverflowError
    return strength


@contextmanager
def _representable(what: str):
    """Turn float overflow or underflow of a map into a ValueError that says what and why.

    Extreme but finite inputs (``noise_sigma=1e200``, ``sigma=1e-200``) would otherwise surface as
    Python's OverflowError / ZeroDivisionError, or as an infinite strength.
    """
    try:
        yield
    except (OverflowError, ZeroDivisionError, FloatingPointError):
        raise ValueError(
            f"{what} is not a finite positive float64: the inputs are too extreme; "
            "rescale the data "
            "(or the prior) so that they are closer to 1."
        ) from None


def prior_from_sklearn_strength(
    family, strength: dict, likelihood, weight_sum: float, mu=0.0
) -> Prior:
    """The prior of ``family`` whose MAP is sklearn's solution at ``strength`` (defaults filled)."""
    row = pairing(family, likelihood.family)
    strength = row.check_strength(strength)
    with _representable(f"the {row.prior.family} prior of {row.estimator} at {strength}"):
        factor = likelihood.sklearn_loss_factor(row.data_term, weight_sum)
        a1, a2 = row.to_penalty(strength)
        a1, a2 = a1 / factor, a2 / factor
        if not all(np.isfinite(a) for a in (a1, a2)) or (a1 + a2) == 0:
            raise OverflowError
    return row.prior.from_penalty_weights(a1, a2, mu=mu)


def make_prior(
    family, *, likelihood, weight_sum: float, mu=0.0, sklearn=None, parameters=None, blog=None
) -> Prior:
    """Build a prior from exactly one way of stating its strength.

    Parameters
    ----------
    family : str or Prior class
    likelihood : Gaussian
        Its noise sigma enters the sklearn map.
    weight_sum : float
        ``N = sum(sample_weight)``.
    mu : float or array-like
        Prior centre.
    sklearn : dict, optional
        sklearn's strength parameters (``{"alpha": 0.1}``, ``{"alpha": 0.1, "l1_ratio": 0.5}``);
        fixed parameters not given take the row's defaults.
    parameters : dict, optional
        The prior's own parameters (``{"sigma": 2.0}``, ``{"scale": 0.5}``,
        ``{"scale": 0.5, "sigma": 2.0}``).
    blog : dict, optional
        The blog post's parametrisation (``{"lam": 2.0}``, ``{"rate": 4.0}``, or both for the
        elastic net).

    Examples
    --------
    >>> import regprior as rp
    >>> gaussian = rp.Gaussian(54.0)
    >>> rp.make_prior("normal", likelihood=gaussian, weight_sum=442, sklearn={"alpha": 4.0})
    Normal(mu=0.0, sigma=27.0)
    >>> prior = rp.make_prior(
    ...     "elasticnet", likelihood=rp.Gaussian(2.0), weight_sum=100,
    ...     sklearn={"alpha": 0.05, "l1_ratio": 0.2},
    ... )
    >>> round(prior.scale, 12), round(prior.sigma, 12)
    (4.0, 1.0)
    """
    row = pairing(family, likelihood.family)
    given = {
        k: v for k, v in (("sklearn", sklearn), ("parameters", parameters), ("blog", blog)) if v
    }
    if len(given) != 1:
        raise ValueError(
            "give the strength one way: sklearn, parameters or blog; "
            f"got {sorted(given) or 'none'}."
        )
    if sklearn:
        return prior_from_sklearn_strength(row.prior, sklearn, likelihood, weight_sum, mu=mu)
    if parameters:
        return row.prior.from_parameters(mu=mu, **parameters)
    expected = set(row.prior.blog_parameter_names)
    if set(blog) != expected:
        raise ValueError(
            f"the blog post writes the {row.family} prior with {sorted(expected)}; "
            f"got {sorted(blog)}."
        )
    return row.prior.from_blog(mu=mu, **blog)


def prior_from_evidence(weight_precision: float, mu=0.0) -> Prior:
    """The Normal prior of a fitted ``BayesianRidge``: ``sigma = 1 / sqrt(lambda_)``.

    ``BayesianRidge.lambda_`` is the weight precision ``1/tau**2``; its ``alpha_`` is the noise
    precision ``1/sigma**2``; its ``coef_`` is ``Ridge(alpha=lambda_/alpha_)``.
    """
    return Normal(
        mu=mu,
        sigma=1.0 / np.sqrt(check_positive_float(weight_precision, "lambda_", "BayesianRidge")),
    )
