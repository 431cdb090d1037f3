"""Latency: time of one predict call on 1, 8 or 64 rows (serving), median and 99th percentile,
every contender holding the same weights; and the fixed cost of a call on a network too tiny to
compute anything."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import contenders, data
from . import threads as thread_control
from .contenders import GradfallNetwork
from .plans import Workload
from .table import Row, Section
from .timing import MIN_CALLS, Timed, per_call

PROBA = "gf.Network.predict_proba"
# (gradfall side, other side); the last row is predict_proba's cost over forward.
PAIRS = (("gf.Network", "onnxruntime"), ("gf.Network", "PyTorch"),
         ("gf.Network", "scikit-learn"), (PROBA, "gf.Network"))
TARGET_ROWS = 1
TARGETS = {("gf.Network", "onnxruntime"): (1.0, "≥ 1× (≤ onnxruntime's)"),
           ("gf.Network", "PyTorch"): (2.0, "≥ 2× (≤ 0.5× PyTorch's)")}
# One input, two outputs: the Python, binding and dispatch cost of a call and nothing else.
TINY = Workload("tiny", n=1, d=1, hidden=(), classes=2, batch=1)
FIXED_COST_CONTENDERS = ("gf.Network", "onnxruntime", "PyTorch")
COLUMNS = ["workload", "rows", "gradfall side", "other side", "gradfall median µs",
           "gradfall p99 µs", "other median µs", "other p99 µs"]


def _models(chosen, workload, rows):
    """{name: (contender, model)} holding gradfall's seeded weights, and those weights' net."""
    X, y = data.make(replace(workload, n=max(rows, 4 * workload.classes)))
    reference = GradfallNetwork().new(workload)
    return {c.name: (c, c.with_weights(workload, reference.weights, reference.biases, X, y))
            for c in chosen}, reference


def _timed(models, X, reference) -> list:
    timed = [Timed(name, lambda c=c, m=m: c.predict(m, X)) for name, (c, m) in models.items()]
    if reference.is_classifier and "gf.Network" in models:
        net = models["gf.Network"][1]
        timed.append(Timed(PROBA, lambda: net.predict_proba(X)))
    return timed


def _measure(plan, timed):
    return per_call(timed, plan.latency_rounds, plan.latency_warmup, plan.latency_calls,
                    plan.latency_round_seconds, plan.settle_seconds)


def _rows(workload, rows, latencies) -> list:
    out = []
    for ours, other in PAIRS:
        if ours not in latencies or other not in latencies:
            continue
        mine, theirs = latencies[ours], latencies[other]
        goal, text = TARGETS.get((ours, other), (None, "")) if rows == TARGET_ROWS else (None, "")
        cells = [workload.name, rows, ours, other] + [
            f"{seconds * 1e6:,.1f}" for seconds in (mine.median, mine.p99, theirs.median,
                                                   theirs.p99)]
        out.append(Row(cells=cells, ratio=theirs.median / mine.median, target=goal,
                       target_text=text, label=f"{workload.name} ×{rows}: {ours} ÷ {other}"))
    return out


def _fixed_cost(plan, chosen) -> str:
    picked = [c for c in chosen if c.name in FIXED_COST_CONTENDERS]
    models, reference = _models(picked, TINY, 1)
    thread_control.set_all(plan.train_threads)
    X = np.zeros((1, TINY.d), dtype=np.float32)
    latencies = _measure(plan, _timed(models, X, reference))
    return ("Fixed cost of a call (a 1-input, 2-output softmax network on one row, where "
            "arithmetic is nothing): " + "; ".join(
                f"{name} {t.median * 1e6:.1f} µs median, {t.p99 * 1e6:.1f} µs p99"
                for name, t in latencies.items()) + ".")


def run(plan) -> Section:
    chosen, skipped = contenders.available(pool=contenders.PREDICTORS)
    chosen = [c for c in chosen if c.name != "gradfall.sklearn"]   # the predict section has it
    thread_control.set_all(plan.train_threads)
    section = Section("latency", "Latency: one predict call on a few rows, µs", COLUMNS,
                      ratio_name="other ÷ gradfall (median)")
    disagree = []
    for w in plan.workloads:
        models, reference = _models(chosen, w, max(plan.latency_rows))
        thread_control.set_all(plan.train_threads)   # again: torch is imported by now
        for rows in plan.latency_rows:
            X = np.ascontiguousarray(data.make(replace(w, n=rows))[0])
            expected = reference.forward(X)
            for name, (c, model) in models.items():
                if not np.allclose(c.predict(model, X), expected, atol=1e-4):
                    disagree.append(f"{name} on {w.name} ×{rows}")
            section.rows += _rows(w, rows, _measure(plan, _timed(models, X, reference)))
    section.notes += [
        f"Per call: predict on {', '.join(map(str, plan.latency_rows))} row(s), every call timed "
        f"on its own after {plan.latency_warmup} untimed calls; up to {plan.latency_calls} timed "
        f"calls per contender in {plan.latency_rounds} interleaved rounds (about "
        f"{plan.latency_round_seconds * 1000:.0f} ms per contender per round, at least "
        f"{MIN_CALLS} calls)"
        "; median and 99th percentile over all of them. Ratio: the other's median over "
        f"gradfall's (above 1: gradfall answers sooner); targets at {TARGET_ROWS} row.",
        "Contenders as in the predict section (outputs checked to agree within 1e-4), "
        f"{plan.train_threads} threads each; gf.Network.predict_proba adds its Python-side "
        "work to forward.",
        _fixed_cost(plan, chosen),
    ] + skipped
    if disagree:
        section.notes.append("Outputs differed from gf.Network's for: " + ", ".join(disagree))
    return section
