"""Seeded bag-of-words data: word counts as a float32 CSR matrix (scipy.sparse) whose column
frequencies fall off like 1/rank, each label the class whose random word weights score the
document highest (learnable, so the loss falls)."""
from __future__ import annotations

import numpy as np


def make(workload, seed: int = 0):
    import scipy.sparse as sp
    rng = np.random.default_rng(seed)
    per_row = max(1, round(workload.d * workload.density))
    frequency = 1.0 / np.arange(1, workload.d + 1)
    words = rng.choice(workload.d, size=workload.n * per_row, p=frequency / frequency.sum())
    rows = np.repeat(np.arange(workload.n), per_row)
    # Repeated words in a document add up to counts, as in a term-count matrix.
    X = sp.csr_array((np.ones(words.size, np.float32), (rows, words)),
                     shape=(workload.n, workload.d))
    X.sum_duplicates()
    scores = X @ rng.standard_normal((workload.d, workload.classes)).astype(np.float32)
    return X, np.argmax(scores, axis=1).astype(np.int64)


def nbytes(X) -> int:
    """Memory of a CSR matrix's three arrays."""
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
