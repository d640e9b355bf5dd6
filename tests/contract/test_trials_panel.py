"""SEC-02 for the Trials view: out-of-domain values give an in-app message, never a 5xx."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest

from components import ids, trials
from components.trials import callbacks as trials_callbacks
from data import load_registry
from tests.contract.callbacks import leaks, post, valid_body

HOSTILE = [
    "<script>alert(1)</script>",
    "../../etc/passwd",
    None,
    True,
    -1,
    10**18,
    ["checkmate648", {"a": 1}],
    {"$ne": 1},
    "x" * 5000,
]


def _callback(app, output: str):
    key = next(k for k in app.callback_map if output in k)
    return key, app.callback_map[key]


@pytest.mark.parametrize("value", HOSTILE)
def test_sec02_detail_rejects_unknown_trials(app, client, value) -> None:
    key, spec = _callback(app, f"{ids.TRIALS_DETAIL}.children")
    resp = post(client, valid_body(key, spec, [value, "efficacy"]))
    assert resp.status_code in (200, 204)
    text = resp.get_data(as_text=True)
    assert leaks(text) == []
    if value is not None:
        assert "Invalid selection" in text


@pytest.mark.parametrize("value", HOSTILE)
def test_sec02_filter_and_url_sync(app, client, value) -> None:
    for output in (f"{ids.TRIALS_TABLE}.children", f"{ids.TRIALS_URL}.search"):
        key, spec = _callback(app, output)
        values = [value] * len(spec["inputs"])
        resp = post(client, valid_body(key, spec, values))
        assert resp.status_code in (200, 204), (output, value)
        assert leaks(resp.get_data(as_text=True)) == []


@pytest.mark.parametrize("fmt", ["xlsx", "../x", None, 3, ["csv"]])
def test_sec02_download_never_exports_unlisted_formats(app, client, monkeypatch, fmt) -> None:
    calls: list[object] = []
    monkeypatch.setattr(trials_callbacks, "export_bytes", lambda reg, f: calls.append(f) or b"")
    key, spec = _callback(app, f"{ids.EVIDENCE_DOWNLOAD}.data")
    body = valid_body(key, spec, [1])
    body["state"][0]["value"] = fmt
    resp = post(client, body)
    assert resp.status_code in (200, 204)
    assert calls == []


def test_download_csv_has_provenance(app, client) -> None:
    key, spec = _callback(app, f"{ids.EVIDENCE_DOWNLOAD}.data")
    body = valid_body(key, spec, [1])
    body["state"][0]["value"] = "csv"
    resp = post(client, body)
    assert resp.status_code == 200
    payload = resp.get_json()["response"][ids.EVIDENCE_DOWNLOAD]["data"]
    assert payload["filename"].startswith("escc-evidence_")
    assert payload["base64"] is True
    assert base64.b64decode(payload["content"]).startswith(b"trial_id,")


def test_download_offers_the_data_package(app, client) -> None:
    key, spec = _callback(app, f"{ids.EVIDENCE_DOWNLOAD}.data")
    body = valid_body(key, spec, [1])
    body["state"][0]["value"] = "zip"
    resp = post(client, body)
    assert resp.status_code == 200
    payload = resp.get_json()["response"][ids.EVIDENCE_DOWNLOAD]["data"]
    assert payload["filename"].startswith("escc-evidence-package_")
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(payload["content"])))
    assert sorted(archive.namelist()) == ["datapackage.json", "evidence.csv"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"trial": "<script>"},
        {"classes": "chemo|<b>x</b>|" + "y" * 3000},
        {"section": "../../"},
        {"trial": "checkmate648", "section": "safety", "unknown": "1"},
    ],
)
def test_sec02_layout_never_raises(query) -> None:
    trials.layout(load_registry(), query)
