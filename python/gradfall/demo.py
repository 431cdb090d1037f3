"""The main job of ``python -m gradfall``: learn three interleaved spirals from scratch, then draw
the loss curve and the decision boundary into the current directory."""
from __future__ import annotations

import os
import time
from collections.abc import Callable

from .datasets import make_spirals
from .history import History
from .network import Network
from .optimizers import Adam
from .typing import FloatArray, IntArray, PathLike

LOSS_CURVE_PNG = "gradfall_loss_curve.png"
DECISION_BOUNDARY_PNG = "gradfall_decision_boundary.png"


def run_demo(epochs: int = 150, n_samples: int = 3000, seed: int = 0, report_every: int = 15,
             out: Callable[[str], object] = print, plots: bool = True,
             directory: PathLike = ".") -> tuple[Network, History, float]:
    """Trains a 2-64-64-3 network on generated spirals and prints progress; with ``plots`` (and
    matplotlib installed) writes the two PNGs to ``directory``. Returns (network, history,
    training accuracy)."""
    X, y = make_spirals(n_samples=n_samples, n_classes=3, noise=0.15, seed=seed)
    net = Network([2, 64, 64, 3], activation="tanh", output="softmax", loss="cross_entropy",
                  seed=seed)
    out(f"gradfall demo: {n_samples} points on 3 spirals, {epochs} epochs of Adam, "
        f"batch 32\n{net}")
    start = time.perf_counter()

    def progress(epoch: int, history: History) -> bool:
        if (epoch + 1) % report_every == 0 or epoch + 1 == epochs:
            out(f"  epoch {epoch + 1:>4}/{epochs}  loss {history.loss[-1]:.4f}  "
                f"accuracy {net.score(X, y):.3f}")
        return False

    history = net.fit(X, y, epochs=epochs, batch_size=32, optimizer=Adam(lr=0.01),
                      callback=progress, record_batches=True)
    elapsed = time.perf_counter() - start
    accuracy = net.score(X, y)
    out(f"done in {elapsed:.2f} s: final loss {history.loss[-1]:.4f}, training accuracy "
        f"{accuracy:.3f}")
    if plots:
        _draw(net, history, X, y, directory, out)
    return net, history, accuracy


def _draw(net: Network, history: History, X: FloatArray, y: IntArray, directory: PathLike,
          out: Callable[[str], object]) -> None:
    from . import plot

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        out("matplotlib is not installed, so no figures: pip install 'gradfall[plot]'")
        return
    curve = os.path.abspath(os.path.join(directory, LOSS_CURVE_PNG))
    boundary = os.path.abspath(os.path.join(directory, DECISION_BOUNDARY_PNG))
    plot.loss_curve(history, curve, title="Spirals: training loss")
    plot.decision_boundary(net, X, y, boundary, title="Spirals: what the network learned")
    out(f"loss curve written to {curve}")
    out(f"decision boundary written to {boundary}")
