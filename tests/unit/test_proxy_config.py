"""Issue 14, finding 5: the production path names the proxy settings it depends on.

gunicorn has no deadline on request headers, so a buffering proxy in front is required
(README, "Production"). ``gunicorn.conf.py`` states the required directives in
``PROXY_REQUIREMENTS``; this test checks that the README table and the nginx example in
``deploy/nginx.conf`` carry each of them with a value at least as strict, and that the size and
time limits agree with the app's own settings. Before issue 14 none of the three existed.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from components.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
CONFIG = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
REQUIRED: dict[str, str] = CONFIG.get("PROXY_REQUIREMENTS", {})
NGINX = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
SIZES = {"k": 1024, "m": 1024 * 1024}


def _seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+)(s?)", value)
    assert match, value
    return float(match.group(1))


def _bytes(value: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmM]?)", value)
    assert match, value
    return int(match.group(1)) * SIZES.get(match.group(2).lower(), 1)


def _nginx_value(directive: str) -> str:
    """The value nginx.conf gives ``directive`` (comments stripped); fails when absent."""
    lines = [line.split("#", 1)[0].strip() for line in NGINX.splitlines()]
    found = [line for line in lines if line.startswith(directive + " ")]
    assert found, f"deploy/nginx.conf does not set {directive}"
    return found[0][len(directive) :].strip().rstrip(";").strip()


def test_the_requirements_are_stated() -> None:
    assert {
        "client_header_timeout",
        "client_body_timeout",
        "proxy_request_buffering",
        "proxy_buffering",
        "client_max_body_size",
        "proxy_set_header Host",
    } <= set(REQUIRED)


@pytest.mark.parametrize("directive", sorted(REQUIRED))
def test_nginx_example_meets_each_requirement(directive: str) -> None:
    required, actual = REQUIRED[directive], _nginx_value(directive)
    if directive.endswith("_timeout"):
        assert _seconds(actual) <= _seconds(required)
    elif directive == "client_max_body_size":
        assert _bytes(actual) <= _bytes(required)
    else:
        assert actual == required


@pytest.mark.parametrize("directive", sorted(REQUIRED))
def test_readme_lists_each_requirement(directive: str) -> None:
    assert f"| `{directive}` | `{REQUIRED[directive]}`" in README


def test_proxy_limits_agree_with_the_app() -> None:
    settings = load_settings({})
    assert _bytes(REQUIRED["client_max_body_size"]) <= settings.max_request_bytes
    assert _seconds(REQUIRED["client_body_timeout"]) <= settings.body_timeout_s
    assert _seconds(REQUIRED["client_header_timeout"]) <= settings.header_timeout_s


def test_gunicorn_binds_locally_and_uses_threads() -> None:
    """Only the proxy reaches gunicorn by default; threads keep one stalled request from
    holding a whole worker while the proxy is being set up."""
    assert CONFIG["bind"].startswith("127.0.0.1:")
    assert CONFIG["worker_class"] == "gthread" and CONFIG["threads"] >= 2
    for name in ("limit_request_line", "limit_request_fields", "limit_request_field_size"):
        assert name not in CONFIG or CONFIG[name] > 0  # 0 would switch gunicorn's limit off
