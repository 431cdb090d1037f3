"""GEMM: GFLOP/s of gf.matmul on each ISA path against numpy.matmul, and as a share of the FMA
peak measured for that ISA, dtype and thread count."""
from __future__ import annotations

import numpy as np

import gradfall as gf

from . import threads as thread_control
from .table import Row, Section
from .timing import Timed, describe, interleaved


def target(shape, dtype, threads, isa, auto_isa):
    """The issue's targets: 512-2048 at 2 threads; the auto-selected path against numpy (float32
    1.5x, float64 1.3x) and the forced AVX2 path at float32 (0.9x)."""
    if min(shape) < 512 or threads != 2:
        return None, ""
    if isa == auto_isa:
        return (1.5, "≥ 1.5× (≈ 75% of peak)") if dtype == "float32" else (1.3, "≥ 1.3×")
    if isa == "avx2" and dtype == "float32":
        return 0.9, "≥ 0.9×"
    return None, ""


def share_of_peak(rate, peak, isa) -> tuple:
    """(cell, above): the GEMM's share of the measured FMA peak, never above 100%: a faster
    GEMM means the peak was measured low (``above``). The scalar path has no comparable peak
    (its FMA loop is one lane wide, and the compiler vectorises its GEMM)."""
    if isa == "scalar" or not peak:
        return "—", False
    if rate > peak:
        return "above peak (suspect)", True
    return f"{100 * rate / peak:.0f}%", False


def _operands(shape, dtype):
    M, K, N = shape
    rng = np.random.default_rng(0)
    return (rng.standard_normal((M, K)).astype(dtype), rng.standard_normal((K, N)).astype(dtype))


def _disagreeing(A, B, paths):
    """ISA paths whose product is off from a float64 reference by more than rounding allows."""
    reference = A.astype(np.float64) @ B.astype(np.float64)
    tol = 1e-3 if A.dtype == np.float32 else 1e-9
    wrong = []
    for isa in paths:
        gf.set_isa(isa)
        if not np.allclose(gf.matmul(A, B), reference, rtol=tol, atol=tol * np.sqrt(A.shape[1])):
            wrong.append(isa)
    return wrong


def run(plan, peaks) -> Section:
    auto_isa = gf.get_isa()
    isas = [auto_isa] + [i for i in reversed(gf.available_isas()) if i != auto_isa]
    section = Section("gemm", "GEMM: gf.matmul vs numpy.matmul",
                      ["shape M×K×N", "dtype", "threads", "gradfall ISA", "gradfall GFLOP/s",
                       "numpy GFLOP/s", "gradfall % of FMA peak"])
    wrong, above_peak = [], []
    try:
        for shape in plan.gemm_shapes:
            flops = 2.0 * shape[0] * shape[1] * shape[2]
            shape_text = "×".join(map(str, shape))
            for dtype in plan.gemm_dtypes:
                A, B = _operands(shape, dtype)
                paths = [i for i in isas if i != "scalar" or max(shape) <= plan.scalar_max_dim]
                wrong += [f"{shape} {dtype} {isa}" for isa in _disagreeing(A, B, paths)]
                for t in plan.threads:
                    thread_control.set_all(t)
                    contenders = [Timed("numpy", lambda: np.matmul(A, B))]
                    contenders += [Timed(isa, lambda: gf.matmul(A, B),
                                         before=lambda isa=isa: gf.set_isa(isa)) for isa in paths]
                    timings = interleaved(contenders, plan.repeats, plan.min_sample_seconds,
                                          plan.settle_seconds)
                    numpy_rate = flops / timings["numpy"].median * 1e-9
                    for isa in paths:
                        rate = flops / timings[isa].median * 1e-9
                        share, above = share_of_peak(rate, peaks.get((isa, dtype, t)), isa)
                        if above:
                            above_peak.append(f"{shape_text} {dtype} {t}T {isa}")
                        goal, goal_text = target(shape, dtype, t, isa, auto_isa)
                        section.rows.append(Row(
                            cells=[shape_text, dtype, t,
                                   isa + (" (auto)" if isa == auto_isa else ""),
                                   f"{rate:.1f}", f"{numpy_rate:.1f}", share],
                            ratio=rate / numpy_rate, target=goal, target_text=goal_text,
                            label=f"{shape_text} {dtype[5:]}-bit {t}T {isa}"))
    finally:
        gf.set_isa(auto_isa)
    section.notes.append(
        describe(plan.repeats, plan.settle_seconds) + " Each sample loops the call for at least "
        f"{plan.min_sample_seconds * 1000:.0f} ms. numpy's BLAS threads are limited with "
        "threadpoolctl to the same count as gradfall's.")
    if any(max(s) > plan.scalar_max_dim for s in plan.gemm_shapes) and "scalar" in isas:
        section.notes.append(
            f"The scalar path is timed only up to dimension {plan.scalar_max_dim}.")
    if "scalar" in isas:
        section.notes.append("The scalar path has no share of peak: its FMA loop is one lane "
                             "wide, while the compiler vectorises its GEMM.")
    if above_peak:
        section.notes.append("The measured FMA peak is suspect: these GEMMs ran faster than it "
                             "(see the machine section): " + ", ".join(above_peak) + ".")
    if thread_control.note():
        section.notes.append(thread_control.note())
    if wrong:
        section.notes.append("gf.matmul disagreed with numpy at: " + ", ".join(wrong))
    return section
