"""Plain-dict figure helpers: subplot grids and the plotly template without ``graph_objects``.

Building a figure through ``plotly.graph_objects`` validates every property of every trace as
it is set; for the Safety and Response charts that was most of a callback's time (41–86 ms
per call, issue 11), although the builders only ever set valid properties. Chart builders
therefore write the figure as a plain ``{"data": [...], "layout": {...}}`` dict — which Dash
and kaleido take as it is — and wrap it in ``go.Figure`` only where a figure object is wanted
(exports, tests). :func:`subplot_grid` lays axes out exactly as ``plotly.subplots.
make_subplots`` does (tests/unit/test_chart_plain.py compares the two), and :func:`template`
is the template a validated figure would carry, so both paths give the same JSON.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Sequence
from typing import Any

import plotly.io as pio

#: Subplot title font size ``make_subplots`` uses.
SUBPLOT_TITLE_SIZE = 16


@functools.lru_cache(maxsize=4)
def _template_dict(name: str) -> dict[str, Any]:
    return dict(json.loads(pio.json.to_json_plotly(pio.templates[name].to_plotly_json())))


def template() -> dict[str, Any]:
    """The default plotly template as a plain dict (a fresh copy: callers may change it)."""
    return copy.deepcopy(_template_dict(str(pio.templates.default)))


def axis_names(index: int) -> tuple[str, str]:
    """``("x", "y")`` for subplot 1, ``("x2", "y2")`` for subplot 2, … (row-major order)."""
    suffix = "" if index == 1 else str(index)
    return f"x{suffix}", f"y{suffix}"


def subplot_grid(
    rows: int,
    cols: int,
    *,
    horizontal_spacing: float,
    vertical_spacing: float,
    titles: Sequence[str] = (),
    shared_yaxes: bool = False,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Axes and subplot-title annotations of a ``rows`` x ``cols`` grid, numbered row-major
    from the top left, with the arithmetic of ``make_subplots`` (same floats). With
    ``shared_yaxes`` every row's y axes match the row's first one and only it shows tick
    labels."""
    widths = [(1.0 - horizontal_spacing * (cols - 1)) / cols] * cols
    heights = [(1.0 - vertical_spacing * (rows - 1)) / rows] * rows
    starts_x = [sum(widths[:c]) + c * horizontal_spacing for c in range(cols)]
    # make_subplots counts rows from the top: the first row starts highest.
    row_order = range(rows)[::-1]
    starts_y = [sum(heights[:r]) + r * vertical_spacing for r in row_order]
    axes: dict[str, Any] = {}
    domains: list[tuple[list[float], list[float]]] = []
    for r in range(rows):
        y_domain = [_clamp(starts_y[r]), _clamp(starts_y[r] + heights[-1 - r])]
        for c in range(cols):
            x_domain = [starts_x[c], starts_x[c] + widths[c]]
            x_name, y_name = axis_names(r * cols + c + 1)
            axes[x_name.replace("x", "xaxis", 1)] = {"anchor": y_name, "domain": x_domain}
            y_axis: dict[str, Any] = {"anchor": x_name, "domain": y_domain}
            if shared_yaxes and c > 0:
                y_axis["matches"] = axis_names(r * cols + 1)[1]
                y_axis["showticklabels"] = False
            axes[y_name.replace("y", "yaxis", 1)] = y_axis
            domains.append((x_domain, y_domain))
    annotations = [
        {
            "font": {"size": SUBPLOT_TITLE_SIZE},
            "showarrow": False,
            "text": text,
            "x": sum(x_domain) / 2.0,
            "xanchor": "center",
            "xref": "paper",
            "y": y_domain[1],
            "yanchor": "bottom",
            "yref": "paper",
        }
        for text, (x_domain, y_domain) in zip(titles, domains, strict=False)
        if text
    ]
    return axes, annotations


def _clamp(value: float) -> float:
    """``make_subplots`` snaps a domain end within 0.01 outside [0, 1] back to the edge."""
    return min(1.0, max(0.0, value))


def cell_axes(
    layout: dict[str, Any], row: int, col: int, cols: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (x axis, y axis) dicts of the subplot at 1-based ``row``, ``col``."""
    x_name, y_name = axis_names((row - 1) * cols + col)
    return layout[x_name.replace("x", "xaxis", 1)], layout[y_name.replace("y", "yaxis", 1)]
