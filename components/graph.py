"""The one place where ``dcc.Graph`` is created.

Every chart in the app goes through :func:`graph`, so the plotly configuration is set once:
no "Share chart"/send-to-cloud button (plotly 7 would upload the figure to a third-party
service), no plotly logo or "Edit in Chart Studio" link, and an image-download button that
produces a 16:9 slide-sized PNG. A test scans the source tree for other ``dcc.Graph(`` calls.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import dcc

# 1600 x 900 at scale 2 gives a 3200 x 1800 PNG: sharp on a 16:9 slide projected at 4K.
SLIDE_WIDTH_PX = 1600
SLIDE_HEIGHT_PX = 900
SLIDE_SCALE = 2


def graph_config(filename: str = "escc-chart") -> dict[str, Any]:
    """Plotly config for every graph; ``filename`` names the modebar PNG download."""
    return {
        "displaylogo": False,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "showLink": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"],
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "width": SLIDE_WIDTH_PX,
            "height": SLIDE_HEIGHT_PX,
            "scale": SLIDE_SCALE,
        },
    }


def graph(
    component_id: str | dict[str, Any],
    figure: go.Figure | dict[str, Any] | None = None,
    *,
    filename: str = "escc-chart",
    height: str | None = "560px",
    **kwargs: Any,
) -> dcc.Graph:
    """A ``dcc.Graph`` with the house config. Extra keyword arguments go to ``dcc.Graph``.

    ``height=None`` lets the figure's own ``layout.height`` decide (charts whose height grows
    with their content, such as KM curves with an at-risk table).
    """
    if "config" in kwargs:
        raise TypeError("graph(): the plotly config is fixed here; do not pass config=")
    return dcc.Graph(
        id=component_id,
        figure=figure if figure is not None else go.Figure(),
        config=graph_config(filename),
        style={"height": height} if height is not None else {},
        **kwargs,
    )
