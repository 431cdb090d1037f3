"""The types gradfall's annotations use, for code that annotates its own calls into gradfall.

Arrays are NumPy's (``numpy.typing``): ``FloatArray`` holds float32 or float64 values (a
network's dtype), ``IntArray`` int64 class labels. ``Features`` is what ``X`` may be: anything
NumPy turns into an array, or a sparse matrix (``scipy.sparse``, any format; never densified).
``Communicator`` is an ``mpi4py.MPI.Comm`` (``comm=`` of data-parallel training).
"""
from __future__ import annotations

import os
from typing import Any, Protocol, Union

import numpy as np
import numpy.typing as npt

from ._core import CsrMatrix

FloatArray = npt.NDArray[np.floating[Any]]
Float64Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# A path as open() takes it.
PathLike = Union[str, "os.PathLike[str]"]


class SparseMatrix(Protocol):
    """What gradfall reads of a ``scipy.sparse`` matrix or array before converting it to
    compressed sparse rows (scipy is optional, so it is described here, not imported)."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    @property
    def nnz(self) -> int: ...


# An mpi4py communicator (mpi4py is optional, so it is not imported; any object with its
# Get_rank, Get_size and Allreduce).
Communicator = Any

# X: dense (any array-like of real numbers) or sparse.
Features = Union[npt.ArrayLike, SparseMatrix, CsrMatrix]

__all__ = ["FloatArray", "Float64Array", "IntArray", "PathLike", "SparseMatrix", "Features",
           "Communicator"]
