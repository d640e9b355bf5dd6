"""The traces of the adverse-event heatmap, for the screen chart and for deck slides.

One cell grid (rows = terms, columns = arms) is drawn the same way wherever it appears: a
heatmap of the percentages on a fixed 0–100 % scale, and every not-reported cell as a grey
hatched square with its label in the middle (never a colour of the scale). The screen chart
(:func:`components.charts.adverse_events.heatmap_figure_dict`) hovers each cell; the slides
(:mod:`components.export.slide_heatmap`) draw the same grid cut into parts, larger and without
hover. Pure: plain plotly dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from components.charts.ae_labels import HOVER

#: Colour scale of the percentage of patients, light (0 %) to dark (100 %).
HEAT_SCALE = (
    (0.0, "#f2f7fc"),
    (0.25, "#b7d4ea"),
    (0.5, "#6aaed6"),
    (0.75, "#2878b8"),
    (1.0, "#08306b"),
)
#: Fill and hatching of "not reported" (bars and heatmap cells alike).
NR_FILL = "rgba(175,184,193,0.45)"
NR_PATTERN = {"shape": "/", "fgcolor": "#6e7781", "bgcolor": "rgba(234,238,242,0.6)", "size": 6}
NR_TEXT_COLOUR = "#424a53"

Trace = dict[str, Any]


def heat_trace(
    z: Sequence[Sequence[float | None]],
    text: Sequence[Sequence[str]],
    *,
    columns: int,
    font_size: float,
    colorbar: Mapping[str, Any],
    name: object,
    meta: object,
    customdata: Sequence[Sequence[object]] | None = None,
) -> Trace:
    """The reported cells: ``z`` (``None`` = not reported, left as a gap) with ``text`` printed
    in each cell. With ``customdata`` each cell hovers its own text (:data:`HOVER`); without,
    the trace does not hover."""
    trace: Trace = {
        "type": "heatmap",
        "z": z,
        "x": list(range(columns)),
        "y": list(range(len(z))),
        "text": text,
        "texttemplate": "%{text}",
        "textfont": {"size": font_size},
        "colorscale": [list(stop) for stop in HEAT_SCALE],
        "zmin": 0,
        "zmax": 100,
        "xgap": 2,
        "ygap": 2,
    }
    if customdata is None:
        trace["hoverinfo"] = "skip"
    else:
        trace.update(customdata=customdata, hovertemplate=HOVER, hoverongaps=False)
    trace.update(colorbar=colorbar, name=name, meta=meta)
    return trace


def not_reported_traces(
    cells: Sequence[tuple[int, int]],
    labels: Sequence[str],
    *,
    font_size: float,
    hatch: Mapping[str, Any],
    text: Mapping[str, Any],
) -> list[Trace]:
    """The not-reported ``cells`` (column, row): one grey hatched square each (a single filled
    outline trace), and each cell's label (already escaped) in its middle. ``hatch`` and
    ``text`` add or override keys of the two traces (names, hover, meta, pattern size)."""
    if not cells:
        return []
    xs: list[float | None] = []
    ys: list[float | None] = []
    for x, y in cells:
        xs.extend([x - 0.5, x + 0.5, x + 0.5, x - 0.5, x - 0.5, None])
        ys.extend([y - 0.5, y - 0.5, y + 0.5, y + 0.5, y - 0.5, None])
    outline: Trace = {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "fill": "toself",
        "fillcolor": NR_FILL,
        "fillpattern": NR_PATTERN,
        "line": {"width": 0, "color": NR_FILL},
        "hoverinfo": "skip",
        "showlegend": False,
        **hatch,
    }
    middle: Trace = {
        "type": "scatter",
        "x": [x for x, _ in cells],
        "y": [y for _, y in cells],
        "mode": "text",
        "text": list(labels),
        "textfont": {"size": font_size, "color": NR_TEXT_COLOUR},
        "showlegend": False,
        "name": "not reported",
        **text,
    }
    return [outline, middle]
