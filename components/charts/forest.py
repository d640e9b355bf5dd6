"""Forest plot of published hazard ratios with pooled diamonds (pure builder, no dash).

Clinical conventions, set once here:

* hazard ratios on a **log** x axis with a dashed reference line at HR = 1 (no difference);
  "favours experimental" to the left of 1, "favours control" to the right (HR = hazard of the
  experimental arm / hazard of the control arm);
* every study keeps the confidence interval **at its published level** (CheckMate 648 printed
  99.1 %, 98.6 % … intervals); the level is written on every row, never silently re-labelled 95 %;
* squares sized by the pooling weight (filled = pooled, open = shown but not pooled), rows
  without a printed interval as open diamonds, rows not reported as text only;
* pooled estimates as diamonds (random effects and fixed effect), the prediction interval as a
  separate line under the random-effects diamond, heterogeneity as text (tau^2, I^2, Q, p, k);
* a text panel to the right (second x axis in paper space, so it scales with the figure and
  exports cleanly) with "HR (CI, level)" and N per arm;
* every text is escaped for plotly's HTML subset ("CPS<10" must not open a tag);
* an optional footnote (sources, caveats, data version) drawn inside the figure
  (``name="footnote"``), like :mod:`components.charts.km`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analysis.views.forest.text import format_hr, format_level, hr_text
from components.charts.labels import distinct_labels
from components.charts.theme import (
    MUTED,
    SCREEN,
    ChartTheme,
    dress_layout,
    escape_plotly_text,
    plotly_template,
    text_column,
    text_column_axis,
    value_axis,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "FIXED_FILL",
    "ForestOptions",
    "ForestRow",
    "PooledSummary",
    "build_forest_figure",
    "clip",
    "figure_height_px",
    "forest_figure_dict",
    "format_hr",
    "format_level",
    "hr_text",
]

REFERENCE_LINE_NAME = "HR = 1 (no difference)"
POOLED_FILL = "#1f2328"
FIXED_FILL = "#8c959f"
AXIS_MIN = 0.02
AXIS_MAX = 50.0
FOREST_DOMAIN = (0.0, 0.44)
TEXT_DOMAIN = (0.46, 1.0)
LABEL_CHARS = 52  # longest row label kept (the shared part is cut; the table has them whole)
DETAIL_CHARS = 64
CHAR_EM = 0.6  # average glyph width of the chart font, in em (DejaVu Sans ~0.55)


@dataclass(frozen=True)
class ForestRow:
    """One study row. ``hazard_ratio`` None means not reported (``status_text`` says why).

    ``ci_level_percent`` is the level printed by the source (95, 99.1 …). ``pooled`` says whether
    the row entered the pooled estimate; ``weight_percent`` is its random-effects weight.
    """

    key: str
    label: str
    detail: str  # in the hover; a second label line only with ForestOptions.show_detail
    colour: str
    hazard_ratio: float | None
    ci_lower: float | None = None
    ci_upper: float | None = None
    ci_level_percent: float | None = None
    n_text: str = "N not reported"
    status_text: str | None = None
    pooled: bool = False
    weight_percent: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class PooledSummary:
    """A pooled estimate drawn as a diamond; ``pi_*`` the prediction interval (or None)."""

    key: str
    label: str
    hazard_ratio: float
    ci_lower: float
    ci_upper: float
    ci_level_percent: float
    fill: str = POOLED_FILL
    pi_lower: float | None = None
    pi_upper: float | None = None
    pi_level_percent: float | None = None
    pi_note: str | None = None


@dataclass(frozen=True)
class ForestOptions:
    x_label: str = "Hazard ratio (log scale)"
    favours_left: str = "Favours experimental"
    favours_right: str = "Favours control"
    #: Header of the right-hand text column (per-arm N for trials; the evidence for network
    #: estimates).
    n_header: str = "N exp/ctrl"
    title: str | None = None
    warning: str | None = None  # drawn prominently above the plot (e.g. pooled across systems)
    heterogeneity_text: str | None = None
    show_detail: bool = False
    footnote: str | None = None
    theme: ChartTheme = SCREEN


def _axis_range(rows: Sequence[ForestRow], pooled: Sequence[PooledSummary]) -> tuple[float, float]:
    values: list[float] = [1.0]
    for row in rows:
        values.extend(v for v in (row.hazard_ratio, row.ci_lower, row.ci_upper) if v is not None)
    for summary in pooled:
        values.extend((summary.ci_lower, summary.ci_upper))
        values.extend(v for v in (summary.pi_lower, summary.pi_upper) if v is not None)
    low = max(AXIS_MIN, min(values) / 1.15)
    high = min(AXIS_MAX, max(values) * 1.15)
    # Symmetric about HR = 1 on the log scale (at least 0.5-2), so that neither "favours"
    # side looks larger than the other and both labels have room.
    half = max(-math.log10(low), math.log10(high), math.log10(2.0))
    return -half, half


def _ticks(low_log: float, high_log: float) -> list[float]:
    candidates = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0)
    inside = [c for c in candidates if low_log <= math.log10(c) <= high_log]
    return inside or [1.0]


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with a trailing "…" when it was longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _two_lines(text: str, *, left_arrow: bool) -> str:
    """ "← Favours<br>experimental" / "Favours<br>control →": the favours labels sit in a narrow
    half-axis, so they take two lines (split after the first word), arrow pointing outwards."""
    first, _, rest = text.partition(" ")
    if left_arrow:
        return f"← {_e(first)}<br>{_e(rest)}" if rest else f"← {_e(first)}"
    return f"{_e(first)}<br>{_e(rest)} →" if rest else f"{_e(first)} →"


def _e(text: str) -> str:
    return escape_plotly_text(text)


def build_forest_figure(
    rows: Sequence[ForestRow],
    pooled: Sequence[PooledSummary] = (),
    options: ForestOptions | None = None,
) -> go.Figure:
    """The forest plot as a validated ``go.Figure`` (exports; the same JSON as the dict)."""
    import plotly.graph_objects as go  # noqa: PLC0415 - only exports need the validated figure

    return go.Figure(forest_figure_dict(rows, pooled, options))


def forest_figure_dict(
    rows: Sequence[ForestRow],
    pooled: Sequence[PooledSummary] = (),
    options: ForestOptions | None = None,
) -> dict[str, Any]:
    """The forest plot as a plain plotly dict: ``rows`` top to bottom, then the pooled diamonds.

    Built without plotly's per-element validation (the request path renders it as it is);
    :func:`build_forest_figure` validates exactly this dict for exports, and the unit tests
    check that both give the same JSON.
    """
    options = options or ForestOptions()
    theme = options.theme
    traces: list[dict[str, Any]] = []

    # y positions: rows from the top, a gap, pooled rows (+ a prediction-interval row each).
    layout_rows: list[tuple[float, str]] = []  # (y, tick label) for the y axis
    n_pooled_rows = sum(1 + (p.pi_lower is not None) for p in pooled)
    extra = 1 if options.heterogeneity_text else 0
    top = len(rows) + n_pooled_rows + extra + (1 if pooled else 0)
    header_y = top + 1.0
    low_log, high_log = _axis_range(rows, pooled)
    text_col_hr, text_col_n = 0.0, 0.78

    text_x: list[float] = []
    text_y: list[float] = []
    text_values: list[str] = []

    def add_text(x: float, y: float, value: str) -> None:
        text_x.append(x)
        text_y.append(y)
        text_values.append(value)

    add_text(text_col_hr, header_y, "<b>HR (CI, level as published)</b>")
    add_text(text_col_n, header_y, f"<b>{_e(options.n_header)}</b>")
    label_px = 0.0

    max_weight = max((r.weight_percent or 0.0 for r in rows), default=0.0) or 1.0
    short = distinct_labels([r.label for r in rows], LABEL_CHARS)
    for i, row in enumerate(rows):
        y = float(top - i)
        label, detail_text = short[i], clip(row.detail, DETAIL_CHARS)
        label_px = max(
            label_px,
            len(label) * CHAR_EM * theme.font_size,
            len(detail_text) * CHAR_EM * (theme.font_size - 2),
        )
        detail = ""
        if detail_text and options.show_detail:  # one line keeps rows readable on slides
            detail = f"<br><span style='font-size:{theme.font_size - 2}px;color:{MUTED}'>"
            detail += _e(detail_text) + "</span>"
        layout_rows.append((y, _e(label) + detail))
        add_text(text_col_n, y, _e(row.n_text))
        if row.hazard_ratio is None:
            add_text(text_col_hr, y, _e(row.status_text or "not reported"))
            continue
        value_text = hr_text(row.hazard_ratio, row.ci_lower, row.ci_upper, row.ci_level_percent)
        add_text(text_col_hr, y, _e(value_text))
        if not row.pooled:
            value_text += " · not pooled"
        has_ci = row.ci_lower is not None and row.ci_upper is not None
        if row.pooled and row.weight_percent is not None:
            size = theme.marker_size + 10.0 * math.sqrt(row.weight_percent / max_weight)
        else:
            size = theme.marker_size + 2.0
        symbol = "square" if row.pooled else ("square-open" if has_ci else "diamond-open")
        error_x = None
        if row.ci_lower is not None and row.ci_upper is not None:
            error_x = {
                "type": "data",
                "symmetric": False,
                "array": [row.ci_upper - row.hazard_ratio],
                "arrayminus": [row.hazard_ratio - row.ci_lower],
                "color": row.colour,
                "thickness": theme.line_width * 0.8,
                "width": 0,
            }
        hover = _e(f"{row.label} — {row.detail}: {value_text}")
        if row.note:
            hover += "<br>" + _e(row.note)
        trace: dict[str, Any] = {
            "type": "scatter",
            "x": [row.hazard_ratio],
            "y": [y],
            "mode": "markers",
            "name": _e(row.label),
            "marker": {
                "symbol": symbol,
                "size": size,
                "color": row.colour,
                "line": {"color": row.colour, "width": 1.5},
            },
            "showlegend": False,
            "hovertemplate": hover + "<extra></extra>",
            "meta": {"row": row.key, "ci_level_percent": row.ci_level_percent},
        }
        if error_x is not None:
            trace["error_x"] = error_x
        traces.append(trace)

    y = float(top - len(rows) - 1)
    for summary in pooled:
        label = _e(summary.label)
        layout_rows.append((y, f"<b>{label}</b>"))
        ci_text = hr_text(
            summary.hazard_ratio,
            summary.ci_lower,
            summary.ci_upper,
            summary.ci_level_percent,
            decimals=2,
        )
        add_text(text_col_hr, y, f"<b>{_e(ci_text)}</b>")
        half = 0.32
        traces.append(
            {
                "type": "scatter",
                "x": [
                    summary.ci_lower,
                    summary.hazard_ratio,
                    summary.ci_upper,
                    summary.hazard_ratio,
                    summary.ci_lower,
                ],
                "y": [y, y + half, y, y - half, y],
                "mode": "lines",
                "fill": "toself",
                "fillcolor": summary.fill,
                "line": {"color": summary.fill, "width": 1},
                "name": label,
                "showlegend": False,
                "hovertemplate": f"{label}: {_e(ci_text)}<extra></extra>",
                "meta": {"pooled": summary.key, "ci_level_percent": summary.ci_level_percent},
            }
        )
        y -= 1.0
        if summary.pi_lower is not None and summary.pi_upper is not None:
            pi_label = "Prediction interval"
            layout_rows.append((y, f"<span style='color:{MUTED}'>{pi_label}</span>"))
            pi_text = (
                f"{format_hr(summary.pi_lower, 2)}–{format_hr(summary.pi_upper, 2)}, "
                f"{format_level(summary.pi_level_percent)} PI"
            )
            if summary.pi_note:
                pi_text += f" ({summary.pi_note})"
            add_text(text_col_hr, y, _e(pi_text))
            traces.append(
                {
                    "type": "scatter",
                    "x": [summary.pi_lower, summary.pi_upper],
                    "y": [y, y],
                    "mode": "lines+markers",
                    "line": {
                        "color": summary.fill,
                        "width": theme.line_width * 0.7,
                        "dash": "dot",
                    },
                    "marker": {"symbol": "line-ns-open", "size": 10, "color": summary.fill},
                    "name": pi_label,
                    "showlegend": False,
                    "hovertemplate": f"{pi_label}: {_e(pi_text)}<extra></extra>",
                    "meta": {"prediction_interval": summary.key},
                }
            )
            y -= 1.0
    if options.heterogeneity_text:
        layout_rows.append((y, "<b>Heterogeneity</b>"))
        add_text(text_col_hr, y, _e(options.heterogeneity_text))
        y -= 1.0
    bottom = y + 0.5

    # Reference line at HR = 1 as a trace (data coordinates are unambiguous on a log axis).
    traces.append(
        {
            "type": "scatter",
            "x": [1.0, 1.0],
            "y": [bottom, top + 0.5],
            "mode": "lines",
            "line": {"color": MUTED, "width": 1, "dash": "dash"},
            "name": REFERENCE_LINE_NAME,
            "showlegend": False,
            "hoverinfo": "skip",
        }
    )
    traces.append(
        {
            "type": "scatter",
            "x": [0.97, 1.03],
            "y": [header_y, header_y],
            "mode": "text",
            "text": [
                _two_lines(options.favours_left, left_arrow=True),
                _two_lines(options.favours_right, left_arrow=False),
            ],
            "textposition": ["middle left", "middle right"],
            "textfont": {"size": theme.font_size - 1, "color": MUTED},
            "showlegend": False,
            "hoverinfo": "skip",
            "name": "favours",
            "cliponaxis": True,
        }
    )
    traces.append(text_column(text_x, text_y, text_values, theme, name="forest text"))

    tick_values = _ticks(low_log, high_log)
    layout: dict[str, Any] = dict(
        xaxis=value_axis(
            type="log",
            domain=list(FOREST_DOMAIN),
            range=[low_log, high_log],
            tickvals=tick_values,
            ticktext=[f"{t:g}" for t in tick_values],
            title={"text": _e(options.x_label)},
        ),
        xaxis2=text_column_axis(TEXT_DOMAIN),
        yaxis={
            "range": [bottom, header_y + 0.9],
            "tickvals": [r[0] for r in layout_rows],
            "ticktext": [r[1] for r in layout_rows],
            "showgrid": False,
            "zeroline": False,
            # A fixed margin from the label lengths (not automargin): the export scales it with
            # the fonts and wraps the footnote to the width that is left.
            "automargin": False,
            "fixedrange": True,
        },
    )

    title_parts = []
    if options.title:
        title_parts.append(_e(options.title))
    if options.warning:
        title_parts.append(f"<span style='color:#cf222e'><b>{_e(options.warning)}</b></span>")
    bottom_margin = dress_layout(
        layout, theme, title="<br>".join(title_parts), footnote=options.footnote, bottom_px=60
    )
    layout["showlegend"] = False
    layout["margin"] = {
        "l": round(min(560.0, max(140.0, label_px + 16))),
        "r": 20,
        "t": 40 + 26 * len(title_parts),
        "b": bottom_margin,
    }
    layout["hovermode"] = "closest"
    layout["template"] = plotly_template()
    return {"data": traces, "layout": layout}


def figure_height_px(n_rows: int) -> int:
    """A screen height that keeps rows readable (about 38 px each, at least 360 px)."""
    return max(360, 150 + 38 * n_rows)
