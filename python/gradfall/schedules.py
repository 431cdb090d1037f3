"""Learning-rate schedules: the rate an optimizer uses for each epoch, set between epochs (the C++
epoch loop runs a whole epoch at one rate).

A schedule is asked twice per epoch boundary:

* ``next_rate(lr, base_lr, progress)``: the rate for the next epoch, from the current one, the
  optimizer's initial rate and what training has done so far (a ``Progress``);
* ``on_plateau(lr)``: the stopping rule saw no improvement for too long; return a rate to go on
  with, or ``None`` to stop training.

``Constant()``                    lr stays base_lr; a plateau stops training.
``InverseScaling(power_t)``       lr = base_lr / (t + 1) ** power_t, t = samples seen so far.
``DivideOnPlateau(factor, min_lr)`` lr stays, but a plateau divides it by ``factor`` (training
                                  goes on) until it is at or below ``min_lr`` (training stops).
"""
from __future__ import annotations

from dataclasses import dataclass

from ._validation import check_non_negative, check_positive


@dataclass(frozen=True)
class Progress:
    """What training has done when an epoch ends."""

    epochs: int    # epochs completed
    samples: int   # training samples seen (epochs x rows, summed over fit calls)
    loss: float    # the epoch's mean training loss


class Schedule:
    """Constant rate; a plateau stops training. Subclasses override one or both methods."""

    def next_rate(self, lr: float, base_lr: float, progress: Progress) -> float:
        return lr

    def on_plateau(self, lr: float) -> float | None:
        return None

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class Constant(Schedule):
    """lr stays at the optimizer's rate."""


class InverseScaling(Schedule):
    """lr = base_lr / (t + 1) ** power_t, with t the number of training samples seen."""

    def __init__(self, power_t=0.5):
        self.power_t = check_non_negative("power_t", power_t)

    def next_rate(self, lr, base_lr, progress):
        return base_lr / (progress.samples + 1) ** self.power_t


class DivideOnPlateau(Schedule):
    """The rate stays until the stopping rule reports a plateau; then it is divided by ``factor``
    and training goes on, unless it is already at or below ``min_lr``."""

    def __init__(self, factor=5.0, min_lr=1e-6):
        self.factor = check_positive("factor", factor)
        if self.factor <= 1:
            raise ValueError(f"factor must be > 1, got {self.factor}")
        self.min_lr = check_non_negative("min_lr", min_lr)

    def on_plateau(self, lr):
        if lr <= self.min_lr:
            return None
        return lr / self.factor
