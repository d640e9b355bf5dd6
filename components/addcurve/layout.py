"""The Add-a-curve page: upload, what was read (editable), reconstruct, results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_mantine_components as dmc
from dash import dcc, html

from analysis.usercurves.uploads import MAX_UPLOAD_BYTES
from analysis.views.addcurve import (
    MAX_FORM_ARMS,
    POPULATION_OPERATORS,
    POPULATION_SYSTEMS,
    PRIVACY_NOTE,
)
from components import ids
from components.graph import graph
from data import Registry
from data.pdl1 import ITT_KEY

_OPERATOR_TEXT = {">=": "≥", "<": "<", ">": ">", "<=": "≤"}


def arm_table(rows: list[tuple[str, str, str, str]]) -> Any:
    """One row per curve found: include, arm name, colour, numbers at risk, N, total events."""
    body = []
    for k, (name, colour, at_risk, n) in enumerate(rows[:MAX_FORM_ARMS]):
        key = {"index": k}
        body.append(
            html.Tr(
                [
                    html.Td(
                        dmc.Checkbox(
                            id={"type": ids.ADDCURVE_ARM_INCLUDE, **key},
                            checked=True,
                            **{"aria-label": f"add curve {k + 1}"},
                        )
                    ),
                    html.Td(
                        html.Span(
                            "■" if colour else f"{k + 1}",
                            style={"color": colour} if colour else {},
                            title=colour or "",
                        )
                    ),
                    html.Td(
                        dmc.TextInput(id={"type": ids.ADDCURVE_ARM_NAME, **key}, value=name, w=220)
                    ),
                    html.Td(
                        dmc.TextInput(
                            id={"type": ids.ADDCURVE_ARM_AT_RISK, **key},
                            value=at_risk,
                            placeholder="e.g. 298 270 231 …",
                            w=360,
                        )
                    ),
                    html.Td(
                        dmc.NumberInput(
                            id={"type": ids.ADDCURVE_ARM_N, **key},
                            value=n,
                            min=0,
                            allowDecimal=False,
                            w=90,
                        )
                    ),
                    html.Td(
                        dmc.NumberInput(
                            id={"type": ids.ADDCURVE_ARM_EVENTS, **key},
                            value="",
                            min=0,
                            allowDecimal=False,
                            w=90,
                        )
                    ),
                ]
            )
        )
    head = html.Thead(
        html.Tr(
            [
                html.Th(h)
                for h in (
                    "Add",
                    "Colour",
                    "Arm name",
                    "Numbers at risk (one per at-risk time; - if not printed)",
                    "N (if no table)",
                    "Total events (if known)",
                )
            ]
        )
    )
    return html.Table([head, html.Tbody(body)], className="escc-table")


def _number(component_id: str, label: str, value: float | None) -> Any:
    return dmc.NumberInput(id=component_id, label=label, value=value, w=120)


def layout(_registry: Registry, _query: Mapping[str, str]) -> Any:
    """The page (no URL state: an upload is not a link)."""
    limit_mb = MAX_UPLOAD_BYTES / 1e6
    return dmc.Stack(
        [
            dmc.Title("Add a curve", order=2),
            dmc.Text(
                "Drop a Kaplan–Meier figure (PNG or JPEG screenshot, with its numbers-at-risk "
                "table if printed), or a digitised CSV (WebPlotDigitizer export, time,survival, "
                "curve,time,survival) or patient-level pseudo-IPD (time,event[,arm]). Confirm "
                "what was read, reconstruct, and see the curve beside the published trials in "
                "the Survival view, labelled user-supplied.",
                size="sm",
                c="dimmed",
            ),
            dmc.Alert(PRIVACY_NOTE, color="blue", variant="light", title="Privacy"),
            dcc.Upload(
                id=ids.ADDCURVE_UPLOAD,
                children=html.Div(
                    [
                        "Drag and drop a figure or CSV here, or ",
                        html.A("choose a file"),
                        f" (up to {limit_mb:g} MB)",
                    ]
                ),
                multiple=False,
                className="escc-upload",
                style={
                    "borderWidth": "2px",
                    "borderStyle": "dashed",
                    "borderRadius": "8px",
                    "padding": "24px",
                    "textAlign": "center",
                },
            ),
            dcc.Store(id=ids.ADDCURVE_PAYLOAD),
            dcc.Store(id=ids.ADDCURVE_DRAFT),
            html.Div(id=ids.ADDCURVE_CLIENT_MESSAGE, className="escc-addcurve-client-message"),
            dcc.Loading(html.Div(id=ids.ADDCURVE_MESSAGE), type="dot"),
            graph(
                ids.ADDCURVE_FIGURE,
                {
                    "data": [],
                    "layout": {
                        "height": 60,
                        "xaxis": {"visible": False},
                        "yaxis": {"visible": False},
                    },
                },
                filename="escc-added-curve",
                height="520px",
            ),
            html.Div(id=ids.ADDCURVE_NOTES),
            dmc.Title("Confirm what was read", order=4),
            dmc.Group(
                [
                    _number(ids.ADDCURVE_X_LOW, "x axis: first tick", None),
                    _number(ids.ADDCURVE_X_HIGH, "x axis: last tick", None),
                    _number(ids.ADDCURVE_Y_LOW, "y axis: lowest tick", None),
                    _number(ids.ADDCURVE_Y_HIGH, "y axis: highest tick", None),
                    dmc.TextInput(
                        id=ids.ADDCURVE_AT_RISK_TIMES,
                        label="At-risk times (months)",
                        placeholder="0 3 6 9 …",
                        w=320,
                    ),
                ],
                align="flex-end",
            ),
            html.Div(arm_table([]), id=ids.ADDCURVE_ARMS),
            dmc.Group(
                [
                    dmc.SegmentedControl(
                        id=ids.ADDCURVE_ENDPOINT,
                        data=[{"value": "OS", "label": "OS"}, {"value": "PFS", "label": "PFS"}],
                        value="OS",
                    ),
                    dmc.Select(
                        id=ids.ADDCURVE_SYSTEM,
                        label="Population",
                        data=[
                            {"value": s, "label": "ITT" if s == ITT_KEY else f"PD-L1 {s}"}
                            for s in POPULATION_SYSTEMS
                        ],
                        value=ITT_KEY,
                        allowDeselect=False,
                        w=140,
                    ),
                    dmc.Select(
                        id=ids.ADDCURVE_OPERATOR,
                        label="Cut-off",
                        data=[
                            {"value": op, "label": _OPERATOR_TEXT.get(op, op)}
                            for op in POPULATION_OPERATORS
                        ],
                        value=">=",
                        allowDeselect=False,
                        w=80,
                    ),
                    dmc.NumberInput(id=ids.ADDCURVE_CUTOFF, label="value", value=1, w=90),
                    dmc.TextInput(
                        id=ids.ADDCURVE_CITATION,
                        label="Source (citation, required)",
                        placeholder="e.g. Author A et al. Journal 2025;12:345, Figure 2A",
                        w=460,
                    ),
                ],
                align="flex-end",
            ),
            dmc.Button("Reconstruct and add", id=ids.ADDCURVE_SUBMIT, w=220),
            dcc.Loading(html.Div(id=ids.ADDCURVE_RESULT), type="dot"),
        ],
        gap="md",
    )
