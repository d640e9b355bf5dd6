"""Light markup: HTML elements as the plain data Dash sends to the browser.

A Dash component validates every property when it is constructed and is turned into plain data
again when the response is serialised; for a result table of a few hundred cells that costs
tens of milliseconds per request (profiled: ~0.2 ms to build and ~0.3 ms to serialise each
``html.Td``), more than the statistics behind it. :func:`el` writes the same plain data
directly — ``{"type", "namespace", "props"}``, exactly what ``Component.to_plotly_json()``
gives (``tests/unit/test_forest_view.py`` checks this against real components, so a Dash
release that changes the format fails a test, not a page). :func:`plain` turns a tree that
still holds components (badges, links from :mod:`components.provenance`) into the same plain
data, so a rendered result can be memoised and serialised by the C JSON encoder (it lives in
:mod:`components.page`, shared with the Indirect panel, and is re-exported here).

Only for output the server builds itself: property names here are fixed by the code, and text
goes into ``children``, which React renders as text (never as HTML).
"""

from __future__ import annotations

from typing import Any

from components.page import plain

__all__ = ["HTML_NAMESPACE", "el", "plain"]

HTML_NAMESPACE = "dash_html_components"


def el(tag: str, children: Any = None, **props: Any) -> dict[str, Any]:
    """An ``html.<tag>`` element as plain data (``className``, ``style`` … as in Dash)."""
    body: dict[str, Any] = {"children": children} if children is not None else {}
    body.update(props)
    return {"props": body, "type": tag, "namespace": HTML_NAMESPACE}
