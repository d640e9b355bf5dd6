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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from analysis.survival import AtRiskTable, KaplanMeierResult, MedianSurvival, regular_ticks
from components.charts.labels import distinct_labels
from components.charts.theme import (
    GRID_COLOUR,
    MUTED,
    SCREEN,
    ChartTheme,
    footnote_annotation,
    plotly_template,
)


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
    # Row label of the at-risk table (short, so the table does not squeeze the plot); None
    # means the label cut to TABLE_LABEL_CHARS.
    table_label: str | None = None


@dataclass(frozen=True)
class KMPublished:
    """An arm without a curve, drawn as its published median (at S = 50 %, with the median's CI
    as a horizontal bar) and landmark rates (with their CIs as vertical bars). Values in months
    and in percent (the KM axis's unit); a bound not printed (or printed as text, e.g. "NE") is
    None."""

    key: str
    label: str
    colour: str
    median: tuple[float, float | None, float | None] | None
    landmarks: tuple[tuple[float, float, float | None, float | None], ...] = ()
    hover: str = ""

    def x_end(self) -> float:
        values = [self.median[0], self.median[2] or 0.0] if self.median else []
        values += [lm[0] for lm in self.landmarks]
        return max(values, default=0.0)


def _error(value: float, lo: float | None, hi: float | None) -> dict[str, Any]:
    return {
        "type": "data",
        "symmetric": False,
        "array": [0.0 if hi is None else hi - value],
        "arrayminus": [0.0 if lo is None else value - lo],
        "thickness": 1.5,
        "width": 6,
    }


def _published_traces(point: KMPublished, theme: ChartTheme) -> list[dict[str, Any]]:
    traces: list[dict[str, Any]] = []
    common = {
        "type": "scatter",
        "mode": "markers",
        "xaxis": "x",
        "yaxis": "y",
        "legendgroup": point.key,
        "hovertemplate": point.hover.replace("%", "%%") + "<extra></extra>",
        "meta": {"role": "published"},
    }
    name = f"{point.label} — published values (no curve)"
    if point.median is not None:
        x, lo, hi = point.median
        traces.append(
            {
                **common,
                "name": name,
                "x": [x],
                "y": [50.0],
                "error_x": {**_error(x, lo, hi), "color": point.colour},
                "marker": {
                    "symbol": "diamond",
                    "size": theme.marker_size + 4,
                    "color": point.colour,
                },
            }
        )
    for t, rate, lo, hi in point.landmarks:
        traces.append(
            {
                **common,
                "name": name,
                "showlegend": False,
                "x": [t],
                "y": [rate],
                "error_y": {**_error(rate, lo, hi), "color": point.colour},
                "marker": {
                    "symbol": "square-open",
                    "size": theme.marker_size + 3,
                    "color": point.colour,
                    "line": {"width": 2, "color": point.colour},
                },
            }
        )
    for i, trace in enumerate(traces):
        trace["showlegend"] = i == 0
    return traces


@dataclass(frozen=True)
class KMOptions:
    endpoint_label: str = "Overall survival"
    show_ci: bool = False
    show_censor_marks: bool = True
    show_median_lines: bool = False
    show_at_risk: bool = True
    x_max_months: float | None = None
    tick_step_months: float = 3.0
    # Explicit x ticks (e.g. the published at-risk times of a single trial); the at-risk rows
    # should use the same times so every count sits under its tick.
    tick_values_months: tuple[float, ...] | None = None
    title: str | None = None
    footnote: str | None = None
    # Shown in the plot area when there is no curve to draw (e.g. a subgroup nobody reports).
    empty_message: str | None = None
    theme: ChartTheme = SCREEN
    # Height of the survival panel in pixels; the figure's total height grows with the legend,
    # the at-risk table and the footnote so the curves never get squeezed.
    plot_height_px: int = 380


# Pixel budget of the figure (screen theme); scaled by the theme's font size for slides.
TABLE_LABEL_CHARS = 34
LEGEND_ROW_PX = 22
TABLE_ROW_PX = 21
AXIS_BLOCK_PX = 62  # x tick labels + x-axis title between the curves and the at-risk table


def table_labels(curves: Sequence[KMCurve]) -> list[str]:
    """Unique, short at-risk row labels (a category axis merges equal labels)."""
    out: list[str] = []
    bases = distinct_labels([c.table_label or c.label for c in curves], TABLE_LABEL_CHARS)
    for base in bases:
        label = base
        suffix = 2
        while label in out:
            label = f"{base} ({suffix})"
            suffix += 1
        out.append(label)
    return out


def _rgba(hex_colour: str, alpha: float) -> str:
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


def _step_points(km: KaplanMeierResult) -> np.ndarray:
    """Indices where the drawn step can change: every event time, plus the last observed time
    so the line runs to the end of follow-up. S(t) and its log-log band change only at event
    times, so leaving out censoring-only times loses nothing that is drawn (censorings have
    their own tick marks) and halves the figure's data (PERF-05, faster figure building)."""
    keep = np.asarray(km.n_events > 0).copy()
    if keep.size:
        keep[-1] = True
    return np.flatnonzero(keep)


#: Decimals of the drawn coordinates: months and percent. The hover prints both to 0.1; a
#: step moves by at most 0.005 month and 0.05 % (a tenth and a fifth of a pixel on the screen
#: chart's ~900 x 400 px plot of 0-40 months x 0-100 %), so nothing drawn moves visibly.
#: Rounding S(t) straight to 0.1 also makes the hover print the estimate rounded once, not
#: twice. Each decimal dropped is ~3 KB of a 6-arm response (issue 11: <= 100 KB; PERF-05).
TIME_DECIMALS_DRAWN = 2
PERCENT_DECIMALS_DRAWN = 1


def _step_xy(
    km: KaplanMeierResult, values: np.ndarray, start: float, points: np.ndarray
) -> tuple[list[float], list[float]]:
    """Step coordinates starting at t=0 with ``start`` (100 % for S, the CI for bands),
    rounded to :data:`TIME_DECIMALS_DRAWN` and :data:`PERCENT_DECIMALS_DRAWN`."""
    x = [0.0, *np.round(km.times_months[points], TIME_DECIMALS_DRAWN).tolist()]
    y = [start, *np.round(values[points] * 100.0, PERCENT_DECIMALS_DRAWN).tolist()]
    return x, y


def _hover_values(km: KaplanMeierResult, points: np.ndarray) -> list[list[float | int | str]]:
    """Per-step hover values ``[lower %, upper %, n at risk]`` (``customdata``), which the hover
    template prints as "lower–upper · n" ("– · n" where the band is undefined: the bounds are
    then empty strings, which plotly prints as they are, without the number format).

    Numbers with the separators in the template, not one preformatted string per step: the
    strings were a third of a 6-arm figure's JSON, each "–" and "·" escaped to six bytes
    (issue 11: survival response <= 100 KB). ``customdata`` is a data array, which plotly
    does not validate element by element."""
    lower = np.round(km.ci_lower[points] * 100.0, 1).tolist()
    upper = np.round(km.ci_upper[points] * 100.0, 1).tolist()
    defined = km.ci_defined[points].tolist()
    at_risk = km.n_at_risk[points].tolist()
    values: list[list[float | int | str]] = [["", "", int(km.n_patients)]]
    for lo, hi, ok, n in zip(lower, upper, defined, at_risk, strict=True):
        values.append([lo, hi, n] if ok else ["", "", n])
    return values


def default_ticks(x_max: float, step: float) -> tuple[float, ...]:
    """Regular ticks (:func:`analysis.survival.regular_ticks`)."""
    return regular_ticks(x_max, step)


def _scale(options: KMOptions) -> float:
    return options.theme.font_size / SCREEN.font_size


def _table_px(options: KMOptions, n_rows: int) -> float:
    return TABLE_ROW_PX * _scale(options) * max(1, n_rows) + 8


def _table_domains(options: KMOptions, n_rows: int) -> tuple[float, float]:
    """(top of the table panel, bottom of the curve panel) as paper fractions."""
    plot = options.plot_height_px * _scale(options)
    gap = AXIS_BLOCK_PX * _scale(options)
    table = _table_px(options, n_rows)
    paper = plot + gap + table
    return table / paper, (table + gap) / paper


def _axis_layout(
    options: KMOptions, ticks: Sequence[float], x_max: float, labels: Sequence[str], rows: int
) -> dict[str, Any]:
    """Axes as ``make_subplots(rows, 1, shared_xaxes=True, vertical_spacing=0.1,
    row_heights=[1 - share, share])`` lays them out, with the clinical styling applied."""
    theme = options.theme
    x_range = [0, x_max * 1.02]
    styled = {"showline": True, "linecolor": MUTED, "gridcolor": GRID_COLOUR, "zeroline": False}
    layout: dict[str, Any] = {}
    x_title = {"text": "Months since randomisation (or enrolment, single-arm studies)"}
    if rows == 2:
        bottom, top_start = _table_domains(options, len(labels))
        layout["xaxis"] = {
            "anchor": "y",
            "domain": [0.0, 1.0],
            "matches": "x2",
            "showticklabels": True,
            "title": x_title,
            "range": x_range,
            "tickvals": list(ticks),
            **styled,
        }
        layout["yaxis"] = {"anchor": "x", "domain": [top_start, 1.0]}
        layout["xaxis2"] = {
            "anchor": "y2",
            "domain": [0.0, 1.0],
            "showgrid": False,
            "showticklabels": False,
            "zeroline": False,
            "range": x_range,
            "tickvals": list(ticks),
        }
        layout["yaxis2"] = {
            "anchor": "x2",
            "domain": [0.0, bottom],
            "title": {"font": {"size": theme.font_size - 1}, "text": "No. at risk"},
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(reversed(labels)),
            "showgrid": False,
            "zeroline": False,
            "showline": False,
            "ticks": "",
            "fixedrange": True,
            "automargin": True,
            # The t=0 counts are centred on the axis line: keep the row labels clear of them.
            "ticklabelstandoff": 24,
        }
    else:
        layout["xaxis"] = {
            "anchor": "y",
            "domain": [0.0, 1.0],
            "showticklabels": True,
            "title": x_title,
            "range": x_range,
            "tickvals": list(ticks),
            **styled,
        }
        layout["yaxis"] = {"anchor": "x", "domain": [0.0, 1.0]}
    layout["yaxis"].update(
        {
            "title": {"text": options.endpoint_label},
            "range": [0, 101],
            "ticksuffix": "%",
            "dtick": 20,
            **styled,
        }
    )
    return layout


def _curve_traces(curve: KMCurve, options: KMOptions) -> list[dict[str, Any]]:
    theme = options.theme
    km = curve.km
    group = curve.key
    points = _step_points(km)
    x, y = _step_xy(km, km.survival, 100.0, points)
    traces: list[dict[str, Any]] = []
    if options.show_ci:
        lower = np.where(km.ci_defined, km.ci_lower, np.nan)
        upper = np.where(km.ci_defined, km.ci_upper, np.nan)
        xl, yl = _step_xy(km, lower, 100.0, points)
        xu, yu = _step_xy(km, upper, 100.0, points)
        band = {
            "connectgaps": False,
            "hoverinfo": "skip",
            "legendgroup": group,
            "line": {"shape": "hv", "width": 0},
            "mode": "lines",
            "showlegend": False,
            "type": "scatter",
            "xaxis": "x",
            "yaxis": "y",
        }
        traces.append({**band, "x": xu, "y": _nan_to_none(yu)})
        traces.append(
            {
                **band,
                "fill": "tonexty",
                "fillcolor": _rgba(curve.colour, 0.15),
                "name": f"{curve.label} {round(km.ci_level * 100)}% CI",
                "x": xl,
                "y": _nan_to_none(yl),
            }
        )
    legend_name = curve.label if curve.grade is None else f"{curve.label} [grade {curve.grade}]"
    traces.append(
        {
            "customdata": _hover_values(km, points),
            "hovertemplate": (
                f"{curve.label}<br>t = %{{x:.1f}} mo · S(t) = %{{y:.1f}} %<br>"
                f"{round(km.ci_level * 100)}% CI · at risk: "
                "%{customdata[0]:.1f}–%{customdata[1]:.1f} · %{customdata[2]:d}<extra></extra>"
            ),
            "legendgroup": group,
            "line": {
                "color": curve.colour,
                "dash": curve.dash,
                "shape": "hv",
                "width": theme.line_width,
            },
            "mode": "lines",
            "name": legend_name,
            "type": "scatter",
            "x": x,
            "xaxis": "x",
            "y": y,
            "yaxis": "y",
        }
    )
    if options.show_censor_marks and km.censor_times_months.size:
        traces.append(
            {
                "hoverinfo": "skip",
                "legendgroup": group,
                "marker": {
                    "color": curve.colour,
                    "line": {"color": curve.colour, "width": 1.2},
                    "size": theme.marker_size,
                    "symbol": "line-ns-open",
                },
                "mode": "markers",
                "name": f"{curve.label} censored",
                "showlegend": False,
                "type": "scatter",
                "x": np.round(km.censor_times_months, TIME_DECIMALS_DRAWN).tolist(),
                "xaxis": "x",
                "y": np.round(km.censor_survival * 100.0, PERCENT_DECIMALS_DRAWN).tolist(),
                "yaxis": "y",
            }
        )
    return traces


def _nan_to_none(values: list[float]) -> list[float | None]:
    """Undefined band points as null (what plotly's own serialisation makes of NaN)."""
    return [None if math.isnan(v) else v for v in values]


def _median_shapes(curve: KMCurve) -> list[dict[str, Any]]:
    median = curve.median.median_months
    if median is None:
        return []
    style = {"color": curve.colour, "dash": "dot", "width": 1}
    common = {"line": style, "type": "line", "xref": "x", "yref": "y"}
    return [
        {**common, "x0": 0, "x1": median, "y0": 50, "y1": 50},
        {**common, "x0": median, "x1": median, "y0": 0, "y1": 50},
    ]


def _at_risk_trace(curve: KMCurve, row_label: str, options: KMOptions) -> dict[str, Any]:
    counts = [str(n) for n in curve.at_risk.n_at_risk]
    return {
        "cliponaxis": False,
        "hovertemplate": f"{curve.label}: %{{text}} at risk at %{{x}} mo<extra></extra>",
        "mode": "text",
        "name": f"{curve.label} at risk",
        "showlegend": False,
        "text": counts,
        "textfont": {"color": curve.colour, "size": options.theme.font_size - 1},
        "type": "scatter",
        "x": list(curve.at_risk.ticks_months),
        "xaxis": "x2",
        "y": [row_label] * len(counts),
        "yaxis": "y2",
    }


def km_figure_dict(
    curves: Sequence[KMCurve],
    options: KMOptions | None = None,
    published: Sequence[KMPublished] = (),
) -> dict[str, Any]:
    """The KM figure as a plain plotly dict (``{"data": [...], "layout": {...}}``).

    Built without plotly's per-element validation, which costs tens of milliseconds for a few
    arms with CI bands; :func:`build_km_figure` validates exactly this dict (and the unit tests
    check that both give the same JSON). Dash and kaleido take the dict as it is.
    """
    options = options or KMOptions()
    theme = options.theme
    x_max = options.x_max_months
    if x_max is None:
        x_max = max((float(c.km.times_months.max()) for c in curves), default=12.0)
        x_max = float(np.ceil(x_max / options.tick_step_months) * options.tick_step_months)
    reach = max((p.x_end() for p in published), default=0.0)
    extended = reach > x_max
    if extended:  # published markers beyond the curves: regular ticks over the wider axis
        x_max = float(np.ceil(reach / options.tick_step_months) * options.tick_step_months)
    if options.tick_values_months and not extended:
        ticks = tuple(t for t in options.tick_values_months if 0.0 <= t <= x_max + 1e-9)
    else:
        ticks = default_ticks(x_max, options.tick_step_months)
    rows = 2 if options.show_at_risk and curves else 1
    labels = table_labels(curves)

    data: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    for curve in curves:
        data.extend(_curve_traces(curve, options))
        if options.show_median_lines:
            shapes.extend(_median_shapes(curve))
    for point in published:
        data.extend(_published_traces(point, theme))
    if rows == 2:
        data.extend(
            _at_risk_trace(curve, label, options)
            for curve, label in zip(curves, labels, strict=True)
        )

    layout = _axis_layout(options, ticks, x_max, labels, rows)
    annotations: list[dict[str, Any]] = []
    if not curves and not published and options.empty_message:
        annotations.append(
            {
                "font": {"color": MUTED, "size": theme.font_size},
                "showarrow": False,
                "text": options.empty_message,
                "x": 0.5,
                "xref": "paper",
                "y": 0.5,
                "yref": "paper",
            }
        )
    scale = _scale(options)
    bottom = 40.0 * scale
    if options.footnote:
        note, bottom = footnote_annotation(options.footnote, theme, bottom, scale=scale)
        annotations.append(note)
    if shapes:
        layout["shapes"] = shapes
    if annotations:
        layout["annotations"] = annotations
    layout.update(theme.layout())
    if options.title:
        layout["title"] = {
            "font": {"size": theme.title_size},
            "text": options.title,
            "x": 0.01,
            "xanchor": "left",
            "y": 1.0,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 10},
        }
    else:
        layout.pop("title", None)
    # Legend above the curves, one row per arm (arm labels are long); the top margin holds it.
    entries = len(curves) + len(published)
    legend_px = LEGEND_ROW_PX * scale * entries if entries else 0.0
    title_px = (44.0 if options.title else 12.0) * scale
    layout["legend"] = {
        "orientation": "v",
        "yanchor": "bottom",
        "y": 1.0,
        "x": 0,
        "xanchor": "left",
        "font": {"size": theme.font_size - 1},
        "tracegroupgap": 2,
    }
    top = title_px + legend_px + 8 * scale
    paper = options.plot_height_px * scale
    if rows == 2:
        paper += AXIS_BLOCK_PX * scale + _table_px(options, len(curves))
    layout["margin"] = {"l": 70, "r": 20, "t": round(top), "b": round(bottom)}
    # Lets the export layer re-fit the panels to a slide (components/export/images.py).
    layout["meta"] = {"escc_km": {"table_rows": len(curves) if rows == 2 else 0}}
    layout["height"] = round(top + paper + bottom)
    layout["hovermode"] = "closest"
    layout["template"] = plotly_template(trace_types={trace["type"] for trace in data})
    return {"data": data, "layout": layout}


def build_km_figure(
    curves: Sequence[KMCurve],
    options: KMOptions | None = None,
    published: Sequence[KMPublished] = (),
) -> go.Figure:
    """Build the KM figure for ``curves`` (drawn in the given order) as a validated Figure."""
    return go.Figure(km_figure_dict(curves, options, published))
