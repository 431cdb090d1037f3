"""net.gradients (backpropagation) against the oracle for every activation and loss pairing."""
import pytest

import oracle
from cases import DTYPES, assert_close, make_data, make_net, oracle_args, shape_for

PAIRS = oracle.OUTPUT_LOSS


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("output,loss,kind", PAIRS)
@pytest.mark.parametrize("hidden", oracle.HIDDEN)
def test_gradients_match_oracle(isa, hidden, output, loss, kind, dtype):
    # Offset from the loss test so each case meets other shapes here.
    index = oracle.HIDDEN.index(hidden) * len(PAIRS) + PAIRS.index((output, loss, kind)) + 3
    sizes, n = shape_for(index, n_out_min=2 if output == "softmax" else 1)
    net = make_net(sizes, hidden, output, loss, dtype, seed=index)
    X, y = make_data(n, sizes[0], sizes[-1], kind, dtype, seed=index)
    dW, db = net.gradients(X, y)
    _, eW, eb = oracle.loss_and_gradients(*oracle_args(net), loss, X, y)
    for l in range(net.n_layers):
        assert dW[l].dtype == net.dtype and dW[l].shape == net.weights[l].shape
        assert_close(dW[l], eW[l], dtype, f"dW[{l}] {hidden}->{output}/{loss} {sizes} n={n}")
        assert_close(db[l], eb[l], dtype, f"db[{l}] {hidden}->{output}/{loss} {sizes} n={n}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_gradients_summed_over_several_chunks_match_oracle(isa, dtype):
    """Many rows are taken in chunks (512 rows for a wide input) whose weight gradients add up;
    two outputs make the last layer's dW a narrow product, computed as its transpose, which
    must add to what the earlier chunks left."""
    sizes = [300, 40, 2]
    net = make_net(sizes, "tanh", "identity", "mse", dtype, seed=21)
    X, y = make_data(1100, sizes[0], sizes[-1], "dense", dtype, seed=21)
    dW, db = net.gradients(X, y)
    _, eW, eb = oracle.loss_and_gradients(*oracle_args(net), "mse", X, y)
    for l in range(net.n_layers):
        assert_close(dW[l], eW[l], dtype, f"dW[{l}]")
        assert_close(db[l], eb[l], dtype, f"db[{l}]")
