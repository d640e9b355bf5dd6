"""Everything the forest page shows for one view model, rendered once.

The page (first view) and the callback (every later one) take the same :class:`Rendered`
outputs, in the callback's output order, so the first view cannot differ from a recomputed one.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from analysis.views.forest import ForestModel
from components.forest.figure import forest_figure, forest_height
from components.forest.tables import (
    caption,
    interaction_table,
    loo_table,
    messages,
    pooled_table,
    rows_table,
)
from data import Registry


class Rendered(NamedTuple):
    """The callback's outputs before the URL, in its order."""

    figure: Any
    style: Any
    caption: Any
    table: Any
    pooled: Any
    loo: Any
    interaction: Any
    messages: Any


def render(registry: Registry, model: ForestModel) -> Rendered:
    """The outputs for a model (components; the callback memoises them as plain data)."""
    return Rendered(
        forest_figure(registry, model),
        {"height": forest_height(model)},
        caption(registry, model),
        rows_table(registry, model),
        pooled_table(model),
        loo_table(model),
        interaction_table(model),
        messages(model),
    )
