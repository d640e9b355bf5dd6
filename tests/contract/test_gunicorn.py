"""The production path: gunicorn with gunicorn.conf.py over real HTTP (SEC-03, SEC-08, DATA-01).

Each test starts a real gunicorn master + one worker on a free loopback port.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DASH_", "ESCC_"))}
    env.update({"ESCC_BIND": f"127.0.0.1:{port}", "ESCC_WORKERS": "1"}, **extra)
    return env


@pytest.fixture
def gunicorn_server():
    port = _free_port()
    proc = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "app:server"],
        cwd=ROOT,
        env=_env(port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("gunicorn exited: " + proc.stdout.read().decode()[-2000:])
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("gunicorn did not become healthy within 60 s")
    yield base, proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def test_gunicorn_serves_the_app(gunicorn_server) -> None:
    base, _proc = gunicorn_server
    status, body, headers = _get(base + "/")
    assert status == 200 and b"_dash-config" in body
    assert "Content-Security-Policy" in headers
    status, body, _ = _get(base + "/health")
    assert (status, body.strip()) == (200, b"OK")
    status, body, _ = _get(base + "/")
    cfg = body.split(b'type="application/json">', 1)[1].split(b"</script>", 1)[0]
    parsed = json.loads(cfg)
    assert parsed["ui"] is False and parsed["props_check"] is False
    assert "dev_tools" not in parsed and "hot_reload" not in parsed


def test_sec03_oversized_body_refused_fast_over_http(gunicorn_server) -> None:
    base, _proc = gunicorn_server
    payload = b"{" + b" " * (50 * 1024 * 1024) + b"}"
    request = urllib.request.Request(
        base + "/_dash-update-component",
        data=payload,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            status = resp.status
    except urllib.error.HTTPError as err:
        status = err.code
    except (ConnectionResetError, BrokenPipeError, urllib.error.URLError):
        status = 413  # the server answered 413 and closed while we were still sending
    elapsed = time.monotonic() - started
    assert status == 413
    # Generous bound: the point is that the body is never buffered, not a latency benchmark.
    assert elapsed < 10


def test_data01_gunicorn_refuses_to_start_on_bad_data(tmp_path: Path) -> None:
    bad = tmp_path / "data"
    shutil.copytree(ROOT / "data", bad, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    victim = next(p for p in sorted(bad.rglob("*.toml")) if p.name != "MANIFEST.toml")
    victim.write_text(victim.read_text(encoding="utf-8") + "\n[[[ not toml\n", encoding="utf-8")
    port = _free_port()
    started = time.monotonic()
    proc = subprocess.run(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "app:server"],
        cwd=ROOT,
        env=_env(port, ESCC_DATA_DIR=str(bad)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    assert time.monotonic() - started < 30
    log = proc.stdout + proc.stderr
    assert "DataValidationError" in log
    assert victim.name in log
