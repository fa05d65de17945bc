"""Regression data sets: validated arrays with names, from sklearn's bundled sets or a CSV file."""

from __future__ import annotations

import csv
import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from regprior._validation import check_regression_arrays
from regprior.spec.mapping import weight_sum

__all__ = [
    "RegressionData",
    "load_diabetes",
    "load_breast_cancer",
    "make_poisson_counts",
    "load_csv",
    "load_data",
    "EMBEDDED",
    "warn_degenerate_columns",
    "check_moments",
    "check_noise_scale",
]


@dataclass(frozen=True)
class RegressionData:
    """Design matrix, target and optional sample weights, checked once at construction.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), optional
        Precision weights ``w_i``: the noise of sample i has variance ``noise_sigma**2 / w_i``.
        They enter Ridge unnormalised and Lasso normalised by ``N = sum(w)``, exactly as in
        scikit-learn.
    feature_names : sequence of str, optional
        Default: the columns of a pandas DataFrame ``X`` (as scikit-learn's
        ``feature_names_in_``), else ``x0, x1, ...``.
    name : str
    """

    X: np.ndarray
    y: np.ndarray
    sample_weight: np.ndarray | None = None
    feature_names: tuple[str, ...] | None = None
    name: str = "data"

    def __post_init__(self):
        columns = getattr(self.X, "columns", None)
        if self.feature_names is None and columns is not None:
            object.__setattr__(self, "feature_names", tuple(str(c) for c in columns))
        X, y, sample_weight = check_regression_arrays(self.X, self.y, self.sample_weight)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "sample_weight", sample_weight)
        check_moments(X, y, sample_weight, feature_names=self.feature_names)
        if self.feature_names is None:
            names = tuple(f"x{j}" for j in range(X.shape[1]))
        else:
            names = tuple(str(name) for name in self.feature_names)
            if len(names) != X.shape[1]:
                raise ValueError(
                    f"feature_names has {len(names)} names but X has {X.shape[1]} columns."
                )
            if len(set(names)) != len(names):
                raise ValueError("feature_names must be unique.")
        object.__setattr__(self, "feature_names", names)

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def weight_sum(self) -> float:
        """``N = sum_i w_i`` (``n_samples`` without weights)."""
        return weight_sum(self.n_samples, self.sample_weight)

    @property
    def weights(self) -> np.ndarray:
        """Sample weights, ones when none were given."""
        return np.ones(self.n_samples) if self.sample_weight is None else self.sample_weight


def _column_names(feature_names, n_features: int):
    if feature_names is None or len(feature_names) != n_features:
        return [f"x{j}" for j in range(n_features)]
    return [str(name) for name in feature_names]


def check_moments(X, y, sample_weight=None, *, feature_names=None):
    """ValueError naming the input whose weighted sums of squares overflow float64.

    Finite values can still overflow what every fit computes from them: the weight sum, the
    means, ``X'WX``, ``X'Wy``, ``y'Wy`` and the residual variance. The raw sums of squares
    bound all of them (centring only lowers a sum of squares; ``|X'Wy|`` is at most the
    geometric mean of the two diagonals), so checking those, in O(n p) without a copy, keeps
    non-finite intermediate results (NaN weights with ``converged=False``, an infinite
    estimated noise sigma) from reaching the engine. Values up to about 1e150 pass.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if sample_weight is None:
            total = float(X.shape[0])
            x_squares = np.einsum("ij,ij->j", X, X)
            y_squares = float(y @ y)
        else:
            total = float(np.sum(sample_weight))
            x_squares = np.einsum("i,ij,ij->j", sample_weight, X, X)
            y_squares = float(sample_weight @ (y * y))
    if not np.isfinite(total):
        raise ValueError(
            f"sample_weight is too large for float64 arithmetic: its sum overflows (largest "
            f"weight {np.max(sample_weight):.3g}). Rescale the weights (only their ratios and "
            "the noise sigma's scale matter)."
        )
    overflowing = np.flatnonzero(~np.isfinite(x_squares))
    if overflowing.size:
        names = _column_names(feature_names, X.shape[1])
        j = overflowing[0]
        raise ValueError(
            f"X contains values too large for float64 arithmetic: the weighted sum of squares "
            f"of column {names[j]!r} (a diagonal entry of X'WX) overflows (largest |value| "
            f"{np.max(np.abs(X[:, j])):.3g}). Rescale it (e.g. with sklearn's StandardScaler)."
        )
    if not np.isfinite(y_squares):
        raise ValueError(
            "y contains values too large for float64 arithmetic: its weighted sum of squares "
            f"overflows (largest |value| {np.max(np.abs(y)):.3g}). Rescale it."
        )


def check_noise_scale(data, noise_sigma: float) -> None:
    """ValueError when the data divided by the noise variance overflow (or the variance does).

    The Gaussian log likelihood works with ``X'WX / noise_sigma**2`` and
    ``y'Wy / noise_sigma**2``: a noise sigma near the ends of the float range makes them
    infinite (NaN weights after the model was built) or zero.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        variance = np.float64(noise_sigma) ** 2
        precision = 1.0 / variance
        if isinstance(data, RegressionData):
            w = data.weights
            squares = [np.einsum("i,ij,ij->j", w, data.X, data.X), w @ data.y**2]
        else:  # sufficient statistics
            squares = [np.diag(data.xtx), data.yty]
        largest = max(float(np.max(part)) for part in squares)
        scaled = largest * precision
    if not (np.isfinite(variance) and variance > 0 and np.isfinite(precision)):
        raise ValueError(
            f"noise_sigma={noise_sigma!r} is outside what float64 can square and invert "
            "(about 1e-154 to 1e154); rescale y."
        )
    if not np.isfinite(scaled):
        raise ValueError(
            f"noise_sigma={noise_sigma:.3g} is too small for these data: the sums of squares of "
            f"X and y divided by noise_sigma**2 overflow float64 (largest sum of squares "
            f"{largest:.3g}). Rescale X and y."
        )


def load_diabetes() -> RegressionData:
    """scikit-learn's bundled diabetes data (442 x 10, shipped with sklearn, no download).

    The features are sklearn's: mean-centred and scaled to unit Euclidean norm per column.
    """
    from sklearn import datasets

    bunch = datasets.load_diabetes()
    return RegressionData(
        bunch.data, bunch.target, feature_names=tuple(bunch.feature_names), name="diabetes"
    )


def load_breast_cancer() -> RegressionData:
    """scikit-learn's bundled breast-cancer data (569 x 30, binary target 1 = benign), standardised.

    Each feature is centred and scaled to unit (population) standard deviation, as one does
    before a penalised logistic regression (the raw features span five orders of magnitude,
    so one penalty strength would mean very different things per feature). The same
    standardised matrix goes to both sides of every comparison.
    """
    from sklearn import datasets

    bunch = datasets.load_breast_cancer()
    X = (bunch.data - bunch.data.mean(axis=0)) / bunch.data.std(axis=0)
    names = tuple(name.replace(" ", "_") for name in bunch.feature_names)
    return RegressionData(X, bunch.target.astype(float), feature_names=names, name="breast_cancer")


def make_poisson_counts(
    n_samples: int = 400, n_features: int = 8, *, seed: int = 0
) -> RegressionData:
    """Seeded synthetic counts: ``y ~ Poisson(exp(0.5 + X @ coef))``, X standard normal / 2.

    Half of the true coefficients are zero; the others in [-0.6, 0.6]. Deterministic for a seed.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) / 2.0
    coef = np.zeros(n_features)
    coef[: n_features // 2] = np.linspace(-0.6, 0.6, n_features // 2)
    y = rng.poisson(np.exp(0.5 + X @ coef)).astype(float)
    return RegressionData(
        X, y, feature_names=tuple(f"x{j}" for j in range(n_features)), name="poisson_counts"
    )


#: Data sets by name: no download, no file (``--data NAME`` on the command line).
EMBEDDED = {
    "diabetes": load_diabetes,
    "breast_cancer": load_breast_cancer,
    "poisson_counts": make_poisson_counts,
}


def load_csv(path, *, target: str | None = None, weights: str | None = None) -> RegressionData:
    """Read a CSV file: each column but ``target`` (default: the last) and ``weights`` is a feature.

    Raises
    ------
    ValueError
        If the file is missing or empty, a named column is absent, or a value is not a
        finite number.
    """
    import pandas as pd

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}.")
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"data file {str(path)!r} does not exist or is not a file.")
    try:
        frame = pd.read_csv(path, encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise ValueError(f"data file {str(path)!r} is empty.") from None
    except UnicodeDecodeError as error:
        raise ValueError(
            f"data file {str(path)!r} is not UTF-8 text ({error.reason} at byte {error.start}); "
            "save it as UTF-8."
        ) from None
    except (pd.errors.ParserError, OSError) as error:
        raise ValueError(f"data file {str(path)!r} could not be read as CSV: {error}") from None
    if frame.shape[0] == 0:
        raise ValueError(f"data file {str(path)!r} has a header but no rows.")
    # pandas renames a repeated header ("a", "a.1"): read the header line as written.
    with path.open(encoding="utf-8", newline="") as stream:
        header = next(csv.reader(stream), [])
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise ValueError(
            f"data file {str(path)!r} has duplicated column names {duplicated}; rename them."
        )
    columns = list(frame.columns)
    target = columns[-1] if target is None else target
    for role, column in (("target", target), ("weights", weights)):
        if column is not None and column not in columns:
            raise ValueError(
                f"{role} column {column!r} is not in {str(path)!r}; its columns are {columns}."
            )
    if weights is not None and weights == target:
        raise ValueError("the weights column must differ from the target column.")
    non_numeric = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise ValueError(
            f"columns {non_numeric} of {str(path)!r} are not numeric; regprior needs numbers only "
            "(encode categories first)."
        )
    features = [c for c in columns if c not in (target, weights)]
    if not features:
        raise ValueError(f"{str(path)!r} has no feature column besides the target.")
    used = frame[[*features, target, *([weights] if weights else [])]]
    # pandas reads "inf" and "1e999" as infinities: as unusable as an empty cell.
    missing = used.isna() | np.isinf(used.astype(float))
    if missing.to_numpy().any():
        column = missing.any().idxmax()
        row = int(missing[column].to_numpy().argmax())
        raise ValueError(
            f"data file {str(path)!r}: column {column!r} has {int(missing[column].sum())} missing "
            f"or non-finite value(s), the first in data row {row + 1} (line {row + 2} of the file)."
        )
    if weights is not None and frame[weights].equals(frame[target]):
        raise ValueError(
            f"the weights column {weights!r} holds the same values as the target {target!r}; "
            "name the right columns."
        )
    return RegressionData(
        frame[features].to_numpy(dtype=float),
        frame[target].to_numpy(dtype=float),
        None if weights is None else frame[weights].to_numpy(dtype=float),
        feature_names=tuple(features),
        name=path.stem,
    )


def load_data(
    source: str, *, target: str | None = None, weights: str | None = None
) -> RegressionData:
    """An embedded data set by name (:data:`EMBEDDED`), otherwise the path of a CSV file."""
    if source in EMBEDDED:
        if target is not None or weights is not None:
            raise ValueError(f"target and weights columns apply to CSV data, not to {source!r}.")
        return EMBEDDED[source]()
    return load_csv(source, target=target, weights=weights)


def weighted_centring(data: RegressionData, *, fit_intercept: bool):
    """Weighted means of X and y, and the centred arrays.

    With a flat intercept prior, the intercept of the model fitted on ``X - x_mean`` and
    ``y - y_mean`` (weighted means) decouples from the weights:
    ``intercept = y_mean - x_mean @ theta + c0`` where ``c0`` has mean 0. Without an
    intercept the offsets are zero and the data are returned as they are.

    Returns
    -------
    x_mean : ndarray of shape (n_features,)
    y_mean : float
    X_centred : ndarray of shape (n_samples, n_features)
    y_centred : ndarray of shape (n_samples,)
    """
    if not fit_intercept:
        return np.zeros(data.n_features), 0.0, data.X, data.y
    w = data.weights
    x_mean = w @ data.X / data.weight_sum
    y_mean = float(w @ data.y / data.weight_sum)
    return x_mean, y_mean, data.X - x_mean, data.y - y_mean


def warn_degenerate_columns(data, *, feature_names=None, stacklevel: int = 3) -> None:
    """Warn (UserWarning, naming them) about constant and duplicated columns of ``X``.

    ``data`` is a :class:`RegressionData`, or a dense or SciPy sparse ``X`` (columns named by
    ``feature_names``, default ``x0``, ``x1``, ...). Both kinds of column are legal, but a
    constant column's weight is decided by the prior alone, and duplicated (or exactly
    collinear) columns make a lasso solution non-unique: MAP and sklearn may split the weight
    differently at equal objectives (the comparison's verdict then compares objectives). Every
    entry point runs this check: the array functions, the estimators and the command line.
    """
    if isinstance(data, RegressionData):
        X, names = data.X, data.feature_names
    else:
        X, names = data, feature_names
    constant, duplicated = degenerate_columns(X)
    if names is None:
        names = tuple(f"x{j}" for j in range(X.shape[1]))
    if constant:
        warnings.warn(
            f"X has constant column(s) {[names[j] for j in constant]}: with an intercept their "
            "weights are fixed by the prior alone.",
            UserWarning,
            stacklevel=stacklevel,
        )
    if duplicated:
        warnings.warn(
            f"X has duplicated column(s) (first of each: {[names[j] for j in duplicated]}): a "
            "lasso-type MAP is not unique there.",
            UserWarning,
            stacklevel=stacklevel,
        )


def degenerate_columns(X) -> tuple[list[int], list[int]]:
    """``(constant columns, first column of each group of exact duplicates)`` of ``X``.

    Exact, in O(n p): each column's bytes (contiguous, ``-0.0`` written as ``0.0``) are hashed,
    and columns with equal digests compared value by value. Floating-point products such as
    random projections are not exact: BLAS may sum equal columns at other positions or in
    another memory layout in another order (2e-15 apart on a 60 x 5 array).
    """
    import scipy.sparse

    sparse = scipy.sparse.issparse(X)
    if sparse:
        X = scipy.sparse.csc_array(X)
        X.sum_duplicates()
        X.eliminate_zeros()
    n, p = X.shape
    constant, groups = [], {}
    for j in range(p):
        if sparse:
            start, stop = X.indptr[j], X.indptr[j + 1]
            rows, values = X.indices[start:stop], X.data[start:stop]
            is_constant = stop == start or (stop - start == n and np.all(values == values[0]))
            parts = (np.ascontiguousarray(rows), np.ascontiguousarray(values))
        else:
            column = np.ascontiguousarray(X[:, j], dtype=np.float64) + 0.0  # -0.0 -> 0.0
            is_constant = bool(np.all(column == column[0]))
            parts = (column,)
        if is_constant:
            constant.append(j)
        digest = hashlib.blake2b(digest_size=16)
        for part in parts:
            digest.update(part.tobytes())
        groups.setdefault(digest.digest(), []).append(j)
    duplicated = set()
    for members in groups.values():
        # Equal digests are all but certainly equal columns; compare them to be exact.
        while len(members) > 1:
            first, rest = members[0], members[1:]
            same = [j for j in rest if _equal_columns(X, first, j, sparse)]
            if same:
                duplicated.add(first)
            members = [j for j in rest if j not in same]
    return constant, sorted(duplicated)


def _equal_columns(X, i: int, j: int, sparse: bool) -> bool:
    if not sparse:
        return bool(np.array_equal(X[:, i], X[:, j]))
    a = slice(X.indptr[i], X.indptr[i + 1])
    b = slice(X.indptr[j], X.indptr[j + 1])
    return np.array_equal(X.indices[a], X.indices[b]) and np.array_equal(X.data[a], X.data[b])
