"""Run-time configuration: threads and the instruction set the kernels use."""
from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import numpy as np

from . import _core
from ._validation import check_int
from ._version import __version__


def set_num_threads(n: int | None) -> None:
    """Number of OpenMP threads the core uses, 1 to 4 per CPU (results do not depend on it).
    ``None`` removes the setting: the core then follows the OpenMP runtime at every call
    (OMP_NUM_THREADS, threadpoolctl's limits, omp_set_num_threads), capped the same way.

    In a process forked after gradfall used threads the core stays single-threaded: OpenMP's
    worker threads do not survive fork (use the "spawn" or "forkserver" start method for
    workers that should use threads)."""
    _core.set_thread_override(0 if n is None else _checked_count(n))


def _checked_count(n: object) -> int:
    count = check_int("n_threads", n, 1, _core.max_threads())
    if count > 1 and _core.threads_lost_to_fork():
        warnings.warn("this process was forked after gradfall used threads, and OpenMP's "
                      "threads do not survive fork: gradfall stays single-threaded here; use "
                      "the 'spawn' or 'forkserver' start method for multi-threaded workers",
                      RuntimeWarning, stacklevel=3)
    return count


def get_num_threads() -> int:
    """Threads the next call of the core will use."""
    return int(_core.get_num_threads())


@contextmanager
def threads(n: int | None) -> Iterator[None]:
    """``with gf.threads(n):`` the core uses ``n`` threads inside the block and afterwards
    whatever it used before, a set number or the runtime's (``n=None``: no change)."""
    if n is None:
        yield
        return
    previous = _core.thread_override()
    _core.set_thread_override(_checked_count(n))
    try:
        yield
    finally:
        _core.set_thread_override(previous)


def available_isas() -> list[str]:
    """Kernel sets this build has and this CPU supports, slowest first."""
    return list(_core.available_isas())


def get_isa() -> str:
    return str(_core.active_isa())


def set_isa(name: str) -> None:
    """Force a kernel set: "scalar", "avx2" or "avx512" (ValueError if the CPU lacks it).
    The environment variable GRADFALL_ISA does the same at import time."""
    if not isinstance(name, str):
        raise TypeError(f"ISA name must be a string, got {type(name).__name__}")
    _core.set_isa(name)


def config() -> dict[str, Any]:
    """The version, the ISA in use and the thread counts, as plain values."""
    return {
        "gradfall": __version__,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "isa": get_isa(),
        "available_isas": available_isas(),
        "forced_by_GRADFALL_ISA": os.environ.get("GRADFALL_ISA") or None,
        "num_threads": get_num_threads(),
        "max_threads": int(_core.max_threads()),
        "cpu_count": os.cpu_count(),
    }


def show_config(file: TextIO | None = None) -> None:
    """Print the version, the active ISA and the thread count."""
    for key, value in config().items():
        if isinstance(value, list):
            value = ", ".join(value)
        print(f"{key:>22}: {value}", file=file or sys.stdout)
