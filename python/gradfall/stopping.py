"""Stopping when training no longer improves.

The rule, for a quantity to minimise (a maximised one is negated first): after each epoch,
the epoch does not count as an improvement when ``value > best - tol``, which adds one to the
run of epochs without improvement (an improvement resets it to 0); ``best`` follows the lowest
value seen. ``Network.fit(early_stopping=...)`` and the scikit-learn estimators both use it.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from ._validation import check_choice, check_int, check_non_negative

MONITORS = ("val_loss", "val_score", "loss")


def no_improvement(value: float, best: float, count: int,
                   tol: float) -> tuple[int, float, bool]:
    """(count, best, is_new_best) after an epoch whose quantity to minimise is ``value``."""
    count = count + 1 if value > best - tol else 0
    if value < best:
        return count, value, True
    return count, best, False


class EarlyStopping:
    """Stop ``Network.fit`` after ``patience`` epochs in a row without an improvement of at
    least ``min_delta`` in ``monitor`` ("val_loss", "val_score" — both need
    ``validation_data`` — or the training "loss"); with ``restore_best`` the network gets back
    the weights of its best epoch."""

    def __init__(self, monitor: str = "val_loss", patience: int = 10, min_delta: float = 0.0,
                 restore_best: bool = True) -> None:
        self.monitor = check_choice("monitor", monitor, MONITORS)
        self.patience = check_int("patience", patience, 1)
        self.min_delta = check_non_negative("min_delta", min_delta)
        self.restore_best = bool(restore_best)
        self.reset()

    def reset(self) -> None:
        """Forget the runs seen so far (``Network.fit`` calls it when training starts)."""
        self.best = math.inf
        self.count = 0
        self.best_epoch: int | None = None
        self.best_params: npt.NDArray[Any] | None = None

    def update(self, value: float, epoch: int, params: npt.ArrayLike) -> bool:
        """Record epoch ``epoch``'s monitored ``value`` (and the weights after it); True when
        training should stop."""
        signed = -value if self.monitor == "val_score" else value
        if not math.isfinite(signed):
            signed = math.inf
        self.count, self.best, is_best = no_improvement(signed, self.best, self.count,
                                                        self.min_delta)
        if is_best:
            self.best_epoch = epoch
            if self.restore_best:
                self.best_params = np.array(params, copy=True)
        return self.count >= self.patience

    @property
    def best_value(self) -> float:
        """The best monitored value seen (as monitored, not negated)."""
        return -self.best if self.monitor == "val_score" else self.best

    def __repr__(self) -> str:
        return (f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
                f"min_delta={self.min_delta}, restore_best={self.restore_best})")
