"""The summary table: all-grade and high-grade totals per category and arm.

Part of :mod:`analysis.adverse_events` (the package docstring states the rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.adverse_events.cells import (
    AeCell,
    choose,
    found_elsewhere,
    not_reported,
    with_changes,
)
from analysis.adverse_events.vocab import (
    CATEGORIES,
    CATEGORY_ABBREVIATIONS,
    HIGH_BANDS,
    STRICT_HIGH_BANDS,
    ArmKey,
    NrKind,
)
from data.registry import Registry
from data.schema import AdverseEventResult, Trial


@dataclass(frozen=True)
class SummaryItem:
    """One bar group of the summary chart: ``key`` in (any, high, serious, irae,
    discontinuation, death) and the label for the chosen category."""

    key: str
    label: str
    category: str
    summary_items: tuple[str, ...]
    grade: str  # "any", "high" or "5"


def summary_items(category: str) -> tuple[SummaryItem, ...]:
    """The summary items for one AE category (irAE as its own item unless the category is
    already immune-related)."""
    abbr = CATEGORY_ABBREVIATIONS[category]
    death = "Treatment-related death" if category == "treatment-related" else f"Death due to {abbr}"
    items = [
        SummaryItem("any", f"Any {abbr}", category, ("any_event",), "any"),
        SummaryItem("high", f"Grade ≥3 {abbr}", category, ("any_event",), "high"),
        SummaryItem("serious", f"Serious {abbr}", category, ("serious",), "any"),
    ]
    if category != "immune-related":
        items.append(SummaryItem("irae", "Any irAE", "immune-related", ("any_event",), "any"))
    items.extend(
        [
            SummaryItem(
                "discontinuation",
                f"Discontinuation due to {abbr}",
                category,
                ("leading_to_discontinuation",),
                "any",
            ),
            SummaryItem("death", death, category, ("leading_to_death", "any_event"), "5"),
        ]
    )
    return tuple(items)


def bands_for(grade: str, strict: bool) -> tuple[str, ...]:
    if grade == "high":
        return STRICT_HIGH_BANDS if strict else HIGH_BANDS
    return (grade,)


@dataclass(frozen=True)
class SummaryTable:
    """Summary cells: ``cells[i][j]`` is item ``items[i]`` for arm ``arms[j]``."""

    arms: tuple[ArmKey, ...]
    category: str
    strict: bool
    items: tuple[SummaryItem, ...]
    cells: tuple[tuple[AeCell, ...], ...]


def check_arms(registry: Registry, arms: Sequence[ArmKey]) -> None:
    for trial_id, arm_id in arms:
        trial = registry.trial(trial_id)
        trial.arm(arm_id)


def check_category(category: str) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"unknown AE category {category!r}; known: {', '.join(CATEGORIES)}")


def comparable_categories(found: str, wanted: str) -> bool:
    """A value in another category is worth naming as a hint only between treatment-related,
    all-cause and treatment-emergent events; immune-related events are a different question."""
    return "immune-related" not in (found, wanted)


def _summary_cell(trial: Trial, arm_id: str, item: SummaryItem, strict: bool) -> AeCell:
    rows = [
        r for r in trial.adverse_events if r.arm == arm_id and r.summary_item in item.summary_items
    ]
    in_category = [r for r in rows if r.category == item.category]
    bands = bands_for(item.grade, strict)
    items: tuple[str | None, ...] = item.summary_items
    cell = choose(trial, in_category, bands=bands, summary_items=items)
    if cell is not None and cell.reported:
        return cell
    hints: list[str] = []
    nr_kind: NrKind = cell.nr_kind if cell and cell.nr_kind else "no-data"
    reason = cell.reason if cell and cell.reason else "not found in the curated sources"
    other_band: list[AdverseEventResult] = []
    if item.grade == "high":
        # Only high-grade bands can stand in for "grade >=3" (strict mode shows them as hints).
        other_band = [
            r for r in in_category if r.grade_band not in bands and r.grade_band in HIGH_BANDS
        ]
    band_hint = found_elsewhere(trial, other_band)
    if band_hint:
        hints.append(f"reported only as {band_hint}")
        nr_kind = "other-band"
    other_cat = [
        r
        for r in rows
        if r.category != item.category
        and comparable_categories(r.category, item.category)
        and r.grade_band in bands
    ]
    cat_hint = found_elsewhere(trial, other_cat)
    if cat_hint:
        hints.append(f"reported only as {cat_hint}")
        if nr_kind != "other-band":
            nr_kind = "other-category"
    full = "; ".join([reason, *hints])
    if cell is not None:
        return with_changes(cell, nr_kind=nr_kind, reason=full)
    return not_reported(trial.id, arm_id, item.category, nr_kind, full)


def summary_table(
    registry: Registry,
    arms: Sequence[ArmKey],
    category: str = "treatment-related",
    *,
    strict: bool = False,
) -> SummaryTable:
    """Summary cells (any event, grade >=3, serious, irAE, discontinuation, death) per arm.

    Raises ``KeyError``/``ValueError`` for unknown arms or categories: callers validate first.
    """
    check_category(category)
    check_arms(registry, arms)
    items = summary_items(category)
    cells = tuple(
        tuple(
            _summary_cell(registry.trial(trial_id), arm_id, item, strict)
            for trial_id, arm_id in arms
        )
        for item in items
    )
    return SummaryTable(
        arms=tuple(arms), category=category, strict=strict, items=items, cells=cells
    )
