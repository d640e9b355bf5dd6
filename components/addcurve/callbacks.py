"""Add-a-curve callbacks: they only translate.

1. In the browser: an upload larger than the limit is refused there, with a message, before
   anything is sent (the server refuses it too: its request limit for this one callback is the
   upload limit, 413 above it).
2. Upload → :func:`analysis.usercurves.uploads.parse_upload` →
   :func:`analysis.usercurves.draft.draft_from_upload`; the draft goes to the browser and fills
   the form. A refused upload changes nothing but the message: what was typed is kept.
3. Form → :func:`analysis.views.addcurve.build_curves` → the store; the results and a link to
   the Survival view.

No callback lets an exception through: every failure is a message in the view.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

import dash_mantine_components as dmc
from dash import ALL, Dash, Input, Output, State, no_update

from analysis.usercurves import store
from analysis.usercurves.draft import draft_from_json, draft_from_upload, preview_data_url
from analysis.usercurves.model import UserCurveError
from analysis.usercurves.uploads import MAX_UPLOAD_BYTES, ImageUpload, UploadError, parse_upload
from analysis.views.addcurve import ArmForm, Form, build_curves, survival_search, times_text
from components import hardening, ids
from components.addcurve.figure import arm_rows_text, notes_list, preview_figure, results
from components.addcurve.layout import arm_table
from data import Registry

log = logging.getLogger("escc.addcurve")

#: Largest data URL the browser sends: base64 of the largest upload plus its header.
MAX_DATA_URL_CHARS = (MAX_UPLOAD_BYTES + 2) // 3 * 4 + 200
#: Largest callback body the upload callback accepts (the data URL plus the request's JSON).
UPLOAD_BODY_BYTES = MAX_DATA_URL_CHARS + 16_384

_CLIENT_CHECK = f"""
function(contents) {{
    var skip = window.dash_clientside.no_update;
    if (!contents) {{ return [skip, skip]; }}
    if (contents.length > {MAX_DATA_URL_CHARS}) {{
        var mb = (contents.length * 0.75 / 1e6).toFixed(1);
        return [skip, "The file is " + mb + " MB; the limit is {MAX_UPLOAD_BYTES / 1e6:g} MB. "
            + "Crop the screenshot to the figure or save it as JPEG, then upload it again."];
    }}
    return [contents, ""];
}}
"""


def _alert(text: str, *, title: str = "Cannot use this file") -> Any:
    return dmc.Alert(text, title=title, color="red", variant="light")


def decode_payload(payload: object) -> bytes:
    """The uploaded bytes from the browser's data URL; :class:`UploadError` otherwise."""
    if not isinstance(payload, str) or not payload.startswith("data:"):
        raise UploadError("the upload did not arrive as a file: try again")
    if len(payload) > MAX_DATA_URL_CHARS:
        raise UploadError(f"the file is larger than {MAX_UPLOAD_BYTES / 1e6:g} MB")
    _head, sep, body = payload.partition(",")
    if not sep or ";base64" not in _head:
        raise UploadError("the upload did not arrive as a file: try again")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError("the upload arrived damaged: try again") from None


UploadOutputs = tuple[Any, Any, Any, Any, Any, Any, Any, Any, Any, Any, Any]


def handle_upload(payload: object) -> UploadOutputs:
    """Draft, message, figure, notes, arm table, x low/high, y low/high, at-risk times, result."""
    keep = no_update
    try:
        data = decode_payload(payload)
        upload = parse_upload(data)
        draft = draft_from_upload(upload)
        image = preview_data_url(upload) if isinstance(upload, ImageUpload) else None
    except UploadError as exc:
        return (keep, _alert(str(exc)), keep, keep, keep, keep, keep, keep, keep, keep, keep)
    except MemoryError:
        return (keep, _alert("not enough memory to read this file"), *([keep] * 9))
    except Exception:  # the digitiser on an unusual picture: a message, never a 500
        log.exception("add-a-curve upload failed")
        return (
            keep,
            _alert("this file could not be read (internal error, logged); try a cleaner crop"),
            *([keep] * 9),
        )
    found = len(draft.curves) + len(draft.patients)
    what = "curve" if draft.kind != "patients" else "arm"
    message = dmc.Alert(
        f"Read {found} {what}{'s' if found != 1 else ''} from the {draft.source}. Check the "
        "axis ranges, names and numbers below, then reconstruct.",
        color="teal",
        variant="light",
    )
    x = draft.x_range or (None, None)
    y = draft.y_range or (None, None)
    return (
        draft.to_json(),
        message,
        preview_figure(draft, image),
        notes_list(draft),
        arm_table(arm_rows_text(draft)),
        x[0],
        x[1],
        y[0],
        y[1],
        times_text(draft.at_risk_times),
        None,
    )


def handle_submit(draft_raw: object, values: dict[str, Any]) -> Any:
    """Results markup (or the message saying what to fix)."""
    arms = tuple(
        ArmForm(bool(inc), name, risk, n, ev)
        for inc, name, risk, n, ev in zip(
            values["include"],
            values["names"],
            values["at_risk"],
            values["n"],
            values["events"],
            strict=False,
        )
    )
    form = Form(
        x_low=values["x_low"],
        x_high=values["x_high"],
        y_low=values["y_low"],
        y_high=values["y_high"],
        at_risk_times=values["times"],
        endpoint=values["endpoint"],
        system=values["system"],
        operator=values["operator"],
        cutoff=values["cutoff"],
        citation=values["citation"],
        arms=arms,
    )
    if draft_raw is None:
        return _alert("upload a figure or a CSV first", title="Nothing to reconstruct")
    try:
        draft = draft_from_json(draft_raw)
        curves = build_curves(draft, form)
        stored = tuple(store.put(c) for c in curves)
    except (UploadError, UserCurveError, store.StoreError) as exc:
        return _alert(str(exc), title="Please fix")
    except Exception:
        log.exception("add-a-curve reconstruction failed")
        return _alert("the reconstruction failed (internal error, logged)", title="Please fix")
    href = "/survival" + survival_search(stored, curves[0].endpoint, curves[0].population)
    return results(curves, href)


def _lists(*values: object) -> bool:
    return all(isinstance(v, list) and len(v) <= 6 for v in values)


def register_callbacks(app: Dash, _registry: Registry) -> None:
    app.clientside_callback(
        _CLIENT_CHECK,
        Output(ids.ADDCURVE_PAYLOAD, "data"),
        Output(ids.ADDCURVE_CLIENT_MESSAGE, "children"),
        Input(ids.ADDCURVE_UPLOAD, "contents"),
        prevent_initial_call=True,
    )
    outputs = [
        Output(ids.ADDCURVE_DRAFT, "data"),
        Output(ids.ADDCURVE_MESSAGE, "children"),
        Output(ids.ADDCURVE_FIGURE, "figure"),
        Output(ids.ADDCURVE_NOTES, "children"),
        Output(ids.ADDCURVE_ARMS, "children"),
        Output(ids.ADDCURVE_X_LOW, "value"),
        Output(ids.ADDCURVE_X_HIGH, "value"),
        Output(ids.ADDCURVE_Y_LOW, "value"),
        Output(ids.ADDCURVE_Y_HIGH, "value"),
        Output(ids.ADDCURVE_AT_RISK_TIMES, "value"),
        Output(ids.ADDCURVE_RESULT, "children"),
    ]

    @app.callback(*outputs, Input(ids.ADDCURVE_PAYLOAD, "data"), prevent_initial_call=True)
    def upload(payload: object) -> Any:
        return handle_upload(payload)

    # The only callback whose body may exceed the app's request limit: up to the upload limit.
    draft_output = f"{ids.ADDCURVE_DRAFT}.data"
    key = next(k for k in app.callback_map if draft_output in k.strip(".").split("..."))
    hardening.allow_large_body(app, key, UPLOAD_BODY_BYTES)

    @app.callback(
        Output(ids.ADDCURVE_RESULT, "children", allow_duplicate=True),
        Input(ids.ADDCURVE_SUBMIT, "n_clicks"),
        State(ids.ADDCURVE_DRAFT, "data"),
        State(ids.ADDCURVE_X_LOW, "value"),
        State(ids.ADDCURVE_X_HIGH, "value"),
        State(ids.ADDCURVE_Y_LOW, "value"),
        State(ids.ADDCURVE_Y_HIGH, "value"),
        State(ids.ADDCURVE_AT_RISK_TIMES, "value"),
        State(ids.ADDCURVE_ENDPOINT, "value"),
        State(ids.ADDCURVE_SYSTEM, "value"),
        State(ids.ADDCURVE_OPERATOR, "value"),
        State(ids.ADDCURVE_CUTOFF, "value"),
        State(ids.ADDCURVE_CITATION, "value"),
        State({"type": ids.ADDCURVE_ARM_INCLUDE, "index": ALL}, "checked"),
        State({"type": ids.ADDCURVE_ARM_NAME, "index": ALL}, "value"),
        State({"type": ids.ADDCURVE_ARM_AT_RISK, "index": ALL}, "value"),
        State({"type": ids.ADDCURVE_ARM_N, "index": ALL}, "value"),
        State({"type": ids.ADDCURVE_ARM_EVENTS, "index": ALL}, "value"),
        prevent_initial_call=True,
    )
    def submit(
        clicks: object,
        draft: object,
        x_low: object,
        x_high: object,
        y_low: object,
        y_high: object,
        times: object,
        endpoint: object,
        system: object,
        operator: object,
        cutoff: object,
        citation: object,
        include: object,
        names: object,
        at_risk: object,
        n: object,
        events: object,
    ) -> Any:
        if not isinstance(clicks, int) or clicks < 1:
            return no_update
        if not _lists(include, names, at_risk, n, events):
            return _alert("the arm table is malformed: upload the file again")
        return handle_submit(
            draft,
            {
                "x_low": x_low,
                "x_high": x_high,
                "y_low": y_low,
                "y_high": y_high,
                "times": times,
                "endpoint": endpoint,
                "system": system,
                "operator": operator,
                "cutoff": cutoff,
                "citation": citation,
                "include": include,
                "names": names,
                "at_risk": at_risk,
                "n": n,
                "events": events,
            },
        )
