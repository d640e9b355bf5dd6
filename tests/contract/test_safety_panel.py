"""SEC-02 for the Safety view: every Input of its callback gets out-of-domain values through
Flask's test client (``/_dash-update-component``). Expected: 200/204 with an "Invalid
selection" message, 0 x 5xx, no leaked internals, and — by a spy on the AE analysis — no
analysis call with a value outside the registry's allow-lists. Also: ``layout(registry,
query)`` never raises on hostile or unknown query dicts, and the URL round-trips the state.
"""

from __future__ import annotations

import json

import pytest

from analysis import adverse_events as ae
from analysis.views import safety as sp
from components import ids, safety
from components.panel import VIEW_MEMOS
from data import load_registry
from tests.contract.callbacks import leaks, post, valid_body

VALID = [
    ["nct05013697.triple", "orient15.sint_chemo"],
    "terms",
    "treatment-related",
    "both",
    False,
    "freq",
    10,
]
INPUT_NAMES = ("arms", "chart", "category", "grade", "strict", "sort", "min")

HOSTILE = [
    None,
    True,
    False,
    -1,
    10**18,
    1e308,
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "NaN",
    "Infinity",
    "",
    "x" * 5000,
    ["<script>"],
    ["nct05013697.triple", {"$ne": 1}],
    ["../"] * 3,
    ["nct05013697.triple"] * 40,
    {"a": 1},
    [["nct05013697.triple"]],
]


def _callback(app):
    key = next(k for k in app.callback_map if f"{ids.SAFETY_GRAPH}.figure" in k)
    return key, app.callback_map[key]


class Spy:
    """Records every call into the AE analysis that the panel makes."""

    def __init__(self, monkeypatch, app) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []
        for name in ("summary_table", "term_table"):
            original = getattr(ae, name)

            def wrapper(*args, _name=name, _original=original, **kwargs):
                self.calls.append((_name, args, kwargs))
                return _original(*args, **kwargs)

            monkeypatch.setattr(ae, name, wrapper)
        self.memo = app.server.extensions[VIEW_MEMOS]["safety"]
        self.memo.clear()  # a cached model would hide calls


@pytest.fixture
def spy(monkeypatch, app):
    found = Spy(monkeypatch, app)
    yield found
    found.memo.clear()


def _allowed_arms(registry) -> set[tuple[str, str]]:
    return {(t.id, a.id) for t in registry.trials for a in t.arms}


def _assert_calls_listed(calls, registry) -> None:
    allowed = _allowed_arms(registry)
    for name, args, kwargs in calls:
        if name == "summary_table":
            _, arms, category = args
        else:
            _, _, arms, category = args
            assert kwargs["grade"] in sp.GRADE_OPTIONS
            assert kwargs["sort"] in sp.SORT_OPTIONS
            assert 0 <= kwargs["min_pct"] <= 100
        assert kwargs["strict"] in (True, False)
        assert category in ae.CATEGORIES
        assert set(arms) <= allowed and 1 <= len(arms) <= sp.MAX_ARMS


def test_valid_request_computes_and_writes_the_url(app, client, spy) -> None:
    key, spec = _callback(app)
    resp = post(client, valid_body(key, spec, list(VALID)))
    assert resp.status_code == 200
    payload = resp.get_json()["response"]
    figure = payload[ids.SAFETY_GRAPH]["figure"]
    assert any(t.get("meta", {}).get("role") == "reported" for t in figure["data"])
    search = payload[ids.SAFETY_URL]["search"]
    assert "chart=terms" in search and "min=10" in search
    assert "arms=nct05013697.triple,orient15.sint_chemo" in search
    assert [c[0] for c in spy.calls] == ["term_table"]  # the spy sees real calls
    _assert_calls_listed(spy.calls, load_registry())


def _is_valid_for(position: int, value: object) -> bool:
    """Values that are legitimately accepted by an input (not hostile for it)."""
    if position == 4:
        return isinstance(value, bool)  # the switch
    if position == 6:
        return value is None or value == ""  # a cleared number box means 0 %
    return False


CASES = [
    pytest.param(position, value, id=f"{name}-v{i}")
    for position, name in enumerate(INPUT_NAMES)
    for i, value in enumerate(HOSTILE)
    if not _is_valid_for(position, value)
]


@pytest.mark.parametrize(("position", "value"), CASES)
def test_sec02_hostile_value_gives_message_and_no_analysis(
    app, client, spy, position, value
) -> None:
    key, spec = _callback(app)
    values = list(VALID)
    values[position] = value
    resp = post(client, valid_body(key, spec, values))
    assert resp.status_code in (200, 204, 400), resp.status_code
    text = resp.get_data(as_text=True)
    assert leaks(text) == []
    if resp.status_code == 200:
        payload = json.loads(text)["response"]
        message = json.dumps(payload[ids.SAFETY_MESSAGE])
        assert "Invalid selection" in message or "Choose at least one arm" in message
        assert ids.SAFETY_GRAPH not in payload  # nothing recomputed
        assert ids.SAFETY_URL not in payload  # nothing unlisted written to the URL
    assert spy.calls == []


def test_sec02_all_inputs_hostile_at_once(app, client, spy) -> None:
    key, spec = _callback(app)
    for value in HOSTILE:
        resp = post(client, valid_body(key, spec, [value] * len(VALID)))
        assert resp.status_code in (200, 204, 400)
        assert leaks(resp.get_data(as_text=True)) == []
    assert spy.calls == []


def test_empty_arm_list_asks_for_an_arm(app, client, spy) -> None:
    key, spec = _callback(app)
    values = list(VALID)
    values[0] = []
    resp = post(client, valid_body(key, spec, values))
    assert resp.status_code == 200
    assert "Choose at least one arm" in resp.get_data(as_text=True)
    assert spy.calls == []


def test_too_many_arms_is_invalid(app, client, spy) -> None:
    registry = load_registry()
    key, spec = _callback(app)
    values = list(VALID)
    values[0] = [sp.arm_value((t.id, a.id)) for t in registry.trials for a in t.arms]
    assert len(values[0]) > sp.MAX_ARMS
    resp = post(client, valid_body(key, spec, values))
    assert resp.status_code == 200 and "Invalid selection" in resp.get_data(as_text=True)
    assert spy.calls == []


@pytest.mark.parametrize("chart", list(sp.CHARTS))
@pytest.mark.parametrize("category", ["treatment-related", "all-cause", "immune-related"])
def test_every_valid_combination_answers(app, client, spy, chart, category) -> None:
    key, spec = _callback(app)
    values = list(VALID)
    values[1], values[2] = chart, category
    resp = post(client, valid_body(key, spec, values))
    assert resp.status_code == 200
    assert leaks(resp.get_data(as_text=True)) == []
    _assert_calls_listed(spy.calls, load_registry())


# --- layout and URL state ---------------------------------------------------------------------


HOSTILE_QUERIES = [
    {},
    {"arms": "<script>alert(1)</script>"},
    {"arms": "nct05013697.triple,../../x,orient15.sint_chemo"},
    {"arms": ",".join(["nct05013697.triple"] * 500)},
    {"arms": ""},
    {"chart": "pie", "cat": "<b>", "grade": "9", "sort": "random", "strict": "yes"},
    {"min": "-5"},
    {"min": "1e999"},
    {"min": "NaN"},
    {"min": "50.5"},
    {"unknown": "1", "x" * 300: "y"},
    {"arms": None, "chart": None},
    {"arms": ["a", "b"], "min": 3},
    "not a mapping",
    None,
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_sec02_layout_never_raises(query) -> None:
    page = safety.layout(load_registry(), query)
    assert page is not None


def test_layout_names_what_was_reset() -> None:
    registry = load_registry()
    state, notices = sp.SPEC.from_query(
        registry, {"arms": "nct05013697.triple,../../x", "chart": "pie", "bogus": "1"}
    )
    assert state.arm_keys == (("nct05013697", "triple"),) and state.chart == "summary"
    text = "; ".join(notices)
    assert "'../../x'" in text and "chart 'pie'" in text and "unknown setting 'bogus'" in text


def test_url_round_trip() -> None:
    registry = load_registry()
    state = sp.SafetyState(
        arms=("nct05013697.triple", "checkmate648.nivo_chemo"),
        chart="heatmap",
        category="all-cause",
        grade="high",
        strict=True,
        sort="alpha",
        min_pct=15,
    )
    search = sp.SPEC.to_search(registry, state, safe=",.")
    keys = [part.split("=")[0] for part in search.lstrip("?").split("&")]
    assert keys == sorted(keys)
    from urllib.parse import parse_qsl

    restored, notices = sp.SPEC.from_query(registry, dict(parse_qsl(search.lstrip("?"))))
    assert notices == [] and restored == state
    assert sp.SPEC.to_search(registry, sp.SPEC.default(registry)) == ""
