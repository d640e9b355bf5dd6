"""Everything the Indirect comparisons page shows for one view model, rendered once.

The page (first view) and the callback (every later one) take the same :class:`Rendered`
outputs, in the callback's output order, as plain data (memoisable; see
:func:`components.page.plain`), so the first view cannot differ from a recomputed one.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from analysis.views.indirect import IndirectView
from components.indirect.figure import (
    forest_figure,
    forest_height,
    network_figure,
    network_height,
)
from components.indirect.tables import (
    caption,
    citations_list,
    excluded_block,
    heterogeneity_block,
    league_table,
    messages,
    p_score_table,
)
from components.page import plain
from data import Registry


class Rendered(NamedTuple):
    """The callback's outputs before the URL, in its order."""

    network_figure: Any
    network_style: Any
    reference_figure: Any
    reference_style: Any
    common_figure: Any
    common_style: Any
    common_section_style: Any
    reference_options: Any
    reference: Any
    messages: Any
    league: Any
    p_scores: Any
    heterogeneity: Any
    excluded: Any
    citations: Any
    caption: Any


def reference_data(view: IndirectView) -> list[dict[str, Any]]:
    """Reference options: the analysed part's regimens, then other parts (choosing one of them
    analyses that part instead)."""
    groups: dict[int, list[dict[str, str]]] = {}
    for node in view.nodes:
        groups.setdefault(node.component, []).append({"value": node.id, "label": node.label})
    return [
        {
            "group": "Analysed network" if part == 0 else f"Not connected (part {part})",
            "items": items,
        }
        for part, items in sorted(groups.items())
    ]


def render(registry: Registry, view: IndirectView) -> Rendered:
    """The outputs for a model, as plain data (memoisable)."""
    same = view.reference == view.common_node
    out = (
        network_figure(view),
        {"height": network_height(view)},
        forest_figure(registry, view, "reference"),
        {"height": forest_height(view, "reference")},
        forest_figure(registry, view, "common"),
        {"height": forest_height(view, "common")},
        {"display": "none"} if same else {},
        reference_data(view),
        view.reference,
        messages(view),
        league_table(view),
        p_score_table(view),
        heterogeneity_block(view),
        excluded_block(view),
        citations_list(registry, view),
        caption(registry, view),
    )
    return Rendered(*(plain(o) for o in out))
