"""A section's results: rows of figures, each with a ratio, a target and whether it is met."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Row:
    cells: list                     # the section's descriptive and absolute-figure columns
    ratio: Optional[float]          # None when the comparison could not be made
    label: str = ""                 # short name for the chart
    target: Optional[float] = None  # the ratio must reach it (or stay under it, see Section)
    target_text: str = ""
    verdict: Optional[bool] = None  # set when the target asks more than the ratio (quality)

    def met(self, at_most: bool) -> Optional[bool]:
        if self.verdict is not None:
            return self.verdict
        if self.target is None or self.ratio is None:
            return None
        return self.ratio <= self.target if at_most else self.ratio >= self.target


@dataclass
class Section:
    key: str                        # gemm, train, predict, memory, quality
    title: str
    columns: list
    ratio_name: str = "gradfall ÷ other"
    ratio_at_most: bool = False     # memory: smaller is better
    rows: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def status(self, row: Row) -> str:
        met = row.met(self.ratio_at_most)
        return "" if met is None else ("met" if met else "short")
