"""Pure-NumPy float64 reference for gradfall, written from the formulas (never from the C++ code).

A network is described by plain lists: ``weights[l]`` of shape (n_in, n_out), ``biases[l]`` of
shape (n_out,), ``acts[l]`` and ``slopes[l]`` per layer. Everything is computed in float64.
"""
from __future__ import annotations

import numpy as np

HIDDEN = ("identity", "sigmoid", "tanh", "relu", "leaky_relu")
# Every (output activation, loss, target kind) the library accepts.
OUTPUT_LOSS = (
    ("identity", "mse", "dense"),
    ("sigmoid", "mse", "dense"),
    ("identity", "mae", "dense"),
    ("sigmoid", "mae", "dense"),
    ("sigmoid", "binary_cross_entropy", "binary"),
    ("softmax", "cross_entropy", "labels"),
    ("softmax", "cross_entropy", "onehot"),
    # rows of target mass that do not sum to 1: the gradient's softmax term scales with it
    ("softmax", "cross_entropy", "soft"),
    ("exp", "poisson", "counts"),
)


def f64(a):
    return np.asarray(a, dtype=np.float64)


def sigmoid(z):
    # exp of a non-positive number only, so nothing overflows
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def activate(name, z, slope=0.01):
    if name == "identity":
        return z.copy()
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, slope * z)
    if name == "softmax":
        return softmax(z)
    if name == "exp":
        return np.exp(z)
    raise ValueError(name)


def derivative(name, z, slope=0.01):
    """Elementwise f'(z) (softmax is handled by the losses, never here)."""
    if name == "identity":
        return np.ones_like(z)
    if name == "sigmoid":
        s = sigmoid(z)
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, slope)
    raise ValueError(name)


def dropout_scales(dropout, l):
    """The factor layer l's outputs are multiplied by: keep / (1 - p), or 1 without dropout.
    ``dropout``: None, or per layer None or (keep mask, p)."""
    if dropout is None or dropout[l] is None:
        return 1.0
    keep, p = dropout[l]
    return keep / (1.0 - p)


def forward(weights, biases, acts, slopes, X, dropout=None):
    """Returns (zs, activations): zs[l] is layer l's pre-activation, activations[0] is X;
    with ``dropout`` (see dropout_scales), inverted dropout on the layers' outputs."""
    a = f64(X)
    zs, activations = [], [a]
    for l, (W, b, act, slope) in enumerate(zip(weights, biases, acts, slopes)):
        z = a @ f64(W) + f64(b)
        a = activate(act, z, slope) * dropout_scales(dropout, l)
        zs.append(z)
        activations.append(a)
    return zs, activations


def onehot(labels, k):
    out = np.zeros((len(labels), k))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def dense_targets(loss, y, k):
    """Targets as an (n, k) float64 array (labels become one-hot rows)."""
    y = np.asarray(y)
    if loss == "cross_entropy" and y.ndim == 1:
        return onehot(y.astype(np.int64), k)
    return f64(y).reshape(len(y), k)


def softplus(z):
    # log(1 + e^z) without overflow
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def cost(loss, z_out, a_out, y):
    """The PyTorch reduction='mean' cost of the output logits z_out / activations a_out."""
    T = dense_targets(loss, y, z_out.shape[1])
    if loss == "mse":
        return float(np.mean((a_out - T) ** 2))
    if loss == "mae":
        return float(np.mean(np.abs(a_out - T)))
    if loss == "binary_cross_entropy":
        # -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z
        return float(np.mean(softplus(z_out) - T * z_out))
    if loss == "cross_entropy":
        return float(np.mean(-(T * log_softmax(z_out)).sum(axis=1)))
    if loss == "poisson":
        # half Poisson deviance y log(y / a) - y + a with a = e^z (y log y = 0 at y = 0)
        ylogy = np.where(T > 0, T * np.log(np.where(T > 0, T, 1.0)), 0.0)
        return float(np.mean(ylogy - T * z_out - T + np.exp(z_out)))
    raise ValueError(loss)


def output_delta(loss, out_act, z_out, a_out, y):
    """d cost / d z_out."""
    T = dense_targets(loss, y, z_out.shape[1])
    n = z_out.shape[0]
    if loss == "cross_entropy":
        # d/dz of -sum_j t_j log softmax_j(z) = softmax(z) * sum(t) - t
        return (softmax(z_out) * T.sum(axis=1, keepdims=True) - T) / n
    if loss == "binary_cross_entropy":
        return (sigmoid(z_out) - T) / T.size
    if loss == "poisson":
        return (np.exp(z_out) - T) / T.size
    if loss == "mse":
        d_a = 2.0 * (a_out - T) / T.size
    elif loss == "mae":
        d_a = np.sign(a_out - T) / T.size
    else:
        raise ValueError(loss)
    return d_a * derivative(out_act, z_out)


def loss_and_gradients(weights, biases, acts, slopes, loss, X, y, dropout=None):
    """(cost, dW list, db list) by backpropagation (with ``dropout``: see dropout_scales)."""
    zs, activations = forward(weights, biases, acts, slopes, X, dropout)
    value = cost(loss, zs[-1], activations[-1], y)
    delta = output_delta(loss, acts[-1], zs[-1], activations[-1], y)
    dW, db = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        dW[l] = activations[l].T @ delta
        db[l] = delta.sum(axis=0)
        if l > 0:
            delta = (delta @ f64(weights[l]).T) * derivative(acts[l - 1], zs[l - 1], slopes[l - 1]) \
                * dropout_scales(dropout, l - 1)
    return value, dW, db


class SGD:
    """torch.optim.SGD over a flat float64 vector."""

    def __init__(self, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        self.lr, self.momentum, self.nesterov, self.weight_decay = lr, momentum, nesterov, weight_decay
        self.buf = None

    def step(self, params, grad):
        g = grad + self.weight_decay * params
        if self.momentum:
            self.buf = g.copy() if self.buf is None else self.momentum * self.buf + g
            g = g + self.momentum * self.buf if self.nesterov else self.buf
        return params - self.lr * g


class Adam:
    """torch.optim.Adam (L2 weight decay added to the gradient) over a flat float64 vector."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        self.lr, self.beta1, self.beta2, self.eps, self.weight_decay = lr, beta1, beta2, eps, weight_decay
        self.m = self.v = None
        self.t = 0

    def step(self, params, grad):
        g = grad + self.weight_decay * params
        if self.m is None:
            self.m, self.v = np.zeros_like(g), np.zeros_like(g)
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
        m_hat = self.m / (1 - self.beta1 ** self.t)
        v_hat = self.v / (1 - self.beta2 ** self.t)
        return params - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def unflatten(flat, sizes):
    """Split a flat vector laid out as W_0 (row-major), b_0, W_1, b_1, ... into lists."""
    weights, biases, offset = [], [], 0
    for n_in, n_out in zip(sizes, sizes[1:]):
        weights.append(flat[offset:offset + n_in * n_out].reshape(n_in, n_out))
        offset += n_in * n_out
        biases.append(flat[offset:offset + n_out])
        offset += n_out
    assert offset == len(flat)
    return weights, biases


def flatten(weights, biases):
    return np.concatenate([np.concatenate([f64(W).ravel(), f64(b)])
                           for W, b in zip(weights, biases)])


def full_batch_steps(optimizer, flat, sizes, acts, slopes, loss, X, y, steps):
    """Parameters after `steps` full-batch gradient steps of `optimizer`."""
    flat = f64(flat).copy()
    for _ in range(steps):
        weights, biases = unflatten(flat, sizes)
        _, dW, db = loss_and_gradients(weights, biases, acts, slopes, loss, X, y)
        flat = optimizer.step(flat, flatten(dW, db))
    return flat
