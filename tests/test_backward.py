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
