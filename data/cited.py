"""The cited values of the evidence base and the rules one value obeys on its own.

The unit of evidence is a *cited number* (:class:`CitedNumber`): a value (or an explicit
"not reported" with a reason), its unit, an optional confidence interval that always carries its
level, optional counts ``n``/``N``, and its provenance (``ref`` = key of a publication declared by
the same trial, ``locator`` = table/figure/paragraph, optional ``level`` override of the
publication's source level, ``derived`` + ``derivation`` for worked-out values, ``as_printed`` and
``curation_note`` for typo decisions). Cited text, dates and periods follow the same citation
rules. Every failed rule is reported with its identifier (:func:`rule_error`); the full list of
rule identifiers is in :mod:`data.schema` and ``data/README.md``.
"""

from __future__ import annotations

import math
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from data.consistency import P_SIDED, PSided, ci_p_check
from data.vocabularies import (
    DATE_RE,
    P_RE,
    Bound,
    NonEmpty,
    Qualifier,
    Slug,
    SourceLevel,
    Status,
    Unit,
)

__all__ = [
    "PERCENT_TOLERANCE",
    "Citation",
    "CitedDate",
    "CitedNumber",
    "CitedPeriod",
    "CitedText",
    "Frozen",
    "rule_error",
]

# Tolerance for "the printed percentage matches n/N": percentages are printed rounded to at
# most whole percent, so |100 n/N - value| can reach 0.5; 0.55 absorbs float representation.
PERCENT_TOLERANCE = 0.55


class Frozen(BaseModel):
    """Base of every schema model: closed (unknown keys are errors) and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def rule_error(problems: list[tuple[str, str, str]]) -> PydanticCustomError:
    """Bundle ``(field, rule, detail)`` triples into one pydantic error.

    pydantic reports one error per validator call; the loader expands the bundled list from
    ``ctx["problems"]`` so that every failed rule of a record is reported, each with its own key.
    """
    first_rule = problems[0][1]
    summary = "; ".join(f"{f}: [{r}] {d}" for f, r, d in problems)
    return PydanticCustomError(first_rule, summary, {"problems": problems})


def _num(x: object) -> float | None:
    """The bound as a float, or None for "NE"/"NR" markers."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return float(x)
    return None


class Citation(Frozen):
    """Where a fact comes from: a publication key of the same trial plus a locator."""

    ref: Slug | None = None
    locator: str | None = None
    level: SourceLevel | None = None
    note: str | None = None
    curation_note: str | None = None

    def citation_problems(self, required: bool) -> list[tuple[str, str, str]]:
        problems: list[tuple[str, str, str]] = []
        if required and not self.ref:
            problems.append(("ref", "ref-required", "a cited fact needs 'ref' (publication key)"))
        if required and not (self.locator and self.locator.strip()):
            problems.append(
                ("locator", "locator-required", "a cited fact needs 'locator' (table/figure/…)")
            )
        return problems


class FullCitation(Citation):
    """A citation whose ``ref`` and ``locator`` are required (nothing here may be "not
    reported": cited text, a trial's PD-L1 scoring)."""

    @model_validator(mode="after")
    def _check_citation(self) -> Self:
        problems = self.citation_problems(required=True)
        if problems:
            raise rule_error(problems)
        return self


class CitedText(FullCitation):
    """A cited piece of text (design, regimen, population description, qualitative finding)."""

    text: NonEmpty


class CitedDate(Citation):
    """A cited calendar date (``YYYY-MM-DD`` or ``YYYY-MM`` as printed) or "not reported"."""

    date: str | None = None
    status: Literal["reported", "not_reported"] = "reported"
    reason: str | None = None

    @model_validator(mode="after")
    def _check(self) -> CitedDate:
        problems: list[tuple[str, str, str]] = []
        if self.status == "reported":
            if self.date is None or not DATE_RE.match(self.date):
                problems.append(
                    ("date", "status-value", f"expected YYYY-MM[-DD], got {self.date!r}")
                )
            problems.extend(self.citation_problems(required=True))
        else:
            if self.date is not None:
                problems.append(("date", "status-value", "not_reported date must have no 'date'"))
            if not self.reason:
                problems.append(("reason", "reason-required", "not_reported needs a 'reason'"))
        if problems:
            raise rule_error(problems)
        return self


class CitedPeriod(Citation):
    """A cited period (accrual window): start and end as ``YYYY-MM[-DD]``."""

    start: str
    end: str

    @model_validator(mode="after")
    def _check(self) -> CitedPeriod:
        problems = self.citation_problems(required=True)
        for name in ("start", "end"):
            value = getattr(self, name)
            if not DATE_RE.match(value):
                problems.append((name, "status-value", f"expected YYYY-MM[-DD], got {value!r}"))
        if not problems and self.end < self.start:
            problems.append(("end", "ci-order", f"end {self.end} is before start {self.start}"))
        if problems:
            raise rule_error(problems)
        return self


class CitedNumber(Citation):
    """One number with its unit, interval, counts and provenance.

    ``status``: ``reported`` (``value`` and/or ``n`` present), ``not_reached`` (e.g. a median
    not reached; ``value`` absent, CI may be present), ``not_estimable``, or ``not_reported``
    (searched for and not found; ``reason`` required, no citation needed).
    ``ci`` is ``[lower, upper]`` where a bound may be ``"NE"`` (not estimable) or ``"NR"``;
    ``ci_level`` (percent, 0-100 exclusive) is mandatory whenever ``ci`` is given, unless
    ``ci_level_reason`` says why the level is not known (e.g. a review relabelled an adjusted
    interval): such an interval is shown but gives no standard error.
    ``p`` is the p-value exactly as printed (``"<0.001"``, ``"0.0004"``) and ``p_sided`` its
    sidedness (:data:`data.consistency.P_SIDED`); ``ci_p_note`` explains a p-value that does
    not follow from the interval (rule ``ci-p-consistency``).
    ``range``/``range_kind`` hold a printed spread (``median (range)``, IQR).
    """

    status: Status = "reported"
    value: float | None = None
    qualifier: Qualifier | None = None
    unit: Unit | None = None
    ci: tuple[Bound, Bound] | None = None
    ci_level: float | None = None
    ci_level_reason: str | None = None
    p: str | None = None
    p_sided: PSided | None = None
    ci_p_note: str | None = None
    n: int | None = None
    N: int | None = None
    range: tuple[float, float] | None = None
    range_kind: Literal["range", "IQR"] | None = None
    derived: bool = False
    derivation: str | None = None
    as_printed: str | None = None
    reason: str | None = None

    def number_problems(self, *, ratio: bool = False) -> list[tuple[str, str, str]]:
        """Check the value/interval/count rules of one number (see module docstring)."""
        problems: list[tuple[str, str, str]] = []
        floats: list[tuple[str, float]] = []
        if self.value is not None:
            floats.append(("value", self.value))
        if self.ci is not None:
            floats.extend(("ci", b) for b in (_num(x) for x in self.ci) if b is not None)
        if self.ci_level is not None:
            floats.append(("ci_level", self.ci_level))
        if self.range is not None:
            floats.extend(("range", b) for b in self.range)
        for name, x in floats:
            if not math.isfinite(x):
                problems.append((name, "finite-number", f"{name} must be finite, got {x!r}"))
        if problems:
            return problems

        if self.status == "reported":
            if self.value is None and self.n is None and self.range is None:
                problems.append(
                    ("value", "status-value", "a reported number needs value, n or range")
                )
            problems.extend(self.citation_problems(required=True))
        elif self.status in ("not_reached", "not_estimable"):
            if self.value is not None:
                problems.append(
                    ("value", "status-value", f"status {self.status} must have no 'value'")
                )
            problems.extend(self.citation_problems(required=True))
        else:
            if self.value is not None or self.n is not None or self.ci is not None:
                problems.append(
                    ("value", "status-value", "not_reported must have no value, n or ci")
                )
            if not (self.reason and self.reason.strip()):
                problems.append(("reason", "reason-required", "not_reported needs a 'reason'"))

        if self.status != "not_reported" and self.unit is None:
            problems.append(("unit", "required-field", "a number needs a 'unit'"))
        if self.derived and not (self.derivation and self.derivation.strip()):
            problems.append(
                ("derivation", "derivation-required", "derived=true needs the arithmetic")
            )
        if self.range is not None:
            if self.range_kind is None:
                problems.append(("range_kind", "required-field", "range needs range_kind"))
            if self.range[0] > self.range[1]:
                problems.append(("range", "ci-order", f"range lower > upper: {self.range}"))

        if ratio or self.unit == "ratio":
            if self.value is not None and self.value <= 0:
                problems.append(("value", "hr-positive", f"ratio must be > 0, got {self.value}"))
            if self.ci is not None:
                for b in (_num(x) for x in self.ci):
                    if b is not None and b <= 0:
                        problems.append(("ci", "hr-positive", f"ratio CI bound must be > 0: {b}"))

        if self.ci is not None:
            if self.ci_level is None and not (self.ci_level_reason or "").strip():
                problems.append(
                    (
                        "ci_level",
                        "ci-level",
                        "an interval needs its 'ci_level' (or 'ci_level_reason' saying why the "
                        "level is not known)",
                    )
                )
            lo, hi = _num(self.ci[0]), _num(self.ci[1])
            if lo is not None and hi is not None and lo > hi:
                problems.append(("ci", "ci-order", f"CI lower {lo} > upper {hi}"))
            elif self.value is not None and self.qualifier is None:
                below = lo is not None and self.value < lo
                above = hi is not None and self.value > hi
                if below or above:
                    problems.append(
                        (
                            "ci",
                            "ci-contains-estimate",
                            f"estimate {self.value} outside CI [{self.ci[0]}, {self.ci[1]}]",
                        )
                    )
        if self.ci_level is not None and not 0 < self.ci_level < 100:
            problems.append(
                ("ci_level", "ci-level", f"ci_level must be in (0, 100): {self.ci_level}")
            )

        if self.unit == "%" and self.value is not None and not 0 <= self.value <= 100:
            problems.append(("value", "percent-range", f"percentage out of [0, 100]: {self.value}"))
        for name, cnt in (("n", self.n), ("N", self.N)):
            if cnt is not None and cnt < 0:
                problems.append((name, "n-le-N", f"{name} must be >= 0, got {cnt}"))
        if self.n is not None and self.N is not None:
            if self.n > self.N:
                problems.append(("n", "n-le-N", f"n={self.n} exceeds N={self.N}"))
            elif (
                self.unit == "%"
                and self.value is not None
                and self.qualifier is None
                and self.N > 0
                and abs(100.0 * self.n / self.N - self.value) > PERCENT_TOLERANCE
            ):
                problems.append(
                    (
                        "value",
                        "percent-matches-counts",
                        f"{self.value}% does not match n/N = {self.n}/{self.N} "
                        f"= {100.0 * self.n / self.N:.2f}%",
                    )
                )
        if (
            self.unit == "count"
            and self.value is not None
            and self.n is not None
            and self.value != self.n
        ):
            problems.append(("n", "status-value", "for unit 'count', n must equal value"))
        if self.p is not None and not P_RE.match(self.p):
            problems.append(("p", "identifier-format", f"p-value not as printed form: {self.p!r}"))
        problems.extend(self._p_problems(ratio))
        return problems

    def _p_problems(self, ratio: bool) -> list[tuple[str, str, str]]:
        """Rules ``ci-level`` (reason without interval), ``p-sidedness``, ``ci-p-consistency``."""
        problems: list[tuple[str, str, str]] = []
        if self.ci_level_reason is not None and (self.ci is None or self.ci_level is not None):
            problems.append(
                ("ci_level_reason", "ci-level", "ci_level_reason is for an interval with no level")
            )
        is_p = self.p is not None or self.unit == "p"
        if is_p and self.p_sided is None:
            problems.append(
                ("p_sided", "p-sidedness", f"a p-value needs 'p_sided' (one of {P_SIDED})")
            )
        if not is_p and self.p_sided is not None:
            problems.append(("p_sided", "p-sidedness", "p_sided without a p-value"))
        if self.p_sided == "one-sided (inferred)" and not (self.curation_note or "").strip():
            problems.append(
                ("curation_note", "p-sidedness", "an inferred sidedness needs a curation_note")
            )
        if self.ci_p_note is not None and self.p is None:
            problems.append(("ci_p_note", "ci-p-consistency", "ci_p_note without a p-value"))
        lo, hi = (_num(self.ci[0]), _num(self.ci[1])) if self.ci is not None else (None, None)
        if (
            (ratio or self.unit == "ratio")
            and self.value is not None
            and self.value > 0
            and self.qualifier is None
            and lo is not None
            and hi is not None
            and 0 < lo <= self.value <= hi
            and lo < hi
            and self.ci_level is not None
            and 0 < self.ci_level < 100
            and self.p is not None
            and self.p_sided is not None
            and not (self.ci_p_note or "").strip()
        ):
            check = ci_p_check(self.value, lo, hi, self.ci_level, self.p, self.p_sided)
            if check is not None and not check.consistent:
                problems.append(
                    ("p", "ci-p-consistency", check.detail(self.ci_level, self.p, self.p_sided))
                )
        return problems

    def is_ratio(self) -> bool:
        """Whether the value is a ratio (HR) and must be > 0; subclasses decide by measure."""
        return self.unit == "ratio"

    def row_problems(self) -> list[tuple[str, str, str]]:
        """Extra rules of a result row; overridden by the row classes."""
        return []

    @model_validator(mode="after")
    def _check_number(self) -> CitedNumber:
        problems = self.number_problems(ratio=self.is_ratio()) + self.row_problems()
        if problems:
            raise rule_error(problems)
        return self

    @property
    def is_reported(self) -> bool:
        """True when the source gives the number (including 'not reached')."""
        return self.status != "not_reported"
