"""A Network plus what a CSV table needs: column names, standardisation and class names.

The network lives in ``model.gfnet``; the rest in ``model.gfnet.json`` next to it. Features are
standardised (zero mean, unit variance per column) because gradient descent on raw columns of
very different scales crawls; regression targets likewise, undone at prediction.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .csv_io import CSVError, Table
from .network import Network
from .network import load as load_network
from .typing import FloatArray, IntArray, PathLike

MAX_CLASSES_AUTO = 20  # integer targets with at most this many values are taken as classes


@dataclass
class Preprocessing:
    """How a table becomes a network's inputs and targets, and outputs become predictions."""

    features: list[str]
    target: str
    task: str  # "classification" or "regression"
    x_mean: list[float]
    x_scale: list[float]
    classes: list[str] = field(default_factory=list)  # class names, in label order
    y_mean: float = 0.0
    y_scale: float = 1.0

    def transform(self, table: Table) -> FloatArray:
        """The feature columns, standardised, as float32."""
        X = table.numeric(self.features)
        mean = np.array(self.x_mean, dtype=np.float64)
        scale = np.array(self.x_scale, dtype=np.float64)
        return ((X - mean) / scale).astype(np.float32)

    def encode_target(self, table: Table) -> IntArray | FloatArray:
        """Class indices (classification) or the standardised target (regression)."""
        cells = table.strings(self.target)
        if self.task == "classification":
            index = {name: i for i, name in enumerate(self.classes)}
            unknown = sorted({_class_name(c) for c in cells} - set(index))
            if unknown:
                raise CSVError(f"{table.path}: target {self.target!r} has classes the model never "
                               f"saw: {', '.join(unknown[:5])}")
            return np.array([index[_class_name(c)] for c in cells], dtype=np.int64)
        y = table.numeric([self.target])[:, 0]
        return ((y - self.y_mean) / self.y_scale).astype(np.float32)

    def decode(self, outputs: npt.NDArray[Any]) -> list[Any]:
        """Network outputs to what the table's target column holds."""
        if self.task == "classification":
            return [self.classes[i] for i in np.argmax(outputs, axis=1)]
        return [float(v) for v in outputs[:, 0] * self.y_scale + self.y_mean]


def choose_task(table: Table, target: str, task: str = "auto") -> str:
    """Classification when the target holds names, or integers with few distinct values."""
    if task != "auto":
        return task
    cells = table.strings(target)
    try:
        values = np.array([float(c) for c in cells])
    except ValueError:
        return "classification"
    if np.all(np.isfinite(values)) and np.all(values == np.round(values)) and \
            len(np.unique(values)) <= MAX_CLASSES_AUTO:
        return "classification"
    return "regression"


def feature_columns(table: Table, target: str) -> list[str]:
    """Every column but the target."""
    table.column_index(target)
    features = [c for c in table.columns if c != target]
    if not features:
        raise CSVError(f"{table.path}: no feature columns besides the target {target!r}")
    return features


def missing_values(table: Table, features: list[str],
                   target: str | None = None) -> list[tuple[int, str]]:
    """(row index, column) of the first missing cell of each row that has one. Features are
    numbers; so is the target when its present cells all are (then NA is a gap, not a class)."""
    if target is None:
        return table.missing_cells(features)
    if table.holds_numbers(target):
        return table.missing_cells([*features, target])
    return table.missing_cells(features, [target])


def fit_preprocessing(table: Table, target: str, task: str) -> Preprocessing:
    """The scaling (and class names) of ``table``'s columns for predicting ``target``."""
    features = feature_columns(table, target)
    X = table.numeric(features)
    scale = X.std(axis=0)
    prep = Preprocessing(features, target, task, X.mean(axis=0).tolist(),
                         np.where(scale > 0, scale, 1.0).tolist())
    if task == "classification":
        names = sorted({_class_name(c) for c in table.strings(target)}, key=_class_order)
        if len(names) < 2:
            raise CSVError(f"{table.path}: target {target!r} has a single class; nothing to learn")
        prep.classes = names
    else:
        y = table.numeric([target])[:, 0]
        prep.y_mean = float(y.mean())
        prep.y_scale = float(y.std()) if y.std() > 0 else 1.0
    return prep


def sidecar_path(model_path: PathLike) -> str:
    """The JSON file kept beside a model file."""
    return os.fspath(model_path) + ".json"


def save(net: Network, prep: Preprocessing, model_path: PathLike) -> None:
    """Writes the model file and its JSON sidecar."""
    net.save(model_path)
    with open(sidecar_path(model_path), "w", encoding="utf-8") as f:
        json.dump({"format": "gradfall.tabular", "version": 1, **asdict(prep)}, f, indent=1)


def load(model_path: PathLike) -> tuple[Network, Preprocessing]:
    """(network, Preprocessing); a ValueError with a one-line message when either file is bad."""
    if not os.path.exists(model_path):
        raise ValueError(f"{model_path}: no such model file")
    net = load_network(model_path)
    try:
        with open(sidecar_path(model_path), encoding="utf-8") as f:
            meta = json.load(f)
        meta.pop("format"), meta.pop("version")
        prep = Preprocessing(**meta)
    except FileNotFoundError:
        raise ValueError(f"{sidecar_path(model_path)} is missing: the column names and scaling "
                         f"are kept there by 'gradfall train'") from None
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"{sidecar_path(model_path)}: not a gradfall table description") from None
    if len(prep.features) != net.n_features:
        raise ValueError(f"{sidecar_path(model_path)} does not match {model_path}")
    return net, prep


def _class_name(cell: str) -> str:
    """"1", "1.0" and "1.00" name the same class."""
    try:
        value = float(cell)
    except ValueError:
        return cell
    return str(int(value)) if np.isfinite(value) and value == int(value) else cell


def _class_order(name: str) -> tuple[int, float, str]:
    try:
        return (0, float(name), "")
    except ValueError:
        return (1, 0.0, name)
