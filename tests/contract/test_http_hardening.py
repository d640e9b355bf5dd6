"""SEC-03, SEC-04, SEC-05, SEC-08 and SEC-09 through the Flask test client."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from components.settings import load_settings
from tests.contract.callbacks import UPDATE, leaks, post, valid_body

ROOT = Path(__file__).resolve().parents[2]
ROUTES_FILE = Path(__file__).with_name("routes.txt")


def _router(app):
    key = next(k for k in app.callback_map if k.startswith("page-content."))
    return key, app.callback_map[key]


# ----------------------------------------------------------------------------- SEC-03


def test_sec03_limit_is_four_times_the_largest_legitimate_body(app) -> None:
    """The largest body the app itself sends is a router request with a long URL."""
    key, spec = _router(app)
    largest = len(json.dumps(valid_body(key, spec, ["/survival?" + "a=b&" * 500])))
    assert load_settings({}).max_request_bytes >= 4 * largest


@pytest.mark.parametrize(
    ("size", "expected"),
    [(10_000, {200, 204}), (262_145, {413}), (50 * 1024 * 1024, {413})],
)
def test_sec03_body_size_limits(app, client, size: int, expected: set[int]) -> None:
    key, spec = _router(app)
    # Pad the one free-text input (the pathname) so the body has exactly ``size`` bytes.
    base = len(json.dumps(valid_body(key, spec, ["/trials"])).encode())
    padded = json.dumps(valid_body(key, spec, ["/trials" + "p" * (size - base)]))
    assert len(padded.encode()) == size
    resp = client.post(UPDATE, data=padded, content_type="application/json")
    assert resp.status_code in expected


# ----------------------------------------------------------------------------- SEC-04


def test_sec04_cross_site_and_foreign_origin_refused(app, client) -> None:
    key, spec = _router(app)
    body = json.dumps(valid_body(key, spec, ["/trials"]))
    ok = client.post(
        UPDATE,
        data=body,
        content_type="application/json",
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    )
    assert ok.status_code == 200
    assert client.post(UPDATE, data=body, content_type="text/plain").status_code == 415
    cross = client.post(
        UPDATE, data=body, content_type="application/json", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 403
    foreign = client.post(
        UPDATE,
        data=body,
        content_type="application/json",
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403


def test_sec04_trusted_origin_accepted() -> None:
    from app import create_app

    trusted = create_app(load_settings({"ESCC_TRUSTED_ORIGINS": "https://proxy.example"}))
    key, spec = _router(trusted)
    resp = trusted.server.test_client().post(
        UPDATE,
        data=json.dumps(valid_body(key, spec, ["/trials"])),
        content_type="application/json",
        headers={"Origin": "https://proxy.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert resp.status_code == 200


# ----------------------------------------------------------------------------- SEC-05


def _route_inventory(app) -> list[str]:
    return sorted(
        f"{rule.rule} {','.join(sorted(rule.methods - {'HEAD', 'OPTIONS'}))}"
        for rule in app.server.url_map.iter_rules()
    )


def test_sec05_route_inventory_matches_checked_in_list(app) -> None:
    expected = [line for line in ROUTES_FILE.read_text().splitlines() if line.strip()]
    assert _route_inventory(app) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/_mcp",
        "/console",
        "/_dash-update-component/../x",
        "/_dash-component-suites/dash/../../etc/passwd",
        "/_dash-component-suites/nopkg/x.js",
        "/assets/does-not-exist.css",
        "/assets/../app.py",
    ],
)
def test_sec05_unknown_and_hostile_paths_are_4xx(client, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code in (404, 405) or (
        resp.status_code == 200 and b'id="_dash-config"' in resp.data
    ), (path, resp.status_code)
    assert leaks(resp.get_data(as_text=True)) == []


def test_sec05_no_callback_api_or_mcp(app) -> None:
    assert app._enable_mcp is False
    for spec in app.callback_map.values():
        assert not spec.get("api_endpoint")
        assert not spec.get("mcp_enabled")


def test_sec05_environment_cannot_switch_mcp_on(monkeypatch) -> None:
    from app import create_app

    monkeypatch.setenv("DASH_MCP_ENABLED", "true")
    built = create_app(load_settings({}))
    assert built._enable_mcp is False
    assert "/_mcp" not in {r.rule for r in built.server.url_map.iter_rules()}


# ----------------------------------------------------------------------------- SEC-08


def _dash_config(client) -> dict:
    html = client.get("/").get_data(as_text=True)
    match = re.search(
        r'<script id="_dash-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "index has no _dash-config"
    return json.loads(match.group(1))


def test_sec08_production_index_has_no_dev_tools(client) -> None:
    config = _dash_config(client)
    assert config.get("ui") is False
    assert config.get("props_check") is False
    assert "dev_tools" not in config
    assert "hot_reload" not in config


def test_sec08_error_bodies_have_no_traceback(client) -> None:
    for resp in (post(client, []), client.get("/_dash-component-suites/dash/x/../../y")):
        assert resp.status_code < 500
        assert leaks(resp.get_data(as_text=True)) == []


def test_sec08_gunicorn_config_is_production(monkeypatch) -> None:
    import runpy

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config.get("reload", False) is False
    assert config["preload_app"] is True
    assert config["timeout"] == 30
    assert config["max_requests"] == 1000
    assert config["bind"].startswith("127.0.0.1:")


# ----------------------------------------------------------------------------- SEC-09

REQUIRED_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/trials",
        "/survival",
        "/health",
        "/_dash-layout",
        "/_dash-dependencies",
        "/assets/app.css",
        "/nope",
        "/_favicon.ico",
    ],
)
def test_sec09_headers_on_every_route(client, path: str) -> None:
    resp = client.get(path)
    for header in REQUIRED_HEADERS:
        assert header in resp.headers, (path, header)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] in ("no-referrer", "strict-origin")
    assert resp.headers["X-Request-ID"]


def test_sec09_csp_policy(app, client) -> None:
    csp = client.get("/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    script = directives["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    for digest in app.csp_hashes():
        assert digest in script
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "http" not in csp  # no third-party origin is allowed anywhere


def test_sec09_index_loads_nothing_from_other_origins(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html)


# ----------------------------------------------------------------------------- PERF-05


def test_perf05_large_responses_are_compressed(app, client) -> None:
    """Bodies over 1 KB go out gzip-compressed when the browser accepts it; headers stay."""
    key, spec = _router(app)
    body = json.dumps(valid_body(key, spec, ["/trials"]))
    resp = client.post(
        UPDATE, data=body, content_type="application/json", headers={"Accept-Encoding": "gzip"}
    )
    assert resp.status_code == 200
    assert resp.headers.get("Content-Encoding") == "gzip"
    assert "Content-Security-Policy" in resp.headers
    index = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert index.headers.get("Content-Encoding") == "gzip"


def test_perf05_index_stays_small(client) -> None:
    """The validation layout is embedded in every index page by Dash 4; it is kept to bare
    components with ids, so a page load does not carry every view's rendered content."""
    assert len(client.get("/").data) < 80_000
