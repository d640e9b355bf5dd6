"""StateSpec extensions made for the forest view: KeyedChoice (one value per registry key, for
pattern-matching controls), ``always_written`` URL keys, and the per-registry cache."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pytest

from analysis.views.cache import per_registry
from analysis.views.state import Choice, KeyedChoice, StateSpec
from data import load_registry

ANALYSES = {"t1": ("interim", "final"), "t2": ("primary", "update")}


@dataclass(frozen=True)
class PickState:
    endpoint: str
    analyses: tuple[tuple[str, str], ...] = ()


def _spec(always: tuple[str, ...] = ()) -> StateSpec[PickState]:
    return StateSpec(
        PickState,
        (
            Choice("endpoint", "ep", "endpoint", lambda r: ("OS", "PFS"), lambda r: "OS"),
            KeyedChoice("analyses", "an", "analysis", lambda r: ANALYSES, max_chars=40),
        ),
        report_unknown_keys=True,
        always_written=always,
    )


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_keyed_choice_round_trip_sorted_by_key(registry) -> None:
    spec = _spec()
    state = PickState("PFS", (("t1", "final"), ("t2", "update")))
    search = spec.to_search(registry, state, safe="")
    assert search == "?an=t1%3Afinal%2Ct2%3Aupdate&ep=PFS"
    restored, problems = spec.from_query(registry, dict(parse_qsl(search[1:])))
    assert problems == [] and restored == state
    # Given out of order, read back sorted (two links for one choice are one state).
    state, problems = spec.from_query(registry, {"an": "t2:update,t1:final"})
    assert state.analyses == (("t1", "final"), ("t2", "update")) and problems == []


@pytest.mark.parametrize(
    ("raw", "kept", "named"),
    [
        ("t1:final,t3:final", (("t1", "final"),), "analysis 't3:final'"),
        ("t1:primary", (), "analysis 't1:primary'"),  # t2's analysis, not t1's
        ("t1:final:extra", (), "analysis 't1:final:extra'"),
        ("t1:final,,", (("t1", "final"),), "analysis list"),
        ("x" * 41, (), "longer than 40 characters"),
    ],
)
def test_keyed_choice_query_keeps_known_pairs_and_names_the_rest(
    registry, raw, kept, named
) -> None:
    state, problems = _spec().from_query(registry, {"an": raw})
    assert state.analyses == kept
    assert any(named in p for p in problems), problems


def test_keyed_choice_inputs_are_strict(registry) -> None:
    spec = _spec()
    good, problems = spec.from_inputs(
        registry, {"endpoint": "OS", "analyses": {"t1": "auto", "t2": "primary"}}
    )
    assert problems == [] and good == PickState("OS", (("t2", "primary"),))
    for bad in (
        None,
        [("t1", "final")],
        {"t1": "primary"},
        {"t3": "final"},
        {"t1": ["final"]},
        {1: "final"},
        {"t1": "final", "t2": "update", "t3": "auto"},  # more keys than there are
    ):
        state, problems = spec.from_inputs(registry, {"endpoint": "OS", "analyses": bad})
        assert state is None and problems == ["unknown analysis choice"], bad


def test_always_written_keys_stay_in_the_url(registry) -> None:
    default = PickState("OS")
    assert _spec().to_search(registry, default) == ""
    assert _spec(("ep",)).to_search(registry, default) == "?ep=OS"
    # An empty KeyedChoice writes nothing even when asked to always write it.
    assert _spec(("ep", "an")).to_search(registry, default) == "?ep=OS"


def test_per_registry_computes_once_per_registry_object(registry) -> None:
    calls: list[int] = []

    @per_registry
    def count(reg) -> int:
        calls.append(id(reg))
        return len(reg.trials)

    assert count(registry) == count(registry) == len(registry.trials)
    assert len(calls) == 1


def test_per_registry_does_not_confuse_a_new_object_with_a_dead_one() -> None:
    """Identity keys are safe only because a dead registry's entry is recognised as dead."""

    class Box:
        def __init__(self, value: int) -> None:
            self.value = value

    @per_registry
    def value(box) -> int:
        return box.value

    first = Box(1)
    assert value(first) == 1
    del first
    gc.collect()
    for n in range(20):  # new objects may reuse the dead one's id
        assert value(Box(n)) == n
