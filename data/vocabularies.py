"""Vocabularies and identifier formats of the evidence base, each declared once.

Every closed vocabulary is a ``Literal`` type (what mypy and pydantic check); where code needs the
values at run time, the tuple is derived from the type with :func:`typing.get_args`, so the two
cannot drift. The ``*_RE`` patterns are the printed forms identifiers and p-values must have.
Imported by the schema models (:mod:`data.cited`, :mod:`data.design`, :mod:`data.rows`,
:mod:`data.schema`) and re-exported by :mod:`data.schema`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import Field

__all__ = [
    "AE_CATEGORIES",
    "DATE_RE",
    "DOI_RE",
    "GRADE_BANDS",
    "NCT_RE",
    "PMCID_RE",
    "PMID_RE",
    "P_RE",
    "REGIMEN_CLASSES",
    "SOURCE_LEVELS",
    "AeCategory",
    "AeSummaryItem",
    "AnalysisKind",
    "Assay",
    "Bound",
    "EfficacyMeasure",
    "Endpoint",
    "FactSection",
    "GradeBand",
    "NonEmpty",
    "PopulationKind",
    "Qualifier",
    "RegimenClass",
    "ResponseCategory",
    "ResponseMeasure",
    "Slug",
    "SourceLevel",
    "Status",
    "Unit",
]

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

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^\d{1,9}$")
PMCID_RE = re.compile(r"^PMC\d+$")
NCT_RE = re.compile(r"^NCT\d{8}$")
DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
P_RE = re.compile(r"^(<|>|<=|>=)?(0?\.\d+|0|1)$")
