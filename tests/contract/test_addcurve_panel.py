"""Add a curve (issue 16) through the app's own HTTP interface (Flask test client, hardening on).

* every hostile upload of ``tests.unit.hostile_uploads`` sent as the browser sends it (a data
  URL in the upload callback's body) is answered 200 with the refusal in the view, within 2 s,
  and the app still answers afterwards;
* a 50 MB upload is refused server-side with 413 before its body is read, and a large body sent
  to any other callback is refused with 413 (only the upload callback has the larger limit);
* a generated figure goes all the way: upload → draft → reconstruct → stored curve ids, and the
  Survival link opens with them.
"""

from __future__ import annotations

import base64
import json
import time

import pytest

from analysis.usercurves import store
from components import ids
from components.hardening import LARGE_BODIES
from tests.contract.callbacks import leaks, post, valid_body
from tests.unit.addcurve_figures import draw_with_table, simulated_arms
from tests.unit.hostile_uploads import hostile_uploads

HOSTILE = hostile_uploads()


def _upload_key(app) -> str:
    return next(
        k for k in app.callback_map if f"{ids.ADDCURVE_DRAFT}.data" in k.strip(".").split("...")
    )


def _submit_key(app) -> str:
    return next(
        k
        for k in app.callback_map
        if k.startswith(f"{ids.ADDCURVE_RESULT}.children@")
        or k == f"{ids.ADDCURVE_RESULT}.children"
    )


def _upload_body(app, data: bytes, mime: str = "image/png") -> dict:
    key = _upload_key(app)
    url = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
    return valid_body(key, app.callback_map[key], [url])


def _response(resp) -> dict:
    return json.loads(resp.get_data(as_text=True))["response"]


@pytest.mark.parametrize("name", sorted(n for n in HOSTILE if n != "50 MB upload"))
def test_hostile_upload_gets_a_message_in_the_view(app, client, name: str) -> None:
    data, words = HOSTILE[name]
    start = time.perf_counter()
    resp = post(client, _upload_body(app, data))
    elapsed = time.perf_counter() - start
    assert resp.status_code == 200, resp.status_code
    text = resp.get_data(as_text=True)
    assert leaks(text) == []
    message = json.dumps(_response(resp)[ids.ADDCURVE_MESSAGE])
    assert "Cannot use this file" in message
    for word in words:
        assert json.dumps(word)[1:-1] in message, (name, message[:300])
    # What the user typed is kept: only the message is sent.
    assert set(_response(resp)) == {ids.ADDCURVE_MESSAGE}
    assert elapsed < 2.0, (name, elapsed)
    assert client.get("/health").status_code == 200


def test_fifty_megabytes_are_refused_before_reading(app, client) -> None:
    data = HOSTILE["50 MB upload"][0]
    resp = post(client, _upload_body(app, data))
    assert resp.status_code == 413


def test_only_the_upload_callback_takes_a_large_body(app, client) -> None:
    assert list(app.server.extensions[LARGE_BODIES]) == [_upload_key(app)]
    key = f"{ids.SURVIVAL_URL}.search"
    spec = app.callback_map[key]
    body = valid_body(key, spec)
    body["inputs"][0]["value"] = "x" * 1_000_000
    resp = post(client, body)
    assert resp.status_code == 413


@pytest.fixture
def tmp_store(tmp_path):
    store.configure(tmp_path / "user-curves")
    yield
    store.configure(None)


def test_generated_figure_end_to_end(app, client, tmp_store) -> None:
    fig = draw_with_table(simulated_arms())
    resp = post(client, _upload_body(app, fig.png))
    assert resp.status_code == 200
    out = _response(resp)
    draft = out[ids.ADDCURVE_DRAFT]["data"]
    assert len(draft["curves"]) == 2
    key = _submit_key(app)
    spec = app.callback_map[key]
    body = valid_body(key, spec, [1])
    values = {
        ids.ADDCURVE_DRAFT: draft,
        ids.ADDCURVE_X_LOW: 0,
        ids.ADDCURVE_X_HIGH: 30,
        ids.ADDCURVE_Y_LOW: 0,
        ids.ADDCURVE_Y_HIGH: 100,
        ids.ADDCURVE_AT_RISK_TIMES: " ".join(f"{t:g}" for t in fig.ticks),
        ids.ADDCURVE_ENDPOINT: "OS",
        ids.ADDCURVE_SYSTEM: "ITT",
        ids.ADDCURVE_OPERATOR: ">=",
        ids.ADDCURVE_CUTOFF: 1,
        ids.ADDCURVE_CITATION: "Generated figure (tests)",
    }
    rows = {
        ids.ADDCURVE_ARM_INCLUDE: [True, True],
        ids.ADDCURVE_ARM_NAME: list(fig.names),
        ids.ADDCURVE_ARM_AT_RISK: [" ".join(map(str, r)) for r in fig.at_risk],
        ids.ADDCURVE_ARM_N: [None, None],
        ids.ADDCURVE_ARM_EVENTS: [None, None],
    }
    for item, state in zip(body["state"], spec["state"], strict=True):
        ident = state["id"]
        if ident.startswith("{"):
            kind = json.loads(ident)["type"]
            prop = state["property"]
            item[0]["value"] = None  # replaced below by one entry per row
            body["state"][body["state"].index(item)] = [
                {"id": {"type": kind, "index": k}, "property": prop, "value": v}
                for k, v in enumerate(rows[kind])
            ]
        else:
            item["value"] = values[ident]
    resp = post(client, body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    text = json.dumps(_response(resp))
    assert "Open in the Survival view" in text
    assert "grade A" in text and "user-supplied" in text
    href = text.split('"href": "')[1].split('"')[0]
    assert href.startswith("/survival?user=u")
