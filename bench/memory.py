"""Peak memory of fit: each contender's one-epoch fit runs in a fresh process (bench.memory_probe)
so its baseline holds nothing from the other contenders or sections."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

from . import contenders
from .table import Row, Section

MIB = 1 << 20
TARGET_WORKLOAD = "medium"


def probe(contender_name, workload, threads, sparse_solver=None) -> dict:
    """The child's measurements (bench.memory_probe) of one fit; a SparseWorkload is fit on its
    CSR X by the sparse section's contender with ``sparse_solver``."""
    request = {"contender": contender_name, "threads": threads,
               "workload": dataclasses.asdict(workload), "sparse_solver": sparse_solver}
    # The child imports exactly what this process imports.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, "-m", "bench.memory_probe", json.dumps(request)],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"memory probe of {contender_name} on {workload.name} failed: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(workload, name, measured, target_mib) -> Row:
    x, base, before, peak = (measured[k] for k in ("x_bytes", "baseline", "before_fit", "peak"))
    goal, text = None, ""
    if name == "gf.Network" and workload.name == TARGET_WORKLOAD:
        goal = (x + target_mib * MIB) / x
        text = f"≤ X + {target_mib:g} MiB (≤ {goal:.2f}×)"
    return Row(cells=[workload.name, name, f"{x / MIB:.1f}", f"{base / MIB:.0f}",
                      f"{before / MIB:.0f}", f"{peak / MIB:.0f}", f"{(peak - before) / MIB:.1f}",
                      f"{(peak - base) / MIB:.1f}"],
               ratio=(peak - base) / x, target=goal, target_text=text,
               label=f"{workload.name}: {name}")


def run(plan) -> Section:
    chosen, skipped = contenders.available(plan.memory_contenders)
    section = Section("memory", "Peak memory of fit (RSS, MiB)",
                      ["workload", "contender", "size of X", "baseline RSS", "RSS before fit",
                       "peak RSS in fit", "peak − before fit", "peak − baseline"],
                      ratio_name="(peak − baseline) ÷ size of X", ratio_at_most=True)
    methods = set()
    for name in plan.memory_workloads:
        workload = plan.workload(name)
        for c in chosen:
            try:
                measured = probe(c.name, workload, plan.train_threads)
            except RuntimeError as error:   # one broken contender should not sink the run
                section.notes.append(str(error))
                continue
            methods.add(measured["method"])
            section.rows.append(_row(workload, c.name, measured, plan.memory_target_mib))
    section.notes += [
        "Each fit (one epoch, as in the training section) runs in a fresh Python process. "
        "Baseline: RSS after the imports and a tiny warm-up fit (which loads lazy modules and "
        "starts thread pools), before X exists. Then X and y are created, the RSS is read "
        "(before fit), the peak is reset, fit runs, and the peak RSS is read.",
        "Peak: " + (", ".join(sorted(methods)) or "not measured")
        + " (VmHWM reset = /proc/self/status VmHWM after "
        "writing 5 to /proc/self/clear_refs; ru_maxrss = peak since process start, an "
        "overestimate, used where the reset is impossible).",
        "Target (medium, gf.Network): peak − baseline ≤ size of X + "
        f"{plan.memory_target_mib:g} MiB.",
    ] + skipped
    return section
