"""Safety model -> the table under the chart, the definitions box and the caption.

Tables are plain ``html.Table`` rows with few props: a term view of ten arms has hundreds of
rows, and every extra component or prop is serialised on each update.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import html

from analysis import adverse_events as ae
from analysis.views.safety import NO_ARM, SafetyModel
from components.charts.ae_labels import band_mark
from components.export.footnote import SourceRef
from components.page import invalid_selection
from components.provenance import NR_NOT_REPORTED, caption, citation_links, source_badge
from components.safety.figure import chart_key
from components.wire import el
from data import Registry

#: Rows shown under the chart; the rest are in the chart's CSV export (a ten-arm term view
#: can have thousands of cells, which a browser table does not need to hold).
MAX_TABLE_ROWS = 600
VALUE = "escc-value"


def _fmt(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def source_text(registry: Registry, cell: ae.AeCell) -> str:
    """Short plain-text source (links and level badges are in the caption, once per source)."""
    if not cell.source_ref:
        return cell.locator or "—"
    trial = registry.trial(cell.trial_id)
    short = SourceRef.from_publication(trial.publication(cell.source_ref)).short
    parts = [short, cell.source_level or "source level not recorded"]
    parts.extend(p for p in (cell.locator, cell.analysis_label) if p)
    return " · ".join(parts)


def cell_text(cell: ae.AeCell) -> str:
    """``"54% (27/50)"``, ``"47% grade 3–4 (N not stated)"`` or ``"not reported"``."""
    if not cell.reported:
        return NR_NOT_REPORTED
    text = cell.value_text()
    mark = band_mark(cell)
    if mark:
        text += f" {mark}"
    return f"{text} ({cell.count_text()})"


def notes_text(cell: ae.AeCell) -> str:
    parts = []
    if not cell.reported and cell.reason:
        parts.append(f"{NR_NOT_REPORTED}: {cell.reason}")
    if cell.differs and cell.published_pct is not None:
        parts.append(
            f"recomputed {_fmt(cell.recomputed_pct)}% from n/N; printed {_fmt(cell.published_pct)}%"
        )
    if cell.as_printed:
        parts.append(f"as printed: {cell.as_printed}")
    if cell.note:
        parts.append(cell.note)
    parts.extend(f"also reported: {alt}" for alt in cell.alternatives)
    return "; ".join(parts)


def _row(texts: Sequence[str], value_columns: Sequence[int]) -> Any:
    # Plain data (components.wire.el): a term table has hundreds of rows, and constructing
    # html.Td components was most of a new state's render time (issue 11, session 5).
    return el(
        "Tr",
        [
            el("Td", t, className=VALUE) if i in value_columns else el("Td", t)
            for i, t in enumerate(texts)
        ],
    )


def _table(headers: Sequence[str], body: list[Any]) -> Any:
    children: list[Any] = [
        html.Table(
            [
                html.Thead(html.Tr([html.Th(h) for h in headers])),
                html.Tbody(body[:MAX_TABLE_ROWS]),
            ],
            className="escc-detail-table",
        )
    ]
    truncated = max(0, len(body) - MAX_TABLE_ROWS)
    if truncated:
        children.append(
            dmc.Text(
                f"{truncated} more rows are in the CSV export of this chart.", size="xs", c="dimmed"
            )
        )
    return html.Div(children)


SUMMARY_HEADERS = (
    "Item",
    "Arm",
    "Value (n/N of the safety population)",
    "Category; grade band as printed",
    "Printed as",
    "Source",
    "Notes",
)
TERM_HEADERS = (
    "Harmonised term",
    "Arm",
    "Any grade (n/N)",
    "Grade ≥3 as reported (n/N)",
    "Other grade bands as printed",
    "Printed as",
    "Source",
    "Notes",
)


def summary_table(registry: Registry, model: SafetyModel, table: ae.SummaryTable) -> Any:
    body = [
        _row(
            (
                item.label,
                label,
                cell_text(cell),
                f"{cell.category or '—'}; "
                f"{ae.band_label(cell.grade_band) if cell.grade_band else '—'}",
                cell.printed or "—",
                source_text(registry, cell),
                notes_text(cell),
            ),
            (2,),
        )
        for item, cells in zip(table.items, table.cells, strict=True)
        for label, cell in zip(model.labels, cells, strict=True)
    ]
    return _table(SUMMARY_HEADERS, body)


def _term_rows(
    registry: Registry, model: SafetyModel, term_row: ae.TermRow, status: str
) -> list[Any]:
    rows = []
    for j, label in enumerate(model.labels):
        if j in model.blanket_arms:
            continue
        any_cell, high_cell = term_row.any_cells[j], term_row.high_cells[j]
        others = term_row.other_band_cells[j]
        source_cell = any_cell if any_cell.reported else high_cell
        printed = {c.printed for c in (any_cell, high_cell, *others) if c.printed}
        notes = [status] if status else []
        seen: set[str] = set()
        for grade, cell in (("any grade", any_cell), ("grade ≥3", high_cell)):
            text = notes_text(cell)
            if text and text not in seen:
                seen.add(text)
                notes.append(f"{grade}: {text}")
        kind = f" [{term_row.kind}]" if term_row.kind != "term" else ""
        bands = "; ".join(
            f"{ae.band_label(c.grade_band or 'any')}: {c.value_text()} ({c.count_text()})"
            for c in others
        )
        rows.append(
            _row(
                (
                    term_row.term + kind,
                    label,
                    cell_text(any_cell),
                    cell_text(high_cell),
                    bands or "—",
                    ", ".join(sorted(printed)) or "—",
                    source_text(registry, source_cell) if source_cell.reported else "—",
                    "; ".join(notes),
                ),
                (2, 3),
            )
        )
    return rows


def term_table(registry: Registry, model: SafetyModel, table: ae.TermTable) -> Any:
    body: list[Any] = []
    first = next(iter(table.rows or table.table_only), None)
    for j in model.blanket_arms:
        reason = first.any_cells[j].reason if first else None
        body.append(
            _row(
                (
                    "every term",
                    model.labels[j],
                    NR_NOT_REPORTED,
                    NR_NOT_REPORTED,
                    "—",
                    "—",
                    "—",
                    reason or "—",
                ),
                (2, 3),
            )
        )
    for term_row in table.rows:
        body.extend(_term_rows(registry, model, term_row, ""))
    for term_row in table.table_only:
        body.extend(_term_rows(registry, model, term_row, f"not charted: {term_row.hidden_reason}"))
    for cell in table.pooled:
        body.append(
            _row(
                (
                    cell.printed or "—",
                    f"{registry.trial(cell.trial_id).name}: all arms (pooled)",
                    cell_text(cell) if cell.grade_band == "any" else "—",
                    cell_text(cell) if cell.grade_band != "any" else "—",
                    ae.band_label(cell.grade_band or "any"),
                    cell.printed or "—",
                    source_text(registry, cell),
                    "pooled across arms by the source: not charted per arm",
                ),
                (2, 3),
            )
        )
    return _table(TERM_HEADERS, body)


def result_table(registry: Registry, model: SafetyModel) -> Any:
    if model.summary is not None:
        return summary_table(registry, model, model.summary)
    if model.terms is None:
        raise ValueError("a Safety model carries a summary or a term table")
    return term_table(registry, model, model.terms)


def definitions(model: SafetyModel) -> Any:
    return dmc.Alert(
        html.Ul(
            [html.Li(note) for note in model.definitions],
            style={"margin": 0, "paddingLeft": "1.1rem"},
        ),
        title="Definitions (they differ between trials: read before comparing)",
        color="blue",
        variant="light",
    )


def caption_for(registry: Registry, model: SafetyModel) -> Any:
    """Sources with links and level badges, once per trial; the chart key; data version."""
    by_trial: dict[str, list[str]] = {}
    for trial_id, ref in model.sources:
        by_trial.setdefault(trial_id, []).append(ref)
    parts: list[Any] = []
    for trial_id, refs in by_trial.items():
        trial = registry.trial(trial_id)
        levels = list(dict.fromkeys(trial.publication(ref).level for ref in refs))
        parts.append(
            html.Span(
                [
                    f"{trial.name}: ",
                    *citation_links(trial, refs),
                    " ",
                    *[source_badge(level) for level in levels],
                ]
            )
        )
    notes = [chart_key(model)]
    if model.term_map_note:
        notes.append(model.term_map_note)
    return caption(
        parts, data_version=registry.data_version, cross_trial=model.cross_trial, notes=notes
    )


def invalid(problems: Sequence[str]) -> Any:
    """The message instead of a recomputed view (nothing chosen, or a value off its list)."""
    if list(problems) == [NO_ARM]:
        return dmc.Alert("Choose at least one arm to compare.", color="gray", title="No arm chosen")
    return invalid_selection(problems)
