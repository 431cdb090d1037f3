"""Interleaved timing: warm every contender up, then time them in turn (A B C, B C A, ...) and
keep the median, so a slow spell of a shared machine hits all contenders alike. Throughput
samples loop a call (``interleaved``); latency times every call on its own (``per_call``)."""
from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

MIN_CALLS = 50   # a latency round times at least this many calls, however slow they are


@dataclass
class Timed:
    """One contender: ``run`` is timed; ``before`` (untimed) runs ahead of each call."""
    name: str
    run: Callable[[], object]
    before: Optional[Callable[[], object]] = None


@dataclass
class Timing:
    samples: list          # seconds per call, one per repeat

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> float:
        """(max - min) / median: how noisy the samples were."""
        return (max(self.samples) - min(self.samples)) / self.median if self.median > 0 else 0.0


@dataclass
class Latency:
    calls: list            # seconds of every timed call, over all rounds

    @property
    def median(self) -> float:
        return float(np.median(self.calls))

    @property
    def p99(self) -> float:
        return float(np.percentile(self.calls, 99))


def _call(contender: Timed, number: int) -> float:
    if contender.before is not None:
        contender.before()
    start = time.perf_counter()
    for _ in range(number):
        contender.run()
    return (time.perf_counter() - start) / number


def interleaved(contenders, repeats: int, min_sample_seconds: float = 0.0,
                settle_seconds: float = 0.0) -> dict:
    """{name: Timing} for each contender after one untimed warm-up call each.

    A sample repeats a call enough times to last ``min_sample_seconds`` (the count comes from the
    warm-up); the starting contender rotates each round to cancel any drift within a round."""
    contenders = list(contenders)
    numbers = {}
    for c in contenders:
        warm = _call(c, 1)
        numbers[c.name] = max(1, math.ceil(min_sample_seconds / warm)) if warm > 0 else 1
    samples = {c.name: [] for c in contenders}
    for c in _in_turn(contenders, repeats, settle_seconds):
        samples[c.name].append(_call(c, numbers[c.name]))
    return {name: Timing(s) for name, s in samples.items()}


def _in_turn(contenders, rounds: int, settle_seconds: float):
    """Each contender once per round, the first one rotating, after the idle gap."""
    for round_index in range(rounds):
        shift = round_index % len(contenders)
        for c in contenders[shift:] + contenders[:shift]:
            if settle_seconds:
                time.sleep(settle_seconds)
            yield c


def _each_call(run, number: int) -> list:
    clock = time.perf_counter
    seconds = [0.0] * number
    for i in range(number):
        start = clock()
        run()
        seconds[i] = clock() - start
    return seconds


def per_call(contenders, rounds: int, warmup: int, calls: int, round_seconds: float,
             settle_seconds: float = 0.0) -> dict:
    """{name: Latency}: every call timed on its own, after ``warmup`` untimed calls each.

    ``calls`` timed calls per contender are split over ``rounds`` interleaved rounds (the first
    contender rotating); a round stops a contender after about ``round_seconds`` (never before
    MIN_CALLS calls), so slow calls get fewer samples."""
    contenders = list(contenders)
    wanted = math.ceil(calls / rounds)
    per_round = {}
    for c in contenders:
        each = _call(c, warmup) if warmup else 0.0
        per_round[c.name] = (min(wanted, max(MIN_CALLS, math.ceil(round_seconds / each)))
                             if each > 0 else wanted)
    timed = {c.name: [] for c in contenders}
    for c in _in_turn(contenders, rounds, settle_seconds):
        if c.before is not None:
            c.before()
        timed[c.name] += _each_call(c.run, per_round[c.name])
    return {name: Latency(seconds) for name, seconds in timed.items()}


def describe(repeats: int, settle_seconds: float) -> str:
    """The method in one sentence, for a section's notes."""
    gap = (f", with {settle_seconds * 1000:.0f} ms idle before each sample so the previous "
           "contender's worker threads stop spinning" if settle_seconds else "")
    return (f"Median of {repeats} interleaved repeats (contenders in turn, rotating the first) "
            f"after a warm-up call each{gap}.")
