"""A confirmed arm to a :class:`~analysis.usercurves.model.UserCurve`: reconstruction and checks.

* With a numbers-at-risk table (first time 0): **grade A**, Guyot et al. 2012
  (:func:`analysis.reconstruct.reconstruct_from_curve`), the typed total events matched exactly
  when given. Before it runs, the table is checked against the curve: between two table times
  at most ``n_i · S(t_{i+1}) / S(t_i)`` patients can still be at risk (censoring only removes
  patients), so a table that has more — beyond :data:`CONTRADICTION_SLACK` — contradicts the
  curve (wrong row for this curve, a misread number, or the wrong x range) and is refused.
* Without a table: **grade C**, the same algorithm with the one-row table ``(0, N)`` and the
  typed total events (both required): censoring is then placed by the algorithm's rule for an
  interval without a target, so the tail and the HR are less certain (said wherever it is shown).
* Patient-level rows (``time,event``): **grade U**, used as uploaded.

Checks (shown in the view): N, events, numbers at risk at the table times, the largest vertical
distance between the reconstructed KM and the curve while at least :data:`MIN_AT_RISK_FOR_FIT`
are at risk, and the median read from the curve vs the reconstructed median.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.reconstruct import ReconstructionInputError, reconstruct_from_curve
from analysis.survival import SurvivalSample, kaplan_meier, median_survival, n_at_risk
from analysis.usercurves.model import (
    MAX_ARM_CHARS,
    MAX_CITATION_CHARS,
    Check,
    UserCurve,
    UserCurveError,
    check_endpoint,
    check_population,
    clean_text,
)
from analysis.usercurves.uploads import CurvePoints, PatientArm

#: A table may exceed the curve's limit by this many patients (rounding of a digitised curve)...
CONTRADICTION_SLACK = 2
#: ... or by this share of the number at risk at the interval's start, whichever is larger.
CONTRADICTION_SHARE = 0.05
#: Reconstructed vs table numbers at risk: pass when within this share of N (or 2 patients).
AT_RISK_TOLERANCE_SHARE = 0.02
#: Reconstructed KM vs digitised curve: pass when within this distance (fraction)...
CURVE_TOLERANCE = 0.03
#: ... over times with at least this many patients at risk.
MIN_AT_RISK_FOR_FIT = 10
#: Median read from the curve vs reconstructed: pass within this many months or 5 %.
MEDIAN_TOLERANCE_MONTHS = 0.5
MAX_N = 5_000


@dataclass(frozen=True)
class Meta:
    """What the reader typed about the curve (checked by :func:`check_meta`)."""

    arm_name: str
    endpoint: str
    population: str
    citation: str


@dataclass(frozen=True)
class ArmNumbers:
    """The reader's numbers for one arm: the at-risk table (may be empty), N and total events
    (None when not known)."""

    at_risk_times: tuple[float, ...] = ()
    at_risk_counts: tuple[int, ...] = ()
    n: int | None = None
    events: int | None = None


def check_meta(arm_name: object, endpoint: object, population: object, citation: object) -> Meta:
    return Meta(
        arm_name=clean_text(arm_name, MAX_ARM_CHARS, "arm name", required=True),
        endpoint=check_endpoint(endpoint),
        population=check_population(population),
        citation=clean_text(citation, MAX_CITATION_CHARS, "source citation", required=True),
    )


def _step(times: np.ndarray, surv: np.ndarray, at: float) -> float:
    k = int(np.searchsorted(times, at, side="right")) - 1
    return float(surv[max(k, 0)])


def check_table(points: CurvePoints, numbers: ArmNumbers, name: str) -> None:
    """Refuse a table that contradicts the curve (module docstring) or is malformed."""
    t_tab, n_tab = numbers.at_risk_times, numbers.at_risk_counts
    if len(t_tab) != len(n_tab):
        raise UserCurveError(f"{name}: the numbers at risk need one count per time")
    if t_tab and t_tab[0] != 0.0:
        raise UserCurveError(f"{name}: the numbers at risk must start at time 0 (N randomised)")
    if numbers.n is not None and n_tab and n_tab[0] != numbers.n:
        raise UserCurveError(
            f"{name}: N is {numbers.n} but the numbers at risk start at {n_tab[0]}"
        )
    times = np.asarray(points.time)
    surv = np.minimum.accumulate(np.asarray(points.survival))
    for i in range(1, len(t_tab)):
        if t_tab[i] <= t_tab[i - 1]:
            raise UserCurveError(f"{name}: the at-risk times must increase ({t_tab[i]:g})")
        if n_tab[i] > n_tab[i - 1]:
            raise UserCurveError(
                f"{name}: the numbers at risk rise from {n_tab[i - 1]} to {n_tab[i]} at "
                f"{t_tab[i]:g} months; they can only fall"
            )
        if t_tab[i] > times[-1]:
            break
        s0, s1 = _step(times, surv, t_tab[i - 1]), _step(times, surv, t_tab[i])
        if s0 <= 0:
            break
        allowed = n_tab[i - 1] * s1 / s0
        slack = max(CONTRADICTION_SLACK, CONTRADICTION_SHARE * n_tab[i - 1])
        if n_tab[i] > allowed + slack:
            raise UserCurveError(
                f"{name}: the numbers at risk contradict the curve — at {t_tab[i]:g} months the "
                f"table has {n_tab[i]} at risk, but with {n_tab[i - 1]} at risk at "
                f"{t_tab[i - 1]:g} months and the curve falling from {s0:.2f} to {s1:.2f}, at "
                f"most {allowed:.0f} can be. Check the row belongs to this curve, the numbers, "
                "and the x-axis range"
            )


def _fit_checks(
    sample: SurvivalSample, points: CurvePoints | None, numbers: ArmNumbers
) -> list[Check]:
    km = kaplan_meier(sample)
    checks: list[Check] = []
    n_rec, ev_rec = sample.n_patients, int(sample.events.sum())
    n_given = numbers.at_risk_counts[0] if numbers.at_risk_counts else numbers.n
    checks.append(
        Check(
            "N",
            "not given" if n_given is None else str(n_given),
            str(n_rec),
            None if n_given is None else n_given == n_rec,
        )
    )
    checks.append(
        Check(
            "Events",
            "not given" if numbers.events is None else str(numbers.events),
            str(ev_rec),
            None if numbers.events is None else numbers.events == ev_rec,
        )
    )
    if len(numbers.at_risk_times) > 1:
        rec = n_at_risk(sample, numbers.at_risk_times)
        diffs = [abs(a - b) for a, b in zip(rec, numbers.at_risk_counts, strict=True)]
        limit = max(2.0, AT_RISK_TOLERANCE_SHARE * n_rec)
        worst = int(np.argmax(diffs))
        if diffs[worst] == 0:
            given, got = f"{len(diffs)} times", "all equal"
        else:
            given = f"{numbers.at_risk_counts[worst]} at {numbers.at_risk_times[worst]:g} mo"
            got = f"{rec[worst]} (largest |Δ| {diffs[worst]})"
        checks.append(
            Check("Numbers at risk at the table times", given, got, diffs[worst] <= limit)
        )
    if points is not None:
        grid = np.asarray(points.time)
        at_risk = np.asarray(n_at_risk(sample, tuple(float(t) for t in grid)))
        use = at_risk >= MIN_AT_RISK_FOR_FIT
        if use.any():
            rec_s = np.asarray([_step(km.times_months, km.survival, t) for t in grid[use]])
            rec_s = np.where(grid[use] < km.times_months[0], 1.0, rec_s)
            # One step of tolerance sideways: a drop's time is known to about a pixel.
            left = np.asarray([_step(km.times_months, km.survival, t - 1e-6) for t in grid[use]])
            digit = np.minimum.accumulate(np.asarray(points.survival))[use]
            dist = np.minimum(np.abs(rec_s - digit), np.abs(left - digit))
            worst_d = float(dist.max())
            checks.append(
                Check(
                    f"Curve vs reconstructed KM (largest distance, ≥{MIN_AT_RISK_FOR_FIT} at risk)",
                    "0",
                    f"{worst_d:.3f}",
                    worst_d <= CURVE_TOLERANCE,
                )
            )
        s = np.minimum.accumulate(np.asarray(points.survival))
        below = np.flatnonzero(s <= 0.5)
        med_curve = float(points.time[below[0]]) if below.size else None
        med_rec = median_survival(km).median_months
        if med_curve is None or med_rec is None:
            passed = med_curve is None and med_rec is None
        else:
            tol = max(MEDIAN_TOLERANCE_MONTHS, 0.05 * med_curve)
            passed = abs(med_curve - med_rec) <= tol
        checks.append(
            Check(
                "Median (months), curve vs reconstructed",
                "not reached" if med_curve is None else f"{med_curve:.2f}",
                "not reached" if med_rec is None else f"{med_rec:.2f}",
                passed,
            )
        )
    return checks


def reconstruct_curve(
    points: CurvePoints, numbers: ArmNumbers, meta: Meta, *, source: str
) -> UserCurve:
    """Grade A (with a table) or C (N + events) reconstruction of one digitised curve."""
    name = meta.arm_name
    for value, what in ((numbers.n, "N"), (numbers.events, "total events")):
        if value is not None and not 0 <= value <= MAX_N:
            raise UserCurveError(f"{name}: {what} {value} is outside 0–{MAX_N}")
    if numbers.n is not None and numbers.events is not None and numbers.events > numbers.n:
        raise UserCurveError(f"{name}: total events {numbers.events} exceed N {numbers.n}")
    check_table(points, numbers, name)
    if len(numbers.at_risk_times) >= 2:
        grade, risk_t, risk_n = "A", numbers.at_risk_times, numbers.at_risk_counts
    else:
        n = numbers.at_risk_counts[0] if numbers.at_risk_counts else numbers.n
        if n is None or numbers.events is None:
            raise UserCurveError(
                f"{name}: give the numbers at risk (grade A), or at least N and the total "
                "number of events (grade C)"
            )
        grade, risk_t, risk_n = "C", (0.0,), (n,)
    if risk_n[0] < 5:
        raise UserCurveError(f"{name}: N must be at least 5")
    try:
        ipd = reconstruct_from_curve(
            points.time,
            points.survival,
            risk_t,
            risk_n,
            total_events=numbers.events,
            survival_scale="fraction",
            curve_source=f"{name} curve",
            table_source=f"{name} numbers at risk",
        )
    except ReconstructionInputError as exc:
        raise UserCurveError(exc.describe()) from None
    sample = SurvivalSample.from_arrays(ipd.time_months, ipd.event)
    method = ipd.method + (
        "" if grade == "A" else "; no numbers-at-risk table: one-row table (0, N)"
    )
    return UserCurve(
        arm_name=meta.arm_name,
        endpoint=meta.endpoint,
        population=meta.population,
        citation=meta.citation,
        grade="A" if grade == "A" else "C",
        method=method,
        source=source,
        time_months=ipd.time_months,
        event=ipd.event,
        checks=tuple(_fit_checks(sample, points, numbers)),
        warnings=ipd.warnings,
    )


def patient_curve(arm: PatientArm, meta: Meta) -> UserCurve:
    """Grade U: the uploaded pseudo-IPD as it is (rounded to the engine's time precision)."""
    order = np.lexsort((-np.asarray(arm.event), np.asarray(arm.time)))
    times = tuple(round(float(arm.time[k]), 6) for k in order)
    events = tuple(int(arm.event[k]) for k in order)
    sample = SurvivalSample.from_arrays(times, events)
    return UserCurve(
        arm_name=meta.arm_name,
        endpoint=meta.endpoint,
        population=meta.population,
        citation=meta.citation,
        grade="U",
        method="patient-level pseudo-IPD uploaded by the reader",
        source="patient-level CSV",
        time_months=times,
        event=events,
        checks=tuple(_fit_checks(sample, None, ArmNumbers())),
    )
