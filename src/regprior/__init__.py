"""regprior: Bayesian priors and penalised regression, side by side and checked to the digit.

A Normal prior on regression weights has scikit-learn's ``Ridge`` as its posterior mode, a
Laplace prior ``Lasso``, their product (the Bayesian elastic net) ``ElasticNet``. regprior
builds the PyMC models, computes their exact MAP and NUTS posteriors and compares them with
scikit-learn through the exact map between ``alpha`` and the prior scale. Every model
specification (a prior with fixed scales, with or without a scikit-learn twin, or a full-Bayes
specification) goes through the same public functions; docs/specification.md gives the maths.
"""

from regprior._version import __version__ as __version__
from regprior.api import (
    compare,
    compare_loo,
    exact_posterior,
    fit_map,
    make_model,
    sample_posterior,
)
from regprior.bayesian_estimator import BayesianRegressor
from regprior.checks.comparison import Comparison
from regprior.checks.paths import map_path
from regprior.checks.sklearn import prior_from_sklearn, sklearn_counterpart
from regprior.checks.verdict import Verdict
from regprior.estimators import (
    ElasticNetPriorRegressor,
    LaplacePriorRegressor,
    LogisticPriorClassifier,
    NormalPriorRegressor,
    PoissonPriorRegressor,
)
from regprior.inference import ExactPosterior, MAPResult, PosteriorResult
from regprior.registry import make_prior
from regprior.selection import ProjectedPosterior, VariableSelection, select_variables
from regprior.spec.data import (
    RegressionData,
    load_breast_cancer,
    load_csv,
    load_diabetes,
    make_poisson_counts,
)
from regprior.spec.hierarchical import BayesianLasso, FullBayes, LearnedScale
from regprior.spec.likelihoods import (
    Bernoulli,
    Gaussian,
    Likelihood,
    Poisson,
    estimate_noise_sigma,
)
from regprior.spec.mapping import (
    elastic_net_alpha,
    elastic_net_scales_from_alpha,
    gdp_parameters_from_log_sum,
    laplace_scale_from_lasso_alpha,
    lasso_alpha,
    log_sum_strength,
    normal_sigma_from_ridge_alpha,
    ridge_alpha,
)
from regprior.spec.priors import (
    ElasticNetFormPrior,
    ElasticNetPrior,
    GeneralizedDoublePareto,
    Laplace,
    Normal,
    Prior,
)
from regprior.spec.sparse import R2D2, BayesianGDP, Horseshoe, RegularizedHorseshoe
from regprior.spec.statistics import SufficientStatistics

__all__ = [
    "BayesianGDP",
    "BayesianLasso",
    "BayesianRegressor",
    "ElasticNetFormPrior",
    "FullBayes",
    "GeneralizedDoublePareto",
    "Horseshoe",
    "R2D2",
    "RegularizedHorseshoe",
    "LearnedScale",
    "Likelihood",
    "Prior",
    "compare_loo",
    "Bernoulli",
    "Comparison",
    "ElasticNetPrior",
    "ElasticNetPriorRegressor",
    "ExactPosterior",
    "Gaussian",
    "Laplace",
    "LaplacePriorRegressor",
    "MAPResult",
    "Normal",
    "NormalPriorRegressor",
    "PosteriorResult",
    "RegressionData",
    "SufficientStatistics",
    "Verdict",
    "compare",
    "elastic_net_alpha",
    "elastic_net_scales_from_alpha",
    "estimate_noise_sigma",
    "exact_posterior",
    "fit_map",
    "lasso_alpha",
    "laplace_scale_from_lasso_alpha",
    "log_sum_strength",
    "gdp_parameters_from_log_sum",
    "LogisticPriorClassifier",
    "Poisson",
    "PoissonPriorRegressor",
    "load_breast_cancer",
    "load_csv",
    "make_poisson_counts",
    "load_diabetes",
    "make_model",
    "make_prior",
    "map_path",
    "normal_sigma_from_ridge_alpha",
    "prior_from_sklearn",
    "ridge_alpha",
    "sample_posterior",
    "select_variables",
    "ProjectedPosterior",
    "VariableSelection",
    "sklearn_counterpart",
]
