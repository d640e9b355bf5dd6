"""Administrative censoring model shared by grades B and C.

Patients are randomised over an accrual window and followed until a common data cut-off, so a
patient randomised at calendar time ``e`` (months after the first randomisation) can be followed
for at most ``F = cutoff - e`` months. With uniform accrual over ``[0, A]`` and the cut-off at
``C``, the potential follow-up ``F`` is uniform on ``[a, b] = [C - A, C]`` and the probability of
still being under observation at time ``t`` (ignoring events) is

    G(t) = 1                      for t <= a,
    G(t) = (b - t) / (b - a)      for a < t < b,
    G(t) = 0                      for t >= b.

Its hazard ``1 / (b - t)`` grows towards the end of follow-up, which is what at-risk tables show:
few censorings early, most of them late. Papers seldom print both ends of the window, so the
window is derived from whatever follow-up facts are given (``FollowUp.window``); the median
follow-up of a uniform window is its midpoint (reverse Kaplan-Meier median of ``F``).

Reference: the uniform-accrual administrative censoring model is the standard one for sample size
calculations (e.g. Lachin JM, Foulkes MA. Biometrics 1986;42:507-519).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.reconstruct.types import FloatArray, ReconstructionInputError


@dataclass(frozen=True)
class FollowUp:
    """Follow-up facts of an analysis, all in months; any may be missing (None).

    Attributes:
        accrual_months: length of the randomisation window.
        min_followup_months: time from the last randomisation to the data cut-off.
        max_followup_months: time from the first randomisation to the data cut-off.
        median_followup_months: published median follow-up (reverse KM or time to cut-off).
    """

    accrual_months: float | None = None
    min_followup_months: float | None = None
    max_followup_months: float | None = None
    median_followup_months: float | None = None

    def __post_init__(self) -> None:
        for name in (
            "accrual_months",
            "min_followup_months",
            "max_followup_months",
            "median_followup_months",
        ):
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or value < 0):
                raise ReconstructionInputError(f"{name} must be a number >= 0, got {value!r}")

    def window(self) -> tuple[float | None, float | None]:
        """``(a, b)``: shortest and longest potential follow-up implied by the facts.

        Uses, in order: min and max; accrual with min or max; median with accrual, min or max
        (uniform accrual puts the median follow-up at the midpoint). Unknown ends are None.
        """
        acc, lo, hi, med = (
            self.accrual_months,
            self.min_followup_months,
            self.max_followup_months,
            self.median_followup_months,
        )
        if lo is None and hi is not None and acc is not None:
            lo = max(hi - acc, 0.0)
        if hi is None and lo is not None and acc is not None:
            hi = lo + acc
        if med is not None:
            if lo is None and hi is None and acc is not None:
                lo, hi = max(med - acc / 2.0, 0.0), med + acc / 2.0
            elif lo is None and hi is not None:
                lo = max(2.0 * med - hi, 0.0)
            elif hi is None and lo is not None:
                hi = max(2.0 * med - lo, lo)
        if lo is not None and hi is not None and hi < lo:
            raise ReconstructionInputError(
                f"follow-up facts are inconsistent: shortest follow-up {lo:g} months is longer "
                f"than the longest {hi:g}"
            )
        return lo, hi


def admin_censoring_survival(t: npt.ArrayLike, a: float, b: float) -> FloatArray:
    """G(t) of the uniform-accrual model (module docstring); ``a <= b`` in months."""
    x = np.asarray(t, dtype=np.float64)
    if b <= a:
        return np.where(x < b, 1.0, 0.0).astype(np.float64)
    return np.clip((b - x) / (b - a), 0.0, 1.0).astype(np.float64)


def prob_event_before_censoring(hazard_per_month: float, width_months: float) -> float:
    """P(event before censoring) for a constant event hazard and uniform censoring on [0, w].

    ``1 - (1 - exp(-x)) / x`` with ``x = hazard * w``; used for patients still at risk at the
    last table time, whose remaining follow-up is taken as uniform up to the end of follow-up.
    """
    x = max(hazard_per_month, 0.0) * max(width_months, 0.0)
    if x < 1e-8:
        return x / 2.0
    return 1.0 - (1.0 - math.exp(-x)) / x
