"""Population keys (data/pdl1.py): the evidence base writes them, every view reads them with the
same parser; scoring systems never compare equal; ITT is its own key."""

from __future__ import annotations

import pytest

from data import load_registry
from data.pdl1 import (
    ITT_KEY,
    SCORING_SYSTEMS,
    PdL1Key,
    format_key,
    key_sort,
    key_text,
    parse_key,
    population_key,
)
from data.schema import Population


@pytest.mark.parametrize(
    ("key", "parsed", "text"),
    [
        ("CPS>=10", PdL1Key("CPS", ">=", 10.0), "CPS ≥10"),
        ("TPS<1", PdL1Key("TPS", "<", 1.0), "TPS <1"),
        ("TC>=1", PdL1Key("TC", ">=", 1.0), "TC ≥1"),
        ("TAP>=5<10", PdL1Key("TAP", ">=", 5.0, "<", 10.0), "TAP ≥5 to <10"),
        ("CPS>=0.5<=1", PdL1Key("CPS", ">=", 0.5, "<=", 1.0), "CPS ≥0.5 to ≤1"),
    ],
)
def test_format_parse_and_text_agree(key, parsed, text) -> None:
    assert parse_key(key) == parsed
    assert format_key(*parsed) == key
    assert key_text(key) == text
    system, op, cut, up_op, up = parse_key(key)  # still unpacks as a tuple
    assert (system, op, cut, up_op, up) == tuple(parsed)


@pytest.mark.parametrize(
    "key", [ITT_KEY, "", "CPS", "CPS>=", "XYZ>=1", "CPS>=10 ", "cps>=10", "CPS=>1"]
)
def test_non_keys(key) -> None:
    assert parse_key(key) is None and key_text(key) is None


def test_threshold_drops_the_scoring_system() -> None:
    assert parse_key("CPS>=10").threshold == ">=10"
    assert parse_key("TAP>=5<10").threshold == ">=5<10"


def test_sort_by_system_then_cutoff_then_band_end_with_non_keys_first() -> None:
    keys = ["TAP>=5<10", "TPS<1", "CPS>=10", "TAP>=5", "CPS>=1", ITT_KEY, "TC>=1", "TAP>=1<5"]
    assert sorted(keys, key=key_sort) == [
        ITT_KEY,
        "CPS>=1",
        "CPS>=10",
        "TPS<1",
        "TC>=1",
        "TAP>=1<5",
        "TAP>=5<10",
        "TAP>=5",
    ]
    assert SCORING_SYSTEMS == ("CPS", "TPS", "TC", "TAP")


def test_population_keys_of_the_shipped_data() -> None:
    """Every PD-L1 population's key parses back to its own scoring system and cut-off; ITT
    populations have the ITT key; other subgroups have none."""
    for trial in load_registry().trials:
        for pop in trial.populations:
            key = population_key(pop)
            if pop.kind == "itt":
                assert key == ITT_KEY
            elif pop.kind == "pdl1":
                parsed = parse_key(key)
                assert parsed is not None, (trial.id, pop.id, key)
                assert (parsed.system, parsed.cutoff) == (pop.scoring_system, pop.cutoff)
            else:
                assert key is None


def test_schema_writes_keys_with_format_key() -> None:
    band = Population(
        id="x",
        kind="pdl1",
        label="band",
        scoring_system="TAP",
        operator=">=",
        cutoff=5.0,
        upper_operator="<",
        cutoff_upper=10.0,
    )
    assert band.pdl1_key == "TAP>=5<10" == format_key("TAP", ">=", 5, "<", 10)
