"""The work behind ``gradfall train``, ``predict`` and ``landscape`` (parsing lives in cli.py)."""
from __future__ import annotations

import sys

import numpy as np

from . import tabular
from .csv_io import read_table, write_table


def train(args) -> int:
    from .network import Network
    from .optimizers import SGD, Adam
    from .progress import Progress

    table = read_table(args.data)
    table.column_index(args.target)
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

    def progress(epoch, history):
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
    tabular.save(net, prep, args.output)
    print(f"model written to {args.output} (+ {tabular.sidecar_path(args.output)})")
    return 0 if np.isfinite(history.loss[-1]) else 1


def predict(args) -> int:
    net, prep = tabular.load(args.model)
    table = read_table(args.data)
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


def landscape(args) -> int:
    from . import landscape as landscapes
    from . import plot

    net, prep = tabular.load(args.model)
    if args.target is not None and args.target != prep.target:
        raise ValueError(f"the model was trained to predict {prep.target!r}, not {args.target!r}")
    table = read_table(args.data)
    X, y = prep.transform(table), prep.encode_target(table)
    result = landscapes.surface(net, X, y, steps=args.steps, span=args.span, seed=args.seed)
    plot.landscape(result, args.output, kind=args.kind,
                   title=f"Loss landscape of {args.model}")
    print(f"{args.steps}x{args.steps} grid over {X.shape[0]} rows in {result.seconds:.2f} s; "
          f"loss at the model {result.center_loss:.6g}, lowest {result.losses.min():.6g}, "
          f"highest {result.losses.max():.6g}")
    print(f"landscape written to {args.output}")
    return 0


def _split(X, y, fraction, seed):
    """(train, validation or None): a seeded shuffle, at least one row on each side."""
    n_val = int(round(fraction * X.shape[0]))
    if n_val < 1 or n_val >= X.shape[0]:
        return (X, y), None
    order = np.random.default_rng(seed).permutation(X.shape[0])
    val, fit = order[:n_val], order[n_val:]
    return (X[fit], y[fit]), (X[val], y[val])


def _metrics(net, prep, X, y, name):
    loss = net.loss(X, y)
    if prep.task == "classification":
        return [f"{name}: loss {loss:.4f}, accuracy {net.score(X, y):.4f}"]
    error = (net.forward(X)[:, 0] - y) * prep.y_scale  # back in the target's own units
    rmse = float(np.sqrt(np.mean(error.astype(np.float64) ** 2)))
    return [f"{name}: loss {loss:.4f}, R^2 {net.score(X, y):.4f}, RMSE {rmse:.4g}"]
