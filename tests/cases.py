"""Networks, targets and comparisons the oracle tests share."""
from __future__ import annotations

import numpy as np

import gradfall as gf
import oracle

# Batch sizes and widths chosen to hit every SIMD remainder (1, 3, 7, 17, 33, 129, 257).
WIDTHS = (1, 3, 7, 17, 33, 129, 257)
DTYPES = ("float32", "float64")
# Worst relative error (to the array's largest entry) allowed against the float64 oracle.
TOL = {"float32": 1e-5, "float64": 1e-12}
SLOPE = 0.15


def shape_for(index, n_out_min=1):
    """Layer sizes and batch for case `index`, cycling through WIDTHS at every position."""
    w = WIDTHS
    sizes = [w[(index + 2) % 7], w[(index + 4) % 7], w[(index + 3) % 7],
             max(n_out_min, w[(index + 5) % 7])]
    return sizes, w[index % 7]


def make_net(sizes, hidden, output, loss, dtype, seed=0):
    """A network with its seeded initial weights and non-zero random biases."""
    net = gf.Network(sizes, activation=hidden, output=output, loss=loss, dtype=dtype, seed=seed,
                     leaky_slope=SLOPE)
    rng = np.random.default_rng(seed + 1000)
    for b in net.biases:
        b[...] = rng.uniform(-0.5, 0.5, size=b.shape)
    return net


def make_data(n, n_in, n_out, kind, dtype, seed=0):
    """(X, y) with y of the given kind: dense reals, binary 0/1, integer labels or one-hot rows."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in)).astype(dtype)
    if kind == "dense":
        y = rng.uniform(-1.0, 1.0, (n, n_out)).astype(dtype)
    elif kind == "binary":
        y = rng.integers(0, 2, (n, n_out)).astype(dtype)
    elif kind == "labels":
        y = rng.integers(0, n_out, n)
    elif kind == "soft":
        y = rng.uniform(0.0, 1.0, (n, n_out)).astype(dtype)
    elif kind == "counts":
        y = rng.poisson(2.0, (n, n_out)).astype(dtype)
    elif kind == "onehot":
        y = oracle.onehot(rng.integers(0, n_out, n), n_out).astype(dtype)
    else:
        raise ValueError(kind)
    return X, y


def oracle_args(net):
    """The network as the oracle's plain lists (read through the public weights/biases)."""
    return ([np.array(W, dtype=np.float64) for W in net.weights],
            [np.array(b, dtype=np.float64) for b in net.biases],
            list(net.activations), list(net.leaky_slopes))


def rel_err(actual, expected):
    """Largest absolute difference over the largest |expected| (1 if that is 0)."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    scale = float(np.max(np.abs(expected), initial=0.0)) or 1.0
    return float(np.max(np.abs(actual - expected), initial=0.0)) / scale


def assert_close(actual, expected, dtype, what=""):
    err = rel_err(actual, expected)
    assert err <= TOL[np.dtype(dtype).name], f"{what}: relative error {err:.3g}"
