"""Initial weights of a dense layer, drawn from the network's seeded generator.

Each rule returns ``(W, b)`` for a layer with ``fan_in`` inputs and ``fan_out`` units:

=================  ===========================================================================
``"pytorch"``      W, b ~ U(-k, k), k = 1/sqrt(fan_in): ``torch.nn.Linear``'s default. Random
                   biases spread the units' boundaries over the input space.
``"glorot_uniform"`` W ~ U(-k, k), k = sqrt(6/(fan_in + fan_out)) (Glorot & Bengio 2010); b = 0
``"he_uniform"``   W ~ U(-k, k), k = sqrt(6/fan_in) (He et al. 2015); b = 0
``"lecun_normal"`` W ~ N(0, 1/fan_in) (LeCun et al. 1998); b = 0
``"glorot_he"``    he_uniform for relu/leaky_relu layers, glorot_uniform for the others; b = 0
``"sklearn"``      W, b ~ U(-k, k), k = sqrt(f/(fan_in + fan_out)), f = 2 in every layer of a
                   network whose first layer is sigmoid, 6 otherwise: scikit-learn's MLP rule
                   (its factor follows the hidden activation), biases included
=================  ===========================================================================

A callable ``init(rng, fan_in, fan_out) -> (W, b)`` is a rule too: ``rng`` is the network's
``numpy.random.Generator``, W must have shape (fan_in, fan_out) and b shape (fan_out,).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Union

import numpy as np
import numpy.typing as npt

from .typing import Float64Array

DEFAULT = "pytorch"

# A user's rule: init(rng, fan_in, fan_out) -> (W, b).
InitRule = Callable[[np.random.Generator, int, int], tuple[npt.ArrayLike, npt.ArrayLike]]
# A rule name (a key of RULES) or a user's rule.
Init = Union[str, InitRule]
# A built-in rule: rule(rng, activation, fan_in, fan_out, first) -> (W, b).
BuiltinRule = Callable[[np.random.Generator, str, int, int, Union[str, None]],
                       tuple[Float64Array, Float64Array]]


def _uniform(rng: np.random.Generator, bound: float, fan_in: int, fan_out: int,
             with_bias: bool) -> tuple[Float64Array, Float64Array]:
    W = rng.uniform(-bound, bound, size=(fan_in, fan_out))
    b = rng.uniform(-bound, bound, size=fan_out) if with_bias else np.zeros(fan_out)
    return W, b


def pytorch(rng: np.random.Generator, activation: str, fan_in: int, fan_out: int,
            first: str | None = None) -> tuple[Float64Array, Float64Array]:
    return _uniform(rng, 1.0 / math.sqrt(fan_in), fan_in, fan_out, True)


def glorot_uniform(rng: np.random.Generator, activation: str, fan_in: int, fan_out: int,
                   first: str | None = None) -> tuple[Float64Array, Float64Array]:
    return _uniform(rng, math.sqrt(6.0 / (fan_in + fan_out)), fan_in, fan_out, False)


def he_uniform(rng: np.random.Generator, activation: str, fan_in: int, fan_out: int,
               first: str | None = None) -> tuple[Float64Array, Float64Array]:
    return _uniform(rng, math.sqrt(6.0 / fan_in), fan_in, fan_out, False)


def lecun_normal(rng: np.random.Generator, activation: str, fan_in: int, fan_out: int,
                 first: str | None = None) -> tuple[Float64Array, Float64Array]:
    return rng.normal(0.0, 1.0 / math.sqrt(fan_in), size=(fan_in, fan_out)), np.zeros(fan_out)


def glorot_he(rng: np.random.Generator, activation: str, fan_in: int, fan_out: int,
              first: str | None = None) -> tuple[Float64Array, Float64Array]:
    rule = he_uniform if activation in ("relu", "leaky_relu") else glorot_uniform
    return rule(rng, activation, fan_in, fan_out)


def sklearn(rng: np.random.Generator, activation: str, fan_in: int, fan_out: int,
            first: str | None = None) -> tuple[Float64Array, Float64Array]:
    factor = 2.0 if (first or activation) == "sigmoid" else 6.0
    return _uniform(rng, math.sqrt(factor / (fan_in + fan_out)), fan_in, fan_out, True)


RULES: dict[str, BuiltinRule] = {
    "pytorch": pytorch, "glorot_uniform": glorot_uniform, "he_uniform": he_uniform,
    "lecun_normal": lecun_normal, "glorot_he": glorot_he, "sklearn": sklearn}


def check_init(init: object) -> Init:
    """A rule name or a callable, as given; anything else is refused."""
    if callable(init):
        return init
    if not isinstance(init, str):
        raise TypeError(f"init must be a rule name or a callable, got {type(init).__name__}")
    if init not in RULES:
        raise ValueError(f"unknown init {init!r}; expected one of {', '.join(RULES)} or a "
                         f"callable init(rng, fan_in, fan_out) -> (W, b)")
    return init


def initial_weights(init: Init, rng: np.random.Generator, activation: str, fan_in: int,
                    fan_out: int, first: str | None = None) -> tuple[Float64Array, Float64Array]:
    """(W, b) of one layer (``activation`` its own, ``first`` the network's first layer's) by
    rule ``init``, checked for shape and finiteness."""
    if callable(init):
        W, b = init(rng, fan_in, fan_out)
    else:
        W, b = RULES[init](rng, activation, fan_in, fan_out, first)
    W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if W.shape != (fan_in, fan_out) or b.shape != (fan_out,):
        raise ValueError(f"init returned W of shape {W.shape} and b of shape {b.shape}; "
                         f"expected ({fan_in}, {fan_out}) and ({fan_out},)")
    if not (np.isfinite(W).all() and np.isfinite(b).all()):
        raise ValueError("init returned NaN or infinite weights")
    return W, b
