"""The Subgroups & forest panel (thin: state, rules and models live in
:mod:`analysis.views.forest`).

* :mod:`.layout` — the page for a URL query;
* :mod:`.callbacks` — one callback: validate once (``SPEC.from_inputs``), model from the
  app-scoped memo, render;
* :mod:`.tables`, :mod:`.figure`, :mod:`.seeds` — rendering of the model;
* :mod:`.export` — the export bundle (``SPEC.from_query`` once, model, validated figure, CSV).
"""

from __future__ import annotations

from components.forest.callbacks import register_callbacks
from components.forest.export import export_bundle, export_title
from components.forest.layout import layout

__all__ = ["export_bundle", "export_title", "layout", "register_callbacks"]
