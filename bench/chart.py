"""PNG chart: one panel per section, a bar per row's ratio, its target marked, 1× as a line."""
from __future__ import annotations

from . import optional

COLOURS = {"met": "#2a9d55", "short": "#d1495b", "": "#8a8a8a"}


def _minor_label(value, _position) -> str:
    # Labels 2× and 5× (and 0.2×, 0.5×...) so a panel within one decade still has a scale.
    return f"{value:g}×" if f"{value:.0e}"[0] in "25" else ""


def write(sections, path) -> str:
    """Writes the chart; returns a note when it cannot (matplotlib missing, nothing to draw)."""
    matplotlib = optional.load("matplotlib")
    if matplotlib is None:
        return optional.missing_note("matplotlib", "The PNG chart")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    panels = [s for s in sections if any(r.ratio is not None for r in s.rows)]
    if not panels:
        return "No chart: no ratios were measured."
    heights = [max(1.5, 0.22 * len(s.rows) + 0.8) for s in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, sum(heights)),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, section in zip(axes[:, 0], panels):
        rows = [r for r in section.rows if r.ratio is not None]
        ys = range(len(rows))
        ax.barh(ys, [r.ratio for r in rows], color=[COLOURS[section.status(r)] for r in rows])
        for y, r in zip(ys, rows):
            if r.target is not None:
                ax.plot([r.target, r.target], [y - 0.4, y + 0.4], color="black", linewidth=2)
        ax.axvline(1.0, color="black", linewidth=0.8, linestyle="--")
        ax.set_yticks(list(ys), [r.label for r in rows], fontsize=7)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
        ax.xaxis.set_minor_formatter(FuncFormatter(_minor_label))
        ax.set_title(f"{section.title} — {section.ratio_name} (black tick: target)", fontsize=9)
    legend = [Patch(color=COLOURS["met"], label="target met"),
              Patch(color=COLOURS["short"], label="target short"),
              Patch(color=COLOURS[""], label="no target")]
    fig.legend(handles=legend, fontsize=8, loc="upper center", ncol=3, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / sum(heights)))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return ""
