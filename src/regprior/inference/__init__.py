"""Inference engines: each takes a built regression model and returns a result.

The model is a :class:`~regprior.backend.model.RegressionModel`; the engines are the exact MAP
(:mod:`~regprior.inference.map`), NUTS, the conjugate posterior, evidence maximisation and MCEM.
"""

from regprior.inference.evidence import EvidenceResult, ard, check_evidence_maximum, type2_ml
from regprior.inference.exact import ExactPosterior, exact_gaussian_posterior
from regprior.inference.map import MAPResult, map_estimate
from regprior.inference.mcem import LambdaEstimate, bayesian_lasso_lambda
from regprior.inference.nuts import PosteriorResult, nuts_posterior
from regprior.inference.shrinkage import shrinkage_summary

__all__ = [
    "EvidenceResult",
    "ard",
    "check_evidence_maximum",
    "type2_ml",
    "ExactPosterior",
    "LambdaEstimate",
    "bayesian_lasso_lambda",
    "MAPResult",
    "PosteriorResult",
    "exact_gaussian_posterior",
    "map_estimate",
    "nuts_posterior",
    "shrinkage_summary",
]
