"""Forward outputs against the oracle: every hidden activation x output x dtype x ISA, odd shapes."""
import numpy as np
import pytest

import gradfall as gf
import oracle
from cases import DTYPES, WIDTHS, assert_close, make_data, make_net, oracle_args, shape_for

OUTPUTS = ("identity", "sigmoid", "softmax", "exp")
LOSS_FOR_OUTPUT = {"identity": "mse", "sigmoid": "mse", "softmax": "cross_entropy", "exp": "poisson"}


def expected_forward(net, X):
    _, activations = oracle.forward(*oracle_args(net), X)
    return activations[-1]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("hidden", oracle.HIDDEN)
def test_forward_matches_oracle(isa, hidden, output, dtype):
    index = oracle.HIDDEN.index(hidden) * len(OUTPUTS) + OUTPUTS.index(output)
    sizes, n = shape_for(index, n_out_min=2 if output == "softmax" else 1)
    net = make_net(sizes, hidden, output, LOSS_FOR_OUTPUT[output], dtype, seed=index)
    X, _ = make_data(n, sizes[0], sizes[-1], "dense", dtype, seed=index)
    out = net.forward(X)
    assert out.dtype == np.dtype(dtype) and out.shape == (n, sizes[-1])
    assert_close(out, expected_forward(net, X), dtype, f"{hidden}->{output} {sizes} n={n}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("width", WIDTHS)
def test_forward_every_width_and_batch(isa, width, dtype):
    # Width as input, hidden and output size, and as the batch, in one network.
    net = make_net([width, width, 5, width], "tanh", "identity", "mse", dtype, seed=width)
    X, _ = make_data(width, width, width, "dense", dtype, seed=width)
    assert_close(net.forward(X), expected_forward(net, X), dtype, f"width {width}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_forward_per_layer_leaky_slopes(isa, dtype):
    layers = [gf.Dense(4, 9, "leaky_relu", 0.3), gf.Dense(9, 6, "leaky_relu", 0.0),
              gf.Dense(6, 3, "softmax")]
    net = gf.Network(layers, loss="cross_entropy", dtype=dtype, seed=3)
    X, _ = make_data(17, 4, 3, "dense", dtype, seed=3)
    assert net.leaky_slopes[:2] == [0.3, 0.0]
    assert_close(net.forward(X), expected_forward(net, X), dtype, "per-layer slopes")


def test_forward_extreme_logits_stay_finite(isa):
    net = make_net([2, 3], "relu", "softmax", "cross_entropy", "float64")
    net.weights[0][...] = [[800.0, -800.0, 0.0], [0.0, 0.0, 900.0]]
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    out = net.forward(X)
    assert np.isfinite(out).all()
    assert_close(out, expected_forward(net, X), "float64", "softmax of huge logits")
