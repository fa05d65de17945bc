"""The Lasso's answer beside the projection's: the supports at sklearn's CV and 1-SE strengths.

The likelihood's pure-L1 counterpart (the registry's row whose penalty is ``a1 ||w||_1``:
``LassoCV`` for the Gaussian, ``LogisticRegressionCV(l1_ratios=(1,))`` for the Bernoulli; the
Poisson has none in scikit-learn) is cross-validated on the selection's own folds, then refitted
on all the data at the chosen strength with the registry's tight reference settings (Lasso:
``tol=1e-12``), so that its exact zeros are the support. The 1-SE strength (the strongest
penalty whose mean CV error is within one standard error of the best) is given where the CV
estimator keeps per-fold errors (``LassoCV``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["l1_row", "lasso_supports"]


def l1_row(likelihood):
    """The registry row of the likelihood's pure-L1 counterpart, or None."""
    from regprior import registry

    for row in registry.PAIRINGS:
        if row.likelihood != likelihood.family:
            continue
        a1, a2 = row.to_penalty({row.path_parameter: 1.0, **row.defaults})
        if a1 > 0 and a2 == 0:
            return row
    return None


def lasso_supports(data, likelihood, splits) -> tuple[pd.DataFrame | None, str]:
    """``(frame, note)``: per CV rule, the strength, the support and its size; None without a row.

    ``splits`` are the selection's folds (a list of ``(train, test)`` index arrays).
    """
    import sklearn.linear_model

    from regprior.checks.sklearn import ONE_SE_ESTIMATORS, one_se_alpha, sklearn_estimator

    row = l1_row(likelihood)
    if row is None:
        return None, f"the {likelihood.family} likelihood has no L1 counterpart in scikit-learn"
    options = {**row.cv_options({}), "cv": list(splits)}
    search = getattr(sklearn.linear_model, row.cv_estimator)(fit_intercept=True, **options)
    search.fit(data.X, data.y, sample_weight=data.sample_weight)
    parameter = row.path_parameter
    chosen = {"CV": float(np.ravel(getattr(search, f"{parameter}_"))[0])}
    if row.cv_estimator in ONE_SE_ESTIMATORS:
        folds = search.mse_path_
        chosen["1-SE"] = one_se_alpha(
            search.alphas_, folds.mean(axis=1), folds.std(axis=1, ddof=1) / np.sqrt(folds.shape[1])
        )
    rows = []
    for rule, value in chosen.items():
        estimator = sklearn_estimator(row, {parameter: value}, fit_intercept=True)
        estimator.fit(data.X, data.y, sample_weight=data.sample_weight)
        support = np.flatnonzero(np.ravel(estimator.coef_) != 0.0)
        rows.append(
            {
                "method": f"{row.estimator} at the {rule} {parameter}",
                "strength": value,
                "support": tuple(data.feature_names[j] for j in support),
            }
        )
    note = f"{row.cv_description}, on the selection's folds; refitted at {row.estimator_options}"
    return pd.DataFrame(rows), note
