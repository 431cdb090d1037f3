"""What one problem's learning curves say: each contender's final test metric (mean ± std over
the seeds) and median time to the target, the speed ratios, and the verdict on the two criteria
(gradfall's mean at least PyTorch's − 0.01; gradfall first to the target)."""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from .table import Row

GRADFALL = "gf.Network"
QUALITY_REFERENCE = "PyTorch"     # gradfall's mean final metric must stay within...
QUALITY_MARGIN = 0.01             # ...this much below this contender's


@dataclass
class Summary:
    """One contender on one problem over the seeds."""
    finals: list          # final test metric per seed
    times: list           # seconds to the target per seed (inf: never reached)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.finals)

    @property
    def std(self) -> float:
        return statistics.stdev(self.finals) if len(self.finals) > 1 else 0.0

    @property
    def reached(self) -> int:
        return sum(math.isfinite(t) for t in self.times)

    @property
    def time(self) -> float:
        """Median time to the target over the seeds: inf when most seeds never reached it."""
        return statistics.median(self.times)


def summarise(curves_by_name: dict, target: float) -> dict:
    """{contender: Summary} from {contender: [Curve per seed]}."""
    return {name: Summary([c.final for c in curves], [c.time_to(target) for c in curves])
            for name, curves in curves_by_name.items()}


def speedup(ours: Summary, other: Summary) -> float:
    """other's time ÷ gradfall's (above 1: gradfall first); inf when only gradfall got there,
    NaN when gradfall did not."""
    if not math.isfinite(ours.time):
        return math.nan
    return other.time / ours.time if ours.time > 0 else math.inf


def verdict(summaries: dict) -> tuple:
    """(met, reasons it is short): the quality criterion against PyTorch (when it ran) and
    the time criterion against every other contender."""
    ours, reasons = summaries[GRADFALL], []
    reference = summaries.get(QUALITY_REFERENCE)
    if reference is not None and ours.mean < reference.mean - QUALITY_MARGIN:
        reasons.append(f"final {ours.mean:.3f} is below {QUALITY_REFERENCE}'s "
                       f"{reference.mean:.3f} − {QUALITY_MARGIN:g}")
    if not math.isfinite(ours.time):
        reasons.append(f"reached the target in {ours.reached} of {len(ours.times)} seeds")
    else:
        sooner = [name for name, s in summaries.items()
                  if name != GRADFALL and not speedup(ours, s) > 1]
        if sooner:
            reasons.append("not first to the target: " + ", ".join(sooner) + " got there sooner")
    return not reasons, reasons


def target_text(summaries: dict) -> str:
    quality = (f"≥ {QUALITY_REFERENCE} − {QUALITY_MARGIN:g}, "
               if QUALITY_REFERENCE in summaries else "")
    return quality + "first to target"


def _metric_cell(s: Summary) -> str:
    return f"{s.mean:.3f} ± {s.std:.3f}"


def _time_cell(s: Summary, ours: Summary = None) -> str:
    seeds = len(s.times)
    if not math.isfinite(s.time):
        return f"— ({s.reached}/{seeds})" if s.reached else "—"
    text = f"{s.time:.3g} s" + (f" ({s.reached}/{seeds})" if s.reached < seeds else "")
    if ours is not None and math.isfinite(ours.time) and ours.time > 0:
        text += f" ({s.time / ours.time:.3g}×)"
    return text


def columns(names) -> list:
    names = list(names)
    return (["problem", "metric", "target"] + list(names)
            + [f"{name} to target" for name in names])


def row(problem, summaries: dict) -> Row:
    """The problem's row: metrics side by side, times to target (others' with their ratio to
    gradfall's), the nearest other's ratio, and the verdict."""
    ours = summaries[GRADFALL]
    names = list(summaries)
    ratios = [speedup(ours, summaries[n]) for n in names if n != GRADFALL]
    finite = [r for r in ratios if math.isfinite(r)]
    met, _ = verdict(summaries)
    cells = ([problem.name, problem.metric_name, f"{problem.target:g}"]
             + [_metric_cell(summaries[n]) for n in names]
             + [_time_cell(summaries[n], None if n == GRADFALL else ours) for n in names])
    return Row(cells=cells, ratio=min(finite) if finite else None,
               label=f"{problem.name}: nearest other ÷ gradfall", target=1.0,
               target_text=target_text(summaries), verdict=met)
