"""Full posterior by NUTS (nutpie, as ``pm.sample`` runs it), with its diagnostics."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regprior._validation import check_sampling_args
from regprior.backend.model import INTERCEPT, WEIGHTS, RegressionModel

__all__ = [
    "PosteriorResult",
    "nuts_posterior",
    "sample_nuts",
    "check_nuts_settings",
    "compile_sampler",
    "GOOD_RHAT",
    "MIN_ESS_BULK",
]

#: Largest acceptable split-R-hat (Vehtari et al. 2021).
GOOD_RHAT = 1.01
#: Smallest acceptable bulk ESS over all variables: 100 per chain for 4 chains, the
#: figure Vehtari et al. (2021) recommend before trusting R-hat and MCSE.
MIN_ESS_BULK = 400
HDI_PROB = 0.94
ADAPTATIONS = ("low_rank", "diag")
#: How a result names the engine that sampled it.
ENGINE_LABELS = {"nuts": "NUTS", "gibbs": "Gibbs"}


@dataclass(frozen=True)
class PosteriorResult:
    """NUTS posterior of a regression model and its sampler health.

    Attributes
    ----------
    datatree : xarray.DataTree
        Groups ``posterior``, ``sample_stats``, ``constant_data``, ``observed_data``.
    summary : pandas.DataFrame
        One row per weight (indexed by feature name) and one for ``intercept``: ``mean``,
        ``median``, ``sd``, ``hdi_low``, ``hdi_high`` (94% HDI), ``mcse_mean``, ``mcse_sd``,
        ``ess_bulk``, ``ess_tail``, ``r_hat``.
    divergences : int
    draws, chains : int
    seconds : float
        Wall time of sampling (and of the compile, on a model's first call).
    engine : {"nuts", "gibbs"}
        The engine that sampled (:func:`nuts_posterior` or
        :func:`regprior.inference.gibbs.gibbs_posterior`); Gibbs has no divergences (0).
    """

    datatree: object
    summary: pd.DataFrame
    divergences: int
    draws: int
    chains: int
    seconds: float
    engine: str = "nuts"

    @property
    def r_hat_max(self) -> float:
        return float(self.summary["r_hat"].max())

    @property
    def ess_bulk_min(self) -> float:
        return float(self.summary["ess_bulk"].min())

    @property
    def problems(self) -> list[str]:
        """Human-readable list of failed health checks; empty when the sampler is healthy."""
        problems = []
        if self.divergences:
            problems.append(f"{self.divergences} divergent transitions")
        if not np.isfinite(self.r_hat_max):
            # Split-R-hat needs two chains (or non-constant draws): undefined is not healthy.
            problems.append(f"r_hat undefined ({self.chains} chain(s)): no convergence check")
        elif not self.r_hat_max <= GOOD_RHAT:
            problems.append(f"r_hat max {self.r_hat_max:.4f} > {GOOD_RHAT}")
        if not self.ess_bulk_min >= MIN_ESS_BULK:
            problems.append(f"bulk ESS min {self.ess_bulk_min:.0f} < {MIN_ESS_BULK}")
        return problems

    @property
    def healthy(self) -> bool:
        return not self.problems

    def _repr_html_(self) -> str:
        from regprior.report.html import posterior_html

        return posterior_html(self)

    def __repr__(self) -> str:
        health = "healthy" if self.healthy else "UNHEALTHY: " + "; ".join(self.problems)
        engine = ENGINE_LABELS.get(self.engine, self.engine)
        return (
            f"<PosteriorResult {engine} {self.chains} chains x {self.draws} draws, "
            f"{len(self.summary)} quantities: {health}>"
        )

    def diagnostics(self) -> dict:
        return {
            "engine": self.engine,
            "r_hat_max": self.r_hat_max,
            "ess_bulk_min": self.ess_bulk_min,
            "divergences": self.divergences,
            "draws": self.draws,
            "chains": self.chains,
            "healthy": self.healthy,
            "problems": self.problems,
        }


def _summarise(datatree, var_names: list[str], feature_names) -> pd.DataFrame:
    """The summary table: one row per weight and scalar of ``var_names``.

    The diagnostics are ArviZ's (rank-normalised split-R-hat, bulk and tail ESS, MCSE of the
    mean and sd, 94% HDI) computed by :mod:`regprior.inference.diagnostics` with the same
    arithmetic, without importing ArviZ (its plotting half alone loads matplotlib).
    """
    from regprior.inference import diagnostics

    posterior = datatree.posterior
    stats = {
        "mean": posterior.mean(("chain", "draw")),
        "median": posterior.median(("chain", "draw")),
        "sd": posterior.std(("chain", "draw"), ddof=1),
    }
    rows = {}
    for column, values in stats.items():
        values = getattr(values, "dataset", values)  # DataTree node -> Dataset
        rows[column] = np.concatenate(
            [np.atleast_1d(np.asarray(values[name])) for name in var_names]
        )
    quantities = [draws for name in var_names for draws in _chain_draw_arrays(posterior, name)]
    rows.update(diagnostics.summary_statistics(quantities, HDI_PROB))
    index = []
    for name in var_names:
        index += list(feature_names) if name == WEIGHTS else [name]
    columns = [
        "mean",
        "median",
        "sd",
        "hdi_low",
        "hdi_high",
        "mcse_mean",
        "mcse_sd",
        "ess_bulk",
        "ess_tail",
        "r_hat",
    ]
    return pd.DataFrame(rows, index=pd.Index(index, name="coefficient"))[columns]


def _chain_draw_arrays(posterior, name) -> list[np.ndarray]:
    """The ``(chain, draw)`` draws of each element of variable ``name``, in its order.

    Views of the variable with chain and draw moved last, indexed element by element: the
    arrays ArviZ's ``apply_ufunc`` hands its array functions, so that reductions over them add
    in the same order.
    """
    variable = posterior[name].variable
    other = [dim for dim in variable.dims if dim not in ("chain", "draw")]
    values = np.asarray(variable.transpose(*other, "chain", "draw").values)
    return [values[index] for index in np.ndindex(values.shape[:-2])]


def compile_sampler(model: RegressionModel):
    """nutpie's compiled model, built once per RegressionModel, with the current pm.Data values.

    This is what ``pm.sample`` does on every call (``nutpie.compile_pymc_model`` then
    ``nutpie.sample``); doing it here lets one compile (~5 s; ~16 s on a machine's first run, with
    PyTensor's numba cache empty) serve every prior set by :meth:`RegressionModel.set_prior`
    (sampling itself takes ~0.1-0.5 s on diabetes). The compiled model is held by
    ``model.compiled("nutpie", ...)``.

    It is compiled without numba's fast-math flags (PyTensor's ``numba__fastmath``, on by
    default). With them LLVM may reassociate and contract differently in a function compiled in
    this process than in the same function loaded from PyTensor's disk cache; NUTS amplifies the
    last-bit difference, and the same seed gave other draws on a machine's first run than on
    later runs (measured on diabetes: every draw different). Without them the draws depend on
    the seed alone.
    """
    import nutpie
    import pytensor

    def build():
        with warnings.catch_warnings(), pytensor.config.change_flags(numba__fastmath=False):
            # The flat intercept prior has no random draw in numba; nutpie never draws from it.
            warnings.filterwarnings(
                "ignore", message="Numba will use object mode to run flat_rv", category=UserWarning
            )
            # A model may sample another pm.Model than the one it describes (its weights
            # integrated out); complete_posterior then adds them (HierarchicalModel).
            sampled = getattr(model, "sampling_model", None) or model.pymc_model
            return nutpie.compile_pymc_model(sampled, freeze_model=False)

    return model.compiled("nutpie", build).with_data(**model.data_values())


def nuts_posterior(
    model: RegressionModel,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int = 0,
    adaptation: str = "low_rank",
    target_accept: float = 0.8,
) -> PosteriorResult:
    """Sample the posterior of ``model`` with NUTS (nutpie, PyMC's default NUTS sampler).

    The summary covers the weights, the intercept and any scalar a model lists in
    ``summary_names`` (a hierarchical model's noise variance, lambda, implied sklearn alpha).
    The model is compiled by nutpie once and cached on ``model``; later calls, after
    :meth:`RegressionModel.set_prior`, only sample. The returned DataTree has the groups
    ``pm.sample`` gives (``posterior``, ``sample_stats``, ``constant_data``, ``observed_data``).

    BLAS is pinned to one thread while sampling: each chain runs in its own thread, and
    multi-threaded BLAS inside two chain threads on two cores was measured ~3x slower.

    Parameters
    ----------
    model : RegressionModel
    draws, tune, chains : int
        Kept draws per chain, tuning steps per chain, number of chains.
    random_seed : int
        Same seed, same draws.
    adaptation : {"low_rank", "diag"}, default="low_rank"
        nutpie's mass-matrix adaptation. Collinear features (diabetes' s1, s2) give
        correlated posteriors: measured on diabetes with 2 x 1000 draws, "low_rank" gives
        a bulk ESS of ~2,200 where the diagonal default gives ~340, at the same cost.
    target_accept : float, default=0.8
        nutpie's target acceptance rate; raise it (0.95, 0.99) for hierarchical posteriors
        that diverge at the default: smaller steps, more gradient evaluations.
    """
    check_nuts_settings(
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
        adaptation=adaptation,
        target_accept=target_accept,
    )
    return sample_nuts(
        model,
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
        adaptation=adaptation,
        target_accept=target_accept,
    )


def check_nuts_settings(
    *, draws, tune, chains, random_seed, adaptation="low_rank", target_accept=0.8
) -> None:
    """ValueError/TypeError naming the first NUTS setting out of range.

    See :func:`nuts_posterior`.
    """
    check_sampling_args(draws=draws, tune=tune, chains=chains, random_seed=random_seed)
    if adaptation not in ADAPTATIONS:
        raise ValueError(f"adaptation must be one of {ADAPTATIONS}; got {adaptation!r}.")
    if (
        isinstance(target_accept, bool)
        or not isinstance(target_accept, (int, float))
        or not 0 < target_accept < 1
    ):
        raise ValueError(f"target_accept must be a float in (0, 1); got {target_accept!r}.")


def sample_nuts(
    model,
    *,
    draws: int,
    tune: int,
    chains: int,
    random_seed: int,
    adaptation: str = "low_rank",
    target_accept: float = 0.8,
) -> PosteriorResult:
    """:func:`nuts_posterior` for settings already checked (:func:`check_nuts_settings`).

    Entry points validate once, at their boundary, and then call this.
    """
    import nutpie
    from pymc.backends.arviz import patch_nutpie_idata

    from regprior.inference.threads import one_blas_thread

    start = time.perf_counter()
    sampler = compile_sampler(model)
    with one_blas_thread():
        datatree = nutpie.sample(
            sampler,
            draws=draws,
            tune=tune,
            chains=chains,
            seed=random_seed,
            save_warmup=False,
            progress_bar=False,
            adaptation=adaptation,
            target_accept=target_accept,
        )
    seconds = time.perf_counter() - start
    patch_nutpie_idata(datatree, model.pymc_model, sampling_time=seconds)
    complete = getattr(model, "complete_posterior", None)
    if complete is not None:
        datatree = complete(datatree, random_seed)
        seconds = time.perf_counter() - start  # the exact weight draws are part of sampling
    var_names = (
        [WEIGHTS]
        + ([INTERCEPT] if model.fit_intercept else [])
        + list(getattr(model, "summary_names", ()))
    )
    summary = _summarise(datatree, var_names, model.data.feature_names)
    divergences = int(datatree.sample_stats["diverging"].sum())
    return PosteriorResult(datatree, summary, divergences, draws, chains, seconds)
