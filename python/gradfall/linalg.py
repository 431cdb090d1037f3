"""``gf.matmul``: the GEMM the layers use, for users and the benchmark harness."""
from __future__ import annotations

import numpy as np

from . import _core
from ._validation import FLOAT_DTYPES


def matmul(A, B, trans_a=False, trans_b=False):
    """op(A) @ op(B) with op = transpose when asked, read in place (no transposed copy).

    A and B must share a float dtype (float32 or float64); the result has that dtype."""
    A, B = np.asarray(A), np.asarray(B)
    for name, M in (("A", A), ("B", B)):
        if M.dtype not in FLOAT_DTYPES:
            raise TypeError(f"matmul: {name} must be float32 or float64, got {M.dtype}")
        if M.ndim != 2:
            raise ValueError(f"matmul: {name} must be 2-D, got {M.ndim}-D")
    if A.dtype != B.dtype:
        raise TypeError(f"matmul: A and B must have the same dtype, got {A.dtype} and {B.dtype}")
    A, B = np.ascontiguousarray(A), np.ascontiguousarray(B)
    return _core.matmul(A, B, bool(trans_a), bool(trans_b))
