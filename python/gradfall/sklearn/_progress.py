"""Progress display for ``verbose=True``: a tqdm bar when tqdm is importable, plain lines otherwise."""
from __future__ import annotations

import sys


def _tqdm_class():
    try:
        from tqdm.auto import tqdm
    except Exception:  # pragma: no cover - depends on the environment
        return None
    return tqdm


class Progress:
    """Reports one line (or one bar update) per epoch / L-BFGS iteration.

    ``use_tqdm=None`` picks tqdm when it can be imported.
    """

    def __init__(self, total, desc="", enabled=True, use_tqdm=None, file=None):
        self.enabled = bool(enabled)
        self.total = total
        self.desc = desc
        self._bar = None
        self._file = file
        if not self.enabled:
            return
        tqdm = _tqdm_class() if use_tqdm in (None, True) else None
        if tqdm is not None:
            self._bar = tqdm(total=total, desc=desc, unit="it", leave=True, file=file,
                             dynamic_ncols=True)

    def update(self, iteration, loss, val_score=None):
        if not self.enabled:
            return
        if self._bar is not None:
            postfix = {"loss": f"{loss:.6g}"}
            if val_score is not None:
                postfix["val_score"] = f"{val_score:.4f}"
            self._bar.set_postfix(postfix, refresh=False)
            self._bar.update(1)
        else:
            out = self._file if self._file is not None else sys.stdout
            line = "Iteration %d, loss = %.8f" % (iteration, loss)
            if val_score is not None:
                line += ", validation score = %f" % val_score
            print(line, file=out, flush=True)

    def message(self, msg):
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.write(msg)
        else:
            out = self._file if self._file is not None else sys.stdout
            print(msg, file=out, flush=True)

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None
