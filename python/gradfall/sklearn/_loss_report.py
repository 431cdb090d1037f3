"""scikit-learn's ``loss_`` from what the core reports for an epoch.

The core trains the objective below and reports each epoch's loss averaged over samples weighted
by their sample weights, with the L2 term of each batch added. scikit-learn differs in two ways:

* its epoch loss averages the batch losses weighted by their sample *counts*, not weight sums;
* its squared loss averages the outputs (``loss_`` = mean over outputs) while its gradient is
  that of 0.5 * sum over outputs, which is what the core trains (output_scale 0.5).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from gradfall.training import EpochResult


def weights_squared(coefs: Iterable[npt.NDArray[Any]]) -> float:
    """sum over layers of |W|^2, in float64."""
    return float(sum(np.dot(c.ravel().astype(np.float64), c.ravel().astype(np.float64))
                     for c in coefs))


def reported_loss(raw: float, penalty: float, out_activation: str, n_outputs: int) -> float:
    """Core loss (with its L2 ``penalty``) -> scikit-learn's ``loss_``."""
    if out_activation != "identity" or n_outputs == 1:
        return float(raw)
    return float((raw - penalty) / n_outputs + penalty)


class EpochLoss:
    """Turns each epoch's core result into scikit-learn's ``loss_``.

    ``needs_batches``: the per-batch losses must be recorded (weighted data in several batches).
    """

    def __init__(self, *, batch_counts: npt.ArrayLike, total_weight: float, weighted: bool,
                 alpha: float, out_activation: str, n_outputs: int,
                 coefs: Iterable[npt.NDArray[Any]]) -> None:
        """batch_counts: the rows of each batch of an epoch (``EpochRunner.batch_sizes``);
        total_weight: the sum of the sample weights (rows when unweighted)."""
        self.batch_counts = np.asarray(batch_counts, dtype=np.float64)
        n_batches = self.batch_counts.size
        self.n_samples = float(self.batch_counts.sum())
        self.n_batches = n_batches
        self.needs_batches = bool(weighted) and n_batches > 1
        self.total_weight = float(total_weight)
        self.alpha = float(alpha)
        self.out_activation = out_activation
        self.n_outputs = n_outputs
        self.track_penalty = out_activation == "identity" and n_outputs > 1 and alpha > 0
        self._squares = weights_squared(coefs) if self.track_penalty else 0.0

    def __call__(self, result: EpochResult, coefs: Iterable[npt.NDArray[Any]]) -> float:
        """``loss_`` of the epoch the core just ran (``coefs``: the weights after it)."""
        if self.needs_batches:
            raw = float(np.dot(np.asarray(result.batch_losses, dtype=np.float64),
                               self.batch_counts) / self.n_samples)
        else:
            raw = result.loss
        penalty = 0.0
        if self.track_penalty:
            squares = weights_squared(coefs)
            # The core's epoch loss holds sum_b 0.5*alpha*|W_b|^2 / total_weight, W_b the weights
            # before batch b; |W_b|^2 is interpolated linearly over the epoch (exact for one batch).
            mean = self._squares + (squares - self._squares) * (self.n_batches - 1) / (
                2.0 * self.n_batches)
            penalty = 0.5 * self.alpha * self.n_batches * mean / self.total_weight
            self._squares = squares
        return reported_loss(raw, penalty, self.out_activation, self.n_outputs)
