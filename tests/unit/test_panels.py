"""Every panel implements the declared interface (components.panel.Panel).

The shell routes to ``layout``; the app calls ``register_callbacks``; the export panel rebuilds
each declared chart from a query. These checks run without a browser.
"""

from __future__ import annotations

import pytest
from dash.development.base_component import Component

from components.panel import ChartExport, Panel, chart_exports
from components.views import PANELS
from data import load_registry

HOSTILE_QUERIES = (
    {},
    {"arms": "../../etc/passwd", "ep": "<script>", "pop": "x" * 3000},
    {"zzz": "1", "an": "nope", "m": "DL", "kh": "maybe"},
)


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_panels_are_panels_with_unique_keys_and_paths() -> None:
    assert PANELS, "no panels declared"
    assert all(isinstance(p, Panel) for p in PANELS)
    for attr in ("key", "path", "label"):
        values = [getattr(p, attr) for p in PANELS]
        assert len(set(values)) == len(values), attr
    assert all(p.path.startswith("/") for p in PANELS)
    assert all(callable(p.layout) and callable(p.register_callbacks) for p in PANELS)


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: p.key)
@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=("empty", "hostile", "unknown"))
def test_layout_returns_a_component_for_any_query(registry, panel: Panel, query) -> None:
    page = panel.layout(registry, query)
    assert isinstance(page, Component | list)


def test_chart_keys_are_unique_and_rebuild_from_the_default_query(registry) -> None:
    exports = chart_exports(PANELS)
    assert set(exports) >= {"survival-km", "forest", "safety", "response"}
    for key, export in exports.items():
        assert isinstance(export, ChartExport)
        bundle = export.bundle(registry, {})
        assert bundle.figure is not None, key
        assert bundle.columns, key


def test_a_chart_key_exported_twice_is_refused() -> None:
    panel = PANELS[1]
    with pytest.raises(ValueError, match="exported by two panels"):
        chart_exports((panel, panel))
