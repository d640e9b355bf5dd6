"""Grade B, step 2: the penalised least-squares split of each interval's exits into events and
censorings (the method, its penalties and why they were chosen: :mod:`analysis.reconstruct.table`).

Holds the per-arm inputs (:class:`TableArm`), their pre-processed form and the fit; the rounding
to whole patients and the placement of times stay in :mod:`analysis.reconstruct.table`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from analysis.reconstruct.censoring import FollowUp, prob_event_before_censoring
from analysis.reconstruct.prepare import prepare_table
from analysis.reconstruct.types import (
    FloatArray,
    Landmark,
    ReconstructionInputError,
)

#: Standard deviations of the fit residuals (module docstring, step 2).
ANCHOR_SD = 0.005
EVENTS_SD = 0.5
LOG_HAZARD_STEP_SD = 0.3
EARLY_CENSORING_SD_PER_MONTH = 0.01
ARM_CENSORING_TIE_SD_PER_MONTH = 0.05
#: Starting value of the constant censoring rate before the minimum follow-up (per month).
INITIAL_DROPOUT_PER_MONTH = 0.005
#: Arms are tied only over intervals that end with at least this many at risk in both arms.
MIN_AT_RISK_FOR_TIE = 10
#: Lower bound of the event hazard (per month) in the fit.
MIN_HAZARD = 1e-5


@dataclass(frozen=True)
class TableArm:
    """Grade B inputs for one arm (times in months).

    Attributes:
        time_months: at-risk table times, starting at 0.
        n_at_risk: numbers at risk at those times (the first is N).
        censored_cumulative: cumulative censored counts printed at the same times; None for a
            time where nothing is printed, or None altogether.
        total_events: published number of events (constraint; matched exactly).
        median_months: published median; None when not reported or not reached.
        median_not_reached: True when the paper reports the median as not reached.
        landmarks: published landmark survival rates (fractions).
        label: arm name used in messages.
    """

    time_months: tuple[float, ...]
    n_at_risk: tuple[int, ...]
    censored_cumulative: tuple[int | None, ...] | None = None
    total_events: int | None = None
    median_months: float | None = None
    median_not_reached: bool = False
    landmarks: tuple[Landmark, ...] = ()
    label: str = ""


@dataclass
class _Problem:
    """Pre-processed arm: arrays and the fit's view of the table."""

    arm: TableArm
    t: FloatArray
    n: FloatArray
    dt: FloatArray
    x: FloatArray
    free: list[int]
    closed: bool
    tail_width: float
    min_followup: float | None
    cens_cum: list[float | None]
    exact: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def n_total(self) -> int:
        return int(self.n[0])

    @property
    def early(self) -> list[int]:
        """Free intervals that end before the minimum follow-up (no administrative censoring)."""
        if self.min_followup is None:
            return []
        return [
            i for i in self.free if math.isfinite(self.x[i]) and self.t[i + 1] <= self.min_followup
        ]

    @property
    def n_params(self) -> int:
        """Log event hazards of the free intervals, plus the log dropout rate when needed."""
        return len(self.free) + (1 if self.early else 0)

    def hazards(self, theta: FloatArray) -> FloatArray:
        lam = np.zeros(self.t.size - 1)
        lam[self.free] = np.exp(theta[: len(self.free)])
        return lam

    def survival_at(self, lam: FloatArray, when: float) -> float:
        cum = np.concatenate(([0.0], np.cumsum(lam * self.dt)))
        if when >= self.t[-1]:
            last = lam[-1] if lam.size else 0.0
            return float(math.exp(-cum[-1] - last * (when - self.t[-1])))
        i = int(np.searchsorted(self.t, when, side="right") - 1)
        return float(math.exp(-cum[i] - lam[i] * (when - self.t[i])))

    def expected_events(self, lam: FloatArray) -> tuple[FloatArray, float]:
        """Expected events per interval and after the last table time."""
        d = np.zeros(self.t.size - 1)
        for i in range(self.t.size - 1):
            loss = self.n[i] - self.n[i + 1]
            if loss <= 0:
                continue
            if math.isfinite(self.x[i]):
                d[i] = loss * min(lam[i] / self.x[i], 1.0)
            else:
                d[i] = self.n[i] * prob_event_before_censoring(lam[i], self.dt[i])
        tail = 0.0
        if not self.closed:
            last = lam[-1] if lam.size else 0.0
            tail = self.n[-1] * prob_event_before_censoring(last, self.tail_width)
        return d, tail

    def censor_hazard(self, lam: FloatArray) -> FloatArray:
        return np.where(np.isfinite(self.x), self.x - lam, np.nan)


def _problem(arm: TableArm, followup: FollowUp | None, source: str) -> _Problem:
    table = prepare_table(arm.time_months, arm.n_at_risk, source=source)
    total = arm.total_events
    n_total = int(table.n_at_risk[0])
    if total is not None and (
        isinstance(total, bool) or total != int(total) or not 0 <= total <= n_total
    ):
        raise ReconstructionInputError(
            f"total events {total!r} must be a whole number between 0 and N = {n_total}",
            source=source,
        )
    t = table.time_months
    n = table.n_at_risk.astype(np.float64)
    warnings = list(table.warnings)
    k = t.size
    dt = np.diff(t)
    x = np.zeros(k - 1)
    for i in range(k - 1):
        if n[i + 1] > 0:
            x[i] = math.log(n[i] / n[i + 1]) / dt[i]
        else:
            x[i] = math.inf
    free = [i for i in range(k - 1) if n[i + 1] < n[i]]
    closed = bool(n[-1] == 0)
    lo, hi = followup.window() if followup is not None else (None, None)
    step = float(dt[-1]) if dt.size else 1.0
    tail_width = (hi - t[-1]) if hi is not None and hi > t[-1] else step
    cens: list[float | None] = [None] * k
    if arm.censored_cumulative is not None:
        given = list(arm.censored_cumulative)
        if len(given) != len(arm.time_months):
            raise ReconstructionInputError(
                f"{len(given)} censored counts for {len(arm.time_months)} at-risk times",
                source=source,
            )
        # prepare_table sorts rows and drops rows after the first zero; follow it.
        order = np.argsort(np.asarray(arm.time_months, dtype=np.float64), kind="stable")
        for j in range(k):
            value = given[int(order[j])]
            cens[j] = None if value is None else float(value)
    if cens[0] is None and any(c is not None for c in cens):
        cens[0] = 0.0
    exact = all(c is not None for c in cens) and k > 1
    prev: float | None = None
    for j, c in enumerate(cens):
        if c is None:
            continue
        if c < 0 or c != math.floor(c):
            raise ReconstructionInputError(
                f"censored count {c:g} is not a whole number >= 0", source=source, row=j + 1
            )
        if prev is not None and c < prev:
            raise ReconstructionInputError(
                f"cumulative censored count decreases from {prev:g} to {c:g}",
                source=source,
                row=j + 1,
            )
        prev = c
    if exact:
        for i in range(k - 1):
            c_i = float(cens[i + 1] or 0.0) - float(cens[i] or 0.0)
            if c_i > n[i] - n[i + 1]:
                raise ReconstructionInputError(
                    f"{c_i:g} censored between {t[i]:g} and {t[i + 1]:g} months but only "
                    f"{n[i] - n[i + 1]:g} left the risk set",
                    source=source,
                    row=i + 2,
                )
    return _Problem(
        arm=arm,
        t=t,
        n=n,
        dt=dt,
        x=x,
        free=free,
        closed=closed,
        tail_width=float(tail_width),
        min_followup=lo,
        cens_cum=cens,
        exact=exact,
        warnings=warnings,
    )


def _pi_and_slope(x: float) -> tuple[float, float]:
    """``prob_event_before_censoring`` as a function of ``x = hazard * width``, and its slope."""
    if x < 1e-4:
        return x / 2.0 - x * x / 6.0, 0.5 - x / 3.0
    ex = math.exp(-x)
    return 1.0 - (1.0 - ex) / x, (1.0 - ex * (1.0 + x)) / (x * x)


@dataclass
class _Terms:
    """Residuals of one arm and their derivatives with respect to the arm's log hazards."""

    residuals: list[float]
    rows: list[FloatArray]


def _arm_terms(p: _Problem, theta: FloatArray) -> _Terms:
    """Residuals of module docstring step 2 and their analytic Jacobian rows (w.r.t. theta)."""
    lam = p.hazards(theta)
    free = np.asarray(p.free, dtype=np.int64)
    n_par = free.size
    width = p.n_params
    m = p.t.size - 1
    res: list[float] = []
    rows: list[FloatArray] = []

    def add(value: float, grad_lam: FloatArray, sd: float) -> None:
        res.append(value / sd)
        row = np.zeros(width)
        row[:n_par] = grad_lam[free] * lam[free] / sd
        rows.append(row)

    def survival(when: float) -> tuple[float, FloatArray]:
        w = np.zeros(m)
        if m == 0:
            return 1.0, w
        if when >= p.t[-1]:
            w[:] = p.dt
            w[-1] += when - p.t[-1]
        else:
            i = int(np.searchsorted(p.t, when, side="right") - 1)
            w[:i] = p.dt[:i]
            w[i] = when - p.t[i]
        s = math.exp(-float(np.dot(lam, w)))
        return s, -s * w

    arm = p.arm
    if arm.median_months is not None:
        s, g = survival(arm.median_months)
        add(s - 0.5, g, ANCHOR_SD)
    elif arm.median_not_reached:
        s, g = survival(float(p.t[-1]))
        add(min(s - 0.5, 0.0), g if s < 0.5 else np.zeros(m), ANCHOR_SD)
    for lm in arm.landmarks:
        s, g = survival(lm.time_months)
        add(s - lm.survival, g, ANCHOR_SD)

    d = np.zeros(m)
    dd = np.zeros(m)
    for i in range(m):
        loss = p.n[i] - p.n[i + 1]
        if loss <= 0:
            continue
        if math.isfinite(p.x[i]):
            ratio = lam[i] / p.x[i]
            d[i] = loss * min(ratio, 1.0)
            dd[i] = loss / p.x[i] if ratio < 1.0 else 0.0
        else:
            value, slope = _pi_and_slope(lam[i] * p.dt[i])
            d[i] = p.n[i] * value
            dd[i] = p.n[i] * slope * p.dt[i]
    tail = 0.0
    dtail = np.zeros(m)
    if not p.closed and m > 0:
        value, slope = _pi_and_slope(lam[-1] * p.tail_width)
        tail = p.n[-1] * value
        dtail[-1] = p.n[-1] * slope * p.tail_width
    if arm.total_events is not None:
        add(float(d.sum()) + tail - arm.total_events, dd + dtail, EVENTS_SD)
    if any(c is not None for c in p.cens_cum):
        cum_c = np.concatenate(([0.0], np.cumsum(p.n[:-1] - p.n[1:] - d)))
        for j, c in enumerate(p.cens_cum):
            if c is not None and j > 0:
                grad = np.zeros(m)
                grad[:j] = -dd[:j]
                add(float(cum_c[j]) - c, grad, EVENTS_SD)
    for j in range(n_par - 1):
        res.append(float(theta[j + 1] - theta[j]) / LOG_HAZARD_STEP_SD)
        row = np.zeros(width)
        row[j], row[j + 1] = -1.0 / LOG_HAZARD_STEP_SD, 1.0 / LOG_HAZARD_STEP_SD
        rows.append(row)
    if p.early:
        dropout = math.exp(theta[n_par])
        for i in p.early:
            grad = np.zeros(m)
            grad[i] = -1.0
            add(float(p.x[i] - lam[i]) - dropout, grad, EARLY_CENSORING_SD_PER_MONTH)
            rows[-1][n_par] = -dropout / EARLY_CENSORING_SD_PER_MONTH
    return _Terms(res, rows)


def _fit(problems: list[_Problem], *, tie_arms: bool) -> list[FloatArray]:
    """Event hazards per interval for every arm (module docstring, step 2)."""
    sizes = [p.n_params for p in problems]
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(int)
    tie = (
        tie_arms
        and len(problems) == 2
        and problems[0].t.size == problems[1].t.size
        and bool(np.all(problems[0].t == problems[1].t))
    )

    tie_pairs: list[tuple[int, int, int]] = []
    if tie:
        p0, p1 = problems
        pos0 = {i: j for j, i in enumerate(p0.free)}
        pos1 = {i: j for j, i in enumerate(p1.free)}
        tie_pairs = [
            (i, pos0[i], pos1[i])
            for i in range(p0.t.size - 1)
            if i in pos0
            and i in pos1
            and math.isfinite(p0.x[i])
            and math.isfinite(p1.x[i])
            and min(p0.n[i + 1], p1.n[i + 1]) >= MIN_AT_RISK_FOR_TIE
        ]
    total = int(offsets[-1])

    def evaluate(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        values: list[float] = []
        jac: list[FloatArray] = []
        for j, p in enumerate(problems):
            terms = _arm_terms(p, theta[offsets[j] : offsets[j + 1]])
            values.extend(terms.residuals)
            for row in terms.rows:
                full = np.zeros(total)
                full[offsets[j] : offsets[j + 1]] = row
                jac.append(full)
        for i, j0, j1 in tie_pairs:
            lam0 = math.exp(theta[offsets[0] + j0])
            lam1 = math.exp(theta[offsets[1] + j1])
            h_diff = (problems[0].x[i] - lam0) - (problems[1].x[i] - lam1)
            values.append(h_diff / ARM_CENSORING_TIE_SD_PER_MONTH)
            full = np.zeros(total)
            full[offsets[0] + j0] = -lam0 / ARM_CENSORING_TIE_SD_PER_MONTH
            full[offsets[1] + j1] = lam1 / ARM_CENSORING_TIE_SD_PER_MONTH
            jac.append(full)
        if not values:
            return np.zeros(1), np.zeros((1, total))
        return np.asarray(values, dtype=np.float64), np.vstack(jac)

    def residuals(theta: FloatArray) -> FloatArray:
        return evaluate(theta)[0]

    def jacobian(theta: FloatArray) -> FloatArray:
        return evaluate(theta)[1]

    lower: list[float] = []
    upper: list[float] = []
    start: list[float] = []
    for p in problems:
        for i in p.free:
            if math.isfinite(p.x[i]):
                top = math.log(max(p.x[i], MIN_HAZARD * 10))
            else:
                prev = [p.x[j] for j in range(i) if math.isfinite(p.x[j]) and p.x[j] > 0]
                top = math.log(max(10.0 * (prev[-1] if prev else 1.0), MIN_HAZARD * 10))
            lower.append(math.log(MIN_HAZARD))
            upper.append(top)
            guess = p.x[i] * 0.8 if math.isfinite(p.x[i]) else math.exp(top) / 20.0
            start.append(min(max(math.log(max(guess, MIN_HAZARD)), lower[-1]), upper[-1]))
        if p.early:
            lower.append(math.log(MIN_HAZARD))
            upper.append(math.log(max(float(np.max(p.x[p.early])), MIN_HAZARD * 10)))
            start.append(min(math.log(INITIAL_DROPOUT_PER_MONTH), upper[-1]))
    if not start:
        return [np.zeros(p.t.size - 1) for p in problems]
    lo = np.asarray(lower)
    hi = np.asarray(upper)
    x0 = np.clip(np.asarray(start), lo, hi)
    # scipy.optimize takes about a second to import and only grade-B fits need it (issue 11).
    from scipy.optimize import least_squares  # noqa: PLC0415 - heavy import, grade-B fits only

    solution = least_squares(residuals, x0, jac=jacobian, bounds=(lo, hi), method="trf")
    return [
        problems[j].hazards(solution.x[offsets[j] : offsets[j + 1]]) for j in range(len(problems))
    ]
