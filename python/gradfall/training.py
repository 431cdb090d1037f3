"""Training: an ``EpochRunner`` runs whole epochs in the core (shuffle, minibatches, forward,
backward, update, with the GIL released); ``fit`` is ``Network.fit``'s loop around it.

Loops over epochs live in Python (a handful of calls per fit); loops over batches never do.
Between epochs a loop asks the optimizer's schedule for the next rate (``optimizer.end_epoch``).
"""
from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np

from . import _core, objectives
from ._validation import check_int, check_non_negative
from .history import History
from .optimizers import SGD, Optimizer
from .schedules import Progress


class EpochResult(NamedTuple):
    loss: float                      # mean training loss over the epoch's samples
    grad_norms: np.ndarray           # per layer: mean over the batches of ||(dW_l, db_l)||
    batch_losses: np.ndarray | None  # every batch's loss, when recorded


class EpochRunner:
    """Epochs of minibatch training of ``net`` on one data set with one optimizer.

    Built once per fit (the core allocates its workspace then); each ``run()`` is one epoch at
    the optimizer's current rate, shuffled by (net.seed, net.epochs_trained), after which the
    network counts the epoch and the rows it saw.
    """

    def __init__(self, net, X, y, *, batch_size, optimizer, shuffle=True, sample_weight=None,
                 l2=0.0, record_batches=False):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be gf.SGD or gf.Adam, got {type(optimizer).__name__}")
        data = net.prepare(X, y, sample_weight)
        self.net = net
        self.optimizer = optimizer
        self.n_samples = data.X.shape[0]
        self.shuffle = bool(shuffle)
        self.record_batches = bool(record_batches)
        self._state = optimizer.state_for(net.n_params, net.dtype)
        self._trainer = _core.Trainer(net.spec, net.params, data.X, data.labels, data.dense,
                                      data.weights, check_int("batch_size", batch_size, 1),
                                      net.seed, check_non_negative("l2", l2))

    def run(self) -> EpochResult:
        result = self._trainer.run_epoch(self.optimizer.config(), self._state,
                                         self.net.epochs_trained, self.shuffle,
                                         self.record_batches)
        self.net.epochs_trained += 1
        self.net.samples_trained += self.n_samples
        return EpochResult(result["loss"], result["grad_norms"], result["batch_losses"])

    def progress(self, loss) -> Progress:
        """Where training stands after an epoch with mean loss ``loss``."""
        return Progress(self.net.epochs_trained, self.net.samples_trained, loss)


def fit(net, X, y, *, epochs, batch_size, optimizer, shuffle, sample_weight, l2, validation_data,
        record_batches, callback, verbose) -> History:
    """``Network.fit``: see its docstring."""
    epochs = check_int("epochs", epochs, 0)
    if optimizer is None:
        optimizer = net.optimizer if net.optimizer is not None else SGD(lr=0.01)
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable")
    runner = EpochRunner(net, X, y, batch_size=batch_size, optimizer=optimizer, shuffle=shuffle,
                         sample_weight=sample_weight, l2=l2, record_batches=record_batches)
    validation = _validation_set(net, validation_data)
    net.optimizer = optimizer
    history = History(net.n_layers)
    net.history = history
    for epoch in range(epochs):
        result = runner.run()
        history.add_epoch(result.loss, result.grad_norms, result.batch_losses)
        if validation is not None:
            out = _core.forward(net.spec, net.params, validation.X)
            history.val_loss.append(_core.loss_and_gradient(
                net.spec, net.params, validation.X, validation.labels, validation.dense, None,
                0.0, False)[0])
            history.val_score.append(objectives.score(net.loss_name, out, validation.labels,
                                                      validation.dense, None))
        if verbose:
            print(history.describe_last(epochs), flush=True)
        if not math.isfinite(result.loss):
            warnings.warn(f"training diverged at epoch {epoch + 1} (loss {result.loss}); "
                          f"lower the learning rate", RuntimeWarning, stacklevel=3)
            break
        optimizer.end_epoch(runner.progress(result.loss))
        if callback is not None and callback(epoch, history):
            break
    return history


def _validation_set(net, validation_data):
    if validation_data is None:
        return None
    try:
        X_val, y_val = validation_data
    except (TypeError, ValueError):
        raise ValueError("validation_data must be a pair (X_val, y_val)") from None
    return net.prepare(X_val, y_val, name="X_val")
