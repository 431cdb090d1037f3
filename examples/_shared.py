"""What every example shares: ``--quick`` (tiny sizes, for the smoke tests; also the environment
variable GRADFALL_EXAMPLES_QUICK=1), ``--out DIR`` for its PNGs, and plotting only when
matplotlib is installed."""
from __future__ import annotations

import argparse
import os


def options(doc: str | None) -> argparse.Namespace:
    """The parsed flags of an example whose docstring is ``doc`` (its first line describes it)."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: runs in a second")
    parser.add_argument("--out", default=".", help="directory for the PNG files (default: here)")
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args()
    args.quick = args.quick or os.environ.get("GRADFALL_EXAMPLES_QUICK") == "1"
    return args


def figure_path(args: argparse.Namespace, name: str) -> str | None:
    """Where to save figure ``name``, or None when figures are off or matplotlib is missing."""
    if args.no_plots:
        return None
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("(matplotlib is not installed: no figures; pip install 'gradfall[plot]')")
        args.no_plots = True
        return None
    os.makedirs(args.out, exist_ok=True)
    return os.path.join(args.out, name)


def saved(path: str | None) -> None:
    if path is not None:
        print(f"figure written to {os.path.abspath(path)}")
