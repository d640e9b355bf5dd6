"""Dot-and-whisker chart of response rates (ORR, DCR, CR rate) per arm (pure builder, no dash).

Clinical conventions, set once here:

* rates in percent on a 0–100 % axis; one row per arm × population × analysis, grouped
  (chemo-free regimens first, then chemo-containing), each group under a bold header row;
* the whisker is the exact Clopper–Pearson interval when the source prints the counts (filled
  dot), the interval **as printed** when it does not (open dot, "CI as printed"), and absent when
  neither is available (open diamond); rows that are not reported are text only, never a 0;
* the level of every interval is written on its row (95 % unless the source says otherwise);
* colours per arm come from the caller (stable across views);
* all text is escaped for plotly's HTML subset; an optional footnote is drawn inside the figure
  (``name="footnote"``) so exported images carry their sources.

:func:`response_figure_dict` writes the figure as a plain dict (no ``graph_objects``
validation on the request path, see :mod:`components.charts.plain`);
:func:`build_response_figure` validates the same dict for exports and tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from components.charts.forest import clip
from components.charts.labels import distinct_labels
from components.charts.plain import template
from components.charts.theme import (
    MUTED,
    SCREEN,
    ChartTheme,
    dress_layout,
    escape_plotly_text,
    text_column,
    text_column_axis,
    value_axis,
)

CI_FROM_COUNTS = "Clopper–Pearson from counts"
CI_AS_PRINTED = "CI as printed"
PLOT_DOMAIN = (0.0, 0.56)
TEXT_DOMAIN = (0.58, 1.0)
LABEL_CHARS = 52  # longest row label kept (the shared part is cut; the table has them whole)
DETAIL_CHARS = 64
CHAR_EM = 0.6  # average glyph width of the chart font, in em


@dataclass(frozen=True)
class ResponsePoint:
    """One row of the chart. ``rate_percent`` None means not reported (``status_text``)."""

    key: str
    label: str
    detail: str
    group: str
    colour: str
    rate_percent: float | None
    ci_lower_percent: float | None = None
    ci_upper_percent: float | None = None
    ci_level_percent: float | None = None
    ci_source: str | None = None  # CI_FROM_COUNTS | CI_AS_PRINTED | None
    count_text: str = "counts not reported"
    status_text: str | None = None
    flag: str | None = None


@dataclass(frozen=True)
class ResponseOptions:
    measure_label: str = "Objective response rate"
    title: str | None = None
    show_detail: bool = False  # second label line (else the detail is in the hover only)
    footnote: str | None = None
    theme: ChartTheme = SCREEN


def _e(text: str) -> str:
    return escape_plotly_text(text)


def short_rate_text(point: ResponsePoint) -> str:
    """Text column: "72.0% (57.5–83.8)", "+ as printed", the level if not 95 %, ⚠ on a flag."""
    if point.rate_percent is None:
        return "not reported"
    text = f"{point.rate_percent:.1f}%"
    if point.ci_lower_percent is not None and point.ci_upper_percent is not None:
        text += f" ({point.ci_lower_percent:.1f}–{point.ci_upper_percent:.1f})"
        if point.ci_level_percent is not None and point.ci_level_percent != 95.0:
            text += f" {point.ci_level_percent:g}% CI"
        if point.ci_source == CI_AS_PRINTED:
            text += " as printed"
    else:
        text += " (no CI)"
    if point.flag:
        text += " ⚠"
    return text


def rate_text(point: ResponsePoint) -> str:
    """Hover text: "72.0% (57.5–83.8), 95% CI, Clopper–Pearson from counts" or why missing."""
    if point.rate_percent is None:
        return point.status_text or "not reported"
    text = f"{point.rate_percent:.1f}%"
    if point.ci_lower_percent is not None and point.ci_upper_percent is not None:
        level = "level not printed"
        if point.ci_level_percent is not None:
            level = f"{point.ci_level_percent:g}% CI"
        text += f" ({point.ci_lower_percent:.1f}–{point.ci_upper_percent:.1f}), {level}"
        if point.ci_source:
            text += f", {point.ci_source}"
    else:
        text += " (no CI)"
    return text


def response_figure_dict(
    points: Sequence[ResponsePoint], options: ResponseOptions | None = None
) -> dict[str, Any]:
    """Rows top to bottom in the given order; a header row before each new ``group``."""
    options = options or ResponseOptions()
    theme = options.theme
    data: list[dict[str, Any]] = []
    groups: list[str] = []
    for point in points:
        if point.group not in groups:
            groups.append(point.group)
    total = len(points) + len(groups)
    y = float(total)
    ticks: list[tuple[float, str]] = []
    text_x: list[float] = []
    text_y: list[float] = []
    text_values: list[str] = []
    header_y = y + 1.0
    text_x += [0.0, 0.8]
    text_y += [header_y, header_y]
    text_values += [f"<b>{_e(options.measure_label)}</b>", "<b>n / N</b>"]

    label_px = 0.0
    short = dict(
        zip(
            (id(p) for p in points),
            distinct_labels([p.label for p in points], LABEL_CHARS),
            strict=True,
        )
    )
    for group in groups:
        ticks.append((y, f"<b>{_e(group)}</b>"))
        y -= 1.0
        for point in (p for p in points if p.group == group):
            label, detail_text = short[id(point)], clip(point.detail, DETAIL_CHARS)
            label_px = max(
                label_px,
                len(label) * CHAR_EM * theme.font_size,
                len(detail_text) * CHAR_EM * (theme.font_size - 2),
            )
            detail = ""
            if detail_text and options.show_detail:  # one line keeps slides readable
                detail = f"<br><span style='font-size:{theme.font_size - 2}px;color:{MUTED}'>"
                detail += _e(detail_text) + "</span>"
            ticks.append((y, _e(label) + detail))
            value = rate_text(point)
            if point.flag:
                value += f" ⚠ {point.flag}"
            text_x += [0.0, 0.8]
            text_y += [y, y]
            text_values += [_e(short_rate_text(point)), _e(point.count_text)]
            if point.rate_percent is not None:
                has_ci = point.ci_lower_percent is not None and point.ci_upper_percent is not None
                whisker: dict[str, Any] = {}
                if point.ci_lower_percent is not None and point.ci_upper_percent is not None:
                    whisker["error_x"] = {
                        "type": "data",
                        "symmetric": False,
                        "array": [point.ci_upper_percent - point.rate_percent],
                        "arrayminus": [point.rate_percent - point.ci_lower_percent],
                        "color": point.colour,
                        "thickness": theme.line_width * 0.8,
                        "width": 4,
                    }
                if point.ci_source == CI_FROM_COUNTS:
                    symbol = "circle"
                elif has_ci:
                    symbol = "circle-open"
                else:
                    symbol = "diamond-open"
                data.append(
                    {
                        "type": "scatter",
                        "x": [point.rate_percent],
                        "y": [y],
                        "mode": "markers",
                        "marker": {
                            "symbol": symbol,
                            "size": theme.marker_size + 3,
                            "color": point.colour,
                            "line": {"color": point.colour, "width": 2},
                        },
                        **whisker,
                        "name": _e(point.label),
                        "showlegend": False,
                        "hovertemplate": _e(f"{point.label} — {point.detail}: {value}")
                        + "<extra></extra>",
                        "meta": {"row": point.key, "ci_source": point.ci_source},
                    }
                )
            y -= 1.0

    data.append(text_column(text_x, text_y, text_values, theme, name="response text"))
    layout: dict[str, Any] = dict(
        xaxis=value_axis(
            domain=list(PLOT_DOMAIN),
            range=[0, 101],
            ticksuffix="%",
            dtick=20,
            title={"text": _e(options.measure_label) + " (%)"},
        ),
        xaxis2=text_column_axis(TEXT_DOMAIN),
        yaxis={
            "range": [y + 0.5, header_y + 0.6],
            "tickvals": [t[0] for t in ticks],
            "ticktext": [t[1] for t in ticks],
            "showgrid": False,
            "zeroline": False,
            # A fixed margin from the label lengths (not automargin): the export scales it with
            # the fonts and wraps the footnote to the width that is left.
            "automargin": False,
            "fixedrange": True,
        },
    )
    title = _e(options.title) if options.title else None
    bottom_margin = dress_layout(
        layout, theme, title=title, footnote=options.footnote, bottom_px=60
    )
    layout.update(
        showlegend=False,
        margin={
            "l": round(min(560.0, max(140.0, label_px + 16))),
            "r": 20,
            "t": 60 if options.title else 30,
            "b": bottom_margin,
        },
        hovermode="closest",
        template=template(),
    )
    return {"data": data, "layout": layout}


def build_response_figure(
    points: Sequence[ResponsePoint], options: ResponseOptions | None = None
) -> go.Figure:
    """The same figure, validated (exports and tests)."""
    return go.Figure(response_figure_dict(points, options))


def figure_height_px(n_rows: int) -> int:
    """Screen height for ``n_rows`` rows (group headers included), at least 320 px."""
    return max(320, 130 + 40 * n_rows)
