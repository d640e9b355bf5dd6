"""One warm kaleido/Chromium per process, shared by every thread that exports an image.

Why not ``kaleido.start_sync_server``: its ``call_function`` puts a task on a queue, waits for
*all* queued tasks and then takes *a* result, so two threads exporting at once can receive each
other's images; and when the browser fails to start, the server thread dies and every later
call waits forever. Instead this module runs kaleido's async API on a private event loop in one
daemon thread and hands each render to it with :func:`asyncio.run_coroutine_threadsafe`, which
gives every caller its own future and a timeout. Renders are queued by kaleido itself (a pool of
``tabs`` browser tabs; one by default, so a worker never runs two Chromium renders at once).

Lifecycle
* Lazy: nothing starts at import or app creation; the first :meth:`RenderEngine.render` starts
  Chromium (about 1–2 s), later renders reuse it.
* Fork-safe: gunicorn preloads the app in the master and forks workers. An engine created in
  one process is never used in another: the process id is checked on every call and a child
  starts its own loop and browser (the parent's browser is left to the parent).
* Self-healing: if Chromium has exited (crash, OOM kill) the next render starts a new one; if it
  dies during a render, that render is retried once on a fresh browser. A render that exceeds
  ``render_timeout_s`` raises :class:`ExportError` and the browser is replaced, because a hung
  tab cannot be trusted.
* Shut down at interpreter exit (``atexit``) and by :meth:`RenderEngine.close`.
* Temporary files in one place: every browser start gets its own directory (see
  :mod:`components.export.workdirs`), removed when that browser closes (idle, restart after a
  failure, close, exit).

Chromium is Debian's system package (``/usr/bin/chromium``), never a downloaded copy:
``kaleido.get_chrome()`` is never called and an explicit path is always passed, so choreographer
never looks for its own download. The page kaleido renders in loads plotly.js from the installed
plotly package (``file://``) and MathJax is disabled (kaleido would otherwise add a CDN script).
Extra flags keep the browser off the network: host names do not resolve and every http(s)
request goes to a closed local proxy port. choreographer already runs it headless with
``--no-sandbox`` (Chromium's sandbox cannot start as root in a container, nor in most
unprivileged containers without user namespaces), ``--disable-gpu`` and
``--disable-dev-shm-usage``; the sandbox can be turned on with ``EngineConfig(sandbox=True)``
where the host supports it. The renderer only ever receives figures our own builders produced.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import contextvars
import functools
import logging
import os
import shutil
import signal
import threading
import weakref
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from components.export.workdirs import make_workdir, remove_workdir

if TYPE_CHECKING:
    from components.export.kaleido_browser import KaleidoBrowser

log = logging.getLogger("escc.export")

ImageFormat = Literal["png", "svg", "pdf"]
_T = TypeVar("_T")

# Flags added to choreographer's own (see module docstring). ``MAP * ~NOTFOUND`` makes every
# host name fail to resolve; the proxy catches requests to literal IP addresses. file:// URLs
# (the kaleido page and plotly.min.js) are not affected.
OFFLINE_FLAGS: tuple[str, ...] = (
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--disable-background-networking",
    "--disable-client-side-phishing-detection",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--disable-quic",
    "--no-pings",
    "--mute-audio",
)

_BROWSER_NAMES = ("chromium", "chromium-browser")
_BROWSER_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


class ExportError(RuntimeError):
    """A figure could not be rendered (browser missing or failing, timeout, invalid figure)."""


@dataclass(frozen=True)
class EngineConfig:
    """How the shared browser is started.

    ``browser_path`` None means: ``chromium`` on PATH, else ``/usr/bin/chromium``.
    ``tabs`` is the number of renders Chromium runs at once (each tab holds plotly.js, ~30 MB).
    ``reload_every``: a tab's page is reloaded after this many renders (see ``KaleidoBrowser``).
    ``idle_timeout_s``: Chromium is closed after this long without an export (it holds
    ~0.4–0.7 GB); the next export starts it again. None keeps it running.
    ``render_timeout_s`` bounds one render once it has a tab (kaleido's own timeout); the caller
    waits at most ``2 * (start_timeout_s + render_timeout_s) + 5`` s in all, queueing included.
    ``start_timeout_s`` bounds Chromium's start (35-40 s were measured at load average 16-27 on
    a 2-core machine, hence the generous default). ``temp_root`` is where each browser's
    directory is made (None: the system temp dir).
    """

    browser_path: Path | None = None
    tabs: int = 1
    render_timeout_s: float = 60.0
    start_timeout_s: float = 60.0
    sandbox: bool = False
    reload_every: int = 50
    idle_timeout_s: float | None = 600.0
    extra_flags: tuple[str, ...] = field(default=())
    temp_root: Path | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.tabs <= 8:
            raise ValueError("tabs must be between 1 and 8")
        if self.render_timeout_s <= 0 or self.start_timeout_s <= 0:
            raise ValueError("timeouts must be positive")
        if self.idle_timeout_s is not None and self.idle_timeout_s <= 0:
            raise ValueError("idle_timeout_s must be positive (or None: never close)")
        if self.reload_every < 1:
            raise ValueError("reload_every must be at least 1")


def find_browser(config: EngineConfig) -> Path:
    """The Chromium executable to use; raises :class:`ExportError` when there is none."""
    if config.browser_path is not None:
        candidates: Sequence[str | None] = (str(config.browser_path),)
    else:
        candidates = (*(shutil.which(name) for name in _BROWSER_NAMES), *_BROWSER_PATHS)
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise ExportError(
        "Chromium was not found (looked for "
        + ", ".join(str(c) for c in candidates if c)
        + "). Install Debian's 'chromium' package (see the README's setup) to export images."
    )


class RenderEngine:
    """A lazily started, shared kaleido instance; safe to call from any thread."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: KaleidoBrowser | None = None
        self._browser_lock: asyncio.Lock | None = None
        self.starts = 0  # browsers started by this process (1 + restarts)
        self.idle_closes = 0  # browsers closed for being idle
        self._in_flight = 0
        self._last_used = 0.0
        self._idle_timer: asyncio.TimerHandle | None = None
        atexit.register(self.close)
        os.register_at_fork(after_in_child=functools.partial(_forget_in_child, weakref.ref(self)))

    def _forget_parent(self) -> None:
        """In a forked child: drop the parent's loop and browser without touching them.

        The lock may have been held by another parent thread at the moment of the fork, so it is
        replaced. The parent's browser objects are kept referenced and their clean-up is
        disarmed: choreographer deletes the browser's profile directory, and kaleido's page
        directory goes with its ``TemporaryDirectory``, when the objects are collected or the
        child exits normally; that would pull both from under the parent's running browser.
        """
        self._lock = threading.Lock()
        inherited = self._kaleido
        if inherited is not None:
            _disarm(inherited)
            _INHERITED.append(inherited)
        self._kaleido = None
        self._loop = self._thread = None
        self._browser_lock = None
        self._pid = None
        self._in_flight = 0
        self._idle_timer = None

    # -- loop thread ------------------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._pid is not None and self._pid != os.getpid():
            self._forget_parent()  # a fork that bypassed the at-fork hook
        with self._lock:
            thread_dead = self._thread is None or not self._thread.is_alive()
            if self._loop is None or not self._loop.is_running() or thread_dead:
                self._kaleido = None  # first use, or the loop thread died with its browser
                # In an empty context, like every task given to it (see _submit): the loop's own
                # handles would otherwise keep the first caller's context for the loop's life.
                loop = contextvars.Context().run(asyncio.new_event_loop)
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                thread = threading.Thread(target=run, name="escc-kaleido", daemon=True)
                thread.start()
                ready.wait(5.0)
                self._loop, self._thread, self._pid = loop, thread, os.getpid()
                self._browser_lock = None
                self._idle_timer = None
            return self._loop

    # -- browser (runs on the loop) ----------------------------------------------------------
    async def _browser(self) -> KaleidoBrowser:
        if self._browser_lock is None:
            self._browser_lock = asyncio.Lock()
        async with self._browser_lock:
            current = self._kaleido
            if current is not None and not current.failed and _alive(current):
                return current
            if current is not None:
                self._kaleido = None
                await _quiet_close(current)
            path = find_browser(self.config)
            workdir = make_workdir(self.config.temp_root)
            try:
                page = workdir / "index.html"
                # kaleido and choreographer load here, on the first render (issue 11)
                from components.export import kaleido_browser as kb  # noqa: PLC0415

                page.write_text(kb.render_page().generate_index(), encoding="utf-8")
                fresh = kb.KaleidoBrowser(
                    reload_every=self.config.reload_every,
                    n=self.config.tabs,
                    timeout=self.config.render_timeout_s,
                    page_generator=str(page),
                    path=str(path),
                    browser_cls=kb.browser_class(
                        (*OFFLINE_FLAGS, *self.config.extra_flags), workdir
                    ),
                    enable_sandbox=self.config.sandbox,
                    tmp_dir=str(workdir),
                )
            except BaseException:
                remove_workdir(workdir)
                raise
            fresh.workdir = workdir
            try:
                await asyncio.wait_for(fresh.open(), self.config.start_timeout_s)
            except TimeoutError as exc:
                await _quiet_close(fresh)
                raise ExportError(
                    f"Chromium did not start within {self.config.start_timeout_s:.0f} s "
                    "(ESCC_EXPORT_START_TIMEOUT_S)"
                ) from exc
            except BaseException:
                await _quiet_close(fresh)
                raise
            self._kaleido = fresh
            self.starts += 1
            log.info("export: Chromium started (%s, start #%d)", path, self.starts)
            return fresh

    async def _render(self, spec: Mapping[str, Any], opts: Mapping[str, Any]) -> bytes:
        self._in_flight += 1
        try:
            return await self._render_once_or_twice(spec, opts)
        finally:
            self._in_flight -= 1
            loop = asyncio.get_running_loop()
            self._last_used = loop.time()
            if self.config.idle_timeout_s is not None and self._idle_timer is None:
                self._idle_timer = loop.call_later(
                    self.config.idle_timeout_s + 0.05, self._close_if_idle
                )

    def _close_if_idle(self) -> None:
        """The idle timer: one at a time, re-armed for the rest of the idle time while renders
        keep coming (one timer per render would keep thousands waiting under load)."""
        self._idle_timer = None
        idle = self.config.idle_timeout_s
        if idle is None or self._kaleido is None:
            return
        loop = asyncio.get_running_loop()
        # While a render runs, look again a full idle period later (its end re-dates last use).
        left = idle if self._in_flight else self._last_used + idle - loop.time()
        if left > 0:
            self._idle_timer = loop.call_later(left + 0.05, self._close_if_idle)
            return
        self.idle_closes += 1
        log.info("export: closing Chromium after %.0f s without exports", idle)
        task = loop.create_task(self._close_browser())
        _BACKGROUND.add(task)
        task.add_done_callback(_BACKGROUND.discard)

    async def _render_once_or_twice(
        self, spec: Mapping[str, Any], opts: Mapping[str, Any]
    ) -> bytes:
        for attempt in (1, 2):
            browser = await self._browser()
            try:
                # In a task of its own: when the browser dies, kaleido cancels the task that
                # called it, which must not be the caller's task (see below).
                data = await asyncio.create_task(browser.calc_fig(dict(spec), opts=dict(opts)))
            except (*_browser_died(), asyncio.CancelledError) as exc:
                own_task = asyncio.current_task()
                if isinstance(exc, asyncio.CancelledError) and (
                    (own_task is not None and own_task.cancelling()) or _alive(browser)
                ):
                    raise  # our caller gave up: not a browser failure
                # A dead browser surfaces as a channel error, or as a cancellation when
                # choreographer's watchdog closes it under a running render.
                browser.failed = True
                if attempt == 2:
                    raise ExportError("Chromium died twice while rendering") from exc
                log.warning("export: Chromium died during a render; restarting and retrying")
                continue
            except TimeoutError:
                browser.failed = True
                raise
            return bytes(data)
        raise AssertionError("unreachable")

    async def _close_browser(self) -> None:
        if self._browser_lock is None:
            self._browser_lock = asyncio.Lock()
        async with self._browser_lock:  # never while a browser is being started
            current, self._kaleido = self._kaleido, None
            if current is not None:
                await _quiet_close(current)

    # -- public ------------------------------------------------------------------------------
    def render(
        self,
        figure: Mapping[str, Any],
        *,
        fmt: ImageFormat,
        width: int,
        height: int,
        scale: float = 1.0,
    ) -> bytes:
        """Render a figure dict (``fig.to_dict()``) to PNG/SVG/PDF bytes; blocks the caller.

        ``width``/``height`` are CSS pixels; PNG output is ``width*scale`` x ``height*scale``.
        Raises :class:`ExportError` on any failure (with the cause chained).
        """
        loop = self._ensure_loop()
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        future = _submit(self._render(figure, opts), loop)
        # Generous outer bound: start-up plus one retry; kaleido enforces the per-render timeout.
        limit = self.config.start_timeout_s * 2 + self.config.render_timeout_s * 2 + 5
        try:
            return future.result(timeout=limit)
        except TimeoutError as exc:  # also concurrent.futures.TimeoutError (same class in 3.11)
            if not future.done():
                future.cancel()
                raise ExportError(f"export timed out after {limit:.0f} s") from exc
            raise ExportError(
                f"rendering took longer than {self.config.render_timeout_s:.0f} s"
            ) from exc
        except ExportError:
            raise
        except Exception as exc:
            raise ExportError(f"could not render the figure: {exc}") from exc

    def warm_up(self) -> None:
        """Start Chromium now (optional: the first render does it anyway)."""
        loop = self._ensure_loop()
        future = _submit(self._browser(), loop)
        try:
            future.result(timeout=self.config.start_timeout_s + 5)
        except ExportError:
            raise
        except Exception as exc:
            raise ExportError(f"could not start Chromium: {exc}") from exc

    @property
    def running(self) -> bool:
        """True when this process has a live browser."""
        current = self._kaleido
        return self._pid == os.getpid() and current is not None and _alive(current)

    def browser_pid(self) -> int | None:
        """Process id of the browser wrapper (for tests that simulate a crash)."""
        current = self._kaleido
        if self._pid != os.getpid() or current is None:
            return None
        return int(current.subprocess.pid)

    def close(self) -> None:
        """Stop the browser and the loop thread of this process (idempotent)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            if loop is None or self._pid != os.getpid() or not loop.is_running():
                self._loop = self._thread = None
                self._kaleido = None
                return
            try:
                _submit(self._close_browser(), loop).result(timeout=15)
            except Exception:  # best effort at shutdown; the process group is killed below
                log.warning("export: Chromium did not close cleanly")
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(timeout=5)
            self._loop = self._thread = None
            self._kaleido = None


def _submit(
    coro: Coroutine[Any, Any, _T], loop: asyncio.AbstractEventLoop
) -> concurrent.futures.Future[_T]:
    """Run ``coro`` on the engine's loop, in an empty ``contextvars`` context.

    ``run_coroutine_threadsafe`` would give the task a copy of the caller's context, and
    everything the task schedules (timers, kaleido's own tasks) keeps that copy. A caller is a
    Dash callback, whose context holds the callback context and with it the response being
    built: the soak found every exported PNG's response (1-2 MB) kept alive that way for the
    idle timeout, 10 minutes (notes/issue-14-export.md, "Session 4").
    """
    return contextvars.Context().run(asyncio.run_coroutine_threadsafe, coro, loop)


_INHERITED: list[KaleidoBrowser] = []  # a parent's browsers seen by a forked child (see above)
_BACKGROUND: set[asyncio.Task[None]] = set()


def _disarm(browser: KaleidoBrowser) -> None:
    """Make a parent's browser object inert in a forked child: no profile or page deletion."""
    impl = getattr(browser, "_browser_impl", None)
    if impl is not None:
        impl.clean = _noop  # instance attribute shadows the method used by __del__
        _detach_tmpdir(getattr(impl, "tmp_dir", None))
    _detach_tmpdir(getattr(browser, "_html_tmp_dir", None))


def _detach_tmpdir(tmp: object) -> None:
    """choreographer's TmpDirectory wraps a ``tempfile.TemporaryDirectory``, whose finaliser
    deletes the directory on collection and at interpreter exit; detach it."""
    inner = getattr(tmp, "temp_dir", None)
    finalizer = getattr(inner, "_finalizer", None)
    if finalizer is not None:
        finalizer.detach()


def _noop() -> None:
    return None


def _forget_in_child(ref: weakref.ref[RenderEngine]) -> None:
    engine = ref()
    if engine is not None:
        engine._forget_parent()


def _browser_died() -> tuple[type[BaseException], ...]:
    """choreographer's errors for a browser that went away (loaded by the first render)."""
    from components.export.kaleido_browser import BROWSER_DIED  # noqa: PLC0415 - see _browser

    return BROWSER_DIED


def _alive(browser: KaleidoBrowser) -> bool:
    process = getattr(browser, "subprocess", None)
    return process is not None and process.poll() is None


async def _quiet_close(browser: KaleidoBrowser) -> None:
    try:
        await asyncio.wait_for(browser.close(), 12)
    except Exception:  # a dead or hung browser: make sure its process group is gone
        process = getattr(browser, "subprocess", None)
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                process.kill()
            with contextlib.suppress(Exception):
                process.wait(5)
    if browser.workdir is not None and browser.workdir_pid == os.getpid():
        remove_workdir(browser.workdir)
        browser.workdir = None
