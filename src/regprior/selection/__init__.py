"""Projection predictive variable selection (projpred's method) beside the Lasso's support.

:func:`select_variables` is the entry point; :mod:`~regprior.selection.projection` projects
draws onto a submodel, :mod:`~regprior.selection.search` orders the features,
:mod:`~regprior.selection.performance` scores the sizes and states the suggestion rule,
:mod:`~regprior.selection.lasso` fits the Lasso's supports on the same folds.
"""

from regprior.selection.result import ProjectedPosterior, VariableSelection
from regprior.selection.workflow import add_noise_columns, default_reference, select_variables

__all__ = [
    "select_variables",
    "default_reference",
    "add_noise_columns",
    "VariableSelection",
    "ProjectedPosterior",
]
