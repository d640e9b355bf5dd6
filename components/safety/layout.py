"""The Safety page: controls from the validated state, and the rendered model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_mantine_components as dmc
from dash import dcc, html

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
from components.export_menu import export_controls
from components.graph import graph
from components.safety.figure import figure_dict, height_px
from components.safety.tables import caption_for, definitions, result_table
from data import Registry


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


def _control(label: str, component: Any) -> Any:
    return dmc.Stack([dmc.Text(label, size="sm", fw=500), component], gap=2)


def _segments(component_id: str, options: Mapping[str, str], value: str) -> Any:
    return dmc.SegmentedControl(
        id=component_id, data=[{"value": k, "label": v} for k, v in options.items()], value=value
    )


def layout(registry: Registry, query: Mapping[str, str]) -> Any:
    """The view for ``query`` (never raises: unknown values fall back to the defaults)."""
    try:
        state, notices = SPEC.from_query(registry, query)
    except Exception:  # a link must never break the page
        state, notices = SPEC.default(registry), ["the whole link"]
    try:
        out = render(registry, build(registry, state))
    except Exception:  # the callback will show the error banner; the page still renders
        out = _failed()
    notice = (
        dmc.Alert(
            "Some settings in the link were not recognised and were reset: "
            + "; ".join(notices[:8]),
            color="yellow",
            title="Link settings reset",
        )
        if notices
        else None
    )
    category_options = {c: CATEGORY_LABELS.get(c, c) for c in categories(registry)}
    return dmc.Stack(
        [
            dcc.Location(id=ids.SAFETY_URL, refresh=False),
            dmc.Title("Safety", order=2),
            dmc.Text(
                "Adverse events per arm as printed by each source, by harmonised term. "
                "Grade bands, categories (treatment-related, all-cause, immune-related) and "
                "denominators are shown with every number; a term a source did not report is "
                "marked 'not reported' with the reason, never 0.",
                size="sm",
                c="dimmed",
            ),
            html.Div(notice, id=ids.SAFETY_NOTICE),
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
                    _control("Chart", _segments(ids.SAFETY_CHART, CHARTS, state.chart)),
                    _control(
                        "Category", _segments(ids.SAFETY_CATEGORY, category_options, state.category)
                    ),
                    _control(
                        "Grade (term charts)",
                        _segments(ids.SAFETY_GRADE, GRADE_OPTIONS, state.grade),
                    ),
                    _control(
                        "Order of terms", _segments(ids.SAFETY_SORT, SORT_OPTIONS, state.sort)
                    ),
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
            html.Div(out["message"], id=ids.SAFETY_MESSAGE),
            export_controls("safety"),
            graph(
                ids.SAFETY_GRAPH,
                out["figure"],
                filename="escc-safety",
                height=out["style"]["height"],
            ),
            html.Div(out["caption"], id=ids.SAFETY_CAPTION),
            html.Div(out["table"], id=ids.SAFETY_TABLE),
        ],
        gap="md",
    )
