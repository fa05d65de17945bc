"""Sufficient statistics of the Gaussian likelihood, from in-memory, Dask or on-disk data.

With ``y_i ~ N(c + x_i^T beta, sigma^2 / w_i)`` and data centred by their weighted means
(``x_mean``, ``y_mean``; the model's intercept is ``c = y_mean - x_mean @ beta + c0``)::

    sum_i w_i (y_i - c - x_i^T beta)^2 = yWy - 2 beta^T XWy + beta^T XWX beta + N c0^2

so the log likelihood needs only ``XWX`` (p x p), ``XWy`` (p), ``yWy``, ``N = sum w``,
``n`` and ``sum log w``: O(p^2) per gradient instead of O(n p). The statistics are
computed in two passes (means, then centred moments), which avoids the cancellation of
``X^T W X - N x_mean x_mean^T`` when the means are large.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regprior.spec.data import RegressionData, weighted_centring

__all__ = ["SufficientStatistics"]


@dataclass(frozen=True)
class SufficientStatistics:
    """Centred weighted moments of a regression data set.

    Attributes
    ----------
    xtx : ndarray of shape (n_features, n_features)
        ``X~^T W X~`` (``X~`` centred by ``x_mean``; uncentred without an intercept).
    xty : ndarray of shape (n_features,)
        ``X~^T W y~``.
    yty : float
        ``y~^T W y~``.
    x_mean : ndarray of shape (n_features,)
    y_mean : float
    weight_sum : float
        ``N = sum w``.
    n_samples : int
    log_weight_sum : float
        ``sum log w`` (0 without weights): part of the Gaussian normalising constant.
    feature_names : tuple of str
    fit_intercept : bool
        Whether the moments are centred (they must match the model's intercept setting).
    """

    xtx: np.ndarray
    xty: np.ndarray
    yty: float
    x_mean: np.ndarray
    y_mean: float
    weight_sum: float
    n_samples: int
    log_weight_sum: float
    feature_names: tuple
    fit_intercept: bool
    name: str = "data"

    def __post_init__(self):
        # Finite data can still overflow their moments: say which input, before any engine runs.
        with np.errstate(invalid="ignore"):
            bad_x = np.flatnonzero(~np.isfinite(np.diag(self.xtx)) | ~np.isfinite(self.x_mean))
        if bad_x.size or not np.all(np.isfinite(self.xtx)) or not np.all(np.isfinite(self.xty)):
            column = self.feature_names[bad_x[0]] if bad_x.size else "(a cross product)"
            raise ValueError(
                f"X contains values too large for float64 arithmetic: the moments of column "
                f"{column!r} (X'WX, X'Wy) overflow. Rescale it (e.g. with sklearn's "
                "StandardScaler)."
            )
        if not (np.isfinite(self.yty) and np.isfinite(self.y_mean)):
            raise ValueError(
                "y contains values too large for float64 arithmetic: its weighted sum of squares "
                "overflows. Rescale it."
            )
        if not np.isfinite(self.weight_sum):
            raise ValueError(
                "sample_weight is too large for float64 arithmetic: its sum overflows."
            )

    @property
    def n_features(self) -> int:
        return self.xtx.shape[0]

    @classmethod
    def from_data(cls, data: RegressionData, *, fit_intercept: bool = True) -> SufficientStatistics:
        """Statistics of in-memory data."""
        x_mean, y_mean, X, y = weighted_centring(data, fit_intercept=fit_intercept)
        w = data.weights
        return cls(
            xtx=(X.T * w) @ X,
            xty=X.T @ (w * y),
            yty=float(y @ (w * y)),
            x_mean=x_mean,
            y_mean=y_mean,
            weight_sum=data.weight_sum,
            n_samples=data.n_samples,
            log_weight_sum=float(np.sum(np.log(w))) if data.sample_weight is not None else 0.0,
            feature_names=data.feature_names,
            fit_intercept=fit_intercept,
            name=data.name,
        )

    @classmethod
    def from_sparse(
        cls,
        X,
        y,
        sample_weight=None,
        *,
        fit_intercept: bool = True,
        feature_names=None,
        name="sparse",
    ) -> SufficientStatistics:
        """Statistics of a SciPy sparse ``X`` (dense ``y``) from sparse products: ``X`` is never
        densified.

        The centred moments come from the raw ones, ``X~^T W X~ = X^T W X - N m m^T`` with ``m``
        the weighted column means (sklearn's sparse solvers do not centre ``X`` either). Rows
        with zero weight must be dropped before (they carry no information). Values are checked
        finite.
        """
        import scipy.sparse

        X = scipy.sparse.csr_array(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        n, p = X.shape
        if y.shape != (n,):
            raise ValueError(f"y must have shape ({n},) to match X; got {y.shape}.")
        if not (np.all(np.isfinite(X.data)) and np.all(np.isfinite(y))):
            raise ValueError("X and y must be finite (no NaN or infinite values).")
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError(
                "sample_weight must be finite and strictly positive, one per row of X."
            )
        # Overflowing moments are refused by name when the statistics are built (__post_init__).
        with np.errstate(over="ignore", invalid="ignore"):
            weight_sum = float(w.sum())
            weighted = scipy.sparse.diags_array(w) @ X
            raw_xtx = (X.T @ weighted).toarray()
            raw_xty = weighted.T @ y
            x_mean = (weighted.T @ np.ones(n)) / weight_sum if fit_intercept else np.zeros(p)
            y_mean = float(w @ y / weight_sum) if fit_intercept else 0.0
            xtx = raw_xtx - weight_sum * np.outer(x_mean, x_mean)
            xty = raw_xty - weight_sum * x_mean * y_mean
            yty = float(w @ (y - y_mean) ** 2)
        names = _feature_names(feature_names, p)
        return cls(
            xtx=xtx,
            xty=xty,
            yty=yty,
            x_mean=x_mean,
            y_mean=y_mean,
            weight_sum=weight_sum,
            n_samples=n,
            log_weight_sum=float(np.sum(np.log(w))) if sample_weight is not None else 0.0,
            feature_names=names,
            fit_intercept=fit_intercept,
            name=name,
        )

    @classmethod
    def from_dask(
        cls,
        X,
        y,
        sample_weight=None,
        *,
        fit_intercept: bool = True,
        feature_names=None,
        name="dask",
    ) -> SufficientStatistics:
        """Statistics of Dask arrays, chunk by chunk (bounded memory).

        ``X`` (n, p) must be chunked along rows only (one chunk spans all columns), ``y`` and
        ``sample_weight`` with the same row chunks. The reductions run on the active
        ``dask.distributed`` client when there is one, else on Dask's local scheduler.
        Non-finite values and non-positive weights are rejected after the first pass.
        """
        import dask
        import dask.array as da

        X, y = da.asarray(X, dtype=np.float64), da.asarray(y, dtype=np.float64)
        if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
            raise ValueError(
                "X must be (n_samples, n_features) and y (n_samples,) with the same rows; "
                f"got {X.shape} and {y.shape}."
            )
        if X.numblocks[1] != 1:
            X = X.rechunk({1: -1})
        y = y.rechunk(X.chunks[0])
        w = (
            None
            if sample_weight is None
            else da.asarray(sample_weight, dtype=np.float64).rechunk(X.chunks[0])
        )
        # One task per row block, each reduced to p x p moments at once: memory stays at a
        # few blocks whatever n is (an elementwise Dask graph would keep shared blocks alive).
        blocks = list(
            zip(
                X.to_delayed().ravel(),
                y.to_delayed().ravel(),
                [None] * len(X.chunks[0]) if w is None else w.to_delayed().ravel(),
                strict=True,
            )
        )
        first = _compute_in_batches([dask.delayed(_first_moments)(*block) for block in blocks])
        n, weight_sum, x_sum, y_sum, bad, min_weight, log_w, differing = (
            sum(parts) if i != 5 else min(parts) for i, parts in enumerate(zip(*first, strict=True))
        )
        if n == 0:
            raise ValueError("X is empty: at least one sample is needed.")
        if bad:
            raise ValueError(
                f"the data contain {int(bad)} NaN or infinite value(s); only finite values are "
                "allowed."
            )
        if min_weight <= 0:
            raise ValueError("sample_weight must be strictly positive; drop rows with zero weight.")
        if w is not None and differing == 0:
            raise ValueError(
                "sample_weight holds the same values as the target y (the same column named "
                "twice?); name the right columns."
            )
        x_mean = x_sum / weight_sum if fit_intercept else np.zeros(X.shape[1])
        y_mean = float(y_sum / weight_sum) if fit_intercept else 0.0
        second = _compute_in_batches(
            [dask.delayed(_centred_moments)(*block, x_mean, y_mean) for block in blocks]
        )
        xtx, xty, yty = (sum(parts) for parts in zip(*second, strict=True))
        names = _feature_names(feature_names, X.shape[1])
        return cls(
            xtx=np.asarray(xtx),
            xty=np.asarray(xty),
            yty=float(yty),
            x_mean=np.asarray(x_mean),
            y_mean=y_mean,
            weight_sum=float(weight_sum),
            n_samples=int(n),
            log_weight_sum=float(log_w) if sample_weight is not None else 0.0,
            feature_names=names,
            fit_intercept=fit_intercept,
            name=name,
        )

    @classmethod
    def from_files(
        cls, pattern: str, *, target: str, weights: str | None = None, fit_intercept: bool = True
    ) -> SufficientStatistics:
        """Statistics of a folder of CSV or Parquet files (``"data/*.parquet"``), read by Dask.

        Every column but ``target`` and ``weights`` is a feature.

        Raises
        ------
        TypeError
            ``pattern`` is not a path.
        ValueError
            The pattern matches no file; a file is empty; a named column is missing; the
            weights column is the target; a cell is empty, not a number or infinite (named by
            file, column and line, as :func:`regprior.spec.data.load_csv` names it).
        """
        import glob
        import os

        import dask.dataframe as dd
        import pandas as pd

        if not isinstance(pattern, (str, os.PathLike)):
            raise TypeError(
                f"pattern must be a path or glob pattern (str); got {type(pattern).__name__}."
            )
        pattern = os.fspath(pattern)
        if not glob.glob(pattern) and not os.path.isdir(pattern):
            raise ValueError(f"pattern {pattern!r} matches no file.")
        parquet = pattern.endswith(".parquet") or pattern.endswith("/")
        files = sorted(glob.glob(pattern)) if not os.path.isdir(pattern) else []
        for path in files:
            if os.path.isfile(path) and os.path.getsize(path) == 0:
                raise ValueError(f"data file {path!r} is empty.")
        try:
            frame = dd.read_parquet(pattern) if parquet else dd.read_csv(pattern)
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
            raise ValueError(f"{pattern!r} could not be read as CSV: {error}") from None
        columns = list(frame.columns)
        for role, column in (("target", target), ("weights", weights)):
            if column is not None and column not in columns:
                raise ValueError(
                    f"{role} column {column!r} is not in {pattern!r}; its columns are {columns}."
                )
        if weights is not None and weights == target:
            raise ValueError("the weights column must differ from the target column.")
        features = [c for c in columns if c not in (target, weights)]
        if not features:
            raise ValueError(f"{pattern!r} has no feature column besides the target.")
        used = [*features, target, *([weights] if weights else [])]
        if any(not pd.api.types.is_numeric_dtype(frame[c].dtype) for c in used):
            _locate_bad_cell(files or [pattern], used, parquet=parquet)
        try:
            X = frame[features].to_dask_array(lengths=True)
            y = frame[target].to_dask_array(lengths=True)
            w = None if weights is None else frame[weights].to_dask_array(lengths=True)
            return cls.from_dask(
                X, y, w, fit_intercept=fit_intercept, feature_names=features, name=pattern
            )
        except ValueError as error:
            if any(
                text in str(error)
                for text in ("NaN or infinite", "could not convert", "Mismatched dtypes")
            ):
                _locate_bad_cell(files or [pattern], used, parquet=parquet)
            if "same values as the target y" in str(error):
                raise ValueError(
                    f"the weights column {weights!r} holds the same values as the target "
                    f"{target!r}; name the right columns."
                ) from None
            raise


def _locate_bad_cell(files, columns, *, parquet: bool):
    """ValueError naming the file, column and line of the first empty, non-numeric or infinite
    cell (files read again in chunks by pandas: only after the fast path found one)."""
    import pandas as pd

    for path in files:
        if parquet:
            chunks = [pd.read_parquet(path, columns=columns)]
        else:
            chunks = pd.read_csv(path, usecols=columns, dtype=str, chunksize=100_000)
        offset = 0
        for chunk in chunks:
            for column in columns:
                values = pd.to_numeric(chunk[column], errors="coerce").astype(float)
                bad = (values.isna() | np.isinf(values)).to_numpy()
                if bad.any():
                    row = offset + int(bad.argmax())
                    where = (
                        f"row {row + 1}"
                        if parquet
                        else f"data row {row + 1} (line {row + 2} of the file)"
                    )
                    value = chunk[column].iloc[row - offset]
                    raise ValueError(
                        f"data file {str(path)!r}: column {column!r} has "
                        f"{int(bad.sum())} missing, non-numeric or non-finite value(s), the first "
                        f"in {where}: {'an empty cell' if pd.isna(value) else repr(value)}."
                    )
            offset += len(chunk)
    raise ValueError(f"the data in {files!r} contain a value that is not a finite number.")


#: Row blocks computed at once: bounds memory to ~BATCH blocks whatever the scheduler's order
#: (computing all blocks in one call let it hold 80 of 100 blocks, 1.3 GB, at n = 1e7).
BATCH = 16


def _compute_in_batches(tasks: list) -> list:
    import dask

    results = []
    for start in range(0, len(tasks), BATCH):
        results.extend(dask.compute(*tasks[start : start + BATCH]))
    return results


def _first_moments(X, y, w):
    """Per block: n, sum w, sum w x, sum w y, count of non-finite values, min w, sum log w,
    count of weights that differ from the target."""
    w = np.ones(len(y)) if w is None else w
    bad = int(
        np.count_nonzero(~np.isfinite(X))
        + np.count_nonzero(~np.isfinite(y))
        + np.count_nonzero(~np.isfinite(w))
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        log_w = float(np.sum(np.log(w)))
    return (
        len(y),
        float(w.sum()),
        w @ X,
        float(w @ y),
        bad,
        float(w.min()) if len(w) else np.inf,
        log_w,
        int(np.count_nonzero(w != y)),  # 0 in every block: the weights are the target
    )


def _centred_moments(X, y, w, x_mean, y_mean):
    """Per block: X~^T W X~, X~^T W y~, y~^T W y~ around the global weighted means."""
    w = np.ones(len(y)) if w is None else w
    Xc, yc = X - x_mean, y - y_mean
    weighted = Xc * w[:, None]
    return weighted.T @ Xc, weighted.T @ yc, float(yc @ (w * yc))


def _feature_names(feature_names, n_features: int) -> tuple:
    """``feature_names`` as a tuple of ``n_features`` names (``x0``, ``x1``, ... when None)."""
    names = (
        tuple(f"x{j}" for j in range(n_features)) if feature_names is None else tuple(feature_names)
    )
    if len(names) != n_features:
        raise ValueError(f"feature_names has {len(names)} names but X has {n_features} columns.")
    return names
