"""Child process of the memory sections: one contender's one-epoch fit in a clean process (a
SparseWorkload's on its CSR X).

Prints one JSON line with, in bytes: the baseline RSS (after imports and a tiny warm-up fit,
before X exists), the RSS just before fit (X and y created), the peak RSS during fit and X's size.

The peak is VmHWM from /proc/self/status, reset just before fit by writing "5" to
/proc/self/clear_refs (Linux >= 4.0); where that is impossible it falls back to ru_maxrss, the
peak since the process started, which can only overstate the fit's peak."""
from __future__ import annotations

import json
import resource
import sys

from . import contenders, data, optional, sparse, sparse_data
from . import threads as thread_control
from .plans import SparseWorkload, Workload


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


def _job(contender_name, workload, sparse_solver):
    """(package to import, one epoch of fit, a tiny workload of the same kind, data maker,
    size of X in bytes)."""
    if isinstance(workload, SparseWorkload):
        package, epoch = sparse.CONTENDERS[contender_name]
        tiny = SparseWorkload("warm-up", n=64, d=32, density=0.1, hidden=(8,),
                              classes=workload.classes, batch=16, dense_n=1)
        return (package, lambda w, X, y: epoch(w, sparse_solver, X, y), tiny, sparse_data.make,
                sparse_data.nbytes)
    contender = next(c for c in contenders.ALL if c.name == contender_name)
    tiny = Workload("warm-up", n=64, d=8, hidden=(8,), classes=workload.classes, batch=16)
    return contender.package, contender.train_epoch, tiny, data.make, lambda X: X.nbytes


def probe(contender_name: str, workload, threads: int, sparse_solver=None) -> dict:
    package, train_epoch, tiny, make, x_bytes = _job(contender_name, workload, sparse_solver)
    optional.load(package)   # imported first so that set_all reaches torch too
    thread_control.set_all(threads)
    # Loads lazy imports and starts thread pools; kept tiny so it leaves no heap for fit to reuse.
    train_epoch(tiny, *make(tiny, seed=1))
    baseline = rss_bytes()
    X, y = make(workload)
    before = rss_bytes()
    reset_worked = reset_peak()
    train_epoch(workload, X, y)
    return {"baseline": baseline, "before_fit": before, "peak": peak_bytes(reset_worked),
            "x_bytes": x_bytes(X), "method": "VmHWM reset" if reset_worked else "ru_maxrss"}


def main(argv) -> None:
    request = json.loads(argv[0])
    fields = {**request["workload"], "hidden": tuple(request["workload"]["hidden"])}
    workload = SparseWorkload(**fields) if "density" in fields else Workload(**fields)
    print(json.dumps(probe(request["contender"], workload, request["threads"],
                           request.get("sparse_solver"))))


if __name__ == "__main__":
    main(sys.argv[1:])
