"""Conversion between fitted scikit-learn MLPs and gradfall's estimators (same weights)."""
from __future__ import annotations

import copy

import numpy as np
from sklearn.utils.validation import check_is_fitted

import gradfall as _gf

from ._base import _canonical

# Fitted attributes copied as they are (when present on the source estimator).
_PLAIN_ATTRIBUTES = (
    "n_features_in_",
    "feature_names_in_",
    "classes_",
    "n_iter_",
    "t_",
    "n_outputs_",
    "n_layers_",
    "out_activation_",
    "loss_",
    "best_loss_",
    "loss_curve_",
    "validation_scores_",
    "best_validation_score_",
    "_no_improvement_count",
    "_label_binarizer",
)


def _flatten(coefs, intercepts, dtype):
    """sklearn's per-layer lists -> gradfall's flat layout (W_0, b_0, W_1, b_1, ...)."""
    parts = []
    for c, b in zip(coefs, intercepts):
        parts.append(np.asarray(c, dtype=dtype).ravel())
        parts.append(np.asarray(b, dtype=dtype).ravel())
    return np.ascontiguousarray(np.concatenate(parts), dtype=dtype)


def _unflatten(flat, units, dtype):
    """gradfall's flat layout -> (coef list, intercept list), copies."""
    coefs, intercepts, pos = [], [], 0
    for fan_in, fan_out in zip(units[:-1], units[1:]):
        coefs.append(np.array(flat[pos:pos + fan_in * fan_out], dtype=dtype).reshape(fan_in, fan_out))
        pos += fan_in * fan_out
        intercepts.append(np.array(flat[pos:pos + fan_out], dtype=dtype))
        pos += fan_out
    return coefs, intercepts


def _units_of(coefs):
    return [int(np.shape(coefs[0])[0])] + [int(np.shape(c)[1]) for c in coefs]


def _sklearn_classes():
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    return MLPClassifier, MLPRegressor


def from_sklearn(estimator, *, dtype=None, n_threads=None):
    """A gradfall MLPClassifier/MLPRegressor with the weights (and the fitted state: classes,
    loss curve, optimizer moments, ...) of a fitted ``sklearn.neural_network`` MLP.

    dtype: None keeps the dtype of the scikit-learn weights (float64 for float64 training data).
    """
    from ._classifier import MLPClassifier
    from ._regressor import MLPRegressor

    SkClassifier, SkRegressor = _sklearn_classes()
    if isinstance(estimator, SkClassifier):
        cls = MLPClassifier
    elif isinstance(estimator, SkRegressor):
        cls = MLPRegressor
        if getattr(estimator, "loss", "squared_error") != "squared_error":
            raise ValueError(
                f"cannot convert an MLPRegressor with loss={estimator.loss!r}: gradfall supports "
                "loss='squared_error' only"
            )
    else:
        raise TypeError(
            "from_sklearn expects a fitted sklearn.neural_network.MLPClassifier or MLPRegressor, "
            f"got {type(estimator).__name__}"
        )
    check_is_fitted(estimator, "coefs_")
    if dtype is None:
        src = np.asarray(estimator.coefs_[0]).dtype
        dtype = src if src in (np.float32, np.float64) else np.dtype(np.float64)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")

    sk_params = estimator.get_params(deep=False)
    ours = cls()
    params = {k: v for k, v in sk_params.items() if k in ours.get_params(deep=False)}
    params.update(dtype=dtype.name, n_threads=n_threads)
    ours = cls(**params)

    for name in _PLAIN_ATTRIBUTES:
        if hasattr(estimator, name):
            setattr(ours, name, copy.deepcopy(getattr(estimator, name)))
    ours.coefs_ = [np.array(c, dtype=dtype) for c in estimator.coefs_]
    ours.intercepts_ = [np.array(b, dtype=dtype) for b in estimator.intercepts_]
    if hasattr(estimator, "_best_coefs"):
        ours._best_params = _flatten(estimator._best_coefs, estimator._best_intercepts, dtype)
    else:
        ours._best_params = _flatten(ours.coefs_, ours.intercepts_, dtype)
    ours._optimizer = _optimizer_from_sklearn(getattr(estimator, "_optimizer", None), dtype)
    ours._ensure_net()
    return ours


def _optimizer_from_sklearn(sk_opt, dtype):
    if sk_opt is None:
        return None
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

    n_layers = None
    if isinstance(sk_opt, SGDOptimizer):
        momentum = float(sk_opt.momentum)
        opt = _gf.SGD(lr=float(sk_opt.learning_rate), momentum=momentum,
                      nesterov=bool(sk_opt.nesterov) and momentum > 0, style="sklearn")
        n_layers = len(sk_opt.velocities) // 2
        state1 = _flatten(sk_opt.velocities[:n_layers], sk_opt.velocities[n_layers:], dtype)
        state2 = np.zeros_like(state1)
        step = 0
    elif isinstance(sk_opt, AdamOptimizer):
        opt = _gf.Adam(lr=float(sk_opt.learning_rate_init), beta1=float(sk_opt.beta_1),
                       beta2=float(sk_opt.beta_2), eps=float(sk_opt.epsilon), style="sklearn")
        n_layers = len(sk_opt.ms) // 2
        state1 = _flatten(sk_opt.ms[:n_layers], sk_opt.ms[n_layers:], dtype)
        state2 = _flatten(sk_opt.vs[:n_layers], sk_opt.vs[n_layers:], dtype)
        step = int(sk_opt.t)
    else:  # pragma: no cover - unknown optimizer: start fresh
        return None
    opt.state1 = _canonical(state1)
    opt.state2 = _canonical(state2)
    opt.step = np.array([step], dtype=np.int64)
    return opt


def to_sklearn(estimator, *, dtype=np.float64):
    """The ``sklearn.neural_network`` MLPClassifier/MLPRegressor with the same weights and
    fitted state as gradfall estimator ``estimator``."""
    from ._classifier import MLPClassifier

    check_is_fitted(estimator, "coefs_")
    SkClassifier, SkRegressor = _sklearn_classes()
    cls = SkClassifier if isinstance(estimator, MLPClassifier) else SkRegressor
    if estimator.activation not in ("identity", "logistic", "tanh", "relu"):
        raise ValueError(
            f"scikit-learn's MLP has no activation {estimator.activation!r}; cannot convert"
        )
    dtype = np.dtype(dtype)
    ours_params = estimator.get_params(deep=False)
    sk_param_names = cls().get_params(deep=False)
    sk = cls(**{k: v for k, v in ours_params.items() if k in sk_param_names})

    net = estimator._ensure_net()
    units = _units_of(estimator.coefs_)
    for name in _PLAIN_ATTRIBUTES:
        if hasattr(estimator, name):
            setattr(sk, name, copy.deepcopy(getattr(estimator, name)))
    sk.coefs_ = [np.array(c, dtype=dtype) for c in estimator.coefs_]
    sk.intercepts_ = [np.array(b, dtype=dtype) for b in estimator.intercepts_]
    best = getattr(estimator, "_best_params", None)
    if best is None or np.shape(best) != (net.n_params,):
        best = net.params
    sk._best_coefs, sk._best_intercepts = _unflatten(best, units, dtype)
    sk_opt = _optimizer_to_sklearn(getattr(estimator, "_optimizer", None), sk, units, dtype)
    if sk_opt is not None:
        sk._optimizer = sk_opt
    return sk


def _optimizer_to_sklearn(opt, sk, units, dtype):
    if opt is None:
        return None
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

    params = sk.coefs_ + sk.intercepts_
    n_params = sum(a * b + b for a, b in zip(units[:-1], units[1:]))

    def state(arr):
        if arr is None or np.shape(arr) != (n_params,):
            return [np.zeros_like(p) for p in params]
        coefs, intercepts = _unflatten(np.asarray(arr), units, dtype)
        return coefs + intercepts

    if isinstance(opt, _gf.SGD):
        sk_opt = SGDOptimizer(params, sk.learning_rate_init, sk.learning_rate, sk.momentum,
                              sk.nesterovs_momentum, sk.power_t)
        sk_opt.learning_rate = float(opt.lr)
        sk_opt.velocities = state(opt.state1)
        return sk_opt
    if isinstance(opt, _gf.Adam):
        sk_opt = AdamOptimizer(params, sk.learning_rate_init, sk.beta_1, sk.beta_2, sk.epsilon)
        sk_opt.ms = state(opt.state1)
        sk_opt.vs = state(opt.state2)
        sk_opt.t = int(np.asarray(opt.step).ravel()[0]) if opt.step is not None else 0
        return sk_opt
    return None
