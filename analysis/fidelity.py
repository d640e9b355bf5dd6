"""Fidelity of reconstructed patient data: how closely it reproduces what was published.

Every reconstruction (grades A, B, C of ``analysis.reconstruct``) gets a report comparing the
reconstructed IPD with the published numbers and, when one exists, with a reference curve:

* N and total events (reconstructed vs published);
* the Kaplan-Meier median and each published landmark survival rate;
* the Cox hazard ratio between two reconstructed arms vs the published HR;
* against a reference curve (a digitised curve or another reconstruction): the largest absolute
  difference in S(t) over times with at least ``MIN_AT_RISK_FOR_CURVE_METRICS`` patients at risk,
  the root-mean-square difference over the same times, and the Kolmogorov-Smirnov distance
  (largest difference over the whole common time range, no at-risk restriction).

Pass/fail flags use the tolerances of RELIABILITY.md DATA-03 (named constants below): N exact;
events exact when the reconstruction was constrained to the published total, otherwise within
2 %; median within 0.5 months or 5 % (whichever is larger), and "not reached" must agree;
landmarks within 0.02; |ln HR_rec - ln HR_pub| <= 0.05 with the reconstructed 95 % CI
overlapping the published CI.

Kaplan-Meier: product-limit estimator with events before censorings at tied times; the median
is the smallest time with S(t) <= 0.5 (lifelines' convention; R's ``survfit`` takes the midpoint
when S equals 0.5 exactly on a flat stretch, a measure-zero case for reconstructed data). Cox
model: lifelines ``CoxPHFitter`` (Efron ties, Wald 95 % CI), one binary covariate.

Units: months for time, fractions for survival. lifelines objects never leave this module.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis.reconstruct.types import Landmark
from analysis.types import wald_ratio

#: A published landmark rate (the same type the reconstruction takes as an anchor).
PublishedLandmark = Landmark

FloatArray = npt.NDArray[np.float64]

#: DATA-03 tolerances.
EVENTS_RELATIVE_TOLERANCE = 0.02
MEDIAN_ABSOLUTE_TOLERANCE_MONTHS = 0.5
MEDIAN_RELATIVE_TOLERANCE = 0.05
LANDMARK_ABSOLUTE_TOLERANCE = 0.02
LOG_HR_TOLERANCE = 0.05
#: Curve metrics ignore times with fewer patients at risk than this (tails with a handful of
#: patients cannot be reproduced from a figure; see reference-km SOURCES.md flag 8).
MIN_AT_RISK_FOR_CURVE_METRICS = 10


@dataclass(frozen=True)
class KaplanMeier:
    """Product-limit estimate as a right-continuous step function.

    ``time_months[0] == 0`` with ``survival[0] == 1``; then one entry per distinct event time.
    ``n_at_risk[j]`` is the number with time >= ``time_months[j]`` (N at time 0).
    """

    time_months: FloatArray
    survival: FloatArray
    n_at_risk: npt.NDArray[np.int64]

    def survival_at(self, t: float | FloatArray) -> FloatArray:
        """S(t), right-continuous (the value just after any event at t)."""
        idx = np.searchsorted(self.time_months, np.asarray(t, dtype=np.float64), side="right")
        return np.asarray(self.survival[np.maximum(idx - 1, 0)], dtype=np.float64)

    def median_months(self) -> float | None:
        """Smallest time with S(t) <= 0.5; None when the curve never gets there (not reached)."""
        hit = np.flatnonzero(self.survival <= 0.5)
        return float(self.time_months[hit[0]]) if hit.size else None


def kaplan_meier(time_months: npt.ArrayLike, event: npt.ArrayLike) -> KaplanMeier:
    """Kaplan-Meier estimate from IPD (``event`` 1 = event, 0 = censored)."""
    t = np.asarray(time_months, dtype=np.float64)
    e = np.asarray(event, dtype=np.int64)
    if t.shape != e.shape or t.ndim != 1:
        raise ValueError("time_months and event must be 1-D arrays of the same length")
    if t.size == 0:
        raise ValueError("no patients")
    order = np.argsort(t, kind="stable")
    t, e = t[order], e[order]
    uniq, first = np.unique(t, return_index=True)
    deaths = np.add.reduceat(e, first)
    at_risk = t.size - first
    has_event = deaths > 0
    ev_t = uniq[has_event]
    factors = 1.0 - deaths[has_event] / at_risk[has_event]
    surv = np.cumprod(factors)
    return KaplanMeier(
        time_months=np.concatenate(([0.0], ev_t)),
        survival=np.concatenate(([1.0], surv)),
        n_at_risk=np.concatenate(([t.size], at_risk[has_event])).astype(np.int64),
    )


def n_at_risk_at(time_months: npt.ArrayLike, t: float | FloatArray) -> npt.NDArray[np.int64]:
    """Number of patients with follow-up time >= t."""
    sorted_t = np.sort(np.asarray(time_months, dtype=np.float64))
    idx = np.searchsorted(sorted_t, np.asarray(t, dtype=np.float64), side="left")
    return np.asarray(sorted_t.size - idx, dtype=np.int64)


@dataclass(frozen=True)
class CurveAgreement:
    """Distance between a reconstructed KM and a reference survival curve.

    Attributes:
        max_abs_diff: max |S_rec(t) - S_ref(t)| over comparison times with at least
            ``min_at_risk`` reconstructed patients at risk.
        rmse: root mean square of the same differences.
        ks_distance: max |S_rec(t) - S_ref(t)| over all comparison times (no at-risk limit).
        n_times: number of comparison times behind ``max_abs_diff`` and ``rmse``.
        min_at_risk: the at-risk threshold used.
        last_time_months: last comparison time with at least ``min_at_risk`` at risk.
    """

    max_abs_diff: float
    rmse: float
    ks_distance: float
    n_times: int
    min_at_risk: int
    last_time_months: float


def step_curve(
    time_months: npt.ArrayLike, survival: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Sort a reference curve's points into a step function (value at t = last point <= t).

    A point at time 0 with survival 1 is added when missing.
    """
    t = np.asarray(time_months, dtype=np.float64)
    s = np.asarray(survival, dtype=np.float64)
    order = np.lexsort((-s, t))
    t, s = t[order], s[order]
    if t.size == 0 or t[0] > 0.0:
        t = np.concatenate(([0.0], t))
        s = np.concatenate(([1.0], s))
    return t, s


def curve_agreement(
    time_months: npt.ArrayLike,
    event: npt.ArrayLike,
    reference_time_months: npt.ArrayLike,
    reference_survival: npt.ArrayLike,
    *,
    min_at_risk: int = MIN_AT_RISK_FOR_CURVE_METRICS,
) -> CurveAgreement:
    """Compare the KM of IPD ``(time_months, event)`` with a reference step curve.

    Comparison times are the reference points and the reconstructed event times within the range
    both cover. Both curves are evaluated right-continuously. The reference is read as a step
    function through its points (a digitised KM curve, or the KM of another reconstruction given
    as its jump times and values).
    """
    km = kaplan_meier(time_months, event)
    ref_t, ref_s = step_curve(reference_time_months, reference_survival)
    t_obs = np.asarray(time_months, dtype=np.float64)
    end = min(float(ref_t[-1]), float(t_obs.max()))
    grid = np.unique(np.concatenate((ref_t, km.time_months)))
    grid = grid[grid <= end]
    ref_idx = np.searchsorted(ref_t, grid, side="right") - 1
    diff = np.abs(km.survival_at(grid) - ref_s[ref_idx])
    risk = n_at_risk_at(t_obs, grid)
    keep = risk >= min_at_risk
    kept = diff[keep]
    return CurveAgreement(
        max_abs_diff=float(kept.max()) if kept.size else float("nan"),
        rmse=float(np.sqrt(np.mean(kept**2))) if kept.size else float("nan"),
        ks_distance=float(diff.max()) if diff.size else float("nan"),
        n_times=int(kept.size),
        min_at_risk=min_at_risk,
        last_time_months=float(grid[keep][-1]) if kept.size else 0.0,
    )


@dataclass(frozen=True)
class PublishedArm:
    """Published facts for one arm that a reconstruction can be checked against.

    ``median_months`` None with ``median_not_reached`` False means the median was not reported;
    with ``median_not_reached`` True it was reported as not reached.
    """

    n: int | None = None
    events: int | None = None
    median_months: float | None = None
    median_not_reached: bool = False
    landmarks: tuple[PublishedLandmark, ...] = ()


@dataclass(frozen=True)
class LandmarkCheck:
    """Published vs reconstructed S(t) at one landmark time."""

    time_months: float
    published: float
    reconstructed: float
    abs_diff: float
    passed: bool


@dataclass(frozen=True)
class ArmFidelity:
    """Fidelity report for one reconstructed arm (see the module docstring for the rules).

    ``*_passed`` is None when the published value needed for the check is not available.
    ``passed`` is True when every available check passed.
    """

    grade: str
    n_published: int | None
    n_reconstructed: int
    n_passed: bool | None
    events_published: int | None
    events_reconstructed: int
    events_constrained: bool
    events_passed: bool | None
    median_published_months: float | None
    median_published_not_reached: bool
    median_reconstructed_months: float | None
    median_passed: bool | None
    landmarks: tuple[LandmarkCheck, ...]
    curve: CurveAgreement | None
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (JSON-serialisable; nested dataclasses become dicts/lists)."""
        return asdict(self)


def median_within_tolerance(published: float, reconstructed: float | None) -> bool:
    """DATA-03 rule: within 0.5 months or 5 % of the published median, whichever is larger."""
    if reconstructed is None:
        return False
    tol = max(MEDIAN_ABSOLUTE_TOLERANCE_MONTHS, MEDIAN_RELATIVE_TOLERANCE * published)
    return abs(reconstructed - published) <= tol + 1e-12


def arm_fidelity(
    time_months: npt.ArrayLike,
    event: npt.ArrayLike,
    published: PublishedArm,
    *,
    grade: str,
    events_constrained: bool,
    reference_time_months: npt.ArrayLike | None = None,
    reference_survival: npt.ArrayLike | None = None,
    min_at_risk: int = MIN_AT_RISK_FOR_CURVE_METRICS,
) -> ArmFidelity:
    """Fidelity report of one arm's IPD against its published numbers (and a reference curve).

    Args:
        time_months, event: the reconstructed IPD.
        published: published N, events, median and landmarks (any may be missing).
        grade: reconstruction grade label ("A", "B", "C").
        events_constrained: True when the published total was an input of the reconstruction
            (then events must match exactly, otherwise within 2 %).
        reference_time_months, reference_survival: optional reference curve points.
        min_at_risk: at-risk threshold for the curve metrics.
    """
    t = np.asarray(time_months, dtype=np.float64)
    e = np.asarray(event, dtype=np.int64)
    km = kaplan_meier(t, e)
    n_rec = int(t.size)
    ev_rec = int(e.sum())

    n_ok = None if published.n is None else n_rec == published.n
    if published.events is None:
        ev_ok = None
    elif events_constrained:
        ev_ok = ev_rec == published.events
    else:
        ev_ok = abs(ev_rec - published.events) <= EVENTS_RELATIVE_TOLERANCE * published.events
    med_rec = km.median_months()
    if published.median_not_reached:
        med_ok: bool | None = med_rec is None
    elif published.median_months is None:
        med_ok = None
    else:
        med_ok = median_within_tolerance(published.median_months, med_rec)
    checks = []
    for lm in published.landmarks:
        rec = float(km.survival_at(lm.time_months))
        diff = abs(rec - lm.survival)
        checks.append(
            LandmarkCheck(
                time_months=lm.time_months,
                published=lm.survival,
                reconstructed=rec,
                abs_diff=diff,
                passed=diff <= LANDMARK_ABSOLUTE_TOLERANCE + 1e-12,
            )
        )
    curve = None
    if reference_time_months is not None and reference_survival is not None:
        curve = curve_agreement(
            t, e, reference_time_months, reference_survival, min_at_risk=min_at_risk
        )
    flags = [f for f in (n_ok, ev_ok, med_ok) if f is not None] + [c.passed for c in checks]
    return ArmFidelity(
        grade=grade,
        n_published=published.n,
        n_reconstructed=n_rec,
        n_passed=n_ok,
        events_published=published.events,
        events_reconstructed=ev_rec,
        events_constrained=events_constrained,
        events_passed=ev_ok,
        median_published_months=published.median_months,
        median_published_not_reached=published.median_not_reached,
        median_reconstructed_months=med_rec,
        median_passed=med_ok,
        landmarks=tuple(checks),
        curve=curve,
        passed=all(flags),
    )


@dataclass(frozen=True)
class HazardRatio:
    """Cox hazard ratio (experimental vs control) with its Wald CI at ``ci_level``."""

    hr: float
    ci_lower: float
    ci_upper: float
    ci_level: float


def cox_hazard_ratio(
    time_experimental: npt.ArrayLike,
    event_experimental: npt.ArrayLike,
    time_control: npt.ArrayLike,
    event_control: npt.ArrayLike,
    *,
    ci_level: float = 0.95,
) -> HazardRatio:
    """Cox proportional-hazards HR of experimental vs control (lifelines, Efron ties)."""
    # lifelines and pandas together take seconds to import; only this cross-check uses them,
    # so `import app` does not pay for them (issue 11).
    import pandas as pd  # noqa: PLC0415 - heavy import, needed only here
    from lifelines import CoxPHFitter  # noqa: PLC0415 - heavy import, needed only here

    te = np.asarray(time_experimental, dtype=np.float64)
    tc = np.asarray(time_control, dtype=np.float64)
    frame = pd.DataFrame(
        {
            "time": np.concatenate((te, tc)),
            "event": np.concatenate(
                (np.asarray(event_experimental, dtype=np.int64), np.asarray(event_control))
            ).astype(np.int64),
            "experimental": np.concatenate((np.ones(te.size), np.zeros(tc.size))),
        }
    )
    fitter = CoxPHFitter(alpha=1.0 - ci_level)
    fitter.fit(frame, duration_col="time", event_col="event")
    beta = float(fitter.params_["experimental"])
    se = float(fitter.standard_errors_["experimental"])
    wald = wald_ratio(beta, se, ci_level)
    return HazardRatio(
        hr=wald.ratio,
        ci_lower=wald.ci_lower,
        ci_upper=wald.ci_upper,
        ci_level=ci_level,
    )


@dataclass(frozen=True)
class HazardRatioCheck:
    """Reconstructed vs published HR (experimental vs control).

    ``ci_overlap`` compares the reconstructed 95 % CI with the published CI at its own level.
    """

    hr_published: float
    ci_lower_published: float | None
    ci_upper_published: float | None
    ci_level_published: float | None
    hr_reconstructed: float
    ci_lower_reconstructed: float
    ci_upper_reconstructed: float
    abs_log_diff: float
    ci_overlap: bool | None
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return asdict(self)


def hazard_ratio_check(
    experimental: tuple[npt.ArrayLike, npt.ArrayLike],
    control: tuple[npt.ArrayLike, npt.ArrayLike],
    *,
    hr_published: float,
    ci_published: Sequence[float] | None = None,
    ci_level_published: float | None = None,
) -> HazardRatioCheck:
    """Compare the Cox HR of two reconstructed arms with the published HR (DATA-03 rule).

    Args:
        experimental, control: ``(time_months, event)`` of each arm.
        hr_published: published HR, experimental vs control.
        ci_published: published CI ``(lower, upper)`` when reported.
        ci_level_published: its level (e.g. 0.991 for CheckMate 648's primary OS HR).
    """
    if not hr_published > 0:
        raise ValueError("hr_published must be positive")
    rec = cox_hazard_ratio(experimental[0], experimental[1], control[0], control[1])
    diff = abs(math.log(rec.hr) - math.log(hr_published))
    overlap: bool | None = None
    if ci_published is not None:
        lo, hi = float(ci_published[0]), float(ci_published[1])
        overlap = rec.ci_lower <= hi and lo <= rec.ci_upper
    passed = diff <= LOG_HR_TOLERANCE + 1e-12 and overlap is not False
    return HazardRatioCheck(
        hr_published=hr_published,
        ci_lower_published=None if ci_published is None else float(ci_published[0]),
        ci_upper_published=None if ci_published is None else float(ci_published[1]),
        ci_level_published=ci_level_published,
        hr_reconstructed=rec.hr,
        ci_lower_reconstructed=rec.ci_lower,
        ci_upper_reconstructed=rec.ci_upper,
        abs_log_diff=diff,
        ci_overlap=overlap,
        passed=passed,
    )
