"""One thread count for everyone: gradfall's OpenMP, numpy's BLAS (threadpoolctl), torch."""
from __future__ import annotations

import sys

import gradfall as gf

from . import optional

_blas_limits = []   # keeps threadpoolctl's limiter alive while it applies


def blas_threads_controlled() -> bool:
    return optional.load("threadpoolctl") is not None


def set_all(n: int) -> None:
    """Threads for gradfall, for the BLAS numpy and scikit-learn call, and for torch if loaded."""
    gf.set_num_threads(n)
    threadpoolctl = optional.load("threadpoolctl")
    if threadpoolctl is not None:
        _blas_limits[:] = [threadpoolctl.threadpool_limits(limits=n, user_api="blas")]
    torch = sys.modules.get("torch")   # only when already in use: importing it costs seconds
    if torch is not None:
        torch.set_num_threads(n)


def note() -> str:
    if blas_threads_controlled():
        return ""
    return ("numpy's BLAS threads are not controlled (threadpoolctl is not installed: "
            'pip install ".[bench]"); it uses its own default.')
