"""SEC-02 for the Survival view: every Input of every callback gets values outside its
allow-list through Flask's test client; the answer is an in-app message (or no update), never a
5xx or a traceback, and the survival statistics are never requested for an unlisted value."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest

from analysis.views.survival import ENDPOINTS, SPEC, arm_tokens, population_keys, preset_arms
from components import ids
from components.survival import compute, figure_for, layout
from data import load_registry
from tests.contract.callbacks import leaks, post, valid_body

VALID = ["OS", ["escort1st:cam_chemo", "escort1st:placebo_chemo"], "ITT", None, 12, 18]
VALID += [False, True, False, True, "earliest"]  # ESCORT-1st first report: grade A
VALID += [[]]  # user-supplied curve ids (issue 16)

COMMON_HOSTILE = [
    "<script>alert(1)</script>",
    "../../etc/passwd",
    True,
    -1,
    10**18,
    1e308,
    "NaN",
    ["escort1st:cam_chemo", {"a": 1}],
    {"$ne": 1},
    "x" * 5000,
    [],
]
# Extra values per input position (endpoint, arms, population, reference, landmark, tau, CI,
# censor marks, median lines, at-risk table).
EXTRA: dict[int, list[object]] = {
    0: [None, "os", "DFS"],
    1: [
        ["unknown:arm"],
        "escort1st:cam_chemo",
        [None],
        ["../x"],
        ["escort1st:cam_chemo "],
        [f"{t.id}:{a.id}" for t in load_registry().trials for a in t.arms][:13],
    ],
    2: [None, "CPS>=10 ", "CPS>=999", "itt"],
    3: ["nope:arm", 3, ["escort1st:cam_chemo"]],
    4: [None, 0, 0.5, 61, -12, "12", [12], 1012.0],
    5: [None, 0, 2.9, 60.5, "18", [18]],
    6: [None, 1, "true"],
    7: [None, 0, "false"],
    8: [None, 1, "on"],
    9: [None, 0, "off"],
    11: [["not-an-id"], ["u" + "0" * 19], ["U" + "0" * 20], [f"u{i:020x}" for i in range(5)]],
}
# Values that are inside the allow-list (so no message is expected for them).
ALLOWED: dict[int, list[object]] = {
    1: [[]],
    3: [None],
    11: [None, []],
    **{switch: [True, False] for switch in (6, 7, 8, 9)},
}


def _allowed(position: int, value: object) -> bool:
    return any(type(v) is type(value) and v == value for v in ALLOWED.get(position, []))


def _callback(app, output: str):
    key = next(k for k in app.callback_map if output in k)
    return key, app.callback_map[key]


@pytest.fixture
def spy(monkeypatch):
    calls: list[object] = []
    real = compute.view_model

    def recording(registry, state, memo=None):
        calls.append(state)
        return real(registry, state, memo)

    monkeypatch.setattr(compute, "view_model", recording)
    return calls


def test_valid_request_draws_and_calls_the_statistics_once(app, client, spy) -> None:
    key, spec = _callback(app, f"{ids.SURVIVAL_GRAPH}.figure")
    resp = post(client, valid_body(key, spec, list(VALID)))
    assert resp.status_code == 200
    payload = resp.get_json()["response"]
    figure = payload[ids.SURVIVAL_GRAPH]["figure"]
    assert [t["name"] for t in figure["data"] if t.get("mode") == "lines" and "name" in t] == [
        "ESCORT-1st: Camrelizumab + paclitaxel/cisplatin [grade A]",
        "ESCORT-1st: Placebo + paclitaxel/cisplatin [grade A]",
    ]
    assert len(spy) == 1  # the spy sees valid requests, so its silence below means something
    assert len(resp.get_data()) < 150 * 1024  # PERF-05: the whole 2-arm response


def _hostile_cases() -> list[tuple[int, object]]:
    cases = []
    for position in range(len(VALID)):
        for value in [*COMMON_HOSTILE, *EXTRA.get(position, [])]:
            if _allowed(position, value):
                continue
            cases.append((position, value))
    return cases


@pytest.mark.parametrize(("position", "value"), _hostile_cases())
def test_sec02_main_callback_rejects_unlisted_values(app, client, spy, position, value) -> None:
    key, spec = _callback(app, f"{ids.SURVIVAL_GRAPH}.figure")
    values = list(VALID)
    values[position] = value
    resp = post(client, valid_body(key, spec, values))
    assert resp.status_code in (200, 204), (position, value)
    text = resp.get_data(as_text=True)
    assert leaks(text) == []
    assert "Invalid selection" in text
    assert ids.SURVIVAL_GRAPH not in resp.get_json()["response"]  # the old figure stays
    assert spy == []


@pytest.mark.parametrize("value", [*COMMON_HOSTILE, None, ["nope:x"]])
def test_sec02_url_sync_never_writes_unlisted_values(app, client, value) -> None:
    key, spec = _callback(app, f"{ids.SURVIVAL_URL}.search")
    for position in range(len(VALID)):
        values = list(VALID)
        values[position] = value
        resp = post(client, valid_body(key, spec, values))
        assert resp.status_code in (200, 204)
        text = resp.get_data(as_text=True)
        assert leaks(text) == []
        written = resp.get_json()["response"] if resp.status_code == 200 else {}
        if ids.SURVIVAL_URL in written:
            search = written[ids.SURVIVAL_URL]["search"]
            _state, problems = SPEC.from_query(load_registry(), dict(parse_qsl(search.lstrip("?"))))
            assert problems == [], search


def test_url_sync_writes_the_state(app, client) -> None:
    key, spec = _callback(app, f"{ids.SURVIVAL_URL}.search")
    values = list(VALID)
    values[2] = "CPS>=10"
    values[6] = True
    resp = post(client, valid_body(key, spec, values))
    search = resp.get_json()["response"][ids.SURVIVAL_URL]["search"]
    params = dict(parse_qsl(search.lstrip("?")))
    assert params == {
        "arms": "escort1st:cam_chemo,escort1st:placebo_chemo",
        "ci": "1",
        "cut": "earliest",  # not the default (latest): written to the link
        "pop": "CPS>=10",
    }


@pytest.mark.parametrize("value", [*COMMON_HOSTILE, None, ["nope:x"]])
def test_sec02_reference_options(app, client, value) -> None:
    key, spec = _callback(app, f"{ids.SURVIVAL_REFERENCE}.data")
    resp = post(client, valid_body(key, spec, [value]))
    assert resp.status_code in (200, 204)
    assert leaks(resp.get_data(as_text=True)) == []
    written = resp.get_json()["response"] if resp.status_code == 200 else {}
    for option in written.get(ids.SURVIVAL_REFERENCE, {}).get("data", []):
        assert option["value"] in arm_tokens(load_registry())


def _preset_body(app, clicks, preset):
    key, spec = _callback(app, f"{ids.SURVIVAL_ARMS}.value")
    body = valid_body(key, spec, [clicks])
    body["inputs"][0][0]["id"] = {"type": ids.SURVIVAL_PRESET, "preset": preset}
    body["changedPropIds"] = [
        json.dumps({"preset": preset, "type": ids.SURVIVAL_PRESET}, separators=(",", ":"))
        + ".n_clicks"
    ]
    return body


@pytest.mark.parametrize(
    ("clicks", "preset"),
    [
        (1, "../../x"),
        (1, "<script>"),
        (None, "chemo-controls"),
        ("1", "chemo-controls"),
        (True, "chemo-controls"),
        (-3, "chemo-controls"),
        ({"a": 1}, "seeds-vs-pd1"),
    ],
)
def test_sec02_presets(app, client, clicks, preset) -> None:
    resp = post(client, _preset_body(app, clicks, preset))
    assert resp.status_code in (200, 204)
    assert leaks(resp.get_data(as_text=True)) == []
    assert resp.status_code == 204 or ids.SURVIVAL_ARMS not in resp.get_json()["response"]


def test_preset_sets_the_arms(app, client) -> None:
    resp = post(client, _preset_body(app, 1, "chemo-controls"))
    assert resp.status_code == 200
    arms = resp.get_json()["response"][ids.SURVIVAL_ARMS]["value"]
    assert arms == list(preset_arms(load_registry(), "chemo-controls"))


HOSTILE_QUERIES = [
    {},
    {"arms": "<script>alert(1)</script>"},
    {"arms": ",,,:::" + "x" * 3000},
    {"arms": ",".join(["escort1st:cam_chemo"] * 50)},
    {"ep": "../../etc/passwd", "pop": "CPS>=10<script>", "ref": "nope"},
    {"lm": "nan", "tau": "inf"},
    {"lm": "-5", "tau": "1e9"},
    {"lm": "12.5.3", "tau": "18;drop"},
    {"lm": "0", "tau": "61"},
    {"ci": "yes", "censor": "2", "median": "<b>", "risk": ""},
    {"unknown": "1", "pop": "TAP>=5<10", "arms": "-"},
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_sec02_layout_and_export_never_raise(query, spy) -> None:
    registry = load_registry()
    page = layout(registry, query)
    assert page is not None
    fig, footnote, rows, ipd = figure_for(registry, query)
    assert footnote.data_version == registry.data_version
    assert fig.layout.title.text and isinstance(rows, list) and isinstance(ipd, tuple)
    for state in spy:
        assert set(state.arms) <= {f"{t.id}:{a.id}" for t in registry.trials for a in t.arms}
        assert state.endpoint in ENDPOINTS
        assert state.population in population_keys(registry)


def test_layout_names_what_was_reset() -> None:
    page = layout(load_registry(), {"ep": "DFS", "lm": "-5", "arms": "nope:arm"})
    notice = json.dumps(page.to_plotly_json(), default=str)
    assert "were not recognised and were reset" in notice
    assert "endpoint DFS" in notice and "landmark -5" in notice and "arms nope:arm" in notice


def test_hostile_page_query_through_the_router(app, client) -> None:
    key, spec = _callback(app, f"{ids.PAGE}.children")
    body = valid_body(key, spec, ["/survival"])
    body["state"][0]["value"] = "?arms=%3Cscript%3E&lm=NaN&tau=-1&pop=../../"
    resp = post(client, body)
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert leaks(text) == []
    assert "were reset" in text


def _fidelity_body(app, clicks, curve):
    key, spec = _callback(app, ids.SURVIVAL_FIDELITY_BODY)
    body = valid_body(key, spec, [clicks])
    body["inputs"][0]["id"] = {"type": ids.SURVIVAL_FIDELITY, "curve": curve}
    body["outputs"]["id"] = {"type": ids.SURVIVAL_FIDELITY_BODY, "curve": curve}
    body["changedPropIds"] = [
        json.dumps({"curve": curve, "type": ids.SURVIVAL_FIDELITY}, separators=(",", ":"))
        + ".n_clicks"
    ]
    return body


def test_fidelity_check_is_sent_when_the_badge_is_opened(app, client) -> None:
    """The popover of a drawn curve receives its published-vs-reconstructed check (CheckMate 648
    nivolumab + chemotherapy OS; grade A since issue 12, where the reconstructed HR passes the
    DATA-03 check against 0.74 that the grade-B curve failed)."""
    slug = "checkmate648_nivo_chemo_OS_itt_primary"
    resp = post(client, _fidelity_body(app, 1, slug))
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "Reconstructed" in text and "pass" in text and "FAIL" not in text
    assert "HR Nivolumab + chemotherapy vs Chemotherapy (FP)" in text


@pytest.mark.parametrize(
    ("clicks", "curve"),
    [
        (1, "../../etc/passwd"),
        (1, "<script>alert(1)</script>"),
        (1, "x" * 5000),
        (1, "escort1st_cam_chemo_OS_itt"),
        (None, "escort1st_cam_chemo_OS_itt_interim"),
        (True, "escort1st_cam_chemo_OS_itt_interim"),
        ("1", "escort1st_cam_chemo_OS_itt_interim"),
        (-1, "escort1st_cam_chemo_OS_itt_interim"),
    ],
)
def test_sec02_fidelity_check_rejects_unlisted_curves(app, client, clicks, curve) -> None:
    resp = post(client, _fidelity_body(app, clicks, curve))
    assert resp.status_code in (200, 204)
    assert leaks(resp.get_data(as_text=True)) == []
    assert resp.status_code == 204 or "Reconstructed" not in resp.get_data(as_text=True)
