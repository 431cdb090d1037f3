"""net.loss against the oracle's PyTorch-mean costs, for every (output, loss, target) pairing."""
import numpy as np
import pytest

import gradfall as gf
import oracle
from cases import DTYPES, TOL, make_data, make_net, oracle_args, shape_for

PAIRS = oracle.OUTPUT_LOSS


def expected_cost(net, X, y):
    weights, biases, acts, slopes = oracle_args(net)
    zs, activations = oracle.forward(weights, biases, acts, slopes, X)
    return oracle.cost(net.loss_name, zs[-1], activations[-1], y)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("output,loss,kind", PAIRS)
@pytest.mark.parametrize("hidden", oracle.HIDDEN)
def test_loss_matches_oracle(isa, hidden, output, loss, kind, dtype):
    index = oracle.HIDDEN.index(hidden) * len(PAIRS) + PAIRS.index((output, loss, kind))
    sizes, n = shape_for(index, n_out_min=2 if output == "softmax" else 1)
    net = make_net(sizes, hidden, output, loss, dtype, seed=index)
    X, y = make_data(n, sizes[0], sizes[-1], kind, dtype, seed=index)
    value, expected = net.loss(X, y), expected_cost(net, X, y)
    assert abs(value - expected) <= TOL[dtype] * abs(expected), (value, expected)


@pytest.mark.parametrize("loss,output,n_out,scale", [
    ("mse", "identity", 4, 0.25), ("mae", "sigmoid", 5, 0.2),
    ("binary_cross_entropy", "sigmoid", 8, 0.125), ("cross_entropy", "softmax", 6, 1.0)])
def test_default_output_scale_gives_pytorch_mean(loss, output, n_out, scale):
    net = make_net([3, n_out], "relu", output, loss, "float64")
    assert net.output_scale == scale
    # A doubled scale doubles the cost: the scale multiplies every per-sample loss.
    kind = {"mse": "dense", "mae": "dense", "binary_cross_entropy": "binary"}.get(loss, "labels")
    X, y = make_data(10, 3, n_out, kind, "float64", seed=1)
    doubled = gf.Network(net.layer_sizes, activation="relu", output=output, loss=loss,
                         dtype="float64", output_scale=2 * scale)
    doubled.params[...] = net.params
    assert doubled.loss(X, y) == pytest.approx(2 * net.loss(X, y), rel=1e-13)
    assert net.loss(X, y) == pytest.approx(expected_cost(net, X, y), rel=1e-13)


@pytest.mark.parametrize("loss,output,kind", [("binary_cross_entropy", "sigmoid", "binary"),
                                              ("cross_entropy", "softmax", "labels")])
def test_loss_is_stable_for_huge_logits(isa, loss, output, kind):
    net = make_net([2, 3], "relu", output, loss, "float64")
    net.weights[0][...] = [[700.0, -700.0, 40.0], [-900.0, 900.0, 0.0]]
    X, y = make_data(12, 2, 3, kind, "float64", seed=4)
    value = net.loss(X, y)
    assert np.isfinite(value) and value > 1.0  # confidently wrong predictions cost a lot
    assert value == pytest.approx(expected_cost(net, X, y), rel=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sample_weight_gives_weighted_mean(dtype):
    net = make_net([4, 6, 3], "tanh", "identity", "mse", dtype)
    X, y = make_data(7, 4, 3, "dense", dtype, seed=5)
    w = np.array([0.0, 1.0, 2.0, 0.5, 3.0, 1.0, 1.5])
    per_sample = [expected_cost(net, X[i:i + 1], y[i:i + 1]) for i in range(7)]
    expected = float(np.dot(w, per_sample) / w.sum())
    assert net.loss(X, y, sample_weight=w) == pytest.approx(expected, rel=TOL[dtype])
