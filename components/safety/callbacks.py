"""The Safety callback: validate the controls once, take the model from the memo, render."""

from __future__ import annotations

from dash import Dash

from analysis.views.safety import SPEC, build, term_map_for
from components import ids
from components.page import register_view_update
from components.safety.layout import OUTPUTS, render
from components.safety.tables import invalid
from data import Registry

#: The controls in callback order, by the state attribute each one sets.
CONTROLS = (
    ("arms", ids.SAFETY_ARMS, "value"),
    ("chart", ids.SAFETY_CHART, "value"),
    ("category", ids.SAFETY_CATEGORY, "value"),
    ("grade", ids.SAFETY_GRADE, "value"),
    ("strict", ids.SAFETY_STRICT, "checked"),
    ("sort", ids.SAFETY_SORT, "value"),
    ("min_pct", ids.SAFETY_MIN, "value"),
)


def register_callbacks(app: Dash, registry: Registry) -> None:
    # Load (and check) the term map now: a malformed map, or one that would merge two printed
    # terms of one source table, stops the app like any other data error. The same for the
    # view's default arms (data/vocab/view_defaults.toml).
    term_map_for(registry)
    SPEC.default(registry)
    register_view_update(
        app,
        registry,
        key="safety",
        spec=SPEC,
        build=build,
        render=render,
        controls=CONTROLS,
        outputs=OUTPUTS,
        url=ids.SAFETY_URL,
        safe=",.",
        invalid=invalid,
    )
