"""Callbacks of the Trials view: validate once through :data:`SPEC`, then render."""

from __future__ import annotations

from typing import Any, cast

import dash_mantine_components as dmc
from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update

from analysis.views.memo import ViewMemo
from analysis.views.trials import SPEC, TrialsState, catalogue_rows, trial_detail
from components import ids
from components.page import clicked
from components.trials.layout import FORMATS
from components.trials.tables import catalogue_table, detail_card
from components.wire import to_wire
from data import Registry
from data.export import ExportFormat, export_bytes

#: File name suffix and media type of each download format.
_FILES: dict[str, tuple[str, str]] = {
    "csv": ("evidence_{version}.csv", "text/csv; charset=utf-8"),
    "json": ("evidence_{version}.json", "application/json; charset=utf-8"),
    "datapackage": ("datapackage.json", "application/json; charset=utf-8"),
    "zip": ("evidence-package_{version}.zip", "application/zip"),
}


def render_detail(registry: Registry, trial_id: str, section: str) -> Any:
    return detail_card(trial_detail(registry, trial_id, section))


#: Rendered catalogues and detail cards kept per app, as sent (plain data): the catalogue has one
#: entry per class filter, a detail card one per (trial, section).
RENDERED_ENTRIES = 32
#: Detail cards kept: every (trial, section) of the evidence base fits (16 trials x 4 sections
#: today; a card is 5-100 KB of JSON, ~15 KB typically).
DETAIL_ENTRIES = 80


def register_callbacks(app: Dash, registry: Registry) -> None:
    catalogues: ViewMemo[tuple[str, ...], Any] = ViewMemo(
        lambda registry, classes: to_wire(catalogue_table(catalogue_rows(registry, classes))),
        max_entries=RENDERED_ENTRIES,
    )
    details: ViewMemo[tuple[str, str], Any] = ViewMemo(
        lambda registry, key: to_wire(render_detail(registry, *key)),
        max_entries=DETAIL_ENTRIES,
    )

    def _classes(value: object) -> tuple[TrialsState | None, list[str]]:
        return SPEC.from_inputs(registry, {"classes": value if value is not None else []})

    @app.callback(
        Output(ids.TRIALS_TABLE, "children"),
        Input(ids.TRIALS_CLASS_FILTER, "value"),
        prevent_initial_call=True,
    )
    def filter_catalogue(value: object) -> Any:
        state, _problems = _classes(value)
        if state is None:
            return dmc.Alert("Invalid selection: unknown regimen class.", color="red")
        return catalogues(registry, tuple(state.classes))

    @app.callback(
        Output(ids.TRIALS_DETAIL, "children"),
        Input(ids.TRIALS_DETAIL_SELECT, "value"),
        Input(ids.TRIALS_DETAIL_SECTION, "value"),
        prevent_initial_call=True,
    )
    def show_detail(value: object, section: object) -> Any:
        if value is None:
            return None
        state, _problems = SPEC.from_inputs(registry, {"trial": value})
        if state is None:
            return dmc.Alert("Invalid selection: unknown trial.", color="red")
        checked, _problems = SPEC.from_inputs(registry, {"section": section})
        if checked is None:
            return dmc.Alert("Invalid selection: unknown section.", color="red")
        assert state.trial is not None
        return details(registry, (state.trial, checked.section))

    @app.callback(
        Output(ids.TRIALS_DETAIL_SELECT, "value"),
        Input({"type": ids.TRIALS_ROW, "trial": ALL, "arm": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def open_row(_clicks: object) -> Any:
        """A click on a catalogue row opens its trial's detail (through the detail picker, so
        the URL and the section stay in step)."""
        trigger = ctx.triggered_id
        fired = ctx.triggered[0].get("value") if ctx.triggered else None
        if not isinstance(trigger, dict) or not fired:
            return no_update  # rows (re)drawn, not clicked
        state, _problems = SPEC.from_inputs(registry, {"trial": trigger.get("trial")})
        if state is None or state.trial is None:
            return no_update
        return state.trial

    @app.callback(
        Output(ids.TRIALS_URL, "search"),
        Input(ids.TRIALS_CLASS_FILTER, "value"),
        Input(ids.TRIALS_DETAIL_SELECT, "value"),
        Input(ids.TRIALS_DETAIL_SECTION, "value"),
        prevent_initial_call=True,
    )
    def sync_url(classes_value: object, trial_value: object, section: object) -> Any:
        # Each control is checked on its own: a bad value in one never blanks the others.
        default = SPEC.default(registry)
        classes = _classes(classes_value)[0]
        trial = SPEC.from_inputs(registry, {"trial": trial_value})[0]
        part = SPEC.from_inputs(registry, {"section": section})[0]
        state = TrialsState(
            classes=classes.classes if classes is not None else default.classes,
            trial=trial.trial if trial is not None else None,
            section=part.section if part is not None else default.section,
        )
        return SPEC.to_search(registry, state, safe="|")

    @app.callback(
        Output(ids.EVIDENCE_DOWNLOAD, "data"),
        Input(ids.EVIDENCE_DOWNLOAD_BUTTON, "n_clicks"),
        State(ids.EVIDENCE_DOWNLOAD_FORMAT, "value"),
        prevent_initial_call=True,
    )
    def download(n_clicks: object, fmt: object) -> Any:
        if not clicked(n_clicks):
            return no_update
        if fmt not in FORMATS:
            return no_update
        payload = export_bytes(registry, cast(ExportFormat, fmt))
        pattern, mime = _FILES[str(fmt)]
        name = "escc-" + pattern.format(version=registry.data_version)
        if fmt == "datapackage":
            name = pattern  # it names the CSV as evidence.csv: save both in one folder
        return dcc.send_bytes(payload, name, type=mime)
