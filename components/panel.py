"""The panel interface every view implements.

A panel is a value, not a module naming convention: :class:`Panel` holds the view's identity
(key, path, navigation label and description), its ``layout(registry, query)`` (must never
raise, whatever the query), its ``register_callbacks(app, registry)`` and the charts it can
export. ``components.views.PANELS`` lists the panels in navigation order; ``app.create_app``
hands them to the shell (routing) and to the export panel (downloads and the deck), so no module
looks another up by name. ``tests/unit/test_panels.py`` checks every panel against this contract.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dash import Dash

from components.export.bundle import ExportBundle
from data import Registry

LayoutFn = Callable[[Registry, Mapping[str, str]], Any]
RegisterFn = Callable[[Dash, Registry], None]
BundleFn = Callable[[Registry, Mapping[str, str]], ExportBundle]
TitleFn = Callable[[Registry, Mapping[str, str]], str]
ValidationFn = Callable[[Registry], list[Any]]


@dataclass(frozen=True)
class ChartExport:
    """One exportable chart: its key (in export-control ids and deck items) and the function
    that rebuilds it, server-side, from the page's validated query."""

    chart: str
    bundle: BundleFn
    #: Whether the chart offers reconstructed patient data (IPD) as a download.
    patient_data: bool = False
    #: The chart's title for the same query, without drawing it (adding a chart to the deck
    #: needs only the title; ``bundle`` validates a whole plotly figure, ~0.1 s); the bundle's
    #: own title when None.
    title: TitleFn | None = None


@dataclass(frozen=True)
class Panel:
    """One navigable view (module docstring)."""

    key: str
    path: str
    label: str
    description: str
    layout: LayoutFn
    register_callbacks: RegisterFn
    exports: tuple[ChartExport, ...] = ()
    #: One instance of each pattern-matching component the panel's callbacks create at run time
    #: (not in its layout), for the app's validation layout.
    validation_components: ValidationFn | None = None
    #: Whether ``layout`` is a function of (registry, query) alone, so the shell may serve a
    #: page it rendered before for the same query (False: it reads other state, such as a
    #: user's uploaded curves).
    layout_by_query: bool = True


def chart_exports(panels: tuple[Panel, ...]) -> dict[str, ChartExport]:
    """Every exportable chart of ``panels`` by key; a key used twice is a programming error."""
    found: dict[str, ChartExport] = {}
    for panel in panels:
        for export in panel.exports:
            if export.chart in found:
                raise ValueError(f"chart key {export.chart!r} is exported by two panels")
            found[export.chart] = export
    return found


#: Key of Flask's per-app extension store under which panels keep their view memos (by panel
#: key): app-scoped, and reachable by tests that must clear one between calls.
VIEW_MEMOS = "escc-view-memos"


def keep_memo(app: Dash, panel_key: str, memo: object) -> None:
    """Record ``memo`` as ``panel_key``'s view memo of ``app`` (see :data:`VIEW_MEMOS`)."""
    app.server.extensions.setdefault(VIEW_MEMOS, {})[panel_key] = memo
