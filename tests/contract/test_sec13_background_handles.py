"""SEC-13: the deck is a background callback; its job handles are HMAC-signed (dash >= 4.4.1).

A forged or tampered ``cacheKey`` gets no result; a ``job`` handle pointing at another process
with a forged signature makes the server terminate nothing; the genuine ``cacheKey`` returns
the deck. (The job runs in a forked process, as in production.) Without Dash's signature check
on ``job``, the server would kill the bystander process and the test would fail.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from components import ids
from tests.contract.callbacks import UPDATE, valid_body

pytestmark = pytest.mark.slow


def _deck_body(app) -> dict:
    key = next(k for k in app.callback_map if ids.DECK_FILE in k)
    body = valid_body(key, app.callback_map[key], [1])
    body["state"][0]["value"] = [{"chart": "forest", "search": "", "title": "forest"}]
    return body


def test_sec13_forged_handles_are_refused(app, client) -> None:
    body = json.dumps(_deck_body(app))
    started = client.post(UPDATE, data=body, content_type="application/json")
    assert started.status_code == 200
    handle = started.get_json()
    cache_key, job = handle["cacheKey"], handle["job"]
    bystander = subprocess.Popen(["sleep", "60"])  # a process that must survive
    try:
        _, job_sig = job.split("~", 1)
        # A forged or tampered cacheKey never yields the result.
        for query in (f"?cacheKey=forged&job={job}", f"?cacheKey={cache_key[:-1]}0&job={job}"):
            resp = client.post(UPDATE + query, data=body, content_type="application/json")
            assert resp.status_code in (200, 204, 400, 403), query
            assert b"base64" not in resp.data and b'"response"' not in resp.data, query
        # The holder of the genuine cacheKey gets the deck; a job handle pointing at another
        # process with a forged signature must not make the server terminate that process.
        deadline = time.monotonic() + 120
        payload = None
        while time.monotonic() < deadline and payload is None:
            resp = client.post(
                UPDATE + f"?cacheKey={cache_key}&job={bystander.pid}~{job_sig}",
                data=body,
                content_type="application/json",
            )
            if resp.status_code == 200 and b'"response"' in resp.data:
                payload = resp.get_json()["response"][ids.DECK_FILE]["data"]
            else:
                time.sleep(0.5)
        assert payload is not None, "the genuine cacheKey never returned the deck"
        assert payload["filename"].endswith(".pptx")
        time.sleep(0.5)
        assert bystander.poll() is None, "a forged job handle terminated another process"
    finally:
        bystander.kill()
