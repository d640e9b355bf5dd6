"""gunicorn configuration for production: ``gunicorn -c gunicorn.conf.py app:server``.

Follows RELIABILITY.md §2.5. ``preload_app`` loads and validates the evidence base once in the
master, so a malformed data file stops start-up before any worker serves a request (E9), and
workers share the read-only registry copy-on-write. Environment variables (see README,
"Configuration"): ESCC_BIND, ESCC_WORKERS, ESCC_HOST, ESCC_PORT.

Required in production: a buffering reverse proxy in front (PROXY_REQUIREMENTS below; README,
"Production"; an nginx example in deploy/nginx.conf, checked by
tests/unit/test_proxy_config.py). gunicorn reads the request line and headers itself, with no
deadline: a client sending a header byte every few seconds holds a worker thread for as long as
it likes (issue 14 measured > 150 s), and ~20 such clients hold every thread. The app bounds
bodies itself (size and ESCC_BODY_TIMEOUT_S, any encoding), but headers can only be bounded in
front of gunicorn. Bind to 127.0.0.1 (the default) so that only the proxy reaches it.
"""

import os
from typing import Any

from components.settings import default_workers

# Measured (notes/perf.md, notes/issue-08-engine.md, notes/issue-14-export.md): a warm worker
# holds 210-250 MB RSS (120-150 MB PSS after copy-on-write sharing with the preloaded master);
# each of its export renderers (ESCC_EXPORT_RENDERERS, default derived from the budget) runs a
# Chromium of 0.4-0.5 GB while it exports, closed again after ESCC_EXPORT_IDLE_S without exports.
# The default worker count budgets 600 MB per worker (components.settings.default_workers).


bind = os.environ.get("ESCC_BIND") or "{}:{}".format(
    os.environ.get("ESCC_HOST", "127.0.0.1"), os.environ.get("ESCC_PORT", "8050")
)
workers = int(os.environ.get("ESCC_WORKERS") or default_workers())
# Threads keep one slow client from holding a whole worker when no buffering proxy is in front.
worker_class = "gthread"
threads = 4
preload_app = True
timeout = 30
graceful_timeout = 30
keepalive = 5
max_requests = 1000
max_requests_jitter = 100
# /dev/shm keeps the heartbeat file off disk (Docker's overlay fs can stall it); fall back when
# it does not exist (e.g. macOS developer machines).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = "-"
errorlog = "-"
# Path only, never the query string (it can carry a user's selections) nor the body (OPS-01).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'
loglevel = "info"
# What the reverse proxy in front must do (nginx directive names; other proxies: the same
# limits). Values are upper bounds: stricter is fine.
PROXY_REQUIREMENTS = {
    # Headers and body must arrive within these times, else the proxy drops the client: the
    # slow-client defence gunicorn lacks.
    "client_header_timeout": "10s",
    "client_body_timeout": "15s",
    # The proxy reads the whole request before passing it on, so gunicorn's threads only ever
    # see complete requests, and buffers responses for slow readers.
    "proxy_request_buffering": "on",
    "proxy_buffering": "on",
    # Same limit as ESCC_MAX_REQUEST_BYTES (256 KiB): refused at the edge with 413.
    "client_max_body_size": "256k",
    # The allow-list (ESCC_ALLOWED_HOSTS) sees the name the browser asked for.
    "proxy_set_header Host": "$host",
}

# Only trust X-Forwarded-* from a proxy on the same host unless told otherwise.
forwarded_allow_ips = os.environ.get("ESCC_FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server: Any) -> None:
    """The master, with the app loaded and before any worker is forked: import the export's
    libraries (python-pptx, kaleido), which ``import app`` leaves to the first export (issue 11).
    Imported here once, every worker shares them, including those forked later to replace
    recycled ones; importing them in ``post_fork`` would cost each new worker ~0.3 s CPU and
    private memory (notes/issue-11.md, "Session 5")."""
    from components.export.preload import preload  # noqa: PLC0415 - master, after preload_app

    server.log.info("export libraries imported: %s", ", ".join(preload()))


def post_fork(server: object, worker: Any) -> None:
    """A new worker, before its threads start: cap glibc's heaps at 2 and fix its mmap and trim
    thresholds (components.allocator: with glibc's defaults a worker's free lists grew to
    20-85 MB under the soak, notes/issue-14-export.md "Session 4"). Settings given through
    glibc's own environment (MALLOC_ARENA_MAX, GLIBC_TUNABLES, ...) are left alone."""
    from components.allocator import tune_malloc  # noqa: PLC0415 - per worker, after fork

    worker.log.info("malloc settings: %s", tune_malloc())


def worker_exit(server: object, worker: object) -> None:
    """A worker is leaving (graceful stop, max_requests recycle, timeout): stop its export
    renderers and remove their temporary directories, and tell users whose deck was still
    queued here to try again (atexit does the same, but gunicorn's hook runs first and also
    on paths where the interpreter is not shut down normally)."""
    from components.export.pool import shutdown_exports  # noqa: PLC0415 - at exit only

    shutdown_exports()
