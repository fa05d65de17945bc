"""Inference engines: each takes a built :class:`~regprior.backend.model.RegressionModel` and returns a result."""

from regprior.inference.evidence import EvidenceResult, ard, type2_ml
from regprior.inference.exact import ExactPosterior, exact_gaussian_posterior
from regprior.inference.map import MAPResult, map_estimate
from regprior.inference.mcem import LambdaEstimate, bayesian_lasso_lambda
from regprior.inference.nuts import PosteriorResult, nuts_posterior

__all__ = [
    "EvidenceResult",
    "ard",
    "type2_ml",
    "ExactPosterior",
    "LambdaEstimate",
    "bayesian_lasso_lambda",
    "MAPResult",
    "PosteriorResult",
    "exact_gaussian_posterior",
    "map_estimate",
    "nuts_posterior",
]
