"""Figures of learning: loss curves, loss landscapes and decision boundaries.

matplotlib is an optional extra (``pip install gradfall[plot]``). Figures are built with
``matplotlib.figure.Figure`` directly, never through pyplot, so no display or GUI backend is
involved: each function returns the Figure and, given ``path``, saves it as a PNG.
"""
from __future__ import annotations

import numpy as np


def _figure(**kwargs):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("gradfall.plot needs matplotlib: pip install 'gradfall[plot]'") from None
    return Figure(**kwargs)


def _save(fig, path):
    if path is not None:
        fig.savefig(path, dpi=110, format="png")
    return fig


def loss_curve(history, path=None, title="Training"):
    """Loss per epoch (with per-batch losses and validation loss when recorded) and, in a second
    panel, each layer's gradient norm per epoch on a log scale."""
    fig = _figure(figsize=(10, 4), layout="constrained")
    ax_loss, ax_grad = fig.subplots(1, 2)
    epochs = np.arange(1, history.epochs + 1)
    if history.batch_loss:
        per_batch = np.concatenate(history.batch_loss)
        # Batch b of epoch e sits at e - 1 + (b + 1) / n_batches, so it lines up with the epochs.
        x = np.concatenate([e + (np.arange(len(b)) + 1) / len(b)
                            for e, b in enumerate(history.batch_loss)])
        ax_loss.plot(x, per_batch, color="0.75", linewidth=0.6, label="batch loss")
    ax_loss.plot(epochs, history.loss, marker="o" if history.epochs < 30 else None,
                 label="training loss")
    if history.val_loss:
        ax_loss.plot(epochs[:len(history.val_loss)], history.val_loss, label="validation loss")
    ax_loss.set(xlabel="epoch", ylabel="loss", title=title)
    if history.loss and min(history.loss) > 0 and max(history.loss) > 20 * min(history.loss):
        ax_loss.set_yscale("log")  # only when the loss falls by orders of magnitude
    ax_loss.legend()
    norms = history.grad_norm
    for l in range(norms.shape[1]):
        ax_grad.plot(epochs, norms[:, l], label=f"layer {l}")
    ax_grad.set(xlabel="epoch", ylabel="mean gradient norm", title="Gradient norms")
    if norms.size and (norms > 0).all():
        ax_grad.set_yscale("log")
    if norms.shape[1]:
        ax_grad.legend()
    return _save(fig, path)


def landscape(result, path=None, kind="both", levels=30, title="Loss landscape"):
    """A ``gradfall.landscape`` result: a line is drawn as a curve; a surface as filled contours
    (``kind="contour"``), a 3-D surface (``kind="surface"``) or both side by side."""
    if result.betas is None:
        fig = _figure(figsize=(6, 4), layout="constrained")
        ax = fig.subplots()
        ax.plot(result.alphas, result.losses)
        ax.axvline(0.0, color="0.6", linestyle=":", linewidth=1)
        ax.set(xlabel="alpha", ylabel="loss", title=title)
        return _save(fig, path)
    if kind not in ("contour", "surface", "both"):
        raise ValueError(f"kind must be 'contour', 'surface' or 'both', got {kind!r}")
    import mpl_toolkits.mplot3d  # noqa: F401  (registers the 3-D projection)

    panels = ["contour", "surface"] if kind == "both" else [kind]
    fig = _figure(figsize=(6 * len(panels), 5), layout="constrained")
    A, B = np.meshgrid(result.alphas, result.betas)
    Z = result.losses
    for i, panel in enumerate(panels):
        if panel == "contour":
            ax = fig.add_subplot(1, len(panels), i + 1)
            filled = ax.contourf(A, B, Z, levels=levels, cmap="viridis")
            ax.contour(A, B, Z, levels=levels, colors="k", linewidths=0.3)
            ax.plot([0], [0], marker="*", color="red", markersize=10)
            ax.set(xlabel="alpha", ylabel="beta", title=title, aspect="equal")
            fig.colorbar(filled, ax=ax, label="loss")
        else:
            ax = fig.add_subplot(1, len(panels), i + 1, projection="3d")
            ax.plot_surface(A, B, Z, cmap="viridis", linewidth=0, antialiased=True)
            ax.set(xlabel="alpha", ylabel="beta", zlabel="loss", title=title)
    return _save(fig, path)


def decision_boundary(net, X, y, path=None, resolution=200, title="Decision boundary"):
    """Colours the plane by the class the network predicts (or, for one sigmoid output, by its
    probability) with the data on top; ``X`` must have two features."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or net.n_features != 2:
        raise ValueError("decision_boundary needs a network and data with exactly 2 features")
    y = np.asarray(y)
    y = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim == 2:
        y = np.argmax(y, axis=1)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9)
    gx = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    gy = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    GX, GY = np.meshgrid(gx, gy)
    out = net.forward(np.column_stack([GX.ravel(), GY.ravel()]))
    fig = _figure(figsize=(6, 5), layout="constrained")
    ax = fig.subplots()
    if out.shape[1] == 1:
        field = out[:, 0].reshape(GX.shape)
        shade = ax.contourf(GX, GY, field, levels=20, cmap="RdBu_r", alpha=0.8)
        ax.contour(GX, GY, field, levels=[0.5], colors="k", linewidths=1.2)
        fig.colorbar(shade, ax=ax, label="network output")
    else:
        classes = np.argmax(out, axis=1).reshape(GX.shape)
        k = out.shape[1]
        ax.contourf(GX, GY, classes, levels=np.arange(k + 1) - 0.5, cmap="tab10", vmin=0,
                    vmax=9, alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r" if out.shape[1] == 1 else "tab10",
               vmin=0, vmax=1 if out.shape[1] == 1 else 9, s=12, edgecolors="k",
               linewidths=0.3)
    ax.set(xlabel="x1", ylabel="x2", title=title)
    return _save(fig, path)
