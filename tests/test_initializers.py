"""Initial weights: each rule's formula, per-layer rules, callables, seeding."""
import math

import numpy as np
import pytest

import gradfall as gf

SIZES = [40, 300, 200, 3]


def net_with(init, activation="tanh", seed=0, dtype="float64"):
    return gf.Network(SIZES, activation=activation, loss="cross_entropy", init=init, seed=seed,
                      dtype=dtype)


def bounds_hold(values, bound):
    return np.abs(values).max() <= bound and np.abs(values).max() > 0.9 * bound


@pytest.mark.parametrize("rule,bound_of,biases", [
    ("pytorch", lambda fi, fo: 1 / math.sqrt(fi), "uniform"),
    ("glorot_uniform", lambda fi, fo: math.sqrt(6 / (fi + fo)), "zero"),
    ("he_uniform", lambda fi, fo: math.sqrt(6 / fi), "zero"),
    ("sklearn", lambda fi, fo: math.sqrt(6 / (fi + fo)), "uniform"),
])
def test_uniform_rules_draw_within_their_bound(rule, bound_of, biases):
    net = net_with(rule)
    for W, b in zip(net.weights, net.biases):
        bound = bound_of(*W.shape)
        assert bounds_hold(W, bound)
        # A uniform draw over [-k, k] has variance k^2 / 3.
        assert np.var(W) == pytest.approx(bound ** 2 / 3, rel=0.1)
        if biases == "zero":
            assert not b.any()
        elif b.size > 50:
            assert bounds_hold(b, bound)


def test_sklearn_rule_uses_factor_two_for_sigmoid_layers():
    net = net_with("sklearn", activation="sigmoid")
    W = net.weights[0]
    assert bounds_hold(W, math.sqrt(2 / (W.shape[0] + W.shape[1])))


def test_lecun_normal_has_variance_one_over_fan_in():
    net = net_with("lecun_normal")
    for W, b in zip(net.weights, net.biases):
        assert np.std(W) == pytest.approx(1 / math.sqrt(W.shape[0]), rel=0.05)
        assert abs(np.mean(W)) < 0.05 / math.sqrt(W.shape[0]) * 10
        assert not b.any()


def test_glorot_he_picks_he_for_relu_layers():
    relu, tanh = net_with("glorot_he", "relu"), net_with("glorot_he", "tanh")
    fan_in, fan_out = relu.weights[0].shape
    assert bounds_hold(relu.weights[0], math.sqrt(6 / fan_in))
    assert bounds_hold(tanh.weights[0], math.sqrt(6 / (fan_in + fan_out)))


def test_default_is_pytorch_and_seeded():
    a, b = net_with(None, seed=4), net_with("pytorch", seed=4)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, net_with(None, seed=5).params)


def test_callable_and_per_layer_rules():
    calls = []

    def constant(rng, fan_in, fan_out):
        calls.append((fan_in, fan_out))
        return np.full((fan_in, fan_out), 0.5), np.full(fan_out, -1.0)

    net = gf.Network([gf.Dense(3, 4, activation="tanh", init=constant),
                      gf.Dense(4, 2, activation="softmax")], loss="cross_entropy",
                     init="glorot_uniform")
    assert calls == [(3, 4)]
    assert (net.weights[0] == 0.5).all() and (net.biases[0] == -1).all()
    assert not net.biases[1].any()  # the network's rule for the layer without its own


@pytest.mark.parametrize("init,error", [("xavier", ValueError), (3, TypeError),
                                        (lambda rng, i, o: (np.zeros((o, i)), np.zeros(o)),
                                         ValueError),
                                        (lambda rng, i, o: (np.full((i, o), np.nan),
                                                            np.zeros(o)), ValueError)])
def test_bad_rules_are_refused(init, error):
    with pytest.raises(error):
        gf.Network([3, 4, 2], loss="cross_entropy", init=init)
