"""Issue 14, findings 4, 7 and 8 through Flask's test client (real gunicorn and the embedded
server: tests/contract/test_issue14_servers.py).

Each test failed on the code before issue 14 (noted per test): chunked bodies got 400 or 200
instead of 413; malformed ``outputs`` and ``changedPropIds`` reached Dash and left a traceback in
the log; the index and layout had no Cache-Control; ``/_reload-hash`` answered in production;
there was no host allow-list.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from components.hardening import host_allowed
from components.settings import load_settings
from tests.contract.callbacks import UPDATE, leaks, post, valid_body

ROOT = Path(__file__).resolve().parents[2]
LIMIT = load_settings({}).max_request_bytes


def _router(app):
    key = next(k for k in app.callback_map if k.startswith("page-content."))
    return key, app.callback_map[key]


def _chunked(client, payload: bytes):
    """POST ``payload`` without Content-Length, as a server hands over a chunked body."""
    return client.post(
        UPDATE,
        input_stream=io.BytesIO(payload),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


# ----------------------------------------------------------------------------- finding 4


def test_chunked_body_within_the_limit_is_served(app, client) -> None:
    key, spec = _router(app)
    resp = _chunked(client, json.dumps(valid_body(key, spec, ["/trials"])).encode())
    assert resp.status_code == 200


@pytest.mark.parametrize("megabytes", [1, 10])
def test_chunked_body_over_the_limit_is_413(client, megabytes: int) -> None:
    """Before: 400 "Malformed JSON" (Werkzeug cut the body at the limit, silently)."""
    resp = _chunked(client, b"{" + b" " * (megabytes * 1024 * 1024) + b"}")
    assert resp.status_code == 413


def test_valid_body_followed_by_chunked_whitespace_is_413(app, client) -> None:
    """Before: 200 — the body was cut at 256 KB and the cut-off JSON still parsed."""
    key, spec = _router(app)
    payload = json.dumps(valid_body(key, spec, ["/trials"])).encode() + b" " * (5 * 1024 * 1024)
    resp = _chunked(client, payload)
    assert resp.status_code == 413


def test_body_exactly_at_the_limit_is_accepted_and_one_more_byte_is_not(app, client) -> None:
    key, spec = _router(app)
    body = json.dumps(valid_body(key, spec, ["/trials"])).encode()
    at_limit = body + b" " * (LIMIT - len(body))
    assert _chunked(client, at_limit).status_code == 200
    assert _chunked(client, at_limit + b" ").status_code == 413


# ----------------------------------------------------------------------------- finding 7


def _bodies_with_bad_envelopes(app) -> list[tuple[str, dict]]:
    """Malformed ``outputs`` and ``changedPropIds`` for every callback, in the probe's style."""
    cases: list[tuple[str, dict]] = []
    for key, spec in app.callback_map.items():
        good = valid_body(key, spec)
        outputs = good["outputs"]
        first = outputs[0] if isinstance(outputs, list) else outputs
        variants: dict[str, object] = {
            "outputs-missing": None,
            "outputs-string": "x",
            "outputs-number": 3,
            "outputs-empty-list": [],
            "outputs-wrong-property": (
                [{**first, "property": "nope"}, *outputs[1:]]
                if isinstance(outputs, list)
                else {**first, "property": "nope"}
            ),
            "outputs-wrong-id": (
                [{**first, "id": "someone-else"}, *outputs[1:]]
                if isinstance(outputs, list)
                else {**first, "id": "someone-else"}
            ),
            "outputs-extra-key": (
                [{**first, "value": 1}, *outputs[1:]]
                if isinstance(outputs, list)
                else {**first, "value": 1}
            ),
            "outputs-nested": [[outputs]],
            "outputs-swapped-shape": outputs[0] if isinstance(outputs, list) else [outputs],
        }
        if isinstance(outputs, list):
            variants["outputs-one-short"] = outputs[:-1]
            variants["outputs-one-extra"] = [*outputs, first]
        for name, value in variants.items():
            body = dict(good)
            if value is None:
                body.pop("outputs")
            else:
                body["outputs"] = value
            cases.append((f"{key[:40]}:{name}", body))
        inputs = spec.get("inputs", [])
        prop = inputs[0]["property"] if inputs else "n_clicks"
        for name, changed in {
            "changed-broken-json-id": ["{." + prop],
            "changed-json-not-object": ["[1]." + prop],
            "changed-no-dot": ["nodot"],
            "changed-empty-id": ["." + prop],
            "changed-unknown-component": ["no-such-component." + prop],
            "changed-foreign-pattern": ['{"type":"evil"}.' + prop],
        }.items():
            cases.append((f"{key[:40]}:{name}", {**good, "changedPropIds": changed}))
    return cases


def test_malformed_envelopes_are_400_with_one_log_line_and_no_traceback(
    app, client, caplog
) -> None:
    """Before: 400 or the error banner, and a full traceback in the log for each."""
    cases = _bodies_with_bad_envelopes(app)
    assert len(cases) > 200
    failures = []
    for name, body in cases:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            resp = post(client, body)
        records = [r for r in caplog.records if r.name.startswith(("escc", "dash", "flask"))]
        if (
            resp.status_code != 400
            or leaks(resp.get_data(as_text=True))
            or len(records) != 1
            or any(r.exc_info for r in records)
        ):
            failures.append((name, resp.status_code, [r.getMessage()[:80] for r in records]))
    assert failures == []


def test_valid_envelopes_still_pass(app, client) -> None:
    """The stricter checks accept what the renderer sends: every callback's valid body."""
    for key, spec in app.callback_map.items():
        if "callback" not in spec:
            # Runs in the browser; the server refuses it (tested in test_sec01_callback_fuzz).
            continue
        body = valid_body(key, spec)
        inputs = body["inputs"]
        if inputs:
            entry = inputs[0][0] if isinstance(inputs[0], list) else inputs[0]
            ident = entry["id"]
            text = ident if isinstance(ident, str) else json.dumps(ident, sort_keys=True)
            body["changedPropIds"] = [f"{text}.{entry['property']}"]
        resp = post(client, body)
        assert resp.status_code != 400 or b"Malformed callback request" not in resp.data, key


# ----------------------------------------------------------------------------- finding 8


@pytest.mark.parametrize("path", ["/", "/survival", "/_dash-layout"])
def test_index_and_layout_are_not_stored(client, path: str) -> None:
    """Before: no Cache-Control (the index carries a per-load signed token)."""
    resp = client.get(path)
    assert resp.status_code == 200
    assert resp.headers.get("Cache-Control") == "no-store"


def test_component_bundles_keep_long_caching(client) -> None:
    html = client.get("/").get_data(as_text=True)
    src = html.split('src="', 2)[1].split('"', 1)[0]
    assert "_dash-component-suites" in src
    assert "no-store" not in client.get(src).headers.get("Cache-Control", "")


def test_reload_hash_is_off_in_production(client) -> None:
    """Before: 200 with the file list in production."""
    assert client.get("/_reload-hash").status_code == 404


def test_reload_hash_still_answers_in_developer_mode() -> None:
    from app import create_app

    dev = create_app(load_settings({}, debug=True))
    assert dev.server.test_client().get("/_reload-hash").status_code == 200


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("explorer.example.org", True),
        ("EXPLORER.example.org:443", True),
        ("localhost:8050", True),
        ("a.b.trusted.example", True),
        ("trusted.example", True),
        ("evil.example", False),
        ("explorer.example.org.evil.example", False),
        ("nottrusted.example", False),
        ("", False),
        ("[::1]:8050", False),
    ],
)
def test_host_allow_list_matching(host: str, allowed: bool) -> None:
    hosts = ("explorer.example.org", "localhost", ".trusted.example")
    assert host_allowed(host, hosts) is allowed
    assert host_allowed(host, ()) is True  # no list: any host


def test_host_allow_list_refuses_rebinding() -> None:
    """Before: a page on any host name resolving to the app could call its callbacks."""
    from app import create_app

    app = create_app(load_settings({"ESCC_ALLOWED_HOSTS": "explorer.example.org"}))
    client = app.server.test_client()
    key, spec = _router(app)
    body = json.dumps(valid_body(key, spec, ["/trials"]))
    base = "http://explorer.example.org"
    assert client.get("/", base_url=base).status_code == 200
    ok = client.post(UPDATE, data=body, content_type="application/json", base_url=base)
    assert ok.status_code == 200
    evil = "http://rebind.evil.example:8050"
    assert client.get("/", base_url=evil).status_code == 400
    resp = client.post(UPDATE, data=body, content_type="application/json", base_url=evil)
    assert resp.status_code == 400
    assert client.get("/health", base_url=evil).status_code == 200  # probes use any address


def test_docker_image_turns_the_allow_list_on() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    line = next(x for x in dockerfile.splitlines() if "ESCC_ALLOWED_HOSTS=" in x)
    value = line.split("ESCC_ALLOWED_HOSTS=", 1)[1].split()[0]
    hosts = load_settings({"ESCC_ALLOWED_HOSTS": value}).allowed_hosts
    assert hosts and "127.0.0.1" in hosts  # the HEALTHCHECK's address
