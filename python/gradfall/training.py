"""Training: an ``EpochRunner`` runs whole epochs in the core (shuffle, minibatches, forward,
backward, update, with the GIL released); ``fit`` is ``Network.fit``'s loop around it.

Loops over epochs live in Python (a handful of calls per fit); loops over batches never do.
Between epochs a loop asks the optimizer's schedule for the next rate (``optimizer.end_epoch``),
the stopping rule whether to go on, and shows progress.

Data-parallel training (``comm=``, see ``gradfall.distributed``): each process runs this same
loop on its shard; the core sums every batch across the processes, and everything decided here
between epochs (validation, early stopping, divergence, the callback's answer) comes from sums
across the processes, so every process decides alike.

Divergence: a batch whose loss or gradient is NaN or infinite stops ``fit`` before that
batch's update, and an epoch whose mean loss exceeds ``divergence_factor`` (default 100) times
the loss training started from (the mean over the fit's first 32 or more rows) stops it after
that epoch; either raises ``DivergenceError`` and puts the network and the optimizer back as
they were after the last good epoch. The start, not the best epoch, is the reference: near a
minimum the best loss can be tiny, and a harmless spike would count as divergence.
"""
from __future__ import annotations

import signal
import sys
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

import numpy as np
import numpy.typing as npt

from . import _core, objectives
from .distributed import Local, collective_of
from ._validation import check_int, check_non_negative, check_positive
from .history import History
from .optimizers import SGD, Optimizer
from .progress import Progress, is_terminal
from .schedules import Progress as ScheduleProgress
from .stopping import EarlyStopping
from .typing import Communicator, Features, FloatArray, Float64Array, IntArray

if TYPE_CHECKING:
    from .network import Network, Prepared

# (epoch index, the history so far) -> True to stop.
Callback = Callable[[int, History], "bool | None"]

DIVERGENCE_FACTOR = 100.0


class DivergenceError(RuntimeError):
    """Training diverged: the loss became NaN/infinite or grew far beyond where it started."""


class EpochResult(NamedTuple):
    loss: float                      # mean training loss over the epoch's samples (or the
                                     # batches done, when it stopped early)
    grad_norms: Float64Array         # per layer: mean over the batches of ||(dW_l, db_l)||
    batch_losses: Float64Array | None  # every batch's loss, when recorded
    diverged: bool                   # stopped at a non-finite batch (its update not applied)
    batches_done: int
    failed_loss: float               # that batch's loss
    start_loss: float                # the loss training started from (see the module docs)
    interrupted: bool = False        # Ctrl-C ended it between batches (deliver_interrupt next)


class EpochRunner:
    """Epochs of minibatch training of ``net`` on one data set with one optimizer.

    Built once per fit (the core allocates its workspace then); each ``run()`` is one epoch at
    the optimizer's current rate, shuffled by (net.seed, net.epochs_trained), after which the
    network and the optimizer count the epoch and the rows it saw. ``stop_on_nonfinite``: a
    NaN/inf batch loss or gradient ends the epoch before that batch's update.

    ``comm``: data-parallel training over an MPI communicator (or a ``gradfall.distributed``
    collective): (X, y) is this process's shard, ``batch_size`` the global batch size,
    ``n_samples`` the rows of all shards, and rank 0's weights are broadcast first.
    """

    def __init__(self, net: Network, X: Features, y: npt.ArrayLike, *, batch_size: int,
                 optimizer: Optimizer, shuffle: bool = True,
                 sample_weight: npt.ArrayLike | None = None, l2: float = 0.0,
                 record_batches: bool = False, stop_on_nonfinite: bool = True,
                 comm: Communicator | Local = None) -> None:
        """Use as ``with EpochRunner(...) as runner:``: one fit of a network at a time."""
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be gf.SGD or gf.Adam, got {type(optimizer).__name__}")
        self.collective = collective = collective_of(comm)
        self.batch_size = check_int("batch_size", batch_size, 1)
        l2 = check_non_negative("l2", l2)
        data = collective.checked("preparing the training data",
                                  lambda: _shard_of(net, X, y, sample_weight))
        collective.agree("the network and the training settings",
                         (repr(net), net.activations, net.dropout, self.batch_size, bool(shuffle), l2,
                          bool(record_batches), bool(stop_on_nonfinite), repr(optimizer)))
        own_rows = np.zeros(collective.size)
        own_rows[collective.rank] = data.X.shape[0]
        shard_rows = [int(rows) for rows in collective.total(own_rows)]  # every rank's, by rank
        self.net = net
        self.optimizer = optimizer
        self.n_samples = sum(shard_rows)
        self._options = _core.EpochOptions()
        self._options.shuffle = bool(shuffle)
        self._options.record_batches = bool(record_batches)
        self._options.stop_on_nonfinite = bool(stop_on_nonfinite)
        self._state = optimizer.state_for(net.n_params, net.dtype)
        if collective.distributed:
            start = net.params.copy()
            collective.broadcast(start)
            net.load_params(start)
        self._trainer = _core.Trainer(net.spec, net.param_guard, data.X, data.labels, data.dense,
                                      data.weights, self.batch_size, net.seed, l2,
                                      shard_rows=shard_rows if collective.distributed else [],
                                      rank=collective.rank,
                                      sum=collective.sum if collective.distributed else None)

    def batch_sizes(self) -> IntArray:
        """Rows of every batch of an epoch (over all processes' shards)."""
        return np.asarray(self._trainer.batch_sizes(), dtype=np.int64)

    def __enter__(self) -> EpochRunner:
        self.net.param_guard.begin_training()
        return self

    def __exit__(self, *exc: object) -> None:
        self.net.param_guard.end_training()

    def run(self) -> EpochResult:
        """One epoch. Ctrl-C ends it after the batch in progress (the weights are then those of
        the last completed batch, the epoch uncounted): ``interrupted`` is set, and the caller
        records what it needs and then calls ``deliver_interrupt``."""
        self._options.epoch_index = self.net.epochs_trained
        result = self._trainer.run_epoch(self.optimizer.config(), self._state, self._options)
        diverged = result.stop == _core.StopReason.diverged
        interrupted = result.stop == _core.StopReason.interrupted
        if not (diverged or interrupted):
            self.net.epochs_trained += 1
            self.net.samples_trained += self.n_samples
            self.optimizer.epochs += 1
            self.optimizer.samples += self.n_samples
        batch_losses = result.batch_losses if self._options.record_batches else None
        return EpochResult(result.loss, result.grad_norms, batch_losses, diverged,
                           result.batches_done, result.failed_loss, result.start_loss, interrupted)

    @staticmethod
    def deliver_interrupt() -> None:
        """Hand the Ctrl-C that stopped an epoch to Python: KeyboardInterrupt (or the user's
        SIGINT handler) from here."""
        signal.raise_signal(signal.SIGINT)

    def progress(self, loss: float, val_loss: float | None = None) -> ScheduleProgress:
        """Where training stands after an epoch, for the optimizer's schedule."""
        return ScheduleProgress(self.optimizer.epochs, self.optimizer.samples, loss, val_loss)


def _shard_of(net: Network, X: Features, y: npt.ArrayLike,
              sample_weight: npt.ArrayLike | None) -> Prepared:
    """``net.prepare``'s inputs, which must hold at least one row."""
    data = net.prepare(X, y, sample_weight)
    if data.X.shape[0] < 1:
        raise ValueError("X must have at least one row")
    return data


class _Snapshot:
    """The parameters and optimizer state after the last completed epoch."""

    def __init__(self, net: Network, optimizer: Optimizer) -> None:
        self.net, self.optimizer = net, optimizer
        self.take()

    def take(self) -> None:
        state = self.optimizer.state
        assert state is not None  # EpochRunner made it
        self.params = self.net.params.copy()
        self.buffers = [None if b is None else b.copy()
                        for b in (state.momentum, state.first_moment, state.second_moment)]
        self.step, self.lr = state.step, self.optimizer.lr

    def restore(self) -> None:
        state = self.optimizer.state
        assert state is not None
        self.net.load_params(self.params)
        for buffer, saved in zip((state.momentum, state.first_moment, state.second_moment),
                                 self.buffers):
            if saved is not None:
                buffer[...] = saved
        state.step, self.optimizer.lr = self.step, self.lr


def fit(net: Network, X: Features, y: npt.ArrayLike, *, epochs: int, batch_size: int,
        optimizer: Optimizer | None, shuffle: bool, sample_weight: npt.ArrayLike | None,
        class_weight: str | dict[Any, float] | None, l2: float,
        validation_data: tuple[Features, npt.ArrayLike] | None,
        early_stopping: bool | EarlyStopping | None, record_batches: bool,
        callback: Callback | None, verbose: bool, reset_history: bool,
        divergence_factor: float | None, comm: Communicator = None) -> History:
    """``Network.fit``: see its docstring."""
    epochs = check_int("epochs", epochs, 0)
    if optimizer is None:
        optimizer = net.optimizer if net.optimizer is not None else SGD(lr=0.01)
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable")
    collective = collective_of(comm)
    if class_weight is not None:
        sample_weight = _with_class_weight(net, X, y, sample_weight, class_weight, collective)
    if divergence_factor is not None:
        divergence_factor = check_positive("divergence_factor", divergence_factor)
    collective.agree("epochs, validation and early stopping",
                     (epochs, validation_data is None, repr(early_stopping), divergence_factor))
    runner = EpochRunner(net, X, y, batch_size=batch_size, optimizer=optimizer, shuffle=shuffle,
                         sample_weight=sample_weight, l2=l2, record_batches=record_batches,
                         stop_on_nonfinite=divergence_factor is not None, comm=collective)
    validation = collective.checked("preparing the validation data",
                                    lambda: _validation_set(net, validation_data))
    with runner:
        return _epochs(net, runner, epochs, optimizer, validation, early_stopping, callback,
                       verbose, reset_history, divergence_factor)


def _epochs(net: Network, runner: EpochRunner, epochs: int, optimizer: Optimizer,
            validation: Prepared | None, early_stopping: bool | EarlyStopping | None,
            callback: Callback | None, verbose: bool, reset_history: bool,
            divergence_factor: float | None) -> History:
    """fit's loop over epochs, with the network marked as training."""
    stopping = _early_stopping(early_stopping, validation is not None)
    net.optimizer = optimizer
    if reset_history or net.history is None:
        net.history = History(net.n_layers)
    history = net.history
    collective = runner.collective
    # Data-parallel: every rank has the same history; rank 0 shows it.
    progress = Progress(epochs, desc="fit", enabled=verbose and collective.rank == 0,
                        use_tqdm=None if is_terminal(sys.stderr) else False)
    snapshot = _Snapshot(net, optimizer)
    optimizer.begin()
    try:
        for epoch in range(epochs):
            result = runner.run()
            if result.interrupted:
                history.interrupted_epoch = {"epoch": history.epochs,
                                             "batches": result.batches_done, "loss": result.loss}
                runner.deliver_interrupt()
                break  # a SIGINT handler that does not raise: fit returns early
            if result.diverged or _grew(result, divergence_factor):
                _undo_epoch(runner, snapshot, result.diverged)
                where = (f"in epoch {epoch + 1}, batch {result.batches_done + 1}: loss "
                         f"{result.failed_loss:.6g}" if result.diverged else
                         f"in epoch {epoch + 1}: mean loss {result.loss:.6g}, over "
                         f"{divergence_factor:g} times the {result.start_loss:.6g} it started at")
                raise DivergenceError(
                    f"training diverged {where}; the network keeps the weights of the last good "
                    f"epoch. Try a smaller learning rate (lr={optimizer.lr:g})")
            history.add_epoch(result.loss, result.grad_norms, result.batch_losses)
            val_loss = _validate(net, validation, history, collective)
            optimizer.end_epoch(runner.progress(result.loss, val_loss))
            progress.update(epoch + 1, loss=result.loss, val_loss=val_loss)
            if stopping is not None and stopping.update(_monitored(stopping, history),
                                                        history.epochs - 1, net.params):
                progress.message(f"early stopping after epoch {history.epochs}: "
                                 f"{stopping.monitor} has not improved for "
                                 f"{stopping.patience} epochs")
                break
            if divergence_factor is not None:
                snapshot.take()
            if callback is not None and _callback_stops(callback, epoch, history, collective):
                break
    finally:
        progress.close()
    if stopping is not None and stopping.restore_best and stopping.best_params is not None:
        net.load_params(stopping.best_params)
        history.best_epoch = stopping.best_epoch
    return history


def _grew(result: EpochResult, factor: float | None) -> bool:
    return factor is not None and result.loss > factor * result.start_loss


def _undo_epoch(runner: EpochRunner, snapshot: _Snapshot, stopped_early: bool) -> None:
    """Back to the snapshot; an epoch that ran to its end is uncounted too."""
    snapshot.restore()
    if not stopped_early:
        runner.net.epochs_trained -= 1
        runner.net.samples_trained -= runner.n_samples
        runner.optimizer.epochs -= 1
        runner.optimizer.samples -= runner.n_samples


def _callback_stops(callback: Callback, epoch: int, history: History,
                    collective: Local) -> bool:
    """The callback's answer (True: stop); data-parallel, every rank stops when one says so, and
    a callback raising on any rank raises DistributedError on all (the once-per-epoch check)."""
    if not collective.distributed:
        return bool(callback(epoch, history))
    return collective.any(collective.checked(f"the callback after epoch {epoch + 1}",
                                             lambda: bool(callback(epoch, history))))


def _validate(net: Network, validation: Prepared | None, history: History,
              collective: Local) -> float | None:
    """Validation loss and score of the network into the history; the loss, or None.
    Data-parallel: over the validation rows of every rank."""
    if validation is None:
        return None
    out = _core.forward(net.spec, net.params, validation.X, net.param_guard)
    val_loss = float(_core.loss_and_gradient(net.spec, net.params, validation.X,
                                             validation.labels, validation.dense, None, 0.0,
                                             False, net.param_guard)[0])
    if collective.distributed:  # the mean over every rank's rows
        rows = validation.X.shape[0]
        loss_sum, all_rows = collective.total([val_loss * rows, rows])
        val_loss = float(loss_sum / all_rows)
    history.val_loss.append(val_loss)
    history.val_score.append(objectives.score(net.loss_name, out, validation.labels,
                                              validation.dense, None, total=collective.total))
    return val_loss


def _monitored(stopping: EarlyStopping, history: History) -> float:
    return {"loss": history.loss, "val_loss": history.val_loss,
            "val_score": history.val_score}[stopping.monitor][-1]


def _early_stopping(early_stopping: bool | EarlyStopping | None,
                    has_validation: bool) -> EarlyStopping | None:
    if early_stopping is None or early_stopping is False:
        return None
    if early_stopping is True:
        early_stopping = EarlyStopping(monitor="val_loss" if has_validation else "loss")
    if not isinstance(early_stopping, EarlyStopping):
        raise TypeError(f"early_stopping must be True, False or a gf.EarlyStopping, got "
                        f"{type(early_stopping).__name__}")
    if early_stopping.monitor.startswith("val_") and not has_validation:
        raise ValueError(f"early stopping on {early_stopping.monitor!r} needs validation_data")
    early_stopping.reset()
    return early_stopping


def _with_class_weight(net: Network, X: Features, y: npt.ArrayLike,
                       sample_weight: npt.ArrayLike | None,
                       class_weight: str | dict[Any, float], collective: Local) -> FloatArray:
    """The sample weights times the class weights ("balanced": counted over every rank)."""
    data = collective.checked("preparing the training data",
                              lambda: net.prepare(X, y, sample_weight))
    weights = objectives.class_weights(net.loss_name, data.labels, data.dense, class_weight,
                                       net.n_outputs, net.dtype, total=collective.total)
    return weights if data.weights is None else weights * data.weights


def _validation_set(net: Network, validation_data: tuple[Features, npt.ArrayLike] | None
                    ) -> Prepared | None:
    if validation_data is None:
        return None
    try:
        X_val, y_val = validation_data
    except (TypeError, ValueError):
        raise ValueError("validation_data must be a pair (X_val, y_val)") from None
    return net.prepare(X_val, y_val, name="X_val")
