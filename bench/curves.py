"""Learning curves: the test metric after each epoch against the training time so far, on a
clock that is paused while the test set is scored (so scoring costs no contender anything)."""
from __future__ import annotations

import math
import time


class Stopwatch:
    """Accumulates wall time between ``resume`` and ``pause``; starts running."""

    def __init__(self):
        self._total = 0.0
        self._since = time.perf_counter()

    def pause(self) -> float:
        """Stops the clock; returns the seconds accumulated so far."""
        self._total += time.perf_counter() - self._since
        self._since = None
        return self._total

    def resume(self) -> None:
        self._since = time.perf_counter()


class Curve:
    """One training run: ``seconds[i]`` of training and the test ``metrics[i]`` after epoch i+1."""

    def __init__(self):
        self.seconds, self.metrics = [], []

    def add(self, seconds: float, metric: float) -> None:
        self.seconds.append(float(seconds))
        self.metrics.append(float(metric))

    @property
    def final(self) -> float:
        """The metric after the last epoch (NaN when no epoch finished)."""
        return self.metrics[-1] if self.metrics else math.nan

    def time_to(self, target: float) -> float:
        """Training seconds until the metric first reached ``target``; inf when it never did."""
        for seconds, metric in zip(self.seconds, self.metrics):
            if metric >= target:
                return seconds
        return math.inf


def record_epoch(clock: Stopwatch, curve: Curve, score) -> None:
    """After an epoch: pause ``clock``, add ``score()`` to ``curve``, resume."""
    seconds = clock.pause()
    curve.add(seconds, score())
    clock.resume()
