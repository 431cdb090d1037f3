"""Moving a fitted MLP between gradfall's estimators and scikit-learn's: what each side's
attributes and optimizer state look like on the other (scikit-learn's private attributes are
read and written here only)."""
from __future__ import annotations

import copy
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import is_classifier

import gradfall as _gf
from gradfall.typing import FloatArray

# Fitted attributes copied as they are (when present on the source estimator), both ways.
PLAIN_ATTRIBUTES = (
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


def copy_plain_attributes(source: Any, target: Any) -> None:
    """Copies PLAIN_ATTRIBUTES that ``source`` has onto ``target``."""
    for name in PLAIN_ATTRIBUTES:
        if hasattr(source, name):
            setattr(target, name, copy.deepcopy(getattr(source, name)))


def sklearn_twin(estimator: Any, net: _gf.Network, best_params: npt.ArrayLike | None,
                 optimizer: _gf.SGD | _gf.Adam | None, dtype: npt.DTypeLike) -> Any:
    """The scikit-learn MLP with gradfall estimator ``estimator``'s parameters, fitted
    attributes, weights (those of ``net``), best weights and optimizer state."""
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    cls = MLPClassifier if is_classifier(estimator) else MLPRegressor
    if estimator.activation not in ("identity", "logistic", "tanh", "relu"):
        raise ValueError(
            f"scikit-learn's MLP has no activation {estimator.activation!r}; cannot convert"
        )
    dtype = np.dtype(dtype)
    sk_names = cls().get_params(deep=False)
    sk = cls(**{k: v for k, v in estimator.get_params(deep=False).items() if k in sk_names})
    copy_plain_attributes(estimator, sk)
    sk.coefs_, sk.intercepts_ = _layer_lists(net, net.params, dtype)
    if best_params is None or np.shape(best_params) != (net.n_params,):
        best_params = net.params
    sk._best_coefs, sk._best_intercepts = _layer_lists(net, best_params, dtype)
    sk_opt = _optimizer_to_sklearn(optimizer, net, sk, dtype)
    if sk_opt is not None:
        sk._optimizer = sk_opt
    return sk


def load_sklearn_optimizer(sk_opt: Any, opt: _gf.SGD | _gf.Adam, net: _gf.Network) -> bool:
    """Copy the rate and state of scikit-learn optimizer ``sk_opt`` into gradfall optimizer
    ``opt`` (for ``net``); False when ``sk_opt`` is of an unknown kind."""
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

    state = opt.state_for(net.n_params, net.dtype)
    if isinstance(sk_opt, SGDOptimizer):
        n_layers = len(sk_opt.velocities) // 2
        opt.lr = float(sk_opt.learning_rate)
        state.momentum[...] = net.join_params(sk_opt.velocities[:n_layers],
                                              sk_opt.velocities[n_layers:])
        return True
    if isinstance(sk_opt, AdamOptimizer):
        n_layers = len(sk_opt.ms) // 2
        state.first_moment[...] = net.join_params(sk_opt.ms[:n_layers], sk_opt.ms[n_layers:])
        state.second_moment[...] = net.join_params(sk_opt.vs[:n_layers], sk_opt.vs[n_layers:])
        state.step = int(sk_opt.t)
        return True
    return False


def best_params_of(sk: Any, net: _gf.Network) -> FloatArray:
    """scikit-learn's best weights (kept for early stopping) as a flat vector of ``net``."""
    if hasattr(sk, "_best_coefs"):
        return net.join_params(sk._best_coefs, sk._best_intercepts)
    return np.array(net.params, copy=True)


def _layer_lists(net: _gf.Network, flat: npt.ArrayLike,
                 dtype: npt.DTypeLike) -> tuple[list[FloatArray], list[FloatArray]]:
    """(coef list, intercept list), copies of a flat vector in ``net``'s layout."""
    weights, biases = net.split_params(np.asarray(flat))
    return ([np.array(W, dtype=dtype) for W in weights],
            [np.array(b, dtype=dtype) for b in biases])


def _optimizer_to_sklearn(opt: _gf.SGD | _gf.Adam | None, net: _gf.Network, sk: Any,
                          dtype: npt.DTypeLike) -> Any:
    if opt is None:
        return None
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

    params = sk.coefs_ + sk.intercepts_

    def per_layer(buffer: npt.NDArray[Any] | None) -> list[npt.NDArray[Any]]:
        if buffer is None or np.shape(buffer) != (net.n_params,):
            return [np.zeros_like(p) for p in params]
        coefs, intercepts = _layer_lists(net, buffer, dtype)
        return coefs + intercepts

    state = opt.state
    if isinstance(opt, _gf.SGD):
        sk_opt = SGDOptimizer(params, sk.learning_rate_init, sk.learning_rate, sk.momentum,
                              sk.nesterovs_momentum, sk.power_t)
        sk_opt.learning_rate = float(opt.lr)
        sk_opt.velocities = per_layer(None if state is None else state.momentum)
        return sk_opt
    sk_opt = AdamOptimizer(params, sk.learning_rate_init, sk.beta_1, sk.beta_2, sk.epsilon)
    sk_opt.ms = per_layer(None if state is None else state.first_moment)
    sk_opt.vs = per_layer(None if state is None else state.second_moment)
    sk_opt.t = opt.steps
    return sk_opt
