"""Gradient checking: backpropagation against central finite differences, in float64.

For a parameter θ_p the numerical derivative is ``(L(θ + h e_p) − L(θ − h e_p)) / 2h`` and the
relative error against backprop's g_p is ``|g_p − n_p| / max(|g_p| + |n_p|, 1e-7)``. Both run on
a float64 copy of the network, so float32 rounding does not hide (or fake) a wrong gradient.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from . import _core
from ._validation import check_int, check_positive
from .typing import Features, Float64Array, FloatArray

if TYPE_CHECKING:
    from .network import Network, Prepared

# Below this size a derivative is compared absolutely: finite-difference rounding is ~1e-10.
_FLOOR = 1e-7


@dataclass
class GradientCheck:
    """max_error[l]: the largest relative error among the checked weights and bias of layer l;
    checked[l]: how many of the layer's parameters were compared."""

    max_error: Float64Array
    checked: npt.NDArray[np.int64]

    @property
    def worst(self) -> float:
        return float(self.max_error.max()) if self.max_error.size else 0.0

    def ok(self, tolerance: float = 1e-5) -> bool:
        """True when no checked parameter's relative error exceeds ``tolerance``."""
        return self.worst <= tolerance

    def __str__(self) -> str:
        rows = [f"layer {l}: max relative error {e:.2e} over {c} parameters"
                for l, (e, c) in enumerate(zip(self.max_error, self.checked))]
        return "\n".join(rows)


def check_gradients(net: Network, X: Features, y: npt.ArrayLike,
                    sample_weight: npt.ArrayLike | None = None, eps: float = 1e-6,
                    max_per_layer: int = 64, seed: int = 0) -> GradientCheck:
    """Compare backpropagated and finite-difference gradients of the cost, layer by layer.

    Every parameter of a layer is checked when the layer has at most ``max_per_layer`` of them,
    otherwise a seeded random sample of that many (each check costs two forward passes).
    Returns a ``GradientCheck``; ``result.max_error`` has one entry per layer.
    """
    max_per_layer = check_int("max_per_layer", max_per_layer, 1)
    eps = check_positive("eps", eps)
    wide = net.astype("float64")
    data = wide.prepare(X, y, sample_weight)
    _, grad = wide.loss_and_gradient(data.X, y, sample_weight=data.weights)
    rng = np.random.default_rng(seed)
    errors, counts = [], []
    for where in wide.layer_slices():
        # W_l and b_l are adjacent in the flat vector: the layer is one contiguous range.
        indices = np.arange(where.weight.start, where.bias.stop)
        if indices.size > max_per_layer:
            indices = np.sort(rng.choice(indices, size=max_per_layer, replace=False))
        worst = 0.0
        for p in indices:
            numeric = _central_difference(wide, data, p, eps)
            scale = max(abs(grad[p]) + abs(numeric), _FLOOR)
            worst = max(worst, abs(grad[p] - numeric) / scale)
        errors.append(worst)
        counts.append(indices.size)
    return GradientCheck(np.array(errors), np.array(counts))


def _central_difference(net: Network, data: Prepared, p: int, eps: float) -> float:
    theta = net.params.copy()
    theta[p] += eps
    up = _cost(net, theta, data)
    theta[p] -= 2 * eps
    down = _cost(net, theta, data)
    return (up - down) / (2 * eps)


def _cost(net: Network, theta: FloatArray, data: Prepared) -> float:
    return float(_core.loss_and_gradient(net.spec, theta, data.X, data.labels, data.dense,
                                         data.weights, 0.0, False)[0])
