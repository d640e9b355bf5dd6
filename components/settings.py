"""Every limit and deployment knob, in one place (STYLE principle 11).

Each setting has a default suited to a single-machine install, an environment variable that
overrides it, and a one-line explanation. ``README.md`` documents the same table; a test fails
when a setting here is missing from the README, so the two cannot drift apart.

Settings are read once, in :func:`load_settings`, and frozen. Nothing reads ``os.environ``
anywhere else in the app.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

APP_NAME = "ESCC first-line trial explorer"
APP_SHORT_NAME = "ESCC explorer"
APP_VERSION = "0.1.0"


class SettingsError(ValueError):
    """An environment variable holds a value the app cannot use."""


@dataclass(frozen=True)
class SettingDoc:
    env: str
    default: str
    help: str


# The documented table. ``load_settings`` parses exactly these variables.
SETTING_DOCS: tuple[SettingDoc, ...] = (
    SettingDoc("ESCC_HOST", "127.0.0.1", "Interface `python app.py` binds to (embedded server)."),
    SettingDoc("ESCC_PORT", "8050", "Port for `python app.py` and the default gunicorn bind."),
    SettingDoc(
        "ESCC_MAX_REQUEST_BYTES",
        "262144",
        "Largest request body accepted; larger bodies get 413 before any parsing (SEC-03).",
    ),
    SettingDoc(
        "ESCC_TRUSTED_ORIGINS",
        "",
        "Comma-separated extra origins (scheme://host[:port]) allowed to POST callbacks, "
        "besides the app's own origin (SEC-04).",
    ),
    SettingDoc(
        "ESCC_ALLOWED_HOSTS",
        "",
        "Comma-separated host names the app answers to (`example.org`, `.example.org` for it "
        "and its subdomains); other Host headers get 400 (DNS rebinding). Empty = any host; "
        "the Docker image sets `localhost,127.0.0.1`. /health answers every host.",
    ),
    SettingDoc(
        "ESCC_HEADER_TIMEOUT_S",
        "10",
        "Seconds the embedded server (`python app.py`) waits for a request line and headers "
        "(also an idle keep-alive); under gunicorn the proxy must bound headers (README).",
    ),
    SettingDoc(
        "ESCC_BODY_TIMEOUT_S",
        "15",
        "Seconds a whole request body may take to arrive (any server); slower bodies get 408.",
    ),
    SettingDoc(
        "ESCC_CALLBACK_BUDGET_S",
        "10",
        "Seconds a callback may run before it is reported as slow in the log.",
    ),
    SettingDoc(
        "ESCC_CACHE_DIR",
        "",
        "Folder for the background-callback cache (diskcache); empty = a folder under the "
        "system temp directory.",
    ),
    SettingDoc(
        "ESCC_GIT_SHA",
        "",
        "App revision shown in the footer; when empty it is read from the checkout's .git.",
    ),
    SettingDoc(
        "ESCC_DATA_DIR",
        "",
        "Folder holding the evidence base (trial files and MANIFEST.toml); empty = the "
        "project's data/ folder.",
    ),
    SettingDoc(
        "ESCC_CHROMIUM_PATH",
        "",
        "Chromium used for static export (PNG/SVG/PDF, decks); empty = `chromium` on PATH, "
        "else /usr/bin/chromium. Never downloaded.",
    ),
    SettingDoc(
        "ESCC_EXPORT_TIMEOUT_S",
        "60",
        "Seconds one chart render may take before the export fails with a message.",
    ),
    SettingDoc(
        "ESCC_EXPORT_IDLE_S",
        "600",
        "Seconds without exports after which a worker closes its Chromium (0.4-0.7 GB).",
    ),
    SettingDoc(
        "ESCC_EXPORT_START_TIMEOUT_S",
        "60",
        "Seconds Chromium may take to start before an export fails (35-40 s measured on a "
        "2-core machine at load average 16-27).",
    ),
    SettingDoc(
        "ESCC_EXPORT_RENDERERS",
        "",
        "Chromium renderers per worker process (the export pool); empty = derived: "
        "(budget / workers - 250 MB) / 500 MB, at most cores / workers, between 1 and 4.",
    ),
    SettingDoc(
        "ESCC_EXPORT_QUEUE",
        "8",
        "Deck builds (and single-chart renders) that may wait for a renderer per worker; "
        "beyond it users are told the export service is busy and when to try again.",
    ),
    SettingDoc(
        "ESCC_WORKERS",
        "",
        "gunicorn worker count; empty = min(2 x cores + 1, memory budget / 600 MB).",
    ),
    SettingDoc(
        "ESCC_BIND",
        "",
        "gunicorn bind address; empty = ESCC_HOST:ESCC_PORT (use 0.0.0.0:8050 in a container).",
    ),
    SettingDoc(
        "ESCC_MEMORY_BUDGET_MB",
        "4096",
        "Memory gunicorn may use in total; caps the default worker count at budget / 600 MB "
        "(a warm worker ~220 MB, plus Chromium while it exports).",
    ),
    SettingDoc(
        "ESCC_FORWARDED_ALLOW_IPS",
        "127.0.0.1",
        "Proxy addresses whose X-Forwarded-* headers gunicorn trusts.",
    ),
)


@dataclass(frozen=True)
class Settings:
    """Frozen runtime configuration. Build with :func:`load_settings`."""

    host: str = "127.0.0.1"
    port: int = 8050
    max_request_bytes: int = 262_144
    trusted_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    header_timeout_s: float = 10.0
    body_timeout_s: float = 15.0
    callback_budget_s: float = 10.0
    cache_dir: Path | None = None
    data_dir: Path | None = None
    chromium_path: Path | None = None
    export_timeout_s: float = 60.0
    export_idle_s: float = 600.0
    export_start_timeout_s: float = 60.0
    export_renderers: int = 1
    export_queue: int = 8
    git_sha: str = ""
    debug: bool = False

    @property
    def version_label(self) -> str:
        sha = self.git_sha[:10] if self.git_sha else "unknown revision"
        return f"v{APP_VERSION} ({sha})"


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r}: expected an integer") from exc
    if not lo <= value <= hi:
        raise SettingsError(f"{name}={value}: must be between {lo} and {hi}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, lo: float, hi: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r}: expected a number") from exc
    if not lo <= value <= hi:
        raise SettingsError(f"{name}={value}: must be between {lo} and {hi}")
    return value


def _origins(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("ESCC_TRUSTED_ORIGINS", "").strip()
    if not raw:
        return ()
    out = []
    for part in raw.split(","):
        origin = part.strip().rstrip("/")
        if not origin.startswith(("http://", "https://")) or "/" in origin.split("://", 1)[1]:
            raise SettingsError(
                f"ESCC_TRUSTED_ORIGINS: {origin!r} is not of the form scheme://host[:port]"
            )
        out.append(origin)
    return tuple(out)


# Memory model of one gunicorn worker (measured: notes/perf.md, notes/issue-08-engine.md,
# notes/issue-14-export.md): ~220-250 MB for the app, ~0.4-0.5 GB per warm Chromium renderer.
WORKER_BASE_MB = 250
RENDERER_MB = 500
PER_WORKER_MB = 600  # what the default worker count budgets per worker (app + one renderer)
MAX_DEFAULT_RENDERERS = 4


def default_workers(env: Mapping[str, str] | None = None) -> int:
    """gunicorn's default worker count: min(2 x cores + 1, memory budget / 600 MB)."""
    env = os.environ if env is None else env
    budget = _int(env, "ESCC_MEMORY_BUDGET_MB", 4096, 256, 1_048_576)
    by_cpu = 2 * (os.cpu_count() or 1) + 1
    return max(1, min(by_cpu, budget // PER_WORKER_MB))


def default_renderers(env: Mapping[str, str] | None = None, cpus: int | None = None) -> int:
    """Chromium renderers per worker from the memory budget (README, "Export service").

    Each worker gets ``budget / workers``; after the app's own ~250 MB, every 500 MB pays for
    one renderer; at least 1 (exports must work), at most 4, and no more than the worker's share
    of the CPU cores (a render keeps a core busy: more renderers than cores only queue inside
    Chromium instead of in the visible export queue).
    """
    env = os.environ if env is None else env
    budget = _int(env, "ESCC_MEMORY_BUDGET_MB", 4096, 256, 1_048_576)
    workers = _int(env, "ESCC_WORKERS", 0, 0, 512) or default_workers(env)
    by_memory = int((budget / workers - WORKER_BASE_MB) // RENDERER_MB)
    by_cpu = (cpus or os.cpu_count() or 1) // workers
    return max(1, min(MAX_DEFAULT_RENDERERS, by_memory, by_cpu))


_HOST_RE = re.compile(
    r"^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:]+\]$"
)


def _hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("ESCC_ALLOWED_HOSTS", "").strip()
    if not raw:
        return ()
    out = []
    for part in raw.split(","):
        host = part.strip().lower()
        if not _HOST_RE.match(host):
            raise SettingsError(
                f"ESCC_ALLOWED_HOSTS: {host!r} is not a host name (no scheme, port or path)"
            )
        out.append(host)
    return tuple(out)


def read_git_sha(root: Path = PROJECT_ROOT) -> str:
    """Return the checked-out commit from ``.git`` without running git (empty if unknown)."""
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text(encoding="ascii").strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        ref_file = git / ref
        if ref_file.is_file():
            return ref_file.read_text(encoding="ascii").strip()
        packed = git / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="ascii").splitlines():
                if line.endswith(" " + ref):
                    return line.split(" ", 1)[0]
    except (OSError, UnicodeDecodeError):
        return ""
    return ""


def load_settings(env: Mapping[str, str] | None = None, *, debug: bool = False) -> Settings:
    """Parse the documented environment variables; raise :class:`SettingsError` on bad values."""
    env = os.environ if env is None else env
    cache_raw = env.get("ESCC_CACHE_DIR", "").strip()
    data_raw = env.get("ESCC_DATA_DIR", "").strip()
    chromium_raw = env.get("ESCC_CHROMIUM_PATH", "").strip()
    host = env.get("ESCC_HOST", "").strip() or "127.0.0.1"
    return Settings(
        host=host,
        port=_int(env, "ESCC_PORT", 8050, 1, 65535),
        max_request_bytes=_int(env, "ESCC_MAX_REQUEST_BYTES", 262_144, 16_384, 16 * 1024 * 1024),
        trusted_origins=_origins(env),
        allowed_hosts=_hosts(env),
        header_timeout_s=_float(env, "ESCC_HEADER_TIMEOUT_S", 10.0, 0.5, 600.0),
        body_timeout_s=_float(env, "ESCC_BODY_TIMEOUT_S", 15.0, 0.5, 600.0),
        callback_budget_s=_float(env, "ESCC_CALLBACK_BUDGET_S", 10.0, 0.1, 600.0),
        cache_dir=Path(cache_raw) if cache_raw else None,
        data_dir=Path(data_raw) if data_raw else None,
        chromium_path=Path(chromium_raw) if chromium_raw else None,
        export_timeout_s=_float(env, "ESCC_EXPORT_TIMEOUT_S", 60.0, 1.0, 600.0),
        export_idle_s=_float(env, "ESCC_EXPORT_IDLE_S", 600.0, 10.0, 86_400.0),
        export_start_timeout_s=_float(env, "ESCC_EXPORT_START_TIMEOUT_S", 60.0, 5.0, 600.0),
        export_renderers=_int(env, "ESCC_EXPORT_RENDERERS", default_renderers(env), 1, 8),
        export_queue=_int(env, "ESCC_EXPORT_QUEUE", 8, 0, 200),
        git_sha=env.get("ESCC_GIT_SHA", "").strip() or read_git_sha(),
        debug=debug,
    )
