"""components.charts.plain: subplot grids as make_subplots lays them out, and AE figure dicts
that validate to the same JSON as the figures built from them (what exports draw)."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from analysis import adverse_events as ae
from components.charts import adverse_events as ch
from components.charts.plain import subplot_grid, template
from components.charts.theme import PRESENTATION
from data import load_registry


@pytest.mark.parametrize(
    ("rows", "cols", "h", "v"),
    [
        (1, 1, 0.05, 0.0),
        (3, 2, 0.05, 0.12),
        (4, 2, 0.05, 0.125),
        (1, 7, 0.025, 0.0),
        (2, 3, 0.1, 0.3),
    ],
)
def test_grid_matches_make_subplots(rows, cols, h, v) -> None:
    titles = [f"t{i}" for i in range(rows * cols - 1)]  # one cell without a title
    expected = make_subplots(
        rows=rows,
        cols=cols,
        shared_yaxes=True,
        horizontal_spacing=h,
        vertical_spacing=v,
        subplot_titles=titles,
    ).to_plotly_json()["layout"]
    expected.pop("template")
    axes, annotations = subplot_grid(
        rows, cols, horizontal_spacing=h, vertical_spacing=v, titles=titles, shared_yaxes=True
    )
    assert annotations == expected.pop("annotations", [])
    assert axes == expected  # exact floats, same keys


def _canonical(figure: object) -> object:
    return json.loads(pio.json.to_json_plotly(figure))


def test_template_is_a_fresh_copy_of_the_default() -> None:
    first = template()
    first["layout"]["font"] = "changed"
    assert template() == _canonical(go.Figure().layout.template)


@pytest.fixture(scope="module")
def tables():
    reg = load_registry()
    arms = [(t.id, a.id) for t in reg.trials for a in t.arms][:6]
    styles = [ch.ArmStyle(k, f"{k[0]} <{k[1]}>", "#0072B2") for k in arms]
    terms = ae.term_table(reg, ae.check_term_map(reg), arms, grade="both")
    return ae.summary_table(reg, arms), terms, styles


def test_dicts_validate_to_themselves(tables) -> None:
    """The request path sends the dict; exports validate it. Both must be the same figure."""
    summary, terms, styles = tables
    options = ch.AeChartOptions(title="T", footnote="a<br>b", theme=PRESENTATION)
    for built in (
        ch.summary_figure_dict(summary, styles, options),
        ch.term_figure_dict(terms, styles),
        ch.heatmap_figure_dict(terms, styles, options),
        ch.empty_figure_dict("nothing"),
    ):
        assert _canonical(go.Figure(built)) == _canonical(built)


def test_response_dict_validates_to_itself() -> None:
    from analysis.views import response as rv
    from components.response.figure import figure_dict, footnote_for

    reg = load_registry()
    for query in ({}, {"m": "DCR", "pop": "all"}):
        model = rv.build(reg, rv.SPEC.from_query(reg, query)[0])
        for footnote in (None, footnote_for(reg, model)):
            built = figure_dict(reg, model, footnote=footnote)
            assert _canonical(go.Figure(built)) == _canonical(built)


def test_chemo_free_group_follows_the_class_vocabulary() -> None:
    """The regimen classes marked "(chemo-free)" in data/schema.py, and only those, are grouped
    first in the Response view (the rule replaced a hand-written list of two classes)."""
    from analysis.views import response as rv
    from data.schema import REGIMEN_CLASSES

    free = {c for c in REGIMEN_CLASSES if rv.regimen_group(c) == rv.GROUP_CHEMO_FREE}
    assert free == {"ICI+TKI (chemo-free)", "dual ICI (chemo-free)"}
