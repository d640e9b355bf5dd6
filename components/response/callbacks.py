"""The Response callback: validate the controls once, take the model from the memo, render."""

from __future__ import annotations

from dash import Dash

from analysis.views.response import SPEC, build
from components import ids
from components.page import invalid_selection, register_view_update
from components.response.layout import OUTPUTS, render
from data import Registry

#: The controls in callback order, by the state attribute each one sets.
CONTROLS = (
    ("measure", ids.RESPONSE_MEASURE, "value"),
    ("population", ids.RESPONSE_POPULATION, "value"),
    ("classes", ids.RESPONSE_CLASSES, "value"),
    ("arms", ids.RESPONSE_ARMS, "value"),
    ("cutoff", ids.RESPONSE_CUTOFF, "value"),
)


def register_callbacks(app: Dash, registry: Registry) -> None:
    register_view_update(
        app,
        registry,
        key="response",
        spec=SPEC,
        build=build,
        render=render,
        controls=CONTROLS,
        outputs=OUTPUTS,
        url=ids.RESPONSE_URL,
        safe="",
        invalid=invalid_selection,
    )
