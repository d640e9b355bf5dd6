"""Grade A: individual patient data from a digitised Kaplan-Meier curve and its at-risk table.

Method
------
Guyot P, Ades AE, Ouwens MJNM, Welton NJ. Enhanced secondary analysis of survival data:
reconstructing the data from published Kaplan-Meier survival curves. BMC Med Res Methodol
2012;12:9 (doi:10.1186/1471-2288-12-9), in the "modified iKM" form used by IPDfromKM
(Liu N, Zhou Y, Lee JJ. BMC Med Res Methodol 2021;21:111).

For every interval of the at-risk table ``[t_i, t_{i+1})``:

1. start with the number of censorings that makes the curve's drop consistent with the table,
   ``c = round(n_i * S(t_{i+1}) / S(t_i) - n_{i+1})``;
2. spread ``c`` censoring times evenly over the interval and walk through the digitised points:
   at point ``k`` the number of events is ``d_k = round(n_k * (1 - S_k / KM_last))`` where
   ``KM_last`` is the reconstructed KM after the previous event, then
   ``n_{k+1} = n_k - d_k - censored in [T_k, T_{k+1})``;
3. compare the reconstructed number at risk at ``t_{i+1}`` with the table and correct ``c`` by the
   difference until they agree. Censoring is never negative: when the curve drops more than the
   table allows even without censoring, ``c`` stays at 0 and the smaller number at risk is carried
   into the next interval (patients are conserved, so N is always exact).

The interval after the last table time (when the table does not reach 0) has no target. Its
censoring is the average censoring rate of the earlier intervals times its length (Guyot), or,
when the total number of events is given, the value that makes the events in it closest to the
events still missing. Patients still at risk at the end of the curve are censored there.

Total events (optional). IPDfromKM only uses the total in the last interval, so its totals can
miss the published count by a few percent. Here the total is then matched exactly, with the
smallest changes that keep every at-risk count of the table:

* too few events: patients still at risk at the end of the curve had their missing events after
  the last digitised time, so up to that many of them become events spread evenly over one table
  step beyond the curve (the curve itself is untouched); any remainder turns evenly chosen
  censorings into events at the same times;
* too many events: evenly chosen events become censorings at the same times.

Input repairs (each reported in ``ReconstructedIPD.warnings``): points sorted by time (ties:
higher survival first); survival in percent detected (maximum and median > 1.5) or forced;
values within 0.02 above 1 or below 0 clipped; small negative times (digitising left of the
axis) set to 0;
non-monotone points pooled by isotonic regression (pool-adjacent-violators, least squares);
a curve that starts below 1 at time 0 is rescaled to start at 1 (a y-offset of the digitisation);
a first point after time 0 gets ``(0, 1)`` prepended; points at or after the first zero of the
at-risk table are dropped (nobody is at risk there; this removes artificial ``(t_end, 0)`` points),
as is a final ``(t, 0)`` point that would need five or more simultaneous events; a table that goes
beyond the curve is met by a flat extension of the curve.

Units: months for time; survival as a fraction in [0, 1]. Deterministic (no randomness).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.reconstruct.prepare import (
    SurvivalScale,
    prepare_curve,
    prepare_table,
)
from analysis.reconstruct.types import (
    ReconstructedIPD,
    ReconstructionInputError,
    make_ipd,
)

#: A final (t, 0) point is treated as an artificial end marker when it would need this many
#: simultaneous events (table number at risk at the last table time before it).
TERMINAL_ZERO_MIN_AT_RISK = 5
#: Safety cap on the censoring correction loop of one interval (it normally settles in 2-4 steps).
MAX_CENSOR_ITERATIONS = 100

METHOD_A = "Guyot et al. 2012 iterative KM reconstruction (digitised curve + numbers at risk)"


@dataclass
class _Sweep:
    """Outcome of walking through one interval with a given number of censorings."""

    n_end: int
    km_end: float
    events: list[int]
    censor_times: list[float]


@dataclass(frozen=True)
class _Interval:
    """One at-risk interval: digitised points ``lo..hi`` up to ``t_stop``, entered by ``n_start``
    patients with reconstructed KM ``km_start``."""

    pts_t: list[float]
    pts_s: list[float]
    lo: int
    hi: int
    t_stop: float
    n_start: int
    km_start: float


def _sweep(iv: _Interval, n_censor: int) -> _Sweep:
    """One Guyot pass over points ``lo..hi`` with ``n_censor`` evenly spaced censorings."""
    pts_t, pts_s, lo, hi = iv.pts_t, iv.pts_s, iv.lo, iv.hi
    t_start = pts_t[lo]
    width = iv.t_stop - t_start
    censor_all = [t_start + j * width / (n_censor + 1) for j in range(1, n_censor + 1)]
    seg_edges = pts_t[lo : hi + 1]
    n = iv.n_start
    km = iv.km_start
    events: list[int] = []
    used: list[float] = []
    pos = 0
    for k in range(lo, hi + 1):
        if k == 0 or km <= 0.0 or n <= 0:
            d = 0
        else:
            d = round(n * (1.0 - pts_s[k] / km))
            d = min(max(d, 0), n)
        if d:
            km *= 1.0 - d / n
            n -= d
        events.append(d)
        # Censorings in [T_k, T_{k+1}); the last segment runs to the end of the interval.
        end = bisect.bisect_left(censor_all, pts_t[k + 1]) if k < hi else len(censor_all)
        start = max(pos, bisect.bisect_left(censor_all, seg_edges[k - lo]))
        take = min(end - start, n)
        if take > 0:
            used.extend(censor_all[start : start + take])
            n -= take
        pos = max(pos, end)
    return _Sweep(n_end=n, km_end=km, events=events, censor_times=used)


class _IntervalWalker:
    """Runs ``_sweep`` for one interval with different censoring counts, caching each run."""

    def __init__(self, interval: _Interval) -> None:
        self.interval = interval
        self.n_start = interval.n_start
        self.tried: dict[int, _Sweep] = {}

    def run(self, n_censor: int) -> _Sweep:
        if n_censor not in self.tried:
            self.tried[n_censor] = _sweep(self.interval, n_censor)
        return self.tried[n_censor]

    def match_target(self, target: int, s_next: float) -> _Sweep:
        """Guyot's correction loop: censorings such that the interval ends with ``target``."""
        s_here = self.interval.pts_s[self.interval.lo]
        guess = round(self.n_start * s_next / s_here - target) if s_here > 0 else 0
        c = min(max(guess, 0), self.n_start)
        for _ in range(MAX_CENSOR_ITERATIONS):
            diff = self.run(c).n_end - target
            if diff == 0:
                break
            if diff > 0:
                c_new = min(c + diff, self.n_start)
            elif c > 0:
                c_new = max(c + diff, 0)
            else:
                break  # the curve needs fewer at risk than the table: censoring clamped at 0
            if c_new in self.tried:
                break  # the correction oscillates between two counts; keep the closer one
            c = c_new
        best = min(self.tried, key=lambda k: (abs(self.tried[k].n_end - target), k))
        return self.tried[best]

    def match_events(self, missing: int) -> _Sweep:
        """Censorings such that the events in the interval are closest to ``missing``.

        Events do not increase with more censoring, so a bisection finds the crossing.
        """

        def events_in(c: int) -> int:
            return sum(self.run(c).events)

        if events_in(0) <= missing:
            return self.run(0)
        if events_in(self.n_start) >= missing:
            return self.run(self.n_start)
        low, high = 0, self.n_start  # events_in(low) > missing >= events_in(high)
        while high - low > 1:
            mid = (low + high) // 2
            if events_in(mid) > missing:
                low = mid
            else:
                high = mid
        best = high if missing - events_in(high) <= events_in(low) - missing else low
        return self.run(best)


def _even_pick(count: int, total: int) -> list[int]:
    """``count`` indices spread evenly over ``range(total)`` (deterministic)."""
    if count <= 0 or total <= 0:
        return []
    count = min(count, total)
    return sorted({int((j + 0.5) * total / count) for j in range(count)})


def reconstruct_from_curve(
    curve_time_months: npt.ArrayLike,
    curve_survival: npt.ArrayLike,
    risk_time_months: npt.ArrayLike,
    n_at_risk: npt.ArrayLike,
    *,
    total_events: int | None = None,
    survival_scale: SurvivalScale = "auto",
    curve_source: str = "curve",
    table_source: str = "at-risk table",
) -> ReconstructedIPD:
    """Grade A reconstruction of one arm (Guyot et al. 2012; see the module docstring).

    Args:
        curve_time_months: digitised times (months), any order.
        curve_survival: digitised survival, fraction or percent (``survival_scale``).
        risk_time_months: times of the at-risk table (months); must include 0.
        n_at_risk: numbers at risk at those times (the first one is N).
        total_events: published number of events in the arm; when given the result has exactly
            this many events.
        survival_scale: "auto" (percent when the maximum exceeds 1.5), "fraction" or "percent".
        curve_source, table_source: names used in error messages (file names in the CLI).

    Returns:
        ``ReconstructedIPD`` with grade "A" and N equal to the first at-risk count.
    """
    curve = prepare_curve(
        curve_time_months, curve_survival, survival_scale=survival_scale, source=curve_source
    )
    table = prepare_table(risk_time_months, n_at_risk, source=table_source)
    warnings = list(curve.warnings) + list(table.warnings)
    risk_t = table.time_months.tolist()
    risk_n = [int(x) for x in table.n_at_risk.tolist()]
    n_total = risk_n[0]
    if total_events is not None:
        if isinstance(total_events, bool) or int(total_events) != total_events:
            raise ReconstructionInputError(
                f"total events {total_events!r} is not a whole number", source="total events"
            )
        total_events = int(total_events)
        if not 0 <= total_events <= n_total:
            raise ReconstructionInputError(
                f"total events {total_events} is not between 0 and N = {n_total}",
                source="total events",
            )

    pts_t = curve.time_months.tolist()
    pts_s = curve.survival.tolist()
    closed = risk_n[-1] == 0
    if closed:
        t_zero = risk_t[-1]
        keep = [k for k, tk in enumerate(pts_t) if tk < t_zero]
        if len(keep) < len(pts_t):
            warnings.append(
                f"{len(pts_t) - len(keep)} curve point(s) at or after {t_zero:g} months "
                "ignored (no patient at risk)"
            )
        pts_t = [pts_t[k] for k in keep]
        pts_s = [pts_s[k] for k in keep]
    elif len(pts_t) > 1 and pts_s[-1] == 0.0 and pts_s[-2] > 0.0:
        idx = bisect.bisect_right(risk_t, pts_t[-1]) - 1
        if risk_n[idx] >= TERMINAL_ZERO_MIN_AT_RISK:
            warnings.append(
                f"final point ({pts_t[-1]:g}, 0) ignored: a drop to 0 with {risk_n[idx]} at risk "
                "is an end marker, not data"
            )
            pts_t.pop()
            pts_s.pop()
    t_end = max(pts_t[-1], risk_t[-1])
    beyond = [tr for tr, nr in zip(risk_t, risk_n, strict=True) if tr > pts_t[-1] and nr > 0]
    if beyond:
        warnings.append(
            f"curve ends at {pts_t[-1]:g} months but {len(beyond)} at-risk time(s) after it "
            "have patients at risk; the curve is extended flat"
        )

    # Insert a point at every table time (step value of the curve there) so that each interval
    # starts on a point.
    for tr in risk_t:
        pos = bisect.bisect_left(pts_t, tr)
        if pos < len(pts_t) and pts_t[pos] == tr:
            continue
        pts_t.insert(pos, tr)
        pts_s.insert(pos, pts_s[pos - 1])
    lower = [bisect.bisect_left(pts_t, tr) for tr in risk_t]
    n_points = len(pts_t)

    event_counts = [0] * n_points
    censor_times: list[list[float]] = []
    n_cur = n_total
    km = 1.0
    n_intervals = len(risk_t) if not closed else len(risk_t) - 1
    n_clamped = 0
    for i in range(n_intervals):
        lo = lower[i]
        final_open = (not closed) and i == n_intervals - 1
        hi = n_points - 1 if final_open else lower[i + 1] - 1
        walker = _IntervalWalker(
            _Interval(pts_t, pts_s, lo, hi, t_end if final_open else risk_t[i + 1], n_cur, km)
        )
        if not final_open:
            s_next = pts_s[lower[i + 1]] if lower[i + 1] < n_points else pts_s[-1]
            chosen = walker.match_target(risk_n[i + 1], s_next)
            if chosen.n_end < risk_n[i + 1]:
                n_clamped += 1
        elif total_events is None:
            earlier = sum(len(x) for x in censor_times)
            span = risk_t[i] - risk_t[0]
            rate = earlier / span if span > 0 else 0.0
            chosen = walker.run(min(round(rate * (t_end - risk_t[i])), n_cur))
        else:
            chosen = walker.match_events(total_events - sum(event_counts))
        for offset, d in enumerate(chosen.events):
            event_counts[lo + offset] += d
        censor_times.append(chosen.censor_times)
        n_cur = chosen.n_end
        km = chosen.km_end
    if n_clamped:
        warnings.append(
            f"{n_clamped} interval(s) where the curve drops more than the at-risk table allows: "
            "censoring set to 0 there"
        )

    ev_by_interval = [
        [
            pts_t[k]
            for k in range(lower[i], lower[i + 1] if i + 1 < len(lower) else n_points)
            for _ in range(event_counts[k])
        ]
        for i in range(n_intervals)
    ]
    tail = n_cur  # still at risk at the end of the curve (0 when the table reaches 0)
    result = _Outcome(
        events=ev_by_interval,
        censored=censor_times,
        beyond_events=[],
        beyond_censored=[t_end] * tail,
    )
    if total_events is not None and result.n_events != total_events:
        steps = np.diff(np.asarray(risk_t, dtype=np.float64))
        width = float(steps[-1]) if steps.size else max(t_end, 1.0) * 0.1
        warnings.append(_match_total(result, total_events, t_end=t_end, width=width))

    ev = [x for chunk in result.events for x in chunk] + result.beyond_events
    cen = [x for chunk in result.censored for x in chunk] + result.beyond_censored
    times = np.asarray(ev + cen, dtype=np.float64)
    events = np.concatenate((np.ones(len(ev), dtype=np.int64), np.zeros(len(cen), dtype=np.int64)))
    return make_ipd(times, events, grade="A", method=METHOD_A, warnings=warnings)


@dataclass
class _Outcome:
    """Event and censoring times per table interval, plus those after the end of the curve."""

    events: list[list[float]]
    censored: list[list[float]]
    beyond_events: list[float]
    beyond_censored: list[float]

    @property
    def n_events(self) -> int:
        return sum(len(x) for x in self.events) + len(self.beyond_events)


def allocate(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """Split ``total`` into whole numbers proportional to ``weights`` without exceeding ``caps``.

    Largest-remainder rounding; the share of a capped entry goes to the others in proportion to
    their weights (and evenly when all remaining weights are zero). Deterministic: ties go to the
    lower index. Raises ``ValueError`` when ``total`` exceeds the sum of the caps.
    """
    if total > sum(caps):
        raise ValueError(f"cannot place {total} in capacities summing to {sum(caps)}")
    n = len(weights)
    out = [0] * n
    left = total
    open_idx = [j for j in range(n) if caps[j] > 0]
    while left > 0 and open_idx:
        w = [max(float(weights[j]), 0.0) for j in open_idx]
        if sum(w) <= 0.0:
            w = [1.0] * len(open_idx)
        share = [left * x / sum(w) for x in w]
        room = [caps[j] - out[j] for j in open_idx]
        give = [min(math.floor(sh), r) for sh, r in zip(share, room, strict=True)]
        rest = left - sum(give)
        order = sorted(range(len(open_idx)), key=lambda q: (-(share[q] - math.floor(share[q])), q))
        for q in order:
            if rest == 0:
                break
            if give[q] < room[q]:
                give[q] += 1
                rest -= 1
        for q, j in enumerate(open_idx):
            out[j] += give[q]
        left = rest
        open_idx = [j for j in open_idx if out[j] < caps[j]]
    return out


def _match_total(result: _Outcome, total_events: int, *, t_end: float, width: float) -> str:
    """Make the number of events exactly ``total_events`` in place; returns a note.

    Missing events first go to patients still at risk at the end of the curve (their events
    happened after the last digitised time: they are spread with the other such patients over
    ``width`` months beyond the curve). The rest, and any excess, are spread over the table
    intervals in proportion to their events, turning censorings into events (or events into
    censorings) at the same times inside each interval, so every at-risk count of the table is
    kept and the cumulative hazard is scaled by about the same factor everywhere.
    """
    parts = []
    missing = total_events - result.n_events
    if missing > 0 and result.beyond_censored:
        m = len(result.beyond_censored)
        from_tail = min(missing, m)
        spread = [t_end + width * (j + 1) / m for j in range(m)]
        chosen = set(_even_pick(from_tail, m))
        result.beyond_events = [spread[j] for j in range(m) if j in chosen]
        result.beyond_censored = [spread[j] for j in range(m) if j not in chosen]
        missing -= from_tail
        parts.append(
            f"{from_tail} event(s) placed up to {width:g} months after the end of the curve "
            f"({t_end:g} months) among the {m} patients still at risk there"
        )
    if missing != 0:
        weights = [len(x) for x in result.events]
        source, target = (
            (result.censored, result.events) if missing > 0 else (result.events, result.censored)
        )
        counts = allocate(abs(missing), weights, [len(x) for x in source])
        for i, k in enumerate(counts):
            pool = sorted(source[i])
            picked = set(_even_pick(k, len(pool)))
            target[i] = sorted(target[i] + [pool[j] for j in picked])
            source[i] = [pool[j] for j in range(len(pool)) if j not in picked]
        what = "censorings turned into events" if missing > 0 else "events turned into censorings"
        parts.append(
            f"{abs(missing)} {what} at the same times, spread over the intervals in proportion "
            "to their events"
        )
    return "; ".join(parts) + f" to match the published total of {total_events}"
