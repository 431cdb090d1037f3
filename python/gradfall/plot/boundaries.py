"""The decision boundary of a network with two inputs: the plane coloured by its prediction,
with the data on top and a legend naming each class."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..typing import Float64Array, PathLike
from ._figure import new_figure, save

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..network import Network

# The colour of class c's points: colour_of(c) -> RGBA.
ColourOf = Callable[[Any], tuple[float, float, float, float]]

MARKERS = "osD^vP*Xph"
CLASS_COLOURS = "tab10"
PROBABILITY_COLOURS = "RdBu_r"
FILL_ALPHA = 0.35  # light fills, so the points' own colours stand out on every region


def decision_boundary(net: Network, X: npt.ArrayLike, y: npt.ArrayLike,
                      path: PathLike | None = None, resolution: int = 200,
                      title: str = "Decision boundary",
                      class_names: Sequence[str] | None = None) -> Figure:
    """Colours the plane by the class the network predicts (or, for one sigmoid output, by its
    probability of class 1) with the data on top; ``X`` must have two features. ``class_names``
    names the classes in the legend, in label order (default "class 0", "class 1", ...)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or net.n_features != 2:
        raise ValueError("decision_boundary needs a network and data with exactly 2 features")
    labels = _labels(y, X.shape[0])
    classes = np.unique(labels)
    if class_names is not None and len(class_names) != len(classes):
        raise ValueError(f"class_names has {len(class_names)} names for {len(classes)} classes")
    GX, GY = _grid(X, resolution)
    out = net.forward(np.column_stack([GX.ravel(), GY.ravel()]))
    fig = new_figure(figsize=(6.5, 5), layout="constrained")
    ax = fig.subplots()
    if out.shape[1] == 1:
        colour_of = _shade_probability(fig, ax, GX, GY, out[:, 0].reshape(GX.shape))
    else:
        colour_of = _shade_classes(ax, GX, GY, np.argmax(out, axis=1).reshape(GX.shape),
                                   out.shape[1])
    # Fewer, bigger points when there are few: XOR's four corners must not vanish.
    size = float(np.clip(4000 / len(X), 14, 70))
    numeric = np.issubdtype(classes.dtype, np.number)
    for i, c in enumerate(classes):
        at = labels == c
        name = class_names[i] if class_names is not None else (
            f"class {c:g}" if numeric else str(c))
        # Label c is output c; labels that are not numbers follow the outputs in sorted order.
        colour = colour_of(c if numeric else i)
        ax.scatter(X[at, 0], X[at, 1], s=size, color=colour, marker=MARKERS[i % 10],
                   edgecolors="black", linewidths=0.5, label=name)
    ax.set(xlabel="x1", ylabel="x2", title=title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    return save(fig, path)


def _labels(y: npt.ArrayLike, n: int) -> npt.NDArray[Any]:
    """Class labels, one per sample, from labels, a (n, 1) column or one-hot rows."""
    labels = np.asarray(y)
    labels = labels[:, 0] if labels.ndim == 2 and labels.shape[1] == 1 else labels
    if labels.ndim == 2:
        labels = np.argmax(labels, axis=1)
    if labels.shape != (n,):
        raise ValueError(f"y must hold one label per sample ({n}), got shape {labels.shape}")
    return labels


def _grid(X: Float64Array, resolution: int) -> tuple[Float64Array, Float64Array]:
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9)
    gx = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    gy = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    return np.meshgrid(gx, gy)


def _shade_probability(fig: Figure, ax: Axes, GX: Float64Array, GY: Float64Array,
                      probability: npt.NDArray[Any]) -> ColourOf:
    """Light bands of the sigmoid output and the 0.5 line; returns each class's point colour."""
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    cmap = colormaps[PROBABILITY_COLOURS]
    shade = ax.contourf(GX, GY, probability, levels=np.linspace(0, 1, 11), cmap=cmap,
                        alpha=FILL_ALPHA)
    ax.contour(GX, GY, probability, levels=[0.5], colors="k", linewidths=1.2)
    fig.colorbar(shade, ax=ax, label="network output: probability of class 1",
                 location="bottom", shrink=0.8, aspect=30)
    # The 0.5 line gets a legend entry of its own beside the classes.
    ax.add_line(Line2D([], [], color="k", linewidth=1.2, label="output = 0.5"))
    return lambda c: cmap(0.08 if c <= 0.5 else 0.92)


def _shade_classes(ax: Axes, GX: Float64Array, GY: Float64Array, predicted: npt.NDArray[Any],
                   k: int) -> ColourOf:
    """Light regions of the predicted class with a thin line where it changes."""
    from matplotlib import colormaps

    cmap = colormaps[CLASS_COLOURS]
    ax.contourf(GX, GY, predicted, levels=np.arange(k + 1) - 0.5, cmap=cmap, vmin=-0.5,
                vmax=9.5, alpha=FILL_ALPHA)
    ax.contour(GX, GY, predicted, levels=np.arange(k - 1) + 0.5, colors="0.25", linewidths=0.6)
    return lambda c: cmap(int(c) % 10)
