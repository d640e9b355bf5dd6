"""Result rows of a trial (efficacy, response, adverse events, other facts), curves and the
explicit "searched for, not found" records.

Each result row is a :class:`data.cited.CitedNumber` plus the keys that place it (analysis, arm,
population, endpoint or category) and its own extra rules (:meth:`row_problems`). Curves hold a
cited numbers-at-risk table and, where published or reconstructed, patient-level rows.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from data.cited import Citation, CitedNumber, CitedText, Frozen, rule_error
from data.vocabularies import (
    AeCategory,
    AeSummaryItem,
    EfficacyMeasure,
    Endpoint,
    FactSection,
    GradeBand,
    NonEmpty,
    ResponseCategory,
    ResponseMeasure,
    Slug,
)

__all__ = [
    "AdverseEventResult",
    "AtRiskPoint",
    "Curve",
    "EfficacyResult",
    "Fact",
    "Gap",
    "IpdRow",
    "ResponseResult",
    "Statement",
]


class EfficacyResult(CitedNumber):
    """Time-to-event result: median, HR vs ``comparator``, landmark rate, events or a p-value.

    ``arm`` is the experimental arm of an HR; ``comparator`` the reference arm.
    ``comparator_population`` is used for between-subgroup p-values (e.g. liver metastases).
    Landmarks need ``timepoint_months`` and are percentages.
    """

    analysis: Slug
    arm: Slug
    comparator: Slug | None = None
    population: Slug
    comparator_population: Slug | None = None
    endpoint: Endpoint
    measure: EfficacyMeasure
    timepoint_months: float | None = None
    assessor: str | None = None
    headline: bool = False

    def is_ratio(self) -> bool:
        return self.measure == "hr" or self.unit == "ratio"

    def row_problems(self) -> list[tuple[str, str, str]]:
        problems: list[tuple[str, str, str]] = []
        if self.measure == "landmark" and self.timepoint_months is None:
            problems.append(("timepoint_months", "timepoint-required", "landmark needs a time"))
        if self.measure != "landmark" and self.timepoint_months is not None:
            problems.append(
                ("timepoint_months", "timepoint-required", "only landmarks have a time")
            )
        if self.measure == "hr" and self.comparator is None:
            problems.append(("comparator", "comparator-required", "an HR needs its comparator"))
        if self.measure == "hr" and self.status == "reported" and self.unit != "ratio":
            problems.append(("unit", "status-value", "an HR has unit 'ratio'"))
        if self.comparator is not None and self.comparator == self.arm:
            problems.append(("comparator", "comparator-required", "comparator equals arm"))
        return problems


class ResponseResult(CitedNumber):
    """Best overall response category, ORR/DCR (rates with printed CI), or a difference/p-value.

    ``confirmed``: True / False / None (= not stated in the source).
    """

    analysis: Slug
    arm: Slug
    comparator: Slug | None = None
    population: Slug
    comparator_population: Slug | None = None
    category: ResponseCategory
    measure: ResponseMeasure = "rate"
    confirmed: bool | None = None
    assessor: str | None = None
    criteria: str | None = None
    headline: bool = False

    def row_problems(self) -> list[tuple[str, str, str]]:
        problems: list[tuple[str, str, str]] = []
        if self.measure == "difference" and self.comparator is None:
            problems.append(("comparator", "comparator-required", "a difference needs comparator"))
        if self.comparator is not None and self.comparator == self.arm:
            problems.append(("comparator", "comparator-required", "comparator equals arm"))
        return problems


class AdverseEventResult(CitedNumber):
    """One adverse-event number: a term (as printed) or a summary row, in one grade band.

    ``arm`` may be None when the source pools arms or does not state the arm.
    ``N`` is the safety denominator. ``reporting_threshold`` repeats the source table's inclusion
    rule (e.g. "AEs/TRAEs occurring in >=20% of patients listed").
    """

    analysis: Slug
    arm: Slug | None = None
    term: NonEmpty
    summary_item: AeSummaryItem | None = None
    category: AeCategory
    grade_band: GradeBand
    reporting_threshold: str | None = None


class Fact(CitedNumber):
    """Any other cited number: baseline characteristic, disposition, exposure, design constant,
    subgroup size, or a claim the source makes about another study (``discussion_claim``)."""

    section: FactSection
    item: NonEmpty
    arm: Slug | None = None
    analysis: Slug | None = None
    population: Slug | None = None


class AtRiskPoint(Frozen):
    """One column of a numbers-at-risk table (CSV row)."""

    time_months: float
    n_at_risk: int
    n_censored_cumulative: int | None = None

    @field_validator("time_months")
    @classmethod
    def _finite_time(cls, v: float) -> float:
        if not math.isfinite(v) or v < 0:
            raise PydanticCustomError("at-risk-time-order", "time must be finite and >= 0")
        return v

    @field_validator("n_at_risk", "n_censored_cumulative")
    @classmethod
    def _nonneg(cls, v: int | None, info: ValidationInfo) -> int | None:
        if v is not None and v < 0:
            raise PydanticCustomError("at-risk-nonincreasing", "counts must be >= 0")
        return v


class IpdRow(Frozen):
    """One reconstructed or published patient record: time (months) and event (1) / censored (0)."""

    time_months: float
    event: int

    @model_validator(mode="after")
    def _check(self) -> IpdRow:
        problems: list[tuple[str, str, str]] = []
        if not math.isfinite(self.time_months) or self.time_months < 0:
            problems.append(
                ("time_months", "ipd-time-nonneg", f"time must be >= 0, got {self.time_months}")
            )
        if self.event not in (0, 1):
            problems.append(("event", "ipd-event-binary", f"event must be 0 or 1: {self.event}"))
        if problems:
            raise rule_error(problems)
        return self


class Curve(Citation):
    """Curve inputs for one arm x endpoint x population x analysis.

    ``at_risk`` comes from ``at_risk_file`` (CSV beside the TOML; the loader fills it in). The
    citation (``ref``/``locator``) covers the whole at-risk table. ``events`` is the published
    total number of events for this arm (or not reported).
    """

    id: Slug
    arm: Slug
    endpoint: Literal["OS", "PFS"]
    population: Slug
    analysis: Slug
    at_risk_file: str | None = None
    at_risk: tuple[AtRiskPoint, ...] = ()
    events: CitedNumber | None = None
    ipd_file: str | None = None
    ipd: tuple[IpdRow, ...] = ()

    @model_validator(mode="after")
    def _check_curve(self) -> Curve:
        problems = self.citation_problems(required=bool(self.at_risk))
        pts = self.at_risk
        if pts and pts[0].time_months != 0:
            problems.append(("at_risk", "at-risk-start", "the table must start at time 0"))
        for i in range(1, len(pts)):
            prev, cur = pts[i - 1], pts[i]
            key = f"at_risk[{i}]"
            if cur.time_months <= prev.time_months:
                problems.append((key, "at-risk-time-order", "times must strictly increase"))
            if cur.n_at_risk > prev.n_at_risk:
                problems.append(
                    (
                        key,
                        "at-risk-nonincreasing",
                        f"at t={cur.time_months:g} n_at_risk {cur.n_at_risk} > "
                        f"{prev.n_at_risk} at t={prev.time_months:g}",
                    )
                )
            if (
                cur.n_censored_cumulative is not None
                and prev.n_censored_cumulative is not None
                and cur.n_censored_cumulative < prev.n_censored_cumulative
            ):
                problems.append(
                    (key, "censored-nondecreasing", "cumulative censored counts must not decrease")
                )
        if (
            pts
            and self.events is not None
            and self.events.value is not None
            and self.events.value > pts[0].n_at_risk
        ):
            problems.append(
                (
                    "events",
                    "events-le-n",
                    f"events {self.events.value:g} exceed N at risk at 0 ({pts[0].n_at_risk})",
                )
            )
        if problems:
            raise rule_error(problems)
        return self


class Gap(Frozen):
    """Something searched for and not found (kept so that 'not reported' is explicit)."""

    topic: NonEmpty
    reason: NonEmpty
    analysis: Slug | None = None


class Statement(CitedText):
    """A cited qualitative finding (e.g. 'no association between clinical factors and OS')."""

    topic: NonEmpty
    analysis: Slug | None = None
