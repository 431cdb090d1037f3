"""Shared machinery of gradfall's scikit-learn compatible MLP estimators.

The estimators reproduce scikit-learn 1.9's ``BaseMultilayerPerceptron`` (objective, initialisation,
optimizers, stopping rules, fitted attributes) but every forward/backward pass, every minibatch
and every optimizer step runs in gradfall's C++ core (``gradfall.Network``). Python only runs
once per epoch (stopping rules, learning-rate schedule, early-stopping bookkeeping).

Objective (identical to scikit-learn):
  classification  mean over samples of the log-loss summed over outputs (softmax + cross-entropy for
                  multiclass, logistic + binary cross-entropy for binary and multilabel targets)
  regression      mean over samples of 0.5 * sum over outputs of the squared error (gradient),
                  reported ``loss_`` divided by the number of outputs, as scikit-learn does
  L2              0.5 * alpha * sum(W**2) / sum(batch sample weights), weights only
  sample_weight   sum_i w_i loss_i / sum_i w_i in every minibatch
"""
from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any, TypeVar, Union, cast

import numpy as np
import numpy.typing as npt
import scipy.optimize
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, _fit_context, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

import gradfall as _gf
from gradfall.schedules import DivideOnPlateau, InverseScaling, Progress
from gradfall.stopping import no_improvement
from gradfall._validation import cast_checked
from gradfall.progress import Progress as ProgressDisplay
from gradfall.distributed import collective_of
from gradfall.training import EpochRunner
from gradfall.typing import Communicator, FloatArray, PathLike

from ._loss_report import EpochLoss, reported_loss, weights_squared
from ._conversion import (
    best_params_of,
    copy_plain_attributes,
    load_sklearn_optimizer,
    sklearn_twin,
)

if TYPE_CHECKING:
    from onnx import ModelProto

    from gradfall.initializers import InitRule

# hidden_layer_sizes: one width or one per hidden layer.
HiddenSizes = Union[int, Sequence[int]]
# random_state as scikit-learn takes it (check_random_state).
RandomState = Union[int, np.random.RandomState, None]
# dtype: "auto" (X's), "float32", "float64", or numpy's float32/float64 types.
DTypeChoice = Union[str, type]
# The held-out (X, y, sample_weight) of early stopping, all None without it.
Validation = tuple[Any, Any, Any]
MLP = TypeVar("MLP", bound="BaseMLP")
Method = TypeVar("Method", bound=Callable[..., Any])

try:  # private helper of scikit-learn: iprint is deprecated from scipy 1.15
    from sklearn.utils.fixes import _get_additional_lbfgs_options_dict
except ImportError:  # pragma: no cover
    def _get_additional_lbfgs_options_dict(key: str, value: Any) -> dict[str, Any]:
        return {}

_STOCHASTIC_SOLVERS = ("sgd", "adam")
# Sparse X the estimators take (validate_data converts other formats to the first); the core
# reads CSR rows in place, never a dense copy.
SPARSE_FORMATS = ["csr", "csc", "coo"]

# scikit-learn activation name -> gradfall hidden activation name
HIDDEN_ACTIVATIONS = {
    "identity": "identity",
    "logistic": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
}
# scikit-learn out_activation_ -> (gradfall output activation, loss, output_scale)
OUTPUTS = {
    "softmax": ("softmax", "cross_entropy", 1.0),
    # sklearn's (binary) log-loss sums over the outputs per sample
    "logistic": ("sigmoid", "binary_cross_entropy", 1.0),
    # sklearn's squared-loss gradient is (y_pred - y) per output: 0.5 * sum over outputs
    "identity": ("identity", "mse", 0.5),
    # loss="poisson": the half Poisson deviance of exp(z), summed over the outputs
    "exp": ("exp", "poisson", 1.0),
}

def expected_failed_checks(estimator: Any) -> dict[str, str]:
    """Checks of ``sklearn.utils.estimator_checks`` expected to fail for ``estimator``, with the
    reason (pass as ``expected_failed_checks=`` to ``parametrize_with_checks``/``check_estimator``).
    With the default parameters there are none, as for scikit-learn's own MLPs.
    """
    failures = {}
    forced = getattr(estimator, "dtype", "auto")
    if not (isinstance(forced, str) and forced == "auto") and np.dtype(forced) == np.float32:
        failures["check_sample_weight_equivalence_on_dense_data"] = (
            "dtype='float32' computes in single precision whatever X is: the weighted and the "
            "repeated fits agree to float32 precision (~1e-5), not to the check's rtol=1e-7"
        )
    if "check_sample_weight_equivalence_on_dense_data" in failures:  # sparse X: the same sums
        failures["check_sample_weight_equivalence_on_sparse_data"] = failures[
            "check_sample_weight_equivalence_on_dense_data"]
    if is_classifier(estimator) and getattr(estimator, "solver", None) == "lbfgs":
        failures["check_classifiers_multilabel_output_format_predict_proba"] = (
            "lbfgs drives the check's separable multilabel data to a confident model whose "
            "logistic outputs saturate to exactly 0.0 or 1.0 (float32: once |logit| > ~17, as "
            "1 - 2**-24 rounds to 1; float64: > ~37), and the check requires 0 < p < 1 strictly; "
            "scikit-learn's own MLPClassifier(solver='lbfgs') fails it the same way"
        )
    return failures


def fit_method(method: Method) -> Method:
    """scikit-learn's fit context (parameters validated first), the signature kept for type
    checkers (scikit-learn's decorators are untyped)."""
    return cast(Method, _fit_context(prefer_skip_nested_validation=True)(method))


def partial_fit_method(method: Method) -> Method:
    """``fit_method``, and present only with a stochastic solver (scikit-learn's available_if)."""
    return cast(Method, available_if(lambda est: est._check_solver())(fit_method(method)))


def _same_buffer(a: object, b: npt.NDArray[Any]) -> bool:
    """True when ``a`` is exactly the memory of view ``b`` (same data pointer, shape, strides)."""
    return (
        isinstance(a, np.ndarray)
        and a.shape == b.shape
        and a.dtype == b.dtype
        and a.strides == b.strides
        and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
    )


def _in_place_layout(X: Any) -> Any:
    """X as the core reads it without a copy: C order when dense; sparse X as it is."""
    return X if issparse(X) else np.ascontiguousarray(X)


def _iteration_line(epoch: int, metrics: dict[str, float]) -> str:
    """scikit-learn's verbose line for one iteration."""
    line = "Iteration %d, loss = %.8f" % (epoch, metrics["loss"])
    if "val_score" in metrics:
        line += ", validation score = %f" % metrics["val_score"]
    return line


def units_of(coefs: Sequence[npt.ArrayLike]) -> list[int]:
    """Layer widths [n_in, n_hidden..., n_out] of per-layer weight matrices."""
    return [int(np.shape(coefs[0])[0])] + [int(np.shape(c)[1]) for c in coefs]


def stochastic_optimizer(params: Mapping[str, Any]) -> _gf.SGD | _gf.Adam:
    """scikit-learn's SGDOptimizer / AdamOptimizer for an estimator's parameters (a dict as
    ``get_params`` gives): the velocity form of momentum, Adam's corrections folded into the
    step size, and the learning-rate schedule of ``learning_rate`` (sgd only)."""
    if params["solver"] == "sgd":
        schedule = {"invscaling": InverseScaling(params["power_t"]),
                    "adaptive": DivideOnPlateau(factor=5.0, min_lr=1e-6)}.get(
                        params["learning_rate"])
        momentum = float(params["momentum"])
        return _gf.SGD(lr=float(params["learning_rate_init"]), momentum=momentum,
                       nesterov=bool(params["nesterovs_momentum"]) and momentum > 0,
                       momentum_form="velocity", schedule=schedule)
    return _gf.Adam(lr=float(params["learning_rate_init"]), beta1=float(params["beta_1"]),
                    beta2=float(params["beta_2"]), eps=float(params["epsilon"]),
                    correction="step_size")


# scikit-learn ships no type information, so its base classes are Any to mypy.
class BaseMLP(BaseEstimator, ABC):  # type: ignore[misc]
    """Base class of gradfall's MLPClassifier / MLPRegressor. Do not use directly."""

    # Fitted attributes, with scikit-learn's names and meaning (set by fit).
    coefs_: list[FloatArray]
    intercepts_: list[FloatArray]
    n_iter_: int
    t_: int
    n_outputs_: int
    n_layers_: int
    out_activation_: str
    loss_: float
    loss_curve_: list[float]
    best_loss_: float | None
    validation_scores_: list[float] | None
    best_validation_score_: float | None
    _net: _gf.Network | None
    _optimizer: _gf.SGD | _gf.Adam | None
    _best_params: npt.NDArray[Any]
    _random_state: np.random.RandomState
    _no_improvement_count: int

    _parameter_constraints: dict[str, Any] = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dtype": [StrOptions({"auto", "float32", "float64"}),
                  Options(type, {np.float32, np.float64})],
        "n_threads": [None, Interval(Integral, 1, None, closed="left")],
        "comm": "no_validation",  # an mpi4py communicator, checked when fit uses it
    }

    @abstractmethod
    def __init__(self, hidden_layer_sizes: HiddenSizes, activation: str, solver: str,
                 alpha: float, batch_size: int | str, learning_rate: str,
                 learning_rate_init: float, power_t: float, max_iter: int, shuffle: bool,
                 random_state: RandomState, tol: float, verbose: bool | int, warm_start: bool,
                 momentum: float, nesterovs_momentum: bool, early_stopping: bool,
                 validation_fraction: float, beta_1: float, beta_2: float, epsilon: float,
                 n_iter_no_change: int | float, max_fun: int, dtype: DTypeChoice,
                 n_threads: int | None, comm: Communicator = None) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dtype = dtype
        self.n_threads = n_threads
        self.comm = comm

    # ------------------------------------------------------------------ subclass hooks
    @abstractmethod
    def _validate_input(self, X: Any, y: Any, incremental: bool,
                        reset: bool) -> tuple[Any, npt.NDArray[Any]]:
        """Returns X (C-contiguous, self dtype) and y (2-D indicator / float targets)."""

    @abstractmethod
    def _output_to_prediction(self, output: FloatArray) -> npt.NDArray[Any]:
        """Network outputs (n, n_outputs_) -> what ``predict`` returns."""

    @abstractmethod
    def _score_function(self, y_true: npt.ArrayLike, y_pred: npt.ArrayLike,
                        sample_weight: npt.NDArray[Any] | None) -> float:
        """Validation score used for early stopping (accuracy / R^2)."""

    # ------------------------------------------------------------------ helpers
    def _compute_dtype(self, X: Any) -> np.dtype[Any]:
        """The dtype of the weights and of the computation: X's (float32 or float64) for
        dtype="auto", as scikit-learn does, else the one asked for."""
        if isinstance(self.dtype, str) and self.dtype == "auto":
            return X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        return np.dtype(self.dtype)

    def _validated_X(self, X: Any, reset: bool, **checks: Any) -> Any:
        """X (and y when given in ``checks``) through scikit-learn's validation, floats kept in
        their dtype, then finite-checked and cast to the compute dtype."""
        result = validate_data(self, X, reset=reset, dtype=(np.float64, np.float32), order="C",
                               ensure_all_finite=False, **checks)
        X, rest = (result[0], result[1:]) if isinstance(result, tuple) else (result, ())
        X = cast_checked(X, self._compute_dtype(X))
        return (X, *rest) if rest else X

    def _fitted_dtype(self) -> np.dtype[Any]:
        dtype = np.asarray(self.coefs_[0]).dtype
        return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)

    def _hidden_sizes(self) -> list[int]:
        given: Any = self.hidden_layer_sizes
        if not hasattr(given, "__iter__"):
            given = [given]
        sizes = [int(s) for s in given]
        if any(s <= 0 for s in sizes):
            raise ValueError("hidden_layer_sizes must be > 0, got %s." % sizes)
        return sizes

    def _new_network(self, layer_units: Sequence[int], dtype: npt.DTypeLike, seed: int = 0,
                     init: InitRule | None = None) -> _gf.Network:
        if self.activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}")
        output, loss, scale = OUTPUTS[self.out_activation_]
        return _gf.Network(
            [int(u) for u in layer_units],
            activation=HIDDEN_ACTIVATIONS[self.activation],
            output=output,
            loss=loss,
            dtype=np.dtype(dtype).name,
            seed=int(seed),
            output_scale=scale,
            init=init,
        )

    def _ensure_net(self, dtype: npt.DTypeLike | None = None,
                    seed: int | None = None) -> _gf.Network:
        """The Network holding coefs_/intercepts_, rebuilt if needed (after unpickling, after the
        user replaced coefs_, or to change dtype); coefs_[i]/intercepts_[i] are views into it."""
        units = units_of(self.coefs_)
        wanted = np.dtype(dtype) if dtype is not None else self._fitted_dtype()
        net: _gf.Network | None = getattr(self, "_net", None)
        if (
            net is None
            or list(net.layer_sizes) != units
            or np.dtype(net.dtype) != wanted
            or list(net.activations)
            != [HIDDEN_ACTIVATIONS[self.activation]] * (len(units) - 2)
            + [OUTPUTS[self.out_activation_][0]]
        ):
            if seed is None:
                seed = getattr(net, "seed", 0) if net is not None else 0
            net = self._new_network(units, wanted, seed)
            self._net = net
        elif seed is not None:
            net.seed = int(seed)  # only the shuffling seed changes: no need to rebuild the net
        weights, biases = net.weights, net.biases
        shared = all(_same_buffer(c, W) for c, W in zip(self.coefs_, weights)) and \
            all(_same_buffer(b, v) for b, v in zip(self.intercepts_, biases))
        if not shared:  # coefs_/intercepts_ were replaced (or the network rebuilt): load them
            net.load_params(net.join_params(self.coefs_, self.intercepts_))
        self.coefs_ = list(weights)
        self.intercepts_ = list(biases)
        return net

    # ------------------------------------------------------------------ pickling
    def __getstate__(self) -> dict[str, Any]:
        """Small and quick to ship to a worker: the weights as one flat array (no core
        objects: the network, its lock and its inference cache are rebuilt where it lands); the
        best weights only where early stopping kept them."""
        state = dict(super().__getstate__())
        state.pop("_net", None)
        state.pop("comm", None)  # a communicator belongs to its processes
        if not self.early_stopping:
            state.pop("_best_params", None)
        if "coefs_" in state:
            state["_layer_units"] = units_of(state.pop("coefs_"))
            state.pop("intercepts_")
            net = self._ensure_net()
            state["_flat_params"] = net.params.copy()
            # Keys the next epoch's shuffle: partial_fit goes on where it was.
            state["_epochs_trained"] = net.epochs_trained
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state.setdefault("comm", None)
        units, flat = state.pop("_layer_units", None), state.pop("_flat_params", None)
        epochs = state.pop("_epochs_trained", 0)
        super().__setstate__(state)
        self._net = None
        if flat is not None:  # coefs_/intercepts_: views into a network holding the array
            self._net = self._new_network(units, flat.dtype)
            self._net.load_params(flat)
            self._net.epochs_trained = epochs
            self.coefs_, self.intercepts_ = self._net.weights, self._net.biases

    # ------------------------------------------------------------------ fitting
    def _initialize(self, y: npt.NDArray[Any], layer_units: list[int],
                    dtype: np.dtype[Any]) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._out_activation()
        # scikit-learn's _init_coef, drawn in the same order from the same RandomState: the same
        # random_state gives the same initial weights as sklearn.
        factor = 2.0 if self.activation == "logistic" else 6.0
        random_state = self._random_state

        def sklearn_init(rng: np.random.Generator, fan_in: int,
                         fan_out: int) -> tuple[FloatArray, FloatArray]:
            bound = np.sqrt(factor / (fan_in + fan_out))
            return (random_state.uniform(-bound, bound, (fan_in, fan_out)),
                    random_state.uniform(-bound, bound, fan_out))

        net = self._new_network(layer_units, dtype, seed=0, init=sklearn_init)
        self._net = net
        self.coefs_ = list(net.weights)
        self.intercepts_ = list(net.biases)
        self._best_params = np.array(net.params, copy=True)
        self._optimizer = None
        if self.solver in _STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _fit(self: MLP, X: Any, y: Any, sample_weight: npt.ArrayLike | None = None,
             incremental: bool = False) -> MLP:
        hidden_layer_sizes = self._hidden_sizes()
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        collective = collective_of(self.comm)
        if collective.distributed and (self.solver not in _STOCHASTIC_SOLVERS
                                       or self.early_stopping):
            raise ValueError("comm= trains with solver='sgd' or 'adam' and "
                             "early_stopping=False")
        X, y, sample_weight = collective.checked("checking the training data", lambda: (
            self._checked_data(X, y, sample_weight, incremental, first_pass)))
        if hasattr(self, "classes_"):
            collective.agree("the classes (every rank's shard must hold every class)",
                             list(self.classes_))
        dtype = X.dtype
        if y.ndim == 1:
            y = y.reshape((-1, 1))
        n_features = X.shape[1]
        layer_units = [n_features] + hidden_layer_sizes + [y.shape[1]]
        self._random_state = check_random_state(self.random_state)

        if first_pass:
            self._initialize(y, layer_units, dtype)
        else:
            expected = units_of(self.coefs_)
            if expected != layer_units:
                raise ValueError(
                    f"Cannot continue training (warm_start/partial_fit): the network has layer "
                    f"sizes {expected}, the data and hidden_layer_sizes need {layer_units}."
                )
            self.n_outputs_ = y.shape[1]

        with _gf.threads(self.n_threads):
            if self.solver in _STOCHASTIC_SOLVERS:
                self._fit_stochastic(X, y, sample_weight, incremental)
            else:
                self._fit_lbfgs(X, y, sample_weight)

        net = self._ensure_net()
        if not np.isfinite(net.params).all():
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may"
                " contain large values and need to be preprocessed."
            )
        return self

    def _checked_data(self, X: Any, y: Any, sample_weight: npt.ArrayLike | None,
                      incremental: bool, first_pass: bool
                      ) -> tuple[Any, npt.NDArray[Any], npt.NDArray[Any] | None]:
        """(X, y, sample_weight) validated: X in the compute dtype as the core reads it."""
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        X = _in_place_layout(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype,
                                                 ensure_non_negative=True)
            sample_weight = np.ascontiguousarray(sample_weight, dtype=X.dtype)
        return X, y, sample_weight

    def _net_targets(self, y: npt.NDArray[Any], dtype: npt.DTypeLike) -> npt.NDArray[Any]:
        """2-D targets -> the form gradfall.Network.fit expects."""
        if getattr(self, "out_activation_", None) == "softmax":
            return np.ascontiguousarray(np.argmax(y, axis=1), dtype=np.int64)
        return np.ascontiguousarray(y, dtype=dtype)

    def _fit_stochastic(self, X: Any, y: npt.NDArray[Any], sample_weight: FloatArray | None,
                        incremental: bool) -> None:
        """sgd/adam: one core epoch per iteration, then scikit-learn's bookkeeping, stopping rule
        and learning-rate schedule (``_optimizer.end_epoch``, ``_optimizer.on_plateau``)."""
        opt: _gf.SGD | _gf.Adam | None = getattr(self, "_optimizer", None)
        if not incremental or opt is None:
            opt = self._optimizer = stochastic_optimizer(self.get_params(deep=False))
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        (X_train, y_train, sw_train), validation = self._validation_split(X, y, sample_weight)
        collective = collective_of(self.comm)
        n_samples = int(collective.total([X_train.shape[0]])[0])  # over every rank's shard
        batch_size = self._batch_size(n_samples)
        # The shuffling seed comes from random_state, drawn after the initial weights and the
        # validation split (which therefore match scikit-learn's for the same random_state).
        seed = int(self._random_state.randint(np.iinfo(np.int32).max)) if self.shuffle else 0
        net = self._ensure_net(dtype=X.dtype, seed=seed)
        runner = EpochRunner(net, X_train, self._net_targets(y_train, X.dtype),
                             batch_size=batch_size, optimizer=opt, shuffle=bool(self.shuffle),
                             sample_weight=sw_train, l2=float(self.alpha),
                             record_batches=sw_train is not None, stop_on_nonfinite=False,
                             comm=collective)
        total_weight = n_samples if sw_train is None else collective.total(
            [np.sum(sw_train, dtype=np.float64)])[0]
        epoch_loss = EpochLoss(batch_counts=runner.batch_sizes(), total_weight=total_weight,
                               weighted=sw_train is not None, alpha=self.alpha,
                               out_activation=self.out_activation_, n_outputs=self.n_outputs_,
                               coefs=self.coefs_)
        progress = self._progress_display(incremental, shown=collective.rank == 0)
        self.n_iter_ = 0
        try:
            with runner:
                self._stochastic_epochs(runner, epoch_loss, opt, net, validation, progress,
                                        incremental, n_samples)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
        finally:
            progress.close()
        if self.early_stopping:
            net.load_params(self._best_params)

    def _stochastic_epochs(self, runner: EpochRunner, epoch_loss: EpochLoss,
                           opt: _gf.SGD | _gf.Adam, net: _gf.Network, validation: Validation,
                           progress: ProgressDisplay, incremental: bool, n_samples: int) -> None:
        """The epochs of one fit / partial_fit call, scikit-learn's bookkeeping after each."""
        for _ in range(1 if incremental else int(self.max_iter)):
            result = runner.run()
            if result.interrupted:
                runner.deliver_interrupt()
                break  # a SIGINT handler that does not raise: stop training here
            self.n_iter_ += 1
            self.loss_ = epoch_loss(result, self.coefs_)
            self.t_ += n_samples
            self.loss_curve_.append(self.loss_)
            val_score = self._update_no_improvement_count(self.early_stopping, net,
                                                          *validation)
            progress.update(self.n_iter_, loss=self.loss_, val_score=val_score)
            opt.end_epoch(Progress(self.n_iter_, self.t_, self.loss_))
            if self._no_improvement_count > self.n_iter_no_change:
                if self._trigger_stopping(opt, progress):
                    break
                self._no_improvement_count = 0
            if incremental:
                break
            if self.n_iter_ == self.max_iter:
                warnings.warn(
                    "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                    "optimization hasn't converged yet." % self.max_iter,
                    ConvergenceWarning,
                )

    def _validation_split(self, X: Any, y: npt.NDArray[Any], sample_weight: FloatArray | None
                          ) -> tuple[tuple[Any, npt.NDArray[Any], FloatArray | None], Validation]:
        """((X, y, sample_weight) to train on, (X, y, sample_weight) to validate on), the
        latter all None without early stopping; split as scikit-learn splits."""
        if not self.early_stopping:
            return (X, y, sample_weight), (None, None, None)
        stratify = y if is_classifier(self) and self.n_outputs_ == 1 else None
        arrays = (X, y) if sample_weight is None else (X, y, sample_weight)
        parts = train_test_split(*arrays, random_state=self._random_state,
                                 test_size=self.validation_fraction, stratify=stratify)
        X_train, X_val, y_train, y_val = parts[:4]
        sw_train, sw_val = (None, None) if sample_weight is None else parts[4:]
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        if sw_train is not None:
            sw_train = np.ascontiguousarray(sw_train)
        return ((_in_place_layout(X_train), y_train, sw_train),
                (_in_place_layout(X_val), self._validation_targets(y_val), sw_val))

    def _batch_size(self, n_samples: int) -> int:
        if self.batch_size == "auto":
            return min(200, n_samples)
        if cast(int, self.batch_size) > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than "
                "sample size. It is going to be clipped"
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _progress_display(self, incremental: bool, shown: bool = True) -> ProgressDisplay:
        """shown: this process shows progress (data-parallel: rank 0 only)."""
        if self.verbose and shown and incremental:
            return ProgressDisplay(None, use_tqdm=False, line=_iteration_line)
        return ProgressDisplay(int(self.max_iter), desc=type(self).__name__,
                               enabled=bool(self.verbose) and shown and not incremental,
                               line=_iteration_line)

    def _trigger_stopping(self, opt: _gf.SGD | _gf.Adam, progress: ProgressDisplay) -> bool:
        """scikit-learn's ``trigger_stopping``: the schedule decides (only sgd with
        learning_rate='adaptive' goes on, with the rate divided by 5). True: stop."""
        quantity = "Validation score" if self.early_stopping else "Training loss"
        msg = ("%s did not improve more than tol=%f for %d consecutive epochs."
               % (quantity, self.tol, self.n_iter_no_change))
        if opt.on_plateau():
            progress.message(msg + " Setting learning rate to %f" % opt.lr)
            return False
        if isinstance(opt.schedule, DivideOnPlateau):
            progress.message(msg + " Learning rate too small. Stopping.")
        else:
            progress.message(msg + " Stopping.")
        return True

    def _update_no_improvement_count(self, early_stopping: bool, net: _gf.Network, X_val: Any,
                                     y_val: Any, sw_val: Any) -> float | None:
        """scikit-learn's stopping rule (gradfall.stopping.no_improvement) on the validation
        score (maximised) or the training loss; keeps the best weights for early stopping."""
        if early_stopping:
            # With early stopping these are a list and a number (see _initialize).
            scores = cast("list[float]", self.validation_scores_)
            best_score = cast(float, self.best_validation_score_)
            val_score = self._score_outputs(net.forward(X_val), y_val, sw_val)
            scores.append(val_score)
            self._no_improvement_count, best, is_best = no_improvement(
                -val_score, -best_score, self._no_improvement_count, self.tol)
            if is_best:
                self.best_validation_score_ = -best
                self._best_params = np.array(net.params, copy=True)
            return val_score
        self._no_improvement_count, self.best_loss_, _ = no_improvement(
            # Without early stopping best_loss_ is a number (see _initialize).
            self.loss_curve_[-1], cast(float, self.best_loss_), self._no_improvement_count,
            self.tol)
        return None

    def _score_outputs(self, output: FloatArray, y_true: Any, sample_weight: Any) -> float:
        y_pred = self._output_to_prediction(output)
        if np.issubdtype(np.asarray(y_pred).dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return float(self._score_function(y_true, y_pred, sample_weight))

    def _validation_targets(self, y_val: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return y_val

    def _fit_lbfgs(self, X: Any, y: npt.NDArray[Any], sample_weight: FloatArray | None) -> None:
        net = self._ensure_net(dtype=X.dtype)
        targets = self._net_targets(y, X.dtype)
        dtype = X.dtype
        alpha = float(self.alpha)
        total_weight = float(X.shape[0] if sample_weight is None
                             else np.sum(sample_weight, dtype=np.float64))
        progress = ProgressDisplay(int(self.max_iter), desc=type(self).__name__ + " (lbfgs)",
                                   enabled=bool(self.verbose), line=_iteration_line)

        def loss_grad(theta: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
            loss, grad = net.loss_and_gradient(
                X, targets, sample_weight=sample_weight, l2=alpha,
                params=np.ascontiguousarray(theta, dtype=dtype))
            return float(loss), np.asarray(grad, dtype=np.float64)

        state = {"it": 0}

        def callback(intermediate_result: Any) -> None:
            state["it"] += 1
            progress.update(state["it"], loss=float(intermediate_result.fun))

        try:
            opt_res = scipy.optimize.minimize(
                loss_grad,
                np.asarray(net.params, dtype=np.float64),
                method="L-BFGS-B",
                jac=True,
                callback=callback if self.verbose else None,
                options={
                    "maxfun": self.max_fun,
                    "maxiter": self.max_iter,
                    "gtol": self.tol,
                    **_get_additional_lbfgs_options_dict("iprint", -1),
                },
            )
        finally:
            progress.close()
        self.n_iter_ = _check_optimize_result("lbfgs", opt_res, self.max_iter)
        net.load_params(opt_res.x)
        penalty = 0.5 * alpha * weights_squared(self.coefs_) / total_weight if alpha > 0 else 0.0
        self.loss_ = reported_loss(opt_res.fun, penalty, self.out_activation_, self.n_outputs_)

    # ------------------------------------------------------------------ prediction
    def _forward(self, X: Any, check_input: bool = True) -> FloatArray:
        """Output activations (n, n_outputs_) computed by the core."""
        net = self._ensure_net()
        if check_input:
            X = validate_data(self, X, reset=False, accept_sparse=SPARSE_FORMATS,
                              dtype=(np.float64, np.float32), ensure_all_finite=False)
        else:
            X = np.asarray(X)
        # Like scikit-learn, the outputs have the dtype of X (float32 or float64); the
        # computation runs in the network's dtype.
        out_dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        X = cast_checked(X, net.dtype)
        with _gf.threads(self.n_threads):
            out = net.forward(X)
        return np.asarray(out).astype(out_dtype, copy=False)

    def _predict(self, X: Any, check_input: bool = True) -> npt.NDArray[Any]:
        return self._output_to_prediction(self._forward(X, check_input=check_input))

    def _check_solver(self) -> bool:
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic"
                " optimizers. %s is not stochastic." % self.solver
            )
        return True

    def to_sklearn(self, dtype: npt.DTypeLike = "float64") -> Any:
        """The equivalent fitted ``sklearn.neural_network`` estimator (same weights, fitted
        attributes and optimizer state), its weights in ``dtype``."""
        check_is_fitted(self, "coefs_")
        return sklearn_twin(self, self._ensure_net(), getattr(self, "_best_params", None),
                            getattr(self, "_optimizer", None), dtype)

    def to_onnx(self, path: PathLike | None = None, opset: int | None = None) -> ModelProto:
        """The fitted network as an ONNX model (``gf.Network.to_onnx``): its output is the
        output layer's activations, so one sigmoid column for a binary classifier."""
        check_is_fitted(self, "coefs_")
        return self._ensure_net().to_onnx(path, opset=opset)

    @classmethod
    def from_sklearn(cls: type[MLP], estimator: Any, *, dtype: npt.DTypeLike | None = None,
                     n_threads: int | None = None) -> MLP:
        """This estimator with the parameters, weights and fitted state (classes, loss curve,
        optimizer moments, ...) of the fitted scikit-learn MLP ``estimator``. dtype: None keeps
        the dtype of the scikit-learn weights (float64 for float64 training data)."""
        check_is_fitted(estimator, "coefs_")
        if dtype is None:
            source = np.asarray(estimator.coefs_[0]).dtype
            dtype = source if source in (np.float32, np.float64) else np.dtype(np.float64)
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        names = cls().get_params(deep=False)  # type: ignore[call-arg]  # subclasses default all
        params = {k: v for k, v in estimator.get_params(deep=False).items() if k in names}
        ours = cls(**{**params, "dtype": dtype.name, "n_threads": n_threads})
        copy_plain_attributes(estimator, ours)
        ours.coefs_ = [np.array(c, dtype=dtype) for c in estimator.coefs_]
        ours.intercepts_ = [np.array(b, dtype=dtype) for b in estimator.intercepts_]
        net = ours._ensure_net()
        ours._best_params = best_params_of(estimator, net)
        ours._optimizer = None
        sk_opt = getattr(estimator, "_optimizer", None)
        if sk_opt is not None:
            opt = stochastic_optimizer(ours.get_params(deep=False))
            if load_sklearn_optimizer(sk_opt, opt, net):
                ours._optimizer = opt
        return ours

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
