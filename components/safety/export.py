"""The Safety chart for the export layer: figure with its footnote, and the CSV rows."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from analysis import adverse_events as ae
from analysis.views.safety import SPEC, SafetyModel, SafetyState, build
from components.charts.theme import SCREEN, ChartTheme
from components.export.bundle import ExportBundle, bundle_rows
from components.export.footnote import Footnote
from components.provenance import footnote_for
from components.safety.figure import build_figure, chart_key
from data import Registry

EXPORT_KINDS: Mapping[str, str] = {
    "summary": "ae-summary",
    "terms": "ae-terms",
    "heatmap": "ae-heatmap",
}
CSV_COLUMNS: tuple[str, ...] = (
    "chart",
    "item",
    "harmonised_term",
    "term_kind",
    "grade_slot",
    "trial_id",
    "trial",
    "arm_id",
    "arm",
    "status",
    "shown_pct",
    "qualifier",
    "recomputed_pct",
    "published_pct",
    "n",
    "N",
    "grade_band_printed",
    "category",
    "printed_term",
    "summary_item",
    "analysis",
    "not_reported_reason",
    "reporting_threshold",
    "source_level",
    "source_ref",
    "locator",
    "as_printed",
    "also_reported",
    "charted",
)


def export_footnote(registry: Registry, model: SafetyModel) -> Footnote:
    caveats = [chart_key(model), *model.definitions]
    if model.term_map_note:
        caveats.append(model.term_map_note)
    return footnote_for(
        [(registry.trial(t), ref) for t, ref in model.sources],
        data_version=registry.data_version,
        cross_trial=model.cross_trial,
        caveats=caveats,
    )


def _row(
    registry: Registry,
    chart: str,
    cell: ae.AeCell,
    *,
    item: str,
    slot: str,
    term: str = "",
    kind: str = "",
    charted: str = "yes",
) -> dict[str, object]:
    trial = registry.trial(cell.trial_id)
    arm_label = "all arms (pooled by the source)"
    if cell.arm_id is not None:
        arm_label = trial.arm(cell.arm_id).label
    return {
        "chart": chart,
        "item": item,
        "harmonised_term": term,
        "term_kind": kind,
        "grade_slot": slot,
        "trial_id": cell.trial_id,
        "trial": trial.name,
        "arm_id": cell.arm_id or "",
        "arm": arm_label,
        "status": cell.status,
        "shown_pct": cell.shown_pct,
        "qualifier": cell.qualifier or "",
        "recomputed_pct": cell.recomputed_pct,
        "published_pct": cell.published_pct,
        "n": cell.n_patients,
        "N": cell.denominator_n,
        "grade_band_printed": cell.grade_band or "",
        "category": cell.category or "",
        "printed_term": cell.printed or "",
        "summary_item": cell.summary_item or "",
        "analysis": cell.analysis_label or cell.analysis_id or "",
        "not_reported_reason": (cell.reason or "") if not cell.reported else "",
        "reporting_threshold": cell.threshold_text or "",
        "source_level": cell.source_level or "",
        "source_ref": cell.source_ref or "",
        "locator": cell.locator or "",
        "as_printed": cell.as_printed or "",
        "also_reported": " | ".join(cell.alternatives),
        "charted": charted,
    }


def _charted(term_row: ae.TermRow, slot: str, model: SafetyModel) -> str:
    if term_row.hidden_reason:
        return f"no ({term_row.hidden_reason})"
    if slot in model.charted_slots:
        return "yes"
    return "no (other grade; hover and table only)"


def csv_rows(registry: Registry, model: SafetyModel) -> list[dict[str, object]]:
    """The numbers behind the chart, one row per cell (columns :data:`CSV_COLUMNS`),
    not-reported cells included with their reason."""
    chart = model.state.chart
    rows: list[dict[str, object]] = []
    if model.summary is not None:
        for item, cells in zip(model.summary.items, model.summary.cells, strict=True):
            for cell in cells:
                rows.append(_row(registry, chart, cell, item=item.label, slot=item.key))
        return rows
    if model.terms is None:
        raise ValueError("a Safety model carries a summary or a term table")
    for term_row in (*model.terms.rows, *model.terms.table_only):
        named = {"item": term_row.term, "term": term_row.term, "kind": term_row.kind}
        for j in range(len(model.terms.arms)):
            for slot, cells in (("any", term_row.any_cells), ("high", term_row.high_cells)):
                charted = _charted(term_row, slot, model)
                rows.append(_row(registry, chart, cells[j], slot=slot, charted=charted, **named))
            for cell in term_row.other_band_cells[j]:
                charted = "no (other grade band; table only)"
                rows.append(
                    _row(registry, chart, cell, slot="other band", charted=charted, **named)
                )
    for cell in model.terms.pooled:
        rows.append(
            _row(
                registry,
                chart,
                cell,
                item=cell.printed or "",
                slot="pooled",
                charted="no (pooled across arms by the source)",
            )
        )
    return rows


def _parts(
    registry: Registry, model: SafetyModel, theme: ChartTheme
) -> tuple[go.Figure, Footnote, list[dict[str, object]]]:
    footnote = export_footnote(registry, model)
    figure = build_figure(registry, model, theme=theme, footnote=footnote)
    return figure, footnote, csv_rows(registry, model)


def figure_for(
    registry: Registry, state: SafetyState, *, theme: ChartTheme = SCREEN
) -> tuple[go.Figure, Footnote, list[dict[str, object]]]:
    """(figure with its in-figure footnote, footnote, CSV rows) for a validated ``state``."""
    return _parts(registry, build(registry, state), theme)


def export_title(registry: Registry, query: Mapping[str, str]) -> str:
    """The title :func:`export_bundle` gives the same query."""
    state, _notices = SPEC.from_query(registry, query)
    return build(registry, state).title


def export_bundle(registry: Registry, query: Mapping[str, str]) -> ExportBundle:
    """The chart for the export layer, rebuilt from the page's query (link values outside the
    allow-lists fall back to the defaults, exactly as the page shows them)."""
    state, _notices = SPEC.from_query(registry, query)
    model = build(registry, state)
    figure, footnote, rows = _parts(registry, model, SCREEN)
    return ExportBundle(
        kind=EXPORT_KINDS[state.chart],
        title=model.title,
        figure=figure,
        footnote=footnote,
        columns=CSV_COLUMNS,
        rows=bundle_rows(rows),
        subject=tuple(dict.fromkeys(name for _, name in model.trial_names)),
        endpoint=state.category,
        population=None,
    )
