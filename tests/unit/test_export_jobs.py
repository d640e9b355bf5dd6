"""The deck job service (components/export/jobs.py): bounded queue, shared identical jobs,
visible queue position, refusal with a retry time, jobs of a vanished process, shutdown.

The work functions here are plain Python callables that wait on an event: the service is
generic over its work, and what is tested is the queue, not rendering (the deck with real
Chromium is tested in tests/contract/test_export_service.py). The store is a real diskcache.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import diskcache
import pytest

from components.export.jobs import OWNER_GONE, JobService, TicketStatus


@pytest.fixture
def store(tmp_path: Path):
    cache = diskcache.Cache(str(tmp_path / "cache"))
    yield cache
    cache.close()


def _wait_for(
    service: JobService, ticket: str, states: set[str], timeout: float = 10
) -> TicketStatus:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = service.status(ticket)
        if status.state in states:
            return status
        time.sleep(0.02)
    raise AssertionError(f"ticket stayed {service.status(ticket)}")


class Gate:
    """Work that blocks until released, and counts how often it ran."""

    def __init__(self, result: object = "file") -> None:
        self.release = threading.Event()
        self.runs = 0
        self.result = result

    def __call__(self, progress) -> object:
        self.runs += 1
        progress("Building the deck: chart 1 of 1…")
        assert self.release.wait(10)
        return self.result


def test_identical_requests_share_one_job_and_both_collect_it(store) -> None:
    service = JobService(store, workers=1, queue=4)
    work = Gate(result=["deck-bytes", "ready"])
    first = service.submit("deck-a", work)
    second = service.submit("deck-a", work)
    assert first != second
    _wait_for(service, first, {"running"})
    work.release.set()
    _wait_for(service, first, {"done"})
    assert service.collect(first) == TicketStatus("done", result=["deck-bytes", "ready"])
    # The first user's collection must not take the file away from the second (finding 3).
    assert _wait_for(service, second, {"done"}).result == ["deck-bytes", "ready"]
    assert service.collect(second).state == "done"
    assert work.runs == 1 and service.started == 1 and service.shared == 1
    assert service.status(first).state == "unknown"  # a collected ticket is gone


def test_queue_position_is_visible_and_beyond_the_queue_is_refused(store) -> None:
    service = JobService(store, workers=1, queue=2)
    gates = [Gate() for _ in range(4)]
    tickets = [service.submit(f"deck-{i}", gate) for i, gate in enumerate(gates)]
    _wait_for(service, tickets[0], {"running"})
    assert service.status(tickets[0]).message == "Building the deck: chart 1 of 1…"
    second, third = service.status(tickets[1]), service.status(tickets[2])
    assert second.state == third.state == "queued"
    assert "1st in the queue" in second.message and "2nd in the queue" in third.message
    refused = service.status(tickets[3])
    assert refused.state == "refused"
    assert "busy" in refused.message and "try again in about" in refused.message
    assert gates[3].runs == 0
    gates[0].release.set()
    _wait_for(service, tickets[1], {"running"})
    assert "1st in the queue" in service.status(tickets[2]).message  # moved up
    for gate in gates:
        gate.release.set()
    for ticket in tickets[:3]:
        assert _wait_for(service, ticket, {"done"}).result == "file"


def test_a_job_nobody_waits_for_is_dropped(store) -> None:
    service = JobService(store, workers=1, queue=4)
    blocker, dropped = Gate(), Gate()
    running = service.submit("deck-1", blocker)
    waiting = service.submit("deck-2", dropped)
    _wait_for(service, running, {"running"})
    service.release(waiting)  # the user clicked again or left
    blocker.release.set()
    _wait_for(service, running, {"done"})
    time.sleep(0.2)
    assert dropped.runs == 0 and service.waiting == 0


def test_a_job_whose_process_is_gone_reads_as_failed(store) -> None:
    """A poll may reach another worker than the one that queued the job; if that one died,
    the user is told to try again instead of waiting for ever."""
    owner = JobService(store, workers=1, queue=4)
    ticket = owner.submit("deck-x", Gate())
    _wait_for(owner, ticket, {"running"})
    record = store.get("escc-export-job:deck-x")
    record["owner"] = 2**22 + 12345  # no such process
    store.set("escc-export-job:deck-x", record)
    other = JobService(store, workers=1, queue=4)
    assert other.status(ticket) == TicketStatus("failed", OWNER_GONE)
    # A new request for the same deck starts a fresh job instead of joining the dead one.
    fresh = Gate()
    fresh.release.set()
    again = other.submit("deck-x", fresh)
    assert _wait_for(other, again, {"done"}).result == "file" and fresh.runs == 1


def test_shutdown_fails_queued_jobs_with_a_message(store) -> None:
    service = JobService(store, workers=1, queue=4)
    blocker = Gate()
    running = service.submit("deck-1", blocker)
    queued = service.submit("deck-2", Gate())
    _wait_for(service, running, {"running"})
    service.shutdown()
    assert service.status(queued) == TicketStatus("failed", OWNER_GONE)
    blocker.release.set()


def test_a_failing_job_gives_its_requesters_a_message(store) -> None:
    service = JobService(store, workers=1, queue=4)

    def broken(progress) -> object:
        raise RuntimeError("boom")

    ticket = service.submit("deck-bad", broken)
    status = _wait_for(service, ticket, {"failed"})
    assert "could not be built" in status.message and "boom" not in status.message
