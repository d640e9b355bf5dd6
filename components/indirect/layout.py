"""The Indirect comparisons page: controls, network graph, forests, league table, P-scores,
heterogeneity, what cannot be compared, and the published HRs every number cites."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_mantine_components as dmc
from dash import html

from analysis.views.indirect import SPEC, IndirectState, build
from analysis.views.indirect.state import (
    ANALYSIS_LABELS,
    ENDPOINT_LABELS,
    MODEL_LABELS,
    NODES_LABELS,
    population_keys,
)
from components import ids
from components.indirect.export import CHART_COMMON, CHART_NETWORK, CHART_REFERENCE
from components.indirect.render import Rendered, render
from components.page import (
    exportable_chart,
    link_notice,
    page_header,
    population_groups,
    segmented,
    state_from_link,
)
from data import Registry


def population_data(registry: Registry) -> list[dict[str, Any]]:
    """Population options grouped by scoring system (systems never share a group)."""
    return population_groups(population_keys(registry), itt_label="ITT (ESCC)")


def _controls(registry: Registry, state: IndirectState, out: Rendered) -> list[Any]:
    first = dmc.Group(
        [
            segmented(
                "Endpoint", ids.INDIRECT_ENDPOINT, {e: e for e in ENDPOINT_LABELS}, state.endpoint
            ),
            dmc.Select(
                id=ids.INDIRECT_POPULATION,
                label="Population (PD-L1 by scoring system and cut-off)",
                data=population_data(registry),
                value=state.population,
                allowDeselect=False,
                searchable=True,
                w=300,
            ),
            dmc.Select(
                id=ids.INDIRECT_REFERENCE,
                label="Reference regimen",
                data=out.reference_options,
                value=out.reference,
                allowDeselect=False,
                searchable=True,
                w=340,
            ),
        ],
        align="flex-end",
    )
    second = dmc.Group(
        [
            segmented("Nodes", ids.INDIRECT_NODES, NODES_LABELS, state.nodes),
            segmented("Analysis per trial", ids.INDIRECT_ANALYSIS, ANALYSIS_LABELS, state.analysis),
            segmented("Model", ids.INDIRECT_MODEL, MODEL_LABELS, state.model),
        ],
        align="flex-end",
    )
    across = dmc.Switch(
        id=ids.INDIRECT_ACROSS_SYSTEMS,
        label="Accept another PD-L1 scoring system with the same cut-off (exploratory)",
        checked=state.across_systems,
        color="red",
    )
    return [first, second, across]


def _section(title: str, *children: Any) -> Any:
    return dmc.Stack([dmc.Title(title, order=4), *children], gap=6)


def layout(registry: Registry, query: Mapping[str, str]) -> Any:
    """The view for ``query`` (never raises: unknown values fall back to the defaults)."""
    state, problems = state_from_link(SPEC, registry, query)
    out = render(registry, build(registry, state))
    return dmc.Stack(
        [
            *page_header(
                "Indirect comparisons",
                "Anchored comparisons of first-line regimens through their shared chemotherapy "
                "control: a network meta-analysis of the published hazard ratios, each read at "
                "the confidence level its source printed. Every estimate names the published "
                "HRs it rests on.",
            ),
            link_notice(problems, ident=ids.INDIRECT_NOTICE),
            *_controls(registry, state, out),
            html.Div(out.messages, id=ids.INDIRECT_MESSAGE),
            _section(
                "Network",
                *exportable_chart(
                    CHART_NETWORK, ids.INDIRECT_NETWORK_GRAPH, out.network_figure, out.network_style
                ),
            ),
            _section(
                "Every regimen vs the reference",
                *exportable_chart(
                    CHART_REFERENCE,
                    ids.INDIRECT_FOREST_GRAPH,
                    out.reference_figure,
                    out.reference_style,
                ),
            ),
            html.Div(
                _section(
                    "Every regimen vs the common comparator",
                    *exportable_chart(
                        CHART_COMMON, ids.INDIRECT_COMMON_GRAPH, out.common_figure, out.common_style
                    ),
                ),
                id=ids.INDIRECT_COMMON_SECTION,
                style=out.common_section_style,
            ),
            _section("League table", html.Div(out.league, id=ids.INDIRECT_LEAGUE)),
            _section("Ranking (P-scores)", html.Div(out.p_scores, id=ids.INDIRECT_PSCORES)),
            _section("Heterogeneity", html.Div(out.heterogeneity, id=ids.INDIRECT_HETEROGENEITY)),
            _section("What cannot be compared", html.Div(out.excluded, id=ids.INDIRECT_EXCLUDED)),
            _section(
                "Published HRs behind every estimate",
                html.Div(out.citations, id=ids.INDIRECT_CITATIONS),
            ),
            html.Div(out.caption, id=ids.INDIRECT_CAPTION),
        ],
        gap="md",
    )
