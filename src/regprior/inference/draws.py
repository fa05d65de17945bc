"""The Gibbs engines' kept draws as an xarray DataTree with the groups and names of NUTS's.

Shared by the Gaussian sweep (:mod:`regprior.inference.gibbs`) and the Polya-Gamma sweep
(:mod:`regprior.inference.polya_gamma`), so that every table, plot, verdict and report reads a
Gibbs posterior as it reads a NUTS one.
"""

from __future__ import annotations

import numpy as np

from regprior.backend.names import INTERCEPT, NOISE_SIGMA, OBSERVED, PRIOR_MU, WEIGHTS

__all__ = ["gibbs_datatree"]


def gibbs_datatree(
    samples: dict, data, centre, *, seconds: float, tune: int, noise_sigma=None, attributes=None
):
    """The draws as a DataTree: ``posterior``, ``constant_data`` and ``observed_data``.

    Parameters
    ----------
    samples : dict
        ``beta`` of shape ``(chains, draws, p)``, ``intercept`` of shape ``(chains, draws)`` or
        None, and ``scalars``: ``{name: values}`` of shape ``(chains, draws)`` or
        ``(chains, draws, p)`` (per weight, dims ``feature``).
    data : RegressionData
    centre : array-like of shape (p,)
        The prior centre, recorded as ``prior_mu``.
    seconds, tune
        The sampling time and the discarded warm-up sweeps, recorded as the posterior's
        attributes ``sampling_time`` and ``tuning_steps`` (as nutpie records them).
    noise_sigma : float, optional
        A known noise sigma, recorded as ``noise_sigma``.
    attributes : dict, optional
        More attributes of the posterior group.
    """
    import xarray as xr

    chains, draws, _ = samples["beta"].shape
    features = list(data.feature_names)
    coords = {"chain": np.arange(chains), "draw": np.arange(draws), "feature": features}
    variables = {WEIGHTS: (("chain", "draw", "feature"), samples["beta"])}
    if samples["intercept"] is not None:
        variables[INTERCEPT] = (("chain", "draw"), samples["intercept"])
    for name, values in samples["scalars"].items():
        variables[name] = (("chain", "draw", "feature")[: values.ndim], values)
    posterior = xr.Dataset(
        variables,
        coords=coords,
        attrs={
            "inference_library": "regprior.gibbs",
            "sampling_time": seconds,
            "tuning_steps": tune,
            "divergences": "none: Gibbs draws every conditional exactly",
            **(attributes or {}),
        },
    )
    constant = {PRIOR_MU: (("feature",), np.asarray(centre))}
    if noise_sigma is not None:
        constant[NOISE_SIGMA] = ((), noise_sigma)
    constant_data = xr.Dataset(constant, coords={"feature": features})
    observed = xr.Dataset({OBSERVED: ((f"{OBSERVED}_dim_0",), data.y)})
    return xr.DataTree.from_dict(
        {"posterior": posterior, "constant_data": constant_data, "observed_data": observed}
    )
