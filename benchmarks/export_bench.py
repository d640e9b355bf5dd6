"""Shared parts of the export benchmarks (bench_export_burst.py, bench_export_soak.py).

* :class:`ExportServer` - gunicorn with gunicorn.conf.py on a free loopback port, its own
  process group, a private cache folder and a private, short ``TMPDIR`` (so every temporary
  file the server and its Chromium renderers make can be counted; short because Chromium's
  profile holds a UNIX socket whose path may not exceed 107 bytes);
* :class:`Client` - one browser page load (``GET /`` for the signed ``endId``, the callback
  graph from ``/_dash-dependencies``) that can build a deck as Dash's renderer does (start the
  background callback, poll with the signed handles every ``poll_s``) or download one chart;
* :func:`tree_usage` - Chromium browsers and processes below the gunicorn master, and the
  memory of the whole tree (RSS and PSS).

Not a benchmark itself (no ``bench_`` prefix).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
UPDATE = "/_dash-update-component"
END_ID = re.compile(r'"end_id"\s*:\s*"([^"]+)"')
CHARTS = ("forest", "response", "safety", "survival-km")
WRAPPER = "chromium_wrapper"  # choreographer's pipe wrapper (python) around each Chromium


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ExportServer:
    """gunicorn under test (module docstring)."""

    def __init__(
        self,
        workers: int,
        log_path: Path,
        env: dict[str, str] | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        self.cache_dir = Path(tempfile.mkdtemp(prefix="bx-cache-"))
        self.tmp_dir = Path(tempfile.mkdtemp(prefix="bx-", dir="/tmp"))
        self.extra_env = env or {}
        self.extra_args = extra_args
        self.proc: subprocess.Popen[bytes] | None = None
        self.cold_start_s = float("nan")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 120.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DASH_", "ESCC_"))}
        env.update(
            ESCC_BIND=f"127.0.0.1:{self.port}",
            ESCC_WORKERS=str(self.workers),
            ESCC_CACHE_DIR=str(self.cache_dir),
            TMPDIR=str(self.tmp_dir),
            **self.extra_env,
        )
        cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "app:server"]
        cmd += ["--no-control-socket", *self.extra_args]
        with self.log_path.open("wb") as log:
            started = time.perf_counter()
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        while time.perf_counter() - started < timeout_s:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.proc.returncode}; see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2) as resp:
                    if resp.status == 200:
                        self.cold_start_s = time.perf_counter() - started
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"/health not 200 within {timeout_s:.0f} s")

    def master(self) -> psutil.Process | None:
        if self.proc is None or self.proc.poll() is not None:
            return None
        try:
            return psutil.Process(self.proc.pid)
        except psutil.NoSuchProcess:
            return None

    def workers_now(self) -> list[psutil.Process]:
        master = self.master()
        if master is None:
            return []
        try:
            return [p for p in master.children() if WRAPPER not in " ".join(p.cmdline())]
        except psutil.Error:
            return []

    def temp_entries(self) -> list[str]:
        try:
            return sorted(p.name for p in self.tmp_dir.iterdir())
        except OSError:
            return []

    def stop(self) -> float:
        """SIGTERM, wait (SIGKILL to our own group after 60 s); seconds it took."""
        started = time.perf_counter()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return time.perf_counter() - started

    def cleanup(self) -> None:
        shutil.rmtree(self.cache_dir, ignore_errors=True)
        shutil.rmtree(self.tmp_dir, ignore_errors=True)


@dataclass
class Usage:
    browsers: int = 0  # Chromium browser processes (not their helpers)
    chromium: int = 0  # all Chromium processes
    rss_mb: float = 0.0  # whole tree: master, workers, wrappers, Chromium
    pss_mb: float = 0.0
    worker_rss_mb: dict[int, float] = field(default_factory=dict)


def tree_usage(server: ExportServer, pss: bool = True) -> Usage:
    usage = Usage()
    master = server.master()
    if master is None:
        return usage
    try:
        procs = [master, *master.children(recursive=True)]
    except psutil.Error:
        return usage
    workers = {p.pid for p in server.workers_now()}
    for proc in procs:
        try:
            name = proc.name()
            memory = proc.memory_full_info() if pss else proc.memory_info()
            parent = proc.parent()
        except psutil.Error:
            continue
        usage.rss_mb += memory.rss / 2**20
        usage.pss_mb += getattr(memory, "pss", 0) / 2**20
        if "chrom" in name:
            usage.chromium += 1
            if parent is None or "chrom" not in parent.name():
                usage.browsers += 1
        if proc.pid in workers:
            usage.worker_rss_mb[proc.pid] = memory.rss / 2**20
    return usage


def _post(url: str, body: dict[str, Any], timeout: float) -> tuple[int, dict[str, Any] | None]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Origin": url.split("/_dash", maxsplit=1)[0],
            "Sec-Fetch-Site": "same-origin",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            return err.code, json.loads(raw)
        except ValueError:
            return err.code, None


@dataclass
class Outcome:
    kind: str  # "file" | "message" | "error"
    seconds: float
    status: str = ""
    filename: str = ""
    size: int = 0
    positions: list[str] = field(default_factory=list)
    http_errors: int = 0


class Client:
    """One page load of one user (module docstring)."""

    def __init__(self, base: str, timeout: float = 30.0) -> None:
        self.base = base
        self.timeout = timeout
        with urllib.request.urlopen(base + "/", timeout=timeout) as resp:
            html = resp.read().decode()
        match = END_ID.search(html)
        if match is None:
            raise RuntimeError("the index carries no end_id")
        self.end_id = match.group(1)
        with urllib.request.urlopen(base + "/_dash-dependencies", timeout=timeout) as resp:
            self.deps = json.loads(resp.read())

    def _spec(self, *needles: str) -> dict[str, Any]:
        return next(d for d in self.deps if all(n in d["output"] for n in needles))

    def deck_body(self, items: list[dict[str, str]]) -> dict[str, Any]:
        spec = self._spec("deck-file")
        outputs = [
            {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
            for part in spec["output"].strip(".").split("...")
        ]
        return {
            "output": spec["output"],
            "outputs": outputs,
            "inputs": [{**spec["inputs"][0], "value": 1}],
            "state": [{**spec["state"][0], "value": items}],
            "changedPropIds": [f"{spec['inputs'][0]['id']}.n_clicks"],
        }

    def deck(
        self, items: list[dict[str, str]], poll_s: float = 0.5, limit_s: float = 900
    ) -> Outcome:
        """Build a deck as Dash's renderer does; the outcome the user would see."""
        body = self.deck_body(items)
        started = time.perf_counter()
        url = f"{self.base}{UPDATE}?endId={self.end_id}"
        status, handle = _post(url, body, self.timeout)
        if status != 200 or not handle or "cacheKey" not in handle:
            return Outcome("error", time.perf_counter() - started, f"start: HTTP {status}")
        poll = f"{url}&cacheKey={handle['cacheKey']}&job={handle['job']}"
        outcome = Outcome("error", 0.0)
        while time.perf_counter() - started < limit_s:
            time.sleep(poll_s)
            status, data = _post(poll, body, self.timeout)
            if status != 200 or data is None:
                outcome.http_errors += 1
                outcome.status = f"poll: HTTP {status}"
                if status >= 400 or status == 0:
                    break
                continue
            progress = data.get("progress", {}).get("deck-progress.children")
            if progress and (not outcome.positions or outcome.positions[-1] != progress):
                outcome.positions.append(progress)
            if "response" in data:
                response = data["response"]
                outcome.status = response.get("deck-status", {}).get("children", "")
                file = response.get("deck-file", {}).get("data")
                if file:
                    outcome.kind, outcome.filename = "file", file["filename"]
                    outcome.size = len(file.get("content", "")) * 3 // 4
                else:
                    outcome.kind = "message"
                break
        outcome.seconds = time.perf_counter() - started
        return outcome

    def chart(self, chart: str = "forest", fmt: str = "png") -> tuple[int, str]:
        """Download one chart through the export menu's callback: (HTTP status, status text)."""
        spec = self._spec("export-file", "export-status")

        def concrete(ident: Any) -> Any:
            if isinstance(ident, str) and ident.startswith("{"):
                ident = json.loads(ident)  # pattern-matching ids come as JSON text
            return {**ident, "chart": chart} if isinstance(ident, dict) else ident

        values = {
            "export-format": fmt,
            "export-size": "16:9",
            "export-width": 1600,
            "export-height": 900,
            "export-theme": "presentation",
        }
        trigger = json.dumps(concrete(spec["inputs"][0]["id"]), separators=(",", ":"))
        outputs = []
        for part in spec["output"].strip(".").split("..."):
            ident, prop = part.rsplit(".", 1)
            outputs.append({"id": concrete(json.loads(ident)), "property": prop})
        body = {
            "output": spec["output"],
            "outputs": outputs,
            "inputs": [{**spec["inputs"][0], "id": concrete(spec["inputs"][0]["id"]), "value": 1}],
            "state": [
                {
                    **s,
                    "id": concrete(s["id"]),
                    "value": values.get(concrete(s["id"]).get("type"))
                    if isinstance(concrete(s["id"]), dict)
                    else "",
                }
                for s in spec["state"]
            ],
            "changedPropIds": [f"{trigger}.n_clicks"],
        }
        status, data = _post(f"{self.base}{UPDATE}?endId={self.end_id}", body, 300)
        text = ""
        if data and "response" in data:
            text = next(
                (v.get("children", "") for v in data["response"].values() if "children" in v), ""
            )
        return status, str(text)


def used_memory_mb() -> float:
    memory = psutil.virtual_memory()
    return (memory.total - memory.available) / 2**20
