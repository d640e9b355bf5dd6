"""``components.wire.to_wire`` gives exactly what Dash's own serialisation gives.

The shell, the one-chart panels, Trials, Forest and Indirect memoise what they send as the plain
data ``to_wire`` makes (issue 11, session 5); the browser must receive the same JSON, byte for
byte, as it would for the component trees. Checked on every component of the app's validation
layout (every page at its defaults plus the pattern-matching components callbacks create) and of
every page opened with a link that sets its options, and on components whose wildcard
attributes and ids are set.
"""

from __future__ import annotations

import json

import dash_mantine_components as dmc
import pytest
from dash import dcc, html
from dash._utils import to_json

import app as app_module
from components.views import PANELS
from components.wire import el, to_wire
from data import load_registry


def _same_json(tree: object) -> None:
    wire = to_wire(tree)
    assert to_json(wire) == to_json(tree)
    # Plain data only: nothing left for the encoder's Python fallback.
    json.dumps(wire)


def test_the_whole_validation_layout_serialises_the_same() -> None:
    _same_json(app_module.app.validation_layout)


LINKS = {
    "/survival": {"arms": "escort1st:cam_chemo,jupiter06:tor_chemo", "pop": "TPS>=1"},
    "/subgroups": {"ep": "pfs", "method": "fixed"},
    "/safety": {"cat": "irae"},
    "/response": {"m": "DCR"},
    "/": {"trial": "escort1st", "section": "safety"},
}


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: p.key)
def test_each_page_with_a_link_serialises_the_same(panel) -> None:
    registry = load_registry()
    _same_json(panel.layout(registry, LINKS.get(panel.path, {})))


def test_wildcards_ids_and_nested_props_serialise_the_same() -> None:
    tree = html.Div(
        [
            html.Td("a", **{"data-row": "1", "aria-label": "x"}, colSpan=2),
            dmc.Tooltip(dmc.Badge("b", id={"type": "t", "i": 1}), label=html.Span("tip")),
            dcc.Graph(id="g", figure={"data": [{"x": (1, 2)}], "layout": {}}),
            ("tuple", None, 1.5),
        ],
        id="root",
        style={"width": "1px"},
    )
    _same_json(tree)


def test_markup_built_as_data_keeps_its_form_and_loses_its_components() -> None:
    cell = el("Td", "12.1", className="escc-value")
    assert to_wire(cell) == cell
    mixed = {"type": "Div", "namespace": "dash_html_components", "props": {"children": [cell]}}
    mixed["props"]["children"].append(dmc.Badge("x"))
    _same_json(mixed)
    assert json.loads(to_json(cell)) == json.loads(to_json(html.Td("12.1", className="escc-value")))


def test_nested_markup_is_converted_once_and_serialises_the_same() -> None:
    inner = el("Td", [dmc.Badge("b"), "text"])
    row = el("Tr", [inner, el("Td", html.Span("s"))])
    table = el("Table", el("Tbody", [row]))
    assert table["props"]["children"]["props"]["children"][0] is row
    as_components = html.Table(
        html.Tbody([html.Tr([html.Td([dmc.Badge("b"), "text"]), html.Td(html.Span("s"))])])
    )
    assert json.loads(to_json(table)) == json.loads(to_json(as_components))
    json.dumps(table)
