"""Small generated problems: the default training job, examples and tests use them."""
from __future__ import annotations

import numpy as np


def make_spirals(n_samples=1000, n_classes=2, noise=0.2, turns=1.5, seed=0, dtype="float32"):
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


def make_xor(dtype="float32"):
    """The four XOR points and their 0/1 targets as a column."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
    y = np.array([[0], [1], [1], [0]], dtype=dtype)
    return X, y
