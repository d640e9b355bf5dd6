"""Trials view model: the catalogue of arms and one trial's every cited number.

State (URL keys): ``classes=<regimen class>|…`` (default: every class), ``trial=<trial id>``
(detail shown; default none), ``section=efficacy|response|safety|design``.

Rules, and why:

* Regimen classes are listed chemo-free first (:data:`CLASS_ORDER`), the order in which the
  clinical question is asked (is a chemo-free regimen enough?); classes the data add later are
  appended alphabetically so a new class is never hidden.
* Headline values are the rows each data file flags ``headline = true`` (reviewed, not computed;
  :meth:`data.Registry.catalogue`).
* The detail lists the evidence rows of one trial only, grouped into four sections; "curve" rows
  belong with efficacy (they are the inputs of the survival curves) and every row that is neither
  efficacy, response nor safety is design (arms, baseline, analyses, gaps). At most
  :data:`MAX_DETAIL_ROWS` rows are shown per section; the count of the rest points to the
  download, which carries all of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.views.labels import CLASS_ORDER, NR_NOT_REACHED, NR_NOT_REPORTED
from analysis.views.state import Choice, MultiChoice, StateSpec
from data import CatalogueRow, Registry
from data.evidence import trial_rows

SECTIONS: tuple[str, ...] = ("efficacy", "response", "safety", "design")
SECTION_LABELS: Mapping[str, str] = {
    "efficacy": "efficacy and curves",
    "response": "response",
    "safety": "adverse events",
    "design": "design, arms, baseline and gaps",
}
MAX_DETAIL_ROWS = 250
#: Upper bound on classes in a link (far above the handful the evidence uses).
MAX_CLASSES = 30


def regimen_classes(registry: Registry) -> tuple[str, ...]:
    """Every regimen class present, chemo-free first (module docstring)."""
    present = {arm.regimen_class for trial in registry.trials for arm in trial.arms}
    ordered = [c for c in CLASS_ORDER if c in present]
    return (*ordered, *sorted(present - set(ordered)))


@dataclass(frozen=True)
class TrialsState:
    classes: tuple[str, ...]
    trial: str | None
    section: str


SPEC: StateSpec[TrialsState] = StateSpec(
    TrialsState,
    (
        MultiChoice(
            "classes",
            "classes",
            "regimen classes",
            regimen_classes,
            regimen_classes,
            max_items=MAX_CLASSES,
            separator="|",
        ),
        Choice("trial", "trial", "trial", lambda r: r.trial_ids, lambda r: None, optional=True),
        Choice("section", "section", "section", lambda r: SECTIONS, lambda r: "efficacy"),
    ),
)


@dataclass(frozen=True)
class PublicationLine:
    level: str | None
    citation: str
    #: Only ``https://`` links are kept (STYLE 10); anything else is shown as text.
    link: str | None


@dataclass(frozen=True)
class EvidenceLine:
    measure: str
    arm: str
    population: str
    value: str
    ci: str
    source: str


@dataclass(frozen=True)
class TrialDetail:
    title: str
    summary: str
    region: str
    population: str
    publications: tuple[PublicationLine, ...]
    arms: tuple[str, ...]
    analyses: tuple[str, ...]
    section: str
    rows: tuple[EvidenceLine, ...]
    rows_in_section: int
    rows_in_trial: int
    section_counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class TrialsModel:
    trial_count: int
    classes: tuple[str, ...]
    catalogue: tuple[CatalogueRow, ...]
    detail: TrialDetail | None


def value_text(row: Mapping[str, Any]) -> str:
    """One evidence value as read aloud: status words for NR/NE, unit for percentages."""
    status = row.get("status")
    if status == "not_reported":
        reason = row.get("not_reported_reason") or "no reason recorded"
        return f"{NR_NOT_REPORTED} ({reason})"
    if status == "not_reached":
        return NR_NOT_REACHED
    if status == "not_estimable":
        return "NE (not estimable)"
    value = row.get("value")
    if value is None:
        return str(row.get("value_text") or "")
    qualifier = row.get("qualifier") or ""
    unit = row.get("unit") or ""
    unit_text = "%" if unit == "%" else f" {unit}" if unit not in ("count", "ratio", "") else ""
    return f"{qualifier}{value:g}{unit_text}"


def ci_text(row: Mapping[str, Any]) -> str:
    """The interval as printed with its level (levels are never assumed; an unknown level is
    said), then the printed p-value with its sidedness: "0.56–0.88 (95% CI) · p 0.001
    (one-sided)"."""
    level, reason = row.get("ci_level"), row.get("ci_level_reason")
    interval = row.get("ci_text")
    if not interval and (row.get("ci_lower") is not None or row.get("ci_upper") is not None):
        interval = f"{row.get('ci_lower')}–{row.get('ci_upper')}"
    parts: list[str] = []
    if interval:
        if level:
            parts.append(f"{interval} ({level:g}% CI)")
        elif reason:
            parts.append(f"{interval} (CI level not known)")
        else:
            parts.append(str(interval))
    if row.get("p_value"):
        sided = row.get("p_sided")
        side = f" ({sided})" if sided and sided != "not stated" else ""
        parts.append(f"p {row['p_value']}{side}")
    return " · ".join(parts)


def section_of(section: object) -> str:
    """The detail section an evidence row belongs to (module docstring)."""
    if section in ("efficacy", "curve"):
        return "efficacy"
    if section in ("response", "safety"):
        return str(section)
    return "design"


def _line(row: Mapping[str, Any]) -> EvidenceLine:
    parts = (row.get("endpoint"), row.get("measure"), row.get("item"), row.get("grade_band"))
    source = (
        row.get("locator") or "",
        f"[{row.get('source_level') or 'source level not recorded'}]",
        f"derived: {row['derivation']}" if row.get("derived") else "",
        f"curation: {row['curation_note']}" if row.get("curation_note") else "",
    )
    return EvidenceLine(
        measure=" · ".join(str(x) for x in parts if x),
        arm=str(row.get("arm_label") or "—"),
        population=str(row.get("population_label") or "—"),
        value=value_text(row),
        ci=ci_text(row),
        source="; ".join(x for x in source if x),
    )


def trial_detail(registry: Registry, trial_id: str, section: str) -> TrialDetail:
    """Every cited number of one trial in one section (only this trial's rows are built)."""
    trial = registry.trial(trial_id)
    publications = tuple(
        PublicationLine(
            level=pub.level,
            citation=pub.citation,
            link=pub.link
            if isinstance(pub.link, str) and pub.link.startswith("https://")
            else None,
        )
        for pub in trial.publications
    )
    arms = tuple(
        f"{arm.label} — {arm.regimen.text} (N randomised: "
        f"{value_text({'status': arm.n_randomised.status, 'value': arm.n_randomised.value})})"
        for arm in trial.arms
    )
    analyses = tuple(
        f"{a.label} ({a.kind}); data cut-off {a.data_cutoff.date or 'not reported'}"
        for a in trial.analyses
    )
    all_rows = list(trial_rows(trial))
    in_section = [r for r in all_rows if section_of(r.get("section")) == section]
    counts = tuple(
        (g, sum(1 for r in all_rows if section_of(r.get("section")) == g)) for g in SECTIONS
    )
    return TrialDetail(
        title=trial.display_name,
        summary=f"Phase {trial.phase} · {trial.nct or 'NCT not reported'} · {trial.design.text}",
        region=trial.region.text,
        population=trial.population.text,
        publications=publications,
        arms=arms,
        analyses=analyses,
        section=section,
        rows=tuple(_line(r) for r in in_section[:MAX_DETAIL_ROWS]),
        rows_in_section=len(in_section),
        rows_in_trial=len(all_rows),
        section_counts=counts,
    )


def catalogue_rows(registry: Registry, classes: Sequence[str]) -> tuple[CatalogueRow, ...]:
    """Catalogue rows (one per arm) of the chosen regimen classes, in registry order."""
    chosen = set(classes)
    return tuple(row for row in registry.catalogue() if row.regimen_class in chosen)


def build(registry: Registry, state: TrialsState) -> TrialsModel:
    return TrialsModel(
        trial_count=len(registry.trials),
        classes=regimen_classes(registry),
        catalogue=catalogue_rows(registry, state.classes),
        detail=trial_detail(registry, state.trial, state.section) if state.trial else None,
    )
