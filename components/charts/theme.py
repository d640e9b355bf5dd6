"""Visual conventions shared by every chart builder (no dash imports here).

Arm colours come from :mod:`components.charts.palette` (distinct under the common colour-vision
deficiencies). Arms keep the same colour in every view because the colour is assigned from the
arm's position in the registry, not from the order of the current selection.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from components.charts.palette import ARM_DASHES, look_for

# Colours and second cues per arm live in components.charts.palette (one module for every view).
DASHES: tuple[str, ...] = ARM_DASHES

FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


@dataclass(frozen=True)
class ChartTheme:
    """Sizes for one rendering target (screen, or slides for export)."""

    name: str
    font_size: int
    title_size: int
    line_width: float
    marker_size: int
    background: str

    def layout(self) -> dict[str, object]:
        return {
            "font": {"family": FONT_FAMILY, "size": self.font_size, "color": "#1f2328"},
            "title": {"font": {"size": self.title_size}},
            "paper_bgcolor": self.background,
            "plot_bgcolor": self.background,
            "hoverlabel": {"font": {"family": FONT_FAMILY}},
        }


SCREEN = ChartTheme(
    name="screen", font_size=13, title_size=16, line_width=2.0, marker_size=7, background="#ffffff"
)
PRESENTATION = ChartTheme(
    name="presentation",
    font_size=20,
    title_size=26,
    line_width=3.5,
    marker_size=11,
    background="#ffffff",
)


def colour_for(index: int) -> str:
    """Colour for the arm at ``index`` in the registry's stable arm order."""
    return look_for(index).colour


def dash_for(index: int) -> str:
    return look_for(index).dash


def colour_map(keys: Sequence[str]) -> dict[str, str]:
    """Stable colours for an ordered, complete list of keys (e.g. every arm in the registry)."""
    return {key: colour_for(i) for i, key in enumerate(keys)}


#: The muted grey of axis lines, footnotes and secondary text in every chart.
MUTED = "#57606a"
#: Light grid lines.
GRID_COLOUR = "#eaeef2"
FOOTNOTE_COLOUR = MUTED
FOOTNOTE_LINE_PX = 16


def footnote_annotation(
    text: str, theme: ChartTheme, bottom_px: float, *, scale: float = 1.0
) -> tuple[dict[str, object], float]:
    """The in-figure footnote (sources, caveats, data version) under a chart.

    Returns the annotation and the bottom margin grown to hold it (``bottom_px`` is the margin
    the chart needs without a footnote). Lines are separated by ``<br>``. The export layer
    recognises the annotation by its name and re-fits it to the image size.
    """
    lines = text.count("<br>") + 1
    bottom = bottom_px + FOOTNOTE_LINE_PX * scale * lines + 10
    annotation: dict[str, object] = {
        "name": "footnote",
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 0,
        "yshift": -bottom + 8 * scale,
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
        "align": "left",
        "font": {"size": max(9, theme.font_size - 3), "color": FOOTNOTE_COLOUR},
    }
    return annotation, bottom


def dress_layout(
    layout: dict[str, Any],
    theme: ChartTheme,
    *,
    title: str | None,
    footnote: str | None,
    bottom_px: int,
) -> int:
    """The parts every chart's layout takes alike: the footnote under the chart
    (:func:`footnote_annotation`, added to the layout's annotations), the theme's fonts and
    colours, and the title (already escaped) top left, or no title at all. Returns the bottom
    margin, grown to hold the footnote."""
    if footnote:
        note, grown = footnote_annotation(footnote, theme, bottom_px)
        layout.setdefault("annotations", []).append(note)
        bottom_px = int(grown)
    layout.update(theme.layout())
    if title:
        layout["title"] = {"text": title, "x": 0.01, "font": {"size": theme.title_size}}
    else:
        layout.pop("title", None)
    return bottom_px


def value_axis(**keys: Any) -> dict[str, Any]:
    """A chart's value axis (HR, per cent): the keys that differ by chart first, then the
    look the forest and response charts share: an axis line, light grid, no zero line, and no
    zoom (``fixedrange``: clinicians read these charts, they do not explore them)."""
    return {
        **keys,
        "showline": True,
        "linecolor": MUTED,
        "gridcolor": GRID_COLOUR,
        "zeroline": False,
        "fixedrange": True,
    }


def text_column_axis(domain: Sequence[float]) -> dict[str, Any]:
    """The hidden second x-axis that :func:`text_column` draws on: 0–1 across ``domain``,
    sharing the rows' y-axis."""
    return {
        "domain": list(domain),
        "range": [0.0, 1.0],
        "visible": False,
        "anchor": "y",
        "fixedrange": True,
    }


def percent_bar_axes(
    x_axis: dict[str, Any],
    y_axis: dict[str, Any],
    *,
    top: float,
    ticks: Sequence[float],
    rows: Sequence[str],
    **y_keys: Any,
) -> None:
    """Per-cent bars across, one category per row down (first row at the top): the axes of
    both adverse-event bar charts, set on a cell's ``x_axis``/``y_axis`` in place. The x range
    runs past 100 % (``top``) to leave room for the value labels outside the bars."""
    x_axis.update(
        range=[0, top],
        tickvals=list(ticks),
        ticksuffix="%",
        gridcolor=GRID_COLOUR,
        zeroline=True,
        zerolinecolor=MUTED,
        fixedrange=True,
    )
    y_axis.update(
        type="category",
        categoryorder="array",
        categoryarray=list(reversed(rows)),
        fixedrange=True,
        **y_keys,
    )


def text_column(
    x: Sequence[float], y: Sequence[float], text: Sequence[str], theme: ChartTheme, *, name: str
) -> dict[str, Any]:
    """The text table beside a chart (estimates and intervals per row), drawn left-aligned at
    ``(x, y)`` on the second x-axis: no legend entry, no hover."""
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "text",
        "text": text,
        "textposition": "middle right",
        "textfont": {"size": theme.font_size - 1},
        "xaxis": "x2",
        "showlegend": False,
        "hoverinfo": "skip",
        "name": name,
        "cliponaxis": True,
    }


def escape_plotly_text(text: str) -> str:
    """Escape ``& < >`` so plotly draws the text literally (it parses a subset of HTML)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@functools.lru_cache(maxsize=4)
def _template_json(name: str) -> str:
    import plotly.io as pio  # noqa: PLC0415 - loaded on the first figure, not at import

    return str(pio.json.to_json_plotly(pio.templates[name].to_plotly_json()))


def plotly_template(
    name: str | None = None, trace_types: Collection[str] | None = None
) -> dict[str, Any]:
    """The plotly template a validated figure would carry (default: plotly's current default),
    for figures built as plain dicts, so both paths look the same; a fresh copy each time, so
    callers may modify their figure.

    ``trace_types`` keeps only the trace defaults of those types (``template.data``): the
    defaults of a type the figure does not draw change nothing on it, and the full set is
    ~4 KB of every response (issue 11: survival response <= 100 KB)."""
    if name is None:
        import plotly.io as pio  # noqa: PLC0415

        name = str(pio.templates.default)
    template = dict(json.loads(_template_json(name)))
    if trace_types is not None and isinstance(template.get("data"), dict):
        template["data"] = {k: v for k, v in template["data"].items() if k in trace_types}
    return template
