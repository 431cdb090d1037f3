"""The work behind ``gradfall train``, ``predict`` and ``landscape`` (parsing lives in cli.py)."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from . import tabular
from .csv_io import CSVError, Table, read_table, write_table
from .typing import FloatArray

if TYPE_CHECKING:
    from .history import History
    from .network import Network

DROPPED_LINES_SHOWN = 10  # the drop report lists this many line numbers, then counts the rest


def train(args: argparse.Namespace) -> int:
    """``gradfall train``: fit a network to a CSV file and write the model."""
    from .network import Network
    from .optimizers import SGD, Adam
    from .progress import Progress

    _check_writable(args.output)
    _check_writable(tabular.sidecar_path(args.output))
    table = read_table(args.data)
    features = tabular.feature_columns(table, args.target)
    table = _complete_rows(table, tabular.missing_values(table, features, args.target),
                           args.drop_missing)
    task = tabular.choose_task(table, args.target, args.task)
    prep = tabular.fit_preprocessing(table, args.target, task)
    X, y = prep.transform(table), prep.encode_target(table)
    (X_fit, y_fit), validation = _split(X, y, args.val_split, args.seed)

    n_out = len(prep.classes) if task == "classification" else 1
    loss = "cross_entropy" if task == "classification" else "mse"
    net = Network([X.shape[1], *args.hidden, n_out], activation=args.activation, loss=loss,
                  seed=args.seed)
    lr = args.lr if args.lr is not None else (0.001 if args.optimizer == "adam" else 0.01)
    optimizer = Adam(lr=lr) if args.optimizer == "adam" else SGD(lr=lr, momentum=0.9)
    what = f"{len(prep.classes)} classes" if task == "classification" else "regression"
    print(f"{args.data}: {X.shape[0]} rows, {X.shape[1]} features, target {args.target!r} "
          f"({what}); {len(y_fit)} to train, {0 if validation is None else len(validation[1])} "
          f"to validate")
    print(repr(net))

    bar = None if args.quiet else Progress(args.epochs, use_tqdm=False)

    def progress(epoch: int, history: History) -> bool:
        if bar is not None:
            shown = {"loss": history.loss[-1]}
            if history.val_loss:
                shown["val_loss"] = history.val_loss[-1]
            bar.update(epoch + 1, **shown)
        return False

    history = net.fit(X_fit, y_fit, epochs=args.epochs, batch_size=args.batch_size,
                      optimizer=optimizer, validation_data=validation, callback=progress,
                      shuffle=True)
    if bar is not None:
        bar.close()
    for line in _metrics(net, prep, X_fit, y_fit, "training"):
        print(line)
    if validation is not None:
        for line in _metrics(net, prep, *validation, "validation"):
            print(line)
    try:
        tabular.save(net, prep, args.output)
    except OSError as error:  # checked up front, but the disk may fill or vanish meanwhile
        raise OSError(f"cannot write {args.output}: {error.strerror or error}") from None
    print(f"model written to {args.output} (+ {tabular.sidecar_path(args.output)})")
    return 0 if np.isfinite(history.loss[-1]) else 1


def predict(args: argparse.Namespace) -> int:
    """``gradfall predict``: one prediction per row of a CSV file."""
    if args.output != "-":
        _check_writable(args.output)
    net, prep = tabular.load(args.model)
    table = read_table(args.data)
    # Output row i predicts input row i, so a row cannot be skipped: a gap is an error.
    _refuse_missing(table, tabular.missing_values(table, prep.features), droppable=False)
    X = prep.transform(table)
    predictions = prep.decode(net.forward(X))
    write_table(args.output, [f"{prep.target}_predicted"], [[p] for p in predictions])
    if args.output != "-":
        print(f"{len(predictions)} predictions written to {args.output}", file=sys.stderr)
    if prep.target in table.columns:  # labelled data: say how well the model does on it
        try:
            lines = _metrics(net, prep, X, prep.encode_target(table), args.data)
        except ValueError as error:
            lines = [f"no metrics: {error}"]
        for line in lines:
            print(line, file=sys.stderr)
    return 0


def landscape(args: argparse.Namespace) -> int:
    """``gradfall landscape``: draw a model's loss landscape over a CSV file."""
    from . import landscape as landscapes
    from . import plot

    _check_writable(args.output)
    net, prep = tabular.load(args.model)
    if args.target is not None and args.target != prep.target:
        raise ValueError(f"the model was trained to predict {prep.target!r}, not {args.target!r}")
    table = read_table(args.data)
    table = _complete_rows(table, tabular.missing_values(table, prep.features, prep.target),
                           args.drop_missing)
    X, y = prep.transform(table), prep.encode_target(table)
    result = landscapes.surface(net, X, y, steps=args.steps, span=args.span, seed=args.seed)
    plot.landscape(result, args.output, kind=args.kind,
                   title=f"Loss landscape of {args.model}")
    print(f"{args.steps}x{args.steps} grid over {X.shape[0]} rows in {result.seconds:.2f} s; "
          f"loss at the model {result.center_loss:.6g}, lowest {result.losses.min():.6g}, "
          f"highest {result.losses.max():.6g}")
    print(f"landscape written to {args.output}")
    return 0


def _check_writable(path: str) -> None:
    """Fail now rather than after the work when ``path`` cannot be written; the message names
    the path as the user gave it."""
    if not path:
        raise ValueError("the output file name is empty")
    if os.path.isdir(path) or path.endswith(("/", os.sep)):
        raise ValueError(f"cannot write {path}: it names a directory, not a file")
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        reason = "is a file" if os.path.exists(directory) else "does not exist"
        raise ValueError(f"cannot write {path}: the directory {directory} {reason}")
    try:  # os.access misjudges some filesystems (and root); a real file settles it
        handle, probe = tempfile.mkstemp(prefix=".gradfall-", dir=directory)
        os.close(handle)
        os.remove(probe)
    except OSError as error:
        raise ValueError(f"cannot write {path}: cannot create files in {directory} "
                         f"({error.strerror})") from None
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise ValueError(f"cannot write {path}: the file is read-only")


def _complete_rows(table: Table, missing: list[tuple[int, str]], drop: bool) -> Table:
    """``table`` without the rows listed in ``missing`` when ``drop``, else an error about them."""
    if not drop:
        _refuse_missing(table, missing, droppable=True)
        return table
    if not missing:
        return table
    kept = table.without_rows([r for r, _ in missing])
    if not kept.rows:
        raise CSVError(f"{table.path}: every row has a missing value; no rows left")
    lines = [str(table.lines[r]) for r, _ in missing]
    shown = ", ".join(lines[:DROPPED_LINES_SHOWN])
    if len(lines) > DROPPED_LINES_SHOWN:
        shown += f" and {len(lines) - DROPPED_LINES_SHOWN} more"
    rows, where = ("rows", "lines") if len(lines) > 1 else ("row", "line")
    print(f"dropped {len(lines)} {rows} with missing values ({where} {shown})")
    return kept


def _refuse_missing(table: Table, missing: list[tuple[int, str]], droppable: bool) -> None:
    """An error naming the first missing cell, if any (and how many rows have one)."""
    if not missing:
        return
    notes = [f"{len(missing)} rows have missing values"] if len(missing) > 1 else []
    if droppable:
        notes.append("--drop-missing drops " + ("them" if notes else "the row"))
    shown = f" ({'; '.join(notes)})" if notes else ""
    raise CSVError(f"{table.where(*missing[0])}: missing value{shown}")


def _split(X: FloatArray, y: npt.NDArray[Any], fraction: float, seed: int
           ) -> tuple[tuple[FloatArray, npt.NDArray[Any]],
                      tuple[FloatArray, npt.NDArray[Any]] | None]:
    """(train, validation or None): a seeded shuffle, at least one row on each side."""
    n_val = int(round(fraction * X.shape[0]))
    if n_val < 1 or n_val >= X.shape[0]:
        return (X, y), None
    order = np.random.default_rng(seed).permutation(X.shape[0])
    val, fit = order[:n_val], order[n_val:]
    return (X[fit], y[fit]), (X[val], y[val])


def _metrics(net: Network, prep: tabular.Preprocessing, X: FloatArray, y: npt.NDArray[Any],
             name: str) -> list[str]:
    loss = net.loss(X, y)
    if prep.task == "classification":
        return [f"{name}: loss {loss:.4f}, accuracy {net.score(X, y):.4f}"]
    error = (net.forward(X)[:, 0] - y) * prep.y_scale  # back in the target's own units
    rmse = float(np.sqrt(np.mean(error.astype(np.float64) ** 2)))
    return [f"{name}: loss {loss:.4f}, R^2 {net.score(X, y):.4f}, RMSE {rmse:.4g}"]
