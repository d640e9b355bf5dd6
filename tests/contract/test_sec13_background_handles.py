"""SEC-13: the deck is a background callback; its job handles are HMAC-signed (dash >= 4.4.1).

A forged or tampered ``cacheKey`` gets no result; a ``job`` handle pointing at another process
with a forged signature is refused and terminates nothing; the genuine handles return the deck.
(Deck jobs now run on the process's export service, issue 14; the bystander check stays so that
a return to process-per-job managers keeps the guarantee.)
"""

from __future__ import annotations

import json
import re
import subprocess
import time

import pytest
from dash._get_app import app_context

from components import ids
from tests.contract.callbacks import UPDATE as PLAIN_UPDATE
from tests.contract.callbacks import valid_body

pytestmark = pytest.mark.slow


def _deck_body(app) -> dict:
    key = next(k for k in app.callback_map if ids.DECK_FILE in k)
    body = valid_body(key, app.callback_map[key], [1])
    body["state"][0]["value"] = [{"chart": "forest", "search": "", "title": "forest"}]
    return body


def test_sec13_forged_handles_are_refused(app, client) -> None:
    # Dash signs handles with ``dash.get_app()``'s secret: pin this session's app (other tests
    # in the process build apps of their own; production has one app per process).
    pinned = app_context.set(app)
    try:
        _forged_handles_are_refused(app, client)
    finally:
        app_context.reset(pinned)


def _forged_handles_are_refused(app, client) -> None:
    body = json.dumps(_deck_body(app))
    # Dash's renderer sends the page load's signed endId with every callback request.
    end_id = re.search(r'"end_id"\s*:\s*"([^"]+)"', client.get("/").get_data(as_text=True))
    assert end_id is not None
    UPDATE = f"{PLAIN_UPDATE}?endId={end_id.group(1)}"
    started = client.post(UPDATE, data=body, content_type="application/json")
    assert started.status_code == 200
    handle = started.get_json()
    cache_key, job = handle["cacheKey"], handle["job"]
    bystander = subprocess.Popen(["sleep", "60"])  # a process that must survive
    try:
        _, job_sig = job.split("~", 1)
        # A forged or tampered cacheKey never yields the result.
        for query in (f"?cacheKey=forged&job={job}", f"?cacheKey={cache_key[:-1]}0&job={job}"):
            resp = client.post(
                UPDATE + query.replace("?", "&"), data=body, content_type="application/json"
            )
            assert resp.status_code in (200, 204, 400, 403), query
            assert b"base64" not in resp.data and b'"response"' not in resp.data, query
        # A job handle naming another process with a forged signature is refused (400) and
        # terminates nothing, whether it comes as ``job`` or as ``oldJob``.
        for query in (
            f"&cacheKey={cache_key}&job={bystander.pid}~{job_sig}",
            f"&oldJob={bystander.pid}~{job_sig}",
        ):
            resp = client.post(UPDATE + query, data=body, content_type="application/json")
            assert resp.status_code == 400, query
        # The holder of the genuine handles gets the deck.
        deadline = time.monotonic() + 240
        payload = None
        while time.monotonic() < deadline and payload is None:
            resp = client.post(
                UPDATE + f"&cacheKey={cache_key}&job={job}",
                data=body,
                content_type="application/json",
            )
            if resp.status_code == 200 and b'"response"' in resp.data:
                payload = resp.get_json()["response"][ids.DECK_FILE]["data"]
            else:
                time.sleep(0.5)
        assert payload is not None, "the genuine handles never returned the deck"
        assert payload["filename"].endswith(".pptx")
        time.sleep(0.5)
        assert bystander.poll() is None, "a forged job handle terminated another process"
    finally:
        bystander.kill()
