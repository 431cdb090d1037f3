"""Input checks shared by the Network API, the optimizers, the landscapes and the estimators.

Everything the C++ core receives passes through here first: the core then only sees
C-contiguous arrays of the network's dtype with checked shapes and finite values, and scalars
in range. Every check names the parameter it refuses.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core, _sparse
from .typing import Features, FloatArray, IntArray

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def as_float_dtype(dtype: npt.DTypeLike) -> np.dtype[Any]:
    if dtype is None:  # np.dtype(None) would silently mean float64
        raise TypeError("dtype must be 'float32' or 'float64', got None")
    try:
        checked = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be 'float32' or 'float64', got {dtype!r}") from None
    if checked not in FLOAT_DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {checked.name!r}")
    return checked


def _as_numeric_array(value: Any, name: str) -> npt.NDArray[Any]:
    if value is None:
        raise ValueError(f"{name} is None")
    if hasattr(value, "toarray") and hasattr(value, "nnz"):
        raise TypeError(f"{name} is a sparse matrix; only X may be sparse, {name} must be a "
                        f"dense array (call .toarray())")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} could not be converted to a numeric array: {exc}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


def _check_finite(array: npt.NDArray[Any], name: str) -> None:
    if array.dtype.kind != "f":
        return  # integers are always finite
    finite = (_core.all_finite(array) if array.dtype in FLOAT_DTYPES and array.flags.c_contiguous
              else bool(np.isfinite(array).all()))
    if not finite:
        bad = int(np.count_nonzero(~np.isfinite(array)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s)")


def cast_checked(array: Any, dtype: npt.DTypeLike, name: str = "X") -> Any:
    """A float array, finite, as a C-contiguous array of ``dtype`` (a sparse matrix stays sparse,
    its stored values checked and cast). Finiteness is checked before the cast, and finite values
    the cast would turn into infinity are refused on their own."""
    if _sparse.is_sparse(array):
        values = cast_checked(np.asarray(array.data), dtype, name)
        return array if values.dtype == array.dtype else array.astype(values.dtype)
    array = np.ascontiguousarray(array)
    _check_finite(array, name)
    dtype = np.dtype(dtype)
    if array.dtype.kind == "f" and array.dtype.itemsize > dtype.itemsize and array.size:
        limit = float(np.finfo(dtype).max)
        largest = float(np.max(np.abs(array)))
        if largest > limit:
            raise ValueError(f"{name} holds finite values too large for {dtype.name} (largest "
                             f"|value| {largest:.4g} > {limit:.4g}); scale the data or compute "
                             f"in float64")
    return np.ascontiguousarray(array, dtype=dtype)


def check_features(X: Features, n_features: int, dtype: npt.DTypeLike,
                   name: str = "X") -> FloatArray | _core.CsrMatrix:
    """X as the core takes it: a finite, C-contiguous (n, n_features) array of ``dtype``, or for a
    sparse X (scipy.sparse, any format, or a ``_core.CsrMatrix``) a CsrMatrix of ``dtype`` that
    is never densified (see ``gradfall._sparse``). Input already in that form is passed through
    without a copy."""
    sparse = _sparse.is_sparse(X)
    array: Any = X if sparse else _as_numeric_array(X, name)
    shape = tuple(array.shape)
    if len(shape) != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got {len(shape)}-D "
                         f"with shape {shape}")
    if shape[0] == 0:
        raise ValueError(f"{name} is empty: it has 0 samples")
    if shape[1] != n_features:
        raise ValueError(f"{name} has {shape[1]} features, but the network expects "
                         f"{n_features}")
    if sparse:
        csr = _sparse.as_csr(array, dtype, name)
        _check_finite(csr.data, name)
        return csr
    dense: FloatArray = np.ascontiguousarray(array, dtype=dtype)
    _check_finite(dense, name)
    return dense


def check_labels(y: npt.ArrayLike, n_samples: int, n_classes: int, name: str = "y") -> IntArray:
    """Integer class labels 0..n_classes-1 as an int64 vector."""
    array = _as_numeric_array(y, name)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D vector of class labels, got shape {array.shape}")
    if array.shape[0] != n_samples:
        raise ValueError(f"X has {n_samples} samples but {name} has {array.shape[0]}")
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        if not np.array_equal(array, np.round(array)):
            raise ValueError(f"{name} holds non-integer class labels; cross_entropy expects "
                             f"labels 0..{n_classes - 1} or one-hot rows")
    # Range-checked before the int64 cast, which would wrap huge uint64/float labels.
    bad = (array < 0) | (array >= n_classes)
    if bad.any():
        first = int(array[np.argmax(bad)])
        raise ValueError(f"{name} holds label {first}, outside 0..{n_classes - 1} for a network "
                         f"with {n_classes} outputs")
    return np.ascontiguousarray(array, dtype=np.int64)


def check_dense_targets(y: npt.ArrayLike, n_samples: int, n_outputs: int, dtype: npt.DTypeLike,
                        name: str = "y", *, unit_interval: bool = False) -> FloatArray:
    """Real-valued targets as a C-contiguous (n, n_outputs) array; a vector is taken as one
    column when the network has one output."""
    array = _as_numeric_array(y, name)
    if array.ndim == 1 and n_outputs == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != n_outputs:
        raise ValueError(f"{name} must have shape (n_samples, {n_outputs})"
                         f"{' or (n_samples,)' if n_outputs == 1 else ''}, got {array.shape}")
    if array.shape[0] != n_samples:
        raise ValueError(f"X has {n_samples} samples but {name} has {array.shape[0]}")
    array = np.ascontiguousarray(array, dtype=dtype)
    _check_finite(array, name)
    if unit_interval and ((array < 0) | (array > 1)).any():
        raise ValueError(f"{name} must hold targets in [0, 1] for binary_cross_entropy")
    return array


def check_sample_weight(sample_weight: npt.ArrayLike | None, n_samples: int,
                        dtype: npt.DTypeLike) -> FloatArray | None:
    if sample_weight is None:
        return None
    array = _as_numeric_array(sample_weight, "sample_weight")
    if array.ndim == 0:
        array = np.full(n_samples, float(array))
    if array.ndim != 1 or array.shape[0] != n_samples:
        raise ValueError(f"sample_weight must have shape ({n_samples},), got {array.shape}")
    array = np.ascontiguousarray(array, dtype=dtype)
    _check_finite(array, "sample_weight")
    if (array < 0).any():
        raise ValueError("sample_weight must be non-negative")
    return array


# ---------------------------------------------------------------- scalars
INT64_MAX = 2 ** 63 - 1  # what the core's sizes and counts hold


def check_int(name: str, value: object, minimum: int, maximum: int | None = INT64_MAX) -> int:
    """An integer (not a bool) in [minimum, maximum] (by default what an int64 holds)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    number = int(value)
    if number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {number}")
    return number


def _real(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None


def check_number(name: str, value: object) -> float:
    """A finite real number (not a bool) as a float."""
    value = _real(name, value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_positive(name: str, value: object) -> float:
    value = _real(name, value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value}")
    return value


def check_non_negative(name: str, value: object) -> float:
    value = _real(name, value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return value


def check_fraction(name: str, value: object) -> float:
    """A number in [0, 1)."""
    value = check_number(name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """One of ``choices`` (strings), compared exactly."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value
