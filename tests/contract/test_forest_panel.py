"""SEC-02 for the Subgroups & forest view: out-of-domain values give an in-app message, 0 x 5xx,
and the pooling code is never called with a value outside the registry's allow-lists (spies)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from analysis.views.forest import choices
from analysis.views.forest import model as forest_model
from components import ids
from components.forest import layout
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
# The value each Input takes in a valid request (in callback order; the last is the pattern).
VALID = ["OS", "ici-chemo_vs_chemotherapy", "CPS>=10", "REML", False, True, False]
ANALYSED = ("pool", "leave_one_out", "ratio_of_hazard_ratios", "study_from_hr_ci")


def _callback(app) -> tuple[str, dict[str, Any]]:
    key = next(k for k in app.callback_map if f"{ids.FOREST_GRAPH}.figure" in k)
    return key, app.callback_map[key]


def _analysis_items(values: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    inputs, states = [], []
    for trial_id, value in values.items():
        ident = {"type": ids.FOREST_ANALYSIS, "trial": trial_id}
        inputs.append({"id": ident, "property": "value", "value": value})
        states.append({"id": ident, "property": "id", "value": ident})
    return inputs, states


def _body(app, values: list[Any] | None = None, analyses: dict[str, Any] | None = None):
    key, spec = _callback(app)
    body = valid_body(key, spec, [*(values or VALID), None])
    registry = load_registry()
    chosen = analyses if analyses is not None else dict.fromkeys(choices(registry).analyses, "auto")
    inputs, states = _analysis_items(chosen)
    body["inputs"][-1] = inputs
    body["state"] = [states]
    return body


@pytest.fixture(scope="module")
def app():
    """A fresh app for this module: its view-model memo is empty, so the first valid request
    below computes (and the spies see it) whatever other modules asked the shared app."""
    from app import create_app
    from components.settings import load_settings

    return create_app(load_settings({}))


@pytest.fixture
def spies(monkeypatch):
    calls: dict[str, list[tuple[Any, ...]]] = {name: [] for name in ANALYSED}
    for name in ANALYSED:
        original = getattr(forest_model, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls[_name].append((args, kwargs))
            return _original(*args, **kwargs)

        monkeypatch.setattr(forest_model, name, spy)
    return calls


def test_valid_request_pools_only_listed_values(app, client, spies) -> None:
    resp = post(client, _body(app))
    assert resp.status_code == 200
    data = resp.get_json()["response"]
    assert data[ids.FOREST_URL]["search"].startswith("?cmp=ici-chemo_vs_chemotherapy&ep=OS")
    assert spies["pool"], "the spy must see a valid request (else the test proves nothing)"
    registry = load_registry()
    names = {t.name for t in registry.trials}
    for args, kwargs in spies["pool"]:
        assert kwargs["method"] in ("REML", "FE")
        assert {s.label for s in args[0]} <= names
    assert spies["leave_one_out"]  # loo switched on in VALID


# True is a legitimate value of the three switches (positions 4-6), so it is not hostile there.
CASES = [
    (position, value)
    for position in range(len(VALID))
    for value in HOSTILE
    if not (isinstance(value, bool) and isinstance(VALID[position], bool))
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


@pytest.mark.parametrize(
    "analyses",
    [
        {"orient15": "no-such-analysis"},
        {"orient15": "<script>"},
        {"../../etc": "auto"},
        {"checkmate648": None},
        {"orient15": ["final"]},
        {"orient15": {"$gt": ""}},
        {"orient15": "primary"},  # an analysis of another trial, not of ORIENT-15
    ],
)
def test_sec02_hostile_analysis_choices(app, client, spies, analyses) -> None:
    resp = post(client, _body(app, analyses=analyses))
    assert resp.status_code in (200, 204)
    text = resp.get_data(as_text=True)
    assert leaks(text) == [] and "Invalid selection" in text
    assert all(calls == [] for calls in spies.values())


def test_sec02_forged_pattern_ids_and_length_mismatch(app, client, spies) -> None:
    body = _body(app)
    forged = copy.deepcopy(body)
    forged["state"][0][0]["value"] = {"type": ids.FOREST_ANALYSIS, "trial": {"$ne": 1}}
    short = copy.deepcopy(body)
    short["state"][0] = short["state"][0][:-1]
    many = copy.deepcopy(body)
    many["inputs"][-1] = many["inputs"][-1] * 50
    many["state"][0] = many["state"][0] * 50
    for mutated in (forged, short, many):
        resp = post(client, mutated)
        assert resp.status_code < 500
        text = resp.get_data(as_text=True)
        assert leaks(text) == []
        if resp.status_code == 200:
            assert "Invalid selection" in text
    assert all(calls == [] for calls in spies.values())


def test_explicit_analysis_choice_is_used(app, client) -> None:
    resp = post(client, _body(app, [*VALID[:2], "ITT", *VALID[3:]], {"orient15": "final"}))
    assert resp.status_code == 200
    data = resp.get_json()["response"]
    assert "an=orient15%3Afinal" in data[ids.FOREST_URL]["search"]
    assert "0.661 (CI not reported)" in str(data[ids.FOREST_GRAPH]["figure"])


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"pop": "<script>alert(1)</script>"},
        {"ep": "../../", "m": "DROP TABLE", "cmp": "x" * 3000},
        {"kh": "2", "loo": "", "x": "true"},
        {"an": "orient15:final,../x:y,,:"},
        {"an": "orient15:final:extra"},
        {"unknown": "1", "pop": "CPS>=10"},
    ],
)
def test_sec02_layout_never_raises(query) -> None:
    page = layout(load_registry(), query)
    text = str(page)
    if query:
        assert "were not recognised and were reset" in text


def test_layout_with_non_mapping_query_does_not_raise() -> None:
    layout(load_registry(), None)  # type: ignore[arg-type]
