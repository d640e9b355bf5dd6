"""Body deadlines in ``components.serving``: one watchdog thread per process, not one per body.

Under ``bench_load.py`` a ``threading.Timer`` per request body cost each callback ~30 ms of
waiting for its thread to start (issue 11, session 5). These check that the deadline still ends
a body that does not arrive, and that reading bodies no longer starts threads.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from components import serving


def test_deadlines_fire_in_order_and_cancelled_ones_do_not() -> None:
    fired: list[str] = []
    done = threading.Event()
    serving._WATCHDOG.arm(0.3, lambda: (fired.append("late"), done.set()))
    serving._WATCHDOG.arm(0.05, lambda: fired.append("early"))
    cancelled = serving._WATCHDOG.arm(0.1, lambda: fired.append("cancelled"))
    serving._WATCHDOG.cancel(cancelled)
    assert done.wait(5)
    assert fired == ["early", "late"]


def test_a_body_that_never_arrives_times_out() -> None:
    server, client = socket.socketpair()
    try:
        stream = server.makefile("rb")
        started = time.monotonic()
        with pytest.raises(serving.BodyTimeout):
            serving.read_body(stream, 1024, 10, 0.3, sock=server)
        assert time.monotonic() - started < 5
    finally:
        server.close()
        client.close()


def test_reading_bodies_starts_no_thread_per_body(monkeypatch: pytest.MonkeyPatch) -> None:
    serving._WATCHDOG.cancel(serving._WATCHDOG.arm(60, lambda: None))  # thread already running
    starts: list[str] = []
    original = threading.Thread.start

    def counting_start(self: threading.Thread) -> None:
        starts.append(self.name)
        original(self)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    for _ in range(5):
        server, client = socket.socketpair()
        try:
            client.sendall(b"0123456789")
            body = serving.read_body(server.makefile("rb"), 1024, 10, 5.0, sock=server)
            assert body == b"0123456789"
        finally:
            server.close()
            client.close()
    assert starts == []
