"""Predict throughput: samples/s of a forward pass (softmax probabilities) over all n samples,
every contender holding the same weights."""
from __future__ import annotations

import numpy as np

from . import compare, contenders, data
from . import threads as thread_control
from .contenders import GradfallNetwork
from .table import Section
from .timing import Timed, describe, interleaved

TARGETS = {("gf.Network", "scikit-learn"): (2.0, "≥ 2×"), ("gf.Network", "PyTorch"): (2.0, "≥ 2×"),
           ("gf.Network", "onnxruntime"): (1.0, "≥ 1×")}


def run(plan) -> Section:
    chosen, skipped = contenders.available(pool=contenders.PREDICTORS)
    thread_control.set_all(plan.train_threads)
    section = Section("predict", "Predict: forward over all n, samples/s", list(compare.COLUMNS))
    all_timings, disagree = {}, []
    for w in plan.workloads:
        X, y = data.make(w)
        reference = GradfallNetwork().new(w)
        weights, biases = reference.weights, reference.biases
        models = {c.name: c.with_weights(w, weights, biases, X, y) for c in chosen}
        thread_control.set_all(plan.train_threads)   # again: torch is imported by now
        expected = reference.forward(X)
        for c in chosen:
            if not np.allclose(c.predict(models[c.name], X), expected, atol=1e-4):
                disagree.append(f"{c.name} on {w.name}")
        timed = [Timed(c.name, lambda c=c: c.predict(models[c.name], X)) for c in chosen]
        all_timings[w.name] = interleaved(timed, plan.repeats, plan.min_sample_seconds,
                                          plan.settle_seconds)
        section.rows += compare.rows(w, all_timings[w.name], TARGETS)
    section.notes += [
        "Same workloads and weights for every contender (outputs checked to agree within 1e-4): "
        "gf.Network.forward, predict_proba of both MLPClassifiers, torch softmax(model(X)) under "
        "inference_mode, an onnxruntime session (CPU provider, inter-op threads 1) on "
        f"gf.Network's exported model; {plan.train_threads} threads each. "
        + describe(plan.repeats, plan.settle_seconds),
        compare.spread_note(all_timings),
    ] + skipped
    if disagree:
        section.notes.append("Outputs differed from gf.Network's for: " + ", ".join(disagree))
    return section
