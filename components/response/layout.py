"""The Response page: controls from the validated state, and the rendered model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_mantine_components as dmc

from analysis.views.response import (
    CUTOFFS,
    MEASURES,
    POPULATIONS,
    SPEC,
    ResponseModel,
    build,
    choices,
)
from components import ids
from components.page import link_notice, one_chart, page_header, segmented, state_from_link
from components.response.figure import colours_of, figure_dict, height_px
from components.response.tables import caption_for, result_table
from data import Registry

#: The outputs in callback order, by the key of :func:`render`'s parts each one shows.
OUTPUTS = (
    ("figure", ids.RESPONSE_GRAPH, "figure"),
    ("style", ids.RESPONSE_GRAPH, "style"),
    ("caption", ids.RESPONSE_CAPTION, "children"),
    ("table", ids.RESPONSE_TABLE, "children"),
    ("message", ids.RESPONSE_MESSAGE, "children"),
)


def render(registry: Registry, model: ResponseModel) -> dict[str, Any]:
    """Everything the view shows for one model (the page and the callback use this)."""
    message = None
    if not model.rows:
        message = dmc.Alert(
            "No arm matches this selection for this measure.", color="gray", variant="light"
        )
    colours = colours_of(registry)
    return {
        "figure": figure_dict(registry, model, colours=colours),
        "style": {"height": f"{height_px(model)}px"},
        "caption": caption_for(registry, model),
        "table": result_table(registry, model, colours),
        "message": message,
    }


def layout(registry: Registry, query: Mapping[str, str]) -> Any:
    """The view for ``query`` (never raises: unknown values fall back to the defaults)."""
    found = choices(registry)
    state, problems = state_from_link(SPEC, registry, query)
    outputs = render(registry, build(registry, state))
    return dmc.Stack(
        [
            *page_header(
                "Response",
                "Objective response, disease control and complete response per arm, with exact "
                "Clopper–Pearson intervals where the counts are printed and the printed interval "
                "beside them.",
                url=ids.RESPONSE_URL,
            ),
            link_notice(problems),
            dmc.Group(
                [
                    segmented(
                        "Measure", ids.RESPONSE_MEASURE, {k: k for k in MEASURES}, state.measure
                    ),
                    segmented("Population", ids.RESPONSE_POPULATION, POPULATIONS, state.population),
                    segmented("Analyses", ids.RESPONSE_CUTOFF, CUTOFFS, state.cutoff),
                    dmc.MultiSelect(
                        id=ids.RESPONSE_CLASSES,
                        label="Regimen classes (empty = all)",
                        data=[{"value": c, "label": c} for c in found.classes],
                        value=list(state.classes),
                        clearable=True,
                        w=360,
                    ),
                    dmc.MultiSelect(
                        id=ids.RESPONSE_ARMS,
                        label="Arms (empty = all)",
                        data=[{"value": k, "label": v} for k, v in found.arms],
                        value=list(state.arms),
                        clearable=True,
                        searchable=True,
                        w=420,
                    ),
                ],
                align="flex-end",
            ),
            *one_chart(outputs, chart="response", outputs=OUTPUTS),
        ],
        gap="md",
    )
