"""Forest-plot builder: the clinical conventions are in the figure (synthetic rows, no registry).

Checks: log x axis symmetric about 1, a reference line at HR = 1, "favours" labels, the CI level
written on every row (99.1 % stays 99.1 %), pooled diamonds and the prediction interval,
"not reported" rows kept as rows without a marker, open markers for rows not pooled, plotly
text escaping ("CPS<10" must not open a tag), and the in-figure footnote.
"""

from __future__ import annotations

import pytest

from components.charts.forest import (
    REFERENCE_LINE_NAME,
    ForestOptions,
    ForestRow,
    PooledSummary,
    build_forest_figure,
    format_level,
    hr_text,
)


def _rows() -> list[ForestRow]:
    return [
        ForestRow(
            key="a",
            label="Trial A · primary",
            detail="ITT",
            colour="#0072B2",
            hazard_ratio=0.74,
            ci_lower=0.58,
            ci_upper=0.96,
            ci_level_percent=99.1,
            n_text="321 / 324",
            pooled=True,
            weight_percent=60.0,
        ),
        ForestRow(
            key="b",
            label="Trial B · interim",
            detail="CPS<10 subgroup",
            colour="#D55E00",
            hazard_ratio=0.62,
            ci_lower=0.49,
            ci_upper=0.78,
            ci_level_percent=95.0,
            n_text="188 / 193",
            pooled=True,
            weight_percent=40.0,
        ),
        ForestRow(
            key="c",
            label="Trial C",
            detail="",
            colour="#009E73",
            hazard_ratio=None,
            status_text="not reported",
            n_text="–",
        ),
        ForestRow(
            key="d",
            label="Trial D <all histologies>",
            detail="",
            colour="#CC79A7",
            hazard_ratio=0.51,
            ci_lower=0.41,
            ci_upper=0.65,
            ci_level_percent=95.0,
            pooled=False,
            note="all histologies (not ESCC-only)",
        ),
        ForestRow(
            key="e",
            label="Trial E",
            detail="",
            colour="#E69F00",
            hazard_ratio=0.66,
            pooled=False,
            note="no confidence interval printed",
        ),
    ]


def _pooled() -> list[PooledSummary]:
    return [
        PooledSummary(
            key="random",
            label="Random effects (REML)",
            hazard_ratio=0.66,
            ci_lower=0.55,
            ci_upper=0.80,
            ci_level_percent=95.0,
            pi_lower=0.30,
            pi_upper=1.45,
            pi_level_percent=95.0,
        ),
        PooledSummary(
            key="fixed",
            label="Fixed effect",
            hazard_ratio=0.67,
            ci_lower=0.57,
            ci_upper=0.79,
            ci_level_percent=95.0,
        ),
    ]


@pytest.fixture(scope="module")
def figure():
    return build_forest_figure(
        _rows(),
        _pooled(),
        ForestOptions(
            title="OS, CPS<10",
            heterogeneity_text="τ²=0.01, I²=20%, Q=2.5 (df 1), p=0.11, k=2",
            footnote="Sources: X et al. 2022, doi:10.1/x.<br>Data version abc.",
        ),
    )


def _texts(fig) -> list[str]:
    out: list[str] = []
    for trace in fig.data:
        if trace.mode == "text" and trace.text is not None:
            out.extend(str(t) for t in trace.text)
    return out


def test_log_axis_symmetric_about_one(figure) -> None:
    axis = figure.layout.xaxis
    assert axis.type == "log"
    low, high = axis.range
    assert low == pytest.approx(-high)  # log10 range symmetric about HR = 1
    assert 10**low <= 0.30 and 10**high >= 1.45  # the prediction interval fits
    assert 1.0 in axis.tickvals


def test_reference_line_at_one(figure) -> None:
    lines = [t for t in figure.data if t.name == REFERENCE_LINE_NAME]
    assert len(lines) == 1
    assert tuple(lines[0].x) == (1.0, 1.0)
    assert lines[0].line.dash == "dash"


def test_favours_labels(figure) -> None:
    favours = next(t for t in figure.data if t.name == "favours")
    assert "Favours<br>experimental" in favours.text[0] and favours.text[0].startswith("←")
    assert favours.text[1].endswith("→") and "control" in favours.text[1]
    assert favours.x[0] < 1 < favours.x[1]


def test_ci_level_written_on_each_row(figure) -> None:
    texts = _texts(figure)
    assert "0.74 (0.58–0.96), 99.1% CI" in texts
    assert "0.62 (0.49–0.78), 95% CI" in texts
    assert "0.66 (CI not reported)" in texts
    marker = next(t for t in figure.data if t.meta and t.meta.get("row") == "a")
    assert marker.meta["ci_level_percent"] == 99.1
    assert "99.1% CI" in marker.hovertemplate
    assert tuple(marker.error_x.array) == pytest.approx((0.96 - 0.74,))
    assert tuple(marker.error_x.arrayminus) == pytest.approx((0.74 - 0.58,))


def test_not_reported_row_is_a_row_without_marker(figure) -> None:
    ticks = list(figure.layout.yaxis.ticktext)
    assert any(t.startswith("Trial C") for t in ticks)
    assert not any(t.meta and t.meta.get("row") == "c" for t in figure.data)
    assert "not reported" in _texts(figure)


def test_pooled_and_unpooled_markers(figure) -> None:
    by_key = {t.meta["row"]: t for t in figure.data if t.meta and "row" in t.meta}
    assert by_key["a"].marker.symbol == "square"
    assert by_key["d"].marker.symbol == "square-open"
    assert by_key["e"].marker.symbol == "diamond-open"
    assert by_key["e"].error_x.array is None  # no printed CI, no whisker
    # square area follows the weight: the heavier study has the bigger marker
    assert by_key["a"].marker.size > by_key["b"].marker.size
    assert "not pooled" in by_key["d"].hovertemplate


def test_pooled_diamonds_and_prediction_interval(figure) -> None:
    diamonds = {t.meta["pooled"]: t for t in figure.data if t.meta and "pooled" in t.meta}
    assert set(diamonds) == {"random", "fixed"}
    random = diamonds["random"]
    assert random.fill == "toself"
    assert tuple(random.x) == (0.55, 0.66, 0.80, 0.66, 0.55)
    ys = list(random.y)
    assert ys[1] > ys[0] > ys[3]  # a diamond: top and bottom points around the row
    pi = [t for t in figure.data if t.meta and "prediction_interval" in t.meta]
    assert len(pi) == 1 and tuple(pi[0].x) == (0.30, 1.45)
    texts = _texts(figure)
    assert "0.30–1.45, 95% PI" in texts
    assert any(t.startswith("τ²=0.01, I²=20%") for t in texts)
    assert "<b>Heterogeneity</b>" in list(figure.layout.yaxis.ticktext)


def test_text_is_escaped_for_plotly(figure) -> None:
    ticks = list(figure.layout.yaxis.ticktext)
    assert "Trial D &lt;all histologies&gt;" in ticks
    assert "CPS&lt;10" in figure.layout.title.text
    assert not any("<all" in t for t in ticks)


def test_footnote_inside_the_figure(figure) -> None:
    notes = [a for a in figure.layout.annotations if a.name == "footnote"]
    assert len(notes) == 1 and "Data version abc." in notes[0].text
    assert figure.layout.margin.b > 60


def test_warning_in_title() -> None:
    fig = build_forest_figure(_rows(), (), ForestOptions(warning="POOLED ACROSS SYSTEMS"))
    assert "POOLED ACROSS SYSTEMS" in fig.layout.title.text


def test_rows_only_without_pooling() -> None:
    fig = build_forest_figure(_rows()[:1])
    assert not any(t.meta and "pooled" in t.meta for t in fig.data)
    assert fig.layout.xaxis.type == "log"


@pytest.mark.parametrize(
    ("level", "text"), [(95.0, "95%"), (99.1, "99.1%"), (98.6, "98.6%"), (None, "CI level")]
)
def test_format_level(level, text) -> None:
    assert format_level(level).startswith(text)


def test_hr_text_keeps_printed_precision() -> None:
    assert hr_text(0.628, 0.508, 0.777, 95.0) == "0.628 (0.508–0.777), 95% CI"
    assert hr_text(0.7, 0.55, 0.9, 95.0) == "0.70 (0.55–0.90), 95% CI"
    assert hr_text(0.690391, 0.6425, 0.74185, 95.0, decimals=2) == "0.69 (0.64–0.74), 95% CI"
    assert hr_text(None, None, None, None) == "not reported"


def test_plain_dict_equals_the_validated_figure() -> None:
    """The fast dict path (used by the forest callback) is exactly what plotly validates."""
    import json

    from components.charts.forest import forest_figure_dict

    options = ForestOptions(
        title="OS, CPS<10",
        warning="POOLED ACROSS",
        heterogeneity_text="τ²=0.01, I²=20%, Q=2.5 (df 1), p=0.11, k=2",
        footnote="Sources: X et al. 2022.<br>Data version abc.",
    )
    fast = json.dumps(forest_figure_dict(_rows(), _pooled(), options), sort_keys=True)
    checked = build_forest_figure(_rows(), _pooled(), options).to_json()
    assert json.loads(fast) == json.loads(checked)
