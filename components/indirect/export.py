"""The Indirect comparisons charts for the export layer: validated figure, footnote, CSV rows.

Three charts, each rebuilt from the page's query (validated once, built once): the network graph
(its CSV holds nodes, edges, the whole league table and the P-scores), the forest of every
regimen vs the chosen reference, and the forest vs the common comparator. Every CSV also lists
the published HRs the estimates rest on, with their printed interval level and source.
"""

from __future__ import annotations

from collections.abc import Mapping

from analysis.views.indirect import SPEC, IndirectView, build
from analysis.views.indirect.rows import CSV_COLUMNS, forest_csv_rows, network_csv_rows
from components.export.bundle import ExportBundle, bundle_rows
from components.indirect.figure import (
    footnote_for,
    forest_export_figure,
    network_export_figure,
)
from data import Registry

CHART_NETWORK = "indirect-network"
CHART_REFERENCE = "indirect-forest"
CHART_COMMON = "indirect-common"


def _view(registry: Registry, query: Mapping[str, str]) -> IndirectView:
    state, _problems = SPEC.from_query(registry, query)
    return build(registry, state)


def _subject(view: IndirectView) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.trial_name for c in view.citations))


def network_bundle(registry: Registry, query: Mapping[str, str]) -> ExportBundle:
    view = _view(registry, query)
    return ExportBundle(
        kind="indirect-network",
        title=view.network_title,
        figure=network_export_figure(registry, view),
        footnote=footnote_for(registry, view),
        columns=CSV_COLUMNS,
        rows=bundle_rows(network_csv_rows(view)),
        subject=_subject(view),
        endpoint=view.endpoint,
        population=view.population,
    )


def _forest_bundle(registry: Registry, query: Mapping[str, str], against: str) -> ExportBundle:
    view = _view(registry, query)
    return ExportBundle(
        kind="indirect-forest" if against == "reference" else "indirect-common",
        title=view.forest_title(against),
        figure=forest_export_figure(registry, view, against),
        footnote=footnote_for(registry, view),
        columns=CSV_COLUMNS,
        rows=bundle_rows(forest_csv_rows(view, against)),
        subject=_subject(view),
        endpoint=view.endpoint,
        population=view.population,
    )


def network_title(registry: Registry, query: Mapping[str, str]) -> str:
    """The title :func:`network_bundle` gives the same query."""
    return _view(registry, query).network_title


def reference_title(registry: Registry, query: Mapping[str, str]) -> str:
    """The title :func:`reference_bundle` gives the same query."""
    return _view(registry, query).forest_title("reference")


def common_title(registry: Registry, query: Mapping[str, str]) -> str:
    """The title :func:`common_bundle` gives the same query."""
    return _view(registry, query).forest_title("common comparator")


def reference_bundle(registry: Registry, query: Mapping[str, str]) -> ExportBundle:
    """Every regimen vs the reference the page shows."""
    return _forest_bundle(registry, query, "reference")


def common_bundle(registry: Registry, query: Mapping[str, str]) -> ExportBundle:
    """Every regimen vs the common comparator."""
    return _forest_bundle(registry, query, "common comparator")
