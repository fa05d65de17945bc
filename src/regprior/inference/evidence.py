"""Evidence maximisation (type-II maximum likelihood) for the conjugate Normal prior, closed form.

With a Gaussian likelihood of noise precision ``a = 1/sigma**2`` and a ``Normal(0, 1/sqrt(l))``
prior on each weight (flat intercept, data centred), the marginal likelihood is Gaussian and
known exactly (MacKay 1992; Bishop 2006, 3.5)::

    log p(y | a, l) = p/2 log l + N/2 log a - a/2 E_D - l/2 ||m||^2 - 1/2 log|A| - N/2 log(2 pi)
    A = l I + a X^T W X,   m = a A^{-1} X^T W y,   E_D = ||y - X m||_W^2

Its stationary point in ``(a, l)`` satisfies ``l = gamma / ||m||^2`` and
``a = (N - gamma) / E_D`` with ``gamma = sum_i a s_i / (l + a s_i)`` (``s_i`` the eigenvalues of
``X^T W X``): the fixed point iterated here, on the sufficient statistics only. At it, the
MAP / posterior mean ``m`` is ``Ridge(alpha = l / a)``; this is what scikit-learn's
``BayesianRidge`` computes with all four Gamma hyperprior parameters at 0. The result carries
the gradient of the log evidence in ``(log a, log l)`` as its certificate.

Which marginal likelihood: the one above counts ``N`` observations (``N/2 log a``), as
``BayesianRidge`` does, although the intercept has been fitted. Integrating the flat intercept
out gives the marginal likelihood of the centred data, which has ``N - 1`` degrees of freedom:
``(N - 1)/2 log a`` and ``a = (N - 1 - gamma) / E_D``. regprior maximises the ``N`` objective,
so that it equals ``BayesianRidge`` exactly; on well-determined data the two maxima differ by a
factor ``~ N / (N - 1)`` in the noise precision.

No maximum on exact fits: when the least-squares residual is 0 (always when ``n <= p + 1``
with an intercept, ``n <= p`` without, and whenever ``y`` lies in the span of the columns), the
evidence does not fall as the noise sd goes to 0: with ``r`` the rank of the centred ``X``, it
behaves as ``(N - r)/2 log a`` there, which grows without bound when ``N > r`` (always with an
intercept, where ``r <= n - 1``). The fixed point then runs to ``a = inf``. :func:`type2_ml`
refuses such data before iterating (:func:`check_evidence_maximum`).

The automatic-relevance version (one precision per weight, ``ARDRegression``) uses
``l_j = gamma_j / m_j**2`` with ``gamma_j = 1 - l_j Sigma_jj`` and prunes a weight to exactly 0
once its precision exceeds ``threshold_lambda`` (scikit-learn's rule, default 1e4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

__all__ = ["EvidenceResult", "check_evidence_maximum", "type2_ml", "ard"]

#: Least-squares residual sum of squares, relative to ``y^T W y``, below which the data are
#: taken to be fitted exactly: ~1e4 times the rounding of ``y^T W y - b^T b`` in double.
EXACT_FIT_RTOL = 1e-12


@dataclass(frozen=True)
class EvidenceResult:
    """Evidence-maximising hyperparameters and the posterior mean they give.

    Attributes
    ----------
    noise_precision : float
        ``a = 1/sigma**2`` (BayesianRidge's ``alpha_``).
    weight_precision : float or ndarray
        ``l = 1/tau**2`` (``lambda_``); one per weight for ARD.
    coef : ndarray of shape (n_features,)
        Posterior mean (= MAP) of the weights at the maximum.
    intercept : float
    log_evidence : float
        Log marginal likelihood at the maximum.
    gradient : ndarray
        Gradient of the log evidence in the log hyperparameters at the result, divided by
        ``N/2``: the certificate (0 at an exact stationary point).
    n_iter : int
    converged : bool
    """

    noise_precision: float
    weight_precision: float | np.ndarray
    coef: np.ndarray
    intercept: float
    log_evidence: float
    gradient: np.ndarray
    n_iter: int
    converged: bool

    @property
    def noise_sigma(self) -> float:
        return float(1.0 / np.sqrt(self.noise_precision))

    @property
    def ridge_alpha(self) -> float:
        """sklearn ``Ridge`` alpha of the evidence-maximising Normal prior: ``l / a``."""
        return float(self.weight_precision / self.noise_precision)

    @property
    def prior_sigma(self) -> float | np.ndarray:
        return 1.0 / np.sqrt(self.weight_precision)


def _statistics(data, fit_intercept):
    from regprior.spec.statistics import SufficientStatistics

    if isinstance(data, SufficientStatistics):
        if data.fit_intercept != fit_intercept:
            raise ValueError(
                f"the statistics were computed with fit_intercept={data.fit_intercept}; "
                f"got {fit_intercept}."
            )
        return data
    return SufficientStatistics.from_data(data, fit_intercept=fit_intercept)


def _start(stats):
    # scikit-learn's starting point: a = 1 / (var(y) + eps), l = 1.
    variance = stats.yty / stats.weight_sum
    return 1.0 / (variance + np.finfo(float).eps), 1.0


def _exact_fit(stats, eigenvalues, projected) -> bool:
    """Whether the least-squares residual ``y^T W y - sum_k (v_k^T X^T W y)^2 / e_k`` is 0."""
    if stats.yty <= 0.0:
        return True
    floor = eigenvalues.max(initial=0.0) * len(eigenvalues) * np.finfo(float).eps
    kept = eigenvalues > floor
    explained = float(np.sum(projected[kept] ** 2 / eigenvalues[kept]))
    return stats.yty - explained <= EXACT_FIT_RTOL * stats.yty


def check_evidence_maximum(data, *, fit_intercept: bool = True) -> None:
    """Refuse data on which the evidence of the Normal prior has no maximum at a positive noise sd.

    Parameters
    ----------
    data : RegressionData or SufficientStatistics
    fit_intercept : bool, default=True

    Raises
    ------
    ValueError
        The least-squares residual is 0 (see the module docstring): the message names the data's
        shape and what to do instead.
    """
    stats = _statistics(data, fit_intercept)
    eigenvalues, vectors = np.linalg.eigh(stats.xtx)
    _check_evidence_maximum(stats, np.clip(eigenvalues, 0.0, None), vectors.T @ stats.xty)


def _check_evidence_maximum(stats, eigenvalues, projected) -> None:
    if not _exact_fit(stats, eigenvalues, projected):
        return
    columns = stats.n_features + int(stats.fit_intercept)
    counted = "n_features + intercept" if stats.fit_intercept else "n_features"
    why = (
        f"n_samples={stats.n_samples} <= {counted}={columns}"
        if stats.n_samples <= columns
        else "y lies in the span of the columns"
    )
    raise ValueError(
        f"type-II ML needs a residual: the data can be fitted exactly ({why}; least-squares "
        "residual 0), so the evidence does not fall as the noise sd goes to 0 (with an intercept "
        "it rises without bound) and has no maximum to return. "
        "Give the noise sigma (noise_sigma=..., --noise-sigma) and choose the strength another "
        "way (cross-validation or a given alpha), or learn both by full Bayes (LearnedScale, "
        "way='bayes', --alpha bayes)."
    )


def type2_ml(
    data, *, fit_intercept: bool = True, tol: float = 1e-14, max_iter: int = 10_000
) -> EvidenceResult:
    """Maximise the marginal likelihood of the Normal prior over noise and weight precisions.

    The objective is ``BayesianRidge``'s with zero hyperpriors, counting ``N`` observations::

        log p(y | a, l) = p/2 log l + N/2 log a - a/2 E_D - l/2 ||m||^2 - 1/2 log|A| - N/2 log 2 pi

    (the module docstring; with the flat intercept integrated out the exact marginal likelihood
    counts ``N - 1``, which regprior does not use, so that the result is ``BayesianRidge``'s).

    Parameters
    ----------
    data : RegressionData or SufficientStatistics
    fit_intercept : bool, default=True
        A flat intercept (data centred).
    tol : float, default=1e-14
        Stop when ``(a, l)`` change by less than ``tol`` relative.
    max_iter : int, default=10_000

    Raises
    ------
    ValueError
        Before any iteration, when the data can be fitted exactly (least-squares residual 0,
        e.g. ``n <= p + 1`` with an intercept): the evidence then has no maximum
        (:func:`check_evidence_maximum`).
    """
    stats = _statistics(data, fit_intercept)
    eigenvalues, vectors = np.linalg.eigh(stats.xtx)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    projected = vectors.T @ stats.xty
    _check_evidence_maximum(stats, eigenvalues, projected)
    n = stats.weight_sum
    noise, weight = _start(stats)

    def posterior(noise, weight):
        shrink = noise / (weight + noise * eigenvalues)
        coef = vectors @ (shrink * projected)
        sse = float(stats.yty - 2.0 * coef @ stats.xty + coef @ stats.xtx @ coef)
        gamma = float(np.sum(noise * eigenvalues / (weight + noise * eigenvalues)))
        return coef, max(sse, 0.0), gamma

    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        coef, sse, gamma = posterior(noise, weight)
        new_weight = gamma / float(coef @ coef)
        new_noise = (n - gamma) / sse
        change = max(abs(new_weight / weight - 1.0), abs(new_noise / noise - 1.0))
        noise, weight = new_noise, new_weight
        if change < tol:
            converged = True
            break
    coef, sse, gamma = posterior(noise, weight)
    p = len(eigenvalues)
    log_det = float(np.sum(np.log(weight + noise * eigenvalues)))
    log_evidence = (
        p * np.log(weight)
        + n * np.log(noise)
        - noise * sse
        - weight * float(coef @ coef)
        - log_det
        - n * np.log(2.0 * np.pi)
    ) / 2.0
    gradient = np.array(
        [(n - gamma - noise * sse) / 2.0, (gamma - weight * float(coef @ coef)) / 2.0]
    ) / (n / 2.0)
    intercept = float(stats.y_mean - stats.x_mean @ coef) if fit_intercept else 0.0
    return EvidenceResult(
        noise, weight, coef, intercept, float(log_evidence), gradient, n_iter, converged
    )


def ard(
    data,
    *,
    fit_intercept: bool = True,
    threshold_lambda: float = 1e4,
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> EvidenceResult:
    """Automatic relevance determination: one evidence-maximising precision per weight.

    Fixed point ``l_j = gamma_j / m_j**2``, ``a = (N - sum gamma) / E_D`` on the weights still
    active; a weight whose precision exceeds ``threshold_lambda`` is pruned (exactly 0, as in
    ``ARDRegression``). Stops when the weights change by less than ``tol`` in total (sklearn's
    criterion). ARD's evidence has many local maxima: the result depends on the start, taken as
    sklearn's. Data that can be fitted exactly are refused as by :func:`type2_ml`.
    """
    stats = _statistics(data, fit_intercept)
    check_evidence_maximum(stats, fit_intercept=fit_intercept)
    p = stats.n_features
    n = stats.weight_sum
    noise, _ = _start(stats)
    weight = np.ones(p)
    keep = np.ones(p, dtype=bool)
    coef = np.zeros(p)
    converged = False
    gamma = np.zeros(p)
    for n_iter in range(1, max_iter + 1):
        # Posterior of the kept weights: Sigma = (diag(l) + a X^T W X)^-1, m = a Sigma X^T W y.
        precision = np.diag(weight[keep]) + noise * stats.xtx[np.ix_(keep, keep)]
        factor = scipy.linalg.cho_factor(precision)
        sigma = scipy.linalg.cho_solve(factor, np.eye(int(keep.sum())))
        new_coef = np.zeros(p)
        new_coef[keep] = noise * sigma @ stats.xty[keep]
        sse = max(
            float(stats.yty - 2.0 * new_coef @ stats.xty + new_coef @ stats.xtx @ new_coef), 0.0
        )
        gamma = np.zeros(p)
        gamma[keep] = 1.0 - weight[keep] * np.diag(sigma)
        weight[keep] = gamma[keep] / new_coef[keep] ** 2
        noise = (n - gamma.sum()) / sse
        keep = weight < threshold_lambda
        new_coef[~keep] = 0.0
        done = n_iter > 1 and np.sum(np.abs(coef - new_coef)) < tol
        coef = new_coef
        if done:
            converged = True
            break
    gradient = np.concatenate(
        [[(n - gamma.sum() - noise * sse) / 2.0], (gamma - weight * coef**2)[keep] / 2.0]
    ) / (n / 2.0)
    intercept = float(stats.y_mean - stats.x_mean @ coef) if fit_intercept else 0.0
    return EvidenceResult(noise, weight, coef, intercept, float("nan"), gradient, n_iter, converged)
