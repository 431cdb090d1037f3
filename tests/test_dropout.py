"""Dropout: masks keyed by (seed, step, layer, row, unit), fused into the forward and backward
epilogues; checked against tests/oracle.py with the same masks."""
import numpy as np
import pytest

import gradfall as gf
import oracle
from gradfall import _core

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "identity"]


def make(activation, dtype, dropout=(0.3, 0.5, 0.0), seed=3):
    sizes = [7, 33, 17, 3]
    layers = [gf.Dense(sizes[l], sizes[l + 1], activation=activation if l < 2 else "softmax",
                       dropout=dropout[l]) for l in range(3)]
    return gf.Network(layers, loss="cross_entropy", dtype=dtype, seed=seed)


def data(n=29, dtype="float64"):
    rng = np.random.default_rng(1)
    return rng.standard_normal((n, 7)).astype(dtype), rng.integers(0, 3, n)


def core_gradient(net, X, y):
    """The gradient the core trained with on one full batch (epoch 0, batch 0): plain SGD at
    rate 1 moves the parameters by exactly minus the gradient."""
    before = net.params.copy()
    net.fit(X, y, epochs=1, batch_size=len(X), shuffle=False, optimizer=gf.SGD(lr=1.0),
            divergence_factor=None)
    return before - net.params, before


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_training_gradient_matches_the_oracle_with_the_same_masks(isa, activation, dtype):
    net = make(activation, dtype)
    X, y = data(dtype=dtype)
    grad, params = core_gradient(net, X, y)
    W, b = net.split_params(params)
    masks = [(_core.dropout_keep(net.seed, 0, l, p, len(X), net.layer_sizes[l + 1]), p)
             if p else None for l, p in enumerate(net.dropout)]
    _, dW, db = oracle.loss_and_gradients(W, b, net.activations, net.leaky_slopes, "cross_entropy",
                                          X, y, masks)
    expected = oracle.flatten(dW, db)
    tol = 2e-5 if dtype == "float32" else 1e-10
    assert np.max(np.abs(grad - expected)) <= tol * np.max(np.abs(expected))


def test_each_epoch_trains_with_the_masks_of_its_own_step():
    """One batch per epoch: epoch e is step e, so the second epoch's masks are step 1's."""
    net = make("relu", "float64")
    X, y = data()
    core_gradient(net, X, y)
    grad, params = core_gradient(net, X, y)
    W, b = net.split_params(params)
    expected = {}
    for step in (0, 1):
        masks = [(_core.dropout_keep(net.seed, step, l, p, len(X), net.layer_sizes[l + 1]), p)
                 if p else None for l, p in enumerate(net.dropout)]
        _, dW, db = oracle.loss_and_gradients(W, b, net.activations, net.leaky_slopes,
                                              "cross_entropy", X, y, masks)
        expected[step] = oracle.flatten(dW, db)
    assert np.max(np.abs(grad - expected[1])) <= 1e-10 * np.max(np.abs(expected[1]))
    assert np.max(np.abs(grad - expected[0])) > 1e-3 * np.max(np.abs(expected[0]))


def test_masks_drop_about_p_and_differ_by_step_layer_and_row():
    keep = _core.dropout_keep(5, 0, 0, 0.3, 400, 500)
    assert abs(1 - keep.mean() - 0.3) < 0.01
    others = [_core.dropout_keep(5, 1, 0, 0.3, 400, 500), _core.dropout_keep(5, 0, 1, 0.3, 400, 500),
              _core.dropout_keep(6, 0, 0, 0.3, 400, 500)]
    for other in others:
        assert 0.35 < (keep != other).mean() < 0.50  # independent masks: 2 p (1 - p) = 0.42
    np.testing.assert_array_equal(keep, _core.dropout_keep(5, 0, 0, 0.3, 400, 500))


def test_dropout_is_reproducible_and_thread_count_independent(restore_threads):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3000, 64)).astype(np.float32)
    y = rng.integers(0, 10, 3000)
    results = []
    for threads in (1, 2, 1):
        gf.set_num_threads(threads)
        net = gf.Network([64, 256, 128, 10], loss="cross_entropy", dropout=0.4, seed=9)
        net.fit(X, y, epochs=2, batch_size=500, optimizer=gf.Adam(lr=1e-3))
        results.append(net.params.copy())
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])


def test_dropout_changes_training_but_not_evaluation():
    X, y = data(200, "float32")
    plain, dropped = make("relu", "float32", (0, 0, 0)), make("relu", "float32")
    np.testing.assert_array_equal(plain.forward(X), dropped.forward(X))
    assert plain.loss(X, y) == dropped.loss(X, y)
    plain.fit(X, y, epochs=1, optimizer=gf.SGD(lr=0.1))
    dropped.fit(X, y, epochs=1, optimizer=gf.SGD(lr=0.1))
    assert not np.array_equal(plain.params, dropped.params)


def test_dropout_is_saved_and_validated(tmp_path):
    net = gf.Network([4, 8, 8, 2], loss="cross_entropy", dropout=0.25)
    assert net.dropout == [0.25, 0.25, 0.0]
    net.save(tmp_path / "d.gfnet")
    assert gf.load(tmp_path / "d.gfnet").dropout == [0.25, 0.25, 0.0]
    with pytest.raises(ValueError, match="dropout"):
        gf.Network([4, 2], loss="cross_entropy", dropout=1.0)
    with pytest.raises(ValueError, match="output layer"):
        gf.Network([gf.Dense(4, 2, activation="softmax", dropout=0.5)], loss="cross_entropy")
