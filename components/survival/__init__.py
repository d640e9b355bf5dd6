"""Survival view panel: Kaplan–Meier curves reconstructed from the publications, across trials.

The view model (state, rules, statistics, CSV rows) is :mod:`analysis.views.survival`; this
package only renders it:

* :mod:`.layout` — the page and its controls (state from the URL, validated once);
* :mod:`.callbacks` — validate inputs, get the model from the app's memo, render;
* :mod:`.tables` — results tables, arms not shown, caption;
* :mod:`.fidelity` — each curve's grade badge and the published-vs-reconstructed check it opens;
* :mod:`.figure` — model to KM chart inputs; screen dict and export figure; footnote;
* :mod:`.export` — the export bundle (figure, footnote, CSV rows, IPD) from a URL query.
"""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import html

from components import ids
from components.survival.callbacks import register_callbacks
from components.survival.export import export_bundle, export_title, figure_for
from components.survival.layout import layout
from data import Registry


def validation_components(_registry: Registry) -> list[Any]:
    """One instance of each pattern-matching component the results callback makes (a fidelity
    badge's button and its popover body), for the app's validation layout."""
    example = "validation"
    return [
        dmc.Button(id={"type": ids.SURVIVAL_FIDELITY, "curve": example}),
        html.Div(id={"type": ids.SURVIVAL_FIDELITY_BODY, "curve": example}),
    ]


__all__ = [
    "export_bundle",
    "export_title",
    "figure_for",
    "layout",
    "register_callbacks",
    "validation_components",
]
