"""One-sample estimators: Kaplan-Meier with log-log band, numbers at risk, median with
its CI, landmark survival and RMST (conventions: :mod:`analysis.survival`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from analysis.survival.results import (
    AtRiskTable,
    KaplanMeierResult,
    LandmarkSurvival,
    MedianSurvival,
    RestrictedMeanSurvival,
    RmstDifference,
    SurvivalSample,
)
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
