"""The Response chart for the export layer: figure with its footnote, and the CSV rows."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from analysis.views.response import SPEC, ResponseModel, ResponseState, build
from components.export.bundle import ExportBundle, bundle_rows
from components.export.footnote import Footnote
from components.response.figure import build_figure, footnote_for
from components.response.tables import exact_text
from data import Registry

CSV_COLUMNS: tuple[str, ...] = (
    "trial",
    "arm",
    "regimen_class",
    "group",
    "measure",
    "population",
    "analysis",
    "status",
    "reason",
    "rate_percent",
    "responders",
    "denominator",
    "counts_derived",
    "cp_ci_lower_percent",
    "cp_ci_upper_percent",
    "printed_ci_lower_percent",
    "printed_ci_upper_percent",
    "printed_ci_level_percent",
    "printed_matches_cp",
    "derived_count_check",
    "confirmed",
    "assessor",
    "criteria",
    "median_dor",
    "source_level",
    "source_locator",
)


def csv_rows(model: ResponseModel) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for r in model.rows:
        exact = r.exact_check
        out.append(
            {
                "trial": r.trial_name,
                "arm": r.arm_label,
                "regimen_class": r.regimen_class,
                "group": r.group,
                "measure": model.state.measure,
                "population": r.population_label,
                "analysis": r.analysis_label,
                "status": r.status,
                "reason": r.reason,
                "rate_percent": r.rate_percent,
                "responders": r.successes,
                "denominator": r.n,
                "counts_derived": "yes" if r.counts_derived else "no",
                "cp_ci_lower_percent": r.cp_lower_percent,
                "cp_ci_upper_percent": r.cp_upper_percent,
                "printed_ci_lower_percent": r.printed_ci[0] if r.printed_ci else None,
                "printed_ci_upper_percent": r.printed_ci[1] if r.printed_ci else None,
                "printed_ci_level_percent": r.printed_ci_level,
                "printed_matches_cp": None if r.check is None else r.check.matches,
                "derived_count_check": exact_text(exact) if exact else None,
                "confirmed": r.confirmed,
                "assessor": r.assessor,
                "criteria": r.criteria,
                "median_dor": r.dor_text,
                "source_level": r.source_level,
                "source_locator": r.locator,
            }
        )
    return out


def _parts(
    registry: Registry, model: ResponseModel
) -> tuple[go.Figure, Footnote, list[dict[str, object]]]:
    footnote = footnote_for(registry, model)
    return build_figure(registry, model, footnote=footnote), footnote, csv_rows(model)


def figure_for(
    registry: Registry, state: ResponseState
) -> tuple[go.Figure, Footnote, list[dict[str, object]]]:
    """(figure with in-figure footnote, footnote, CSV rows) for a valid ``state``.

    Columns of the CSV rows: :data:`CSV_COLUMNS`.
    """
    return _parts(registry, build(registry, state))


def export_title(registry: Registry, query: Mapping[str, str]) -> str:
    """The title :func:`export_bundle` gives the same query."""
    state, _problems = SPEC.from_query(registry, query)
    return build(registry, state).title


def export_bundle(registry: Registry, query: Mapping[str, str]) -> ExportBundle:
    """The chart as the export layer wants it, rebuilt from the page's query (defaults for
    anything the query gets wrong, exactly as the page shows it)."""
    state, _problems = SPEC.from_query(registry, query)
    model = build(registry, state)
    figure, footnote, rows = _parts(registry, model)
    return ExportBundle(
        kind="response",
        title=model.title,
        figure=figure,
        footnote=footnote,
        columns=CSV_COLUMNS,
        rows=bundle_rows(rows),
        subject=(),
        endpoint=state.measure,
        population=state.population,
    )
