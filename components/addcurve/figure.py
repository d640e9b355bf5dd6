"""The uploaded figure with what the digitiser read drawn over it, and the results markup."""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import dcc, html

from analysis.usercurves.draft import Draft
from analysis.usercurves.model import UserCurve
from analysis.views.addcurve import counts_text

#: Colour of the plot-area frame and reference-tick marks drawn over the figure.
OVERLAY_COLOUR = "#f08c00"


def _to_pixels(draft: Draft, time: tuple[float, ...], surv: tuple[float, ...]) -> Any:
    assert draft.axis_px is not None and draft.x_range is not None and draft.y_range is not None
    x0, x1, y0, y1 = draft.axis_px
    (tl, th), (vl, vh) = draft.x_range, draft.y_range
    scale = 100.0 if vh > 1.5 else 1.0
    cols = [x0 + (t - tl) * (x1 - x0) / (th - tl) for t in time]
    rows = [y0 + (s * scale - vl) * (y1 - y0) / (vh - vl) for s in surv]
    return cols, rows


def preview_figure(draft: Draft, image_url: str | None) -> dict[str, Any]:
    """Figure (plain dict) in the image's pixel space: the picture, the detected plot area, the
    two reference ticks of each axis and every traced curve, step by step, in its colour."""
    data: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    layout: dict[str, Any] = {
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "showlegend": True,
        "legend": {"orientation": "h", "y": 1.08},
        "plot_bgcolor": "white",
        "title": {"text": "What was read (drawn over your figure)", "font": {"size": 14}},
    }
    if draft.kind == "image" and draft.image_size and draft.axis_px and image_url:
        width, height = draft.image_size
        layout["xaxis"] = {"range": [0, width], "visible": False, "constrain": "domain"}
        layout["yaxis"] = {
            "range": [height, 0],
            "visible": False,
            "scaleanchor": "x",
            "constrain": "domain",
        }
        layout["images"] = [
            {
                "source": image_url,
                "xref": "x",
                "yref": "y",
                "x": 0,
                "y": 0,
                "sizex": width,
                "sizey": height,
                "sizing": "stretch",
                "layer": "below",
                "opacity": 0.55,
            }
        ]
        if draft.plot_box:
            left, top, right, bottom = draft.plot_box
            shapes.append(
                {
                    "type": "rect",
                    "x0": left,
                    "x1": right,
                    "y0": top,
                    "y1": bottom,
                    "line": {"color": OVERLAY_COLOUR, "width": 1, "dash": "dot"},
                }
            )
        x0, x1, y0, y1 = draft.axis_px
        ticks_x = [x0, x1]
        ticks_y = [y0, y1]
        data.append(
            {
                "type": "scatter",
                "x": ticks_x + [draft.plot_box[0] if draft.plot_box else 0] * 2,
                "y": [draft.plot_box[3] if draft.plot_box else height] * 2 + ticks_y,
                "mode": "markers",
                "marker": {"symbol": "diamond", "size": 10, "color": OVERLAY_COLOUR},
                "name": "reference ticks (axis ranges)",
                "hoverinfo": "skip",
            }
        )
        for k, curve in enumerate(draft.curves):
            cols, rows = _to_pixels(draft, curve.time, curve.survival)
            data.append(
                {
                    "type": "scatter",
                    "x": cols,
                    "y": rows,
                    "mode": "lines",
                    "line": {"shape": "hv", "color": curve.colour or "#000000", "width": 2.5},
                    "name": f"{k + 1}: {curve.name}",
                }
            )
    else:
        layout["xaxis"] = {"title": {"text": "Months"}, "rangemode": "tozero"}
        layout["yaxis"] = {"title": {"text": "Survival"}, "range": [0, 1.02]}
        for k, curve in enumerate(draft.curves):
            data.append(
                {
                    "type": "scatter",
                    "x": list(curve.time),
                    "y": list(curve.survival),
                    "mode": "lines",
                    "line": {"shape": "hv", "width": 2},
                    "name": f"{k + 1}: {curve.name}",
                }
            )
    layout["shapes"] = shapes
    return {"data": data, "layout": layout}


def notes_list(draft: Draft) -> Any:
    if not draft.notes:
        return None
    return dmc.Alert(
        html.Ul([html.Li(n) for n in draft.notes[:20]]),
        title="Check these readings",
        color="yellow",
        variant="light",
    )


def _check_row(name: str, given: str, rec: str, passed: bool | None) -> Any:
    verdict = "no value given" if passed is None else ("pass" if passed else "FAIL")
    kind = "none" if passed is None else ("pass" if passed else "fail")
    return html.Tr(
        [
            html.Td(name),
            html.Td(given),
            html.Td(rec),
            html.Td(verdict, className=f"escc-check-{kind}"),
        ]
    )


def curve_card(curve: UserCurve) -> Any:
    """One added curve: label, grade and why, the checks, the engine's notes."""
    table = html.Table(
        [
            html.Thead(
                html.Tr([html.Th(h) for h in ("Check", "Given / read", "Reconstructed", "Result")])
            ),
            html.Tbody(
                [_check_row(c.name, c.given, c.reconstructed, c.passed) for c in curve.checks]
            ),
        ],
        className="escc-table",
    )
    parts: list[Any] = [
        dmc.Group(
            [
                dmc.Text(curve.label, fw=600),
                dmc.Badge(f"grade {curve.grade}", color="teal" if curve.grade == "A" else "orange"),
                dmc.Badge("user-supplied", color="grape", variant="light"),
            ],
            gap="xs",
        ),
        dmc.Text(curve.grade_text, size="sm"),
        dmc.Text(
            f"{curve.endpoint} · {curve.population_text} · N {curve.n_patients} · "
            f"events {curve.n_events} · source: {curve.citation}",
            size="sm",
            c="dimmed",
        ),
        table,
    ]
    if curve.warnings:
        parts.append(dmc.Text("Engine notes: " + "; ".join(curve.warnings), size="xs", c="orange"))
    return dmc.Paper(dmc.Stack(parts, gap=4), withBorder=True, p="sm")


def results(curves: tuple[UserCurve, ...], survival_href: str) -> Any:
    ids_text = ", ".join(c.id for c in curves)
    return dmc.Stack(
        [
            *[curve_card(c) for c in curves],
            dmc.Group(
                [
                    dcc.Link(
                        "Open in the Survival view →",
                        href=survival_href,
                        className="escc-addcurve-open",
                    ),
                    dmc.Text(f"curve id(s): {ids_text}", size="xs", c="dimmed"),
                ]
            ),
        ],
        gap="sm",
    )


def arm_rows_text(draft: Draft) -> list[tuple[str, str, str, str]]:
    """(name, colour, at-risk text, n text) per row of the draft, for the arm table."""
    out = []
    for curve in draft.curves:
        out.append((curve.name, curve.colour, counts_text(curve.at_risk), ""))
    for arm in draft.patients:
        out.append((arm.name, "", "", str(len(arm.time))))
    return out
