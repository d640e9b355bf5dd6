"""Closed schema of the curated evidence base (one trial per TOML file).

Every model forbids unknown keys and is frozen, so a loaded registry cannot be changed and a typo
in a data file is an error rather than a silently ignored field (Our World in Data ETL style).

The unit of evidence is a *cited number* (:class:`CitedNumber`): a value (or an explicit
"not reported" with a reason), its unit, an optional confidence interval that always carries its
level, optional counts ``n``/``N``, and its provenance (``ref`` = key of a publication declared by
the same trial, ``locator`` = table/figure/paragraph, optional ``level`` override of the
publication's source level, ``derived`` + ``derivation`` for worked-out values, ``as_printed`` and
``curation_note`` for typo decisions).

Rule identifiers used in error messages (see ``data/README.md`` for the full table):
``finite-number``, ``hr-positive``, ``ci-order``, ``ci-contains-estimate``, ``ci-level``,
``percent-range``, ``n-le-N``, ``percent-matches-counts``, ``ref-required``,
``locator-required``, ``reason-required``, ``status-value``, ``derivation-required``,
``timepoint-required``, ``comparator-required``, ``at-risk-start``, ``at-risk-time-order``,
``at-risk-nonincreasing``, ``censored-nondecreasing``, ``ipd-time-nonneg``,
``ipd-event-binary``, ``identifier-format``, ``citation-resolvable``, ``pdl1-definition``,
``ref-dangling``, ``dangling-id``, ``duplicate-id``, ``n-consistent``, ``events-le-n``,
``headline-unique``, ``p-sidedness``, ``ci-p-consistency`` (the last two in
:mod:`data.consistency`), ``unit-consistent``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from data.consistency import P_SIDED, PSided, ci_p_check
from data.pdl1 import Operator, ScoringSystem, UpperOperator, format_key

__all__ = [
    "AE_CATEGORIES",
    "GRADE_BANDS",
    "REGIMEN_CLASSES",
    "SOURCE_LEVELS",
    "AdverseEventResult",
    "Analysis",
    "Arm",
    "AtRiskPoint",
    "CitedDate",
    "CitedNumber",
    "CitedPeriod",
    "CitedText",
    "Curve",
    "EfficacyResult",
    "Fact",
    "Gap",
    "IpdRow",
    "PdL1Scoring",
    "Population",
    "Publication",
    "ResponseResult",
    "Trial",
]

SCHEMA_VERSION = 1

SourceLevel = Literal[
    "primary publication", "conference abstract", "registry record", "secondary summary"
]
SOURCE_LEVELS: tuple[str, ...] = get_args(SourceLevel)

RegimenClass = Literal[
    "ICI+chemo",
    "ICI+TKI (chemo-free)",
    "ICI+TKI+chemo",
    "TKI+chemo",
    "dual ICI (chemo-free)",
    "chemo",
    "placebo+chemo",
]
REGIMEN_CLASSES: tuple[str, ...] = get_args(RegimenClass)

Unit = Literal[
    "months",
    "weeks",
    "days",
    "years",
    "%",
    "percentage points",
    "count",
    "ratio",
    "p",
    "cycles",
    "cGy",
    "fractions",
]
Status = Literal["reported", "not_reached", "not_estimable", "not_reported"]
Qualifier = Literal["<", "<=", ">", ">=", "~"]
Bound = float | Literal["NE", "NR"]
Assay = Literal["22C3", "28-8", "SP263", "JS311", "6E8", "SP142"]
Endpoint = Literal["OS", "PFS", "PFS2", "DoR"]
EfficacyMeasure = Literal["median", "hr", "landmark", "events", "p_value"]
ResponseCategory = Literal[
    "CR",
    "PR",
    "SD",
    "PD",
    "NE",
    "ORR",
    "DCR",
    "durable_response_6mo",
    "durable_response_12mo",
    "tumour_shrinkage",
]
ResponseMeasure = Literal["rate", "difference", "p_value"]
AeCategory = Literal["treatment-related", "all-cause", "immune-related", "treatment-emergent"]
AE_CATEGORIES: tuple[str, ...] = get_args(AeCategory)
GradeBand = Literal["any", "1", "2", "1-2", "3", "4", "5", ">=3", "3-4", "3-5", "4-5"]
GRADE_BANDS: tuple[str, ...] = get_args(GradeBand)
AeSummaryItem = Literal[
    "any_event",
    "serious",
    "leading_to_discontinuation",
    "leading_to_dose_reduction",
    "leading_to_death",
]
FactSection = Literal[
    "baseline",
    "disposition",
    "exposure",
    "design",
    "statistical_design",
    "population_size",
    "subsequent_therapy",
    "discussion_claim",
    "other",
]
PopulationKind = Literal["itt", "pdl1", "clinical", "biomarker", "histology", "region", "evaluable"]
AnalysisKind = Literal["interim", "primary", "final", "update"]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$", max_length=60)]
NonEmpty = Annotated[str, Field(min_length=1)]

_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID_RE = re.compile(r"^\d{1,9}$")
_PMCID_RE = re.compile(r"^PMC\d+$")
_NCT_RE = re.compile(r"^NCT\d{8}$")
_DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_P_RE = re.compile(r"^(<|>|<=|>=)?(0?\.\d+|0|1)$")
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


class CitedText(Citation):
    """A cited piece of text (design, regimen, population description, qualitative finding)."""

    text: NonEmpty

    @model_validator(mode="after")
    def _check(self) -> CitedText:
        problems = self.citation_problems(required=True)
        if problems:
            raise rule_error(problems)
        return self


class CitedDate(Citation):
    """A cited calendar date (``YYYY-MM-DD`` or ``YYYY-MM`` as printed) or "not reported"."""

    date: str | None = None
    status: Literal["reported", "not_reported"] = "reported"
    reason: str | None = None

    @model_validator(mode="after")
    def _check(self) -> CitedDate:
        problems: list[tuple[str, str, str]] = []
        if self.status == "reported":
            if self.date is None or not _DATE_RE.match(self.date):
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
            if not _DATE_RE.match(value):
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
        if self.p is not None and not _P_RE.match(self.p):
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


class Publication(Frozen):
    """A source declared by a trial; every cited number's ``ref`` must be one of these keys.

    A publication must be resolvable: a DOI, a PMID, an ``https://`` URL, or (for a secondary
    item that reports on a specific paper and has no https address of its own) the DOI of the
    paper it reports on (``reports_on_doi``). ``url_read`` records the address the text was
    actually read at; it is shown as text and never rendered as a link unless it is https.
    """

    key: Slug
    citation: NonEmpty
    year: int | None = None
    level: SourceLevel
    kind: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    url_read: str | None = None
    reports_on_doi: str | None = None
    identifier_note: str | None = None
    license: str = "not recorded"
    accessed: str | None = None
    published: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Publication:
        problems: list[tuple[str, str, str]] = []
        for name in ("doi", "reports_on_doi"):
            value = getattr(self, name)
            if value is not None and not _DOI_RE.match(value):
                problems.append((name, "identifier-format", f"not a DOI: {value!r}"))
        if self.pmid is not None and not _PMID_RE.match(self.pmid):
            problems.append(("pmid", "identifier-format", f"not a PMID: {self.pmid!r}"))
        if self.pmcid is not None and not _PMCID_RE.match(self.pmcid):
            problems.append(("pmcid", "identifier-format", f"not a PMCID: {self.pmcid!r}"))
        if self.url is not None and not re.match(r"^https://[^\s]+$", self.url):
            problems.append(("url", "identifier-format", f"url must be https://: {self.url!r}"))
        if self.published is not None and not _DATE_RE.match(self.published):
            problems.append(("published", "identifier-format", "published must be YYYY-MM[-DD]"))
        https_url = self.url if self.url and self.url.startswith("https://") else None
        if not (self.doi or self.pmid or https_url or self.reports_on_doi):
            problems.append(
                (
                    "key",
                    "citation-resolvable",
                    f"publication {self.key!r} has no DOI, PMID, https URL or reports_on_doi",
                )
            )
        if problems:
            raise rule_error(problems)
        return self

    @property
    def link(self) -> str | None:
        """Best https link for the UI: DOI, then PubMed, then the https URL, then reported DOI."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.url:
            return self.url
        if self.reports_on_doi:
            return f"https://doi.org/{self.reports_on_doi}"
        return None


class PdL1Scoring(Citation):
    """How a trial scored PD-L1: system, assay (None when not reported), cut-offs and role."""

    scoring_system: ScoringSystem
    assay: Assay | None = None
    assay_note: str | None = None
    cutoffs: tuple[float, ...] = ()
    role: Literal["eligibility", "stratification", "primary population", "subgroup", "exploratory"]
    text: str | None = None

    @model_validator(mode="after")
    def _check(self) -> PdL1Scoring:
        problems = self.citation_problems(required=True)
        if problems:
            raise rule_error(problems)
        return self


class Arm(Frozen):
    """One treatment arm. Single-arm studies have one arm with role ``experimental``."""

    id: Slug
    label: NonEmpty
    regimen_class: RegimenClass
    role: Literal["experimental", "control"]
    agents: tuple[NonEmpty, ...]
    regimen: CitedText
    n_randomised: CitedNumber
    n_treated: CitedNumber | None = None
    note: str | None = None


class Analysis(Frozen):
    """One data cut / report of the trial (interim, primary, final, update)."""

    id: Slug
    kind: AnalysisKind
    label: NonEmpty
    refs: tuple[Slug, ...]
    data_cutoff: CitedDate
    accrual: CitedPeriod | None = None
    follow_up: CitedNumber | None = None
    follow_up_kind: (
        Literal["median", "minimum", "median time from randomisation to cut-off"] | None
    ) = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Analysis:
        if (
            self.follow_up is not None
            and self.follow_up.is_reported
            and self.follow_up_kind is None
        ):
            raise rule_error([("follow_up_kind", "required-field", "follow-up needs its kind")])
        return self


class Population(Frozen):
    """Analysis population: ITT or a subgroup.

    PD-L1 subgroups always carry their scoring system, assay (None if not reported), operator and
    cut-off; bands add ``upper_operator``/``cutoff_upper``.
    """

    id: Slug
    kind: PopulationKind
    label: NonEmpty
    histology: Literal["ESCC", "all histologies"] = "ESCC"
    scoring_system: ScoringSystem | None = None
    assay: Assay | None = None
    operator: Operator | None = None
    cutoff: float | None = None
    upper_operator: UpperOperator | None = None
    cutoff_upper: float | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Population:
        problems: list[tuple[str, str, str]] = []
        if self.kind == "pdl1":
            for name in ("scoring_system", "operator", "cutoff"):
                if getattr(self, name) is None:
                    problems.append((name, "pdl1-definition", f"PD-L1 subgroup needs '{name}'"))
            if (self.upper_operator is None) != (self.cutoff_upper is None):
                problems.append(
                    (
                        "cutoff_upper",
                        "pdl1-definition",
                        "band needs upper_operator and cutoff_upper",
                    )
                )
            if (
                self.cutoff is not None
                and self.cutoff_upper is not None
                and self.cutoff_upper <= self.cutoff
            ):
                problems.append(("cutoff_upper", "pdl1-definition", "cutoff_upper <= cutoff"))
        elif any(
            getattr(self, name) is not None
            for name in ("scoring_system", "assay", "operator", "cutoff", "cutoff_upper")
        ):
            problems.append(
                ("kind", "pdl1-definition", "PD-L1 fields are only allowed on kind='pdl1'")
            )
        if problems:
            raise rule_error(problems)
        return self

    @property
    def pdl1_key(self) -> str | None:
        """Grouping key that never merges scoring systems, e.g. ``CPS>=10`` or ``TAP>=5<10``."""
        if (
            self.kind != "pdl1"
            or self.scoring_system is None
            or self.operator is None
            or self.cutoff is None
        ):
            return None
        return format_key(
            self.scoring_system,
            self.operator,
            self.cutoff,
            self.upper_operator,
            self.cutoff_upper,
        )


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


def _dupes(values: Iterable[str]) -> list[str]:
    return sorted(k for k, c in Counter(values).items() if c > 1)


class Trial(Frozen):
    """One trial (one TOML file). Cross-references are checked after field validation."""

    schema_version: Literal[1]
    id: Slug
    name: NonEmpty
    display_name: NonEmpty
    registration: CitedText | None = None
    registration_status: str | None = None
    focus: bool = False
    phase: Literal["2", "3"]
    design: CitedText
    region: CitedText
    population: CitedText
    primary_endpoints: CitedText | None = None
    n_total: CitedNumber | None = None
    pd_l1: tuple[PdL1Scoring, ...] = ()
    pd_l1_note: str | None = None
    publications: tuple[Publication, ...]
    arms: tuple[Arm, ...]
    analyses: tuple[Analysis, ...]
    populations: tuple[Population, ...]
    efficacy: tuple[EfficacyResult, ...] = ()
    response: tuple[ResponseResult, ...] = ()
    adverse_events: tuple[AdverseEventResult, ...] = ()
    facts: tuple[Fact, ...] = ()
    curves: tuple[Curve, ...] = ()
    statements: tuple[Statement, ...] = ()
    gaps: tuple[Gap, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Trial:
        if info.context and info.context.get("defer_cross_checks"):
            return self
        problems = cross_reference_problems(self)
        if problems:
            raise rule_error(problems)
        return self

    # --- accessors (pure, no state) -------------------------------------------------------
    @property
    def nct(self) -> str | None:
        """ClinicalTrials.gov identifier, or None when not reported."""
        if self.registration and _NCT_RE.match(self.registration.text):
            return self.registration.text
        return None

    def publication(self, key: str) -> Publication:
        for pub in self.publications:
            if pub.key == key:
                return pub
        raise KeyError(f"trial {self.id!r} has no publication {key!r}")

    def arm(self, arm_id: str) -> Arm:
        for arm in self.arms:
            if arm.id == arm_id:
                return arm
        raise KeyError(f"trial {self.id!r} has no arm {arm_id!r}")

    def analysis(self, analysis_id: str) -> Analysis:
        for analysis in self.analyses:
            if analysis.id == analysis_id:
                return analysis
        raise KeyError(f"trial {self.id!r} has no analysis {analysis_id!r}")

    def population_by_id(self, population_id: str) -> Population:
        for population in self.populations:
            if population.id == population_id:
                return population
        raise KeyError(f"trial {self.id!r} has no population {population_id!r}")

    def curve(self, curve_id: str) -> Curve:
        for curve in self.curves:
            if curve.id == curve_id:
                return curve
        raise KeyError(f"trial {self.id!r} has no curve {curve_id!r}")

    def source_level(self, item: Citation) -> SourceLevel | None:
        """Effective source level of a cited item: its own override, else its publication's."""
        if item.level is not None:
            return item.level
        if item.ref is None:
            return None
        return self.publication(item.ref).level

    def efficacy_rows(
        self,
        *,
        endpoint: str | None = None,
        measure: str | None = None,
        arm: str | None = None,
        population: str | None = None,
        analysis: str | None = None,
    ) -> tuple[EfficacyResult, ...]:
        """Efficacy rows filtered by any combination of keys (None = no filter)."""
        return tuple(
            r
            for r in self.efficacy
            if (endpoint is None or r.endpoint == endpoint)
            and (measure is None or r.measure == measure)
            and (arm is None or r.arm == arm)
            and (population is None or r.population == population)
            and (analysis is None or r.analysis == analysis)
        )

    def response_rows(
        self,
        *,
        category: str | None = None,
        arm: str | None = None,
        population: str | None = None,
        analysis: str | None = None,
    ) -> tuple[ResponseResult, ...]:
        """Response rows filtered by any combination of keys (None = no filter)."""
        return tuple(
            r
            for r in self.response
            if (category is None or r.category == category)
            and (arm is None or r.arm == arm)
            and (population is None or r.population == population)
            and (analysis is None or r.analysis == analysis)
        )

    def ae_rows(
        self,
        *,
        arm: str | None = None,
        category: str | None = None,
        grade_band: str | None = None,
        analysis: str | None = None,
        summary: bool | None = None,
    ) -> tuple[AdverseEventResult, ...]:
        """Adverse-event rows; ``summary=True`` keeps summary rows, False keeps term rows."""
        return tuple(
            r
            for r in self.adverse_events
            if (arm is None or r.arm == arm)
            and (category is None or r.category == category)
            and (grade_band is None or r.grade_band == grade_band)
            and (analysis is None or r.analysis == analysis)
            and (summary is None or (r.summary_item is not None) == summary)
        )

    def fact_rows(self, *, section: str | None = None) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if section is None or f.section == section)

    def population_n(self, population_id: str, arm_id: str | None) -> int | None:
        """Reported size of a population for an arm (facts, section 'population_size')."""
        for fact in self.facts:
            if (
                fact.section == "population_size"
                and fact.population == population_id
                and fact.arm == arm_id
                and fact.value is not None
            ):
                return int(fact.value)
        return None

    def cited_items(self) -> Iterator[tuple[str, Citation]]:
        """Every cited object with its key path (for provenance walks, DATA-02)."""
        yield from _cited_items(self)


def _cited_items(trial: Trial) -> Iterator[tuple[str, Citation]]:
    for name in ("registration", "design", "region", "population", "primary_endpoints", "n_total"):
        item = getattr(trial, name)
        if item is not None:
            yield name, item
    for i, pd in enumerate(trial.pd_l1):
        yield f"pd_l1[{i}]", pd
    for i, arm in enumerate(trial.arms):
        yield f"arms[{i}].regimen", arm.regimen
        yield f"arms[{i}].n_randomised", arm.n_randomised
        if arm.n_treated is not None:
            yield f"arms[{i}].n_treated", arm.n_treated
    for i, an in enumerate(trial.analyses):
        yield f"analyses[{i}].data_cutoff", an.data_cutoff
        if an.accrual is not None:
            yield f"analyses[{i}].accrual", an.accrual
        if an.follow_up is not None:
            yield f"analyses[{i}].follow_up", an.follow_up
    for section in ("efficacy", "response", "adverse_events", "facts", "statements"):
        for i, row in enumerate(getattr(trial, section)):
            yield f"{section}[{i}]", row
    for i, curve in enumerate(trial.curves):
        yield f"curves[{i}]", curve
        if curve.events is not None:
            yield f"curves[{i}].events", curve.events


def cross_reference_problems(trial: Trial) -> list[tuple[str, str, str]]:
    """All trial-level consistency problems as ``(key path, rule, detail)``.

    Checks: unique ids; every ``ref`` resolves to a declared publication; every arm, analysis and
    population id used by a row exists; PD-L1 subgroups use a scoring system the trial declares;
    arm sizes add up to the trial total; at-risk tables start at the arm's randomised N (ITT
    curves) and events do not exceed N; ITT rows do not claim a denominator above the arm's N;
    CR + PR equals the ORR count; at most one headline per arm and endpoint.
    """
    problems: list[tuple[str, str, str]] = []
    pub_keys = {p.key for p in trial.publications}
    arm_ids = {a.id for a in trial.arms}
    analysis_ids = {a.id for a in trial.analyses}
    pops = {p.id: p for p in trial.populations}

    for label, ids in (
        ("publications", [p.key for p in trial.publications]),
        ("arms", [a.id for a in trial.arms]),
        ("analyses", [a.id for a in trial.analyses]),
        ("populations", [p.id for p in trial.populations]),
        ("curves", [c.id for c in trial.curves]),
    ):
        for dup in _dupes(ids):
            problems.append((label, "duplicate-id", f"id {dup!r} is declared twice in {label}"))

    for key, item in trial.cited_items():
        if item.ref is not None and item.ref not in pub_keys:
            problems.append(
                (f"{key}.ref", "ref-dangling", f"ref {item.ref!r} is not a declared publication")
            )
    for i, an in enumerate(trial.analyses):
        for ref in an.refs:
            if ref not in pub_keys:
                problems.append(
                    (f"analyses[{i}].refs", "ref-dangling", f"ref {ref!r} is not declared")
                )

    def need(key: str, kind: str, value: str | None, known: set[str] | dict[str, Any]) -> None:
        if value is not None and value not in known:
            problems.append((key, "dangling-id", f"unknown {kind} {value!r}"))

    rows: list[tuple[str, Any]] = []
    for section in ("efficacy", "response", "adverse_events", "facts", "curves"):
        rows.extend((f"{section}[{i}]", r) for i, r in enumerate(getattr(trial, section)))
    for key, row in rows:
        need(f"{key}.arm", "arm", getattr(row, "arm", None), arm_ids)
        need(f"{key}.comparator", "arm", getattr(row, "comparator", None), arm_ids)
        need(f"{key}.analysis", "analysis", getattr(row, "analysis", None), analysis_ids)
        need(f"{key}.population", "population", getattr(row, "population", None), pops)
        need(
            f"{key}.comparator_population",
            "population",
            getattr(row, "comparator_population", None),
            pops,
        )

    declared_systems = {s.scoring_system for s in trial.pd_l1}
    for i, pop in enumerate(trial.populations):
        if pop.kind == "pdl1" and pop.scoring_system not in declared_systems:
            problems.append(
                (
                    f"populations[{i}].scoring_system",
                    "pdl1-definition",
                    f"{pop.scoring_system} is not declared in the trial's pd_l1 block",
                )
            )

    arm_n: dict[str, int] = {}
    for arm in trial.arms:
        if arm.n_randomised.value is not None:
            arm_n[arm.id] = int(arm.n_randomised.value)
    if (
        trial.n_total is not None
        and trial.n_total.value is not None
        and len(arm_n) == len(trial.arms)
        and sum(arm_n.values()) != trial.n_total.value
    ):
        problems.append(
            (
                "n_total",
                "n-consistent",
                f"arms add up to {sum(arm_n.values())}, n_total is {trial.n_total.value:g}",
            )
        )

    itt = {pid for pid, p in pops.items() if p.kind == "itt"}
    for i, curve in enumerate(trial.curves):
        if curve.at_risk and curve.population in itt and curve.arm in arm_n:
            start = curve.at_risk[0].n_at_risk
            if start != arm_n[curve.arm]:
                problems.append(
                    (
                        f"curves[{i}].at_risk[0]",
                        "n-consistent",
                        f"N at risk at time 0 is {start}, arm {curve.arm!r} randomised "
                        f"{arm_n[curve.arm]}",
                    )
                )
    for key, row in rows:
        if key.startswith("curves") or getattr(row, "population", None) not in itt:
            continue
        arm_id = getattr(row, "arm", None)
        if arm_id not in arm_n or isinstance(row, AdverseEventResult):
            continue
        limit = arm_n[arm_id]
        if row.N is not None and limit < row.N:
            problems.append(
                (f"{key}.N", "n-consistent", f"N={row.N} exceeds arm {arm_id!r} randomised {limit}")
            )
        if (
            isinstance(row, EfficacyResult)
            and row.measure == "events"
            and row.value is not None
            and row.value > limit
        ):
            problems.append(
                (
                    f"{key}.value",
                    "events-le-n",
                    f"{row.value:g} events exceed arm {arm_id!r} N={limit}",
                )
            )

    counts: dict[tuple[Any, ...], dict[str, int]] = {}
    for resp in trial.response:
        if resp.measure == "rate" and resp.n is not None:
            group = (resp.analysis, resp.arm, resp.population, resp.confirmed, resp.ref)
            counts.setdefault(group, {})[resp.category] = resp.n
    for group, cats in counts.items():
        if {"CR", "PR", "ORR"} <= cats.keys() and cats["CR"] + cats["PR"] != cats["ORR"]:
            problems.append(
                (
                    "response",
                    "n-consistent",
                    f"CR {cats['CR']} + PR {cats['PR']} != ORR {cats['ORR']} for {group[:3]}",
                )
            )

    units: dict[tuple[Any, ...], dict[str | None, str]] = {}
    for i, ae in enumerate(trial.adverse_events):
        if ae.status == "not_reported":
            continue
        ae_item = (ae.analysis, ae.term, ae.category, ae.grade_band, ae.summary_item)
        units.setdefault(ae_item, {}).setdefault(ae.unit, f"adverse_events[{i}]")
    for ae_item, by_unit in units.items():
        if len(by_unit) > 1:
            where = ", ".join(f"{k} ({u})" for u, k in by_unit.items())
            problems.append(
                (
                    "adverse_events",
                    "unit-consistent",
                    f"one AE item ({ae_item[1]!r}, grade {ae_item[3]}) mixes units: {where}",
                )
            )

    seen: Counter[tuple[str, str]] = Counter()
    for row in trial.efficacy:
        if row.headline:
            seen[(row.arm, f"{row.endpoint}-{row.measure}")] += 1
    for resp in trial.response:
        if resp.headline:
            seen[(resp.arm, resp.category)] += 1
    for (arm_id, what), count in seen.items():
        if count > 1:
            problems.append(
                ("headline", "headline-unique", f"{count} headline rows for {arm_id}/{what}")
            )
    return problems
