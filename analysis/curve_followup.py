"""Follow-up facts of a published analysis, as the censoring model of the reconstruction needs them.

Part of the curve library (:mod:`analysis.curve_library`, whose docstring gives the rules: how
accrual dates and the cut-off become a potential follow-up window, which published follow-up
figures are used and which are not, and why).
"""

from __future__ import annotations

import calendar
import datetime as dt

from analysis.reconstruct import FollowUp, ReconstructionInputError
from data.registry import Registry

#: Days per month (365.25 / 12), as in the engine's tests.
MONTH_DAYS = 30.4375
#: Month-precision dates make the longest follow-up uncertain by up to a month.
FOLLOWUP_SLACK_MONTHS = 1.0


def _parse_date(text: str | None, *, end: bool) -> dt.date | None:
    """``YYYY-MM-DD`` or ``YYYY-MM``; a month-precision date is its first (or, with ``end``,
    its last) day."""
    if not text:
        return None
    parts = text.split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        if len(parts) >= 3:
            return dt.date(year, month, int(parts[2]))
        day = calendar.monthrange(year, month)[1] if end else 1
        return dt.date(year, month, day)
    except (ValueError, IndexError):
        return None


def _months(start: dt.date, end: dt.date) -> float:
    return (end - start).days / MONTH_DAYS


def followup_for(
    registry: Registry, trial_id: str, analysis_id: str
) -> tuple[FollowUp | None, tuple[str, ...]]:
    """Follow-up facts of an analysis for the censoring model, with notes on how they were
    derived (module docstring). Returns ``(None, notes)`` when nothing usable is reported."""
    trial = registry.trial(trial_id)
    analysis = trial.analysis(analysis_id)
    notes: list[str] = []
    accrual = analysis.accrual
    if accrual is None:
        other = next((a for a in trial.analyses if a.accrual is not None), None)
        if other is not None:
            accrual = other.accrual
            notes.append(f"accrual period as printed with the {other.label} report")
    start = _parse_date(accrual.start, end=False) if accrual is not None else None
    stop = _parse_date(accrual.end, end=True) if accrual is not None else None
    cutoff = _parse_date(analysis.data_cutoff.date, end=True)
    accrual_months = _months(start, stop) if start and stop else None
    min_fu = _months(stop, cutoff) if stop and cutoff else None
    max_fu = _months(start, cutoff) if start and cutoff else None
    median_fu: float | None = None
    if accrual is not None and accrual_months is not None:
        notes.append(f"accrual {accrual.start} to {accrual.end} ({accrual_months:.1f} months)")
    if cutoff is not None:
        notes.append(f"data cut-off {analysis.data_cutoff.date}")
    follow = analysis.follow_up
    if follow is not None and follow.is_reported and follow.value is not None:
        kind = analysis.follow_up_kind
        if kind == "minimum":
            min_fu = float(follow.value)
            notes.append(f"minimum follow-up {follow.value:g} months as published")
        elif kind == "median time from randomisation to cut-off":
            median_fu = float(follow.value)
            notes.append(f"median time from randomisation to cut-off {follow.value:g} months")
        elif min_fu is not None and max_fu is not None and (min_fu + max_fu) / 2 < follow.value:
            # Potential follow-up is never shorter than observed follow-up, so its median is at
            # least the printed median (observed or reverse-KM alike). A uniform window from the
            # dates with a smaller midpoint contradicts the paper (accrual was front-loaded):
            # keep the longest follow-up and raise the shortest until the median matches.
            raised = max(2.0 * float(follow.value) - max_fu, 0.0)
            notes.append(
                f"published median follow-up {follow.value:g} months exceeds the midpoint of the "
                f"uniform window from the dates [{min_fu:.1f}, {max_fu:.1f}]; shortest potential "
                f"follow-up raised to {raised:.1f} months (accrual treated as front-loaded)"
            )
            min_fu, accrual_months = raised, None
        else:
            notes.append(
                f"published median follow-up {follow.value:g} months not used: it may be the "
                "median observed time on study, not the potential follow-up the censoring model "
                "needs"
            )
    if accrual_months is None and min_fu is None and max_fu is None and median_fu is None:
        notes.append("no usable follow-up facts (accrual period, cut-off, minimum follow-up)")
        return None, tuple(notes)
    try:
        followup = FollowUp(
            accrual_months=accrual_months,
            min_followup_months=min_fu,
            max_followup_months=max_fu,
            median_followup_months=median_fu,
        )
        followup.window()
    except ReconstructionInputError as exc:
        notes.append(f"follow-up facts not used: {exc.problem}")
        return None, tuple(notes)
    return followup, tuple(notes)
