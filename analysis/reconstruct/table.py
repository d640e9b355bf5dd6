"""Grade B: pseudo-IPD from a numbers-at-risk table and published anchors, without a curve.

Inputs per arm: the at-risk table ``n_i`` at times ``t_i`` (first row N at time 0), optionally the
cumulative numbers censored printed under the figure, the total number of events ``D``, the
median and landmark survival rates. Between two table times the ``L_i = n_i - n_{i+1}``
patients who leave the risk set are either events ``d_i`` or censorings ``c_i``; the task is to
split them and then to place the times.

1. Printed censored counts, when complete, settle the split exactly: ``c_i`` is the difference
   of consecutive cumulative counts and ``d_i = L_i - c_i`` (KEYNOTE-590 and ORIENT-15 print them).

2. Otherwise the split comes from a penalised least-squares fit. Within interval ``i`` the
   observed exit rate ``x_i = ln(n_i / n_{i+1}) / (t_{i+1} - t_i)`` is the sum of the event hazard
   ``lambda_i`` and the censoring hazard ``h_i >= 0`` (both constant in the interval), so
   ``S(t_{i+1}) = S(t_i) exp(-lambda_i (t_{i+1} - t_i))`` and the expected events are
   ``d_i = L_i lambda_i / x_i``. The unknowns ``ln lambda_i`` (bounded so that ``h_i >= 0``)
   minimise

   * ((S(anchor) - published) / 0.005)^2 for the median (S = 0.5 there) and each landmark;
   * ((sum of expected events - D) / 0.5)^2 when D is given;
   * ((ln lambda_{i+1} - ln lambda_i) / 0.3)^2: the event hazard changes smoothly from one
     interval to the next, so a sudden rise of the exit rate late in follow-up is read as the
     onset of administrative censoring rather than as a jump in mortality;
   * ((h_i - delta) / 0.01)^2 for intervals that end before the minimum follow-up, when it is
     known: administrative censoring cannot happen before every patient has been followed that
     long, so censoring there runs at a constant rate ``delta`` (withdrawal, loss to follow-up;
     for PFS also missing assessments and new therapy), one more parameter per arm;
   * ((h_i^arm1 - h_i^arm2) / 0.05)^2 when two arms share the table times (randomisation gives
     both arms the same accrual and cut-off, hence the same administrative censoring).

   Patients still at risk at the last table time are followed to the end of follow-up (the
   longest follow-up of the uniform-accrual window of ``analysis.reconstruct.censoring``, or one
   more table step when unknown) with the last interval's hazard and uniform censoring.
   The penalties were chosen by measuring alternatives against grade-A reconstructions of the
   digitised curves of five ESCC trials (notes/issue-04.md): event-hazard smoothness recovered
   the curves best; a uniform-accrual prior on the censoring hazard made them worse whenever the
   real accrual was not uniform (e.g. CheckMate 648), so the accrual model is used only for the
   minimum follow-up and the end of follow-up.

3. The expected counts are rounded to whole numbers by largest remainders so that the events add
   up to D exactly when it is given, never exceeding ``L_i`` in an interval. The table is
   reproduced exactly: every ``n_i`` of the result equals the published one.

4. Times are placed deterministically (``analysis.reconstruct.placement``): censorings evenly
   within their interval, events at quantiles of a constant-hazard path with knots at the median
   and landmarks that fall inside the interval; then the event at which the KM curve reaches 0.5
   is moved onto the published median when the order of events allows it.

Assumptions: censoring is non-informative; the event hazard is piecewise constant between
table times and varies smoothly; the published anchors are KM estimates of the same data.
What cannot work: PFS curves whose hazard jumps at scan times and whose early censoring is heavy
are reproduced less well without printed censored counts (measured in the note). Units: months.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from analysis.reconstruct.censoring import FollowUp
from analysis.reconstruct.guyot import allocate
from analysis.reconstruct.placement import (
    Anchor,
    HazardPath,
    place_censorings,
    place_interval_events,
)
from analysis.reconstruct.table_fit import (
    TableArm,
    _fit,
    _Problem,
    _problem,
)
from analysis.reconstruct.types import (
    FloatArray,
    IntArray,
    ReconstructedIPD,
    make_ipd,
)

__all__ = [
    "METHOD_B",
    "METHOD_B_EXACT",
    "TableArm",
    "reconstruct_arms_from_tables",
    "reconstruct_from_table",
]

#: Grid used to invert the event-time distribution after the last table time.
TAIL_GRID_POINTS = 401

METHOD_B = (
    "Numbers-at-risk reconstruction: events/censorings per interval from printed censored "
    "counts or a penalised fit (smooth event hazard, anchors, total events), quantile placement"
)
METHOD_B_EXACT = (
    "Numbers-at-risk reconstruction: events/censorings per interval from the printed censored "
    "counts, quantile placement with anchors"
)


def _exact_hazards(p: _Problem) -> FloatArray:
    """Event hazards implied by exact per-interval event counts (for the placement shape)."""
    lam = np.zeros(p.t.size - 1)
    for i in range(p.t.size - 1):
        loss = p.n[i] - p.n[i + 1]
        c_i = float(p.cens_cum[i + 1] or 0.0) - float(p.cens_cum[i] or 0.0)
        d_i = loss - c_i
        if d_i <= 0:
            continue
        if p.n[i + 1] > 0 and loss > 0:
            mean_at_risk = loss / math.log(p.n[i] / p.n[i + 1])
        else:
            mean_at_risk = max(p.n[i] / 2.0, 1.0)
        lam[i] = d_i / (mean_at_risk * p.dt[i])
    return lam


def _integer_events(p: _Problem, lam: FloatArray) -> tuple[list[int], int]:
    """Whole events per interval and after the last table time (module docstring, step 3)."""
    k = p.t.size
    losses = [int(p.n[i] - p.n[i + 1]) for i in range(k - 1)]
    tail_cap = 0 if p.closed else int(p.n[-1])
    total = p.arm.total_events
    if p.exact:
        d = [
            losses[i] - round(float(p.cens_cum[i + 1] or 0.0) - float(p.cens_cum[i] or 0.0))
            for i in range(k - 1)
        ]
        if p.closed:
            if total is not None and total != sum(d):
                p.warnings.append(
                    f"printed censored counts imply {sum(d)} events, not the {total} given; "
                    "the censored counts were used"
                )
            return d, 0
        if total is None:
            _, tail_real = p.expected_events(lam)
            return d, min(round(tail_real), tail_cap)
        tail = total - sum(d)
        if not 0 <= tail <= tail_cap:
            p.warnings.append(
                f"total events {total} cannot be met: the censored counts give {sum(d)} events "
                f"with {tail_cap} still at risk at the last table time"
            )
            tail = min(max(tail, 0), tail_cap)
        return d, tail
    real, tail_real = p.expected_events(lam)
    weights = [*real.tolist(), tail_real]
    caps = [*losses, tail_cap]
    if total is None:
        target = round(sum(weights))
    else:
        target = total
        if target > sum(caps):
            p.warnings.append(
                f"total events {total} exceed the {sum(caps)} patients who can have an event; "
                "reduced"
            )
            target = sum(caps)
    counts = allocate(target, weights, caps)
    return counts[:-1], counts[-1]


def _tail_times(
    start: float, width: float, hazard: float, n_events: int, n_censored: int
) -> tuple[list[float], list[float]]:
    """Times after the last table time: constant hazard, uniform end of follow-up.

    Events follow the density ``hazard * exp(-hazard s) * (1 - s / width)`` and censorings
    ``exp(-hazard s) / width`` on ``[0, width]``, each at its ``(k - 1/2) / count`` quantiles.
    """
    if width <= 0:
        return [start] * n_events, [start] * n_censored
    s = np.linspace(0.0, width, TAIL_GRID_POINTS)
    surv = np.exp(-max(hazard, 0.0) * s)
    ev_density = max(hazard, 1e-12) * surv * (1.0 - s / width)
    cen_density = surv / width

    def quantiles(density: FloatArray, count: int) -> list[float]:
        if count <= 0:
            return []
        cdf = np.concatenate(([0.0], np.cumsum((density[1:] + density[:-1]) / 2 * np.diff(s))))
        if cdf[-1] <= 0:
            return [start] * count
        cdf = cdf / cdf[-1]
        probs = (np.arange(count) + 0.5) / count
        return [start + float(v) for v in np.interp(probs, cdf, s)]

    return quantiles(ev_density, n_events), quantiles(cen_density, n_censored)


def _place(
    p: _Problem, lam: FloatArray, events: list[int], tail_events: int
) -> tuple[FloatArray, IntArray]:
    """Event and censoring times for the whole arm (module docstring, step 4)."""
    k = p.t.size
    cum = np.concatenate(([0.0], np.cumsum(lam * p.dt)))
    path = HazardPath(p.t, cum)
    anchors: list[Anchor] = []
    if p.arm.median_months is not None:
        anchors.append(Anchor(p.arm.median_months, 0.5, is_median=True))
    anchors.extend(Anchor(lm.time_months, lm.survival) for lm in p.arm.landmarks)
    ev_times: list[float] = []
    cen_times: list[float] = []
    km = 1.0
    for i in range(k - 1):
        a, b = float(p.t[i]), float(p.t[i + 1])
        n_start = int(p.n[i])
        loss = int(p.n[i] - p.n[i + 1])
        cens = place_censorings(a, b, loss - events[i])
        evs = place_interval_events(
            a,
            b,
            events[i],
            path=path,
            censor_times=cens,
            n_start=n_start,
            km_start=km,
            anchors=anchors,
        )
        km = _advance_km(km, n_start, evs, cens)
        ev_times.extend(evs)
        cen_times.extend(cens)
    if not p.closed:
        hazard = float(lam[-1]) if lam.size else 0.0
        tail_ev, tail_cen = _tail_times(
            float(p.t[-1]), p.tail_width, hazard, tail_events, int(p.n[-1]) - tail_events
        )
        ev_times.extend(tail_ev)
        cen_times.extend(tail_cen)
    times = np.asarray(ev_times + cen_times, dtype=np.float64)
    flags = np.concatenate((np.ones(len(ev_times)), np.zeros(len(cen_times)))).astype(np.int64)
    return times, flags


def _advance_km(km: float, n_start: int, events: list[float], censored: list[float]) -> float:
    """KM at the end of an interval from its value at the start and the interval's IPD."""
    rows = sorted([(t, 0) for t in events] + [(t, 1) for t in censored])
    at_risk = n_start
    for _, is_censored in rows:
        if not is_censored and at_risk > 0:
            km *= 1.0 - 1.0 / at_risk
        at_risk -= 1
    return km


def reconstruct_arms_from_tables(
    arms: Sequence[TableArm],
    *,
    followup: FollowUp | None = None,
    tie_arms: bool = True,
    sources: Sequence[str] | None = None,
) -> tuple[ReconstructedIPD, ...]:
    """Grade B reconstruction of one or more arms of the same analysis (module docstring).

    Args:
        arms: one ``TableArm`` per arm.
        followup: follow-up facts of the analysis (same for all arms).
        tie_arms: tie the censoring hazards of two arms with identical table times.
        sources: names for error messages, one per arm (default "arm 1", "arm 2", ...).

    Returns:
        One ``ReconstructedIPD`` (grade "B") per arm, in input order.
    """
    names = list(sources) if sources is not None else [f"arm {j + 1}" for j in range(len(arms))]
    problems = [_problem(a, followup, names[j]) for j, a in enumerate(arms)]
    to_fit = [p for p in problems if not p.exact]
    fitted = _fit(to_fit, tie_arms=tie_arms) if to_fit else []
    hazards: list[FloatArray] = []
    it = iter(fitted)
    for p in problems:
        hazards.append(_exact_hazards(p) if p.exact else next(it))
    results = []
    for p, lam in zip(problems, hazards, strict=True):
        events, tail = _integer_events(p, lam)
        times, flags = _place(p, lam, events, tail)
        results.append(
            make_ipd(
                times,
                flags,
                grade="B",
                method=METHOD_B_EXACT if p.exact else METHOD_B,
                warnings=p.warnings,
            )
        )
    return tuple(results)


def reconstruct_from_table(
    arm: TableArm, *, followup: FollowUp | None = None, source: str = "arm"
) -> ReconstructedIPD:
    """Grade B reconstruction of a single arm (see ``reconstruct_arms_from_tables``)."""
    return reconstruct_arms_from_tables([arm], followup=followup, sources=[source])[0]
