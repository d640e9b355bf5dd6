"""The Indirect comparisons charts from the view model: the network graph and two forests.

The page gets plain figure dicts; exports get validated ``go.Figure`` objects of the same dicts
with the provenance footnote drawn inside. Forest rows carry, in their right-hand column, whether
the numbers [n] of the published HRs the estimate rests on (the list on the page, the footnote
and the CSV in exports); whether it is direct or indirect is in its hover and the CSV.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.views.indirect.model import EstimateRow, IndirectView
from analysis.views.indirect.rows import evidence_text
from components import provenance
from components.charts.forest import (
    ForestOptions,
    ForestRow,
    build_forest_figure,
    figure_height_px,
    forest_figure_dict,
)
from components.charts.network import (
    GraphEdge,
    GraphNode,
    NetworkOptions,
    build_network_figure,
    grid_rows,
    network_figure_dict,
)
from components.charts.palette import ARM_COLOURS
from components.charts.theme import escape_plotly_text
from components.export.footnote import Footnote
from data import Registry

if TYPE_CHECKING:
    import plotly.graph_objects as go

ESTIMATE_COLOUR = ARM_COLOURS[0]
#: Rows the forest figure adds to the estimate rows (header and margins).
EXTRA_ROWS = 2
#: Screen height of the network graph per row of parts (a disconnected network has several).
NETWORK_ROW_PX = 520


def cite_marks(view: IndirectView, row: EstimateRow) -> str:
    """ "[2, 5]": the numbers of the published HRs an estimate rests on."""
    return "[" + ", ".join(str(view.citation_number(k)) for k in row.evidence_keys) + "]"


def footnote_for(registry: Registry, view: IndirectView) -> Footnote:
    """Export footnote: the sources of every cited HR, the caveats, the data version."""
    refs = [(registry.trial(c.trial_id), c.source_ref) for c in view.citations if c.source_ref]
    notes = list(view.caveats)
    if view.network_heterogeneity is not None:
        notes.append(view.network_heterogeneity.text)
    notes += [
        f"[{i + 1}] {c.trial_name}: HR {c.hazard_ratio:g} ({c.ci_level_percent:g}% CI "
        f"{c.ci_lower:g}–{c.ci_upper:g})"
        for i, c in enumerate(view.citations)
    ]
    return provenance.footnote_for(refs, data_version=registry.data_version, caveats=notes)


def _forest_rows(view: IndirectView, rows: tuple[EstimateRow, ...]) -> list[ForestRow]:
    return [
        ForestRow(
            key=r.treatment,
            label=r.treatment_label,
            detail=f"vs {r.comparator_label} · {evidence_text(r)} · HRs {cite_marks(view, r)}",
            colour=ESTIMATE_COLOUR,
            # Two decimals, as in the league table (the CSV keeps every digit).
            hazard_ratio=round(r.hr, 2),
            ci_lower=round(r.ci_lower, 2),
            ci_upper=round(r.ci_upper, 2),
            ci_level_percent=100 * r.ci_level,
            n_text=cite_marks(view, r),
            pooled=True,
        )
        for r in rows
    ]


def _forest_inputs(
    registry: Registry, view: IndirectView, against: str, with_footnote: bool
) -> tuple[list[ForestRow], ForestOptions]:
    rows = view.forest_vs_reference if against == "reference" else view.forest_vs_common
    footnote = None
    if with_footnote:
        lines = footnote_for(registry, view).lines()
        footnote = "<br>".join(escape_plotly_text(line) for line in lines)
    options = ForestOptions(
        title=view.forest_title(against),
        favours_left="Favours regimen",
        favours_right="Favours reference" if against == "reference" else "Favours comparator",
        n_header="HRs used",
        footnote=footnote,
    )
    return _forest_rows(view, rows), options


def forest_figure(registry: Registry, view: IndirectView, against: str) -> dict[str, Any]:
    """The page's forest vs the reference or the common comparator (plain dict)."""
    rows, options = _forest_inputs(registry, view, against, with_footnote=False)
    return forest_figure_dict(rows, (), options)


def forest_export_figure(registry: Registry, view: IndirectView, against: str) -> go.Figure:
    rows, options = _forest_inputs(registry, view, against, with_footnote=True)
    return build_forest_figure(rows, (), options)


def forest_height(view: IndirectView, against: str) -> str:
    rows = view.forest_vs_reference if against == "reference" else view.forest_vs_common
    return f"{figure_height_px(len(rows) + EXTRA_ROWS)}px"


def _graph_inputs(view: IndirectView) -> tuple[list[GraphNode], list[GraphEdge]]:
    nodes = [
        GraphNode(
            id=n.id,
            label=n.label,
            n_patients=n.n_patients,
            n_arms_unknown=n.n_arms_unknown,
            trial_names=n.trial_names,
            hub=n.is_common_comparator or n.id.startswith("chemo"),
            reference=n.is_reference,
            part=n.component,
        )
        for n in view.nodes
    ]
    edges = [GraphEdge(e.node_a, e.node_b, e.trial_names, e.published) for e in view.edges]
    return nodes, edges


def network_height(view: IndirectView) -> str:
    rows = grid_rows(len({n.component for n in view.nodes}))
    return f"{NETWORK_ROW_PX + (rows - 1) * (NETWORK_ROW_PX - 120)}px"


def network_figure(view: IndirectView) -> dict[str, Any]:
    """The page's network graph (plain dict)."""
    return network_figure_dict(*_graph_inputs(view), NetworkOptions(title=view.network_title))


def network_export_figure(registry: Registry, view: IndirectView) -> go.Figure:
    lines = footnote_for(registry, view).lines()
    footnote = "<br>".join(escape_plotly_text(line) for line in lines)
    options = NetworkOptions(title=view.network_title, footnote=footnote)
    return build_network_figure(*_graph_inputs(view), options)
