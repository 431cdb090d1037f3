"""``gf.matmul``: the GEMM the layers use, for users and the benchmark harness."""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

from . import _core
from ._validation import FLOAT_DTYPES
from .typing import FloatArray


def matmul(A: npt.ArrayLike, B: npt.ArrayLike, trans_a: bool = False,
           trans_b: bool = False) -> FloatArray:
    """op(A) @ op(B) with op = transpose when asked, read in place (no transposed copy).

    A and B must share a float dtype (float32 or float64); the result has that dtype."""
    A_array, B_array = np.asarray(A), np.asarray(B)
    for name, M in (("A", A_array), ("B", B_array)):
        if M.dtype not in FLOAT_DTYPES:
            raise TypeError(f"matmul: {name} must be float32 or float64, got {M.dtype}")
        if M.ndim != 2:
            raise ValueError(f"matmul: {name} must be 2-D, got {M.ndim}-D")
    if A_array.dtype != B_array.dtype:
        raise TypeError(f"matmul: A and B must have the same dtype, got {A_array.dtype} and "
                        f"{B_array.dtype}")
    return _core.matmul(np.ascontiguousarray(A_array), np.ascontiguousarray(B_array),
                        bool(trans_a), bool(trans_b))
