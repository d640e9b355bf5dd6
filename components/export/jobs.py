"""Deck jobs: a bounded queue per process; identical requests share one job; state in a store.

A deck takes seconds (one render per slide), so it runs off the request. Dash's embedded
background manager forked a new process per request, each starting its own Chromium and
leaving its temporary directories behind (issue 14, finding 1). Here a job is a thread of the
process that accepted it, drawn from a fixed set of ``workers`` threads (one per renderer of
the pool), and at most ``queue`` jobs may wait; one more is refused at once with a message that
says when to try again.

State lives in a store shared by all worker processes (the app's diskcache), because a user's
next poll may reach another gunicorn worker:

* ``job:<key>`` - one record per distinct job (``key`` identifies the work: two users asking
  for the same deck get the same key): state (queued, running, done, failed), owning process,
  queue position and an estimate of the wait, a progress line, then the result or the error.
  A finished job's record is kept for ``result_ttl_s`` so that every user who asked for it can
  collect the file (finding 3: the second user used to get nothing).
* ``ticket:<id>`` - one per request: which job it follows (or why it was refused). A ticket is
  what the browser holds; collecting the result deletes it.

A record whose owner process has gone (a recycled or killed worker) reads as failed with a
"try again" message instead of waiting for ever. No dash imports: ``components.export_jobs``
adapts this to Dash's background-callback protocol.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from components.export.engine import ExportError
from components.export.pool import job_renders
from components.export.workdirs import pid_alive

log = logging.getLogger("escc.export")

Progress = Callable[[str], None]
Work = Callable[[Progress], object]
TicketState = Literal["queued", "running", "done", "failed", "refused", "unknown"]

_JOB = "escc-export-job:"
_TICKET = "escc-export-ticket:"
OWNER_GONE = "The server process that was building this deck has stopped; please try again."
FAILED = "The deck could not be built; please try again."


class Store(Protocol):
    """The part of ``diskcache.Cache`` used here (get/set/delete and cross-process locking)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, expire: float | None = None) -> bool: ...

    def delete(self, key: str) -> bool: ...

    def transact(self, retry: bool = False) -> Any: ...


@dataclass(frozen=True)
class TicketStatus:
    state: TicketState
    message: str = ""
    result: object = None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class JobService:
    """The deck job queue of one process (module docstring)."""

    def __init__(
        self,
        store: Store,
        *,
        workers: int,
        queue: int,
        result_ttl_s: float = 300.0,
        ticket_ttl_s: float = 3600.0,
        first_estimate_s: float = 20.0,
    ) -> None:
        if workers < 1 or queue < 0:
            raise ValueError("a job service needs at least one worker and a queue of 0 or more")
        self.store = store
        self.workers = workers
        self.queue_limit = queue
        self.result_ttl_s = result_ttl_s
        self.ticket_ttl_s = ticket_ttl_s
        self._job_s = first_estimate_s
        self.started = self.shared = self.refused = 0  # counters for tests and benchmarks
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        """A fresh process (or a forked child): nothing queued here, no threads yet."""
        self._cond = threading.Condition()
        self._queue: deque[tuple[str, Work]] = deque()
        self._running = 0
        self._threads: list[threading.Thread] = []
        self._pid = os.getpid()
        self._stopping = False

    # -- store helpers -------------------------------------------------------------------------
    def _update(self, key: str, **changes: Any) -> dict[str, Any] | None:
        with self.store.transact():
            record = self.store.get(_JOB + key)
            if not isinstance(record, dict):
                return None
            record.update(changes)
            expire = self.result_ttl_s if record["state"] in ("done", "failed") else None
            self.store.set(_JOB + key, record, expire=expire)
            return record

    def _usable(self, record: object) -> bool:
        if not isinstance(record, dict):
            return False
        if record.get("state") == "done":
            return True
        if record.get("state") not in ("queued", "running"):
            return False
        owner = int(record.get("owner", 0))
        if owner == os.getpid():
            return not self._stopping
        return owner > 0 and pid_alive(owner)

    # -- submitting ----------------------------------------------------------------------------
    def retry_after_s(self) -> int:
        with self._cond:
            work = len(self._queue) + self._running
        return max(5, math.ceil(work * self._job_s / self.workers))

    def submit(self, key: str, work: Work) -> str:
        """A ticket for the job ``key``: joined if one is queued, running or just finished
        (in any process), started here if there is room, refused otherwise."""
        ticket = secrets.token_hex(16)
        self._ensure_threads()
        with self.store.transact():
            record = self.store.get(_JOB + key)
            if self._usable(record):
                assert isinstance(record, dict)
                record["refs"] = int(record.get("refs", 0)) + 1
                expire = self.result_ttl_s if record["state"] == "done" else None
                self.store.set(_JOB + key, record, expire=expire)
                self.store.set(_TICKET + ticket, {"key": key}, expire=self.ticket_ttl_s)
                self.shared += 1
                return ticket
            with self._cond:
                waiting = len(self._queue)
                full = waiting >= self.queue_limit and self._running + waiting >= self.workers
                if not full:
                    self._queue.append((key, work))
                    position = len(self._queue)
                    self._cond.notify()
            if full:
                self.refused += 1
                message = (
                    f"The export service is busy ({waiting} decks waiting); please try again "
                    f"in about {self.retry_after_s()} s."
                )
                self.store.set(
                    _TICKET + ticket, {"key": key, "refused": message}, expire=self.ticket_ttl_s
                )
                return ticket
            self.store.set(
                _JOB + key,
                {
                    "state": "queued",
                    "owner": os.getpid(),
                    "refs": 1,
                    "position": position,
                    "eta_s": self._eta(position),
                    "progress": "",
                    "queued_at": time.time(),
                },
            )
            self.store.set(_TICKET + ticket, {"key": key}, expire=self.ticket_ttl_s)
            self.started += 1
        return ticket

    def _eta(self, position: int) -> int:
        ahead = position - 1 + self._running
        return max(1, math.ceil((ahead / self.workers + 1) * self._job_s))

    # -- running -------------------------------------------------------------------------------
    def _ensure_threads(self) -> None:
        if self._pid != os.getpid():
            self._reset()
        with self._cond:
            self._stopping = False
            self._threads = [t for t in self._threads if t.is_alive()]
            for i in range(len(self._threads), self.workers):
                thread = threading.Thread(
                    target=self._worker, name=f"escc-export-job-{i}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _worker(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                key, work = self._queue.popleft()
                self._running += 1
                waiting = [k for k, _ in self._queue]
            try:
                self._publish_positions(waiting)
                self._run(key, work)
            finally:
                with self._cond:
                    self._running -= 1

    def _publish_positions(self, waiting: list[str]) -> None:
        for index, key in enumerate(waiting):
            self._update(key, position=index + 1, eta_s=self._eta(index + 1))

    def _run(self, key: str, work: Work) -> None:
        record = self._update(key, state="running", position=0, started_at=time.time())
        if record is None or int(record.get("refs", 0)) <= 0:
            return  # every requester left before it started
        started = time.monotonic()

        def progress(text: str) -> None:
            self._update(key, progress=text)

        try:
            with job_renders():
                result = work(progress)
        except ExportError as exc:
            log.warning("export job failed: %s", exc)
            self._update(key, state="failed", error=str(exc), result=None)
        except Exception:
            log.exception("export job failed")
            self._update(key, state="failed", error=FAILED, result=None)
        else:
            self._update(key, state="done", result=result, progress="")
            took = time.monotonic() - started
            self._job_s = 0.7 * self._job_s + 0.3 * took

    # -- following a ticket --------------------------------------------------------------------
    def status(self, ticket: str) -> TicketStatus:
        held = self.store.get(_TICKET + ticket)
        if not isinstance(held, dict):
            return TicketStatus("unknown")
        if "refused" in held:
            return TicketStatus("refused", str(held["refused"]))
        record = self.store.get(_JOB + str(held["key"]))
        if not isinstance(record, dict):
            return TicketStatus("failed", FAILED)
        state = record.get("state")
        if state == "done":
            return TicketStatus("done", result=record.get("result"))
        if state == "failed":
            return TicketStatus("failed", str(record.get("error") or FAILED))
        if not self._usable(record):
            return TicketStatus("failed", OWNER_GONE)
        if state == "queued":
            position = int(record.get("position", 1))
            return TicketStatus(
                "queued",
                f"Waiting for the export service: {_ordinal(position)} in the queue "
                f"(about {int(record.get('eta_s', 0))} s).",
            )
        return TicketStatus("running", str(record.get("progress") or "Building the deck…"))

    def progress_of(self, key: str) -> str | None:
        """The queue position or progress line of job ``key`` (None when it is not waiting)."""
        record = self.store.get(_JOB + key)
        if not isinstance(record, dict) or record.get("state") not in ("queued", "running"):
            return None
        if record["state"] == "queued":
            position = int(record.get("position", 1))
            return (
                f"Waiting for the export service: {_ordinal(position)} in the queue "
                f"(about {int(record.get('eta_s', 0))} s)."
            )
        return str(record.get("progress") or "Building the deck…")

    def collect(self, ticket: str) -> TicketStatus:
        """The ticket's status; a final one (done, failed, refused) ends the ticket."""
        status = self.status(ticket)
        if status.state in ("done", "failed", "refused"):
            self.release(ticket)
        return status

    def release(self, ticket: str) -> None:
        """The requester is gone: forget the ticket; a queued job nobody follows is dropped."""
        held = self.store.get(_TICKET + ticket)
        self.store.delete(_TICKET + ticket)
        if not isinstance(held, dict) or "refused" in held:
            return
        key = str(held["key"])
        with self.store.transact():
            record = self.store.get(_JOB + key)
            if not isinstance(record, dict):
                return
            record["refs"] = max(0, int(record.get("refs", 0)) - 1)
            if record["refs"] == 0 and record.get("state") == "queued":
                self.store.delete(_JOB + key)
            else:
                expire = self.result_ttl_s if record["state"] in ("done", "failed") else None
                self.store.set(_JOB + key, record, expire=expire)
        if not isinstance(self.store.get(_JOB + key), dict):
            with self._cond:
                self._queue = deque(item for item in self._queue if item[0] != key)

    # -- shutdown ------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop taking work; jobs of this process that did not finish read as failed."""
        if self._pid != os.getpid():
            return
        with self._cond:
            self._stopping = True
            pending = [k for k, _ in self._queue]
            self._queue.clear()
            self._cond.notify_all()
        for key in pending:
            self._update(key, state="failed", error=OWNER_GONE)

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @property
    def running(self) -> int:
        return self._running
