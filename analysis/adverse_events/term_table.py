"""The term table: one row per harmonised term, one cell per arm, and pooled cells.

Part of :mod:`analysis.adverse_events` (the package docstring states the rules).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.adverse_events.cells import (
    AeCell,
    cell_from_row,
    choose,
    found_elsewhere,
    not_reported,
    parse_threshold_pct,
    pct,
)
from analysis.adverse_events.summary import (
    bands_for,
    check_arms,
    check_category,
    comparable_categories,
)
from analysis.adverse_events.terms import TermEntry, TermMap, term_entry
from analysis.adverse_events.vocab import SORTS, ArmKey, Grade, NrKind
from data.registry import Registry
from data.schema import AdverseEventResult, Trial


@dataclass(frozen=True)
class TermRow:
    """One harmonised term across the chosen arms (cells in arm order).

    ``frequency_pct`` is the largest shown percentage of the primary grade across arms (used
    for sorting and the minimum-frequency filter); ``hidden_reason`` says why a row is in the
    table but not in the chart.
    """

    term: str
    kind: str
    printed_terms: tuple[str, ...]
    any_cells: tuple[AeCell, ...]
    high_cells: tuple[AeCell, ...]
    other_band_cells: tuple[tuple[AeCell, ...], ...]
    frequency_pct: float | None
    secondary_pct: float | None
    hidden_reason: str | None = None


@dataclass(frozen=True)
class TermTable:
    """Harmonised terms x arms for one category: ``rows`` charted in display order,
    ``table_only`` listed under the chart (below the minimum frequency, or reported only in
    other grade bands), ``pooled`` rows the source gives for all arms together."""

    arms: tuple[ArmKey, ...]
    category: str
    grade: str
    strict: bool
    min_pct: float
    sort: str
    rows: tuple[TermRow, ...]
    table_only: tuple[TermRow, ...]
    pooled: tuple[AeCell, ...]
    thresholds: tuple[tuple[ArmKey, str | None], ...]
    unmapped: tuple[str, ...] = ()  # printed terms shown as printed (no reviewed mapping)


def _arm_threshold(rows: Sequence[AdverseEventResult]) -> str | None:
    texts = Counter(r.reporting_threshold for r in rows if r.reporting_threshold)
    return texts.most_common(1)[0][0] if texts else None


def _term_cell(
    trial: Trial,
    arm_id: str,
    term: str,
    grade: Grade,
    *,
    kind: str,
    category: str,
    strict: bool,
    arm_rows: Sequence[tuple[AdverseEventResult, TermEntry]],
    all_term_rows: Sequence[tuple[AdverseEventResult, TermEntry]],
) -> AeCell:
    bands = bands_for(grade, strict)
    mine = [r for r, e in arm_rows if e.harmonised == term]
    cell = choose(trial, mine, bands=bands)
    if cell is not None and cell.reported:
        return cell
    if cell is not None:  # explicit not-reported row for this term and band
        return cell
    table_rows = [r for r, e in arm_rows if e.kind != "not-a-term"]
    threshold = _arm_threshold(table_rows)
    threshold_pct = parse_threshold_pct(threshold)
    extra: dict[str, Any] = {"threshold_text": threshold, "threshold_pct": None}
    other_band = found_elsewhere(trial, mine)
    if other_band:
        base = "this grade band not given"
        reason = f"{base}; reported as {other_band}"
        return not_reported(trial.id, arm_id, category, "other-band", reason, **extra)
    other_cat_rows = [
        r
        for r, e in all_term_rows
        if e.harmonised == term
        and r.arm == arm_id
        and r.category != category
        and comparable_categories(r.category, category)
    ]
    cat_hint = found_elsewhere(trial, [r for r in other_cat_rows if r.grade_band in bands])
    hint = f"; reported as {cat_hint}" if cat_hint else ""
    if not table_rows:
        pooled = [r for r, _ in all_term_rows if r.arm is None and r.category == category]
        gaps = [r for r, e in arm_rows if e.kind == "not-a-term" and r.status != "reported"]
        if pooled:
            reason = "the source pools all arms for term-level rows (see the pooled rows)"
            return not_reported(trial.id, arm_id, category, "pooled", reason + hint, **extra)
        reason = f"no term-level {category} AE table for this arm in the curated sources"
        if gaps:
            reason += " (" + "; ".join(f"{g.term}: {g.reason}" for g in gaps if g.reason) + ")"
        nr_kind: NrKind = "other-category" if cat_hint else "no-table"
        return not_reported(trial.id, arm_id, category, nr_kind, reason + hint, **extra)
    if kind != "term":
        # A grouped or serious-only row is the source's own construct: its absence elsewhere
        # says nothing about frequency, so no threshold applies.
        reason = f"the source does not report this {kind} category"
        return not_reported(trial.id, arm_id, category, "not-listed", reason + hint, **extra)
    if threshold_pct is not None:
        extra["threshold_pct"] = threshold_pct
        reason = f"below threshold: the source lists terms ≥{pct(threshold_pct)} ({threshold})"
        return not_reported(trial.id, arm_id, category, "below-threshold", reason + hint, **extra)
    if threshold:
        reason = f"not listed in the source table; inclusion rule: {threshold}"
    else:
        reason = "not listed in the source; it states no inclusion threshold"
    return not_reported(trial.id, arm_id, category, "not-listed", reason + hint, **extra)


def _max(cells: Iterable[AeCell]) -> float | None:
    values = [c.shown_pct for c in cells if c.reported and c.shown_pct is not None]
    return max(values) if values else None


def term_table(
    registry: Registry,
    term_map: TermMap,
    arms: Sequence[ArmKey],
    category: str = "treatment-related",
    *,
    grade: str = "both",
    strict: bool = False,
    min_pct: float = 0.0,
    sort: str = "freq",
) -> TermTable:
    """Harmonised term rows for ``arms`` in one ``category``.

    ``grade`` ("both", "any" or "high") chooses the primary grade for sorting and the
    minimum-frequency filter (any grade unless "high"; a term never reported at the primary
    grade falls back to the other). Terms are in ONE order for all arms: by descending
    frequency (then the other grade, then name) or alphabetically. Terms below ``min_pct`` in
    every arm, and terms reported only in other grade bands, go to ``table_only`` with the
    reason. Raises ``KeyError``/``ValueError`` on unknown arms or options.
    """
    check_category(category)
    check_arms(registry, arms)
    if grade not in ("both", "any", "high"):
        raise ValueError(f"unknown grade {grade!r}")
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    if not (isinstance(min_pct, (int, float)) and math.isfinite(min_pct) and 0 <= min_pct <= 100):
        raise ValueError(f"min_pct must be within 0-100, got {min_pct!r}")
    trials = {trial_id: registry.trial(trial_id) for trial_id, _ in arms}
    all_rows: dict[str, list[tuple[AdverseEventResult, TermEntry]]] = {}
    for trial_id, trial in trials.items():
        mapped = []
        for row in trial.adverse_events:
            if row.summary_item is not None:
                continue
            mapped.append((row, term_entry(term_map, row.term)))
        all_rows[trial_id] = mapped
    per_arm = {
        (trial_id, arm_id): [
            (r, e) for r, e in all_rows[trial_id] if r.arm == arm_id and r.category == category
        ]
        for trial_id, arm_id in arms
    }
    terms: dict[str, set[str]] = {}
    for rows in per_arm.values():
        for row, entry in rows:
            if entry.kind != "not-a-term":
                terms.setdefault(entry.harmonised, set()).add(row.term)
    built: list[TermRow] = []
    for term, printed in terms.items():
        any_cells: list[AeCell] = []
        high_cells: list[AeCell] = []
        others: list[tuple[AeCell, ...]] = []
        for trial_id, arm_id in arms:
            trial = trials[trial_id]
            rows = per_arm[(trial_id, arm_id)]
            kwargs: dict[str, Any] = {
                "kind": term_map.kind_of(term) or "term",  # stand-ins are plain terms
                "category": category,
                "strict": strict,
                "arm_rows": rows,
                "all_term_rows": all_rows[trial_id],
            }
            any_cells.append(_term_cell(trial, arm_id, term, "any", **kwargs))
            high_cells.append(_term_cell(trial, arm_id, term, "high", **kwargs))
            # Bands not drawn (grade 1-2, 3, 4, 5 beside a ">=3" row ...) stay in the table.
            used = {"any"} | {c.grade_band for c in (any_cells[-1], high_cells[-1]) if c.reported}
            others.append(
                tuple(
                    cell_from_row(trial, r)
                    for r, e in rows
                    if e.harmonised == term and r.grade_band not in used
                )
            )
        primary, secondary = (high_cells, any_cells) if grade == "high" else (any_cells, high_cells)
        freq, second = _max(primary), _max(secondary)
        if freq is None:
            freq, second = second, None
        hidden = None
        if freq is None:
            hidden = "reported only in other grade bands"
        elif freq < min_pct:
            hidden = f"below the minimum frequency ({pct(min_pct)}) in every chosen arm"
        built.append(
            TermRow(
                term=term,
                kind=term_map.kind_of(term) or "term",
                printed_terms=tuple(sorted(printed)),
                any_cells=tuple(any_cells),
                high_cells=tuple(high_cells),
                other_band_cells=tuple(others),
                frequency_pct=freq,
                secondary_pct=second,
                hidden_reason=hidden,
            )
        )
    if sort == "alpha":
        built.sort(key=lambda r: r.term.casefold())
    else:
        built.sort(
            key=lambda r: (
                -(r.frequency_pct if r.frequency_pct is not None else -1.0),
                -(r.secondary_pct if r.secondary_pct is not None else -1.0),
                r.term.casefold(),
            )
        )
    thresholds = tuple(
        (key, _arm_threshold([r for r, e in per_arm[key] if e.kind != "not-a-term"]))
        for key in arms
    )
    return TermTable(
        arms=tuple(arms),
        category=category,
        grade=grade,
        strict=strict,
        min_pct=float(min_pct),
        sort=sort,
        rows=tuple(r for r in built if r.hidden_reason is None),
        table_only=tuple(r for r in built if r.hidden_reason is not None),
        pooled=pooled_cells(registry, tuple(trials), category),
        thresholds=thresholds,
        unmapped=tuple(
            sorted(
                {
                    r.term
                    for rows in per_arm.values()
                    for r, _ in rows
                    if term_map.get(r.term) is None
                }
            )
        ),
    )


def pooled_cells(
    registry: Registry, trial_ids: Sequence[str], category: str | None = None
) -> tuple[AeCell, ...]:
    """Rows a source reports for all arms together (``arm`` empty): never charted per arm,
    listed under the chart so they are not silently dropped."""
    out: list[AeCell] = []
    for trial_id in dict.fromkeys(trial_ids):
        trial = registry.trial(trial_id)
        for row in trial.adverse_events:
            if row.arm is None and (category is None or row.category == category):
                out.append(cell_from_row(trial, row))
    return tuple(out)
