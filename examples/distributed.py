"""Data-parallel training under MPI: every rank trains on its own shard, gradients are summed
across the ranks once per batch, and every rank ends with the same network.

    pip install "gradfall[mpi]"
    mpirun -n 2 python examples/distributed.py        # or: srun python examples/distributed.py

Each rank prints its final loss: the same number on every rank.
"""
import sys

import numpy as np
from mpi4py import MPI

import gradfall as gf

comm = MPI.COMM_WORLD

# Data every rank can read (here made alike from one seed; a memory-mapped .npy works too:
# np.load("X.npy", mmap_mode="r")), of which each rank takes its even share of the rows.
rng = np.random.default_rng(0)
X = rng.normal(size=(20_000, 32)).astype(np.float32)
y = (X[:, :8].sum(axis=1) > 0).astype(np.int64) + 2 * (X[:, 8:16].sum(axis=1) > 0)
X_local, y_local = gf.distributed.shard(X, y, comm=comm)

net = gf.Network([32, 64, 64, 4], activation="relu", output="softmax", loss="cross_entropy")
history = gf.distributed.fit(net, X_local, y_local, epochs=5, batch_size=256,
                             optimizer=gf.Adam(lr=1e-3), comm=comm)
# One write per line: the launcher interleaves the ranks' writes, and print() writes the newline
# on its own when Python's output is unbuffered.
sys.stdout.write(f"rank {comm.rank} of {comm.size}: {X_local.shape[0]} rows, "
                 f"final loss {history.loss[-1]:.10f}\n")
sys.stdout.flush()
