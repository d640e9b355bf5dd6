"""The Subgroups & forest page: controls, the forest for the link's state, the seeds section."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_mantine_components as dmc
from dash import html

from analysis.views.forest import SPEC, ForestState, build, choices
from analysis.views.forest.keys import ITT, key_text, pdl1_keys
from analysis.views.forest.rules import analysis_label
from analysis.views.forest.state import AUTO, ENDPOINTS, METHODS, ForestChoices
from components import ids
from components.forest.render import render
from components.forest.seeds import seeds_block
from components.page import (
    exportable_chart,
    link_notice,
    page_header,
    population_groups,
    segmented,
    state_from_link,
)
from data import Registry


def _population_data(registry: Registry, found: ForestChoices) -> list[dict[str, Any]]:
    """Population options grouped by scoring system (systems never share a group)."""
    keys = pdl1_keys(registry)
    return population_groups(
        (k for k in found.population_keys if k in keys), itt_label=key_text(registry, ITT)
    )


def _analysis_selects(registry: Registry, found: ForestChoices, state: ForestState) -> Any:
    """One select per trial with HRs at two or more analyses (pattern-matching ids)."""
    chosen = dict(state.analyses)
    selects = []
    for trial_id, analysis_ids in found.analyses.items():
        trial = registry.trial(trial_id)
        data = [{"value": AUTO, "label": "Default (latest analysis with a CI)"}]
        data += [
            {"value": a, "label": f"{trial.analysis(a).label} — {analysis_label(trial, a)}"}
            for a in analysis_ids
        ]
        selects.append(
            dmc.Select(
                id={"type": ids.FOREST_ANALYSIS, "trial": trial_id},
                label=trial.display_name,
                data=data,
                value=chosen.get(trial_id, AUTO),
                allowDeselect=False,
                w=420,
                size="xs",
            )
        )
    return dmc.Accordion(
        dmc.AccordionItem(
            [
                dmc.AccordionControl("Analysis per trial (interim / final / update)"),
                dmc.AccordionPanel(
                    dmc.Stack(
                        [
                            dmc.Text(
                                "Default: a row flagged headline, else the trial's primary "
                                "report (primary, then interim, final, update) among the "
                                "analyses that print a CI.",
                                size="xs",
                                c="dimmed",
                            ),
                            dmc.SimpleGrid(selects, cols=2),
                        ],
                        gap=6,
                    )
                ),
            ],
            value="analyses",
        ),
        value="analyses" if chosen else None,
    )


def _controls(registry: Registry, found: ForestChoices, state: ForestState) -> list[Any]:
    endpoint = segmented("Endpoint", ids.FOREST_ENDPOINT, {e: e for e in ENDPOINTS}, state.endpoint)
    method = segmented("Random-effects τ² estimator", ids.FOREST_METHOD, METHODS, state.method)
    selects = dmc.Group(
        [
            endpoint,
            dmc.Select(
                id=ids.FOREST_COMPARISON,
                label="Comparison (regimen class vs control)",
                data=[{"value": c.key, "label": c.label} for c in found.comparisons],
                value=state.comparison,
                allowDeselect=False,
                w=320,
            ),
            dmc.Select(
                id=ids.FOREST_POPULATION,
                label="Population (PD-L1 by scoring system and cut-off)",
                data=_population_data(registry, found),
                value=state.population,
                allowDeselect=False,
                searchable=True,
                w=320,
            ),
            method,
        ],
        align="flex-end",
    )
    switches = dmc.Group(
        [
            dmc.Switch(
                id=ids.FOREST_KNAPP_HARTUNG,
                label="Knapp–Hartung adjustment",
                checked=state.knapp_hartung,
            ),
            dmc.Switch(
                id=ids.FOREST_LEAVE_ONE_OUT, label="Leave-one-out", checked=state.leave_one_out
            ),
            dmc.Switch(
                id=ids.FOREST_ACROSS_SYSTEMS,
                label="Pool across PD-L1 scoring systems (same cut-off; exploratory)",
                checked=state.across_systems,
                color="red",
            ),
        ]
    )
    return [selects, switches, _analysis_selects(registry, found, state)]


def layout(registry: Registry, query: Mapping[str, str]) -> Any:
    """The view for ``query`` (never raises: unknown values fall back to the defaults)."""
    found = choices(registry)
    state, problems = state_from_link(SPEC, registry, query)
    out = render(registry, build(registry, state))
    no_hr = ", ".join(found.no_hr)
    return dmc.Stack(
        [
            *page_header(
                "Subgroups & forest",
                "Published hazard ratios trial by trial for one endpoint and one population, "
                "each with its interval at the level the source printed, and pooled estimates "
                "within one scoring system.",
                url=ids.FOREST_URL,
            ),
            link_notice(problems),
            *_controls(registry, found, state),
            html.Div(out.messages, id=ids.FOREST_MESSAGE),
            *exportable_chart("forest", ids.FOREST_GRAPH, out.figure, out.style),
            html.Div(out.caption, id=ids.FOREST_CAPTION),
            html.Div(out.table, id=ids.FOREST_TABLE),
            html.Div(out.pooled, id=ids.FOREST_POOLED),
            html.Div(out.loo, id=ids.FOREST_LOO),
            html.Div(out.interaction, id=ids.FOREST_INTERACTION),
            dmc.Text(
                f"No randomised hazard ratio: single-arm studies ({', '.join(found.single_arm)}). "
                + (f"Randomised, but no HR in the curated sources: {no_hr}." if no_hr else ""),
                size="sm",
                c="dimmed",
            ),
            seeds_block(registry),
        ],
        gap="md",
    )
