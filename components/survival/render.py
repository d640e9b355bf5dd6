"""Dash components as the plain data Dash sends for them.

A component tree is converted once (:func:`to_wire`) into the ``{"type", "namespace",
"props"}`` dictionaries Dash itself serialises it to, so a memoised result costs neither the
components' construction nor their per-object serialisation again: the JSON encoder's C path
writes plain dicts and lists directly. The browser receives exactly what it would have received
for the components.
"""

from __future__ import annotations

from typing import Any

from dash.development.base_component import Component


def to_wire(value: Any) -> Any:
    """``value`` with every component replaced by its serialised form (recursively)."""
    if isinstance(value, Component):
        wire = value.to_plotly_json()
        wire["props"] = {k: to_wire(v) for k, v in wire["props"].items()}
        return wire
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    return value
