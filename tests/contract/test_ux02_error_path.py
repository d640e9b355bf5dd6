"""UX-02: a failing callback shows the plain-language banner; the log gets one ERROR line with
request ID, callback output and exception type; no stack trace reaches the client."""

from __future__ import annotations

import logging

from components import ids
from components.trials import callbacks as trials_callbacks
from tests.contract.callbacks import leaks, post, valid_body


def test_ux02_banner_and_one_log_line(app, client, monkeypatch, caplog) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internal detail /work/main/x.py")

    monkeypatch.setattr(trials_callbacks, "render_detail", broken)
    key = next(k for k in app.callback_map if f"{ids.TRIALS_DETAIL}.children" in k)
    body = valid_body(key, app.callback_map[key], ["checkmate648", "efficacy"])
    with caplog.at_level(logging.ERROR, logger="escc.http"):
        resp = post(client, body, headers_rid="ux02-test")
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    side = resp.get_json()["sideUpdate"]
    assert side[ids.ERROR_BANNER] == {"hide": False}
    assert "could not be computed" in side[ids.ERROR_BANNER_TEXT]["children"]
    assert "ux02-test" in side[ids.ERROR_BANNER_TEXT]["children"]  # the reference to quote
    assert "secret internal detail" not in text and leaks(text) == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    line = errors[0].getMessage()
    assert "rid=ux02-test" in line and key in line and "RuntimeError" in line
