"""The learning-quality suite: problems of different kinds, each with its data (one fixed train and
test split), the network and Adam settings every contender trains with, its metric and the
target whose first reaching is timed.

A target sits 0.01-0.02 below the lowest of the contenders' mean final test metrics in a full run
(rounded down), so time-to-target compares how fast each gets to a level all of them attain; a
contender that never reaches it loses on time. Budgets end where the test metric has settled:
past that a small set is overfitted and the final metric drifts from seed to seed."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import optional

SPLIT_SEED = 0        # the data and its train/test split are the same for every training seed
TEST_FRACTION = 0.25  # of the scikit-learn data sets


@dataclass(frozen=True)
class Data:
    X_train: np.ndarray   # float32, (n, d)
    y_train: np.ndarray   # int64 labels (classification) or float32 values (regression)
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    def describe(self) -> str:
        return f"{len(self.y_train)} train / {len(self.y_test)} test, {self.n_features} features"


@dataclass(frozen=True)
class Problem:
    name: str
    kind: str                 # what the problem is, in a few words
    task: str                 # "classification" or "regression"
    make: Callable[[], Data]
    hidden: tuple             # hidden layer widths
    activation: str           # of the hidden layers: "tanh" or "relu"
    lr: float                 # Adam's learning rate
    batch: int
    epochs: int
    target: float             # test accuracy or test R² whose first reaching is timed
    package: str = ""         # an optional package the data needs

    @property
    def is_classifier(self) -> bool:
        return self.task == "classification"

    @property
    def metric_name(self) -> str:
        return "accuracy" if self.is_classifier else "R²"

    def n_outputs(self, data: Data) -> int:
        return int(data.y_train.max()) + 1 if self.is_classifier else 1

    def layers(self, data: Data) -> list:
        return [data.n_features, *self.hidden, self.n_outputs(data)]

    def score(self, predicted, y) -> float:
        """Test accuracy (predicted labels) or R² (predicted values) against ``y``."""
        predicted, y = np.asarray(predicted).ravel(), np.asarray(y).ravel()
        if self.is_classifier:
            return float(np.mean(predicted == y))
        y = y.astype(np.float64)
        residual = np.sum((y - predicted) ** 2)
        return float(1.0 - residual / np.sum((y - y.mean()) ** 2))

    def describe(self, data: Data) -> str:
        widths = ",".join(str(w) for w in self.layers(data))
        head = "softmax cross-entropy" if self.is_classifier else "identity output, squared error"
        return (f"{self.name} ({self.kind}; {data.describe()}): [{widths}], {self.activation}, "
                f"{head}, Adam lr {self.lr:g}, batch {self.batch}, {self.epochs} epochs, "
                f"target {self.metric_name} {self.target:g}")


def _classes(X, y) -> tuple:
    return X.astype(np.float32), y.astype(np.int64)


def spiral_points(n: int, seed: int) -> tuple:
    """Two interleaved spirals of 1.5 turns with a little noise, labelled by spiral."""
    rng = np.random.default_rng(seed)
    t = rng.random(n) * 3 * np.pi
    label = rng.integers(0, 2, n)
    X = (np.c_[t * np.cos(t + np.pi * label), t * np.sin(t + np.pi * label)] / 10
         + rng.normal(0, 0.02, (n, 2)))
    return _classes(X, label)


def _spirals() -> Data:
    return Data(*spiral_points(1000, seed=0), *spiral_points(1000, seed=1))


def _xor_points(n: int, seed: int) -> tuple:
    # Four blobs at (±1, ±1); the class is whether the blob's coordinates share a sign.
    rng = np.random.default_rng(seed)
    centres = rng.choice([-1.0, 1.0], size=(n, 2))
    X = centres + rng.normal(0, 0.5, (n, 2))
    return _classes(X, centres[:, 0] != centres[:, 1])


def _xor() -> Data:
    return Data(*_xor_points(1000, seed=0), *_xor_points(1000, seed=1))


def _standardised_split(X, y, classification: bool) -> Data:
    """A seeded split; features (and regression targets) standardised by the train part."""
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_FRACTION, random_state=SPLIT_SEED,
        stratify=y if classification else None)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    if classification:
        return Data(*_classes(X_train, y_train), *_classes(X_test, y_test))
    y_mean, y_std = y_train.mean(), y_train.std()
    return Data(X_train.astype(np.float32), ((y_train - y_mean) / y_std).astype(np.float32),
                X_test.astype(np.float32), ((y_test - y_mean) / y_std).astype(np.float32))


def _sklearn_set(loader_name: str, classification: bool) -> Callable[[], Data]:
    def make() -> Data:
        from sklearn import datasets
        X, y = getattr(datasets, loader_name)(return_X_y=True)
        return _standardised_split(X, y, classification)
    return make


def _friedman() -> Data:
    from sklearn.datasets import make_friedman1
    X, y = make_friedman1(n_samples=2000, noise=1.0, random_state=SPLIT_SEED)
    return _standardised_split(X, y, classification=False)


def _mnist1d() -> Data:
    # The package generates its data offline from fixed templates, seeding numpy's and Python's
    # global generators as it goes: they are put back afterwards.
    from mnist1d.data import get_dataset_args, make_dataset
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(get_dataset_args())
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    return Data(*_classes(data["x"], data["y"]), *_classes(data["x_test"], data["y_test"]))


def _sine_points(n: int, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, n)
    y = np.sin(3 * x) + 0.3 * x + rng.normal(0, 0.1, n)
    return x[:, None].astype(np.float32), y.astype(np.float32)


def _sine() -> Data:
    return Data(*_sine_points(1000, seed=0), *_sine_points(1000, seed=1))


SUITE = (
    Problem("spirals", "two interleaved spirals, 2-D", "classification", _spirals,
            hidden=(64, 64), activation="tanh", lr=0.01, batch=32, epochs=300, target=0.97),
    Problem("xor", "four noisy blobs, XOR labels, 2-D", "classification", _xor,
            hidden=(16,), activation="tanh", lr=0.01, batch=32, epochs=50, target=0.94),
    Problem("breast_cancer", "scikit-learn's tabular, 2 classes", "classification",
            _sklearn_set("load_breast_cancer", classification=True),
            hidden=(32,), activation="relu", lr=0.001, batch=32, epochs=50, target=0.95),
    Problem("digits", "scikit-learn's 8x8 digits, 10 classes", "classification",
            _sklearn_set("load_digits", classification=True),
            hidden=(64,), activation="relu", lr=0.001, batch=32, epochs=50, target=0.96),
    Problem("wine", "scikit-learn's tabular, 3 classes", "classification",
            _sklearn_set("load_wine", classification=True),
            hidden=(16,), activation="relu", lr=0.01, batch=16, epochs=50, target=0.95),
    # Past ~60 epochs the network overfits the 4000 signals and the test accuracy drifts.
    Problem("mnist1d", "MNIST-1D: 40-sample signals, 10 classes", "classification", _mnist1d,
            hidden=(100, 100), activation="relu", lr=0.003, batch=100, epochs=60, target=0.6,
            package="mnist1d"),
    # The test R² peaks within a dozen epochs, then the 331 rows are overfitted; a wide layer
    # and a small rate keep the spread over seeds near 0.01 instead of 0.02.
    Problem("diabetes", "scikit-learn's tabular regression", "regression",
            _sklearn_set("load_diabetes", classification=False),
            hidden=(256,), activation="relu", lr=0.0003, batch=32, epochs=12, target=0.35),
    Problem("friedman1", "generated regression, 10 features (5 used)", "regression", _friedman,
            hidden=(64, 64), activation="relu", lr=0.001, batch=32, epochs=100, target=0.9),
    # At lr 0.01 the final R² jumps by about 0.01 from epoch to epoch; 0.003 settles.
    Problem("sine", "1-D function sin(3x) + 0.3x with noise", "regression", _sine,
            hidden=(64, 64), activation="tanh", lr=0.003, batch=32, epochs=150, target=0.96),
)


def available(names=None) -> tuple:
    """(problems that can run, notes for the ones skipped); ``names`` picks some (None: all)."""
    if names is not None:
        unknown = set(names) - {p.name for p in SUITE}
        if unknown:
            raise ValueError(f"unknown problem(s) {', '.join(sorted(unknown))}; "
                             f"choose from {', '.join(p.name for p in SUITE)}")
    chosen, notes = [], []
    for problem in SUITE:
        if names is not None and problem.name not in names:
            continue
        if problem.package and optional.load(problem.package) is None:
            notes.append(optional.missing_note(problem.package, f"The {problem.name} problem"))
        else:
            chosen.append(problem)
    return chosen, notes
