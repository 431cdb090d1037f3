"""Rows comparing contenders on one workload: samples/s of a gradfall side over another side."""
from __future__ import annotations

from .table import Row

# (gradfall side, other side); the last row is the estimator's overhead over the Network API.
PAIRS = (
    ("gf.Network", "scikit-learn"),
    ("gf.Network", "PyTorch"),
    ("gf.Network", "onnxruntime"),
    ("gradfall.sklearn", "scikit-learn"),
    ("gradfall.sklearn", "gf.Network"),
)

COLUMNS = ["workload", "gradfall side", "other side", "gradfall samples/s", "other samples/s"]


def rows(workload, timings: dict, targets: dict) -> list:
    """One row per pair whose contenders both ran; ``targets[(pair)] = (goal, text)``."""
    rate = {name: workload.n / t.median for name, t in timings.items()}
    out = []
    for ours, other in PAIRS:
        if ours not in rate or other not in rate:
            continue
        goal, text = targets.get((ours, other), (None, ""))
        cells = [workload.name, ours, other, f"{rate[ours]:,.0f}", f"{rate[other]:,.0f}"]
        out.append(Row(cells=cells, ratio=rate[ours] / rate[other], target=goal, target_text=text,
                       label=f"{workload.name}: {ours} ÷ {other}"))
    return out


def spread_note(timings_by_workload: dict) -> str:
    """The noisiest contender, so a reader can tell how far to trust the medians."""
    worst = max(((t.spread, f"{name} on {w}") for w, ts in timings_by_workload.items()
                 for name, t in ts.items()), default=None)
    if worst is None:
        return ""
    return f"Largest spread of the repeats (max−min over median): {worst[0]:.0%} ({worst[1]})."
