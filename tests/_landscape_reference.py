"""A tiny float64 NumPy forward pass and cost, independent of the C++ core, for checking the
landscape at given parameter vectors (row-vector convention: z = a @ W + b)."""
import numpy as np


def _activate(name, z, slope):
    if name == "identity":
        return z
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, slope * z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


def cost(net, params, X, y):
    """The network's mean cost at the flat parameter vector ``params``, in float64."""
    params = np.asarray(params, dtype=np.float64)
    a = np.asarray(X, dtype=np.float64)
    for l in range(net.n_layers):
        n_in, n_out = net.layer_sizes[l], net.layer_sizes[l + 1]
        w0, b0 = net._spec.weight_offset(l), net._spec.bias_offset(l)
        z = a @ params[w0:w0 + n_in * n_out].reshape(n_in, n_out) + params[b0:b0 + n_out]
        a = _activate(net.activations[l], z, net.leaky_slopes[l])
    k = net.n_outputs
    if net.loss_name == "cross_entropy":
        labels = np.asarray(y)
        per_sample = -np.log(a[np.arange(len(a)), labels])
    else:
        target = np.asarray(y, dtype=np.float64).reshape(len(a), k)
        if net.loss_name == "mse":
            per_sample = ((a - target) ** 2).sum(axis=1)
        elif net.loss_name == "mae":
            per_sample = np.abs(a - target).sum(axis=1)
        else:
            p = np.clip(a, 1e-300, 1 - 1e-16)
            per_sample = -(target * np.log(p) + (1 - target) * np.log1p(-p)).sum(axis=1)
    return float(np.mean(per_sample * net.output_scale))
