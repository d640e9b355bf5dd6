"""Closed schema of the curated evidence base (one trial per TOML file): the :class:`Trial` model,
and the one import path for every schema name.

Every model forbids unknown keys and is frozen, so a loaded registry cannot be changed and a typo
in a data file is an error rather than a silently ignored field (Our World in Data ETL style).
The schema is split by what each part declares:

- :mod:`data.vocabularies`: every closed vocabulary (a ``Literal`` type and, where code needs the
  values, the tuple derived from it) and the identifier formats;
- :mod:`data.cited`: the cited value types (:class:`CitedNumber` is the unit of evidence) and the
  rules one value obeys on its own;
- :mod:`data.design`: publications, PD-L1 scoring, arms, analyses, populations;
- :mod:`data.rows`: result rows, curves, statements and gaps;
- :mod:`data.cross_checks`: the rules that need the whole trial.

Every name is re-exported here, so callers import from ``data.schema`` only.

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

from collections.abc import Iterator
from typing import Literal

from pydantic import ValidationInfo, model_validator

from data.cited import (
    PERCENT_TOLERANCE,
    Citation,
    CitedDate,
    CitedNumber,
    CitedPeriod,
    CitedText,
    Frozen,
    rule_error,
)
from data.cross_checks import cited_items, cross_reference_problems
from data.design import Analysis, Arm, PdL1Scoring, Population, Publication
from data.rows import (
    AdverseEventResult,
    AtRiskPoint,
    Curve,
    EfficacyResult,
    Fact,
    Gap,
    IpdRow,
    ResponseResult,
    Statement,
)
from data.vocabularies import (
    AE_CATEGORIES,
    GRADE_BANDS,
    NCT_RE,
    REGIMEN_CLASSES,
    SOURCE_LEVELS,
    AeCategory,
    AeSummaryItem,
    AnalysisKind,
    Assay,
    Bound,
    EfficacyMeasure,
    Endpoint,
    FactSection,
    GradeBand,
    NonEmpty,
    PopulationKind,
    Qualifier,
    RegimenClass,
    ResponseCategory,
    ResponseMeasure,
    Slug,
    SourceLevel,
    Status,
    Unit,
)

__all__ = [
    "AE_CATEGORIES",
    "GRADE_BANDS",
    "PERCENT_TOLERANCE",
    "REGIMEN_CLASSES",
    "SCHEMA_VERSION",
    "SOURCE_LEVELS",
    "AdverseEventResult",
    "AeCategory",
    "AeSummaryItem",
    "Analysis",
    "AnalysisKind",
    "Arm",
    "Assay",
    "AtRiskPoint",
    "Bound",
    "Citation",
    "CitedDate",
    "CitedNumber",
    "CitedPeriod",
    "CitedText",
    "Curve",
    "EfficacyMeasure",
    "EfficacyResult",
    "Endpoint",
    "Fact",
    "FactSection",
    "Frozen",
    "Gap",
    "GradeBand",
    "IpdRow",
    "NonEmpty",
    "PdL1Scoring",
    "Population",
    "PopulationKind",
    "Publication",
    "Qualifier",
    "RegimenClass",
    "ResponseCategory",
    "ResponseMeasure",
    "ResponseResult",
    "Slug",
    "SourceLevel",
    "Statement",
    "Status",
    "Trial",
    "Unit",
    "cross_reference_problems",
    "rule_error",
]

SCHEMA_VERSION = 1


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
        if self.registration and NCT_RE.match(self.registration.text):
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
        yield from cited_items(self)
