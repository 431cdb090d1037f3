"""Fused layer kernels (bias + activation epilogue, derivative epilogue, softmax + cross-entropy
gradient, column-sum bias gradients, rows read by index) and the vectorised math, against
float64 NumPy references, on every ISA and both dtypes."""
import numpy as np
import pytest

import gradfall as gf
import oracle
from gradfall import _core

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "identity"]


# ----------------------------------------------------------------------------- vector math
def _sweep():
    return np.concatenate([
        np.linspace(-110, 110, 400_001), np.linspace(-1, 1, 100_001),
        np.geomspace(1e-30, 1e3, 50_000), -np.geomspace(1e-30, 1e3, 50_000),
        [0.0, -0.0, 88.0, -88.0, 88.72, 89.0, -100.0, -104.0, 100.0, 1e-40, 3e-45],
    ]).astype(np.float32)


def _reference(name, x):
    x = x.astype(np.float64)
    with np.errstate(all="ignore"):
        return {"exp": np.exp, "log": np.log, "tanh": np.tanh,
                "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v))}[name](x)


def _max_ulp(y, ref, dtype):
    info = np.finfo(dtype)
    keep = np.isfinite(ref) & (np.abs(ref) >= info.tiny) & (np.abs(ref) <= info.max)
    ref = ref[keep]
    ulp = np.spacing(np.abs(ref).astype(dtype)).astype(np.float64)
    return float(np.max(np.abs(y[keep].astype(np.float64) - ref) / ulp))


# float32 bounds documented in csrc/kernels/vmath.h (plus a little slack); float64 is exact std::.
F32_ULP = {"exp": 1.5, "log": 2.0, "tanh": 2.5, "sigmoid": 3.0}  # glibc tanhf: ~2 ulp


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid"])
def test_vector_math_error_bounds(isa, name):
    x = _sweep()
    with np.errstate(all="ignore"):
        y = _core.vector_math(_core.MathFn.__members__[name], x)
    assert _max_ulp(y, _reference(name, x), np.float32) <= F32_ULP[name]
    x64 = x.astype(np.float64)
    with np.errstate(all="ignore"):
        y64 = _core.vector_math(_core.MathFn.__members__[name], x64)
    # float64 runs glibc's functions; NumPy's own float64 tanh (and 1/(1+exp(-x))) differ by <= 3 ulp.
    assert _max_ulp(y64, _reference(name, x64), np.float64) <= 4.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vector_math_special_values(isa, dtype):
    x = np.array([np.nan, np.inf, -np.inf, 0.0, 100.0, -100.0, 89.0, -105.0] * 3, dtype)
    with np.errstate(all="ignore"):
        e, lg = _core.vector_math(_core.MathFn.exp, x), _core.vector_math(_core.MathFn.log, x)
        t, s = _core.vector_math(_core.MathFn.tanh, x), _core.vector_math(_core.MathFn.sigmoid, x)
    for y in (e, lg, t, s):
        assert np.isnan(y[0::8]).all()  # NaN propagates
    assert (e[1::8] == np.inf).all() and (e[2::8] == 0).all() and (e[3::8] == 1).all()
    assert (e[6::8] == (np.inf if dtype == np.float32 else np.exp(89.0))).all()
    assert (lg[1::8] == np.inf).all() and (lg[3::8] == -np.inf).all() and np.isnan(lg[5::8]).all()
    assert (t[1::8] == 1).all() and (t[2::8] == -1).all() and (t[4::8] == 1).all()
    assert (s[1::8] == 1).all() and (s[2::8] == 0).all() and (s[3::8] == 0.5).all()
    assert (s[5::8] >= 0).all() and (s[5::8] < 1e-40).all()


# ----------------------------------------------------------------------------- layers
def _ref_forward(net, X):
    """The oracle's float64 (zs, activations) of ``net``."""
    return oracle.forward(net.weights, net.biases, net.activations, net.leaky_slopes, X)


def _ref_cost_gradient(net, X, y):
    """The oracle's float64 cost and flat gradient of ``net``."""
    cost, dW, db = oracle.loss_and_gradients(net.weights, net.biases, net.activations,
                                             net.leaky_slopes, net.loss_name, X, y)
    return cost, oracle.flatten(dW, db)


def _tol(dtype):
    return (2e-4, 2e-5) if dtype == np.float32 else (1e-10, 1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_fused_epilogue_matches_reference(isa, dtype, activation):
    rng = np.random.default_rng(2)
    net = gf.Network([13, 37, 33, 5], activation=activation, output="softmax",
                     loss="cross_entropy", dtype=np.dtype(dtype).name, seed=1)
    X = rng.standard_normal((29, 13)).astype(dtype)
    rtol, atol = _tol(dtype)
    np.testing.assert_allclose(net.forward(X), _ref_forward(net, X)[1][-1], rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_fused_gradient_matches_reference(isa, dtype, activation):
    rng = np.random.default_rng(4)
    net = gf.Network([11, 35, 17, 7], activation=activation, output="softmax",
                     loss="cross_entropy", dtype=np.dtype(dtype).name, seed=3)
    X = rng.standard_normal((53, 11)).astype(dtype)
    y = rng.integers(0, 7, 53)
    cost, grad = net.loss_and_gradient(X, y)
    ref_cost, ref_grad = _ref_cost_gradient(net, X, y)
    rtol, atol = _tol(dtype)
    assert abs(cost - ref_cost) <= 10 * atol + rtol * abs(ref_cost)
    np.testing.assert_allclose(grad, ref_grad, rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_training_loop_reads_shuffled_rows_like_a_gathered_copy(isa, dtype):
    """fit (rows read by index) agrees with full-batch gradient steps on the reference."""
    rng = np.random.default_rng(8)
    X = rng.standard_normal((40, 9)).astype(dtype)
    y = rng.integers(0, 4, 40)
    net = gf.Network([9, 20, 4], activation="tanh", output="softmax", loss="cross_entropy",
                     dtype=np.dtype(dtype).name, seed=5)
    ref = net.copy()
    net.fit(X, y, epochs=1, batch_size=40, optimizer=gf.SGD(lr=0.1), shuffle=True)
    _, g = _ref_cost_gradient(ref, X, y)  # one full batch: the order of its rows does not matter
    rtol, atol = _tol(dtype)
    np.testing.assert_allclose(net.params, ref.params - 0.1 * g, rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_is_bitwise_identical_for_one_and_two_threads(isa, dtype):
    if isa == "scalar" and dtype == np.float64:
        pytest.skip("one scalar dtype is enough")
    rng = np.random.default_rng(9)
    X = rng.standard_normal((600, 150)).astype(dtype)
    y = rng.integers(0, 10, 600)
    params = []
    for threads in (1, 2):
        gf.set_num_threads(threads)
        net = gf.Network([150, 300, 200, 10], activation="relu", output="softmax",
                         loss="cross_entropy", dtype=np.dtype(dtype).name, seed=0)
        hist = net.fit(X, y, epochs=2, batch_size=128, optimizer=gf.SGD(lr=0.05, momentum=0.9))
        params.append((net.params.copy(), net.forward(X), hist.loss))
    assert np.array_equal(params[0][0], params[1][0])
    assert np.array_equal(params[0][1], params[1][1])
    assert params[0][2] == params[1][2]
