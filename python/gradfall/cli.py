"""Command line: ``gradfall`` / ``python -m gradfall``."""
from __future__ import annotations

import argparse
import sys


def build_parser():
    parser = argparse.ArgumentParser(
        prog="gradfall", description="Train multilayer perceptrons on the CPU. With no command, "
                                     "trains a network on generated spirals.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--config", action="store_true",
                        help="print the build configuration (ISA, threads) and exit")
    parser.add_argument("--epochs", type=int, default=150, help="epochs of the demo (default 150)")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    import gradfall as gf

    if args.version:
        print(gf.__version__)
        return 0
    if args.config:
        gf.show_config()
        return 0
    if args.epochs < 1:
        print("gradfall: error: --epochs must be >= 1", file=sys.stderr)
        return 2
    from .demo import run_demo

    run_demo(epochs=args.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
