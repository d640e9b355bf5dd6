"""Issue 15: labels shown together are shortened where they agree, never where they differ."""

from __future__ import annotations

from components.charts.labels import distinct_labels, middle_cut
from components.trials.tables import COMPLETENESS_TEXT, catalogue_table
from data import load_registry
from data.registry import COMPLETENESS_ITEMS

# The pairs the issue found cut exactly where they differ.
SIGNATURE = [
    "ALTER-E-003 · primary · TP53+/FAT1+/NOTCH3- mutational signature present",
    "ALTER-E-003 · primary · TP53+/FAT1+/NOTCH3- mutational signature absent",
]
REGIMENS = [
    "ALTER-E-003: Benmelstobart + anlotinib (chemo-free)",
    "NCT05013697: Benmelstobart + anlotinib + paclitaxel/cisplatin",
]


def test_the_distinguishing_end_is_kept() -> None:
    short = distinct_labels(SIGNATURE, 52)
    assert all(len(s) <= 52 for s in short)
    assert short[0].endswith("present") and short[1].endswith("absent")
    assert len(set(short)) == 2
    # the old rule (cut the end) made both the same
    assert len({s[:51] + "…" for s in SIGNATURE}) == 1


def test_regimens_keep_what_tells_them_apart() -> None:
    short = distinct_labels(REGIMENS, 34)
    assert all(len(s) <= 34 for s in short)
    assert "(chemo-free)" in short[0]
    assert short[0].startswith("ALTER-E-003") and short[1].startswith("NCT05013697")


def test_short_labels_are_untouched() -> None:
    assert distinct_labels(["A", "B"], 10) == ["A", "B"]
    assert middle_cut("short", 10, 3) == "short"


def test_trials_rows_open_their_detail_and_completeness_is_explained() -> None:
    registry = load_registry()
    table = catalogue_table(registry.catalogue()).to_plotly_json()
    body = table["props"]["children"][1].to_plotly_json()["props"]["children"]
    first = body[0].to_plotly_json()["props"]
    assert first["id"]["type"] == "trials-row" and first["n_clicks"] == 0
    assert all(item in COMPLETENESS_TEXT for item in COMPLETENESS_ITEMS)
