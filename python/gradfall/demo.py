"""The main job of ``python -m gradfall``: learn three interleaved spirals from scratch."""
from __future__ import annotations

import time

from .datasets import make_spirals
from .network import Network
from .optimizers import Adam


def run_demo(epochs=150, n_samples=3000, seed=0, report_every=15, out=print):
    """Trains a 2-64-64-3 network on generated spirals and prints progress; returns
    (network, history, training accuracy)."""
    X, y = make_spirals(n_samples=n_samples, n_classes=3, noise=0.15, seed=seed)
    net = Network([2, 64, 64, 3], activation="tanh", output="softmax", loss="cross_entropy",
                  seed=seed)
    out(f"gradfall demo: {n_samples} points on 3 spirals, {epochs} epochs of Adam, "
        f"batch 32\n{net}")
    start = time.perf_counter()

    def progress(epoch, history):
        if (epoch + 1) % report_every == 0 or epoch + 1 == epochs:
            out(f"  epoch {epoch + 1:>4}/{epochs}  loss {history.loss[-1]:.4f}  "
                f"accuracy {net.score(X, y):.3f}")
        return False

    history = net.fit(X, y, epochs=epochs, batch_size=32, optimizer=Adam(lr=0.01),
                      callback=progress)
    elapsed = time.perf_counter() - start
    accuracy = net.score(X, y)
    out(f"done in {elapsed:.2f} s: final loss {history.loss[-1]:.4f}, training accuracy "
        f"{accuracy:.3f}")
    return net, history, accuracy
