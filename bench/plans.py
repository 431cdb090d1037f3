"""What a run measures: GEMM shapes, training workloads, repeats (full, quick, or a custom plan)."""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Workload:
    """An MLP classification job: n samples of d features, ReLU hidden layers, softmax output."""
    name: str
    n: int
    d: int
    hidden: tuple
    classes: int
    batch: int

    @property
    def layers(self) -> list:
        return [self.d, *self.hidden, self.classes]

    def describe(self) -> str:
        hidden = ",".join(str(h) for h in self.hidden)
        return (f"n={self.n}, d={self.d}, hidden ({hidden}), {self.classes} classes, "
                f"batch {self.batch}")


@dataclass(frozen=True)
class SparseWorkload(Workload):
    """A bag-of-words classification job: n documents over a d-word vocabulary, each holding
    about density * d distinct words (Zipf-like word frequencies), ReLU hidden layers, softmax.
    The densified comparison runs on the first dense_n rows (the whole dense X may not fit)."""
    density: float
    dense_n: int

    @property
    def n_params(self) -> int:
        sizes = self.layers
        return sum(a * b + b for a, b in zip(sizes, sizes[1:]))

    def describe(self) -> str:
        return super().describe().replace(", hidden", f", density {self.density:g}, hidden", 1)


@dataclass(frozen=True)
class Plan:
    gemm_shapes: tuple                  # (M, K, N): A is M x K, B is K x N
    gemm_dtypes: tuple = ("float32", "float64")
    scalar_max_dim: int = 512           # the scalar path is too slow to time above this
    workloads: tuple = ()
    memory_workloads: tuple = ()        # names of workloads whose fit memory is probed
    memory_contenders: tuple = None     # names of contenders probed (None: all installed)
    repeats: int = 7                    # timed samples per contender (the median is reported)
    train_repeats: int = 5
    min_sample_seconds: float = 0.05    # a GEMM or predict sample loops until it lasts this long
    train_min_sample_seconds: float = 0.25   # a small epoch (~20 ms) is too short alone
    settle_seconds: float = 0.12        # idle gap between samples: OpenBLAS workers spin ~0.1 s
    peak_seconds: float = 0.2           # FMA-peak time per configuration, over several runs
    latency_rows: tuple = (1, 8, 64)    # rows per predict call in the latency section
    latency_warmup: int = 200           # untimed calls per contender before the timed ones
    latency_calls: int = 2000           # timed calls per contender, over the rounds
    latency_rounds: int = 5
    latency_round_seconds: float = 0.25  # a contender's share of a round (fewer calls if slow)
    threads: tuple = (1, 2)             # GEMM thread counts; the largest: train, predict, memory
    memory_target_mib: float = 64.0
    quality_problems: tuple = None      # names of the learning-quality problems (None: all)
    quality_seeds: tuple = (0, 1, 2)
    quality_epoch_share: float = 1.0    # of each problem's epoch budget (a quick run cuts it)
    quality_threads: int = 1            # small networks: a second thread only adds contention
    quality_init: str = None            # gradfall's init rule there (None: the library default)
    sparse_workload: SparseWorkload = None
    sparse_solvers: tuple = ("adam", "sgd")   # each a set of rows, scikit-learn's names
    sparse_repeats: int = 3

    @property
    def train_threads(self) -> int:
        return max(self.threads)

    def workload(self, name: str) -> Workload:
        for w in self.workloads:
            if w.name == name:
                return w
        raise ValueError(f"no workload named {name!r} in this plan")


WORKLOADS = (
    Workload("small", n=20000, d=64, hidden=(64,), classes=10, batch=32),
    Workload("medium", n=20000, d=784, hidden=(256, 128), classes=10, batch=128),
    Workload("large", n=10000, d=784, hidden=(1024, 1024), classes=10, batch=256),
)

# 20000 x 50000 float32 is 3.7 GiB dense: the densified run takes a tenth of the rows.
BAG_OF_WORDS = SparseWorkload("bag-of-words", n=20000, d=50000, density=0.001, hidden=(256,),
                              classes=10, batch=200, dense_n=2000)

FULL = Plan(
    gemm_shapes=((64, 784, 256), (128, 784, 256), (256, 256, 256),
                 (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048)),
    workloads=WORKLOADS,
    memory_workloads=("small", "medium", "large"),
    sparse_workload=BAG_OF_WORDS,
)

# Same networks on a tenth of the samples; GEMM only at the two smallest shapes.
QUICK = Plan(
    gemm_shapes=((64, 784, 256), (256, 256, 256)),
    workloads=tuple(replace(w, n=w.n // 10) for w in WORKLOADS),
    memory_workloads=("medium",),
    repeats=3,
    train_repeats=2,
    min_sample_seconds=0.01,
    train_min_sample_seconds=0.0,
    settle_seconds=0.0,
    peak_seconds=0.05,
    latency_rows=(1, 8),
    latency_warmup=10,
    latency_calls=100,
    latency_rounds=2,
    latency_round_seconds=0.01,
    quality_seeds=(0,),
    quality_epoch_share=0.02,
    sparse_workload=replace(BAG_OF_WORDS, n=2000, d=5000, density=0.01, dense_n=500),
    sparse_solvers=("adam",),
    sparse_repeats=2,
)
