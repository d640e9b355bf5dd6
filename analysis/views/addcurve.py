"""The "Add a curve" view model: the reader's form, checked, to user curves and a Survival link.

The view has no URL state of its own (an upload is not a link); what it makes is a link to the
Survival view with the new curves' ids (``user=<id>,<id>``), which any session can open while
the curves are stored (:mod:`analysis.usercurves.store`).

Form rules, each with its reason:

* axis ranges are the values at the two reference ticks the digitiser used (the first and last
  labelled tick), low < high; a curve is mapped from the ranges it was traced with to the typed
  ones (:func:`analysis.usercurves.draft.rescale`);
* numbers at risk are typed as numbers separated by spaces or commas, one per at-risk time
  (``-`` or empty for a number not printed: the table then stops before it, as an at-risk table
  with a gap cannot be used);
* the population is ITT or one PD-L1 scoring system with an operator and a cut-off, written with
  :func:`data.pdl1.format_key` so it compares with the evidence base's subgroups exactly;
* the citation is required: every user curve carries the source the reader typed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from analysis.usercurves.build import ArmNumbers, check_meta, patient_curve, reconstruct_curve
from analysis.usercurves.draft import Draft, rescale
from analysis.usercurves.model import UserCurve, UserCurveError
from analysis.usercurves.uploads import CurvePoints, UploadError, check_curve
from data.pdl1 import ITT_KEY, OPERATORS, SCORING_SYSTEMS, format_key

#: Rows of the arm table in the form (the digitiser finds at most this many curves).
MAX_FORM_ARMS = 6
#: Longest list of numbers typed in one box.
MAX_NUMBERS = 40
POPULATION_SYSTEMS: tuple[str, ...] = (ITT_KEY, *SCORING_SYSTEMS)
POPULATION_OPERATORS: tuple[str, ...] = OPERATORS
PRIVACY_NOTE = (
    "Only published curves or pseudo-patient data: no real patient data. Nothing identifies "
    "you — the curve is stored on this server under a hash of its own content, without your "
    "address, file name or time, and removed after 90 days without use."
)
_SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class ArmForm:
    """One row of the arm table as typed."""

    include: bool
    name: object
    at_risk: object
    n: object
    events: object


@dataclass(frozen=True)
class Form:
    """The whole form as typed (values straight from the controls, checked here)."""

    x_low: object
    x_high: object
    y_low: object
    y_high: object
    at_risk_times: object
    endpoint: object
    system: object
    operator: object
    cutoff: object
    citation: object
    arms: tuple[ArmForm, ...]


def _whole(value: object, what: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UserCurveError(f"{what} must be a whole number")
    if value != int(value) or value < 0:
        raise UserCurveError(f"{what} must be a whole number ≥ 0")
    return int(value)


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UserCurveError(f"{what} must be a number")
    return float(value)


def parse_numbers(text: object, what: str) -> tuple[float | None, ...]:
    """Numbers typed in one box; ``-`` stands for a value not printed."""
    if text is None:
        return ()
    if not isinstance(text, str):
        raise UserCurveError(f"{what}: type numbers separated by spaces")
    items = [t for t in _SPLIT.split(text.strip()) if t]
    if len(items) > MAX_NUMBERS:
        raise UserCurveError(f"{what}: at most {MAX_NUMBERS} numbers")
    out: list[float | None] = []
    for item in items:
        if item in ("-", "–", "NA", "na"):
            out.append(None)
            continue
        try:
            value = float(item)
        except ValueError:
            shown = item if len(item) <= 12 else item[:12] + "…"
            raise UserCurveError(f"{what}: {shown!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise UserCurveError(f"{what}: {item!r} must be a number ≥ 0")
        out.append(value)
    return tuple(out)


def population_key_of(system: object, operator: object, cutoff: object) -> str:
    if system == ITT_KEY:
        return ITT_KEY
    if system not in SCORING_SYSTEMS:
        raise UserCurveError("population: choose ITT or a PD-L1 scoring system")
    if operator not in OPERATORS:
        raise UserCurveError("population: choose the cut-off's operator (≥, <, …)")
    cut = _number(cutoff, "PD-L1 cut-off")
    if not 0 <= cut <= 100:
        raise UserCurveError("PD-L1 cut-off must be between 0 and 100")
    return format_key(str(system), str(operator), cut)


def _table(times: tuple[float | None, ...], counts_text: object, name: str) -> ArmNumbers:
    counts = parse_numbers(counts_text, f"{name}: numbers at risk")
    if not counts:
        return ArmNumbers()
    if len(counts) > len(times):
        raise UserCurveError(
            f"{name}: {len(counts)} numbers at risk but {len(times)} at-risk times"
        )
    t_out: list[float] = []
    n_out: list[int] = []
    for t, n in zip(times, counts, strict=False):
        if t is None or n is None:
            break
        if n != int(n):
            raise UserCurveError(f"{name}: numbers at risk must be whole numbers ({n:g})")
        t_out.append(t)
        n_out.append(int(n))
    return ArmNumbers(tuple(t_out), tuple(n_out))


def _ranges(draft: Draft, form: Form) -> tuple[tuple[float, float], tuple[float, float]]:
    x = (_number(form.x_low, "x axis low"), _number(form.x_high, "x axis high"))
    y = (_number(form.y_low, "y axis low"), _number(form.y_high, "y axis high"))
    if not x[0] < x[1] or not y[0] < y[1]:
        raise UserCurveError("axis ranges: the low value must be below the high value")
    if x[0] < 0:
        raise UserCurveError("x axis: time cannot be negative")
    if y[0] < 0 or y[1] > 100:
        raise UserCurveError("y axis: survival runs from 0 to 1 (or 0 to 100 %)")
    if draft.kind == "image" and y[1] > 1.5 and y[1] < 10:
        raise UserCurveError("y axis: use 0–1 for a fraction axis or 0–100 for percent")
    return x, y


def build_curves(draft: Draft, form: Form) -> tuple[UserCurve, ...]:
    """Every included arm as a user curve; :class:`UserCurveError` (one line) on the first
    problem, naming the arm or the field to fix."""
    population = population_key_of(form.system, form.operator, form.cutoff)
    chosen = [(k, a) for k, a in enumerate(form.arms) if a.include]
    if not chosen:
        raise UserCurveError("tick at least one curve to add")
    out: list[UserCurve] = []
    if draft.kind == "patients":
        for k, arm_form in chosen:
            if k >= len(draft.patients):
                raise UserCurveError(f"row {k + 1}: no arm in the upload")
            meta = check_meta(arm_form.name, form.endpoint, population, form.citation)
            out.append(patient_curve(draft.patients[k], meta))
        return tuple(out)
    times = parse_numbers(form.at_risk_times, "at-risk times")
    if draft.kind == "image":
        if draft.x_range is None or draft.y_range is None:
            raise UserCurveError("the draft has no axis ranges: upload the figure again")
        x_new, y_new = _ranges(draft, form)
    for k, arm_form in chosen:
        if k >= len(draft.curves):
            raise UserCurveError(f"row {k + 1}: no curve in the upload")
        meta = check_meta(arm_form.name, form.endpoint, population, form.citation)
        curve = draft.curves[k]
        points = CurvePoints(meta.arm_name, curve.time, curve.survival)
        if draft.kind == "image" and draft.x_range is not None and draft.y_range is not None:
            points = rescale(points, draft.x_range, x_new, draft.y_range, y_new)
            try:
                points, _notes = check_curve(
                    meta.arm_name, list(points.time), list(points.survival), draft.source
                )
            except UploadError as exc:
                raise UserCurveError(str(exc)) from None
        table = _table(times, arm_form.at_risk, meta.arm_name)
        numbers = ArmNumbers(
            table.at_risk_times,
            table.at_risk_counts,
            _whole(arm_form.n, f"{meta.arm_name}: N"),
            _whole(arm_form.events, f"{meta.arm_name}: total events"),
        )
        out.append(reconstruct_curve(points, numbers, meta, source=draft.source))
    return tuple(out)


def survival_search(ids: tuple[str, ...], endpoint: str, population: str) -> str:
    """The Survival view's query that adds these curves (its own keys: ``user``, ``ep``,
    ``pop``; the shipped arms stay the view's default)."""
    params = {"user": ",".join(ids)}
    if endpoint != "OS":
        params["ep"] = endpoint
    if population != ITT_KEY:
        params["pop"] = population
    return "?" + urlencode(sorted(params.items()), safe=":,>=<")


def counts_text(counts: tuple[int | None, ...]) -> str:
    return " ".join("-" if n is None else str(n) for n in counts)


def times_text(times: tuple[float, ...]) -> str:
    return " ".join(f"{t:g}" for t in times)
