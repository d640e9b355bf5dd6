"""SEC-01: protocol fuzz of every registered callback.

For each callback in ``app.callback_map`` a valid body is built, then mutated in more than 40
ways (shape, types, sizes, encodings). Pass criteria (RELIABILITY.md): no response >= 500, shape
errors -> 400 (413 above the size limit, 415 for non-JSON), no body leaks a traceback, path or
exception name, and the next valid request still succeeds. Without the hardening module the
baseline fails (experiment E1): the second test shows that on a bare Dash app.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

from components.hardening import LARGE_BODIES
from tests.contract.callbacks import UPDATE, leaks, post, valid_body

Mutation = tuple[str, Callable[[dict[str, Any]], Any], str | None]


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    def mutate(body: dict[str, Any]) -> Any:
        body = copy.deepcopy(body)
        body[key] = value
        return body

    return mutate


def _drop(key: str) -> Callable[[dict[str, Any]], Any]:
    def mutate(body: dict[str, Any]) -> Any:
        body = copy.deepcopy(body)
        body.pop(key, None)
        return body

    return mutate


def _input(fn: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], Any]:
    def mutate(body: dict[str, Any]) -> Any:
        body = copy.deepcopy(body)
        if body["inputs"]:
            fn(body)
        else:
            body["inputs"] = [{"id": "x", "property": "y", "value": 1}]
        return body

    return mutate


def _first(body: dict[str, Any]) -> dict[str, Any]:
    first = body["inputs"][0]
    return first[0] if isinstance(first, list) else first


def _value(value: Any) -> Callable[[dict[str, Any]], Any]:
    return _input(lambda b: _first(b).__setitem__("value", value))


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


MUTATIONS: list[Mutation] = [
    ("body-list", lambda b: [], None),
    ("body-null", lambda b: None, None),
    ("body-int", lambda b: 42, None),
    ("body-string", lambda b: "output", None),
    ("body-empty-object", lambda b: {}, None),
    ("missing-output", _drop("output"), None),
    ("missing-outputs", _drop("outputs"), None),
    ("missing-inputs", _drop("inputs"), None),
    ("inputs-string", _set("inputs", "abc"), None),
    ("inputs-object", _set("inputs", {"id": "x"}), None),
    ("inputs-null", _set("inputs", None), None),
    ("output-unknown", _set("output", "nope.children"), None),
    ("output-list", _set("output", ["a"]), None),
    ("output-int", _set("output", 7), None),
    ("outputs-string", _set("outputs", "x"), None),
    ("outputs-list-of-ints", _set("outputs", [1, 2]), None),
    ("extra-top-key", _set("extra", 1), None),
    ("state-object", _set("state", {"a": 1}), None),
    ("state-wrong-length", _set("state", [{"id": "a", "property": "b"}] * 3), None),
    ("changed-string", _set("changedPropIds", "url.pathname"), None),
    ("changed-ints", _set("changedPropIds", [1, 2]), None),
    ("changed-duplicates", _set("changedPropIds", ["a.b", "a.b"]), None),
    ("inputs-too-many", _input(lambda b: b["inputs"].append(copy.deepcopy(b["inputs"][0]))), None),
    ("inputs-too-few", _input(lambda b: b["inputs"].pop()), None),
    ("input-item-int", _input(lambda b: b["inputs"].__setitem__(0, 5)), None),
    ("input-wrong-id", _input(lambda b: _first(b).__setitem__("id", "not-an-id")), None),
    ("input-wrong-property", _input(lambda b: _first(b).__setitem__("property", "x")), None),
    ("input-extra-key", _input(lambda b: _first(b).__setitem__("evil", 1)), None),
    ("input-id-list", _input(lambda b: _first(b).__setitem__("id", ["a"])), None),
    (
        "pattern-id-foreign-keys",
        _input(lambda b: _first(b).__setitem__("id", {"type": "x", "index": {"$gt": 1}})),
        None,
    ),
    ("value-object", _value({"__proto__": {"polluted": 1}}), "value"),
    ("value-list", _value([1, 2, 3]), "value"),
    ("value-true", _value(True), "value"),
    ("value-none", _value(None), "value"),
    ("value-huge-number", _value(1e308), "value"),
    ("value-negative", _value(-(10**18)), "value"),
    ("value-script", _value("<script>alert(1)</script>"), "value"),
    ("value-traversal", _value("../../etc/passwd"), "value"),
    ("value-rtl-unicode", _value("\u202eevil\u202c ✓ 日本 \U0001f600"), "value"),
    ("value-nested-200", _value(_nested(200)), None),
    ("value-million-chars", _value("x" * 1_000_000), None),
]

RAW_MUTATIONS: list[tuple[str, str, str]] = [
    ("raw-nan", '{"output": "OUT", "inputs": [NaN], "outputs": {}}', "application/json"),
    ("raw-infinity", '{"output": "OUT", "inputs": [Infinity, -Infinity]}', "application/json"),
    ("raw-truncated", '{"output": "OUT", "inputs": [', "application/json"),
    ("raw-empty", "", "application/json"),
    ("raw-deep", "[" * 100_000 + "]" * 100_000, "application/json"),
    ("raw-bom", "\ufeff{}", "application/json"),
    ("raw-text-plain", '{"output": "OUT"}', "text/plain"),
    ("raw-form", "output=OUT&inputs=1", "application/x-www-form-urlencoded"),
]


def _assert_clean(resp, label: str) -> None:
    text = resp.get_data(as_text=True)
    assert resp.status_code < 500, f"{label}: {resp.status_code}"
    assert leaks(text) == [], f"{label}: leaked {leaks(text)}"


_END_ID = re.compile(r'"end_id"\s*:\s*"([^"]+)"')


def _page_query(client, spec: dict[str, Any]) -> str:
    """What the renderer adds to a background callback's URL: the page load's signed ``endId``
    (the export service refuses a background request without one, issue 14 finding 8)."""
    if not spec.get("background"):
        return ""
    match = _END_ID.search(client.get("/").get_data(as_text=True))
    assert match, "the index carries no end_id"
    return f"?endId={match.group(1)}"


def _assert_valid_still_works(client, body: dict[str, Any], query: str = "") -> None:
    resp = client.post(UPDATE + query, data=json.dumps(body), content_type="application/json")
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)[:200]


def test_sec01_every_callback_is_fuzzed(app, client) -> None:
    assert len(MUTATIONS) + len(RAW_MUTATIONS) >= 40
    assert app.callback_map, "no callbacks registered"
    # Callbacks allowed a large body (an upload, components.hardening.allow_large_body) take a
    # million-character value as a value: they must answer it below 500 with their message.
    large = app.server.extensions.get(LARGE_BODIES, {})
    for key, spec in app.callback_map.items():
        body = valid_body(key, spec)
        if "callback" not in spec:  # a clientside callback: never run on the server
            resp = post(client, body)
            _assert_clean(resp, f"{key} clientside")
            assert resp.status_code == 400, f"{key} clientside: {resp.status_code}"
            continue
        query = _page_query(client, spec)
        _assert_valid_still_works(client, body, query)
        for label, mutate, _kind in MUTATIONS:
            resp = post(client, mutate(body))
            _assert_clean(resp, f"{key} {label}")
            if key in large and label == "value-million-chars":
                continue
            if _kind is None:
                assert resp.status_code in (400, 413), f"{key} {label}: {resp.status_code}"
            _assert_valid_still_works(client, body, query)
        for label, raw, content_type in RAW_MUTATIONS:
            resp = post(client, None, raw=raw.replace("OUT", key), content_type=content_type)
            _assert_clean(resp, f"{key} {label}")
            assert resp.status_code in (400, 413, 415), f"{key} {label}: {resp.status_code}"
        _assert_valid_still_works(client, body, query)


def test_sec01_baseline_without_hardening_fails() -> None:
    """E1 reproduced: a bare Dash app answers a malformed body with 500, so the check matters."""
    from dash import Dash, Input, Output, html

    bare = Dash(__name__)
    bare.layout = html.Div([html.Div(id="a"), html.Div(id="b")])

    @bare.callback(Output("b", "children"), Input("a", "children"))
    def _echo(value):
        return value

    client = bare.server.test_client()
    resp = client.post(
        "/_dash-update-component", data=json.dumps([]), content_type="application/json"
    )
    assert resp.status_code == 500
