"""Input sample and result types of :mod:`analysis.survival` (times in months)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from analysis.types import (
    BoolArray,
    FloatArray,
    IntArray,
    readonly,
)

CoxEngine = Literal["numpy", "lifelines"]


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SurvivalSample:
    """Right-censored survival data for one arm: times in months and event indicators.

    Construct with :meth:`from_arrays`. The arrays are copied, validated, sorted by time and made
    read-only. Equality and hashing use ``digest`` (a hash of the sorted times and events), so a
    sample can key an ``lru_cache``; ``label`` is for display only and does not enter the hash.
    """

    times_months: FloatArray
    events: BoolArray
    label: str = ""
    digest: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        times = np.array(self.times_months, dtype=np.float64, copy=True)
        raw_events = np.asarray(self.events)
        if times.ndim != 1 or raw_events.ndim != 1:
            raise ValueError("times_months and events must be one-dimensional sequences")
        if times.size == 0:
            raise ValueError(
                f"survival sample {self.label!r} is empty: at least one patient is needed"
            )
        if raw_events.size != times.size:
            raise ValueError(
                f"times_months has {times.size} values but events has {raw_events.size}"
            )
        if not np.all(np.isfinite(times)):
            raise ValueError("times_months contains NaN or infinite values")
        if np.any(times < 0):
            raise ValueError("times_months must be >= 0 (months since randomisation)")
        if raw_events.dtype == np.bool_:
            events = raw_events.copy()
        else:
            numeric = np.asarray(raw_events, dtype=np.float64)
            if not np.all((numeric == 0) | (numeric == 1)):
                # R's Surv() also accepts 1/2 coding; refusing it avoids a silent misread.
                raise ValueError("events must be booleans or 0/1 (1 = event, 0 = censored)")
            events = numeric == 1
        order = np.argsort(times, kind="stable")
        times = readonly(times[order])
        events = readonly(events[order])
        object.__setattr__(self, "times_months", times)
        object.__setattr__(self, "events", events)
        hasher = hashlib.blake2b(digest_size=16)
        hasher.update(times.tobytes())
        hasher.update(events.tobytes())
        object.__setattr__(self, "digest", hasher.hexdigest())

    @classmethod
    def from_arrays(
        cls, times_months: npt.ArrayLike, events: npt.ArrayLike, label: str = ""
    ) -> SurvivalSample:
        """Validate and build a sample. Raises ``ValueError`` on empty, ragged or invalid input."""
        return cls(
            times_months=np.asarray(times_months, dtype=np.float64),
            events=np.asarray(events),
            label=label,
        )

    @property
    def n_patients(self) -> int:
        return int(self.times_months.size)

    @property
    def n_events(self) -> int:
        return int(np.count_nonzero(self.events))

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SurvivalSample) and other.digest == self.digest


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class KaplanMeierResult:
    """Kaplan-Meier estimate at every distinct observed time (event or censoring), as R's survfit.

    ``survival[i]`` is S(t) on [times_months[i], times_months[i+1]); before the first time S = 1.
    ``ci_lower``/``ci_upper`` are the log-log band at ``ci_level``. R leaves the band undefined (NA)
    where S is exactly 1 or 0; here it is set to 1/1 and 0/0 so a chart can draw it, and
    ``ci_defined`` marks where it is a real interval (medians of the band use only those points,
    as R does). ``se_log_survival`` is Greenwood's standard error of log S(t) (R's ``std.err``),
    infinite once S reaches 0.
    """

    times_months: FloatArray
    survival: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    ci_defined: BoolArray
    se_log_survival: FloatArray
    n_at_risk: IntArray
    n_events: IntArray
    n_censored: IntArray
    censor_times_months: FloatArray
    censor_survival: FloatArray
    ci_level: float
    n_patients: int
    n_events_total: int

    @property
    def last_time_months(self) -> float:
        return float(self.times_months[-1])


@dataclass(frozen=True)
class MedianSurvival:
    """Median survival in months with its confidence interval; ``None`` = not reached."""

    median_months: float | None
    ci_lower_months: float | None
    ci_upper_months: float | None
    ci_level: float


@dataclass(frozen=True)
class LandmarkSurvival:
    """S(t) at a landmark time with its log-log CI.

    ``survival`` is ``None`` when the landmark lies beyond the last follow-up time of a curve that
    has not reached 0 (the estimate is undefined there); ``beyond_follow_up`` says so.
    """

    time_months: float
    survival: float | None
    ci_lower: float | None
    ci_upper: float | None
    ci_level: float
    n_at_risk: int
    beyond_follow_up: bool


@dataclass(frozen=True)
class RestrictedMeanSurvival:
    """Restricted mean survival time up to ``tau_months`` with its Greenwood-type standard error.

    If the requested horizon lies beyond the last follow-up of a curve that has not reached 0,
    the horizon is clamped to that last time and ``tau_clamped`` is True.
    """

    rmst_months: float
    se_months: float
    ci_lower_months: float
    ci_upper_months: float
    ci_level: float
    tau_months: float
    tau_requested_months: float
    tau_clamped: bool


@dataclass(frozen=True)
class RmstDifference:
    """RMST(arm) - RMST(reference) up to a common horizon, independent arms (variances add)."""

    difference_months: float
    se_months: float
    ci_lower_months: float
    ci_upper_months: float
    ci_level: float
    p_value: float
    rmst_arm_months: float
    rmst_reference_months: float
    tau_months: float
    tau_requested_months: float
    tau_clamped: bool


@dataclass(frozen=True)
class CoxResult:
    """Hazard ratio of arm vs reference from a Cox model with one binary covariate (Efron ties).

    ``estimable`` is False when the partial likelihood has no finite maximum (e.g. no events in
    one arm); then every estimate is ``None``.
    """

    hazard_ratio: float | None
    ci_lower: float | None
    ci_upper: float | None
    ci_level: float
    log_hr: float | None
    se_log_hr: float | None
    wald_z: float | None
    p_value: float | None
    n_patients: int
    n_events: int
    estimable: bool
    ties: str = "efron"
    engine: str = "numpy"


@dataclass(frozen=True)
class LogRankResult:
    """Two-sample log-rank test (R ``survdiff``, rho = 0). ``None`` when there are no events."""

    chi2: float | None
    df: int
    p_value: float | None
    observed_arm: int
    expected_arm: float
    observed_reference: int
    expected_reference: float


@dataclass(frozen=True)
class AtRiskTable:
    """Numbers at risk n(T >= t) at display ticks (months)."""

    ticks_months: tuple[float, ...]
    n_at_risk: tuple[int, ...]


@dataclass(frozen=True)
class ArmSummary:
    """Everything the results table and the KM figure need for one arm.

    Carries no label: results are cached by data content, and the same data may be shown under
    different names; the caller pairs a summary with its arm id.
    """

    n_patients: int
    n_events: int
    km: KaplanMeierResult
    median: MedianSurvival
    landmark: LandmarkSurvival | None
    rmst: RestrictedMeanSurvival | None
    at_risk: AtRiskTable


@dataclass(frozen=True)
class ArmComparison:
    """Arm vs reference: Cox HR, log-rank and (when a horizon is given) the RMST difference."""

    cox: CoxResult
    log_rank: LogRankResult
    rmst_difference: RmstDifference | None
