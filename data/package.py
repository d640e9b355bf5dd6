"""The evidence table as a Frictionless data package (issue 13).

``evidence.csv`` is a plain CSV (header row first, UTF-8 without a byte-order mark, comma,
CRLF), so ``pandas.read_csv``, R's ``read.csv``, Python's ``csv`` module and spreadsheets open it
without options. Its sidecar ``datapackage.json`` (Frictionless Data, tabular data package)
types and describes every column, names the data version, licence and sources, and records the
CSV's size and SHA-256 so ``frictionless validate datapackage.json`` checks the pair.

Numbers are written as numbers; only text columns get the spreadsheet-formula guard of
:func:`data.export.neutralise_cell` (a leading ``'`` before ``= + - @``, tab or CR), so numeric
columns stay numeric for every reader.
"""

from __future__ import annotations

import hashlib
from typing import Any

from data.evidence import EXPORT_COLUMNS
from data.registry import Registry

__all__ = [
    "CSV_COLUMNS",
    "CSV_NAME",
    "FIELDS",
    "LICENSE",
    "PACKAGE_NAME",
    "descriptor",
    "field_type",
]

CSV_NAME = "evidence.csv"
PACKAGE_NAME = "datapackage.json"

_NUMBER = "number"
_INTEGER = "integer"
_BOOLEAN = "boolean"

#: Column -> (Frictionless type, description). Columns not listed here are strings.
FIELDS: dict[str, tuple[str, str]] = {
    "trial_id": ("string", "Trial identifier (folder name under data/trials)."),
    "trial_name": ("string", "Trial name as published."),
    "nct": ("string", "ClinicalTrials.gov identifier, empty when not registered there."),
    "focus": (_BOOLEAN, "True for the two seed studies this explorer is built around."),
    "phase": ("string", "Trial phase ('2' or '3')."),
    "section": (
        "string",
        "Kind of row: efficacy, response, safety, curve, arm, analysis, design, gap or a "
        "fact section such as baseline.",
    ),
    "analysis_id": ("string", "Analysis (data cut) the number belongs to, within the trial."),
    "analysis_kind": ("string", "interim, primary, final or update."),
    "data_cutoff": ("string", "Data cut-off date of the analysis as printed (YYYY-MM[-DD])."),
    "arm_id": ("string", "Arm identifier within the trial (experimental arm for an HR)."),
    "arm_label": ("string", "Arm label."),
    "regimen_class": ("string", "Regimen class of the arm (e.g. ICI+chemo)."),
    "comparator_arm_id": ("string", "Reference arm of a hazard ratio or difference."),
    "comparator_arm_label": ("string", "Reference arm label."),
    "population": ("string", "Population identifier (ITT or a subgroup)."),
    "population_label": ("string", "Population label as curated."),
    "population_kind": ("string", "itt, pdl1, clinical, biomarker, histology, region, evaluable."),
    "histology": ("string", "ESCC or all histologies."),
    "scoring_system": (
        "string",
        "PD-L1 scoring system of the subgroup (CPS, TPS, TC, TAP); never merged across systems.",
    ),
    "assay": ("string", "PD-L1 assay (22C3, 28-8, SP263, JS311, 6E8), when reported."),
    "cutoff_operator": ("string", "Operator of the PD-L1 cut-off (>=, <, ...)."),
    "cutoff": (_NUMBER, "PD-L1 cut-off value (score units of the scoring system)."),
    "cutoff_upper_operator": ("string", "Operator of the upper PD-L1 bound of a band."),
    "cutoff_upper": (_NUMBER, "Upper PD-L1 bound of a band (e.g. TAP >=5 to <10)."),
    "comparator_population": ("string", "Reference subgroup of a between-subgroup p-value."),
    "endpoint": ("string", "Endpoint (OS, PFS, PFS2, DoR, ORR, ...)."),
    "measure": ("string", "What the number is: median, hr, landmark, events, rate, ..."),
    "item": ("string", "Item label for facts, AE terms, gaps."),
    "timepoint_months": (_NUMBER, "Landmark time in months (landmark rates)."),
    "confirmed": (_BOOLEAN, "Response confirmed (true/false); empty = not stated."),
    "assessor": ("string", "Who assessed progression/response (BICR, IRC, investigator...)."),
    "ae_category": ("string", "AE category: treatment-related, all-cause, immune-related..."),
    "grade_band": ("string", "CTCAE grade band as printed (any, 3, >=3, 3-4, 3-5, 5...)."),
    "summary_item": ("string", "AE summary row (any_event, serious, leading_to_death, ...)."),
    "reporting_threshold": ("string", "The source table's inclusion rule for AE terms."),
    "status": (
        "string",
        "reported, not_reached, not_estimable or not_reported (then see not_reported_reason).",
    ),
    "value": (
        _NUMBER,
        "The number as published (percentages 0-100, ratios, months, counts); its unit is in "
        "the 'unit' column; empty when not reported.",
    ),
    "value_text": ("string", "A value that is text (dates, regimen text)."),
    "qualifier": ("string", "Qualifier printed with the value (<, <=, >, >=, ~)."),
    "unit": ("string", "Unit of 'value', 'ci_lower', 'ci_upper': %, months, ratio, count, p..."),
    "ci_lower": (_NUMBER, "Lower confidence bound (unit of 'value'); empty if NE/NR."),
    "ci_upper": (_NUMBER, "Upper confidence bound (unit of 'value'); empty if NE/NR."),
    "ci_text": ("string", "Interval as text, keeping NE/NR bounds."),
    "ci_level": (
        _NUMBER,
        "Confidence level of the interval in percent (95, 99.1...); never assume 95.",
    ),
    "ci_level_reason": ("string", "Why an interval's level is not known (then it gives no SE)."),
    "p_value": ("string", "p-value exactly as printed ('<0.001', '0.0004')."),
    "p_sided": (
        "string",
        "Sidedness of the p-value: one-sided, two-sided, one-sided (inferred), not stated.",
    ),
    "ci_p_note": ("string", "Why a p-value does not follow from the printed interval."),
    "n": (_INTEGER, "Numerator count (patients with the event/response), when printed."),
    "N": (_INTEGER, "Denominator count (patients in the arm/population/safety set)."),
    "range_lower": (_NUMBER, "Lower end of a printed range or IQR."),
    "range_upper": (_NUMBER, "Upper end of a printed range or IQR."),
    "range_kind": ("string", "range or IQR."),
    "source_ref": ("string", "Publication key within the trial."),
    "citation": ("string", "Citation of the source publication."),
    "doi": ("string", "DOI of the source (or of the paper a secondary item reports on)."),
    "pmid": ("string", "PubMed identifier of the source."),
    "link": ("string", "https link to the source (DOI, PubMed or page)."),
    "locator": ("string", "Where in the source: table, figure, paragraph."),
    "source_level": (
        "string",
        "primary publication, conference abstract, registry record or secondary summary.",
    ),
    "derived": (_BOOLEAN, "True when the value was worked out from printed numbers."),
    "derivation": ("string", "The arithmetic of a derived value."),
    "as_printed": ("string", "The text exactly as printed, when it needed interpretation."),
    "curation_note": ("string", "Curators' decision on a typo, conflict or interpretation."),
    "note": ("string", "Other note."),
    "not_reported_reason": ("string", "Why a number is not reported."),
    "data_version": ("string", "Data version (hash of the manifest) the row was exported from."),
}

#: The CSV's columns: the evidence table's, then the data version on every row (so a CSV
#: that travels without its datapackage.json still names its version).
CSV_COLUMNS: tuple[str, ...] = (*EXPORT_COLUMNS, "data_version")

LICENSE = {
    "name": "not-specified",
    "title": (
        "No licence has been chosen for this compilation yet. The numbers are facts cited from "
        "the publications listed in 'sources' (each row names its own source, locator and "
        "source level); the publications keep their own licences."
    ),
}


def field_type(column: str) -> str:
    """Frictionless type of an export column (string unless declared in :data:`FIELDS`)."""
    return FIELDS.get(column, ("string", ""))[0]


def _sources(registry: Registry) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for trial in registry.trials:
        for pub in trial.publications:
            link = pub.link
            if link is None or link in seen:
                continue
            seen[link] = {"title": f"{trial.name}: {pub.citation}", "path": link}
    return [seen[k] for k in sorted(seen)]


def descriptor(registry: Registry, csv_bytes: bytes) -> dict[str, Any]:
    """The ``datapackage.json`` content for ``csv_bytes`` (deterministic: no timestamps)."""
    fields = []
    for column in CSV_COLUMNS:
        kind, description = FIELDS.get(column, ("string", column))
        field: dict[str, Any] = {"name": column, "type": kind, "description": description}
        if kind == _BOOLEAN:
            field["trueValues"] = ["true"]
            field["falseValues"] = ["false"]
        fields.append(field)
    return {
        "profile": "tabular-data-package",
        "name": "escc-first-line-evidence",
        "title": "ESCC first-line trial explorer - curated evidence table (one row per number)",
        "description": (
            "Published numbers of first-line trials in advanced oesophageal squamous cell "
            "carcinoma, one row per number, each with its citation, locator, source level and "
            "analysis (data cut-off). Not reported stays not reported (status + reason); PD-L1 "
            "scoring systems and CI levels are never merged. Cross-trial comparisons are not "
            "randomised."
        ),
        "version": registry.data_version,
        "licenses": [LICENSE],
        "sources": _sources(registry),
        "resources": [
            {
                "name": "evidence",
                "path": CSV_NAME,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(csv_bytes),
                "hash": "sha256:" + hashlib.sha256(csv_bytes).hexdigest(),
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": {"fields": fields, "missingValues": [""]},
            }
        ],
    }
