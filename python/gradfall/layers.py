"""Layer specifications: a dense layer computes z = a @ W + b, then a' = activation(z)."""
from __future__ import annotations

from dataclasses import dataclass

from . import _core
from ._validation import check_fraction, check_int, check_non_negative
from .initializers import Init, check_init

# The core's activations; softmax (it normalises a whole row) and exp (the poisson loss's
# link) are for output layers only.
OUTPUT_ONLY = ("softmax", "exp")
HIDDEN_ACTIVATIONS = tuple(name for name in _core.Activation.__members__
                           if name not in OUTPUT_ONLY)
# Accepted spellings that mean the same function.
ACTIVATION_ALIASES = {"logistic": "sigmoid", "linear": "identity"}


def canonical_activation(name: object, *, output: bool = False) -> str:
    if not isinstance(name, str):
        raise TypeError(f"activation must be a string, got {type(name).__name__}")
    canonical = ACTIVATION_ALIASES.get(name, name)
    allowed = HIDDEN_ACTIVATIONS + (OUTPUT_ONLY if output else ())
    if canonical not in allowed:
        where = "output" if output else "hidden"
        raise ValueError(f"unknown {where} activation {canonical!r}; expected one of "
                         f"{', '.join(allowed)}")
    return canonical


def check_dropout(rate: object) -> float:
    """A drop probability in [0, 1)."""
    return check_fraction("dropout", rate)


def check_slope(slope: object) -> float:
    """leaky_relu's slope for negative inputs: finite and >= 0."""
    return check_non_negative("leaky_slope", slope)


@dataclass(frozen=True)
class Dense:
    """A fully connected layer: ``z = a @ W + b`` with ``W`` of shape (n_in, n_out), then
    ``a = activation(z)``; while training, with ``dropout`` p > 0, each output is kept with
    probability 1 - p and scaled by 1/(1 - p) (inverted dropout), and dropped otherwise."""

    n_in: int
    n_out: int
    activation: str = "relu"
    leaky_slope: float = 0.01
    init: Init | None = None  # a rule of gradfall.initializers or a callable; None: the network's
    dropout: float = 0.0  # drop probability of the layer's outputs while training

    def __post_init__(self) -> None:
        for field in ("n_in", "n_out"):
            object.__setattr__(self, field, check_int(f"Dense.{field}", getattr(self, field), 1))
        object.__setattr__(self, "activation", canonical_activation(self.activation, output=True))
        object.__setattr__(self, "leaky_slope", check_slope(self.leaky_slope))
        object.__setattr__(self, "dropout", check_dropout(self.dropout))
        if self.init is not None:
            object.__setattr__(self, "init", check_init(self.init))

    @property
    def n_params(self) -> int:
        return self.n_in * self.n_out + self.n_out
