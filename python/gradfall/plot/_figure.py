"""A new matplotlib Figure without pyplot, and saving it as a PNG."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..typing import PathLike

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 110


def new_figure(**kwargs: Any) -> Figure:
    """A ``matplotlib.figure.Figure``: no pyplot state, no display, no GUI backend."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("gradfall.plot needs matplotlib: pip install 'gradfall[plot]'") from None
    return Figure(**kwargs)


def save(fig: Figure, path: PathLike | None) -> Figure:
    """Writes ``fig`` to ``path`` as a PNG when a path is given; returns the figure."""
    if path is not None:
        fig.savefig(path, dpi=DPI, format="png")
    return fig
