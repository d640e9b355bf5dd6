"""Grade C: pseudo-IPD from published summary numbers only (no curve, no at-risk table).

Inputs: N, total events ``D`` (optional but recommended), the median (or "not reached"),
landmark survival rates, and follow-up facts (accrual window, minimum / maximum / median
follow-up; ``analysis.reconstruct.censoring.FollowUp``).

Survival model. ``S(t)`` is piecewise exponential through the published anchors: (0, 1), every
landmark ``(t, S)`` and the median ``(m, 0.5)``, sorted by time; the anchors must be consistent
(survival not increasing with time). After the last anchor the hazard is constant at
``lambda_tail``, chosen so that the expected number of events under the censoring model equals
``D`` (bisection on ``E(lambda) = N * integral f(t) G(t) dt``, which increases with lambda); without
``D`` the hazard of the last anchored segment is carried on. A median reported as "not reached"
is checked: the curve must stay above 0.5 until the end of follow-up (a warning otherwise).

Censoring model. Administrative censoring from uniform accrual (``censoring`` module):
potential follow-up uniform on ``[a, b]``. The window comes from the follow-up facts; with only a
median follow-up ``m_f`` the window is taken as ``[m_f / 2, 3 m_f / 2]`` (an accrual as long as
the median follow-up), with only the longest follow-up ``b`` as ``[0, b]``. When ``D`` cannot be
reached within the window, the window is rescaled (by the factor closest to 1, at most 4x
either way) until it can, with a warning; beyond that the inputs are reported as inconsistent.

Pseudo-IPD (deterministic, N rows, exactly ``D`` events when given).

* ``N - D`` censoring times at the ``(k - 1/2) / (N - D)`` quantiles of the density of observed
  censoring times, ``g(t) S(t)`` (``g`` the density of potential follow-up).
* Events one at a time: with ``n_j`` patients at risk (N minus earlier events and censorings),
  the KM curve steps from ``S_{j-1}`` to ``S_j = S_{j-1} (1 - 1 / n_j)``; the event is placed
  where the model curve equals the midpoint ``(S_{j-1} + S_j) / 2``, so the KM curve of the
  pseudo-IPD stays within half a step of the model (and of every landmark). The event whose step
  crosses 0.5 is placed exactly at the published median.

Units: months; survival as fractions. Reference for the censoring model: Lachin & Foulkes,
Biometrics 1986;42:507-519. The construction is this project's; it reproduces what is published
and nothing more, so shapes between anchors are assumptions (constant hazard).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np

from analysis.reconstruct.censoring import FollowUp
from analysis.reconstruct.types import (
    FloatArray,
    Landmark,
    ReconstructedIPD,
    ReconstructionInputError,
    make_ipd,
)

#: Grid points per month used to integrate the event and censoring densities.
GRID_PER_MONTH = 20
#: Published anchors that disagree by at most this much (rounding of printed values) are
#: reconciled with a warning; larger disagreements are an input error.
ANCHOR_CONSISTENCY_TOLERANCE = 0.01
#: Upper end of the bisection for the tail hazard (per month).
MAX_TAIL_HAZARD = 50.0
#: When the published events cannot be reached, the follow-up window is rescaled by the factor
#: closest to 1 that makes them reachable, but never by more than this (then it is an error).
MAX_WINDOW_SCALE = 4.0
#: Expected-event gap accepted without rescaling the window (events).
EVENT_GAP_TOLERANCE = 0.05
#: With a median "not reached" the fitted curve stays this far above 0.5 at the end of follow-up.
NOT_REACHED_MARGIN = 0.01

METHOD_C = (
    "Summary reconstruction: piecewise-exponential curve through the published anchors, "
    "uniform-accrual censoring, deterministic KM-tracking placement"
)


@dataclass(frozen=True)
class SummaryArm:
    """Grade C inputs for one arm.

    Attributes:
        n: number randomised.
        total_events: published events (matched exactly); None when not reported.
        median_months: published median; None when not reported or not reached.
        median_not_reached: True when the median is reported as not reached.
        landmarks: published landmark rates (fractions).
        label: arm name used in messages.
    """

    n: int
    total_events: int | None = None
    median_months: float | None = None
    median_not_reached: bool = False
    landmarks: tuple[Landmark, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class _Curve:
    """Piecewise-exponential survival: knots (times, log S) and the hazard after the last."""

    times: tuple[float, ...]
    log_s: tuple[float, ...]
    tail_hazard: float

    def survival(self, t: FloatArray) -> FloatArray:
        x = np.asarray(t, dtype=np.float64)
        knots_t = np.asarray(self.times)
        knots_l = np.asarray(self.log_s)
        inside = np.interp(x, knots_t, knots_l)
        after = knots_l[-1] - self.tail_hazard * (x - knots_t[-1])
        return np.asarray(np.exp(np.where(x <= knots_t[-1], inside, after)), dtype=np.float64)

    def time_at(self, s: float) -> float:
        """Smallest t with S(t) = s (s in (0, 1]); the curve is continuous and non-increasing."""
        target = math.log(max(s, 1e-300))
        logs = self.log_s
        if target >= logs[0]:
            return 0.0
        for k in range(1, len(logs)):
            if target >= logs[k]:
                t0, t1 = self.times[k - 1], self.times[k]
                l0, l1 = logs[k - 1], logs[k]
                if l1 == l0:
                    return t1
                return t0 + (t1 - t0) * (l0 - target) / (l0 - l1)
        if self.tail_hazard <= 0:
            return math.inf
        return self.times[-1] + (logs[-1] - target) / self.tail_hazard


def _anchor_knots(arm: SummaryArm, source: str, warnings: list[str]) -> list[tuple[float, float]]:
    points: list[tuple[float, float, str]] = []
    if arm.median_months is not None:
        if not arm.median_months > 0:
            raise ReconstructionInputError("the median must be positive", source=source)
        points.append((float(arm.median_months), 0.5, f"median {arm.median_months:g}"))
    for lm in arm.landmarks:
        if not (lm.time_months > 0 and 0.0 < lm.survival < 1.0):
            raise ReconstructionInputError(
                f"landmark ({lm.time_months:g}, {lm.survival:g}) needs a time > 0 and a survival "
                "strictly between 0 and 1",
                source=source,
            )
        points.append((float(lm.time_months), float(lm.survival), f"S({lm.time_months:g})"))
    # At equal times a landmark wins over the median (the KM curve may jump through 0.5 there).
    points.sort(key=lambda p: (p[0], p[2].startswith("median")))
    knots = [(0.0, 1.0)]
    label_prev = "start"
    for t, s, label in points:
        if t == knots[-1][0]:
            if abs(s - knots[-1][1]) > ANCHOR_CONSISTENCY_TOLERANCE:
                raise ReconstructionInputError(
                    f"two anchors at {t:g} months disagree ({label_prev} and {label})",
                    source=source,
                )
            continue
        if s > knots[-1][1] + ANCHOR_CONSISTENCY_TOLERANCE:
            raise ReconstructionInputError(
                f"anchors are inconsistent: {label} = {s:g} is above {label_prev} = "
                f"{knots[-1][1]:g} at an earlier time",
                source=source,
            )
        if s > knots[-1][1]:
            warnings.append(
                f"{label} = {s:g} is slightly above {label_prev} = {knots[-1][1]:g} (rounding); "
                "taken as equal"
            )
            s = knots[-1][1]
        knots.append((t, s))
        label_prev = label
    return knots


def _window(followup: FollowUp, source: str) -> tuple[float, float]:
    lo, hi = followup.window()
    med = followup.median_followup_months
    if lo is None and hi is None and med is not None:
        lo, hi = med / 2.0, 1.5 * med
    if lo is None and hi is not None:
        lo = 0.0
    if lo is None or hi is None or hi <= 0:
        raise ReconstructionInputError(
            "grade C needs follow-up facts: the longest follow-up, or the median follow-up, "
            "or the accrual window with the minimum follow-up",
            source=source,
        )
    return float(lo), float(max(hi, lo))


def _expected_events(curve: _Curve, n: int, a: float, b: float) -> float:
    """N * integral of f(t) G(t) dt with G uniform on [a, b] (= N * integral g(t) F(t) dt)."""
    if b <= a:
        return n * (1.0 - float(curve.survival(np.asarray([b]))[0]))
    grid = np.linspace(a, b, max(int((b - a) * GRID_PER_MONTH), 50) + 1)
    surv = curve.survival(grid)
    mean_f = float(np.sum((2.0 - surv[1:] - surv[:-1]) / 2.0 * np.diff(grid))) / (b - a)
    return n * mean_f


def _tail_hazard_for(
    knots: list[tuple[float, float]],
    n: int,
    events: int,
    window: tuple[float, float],
    *,
    not_reached: bool,
) -> tuple[float, float]:
    """Tail hazard whose expected events come closest to ``events``, and the remaining gap.

    Returns ``(hazard, expected - events)``. With a median reported as not reached the hazard is
    capped so that the curve stays above ``0.5 + NOT_REACHED_MARGIN`` up to the end of follow-up.
    """
    a, b = window
    times = tuple(k[0] for k in knots)
    logs = tuple(math.log(k[1]) for k in knots)

    def count(lam: float) -> float:
        return _expected_events(_Curve(times, logs, lam), n, a, b)

    top = MAX_TAIL_HAZARD
    if not_reached and b > times[-1]:
        room = logs[-1] - math.log(0.5 + NOT_REACHED_MARGIN)
        top = min(top, max(room, 0.0) / (b - times[-1]))
    low_count = count(0.0)
    if low_count >= events:
        return 0.0, low_count - events
    high_count = count(top)
    if high_count <= events:
        return top, high_count - events
    low, high = 0.0, top
    for _ in range(60):
        mid = (low + high) / 2.0
        if count(mid) < events:
            low = mid
        else:
            high = mid
    lam = (low + high) / 2.0
    return lam, count(lam) - events


def _fit_tail(
    knots: list[tuple[float, float]],
    n: int,
    events: int,
    window: tuple[float, float],
    *,
    arm: SummaryArm,
    source: str,
    warnings: list[str],
) -> tuple[float, float, float]:
    """Tail hazard (and, if needed, a rescaled follow-up window) giving ``events`` events.

    The construction always places exactly ``events`` events; this step makes the censoring
    times consistent with them. A gap of up to ``EVENT_GAP_TOLERANCE`` expected events is
    accepted; a larger one rescales the window by the factor closest to 1 (bisection on its
    logarithm, expected events grow with the window), at most ``MAX_WINDOW_SCALE`` either way.
    """
    nr = arm.median_not_reached
    tol = EVENT_GAP_TOLERANCE

    def solve(log_scale: float) -> tuple[float, float, float, float]:
        a = window[0] * math.exp(log_scale)
        b = window[1] * math.exp(log_scale)
        lam, gap = _tail_hazard_for(knots, n, events, (a, b), not_reached=nr)
        return a, b, lam, gap

    a, b, lam, gap = solve(0.0)
    if abs(gap) <= tol:
        return a, b, lam
    far = -math.log(MAX_WINDOW_SCALE) if gap > 0 else math.log(MAX_WINDOW_SCALE)
    a, b, lam, far_gap = solve(far)
    if (far_gap > tol) if gap > 0 else (far_gap < -tol):
        raise ReconstructionInputError(
            f"{events} events cannot be reached with these anchors and a follow-up window "
            f"within a factor {MAX_WINDOW_SCALE:g} of [{window[0]:.1f}, {window[1]:.1f}] months",
            source=source,
        )
    near = 0.0
    for _ in range(60):
        mid = (near + far) / 2.0
        a, b, lam, mid_gap = solve(mid)
        if abs(mid_gap) <= tol:
            break
        if (mid_gap > 0) == (gap > 0):
            near = mid
        else:
            far = mid
    warnings.append(
        f"follow-up window changed from [{window[0]:.1f}, {window[1]:.1f}] to [{a:.1f}, "
        f"{b:.1f}] months so that {events} events are expected with these anchors"
    )
    return a, b, lam


def reconstruct_from_summary(
    arm: SummaryArm, *, followup: FollowUp, source: str = "arm"
) -> ReconstructedIPD:
    """Grade C reconstruction of one arm (see the module docstring)."""
    if isinstance(arm.n, bool) or arm.n != int(arm.n) or arm.n <= 0:
        raise ReconstructionInputError(
            f"N must be a whole number > 0, got {arm.n!r}", source=source
        )
    n = int(arm.n)
    if arm.total_events is not None and not 0 <= arm.total_events <= n:
        raise ReconstructionInputError(
            f"events {arm.total_events} must be between 0 and N = {n}", source=source
        )
    warnings: list[str] = []
    knots = _anchor_knots(arm, source, warnings)
    a, b = _window(followup, source)
    times = tuple(k[0] for k in knots)
    logs = tuple(math.log(k[1]) for k in knots)
    if len(knots) >= 2:
        last_hazard = (logs[-2] - logs[-1]) / (times[-1] - times[-2])
    else:
        last_hazard = 0.0
    tail = last_hazard
    if arm.total_events is not None:
        a, b, tail = _fit_tail(
            knots, n, arm.total_events, (a, b), arm=arm, source=source, warnings=warnings
        )
    curve = _Curve(times, logs, tail)
    n_events = arm.total_events
    if n_events is None:
        n_events = min(round(_expected_events(curve, n, a, b)), n)
    if arm.median_not_reached and float(curve.survival(np.asarray([b]))[0]) < 0.5:
        warnings.append("median reported as not reached, but the fitted curve passes 0.5")
    cens = _censoring_times(curve, n - n_events, a, b)
    ev = _track_events(curve, n, n_events, cens, arm.median_months)
    t = np.asarray(ev + cens, dtype=np.float64)
    flags = np.concatenate((np.ones(len(ev)), np.zeros(len(cens)))).astype(np.int64)
    return make_ipd(t, flags, grade="C", method=METHOD_C, warnings=warnings)


def _censoring_times(curve: _Curve, count: int, a: float, b: float) -> list[float]:
    """Quantiles of the observed-censoring density g(t) S(t) on [a, b]."""
    if count <= 0:
        return []
    if b <= a:
        return [b] * count
    grid = np.linspace(a, b, max(int((b - a) * GRID_PER_MONTH), 50) + 1)
    dens = curve.survival(grid)
    cdf = np.concatenate(([0.0], np.cumsum((dens[1:] + dens[:-1]) / 2.0 * np.diff(grid))))
    cdf = cdf / cdf[-1]
    probs = (np.arange(count) + 0.5) / count
    return [float(v) for v in np.interp(probs, cdf, grid)]


def _track_events(
    curve: _Curve, n: int, n_events: int, censor_times: list[float], median: float | None
) -> list[float]:
    """Event times whose KM curve tracks ``curve`` within half a step (module docstring)."""
    cens_sorted = sorted(censor_times)
    out: list[float] = []
    km = 1.0
    prev_t = 0.0
    for j in range(n_events):
        t = prev_t
        for _ in range(20):
            at_risk = n - j - bisect.bisect_left(cens_sorted, t)
            at_risk = max(at_risk, 1)
            new_km = km * (1.0 - 1.0 / at_risk)
            if median is not None and new_km <= 0.5 < km:
                candidate = median
            else:
                candidate = curve.time_at((km + new_km) / 2.0)
            candidate = max(candidate, prev_t)
            if not math.isfinite(candidate):
                candidate = max(prev_t, cens_sorted[-1] if cens_sorted else prev_t)
            if candidate == t:
                break
            t = candidate
        out.append(t)
        km = new_km
        prev_t = t
    return out
