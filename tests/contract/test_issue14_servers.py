"""Issue 14, findings 4 and 5 over real HTTP: gunicorn with gunicorn.conf.py, and ``python app.py``.

Raw sockets, because the attacks are about framing and timing: chunked bodies past the limit,
and clients that send a byte at a time. Short timeouts are set through the documented settings
(ESCC_HEADER_TIMEOUT_S, ESCC_BODY_TIMEOUT_S) so the tests take seconds. Before issue 14:
chunked bodies of 1/10/60 MB got 400 and a valid body plus 5 MB of chunked whitespace got 200;
a trickling client was never timed out by either server.

gunicorn's own header reading has no deadline (the proxy in front bounds it: gunicorn.conf.py,
PROXY_REQUIREMENTS, tests/unit/test_proxy_config.py), so header trickling is tested on the
embedded server only.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
TIMEOUT_S = 2.0

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DASH_", "ESCC_"))}
    env.update(
        {
            "ESCC_BIND": f"127.0.0.1:{port}",
            "ESCC_PORT": str(port),
            "ESCC_WORKERS": "1",
            "ESCC_HEADER_TIMEOUT_S": str(TIMEOUT_S),
            "ESCC_BODY_TIMEOUT_S": str(TIMEOUT_S),
        }
    )
    return env


def _serve(cmd: list[str], port: int) -> Iterator[int]:
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=_env(port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("server exited: " + proc.stdout.read().decode()[-2000:])
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("server did not become healthy within 120 s")
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def gunicorn_port() -> Iterator[int]:
    yield from _serve([str(GUNICORN), "-c", "gunicorn.conf.py", "app:server"], _free_port())


@pytest.fixture(scope="module")
def embedded_port() -> Iterator[int]:
    yield from _serve([sys.executable, "app.py"], _free_port())


def _head(port: int, extra: str = "") -> bytes:
    return (
        f"POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    ).encode()


def _response(sock: socket.socket) -> bytes:
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                break
    except OSError:
        pass
    return data


def _status(data: bytes) -> int:
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0


def _chunked_post(port: int, payload: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(_head(port, "Transfer-Encoding: chunked\r\nConnection: close\r\n"))
        try:
            for i in range(0, len(payload), 65536):
                part = payload[i : i + 65536]
                sock.sendall(b"%x\r\n" % len(part) + part + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered 413 and stopped reading: the answer is still there
        return _status(_response(sock))


def _router_body() -> bytes:
    body = {
        "output": "page-content.children",
        "outputs": {"id": "page-content", "property": "children"},
        "inputs": [{"id": "url", "property": "pathname", "value": "/trials"}],
        "state": [{"id": "url", "property": "search", "value": ""}],
        "changedPropIds": ["url.pathname"],
    }
    return json.dumps(body).encode()


def _trickled_body_status(port: int) -> tuple[int, float]:
    """Declare 200 bytes, send 10, then one byte every 0.5 s: how and when does it end?"""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(_head(port, "Content-Length: 200\r\n") + b'{"output"')
        sock.settimeout(0.5)
        data = b""
        while time.monotonic() - started < 20:
            try:
                data = sock.recv(65536)
                break
            except TimeoutError:
                try:
                    sock.sendall(b" ")
                except OSError:
                    break
        return _status(data), time.monotonic() - started


@pytest.mark.parametrize("megabytes", [1, 10, 60])
def test_gunicorn_chunked_body_over_the_limit_is_413(gunicorn_port: int, megabytes: int) -> None:
    payload = b"{" + b" " * (megabytes * 1024 * 1024) + b"}"
    assert _chunked_post(gunicorn_port, payload) == 413


def test_gunicorn_valid_body_plus_chunked_whitespace_is_413(gunicorn_port: int) -> None:
    assert _chunked_post(gunicorn_port, _router_body() + b" " * (5 * 1024 * 1024)) == 413


def test_gunicorn_chunked_valid_body_is_served(gunicorn_port: int) -> None:
    assert _chunked_post(gunicorn_port, _router_body()) == 200


def test_gunicorn_trickled_body_gets_408_in_time(gunicorn_port: int) -> None:
    status, elapsed = _trickled_body_status(gunicorn_port)
    assert status == 408
    assert elapsed < TIMEOUT_S + 5


def test_embedded_chunked_body_over_the_limit_is_413(embedded_port: int) -> None:
    assert _chunked_post(embedded_port, _router_body() + b" " * (5 * 1024 * 1024)) == 413


def test_embedded_trickled_body_gets_408_in_time(embedded_port: int) -> None:
    status, elapsed = _trickled_body_status(embedded_port)
    assert status == 408
    assert elapsed < TIMEOUT_S + 5


def test_embedded_trickled_headers_are_dropped_in_time(embedded_port: int) -> None:
    """A header byte every 0.5 s: the embedded server closes the connection at its deadline."""
    started = time.monotonic()
    closed = False
    with socket.create_connection(("127.0.0.1", embedded_port), timeout=30) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sock.settimeout(0.5)
        while time.monotonic() - started < 20:
            try:
                sock.recv(65536)  # EOF (or a final answer): the server ended the request
                closed = True
                break
            except TimeoutError:
                try:
                    sock.sendall(b"a")
                except OSError:
                    closed = True
                    break
            except OSError:
                closed = True
                break
    elapsed = time.monotonic() - started
    assert closed
    assert elapsed < TIMEOUT_S + 5
