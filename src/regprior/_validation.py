"""Input checks shared by every public entry point, run before any model is built."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np


def check_positive_float(value, name: str, owner: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float after checking it is finite and > 0 (or >= 0).

    The message follows scikit-learn's format so that errors read the same across
    both libraries: ``The 'alpha' parameter of Lasso must be a float in the range
    (0, inf). Got -1 instead.``
    """
    interval = "[0, inf)" if allow_zero else "(0, inf)"
    message = (
        f"The {name!r} parameter of {owner} must be a float in the range {interval}. "
        f"Got {value!r} instead."
    )
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(message)
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(message)
    return value


#: The scales float64 can square and invert: ``s**2`` and ``1 / s**2`` finite and normal.
SMALLEST_SCALE, LARGEST_SCALE = 2.0**-511, 2.0**511


def check_representable_scale(value, name: str, owner: str) -> float:
    """As :func:`check_positive_float`, and ``value**2`` and ``1 / value**2`` finite.

    A prior's precision ``1 / sigma**2`` and variance ``sigma**2`` enter its density and the
    strength maps: a scale outside about [1.5e-154, 1.3e154] would give an infinite or zero
    precision after the model was built (ZeroDivisionError, NaN weights).
    """
    value = check_positive_float(value, name, owner)
    if not SMALLEST_SCALE <= value <= LARGEST_SCALE:
        raise ValueError(
            f"The {name!r} parameter of {owner} must be a float in the range "
            f"[{SMALLEST_SCALE:.3g}, {LARGEST_SCALE:.3g}] (float64 must square and invert it). "
            f"Got {value!r} instead."
        )
    return value


def check_open_unit_interval(value, name: str, owner: str) -> float:
    """Return ``value`` as a float after checking it lies strictly between 0 and 1."""
    message = (
        f"The {name!r} parameter of {owner} must be a float in the range (0, 1). "
        f"Got {value!r} instead."
    )
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(message)
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ValueError(message)
    return value


def check_not_ragged(values, name: str) -> None:
    """ValueError naming ``name`` when it is a nested sequence whose rows differ in length."""
    if not isinstance(values, (list, tuple)):
        return
    lengths = {len(row) if isinstance(row, (list, tuple, np.ndarray)) else None for row in values}
    if len(lengths) > 1:
        shown = sorted(lengths, key=lambda length: -1 if length is None else length)
        shown = ["a scalar" if length is None else str(length) for length in shown]
        raise ValueError(
            f"{name} is a ragged nested sequence: its rows have different lengths "
            f"({', '.join(shown)}); every row needs one value per feature."
        )


def check_numeric(values, name: str) -> np.ndarray:
    """``values`` as a NumPy array of bool, int, float (or complex, for the caller to refuse).

    A ragged nested sequence, strings (even numeric ones) and other objects are refused by
    ``name``.
    """
    check_not_ragged(values, name)
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} could not be read as an array of numbers ({error}).") from None
    if raw.dtype.kind not in "biufc":
        raise TypeError(
            f"{name} must hold numbers (bool, int or float); got dtype {raw.dtype}"
            + (" (strings: convert them with float first)." if raw.dtype.kind in "USO" else ".")
        )
    return raw


def check_finite_array(values, name: str, *, ndim: int) -> np.ndarray:
    """Return ``values`` as a float64 array of dimension ``ndim`` with only finite entries.

    Booleans, integers and floats are accepted; complex numbers (the imaginary part would be
    dropped), strings (even numeric ones) and other objects are refused by name.
    """
    raw = check_numeric(values, name)
    if raw.dtype.kind == "c":
        raise TypeError(f"{name} is complex ({raw.dtype}); regprior needs real numbers.")
    try:
        array = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be numeric; could not convert it to float ({error})."
        ) from None
    if array.ndim != ndim:
        shape = "(n_samples, n_features)" if ndim == 2 else "(n_samples,)"
        raise ValueError(
            f"{name} must be a {ndim}-D array of shape {shape}; got shape {array.shape}."
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); at least one sample is needed.")
    if not np.all(np.isfinite(array)):
        bad = int(np.count_nonzero(~np.isfinite(array)))
        raise ValueError(
            f"{name} contains {bad} NaN or infinite value(s); only finite values are allowed."
        )
    return array


def check_regression_arrays(X, y, sample_weight=None):
    """Validate the data of a regression: shapes, finiteness, positive weights.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,) or None
    """
    X = check_finite_array(X, "X", ndim=2)
    y = check_finite_array(y, "y", ndim=1)
    if X.shape[1] == 0:
        raise ValueError("X has no columns; at least one feature is needed.")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {X.shape[0]} rows, "
            f"y has {y.shape[0]}."
        )
    if sample_weight is not None:
        sample_weight = check_finite_array(sample_weight, "sample_weight", ndim=1)
        if sample_weight.shape[0] != y.shape[0]:
            raise ValueError(
                f"sample_weight has {sample_weight.shape[0]} entries but y has {y.shape[0]} "
                "samples."
            )
        if np.any(sample_weight <= 0):
            # A zero weight is an infinite noise variance sigma^2 / w_i: drop such rows instead.
            raise ValueError("sample_weight must be strictly positive; drop rows with zero weight.")
    return X, y, sample_weight


def check_positive_int(value, name: str, owner: str) -> int:
    """Return ``value`` as an int after checking it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"The {name!r} parameter of {owner} must be an integer >= 1. Got {value!r} instead."
        )
    if value < 1:
        raise ValueError(
            f"The {name!r} parameter of {owner} must be an integer >= 1. Got {value!r} instead."
        )
    return int(value)


#: nutpie takes its seed as an unsigned 64-bit integer; larger ones overflow after the compile.
MAX_SEED = 2**63 - 1


def check_sampling_args(*, draws, tune, chains, random_seed) -> None:
    """Check NUTS settings: positive integer draws and chains, non-negative tune, a seed nutpie
    can take."""
    for name, value, least in (
        ("draws", draws, 1),
        ("tune", tune, 0),
        ("chains", chains, 1),
        ("random_seed", random_seed, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an integer >= {least}; got {value!r}.")
        if value < least:
            raise ValueError(f"{name} must be an integer >= {least}; got {value!r}.")
    if random_seed > MAX_SEED:
        raise ValueError(f"random_seed must be an integer in [0, 2**63 - 1]; got {random_seed!r}.")
