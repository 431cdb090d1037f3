"""A one-line text progress bar for training: redrawn in place on a terminal, a few plain lines
otherwise (so logs and pipes stay readable)."""
from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, total, file=None, width=30):
        self.total = max(int(total), 1)
        self.file = file if file is not None else sys.stderr
        self.width = width
        self.start = time.perf_counter()
        self.interactive = hasattr(self.file, "isatty") and self.file.isatty()
        self._last_reported = 0

    def update(self, done, **metrics):
        filled = int(self.width * done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        shown = "  ".join(f"{k} {v:.4g}" for k, v in metrics.items())
        line = f"epoch {done:>{len(str(self.total))}}/{self.total} [{bar}] {shown}  " \
               f"{time.perf_counter() - self.start:.1f}s"
        if self.interactive:
            print("\r" + line, end="", file=self.file, flush=True)
        elif done * 10 // self.total > self._last_reported or done == self.total:
            # Without a terminal, one line per tenth of the run.
            self._last_reported = done * 10 // self.total
            print(line, file=self.file, flush=True)

    def close(self):
        if self.interactive:
            print(file=self.file, flush=True)
