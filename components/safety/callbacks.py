"""The Safety callback: validate the controls once, take the model from the memo, render."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, no_update

from analysis.views.memo import ViewMemo
from analysis.views.safety import SPEC, SafetyModel, SafetyState, build, term_map_for
from components import ids
from components.panel import keep_memo
from components.safety.layout import render
from components.safety.tables import invalid
from data import Registry


def register_callbacks(app: Dash, registry: Registry) -> None:
    # Load (and check) the term map now: a malformed map, or one that would merge two printed
    # terms of one source table, stops the app like any other data error. The same for the
    # view's default arms (data/vocab/view_defaults.toml).
    term_map_for(registry)
    SPEC.default(registry)
    memo: ViewMemo[SafetyState, SafetyModel] = ViewMemo(build)
    keep_memo(app, "safety", memo)

    @app.callback(
        Output(ids.SAFETY_GRAPH, "figure"),
        Output(ids.SAFETY_GRAPH, "style"),
        Output(ids.SAFETY_DEFINITIONS, "children"),
        Output(ids.SAFETY_CAPTION, "children"),
        Output(ids.SAFETY_TABLE, "children"),
        Output(ids.SAFETY_MESSAGE, "children"),
        Output(ids.SAFETY_URL, "search"),
        Input(ids.SAFETY_ARMS, "value"),
        Input(ids.SAFETY_CHART, "value"),
        Input(ids.SAFETY_CATEGORY, "value"),
        Input(ids.SAFETY_GRADE, "value"),
        Input(ids.SAFETY_STRICT, "checked"),
        Input(ids.SAFETY_SORT, "value"),
        Input(ids.SAFETY_MIN, "value"),
        prevent_initial_call=True,
    )
    def update(
        arms: object,
        chart: object,
        category: object,
        grade: object,
        strict: object,
        sort: object,
        min_pct: object,
    ) -> Any:
        state, problems = SPEC.from_inputs(
            registry,
            {
                "arms": arms,
                "chart": chart,
                "category": category,
                "grade": grade,
                "strict": strict,
                "sort": sort,
                "min_pct": min_pct,
            },
        )
        if state is None:
            return (no_update,) * 5 + (invalid(problems), no_update)
        out = render(registry, memo(registry, state))
        return (
            out["figure"],
            out["style"],
            out["definitions"],
            out["caption"],
            out["table"],
            out["message"],
            SPEC.to_search(registry, state, safe=",."),
        )
