"""The loss curve of a training run, with each layer's gradient norm beside it."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..typing import PathLike
from ._figure import new_figure, save

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..history import History
from ._scale import spans_decades


def loss_curve(history: History, path: PathLike | None = None,
               title: str = "Training loss") -> Figure:
    """Loss per epoch (with per-batch losses and validation loss when recorded) and, in a second
    panel, each layer's gradient norm per epoch. Either axis turns logarithmic when its values
    fall by orders of magnitude."""
    from matplotlib.ticker import MaxNLocator

    fig = new_figure(figsize=(10, 4), layout="constrained")
    ax_loss, ax_grad = fig.subplots(1, 2)
    epochs = np.arange(1, history.epochs + 1)
    if history.batch_loss:
        per_batch = np.concatenate(history.batch_loss)
        # Batch b of epoch e sits at e - 1 + (b + 1) / n_batches, so it lines up with the epochs.
        x = np.concatenate([e + (np.arange(len(b)) + 1) / len(b)
                            for e, b in enumerate(history.batch_loss)])
        ax_loss.plot(x, per_batch, color="0.75", linewidth=0.6, label="each batch")
    marker = "o" if history.epochs < 30 else None
    ax_loss.plot(epochs, history.loss, marker=marker, label="training (mean over the epoch)")
    if history.val_loss:
        ax_loss.plot(epochs[:len(history.val_loss)], history.val_loss, marker=marker,
                     label="validation (after the epoch)")
    ax_loss.set(xlabel="epoch", ylabel="loss", title=title)
    if spans_decades(history.loss):
        ax_loss.set_yscale("log")
    ax_loss.legend()
    norms = history.grad_norm
    for l in range(norms.shape[1]):
        ax_grad.plot(epochs, norms[:, l], label=_layer_name(l, norms.shape[1]))
    ax_grad.set(xlabel="epoch", ylabel="gradient norm (epoch mean)",
                title="Gradient norm of each layer")
    if norms.size and (norms > 0).all():
        ax_grad.set_yscale("log")
    if norms.shape[1]:
        ax_grad.legend(fontsize=8)
    for ax in (ax_loss, ax_grad):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # no epoch 2.5
    return save(fig, path)


def _layer_name(l: int, n_layers: int) -> str:
    """"layer 0 (input)" ... "layer 2 (output)": which end of the network each curve is."""
    end = ("input to output" if n_layers == 1 else "input" if l == 0
           else "output" if l == n_layers - 1 else None)
    return f"layer {l} ({end})" if end else f"layer {l}"
