"""Posterior summary diagnostics in NumPy: split-R-hat, bulk and tail ESS, MCSE, HDI.

The same arithmetic as ArviZ 1.x's array functions (``arviz_stats.base``: ``rhat`` with
``method="rank"``, ``ess`` ``"bulk"`` and ``"tail"``, ``mcse`` ``"mean"`` and ``"sd"``, ``hdi``
``"nearest"``), step for step on the same array layout, so a summary computed here equals
ArviZ's bit for bit on C-ordered draws (``tests/test_posterior_summary.py`` holds them to 1e-12,
``summary_statistics`` says where the last bits may differ), without
importing ArviZ: ``import arviz`` loads ``arviz_plots`` and matplotlib (~0.5 s, more on a
loaded machine or an empty font cache), ``arviz_stats`` alone its LOO and signal modules (~0.2 s),
several times what a Gibbs posterior on a small data set costs. The methods are those of Vehtari,
Gelman, Simpson, Carpenter & Burkner (2021), "Rank-normalization, folding, and localization: an
improved R-hat for assessing convergence of MCMC".

Every function takes one quantity's draws as a ``(chain, draw)`` array. The tail ESS uses
ArviZ's default probability, ``rcParams["stats.ci_prob"] = 0.89``: the 0.11 and 0.89
quantiles (``TAIL_PROB``).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "summary_statistics",
    "rhat_rank",
    "ess_bulk",
    "ess_tail",
    "mcse_mean",
    "mcse_sd",
    "hdi_nearest",
]

#: The tail ESS's probability: ArviZ 1.x's default ``stats.ci_prob``, which ``az.ess(...,
#: method="tail")`` takes when given none (its 0.11 and 0.89 quantiles).
TAIL_PROB = 0.89


def _invalid(ary: np.ndarray, min_chains: int) -> bool:
    """ArviZ's ``not_valid``: any NaN, fewer than ``min_chains`` chains or 4 draws."""
    return bool(np.isnan(ary).any()) or ary.shape[0] < min_chains or ary.shape[1] < 4


def _split_chains(ary: np.ndarray) -> np.ndarray:
    """Each chain's first and last halves as chains of their own (the middle draw dropped)."""
    half = ary.shape[1] // 2
    return np.vstack((ary[:, :half], ary[:, -half:]))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of the flattened ``values``, ties given their mean rank (no NaN).

    SciPy's ``rankdata(method="average")``, whose ranks are whole or half integers, exact in
    floating point whatever the sort: NumPy's default (SIMD) sort is several times faster than
    the stable one ``rankdata`` uses.
    """
    values = values.ravel()
    n = values.size
    order = np.argsort(values)
    ordered = values[order]
    starts_run = np.empty(n, dtype=bool)
    starts_run[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts_run[1:])
    starts = np.flatnonzero(starts_run)  # each run of ties: positions starts .. ends - 1
    ends = np.append(starts[1:], n)
    ranks = np.empty(n)
    ranks[order] = ((starts + ends + 1) / 2)[np.cumsum(starts_run) - 1]
    return ranks


def _z_scale(ary: np.ndarray) -> np.ndarray:
    """Rank-normalised values: ``Phi^-1((rank - 3/8) / (size + 1/4))`` (Blom 1958)."""
    from scipy.special import ndtri

    rank = _average_ranks(ary)
    rank = (rank - 3 / 8) / (rank.size - 2 * (3 / 8) + 1)
    return ndtri(rank).reshape(ary.shape)


def _rhat(ary: np.ndarray) -> float:
    """Split-R-hat of a ``(chain, draw)`` array (chains already split)."""
    _, num_samples = ary.shape
    chain_mean = np.mean(ary, axis=1)
    chain_var = np.var(ary, axis=1, ddof=1)
    between_chain_variance = num_samples * np.var(chain_mean, axis=None, ddof=1)
    within_chain_variance = np.mean(chain_var)
    return np.sqrt(
        (between_chain_variance / within_chain_variance + num_samples - 1) / (num_samples)
    )


def _autocov(ary: np.ndarray) -> np.ndarray:
    """Autocovariance of each row at every lag, by FFT (zero-padded to a 5-smooth length)."""
    from scipy.fftpack import next_fast_len

    n = ary.shape[1]
    m = next_fast_len(2 * n)
    ary = ary - ary.mean(1, keepdims=True)
    transform = np.fft.rfft(ary, n=m, axis=1)
    transform *= np.conjugate(transform)
    cov = np.fft.irfft(transform, n=m, axis=1)[:, :n]
    cov /= n
    return cov


def _ess(ary: np.ndarray) -> float:
    """Effective sample size of a ``(chain, draw)`` array: Geyer's initial monotone sequence."""
    ary = np.asarray(ary, dtype=float)
    if (np.max(ary) - np.min(ary)) < np.finfo(float).resolution:
        return ary.size
    n_chain, n_draw = ary.shape
    acov = _autocov(ary)
    chain_mean = ary.mean(axis=1)
    mean_var = np.mean(acov[:, 0]) * n_draw / (n_draw - 1.0)
    var_plus = mean_var * (n_draw - 1.0) / n_draw
    if n_chain > 1:
        var_plus += np.var(chain_mean, axis=None, ddof=1)
    # The mean autocovariance over chains at every lag: each a mean of a contiguous row, the
    # same pairwise sum as the mean of one strided column.
    lag_mean = np.mean(np.ascontiguousarray(acov.T), axis=1)
    rho = (1.0 - (mean_var - lag_mean) / var_plus).tolist()
    return _geyer_ess(rho, n_chain, n_draw)


def _geyer_ess(rho: list, n_chain: int, n_draw: int) -> float:
    """ESS from the autocorrelations ``rho`` at every lag: Geyer's initial monotone sequence."""
    # Python floats (the same IEEE arithmetic as NumPy's scalars, a tenth of the time per step).
    rho_hat_t = [0.0] * n_draw
    rho_hat_even = 1.0
    rho_hat_t[0] = rho_hat_even
    rho_hat_odd = rho[1]
    rho_hat_t[1] = rho_hat_odd
    # Geyer's initial positive sequence
    t = 1
    while t < (n_draw - 3) and (rho_hat_even + rho_hat_odd) > 0.0:
        rho_hat_even = rho[t + 1]
        rho_hat_odd = rho[t + 2]
        if (rho_hat_even + rho_hat_odd) >= 0:
            rho_hat_t[t + 1] = rho_hat_even
            rho_hat_t[t + 2] = rho_hat_odd
        t += 2
    max_t = t - 2
    if rho_hat_even > 0:
        rho_hat_t[max_t + 1] = rho_hat_even
    # Geyer's initial monotone sequence
    t = 1
    while t <= max_t - 2:
        if (rho_hat_t[t + 1] + rho_hat_t[t + 2]) > (rho_hat_t[t - 1] + rho_hat_t[t]):
            rho_hat_t[t + 1] = (rho_hat_t[t - 1] + rho_hat_t[t]) / 2.0
            rho_hat_t[t + 2] = rho_hat_t[t + 1]
        t += 2
    ess = n_chain * n_draw
    rho_hat_t = np.array(rho_hat_t[: max_t + 3])  # the rest is never set: zeros
    tau_hat = -1.0 + 2.0 * np.sum(rho_hat_t[: max_t + 1]) + np.sum(rho_hat_t[max_t + 1 : max_t + 2])
    tau_hat = max(tau_hat, 1 / np.log10(ess))
    ess = ess / tau_hat
    if np.isnan(rho_hat_t).any():
        ess = np.nan
    return ess


def rhat_rank(ary: np.ndarray) -> float:
    """Rank-normalised split-R-hat: the larger of the bulk and the folded (tail) one."""
    ary = np.asarray(ary)
    if _invalid(ary, min_chains=2):
        return np.nan
    split = _split_chains(ary)
    bulk = _rhat(_z_scale(split))
    tail = _rhat(_z_scale(abs(split - np.median(split))))
    return max(bulk, tail)


def ess_bulk(ary: np.ndarray) -> float:
    """Bulk ESS: the ESS of the rank-normalised split chains."""
    ary = np.asarray(ary)
    if _invalid(ary, min_chains=1):
        return np.nan
    return _ess(_z_scale(_split_chains(ary)))


def _ess_quantile(ary: np.ndarray, prob: float) -> float:
    quantile = np.quantile(ary, prob, axis=None, method="linear")
    return _ess(_split_chains(ary <= quantile))


def ess_tail(ary: np.ndarray, prob: float = TAIL_PROB) -> float:
    """Tail ESS: the smaller ESS of the indicators below the ``1 - prob`` and ``prob`` quantiles."""
    ary = np.asarray(ary)
    if _invalid(ary, min_chains=1):
        return np.nan
    low, high = sorted((prob, 1 - prob))
    return min(_ess_quantile(ary, low), _ess_quantile(ary, high))


def mcse_mean(ary: np.ndarray) -> float:
    """Monte Carlo standard error of the mean: sd over the square root of the split-chain ESS."""
    ary = np.asarray(ary)
    if _invalid(ary, min_chains=1):
        return np.nan
    return np.std(ary, ddof=1) / np.sqrt(_ess(_split_chains(ary)))


def mcse_sd(ary: np.ndarray) -> float:
    """Monte Carlo standard error of the sd (from the ESS of the squared deviations)."""
    ary = np.asarray(ary)
    if _invalid(ary, min_chains=1):
        return np.nan
    sims_c = ary - ary.mean()
    ess = _ess(_split_chains(sims_c**2))
    evar = (sims_c**2).mean()
    varvar = ((sims_c**4).mean() - evar**2) / ess
    varsd = varvar / evar / 4
    return np.sqrt(varsd)


def hdi_nearest(ary: np.ndarray, prob: float) -> np.ndarray:
    """Shortest interval between two draws holding ``prob`` of all draws: ``[low, high]``."""
    ary = np.sort(np.asarray(ary).ravel())
    n = len(ary)
    step = min(int(np.floor(prob * n)), n - 1)
    n_intervals = n - step
    width = np.subtract(ary[step:], ary[:n_intervals], dtype=np.float64)
    if len(width) == 0:
        raise ValueError("Too few elements for interval calculation. ")
    low = np.argmin(width)
    return ary[[low, low + step]]


# -- all quantities at once ------------------------------------------------------------------------
def _ess_stack(ary: np.ndarray) -> np.ndarray:
    """:func:`_ess` of each ``(chain, draw)`` array of a ``(quantity, chain, draw)`` stack.

    Every reduction runs over contiguous rows of the same length as in :func:`_ess` (a row's
    pairwise sum does not depend on the rows beside it), and NumPy's FFT transforms each row on
    its own: the same numbers, in one call per step instead of one per quantity.
    """
    ary = np.asarray(ary, dtype=float)
    n_quantities, n_chain, n_draw = ary.shape
    flat = ary.reshape(n_quantities, -1)
    constant = (np.max(flat, axis=1) - np.min(flat, axis=1)) < np.finfo(float).resolution
    acov = _autocov(ary.reshape(-1, n_draw)).reshape(ary.shape)
    chain_mean = ary.mean(axis=2)
    mean_var = np.mean(np.ascontiguousarray(acov[:, :, 0]), axis=1) * n_draw / (n_draw - 1.0)
    var_plus = mean_var * (n_draw - 1.0) / n_draw
    if n_chain > 1:
        var_plus += np.var(chain_mean, axis=1, ddof=1)
    lag_mean = np.mean(np.ascontiguousarray(acov.transpose(0, 2, 1)), axis=2)
    rho = 1.0 - (mean_var[:, None] - lag_mean) / var_plus[:, None]
    return np.array(
        [
            ary[q].size if constant[q] else _geyer_ess(rho[q].tolist(), n_chain, n_draw)
            for q in range(n_quantities)
        ],
        dtype=float,
    )


def _split_stack(ary: np.ndarray) -> np.ndarray:
    half = ary.shape[2] // 2
    return np.concatenate((ary[:, :, :half], ary[:, :, -half:]), axis=1)


def _z_scale_stack(ary: np.ndarray) -> np.ndarray:
    from scipy.special import ndtri

    n_quantities = ary.shape[0]
    flat = ary.reshape(n_quantities, -1)
    ranks = np.empty(flat.shape)
    for q in range(n_quantities):
        ranks[q] = _average_ranks(flat[q])
    size = flat.shape[1]
    return ndtri((ranks - 3 / 8) / (size - 2 * (3 / 8) + 1)).reshape(ary.shape)


def _rhat_stack(ary: np.ndarray) -> np.ndarray:
    num_samples = ary.shape[2]
    chain_mean = np.mean(ary, axis=2)
    chain_var = np.var(ary, axis=2, ddof=1)
    between_chain_variance = num_samples * np.var(chain_mean, axis=1, ddof=1)
    within_chain_variance = np.mean(chain_var, axis=1)
    return np.sqrt(
        (between_chain_variance / within_chain_variance + num_samples - 1) / (num_samples)
    )


def summary_statistics(quantities: list, hdi_prob: float) -> dict[str, np.ndarray]:
    """The summary's diagnostics of each ``(chain, draw)`` array in ``quantities``, at once.

    ``mcse_mean``, ``mcse_sd``, ``ess_bulk``, ``ess_tail``, ``r_hat``, ``hdi_low`` and
    ``hdi_high``, each an array with one value per quantity, equal to :func:`mcse_mean`,
    :func:`mcse_sd`, :func:`ess_bulk`, :func:`ess_tail`, :func:`rhat_rank` and
    :func:`hdi_nearest` applied one by one, faster for many quantities: the ranks, FFTs and
    row reductions run on stacks of :data:`CHUNK` quantities (4 x 1000 draws of 10,000
    AR(1)-0.5 weights: 13 s against 32 s through ArviZ; of 1,000 slowly mixing weights, 2.4 s
    against 12.7 s: ArviZ's time grows with the autocorrelation's length). The reductions over
    a whole ``(chain, draw)`` array (the mean and sd a Monte Carlo error needs) stay on each
    quantity's own array, whose layout decides their order of summation. Bit for bit the
    same when the draws are C-ordered ``(chain, draw, ...)`` arrays (the Gibbs engine's); for
    other layouts ArviZ's split chains keep the input's memory order and sum in it, and the
    MCSE of the sd may differ in the last bits (~1e-15 relative; tests/test_posterior_summary.py
    holds every column to 1e-12). Every quantity has the same number of chains and draws.
    """
    arrays = [np.asarray(q) for q in quantities]
    if not arrays:
        return {name: np.empty(0) for name in _COLUMNS}
    chunks = [
        _summary_chunk(arrays[start : start + CHUNK], hdi_prob)
        for start in range(0, len(arrays), CHUNK)
    ]
    return {name: np.concatenate([chunk[name] for chunk in chunks]) for name in chunks[0]}


_COLUMNS = ("hdi_low", "hdi_high", "mcse_mean", "mcse_sd", "ess_bulk", "ess_tail", "r_hat")

#: Quantities summarised together by ``summary_statistics``: the stacked copies (draws, split
#: chains, ranks, FFTs) of 256 quantities of 4 x 1000 draws take ~100 MB, not the gigabytes
#: 10,000 weights at once would.
CHUNK = 256


def _summary_chunk(arrays: list, hdi_prob: float) -> dict[str, np.ndarray]:
    stack = np.array(arrays, dtype=float)  # (quantity, chain, draw), contiguous
    n_quantities, n_chain, n_draw = stack.shape
    flat = stack.reshape(n_quantities, -1)
    ordered = np.sort(flat, axis=1)
    size = ordered.shape[1]
    step = min(int(np.floor(hdi_prob * size)), size - 1)
    width = np.subtract(ordered[:, step:], ordered[:, : size - step], dtype=np.float64)
    start = np.argmin(width, axis=1)
    rows = np.arange(n_quantities)
    out = {"hdi_low": ordered[rows, start], "hdi_high": ordered[rows, start + step]}
    for name in _COLUMNS[2:]:
        out[name] = np.full(n_quantities, np.nan)
    # ArviZ's not_valid: NaN draws, or fewer than 4 draws (2 chains for R-hat), give NaN.
    valid = np.flatnonzero(~np.isnan(flat).any(axis=1)) if n_draw >= 4 else np.arange(0)
    if not len(valid):
        return out
    stack, flat = stack[valid], flat[valid]
    split = _split_stack(stack)
    bulk = _z_scale_stack(split)
    out["ess_bulk"][valid] = _ess_stack(bulk)
    if n_chain >= 2:
        median = np.median(split.reshape(len(valid), -1), axis=1)
        folded = _z_scale_stack(abs(split - median[:, None, None]))
        rhat_bulk, rhat_tail = _rhat_stack(bulk), _rhat_stack(folded)
        out["r_hat"][valid] = np.where(rhat_tail > rhat_bulk, rhat_tail, rhat_bulk)  # max()
    tails = []
    for prob in sorted((TAIL_PROB, 1 - TAIL_PROB)):
        quantile = np.quantile(flat, prob, axis=1, method="linear")
        tails.append(_ess_stack(_split_stack(stack <= quantile[:, None, None])))
    out["ess_tail"][valid] = np.where(tails[1] < tails[0], tails[1], tails[0])  # min()
    sd, evar, fourth = np.empty(len(valid)), np.empty(len(valid)), np.empty(len(valid))
    squares = np.empty_like(stack)
    for row, q in enumerate(valid):
        ary = arrays[q]
        sd[row] = np.std(ary, ddof=1)
        sims_c = ary - ary.mean()
        square = sims_c**2  # the layout of ary's (a Fortran-ordered one sums in that order)
        squares[row] = square
        evar[row] = square.mean()
        fourth[row] = (sims_c**4).mean()
    out["mcse_mean"][valid] = sd / np.sqrt(_ess_stack(_split_stack(stack)))
    varvar = (fourth - evar**2) / _ess_stack(_split_stack(squares))
    out["mcse_sd"][valid] = np.sqrt(varvar / evar / 4)
    return out
