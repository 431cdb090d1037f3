"""Progress of a training run, one update per epoch, shared by ``Network.fit(verbose=True)``,
the scikit-learn estimators and the command line.

With tqdm installed (an optional dependency) and allowed, a tqdm bar; otherwise plain lines:
by default a text bar redrawn in place on a terminal and written once per tenth of the run
elsewhere (so logs and pipes stay readable), or one line per epoch in a caller's own format.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

# A caller's line for one epoch: line(epoch, metrics) -> text.
LineFormat = Callable[[int, dict[str, float]], str]


def tqdm_class() -> Any:
    """tqdm's auto bar class, or None when tqdm is not installed."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def is_terminal(stream: TextIO) -> bool:
    return hasattr(stream, "isatty") and stream.isatty()


class Progress:
    """Per-epoch progress display.

    total      epochs expected (None: unknown)
    desc       the bar's label
    enabled    False: show nothing
    use_tqdm   None: tqdm when installed; False: never
    line       ``line(epoch, metrics) -> str``: the plain line of each epoch, printed every
               epoch (default: the text bar, in place or every tenth)
    file       where to write (default: stderr for bars, stdout for caller-formatted lines)
    """

    def __init__(self, total: int | None, desc: str = "", enabled: bool = True,
                 use_tqdm: bool | None = None, line: LineFormat | None = None,
                 file: TextIO | None = None, width: int = 30) -> None:
        self.enabled = bool(enabled)
        self.total = total
        self.desc = desc
        self._line = line
        self._file = file
        self._width = width
        self._start = time.perf_counter()
        self._last_tenth = 0
        self._bar: Any = None  # a tqdm bar (tqdm is optional and untyped)
        if not self.enabled:
            return
        tqdm = tqdm_class() if use_tqdm is None else None
        if tqdm is not None:
            self._bar = tqdm(total=total, desc=desc, unit="epoch", leave=True, file=file,
                             dynamic_ncols=True)

    @property
    def _out(self) -> TextIO:
        if self._file is not None:
            return self._file
        return sys.stdout if self._line is not None else sys.stderr

    def update(self, epoch: int, **metrics: float | None) -> None:
        """Epoch ``epoch`` (1-based) is done; ``metrics`` are shown with it (None values left out)."""
        if not self.enabled:
            return
        shown = {k: v for k, v in metrics.items() if v is not None}
        if self._bar is not None:
            self._bar.set_postfix({k: f"{v:.6g}" if k == "loss" else f"{v:.4f}"
                                   for k, v in shown.items()}, refresh=False)
            self._bar.update(1)
        elif self._line is not None:
            print(self._line(epoch, shown), file=self._out, flush=True)
        else:
            self._text_bar(epoch, shown)

    def _text_bar(self, epoch: int, metrics: dict[str, float]) -> None:
        total = max(int(self.total or epoch), 1)
        filled = int(self._width * min(epoch, total) / total)
        bar = "#" * filled + "-" * (self._width - filled)
        shown = "  ".join(f"{k} {v:.4g}" for k, v in metrics.items())
        text = (f"epoch {epoch:>{len(str(total))}}/{total} [{bar}] {shown}  "
                f"{time.perf_counter() - self._start:.1f}s")
        if is_terminal(self._out):
            print("\r" + text, end="", file=self._out, flush=True)
        elif epoch * 10 // total > self._last_tenth or epoch == total:
            self._last_tenth = epoch * 10 // total
            print(text, file=self._out, flush=True)

    def message(self, text: str) -> None:
        """A line between updates (e.g. why training stops)."""
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.write(text)
        else:
            print(text, file=self._out, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.enabled and self._line is None and is_terminal(self._out):
            print(file=self._out, flush=True)
