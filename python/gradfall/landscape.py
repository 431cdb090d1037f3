"""Loss landscapes after Li et al. 2017, "Visualizing the Loss Landscape of Neural Nets".

A landscape is the cost along a line or over a plane through the network's parameters θ*::

    line:     f(α)    = L(θ* + α δ)
    surface:  f(α, β) = L(θ* + α δ + β η)

Random directions are *filter-normalised*: drawn from N(0, 1), then for every neuron j of every
layer l the direction's incoming weights ``d[:, j]`` are rescaled to the norm of the network's own
``W_l[:, j]``, so the plot is comparable across networks and layers of any scale. Biases are not
moved by default (Li et al. zero the direction for biases); ``biases="filter"`` instead treats
``b_j`` as one more incoming weight of neuron j and normalises ``(W[:, j], b_j)`` together.

Every point is a full forward pass over the data, evaluated in C++ with the points in parallel.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from . import _core
from ._validation import check_int, check_non_negative, check_positive
from .typing import Features, FloatArray, Float64Array

if TYPE_CHECKING:
    from .network import Network

BIAS_MODES = ("fixed", "filter")
# The most points one landscape evaluates (a 1001 x 1001 surface): larger grids are refused
# before anything is allocated (each point is a full pass over the data).
MAX_POINTS = 1_000_000


@dataclass
class Landscape:
    """The cost over a line or a plane through a network's parameters.

    alphas     positions along the first direction, shape (steps,)
    betas      positions along the second direction (surface), else None
    losses     (steps,) for a line; (steps, steps) for a surface, ``losses[i, j]`` at
               ``alpha = alphas[j], beta = betas[i]`` (rows follow beta, as ``np.meshgrid`` and
               ``plt.contour(alphas, betas, losses)`` expect)
    center_loss the network's own cost (alpha = beta = 0)
    directions (k, n_params) flat direction vectors, in the network's dtype
    seconds    wall time of the grid evaluation
    """

    alphas: Float64Array
    betas: Float64Array | None
    losses: Float64Array
    center_loss: float
    directions: FloatArray
    kind: str
    seconds: float = 0.0

    @property
    def center(self) -> float:
        """The loss at the centre of the grid (the network itself)."""
        if self.betas is None:
            return float(self.losses[int(np.argmin(np.abs(self.alphas)))])
        mid = self.losses.shape[0] // 2
        return float(self.losses[mid, mid])


def random_direction(net: Network, seed: int = 0, biases: str = "fixed") -> FloatArray:
    """A filter-normalised Gaussian direction, flat like ``net.params``."""
    if biases not in BIAS_MODES:
        raise ValueError(f"biases must be one of {', '.join(BIAS_MODES)}, got {biases!r}")
    rng = np.random.default_rng(seed)
    direction = np.zeros(net.n_params, dtype=np.float64)
    for W, b, where in zip(net.weights, net.biases, net.layer_slices()):
        d = rng.standard_normal(W.shape)
        if biases == "filter":
            # Each neuron's filter is its column of W with its bias appended as one more row.
            d = np.vstack([d, rng.standard_normal((1, W.shape[1]))])
            own = np.vstack([W, b[None, :]]).astype(np.float64)
        else:
            own = W.astype(np.float64)
        d *= np.linalg.norm(own, axis=0) / np.maximum(np.linalg.norm(d, axis=0), 1e-30)
        direction[where.weight] = d[:W.shape[0]].ravel()
        if biases == "filter":
            direction[where.bias] = d[-1]
    return direction.astype(net.dtype)


def line(net: Network, X: Features, y: npt.ArrayLike, to: Network | npt.ArrayLike | None = None,
         steps: int = 51, span: float | None = None, seed: int = 0, biases: str = "fixed",
         sample_weight: npt.ArrayLike | None = None) -> Landscape:
    """The cost along one line through the network's parameters.

    to=None: along a filter-normalised random direction, ``alpha`` in [-span, span]
    (default span 1.0). ``to`` = another Network of the same shape or a flat parameter vector:
    the straight line ``θ* + α (θ_to − θ*)``, so alpha 0 is ``net`` and alpha 1 is ``to``,
    over [-span, 1 + span] (default span 0.5), with 0 and 1 added to the grid if missing.
    """
    steps = check_int("steps", steps, 2, MAX_POINTS)
    if to is None:
        span = check_positive("span", 1.0 if span is None else span)
        direction = random_direction(net, seed=seed, biases=biases)
        alphas = _symmetric_axis(span, steps)
    else:
        span = check_non_negative("span", 0.5 if span is None else span)
        target = net.as_params(to.params if hasattr(to, "params") else to)
        direction = (target.astype(np.float64) - net.params).astype(net.dtype)
        # 0 and 1 are always grid points: the two networks themselves.
        alphas = np.union1d(np.linspace(-span, 1.0 + span, steps), [0.0, 1.0])
    losses, seconds = _losses_at(net, X, y, direction[None, :], alphas[:, None], sample_weight)
    center_loss = net.loss(X, y, sample_weight=sample_weight)
    return Landscape(alphas, None, losses, center_loss, direction[None, :], "line", seconds)


def surface(net: Network, X: Features, y: npt.ArrayLike, steps: int = 51, span: float = 1.0,
            seed: int = 0, biases: str = "fixed",
            sample_weight: npt.ArrayLike | None = None) -> Landscape:
    """The cost over a (steps, steps) grid ``θ* + α δ + β η``, α and β in [-span, span], along two
    filter-normalised random directions drawn from ``seed``. ``steps`` must be odd so the grid
    has a centre: ``losses[steps // 2, steps // 2]`` is the network's own cost."""
    steps = check_int("steps", steps, 3, int(MAX_POINTS ** 0.5))
    if steps % 2 == 0:
        raise ValueError(f"steps must be odd so the grid has a centre, got {steps}")
    span = check_positive("span", span)
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**63 - 1, size=2)
    directions = np.stack([random_direction(net, seed=int(s), biases=biases) for s in seeds])
    axis = _symmetric_axis(span, steps)
    alpha, beta = np.meshgrid(axis, axis)  # rows follow beta
    coeffs = np.stack([alpha.ravel(), beta.ravel()], axis=1)
    losses, seconds = _losses_at(net, X, y, directions, coeffs, sample_weight)
    center_loss = net.loss(X, y, sample_weight=sample_weight)
    return Landscape(axis, axis.copy(), losses.reshape(steps, steps), center_loss, directions,
                     "surface", seconds)


def _losses_at(net: Network, X: Features, y: npt.ArrayLike, directions: FloatArray,
               coeffs: npt.ArrayLike,
               sample_weight: npt.ArrayLike | None) -> tuple[Float64Array, float]:
    data = net.prepare(X, y, sample_weight)
    coeffs = np.ascontiguousarray(coeffs, dtype=np.float64)
    start = time.perf_counter()
    losses = _core.losses_at(net.spec, net.params, np.ascontiguousarray(directions), coeffs,
                             data.X, data.labels, data.dense, data.weights, net.param_guard)
    return np.asarray(losses), time.perf_counter() - start


def _symmetric_axis(span: float, steps: int) -> Float64Array:
    axis = np.linspace(-span, span, steps)
    if steps % 2 == 1:
        axis[steps // 2] = 0.0  # exactly the network itself, not a rounding error away
    return axis
