"""The machine a run was on: CPU, cores, load, library versions, and the FMA peak that
gradfall's tiny FMA-loop kernel reaches for each ISA path, dtype and thread count."""
from __future__ import annotations

import os
from importlib import metadata
import platform
import sys

import numpy as np

import gradfall as gf
from gradfall import _core

from . import optional


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


PEAK_RUNS = 4            # short runs per configuration, the best kept
MIN_PEAK_RUN_SECONDS = 0.005
SCALING_FLOOR = 0.8      # t threads must reach 80% of t times one thread's peak (t <= cores)


def fma_peaks(isas, threads, seconds: float) -> dict:
    """{(isa, dtype, threads): GFLOP/s}, the best of PEAK_RUNS runs sharing ``seconds``: each
    thread's FMA rate over its own CPU time (see csrc/core/peak.cpp), so waiting for a core
    that another process holds does not count; a loaded machine can still only lower it."""
    active = gf.get_isa()
    run_seconds = max(MIN_PEAK_RUN_SECONDS, seconds / PEAK_RUNS)
    peaks = {}
    try:
        for isa in isas:
            gf.set_isa(isa)
            for dtype in ("float32", "float64"):
                for t in threads:
                    peaks[(isa, dtype, t)] = max(
                        _core.fma_peak_gflops(dtype=dtype, seconds=run_seconds, threads=t)
                        for _ in range(PEAK_RUNS))
    finally:
        gf.set_isa(active)
    return peaks


def suspect_peaks(peaks: dict) -> list:
    """Configurations whose peak does not scale with threads as the cores allow, as text."""
    cores = usable_cores()
    suspect = []
    for (isa, dtype, t), value in sorted(peaks.items()):
        one = peaks.get((isa, dtype, 1))
        expected = min(t, cores)
        if t > 1 and one and value < SCALING_FLOOR * expected * one:
            suspect.append(f"{isa} {dtype} {t}T is {value / one:.2f}× the 1-thread peak "
                           f"(expected ≈ {expected}×)")
    return suspect


def versions() -> dict:
    found = {"python": sys.version.split()[0], "gradfall": gf.__version__, "numpy": np.__version__}
    for dist in ("scikit-learn", "torch", "threadpoolctl", "matplotlib"):
        try:   # metadata only: importing torch just to print its version costs seconds
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found


def blas() -> str:
    threadpoolctl = optional.load("threadpoolctl")
    if threadpoolctl is None:
        return "unknown (threadpoolctl not installed)"
    libraries = [f"{i.get('internal_api')} {i.get('version') or ''} "
                 f"({i.get('architecture') or '?'})"
                 for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(libraries) or "none found"


def describe(peaks: dict) -> list:
    """Markdown lines for the report's machine section."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    lines = [
        f"- CPU: {cpu_model()}; {os.cpu_count()} logical CPUs, "
        f"{usable_cores()} usable by this process",
        f"- ISA paths: {', '.join(gf.available_isas())}; auto-selected: {gf.get_isa()}",
        f"- numpy BLAS: {blas()}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()),
    ]
    if load is not None:
        lines.append(f"- Load average at the start (1/5/15 min): {load[0]:.2f} / {load[1]:.2f} / "
                     f"{load[2]:.2f} (anything near the core count means noisy figures)")
    if peaks:
        lines.append("- Measured FMA peak (GFLOP/s, gradfall's FMA-loop kernel, best of "
                     f"{PEAK_RUNS} runs, each thread's rate over its own CPU time): " + "; ".join(
                         f"{isa} {dtype} {t}T {value:.1f}"
                         for (isa, dtype, t), value in sorted(peaks.items())))
        suspect = suspect_peaks(peaks)
        if suspect:
            lines.append("- **Warning: suspect FMA peaks** (threads not running side by side?): "
                         + "; ".join(suspect) + ". Shares of these peaks may be off.")
    return lines
