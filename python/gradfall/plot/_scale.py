"""One colour and height scale for losses: logarithmic when the losses allow it, so a basin
a thousand times lower than its rim is not one flat colour."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ..typing import Float64Array

if TYPE_CHECKING:
    from matplotlib.colors import Normalize

# Losses that fall by more than this factor are drawn on a log axis.
LOG_RATIO = 20.0


def spans_decades(values: npt.ArrayLike) -> bool:
    """True when the finite values are all positive and the largest is over LOG_RATIO times the
    smallest: a linear axis would flatten everything near the smallest into one line."""
    array = np.asarray(values, dtype=np.float64)
    finite = array[np.isfinite(array)]
    return bool(finite.size > 0 and finite.min() > 0 and finite.max() > LOG_RATIO * finite.min())


@dataclass(frozen=True)
class LossScale:
    """The range [vmin, vmax] of the losses drawn, and whether it is logarithmic."""

    vmin: float
    vmax: float
    log: bool

    @classmethod
    def spanning(cls, *losses: npt.ArrayLike, vmin: float | None = None, vmax: float | None = None,
                 log: bool | None = None) -> LossScale:
        """The scale covering every finite value of every array in ``losses`` (or ``vmin`` and
        ``vmax`` when given). ``log=None`` chooses log whenever all losses are positive."""
        finite = np.concatenate([np.asarray(l, dtype=np.float64).ravel() for l in losses])
        finite = finite[np.isfinite(finite)]
        if finite.size == 0 and (vmin is None or vmax is None):
            raise ValueError("the landscape has no finite loss to draw")
        low = float(finite.min()) if vmin is None else float(vmin)
        high = float(finite.max()) if vmax is None else float(vmax)
        if not (np.isfinite(low) and np.isfinite(high)) or low > high:
            raise ValueError(f"need finite vmin <= vmax, got vmin={low}, vmax={high}")
        positive = low > 0
        if log is None:
            log = positive
        elif log and not positive:
            raise ValueError(f"a log scale needs losses above 0, but the lowest is {low}")
        if high == low:  # a flat landscape still needs a range to colour
            low, high = (low / 1.01, high * 1.01) if log else (low - 0.5, high + 0.5)
        return cls(low, high, bool(log))

    def norm(self) -> Normalize:
        """matplotlib's normalisation of this range (logarithmic or linear)."""
        from matplotlib.colors import LogNorm, Normalize

        return (LogNorm if self.log else Normalize)(vmin=self.vmin, vmax=self.vmax)

    def levels(self, count: int) -> Float64Array:
        """``count`` colour bands: equal ratios on a log scale, equal steps on a linear one."""
        space = np.geomspace if self.log else np.linspace
        return space(self.vmin, self.vmax, int(count) + 1)

    def ticks(self) -> Float64Array:
        """A few round loss values inside the range, for colour bars and the 3-D height axis."""
        from matplotlib.ticker import MaxNLocator

        decades = np.log10(self.vmax / self.vmin) if self.log else 0.0
        if decades >= 1:
            # Whole decades when there are many; 1, 2, 5 of each decade when there are few.
            steps = (1.0,) if decades >= 3 else (1.0, 2.0, 5.0)
            powers = 10.0 ** np.arange(np.floor(np.log10(self.vmin)),
                                       np.ceil(np.log10(self.vmax)) + 1)
            candidates: Iterable[float] = np.outer(powers, steps).ravel()
        else:
            # Under one decade a log scale looks linear, and so do round linear ticks.
            candidates = MaxNLocator(nbins=5).tick_values(self.vmin, self.vmax)
        slack = 1e-9 * (self.vmax - self.vmin)
        return np.array([t for t in candidates if self.vmin - slack <= t <= self.vmax + slack])

    def to_height(self, losses: npt.ArrayLike) -> Float64Array:
        """Loss values as heights for a 3-D surface: log10 of the loss on a log scale."""
        values = np.asarray(losses, dtype=np.float64)
        return np.log10(values) if self.log else values

    def height_range(self) -> tuple[float, float]:
        """The heights of vmin and vmax."""
        return tuple(self.to_height([self.vmin, self.vmax]))

    def label(self, what: str = "loss") -> str:
        """The axis label, saying when it is logarithmic."""
        return f"{what} (log scale)" if self.log else what


def tick_label(value: float) -> str:
    """A short label for a loss tick: 0.001, 0.05, 2, 1e-05."""
    return f"{value:.3g}"
