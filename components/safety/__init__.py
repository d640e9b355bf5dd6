"""Safety view: adverse events across regimens by harmonised term, with the definitions and
denominators of every number visible and "not reported" shown as such.

The view model (state, rules, tables) is :mod:`analysis.views.safety`; this package only
renders it: ``layout`` (page), ``callbacks`` (validate, memoised model, render), ``figure``
(model -> AE chart dicts), ``tables`` (table, definitions, caption) and ``export`` (export
bundle and CSV rows).
"""

from __future__ import annotations

from components.safety.callbacks import register_callbacks
from components.safety.export import CSV_COLUMNS, export_bundle, export_title, figure_for
from components.safety.layout import layout

__all__ = [
    "CSV_COLUMNS",
    "export_bundle",
    "export_title",
    "figure_for",
    "layout",
    "register_callbacks",
]
