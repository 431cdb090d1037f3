"""Optimizers over the network's one flat parameter vector.

SGD (``style="torch"``, torch.optim.SGD):  g = grad + wd*theta;  buf = mu*buf + g;
    theta <- theta - lr * (g + mu*buf if nesterov else buf)
Adam (torch.optim.Adam): m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;
    theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)
``style="sklearn"`` follows scikit-learn's SGDOptimizer / AdamOptimizer instead.
The state (momentum buffer, moments, step count) lives in the optimizer object and persists
across ``fit`` calls that pass the same object.
"""
from __future__ import annotations

import math

import numpy as np

_STYLES = ("torch", "sklearn")


def _positive(name, value):
    value = _number(name, value)
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def _number(name, value):
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _in_unit_interval(name, value, *, open_right=True):
    value = _number(name, value)
    if value < 0 or (value >= 1 if open_right else value > 1):
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


class Optimizer:
    """Base: holds hyperparameters and the flat state buffers."""

    kind = ""

    def __init__(self, lr, weight_decay, style):
        self.lr = lr
        self.weight_decay = weight_decay
        if style not in _STYLES:
            raise ValueError(f"style must be one of {_STYLES}, got {style!r}")
        self.style = style
        self.reset()

    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = _positive("lr", value)

    @property
    def weight_decay(self):
        return self._weight_decay

    @weight_decay.setter
    def weight_decay(self, value):
        value = _number("weight_decay", value)
        if value < 0:
            raise ValueError(f"weight_decay must be >= 0, got {value}")
        self._weight_decay = value

    def reset(self):
        """Forget the state (momentum buffers, moments, step count)."""
        self.state1 = None
        self.state2 = None
        self.step = np.zeros(1, dtype=np.int64)

    def _state_for(self, n_params, dtype):
        if self.state1 is None or self.state1.shape != (n_params,) or self.state1.dtype != dtype:
            self.state1 = np.zeros(n_params, dtype=dtype)
            self.state2 = np.zeros(n_params, dtype=dtype)
            self.step = np.zeros(1, dtype=np.int64)
        return self.state1, self.state2, self.step

    def _core_args(self):
        raise NotImplementedError

    @property
    def steps(self) -> int:
        return int(self.step[0])


class SGD(Optimizer):
    """Minibatch stochastic gradient descent with optional (Nesterov) momentum."""

    def __init__(self, lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0, style="torch"):
        self.momentum = _in_unit_interval("momentum", momentum)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0:
            raise ValueError("nesterov=True requires momentum > 0")
        super().__init__(lr, weight_decay, style)

    def _core_args(self):
        return dict(kind=f"sgd_{self.style}", lr=self.lr, momentum=self.momentum,
                    nesterov=self.nesterov, weight_decay=self.weight_decay,
                    beta1=0.9, beta2=0.999, eps=1e-8)

    def __repr__(self):
        return (f"SGD(lr={self.lr}, momentum={self.momentum}, nesterov={self.nesterov}, "
                f"weight_decay={self.weight_decay}, style={self.style!r})")


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias-corrected moments."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, style="torch"):
        self.beta1 = _in_unit_interval("beta1", beta1)
        self.beta2 = _in_unit_interval("beta2", beta2)
        self.eps = _positive("eps", eps)
        super().__init__(lr, weight_decay, style)

    def _core_args(self):
        return dict(kind=f"adam_{self.style}", lr=self.lr, momentum=0.0, nesterov=False,
                    weight_decay=self.weight_decay, beta1=self.beta1, beta2=self.beta2,
                    eps=self.eps)

    def __repr__(self):
        return (f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps}, "
                f"weight_decay={self.weight_decay}, style={self.style!r})")
