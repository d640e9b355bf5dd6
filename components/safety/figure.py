"""Safety model -> AE chart builder inputs (colours, chart labels, title, footnote)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from analysis.views.safety import SafetyModel
from components.charts import adverse_events as charts
from components.charts.ae_labels import HEATMAP_KEY, SUMMARY_KEY, TERM_KEY
from components.charts.palette import ArmLook
from components.charts.theme import SCREEN, ChartTheme, escape_plotly_text
from components.export.footnote import Footnote
from components.provenance import arm_looks
from data import Registry

#: Colour of an arm the colour map does not know (not expected: every registry arm has one).
FALLBACK_COLOUR = "#57606a"
#: Height of the graph when a figure has none (the empty figure always has one).
DEFAULT_HEIGHT_PX = 560

CHART_KEYS = {"summary": SUMMARY_KEY, "terms": TERM_KEY, "heatmap": HEATMAP_KEY}


def chart_key(model: SafetyModel) -> str:
    """How to read the chart (caption and export footnote)."""
    return CHART_KEYS[model.state.chart]


def _styles(registry: Registry, model: SafetyModel) -> list[charts.ArmStyle]:
    looks = arm_looks(registry)
    fallback = ArmLook(colour=FALLBACK_COLOUR, dash="solid", pattern="")
    return [
        charts.ArmStyle(
            key=key,
            label=label,
            colour=looks.get(key, fallback).colour,
            pattern=looks.get(key, fallback).pattern,
            full_label=full,
        )
        for key, label, full in zip(model.arms, model.chart_labels, model.labels, strict=True)
    ]


def figure_dict(
    registry: Registry,
    model: SafetyModel,
    *,
    theme: ChartTheme = SCREEN,
    footnote: Footnote | None = None,
) -> dict[str, Any]:
    """The chart of ``model`` as a plain plotly dict (what the page and kaleido draw)."""
    options = charts.AeChartOptions(
        title=model.title,
        theme=theme,
        footnote="<br>".join(escape_plotly_text(line) for line in footnote.lines())
        if footnote
        else None,
    )
    if model.summary is not None:
        return charts.summary_figure_dict(model.summary, _styles(registry, model), options)
    if model.terms is None or model.empty_message is not None:
        return charts.empty_figure_dict(model.empty_message or "", options)
    if model.state.chart == "heatmap":
        return charts.heatmap_figure_dict(model.terms, _styles(registry, model), options)
    return charts.term_figure_dict(model.terms, _styles(registry, model), options)


def build_figure(
    registry: Registry,
    model: SafetyModel,
    *,
    theme: ChartTheme = SCREEN,
    footnote: Footnote | None = None,
) -> go.Figure:
    """The same chart as a validated figure (exports)."""
    return go.Figure(figure_dict(registry, model, theme=theme, footnote=footnote))


def height_px(figure: dict[str, Any]) -> int:
    return int(figure["layout"].get("height") or DEFAULT_HEIGHT_PX)
