"""SEC-02 for the Indirect comparisons view: out-of-domain values give an in-app message, never
a 5xx, and the network is never built with a value outside the registry's allow-lists (spies on
the builder's network and NMA calls). The protocol fuzz of SEC-01 (malformed bodies -> 4xx)
covers this callback with every other one (tests/contract/test_sec01_callback_fuzz.py); the
module below also sends a few malformed bodies at this callback by name."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from analysis.views.indirect import builder
from components import ids
from components.indirect import layout
from data import load_registry
from tests.contract.callbacks import leaks, post, valid_body

HOSTILE: list[Any] = [
    None,
    "<script>alert(1)</script>",
    "../../etc/passwd",
    True,
    -(10**18),
    1e308,
    ["OS", "PFS"],
    {"$ne": 1},
    "x" * 5000,
    "\u202eSO",
]
# endpoint, population, across, analysis, nodes, reference, model (callback order).
VALID: list[Any] = ["OS", "CPS>=10", False, "latest", "lumped", "pembrolizumab+chemo", "random"]
SPIED = ("build_network", "fit_nma")
# Positions where None is legal (the reference: None = the common comparator).
NONE_OK = {5}


def _callback(app) -> tuple[str, dict[str, Any]]:
    key = next(k for k in app.callback_map if f"{ids.INDIRECT_NETWORK_GRAPH}.figure" in k)
    return key, app.callback_map[key]


def _body(app, values: list[Any] | None = None) -> dict[str, Any]:
    key, spec = _callback(app)
    return valid_body(key, spec, list(values or VALID))


@pytest.fixture(scope="module")
def app():
    """A fresh app: its view memo is empty, so the first valid request computes."""
    from app import create_app
    from components.settings import load_settings

    return create_app(load_settings({}))


@pytest.fixture
def spies(monkeypatch):
    calls: dict[str, list[tuple[Any, ...]]] = {name: [] for name in SPIED}
    for name in SPIED:
        original = getattr(builder, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls[_name].append((args, kwargs))
            return _original(*args, **kwargs)

        monkeypatch.setattr(builder, name, spy)
    return calls


def test_valid_request_computes_and_writes_the_url(app, client, spies) -> None:
    resp = post(client, _body(app))
    assert resp.status_code == 200
    data = resp.get_json()["response"]
    search = data[ids.URL]["search"]
    assert "pop=CPS%3E%3D10" in search and "ref=pembrolizumab%2Bchemo" in search
    assert data[ids.INDIRECT_REFERENCE]["value"] == "pembrolizumab+chemo"
    assert "1.12 (0.75–1.67)" in str(data[ids.INDIRECT_LEAGUE]["children"])
    assert spies["build_network"] and spies["fit_nma"], "the spies must see a valid request"
    args, kwargs = spies["build_network"][0]
    assert args[1:] == ("OS", "CPS>=10", "lumped") and kwargs["analysis"] == "latest"


def test_reference_missing_from_the_network_is_replaced_and_explained(app, client) -> None:
    values = list(VALID)
    values[5] = "ipilimumab+nivolumab"  # no CPS >= 10 HR for this arm
    resp = post(client, _body(app, values))
    assert resp.status_code == 200
    data = resp.get_json()["response"]
    assert data[ids.INDIRECT_REFERENCE]["value"] == "chemo"
    assert "ref=" not in data[ids.URL]["search"]
    assert "is not in this network" in str(data[ids.INDIRECT_MESSAGE]["children"])


CASES = [
    (position, value)
    for position in range(len(VALID))
    for value in HOSTILE
    if not (isinstance(value, bool) and isinstance(VALID[position], bool))
    and not (value is None and position in NONE_OK)
]


@pytest.mark.parametrize(("position", "value"), CASES)
def test_sec02_hostile_inputs_give_a_message_and_no_analysis(
    app, client, spies, position, value
) -> None:
    values = list(VALID)
    values[position] = value
    resp = post(client, _body(app, values))
    assert resp.status_code in (200, 204), (position, value)
    text = resp.get_data(as_text=True)
    assert leaks(text) == []
    assert "Invalid selection" in text
    assert all(calls == [] for calls in spies.values()), (position, value)


def test_malformed_bodies_are_4xx_not_5xx(app, client, spies) -> None:
    body = _body(app)
    no_inputs = copy.deepcopy(body)
    no_inputs.pop("inputs")
    short = copy.deepcopy(body)
    short["inputs"] = short["inputs"][:-2]
    wrong_id = copy.deepcopy(body)
    wrong_id["inputs"][0]["id"] = {"$ne": 1}
    for mutated in (no_inputs, short, wrong_id, [], "x"):
        resp = post(client, mutated)
        assert 400 <= resp.status_code < 500, (mutated, resp.status_code)
        assert leaks(resp.get_data(as_text=True)) == []
    resp = post(client, None, raw=b"{not json", content_type="application/json")
    assert 400 <= resp.status_code < 500
    assert all(calls == [] for calls in spies.values())


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"pop": "<script>alert(1)</script>"},
        {"ep": "../../", "m": "DROP TABLE", "ref": "x" * 3000},
        {"x": "true", "nodes": "", "an": "final"},
        {"unknown": "1", "pop": "CPS>=10", "ref": "chemo"},
    ],
)
def test_sec02_layout_never_raises(query) -> None:
    page = layout(load_registry(), query)
    if query:
        assert "were not recognised and were reset" in str(page)


def test_layout_with_non_mapping_query_does_not_raise() -> None:
    layout(load_registry(), None)  # type: ignore[arg-type]
