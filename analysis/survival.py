"""Survival statistics for (reconstructed) individual patient data: Kaplan-Meier, medians,
landmark survival, RMST, Cox hazard ratios and the log-rank test.

Everything here is a pure function of a :class:`SurvivalSample` (times in months plus event flags)
and scalar parameters, returning frozen dataclasses. The conventions follow R's ``survival``
package (Therneau), which the golden tests in ``tests/golden/test_survival_vs_r.py`` check:

* Kaplan-Meier with Greenwood variance and the "log-log" confidence band
  (``survfit(..., conf.type = "log-log")``; Kalbfleisch & Prentice 2002, section 1.3).
* Median and its confidence interval exactly as ``print(survfit)`` reports them: the first time
  the curve (or the band) is at or below 0.5; when the curve sits exactly on 0.5 over a flat
  stretch, the midpoint between the start of that stretch and the next drop (Brookmeyer &
  Crowley 1982, via the band). ``quantile.survfit`` differs in one corner — a curve that ends flat
  exactly at 0.5 — where it takes the midpoint to the last follow-up time; we follow ``print``.
* RMST with the Greenwood-type variance of the estimator (Klein & Moeschberger 2003, section 4.5;
  identical to ``survival:::survmean`` used by ``print(fit, rmean = tau)`` and to survRM2's
  ``rmst1``). lifelines' ``restricted_mean_survival_time(..., return_variance=True)`` is *not* this:
  it returns E[min(T, tau)^2] - RMST^2, the variance of an individual patient's restricted
  survival time (a population spread, roughly n times larger), not the sampling variance of the
  RMST estimate. ``tests/unit/test_survival.py`` demonstrates the difference.
* Cox proportional hazards for one binary covariate (arm vs reference) with Efron's tie
  handling (``coxph(..., ties = "efron")``), Wald interval and Wald p; log-rank as ``survdiff``.

Why own numpy code instead of lifelines fitters: a lifelines ``CoxPHFitter.fit`` costs ~50 ms
on 1,200 rows (pandas overhead), so a 6-arm comparison would cost ~250 ms per request; the
vectorised Newton-Raphson below needs well under 1 ms and agrees with both R and lifelines (unit
and golden tests). ``cox_hazard_ratio(..., engine="lifelines")`` keeps the lifelines path
available for cross-checks; lifelines objects never leave this module.

Caching: :class:`SurvivalSample` hashes by a digest of its content, and every parameter is a
hashable scalar or tuple, so the public functions can be wrapped directly in
``functools.lru_cache``. :class:`SurvivalMemo` bundles such wrappers for the Dash callbacks.

Assumptions: independent non-informative censoring; times are in months, measured from
randomisation/enrolment; exact ties are treated as ties (no jittering).
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import chdtrc

from analysis.types import (
    BoolArray,
    FloatArray,
    IntArray,
    check_ci_level,
    readonly,
    two_sided_normal_p,
    two_sided_z,
)

# R uses sqrt(machine epsilon) when deciding whether a survival value "is" 0.5 (survmean/minmin).
_HALF_TOLERANCE = math.sqrt(np.finfo(float).eps)
_MAX_NEWTON_STEPS = 100

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


# --------------------------------------------------------------------------------------------
# Kaplan-Meier and derived one-sample quantities
# --------------------------------------------------------------------------------------------


def _distinct_time_table(
    sample: SurvivalSample,
) -> tuple[FloatArray, IntArray, IntArray, IntArray]:
    """Distinct times with n at risk (T >= t), events and censorings at each (times are sorted)."""
    times = sample.times_months
    distinct, first_index, counts = np.unique(times, return_index=True, return_counts=True)
    events_at = np.add.reduceat(sample.events.astype(np.int64), first_index)
    n_at_risk = sample.n_patients - first_index.astype(np.int64)
    return distinct, n_at_risk, events_at, counts.astype(np.int64) - events_at


def _log_log_band(
    survival: FloatArray, se_log: FloatArray, z: float
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """R's survfit_confint(conf.type = "log-log"): interval for log(-log S) mapped back."""
    lower = survival.copy()
    upper = survival.copy()
    inside = (survival > 0.0) & (survival < 1.0)
    log_s = np.log(survival[inside])
    half_width = z * se_log[inside] / log_s  # negative because log S < 0
    log_minus_log = np.log(-log_s)
    lower[inside] = np.exp(-np.exp(log_minus_log - half_width))
    upper[inside] = np.exp(-np.exp(log_minus_log + half_width))
    return lower, upper, inside


def kaplan_meier(sample: SurvivalSample, ci_level: float = 0.95) -> KaplanMeierResult:
    """Kaplan-Meier product-limit estimate with Greenwood SE and log-log CI band.

    Method: S(t) = prod_{t_j <= t} (1 - d_j / n_j); Var(log S) = sum d_j / (n_j (n_j - d_j))
    (Greenwood 1926); band exp(-exp(log(-log S) -/+ z se / log S)) as R
    ``survfit(Surv(time, status) ~ 1, conf.type = "log-log", conf.int = ci_level)``.
    Units: months. Reference: Kaplan & Meier, JASA 1958.
    """
    z = two_sided_z(ci_level)
    distinct, n_at_risk, n_events, n_censored = _distinct_time_table(sample)
    n_float = n_at_risk.astype(np.float64)
    d_float = n_events.astype(np.float64)
    survival: FloatArray = np.cumprod(1.0 - d_float / n_float, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        increments = np.where(n_events > 0, d_float / (n_float * (n_float - d_float)), 0.0)
    se_log: FloatArray = np.sqrt(np.cumsum(increments))
    lower, upper, defined = _log_log_band(survival, se_log, z)
    censored_here = n_censored > 0
    return KaplanMeierResult(
        times_months=readonly(distinct),
        survival=readonly(survival),
        ci_lower=readonly(lower),
        ci_upper=readonly(upper),
        ci_defined=readonly(defined),
        se_log_survival=readonly(se_log),
        n_at_risk=readonly(n_at_risk),
        n_events=readonly(n_events),
        n_censored=readonly(n_censored),
        censor_times_months=readonly(distinct[censored_here]),
        censor_survival=readonly(survival[censored_here]),
        ci_level=check_ci_level(ci_level),
        n_patients=sample.n_patients,
        n_events_total=sample.n_events,
    )


def n_at_risk(
    times_months: SurvivalSample | npt.ArrayLike, ticks_months: Sequence[float]
) -> tuple[int, ...]:
    """Numbers at risk n(T >= t) at each tick, the convention of published at-risk tables.

    Patients censored or dying exactly at a tick are still counted at that tick.
    """
    if isinstance(times_months, SurvivalSample):
        ordered = times_months.times_months
    else:
        ordered = np.sort(np.asarray(times_months, dtype=np.float64))
    ticks = np.asarray(ticks_months, dtype=np.float64)
    if ticks.size and not np.all(np.isfinite(ticks)):
        raise ValueError("ticks_months must be finite")
    below = np.searchsorted(ordered, ticks, side="left")
    return tuple(int(ordered.size - b) for b in below)


def regular_ticks(x_max_months: float, step_months: float) -> tuple[float, ...]:
    """``0, step, 2·step, …`` up to ``x_max_months`` (inclusive, up to float rounding): the
    display times of a KM axis and of the numbers-at-risk row under it."""
    count = int(np.floor(x_max_months / step_months + 1e-9)) + 1
    return tuple(float(i * step_months) for i in range(count))


def at_risk_table(sample: SurvivalSample, ticks_months: Sequence[float]) -> AtRiskTable:
    """:func:`n_at_risk` wrapped with its ticks, for the table under a KM plot."""
    ticks = tuple(float(t) for t in ticks_months)
    return AtRiskTable(ticks_months=ticks, n_at_risk=n_at_risk(sample, ticks))


def _first_at_or_below_half(
    values: FloatArray, times: FloatArray, usable: BoolArray
) -> float | None:
    """R ``survmean``'s ``minmin``: first time curve is <= 0.5 (midpoint on an exact 0.5 flat)."""
    candidates = np.flatnonzero(usable & (values < 0.5 + _HALF_TOLERANCE))
    if candidates.size == 0:
        return None
    first = int(candidates[0])
    if abs(values[first] - 0.5) < _HALF_TOLERANCE:
        further = candidates[values[candidates] < values[first]]
        if further.size:
            return float((times[first] + times[int(further[0])]) / 2.0)
    return float(times[first])


def median_survival(km: KaplanMeierResult) -> MedianSurvival:
    """Median survival (months) with the CI of Brookmeyer & Crowley (1982) from the log-log band.

    As R ``print(survfit(...))``: median = first time with S(t) <= 0.5 (midpoint between the
    start of an exact-0.5 flat stretch and the next drop); the lower/upper limits are the same
    rule applied to the lower/upper band. ``None`` = not reached (R prints NA).
    """
    all_points = np.ones_like(km.ci_defined)
    return MedianSurvival(
        median_months=_first_at_or_below_half(km.survival, km.times_months, all_points),
        ci_lower_months=_first_at_or_below_half(km.ci_lower, km.times_months, km.ci_defined),
        ci_upper_months=_first_at_or_below_half(km.ci_upper, km.times_months, km.ci_defined),
        ci_level=km.ci_level,
    )


def landmark_survival(km: KaplanMeierResult, time_months: float) -> LandmarkSurvival:
    """S(t) and its log-log CI at ``time_months`` (right-continuous step, as R summary(fit, times)).

    Before the first observed time S = 1 with CI 1-1. Where S = 0 the CI is 0-0 (R: NA, the
    log-log band is undefined). Beyond the last follow-up time the value is reported only if the
    curve has reached 0; otherwise ``survival`` is ``None``. ``n_at_risk`` counts T >= t.
    """
    t = float(time_months)
    if not math.isfinite(t) or t < 0:
        raise ValueError(f"landmark time must be finite and >= 0, got {time_months!r}")
    idx = int(np.searchsorted(km.times_months, t, side="right")) - 1
    first_not_before = int(np.searchsorted(km.times_months, t, side="left"))
    at_risk = int(km.n_at_risk[first_not_before]) if first_not_before < km.times_months.size else 0
    if idx < 0:
        return LandmarkSurvival(t, 1.0, 1.0, 1.0, km.ci_level, km.n_patients, False)
    beyond = t > km.last_time_months
    if beyond and km.survival[-1] > 0.0:
        return LandmarkSurvival(t, None, None, None, km.ci_level, 0, True)
    return LandmarkSurvival(
        time_months=t,
        survival=float(km.survival[idx]),
        ci_lower=float(km.ci_lower[idx]),
        ci_upper=float(km.ci_upper[idx]),
        ci_level=km.ci_level,
        n_at_risk=at_risk,
        beyond_follow_up=beyond,
    )


def _effective_tau(km: KaplanMeierResult, tau_months: float) -> tuple[float, bool]:
    tau = float(tau_months)
    if not math.isfinite(tau) or tau <= 0:
        raise ValueError(f"RMST horizon tau must be finite and > 0, got {tau_months!r}")
    if tau > km.last_time_months and km.survival[-1] > 0.0:
        return km.last_time_months, True
    return tau, False


def _rmst_and_variance(km: KaplanMeierResult, tau: float) -> tuple[float, float]:
    """Area under S on [0, tau] and sum_j A_j^2 d_j / (n_j (n_j - d_j)), A_j = int_{t_j}^tau S."""
    keep = km.times_months <= tau
    times = km.times_months[keep]
    surv = km.survival[keep]
    knots = np.concatenate(([0.0], times, [tau]))
    level_before = np.concatenate(([1.0], surv))  # S on [knots[i], knots[i+1])
    pieces = np.diff(knots) * level_before
    rmst = float(pieces.sum())
    # Area from each distinct time t_j to tau (pieces after knot j).
    area_after = np.cumsum(pieces[::-1])[::-1][1:]
    n = km.n_at_risk[keep].astype(np.float64)
    d = km.n_events[keep].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard_var = np.where((d > 0) & (n > d), d / (n * (n - d)), 0.0)
    return rmst, float(np.sum(area_after**2 * hazard_var))


def restricted_mean_survival(
    km: KaplanMeierResult, tau_months: float, ci_level: float | None = None
) -> RestrictedMeanSurvival:
    """RMST(tau) = integral of the KM curve on [0, tau], in months, with its estimator SE.

    Variance: sum over distinct times t_j <= tau of A_j^2 d_j / (n_j (n_j - d_j)) with
    A_j = int_{t_j}^{tau} S(u) du — the delta-method/Greenwood form used by R
    ``print(survfit(...), rmean = tau)`` ("se(rmean)") and survRM2 (Uno et al. 2014,
    J Clin Oncol 32:2380). CI is Wald on the months scale. ``ci_level`` defaults to the KM's.
    Horizon beyond the last follow-up of a curve that has not reached 0 is clamped and flagged.
    """
    level = km.ci_level if ci_level is None else check_ci_level(ci_level)
    tau, clamped = _effective_tau(km, tau_months)
    rmst, variance = _rmst_and_variance(km, tau)
    se = math.sqrt(variance)
    z = two_sided_z(level)
    return RestrictedMeanSurvival(
        rmst_months=rmst,
        se_months=se,
        ci_lower_months=rmst - z * se,
        ci_upper_months=rmst + z * se,
        ci_level=level,
        tau_months=tau,
        tau_requested_months=float(tau_months),
        tau_clamped=clamped,
    )


def rmst_difference(
    arm: KaplanMeierResult,
    reference: KaplanMeierResult,
    tau_months: float,
    ci_level: float = 0.95,
) -> RmstDifference:
    """RMST(arm) - RMST(reference) at a common horizon with SE sqrt(var_arm + var_ref).

    The horizon is clamped to the earlier of the two arms' last follow-up times when it lies beyond
    either (unless that arm's curve reached 0), so both areas use the same tau. Assumes the
    arms are independent samples (true for different trials and for randomised arms).
    Reference: Royston & Parmar, BMC Med Res Methodol 2013;13:152.
    """
    level = check_ci_level(ci_level)
    tau_arm, clamped_arm = _effective_tau(arm, tau_months)
    tau_ref, clamped_ref = _effective_tau(reference, tau_months)
    tau = min(tau_arm, tau_ref)
    rmst_a, var_a = _rmst_and_variance(arm, tau)
    rmst_r, var_r = _rmst_and_variance(reference, tau)
    diff = rmst_a - rmst_r
    se = math.sqrt(var_a + var_r)
    z = two_sided_z(level)
    p_value = two_sided_normal_p(diff / se) if se > 0 else (1.0 if diff == 0 else 0.0)
    return RmstDifference(
        difference_months=diff,
        se_months=se,
        ci_lower_months=diff - z * se,
        ci_upper_months=diff + z * se,
        ci_level=level,
        p_value=p_value,
        rmst_arm_months=rmst_a,
        rmst_reference_months=rmst_r,
        tau_months=tau,
        tau_requested_months=float(tau_months),
        tau_clamped=clamped_arm or clamped_ref,
    )


# --------------------------------------------------------------------------------------------
# Two-sample: Cox (Efron) and log-rank
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EventTable:
    """Per distinct event time: numbers at risk and events in the arm (x=1) and reference (x=0)."""

    n_arm: FloatArray
    n_ref: FloatArray
    d_arm: FloatArray
    d_ref: FloatArray


def _event_table(arm: SurvivalSample, reference: SurvivalSample) -> _EventTable:
    times = np.concatenate((arm.times_months, reference.times_months))
    events = np.concatenate((arm.events, reference.events)).astype(np.int64)
    in_arm = np.concatenate(
        (np.ones(arm.n_patients, dtype=np.int64), np.zeros(reference.n_patients, dtype=np.int64))
    )
    order = np.argsort(times, kind="stable")
    times, events, in_arm = times[order], events[order], in_arm[order]
    _, first = np.unique(times, return_index=True)
    arm_before = np.concatenate(([0], np.cumsum(in_arm)))[first]
    n_arm = arm.n_patients - arm_before
    n_ref = reference.n_patients - (first - arm_before)
    d_all = np.add.reduceat(events, first)
    d_arm = np.add.reduceat(events * in_arm, first)
    has_event = d_all > 0
    return _EventTable(
        n_arm=n_arm[has_event].astype(np.float64),
        n_ref=n_ref[has_event].astype(np.float64),
        d_arm=d_arm[has_event].astype(np.float64),
        d_ref=(d_all - d_arm)[has_event].astype(np.float64),
    )


def log_rank_test(arm: SurvivalSample, reference: SurvivalSample) -> LogRankResult:
    """Two-sample log-rank chi-square (1 df) with the hypergeometric variance, as R ``survdiff``.

    Reference: Mantel 1966; Peto & Peto 1972.
    """
    table = _event_table(arm, reference)
    n = table.n_arm + table.n_ref
    d = table.d_arm + table.d_ref
    expected_arm = d * table.n_arm / n
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.where(
            n > 1, d * (table.n_arm / n) * (table.n_ref / n) * (n - d) / (n - 1.0), 0.0
        )
    observed_arm = int(table.d_arm.sum())
    observed_ref = int(table.d_ref.sum())
    e_arm = float(expected_arm.sum())
    e_ref = float(d.sum()) - e_arm
    total_var = float(variance.sum())
    if total_var <= 0.0:
        return LogRankResult(None, 1, None, observed_arm, e_arm, observed_ref, e_ref)
    stat = (observed_arm - e_arm) ** 2 / total_var
    return LogRankResult(
        chi2=stat,
        df=1,
        p_value=float(chdtrc(1, stat)),
        observed_arm=observed_arm,
        expected_arm=e_arm,
        observed_reference=observed_ref,
        expected_reference=e_ref,
    )


@dataclass(frozen=True)
class _EfronSlots:
    """One row per event "slot" (event time j, tie index l) of Efron's approximation."""

    s0_ref: FloatArray  # n_ref - phi d_ref   (reference at-risk mass, weight 1)
    s0_arm: FloatArray  # n_arm - phi d_arm   (arm at-risk mass, weight exp(beta))
    d_arm_total: float


def _efron_slots(table: _EventTable) -> _EfronSlots:
    d = (table.d_arm + table.d_ref).astype(np.int64)
    row = np.repeat(np.arange(d.size), d)
    tie_index = np.arange(row.size) - np.repeat(np.cumsum(d) - d, d)
    phi = tie_index / d[row]
    return _EfronSlots(
        s0_ref=table.n_ref[row] - phi * table.d_ref[row],
        s0_arm=table.n_arm[row] - phi * table.d_arm[row],
        d_arm_total=float(table.d_arm.sum()),
    )


def _efron_terms(slots: _EfronSlots, beta: float) -> tuple[float, float, float]:
    """Log partial likelihood, score and information at beta (binary covariate, so x^2 = x)."""
    weight = math.exp(beta)
    arm_mass = slots.s0_arm * weight
    denom = slots.s0_ref + arm_mass
    share = arm_mass / denom
    loglik = beta * slots.d_arm_total - float(np.sum(np.log(denom)))
    score = slots.d_arm_total - float(np.sum(share))
    information = float(np.sum(share * (1.0 - share)))
    return loglik, score, information


def _finite_mle_exists(slots: _EfronSlots) -> bool:
    """The score is decreasing in beta; a finite root exists iff it changes sign.

    Limits: as beta -> +inf each slot's share -> 1 if the arm has mass there, else 0; as
    beta -> -inf it -> 0 unless the reference has no mass there.
    """
    score_plus_inf = slots.d_arm_total - float(np.count_nonzero(slots.s0_arm > 0))
    score_minus_inf = slots.d_arm_total - float(np.count_nonzero(slots.s0_ref <= 0))
    return score_plus_inf < 0 < score_minus_inf


def _cox_numpy(arm: SurvivalSample, reference: SurvivalSample) -> tuple[float, float] | None:
    slots = _efron_slots(_event_table(arm, reference))
    if slots.s0_ref.size == 0 or not _finite_mle_exists(slots):
        return None
    beta = 0.0
    loglik, score, info = _efron_terms(slots, beta)
    for _ in range(_MAX_NEWTON_STEPS):
        step = score / info
        candidate = beta + step
        new_loglik, new_score, new_info = _efron_terms(slots, candidate)
        # Step halving keeps the (concave) partial likelihood increasing.
        while new_loglik < loglik - 1e-12 and abs(step) > 1e-14:
            step /= 2.0
            candidate = beta + step
            new_loglik, new_score, new_info = _efron_terms(slots, candidate)
        beta, loglik, score, info = candidate, new_loglik, new_score, new_info
        if abs(step) < 1e-11:
            break
    else:
        raise RuntimeError("Cox Newton-Raphson did not converge")  # pragma: no cover
    return beta, 1.0 / math.sqrt(info)


def _cox_lifelines(arm: SurvivalSample, reference: SurvivalSample) -> tuple[float, float] | None:
    # Imported lazily: lifelines costs ~1 s to import and is only needed for cross-checks.
    import pandas as pd  # noqa: PLC0415
    from lifelines import CoxPHFitter  # noqa: PLC0415

    slots = _efron_slots(_event_table(arm, reference))
    if slots.s0_ref.size == 0 or not _finite_mle_exists(slots):
        return None
    frame = pd.DataFrame(
        {
            "time": np.concatenate((arm.times_months, reference.times_months)),
            "event": np.concatenate((arm.events, reference.events)).astype(int),
            "arm": np.concatenate((np.ones(arm.n_patients), np.zeros(reference.n_patients))),
        }
    )
    fitter = CoxPHFitter().fit(frame, duration_col="time", event_col="event")
    return float(fitter.params_["arm"]), float(fitter.standard_errors_["arm"])


def cox_hazard_ratio(
    arm: SurvivalSample,
    reference: SurvivalSample,
    ci_level: float = 0.95,
    engine: CoxEngine = "numpy",
) -> CoxResult:
    """Hazard ratio of ``arm`` vs ``reference`` from a Cox model with Efron ties.

    Model: h(t | x) = h0(t) exp(beta x), x = 1 for ``arm``. Partial likelihood with Efron's (1977)
    tie correction, maximised by Newton-Raphson; Wald CI exp(beta +/- z se) and Wald p, with
    se from the observed information at the maximum — as R ``coxph(Surv(t, e) ~ x, ties =
    "efron")`` and lifelines ``CoxPHFitter`` (``engine="lifelines"``, ~100x slower).
    Assumes proportional hazards; for arms from different trials this is an unanchored,
    non-randomised comparison and the label must say so.
    """
    level = check_ci_level(ci_level)
    fit = _cox_numpy(arm, reference) if engine == "numpy" else _cox_lifelines(arm, reference)
    n_patients = arm.n_patients + reference.n_patients
    n_events = arm.n_events + reference.n_events
    if fit is None:
        return CoxResult(
            hazard_ratio=None,
            ci_lower=None,
            ci_upper=None,
            ci_level=level,
            log_hr=None,
            se_log_hr=None,
            wald_z=None,
            p_value=None,
            n_patients=n_patients,
            n_events=n_events,
            estimable=False,
            engine=engine,
        )
    beta, se = fit
    z = two_sided_z(level)
    wald = beta / se
    return CoxResult(
        hazard_ratio=math.exp(beta),
        ci_lower=math.exp(beta - z * se),
        ci_upper=math.exp(beta + z * se),
        ci_level=level,
        log_hr=beta,
        se_log_hr=se,
        wald_z=wald,
        p_value=two_sided_normal_p(wald),
        n_patients=n_patients,
        n_events=n_events,
        estimable=True,
        engine=engine,
    )


# --------------------------------------------------------------------------------------------
# Per-request bundles and memoisation
# --------------------------------------------------------------------------------------------


def summarise_arm(
    sample: SurvivalSample,
    *,
    ci_level: float = 0.95,
    landmark_months: float | None = None,
    tau_months: float | None = None,
    ticks_months: tuple[float, ...] = (),
) -> ArmSummary:
    """KM, median, landmark S(t), RMST(tau) and the at-risk row of one arm, all at ``ci_level``.

    Keyword-only parameters keep ``lru_cache`` keys canonical (positional and keyword calls
    would otherwise be cached separately). ``ticks_months`` must be a tuple to be hashable.
    """
    km = kaplan_meier(sample, ci_level)
    return ArmSummary(
        n_patients=sample.n_patients,
        n_events=sample.n_events,
        km=km,
        median=median_survival(km),
        landmark=None if landmark_months is None else landmark_survival(km, landmark_months),
        rmst=None if tau_months is None else restricted_mean_survival(km, tau_months),
        at_risk=at_risk_table(sample, ticks_months),
    )


def compare_arms(
    arm: SurvivalSample,
    reference: SurvivalSample,
    *,
    ci_level: float = 0.95,
    tau_months: float | None = None,
) -> ArmComparison:
    """Cox HR (Efron), log-rank and ΔRMST(tau) of ``arm`` vs ``reference``."""
    rmst_diff = None
    if tau_months is not None:
        rmst_diff = rmst_difference(
            kaplan_meier(arm, ci_level), kaplan_meier(reference, ci_level), tau_months, ci_level
        )
    return ArmComparison(
        cox=cox_hazard_ratio(arm, reference, ci_level),
        log_rank=log_rank_test(arm, reference),
        rmst_difference=rmst_diff,
    )


class SurvivalMemo:
    """``functools.lru_cache`` wrappers around the per-request entry points.

    Keys are (sample digest(s), parameters): a sample hashes by content, so the same curve under
    two ids shares one entry. Create one instance per app (in ``create_app``), not at import, so
    tests get fresh caches. Results are immutable and safe to share between requests/threads.
    """

    def __init__(self, maxsize: int = 1024) -> None:
        self.kaplan_meier = functools.lru_cache(maxsize=maxsize)(kaplan_meier)
        self.summarise_arm = functools.lru_cache(maxsize=maxsize)(summarise_arm)
        self.compare_arms = functools.lru_cache(maxsize=maxsize)(compare_arms)

    def cache_clear(self) -> None:
        self.kaplan_meier.cache_clear()
        self.summarise_arm.cache_clear()
        self.compare_arms.cache_clear()
