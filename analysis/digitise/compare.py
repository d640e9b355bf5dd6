"""Agreement between two step curves with a horizontal tolerance (used to check digitised
curves against a true Kaplan–Meier curve or another digitisation of the same figure).

A drop drawn at column c is known only to about a pixel, and near a drop of size d an unmatched
sub-pixel shift alone gives a vertical difference of d (up to 0.1 with 10 patients at risk). So
the difference at time t is the distance from ``S_a(t)`` to the range of ``S_b`` over
``[t - tolerance, t + tolerance]``, evaluated at every corner of either curve and at the midpoints
between consecutive ones, up to ``until``. Both curves are right-continuous step functions through
their points (value at t = last point at or before t; before the first point, the first value).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def step_values(times: FloatArray, values: FloatArray, t: FloatArray) -> FloatArray:
    """Right-continuous step function through ``(times, values)`` (sorted by time) at ``t``."""
    idx = np.clip(np.searchsorted(times, t, side="right") - 1, 0, times.size - 1)
    return np.asarray(values[idx])


def max_abs_difference(
    time_a: npt.ArrayLike,
    surv_a: npt.ArrayLike,
    time_b: npt.ArrayLike,
    surv_b: npt.ArrayLike,
    *,
    tolerance: float,
    until: float,
) -> tuple[float, float]:
    """``(max |S_a - S_b|, time where it occurs)`` with ``tolerance`` (time units) of horizontal
    placement, over ``0 <= t <= until`` and within both curves' extents."""
    ta, sa = np.asarray(time_a, dtype=np.float64), np.asarray(surv_a, dtype=np.float64)
    tb, sb = np.asarray(time_b, dtype=np.float64), np.asarray(surv_b, dtype=np.float64)
    oa, ob = np.argsort(ta, kind="stable"), np.argsort(tb, kind="stable")
    ta, sa, tb, sb = ta[oa], sa[oa], tb[ob], sb[ob]
    grid = np.unique(np.concatenate([ta, tb]))
    grid = np.unique(np.concatenate([grid, (grid[1:] + grid[:-1]) / 2.0]))
    grid = grid[(grid >= 0.0) & (grid <= min(until, ta[-1], tb[-1]))]
    if grid.size == 0:
        return float("nan"), float("nan")
    mine = step_values(ta, sa, grid)
    upper = step_values(tb, sb, np.maximum(grid - tolerance, 0.0))
    lower = step_values(tb, sb, grid + tolerance)
    err = np.maximum(np.maximum(lower - mine, mine - upper), 0.0)
    k = int(np.argmax(err))
    return float(err[k]), float(grid[k])


def point_distances(
    time: npt.ArrayLike,
    surv: npt.ArrayLike,
    point_time: npt.ArrayLike,
    point_surv: npt.ArrayLike,
    *,
    tolerance: float,
    until: float,
) -> tuple[FloatArray, FloatArray]:
    """``(times, distances)`` of the points at or before ``until`` (and within the curve's
    extent): for each point, the vertical distance to the range the step curve ``(time, surv)``
    takes within ``tolerance`` (time units) of the point's time (see ``max_point_distance``)."""
    t, s = np.asarray(time, dtype=np.float64), np.asarray(surv, dtype=np.float64)
    order = np.argsort(t, kind="stable")
    t, s = t[order], s[order]
    pt, ps = np.asarray(point_time, dtype=np.float64), np.asarray(point_surv, dtype=np.float64)
    keep = (pt <= until) & (pt <= t[-1])
    pt, ps = pt[keep], ps[keep]
    high = step_values(t, s, np.maximum(pt - tolerance, 0.0))
    low = step_values(t, s, pt + tolerance)
    return pt, np.maximum(np.maximum(low - ps, ps - high), 0.0)


def max_point_distance(
    time: npt.ArrayLike,
    surv: npt.ArrayLike,
    point_time: npt.ArrayLike,
    point_surv: npt.ArrayLike,
    *,
    tolerance: float,
    until: float,
) -> tuple[float, float]:
    """``(max distance, time)`` from points digitised by someone else to the step curve
    ``(time, surv)``: for each point at or before ``until``, the vertical distance from the point
    to the range the curve takes within ``tolerance`` (time units) of the point's time.

    A third-party digitisation is a set of points clicked on the published line (mostly at step
    corners, sparser than the steps); reading it as a step function between the clicks would put
    the clicking pattern into the comparison, so the points are compared with the curve as they
    are.
    """
    pt, err = point_distances(time, surv, point_time, point_surv, tolerance=tolerance, until=until)
    if pt.size == 0:
        return float("nan"), float("nan")
    k = int(np.argmax(err))
    return float(err[k]), float(pt[k])
