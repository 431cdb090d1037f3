"""Data-parallel training figures for the README's "Beyond one machine" section.

    python -m bench.distributed single            1 process, 2 threads: time per batch
    mpiexec -n 2 python -m bench.distributed ranks   2 ranks x 1 thread (OMP_NUM_THREADS=1):
                                                  time per batch, the Allreduce of the gradient
                                                  buffer alone, and whether a non-blocking one
                                                  overlaps with a backward pass

Workloads: the medium and large ones of bench/plans.py (float32, 10 classes). Each figure is
the median over repeated epochs (or calls); rank 0 prints.
"""
import statistics
import sys
import time

import numpy as np

import gradfall as gf
from bench.plans import WORKLOADS

NAMES = ("medium", "large")
REPEATS = 5


def workload(name):
    spec = next(w for w in WORKLOADS if w.name == name)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(spec.n, spec.d)).astype(np.float32)
    y = rng.integers(0, spec.classes, size=spec.n)
    net = gf.Network([spec.d, *spec.hidden, spec.classes], output="softmax",
                     loss="cross_entropy")
    return spec, X, y, net


def median_seconds(work, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_batch_ms(spec, X, y, net, comm=None):
    n_batches = -(-spec.n // spec.batch)
    optimizer = gf.Adam(lr=1e-3)
    epoch = median_seconds(lambda: net.fit(X, y, epochs=1, batch_size=spec.batch,
                                           optimizer=optimizer, comm=comm))
    return 1e3 * epoch / n_batches


def single():
    for name in NAMES:
        spec, X, y, net = workload(name)
        with gf.threads(2):
            print(f"{name}: 1 process x 2 threads: {per_batch_ms(spec, X, y, net):.2f} ms/batch")


def ranks():
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    for name in NAMES:
        spec, X, y, net = workload(name)
        X_local, y_local = gf.distributed.shard(X, y, comm=comm)
        batch_ms = per_batch_ms(spec, X_local, y_local, net, comm)
        buffer = np.ones(net.n_params + 2, dtype=np.float32)
        comm.Barrier()
        allreduce_ms = 1e3 * median_seconds(
            lambda: comm.Allreduce(MPI.IN_PLACE, buffer, op=MPI.SUM), repeats=50)
        # Overlap: a non-blocking Allreduce of the whole buffer started before a local
        # forward+backward of this rank's share of a batch, waited for after it; against the
        # two one after the other.
        rows = slice(0, spec.batch // comm.size)
        compute = lambda: net.loss_and_gradient(X_local[rows], y_local[rows])  # noqa: E731
        compute_ms = 1e3 * median_seconds(compute, repeats=20)

        def overlapped():
            request = comm.Iallreduce(MPI.IN_PLACE, buffer, op=MPI.SUM)
            compute()
            request.Wait()

        comm.Barrier()
        overlapped_ms = 1e3 * median_seconds(overlapped, repeats=20)
        comm.Barrier()
        sequential_ms = 1e3 * median_seconds(
            lambda: (comm.Allreduce(MPI.IN_PLACE, buffer, op=MPI.SUM), compute()), repeats=20)
        if comm.rank == 0:
            print(f"{name}: {comm.size} ranks x {gf.get_num_threads()} thread: "
                  f"{batch_ms:.2f} ms/batch; Allreduce of {buffer.nbytes / 2**20:.2f} MiB "
                  f"{allreduce_ms:.3f} ms; local forward+backward {compute_ms:.2f} ms; "
                  f"sequential {sequential_ms:.2f} ms, overlapped {overlapped_ms:.2f} ms")


if __name__ == "__main__":
    {"single": single, "ranks": ranks}[sys.argv[1]]()
