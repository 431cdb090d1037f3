"""Initial weights of a dense layer, drawn from a seeded generator.

glorot_he_uniform: W ~ U(-bound, bound) with bound = sqrt(6 / fan_in) for (leaky) ReLU layers
(He et al.) and sqrt(6 / (fan_in + fan_out)) for the others (Glorot & Bengio); b = 0.
"""
from __future__ import annotations

import math

import numpy as np


def glorot_he_uniform(rng: np.random.Generator, activation: str, fan_in: int, fan_out: int):
    """(W of shape (fan_in, fan_out), b of shape (fan_out,)) as float64."""
    if activation in ("relu", "leaky_relu"):
        bound = math.sqrt(6.0 / fan_in)
    else:
        bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out)), np.zeros(fan_out)
