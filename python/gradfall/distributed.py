"""Data-parallel training across processes with MPI (``pip install "gradfall[mpi]"``).

Run your own script under MPI (``mpirun -n K python train.py``, ``srun python train.py``); in
it, every process (rank) holds its own shard of the rows and calls ``fit`` with the same
network, settings and communicator::

    from mpi4py import MPI
    import gradfall as gf

    X_local, y_local = gf.distributed.shard(X, y)   # or each rank loads its own shard
    net = gf.Network([784, 256, 10], output="softmax", loss="cross_entropy")
    gf.distributed.fit(net, X_local, y_local, epochs=5, batch_size=256)  # comm=MPI.COMM_WORLD

What happens:

* rank 0's weights are broadcast, so every rank starts alike;
* every global batch of ``batch_size`` rows is split across the ranks in proportion to their
  shards (batch j takes rows [floor(j B n_k / N), floor((j+1) B n_k / N)) of rank k's shard of
  n_k rows, N the rows of all shards), each rank shuffling its own shard every epoch;
* after its share of the backward pass, each rank adds its gradient (weighted by its rows'
  share of the batch), its loss and a stop vote into one flat buffer, summed across the ranks by
  one in-place ``Allreduce`` per batch; every rank then applies the same update;
* the loss, the history, validation, early stopping, divergence and Ctrl-C are decided from
  those sums, identically on every rank; the network's settings, the fit's settings and the
  data checks are compared across the ranks before training, and a rank whose data or
  callback raises makes every rank raise ``DistributedError`` (checked once per epoch).

The result equals single-process training on the concatenated batches up to the order of the
sums (float64, 5 epochs: at most 7e-16 apart for 2 and 3 ranks in the tests). Dropout masks are
drawn per rank (the same distribution, not the single-process bits).

Last resort: an error inside an epoch on one rank only (out of memory, a crashed rank) leaves
the others waiting in the sum; run the script as ``python -m mpi4py train.py`` so an uncaught
exception calls ``MPI.COMM_WORLD.Abort`` and ends every rank.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, TypeVar

import numpy as np
import numpy.typing as npt

from .typing import Communicator, Float64Array

if TYPE_CHECKING:
    from .history import History
    from .network import Network

Result = TypeVar("Result")


class DistributedError(RuntimeError):
    """A rank failed (bad data, a raising callback) or the ranks disagree on the fit's settings;
    every rank raises it."""


class Local:
    """The collective operations of a single process: sums are the values themselves."""

    distributed = False
    rank = 0
    size = 1

    def total(self, values: npt.ArrayLike) -> Float64Array:
        """``values`` summed over the processes (a new float64 array)."""
        return np.array(values, dtype=np.float64)

    def any(self, flag: object) -> bool:
        return bool(flag)

    def checked(self, what: str, work: Callable[[], Result]) -> Result:
        """``work()`` (every rank runs it; see ``Collective.checked``)."""
        return work()

    def agree(self, what: str, value: object) -> None:
        """Nothing to compare with."""

    def broadcast(self, array: npt.NDArray[Any]) -> None:
        """Rank 0's values are already here."""

    def sum(self, values: npt.NDArray[Any]) -> None:
        """One process's values are already their sum."""


class Collective(Local):
    """One MPI communicator (mpi4py) as gradfall's training uses it."""

    distributed = True

    def __init__(self, comm: Communicator) -> None:
        try:
            from mpi4py import MPI
        except ImportError:  # pragma: no cover - comm= without mpi4py cannot be built
            raise ImportError('comm= needs mpi4py: pip install "gradfall[mpi]"') from None
        if not isinstance(comm, MPI.Comm) or comm == MPI.COMM_NULL:
            raise TypeError(f"comm must be an mpi4py communicator (e.g. MPI.COMM_WORLD), got "
                            f"{type(comm).__name__}")
        self._mpi = MPI
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()

    def sum(self, values: npt.NDArray[Any]) -> None:
        """Sum a NumPy buffer in place across the ranks (the core calls this once per batch on
        its gradient buffer; mpi4py releases the GIL while MPI works)."""
        self.comm.Allreduce(self._mpi.IN_PLACE, values, op=self._mpi.SUM)

    def total(self, values: npt.ArrayLike) -> Float64Array:
        summed = np.array(values, dtype=np.float64)
        self.sum(summed)
        return summed

    def any(self, flag: object) -> bool:
        return bool(self.total([1.0 if flag else 0.0])[0] > 0)

    def broadcast(self, array: npt.NDArray[Any]) -> None:
        """Rank 0's values of a NumPy buffer into every rank's, in place."""
        self.comm.Bcast(array, root=0)

    def checked(self, what: str, work: Callable[[], Result]) -> Result:
        """``work()`` on every rank, then one check across the ranks: if it raised anywhere,
        every rank raises DistributedError naming the ranks and their errors (the failing rank's
        own exception as its cause)."""
        error: Exception | None = None
        try:
            result = work()
        except Exception as exc:  # every rank must reach the check below, whatever failed
            error = exc
        messages = self.comm.allgather(None if error is None else
                                       f"{type(error).__name__}: {error}")
        failed = [f"rank {rank}: {message}" for rank, message in enumerate(messages) if message]
        if failed:
            raise DistributedError(f"{what} failed on {len(failed)} of {self.size} ranks; "
                                   + "; ".join(failed)) from error
        return result

    def agree(self, what: str, value: object) -> None:
        """DistributedError on every rank unless every rank passed an equal ``value`` (compared
        by its repr): ranks that disagree on a fit's shape would wait for each other forever."""
        values = self.comm.allgather(repr(value))
        if any(v != values[0] for v in values):
            differing = [f"rank {rank}: {v}" for rank, v in enumerate(values) if v != values[0]]
            raise DistributedError(f"the ranks disagree on {what}: rank 0: {values[0]}; "
                                   + "; ".join(differing))


LOCAL = Local()


def collective_of(comm: Communicator | Local) -> Local:
    """The collective operations over ``comm`` (an mpi4py communicator), or of one process for
    None."""
    if comm is None:
        return LOCAL
    if isinstance(comm, Local):
        return comm
    return Collective(comm)


def _world() -> Communicator:
    try:
        from mpi4py import MPI
    except ImportError:
        raise ImportError('gradfall.distributed needs mpi4py: pip install "gradfall[mpi]"') \
            from None
    return MPI.COMM_WORLD


def shard(*arrays: Any, comm: Communicator = None) -> Any:
    """This rank's even share of the rows of arrays every rank can read (e.g. ``np.load(path,
    mmap_mode="r")``: only the shard's pages are ever read): rows [n r / K, n (r+1) / K) of
    each, as views where the array type allows. ``comm`` defaults to ``MPI.COMM_WORLD``.
    Returns one array for one argument, else a tuple."""
    if not arrays:
        raise TypeError("shard needs at least one array")
    comm = _world() if comm is None else comm
    rank, size = comm.Get_rank(), comm.Get_size()
    lengths = {int(np.shape(a)[0]) if hasattr(a, "shape") else len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"the arrays to shard have different numbers of rows: {sorted(lengths)}")
    n = lengths.pop()
    start, stop = n * rank // size, n * (rank + 1) // size
    parts = tuple(a[start:stop] for a in arrays)
    return parts[0] if len(parts) == 1 else parts


def fit(net: Network, X: Any, y: npt.ArrayLike, *, comm: Communicator = None,
        **options: Any) -> History:
    """``net.fit(X, y, comm=comm, **options)`` on this rank's shard (X, y); ``comm`` defaults to
    ``MPI.COMM_WORLD``. Every rank must call it with the same settings. Returns the history
    (the same on every rank)."""
    return net.fit(X, y, comm=_world() if comm is None else comm, **options)
