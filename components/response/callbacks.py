"""The Response callback: validate the controls once, take the model from the memo, render."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, no_update

from analysis.views.memo import ViewMemo
from analysis.views.response import SPEC, ResponseModel, ResponseState, build
from components import ids
from components.panel import keep_memo
from components.response.layout import render
from components.response.tables import invalid
from data import Registry


def register_callbacks(app: Dash, registry: Registry) -> None:
    memo: ViewMemo[ResponseState, ResponseModel] = ViewMemo(build)
    keep_memo(app, "response", memo)

    @app.callback(
        Output(ids.RESPONSE_GRAPH, "figure"),
        Output(ids.RESPONSE_GRAPH, "style"),
        Output(ids.RESPONSE_CAPTION, "children"),
        Output(ids.RESPONSE_TABLE, "children"),
        Output(ids.RESPONSE_MESSAGE, "children"),
        Output(ids.RESPONSE_URL, "search"),
        Input(ids.RESPONSE_MEASURE, "value"),
        Input(ids.RESPONSE_POPULATION, "value"),
        Input(ids.RESPONSE_CLASSES, "value"),
        Input(ids.RESPONSE_ARMS, "value"),
        Input(ids.RESPONSE_CUTOFF, "value"),
        prevent_initial_call=True,
    )
    def update(
        measure: object, population: object, classes: object, arms: object, cutoff: object
    ) -> Any:
        values = {
            "measure": measure,
            "population": population,
            "classes": classes,
            "arms": arms,
            "cutoff": cutoff,
        }
        state, problems = SPEC.from_inputs(registry, values)
        if state is None:
            return (no_update,) * 4 + (invalid(problems), no_update)
        out = render(registry, memo(registry, state))
        return (
            out["figure"],
            out["style"],
            out["caption"],
            out["table"],
            out["message"],
            SPEC.to_search(registry, state, safe=""),
        )
