"""The export service of one process: a fixed pool of warm renderers and a bounded wait.

Every image this process exports (a single chart in a request, every slide of a deck job) is
rendered by one of ``size`` :class:`~components.export.engine.RenderEngine` instances, each
with its own Chromium (started on first use, closed after ``idle_timeout_s`` without exports).
A render *leases* a free renderer; when all are busy it waits, and at most ``queue`` renders
may wait at once: one more is refused at once with :class:`ExportBusy`, which says when to try
again. So a worker process never runs more than ``size`` Chromium browsers, however many users
export at the same moment (issue 14, finding 1: eight deck requests used to start eight).

``size`` comes from the memory budget (``components.settings.default_renderers``) or
``ESCC_EXPORT_RENDERERS``; ``queue`` from ``ESCC_EXPORT_QUEUE``. The pool and its browsers are
per process: gunicorn forks workers after loading the app, and a forked child starts with an
empty pool of its own (the parent's browsers are left to the parent, see ``engine.py``).

Shutdown: :func:`shutdown_exports` stops every renderer (which removes its temporary
directory) and the deck job service; it runs at interpreter exit (``atexit``), from gunicorn's
``worker_exit`` hook and on SIGTERM for the embedded server (``app.main``).
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from components.export.engine import EngineConfig, ExportError, ImageFormat, RenderEngine

log = logging.getLogger("escc.export")


class ExportBusy(ExportError):
    """Every renderer is busy and the wait queue is full: try again in ``retry_after_s``."""

    def __init__(self, retry_after_s: int, reason: str = "") -> None:
        self.retry_after_s = retry_after_s
        text = reason or "The export service is busy"
        super().__init__(f"{text}; please try again in about {retry_after_s} s.")


@dataclass(frozen=True)
class PoolConfig:
    """``size`` renderers (Chromium browsers) per process; ``queue`` renders may wait."""

    size: int = 1
    queue: int = 8

    def __post_init__(self) -> None:
        if not 1 <= self.size <= 8:
            raise ValueError("the export pool holds 1-8 renderers")
        if not 0 <= self.queue <= 200:
            raise ValueError("the export queue holds 0-200 waiting renders")


# Before any render has been timed: a warm KM slide at deck size takes ~0.3-0.6 s (notes).
_DEFAULT_RENDER_S = 1.0


class RendererPool:
    """A fixed set of renderers shared by the threads of one process (module docstring)."""

    def __init__(self, engine_config: EngineConfig | None = None, config: PoolConfig | None = None):
        self.engine_config = engine_config or EngineConfig()
        self.config = config or PoolConfig()
        self._engines = [RenderEngine(self.engine_config) for _ in range(self.config.size)]
        self._reset_locks()
        self._render_s = _DEFAULT_RENDER_S
        self.refused = 0  # renders refused because the queue was full
        os.register_at_fork(after_in_child=self._reset_locks)

    def _reset_locks(self) -> None:
        # A forked child starts with every renderer free (its engines forget the parent's
        # browsers by themselves) and a fresh lock: another thread may have held the old one.
        self._cond = threading.Condition()
        self._free = list(range(len(self._engines)))
        self._waiting = 0

    # -- leasing -------------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return len(self._engines)

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def busy(self) -> int:
        return len(self._engines) - len(self._free)

    def retry_after_s(self, extra_work: int = 0) -> int:
        """Seconds until the renders in hand (plus ``extra_work`` more) are likely done."""
        work = self._waiting + self.busy + extra_work
        return max(5, math.ceil(work * self._render_s / self.size))

    @contextmanager
    def lease(self, wait_s: float | None = None) -> Iterator[RenderEngine]:
        """A free renderer for the duration of the block; waits for one (bounded)."""
        limit = wait_s if wait_s is not None else self.max_wait_s
        # A deck job's renders are already counted by the job queue (and bounded by its
        # threads): they wait without taking a place in this one.
        counted = not getattr(_LOCAL, "in_job", False)
        with self._cond:
            if counted and not self._free and self._waiting >= self.config.queue:
                self.refused += 1
                raise ExportBusy(self.retry_after_s())
            self._waiting += counted
            try:
                deadline = time.monotonic() + limit
                while not self._free:
                    remaining = deadline - time.monotonic()
                    woken = remaining > 0 and self._cond.wait(remaining)
                    if not woken and not self._free:
                        self.refused += 1
                        raise ExportBusy(self.retry_after_s(), "Every export renderer is busy")
            finally:
                self._waiting -= counted
            index = self._free.pop()
        try:
            yield self._engines[index]
        finally:
            with self._cond:
                self._free.append(index)
                self._cond.notify()

    @property
    def max_wait_s(self) -> float:
        """How long a render may wait for a renderer: one start-up plus one slow render."""
        return self.engine_config.start_timeout_s + self.engine_config.render_timeout_s

    def render(
        self,
        figure: Mapping[str, Any],
        *,
        fmt: ImageFormat,
        width: int,
        height: int,
        scale: float = 1.0,
    ) -> bytes:
        """Render on a leased renderer (see :meth:`RenderEngine.render`)."""
        with self.lease() as engine:
            started = time.monotonic()
            data = engine.render(figure, fmt=fmt, width=width, height=height, scale=scale)
            took = time.monotonic() - started
            self._render_s = 0.8 * self._render_s + 0.2 * took
            return data

    # -- lifecycle -----------------------------------------------------------------------------
    def renderer(self, index: int = 0) -> RenderEngine:
        return self._engines[index]

    def warm_up(self) -> None:
        """Start every renderer's Chromium now (the first render does it anyway)."""
        for engine in self._engines:
            engine.warm_up()

    @property
    def running(self) -> int:
        """How many of this process's renderers have a live browser."""
        return sum(1 for engine in self._engines if engine.running)

    def close(self) -> None:
        for engine in self._engines:
            engine.close()


#: What the image functions render with: the pool, or one engine (`default_engine`); both
#: have the same blocking ``render(figure, *, fmt, width, height, scale)``.
Renderer = RendererPool | RenderEngine


_LOCAL = threading.local()


@contextmanager
def job_renders() -> Iterator[None]:
    """Mark the renders of this thread as a queued job's (see :meth:`RendererPool.lease`)."""
    _LOCAL.in_job = True
    try:
        yield
    finally:
        _LOCAL.in_job = False


_POOL: RendererPool | None = None
_POOL_LOCK = threading.Lock()
_SHUTDOWN_HOOKS: list[Callable[[], None]] = []


def default_pool() -> RendererPool:
    """The process-wide export pool (created on first use with default settings)."""
    global _POOL  # noqa: PLW0603 - one bounded pool per process is the point
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = RendererPool()
        return _POOL


def configure_default_pool(engine_config: EngineConfig, config: PoolConfig) -> RendererPool:
    """Replace the process-wide pool when its configuration changes (closing the old one)."""
    global _POOL  # noqa: PLW0603
    with _POOL_LOCK:
        if _POOL is not None:
            if _POOL.engine_config == engine_config and _POOL.config == config:
                return _POOL
            _POOL.close()
        _POOL = RendererPool(engine_config, config)
        return _POOL


def default_engine() -> RenderEngine:
    """The first renderer of the process-wide pool (tests that need one browser's details)."""
    return default_pool().renderer(0)


def configure_default_engine(config: EngineConfig) -> RenderEngine:
    """Point the process-wide pool at ``config`` (its size and queue kept)."""
    current = default_pool()
    return configure_default_pool(config, current.config).renderer(0)


def on_shutdown(hook: Callable[[], None]) -> None:
    """Run ``hook`` in :func:`shutdown_exports` (the deck job service registers here)."""
    _SHUTDOWN_HOOKS.append(hook)


def shutdown_exports() -> None:
    """Stop this process's export work: job hooks first, then every renderer (idempotent)."""
    for hook in list(_SHUTDOWN_HOOKS):
        try:
            hook()
        except Exception:  # best effort at shutdown: the renderers must still be closed
            log.warning("export: a shutdown hook failed", exc_info=True)
    pool = _POOL
    if pool is not None:
        pool.close()


atexit.register(shutdown_exports)
