"""Loss landscapes: a surface as filled contours and a 3-D surface, a line as a curve, and a
before/after pair drawn on one shared colour scale."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Union

import numpy as np
import numpy.typing as npt

from .._validation import check_int
from ..typing import Float64Array, PathLike
from ._figure import new_figure, save
from ._scale import LossScale, spans_decades, tick_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colorbar import Colorbar
    from matplotlib.contour import QuadContourSet
    from matplotlib.figure import Figure
    from mpl_toolkits.mplot3d.axes3d import Axes3D

    from ..landscape import Landscape

# Contour levels: how many bands, or the band edges themselves.
Levels = Union[int, npt.ArrayLike]

KINDS = ("contour", "surface", "both")
CMAP = "viridis"
ALPHA_LABEL = "α (first random direction)"
BETA_LABEL = "β (second random direction)"


def landscape(result: Landscape, path: PathLike | None = None, kind: str = "both",
              levels: Levels = 30, title: str = "Loss landscape", vmin: float | None = None,
              vmax: float | None = None, log: bool | None = None,
              marks: Mapping[float, str] | None = None) -> Figure:
    """A ``gradfall.landscape`` result. A surface is drawn as filled contours
    (``kind="contour"``), a 3-D surface (``kind="surface"``) or both side by side; a line as a
    curve.

    Colours and heights follow the loss on a log scale whenever every loss is positive (``log``
    forces it on or off), so a deep basin keeps its shape. ``vmin``/``vmax`` fix the colour
    range, e.g. to compare figures drawn separately. ``marks`` labels positions on a line,
    ``{alpha: text}``; by default alpha 0 is marked as the network."""
    if result.betas is None:
        return landscape_lines([(result, None)], path, title, log=log, marks=marks)
    panels = _panels(kind)
    scale = LossScale.spanning(result.losses, vmin=vmin, vmax=vmax, log=log)
    fig = new_figure(figsize=(6 * len(panels), 5), layout="constrained")
    axes, contours = _draw_column(fig, result, panels, scale, levels, title, rows=1,
                                  columns=len(panels), first=1, step=1)
    _colorbar(fig, contours, axes, scale)
    return save(fig, path)


def landscape_pair(before: Landscape, after: Landscape, path: PathLike | None = None,
                   kind: str = "both", levels: Levels = 30,
                   titles: Sequence[str] = ("before training", "after training"),
                   title: str = "Loss landscape", vmin: float | None = None,
                   vmax: float | None = None, log: bool | None = None,
                   marks: Mapping[float, str] | None = None) -> Figure:
    """Two landscapes side by side (``before`` left, ``after`` right) on ONE colour scale with one
    colour bar, so equal colours mean equal losses; with ``kind="both"`` the contours sit above
    the 3-D surfaces, which share one height axis. Two lines share one set of axes instead."""
    if (before.betas is None) != (after.betas is None):
        raise ValueError("landscape_pair needs two surfaces or two lines, not one of each")
    if len(titles) != 2:
        raise ValueError(f"titles must name the two landscapes, got {titles!r}")
    if before.betas is None:
        return landscape_lines([(before, titles[0]), (after, titles[1])], path, title, log=log,
                               marks=marks)
    panels = _panels(kind)
    scale = LossScale.spanning(before.losses, after.losses, vmin=vmin, vmax=vmax, log=log)
    fig = new_figure(figsize=(12, 5 * len(panels)), layout="constrained")
    fig.suptitle(title)
    axes = []
    for column, (result, name) in enumerate(zip((before, after), titles)):
        drawn, contours = _draw_column(fig, result, panels, scale, levels, name,
                                       rows=len(panels), columns=2, first=column + 1, step=2)
        axes += drawn
    _colorbar(fig, contours, axes, scale)
    return save(fig, path)


def landscape_lines(named_results: Sequence[tuple[Landscape, str | None]],
                    path: PathLike | None = None, title: str = "Loss along a line",
                    log: bool | None = None, marks: Mapping[float, str] | None = None) -> Figure:
    """One or more line landscapes, given as ``[(result, legend label or None), ...]``, on one
    set of axes; the loss axis is logarithmic when the losses fall by orders of magnitude."""
    fig = new_figure(figsize=(6.5, 4), layout="constrained")
    ax = fig.subplots()
    all_losses = []
    for result, name in named_results:
        ax.plot(result.alphas, result.losses, label=name)
        all_losses.append(np.asarray(result.losses, dtype=np.float64))
    losses = np.concatenate(all_losses)
    if spans_decades(losses) if log is None else log:
        if not (losses[np.isfinite(losses)] > 0).all():
            raise ValueError("a log scale needs losses above 0")
        ax.set_yscale("log")
    for alpha, text in ({0.0: "the network"} if marks is None else marks).items():
        ax.axvline(alpha, color="0.5", linestyle=":", linewidth=1)
        ax.annotate(text, xy=(alpha, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -3), textcoords="offset points", va="top", fontsize=8,
                    color="0.3")
    ax.set(xlabel="α (position along the line)", ylabel="loss", title=title)
    if any(name for _, name in named_results):
        ax.legend()
    return save(fig, path)


def _panels(kind: str) -> list[str]:
    if kind not in KINDS:
        raise ValueError(f"kind must be 'contour', 'surface' or 'both', got {kind!r}")
    return ["contour", "surface"] if kind == "both" else [kind]


def _draw_column(fig: Figure, result: Landscape, panels: list[str], scale: LossScale,
                 levels: Levels, title: str, rows: int, columns: int, first: int,
                 step: int) -> tuple[list[Axes], QuadContourSet | None]:
    """Draws ``result`` once per panel into subplot slots first, first + step, ...; returns the
    axes and the filled contours (None without a contour panel)."""
    import mpl_toolkits.mplot3d  # noqa: F401  (registers the 3-D projection)

    axes, contours = [], None
    for i, panel in enumerate(panels):
        slot = first + i * step
        if panel == "contour":
            ax = fig.add_subplot(rows, columns, slot)
            contours = _contour(ax, result, scale, levels)
        else:
            ax = fig.add_subplot(rows, columns, slot, projection="3d")
            _surface(ax, result, scale)
        ax.set_title(title)
        axes.append(ax)
    return axes, contours


def _contour(ax: Axes, result: Landscape, scale: LossScale, levels: Levels) -> QuadContourSet:
    A, B = np.meshgrid(result.alphas, _betas(result))
    Z = _finite(result.losses)
    bands = scale.levels(check_int("levels", levels, 1)) if np.ndim(levels) == 0 else \
        np.sort(np.asarray(levels, dtype=np.float64))
    filled = ax.contourf(A, B, Z, levels=bands, norm=scale.norm(), cmap=CMAP,
                         extend=_extend(Z, scale))
    ax.contour(A, B, Z, levels=bands, colors="k", linewidths=0.3, alpha=0.4)
    ax.plot([0], [0], marker="*", color="red", markeredgecolor="white", markersize=13,
            linestyle="none")
    ax.annotate(f"the network\nloss {tick_label(result.center)}", xy=(0, 0), xytext=(9, 6),
                textcoords="offset points", fontsize=8, color="white",
                bbox=dict(boxstyle="round,pad=0.2", facecolor="black", alpha=0.45, lw=0))
    ax.set(xlabel=ALPHA_LABEL, ylabel=BETA_LABEL, aspect="equal")
    return filled


def _surface(ax: Axes3D, result: Landscape, scale: LossScale) -> None:
    from matplotlib.colors import Normalize
    from matplotlib.ticker import MaxNLocator

    A, B = np.meshgrid(result.alphas, _betas(result))
    # Heights beyond the colour range are clipped so both members of a pair share one box.
    H = scale.to_height(np.clip(_finite(result.losses), scale.vmin, scale.vmax))
    low, high = scale.height_range()
    ax.plot_surface(A, B, H, cmap=CMAP, norm=Normalize(low, high), linewidth=0,
                    antialiased=True)
    ax.set_zlim(low, high)
    ticks = scale.ticks()
    ax.set_zticks(scale.to_height(ticks), [tick_label(t) for t in ticks])
    # Few round ticks and small labels along alpha and beta: the defaults run into each other.
    for axis, positions in ((ax.xaxis, result.alphas), (ax.yaxis, _betas(result))):
        round_ticks = np.asarray(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]).tick_values(
            positions.min(), positions.max()))
        axis.set_ticks(round_ticks[(round_ticks >= positions.min())
                                   & (round_ticks <= positions.max())])
    ax.tick_params(labelsize=8, pad=1)
    ax.set_xlabel("α", labelpad=2)
    ax.set_ylabel("β", labelpad=2)
    ax.set_zlabel(scale.label(), labelpad=6)


def _colorbar(fig: Figure, contours: QuadContourSet | None, axes: list[Axes],
              scale: LossScale) -> Colorbar | None:
    """One colour bar in loss units beside all ``axes``. 3-D surfaces alone get none: their
    height axis already reads the loss, and a bar would cover its label."""
    if contours is None:
        return None
    bar = fig.colorbar(contours, ax=axes, label=scale.label(), shrink=0.9)
    ticks = scale.ticks()
    bar.set_ticks(ticks.tolist(), labels=[tick_label(t) for t in ticks])
    bar.minorticks_off()
    return bar


def _betas(result: Landscape) -> Float64Array:
    """The second direction's positions of a surface (a line has none)."""
    if result.betas is None:
        raise ValueError("a line landscape has no second direction to draw over")
    return result.betas


def _finite(losses: npt.ArrayLike) -> Float64Array:
    """Non-finite losses (a diverged corner of the grid) become gaps, not crashes."""
    losses = np.asarray(losses, dtype=np.float64)
    return np.where(np.isfinite(losses), losses, np.nan)


def _extend(Z: Float64Array, scale: LossScale) -> str:
    """Which ends of the colour bar get arrows: the losses beyond the fixed colour range."""
    below, above = bool(np.nanmin(Z) < scale.vmin), bool(np.nanmax(Z) > scale.vmax)
    return {(False, False): "neither", (True, False): "min", (False, True): "max",
            (True, True): "both"}[(below, above)]
