"""Response dot-and-whisker builder (synthetic points, no registry).

Checks: 0–100 % axis, group header rows (chemo-free before chemo-containing, in the given
order), filled dots for exact intervals from counts, open dots for intervals as printed, open
diamonds without a CI, not-reported rows kept as rows without a marker, the CI level written
when it is not 95 %, escaping, and the in-figure footnote.
"""

from __future__ import annotations

import pytest

from components.charts.response import (
    CI_AS_PRINTED,
    CI_FROM_COUNTS,
    ResponseOptions,
    ResponsePoint,
    build_response_figure,
    rate_text,
    short_rate_text,
)

FREE, CHEMO = "Chemo-free regimens", "Chemo-containing regimens"


def _points() -> list[ResponsePoint]:
    return [
        ResponsePoint(
            "free-1", "Seed A · interim", "ITT", FREE, "#0072B2", 69.6, 54.2, 82.3, 95.0,
            CI_AS_PRINTED, "–",
        ),
        ResponsePoint(
            "chemo-1", "Seed B · primary", "ITT", CHEMO, "#D55E00", 72.0, 57.5, 83.8, 95.0,
            CI_FROM_COUNTS, "36/50",
        ),
        ResponsePoint(
            "chemo-2", "Trial <C>", "ITT", CHEMO, "#009E73", 60.1, count_text="–",
        ),
        ResponsePoint(
            "chemo-3", "Trial D", "ITT", CHEMO, "#CC79A7", None, count_text="–",
            status_text="not reported: not found",
        ),
        ResponsePoint(
            "chemo-4", "Trial E", "ITT", CHEMO, "#E69F00", 66.1, 61.0, 71.0, 90.0,
            CI_AS_PRINTED, "–", flag="printed CI differs from Clopper–Pearson",
        ),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def figure():
    return build_response_figure(
        _points(),
        ResponseOptions(
            measure_label="Objective response rate", footnote="Data version abc.", title="ORR"
        ),
    )


def _markers(fig) -> dict[str, object]:
    return {t.meta["row"]: t for t in fig.data if t.meta and "row" in t.meta}


def test_percent_axis(figure) -> None:
    assert tuple(figure.layout.xaxis.range) == (0, 101)
    assert figure.layout.xaxis.ticksuffix == "%"


def test_groups_in_order_with_headers(figure) -> None:
    ticks = list(figure.layout.yaxis.ticktext)
    values = list(figure.layout.yaxis.tickvals)
    free = values[ticks.index(f"<b>{FREE}</b>")]
    chemo = values[ticks.index(f"<b>{CHEMO}</b>")]
    seed_a = values[ticks.index("Seed A · interim")]
    seed_b = values[ticks.index("Seed B · primary")]
    assert free > seed_a > chemo > seed_b  # top to bottom: header, its rows, next header


def test_marker_kind_follows_the_interval_source(figure) -> None:
    markers = _markers(figure)
    assert markers["chemo-1"].marker.symbol == "circle"  # exact CI from counts
    assert markers["free-1"].marker.symbol == "circle-open"  # CI as printed
    assert markers["chemo-2"].marker.symbol == "diamond-open"  # no CI
    assert markers["chemo-2"].error_x.array is None
    assert tuple(markers["chemo-1"].error_x.array) == pytest.approx((83.8 - 72.0,))
    assert tuple(markers["chemo-1"].error_x.arrayminus) == pytest.approx((72.0 - 57.5,))


def test_not_reported_row_has_no_marker(figure) -> None:
    assert "chemo-3" not in _markers(figure)
    assert "Trial D" in list(figure.layout.yaxis.ticktext)
    text = next(t for t in figure.data if t.name == "response text")
    assert "not reported" in list(text.text)


def test_text_column(figure) -> None:
    text = list(next(t for t in figure.data if t.name == "response text").text)
    assert "72.0% (57.5–83.8)" in text
    assert "69.6% (54.2–82.3) as printed" in text
    assert "66.1% (61.0–71.0) 90% CI as printed ⚠" in text
    assert "60.1% (no CI)" in text
    assert "36/50" in text


def test_hover_names_source_and_level(figure) -> None:
    markers = _markers(figure)
    assert "Clopper–Pearson from counts" in markers["chemo-1"].hovertemplate
    assert "95% CI" in markers["chemo-1"].hovertemplate
    assert "printed CI differs" in markers["chemo-4"].hovertemplate


def test_escaping_and_footnote(figure) -> None:
    assert "Trial &lt;C&gt;" in list(figure.layout.yaxis.ticktext)
    notes = [a for a in figure.layout.annotations if a.name == "footnote"]
    assert len(notes) == 1 and notes[0].text == "Data version abc."


def test_rate_texts() -> None:
    point = _points()[1]
    assert rate_text(point) == "72.0% (57.5–83.8), 95% CI, Clopper–Pearson from counts"
    assert short_rate_text(_points()[3]) == "not reported"
    assert rate_text(_points()[3]) == "not reported: not found"


def test_empty_selection_builds() -> None:
    fig = build_response_figure([])
    assert tuple(fig.layout.xaxis.range) == (0, 101)
