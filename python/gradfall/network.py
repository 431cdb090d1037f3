"""The ``Network``: a stack of dense layers trained by backpropagation in gradfall's C++ core.

Forward propagation, layer by layer (row-vector convention, one sample per row)::

    z = a @ W + b        (W has shape (n_in, n_out): this is z = W^T x + b for a column x)
    a = activation(z)

The cost is the mean of the per-sample losses, and learning is gradient descent
``theta <- theta - alpha * grad L(theta)`` over shuffled minibatches. All parameters live in one
flat buffer (``Network.params``); ``weights[l]`` and ``biases[l]`` are views into it, at the
places ``layer_slices()`` gives.
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, overload

import numpy as np
import numpy.typing as npt

from . import _core, objectives, serialization, training
from ._validation import (
    as_float_dtype,
    check_features,
    check_int,
    check_non_negative,
    check_positive,
    check_sample_weight,
)
from . import initializers
from .layers import OUTPUT_ONLY, Dense, canonical_activation, check_dropout, check_slope
from .typing import Communicator, Features, FloatArray, IntArray, PathLike

if TYPE_CHECKING:
    import onnx

    from .history import History
    from .initializers import Init
    from .optimizers import Optimizer
    from .stopping import EarlyStopping

SEED_LIMIT = 2 ** 64  # the core's shuffle takes a uint64 seed


class LayerSlices(NamedTuple):
    """Where layer l lives in the flat parameter vector: ``params[weight]`` reshaped to
    ``weight_shape`` is W_l, ``params[bias]`` is b_l."""

    weight: slice
    bias: slice
    weight_shape: tuple[int, int]
    bias_shape: tuple[int]


class Prepared(NamedTuple):
    """Inputs as the core takes them (see ``Network.prepare``)."""

    X: FloatArray | _core.CsrMatrix
    labels: IntArray | None
    dense: FloatArray | None
    weights: FloatArray | None


class Network:
    """A multilayer perceptron.

    Parameters
    ----------
    layers : list of int, or list of ``gf.Dense``
        Layer widths ``[n_features, hidden..., n_outputs]`` (then ``activation`` applies to the
        hidden layers and ``output`` to the last), or explicit ``Dense`` layers, each with its
        own activation (then ``activation``/``output``/``leaky_slope`` must not be given).
    activation : {"identity", "sigmoid", "tanh", "relu", "leaky_relu"}, default "relu"
    output : {"softmax", "sigmoid", "identity", "exp"}, default chosen by ``loss``
    loss : {"mse", "mae", "binary_cross_entropy", "cross_entropy", "poisson"}, default "mse"
        The mean as PyTorch's ``reduction="mean"`` defines it: mse/mae/binary_cross_entropy
        average over all target elements, cross_entropy over samples.
    dtype : "float32" (default) or "float64"
    seed : int, default 0
        Fixes the initial weights and the shuffling.
    dropout : float, default 0
        Drop probability of every hidden layer's outputs while training (inverted dropout);
        ``gf.Dense(..., dropout=p)`` sets it per layer. Off in forward/predict/loss.
    init : str or callable, default "pytorch"
        How the initial weights are drawn (``gradfall.initializers``): "pytorch" (W and b
        uniform in +-1/sqrt(fan_in)), "glorot_uniform", "he_uniform", "lecun_normal",
        "glorot_he", "sklearn", or ``init(rng, fan_in, fan_out) -> (W, b)``. A ``gf.Dense``
        layer's own ``init`` wins over this one.
    leaky_slope : float, default 0.01
        Slope of leaky_relu for negative inputs.
    output_scale : float, optional
        Multiplies every per-sample loss; the default gives the PyTorch means above.
    """

    def __init__(self, layers: Iterable[int] | Iterable[Dense], activation: str | None = None,
                 output: str | None = None, loss: str = "mse", dtype: npt.DTypeLike = "float32",
                 seed: int = 0, leaky_slope: float | None = None,
                 output_scale: float | None = None, init: Init | None = None,
                 dropout: float | None = None) -> None:
        init = initializers.check_init(initializers.DEFAULT if init is None else init)
        layer_inits = [getattr(layer, "init", None) for layer in _as_list(layers)]
        self._describe(layers, activation, output, loss, dtype, seed, leaky_slope, output_scale,
                       dropout)
        self._allocate()
        rng = np.random.default_rng(self.seed)
        for l, (W, b) in enumerate(zip(self._weights, self._biases)):
            own = layer_inits[l] if l < len(layer_inits) else None
            n_in, n_out = W.shape
            W[...], b[...] = initializers.initial_weights(
                init if own is None else own, rng, self.activations[l], n_in, n_out,
                first=self.activations[0])

    def _describe(self, layers: Iterable[int] | Iterable[Dense], activation: str | None,
                  output: str | None, loss: str, dtype: npt.DTypeLike, seed: int,
                  leaky_slope: float | None, output_scale: float | None,
                  dropout: float | None = None) -> None:
        """Everything but the parameters, checked; the core's spec built (no allocation yet)."""
        self.loss_name = objectives.canonical_loss(loss)
        self.dtype = as_float_dtype(dtype)
        self.seed = seed
        self.layer_sizes, self.activations, self.leaky_slopes, self.dropout = self._parse_layers(
            layers, activation, output, leaky_slope, dropout)
        self.output = self.activations[-1]
        objectives.check_output_for_loss(self.output, self.loss_name, self.layer_sizes[-1])
        if output_scale is None:
            output_scale = objectives.default_output_scale(self.loss_name, self.layer_sizes[-1])
        self.output_scale = check_positive("output_scale", output_scale)
        _check_representable(self.dtype, output_scale=self.output_scale,
                             leaky_slope=max(self.leaky_slopes))
        self._spec = _core.ModelSpec(self.layer_sizes,
                                     [_core.Activation.__members__[a] for a in self.activations],
                                     self.leaky_slopes, _core.Loss.__members__[self.loss_name],
                                     self.output_scale, self.dropout)
        self.optimizer: Optimizer | None = None
        self.epochs_trained = 0   # epochs completed over every fit: keys each epoch's shuffle
        self.samples_trained = 0  # training rows seen over every fit
        self.history: History | None = None  # the History of the latest fit

    def _allocate(self) -> None:
        self.params: FloatArray = np.zeros(self._spec.n_params, dtype=self.dtype)
        self._weights, self._biases = self.split_params(self.params)
        self._guard = _core.ParamGuard(self.params)
        self._inference = _core.InferenceCache()

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Network:
        """A network from the fields ``state()`` gives, each checked by the constructor's rules;
        ``state["params"]`` (flat, ``n_params`` values) replaces the initial weights."""
        try:
            sizes, activations, slopes = (state[k] for k in
                                          ("layer_sizes", "activations", "leaky_slopes"))
            if not _describes_layers(sizes, activations, slopes):
                raise ValueError("layer_sizes, activations and leaky_slopes do not describe a "
                                 "network")
            dropout = state.get("dropout") or [0.0] * len(activations)
            if not (isinstance(dropout, list) and len(dropout) == len(activations)):
                raise ValueError("dropout must hold one rate per layer")
            layers = [Dense(sizes[i], sizes[i + 1], activation=activations[i],
                            leaky_slope=slopes[i], dropout=dropout[i])
                      for i in range(len(activations))]
            net = cls.__new__(cls)
            net._describe(layers, None, None, state["loss"], state["dtype"], state["seed"], None,
                          state["output_scale"])
            params = state["params"]
        except KeyError as missing:
            raise ValueError(f"network description lacks the field {missing}") from None
        # Checked before anything is allocated, so a described size cannot ask for huge memory.
        if np.shape(params) != (net._spec.n_params,):
            raise ValueError(f"n_params {np.shape(params)} does not match the layer sizes "
                             f"({net._spec.n_params})")
        net._allocate()
        net.load_params(params)
        net.epochs_trained = check_int("epochs_trained", state.get("epochs_trained", 0), 0)
        net.samples_trained = check_int("samples_trained", state.get("samples_trained", 0), 0)
        return net

    def state(self) -> dict[str, Any]:
        """Everything that defines the network, as plain values (``from_state`` inverts it)."""
        return {"layer_sizes": list(self.layer_sizes), "activations": list(self.activations),
                "leaky_slopes": list(self.leaky_slopes), "dropout": list(self.dropout),
                "loss": self.loss_name,
                "output_scale": self.output_scale, "dtype": self.dtype.name, "seed": self.seed,
                "epochs_trained": self.epochs_trained, "samples_trained": self.samples_trained,
                "params": np.array(self.params, copy=True)}

    # ------------------------------------------------------------------ construction
    def _parse_layers(self, layers: Iterable[int] | Iterable[Dense], activation: str | None,
                      output: str | None, leaky_slope: float | None, dropout: float | None
                      ) -> tuple[list[int], list[str], list[float], list[float]]:
        """(sizes, activations, slopes, dropout rates), one of each per layer."""
        layers = _as_list(layers)
        if not layers:
            raise ValueError("layers is empty")
        if all(isinstance(layer, Dense) for layer in layers):
            if any(v is not None for v in (activation, output, leaky_slope, dropout)):
                raise ValueError("with gf.Dense layers, give each layer its activation (and "
                                 "leaky_slope, dropout) instead of activation=/output=/"
                                 "leaky_slope=/dropout=")
            if layers[-1].dropout:
                raise ValueError("the output layer cannot have dropout")
            for before, after in zip(layers, layers[1:]):
                if before.n_out != after.n_in:
                    raise ValueError(f"Dense layers do not chain: n_out={before.n_out} is followed "
                                     f"by n_in={after.n_in}")
            for layer in layers[:-1]:
                if layer.activation in OUTPUT_ONLY:
                    raise ValueError(f"{layer.activation} is only allowed on the output layer")
            sizes = [layers[0].n_in] + [layer.n_out for layer in layers]
            return sizes, [layer.activation for layer in layers], \
                [layer.leaky_slope for layer in layers], [layer.dropout for layer in layers]
        if any(isinstance(layer, Dense) for layer in layers):
            raise TypeError("layers mixes gf.Dense layers and sizes; use one or the other")
        sizes = [check_int("layer size", size, 1) for size in layers]
        if len(sizes) < 2:
            raise ValueError("layers needs at least an input and an output size, e.g. [4, 1]")
        hidden = canonical_activation("relu" if activation is None else activation)
        out = objectives.default_output(self.loss_name) if output is None else output
        out = canonical_activation(out, output=True)
        slope = check_slope(0.01 if leaky_slope is None else leaky_slope)
        rate = check_dropout(0.0 if dropout is None else dropout)
        n_layers = len(sizes) - 1
        return (sizes, [hidden] * (n_layers - 1) + [out], [slope] * n_layers,
                [rate] * (n_layers - 1) + [0.0])

    # ------------------------------------------------------------------ structure
    @property
    def seed(self) -> int:
        """Seed of the initial weights and of every epoch's shuffle."""
        return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        checked = check_int("seed", value, 0, None)
        if checked >= SEED_LIMIT:
            raise ValueError(f"seed must be < 2**64, got {checked}")
        self._seed = checked

    def invalidate(self) -> None:
        """Drop the weights packed for inference (they are rebuilt on the next batched forward).
        Never needed for correctness: a batched forward checks a fingerprint of the parameters
        and repacks when they changed, however they were written."""
        self._inference.clear()

    @property
    def packed_bytes(self) -> int:
        """Memory of the weights packed for inference (0 before the first batched forward)."""
        return int(self._inference.nbytes)

    @property
    def param_guard(self) -> _core.ParamGuard:
        """The lock of ``params`` every core call over them takes: shared while they are read,
        exclusive while a training step or ``load_params`` writes them; it also refuses a second
        concurrent ``fit``. Writes through the ``params``/``weights`` views bypass it."""
        return self._guard

    @property
    def spec(self) -> _core.ModelSpec:
        """The core's description of this network (layers, activations, loss): what every core
        entry point (``gradfall._core``) takes with the parameters."""
        return self._spec

    def layer_slices(self) -> list[LayerSlices]:
        """Per layer, a ``LayerSlices``: where W and b live in ``params``. The one description
        of the flat layout (W_0 row-major, b_0, W_1, b_1, ...)."""
        slices = []
        for l in range(self.n_layers):
            n_in, n_out = self.layer_sizes[l], self.layer_sizes[l + 1]
            w0, b0 = self._spec.weight_offset(l), self._spec.bias_offset(l)
            slices.append(LayerSlices(slice(w0, w0 + n_in * n_out), slice(b0, b0 + n_out),
                                      (n_in, n_out), (n_out,)))
        return slices

    @property
    def n_layers(self) -> int:
        """Number of dense layers (weight matrices)."""
        return len(self.layer_sizes) - 1

    @property
    def n_params(self) -> int:
        """Number of parameters (weights and biases) of all layers."""
        return int(self.params.shape[0])

    @property
    def n_features(self) -> int:
        """Width of the input: the columns X must have."""
        return self.layer_sizes[0]

    @property
    def n_outputs(self) -> int:
        """Width of the output layer."""
        return self.layer_sizes[-1]

    @property
    def weights(self) -> list[FloatArray]:
        """Per layer, W of shape (n_in, n_out): a writable view into ``params``."""
        return list(self._weights)

    @property
    def biases(self) -> list[FloatArray]:
        """Per layer, b of shape (n_out,): a writable view into ``params``."""
        return list(self._biases)

    @property
    def is_classifier(self) -> bool:
        """True for a classification loss (cross_entropy or binary_cross_entropy)."""
        return objectives.is_classification(self.loss_name)

    # ------------------------------------------------------------------ inputs
    def prepare(self, X: Features, y: npt.ArrayLike | None = None,
                sample_weight: npt.ArrayLike | None = None, *, name: str = "X") -> Prepared:
        """Validated inputs as the core takes them: X a finite C-contiguous (n, n_features)
        array of the network's dtype (passed through without a copy when it already is one), or
        for a scipy.sparse X a ``_core.CsrMatrix`` (compressed sparse rows, never densified);
        the targets as integer ``labels`` (cross_entropy) or ``dense`` rows, None without y;
        ``weights`` the sample weights or None."""
        X = check_features(X, self.n_features, self.dtype, name=name)
        labels = dense = None
        if y is not None:
            labels, dense = objectives.check_targets(self.loss_name, y, X.shape[0],
                                                     self.n_outputs, self.dtype)
        weights = check_sample_weight(sample_weight, X.shape[0], self.dtype)
        return Prepared(X, labels, dense, weights)

    def as_params(self, vector: npt.ArrayLike | None) -> FloatArray:
        """``vector`` as a flat parameter vector of this network (n_params values of its dtype,
        C-contiguous); ``None`` gives the network's own ``params``."""
        if vector is None:
            return self.params
        array = np.ascontiguousarray(vector, dtype=self.dtype)
        if array.shape != (self.n_params,):
            raise ValueError(f"params must have shape ({self.n_params},), got {array.shape}")
        return array

    def split_params(self, vector: npt.ArrayLike) -> tuple[list[FloatArray], list[FloatArray]]:
        """(W list, b list): views of a flat vector laid out like ``params`` (a gradient, an
        optimizer buffer, a direction), shaped like ``weights`` and ``biases``."""
        vector = np.asarray(vector)
        if vector.shape != (self.n_params,):
            raise ValueError(f"expected a vector of {self.n_params} values, got {vector.shape}")
        slices = self.layer_slices()
        return ([vector[s.weight].reshape(s.weight_shape) for s in slices],
                [vector[s.bias] for s in slices])

    def join_params(self, weights: Sequence[npt.ArrayLike],
                    biases: Sequence[npt.ArrayLike]) -> FloatArray:
        """The flat vector (this network's dtype and layout) of per-layer ``weights`` (n_in,
        n_out) and ``biases`` (n_out,): the inverse of ``split_params``."""
        flat = np.zeros(self.n_params, dtype=self.dtype)
        W_views, b_views = self.split_params(flat)
        if len(weights) != self.n_layers or len(biases) != self.n_layers:
            raise ValueError(f"expected {self.n_layers} weight matrices and bias vectors")
        for view, W in zip(W_views, weights):
            view[...] = np.reshape(W, view.shape)
        for view, b in zip(b_views, biases):
            view[...] = np.reshape(b, view.shape)
        return flat

    def load_params(self, vector: npt.ArrayLike) -> None:
        """Copy a flat parameter vector (``n_params`` values) into ``params``; the
        ``weights``/``biases`` views see the new values."""
        self._guard.load(self.as_params(vector))

    # ------------------------------------------------------------------ inference
    def forward(self, X: Features) -> FloatArray:
        """Output-layer activations, shape (n_samples, n_outputs)."""
        if (type(X) is np.ndarray and X.dtype == self.dtype and X.ndim == 2 and X.shape[0]
                and X.shape[1] == self.layer_sizes[0] and X.flags.c_contiguous):
            # Already as the core takes it (a served request): the core checks for NaN/inf.
            return _core.forward(self._spec, self.params, X, self._guard, self._inference, True)
        return _core.forward(self._spec, self.params, self.prepare(X).X, self._guard,
                             self._inference)

    def predict(self, X: Features) -> npt.NDArray[Any]:
        """Class labels (softmax: argmax; sigmoid with binary_cross_entropy: output > 0.5) or
        regression values; a single output is returned as a vector."""
        out = self.forward(X)
        if self.loss_name == "cross_entropy":
            labels: npt.NDArray[np.intp] = np.argmax(out, axis=1)
            return labels
        if self.loss_name == "binary_cross_entropy":
            out = (out > 0.5).astype(np.int64)
        return out[:, 0] if self.n_outputs == 1 else out

    def predict_proba(self, X: Features) -> FloatArray:
        """Class probabilities of a classification network: the softmax outputs (n, classes),
        [1 - p, p] columns for one sigmoid output, the sigmoid outputs (n, labels) otherwise."""
        if not self.is_classifier:
            raise ValueError(f"predict_proba needs a classification loss, this network's is "
                             f"{self.loss_name!r}")
        out = self.forward(X)
        if self.loss_name == "binary_cross_entropy" and self.n_outputs == 1:
            return np.hstack([1 - out, out])
        return out

    def loss(self, X: Features, y: npt.ArrayLike,
             sample_weight: npt.ArrayLike | None = None) -> float:
        """The cost: mean loss over the samples (weighted mean with ``sample_weight``)."""
        return self.loss_and_gradient(X, y, sample_weight=sample_weight, want_grad=False)[0]

    @overload
    def loss_and_gradient(self, X: Features, y: npt.ArrayLike,
                          sample_weight: npt.ArrayLike | None = None, l2: float = 0.0,
                          params: npt.ArrayLike | None = None,
                          want_grad: Literal[True] = True) -> tuple[float, FloatArray]: ...

    @overload
    def loss_and_gradient(self, X: Features, y: npt.ArrayLike,
                          sample_weight: npt.ArrayLike | None = None, l2: float = 0.0,
                          params: npt.ArrayLike | None = None, *,
                          want_grad: Literal[False]) -> tuple[float, None]: ...

    @overload
    def loss_and_gradient(self, X: Features, y: npt.ArrayLike,
                          sample_weight: npt.ArrayLike | None = None, l2: float = 0.0,
                          params: npt.ArrayLike | None = None,
                          want_grad: bool = True) -> tuple[float, FloatArray | None]: ...

    def loss_and_gradient(self, X: Features, y: npt.ArrayLike,
                          sample_weight: npt.ArrayLike | None = None, l2: float = 0.0,
                          params: npt.ArrayLike | None = None,
                          want_grad: bool = True) -> tuple[float, FloatArray | None]:
        """(cost, flat gradient) over all samples; ``l2`` adds 0.5*l2*sum(W**2)/sum(weights) as
        scikit-learn does; ``params`` evaluates at another flat parameter vector."""
        data = self.prepare(X, y, sample_weight)
        l2 = check_non_negative("l2", l2)
        return _core.loss_and_gradient(self._spec, self.as_params(params), data.X, data.labels,
                                       data.dense, data.weights, l2, bool(want_grad), self._guard)

    def gradients(self, X: Features, y: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
                  ) -> tuple[list[FloatArray], list[FloatArray]]:
        """Backpropagated gradient of the cost: (dW, db), lists shaped like weights/biases."""
        _, grad = self.loss_and_gradient(X, y, sample_weight=sample_weight)
        return self.split_params(grad)

    def score(self, X: Features, y: npt.ArrayLike,
              sample_weight: npt.ArrayLike | None = None) -> float:
        """Accuracy for classification losses, R^2 (averaged over outputs) for regression."""
        if y is None:  # prepare() takes a missing y as "no targets", which scoring needs
            raise ValueError("y is None: score needs the targets")
        data = self.prepare(X, y)
        weights = check_sample_weight(sample_weight, data.X.shape[0], np.float64)
        out = _core.forward(self._spec, self.params, data.X, self._guard, self._inference)
        return objectives.score(self.loss_name, out, data.labels, data.dense, weights)

    # ------------------------------------------------------------------ training
    def fit(self, X: Features, y: npt.ArrayLike, epochs: int = 10, batch_size: int = 32,
            optimizer: Optimizer | None = None, *, shuffle: bool = True,
            sample_weight: npt.ArrayLike | None = None,
            class_weight: str | dict[Any, float] | None = None, l2: float = 0.0,
            validation_data: tuple[Features, npt.ArrayLike] | None = None,
            early_stopping: bool | EarlyStopping | None = None, record_batches: bool = False,
            callback: Callable[[int, History], bool | None] | None = None,
            verbose: bool = False, reset_history: bool = False,
            divergence_factor: float | None = training.DIVERGENCE_FACTOR,
            comm: Communicator = None) -> History:
        """Train by minibatch gradient descent; whole epochs run in C++ with the GIL released.

        optimizer : gf.SGD or gf.Adam; its state persists across fits that pass the same
            object. ``None`` reuses the optimizer of the previous fit (first time: SGD(lr=0.01)).
            Its schedule (``gradfall.schedules``) sets the rate between epochs.
        sample_weight : per-sample weights of the loss.
        class_weight : "balanced" or {class: weight}, multiplied into the sample weights
            (classification losses).
        validation_data : (X_val, y_val), scored after every epoch into the history.
        early_stopping : True (patience 10 on val_loss, or on the training loss without
            validation data) or a ``gf.EarlyStopping``; the best epoch's weights come back.
        record_batches : keep every minibatch's loss in ``history.batch_loss``.
        callback : ``callback(epoch, history)`` after each epoch; returning True stops training.
        verbose : show progress (a tqdm bar on a terminal when tqdm is installed, else a line
            every tenth of the run) with the loss and validation loss.
        reset_history : start a new ``net.history`` instead of adding to it.
        divergence_factor : a loss above this many times the first batch's (or NaN/inf) raises
            ``gf.DivergenceError`` and restores the last completed epoch; None: never.
        comm : an MPI communicator (mpi4py): data-parallel training, (X, y) being this rank's
            shard and ``batch_size`` the global batch (``gradfall.distributed``); every rank
            calls ``fit`` with the same settings.
        Returns ``net.history``: mean training loss per epoch, gradient norms, validation.
        """
        return training.fit(self, X, y, epochs=epochs, batch_size=batch_size,
                            optimizer=optimizer, shuffle=shuffle, sample_weight=sample_weight,
                            class_weight=class_weight, l2=l2, validation_data=validation_data,
                            early_stopping=early_stopping, record_batches=record_batches,
                            callback=callback, verbose=verbose, reset_history=reset_history,
                            divergence_factor=divergence_factor, comm=comm)

    # ------------------------------------------------------------------ persistence
    def save(self, path: PathLike) -> None:
        """Write the network to ``path`` (format: see ``gradfall.serialization``)."""
        state = self.state()
        serialization.write(path, state, state.pop("params"))

    @classmethod
    def load(cls, path: PathLike) -> Network:
        """Read a network written by ``save``; ValueError for a file that is not one."""
        fields, params = serialization.read(path)
        try:
            return cls.from_state({**fields, "params": params})
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path} is not a valid gradfall model: inconsistent network "
                             f"description ({exc})") from None

    def to_onnx(self, path: PathLike | None = None, opset: int | None = None) -> onnx.ModelProto:
        """This network as an ONNX model, written to ``path`` when given (``gradfall.onnx_io``;
        needs ``pip install "gradfall[onnx]"``)."""
        from .onnx_io import export   # onnx is optional: imported only when asked for
        return export.to_onnx(self, path, opset=opset)

    def copy(self) -> Network:
        """An independent network with the same description, parameters and counters."""
        return Network.from_state(self.state())

    def astype(self, dtype: npt.DTypeLike) -> Network:
        """A copy with parameters and computation in ``dtype``."""
        return Network.from_state({**self.state(), "dtype": as_float_dtype(dtype).name})

    def __getstate__(self) -> dict[str, Any]:
        return self.state()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(Network.from_state(state).__dict__)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        arrows = " -> ".join(str(s) for s in self.layer_sizes)
        return (f"Network({arrows}, hidden={self.activations[0] if self.n_layers > 1 else '-'}, "
                f"output={self.output}, loss={self.loss_name}, dtype={self.dtype.name}, "
                f"params={self.n_params:,})")

    def __str__(self) -> str:
        packed = (f", packed for inference: {self.packed_bytes / 2 ** 20:.2f} MiB"
                  if self.packed_bytes else "")
        lines = [f"Network: {self.n_layers} dense layer(s), {self.n_params:,} parameters, "
                 f"{self.dtype.name}, loss={self.loss_name}{packed}",
                 f"  {'layer':<6}{'W shape':<14}{'activation':<24}{'params':>10}"]
        for l in range(self.n_layers):
            n_in, n_out = self.layer_sizes[l], self.layer_sizes[l + 1]
            act = self.activations[l]
            if act == "leaky_relu":
                act = f"leaky_relu({self.leaky_slopes[l]:g})"
            if self.dropout[l]:
                act += f", dropout {self.dropout[l]:g}"
            lines.append(f"  {l:<6}{f'{n_in} x {n_out}':<14}{act:<24}{n_in * n_out + n_out:>10,}")
        return "\n".join(lines)


def _check_representable(dtype: np.dtype[Any], **values: float) -> None:
    """Scalars the core computes with in ``dtype`` must neither overflow nor vanish in it."""
    info = np.finfo(dtype)
    for name, value in values.items():
        if value > float(info.max) or 0 < value < float(info.tiny):
            raise ValueError(f"{name} {value:g} is outside what {dtype.name} can hold "
                             f"({float(info.tiny):g} to {float(info.max):g})")


def _as_list(layers: Iterable[Any]) -> list[Any]:
    try:
        return list(layers)
    except TypeError:
        raise TypeError("layers must be a list of layer sizes or of gf.Dense layers") from None


def _describes_layers(sizes: object, activations: object, slopes: object) -> bool:
    """Lists of positive integer sizes, one activation and one slope per layer."""
    return (isinstance(sizes, list) and isinstance(activations, list)
            and isinstance(slopes, list) and len(activations) >= 1
            and len(sizes) == len(activations) + 1 == len(slopes) + 1
            and all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and int(s) >= 1
                    for s in sizes))


def load(path: PathLike) -> Network:
    """Read a network written by ``Network.save`` (``gf.load``)."""
    return Network.load(path)
