"""What a ``fit`` records: the loss curve and friends."""
from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .typing import Float64Array


class History:
    """Per-epoch training record.

    loss        mean training loss of each epoch (over its minibatches, as they were trained)
    batch_loss  per epoch, the loss of every minibatch (when ``record_batches=True``)
    val_loss    validation loss after each epoch (when ``validation_data`` is given)
    val_score   validation accuracy (classifiers) or R^2 (regression) after each epoch
    grad_norm   (epochs, n_layers): mean over the epoch's batches of each layer's gradient norm
    best_epoch  with early stopping that restored weights: the (0-based) epoch they come from
    interrupted_epoch  after Ctrl-C stopped fit within an epoch: {"epoch": its 0-based index,
                "batches": batches completed (their updates kept), "loss": their mean loss}

    A network's history accumulates over its ``fit`` calls (``fit(reset_history=True)`` starts
    a new one); validation figures cover the epochs that had validation data.
    """

    def __init__(self, n_layers: int) -> None:
        self.loss: list[float] = []
        self.batch_loss: list[Float64Array] = []
        self.val_loss: list[float] = []
        self.val_score: list[float] = []
        self._grad_norms: list[Float64Array] = []
        self._n_layers = n_layers
        self.best_epoch: int | None = None
        self.interrupted_epoch: dict[str, Any] | None = None

    def add_epoch(self, loss: float, grad_norms: npt.ArrayLike,
                  batch_losses: npt.ArrayLike | None) -> None:
        """Append one epoch: its mean loss, per-layer gradient norms, batch losses (or None)."""
        self.loss.append(float(loss))
        self._grad_norms.append(np.asarray(grad_norms, dtype=np.float64))
        if batch_losses is not None:
            self.batch_loss.append(np.asarray(batch_losses, dtype=np.float64))

    def describe_last(self, total_epochs: int | None = None) -> str:
        """One line about the latest epoch: its number, loss and validation figures."""
        of = f"/{total_epochs}" if total_epochs else ""
        line = f"epoch {self.epochs}{of}  loss {self.loss[-1]:.6g}"
        if self.val_loss:
            line += f"  val_loss {self.val_loss[-1]:.6g}  val_score {self.val_score[-1]:.4f}"
        return line

    @property
    def grad_norm(self) -> Float64Array:
        if not self._grad_norms:
            return np.zeros((0, self._n_layers))
        return np.vstack(self._grad_norms)

    def to_dict(self) -> dict[str, list[Any]]:
        """Plain lists, ready for ``json.dump``."""
        return {"loss": list(self.loss), "batch_loss": [b.tolist() for b in self.batch_loss],
                "val_loss": list(self.val_loss), "val_score": list(self.val_score),
                "grad_norm": self.grad_norm.tolist()}

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        last = f", last loss {self.loss[-1]:.6g}" if self.loss else ""
        return f"History({self.epochs} epochs{last})"
