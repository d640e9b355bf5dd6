"""KM figure builder: clinical conventions are in the figure, and the JSON stays small."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.survival import SurvivalSample, summarise_arm
from components.charts.km import (
    PERCENT_DECIMALS_DRAWN,
    TIME_DECIMALS_DRAWN,
    KMCurve,
    KMOptions,
    build_km_figure,
)
from components.charts.theme import colour_for

TICKS = tuple(float(t) for t in range(0, 37, 3))


def _curve(i: int, n: int = 600) -> KMCurve:
    rng = np.random.default_rng(100 + i)
    t = rng.exponential(12 + 3 * i, n)
    c = rng.uniform(0, 36, n)
    sample = SurvivalSample.from_arrays(np.minimum(t, c), (t <= c).astype(int), label=f"arm {i}")
    arm = summarise_arm(sample, ticks_months=TICKS)
    return KMCurve(
        key=f"k{i}",
        label=f"Trial {i} arm",
        colour=colour_for(i),
        km=arm.km,
        at_risk=arm.at_risk,
        median=arm.median,
        grade="B",
    )


def test_steps_axis_and_at_risk_alignment() -> None:
    curves = [_curve(0), _curve(1)]
    fig = build_km_figure(curves, KMOptions(show_at_risk=True, footnote="Sources: x"))
    lines = [t for t in fig.data if t.mode == "lines" and t.showlegend is not False]
    assert [t.line.shape for t in lines] == ["hv", "hv"]
    assert lines[0].y[0] == 100.0 and lines[0].x[0] == 0.0
    assert tuple(fig.layout.yaxis.range) == (0, 101)
    table = [t for t in fig.data if t.mode == "text"]
    for curve, row in zip(curves, table, strict=True):
        assert tuple(row.x) == curve.at_risk.ticks_months
        assert [int(v) for v in row.text] == list(curve.at_risk.n_at_risk)
        assert row.xaxis == "x2"  # same ticks as the curves (shared x axis)
    assert tuple(fig.layout.xaxis.tickvals) == tuple(fig.layout.xaxis2.tickvals)
    assert any("Sources: x" in (a.text or "") for a in fig.layout.annotations)


def test_optional_layers_toggle() -> None:
    curve = _curve(2)
    plain = build_km_figure(
        [curve], KMOptions(show_ci=False, show_censor_marks=False, show_at_risk=False)
    )
    rich = build_km_figure(
        [curve],
        KMOptions(show_ci=True, show_censor_marks=True, show_median_lines=True, show_at_risk=True),
    )
    assert len(plain.data) == 1
    assert any(t.fill == "tonexty" for t in rich.data)
    assert any(t.mode == "markers" for t in rich.data)
    assert len(rich.layout.shapes) == 2  # median drop lines


@pytest.mark.parametrize(("arms", "budget_kb"), [(2, 150), (6, 300)])
def test_payload_budget(arms: int, budget_kb: int) -> None:
    """PERF-05: a KM figure with CI bands for 600-patient arms stays within budget."""
    fig = build_km_figure([_curve(i) for i in range(arms)], KMOptions(show_ci=True))
    size_kb = len(json.dumps(fig.to_plotly_json(), default=str)) / 1024
    assert size_kb <= budget_kb


@pytest.mark.parametrize("show_ci", [False, True])
def test_plain_dict_equals_the_validated_figure(show_ci: bool) -> None:
    """The fast dict path (used by the Survival callback) is exactly what plotly validates."""
    from components.charts.km import km_figure_dict

    curves = [_curve(0), _curve(1)]
    options = KMOptions(
        show_ci=show_ci, show_median_lines=True, footnote="Sources: x<br>y", title="T"
    )
    fast = json.dumps(km_figure_dict(curves, options), sort_keys=True)
    checked = build_km_figure(curves, options).to_json()
    assert json.loads(fast) == json.loads(checked)


def test_steps_keep_every_event_and_the_end_of_follow_up() -> None:
    """Censoring-only times are left out of the step line (S does not change there) but the
    line still reaches the last follow-up time, and every S(t) value drawn is the KM value."""
    curve = _curve(3)
    fig = build_km_figure([curve], KMOptions(show_at_risk=False))
    line = next(t for t in fig.data if t.mode == "lines")
    km = curve.km
    # Drawn to 0.01 month and 0.1 % (TIME_DECIMALS_DRAWN, PERCENT_DECIMALS_DRAWN; issue 11).
    event_times = np.round(km.times_months[km.n_events > 0], TIME_DECIMALS_DRAWN)
    assert set(event_times.tolist()) <= set(line.x)
    assert line.x[-1] == pytest.approx(km.times_months[-1], abs=5.01e-3)
    points = np.flatnonzero(km.n_events > 0)
    points = np.union1d(points, [km.times_months.size - 1])
    assert list(line.x[1:]) == pytest.approx(km.times_months[points], abs=5.01e-3)
    assert list(line.y[1:]) == pytest.approx(100 * km.survival[points], abs=5.01e-2)


def test_explicit_ticks_and_empty_message() -> None:
    curve = _curve(4)
    ticks = (0.0, 2.0, 4.0, 8.0, 16.0, 32.0)
    fig = build_km_figure([curve], KMOptions(x_max_months=36.0, tick_values_months=(*ticks, 99.0)))
    assert tuple(fig.layout.xaxis.tickvals) == ticks  # 99 is beyond the axis and dropped
    empty = build_km_figure([], KMOptions(empty_message="nothing to draw"))
    assert any(a.text == "nothing to draw" for a in empty.layout.annotations)


def test_hover_values_carry_the_interval_and_the_number_at_risk_of_every_step() -> None:
    """The hover of each step reads "lower–upper · n at risk" from ``customdata`` (the template
    holds the separators, issue 11); an undefined band (t = 0) gives empty bounds, "– · N"."""
    curve = _curve(2)
    fig = build_km_figure([curve], KMOptions(show_at_risk=False))
    line = next(t for t in fig.data if t.mode == "lines" and t.hovertemplate)
    km = curve.km
    points = np.union1d(np.flatnonzero(km.n_events > 0), [km.times_months.size - 1])
    rows = [list(row) for row in line.customdata]
    assert rows[0] == ["", "", km.n_patients]
    assert len(rows) == len(line.x) == points.size + 1
    for row, i in zip(rows[1:], points, strict=True):
        if km.ci_defined[i]:
            assert row[:2] == pytest.approx([100 * km.ci_lower[i], 100 * km.ci_upper[i]], abs=0.05)
        else:
            assert row[:2] == ["", ""]
        assert row[2] == km.n_at_risk[i]
    assert "%{customdata[0]:.1f}–%{customdata[1]:.1f} · %{customdata[2]:d}" in line.hovertemplate
    assert PERCENT_DECIMALS_DRAWN == 1  # the hover prints S(t) to 0.1 %: nothing is lost


def test_template_keeps_only_the_trace_defaults_the_figure_uses() -> None:
    """Trace defaults of types a KM figure never draws are left out of its template (~4 KB of
    every response, issue 11); the layout defaults are plotly's default template's."""
    import plotly.io as pio

    fig = build_km_figure([_curve(0)], KMOptions(show_ci=True))
    template = fig.layout.template.to_plotly_json()
    default = pio.templates[pio.templates.default].to_plotly_json()
    assert set(template["data"]) == {"scatter"}
    assert template["data"]["scatter"] == default["data"]["scatter"]
    assert template["layout"] == default["layout"]
