"""Central finite differences of the library's own cost against its backprop gradient (float64)."""
import numpy as np
import pytest

import oracle
from cases import make_data, make_net, oracle_args

H = 1e-6
SIZES = [3, 4, 3, 2]


def away_from_kinks(net, X, y, loss):
    """True if no relu kink or |a - y| = 0 (mae) lies within reach of the finite step."""
    zs, activations = oracle.forward(*oracle_args(net), X)
    margin = 1e-4
    if any(np.min(np.abs(z)) < margin for z in zs[:-1]):
        return False
    return loss != "mae" or np.min(np.abs(activations[-1] - y)) > margin


def setup(hidden, output, loss, kind):
    # The first seed whose data stays clear of the non-differentiable points.
    for seed in range(50):
        net = make_net(SIZES, hidden, output, loss, "float64", seed=seed)
        X, y = make_data(6, SIZES[0], SIZES[-1], kind, "float64", seed=seed)
        if away_from_kinks(net, X, y, loss):
            return net, X, y
    raise AssertionError("no kink-free data found")


def numeric_gradient(net, X, y, **kwargs):
    grad = np.empty(net.n_params)
    for i in range(net.n_params):
        plus, minus = net.params.copy(), net.params.copy()
        plus[i] += H
        minus[i] -= H
        cost_plus = net.loss_and_gradient(X, y, params=plus, want_grad=False, **kwargs)[0]
        cost_minus = net.loss_and_gradient(X, y, params=minus, want_grad=False, **kwargs)[0]
        grad[i] = (cost_plus - cost_minus) / (2 * H)
    return grad


@pytest.mark.parametrize("output,loss,kind", oracle.OUTPUT_LOSS)
@pytest.mark.parametrize("hidden", oracle.HIDDEN)
def test_backprop_matches_finite_differences(hidden, output, loss, kind):
    net, X, y = setup(hidden, output, loss, kind)
    _, analytic = net.loss_and_gradient(X, y)
    numeric = numeric_gradient(net, X, y)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8 * np.abs(numeric).max())


def test_weighted_l2_cost_matches_finite_differences():
    net, X, y = setup("sigmoid", "identity", "mse", "dense")
    kwargs = dict(sample_weight=np.array([0.5, 2.0, 0.0, 1.0, 3.0, 1.5]), l2=0.3)
    _, analytic = net.loss_and_gradient(X, y, **kwargs)
    numeric = numeric_gradient(net, X, y, **kwargs)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8 * np.abs(numeric).max())
