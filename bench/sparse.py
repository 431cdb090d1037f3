"""Sparse input: seconds per epoch on a bag-of-words CSR X, which gradfall reads in place,
against scikit-learn's MLP on the same CSR and against gf.Network on the densified X; and the
peak memory of a sparse fit in a fresh process."""
from __future__ import annotations

import gradfall as gf

from . import compare, contenders, memory, optional, sparse_data
from . import threads as thread_control
from .table import Row, Section
from .timing import Timed, describe, interleaved

TARGET = 5.0    # gradfall at least this many times faster per epoch than scikit-learn
MIB = 1 << 20


def _optimizer(solver):
    if solver == "sgd":
        return gf.SGD(lr=contenders.LEARNING_RATE, momentum=contenders.MOMENTUM)
    return gf.Adam(lr=contenders.ADAM_LEARNING_RATE)


def network_epoch(workload, solver, X, y):
    """gf.Network: a fresh model, one epoch (X sparse or dense)."""
    net = gf.Network(workload.layers, activation="relu", output="softmax", loss="cross_entropy",
                     dtype="float32", seed=0)
    net.fit(X, y, epochs=1, batch_size=workload.batch, optimizer=_optimizer(solver))
    return net


def estimator_epoch(workload, solver, X, y):
    from gradfall.sklearn import MLPClassifier
    return contenders.fit_one_epoch(
        MLPClassifier(**contenders.sklearn_params(workload, solver), dtype="float32"), X, y)


def sklearn_epoch(workload, solver, X, y):
    from sklearn.neural_network import MLPClassifier
    return contenders.fit_one_epoch(MLPClassifier(**contenders.sklearn_params(workload, solver)),
                                    X, y)


# name -> (package it needs, one epoch on the sparse X)
CONTENDERS = {"gf.Network": ("gradfall", network_epoch),
              "gradfall.sklearn": ("gradfall.sklearn", estimator_epoch),
              "scikit-learn": ("sklearn", sklearn_epoch)}
DENSE = "gf.Network, dense X"


def _rows(workload, solver, seconds, dense_scale):
    """Ratios of seconds per epoch: gradfall over scikit-learn, and sparse over densified."""
    epoch = {name: t.median for name, t in seconds.items()}
    if DENSE in epoch:
        epoch[DENSE] *= dense_scale     # the densified run had a fraction of the rows
    pairs = [("gf.Network", "scikit-learn", TARGET), ("gradfall.sklearn", "scikit-learn", TARGET),
             ("gf.Network", DENSE, None)]
    out = []
    for ours, other, goal in pairs:
        if ours not in epoch or other not in epoch:
            continue
        cells = [workload.name, solver, ours, other, f"{epoch[ours]:.2f}", f"{epoch[other]:.2f}"]
        out.append(Row(cells=cells, ratio=epoch[other] / epoch[ours], target=goal,
                       target_text=f"≥ {goal:g}×" if goal else "",
                       label=f"{solver}: {ours} ÷ {other}"))
    return out


def _memory_note(workload, X, threads) -> str:
    try:
        measured = memory.probe("gf.Network", workload, threads, sparse_solver="adam")
    except RuntimeError as error:
        return str(error)
    fit_growth = (measured["peak"] - measured["before_fit"]) / MIB
    grown = (measured["peak"] - measured["baseline"]) / MIB
    dense = workload.n * workload.d * 4 / MIB
    return (f"Peak memory of a one-epoch sparse gf.Network fit (adam) in a fresh process: "
            f"{fit_growth:.0f} MiB above the RSS just before fit ({grown:.0f} MiB above the "
            f"baseline, which also counts making the data), for a CSR X of "
            f"{measured['x_bytes'] / MIB:.1f} "
            f"MiB (the dense X would be {dense:,.0f} MiB) and {workload.n_params * 4 / MIB:.0f} "
            f"MiB of parameters (held four times: weights, gradient and Adam's two moments): "
            f"O(nnz + parameters), never O(n x d).")


def run(plan) -> Section:
    w = plan.sparse_workload
    thread_control.set_all(plan.train_threads)
    section = Section("sparse", "Sparse input: one epoch, seconds",
                      ["workload", "solver", "gradfall side", "other side", "gradfall s/epoch",
                       "other s/epoch"])
    if w is None or optional.load("scipy.sparse") is None:
        section.notes.append("Skipped: " + ("the plan has no sparse workload." if w is None else
                                            optional.missing_note("scipy", "The sparse data")))
        return section
    X, y = sparse_data.make(w)
    X_dense, y_dense = X[:w.dense_n].toarray(), y[:w.dense_n]
    dense_scale = w.n / w.dense_n
    chosen = {name: epoch for name, (package, epoch) in CONTENDERS.items()
              if optional.load(package) is not None}
    all_timings = {}
    for solver in plan.sparse_solvers:
        timed = [Timed(name, lambda epoch=epoch: epoch(w, solver, X, y))
                 for name, epoch in chosen.items()]
        timed.append(Timed(DENSE, lambda: network_epoch(w, solver, X_dense, y_dense)))
        all_timings[solver] = interleaved(timed, plan.sparse_repeats, 0.0, plan.settle_seconds)
        section.rows += _rows(w, solver, all_timings[solver], dense_scale)
    section.notes += [
        f"Workload: {w.describe()}; X has {X.nnz:,} stored values ({X.nnz / (w.n * w.d):.3%} of "
        f"the entries, {sparse_data.nbytes(X) / MIB:.1f} MiB as CSR), float32.",
        "Each sample builds a fresh model and trains one epoch on the same CSR X: gf.Network.fit, "
        "gradfall.sklearn and scikit-learn's MLPClassifier(solver=..., alpha=0, max_iter=1; sgd: "
        "lr 0.01, momentum 0.9, no Nesterov; adam: lr 0.001). "
        + describe(plan.sparse_repeats, plan.settle_seconds),
        f"Densified: gf.Network on the first {w.dense_n} rows as a dense array "
        f"({w.dense_n * w.d * 4 / MIB:,.0f} MiB; all {w.n} rows would take "
        f"{w.n * w.d * 4 / MIB:,.0f} MiB), its time scaled by {dense_scale:g} to a whole epoch "
        "(an epoch's cost is linear in its batches).",
        f"Everyone runs on {plan.train_threads} threads.",
        compare.spread_note(all_timings),
        _memory_note(w, X, plan.train_threads),
    ]
    missing = [optional.missing_note(package, name) for name, (package, _) in CONTENDERS.items()
               if name not in chosen]
    section.notes += missing
    return section
