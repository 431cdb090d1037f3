"""Learning-rate schedules: the rate an optimizer uses for each epoch, set between epochs (the C++
epoch loop runs a whole epoch at one rate).

A schedule is asked:

* ``start_rate(lr, base_lr, epochs)`` before a fit's first epoch (``epochs`` the optimizer has
  already run): the rate to begin with;
* ``next_rate(lr, base_lr, progress)`` after every epoch: the rate for the next one, from the
  current one, the optimizer's initial rate and what training has done (a ``Progress``);
* ``on_plateau(lr)`` when a stopping rule saw no improvement for too long: a rate to go on
  with, or ``None`` to stop training.

Epoch k below counts from 0, over every epoch the optimizer has run.

``Constant()``                      lr = base_lr; a plateau stops training.
``Step(step_size, gamma=0.1)``      lr = base_lr * gamma ** (k // step_size)
``Exponential(gamma)``              lr = base_lr * gamma ** k
``Cosine(epochs, warmup=0, min_lr=0)`` lr = base_lr * (k + 1) / warmup during the warm-up, then
                                    min_lr + (base_lr - min_lr) * (1 + cos(pi * j / J)) / 2 with
                                    j = k - warmup, J = epochs - warmup; min_lr after ``epochs``.
``ReduceOnPlateau(factor=0.1, patience=10, threshold=1e-4, min_lr=0, monitor="loss")``
                                    lr *= factor when the monitored loss ("loss" or "val_loss")
                                    has not improved by ``threshold`` (relative) for ``patience``
                                    epochs, never below ``min_lr``.
``InverseScaling(power_t)``         lr = base_lr / (t + 1) ** power_t, t = samples seen so far.
``DivideOnPlateau(factor, min_lr)`` lr stays, but a plateau divides it by ``factor`` (training
                                    goes on) until it is at or below ``min_lr`` (training stops).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ._validation import check_choice, check_int, check_non_negative, check_positive


@dataclass(frozen=True)
class Progress:
    """What training has done when an epoch ends."""

    epochs: int    # epochs completed
    samples: int   # training samples seen (epochs x rows, summed over fit calls)
    loss: float    # the epoch's mean training loss
    val_loss: float | None = None  # the validation loss after it, when there is one


class Schedule:
    """Constant rate; a plateau stops training. Subclasses override one or both methods."""

    def start_rate(self, lr: float, base_lr: float, epochs: int) -> float:
        return lr

    def next_rate(self, lr: float, base_lr: float, progress: Progress) -> float:
        return lr

    def on_plateau(self, lr: float) -> float | None:
        return None

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class Constant(Schedule):
    """lr stays at the optimizer's rate."""


class EpochSchedule(Schedule):
    """A rate that is a function of the epoch number alone: ``rate(base_lr, k)``."""

    def rate(self, base_lr: float, k: int) -> float:
        raise NotImplementedError

    def start_rate(self, lr: float, base_lr: float, epochs: int) -> float:
        return self.rate(base_lr, epochs)

    def next_rate(self, lr: float, base_lr: float, progress: Progress) -> float:
        return self.rate(base_lr, progress.epochs)


class Step(EpochSchedule):
    """lr = base_lr * gamma ** (k // step_size)."""

    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_int("step_size", step_size, 1)
        self.gamma = check_positive("gamma", gamma)

    def rate(self, base_lr: float, k: int) -> float:
        return base_lr * self.gamma ** (k // self.step_size)


class Exponential(EpochSchedule):
    """lr = base_lr * gamma ** k."""

    def __init__(self, gamma: float) -> None:
        self.gamma = check_positive("gamma", gamma)

    def rate(self, base_lr: float, k: int) -> float:
        return base_lr * self.gamma ** k


class Cosine(EpochSchedule):
    """Linear warm-up over ``warmup`` epochs, then a half cosine from base_lr down to ``min_lr``
    at epoch ``epochs``; min_lr afterwards."""

    def __init__(self, epochs: int, warmup: int = 0, min_lr: float = 0.0) -> None:
        self.epochs = check_int("epochs", epochs, 1)
        self.warmup = check_int("warmup", warmup, 0, self.epochs - 1)
        self.min_lr = check_non_negative("min_lr", min_lr)

    def rate(self, base_lr: float, k: int) -> float:
        if k < self.warmup:
            return base_lr * (k + 1) / self.warmup
        if k >= self.epochs:
            return max(self.min_lr, 1e-300)
        fraction = (k - self.warmup) / (self.epochs - self.warmup)
        rate = self.min_lr + (base_lr - self.min_lr) * (1 + math.cos(math.pi * fraction)) / 2
        return max(rate, 1e-300)  # a rate must stay > 0


class ReduceOnPlateau(Schedule):
    """Multiplies the rate by ``factor`` when the monitored loss has not fallen below
    best * (1 - threshold) for ``patience`` epochs in a row; never below ``min_lr``."""

    def __init__(self, factor: float = 0.1, patience: int = 10, threshold: float = 1e-4,
                 min_lr: float = 0.0, monitor: str = "loss") -> None:
        self.factor = check_positive("factor", factor)
        if self.factor >= 1:
            raise ValueError(f"factor must be < 1, got {self.factor}")
        self.patience = check_int("patience", patience, 0)
        self.threshold = check_non_negative("threshold", threshold)
        self.min_lr = check_non_negative("min_lr", min_lr)
        self.monitor = check_choice("monitor", monitor, ("loss", "val_loss"))
        self.best = math.inf
        self.bad_epochs = 0

    def next_rate(self, lr: float, base_lr: float, progress: Progress) -> float:
        value = progress.loss if self.monitor == "loss" else progress.val_loss
        if value is None:
            raise ValueError("ReduceOnPlateau(monitor='val_loss') needs validation_data")
        if value < self.best * (1 - self.threshold):
            self.best, self.bad_epochs = value, 0
            return lr
        self.bad_epochs += 1
        if self.bad_epochs <= self.patience:
            return lr
        self.bad_epochs = 0
        return max(lr * self.factor, self.min_lr, 1e-300)


class InverseScaling(Schedule):
    """lr = base_lr / (t + 1) ** power_t, with t the number of training samples seen."""

    def __init__(self, power_t: float = 0.5) -> None:
        self.power_t = check_non_negative("power_t", power_t)

    def next_rate(self, lr: float, base_lr: float, progress: Progress) -> float:
        return float(base_lr / (progress.samples + 1) ** self.power_t)


class DivideOnPlateau(Schedule):
    """The rate stays until the stopping rule reports a plateau; then it is divided by ``factor``
    and training goes on, unless it is already at or below ``min_lr``."""

    def __init__(self, factor: float = 5.0, min_lr: float = 1e-6) -> None:
        self.factor = check_positive("factor", factor)
        if self.factor <= 1:
            raise ValueError(f"factor must be > 1, got {self.factor}")
        self.min_lr = check_non_negative("min_lr", min_lr)

    def on_plateau(self, lr: float) -> float | None:
        if lr <= self.min_lr:
            return None
        return lr / self.factor
