"""Survival callbacks: they only translate.

Inputs are validated once (:meth:`StateSpec.from_inputs`; anything off its allow-list is shown
as an invalid selection and nothing is computed); the model is built for the validated state and
rendered, and the rendered outputs are memoised by that state (app-scoped
:class:`~analysis.views.memo.ViewMemo`), already in the form Dash sends (:mod:`.render`). A
repeated state (a shared link, a page coming back) costs a dictionary lookup and the JSON
encoding; a new state reuses the statistics memo and each curve's memoised fidelity badge.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import ALL, Dash, Input, Output, State, ctx, no_update

from analysis.curve_library import CurveKey, shared_curve_library
from analysis.survival import SurvivalMemo
from analysis.views.memo import ViewMemo
from analysis.views.survival import (
    PRESETS,
    SPEC,
    ShownCurve,
    SurvivalModel,
    SurvivalState,
    preset_arms,
)
from analysis.views.survival.rules import fidelity_report
from components import ids
from components.survival import compute
from components.survival.figure import screen_figure
from components.survival.layout import reference_options
from components.survival.render import to_wire
from components.survival.tables import (
    BadgeFn,
    badge_markup,
    caption_of,
    fidelity_badge,
    missing_list,
    results_tables,
)
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


def outputs(registry: Registry, model: SurvivalModel, badge: BadgeFn = fidelity_badge) -> Outputs:
    """Figure (plain dict), caption, arms not shown and results tables of one model."""
    return (
        screen_figure(registry, model),
        caption_of(registry, model),
        missing_list(model),
        results_tables(registry, model, badge),
    )


def _render(
    registry: Registry, state: SurvivalState, stats: SurvivalMemo, badge: BadgeFn
) -> Outputs:
    """The outputs of ``state`` in the form Dash sends them."""
    figure, caption, missing, results = outputs(
        registry, compute.view_model(registry, state, stats), badge
    )
    return figure, to_wire(caption), to_wire(missing), to_wire(results)


def _badge_of_curve(registry: Registry, key: CurveKey) -> Any:
    """The fidelity badge of one library curve, as sent (it depends on the curve alone)."""
    library = shared_curve_library(registry)
    curve = library.get(key)
    if curve is None:  # keys come from drawn curves, which are library curves
        raise KeyError(key)
    report = fidelity_report(registry, library, curve)
    return to_wire(badge_markup(registry, key.trial_id, curve.grade, library.passed(key), report))


def register_callbacks(app: Dash, registry: Registry) -> None:
    stats = SurvivalMemo(maxsize=STATS_CACHE_ENTRIES)
    badges: ViewMemo[CurveKey, Any] = ViewMemo(_badge_of_curve)

    def badge(registry: Registry, item: ShownCurve) -> Any:
        return badges(registry, item.curve.key)

    rendered: ViewMemo[SurvivalState, Outputs] = ViewMemo(
        functools.partial(_render, stats=stats, badge=badge)
    )
    control_inputs = [Input(cid, prop) for _attr, cid, prop in CONTROL_INPUTS]

    @app.callback(
        Output(ids.SURVIVAL_MESSAGE, "children"),
        Output(ids.SURVIVAL_GRAPH, "figure"),
        Output(ids.SURVIVAL_CAPTION, "children"),
        Output(ids.SURVIVAL_MISSING, "children"),
        Output(ids.SURVIVAL_RESULTS, "children"),
        *control_inputs,
    )
    def update(*values: object) -> Any:
        state, problems = state_from_values(registry, values)
        if state is None:
            return _invalid(problems), no_update, no_update, no_update, no_update
        return (None, *rendered(registry, state))

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
        if not isinstance(clicks, list) or not any(
            isinstance(c, int) and not isinstance(c, bool) and c > 0 for c in clicks
        ):
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
