"""Command line: ``gradfall`` / ``python -m gradfall``.

    gradfall                      the demo: spirals, progress, loss curve and decision boundary PNGs
    gradfall train data.csv --target COL [-o model.gfnet] [--drop-missing] ...
    gradfall predict model.gfnet data.csv [-o out.csv]
    gradfall landscape model.gfnet data.csv [--target COL] -o landscape.png [--drop-missing]

Every user error is one line on stderr and a non-zero exit status, never a traceback: 2 for a
bad flag, 1 for anything found while running (a bad CSV, a missing or corrupt file, an output
path that cannot be written, which is checked before any work starts).
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, TypeVar

from .csv_io import NUMBER_MISSING_MARKERS

Parsed = TypeVar("Parsed", int, float)


DROP_MISSING_HELP = ("drop rows with a missing value (an empty cell; in a column of numbers "
                     f"also {', '.join(NUMBER_MISSING_MARKERS[:-1])} or "
                     f"{NUMBER_MISSING_MARKERS[-1]}) and say which; without it they are an error")


class UsageError(Exception):
    """A bad flag or value: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the whole usage before the error; one line is easier to read and to test.
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command and flag."""
    parser = _Parser(prog="gradfall",
                     description="Train multilayer perceptrons on the CPU. With no command, "
                                 "trains a network on generated spirals and draws it.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--config", action="store_true",
                        help="print the build configuration (ISA, threads) and exit")
    parser.add_argument("--epochs", dest="demo_epochs", type=int, default=150, metavar="N",
                        help="epochs of the demo (default 150)")
    parser.add_argument("--no-plots", action="store_true", help="demo without the PNG files")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = commands.add_parser("train", help="train a network on a CSV file")
    train.add_argument("data", help="CSV with a header row")
    train.add_argument("--target", required=True, help="column to predict")
    train.add_argument("--task", choices=("auto", "classification", "regression"),
                       default="auto", help="default: classification for class names or few "
                                            "integer values, else regression")
    train.add_argument("--hidden", type=_widths, default=[64, 32],
                       help="hidden layer widths, e.g. 64,32 (default); 'none' for no hidden layer")
    train.add_argument("--activation", default="relu",
                       choices=("relu", "tanh", "sigmoid", "leaky_relu", "identity"))
    train.add_argument("--epochs", type=_positive_int, default=50)
    train.add_argument("--batch-size", type=_positive_int, default=32)
    train.add_argument("--lr", type=_positive_float, default=None,
                       help="learning rate (default 0.001 for adam, 0.01 for sgd)")
    train.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    train.add_argument("--val-split", type=_fraction, default=0.2,
                       help="fraction held out to report validation metrics (default 0.2)")
    train.add_argument("--seed", type=_non_negative_int, default=0)
    train.add_argument("-o", "--output", default="model.gfnet",
                       help="model file to write (and OUTPUT.json beside it)")
    train.add_argument("--drop-missing", action="store_true", help=DROP_MISSING_HELP)
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    predict = commands.add_parser("predict", help="predict every row of a CSV file")
    predict.add_argument("model", help="a model written by 'gradfall train'")
    predict.add_argument("data", help="CSV holding the model's feature columns")
    predict.add_argument("-o", "--output", default="-",
                         help="CSV to write (default stdout); one prediction per input row, so "
                              "a row with a missing feature value is an error")

    landscape = commands.add_parser("landscape", help="draw the loss landscape of a model")
    landscape.add_argument("model")
    landscape.add_argument("data")
    landscape.add_argument("--target", default=None, help="default: the column it was trained on")
    landscape.add_argument("-o", "--output", default="landscape.png", help="PNG to write")
    landscape.add_argument("--drop-missing", action="store_true", help=DROP_MISSING_HELP)
    landscape.add_argument("--steps", type=_positive_int, default=31, help="grid size (odd)")
    landscape.add_argument("--span", type=_positive_float, default=1.0)
    landscape.add_argument("--seed", type=_non_negative_int, default=0)
    landscape.add_argument("--kind", choices=("contour", "surface", "both"), default="both")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        return _run(args)
    except UsageError as error:
        return _fail(error, 2)
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as other Unix tools do.
        sys.stdout = open(os.devnull, "w")
        return 0
    except (ValueError, TypeError, OSError, ImportError, RuntimeError) as error:
        if os.environ.get("GRADFALL_TRACEBACK"):  # for debugging gradfall itself
            raise
        return _fail(error, 1)
    except KeyboardInterrupt:
        print("gradfall: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    if args.command is None:
        return _main_job(args)
    from . import commands

    command: Callable[[argparse.Namespace], int] = getattr(commands, args.command)
    return command(args)


def _main_job(args: argparse.Namespace) -> int:
    import gradfall as gf

    if args.version:
        print(gf.__version__)
        return 0
    if args.config:
        gf.show_config()
        return 0
    if args.demo_epochs < 1:
        raise UsageError("--epochs must be >= 1")
    from .demo import run_demo

    run_demo(epochs=args.demo_epochs, plots=not args.no_plots)
    return 0


def _fail(error: BaseException, status: int) -> int:
    message = " ".join(str(error).split()) or type(error).__name__
    print(f"gradfall: error: {message}", file=sys.stderr)
    return status


# ---------------------------------------------------------------- argument types
def _widths(text: str) -> list[int]:
    if text.strip().lower() in ("none", ""):
        return []
    try:
        widths = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of widths") \
            from None
    if any(w < 1 for w in widths):
        raise argparse.ArgumentTypeError("layer widths must be >= 1")
    return widths


def _positive_int(text: str) -> int:
    value = _parse(int, text, "an integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    value = _parse(int, text, "an integer")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = _parse(float, text, "a number")
    if not (value > 0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def _fraction(text: str) -> float:
    value = _parse(float, text, "a number")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def _parse(kind: Callable[[str], Parsed], text: str, what: str) -> Parsed:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None


if __name__ == "__main__":
    sys.exit(main())
