"""Survival callbacks: they only translate.

Inputs are validated once (:meth:`StateSpec.from_inputs`; anything off its allow-list is shown
as an invalid selection and nothing is computed); the model is built for the validated state and
rendered, and the rendered outputs are memoised by that state (app-scoped
:class:`~analysis.views.memo.ViewMemo`), already in the form Dash sends (:mod:`.render`). A
repeated state (a shared link, a page coming back) costs a dictionary lookup and the JSON
encoding; a new state reuses the statistics memo. A curve's published-vs-reconstructed check is
sent when its badge is first opened (memoised per curve).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import ALL, MATCH, Dash, Input, Output, State, ctx, no_update

from analysis.curve_library import shared_curve_library
from analysis.survival import SurvivalMemo
from analysis.views.memo import ViewMemo
from analysis.views.survival import (
    PRESETS,
    SPEC,
    SurvivalModel,
    SurvivalState,
    preset_arms,
)
from analysis.views.survival.rules import fidelity_report, library_curve
from components import ids
from components.page import clicked
from components.survival import compute
from components.survival.fidelity import fidelity_details
from components.survival.figure import screen_figure
from components.survival.layout import PLACEHOLDER_HEIGHT_PX, reference_options
from components.survival.render import to_wire
from components.survival.tables import caption_of, missing_list, results_tables
from data import Registry

#: Statistics results kept per app (KM, summaries, comparisons; see analysis.survival).
STATS_CACHE_ENTRIES = 2048

#: Control values in callback order, keyed by the state attribute they set.
CONTROL_INPUTS: tuple[tuple[str, str, str], ...] = (
    ("endpoint", ids.SURVIVAL_ENDPOINT, "value"),
    ("arms", ids.SURVIVAL_ARMS, "value"),
    ("population", ids.SURVIVAL_POPULATION, "value"),
    ("reference", ids.SURVIVAL_REFERENCE, "value"),
    ("landmark_months", ids.SURVIVAL_LANDMARK, "value"),
    ("tau_months", ids.SURVIVAL_TAU, "value"),
    ("show_ci", ids.SURVIVAL_SHOW_CI, "checked"),
    ("show_censor", ids.SURVIVAL_SHOW_CENSOR, "checked"),
    ("show_median", ids.SURVIVAL_SHOW_MEDIAN, "checked"),
    ("show_at_risk", ids.SURVIVAL_SHOW_AT_RISK, "checked"),
    ("cutoff", ids.SURVIVAL_CUTOFF, "value"),
    ("user_curves", ids.SURVIVAL_USER, "value"),
)


def state_from_values(
    registry: Registry, values: Sequence[object]
) -> tuple[SurvivalState | None, list[str]]:
    """The callback's positional values as a validated state (or the problems)."""
    named = {attr: value for (attr, _cid, _prop), value in zip(CONTROL_INPUTS, values, strict=True)}
    return SPEC.from_inputs(registry, named)


def _invalid(problems: Sequence[str]) -> Any:
    return dmc.Alert(
        "Invalid selection: " + "; ".join(problems) + ". Nothing was recomputed.",
        color="red",
        variant="light",
    )


Outputs = tuple[Any, Any, Any, Any]

#: Fidelity checks kept per app (one per shipped curve at most; bounded anyway).
CHECK_CACHE_ENTRIES = 64


def outputs(registry: Registry, model: SurvivalModel) -> Outputs:
    """Figure (plain dict), caption, arms not shown and results tables of one model."""
    return (
        screen_figure(registry, model),
        caption_of(registry, model),
        missing_list(model),
        results_tables(registry, model),
    )


def graph_style(figure: dict[str, Any]) -> dict[str, str]:
    """The graph box's height, set by the layout from the figure's own height (legend, curves,
    at-risk table): a box without a height lets a responsive plotly chart collapse to 0 px and
    draw over the content below it (issue 15)."""
    height = figure.get("layout", {}).get("height") or PLACEHOLDER_HEIGHT_PX
    return {"height": f"{int(height)}px"}


def _render(registry: Registry, state: SurvivalState, stats: SurvivalMemo) -> Outputs:
    """The outputs of ``state`` in the form Dash sends them."""
    figure, caption, missing, results = outputs(
        registry, compute.view_model(registry, state, stats)
    )
    return figure, to_wire(caption), to_wire(missing), to_wire(results)


def _check_of_curve(registry: Registry, slug: str) -> Any:
    """The published-vs-reconstructed check of a shipped curve, as sent (None: no such curve)."""
    curve = library_curve(registry, slug)
    if curve is None:
        return None
    report = fidelity_report(registry, shared_curve_library(registry), curve)
    return to_wire(fidelity_details(registry, curve.key.trial_id, report))


def register_callbacks(app: Dash, registry: Registry) -> None:
    stats = SurvivalMemo(maxsize=STATS_CACHE_ENTRIES)
    rendered: ViewMemo[SurvivalState, Outputs] = ViewMemo(functools.partial(_render, stats=stats))
    slugs = frozenset(curve.key.slug for curve in shared_curve_library(registry).curves)
    checks: ViewMemo[str, Any] = ViewMemo(_check_of_curve, max_entries=CHECK_CACHE_ENTRIES)
    control_inputs = [Input(cid, prop) for _attr, cid, prop in CONTROL_INPUTS]

    @app.callback(
        Output(ids.SURVIVAL_MESSAGE, "children"),
        Output(ids.SURVIVAL_GRAPH, "figure"),
        Output(ids.SURVIVAL_CAPTION, "children"),
        Output(ids.SURVIVAL_MISSING, "children"),
        Output(ids.SURVIVAL_RESULTS, "children"),
        Output(ids.SURVIVAL_GRAPH, "style"),
        *control_inputs,
    )
    def update(*values: object) -> Any:
        state, problems = state_from_values(registry, values)
        if state is None:
            return _invalid(problems), no_update, no_update, no_update, no_update, no_update
        out = rendered(registry, state)
        return (None, *out, graph_style(out[0]))

    @app.callback(
        Output({"type": ids.SURVIVAL_FIDELITY_BODY, "curve": MATCH}, "children"),
        Input({"type": ids.SURVIVAL_FIDELITY, "curve": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )
    def fidelity_check(clicks: object) -> Any:
        trigger = ctx.triggered_id
        slug = trigger.get("curve") if isinstance(trigger, Mapping) else None
        if not isinstance(slug, str) or slug not in slugs or not clicked(clicks):
            return no_update
        return checks(registry, slug)

    @app.callback(
        Output(ids.SURVIVAL_REFERENCE, "data"),
        Output(ids.SURVIVAL_REFERENCE, "value"),
        Input(ids.SURVIVAL_ARMS, "value"),
        State(ids.SURVIVAL_REFERENCE, "value"),
        prevent_initial_call=True,
    )
    def reference_choices(arms: object, current: object) -> Any:
        state, _problems = SPEC.from_inputs(registry, {"arms": arms})
        if state is None:
            return no_update, no_update
        value = current if isinstance(current, str) and current in state.arms else None
        return reference_options(registry, state.arms), value

    @app.callback(
        Output(ids.SURVIVAL_ARMS, "value"),
        Input({"type": ids.SURVIVAL_PRESET, "preset": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def apply_preset(clicks: object) -> Any:
        trigger = ctx.triggered_id
        if not isinstance(trigger, Mapping):
            return no_update
        key = trigger.get("preset")
        if not isinstance(key, str) or key not in PRESETS:
            return no_update
        if not isinstance(clicks, list) or not any(clicked(c) for c in clicks):
            return no_update
        return list(preset_arms(registry, key))

    @app.callback(
        Output(ids.SURVIVAL_URL, "search"),
        *control_inputs,
        prevent_initial_call=True,
    )
    def sync_url(*values: object) -> Any:
        state, _problems = state_from_values(registry, values)
        if state is None:
            return no_update
        return SPEC.to_search(registry, state)
