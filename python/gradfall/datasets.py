"""Small generated problems: the default training job, examples and tests use them."""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .typing import FloatArray, IntArray


def make_spirals(n_samples: int = 1000, n_classes: int = 2, noise: float = 0.2,
                 turns: float = 1.5, seed: int = 0,
                 dtype: npt.DTypeLike = "float32") -> tuple[FloatArray, IntArray]:
    """Interleaved spiral arms in 2-D, one arm per class; returns (X, y) with labels 0..k-1."""
    if n_samples < n_classes or n_classes < 2:
        raise ValueError("need n_classes >= 2 and at least one sample per class")
    rng = np.random.default_rng(seed)
    labels = np.arange(n_samples) % n_classes
    radius = rng.uniform(0.05, 1.0, n_samples)
    angle = radius * turns * 2 * np.pi + labels * 2 * np.pi / n_classes
    angle = angle + rng.normal(0.0, noise, n_samples) * radius
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    order = rng.permutation(n_samples)
    return X[order].astype(dtype), labels[order].astype(np.int64)


def make_xor(dtype: npt.DTypeLike = "float32") -> tuple[FloatArray, FloatArray]:
    """The four XOR points and their 0/1 targets as a column."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
    y = np.array([[0], [1], [1], [0]], dtype=dtype)
    return X, y
