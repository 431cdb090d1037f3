"""Child process of the memory section: one contender's one-epoch fit in a clean process.

Prints one JSON line with, in bytes: the baseline RSS (after imports and a tiny warm-up fit,
before X exists), the RSS just before fit (X and y created), the peak RSS during fit and X's size.

The peak is VmHWM from /proc/self/status, reset just before fit by writing "5" to
/proc/self/clear_refs (Linux >= 4.0); where that is impossible it falls back to ru_maxrss, the
peak since the process started, which can only overstate the fit's peak."""
from __future__ import annotations

import json
import resource
import sys

from . import contenders, data, optional
from . import threads as thread_control
from .plans import Workload


def status_bytes(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def reset_peak() -> bool:
    """Make VmHWM restart from the current RSS; False where the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return status_bytes("VmHWM") <= status_bytes("VmRSS") + (1 << 20)
    except (OSError, KeyError):
        return False


def peak_bytes(reset_worked: bool) -> int:
    if reset_worked:
        return status_bytes("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # KiB on Linux


def rss_bytes() -> int:
    try:
        return status_bytes("VmRSS")
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def probe(contender_name: str, workload: Workload, threads: int) -> dict:
    contender = next(c for c in contenders.ALL if c.name == contender_name)
    optional.load(contender.package)   # imported first so that set_all reaches torch too
    thread_control.set_all(threads)
    # Loads lazy imports and starts thread pools; kept tiny so it leaves no heap for fit to reuse.
    tiny = Workload("warm-up", n=64, d=8, hidden=(8,), classes=workload.classes, batch=16)
    contender.train_epoch(tiny, *data.make(tiny, seed=1))
    baseline = rss_bytes()
    X, y = data.make(workload)
    before = rss_bytes()
    reset_worked = reset_peak()
    contender.train_epoch(workload, X, y)
    return {"baseline": baseline, "before_fit": before, "peak": peak_bytes(reset_worked),
            "x_bytes": X.nbytes, "method": "VmHWM reset" if reset_worked else "ru_maxrss"}


def main(argv) -> None:
    request = json.loads(argv[0])
    workload = Workload(**{**request["workload"], "hidden": tuple(request["workload"]["hidden"])})
    print(json.dumps(probe(request["contender"], workload, request["threads"])))


if __name__ == "__main__":
    main(sys.argv[1:])
