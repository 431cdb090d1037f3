"""Training throughput: samples/s of one epoch of minibatch SGD from a fresh model."""
from __future__ import annotations

from . import compare, contenders, data
from . import threads as thread_control
from .table import Section
from .timing import Timed, describe, interleaved

OVERHEAD_LIMIT = 0.10   # the estimator may be at most 10% slower than the Network API
VS_SKLEARN = {"small": 8.0, "medium": 2.0, "large": 2.0}


def targets(workload) -> dict:
    goals = {("gf.Network", "PyTorch"): (2.0, "≥ 2×"),
             ("gradfall.sklearn", "gf.Network"): (1 / (1 + OVERHEAD_LIMIT),
                                                   "≥ 0.91× (overhead ≤ 10%)")}
    if workload.name in VS_SKLEARN:
        goal = VS_SKLEARN[workload.name]
        goals[("gf.Network", "scikit-learn")] = (goal, f"≥ {goal:g}×")
    return goals


def _looping(seconds) -> str:
    if not seconds:
        return ""
    return (f" A sample repeats this (new model, one epoch) until it has lasted at least "
            f"{seconds * 1000:.0f} ms.")


def run(plan) -> Section:
    chosen, skipped = contenders.available()
    thread_control.set_all(plan.train_threads)
    section = Section("train", "Training: one epoch, samples/s", list(compare.COLUMNS))
    all_timings = {}
    for w in plan.workloads:
        X, y = data.make(w)
        timed = [Timed(c.name, lambda c=c: c.train_epoch(w, X, y)) for c in chosen]
        all_timings[w.name] = interleaved(timed, plan.train_repeats, plan.train_min_sample_seconds,
                                          plan.settle_seconds)
        section.rows += compare.rows(w, all_timings[w.name], targets(w))
    section.notes += [
        "Workloads: " + "; ".join(f"{w.name}: {w.describe()}" for w in plan.workloads) + ".",
        "Each sample builds a fresh model and trains one epoch (float32, SGD lr 0.01, plain "
        "momentum 0.9, no L2, shuffled minibatches, random seeded data). "
        + describe(plan.train_repeats, plan.settle_seconds)
        + _looping(plan.train_min_sample_seconds),
        f"Every contender runs on {plan.train_threads} threads (gradfall's OpenMP, numpy's BLAS "
        "under scikit-learn via threadpoolctl, torch.set_num_threads).",
        "scikit-learn and gradfall.sklearn: MLPClassifier(solver='sgd', alpha=0, momentum=0.9, "
        "nesterovs_momentum=False, max_iter=1, batch_size=...); PyTorch: nn.Sequential of "
        "Linear+ReLU, CrossEntropyLoss, optim.SGD, randperm minibatches.",
        compare.spread_note(all_timings),
    ] + skipped
    if thread_control.note():
        section.notes.append(thread_control.note())
    return section
