"""check_gradients: backprop agrees with float64 finite differences, and a wrong gradient shows."""
import numpy as np
import pytest

import gradfall as gf


@pytest.mark.parametrize("loss, output, activation", [
    ("cross_entropy", "softmax", "tanh"), ("mse", "identity", "sigmoid"),
    ("binary_cross_entropy", "sigmoid", "tanh"), ("mse", "sigmoid", "leaky_relu")])
def test_backprop_matches_finite_differences(loss, output, activation):
    rng = np.random.default_rng(0)
    k = 3
    net = gf.Network([4, 6, 5, k], activation=activation, output=output, loss=loss, seed=2)
    X = rng.standard_normal((30, 4))
    y = rng.integers(0, k, 30) if loss == "cross_entropy" else (rng.random((30, k)) > 0.5) * 1.0
    result = gf.check_gradients(net, X, y)
    assert result.max_error.shape == (net.n_layers,)
    assert result.ok(1e-4), str(result)
    assert list(result.checked) == [30, 35, 18]  # every parameter of these small layers


def test_large_layers_are_sampled():
    net = gf.Network([20, 30, 2], loss="mse", seed=0)
    X = np.random.default_rng(1).standard_normal((10, 20))
    result = gf.check_gradients(net, X, np.zeros((10, 2)), max_per_layer=16)
    assert list(result.checked) == [16, 16]
    assert "layer 1" in str(result)


def test_a_wrong_gradient_is_reported(monkeypatch):
    net = gf.Network([3, 4, 2], activation="tanh", loss="mse", seed=0)
    X = np.random.default_rng(2).standard_normal((12, 3))
    y = np.random.default_rng(3).standard_normal((12, 2))
    honest = gf.Network.loss_and_gradient

    def skewed(self, *args, **kwargs):
        value, grad = honest(self, *args, **kwargs)
        if grad is not None:
            grad = grad.copy()
            grad[self._spec.bias_offset(1):] *= 1.5  # the output layer's bias gradient is off
        return value, grad

    monkeypatch.setattr(gf.Network, "loss_and_gradient", skewed)
    result = gf.check_gradients(net, X, y)
    assert result.max_error[0] < 1e-5
    assert result.max_error[1] > 0.1
    assert not result.ok()
