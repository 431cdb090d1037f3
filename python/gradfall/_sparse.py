"""Sparse X as the core reads it: a ``_core.CsrMatrix`` (compressed sparse rows, int64 row
offsets, int32 column indices, values in the network's dtype), never a dense copy.

scipy.sparse matrices and arrays of any format are taken; CSR is used as it is when its arrays
already have those dtypes, other formats are converted to CSR once. Unsorted column indices and
duplicate entries are kept as they are: a row's products sum its stored entries in their stored
order, so duplicates add up as ``toarray()`` adds them. scipy is never imported here: when it is
not loaded, X cannot be one of its matrices.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core

INDEX_LIMIT = 2 ** 31  # column indices are int32 in the core


def is_sparse(X: object) -> bool:
    """True for a scipy.sparse matrix or array, or a CsrMatrix already built."""
    if isinstance(X, _core.CsrMatrix):
        return True
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(X))


def as_csr(X: Any, dtype: npt.DTypeLike, name: str = "X") -> _core.CsrMatrix:
    """``X`` (a 2-D sparse matrix, shape already checked) as a CsrMatrix of ``dtype``; the core
    checks its structure (offsets, column indices in range) when it is built."""
    if isinstance(X, _core.CsrMatrix):
        if X.dtype == dtype:
            return X
        return _core.CsrMatrix(X.indptr, X.indices, X.data.astype(dtype), X.shape[1], name)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {X.dtype}")
    if X.shape[1] >= INDEX_LIMIT:
        raise ValueError(f"{name} has {X.shape[1]} features; sparse input is limited to "
                         f"{INDEX_LIMIT - 1}")
    if X.format != "csr":
        X = X.tocsr()
    return _core.CsrMatrix(np.ascontiguousarray(X.indptr, dtype=np.int64),
                           _column_indices(X.indices, X.shape[1], name),
                           np.ascontiguousarray(X.data, dtype=dtype), X.shape[1], name)


def _column_indices(indices: npt.NDArray[np.integer[Any]], n_cols: int,
                    name: str) -> npt.NDArray[np.int32]:
    """The indices as int32, range-checked first when a cast could wrap them into range."""
    if indices.dtype != np.int32 and indices.size:
        low, high = int(indices.min()), int(indices.max())
        if low < 0 or high >= n_cols:
            bad = low if low < 0 else high
            raise ValueError(f"{name} (sparse): column index {bad} is outside 0..{n_cols - 1}")
    return np.ascontiguousarray(indices, dtype=np.int32)
