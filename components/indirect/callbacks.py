"""The Indirect comparisons callback: validate the controls once, get the model, render it.

Two app-scoped memos keyed by the validated state: the view model, and its rendered outputs.
The reference select is both an input and an output: the callback writes back the reference the
model used (a reference absent from the chosen network falls back to the common comparator, and
the message says so) and the options of the network now shown.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dash import Dash, Input, Output

from analysis.views.indirect import SPEC, IndirectState, IndirectView, build
from analysis.views.memo import ViewMemo
from components import ids
from components.indirect.render import Rendered, render
from components.page import invalid_selection, only_message
from data import Registry

__all__ = ["CONTROLS", "canonical_state", "register_callbacks", "render", "state_from_inputs"]

#: The controls in callback order, by the :func:`state_from_inputs` keyword each one fills.
CONTROLS: tuple[tuple[str, str, str], ...] = (
    ("endpoint", ids.INDIRECT_ENDPOINT, "value"),
    ("population", ids.INDIRECT_POPULATION, "value"),
    ("across", ids.INDIRECT_ACROSS_SYSTEMS, "checked"),
    ("analysis", ids.INDIRECT_ANALYSIS, "value"),
    ("nodes", ids.INDIRECT_NODES, "value"),
    ("reference", ids.INDIRECT_REFERENCE, "value"),
    ("model", ids.INDIRECT_MODEL, "value"),
)


def state_from_inputs(
    registry: Registry,
    *,
    endpoint: object,
    population: object,
    across: object,
    analysis: object,
    nodes: object,
    reference: object,
    model: object,
) -> tuple[IndirectState | None, list[str]]:
    """State from the callback's values, or ``(None, problems)`` if any is off its list."""
    return SPEC.from_inputs(
        registry,
        {
            "endpoint": endpoint,
            "population": population,
            "across_systems": across,
            "analysis": analysis,
            "nodes": nodes,
            "reference": reference,
            "model": model,
        },
    )


def canonical_state(state: IndirectState, view: IndirectView) -> IndirectState:
    """The state the page shows: the reference the model used, or None for the comparator."""
    used = None if view.reference == view.common_node else view.reference
    return replace(state, reference=used)


def register_callbacks(app: Dash, registry: Registry) -> None:
    models: ViewMemo[IndirectState, IndirectView] = ViewMemo(build)

    def rendered(registry: Registry, state: IndirectState) -> Rendered:
        return render(registry, models(registry, state))

    outputs: ViewMemo[IndirectState, Rendered] = ViewMemo(rendered)

    @app.callback(
        Output(ids.INDIRECT_NETWORK_GRAPH, "figure"),
        Output(ids.INDIRECT_NETWORK_GRAPH, "style"),
        Output(ids.INDIRECT_FOREST_GRAPH, "figure"),
        Output(ids.INDIRECT_FOREST_GRAPH, "style"),
        Output(ids.INDIRECT_COMMON_GRAPH, "figure"),
        Output(ids.INDIRECT_COMMON_GRAPH, "style"),
        Output(ids.INDIRECT_COMMON_SECTION, "style"),
        Output(ids.INDIRECT_REFERENCE, "data"),
        Output(ids.INDIRECT_REFERENCE, "value"),
        Output(ids.INDIRECT_MESSAGE, "children"),
        Output(ids.INDIRECT_LEAGUE, "children"),
        Output(ids.INDIRECT_PSCORES, "children"),
        Output(ids.INDIRECT_HETEROGENEITY, "children"),
        Output(ids.INDIRECT_EXCLUDED, "children"),
        Output(ids.INDIRECT_CITATIONS, "children"),
        Output(ids.INDIRECT_CAPTION, "children"),
        # The shell's location, not a panel-own one: dcc.Location (refresh=False) pushes the
        # new URL without telling the other Location components, and the export callbacks read
        # the shell's search; writing it here keeps exports on the state the page shows.
        Output(ids.URL, "search", allow_duplicate=True),
        *[Input(cid, prop) for _name, cid, prop in CONTROLS],
        prevent_initial_call=True,
    )
    def update(*values: object) -> tuple[Any, ...]:
        names = [name for name, _cid, _prop in CONTROLS]
        state, problems = state_from_inputs(registry, **dict(zip(names, values, strict=True)))
        if state is None:
            return only_message(invalid_selection(sorted(set(problems))), outputs=17, at=9)
        shown = canonical_state(state, models(registry, state))
        # Rendered from the state as chosen, so a fallback reference is explained.
        return (*outputs(registry, state), SPEC.to_search(registry, shown))
