"""Kaplan–Meier figure: step curves, censor ticks, CI ribbons, median lines, at-risk table.

Pure builder (no dash). Clinical conventions, set once here:

* survival as ``hv`` steps on a 0–100 % axis, time in months;
* the numbers-at-risk table is a second panel sharing the x axis, so every count sits exactly
  under its tick (n with T >= t, the convention of published tables);
* colours and dashes come from the caller (stable per arm across views);
* an optional footnote (sources, reconstruction grade, data version) is drawn inside the
  figure, so exported images carry it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.survival import AtRiskTable, KaplanMeierResult, MedianSurvival
from components.charts.theme import SCREEN, ChartTheme


@dataclass(frozen=True)
class KMCurve:
    """One arm to draw. ``key`` is stable (used in legend groups and hover)."""

    key: str
    label: str
    colour: str
    km: KaplanMeierResult
    at_risk: AtRiskTable
    median: MedianSurvival
    dash: str = "solid"
    grade: str | None = None  # reconstruction grade A/B/C, shown in the legend


@dataclass(frozen=True)
class KMOptions:
    endpoint_label: str = "Overall survival"
    show_ci: bool = False
    show_censor_marks: bool = True
    show_median_lines: bool = False
    show_at_risk: bool = True
    x_max_months: float | None = None
    tick_step_months: float = 3.0
    title: str | None = None
    footnote: str | None = None
    theme: ChartTheme = SCREEN


def _rgba(hex_colour: str, alpha: float) -> str:
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


def _step_xy(
    km: KaplanMeierResult, values: np.ndarray, start: float
) -> tuple[list[float], list[float]]:
    """Step coordinates starting at t=0 with ``start`` (100 % for S, the CI for bands).

    Rounded to what a reader can see (0.001 month, 0.01 %): this keeps the figure JSON small
    (PERF-05) without moving any step visibly.
    """
    x = [0.0, *np.round(km.times_months, 3).tolist()]
    y = [start, *np.round(values * 100.0, 2).tolist()]
    return x, y


def _hover_data(km: KaplanMeierResult) -> list[list[float | int | str]]:
    """Per-step [lower %, upper %, n at risk] for the hover template ("–" where undefined)."""
    rows: list[list[float | int | str]] = [["–", "–", km.n_patients]]
    lower = np.round(km.ci_lower * 100.0, 1)
    upper = np.round(km.ci_upper * 100.0, 1)
    for lo, hi, ok, n in zip(lower, upper, km.ci_defined, km.n_at_risk, strict=True):
        rows.append([float(lo), float(hi), int(n)] if ok else ["–", "–", int(n)])
    return rows


def default_ticks(x_max: float, step: float) -> tuple[float, ...]:
    count = int(np.floor(x_max / step + 1e-9)) + 1
    return tuple(float(i * step) for i in range(count))


def build_km_figure(curves: Sequence[KMCurve], options: KMOptions | None = None) -> go.Figure:
    """Build the KM figure for ``curves`` (drawn in the given order)."""
    options = options or KMOptions()
    theme = options.theme
    x_max = options.x_max_months
    if x_max is None:
        x_max = max((float(c.km.times_months.max()) for c in curves), default=12.0)
        x_max = float(np.ceil(x_max / options.tick_step_months) * options.tick_step_months)
    ticks = default_ticks(x_max, options.tick_step_months)

    rows = 2 if options.show_at_risk and curves else 1
    table_share = min(0.42, 0.07 + 0.055 * len(curves))
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1 if rows == 2 else 0.0,
        row_heights=[1 - table_share, table_share] if rows == 2 else [1.0],
    )

    for curve in curves:
        km = curve.km
        group = curve.key
        x, y = _step_xy(km, km.survival, 100.0)
        if options.show_ci:
            lower = np.where(km.ci_defined, km.ci_lower, np.nan)
            upper = np.where(km.ci_defined, km.ci_upper, np.nan)
            xl, yl = _step_xy(km, lower, 100.0)
            xu, yu = _step_xy(km, upper, 100.0)
            fig.add_trace(
                go.Scatter(
                    x=xu,
                    y=yu,
                    mode="lines",
                    line={"width": 0, "shape": "hv"},
                    legendgroup=group,
                    showlegend=False,
                    hoverinfo="skip",
                    connectgaps=False,
                ),
                row=1,
                col=1,
            )
            fig.add_trace(
                go.Scatter(
                    x=xl,
                    y=yl,
                    mode="lines",
                    line={"width": 0, "shape": "hv"},
                    fill="tonexty",
                    fillcolor=_rgba(curve.colour, 0.15),
                    legendgroup=group,
                    showlegend=False,
                    hoverinfo="skip",
                    connectgaps=False,
                    name=f"{curve.label} {round(km.ci_level * 100)}% CI",
                ),
                row=1,
                col=1,
            )
        legend_name = curve.label if curve.grade is None else f"{curve.label} [grade {curve.grade}]"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=legend_name,
                legendgroup=group,
                line={
                    "color": curve.colour,
                    "width": theme.line_width,
                    "shape": "hv",
                    "dash": curve.dash,
                },
                customdata=_hover_data(km),
                hovertemplate=(
                    f"{curve.label}<br>t = %{{x:.1f}} mo · S(t) = %{{y:.1f}} % "
                    f"({round(km.ci_level * 100)}% CI %{{customdata[0]}}–%{{customdata[1]}})"
                    " · at risk %{customdata[2]}<extra></extra>"
                ),
            ),
            row=1,
            col=1,
        )
        if options.show_censor_marks and km.censor_times_months.size:
            fig.add_trace(
                go.Scatter(
                    x=np.round(km.censor_times_months, 3).tolist(),
                    y=np.round(km.censor_survival * 100.0, 2).tolist(),
                    mode="markers",
                    marker={
                        "symbol": "line-ns-open",
                        "size": theme.marker_size,
                        "color": curve.colour,
                        "line": {"width": 1.2, "color": curve.colour},
                    },
                    legendgroup=group,
                    showlegend=False,
                    hoverinfo="skip",
                    name=f"{curve.label} censored",
                ),
                row=1,
                col=1,
            )
        median = curve.median.median_months
        if options.show_median_lines and median is not None:
            style = {"color": curve.colour, "width": 1, "dash": "dot"}
            fig.add_shape(type="line", x0=0, x1=median, y0=50, y1=50, line=style, row=1, col=1)
            fig.add_shape(type="line", x0=median, x1=median, y0=0, y1=50, line=style, row=1, col=1)

    if rows == 2:
        labels = [c.label for c in curves]
        for curve in curves:
            counts = [str(n) for n in curve.at_risk.n_at_risk]
            fig.add_trace(
                go.Scatter(
                    x=list(curve.at_risk.ticks_months),
                    y=[curve.label] * len(counts),
                    mode="text",
                    text=counts,
                    textfont={"color": curve.colour, "size": theme.font_size - 1},
                    cliponaxis=False,
                    showlegend=False,
                    hovertemplate=f"{curve.label}: %{{text}} at risk at %{{x}} mo<extra></extra>",
                    name=f"{curve.label} at risk",
                ),
                row=2,
                col=1,
            )
        fig.update_yaxes(
            row=2,
            col=1,
            type="category",
            categoryorder="array",
            categoryarray=list(reversed(labels)),
            showgrid=False,
            zeroline=False,
            showline=False,
            ticks="",
            title={"text": "No. at risk", "font": {"size": theme.font_size - 1}},
            fixedrange=True,
        )
        fig.update_xaxes(row=2, col=1, showgrid=False, showticklabels=False, zeroline=False)

    fig.update_yaxes(
        row=1,
        col=1,
        range=[0, 101],
        ticksuffix="%",
        dtick=20,
        title={"text": options.endpoint_label},
        showline=True,
        linecolor="#57606a",
        gridcolor="#eaeef2",
        zeroline=False,
    )
    fig.update_xaxes(
        row=1,
        col=1,
        range=[0, x_max * 1.02],
        tickvals=list(ticks),
        showline=True,
        linecolor="#57606a",
        gridcolor="#eaeef2",
        zeroline=False,
        showticklabels=True,
        title={"text": "Months since randomisation (or enrolment, single-arm studies)"},
    )
    if rows == 2:
        fig.update_xaxes(row=2, col=1, range=[0, x_max * 1.02], tickvals=list(ticks))

    bottom = 60
    if options.footnote:
        lines = options.footnote.count("<br>") + 1
        bottom += 16 * lines + 10
        fig.add_annotation(
            text=options.footnote,
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-bottom + 8,
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            align="left",
            font={"size": max(9, theme.font_size - 3), "color": "#57606a"},
        )
    base = theme.layout()
    if options.title:
        base["title"] = {"text": options.title, "x": 0.01, "font": {"size": theme.title_size}}
    else:
        base.pop("title", None)
    fig.update_layout(
        **base,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "xanchor": "left"},
        margin={"l": 70, "r": 20, "t": 60 if options.title else 40, "b": bottom},
        hovermode="closest",
    )
    return fig
