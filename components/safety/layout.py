"""The Safety page: controls from the validated state, and the rendered model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_mantine_components as dmc
from dash import html

from analysis.views.safety import (
    CATEGORY_LABELS,
    CHARTS,
    GRADE_OPTIONS,
    MAX_ARMS,
    SORT_OPTIONS,
    SPEC,
    SafetyModel,
    arm_labels,
    arm_value,
    build,
    categories,
)
from components import ids
from components.page import link_notice, one_chart, page_header, segmented, state_from_link
from components.safety.figure import figure_dict, height_px
from components.safety.tables import caption_for, definitions, result_table
from data import Registry

#: The outputs in callback order, by the key of :func:`render`'s parts each one shows.
OUTPUTS = (
    ("figure", ids.SAFETY_GRAPH, "figure"),
    ("style", ids.SAFETY_GRAPH, "style"),
    ("definitions", ids.SAFETY_DEFINITIONS, "children"),
    ("caption", ids.SAFETY_CAPTION, "children"),
    ("table", ids.SAFETY_TABLE, "children"),
    ("message", ids.SAFETY_MESSAGE, "children"),
)


def render(registry: Registry, model: SafetyModel) -> dict[str, Any]:
    """Everything the view shows for one model (the page and the callback use this)."""
    figure = figure_dict(registry, model)
    return {
        "figure": figure,
        "style": {"height": f"{height_px(figure)}px"},
        "definitions": definitions(model),
        "caption": caption_for(registry, model),
        "table": result_table(registry, model),
        "message": None,
    }


def _failed() -> dict[str, Any]:
    return {
        "figure": None,
        "style": {"height": "560px"},
        "definitions": None,
        "caption": None,
        "table": None,
        "message": dmc.Alert(
            "This view could not be computed.", color="red", title="Something went wrong"
        ),
    }


def _arm_data(registry: Registry) -> list[dict[str, Any]]:
    labels = arm_labels(registry)
    return [
        {
            "group": trial.name,
            "items": [
                {"value": arm_value((trial.id, arm.id)), "label": labels[(trial.id, arm.id)]}
                for arm in trial.arms
            ],
        }
        for trial in registry.trials
    ]


def layout(registry: Registry, query: Mapping[str, str]) -> Any:
    """The view for ``query`` (never raises: unknown values fall back to the defaults)."""
    state, notices = state_from_link(SPEC, registry, query)
    try:
        out = render(registry, build(registry, state))
    except Exception:  # the callback will show the error banner; the page still renders
        out = _failed()
    category_options = {c: CATEGORY_LABELS.get(c, c) for c in categories(registry)}
    return dmc.Stack(
        [
            *page_header(
                "Safety",
                "Adverse events per arm as printed by each source, by harmonised term. "
                "Grade bands, categories (treatment-related, all-cause, immune-related) and "
                "denominators are shown with every number; a term a source did not report is "
                "marked 'not reported' with the reason, never 0.",
                url=ids.SAFETY_URL,
            ),
            html.Div(link_notice(notices), id=ids.SAFETY_NOTICE),
            dmc.Group(
                [
                    dmc.MultiSelect(
                        id=ids.SAFETY_ARMS,
                        label=f"Arms (up to {MAX_ARMS})",
                        data=_arm_data(registry),
                        value=list(state.arms),
                        maxValues=MAX_ARMS,
                        searchable=True,
                        clearable=True,
                        w=640,
                    ),
                ],
                align="flex-end",
            ),
            dmc.Group(
                [
                    segmented("Chart", ids.SAFETY_CHART, CHARTS, state.chart),
                    segmented("Category", ids.SAFETY_CATEGORY, category_options, state.category),
                    segmented("Grade (term charts)", ids.SAFETY_GRADE, GRADE_OPTIONS, state.grade),
                    segmented("Order of terms", ids.SAFETY_SORT, SORT_OPTIONS, state.sort),
                    dmc.NumberInput(
                        id=ids.SAFETY_MIN,
                        label="Minimum frequency (%)",
                        value=round(state.min_pct),
                        min=0,
                        max=100,
                        step=5,
                        allowDecimal=False,
                        allowNegative=False,
                        clampBehavior="strict",
                        w=170,
                    ),
                    dmc.Switch(
                        id=ids.SAFETY_STRICT,
                        label="Grade ≥3 exactly (hide 3–4, 3–5 and grade-3-only bands)",
                        checked=state.strict,
                    ),
                ],
                align="flex-end",
                gap="lg",
            ),
            html.Div(out["definitions"], id=ids.SAFETY_DEFINITIONS),
            *one_chart(out, chart="safety", outputs=OUTPUTS),
        ],
        gap="md",
    )
