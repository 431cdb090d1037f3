"""Loss landscapes: grid points against a NumPy reference, the centre, filter normalisation."""
import numpy as np
import pytest

import gradfall as gf
import oracle


def reference_cost(net, params, X, y):
    """The oracle's float64 cost of ``net``'s architecture at the flat vector ``params``."""
    weights, biases = oracle.unflatten(np.asarray(params, dtype=np.float64), net.layer_sizes)
    zs, activations = oracle.forward(weights, biases, net.activations, net.leaky_slopes, X)
    return oracle.cost(net.loss_name, zs[-1], activations[-1], y)


def _problem(loss, n_features=5, n=60, dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    if loss == "cross_entropy":
        net = gf.Network([n_features, 8, 6, 3], activation="tanh", loss=loss, dtype=dtype, seed=1)
        y = rng.integers(0, 3, n)
    elif loss == "binary_cross_entropy":
        net = gf.Network([n_features, 8, 2], activation="relu", loss=loss, dtype=dtype, seed=1)
        y = (rng.random((n, 2)) > 0.5).astype(float)
    else:
        net = gf.Network([n_features, 7, 2], activation="leaky_relu", loss=loss, dtype=dtype,
                         seed=1)
        y = rng.standard_normal((n, 2))
    return net, X, y


def _point(net, result, i, j):
    """The parameters at grid row i (beta), column j (alpha), in float64."""
    d = result.directions.astype(np.float64)
    return net.params.astype(np.float64) + result.alphas[j] * d[0] + result.betas[i] * d[1]


# 5 features: the first-layer shortcut (input wider than the directions); 2: every point direct.
@pytest.mark.parametrize("n_features", [5, 2])
@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy", "mse", "mae"])
def test_grid_points_match_reference_cost(loss, n_features):
    net, X, y = _problem(loss, n_features=n_features)
    result = gf.landscape.surface(net, X, y, steps=5, span=0.8, seed=3)
    assert result.losses.shape == (5, 5)
    for i, j in [(0, 0), (0, 4), (1, 3), (4, 2), (2, 2)]:
        expected = reference_cost(net, _point(net, result, i, j), X, y)
        assert result.losses[i, j] == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_float32_grid_points_match_reference_over_several_row_blocks():
    # 2500 rows: more than one 2048-row block, so per-block sums must add up.
    net, X, y = _problem("cross_entropy", n_features=10, n=2500, dtype="float32")
    result = gf.landscape.surface(net, X, y, steps=3, span=1.0, seed=0)
    for i, j in [(0, 0), (2, 1), (1, 2)]:
        expected = reference_cost(net, _point(net, result, i, j), X, y)
        assert result.losses[i, j] == pytest.approx(expected, rel=2e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_surface_centre_is_the_network_loss(dtype):
    net, X, y = _problem("cross_entropy", n_features=12, n=300, dtype=dtype)
    net.fit(X, y, epochs=3, optimizer=gf.Adam(lr=0.01))
    result = gf.landscape.surface(net, X, y, steps=7, span=0.5, seed=1)
    assert result.center == pytest.approx(net.loss(X, y), rel=1e-6)
    assert result.center_loss == net.loss(X, y)
    assert result.alphas[3] == 0.0 and result.betas[3] == 0.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_surface_centre_is_the_network_loss_bitwise_for_a_wide_input(dtype):
    # A wide input is evaluated in the GEMM's in-place row chunks (fewer rows than the default):
    # the landscape must sum the same chunks as net.loss, or the last bits differ.
    rng = np.random.default_rng(5)
    X = rng.standard_normal((1300, 300)).astype(dtype)
    y = rng.integers(0, 4, 1300)
    net = gf.Network([300, 24, 4], activation="tanh", loss="cross_entropy", dtype=dtype, seed=5)
    result = gf.landscape.surface(net, X, y, steps=3, span=0.3)
    assert result.center == net.loss(X, y)
    assert result.center_loss == net.loss(X, y)


def test_filter_normalisation_row_by_row():
    net, _, _ = _problem("mse")
    direction = gf.landscape.random_direction(net, seed=4)
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        w0, b0 = net._spec.weight_offset(l), net._spec.bias_offset(l)
        d = direction[w0:w0 + W.size].reshape(W.shape)
        for j in range(W.shape[1]):  # neuron j: its incoming weights are column j of W
            assert np.linalg.norm(d[:, j]) == pytest.approx(np.linalg.norm(W[:, j]), rel=1e-6)
        assert np.all(direction[b0:b0 + b.size] == 0)  # biases are not moved by default


def test_filter_normalisation_with_biases_in_the_filter():
    net, X, y = _problem("mse")
    net.fit(X, y, epochs=5, optimizer=gf.Adam(lr=0.05))  # non-zero biases
    direction = gf.landscape.random_direction(net, seed=4, biases="filter")
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        w0, b0 = net._spec.weight_offset(l), net._spec.bias_offset(l)
        d = np.vstack([direction[w0:w0 + W.size].reshape(W.shape), direction[b0:b0 + b.size]])
        own = np.vstack([W, b])
        assert np.allclose(np.linalg.norm(d, axis=0), np.linalg.norm(own, axis=0), rtol=1e-6)
        assert np.any(direction[b0:b0 + b.size] != 0)


def test_line_between_two_networks_hits_both_ends():
    net, X, y = _problem("cross_entropy")
    trained = net.copy()
    trained.fit(X, y, epochs=10, optimizer=gf.Adam(lr=0.01))
    result = gf.landscape.line(net, X, y, to=trained, steps=9)
    assert result.betas is None and result.losses.ndim == 1
    assert result.losses[result.alphas == 0.0][0] == pytest.approx(net.loss(X, y), rel=1e-10)
    assert result.losses[result.alphas == 1.0][0] == pytest.approx(trained.loss(X, y), rel=1e-10)
    random_line = gf.landscape.line(net, X, y, steps=7, span=0.5, seed=2)
    assert random_line.center == pytest.approx(net.loss(X, y), rel=1e-10)
    for alpha, loss in zip(random_line.alphas, random_line.losses):
        theta = net.params + alpha * random_line.directions[0]
        assert loss == pytest.approx(reference_cost(net, theta, X, y), rel=1e-10)


def test_values_do_not_depend_on_the_thread_count():
    net, X, y = _problem("cross_entropy", n_features=10, n=500, dtype="float32")
    before = gf.get_num_threads()
    try:
        gf.set_num_threads(1)
        one = gf.landscape.surface(net, X, y, steps=5, seed=0).losses
        gf.set_num_threads(2)
        two = gf.landscape.surface(net, X, y, steps=5, seed=0).losses
    finally:
        gf.set_num_threads(before)
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("kwargs, error", [
    ({"steps": 4}, ValueError), ({"span": -1.0}, ValueError), ({"span": "wide"}, TypeError),
    ({"biases": "sometimes"}, ValueError), ({"steps": 2.5}, TypeError)])
def test_bad_arguments_are_refused(kwargs, error):
    net, X, y = _problem("mse")
    with pytest.raises(error):
        gf.landscape.surface(net, X, y, **kwargs)
