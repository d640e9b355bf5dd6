"""What a trial declares before any result: its sources, PD-L1 scoring, arms, analyses and
populations.

Result rows (:mod:`data.rows`) point at these by id; :mod:`data.cross_checks` checks that every
id they use is declared. A PD-L1 population writes its grouping key with
:func:`data.pdl1.format_key`, so scoring systems never merge.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import model_validator

from data.cited import (
    CitedDate,
    CitedNumber,
    CitedPeriod,
    CitedText,
    Frozen,
    FullCitation,
    rule_error,
)
from data.pdl1 import Operator, ScoringSystem, UpperOperator, format_key
from data.vocabularies import (
    DATE_RE,
    DOI_RE,
    PMCID_RE,
    PMID_RE,
    AnalysisKind,
    Assay,
    NonEmpty,
    PopulationKind,
    RegimenClass,
    Slug,
    SourceLevel,
)

__all__ = ["Analysis", "Arm", "PdL1Scoring", "Population", "Publication"]


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
            if value is not None and not DOI_RE.match(value):
                problems.append((name, "identifier-format", f"not a DOI: {value!r}"))
        if self.pmid is not None and not PMID_RE.match(self.pmid):
            problems.append(("pmid", "identifier-format", f"not a PMID: {self.pmid!r}"))
        if self.pmcid is not None and not PMCID_RE.match(self.pmcid):
            problems.append(("pmcid", "identifier-format", f"not a PMCID: {self.pmcid!r}"))
        if self.url is not None and not re.match(r"^https://[^\s]+$", self.url):
            problems.append(("url", "identifier-format", f"url must be https://: {self.url!r}"))
        if self.published is not None and not DATE_RE.match(self.published):
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


class PdL1Scoring(FullCitation):
    """How a trial scored PD-L1: system, assay (None when not reported), cut-offs and role."""

    scoring_system: ScoringSystem
    assay: Assay | None = None
    assay_note: str | None = None
    cutoffs: tuple[float, ...] = ()
    role: Literal["eligibility", "stratification", "primary population", "subgroup", "exploratory"]
    text: str | None = None


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
