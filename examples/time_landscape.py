"""How long a loss landscape takes: a 51x51 surface of a 784-256-128-10 network over 10 000
MNIST-sized samples (random pixels; the time does not depend on what the data shows).

    python examples/time_landscape.py [--steps 51] [--samples 10000] [--threads 2] [--out DIR]
"""
from __future__ import annotations

import argparse
from collections.abc import Sequence
import os
import time

import numpy as np

import gradfall as gf


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--steps", type=int, default=51)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="a 5x5 grid over 500 samples")
    parser.add_argument("--out", default=None, help="also draw the surface into DIR")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.samples = 5, 500
    gf.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    X = rng.random((args.samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, args.samples)
    net = gf.Network([784, 256, 128, 10], loss="cross_entropy", dtype="float32", seed=0)
    start = time.perf_counter()
    result = gf.landscape.surface(net, X, y, steps=args.steps, span=1.0, seed=0)
    total = time.perf_counter() - start
    points = args.steps ** 2
    print(f"{args.steps}x{args.steps} surface, {args.samples} samples, 784-256-128-10 float32, "
          f"{gf.get_num_threads()} threads, {gf.get_isa()}: grid {result.seconds:.2f} s "
          f"({result.seconds / points * 1e3:.1f} ms per point), {total:.2f} s in all")
    print(f"centre {result.center:.6f} vs net.loss {result.center_loss:.6f}")
    if args.out is not None:
        path = os.path.join(args.out, "time_landscape.png")
        gf.plot.landscape(result, path, title="Loss landscape of an untrained 784-256-128-10")
        print(f"figure written to {os.path.abspath(path)}")


if __name__ == "__main__":
    main()
