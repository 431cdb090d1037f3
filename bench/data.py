"""Seeded random classification data: standard-normal float32 features, each label the argmax of
a few features (learnable, so the loss falls; no BLAS call, so no BLAS buffers are allocated)."""
from __future__ import annotations

import numpy as np


def make(workload, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((workload.n, workload.d), dtype=np.float32)
    y = np.argmax(X[:, np.arange(workload.classes) % workload.d], axis=1).astype(np.int64)
    return X, y
