"""Objectives: which losses exist, which output layer each needs, what targets it takes, and how
a prediction is scored.

Every loss is a mean of per-sample losses (``output_scale`` multiplies each one):

    mse                   output_scale * sum_j (a_j - y_j)^2        (default scale 1/n_out: the mean)
    mae                   output_scale * sum_j |a_j - y_j|           (default scale 1/n_out)
    binary_cross_entropy  output_scale * sum_j -y_j log a_j - (1-y_j) log(1-a_j), a = sigmoid(z)
    cross_entropy         -sum_j y_j log softmax(z)_j                (labels: y one-hot)
    poisson               output_scale * sum_j a_j - y_j log a_j + y_j log y_j - y_j, a = e^z:
                          the half Poisson deviance of counts y >= 0  (default scale 1/n_out)
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import numpy.typing as npt

from . import _core
from ._validation import check_dense_targets, check_labels
from .typing import FloatArray, IntArray

LOSSES = tuple(_core.Loss.__members__)
LOSS_ALIASES = {"squared_error": "mse", "absolute_error": "mae", "bce": "binary_cross_entropy",
                "log_loss": "cross_entropy", "categorical_cross_entropy": "cross_entropy"}
# Which output activations each loss accepts; the first is the default.
LOSS_OUTPUTS = {
    "cross_entropy": ("softmax",),
    "binary_cross_entropy": ("sigmoid",),
    "mse": ("identity", "sigmoid"),
    "mae": ("identity", "sigmoid"),
    "poisson": ("exp",),
}
CLASSIFICATION_LOSSES = ("cross_entropy", "binary_cross_entropy")


def canonical_loss(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"loss must be a string, got {type(name).__name__}")
    canonical = LOSS_ALIASES.get(name, name)
    if canonical not in LOSSES:
        raise ValueError(f"unknown loss {canonical!r}; expected one of {', '.join(LOSSES)}")
    return canonical


def default_output(loss: str) -> str:
    return LOSS_OUTPUTS[loss][0]


def default_output_scale(loss: str, n_out: int) -> float:
    """1 for cross_entropy (a sum over classes), else 1/n_out: the mean over output elements."""
    return 1.0 if loss == "cross_entropy" else 1.0 / n_out


def check_output_for_loss(output: str, loss: str, n_out: int) -> None:
    """Invalid combinations: softmax pairs only with cross_entropy (and needs >= 2 outputs),
    binary_cross_entropy needs sigmoid outputs, mse/mae take identity or sigmoid outputs."""
    allowed = LOSS_OUTPUTS[loss]
    if output not in allowed:
        raise ValueError(f"loss {loss!r} needs output activation {' or '.join(map(repr, allowed))}, "
                         f"got {output!r}")
    if output == "softmax" and n_out < 2:
        raise ValueError("a softmax output needs at least 2 units (use output='sigmoid' with "
                         "binary_cross_entropy for one output)")


def is_classification(loss: str) -> bool:
    return loss in CLASSIFICATION_LOSSES


def check_targets(loss: str, y: npt.ArrayLike, n_samples: int, n_outputs: int,
                  dtype: npt.DTypeLike) -> tuple[IntArray | None, FloatArray | None]:
    """(labels, dense) as the core takes them: exactly one is not None. cross_entropy takes
    integer labels or rows of class probabilities; the other losses real-valued targets."""
    if loss == "cross_entropy":
        shape = np.shape(y)
        if len(shape) == 2 and shape[1] == n_outputs:
            return None, check_dense_targets(y, n_samples, n_outputs, dtype, unit_interval=True)
        return check_labels(y, n_samples, n_outputs), None
    unit = loss == "binary_cross_entropy"
    dense = check_dense_targets(y, n_samples, n_outputs, dtype, unit_interval=unit)
    if loss == "poisson" and (dense < 0).any():
        raise ValueError("y must be >= 0 for the poisson loss (counts or rates)")
    return None, dense


Total = Callable[[npt.ArrayLike], FloatArray]


def _own_total(values: npt.ArrayLike) -> FloatArray:
    """Sums over the processes of one process: the values (as float64)."""
    return np.asarray(values, dtype=np.float64)


def class_weights(loss: str, labels: IntArray | None, dense: FloatArray | None,
                  class_weight: str | dict[Any, float], n_outputs: int,
                  dtype: npt.DTypeLike, total: Total = _own_total) -> FloatArray:
    """Per-sample weights giving each sample its class's weight: ``"balanced"`` (n_samples /
    (n_classes * count of the class), as scikit-learn defines it) or a dict {class: weight}
    (classes absent from it weigh 1). Classes are label indices for cross_entropy and 0/1 for a
    single binary_cross_entropy output. ``total`` sums the class counts across the processes of
    data-parallel training (``gradfall.distributed``)."""
    if loss == "cross_entropy":
        classes = labels if labels is not None else np.argmax(_present(dense), axis=1)
        n_classes = n_outputs
    elif loss == "binary_cross_entropy" and n_outputs == 1:
        classes = (_present(dense)[:, 0] > 0.5).astype(np.int64)
        n_classes = 2
    else:
        raise ValueError("class_weight needs a classification loss (cross_entropy, or "
                         "binary_cross_entropy with one output)")
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"class_weight must be 'balanced' or a dict, got {class_weight!r}")
        counts = total(np.bincount(classes, minlength=n_classes).astype(np.float64))
        table = np.where(counts > 0, counts.sum() / (n_classes * np.maximum(counts, 1)), 0.0)
    elif isinstance(class_weight, dict):
        table = np.ones(n_classes)
        for label, weight in class_weight.items():
            if not (isinstance(label, (int, np.integer)) and 0 <= label < n_classes):
                raise ValueError(f"class_weight has class {label!r}, outside 0..{n_classes - 1}")
            weight = float(weight)
            if not (np.isfinite(weight) and weight >= 0):
                raise ValueError(f"class_weight[{label}] must be finite and >= 0, got {weight}")
            table[label] = weight
    else:
        raise TypeError(f"class_weight must be 'balanced' or a dict, got "
                        f"{type(class_weight).__name__}")
    return table[classes].astype(dtype)


def score(loss: str, out: FloatArray, labels: IntArray | None, dense: FloatArray | None,
          weights: npt.ArrayLike | None, total: Total = _own_total) -> float:
    """Accuracy (classification losses) or R^2 averaged over outputs (regression) of the
    outputs ``out`` against the targets, weighted by ``weights`` when given. Computed from sums
    over the rows, which ``total`` adds up across the processes of data-parallel training (it
    returns its argument summed over every process; here, of one)."""
    w = np.ones(out.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    if loss in CLASSIFICATION_LOSSES:
        if loss == "cross_entropy":
            truth = labels if labels is not None else np.argmax(_present(dense), axis=1)
            correct = np.argmax(out, axis=1) == truth
        else:
            correct = ((out > 0.5) == (_present(dense) > 0.5)).all(axis=1)
        hits, weight = total([np.dot(w, correct), w.sum()])
        return float(hits / weight)
    y = _present(dense).astype(np.float64)
    n_out = y.shape[1]
    with np.errstate(over="ignore", invalid="ignore"):  # an exploded network scores -inf or NaN
        sums = total(np.concatenate([[w.sum()], w @ y]))
        mean = sums[1:] / sums[0]
        squares = total(np.concatenate([w @ (y - out) ** 2, w @ (y - mean) ** 2]))
    residual, spread = squares[:n_out], squares[n_out:]
    r2 = np.where(spread > 0, 1.0 - residual / np.where(spread > 0, spread, 1.0), 0.0)
    return float(np.mean(r2))


def _present(dense: FloatArray | None) -> FloatArray:
    """The dense targets, which ``check_targets`` gives whenever it gives no labels."""
    if dense is None:
        raise ValueError("the targets are missing")
    return dense
