"""The ``Network``: a stack of dense layers trained by backpropagation in gradfall's C++ core.

Forward propagation, layer by layer (row-vector convention, one sample per row)::

    z = a @ W + b        (W has shape (n_in, n_out): this is z = W^T x + b for a column x)
    a = activation(z)

The cost is the mean of the per-sample losses, and learning is gradient descent
``theta <- theta - alpha * grad L(theta)`` over shuffled minibatches. All parameters live in one
flat buffer (``Network.params``); ``weights[l]`` and ``biases[l]`` are views into it.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from . import _core
from ._validation import (
    as_float_dtype,
    check_dense_targets,
    check_features,
    check_int,
    check_labels,
    check_sample_weight,
)
from .history import History
from .layers import Dense, canonical_activation, check_slope
from .optimizers import SGD, Optimizer

LOSSES = ("mse", "mae", "binary_cross_entropy", "cross_entropy")
LOSS_ALIASES = {"squared_error": "mse", "absolute_error": "mae", "bce": "binary_cross_entropy",
                "log_loss": "cross_entropy", "categorical_cross_entropy": "cross_entropy"}
# Which output activations each loss accepts; the first is the default.
LOSS_OUTPUTS = {
    "cross_entropy": ("softmax",),
    "binary_cross_entropy": ("sigmoid",),
    "mse": ("identity", "sigmoid"),
    "mae": ("identity", "sigmoid"),
}


def canonical_loss(name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"loss must be a string, got {type(name).__name__}")
    name = LOSS_ALIASES.get(name, name)
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; expected one of {', '.join(LOSSES)}")
    return name


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


def _initial_bound(activation: str, fan_in: int, fan_out: int) -> float:
    """He uniform for (leaky) ReLU layers, Glorot uniform for everything else."""
    if activation in ("relu", "leaky_relu"):
        return math.sqrt(6.0 / fan_in)
    return math.sqrt(6.0 / (fan_in + fan_out))


class Network:
    """A multilayer perceptron.

    Parameters
    ----------
    layers : list of int, or list of ``gf.Dense``
        Layer widths ``[n_features, hidden..., n_outputs]`` (then ``activation`` applies to the
        hidden layers and ``output`` to the last), or explicit ``Dense`` layers, each with its
        own activation (then ``activation``/``output``/``leaky_slope`` must not be given).
    activation : {"identity", "sigmoid", "tanh", "relu", "leaky_relu"}, default "relu"
    output : {"softmax", "sigmoid", "identity"}, default chosen by ``loss``
    loss : {"mse", "mae", "binary_cross_entropy", "cross_entropy"}, default "mse"
        The mean as PyTorch's ``reduction="mean"`` defines it: mse/mae/binary_cross_entropy
        average over all target elements, cross_entropy over samples.
    dtype : "float32" (default) or "float64"
    seed : int, default 0
        Fixes the initial weights (Glorot/He uniform, zero biases) and the shuffling.
    leaky_slope : float, default 0.01
        Slope of leaky_relu for negative inputs.
    output_scale : float, optional
        Multiplies every per-sample loss; the default gives the PyTorch means above.
    """

    def __init__(self, layers, activation=None, output=None, loss="mse", dtype="float32", seed=0,
                 leaky_slope=None, output_scale=None):
        self.loss_name = canonical_loss(loss)
        self.dtype = as_float_dtype(dtype)
        self.seed = check_int("seed", seed, 0)
        if self.seed >= 2 ** 64:  # the core's shuffle takes a uint64 seed
            raise ValueError(f"seed must be < 2**64, got {self.seed}")
        self.layer_sizes, self.activations, self.leaky_slopes = self._parse_layers(
            layers, activation, output, leaky_slope)
        self.output = self.activations[-1]
        check_output_for_loss(self.output, self.loss_name, self.layer_sizes[-1])
        if output_scale is None:
            output_scale = 1.0 if self.loss_name == "cross_entropy" else 1.0 / self.layer_sizes[-1]
        output_scale = float(output_scale)
        if not (math.isfinite(output_scale) and output_scale > 0):
            raise ValueError(f"output_scale must be finite and > 0, got {output_scale}")
        self.output_scale = output_scale
        self._build_spec()
        self.params = np.zeros(self._spec.n_params, dtype=self.dtype)
        self._make_views()
        self._initialize()
        self.optimizer = None
        self.epochs_trained = 0
        self.history = None  # the History of the latest fit

    # ------------------------------------------------------------------ construction
    def _parse_layers(self, layers, activation, output, leaky_slope):
        try:
            layers = list(layers)
        except TypeError:
            raise TypeError("layers must be a list of layer sizes or of gf.Dense layers") from None
        if not layers:
            raise ValueError("layers is empty")
        if all(isinstance(layer, Dense) for layer in layers):
            if activation is not None or output is not None or leaky_slope is not None:
                raise ValueError("with gf.Dense layers, give each layer its activation (and "
                                 "leaky_slope) instead of activation=/output=/leaky_slope=")
            for before, after in zip(layers, layers[1:]):
                if before.n_out != after.n_in:
                    raise ValueError(f"Dense layers do not chain: n_out={before.n_out} is followed "
                                     f"by n_in={after.n_in}")
            for layer in layers[:-1]:
                if layer.activation == "softmax":
                    raise ValueError("softmax is only allowed on the output layer")
            sizes = [layers[0].n_in] + [layer.n_out for layer in layers]
            return sizes, [layer.activation for layer in layers], \
                [layer.leaky_slope for layer in layers]
        if any(isinstance(layer, Dense) for layer in layers):
            raise TypeError("layers mixes gf.Dense layers and sizes; use one or the other")
        sizes = []
        for size in layers:
            sizes.append(check_int("layer size", size, 1))
        if len(sizes) < 2:
            raise ValueError("layers needs at least an input and an output size, e.g. [4, 1]")
        hidden = canonical_activation("relu" if activation is None else activation)
        out = LOSS_OUTPUTS[self.loss_name][0] if output is None else output
        out = canonical_activation(out, output=True)
        slope = check_slope(0.01 if leaky_slope is None else leaky_slope)
        n_layers = len(sizes) - 1
        return sizes, [hidden] * (n_layers - 1) + [out], [slope] * n_layers

    def _build_spec(self):
        self._spec = _core.ModelSpec(self.layer_sizes, self.activations, self.leaky_slopes,
                                     self.loss_name, self.output_scale)

    def _make_views(self):
        self._weights, self._biases = [], []
        for l in range(self.n_layers):
            n_in, n_out = self.layer_sizes[l], self.layer_sizes[l + 1]
            w0, b0 = self._spec.weight_offset(l), self._spec.bias_offset(l)
            self._weights.append(self.params[w0:w0 + n_in * n_out].reshape(n_in, n_out))
            self._biases.append(self.params[b0:b0 + n_out])

    def _initialize(self):
        rng = np.random.default_rng(self.seed)
        for l, W in enumerate(self._weights):
            n_in, n_out = W.shape
            bound = _initial_bound(self.activations[l], n_in, n_out)
            W[...] = rng.uniform(-bound, bound, size=(n_in, n_out))
            self._biases[l][...] = 0

    # ------------------------------------------------------------------ structure
    @property
    def n_layers(self) -> int:
        """Number of dense layers (weight matrices)."""
        return len(self.layer_sizes) - 1

    @property
    def n_params(self) -> int:
        return int(self.params.shape[0])

    @property
    def n_features(self) -> int:
        return self.layer_sizes[0]

    @property
    def n_outputs(self) -> int:
        return self.layer_sizes[-1]

    @property
    def weights(self) -> list:
        """Per layer, W of shape (n_in, n_out): a writable view into ``params``."""
        return list(self._weights)

    @property
    def biases(self) -> list:
        """Per layer, b of shape (n_out,): a writable view into ``params``."""
        return list(self._biases)

    @property
    def is_classifier(self) -> bool:
        return self.loss_name in ("cross_entropy", "binary_cross_entropy")

    # ------------------------------------------------------------------ data checks
    def _check_X(self, X):
        return check_features(X, self.n_features, self.dtype)

    def _targets(self, y, n_samples):
        """(labels, dense) as the core takes them: exactly one is not None."""
        k = self.n_outputs
        if self.loss_name == "cross_entropy":
            shape = np.shape(y)
            if len(shape) == 2 and shape[1] == k:
                dense = check_dense_targets(y, n_samples, k, self.dtype, unit_interval=True)
                return None, dense
            return check_labels(y, n_samples, k), None
        unit = self.loss_name == "binary_cross_entropy"
        return None, check_dense_targets(y, n_samples, k, self.dtype, unit_interval=unit)

    def _check_params(self, params):
        if params is None:
            return self.params
        array = np.ascontiguousarray(params, dtype=self.dtype)
        if array.shape != (self.n_params,):
            raise ValueError(f"params must have shape ({self.n_params},), got {array.shape}")
        return array

    # ------------------------------------------------------------------ inference
    def forward(self, X):
        """Output-layer activations, shape (n_samples, n_outputs)."""
        X = self._check_X(X)
        return _core.forward(self._spec, self.params, X)

    def predict(self, X):
        """Class labels (softmax: argmax; sigmoid with binary_cross_entropy: output > 0.5) or
        regression values; a single output is returned as a vector."""
        out = self.forward(X)
        if self.loss_name == "cross_entropy":
            return np.argmax(out, axis=1)
        if self.loss_name == "binary_cross_entropy":
            out = (out > 0.5).astype(np.int64)
        return out[:, 0] if self.n_outputs == 1 else out

    def loss(self, X, y, sample_weight=None):
        """The cost: mean loss over the samples (weighted mean with ``sample_weight``)."""
        return self.loss_and_gradient(X, y, sample_weight=sample_weight, want_grad=False)[0]

    def loss_and_gradient(self, X, y, sample_weight=None, l2=0.0, params=None, want_grad=True):
        """(cost, flat gradient) over all samples; ``l2`` adds 0.5*l2*sum(W**2)/sum(weights) as
        scikit-learn does; ``params`` evaluates at another flat parameter vector."""
        X = self._check_X(X)
        labels, dense = self._targets(y, X.shape[0])
        weights = check_sample_weight(sample_weight, X.shape[0], self.dtype)
        l2 = _non_negative("l2", l2)
        return _core.loss_and_gradient(self._spec, self._check_params(params), X, labels, dense,
                                       weights, l2, bool(want_grad))

    def gradients(self, X, y, sample_weight=None):
        """Backpropagated gradient of the cost: (dW, db), lists shaped like weights/biases."""
        _, grad = self.loss_and_gradient(X, y, sample_weight=sample_weight)
        dW, db = [], []
        for l, (W, b) in enumerate(zip(self._weights, self._biases)):
            w0, b0 = self._spec.weight_offset(l), self._spec.bias_offset(l)
            dW.append(grad[w0:w0 + W.size].reshape(W.shape))
            db.append(grad[b0:b0 + b.size])
        return dW, db

    def score(self, X, y, sample_weight=None):
        """Accuracy for classification losses, R^2 (averaged over outputs) for regression."""
        X = self._check_X(X)
        labels, dense = self._targets(y, X.shape[0])
        weights = check_sample_weight(sample_weight, X.shape[0], np.float64)
        return _score(self, _core.forward(self._spec, self.params, X), labels, dense, weights)

    # ------------------------------------------------------------------ training
    def fit(self, X, y, epochs=10, batch_size=32, optimizer=None, *, shuffle=True,
            sample_weight=None, l2=0.0, validation_data=None, record_batches=False,
            callback=None, verbose=False):
        """Train by minibatch gradient descent; whole epochs run in C++ with the GIL released.

        optimizer : gf.SGD or gf.Adam; its state persists across fits that pass the same
            object. ``None`` reuses the optimizer of the previous fit (first time: SGD(lr=0.01)).
        validation_data : (X_val, y_val), scored after every epoch into the history.
        record_batches : keep every minibatch's loss in ``history.batch_loss``.
        callback : ``callback(epoch, history)`` after each epoch; returning True stops training.
        verbose : print one line per epoch.
        Returns the ``History`` (mean training loss per epoch, gradient norms, validation), also
        kept as ``net.history``.
        """
        X = self._check_X(X)
        n = X.shape[0]
        labels, dense = self._targets(y, n)
        weights = check_sample_weight(sample_weight, n, self.dtype)
        epochs = check_int("epochs", epochs, 0)
        batch_size = check_int("batch_size", batch_size, 1)
        l2 = _non_negative("l2", l2)
        if optimizer is None:
            optimizer = self.optimizer if self.optimizer is not None else SGD(lr=0.01)
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be gf.SGD or gf.Adam, got {type(optimizer).__name__}")
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable")
        validation = self._check_validation(validation_data)
        self.optimizer = optimizer
        history = History(self.n_layers)
        self.history = history
        if epochs == 0:
            return history
        state1, state2, step = optimizer._state_for(self.n_params, self.dtype)
        trainer = _core.Trainer(self._spec, self.params, X, labels, dense, weights, batch_size,
                                self.seed, l2, state1, state2, step)
        for epoch in range(epochs):
            result = trainer.run_epoch(**optimizer._core_args(), epoch_index=self.epochs_trained,
                                       shuffle=bool(shuffle), record_batches=bool(record_batches))
            self.epochs_trained += 1
            history._add_epoch(result["loss"], result["grad_norms"], result["batch_losses"])
            if validation is not None:
                X_val, labels_val, dense_val = validation
                out = _core.forward(self._spec, self.params, X_val)
                history.val_loss.append(_core.loss_and_gradient(
                    self._spec, self.params, X_val, labels_val, dense_val, None, 0.0, False)[0])
                history.val_score.append(_score(self, out, labels_val, dense_val, None))
            if verbose:
                print(history.describe_last(epochs), flush=True)
            if not math.isfinite(result["loss"]):
                warnings.warn(f"training diverged at epoch {epoch + 1} (loss {result['loss']}); "
                              f"lower the learning rate", RuntimeWarning, stacklevel=2)
                break
            if callback is not None and callback(epoch, history):
                break
        return history

    def _check_validation(self, validation_data):
        if validation_data is None:
            return None
        try:
            X_val, y_val = validation_data
        except (TypeError, ValueError):
            raise ValueError("validation_data must be a pair (X_val, y_val)") from None
        X_val = check_features(X_val, self.n_features, self.dtype, name="X_val")
        labels, dense = self._targets(y_val, X_val.shape[0])
        return X_val, labels, dense

    # ------------------------------------------------------------------ persistence
    def save(self, path):
        """Write the network to ``path`` (format: see ``gradfall.serialization``)."""
        from .serialization import save
        save(self, path)

    def copy(self):
        other = object.__new__(Network)
        other.__setstate__(self.__getstate__())
        return other

    def __getstate__(self):
        return {"layer_sizes": list(self.layer_sizes), "activations": list(self.activations),
                "leaky_slopes": list(self.leaky_slopes), "loss": self.loss_name,
                "output_scale": self.output_scale, "dtype": self.dtype.name, "seed": self.seed,
                "params": np.array(self.params, copy=True), "epochs_trained": self.epochs_trained}

    def __setstate__(self, state):
        self.loss_name = canonical_loss(state["loss"])
        self.dtype = as_float_dtype(state["dtype"])
        self.seed = int(state["seed"])
        self.layer_sizes = [int(s) for s in state["layer_sizes"]]
        self.activations = list(state["activations"])
        self.leaky_slopes = [float(s) for s in state["leaky_slopes"]]
        self.output = self.activations[-1]
        self.output_scale = float(state["output_scale"])
        self._build_spec()
        self.params = np.ascontiguousarray(np.array(state["params"], dtype=self.dtype))
        if self.params.shape != (self._spec.n_params,):
            raise ValueError("parameter vector does not match the layer sizes")
        self._make_views()
        self.optimizer = None
        self.history = None
        self.epochs_trained = int(state.get("epochs_trained", 0))

    # ------------------------------------------------------------------ display
    def __repr__(self):
        arrows = " -> ".join(str(s) for s in self.layer_sizes)
        return (f"Network({arrows}, hidden={self.activations[0] if self.n_layers > 1 else '-'}, "
                f"output={self.output}, loss={self.loss_name}, dtype={self.dtype.name}, "
                f"params={self.n_params:,})")

    def __str__(self):
        lines = [f"Network: {self.n_layers} dense layer(s), {self.n_params:,} parameters, "
                 f"{self.dtype.name}, loss={self.loss_name}",
                 f"  {'layer':<6}{'W shape':<14}{'activation':<13}{'params':>10}"]
        for l in range(self.n_layers):
            n_in, n_out = self.layer_sizes[l], self.layer_sizes[l + 1]
            act = self.activations[l]
            if act == "leaky_relu":
                act = f"leaky_relu({self.leaky_slopes[l]:g})"
            lines.append(f"  {l:<6}{f'{n_in} x {n_out}':<14}{act:<13}{n_in * n_out + n_out:>10,}")
        return "\n".join(lines)


def _non_negative(name, value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value}")
    return value


def _score(net, out, labels, dense, weights):
    """Accuracy (classification losses) or R^2 (regression) of outputs ``out``."""
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if net.loss_name == "cross_entropy":
        truth = labels if labels is not None else np.argmax(dense, axis=1)
        return float(np.average(np.argmax(out, axis=1) == truth, weights=w))
    if net.loss_name == "binary_cross_entropy":
        correct = ((out > 0.5) == (dense > 0.5)).all(axis=1)
        return float(np.average(correct, weights=w))
    y = dense.astype(np.float64)
    residual = np.average((y - out) ** 2, axis=0, weights=w)
    spread = np.average((y - np.average(y, axis=0, weights=w)) ** 2, axis=0, weights=w)
    r2 = np.where(spread > 0, 1.0 - residual / np.where(spread > 0, spread, 1.0), 0.0)
    return float(np.mean(r2))
