"""Built and compiled models kept per process, reused for every fit of the same structure.

A compiled graph is fixed by the prior family, the likelihood family, the data shape (which
also fixes ``form="auto"``), the intercept and the feature names (the model's coordinate);
the data, the prior's parameters and the likelihood's are ``pm.Data`` and are swapped in.
``fit_map``, ``map_path``, ``compare_data`` and the estimators
take their model from here, so a warm call costs the solve and the data swap, not a build
and a compile (a grid search over alpha on 5 folds compiles at most twice: two fold sizes).
A model is held by one caller at a time (taken out while in use), so threads never share one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager

from regprior.backend.model import build_model, data_shape

__all__ = ["reusable_model", "cached_models", "clear_model_cache", "CACHE_SIZE"]

#: Most structures kept; the least recently used is dropped beyond it.
CACHE_SIZE = 16
_MODELS: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


@contextmanager
def reusable_model(data, prior, likelihood, *, fit_intercept: bool = True):
    """A model of ``(data, prior, likelihood)``:
    a cached one with the values swapped in, or a new one."""
    # The feature names are the model's "feature" coordinate, baked into the pm.Model and its draws.
    key = (
        prior.family,
        likelihood.family,
        data_shape(data),
        fit_intercept,
        tuple(data.feature_names),
    )
    with _LOCK:
        model = _MODELS.pop(key, None)
    if model is None:
        model = build_model(data, prior, likelihood, fit_intercept=fit_intercept, mutable_data=True)
    else:
        if model.data is not data:  # swapping data drops the compiled sampler: only when it changed
            model.set_data(data)
        model.set_prior(prior)
        model.set_likelihood(likelihood)
    try:
        yield model
    finally:
        with _LOCK:
            _MODELS[key] = model
            while len(_MODELS) > CACHE_SIZE:
                _MODELS.popitem(last=False)


def cached_models() -> tuple:
    """The compiled models kept for reuse (most recently used last)."""
    with _LOCK:
        return tuple(_MODELS.values())


def clear_model_cache() -> None:
    """Forget every cached model (the next fit of each structure builds and compiles again)."""
    with _LOCK:
        _MODELS.clear()
