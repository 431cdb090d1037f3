"""Bad input is refused with a ValueError/TypeError that names the problem."""
import numpy as np
import pytest

import gradfall as gf

X = np.arange(15, dtype=np.float32).reshape(5, 3) / 10
LABELS = np.array([0, 1, 0, 1, 1])
TARGETS = np.ones((5, 2), np.float32)


@pytest.fixture
def classifier():
    return gf.Network([3, 4, 2], loss="cross_entropy")


@pytest.fixture
def regressor():
    return gf.Network([3, 4, 2], loss="mse")


def calls(net, X_in, y_in):
    """Every entry point that takes data, so each check is made on all of them."""
    return [lambda: net.forward(X_in), lambda: net.predict(X_in), lambda: net.loss(X_in, y_in),
            lambda: net.gradients(X_in, y_in), lambda: net.fit(X_in, y_in, epochs=1),
            lambda: net.score(X_in, y_in)]


@pytest.mark.parametrize("bad_X,match", [
    (np.ones((5, 4)), "X has 4 features, but the network expects 3"),
    (np.ones(3), "must be 2-D .* got 1-D"),
    (np.ones((5, 1, 3)), "must be 2-D .* got 3-D"),
    (np.ones((0, 3)), "X is empty"),
    (np.where(np.eye(5, 3) > 0, np.nan, 1.0), "X contains 3 NaN or infinite"),
    (np.full((5, 3), -np.inf), "X contains 15 NaN or infinite"),
    # Finite in float64, infinite once cast to the network's float32 (NumPy warns on the cast).
    pytest.param(np.full((5, 3), 1e300), "NaN or infinite",
                 marks=pytest.mark.filterwarnings("ignore:overflow encountered in cast")),
])
def test_bad_X_is_a_value_error(classifier, bad_X, match):
    for call in calls(classifier, bad_X, LABELS):
        with pytest.raises(ValueError, match=match):
            call()


@pytest.mark.parametrize("bad_X,match", [
    (np.array([["a", "b", "c"]] * 5), "X must hold real numbers, got dtype <U1"),
    (np.ones((5, 3), dtype=object), "X must hold real numbers, got dtype object"),
    (np.ones((5, 3), dtype=complex), "X must hold real numbers, got dtype complex128"),
    ([[1, 2, 3], [4, 5]], "X could not be converted to a numeric array"),
])
def test_non_numeric_X_is_a_type_error(classifier, bad_X, match):
    for call in calls(classifier, bad_X, LABELS):
        with pytest.raises(TypeError, match=match):
            call()


def test_sparse_y_is_a_type_error(regressor):
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="y is a sparse matrix; only X may be sparse"):
        regressor.loss(X, sparse.csr_array(TARGETS))


@pytest.mark.parametrize("bad_y,match", [
    (np.array([0, 1, 2, 1, 0]), "label 2, outside 0..1"),
    (np.array([0, -1, 0, 1, 0]), "label -1, outside 0..1"),
    (np.array([0, 1, 0, 1, 2 ** 63 + 5], dtype=np.uint64), "label 9223372036854775813, outside"),
    (np.array([0, 1, 0, 1, 1e30]), "label 1000000000000000019884624838656, outside"),
    (np.array([0, 1.5, 0, 1, 0]), "non-integer class labels"),
    (np.array([0, np.nan, 0, 1, 0]), "y contains NaN"),
    (np.array([0, 1, 0, 1]), "X has 5 samples but y has 4"),
    (np.array([]), "X has 5 samples but y has 0"),
    (np.ones((5, 3)), "1-D vector of class labels"),
    (np.full((5, 2), np.inf), "y contains 10 NaN or infinite"),
])
def test_bad_class_targets_are_value_errors(classifier, bad_y, match):
    for call in calls(classifier, X, bad_y)[2:]:
        with pytest.raises(ValueError, match=match):
            call()


@pytest.mark.parametrize("bad_y,match", [
    (np.ones((4, 2)), "X has 5 samples but y has 4"),
    (np.ones(5), r"y must have shape \(n_samples, 2\), got \(5,\)"),
    (np.ones((5, 2, 1)), r"y must have shape \(n_samples, 2\)"),
    (np.where(np.eye(5, 2) > 0, np.nan, 0.0), "y contains 2 NaN or infinite"),
])
def test_bad_regression_targets_are_value_errors(regressor, bad_y, match):
    for call in calls(regressor, X, bad_y)[2:]:
        with pytest.raises(ValueError, match=match):
            call()


def test_binary_targets_outside_unit_interval_are_refused():
    net = gf.Network([3, 1], loss="binary_cross_entropy")
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        net.loss(X, np.full(5, 2.0))


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(activation="swish"), ValueError, "unknown hidden activation 'swish'"),
    (dict(activation=3), TypeError, "activation must be a string"),
    (dict(output="relu6"), ValueError, "unknown output activation 'relu6'"),
    (dict(loss="hinge"), ValueError, "unknown loss 'hinge'"),
    (dict(loss=None), TypeError, "loss must be a string"),
    (dict(output="softmax", loss="mse"), ValueError, "loss 'mse' needs output activation"),
    (dict(output="sigmoid", loss="cross_entropy"), ValueError,
     "loss 'cross_entropy' needs output activation 'softmax'"),
    (dict(output="identity", loss="binary_cross_entropy"), ValueError,
     "loss 'binary_cross_entropy' needs output activation 'sigmoid'"),
    (dict(dtype="int32"), ValueError, "dtype must be 'float32' or 'float64'"),
    (dict(dtype="bogus"), TypeError, "dtype must be 'float32' or 'float64'"),
    (dict(leaky_slope=-1), ValueError, "leaky_slope must be finite and >= 0"),
    (dict(seed=-1), ValueError, "seed must be >= 0"),
    (dict(seed=2 ** 64), ValueError, "seed must be < 2\\*\\*64"),  # the first seed past uint64
    (dict(seed=2 ** 70), ValueError, "seed must be < 2\\*\\*64"),
    (dict(output_scale=0), ValueError, "output_scale must be finite and > 0"),
])
def test_bad_network_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        gf.Network([3, 4, 2], **kwargs)


@pytest.mark.parametrize("layers,error,match", [
    ([], ValueError, "layers is empty"),
    ([3], ValueError, "at least an input and an output size"),
    ([3, 0, 2], ValueError, "layer size must be >= 1, got 0"),
    ([3, 2.0], TypeError, "layer size must be an integer"),
    ([3, 1], ValueError, "softmax output needs at least 2 units"),
    ([gf.Dense(3, 4), gf.Dense(5, 2, "softmax")], ValueError, "do not chain"),
    ([gf.Dense(3, 4), 2], TypeError, "mixes gf.Dense layers and sizes"),
])
def test_bad_layer_lists(layers, error, match):
    with pytest.raises(error, match=match):
        gf.Network(layers, loss="cross_entropy")


@pytest.mark.parametrize("make,error,match", [
    (lambda: gf.SGD(lr=0), ValueError, "lr must be finite and > 0"),
    (lambda: gf.SGD(lr=-0.1), ValueError, "lr must be finite and > 0"),
    (lambda: gf.Adam(lr=0), ValueError, "lr must be finite and > 0"),
    (lambda: gf.Adam(lr=float("nan")), ValueError, "lr must be finite"),
    (lambda: gf.SGD(lr="fast"), TypeError, "lr must be a number"),
    (lambda: gf.SGD(momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda: gf.SGD(nesterov=True), ValueError, "nesterov=True requires momentum > 0"),
    (lambda: gf.SGD(weight_decay=-1), ValueError, "weight_decay must be finite and >= 0"),
    (lambda: gf.Adam(beta2=1.0), ValueError, r"beta2 must be in \[0, 1\)"),
    (lambda: gf.Adam(eps=0), ValueError, "eps must be finite and > 0"),
])
def test_bad_optimizer_settings(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(batch_size=0), ValueError, "batch_size must be >= 1, got 0"),
    (dict(batch_size=-3), ValueError, "batch_size must be >= 1, got -3"),
    (dict(batch_size=2.5), TypeError, "batch_size must be an integer"),
    (dict(epochs=-1), ValueError, "epochs must be >= 0, got -1"),
    (dict(epochs=1.0), TypeError, "epochs must be an integer"),
    (dict(optimizer="adam"), TypeError, "optimizer must be gf.SGD or gf.Adam"),
    (dict(sample_weight=-np.ones(5)), ValueError, "sample_weight must be non-negative"),
    (dict(sample_weight=np.ones(4)), ValueError, r"sample_weight must have shape \(5,\)"),
    (dict(validation_data=(X,)), ValueError, "validation_data must be a pair"),
    (dict(validation_data=(np.ones((2, 4)), np.ones((2, 2)))), ValueError, "X_val has 4 features"),
])
def test_bad_fit_arguments_leave_the_network_untouched(regressor, kwargs, error, match):
    before = regressor.params.copy()
    with pytest.raises(error, match=match):
        regressor.fit(X, TARGETS, **kwargs)
    np.testing.assert_array_equal(regressor.params, before)
