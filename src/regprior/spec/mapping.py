"""Exact maps between a prior's scale and scikit-learn's penalty strength ``alpha`` (pure NumPy).

Model (see ``docs/specification.md``, "The model")::

    y_i = c + x_i^T theta + eps_i,   eps_i ~ Normal(0, noise_sigma**2 / w_i),
    flat (improper) prior on the intercept c,

so the negative log posterior is, up to constants::

    1 / (2 noise_sigma**2) * sum_i w_i (y_i - c - x_i^T theta)**2  -  log p(theta).

Every map below holds under exactly these conditions: ``noise_sigma`` fixed (with
``noise_sigma`` unknown, each holds conditionally on it), an unpenalised intercept
(sklearn never penalises it), and the same ``X`` given to both sides (no rescaling).
The blog post behind regprior drops ``noise_sigma**2``; these functions do not.
"""

from __future__ import annotations

import numpy as np

from regprior._validation import check_open_unit_interval, check_positive_float

__all__ = [
    "ridge_alpha",
    "normal_sigma_from_ridge_alpha",
    "lasso_alpha",
    "laplace_scale_from_lasso_alpha",
    "weight_sum",
    "elastic_net_alpha",
    "elastic_net_scales_from_alpha",
    "log_sum_strength",
    "gdp_parameters_from_log_sum",
]


def _representable(compute, function: str):
    """``compute()`` in float64, as a positive finite float, or a ValueError naming ``function``.

    Extreme but finite inputs (``noise_sigma=1e200``, ``prior_sigma=1e-200``) would otherwise
    surface as OverflowError / ZeroDivisionError, or as an infinite or zero prior scale.
    """
    with np.errstate(all="ignore"):
        value = float(compute())
    if not (np.isfinite(value) and value > 0):
        raise ValueError(
            f"{function}: the mapped value is {value}, not a positive finite float: "
            "the inputs are too extreme for float64; "
            "rescale the data (or the prior) so that they are closer to 1."
        )
    return value


def weight_sum(n_samples: int, sample_weight=None) -> float:
    """``N = sum_i w_i``: the effective sample size of the lasso's ``1 / (2N)`` factor."""
    if sample_weight is None:
        return float(n_samples)
    return float(np.sum(sample_weight))


def ridge_alpha(noise_sigma: float, prior_sigma: float) -> float:
    """sklearn ``Ridge`` alpha whose solution is the MAP under a ``Normal(mu, prior_sigma)`` prior.

    ``Ridge`` minimises ``sum_i s_i (y_i - c - x_i^T w)**2 + alpha ||w||_2**2`` with the
    sample weights ``s_i = w_i`` unnormalised. Multiplying the negative log posterior by
    ``2 noise_sigma**2`` gives::

        alpha = noise_sigma**2 / prior_sigma**2

    (The blog post's ``alpha = lambda`` is the special case ``2 noise_sigma**2 = 1``,
    since its ``lambda = 1 / (2 prior_sigma**2)``.) No dependence on n or the weights.

    Examples
    --------
    >>> from regprior import ridge_alpha, normal_sigma_from_ridge_alpha
    >>> ridge_alpha(noise_sigma=54.0, prior_sigma=27.0)
    4.0
    >>> normal_sigma_from_ridge_alpha(4.0, noise_sigma=54.0)
    27.0
    """
    noise_sigma = check_positive_float(noise_sigma, "noise_sigma", "ridge_alpha")
    prior_sigma = check_positive_float(prior_sigma, "prior_sigma", "ridge_alpha")
    return _representable(
        lambda: np.float64(noise_sigma) ** 2 / np.float64(prior_sigma) ** 2, "ridge_alpha"
    )


def normal_sigma_from_ridge_alpha(alpha: float, noise_sigma: float) -> float:
    """Inverse of :func:`ridge_alpha`: ``prior_sigma = noise_sigma / sqrt(alpha)``.

    ``alpha = 0`` (ordinary least squares) is a flat prior, which has no scale: rejected.
    """
    alpha = check_positive_float(alpha, "alpha", "Ridge (mapped to a Normal prior)")
    noise_sigma = check_positive_float(noise_sigma, "noise_sigma", "normal_sigma_from_ridge_alpha")
    return _representable(
        lambda: np.float64(noise_sigma) / np.sqrt(np.float64(alpha)),
        "normal_sigma_from_ridge_alpha",
    )


def lasso_alpha(noise_sigma: float, scale: float, n_samples: float) -> float:
    """sklearn ``Lasso`` alpha whose solution is the MAP under a ``Laplace(mu, scale)`` prior.

    ``Lasso`` minimises ``1 / (2N) sum_i s_i (y_i - c - x_i^T w)**2 + alpha ||w||_1``
    where sklearn rescales the sample weights so that the data term is divided by
    ``N = sum_i w_i`` (``= n_samples`` without weights). Multiplying the negative log
    posterior by ``noise_sigma**2 / N`` gives::

        alpha = noise_sigma**2 / (N * scale)

    ``scale`` is the Laplace *scale* (PyMC's ``b``). With the blog post's rate
    ``rate = 1 / scale`` this is ``noise_sigma**2 * rate / N``.

    Parameters
    ----------
    noise_sigma : float
        Standard deviation of the Gaussian noise (for unit weight).
    scale : float
        Laplace scale of the prior.
    n_samples : float
        ``N = sum(sample_weight)``, see :func:`weight_sum`.

    Examples
    --------
    >>> from regprior import lasso_alpha, laplace_scale_from_lasso_alpha
    >>> scale = laplace_scale_from_lasso_alpha(0.1, noise_sigma=54.0, n_samples=442)
    >>> round(scale, 4)
    65.9729
    >>> round(lasso_alpha(54.0, scale, 442), 12)
    0.1
    """
    noise_sigma = check_positive_float(noise_sigma, "noise_sigma", "lasso_alpha")
    scale = check_positive_float(scale, "scale", "lasso_alpha")
    n_samples = check_positive_float(n_samples, "n_samples", "lasso_alpha")
    return _representable(
        lambda: np.float64(noise_sigma) ** 2 / (np.float64(n_samples) * scale), "lasso_alpha"
    )


def laplace_scale_from_lasso_alpha(alpha: float, noise_sigma: float, n_samples: float) -> float:
    """Inverse of :func:`lasso_alpha`: ``scale = noise_sigma**2 / (N * alpha)``.

    ``alpha = 0`` (no penalty) is a flat prior, which has no scale: rejected.
    """
    alpha = check_positive_float(alpha, "alpha", "Lasso (mapped to a Laplace prior)")
    noise_sigma = check_positive_float(noise_sigma, "noise_sigma", "laplace_scale_from_lasso_alpha")
    n_samples = check_positive_float(n_samples, "n_samples", "laplace_scale_from_lasso_alpha")
    return _representable(
        lambda: np.float64(noise_sigma) ** 2 / (np.float64(n_samples) * alpha),
        "laplace_scale_from_lasso_alpha",
    )


def elastic_net_alpha(
    noise_sigma: float, scale: float, prior_sigma: float, n_samples: float
) -> tuple[float, float]:
    """sklearn ``ElasticNet`` ``(alpha, l1_ratio)`` whose solution
    is the MAP under ``ElasticNetPrior(mu, scale, prior_sigma)``.

    ``ElasticNet`` minimises::

        1 / (2N) sum_i s_i r_i**2
            + alpha * l1_ratio * ||w||_1 + alpha * (1 - l1_ratio) / 2 * ||w||_2**2

    (``N = sum_i w_i``, as for the Lasso). Multiplying the negative log posterior, whose
    prior term is ``||w||_1 / scale + ||w||_2**2 / (2 prior_sigma**2)``, by ``noise_sigma**2 / N``::

        alpha = noise_sigma**2 / N * (1/scale + 1/prior_sigma**2)
        l1_ratio = (1/scale) / (1/scale + 1/prior_sigma**2)

    Examples
    --------
    >>> from regprior import elastic_net_alpha
    >>> elastic_net_alpha(noise_sigma=2.0, scale=4.0, prior_sigma=1.0, n_samples=100)
    (0.05, 0.2)
    """
    noise_sigma = check_positive_float(noise_sigma, "noise_sigma", "elastic_net_alpha")
    scale = check_positive_float(scale, "scale", "elastic_net_alpha")
    prior_sigma = check_positive_float(prior_sigma, "prior_sigma", "elastic_net_alpha")
    n_samples = check_positive_float(n_samples, "n_samples", "elastic_net_alpha")
    with np.errstate(all="ignore"):
        l1, l2 = 1.0 / np.float64(scale), 1.0 / np.float64(prior_sigma) ** 2
    alpha = _representable(
        lambda: np.float64(noise_sigma) ** 2 / n_samples * (l1 + l2), "elastic_net_alpha"
    )
    return alpha, _representable(lambda: l1 / (l1 + l2), "elastic_net_alpha (l1_ratio)")


def elastic_net_scales_from_alpha(
    alpha: float, l1_ratio: float, noise_sigma: float, n_samples: float
) -> tuple[float, float]:
    """Inverse of :func:`elastic_net_alpha`: ``(scale, prior_sigma)``.

    ``scale = noise_sigma**2 / (N alpha l1_ratio)``,
    ``prior_sigma = noise_sigma / sqrt(N alpha (1 - l1_ratio))``.
    ``l1_ratio`` must lie strictly inside (0, 1): at 1 the prior is a Laplace (use
    :func:`laplace_scale_from_lasso_alpha`), at 0 a Normal with Ridge's alpha ``N alpha``.
    """
    alpha = check_positive_float(alpha, "alpha", "ElasticNet (mapped to an elastic-net prior)")
    l1_ratio = check_open_unit_interval(
        l1_ratio, "l1_ratio", "ElasticNet (mapped to an elastic-net prior)"
    )
    noise_sigma = check_positive_float(noise_sigma, "noise_sigma", "elastic_net_scales_from_alpha")
    n_samples = check_positive_float(n_samples, "n_samples", "elastic_net_scales_from_alpha")
    strength = _representable(
        lambda: np.float64(n_samples) * alpha / np.float64(noise_sigma) ** 2,
        "elastic_net_scales_from_alpha",
    )
    return (
        _representable(
            lambda: 1.0 / (strength * l1_ratio), "elastic_net_scales_from_alpha (scale)"
        ),
        _representable(
            lambda: 1.0 / np.sqrt(strength * (1.0 - l1_ratio)),
            "elastic_net_scales_from_alpha (prior_sigma)",
        ),
    )


def log_sum_strength(
    noise_sigma: float, scale: float, shape: float, n_samples: float
) -> tuple[float, float]:
    """skglm ``LogSumPenalty(alpha, eps)`` whose problem is the MAP's under a generalized double
    Pareto prior ``GeneralizedDoublePareto(mu, scale=xi, shape=a)``.

    skglm's ``GeneralizedLinearEstimator(Quadratic(), LogSumPenalty(alpha, eps))`` minimises::

        1 / (2N) sum_i s_i r_i**2 + alpha sum_j log(1 + |w_j| / eps)

    (its ``Quadratic`` divides by ``n_samples``; with sample weights, fold ``sqrt(s_i n / N)``
    into the rows, or use ``WeightedQuadratic``). The prior term of the negative log posterior is
    ``(a + 1) sum_j log(1 + |theta_j - mu_j| / (a xi))``; multiplying by ``noise_sigma**2 / N``::

        alpha = noise_sigma**2 (a + 1) / N,    eps = a xi

    The penalty is not convex: the two problems have the same stationary points, and a solver
    started from the same point (zero) can be compared with regprior's MAP engine.

    Examples
    --------
    >>> from regprior import log_sum_strength
    >>> log_sum_strength(noise_sigma=2.0, scale=0.5, shape=3.0, n_samples=100)
    (0.16, 1.5)
    """
    noise_sigma = check_positive_float(noise_sigma, "noise_sigma", "log_sum_strength")
    scale = check_positive_float(scale, "scale", "log_sum_strength")
    shape = check_positive_float(shape, "shape", "log_sum_strength")
    n_samples = check_positive_float(n_samples, "n_samples", "log_sum_strength")
    alpha = _representable(
        lambda: np.float64(noise_sigma) ** 2 * (shape + 1.0) / n_samples, "log_sum_strength"
    )
    return alpha, _representable(lambda: np.float64(shape) * scale, "log_sum_strength (eps)")


def gdp_parameters_from_log_sum(
    alpha: float, eps: float, noise_sigma: float, n_samples: float
) -> tuple[float, float]:
    """Inverse of :func:`log_sum_strength`: ``(scale, shape)`` of the generalized double Pareto.

    ``shape = N alpha / noise_sigma**2 - 1`` and ``scale = eps / shape``; ValueError when
    ``N alpha <= noise_sigma**2`` (no positive shape has that penalty: a log-sum weight
    ``a + 1`` of 1 or less is not a generalized double Pareto density).
    """
    alpha = check_positive_float(alpha, "alpha", "LogSumPenalty (mapped to a GDP prior)")
    eps = check_positive_float(eps, "eps", "LogSumPenalty (mapped to a GDP prior)")
    noise_sigma = check_positive_float(noise_sigma, "noise_sigma", "gdp_parameters_from_log_sum")
    n_samples = check_positive_float(n_samples, "n_samples", "gdp_parameters_from_log_sum")
    with np.errstate(all="ignore"):
        shape = np.float64(n_samples) * alpha / np.float64(noise_sigma) ** 2 - 1.0
    if not (np.isfinite(shape) and shape > 0):
        raise ValueError(
            "The 'alpha' parameter of LogSumPenalty (mapped to a GDP prior) must exceed "
            f"noise_sigma**2 / N = {noise_sigma**2 / n_samples!r}, so that the shape "
            f"N alpha / noise_sigma**2 - 1 is positive. Got {alpha!r} instead."
        )
    return _representable(lambda: eps / shape, "gdp_parameters_from_log_sum (scale)"), float(shape)
