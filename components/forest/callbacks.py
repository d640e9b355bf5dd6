"""The forest view's callback: validate the controls once, get the model, render it.

Two app-scoped memos, both keyed by the validated state: the view model, and its rendered
outputs as plain data (a state asked for again — a shared link, a toggle switched back — costs
a lookup and the JSON encoding).

The per-trial analysis selects have pattern-matching ids (``{"type": "forest-analysis",
"trial": <id>}``), so Dash sends their values and ids as two parallel lists.
:func:`analysis_choices` turns those into the ``trial -> analysis`` mapping the state's
:class:`~analysis.views.state.KeyedChoice` field validates; lists a browser cannot send
(different lengths, a trial twice, an id that is not a trial id) are refused whole.
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, Input, Output, State

from analysis.views.forest import SPEC, ForestModel, ForestState, build
from analysis.views.memo import ViewMemo
from components import ids
from components.forest.markup import plain
from components.forest.render import render
from components.forest.seeds import seeds_block
from components.page import invalid_selection, only_message
from data import Registry

#: The controls in callback order, by the :func:`state_from_inputs` keyword each one fills (the
#: per-trial analysis selects follow them, as a pattern-matching input and its ids).
CONTROLS: tuple[tuple[str, str, str], ...] = (
    ("endpoint", ids.FOREST_ENDPOINT, "value"),
    ("comparison", ids.FOREST_COMPARISON, "value"),
    ("population", ids.FOREST_POPULATION, "value"),
    ("method", ids.FOREST_METHOD, "value"),
    ("knapp_hartung", ids.FOREST_KNAPP_HARTUNG, "checked"),
    ("loo", ids.FOREST_LEAVE_ONE_OUT, "checked"),
    ("across", ids.FOREST_ACROSS_SYSTEMS, "checked"),
)


def analysis_choices(values: object, idents: object) -> dict[str, object] | None:
    """``{trial id: chosen value}`` from the pattern-matching values and ids, or None when the
    two lists are not what the page's selects send."""
    if not isinstance(values, list) or not isinstance(idents, list):
        return None
    if len(values) != len(idents):
        return None
    chosen: dict[str, object] = {}
    for value, ident in zip(values, idents, strict=True):
        trial = ident.get("trial") if isinstance(ident, dict) else None
        if not isinstance(trial, str) or trial in chosen:
            return None
        chosen[trial] = value
    return chosen


def state_from_inputs(
    registry: Registry,
    *,
    endpoint: object,
    comparison: object,
    population: object,
    method: object,
    knapp_hartung: object,
    loo: object,
    across: object,
    analysis_values: object,
    analysis_ids: object,
) -> tuple[ForestState | None, list[str]]:
    """State from the callback's values, or ``(None, problems)`` if any is off its list."""
    return SPEC.from_inputs(
        registry,
        {
            "endpoint": endpoint,
            "comparison": comparison,
            "population": population,
            "method": method,
            "knapp_hartung": knapp_hartung,
            "leave_one_out": loo,
            "across_systems": across,
            # None (not a mapping) is refused by the field, like any malformed value.
            "analyses": analysis_choices(analysis_values, analysis_ids),
        },
    )


def search_for(registry: Registry, state: ForestState) -> str:
    """The page's query string (the format links had before: ``:`` and ``,`` encoded)."""
    return SPEC.to_search(registry, state, safe="")


def register_callbacks(app: Dash, registry: Registry) -> None:
    # Start-up: read and check the seed sections file (a bad one stops the app, DATA-01) and
    # build the static seeds section once.
    seeds_block(registry)
    models: ViewMemo[ForestState, ForestModel] = ViewMemo(build)

    def rendered(registry: Registry, state: ForestState) -> tuple[Any, ...]:
        # Plain data (markup.plain): the same state's outputs are served again without being
        # rebuilt, and Dash serialises them with the C JSON encoder.
        return tuple(plain(render(registry, models(registry, state))))

    outputs: ViewMemo[ForestState, tuple[Any, ...]] = ViewMemo(rendered)
    analysis_pattern = {"type": ids.FOREST_ANALYSIS, "trial": ALL}
    controls = [Input(cid, prop) for _name, cid, prop in CONTROLS]

    @app.callback(
        Output(ids.FOREST_GRAPH, "figure"),
        Output(ids.FOREST_GRAPH, "style"),
        Output(ids.FOREST_CAPTION, "children"),
        Output(ids.FOREST_TABLE, "children"),
        Output(ids.FOREST_POOLED, "children"),
        Output(ids.FOREST_LOO, "children"),
        Output(ids.FOREST_INTERACTION, "children"),
        Output(ids.FOREST_MESSAGE, "children"),
        Output(ids.FOREST_URL, "search"),
        *controls,
        Input(analysis_pattern, "value"),
        State(analysis_pattern, "id"),
        prevent_initial_call=True,
    )
    def update(*values: object) -> tuple[Any, ...]:
        names = [name for name, _cid, _prop in CONTROLS] + ["analysis_values", "analysis_ids"]
        state, problems = state_from_inputs(registry, **dict(zip(names, values, strict=True)))
        if state is None:
            return only_message(invalid_selection(sorted(set(problems))), outputs=9, at=7)
        return (*outputs(registry, state), search_for(registry, state))
