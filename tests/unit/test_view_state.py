"""analysis.views.state: one declaration gives query parsing, input checks and URL writing."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

import pytest

from analysis.views.memo import ViewMemo
from analysis.views.state import Choice, Flag, MultiChoice, Number, StateSpec
from data import load_registry

ARMS = ("a:1", "a:2", "b:1", "c:1")


@dataclass(frozen=True)
class ToyState:
    endpoint: str
    arms: tuple[str, ...]
    reference: str | None
    landmark: float
    show_ci: bool


def _toy_spec(check=None, report_unknown_keys=False, quote_values=True) -> StateSpec[ToyState]:
    return StateSpec(
        ToyState,
        (
            Choice("endpoint", "ep", "endpoint", lambda r: ("OS", "PFS"), lambda r: "OS"),
            MultiChoice("arms", "arms", "arms", lambda r: ARMS, lambda r: ("a:1", "a:2"), 3),
            Choice("reference", "ref", "reference arm", lambda r: ARMS, lambda r: None, True),
            Number("landmark", "lm", "landmark", (1.0, 60.0), 12.0, unit="months"),
            Flag("show_ci", "ci", "CI bands", False),
        ),
        check=check,
        report_unknown_keys=report_unknown_keys,
        quote_values=quote_values,
    )


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_default_and_empty_query(registry) -> None:
    spec = _toy_spec()
    state, problems = spec.from_query(registry, {})
    assert state == ToyState("OS", ("a:1", "a:2"), None, 12.0, False) and problems == []
    assert spec.to_search(registry, state) == ""


def test_round_trip_is_canonical(registry) -> None:
    spec = _toy_spec()
    state = ToyState("PFS", ("b:1", "a:2"), "c:1", 6.5, True)
    search = spec.to_search(registry, state)
    keys = [part.split("=")[0] for part in search.lstrip("?").split("&")]
    assert keys == sorted(keys)
    restored, problems = spec.from_query(registry, dict(parse_qsl(search.lstrip("?"))))
    assert problems == []
    # arms come back in the allow-list's order
    assert restored == ToyState("PFS", ("a:2", "b:1"), "c:1", 6.5, True)


def test_bad_values_are_reset_and_named(registry) -> None:
    spec = _toy_spec(report_unknown_keys=True)
    query = {
        "ep": "DFS",
        "arms": "a:1,../x,<script>",
        "lm": "1e9",
        "ci": "yes",
        "ref": "z:9",
        "zzz": "1",
    }
    state, problems = spec.from_query(registry, query)
    assert state == ToyState("OS", ("a:1",), None, 12.0, False)
    text = "; ".join(problems)
    for fragment in (
        "endpoint 'DFS'",
        "'../x'",
        "landmark '1e9'",
        "CI bands 'yes'",
        "reference arm 'z:9'",
        "unknown setting 'zzz'",
    ):
        assert fragment in text


def test_values_can_be_named_without_quotes(registry) -> None:
    """``quote_values=False``: messages show rejected values as typed (``endpoint DFS``), still
    cut to the same length."""
    spec = _toy_spec(quote_values=False)
    query = {"ep": "DFS", "arms": "a:1,../x", "lm": "-5", "ci": "yes", "ref": "x" * 500}
    _state, problems = spec.from_query(registry, query)
    text = "; ".join(problems)
    for fragment in (
        "endpoint DFS",
        "arms ../x",
        "landmark -5 (allowed 1–60 months)",
        "CI bands yes",
    ):
        assert fragment in text
    assert "'" not in text
    assert f"reference arm {'x' * 40}…" in text and "x" * 41 not in text


def test_only_unknown_arms_keep_the_default_and_empty_token_means_none(registry) -> None:
    spec = _toy_spec()
    state, problems = spec.from_query(registry, {"arms": "x:1,y:2"})
    assert state.arms == ("a:1", "a:2") and problems
    state, problems = spec.from_query(registry, {"arms": "-"})
    assert state.arms == () and problems == []
    assert spec.to_search(registry, state) == "?arms=-"


def test_too_many_items_are_cut_and_named(registry) -> None:
    state, problems = _toy_spec().from_query(registry, {"arms": ",".join(ARMS)})
    assert state.arms == ARMS[:3] and any("more than 3" in p for p in problems)


def test_long_values_are_quoted_short(registry) -> None:
    _state, problems = _toy_spec().from_query(registry, {"ep": "x" * 5000})
    assert len(problems[0]) < 80


def test_inputs_are_strict(registry) -> None:
    spec = _toy_spec()
    good = {"endpoint": "OS", "arms": ["b:1"], "reference": None, "landmark": 3, "show_ci": True}
    state, problems = spec.from_inputs(registry, good)
    assert state == ToyState("OS", ("b:1",), None, 3.0, True) and problems == []
    for key, bad in [
        ("endpoint", "DFS"),
        ("arms", ["b:1", "nope"]),
        ("arms", "b:1"),
        ("arms", list(ARMS)),
        ("reference", 3),
        ("landmark", "12"),
        ("landmark", float("nan")),
        ("landmark", True),
        ("show_ci", "true"),
    ]:
        state, problems = spec.from_inputs(registry, {**good, key: bad})
        assert state is None and problems, key


def test_cross_field_check_runs_after_parsing(registry) -> None:
    def reference_among_arms(reg, state):
        if state.reference is not None and state.reference not in state.arms:
            from dataclasses import replace

            return replace(state, reference=None), ["reference arm not shown"]
        return state, []

    spec = _toy_spec(check=reference_among_arms)
    state, problems = spec.from_query(registry, {"ref": "c:1"})
    assert state.reference is None and problems == ["reference arm not shown"]
    state, problems = spec.from_inputs(
        registry,
        {"endpoint": "OS", "arms": ["a:1"], "reference": "c:1", "landmark": 3, "show_ci": False},
    )
    assert state is None and problems == ["reference arm not shown"]


def test_spec_refuses_fields_the_state_does_not_have() -> None:
    with pytest.raises(ValueError, match="no field"):
        StateSpec(ToyState, (Flag("nope", "n", "n", False),))
    with pytest.raises(ValueError, match="duplicate"):
        StateSpec(ToyState, (Flag("show_ci", "n", "n", False), Flag("show_ci", "m", "m", False)))


def test_memo_builds_once_per_state_and_evicts_least_recent(registry) -> None:
    calls = []

    def build(reg, state):
        calls.append(state)
        return f"model {state}"

    memo = ViewMemo(build, max_entries=2)
    assert memo(registry, "s1") == "model s1"
    assert memo(registry, "s1") == "model s1"
    assert calls == ["s1"]
    memo(registry, "s2")
    memo(registry, "s1")  # s1 now most recent
    memo(registry, "s3")  # evicts s2
    assert len(memo) == 2
    memo(registry, "s2")
    assert calls == ["s1", "s2", "s3", "s2"]


# -- options for views whose URLs predate the declared state -----------------------------------


@dataclass(frozen=True)
class LegacyState:
    category: str
    arms: tuple[str, ...]
    minimum: float


def _legacy_spec(**spec_options) -> StateSpec[LegacyState]:
    categories = ("treatment-related", "all-cause")
    return StateSpec(
        LegacyState,
        (
            Choice(
                "category",
                "cat",
                "category",
                lambda r: categories,
                lambda r: "treatment-related",
                codes=(("treatment-related", "tr"), ("all-cause", "ac")),
            ),
            MultiChoice(
                "arms",
                "arms",
                "arms",
                lambda r: ARMS,
                lambda r: ("c:1", "a:1"),
                3,
                ordered=True,
                max_given=5,
            ),
            Number("minimum", "min", "minimum", (0.0, 100.0), 0.0, decimals=0, blank=0.0),
        ),
        **spec_options,
    )


def test_choice_codes_are_the_url_spelling(registry) -> None:
    spec = _legacy_spec()
    state, problems = spec.from_query(registry, {"cat": "ac"})
    assert state.category == "all-cause" and problems == []
    assert spec.to_search(registry, state) == "?cat=ac"
    # the value itself is not a URL spelling, but it is what callbacks send
    state, problems = spec.from_query(registry, {"cat": "all-cause"})
    assert state.category == "treatment-related" and problems == ["category 'all-cause'"]
    state, problems = spec.from_inputs(registry, {"category": "all-cause"})
    assert state is not None and state.category == "all-cause"
    assert spec.from_inputs(registry, {"category": "ac"})[0] is None


def test_ordered_multichoice_keeps_the_given_order(registry) -> None:
    spec = _legacy_spec()
    assert spec.default(registry).arms == ("c:1", "a:1")
    state, problems = spec.from_query(registry, {"arms": "b:1,a:1,b:1,x:9"})
    assert state.arms == ("b:1", "a:1") and problems == ["arms 'x:9'"]
    assert spec.to_search(registry, state) == "?arms=b:1,a:1"
    state, _ = spec.from_inputs(registry, {"arms": ["c:1", "a:2", "c:1"]})
    assert state is not None and state.arms == ("c:1", "a:2")
    # more than max_given values (repeats included) are refused outright
    assert spec.from_inputs(registry, {"arms": ["a:1"] * 6})[0] is None
    state, _ = spec.from_inputs(registry, {"arms": ["a:1"] * 5})
    assert state is not None and state.arms == ("a:1",)


def test_number_blank_is_what_a_cleared_box_means(registry) -> None:
    spec = _legacy_spec()
    for cleared in (None, ""):
        state, problems = spec.from_inputs(registry, {"minimum": cleared})
        assert state is not None and state.minimum == 0.0 and problems == []
    assert spec.from_inputs(registry, {"minimum": "5"})[0] is None
    state, _ = spec.from_inputs(registry, {"minimum": 12.4})
    assert state is not None and state.minimum == 12.0
    # without ``blank`` a cleared box stays invalid
    assert _toy_spec().from_inputs(registry, {"landmark": None})[0] is None


def test_always_written_keys_carry_their_default(registry) -> None:
    spec = _legacy_spec(always_written=("cat", "min"))
    assert spec.to_search(registry, spec.default(registry)) == "?cat=tr&min=0"
    assert _legacy_spec().to_search(registry, _legacy_spec().default(registry)) == ""


def test_label_only_problems_name_just_the_field(registry) -> None:
    spec = _legacy_spec(label_only_problems=True)
    assert spec.from_inputs(registry, {"category": "x", "minimum": "5"}) == (
        None,
        ["category", "minimum"],
    )
    _state, problems = _legacy_spec().from_inputs(registry, {"minimum": "5"})
    assert problems == ["minimum must be 0–100"]


def test_memo_holds_at_most_its_bound_in_bytes_after_many_states(registry) -> None:
    # Soak (notes/issue-14-export.md, "Session 4"): memos kept filling for 15 minutes at 128
    # entries of ~120 KB. Entries of that measured size: after 200 distinct states a default
    # memo holds no more than DEFAULT_MAX_ENTRIES of them (+10 % for the keys and the table).
    import tracemalloc

    from analysis.views import memo as memo_module

    size = memo_module.MEASURED_ENTRY_BYTES
    memo = ViewMemo(lambda _reg, state: bytearray(size))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(200):
            memo(registry, f"state {n}")
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(memo) == memo_module.DEFAULT_MAX_ENTRIES
    assert held <= 1.1 * memo_module.DEFAULT_MAX_ENTRIES * size
    assert held <= 4 * 2**20  # ~4 MB per memo, ~25 MB for a worker's seven
