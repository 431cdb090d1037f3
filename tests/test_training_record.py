"""What fit records: per-epoch loss, per-batch loss, validation figures, per-layer gradient norms."""
import json

import numpy as np
import pytest

import gradfall as gf
from cases import DTYPES


def test_history_records_everything_the_issue_asks_for():
    X, y = gf.make_spirals(n_samples=200, n_classes=3, seed=0)
    net = gf.Network([2, 16, 8, 3], activation="tanh", loss="cross_entropy", seed=0)
    history = net.fit(X[:150], y[:150], epochs=4, batch_size=32, optimizer=gf.Adam(lr=0.01),
                      validation_data=(X[150:], y[150:]), record_batches=True)
    assert net.history is history
    assert len(history.loss) == 4 and history.epochs == 4
    assert [len(b) for b in history.batch_loss] == [5] * 4  # 150 rows in batches of 32
    for epoch_loss, batches in zip(history.loss, history.batch_loss):
        assert np.isclose(epoch_loss, np.mean(batches), rtol=0.2)  # batches as they were trained
    assert len(history.val_loss) == 4 and len(history.val_score) == 4
    assert history.val_loss[-1] == net.loss(X[150:], y[150:])
    assert history.val_score[-1] == net.score(X[150:], y[150:])
    assert history.grad_norm.shape == (4, net.n_layers)
    assert np.all(history.grad_norm > 0)
    json.dumps(history.to_dict())


def test_batch_losses_and_validation_are_optional():
    X, y = gf.make_xor()
    net = gf.Network([2, 3, 1], output="sigmoid", loss="binary_cross_entropy")
    history = net.fit(X, y, epochs=2, batch_size=2)
    assert history.batch_loss == [] and history.val_loss == [] and history.val_score == []
    assert history.grad_norm.shape == (2, 2)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sizes", [[7, 33, 5], [129, 17, 3], [3, 1]], ids=str)
def test_grad_norm_is_each_layers_gradient_norm(isa, sizes, dtype):
    """One batch of the whole data: the recorded norm of layer l is ||(dW_l, db_l)|| of the
    gradient at the starting parameters (float64 NumPy reference), on every ISA's kernel."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, sizes[0])).astype(dtype)
    y = np.arange(40) % sizes[-1] if sizes[-1] > 1 else rng.standard_normal(40)
    loss = "cross_entropy" if sizes[-1] > 1 else "mse"
    net = gf.Network(sizes, activation="tanh", loss=loss, dtype=dtype, seed=2)
    dW, db = net.gradients(X, y)
    expected = [np.sqrt(np.sum(np.square(w.astype(np.float64))) + np.sum(np.square(b.astype(np.float64))))
                for w, b in zip(dW, db)]
    history = net.fit(X, y, epochs=1, batch_size=40, optimizer=gf.SGD(lr=0.1), shuffle=False)
    np.testing.assert_allclose(history.grad_norm[0], expected, rtol=1e-12)
