"""Request bodies and connections: limits that hold for every body encoding and every server.

Issue 14 found two gaps below Flask:

* **Chunked bodies bypassed the 413.** Werkzeug enforces ``MAX_CONTENT_LENGTH`` on a chunked
  body by stopping at the limit *silently* (``LimitedStream.readall``): 1-60 MB chunked bodies
  got 400 "Malformed JSON", and a valid body followed by 5 MB of chunked whitespace got 200, cut
  at 256 KB. :class:`BodyLimit` reads every request body itself — ``Content-Length`` or chunked —
  up to one byte past the limit and answers 413 when it gets that byte, before the app runs.
* **Slow clients were never timed out** (a byte every 5 s kept a connection, and its thread,
  forever). :class:`BodyLimit` gives the whole body ``body_timeout_s`` (408 after it), under any
  server. The embedded server (``python app.py``) also gets a deadline on the request line and
  headers (:func:`embedded_request_handler`). gunicorn reads headers before the app runs and
  has no header deadline, so production needs a buffering proxy in front (``gunicorn.conf.py``,
  ``PROXY_REQUIREMENTS``; README "Production").
"""

from __future__ import annotations

import contextlib
import heapq
import io
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import WSGIRequestHandler

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

_CHUNK = 64 * 1024


def _plain(start_response: StartResponse, status: str, message: str) -> list[bytes]:
    body = (message + "\n").encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            # The rest of the body was not read: the connection cannot be reused.
            ("Connection", "close"),
        ],
    )
    return [body]


class _Watchdog:
    """One thread per process that runs callbacks at their deadlines.

    :func:`read_body` used to start a ``threading.Timer`` per request body. ``Thread.start``
    waits until the new thread has run, which under load (four busy threads per worker sharing
    the GIL) cost a callback ~30 ms of waiting (issue 11, session 5, profiled under
    ``bench_load.py``). Arming a deadline here is a heap push. The thread is started lazily and
    again in a forked child (gunicorn forks workers from a master that imported this module).
    """

    def __init__(self) -> None:
        self._wake = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int]] = []
        # Armed and not cancelled; a cancelled deadline drops its action (and the socket it
        # holds) at once, and its heap entry when it comes up.
        self._actions: dict[int, Callable[[], None]] = {}
        self._count = itertools.count()
        self._pid: int | None = None

    def arm(self, delay_s: float, action: Callable[[], None]) -> int:
        """Run ``action`` (in the watchdog thread) after ``delay_s`` unless cancelled first."""
        when = time.monotonic() + delay_s
        with self._wake:
            if self._pid != os.getpid():  # first use in this process (or a forked child)
                self._heap.clear()
                self._actions.clear()
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="escc-body-deadlines", daemon=True).start()
            token = next(self._count)
            heapq.heappush(self._heap, (when, token))
            self._actions[token] = action
            if self._heap[0][1] == token:
                self._wake.notify()
        return token

    def cancel(self, token: int) -> None:
        with self._wake:
            self._actions.pop(token, None)

    def _run(self) -> None:
        while True:
            with self._wake:
                while True:
                    if not self._heap:
                        self._wake.wait()
                        continue
                    when, token = self._heap[0]
                    if token not in self._actions:  # cancelled
                        heapq.heappop(self._heap)
                        continue
                    left = when - time.monotonic()
                    if left > 0:
                        self._wake.wait(left)
                        continue
                    heapq.heappop(self._heap)
                    action = self._actions.pop(token)
                    break
            with contextlib.suppress(Exception):  # an action's failure must not stop the others
                action()


_WATCHDOG = _Watchdog()


class BodyTooLarge(Exception):
    """More than the allowed number of bytes arrived."""


class BodyTimeout(Exception):
    """The body did not arrive within the allowed time."""


def read_body(
    stream: Any, limit: int, length: int | None, timeout_s: float, sock: Any = None
) -> bytes:
    """Read a request body: exactly ``length`` bytes, or to the end of a chunked stream.

    Raises :class:`BodyTooLarge` as soon as more than ``limit`` bytes arrive and
    :class:`BodyTimeout` when the whole body takes longer than ``timeout_s``. A server's body
    reader may loop over many socket reads inside one ``read`` call (gunicorn does), so a
    per-read socket timeout cannot bound the total; with ``sock`` given, a timer shuts the
    socket's reading side at the deadline, which ends any such loop at once.
    """
    deadline = time.monotonic() + timeout_s
    expired = threading.Event()
    timer: int | None = None
    if sock is not None:

        def _expire() -> None:
            expired.set()
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RD)  # the answer can still be written

        timer = _WATCHDOG.arm(timeout_s, _expire)
    want = length if length is not None else limit + 1
    parts: list[bytes] = []
    got = 0
    try:
        while got < want:
            if time.monotonic() > deadline:
                raise BodyTimeout
            try:
                chunk = stream.read(min(_CHUNK, want - got))
            except TimeoutError as exc:
                raise BodyTimeout from exc
            except Exception:
                if expired.is_set():
                    raise BodyTimeout from None
                raise
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
            if got > limit:
                raise BodyTooLarge
    finally:
        if timer is not None:
            _WATCHDOG.cancel(timer)
    if expired.is_set():
        raise BodyTimeout
    return b"".join(parts)


class BodyLimit:
    """WSGI middleware: read and bound every request body before the app sees it.

    The app then receives the body as an in-memory stream with an exact ``Content-Length``, so
    nothing behind this middleware (Flask, Dash) can read more, less, or slower.
    """

    def __init__(self, app: WsgiApp, max_bytes: int, body_timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_timeout_s = body_timeout_s

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        raw_length = str(environ.get("CONTENT_LENGTH") or "").strip()
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
        length: int | None = None
        if raw_length:
            if not raw_length.isdigit():
                return _plain(start_response, "400 Bad Request", "Bad Content-Length.")
            length = int(raw_length)
            if length > self.max_bytes:
                return _plain(
                    start_response, "413 Request Entity Too Large", "Request body too large."
                )
            if length == 0:
                return self.app(environ, start_response)
        elif not chunked or not environ.get("wsgi.input_terminated"):
            # No body, or one the server cannot delimit (then it is never read at all).
            return self.app(environ, start_response)
        sock = environ.get("gunicorn.socket")
        try:
            body = read_body(
                environ["wsgi.input"], self.max_bytes, length, self.body_timeout_s, sock
            )
        except BodyTooLarge:
            return _plain(start_response, "413 Request Entity Too Large", "Request body too large.")
        except BodyTimeout:
            return _plain(start_response, "408 Request Timeout", "Request body too slow.")
        except Exception:  # disconnect, bad chunk framing: the server's own exception types
            return _plain(start_response, "400 Bad Request", "Request body could not be read.")
        if length is not None and len(body) < length:
            return _plain(start_response, "400 Bad Request", "Request body ended early.")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)


# --------------------------------------------------------------------------- embedded server


class _DeadlineReader(io.RawIOBase):
    """Socket reads that give up at ``deadline`` however slowly the bytes trickle in."""

    def __init__(self, sock: socket.socket, idle_timeout_s: float) -> None:
        self._sock = sock
        self._idle = idle_timeout_s
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("request deadline passed")
            self._sock.settimeout(min(left, self._idle))
        try:
            return self._sock.recv_into(buffer)
        finally:
            self._sock.settimeout(self._idle)


def embedded_request_handler(
    header_timeout_s: float, body_timeout_s: float
) -> type[WSGIRequestHandler]:
    """A Werkzeug request handler with a deadline on the request line + headers, then the body.

    Werkzeug's own handler only has a per-read socket timeout (none by default), which a client
    sending a byte every few seconds never trips. Here the request line and headers must arrive
    within ``header_timeout_s`` of the request starting (also bounding an idle keep-alive), and
    the body within ``body_timeout_s`` after the headers.
    """
    idle = max(header_timeout_s, body_timeout_s)

    class DeadlineRequestHandler(WSGIRequestHandler):
        timeout = idle  # bounds each write to a client that stops reading, too
        _reader: _DeadlineReader

        def setup(self) -> None:
            super().setup()
            self._reader = _DeadlineReader(self.connection, idle)
            self.rfile = io.BufferedReader(self._reader)

        def handle_one_request(self) -> None:
            self._reader.deadline = time.monotonic() + header_timeout_s
            super().handle_one_request()

        def parse_request(self) -> bool:
            ok = super().parse_request()
            self._reader.deadline = time.monotonic() + body_timeout_s
            return bool(ok)

    return DeadlineRequestHandler
