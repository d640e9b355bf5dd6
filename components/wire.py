"""Markup as the plain data Dash sends for it.

Dash serialises every component to ``{"type", "namespace", "props"}``. Its own
``Component.to_plotly_json`` asks ``hasattr`` of every property name the component could have
(dash-mantine components have 50-150) and tests every attribute against the wildcard prefixes
in a Python generator; under load (issue 11, session 5) that was a fifth of a worker's time.
:func:`to_wire` gives the same dictionaries — same keys, same order — from the component's
attributes directly, so a tree converted once (a memoised page or result) is plain dicts and
lists that the JSON encoder's C path writes without calling back into Python.
:func:`el` builds one element in that form directly, skipping the component constructor.
``tests/unit/test_wire.py`` checks :func:`to_wire` against ``to_plotly_json`` on every
component of every page the app renders.
"""

from __future__ import annotations

from typing import Any

from dash.development.base_component import Component

HTML = "dash_html_components"
MANTINE = "dash_mantine_components"

_STOCK = Component.to_plotly_json
#: Values that are their own serialised form (exact types: subclasses go the long way).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _wire_of(value: Component) -> dict[str, Any]:
    """``value.to_plotly_json()`` with its property values converted too."""
    if type(value).to_plotly_json is not _STOCK:  # a component that serialises itself
        wire: dict[str, Any] = value.to_plotly_json()
        wire["props"] = {k: to_wire(v) for k, v in wire["props"].items()}
        return wire
    attrs = value.__dict__
    # Component.to_plotly_json: the set properties in declaration order, then the wildcard
    # (data-*, aria-*) attributes in the order they were set.
    props = {name: to_wire(attrs[name]) for name in value._prop_names if name in attrs}
    wildcards = tuple(value._valid_wildcard_attributes)
    for name, item in attrs.items():
        if name.startswith(wildcards):
            props[name] = to_wire(item)
    return {"props": props, "type": value._type, "namespace": value._namespace}


def to_wire(value: Any) -> Any:
    """``value`` with every component replaced by its serialised form, at any depth (also
    inside markup already in that form, whose children may still be components); tuples
    become lists, as in JSON."""
    if isinstance(value, Component):
        return _wire_of(value)
    if isinstance(value, list | tuple):
        # Figures hold long lists of numbers: no call per number.
        return [v if type(v) in _SCALARS else to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: v if type(v) in _SCALARS else to_wire(v) for k, v in value.items()}
    return value


def el(tag: str, children: Any = None, namespace: str = HTML, **props: Any) -> dict[str, Any]:
    """One element, e.g. ``el("Td", "12.1", className="escc-value")``; ``aria-*`` and
    ``data-*`` props go in as ``**{"aria-hidden": "true"}``."""
    if children is not None:
        props["children"] = _children(children)
    return {"type": tag, "namespace": namespace, "props": props}


def _children(value: Any) -> Any:
    """Children for :func:`el`: components converted; elements made by :func:`el` (whose own
    children were converted when they were made) kept as they are, so nested markup is not
    walked again at every level."""
    if isinstance(value, Component):
        return _wire_of(value)
    if isinstance(value, list | tuple):
        return [v if type(v) in _SCALARS or _is_element(v) else _children(v) for v in value]
    if isinstance(value, dict) and not _is_element(value):
        return to_wire(value)
    return value


def _is_element(value: object) -> bool:
    return type(value) is dict and "namespace" in value and "props" in value
