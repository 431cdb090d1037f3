"""Layer specifications: a dense layer computes z = a @ W + b, then a' = activation(z)."""
from __future__ import annotations

import math
from dataclasses import dataclass

HIDDEN_ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu")
# Accepted spellings that mean the same function.
ACTIVATION_ALIASES = {"logistic": "sigmoid", "linear": "identity"}


def canonical_activation(name, *, output: bool = False) -> str:
    if not isinstance(name, str):
        raise TypeError(f"activation must be a string, got {type(name).__name__}")
    name = ACTIVATION_ALIASES.get(name, name)
    allowed = HIDDEN_ACTIVATIONS + (("softmax",) if output else ())
    if name not in allowed:
        where = "output" if output else "hidden"
        raise ValueError(f"unknown {where} activation {name!r}; expected one of {', '.join(allowed)}")
    return name


def check_slope(slope) -> float:
    try:
        slope = float(slope)
    except (TypeError, ValueError):
        raise TypeError(f"leaky_slope must be a number, got {slope!r}") from None
    if not math.isfinite(slope) or slope < 0:
        raise ValueError(f"leaky_slope must be finite and >= 0, got {slope}")
    return slope


@dataclass(frozen=True)
class Dense:
    """A fully connected layer: ``z = a @ W + b`` with ``W`` of shape (n_in, n_out), then
    ``a = activation(z)``."""

    n_in: int
    n_out: int
    activation: str = "relu"
    leaky_slope: float = 0.01

    def __post_init__(self):
        for field in ("n_in", "n_out"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Dense.{field} must be a positive integer, got {value!r}")
        object.__setattr__(self, "activation", canonical_activation(self.activation, output=True))
        object.__setattr__(self, "leaky_slope", check_slope(self.leaky_slope))

    @property
    def n_params(self) -> int:
        return self.n_in * self.n_out + self.n_out
