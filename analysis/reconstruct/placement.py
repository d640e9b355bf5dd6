"""Deterministic placement of event and censoring times inside intervals (grades B and C).

Given, for one interval ``[start, stop]``, how many events and censorings happen in it and the
shape of the survival curve inside it, times are placed at quantiles, never at random:

* events: the ``k``-th of ``d`` events (k = 1..d) sits where the target log-survival path has
  covered the fraction ``(k - 1/2) / d`` of its drop over the interval. The path is linear in
  time between knots (constant hazard), with extra knots at published anchors (median, landmark)
  inside the interval, so the Kaplan-Meier curve of the result bends where the published one does;
* censorings: the ``k``-th of ``c`` at ``start + (k - 1/2) / c * (stop - start)``.

Afterwards ``snap_median`` moves the event at which the Kaplan-Meier curve first reaches 0.5 to
the published median when that keeps the event order (it normally lies within one event spacing).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from analysis.reconstruct.types import FloatArray


def place_events(
    start: float,
    stop: float,
    count: int,
    knots: Sequence[tuple[float, float]] = (),
) -> list[float]:
    """Event times in ``[start, stop]`` following a piecewise-constant-hazard path.

    Args:
        start, stop: interval ends (months), ``stop > start``.
        count: number of events.
        knots: interior ``(time, fraction_of_drop)`` points of the path, fractions in [0, 1]
            and non-decreasing with time; the path runs from (start, 0) to (stop, 1).
    """
    if count <= 0:
        return []
    if stop <= start:
        return [start] * count
    xs = [start]
    ys = [0.0]
    for t, f in sorted(knots):
        if start < t < stop:
            xs.append(t)
            ys.append(min(max(f, ys[-1]), 1.0))
    xs.append(stop)
    ys.append(1.0)
    targets = [(k + 0.5) / count for k in range(count)]
    return [float(np.interp(q, ys, xs)) if ys[-1] > ys[0] else start for q in targets]


def place_censorings(start: float, stop: float, count: int) -> list[float]:
    """``count`` censoring times spread evenly over ``[start, stop]`` (midpoints of equal parts)."""
    if count <= 0:
        return []
    width = max(stop - start, 0.0)
    return [start + (k + 0.5) / count * width for k in range(count)]


def snap_median(times: FloatArray, events: npt.ArrayLike, median_months: float) -> FloatArray:
    """Move the event where the KM curve first reaches <= 0.5 to ``median_months`` if possible.

    The move is made only when the new time stays between the neighbouring event times, so the
    order of events (and the number of events before every table time) is unchanged; the KM is
    recomputed and the move is kept only if the curve then first reaches 0.5 at the median.
    Returns new times (the input is not modified).
    """
    t = np.asarray(times, dtype=np.float64).copy()
    e = np.asarray(events)
    crossing = _km_crossing_index(t, e)
    if crossing is None:
        return t
    ev_idx = np.flatnonzero(e == 1)
    ev_sorted = ev_idx[np.argsort(t[ev_idx], kind="stable")]
    pos = int(np.flatnonzero(ev_sorted == crossing)[0])
    lo = t[ev_sorted[pos - 1]] if pos > 0 else 0.0
    hi = t[ev_sorted[pos + 1]] if pos + 1 < ev_sorted.size else np.inf
    if not lo <= median_months <= hi:
        return t
    trial = t.copy()
    trial[crossing] = median_months
    new = _km_crossing_index(trial, e)
    if new is not None and trial[new] == median_months:
        return trial
    return t


def _km_crossing_index(t: FloatArray, e: npt.ArrayLike) -> int | None:
    """Row index of the event at which the KM estimate first drops to <= 0.5."""
    e_arr = np.asarray(e)
    order = np.lexsort((-e_arr, t))
    n = t.size
    surv = 1.0
    for rank, idx in enumerate(order):
        if e_arr[idx] == 1:
            surv *= 1.0 - 1.0 / (n - rank)
            if surv <= 0.5:
                return int(idx)
    return None
