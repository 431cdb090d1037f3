"""Command line of ``python -m bench``."""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from gradfall import initializers

from . import plans, runner


def parse(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench", description=(
        "gradfall against numpy (GEMM), scikit-learn, PyTorch and onnxruntime (training, predict, "
        "latency, memory, learning quality, sparse input). "
        "Writes bench/results/<timestamp>.md, latest.md and a PNG chart."))
    p.add_argument("--quick", action="store_true",
                   help="small sizes and few repeats (under a minute): a smoke run, not figures")
    p.add_argument("--only", default=",".join(runner.SECTIONS),
                   help="comma-separated sections to run: " + ",".join(runner.SECTIONS)
                        + " (default all)")
    p.add_argument("--threads", default="1,2",
                   help="GEMM thread counts, comma-separated (default 1,2); training, predict, "
                        "latency and memory use the largest for every contender")
    p.add_argument("--quality-threads", type=int, default=plans.FULL.quality_threads,
                   help="threads of every contender in the learning-quality section (default "
                        f"{plans.FULL.quality_threads})")
    p.add_argument("--quality-init", choices=sorted(initializers.RULES), default=None,
                   help="gf.Network's init rule in the learning-quality section (default: the "
                        f"library's, {initializers.DEFAULT})")
    p.add_argument("--out", default=str(runner.DEFAULT_OUT), help="output directory")
    args = p.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in only if s not in runner.SECTIONS]
    if unknown:
        p.error(f"unknown section(s) {', '.join(unknown)}; "
                f"choose from {', '.join(runner.SECTIONS)}")
    try:
        threads = tuple(sorted({int(t) for t in args.threads.split(",")}))
    except ValueError:
        p.error(f"--threads takes integers like 1,2; got {args.threads!r}")
    if not threads or threads[0] < 1:
        p.error("--threads must be positive integers")
    if args.quality_threads < 1:
        p.error("--quality-threads must be a positive integer")
    return args, only, threads


def main(argv=None) -> None:
    args, only, threads = parse(argv)
    plan = replace(plans.QUICK if args.quick else plans.FULL, threads=threads,
                   quality_threads=args.quality_threads, quality_init=args.quality_init)
    command = " ".join(["python -m bench", *(sys.argv[1:] if argv is None else argv)])
    result = runner.run(plan, only=only, out_dir=args.out, command=command)
    sys.exit(1 if result.failed else 0)
