"""Response view: ORR, DCR and CR rate per arm with exact intervals, as the sources print them.

The view model (state, rows, interval checks) is :mod:`analysis.views.response`; this package
only renders it: ``layout`` (page), ``callbacks`` (validate, memoised model, render),
``figure`` (model -> chart rows and dict, colours per arm), ``tables`` (table, caption) and
``export`` (export bundle and CSV rows).
"""

from __future__ import annotations

from components.response.callbacks import register_callbacks
from components.response.export import CSV_COLUMNS, export_bundle, export_title, figure_for
from components.response.layout import layout

__all__ = [
    "CSV_COLUMNS",
    "export_bundle",
    "export_title",
    "figure_for",
    "layout",
    "register_callbacks",
]
