"""Input preparation for grade-A reconstruction: a digitised curve and a numbers-at-risk table,
cleaned, checked and put on one scale before
:func:`analysis.reconstruct.guyot.reconstruct_from_curve` walks them.

Digitised curves carry noise (survival a little above 1 or below 0, times a little below 0, small
rises); the tolerances below say how much is cleaned silently and where an input becomes an
error naming the file and row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from analysis.reconstruct.types import FloatArray, ReconstructionInputError

SurvivalScale = Literal["auto", "fraction", "percent"]

#: Survival values this far outside [0, 1] (after the percent conversion) are digitisation noise
#: and are clipped; further out they are an error.
SURVIVAL_CLIP_TOLERANCE = 0.02
#: ``survival_scale="auto"`` reads the column as percent when its maximum and its median exceed
#: this (a fraction column with one stray value above 1 is an error, not a percent column).
PERCENT_DETECTION_THRESHOLD = 1.5
#: Negative times down to this fraction of the curve's time range are set to 0.
NEGATIVE_TIME_TOLERANCE = 0.01


@dataclass(frozen=True)
class PreparedCurve:
    """A digitised curve after the repairs listed in the module docstring.

    ``time_months`` starts at 0 and is non-decreasing; ``survival`` starts at 1 and is
    non-increasing.
    """

    time_months: FloatArray
    survival: FloatArray
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class PreparedTable:
    """A validated at-risk table: times strictly increasing from 0, counts non-increasing."""

    time_months: FloatArray
    n_at_risk: npt.NDArray[np.int64]
    warnings: tuple[str, ...]


def _as_float_array(values: npt.ArrayLike, name: str, source: str) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError) as exc:
        raise ReconstructionInputError(f"{name} must be numbers", source=source) from exc
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ReconstructionInputError(
            f"{name} is missing or not a finite number", source=source, row=int(bad[0]) + 1
        )
    return arr


def _paired_arrays(
    time_months: npt.ArrayLike, values: npt.ArrayLike, name: str, source: str, empty: str
) -> tuple[FloatArray, FloatArray]:
    """Times and ``name`` values as float arrays of one non-zero length (``empty``: the message
    when there are none)."""
    t = _as_float_array(time_months, "time", source)
    v = _as_float_array(values, name, source)
    if t.size != v.size:
        raise ReconstructionInputError(
            f"time has {t.size} values but {name} has {v.size}", source=source
        )
    if t.size == 0:
        raise ReconstructionInputError(empty, source=source)
    return t, v


def _pool_adjacent_violators(values: FloatArray) -> FloatArray:
    """Least-squares non-increasing fit (isotonic regression, equal weights)."""
    means: list[float] = []
    sizes: list[int] = []
    for v in values.tolist():
        means.append(v)
        sizes.append(1)
        while len(means) > 1 and means[-2] < means[-1]:
            m2, s2 = means.pop(), sizes.pop()
            m1, s1 = means.pop(), sizes.pop()
            means.append((m1 * s1 + m2 * s2) / (s1 + s2))
            sizes.append(s1 + s2)
    return np.repeat(np.asarray(means, dtype=np.float64), sizes)


def prepare_curve(
    time_months: npt.ArrayLike,
    survival: npt.ArrayLike,
    *,
    survival_scale: SurvivalScale = "auto",
    source: str = "curve",
) -> PreparedCurve:
    """Validate and repair digitised ``(time, survival)`` points (see the module docstring).

    Raises ``ReconstructionInputError`` naming ``source`` and the 1-based row for values that
    cannot be repaired (non-numbers, survival far outside [0, 1], clearly negative times).
    """
    t, s = _paired_arrays(time_months, survival, "survival", source, "the curve has no points")
    warnings: list[str] = []

    looks_percent = (
        float(s.max()) > PERCENT_DETECTION_THRESHOLD
        and float(np.median(s)) > PERCENT_DETECTION_THRESHOLD
    )
    if survival_scale == "percent" or (survival_scale == "auto" and looks_percent):
        if survival_scale == "auto":
            warnings.append(f"survival read as percent (maximum {float(s.max()):g})")
        s = s / 100.0
    elif survival_scale not in ("auto", "fraction"):
        raise ReconstructionInputError(
            f"survival_scale must be auto, fraction or percent, not {survival_scale!r}",
            source=source,
        )
    too_high = np.flatnonzero(s > 1.0 + SURVIVAL_CLIP_TOLERANCE)
    if too_high.size:
        row = int(too_high[0])
        raise ReconstructionInputError(
            f"survival {float(s[row]):g} is above 1 (use --percent for values in %)",
            source=source,
            row=row + 1,
        )
    too_low = np.flatnonzero(s < -SURVIVAL_CLIP_TOLERANCE)
    if too_low.size:
        row = int(too_low[0])
        raise ReconstructionInputError(
            f"survival {float(s[row]):g} is negative", source=source, row=row + 1
        )
    n_clipped = int(np.count_nonzero((s > 1.0) | (s < 0.0)))
    if n_clipped:
        warnings.append(f"{n_clipped} survival value(s) slightly outside [0, 1] clipped")
    s = np.clip(s, 0.0, 1.0)

    span = max(float(t.max()), 1.0)
    very_negative = np.flatnonzero(t < -NEGATIVE_TIME_TOLERANCE * span)
    if very_negative.size:
        row = int(very_negative[0])
        raise ReconstructionInputError(
            f"time {float(t[row]):g} is negative", source=source, row=row + 1
        )
    n_negative = int(np.count_nonzero(t < 0.0))
    if n_negative:
        warnings.append(f"{n_negative} slightly negative time(s) set to 0")
        t = np.maximum(t, 0.0)

    order = np.lexsort((-s, t))
    if np.any(order != np.arange(t.size)):
        warnings.append("points sorted by time")
    t, s = t[order], s[order]
    pooled = _pool_adjacent_violators(s)
    n_changed = int(np.count_nonzero(np.abs(pooled - s) > 1e-12))
    if n_changed:
        warnings.append(f"{n_changed} point(s) made non-increasing by isotonic pooling")
    s = pooled

    if t[0] > 0.0:
        t = np.concatenate(([0.0], t))
        s = np.concatenate(([1.0], s))
    elif s[0] < 1.0:
        if s[0] <= 0.0:
            raise ReconstructionInputError(
                "survival at time 0 is 0; the curve is empty", source=source, row=1
            )
        warnings.append(f"curve starts at {float(s[0]):.4g} at time 0; rescaled to start at 1")
        s = s / s[0]
    return PreparedCurve(time_months=t, survival=s, warnings=tuple(warnings))


def prepare_table(
    time_months: npt.ArrayLike, n_at_risk: npt.ArrayLike, *, source: str = "at-risk table"
) -> PreparedTable:
    """Validate an at-risk table: first time 0, times strictly increasing, whole non-negative
    counts that never increase. Rows given out of time order are sorted (with a warning).
    """
    t, n = _paired_arrays(
        time_months, n_at_risk, "n_at_risk", source, "the at-risk table has no rows"
    )
    for idx in range(n.size):
        if n[idx] < 0 or n[idx] != np.floor(n[idx]):
            raise ReconstructionInputError(
                f"n_at_risk {n[idx]:g} is not a whole number >= 0", source=source, row=idx + 1
            )
        if t[idx] < 0:
            raise ReconstructionInputError(
                f"time {t[idx]:g} is negative", source=source, row=idx + 1
            )
    warnings: list[str] = []
    order = np.argsort(t, kind="stable")
    if np.any(order != np.arange(t.size)):
        warnings.append("at-risk rows sorted by time")
    rows = order + 1
    t, n = t[order], n[order]
    for k in range(1, t.size):
        if t[k] == t[k - 1]:
            raise ReconstructionInputError(
                f"time {t[k]:g} appears twice", source=source, row=int(rows[k])
            )
        if n[k] > n[k - 1]:
            raise ReconstructionInputError(
                f"n_at_risk increases from {n[k - 1]:g} to {n[k]:g} at time {t[k]:g}",
                source=source,
                row=int(rows[k]),
            )
    if t[0] != 0.0:
        raise ReconstructionInputError(
            "the first at-risk time must be 0 (the number randomised)",
            source=source,
            row=int(rows[0]),
        )
    if n[0] <= 0:
        raise ReconstructionInputError(
            "the number at risk at time 0 must be positive", source=source, row=int(rows[0])
        )
    zeros = np.flatnonzero(n == 0)
    if zeros.size and zeros[0] < n.size - 1:
        t, n = t[: zeros[0] + 1], n[: zeros[0] + 1]
    return PreparedTable(time_months=t, n_at_risk=n.astype(np.int64), warnings=tuple(warnings))
