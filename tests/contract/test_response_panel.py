"""SEC-02 for the Response view: out-of-domain values give an in-app message, 0 x 5xx, and the
interval code is never called with a value outside the registry's allow-lists (spies)."""

from __future__ import annotations

from typing import Any

import pytest

from analysis.views import response as rv
from components import ids, response
from components.panel import VIEW_MEMOS
from data import load_registry
from tests.contract.callbacks import leaks, post, valid_body

HOSTILE: list[Any] = [
    "<script>alert(1)</script>",
    "../../etc/passwd",
    True,
    -(10**18),
    1e308,
    {"$ne": 1},
    "x" * 5000,
    "\u202eORR",
]
# measure, population, regimen classes, arms (in callback order)
VALID: list[Any] = ["DCR", "itt", ["ICI+TKI+chemo"], ["nct05013697:triple"], "latest"]
LIST_HOSTILE: list[Any] = [["<script>"], ["nct05013697:triple", "../x"], [None], [["ORR"]]]
ANALYSED = ("clopper_pearson", "compare_with_printed")


def _callback(app) -> tuple[str, dict[str, Any]]:
    key = next(k for k in app.callback_map if f"{ids.RESPONSE_GRAPH}.figure" in k)
    return key, app.callback_map[key]


@pytest.fixture
def spies(monkeypatch, app):
    calls: dict[str, list[tuple[Any, ...]]] = {name: [] for name in ANALYSED}
    for name in ANALYSED:
        original = getattr(rv, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls[_name].append(args)
            return _original(*args, **kwargs)

        monkeypatch.setattr(rv, name, spy)
    memo = app.server.extensions[VIEW_MEMOS]["response"]
    memo.clear()  # a cached model would hide calls
    yield calls
    memo.clear()


def test_valid_request_computes_from_listed_rows(app, client, spies) -> None:
    key, spec = _callback(app)
    resp = post(client, valid_body(key, spec, VALID))
    assert resp.status_code == 200
    data = resp.get_json()["response"]
    assert data[ids.RESPONSE_URL]["search"] == (
        "?arms=nct05013697%3Atriple&cls=ICI%2BTKI%2Bchemo&m=DCR&pop=itt"
    )
    assert spies["clopper_pearson"], "the spy must see a valid request"
    assert all(args[:2] == (42, 50) for args in spies["clopper_pearson"])  # DCR 42/50
    assert "70.9–92.8" in str(data[ids.RESPONSE_TABLE]["children"])


@pytest.mark.parametrize("position", range(len(VALID)))
@pytest.mark.parametrize("value", HOSTILE)
def test_sec02_hostile_inputs_give_a_message_and_no_analysis(
    app, client, spies, position, value
) -> None:
    key, spec = _callback(app)
    values = list(VALID)
    values[position] = value
    resp = post(client, valid_body(key, spec, values))
    assert resp.status_code in (200, 204), (position, value)
    text = resp.get_data(as_text=True)
    assert leaks(text) == []
    assert "Invalid selection" in text
    assert all(calls == [] for calls in spies.values())


@pytest.mark.parametrize("position", [2, 3])
@pytest.mark.parametrize("value", LIST_HOSTILE)
def test_sec02_hostile_list_items(app, client, spies, position, value) -> None:
    key, spec = _callback(app)
    values = list(VALID)
    values[position] = value
    resp = post(client, valid_body(key, spec, values))
    assert resp.status_code in (200, 204)
    text = resp.get_data(as_text=True)
    assert leaks(text) == [] and "Invalid selection" in text
    assert all(calls == [] for calls in spies.values())


def test_sec02_none_measure_is_invalid_but_empty_filters_mean_all(app, client) -> None:
    key, spec = _callback(app)
    resp = post(client, valid_body(key, spec, [None, "itt", None, None, "latest"]))
    assert resp.status_code in (200, 204) and "Invalid selection" in resp.get_data(as_text=True)
    resp = post(client, valid_body(key, spec, ["CR", "all", None, [], "all"]))
    assert resp.status_code == 200
    assert "Invalid selection" not in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"m": "<script>alert(1)</script>"},
        {"pop": "../../", "cls": "chemo|<b>x</b>|" + "y" * 3000},
        {"arms": "nct05013697:triple,../x," + "z" * 3000},
        {"m": "ORR", "unknown": "1"},
    ],
)
def test_sec02_layout_never_raises(query) -> None:
    page = response.layout(load_registry(), query)
    if query:
        assert "were not recognised and were reset" in str(page)


def test_layout_with_non_mapping_query_does_not_raise() -> None:
    response.layout(load_registry(), None)  # type: ignore[arg-type]
