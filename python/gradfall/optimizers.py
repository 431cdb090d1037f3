"""Optimizers over the network's one flat parameter vector.

SGD, ``momentum_form="gradient_sum"`` (torch.optim.SGD)::

    g = grad + wd*theta;  buf = mu*buf + g;  theta <- theta - lr * (g + mu*buf if nesterov else buf)

SGD, ``momentum_form="velocity"`` (Sutskever et al. 2013; scikit-learn)::

    g = grad + wd*theta;  v = mu*v - lr*g;   theta <- theta + (mu*v - lr*g if nesterov else v)

The two agree while the rate is constant; after it changes, the velocity still carries steps
taken at the old rate.

Adam, ``correction="moments"`` (torch.optim.Adam)::

    m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;  theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)

Adam, ``correction="step_size"`` (scikit-learn): the bias corrections folded into the rate,
``theta <- theta - lr*sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)``, so eps meets sqrt(v).

The rate may follow a schedule (``gradfall.schedules``), applied between epochs. The state
(momentum buffer or moments, and the step count) lives in ``optimizer.state`` and persists across
``fit`` calls that pass the same optimizer object.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

from . import _core
from ._validation import check_choice, check_fraction, check_non_negative, check_positive
from .schedules import Constant, Progress, Schedule

MOMENTUM_FORMS = tuple(_core.MomentumForm.__members__)
ADAM_CORRECTIONS = tuple(_core.AdamCorrection.__members__)


class Optimizer:
    """Base: the rate (current and initial), its schedule, weight decay and the state."""

    kind: _core.OptimizerKind

    def __init__(self, lr: float, weight_decay: float, schedule: Schedule | None) -> None:
        self.base_lr = check_positive("lr", lr)
        self.lr = self.base_lr
        self.weight_decay = check_non_negative("weight_decay", weight_decay)
        if schedule is None:
            schedule = Constant()
        if not isinstance(schedule, Schedule):
            raise TypeError(f"schedule must be a gradfall.schedules.Schedule, got "
                            f"{type(schedule).__name__}")
        self.schedule = schedule
        self.state: _core.OptimizerState | None = None
        self.epochs = 0   # epochs run with this optimizer (its schedules count these)
        self.samples = 0  # training rows seen by those epochs

    @property
    def lr(self) -> float:
        """The rate of the next update."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_positive("lr", value)

    def reset(self) -> None:
        """Forget the state (momentum buffer or moments, step count), the scheduled rate and
        the epochs run."""
        self.state = None
        self.lr = self.base_lr
        self.epochs = self.samples = 0

    def state_for(self, n_params: int, dtype: npt.DTypeLike) -> _core.OptimizerState:
        """The state for a network of ``n_params`` parameters of ``dtype``: kept while it fits,
        else a new zero state (a different network)."""
        checked = np.dtype(dtype)
        if self.state is None or not self.state.matches(n_params, checked):
            self.state = _core.OptimizerState(self.kind, n_params, checked)
        return self.state

    @property
    def steps(self) -> int:
        """Updates done with the current state."""
        return 0 if self.state is None else int(self.state.step)

    def begin(self) -> None:
        """Before a fit's first epoch: the schedule sets the rate to start with."""
        self.lr = self.schedule.start_rate(self.lr, self.base_lr, self.epochs)

    def end_epoch(self, progress: Progress) -> None:
        """Between epochs: the schedule sets the rate of the next one."""
        self.lr = self.schedule.next_rate(self.lr, self.base_lr, progress)

    def on_plateau(self) -> bool:
        """The stopping rule saw no improvement: True (go on, at the rate the schedule chose) or
        False (stop training)."""
        rate = self.schedule.on_plateau(self.lr)
        if rate is None:
            return False
        self.lr = rate
        return True

    def config(self) -> _core.OptimizerConfig:
        """The core's view of the hyperparameters, at the current rate."""
        config = _core.OptimizerConfig()
        config.kind = self.kind
        config.lr = self.lr
        config.weight_decay = self.weight_decay
        return config


class SGD(Optimizer):
    """Minibatch stochastic gradient descent with optional (Nesterov) momentum."""

    kind = _core.OptimizerKind.sgd

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, momentum_form: str = "gradient_sum",
                 schedule: Schedule | None = None) -> None:
        self.momentum = check_fraction("momentum", momentum)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0:
            raise ValueError("nesterov=True requires momentum > 0")
        self.momentum_form = check_choice("momentum_form", momentum_form, MOMENTUM_FORMS)
        super().__init__(lr, weight_decay, schedule)

    def config(self) -> _core.OptimizerConfig:
        config = super().config()
        config.momentum = self.momentum
        config.nesterov = self.nesterov
        config.momentum_form = _core.MomentumForm.__members__[self.momentum_form]
        return config

    def __repr__(self) -> str:
        return (f"SGD(lr={self.base_lr}, momentum={self.momentum}, nesterov={self.nesterov}, "
                f"weight_decay={self.weight_decay}, momentum_form={self.momentum_form!r}, "
                f"schedule={self.schedule!r})")


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias-corrected moments."""

    kind = _core.OptimizerKind.adam

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0, correction: str = "moments",
                 schedule: Schedule | None = None) -> None:
        self.beta1 = check_fraction("beta1", beta1)
        self.beta2 = check_fraction("beta2", beta2)
        self.eps = check_positive("eps", eps)
        self.correction = check_choice("correction", correction, ADAM_CORRECTIONS)
        super().__init__(lr, weight_decay, schedule)

    def config(self) -> _core.OptimizerConfig:
        config = super().config()
        config.beta1, config.beta2, config.eps = self.beta1, self.beta2, self.eps
        config.correction = _core.AdamCorrection.__members__[self.correction]
        return config

    def __repr__(self) -> str:
        return (f"Adam(lr={self.base_lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps}, "
                f"weight_decay={self.weight_decay}, correction={self.correction!r}, "
                f"schedule={self.schedule!r})")
