"""Markup as the plain data Dash sends for it.

Dash serialises every component to ``{"type", "namespace", "props"}``; building those
dictionaries directly (:func:`el`) skips the component constructors and their per-object
serialisation, which were most of the Survival callback's time for a few hundred table cells.
:func:`to_wire` converts component trees made elsewhere (provenance captions, alerts) once, so a
memoised result is plain dicts and lists that the JSON encoder's C path writes directly. The
browser receives exactly what it would have received for the components.
"""

from __future__ import annotations

from typing import Any

from dash.development.base_component import Component

HTML = "dash_html_components"
MANTINE = "dash_mantine_components"


def to_wire(value: Any) -> Any:
    """``value`` with every component replaced by its serialised form (recursively). Markup
    made by :func:`el` is already in that form and is returned as it is."""
    if isinstance(value, Component):
        wire = value.to_plotly_json()
        wire["props"] = {k: to_wire(v) for k, v in wire["props"].items()}
        return wire
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    if isinstance(value, dict) and not ("namespace" in value and "props" in value):
        return {k: to_wire(v) for k, v in value.items()}
    return value


def el(tag: str, children: Any = None, namespace: str = HTML, **props: Any) -> dict[str, Any]:
    """One element, e.g. ``el("Td", "12.1", className="escc-value")``; ``aria-*`` and
    ``data-*`` props go in as ``**{"aria-hidden": "true"}``."""
    if children is not None:
        props["children"] = to_wire(children)
    return {"type": tag, "namespace": namespace, "props": props}
