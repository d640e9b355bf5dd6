"""Deterministic placement of event and censoring times inside at-risk intervals (grade B).

For one interval ``[start, stop]`` the number of events ``d`` and censorings ``c`` is known;
times are placed at quantiles, never at random:

* censorings: the ``k``-th of ``c`` at ``start + (k - 1/2) / c * (stop - start)``;
* events: at the ``(k - 1/2) / d`` quantiles of the cumulative hazard path ``H(t)`` over the
  interval. ``H`` is a monotone piecewise-cubic (PCHIP, Fritsch & Carlson 1980) interpolant of
  the model's cumulative hazard at the table times, so the hazard varies smoothly across
  intervals instead of jumping at each table time (a falling hazard early in an interval is
  reproduced instead of being spread evenly);
* published anchors inside the interval (median, landmarks) split it into segments. Going
  through them in time order, the number of events before each anchor is chosen with the
  *realised* Kaplan-Meier curve (the actual at-risk counts, including the censorings already
  placed): for a landmark the count whose KM value at the landmark time is closest to the
  published rate; for the median the smallest count that brings the KM to 0.5 or below, with
  that event placed exactly at the published median. Events before an anchor follow ``H``
  within their segment.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.reconstruct.types import FloatArray

#: Grid points per interval used to invert the cumulative hazard path.
PATH_GRID_POINTS = 65
#: Range allowed for the power of the first interval's cumulative hazard (HazardPath).
POWER_RANGE = (0.4, 3.0)


@dataclass(frozen=True)
class Anchor:
    """A published point of the curve: S(time_months) = survival; ``is_median`` for 0.5."""

    time_months: float
    survival: float
    is_median: bool = False


class HazardPath:
    """Monotone interpolant of the cumulative hazard through ``(times, cumulative)`` knots.

    PCHIP between knots, except in the first interval where a power law
    ``H(t) = H(t_1) (t / t_1)^k`` is used, with ``k = log2(H(2 t_1) / H(t_1))`` read from the
    first two intervals (equal widths assumed; clamped to ``POWER_RANGE``): the hazard right after
    randomisation is often far from constant (falling for OS with early deaths, rising for PFS
    before the first scan), and a cubic cannot follow ``t^k`` with ``k < 1``.
    """

    def __init__(self, times: FloatArray, cumulative: FloatArray) -> None:
        t = np.asarray(times, dtype=np.float64)
        h = np.maximum.accumulate(np.asarray(cumulative, dtype=np.float64))
        self._t = t
        self._h = h
        # scipy.interpolate takes about a second to import; the app loads this module with the
        # curve library but reconstructs no grade-B curve at start-up (issue 11).
        from scipy.interpolate import PchipInterpolator  # noqa: PLC0415 - heavy, grade B only

        self._pchip = PchipInterpolator(t, h, extrapolate=True) if t.size >= 3 else None
        self._power: float | None = None
        if t.size >= 3 and t[0] == 0.0 and h[1] > 0.0 and h[2] > h[1]:
            ratio = (h[2] - h[0]) / (h[1] - h[0])
            width_ratio = t[2] / t[1]
            power = float(np.log(ratio) / np.log(width_ratio))
            self._power = min(max(power, POWER_RANGE[0]), POWER_RANGE[1])

    def __call__(self, x: FloatArray) -> FloatArray:
        xs = np.asarray(x, dtype=np.float64)
        if self._pchip is None:
            return np.asarray(np.interp(xs, self._t, self._h), dtype=np.float64)
        out = np.asarray(self._pchip(xs), dtype=np.float64)
        if self._power is not None:
            first = (xs >= self._t[0]) & (xs <= self._t[1])
            scaled = np.clip(xs[first] / self._t[1], 0.0, 1.0)
            out[first] = self._h[1] * scaled**self._power
        return out

    def quantile_times(self, start: float, stop: float, count: int) -> list[float]:
        """``count`` times at the ``(k - 1/2) / count`` quantiles of H between start and stop."""
        return self.segment(start, stop).times(count)

    def segment(self, start: float, stop: float) -> _Segment:
        """The inverse of H over ``[start, stop]``, tabulated once for repeated quantiles."""
        return _Segment(self, start, stop)


class _Segment:
    """Tabulated inverse cumulative hazard over one segment."""

    def __init__(self, path: HazardPath, start: float, stop: float) -> None:
        self.start = start
        self.stop = stop
        self.frac: FloatArray | None = None
        self.grid: FloatArray | None = None
        if stop > start:
            grid = np.linspace(start, stop, PATH_GRID_POINTS)
            h = path(grid)
            span = h[-1] - h[0]
            if span > 1e-12:
                # a tiny linear term keeps the abscissae strictly increasing for np.interp
                self.frac = (h - h[0]) / span * (1.0 - 1e-9) + 1e-9 * (grid - start) / (
                    stop - start
                )
                self.grid = grid

    def times(self, count: int) -> list[float]:
        if count <= 0:
            return []
        if self.stop <= self.start:
            return [self.start] * count
        probs = (np.arange(count) + 0.5) / count
        if self.frac is None or self.grid is None:
            return [self.start + float(q) * (self.stop - self.start) for q in probs]
        return [float(v) for v in np.interp(probs, self.frac, self.grid)]


def place_censorings(start: float, stop: float, count: int) -> list[float]:
    """``count`` censoring times spread evenly over ``[start, stop]`` (midpoints of equal parts)."""
    if count <= 0:
        return []
    width = max(stop - start, 0.0)
    return [start + (k + 0.5) / count * width for k in range(count)]


def _km_at(
    when: float,
    events: Sequence[float],
    censor_sorted: Sequence[float],
    n_start: int,
    km_start: float,
) -> float:
    """Realised KM at ``when`` (right-continuous) from the interval's own events/censorings."""
    km = km_start
    for j, t in enumerate(sorted(events)):
        if t > when:
            break
        at_risk = n_start - j - bisect.bisect_left(censor_sorted, t)
        if at_risk <= 0:
            break
        km *= 1.0 - 1.0 / at_risk
    return km


def place_interval_events(
    start: float,
    stop: float,
    count: int,
    *,
    path: HazardPath,
    censor_times: Sequence[float],
    n_start: int,
    km_start: float,
    anchors: Sequence[Anchor] = (),
) -> list[float]:
    """Event times for one interval (see the module docstring)."""
    if count <= 0:
        return []
    inside = sorted(
        (a for a in anchors if start <= a.time_months < stop), key=lambda a: a.time_months
    )
    state = _IntervalState(
        path=path,
        censored=sorted(censor_times),
        n_start=n_start,
        km_start=km_start,
        placed=[],
    )
    placed = state.placed
    seg_start = start
    for anchor in inside:
        remaining = count - len(placed)
        if remaining <= 0:
            break
        if anchor.is_median:
            chosen = state.median_segment(anchor.time_months, seg_start, remaining)
        else:
            chosen = state.landmark_segment(anchor, seg_start, remaining)
        if chosen is None:
            continue
        placed.extend(chosen)
        seg_start = anchor.time_months
    rest = count - len(placed)
    placed.extend(path.quantile_times(seg_start, stop, rest))
    return placed


@dataclass
class _IntervalState:
    """Events placed so far in one interval, with what the realised KM depends on."""

    path: HazardPath
    censored: list[float]
    n_start: int
    km_start: float
    placed: list[float]

    def km_at(self, when: float, extra: Sequence[float] = ()) -> float:
        return _km_at(when, [*self.placed, *extra], self.censored, self.n_start, self.km_start)

    def median_segment(self, median: float, seg_start: float, remaining: int) -> list[float] | None:
        """Smallest number of events, the last at the median, taking the KM to <= 0.5."""
        if self.km_at(seg_start) <= 0.5:
            return None  # already below 0.5 before this segment: nothing to anchor
        segment = self.path.segment(seg_start, median)
        for m in range(1, remaining + 1):
            trial = [*segment.times(m - 1), median]
            if self.km_at(median, trial) <= 0.5:
                return trial
        return None

    def landmark_segment(
        self, anchor: Anchor, seg_start: float, remaining: int
    ) -> list[float] | None:
        """Number of events before the landmark whose KM value is closest to the target."""
        best: list[float] | None = None
        best_score = np.inf
        segment = self.path.segment(seg_start, anchor.time_months)
        for m in range(remaining + 1):
            trial = segment.times(m)
            km = self.km_at(anchor.time_months, trial)
            score = abs(km - anchor.survival)
            if score < best_score - 1e-12:
                best, best_score = trial, score
            elif km < anchor.survival:
                break  # the KM only falls further with more events
        return best


def km_crossing_index(times: FloatArray, events: FloatArray) -> int | None:
    """Row index of the event at which the KM estimate first drops to <= 0.5."""
    order = np.lexsort((-np.asarray(events), times))
    n = times.size
    surv = 1.0
    for rank, idx in enumerate(order):
        if events[idx] == 1:
            surv *= 1.0 - 1.0 / (n - rank)
            if surv <= 0.5:
                return int(idx)
    return None
