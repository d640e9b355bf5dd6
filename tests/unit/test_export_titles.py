"""Adding a chart to the deck asks only for its title (issue 11, session 5: building the export
bundle validated a whole plotly figure on that request). Every chart's title function must give
the title its bundle gives, for the defaults and for links that change what the title says."""

from __future__ import annotations

import pytest

from components.panel import chart_exports
from components.views import PANELS
from data import load_registry

QUERIES = (
    {},
    {"ep": "pfs", "pop": "CPS>=10"},
    {"endpoint": "pfs", "arms": "escort1st:cam_chemo,jupiter06:tor_chemo"},
    {"m": "DCR", "cat": "irae", "chart": "terms"},
    {"ref": "chemo", "pop": "TPS>=1"},
    {"ep": "nonsense", "pop": "<script>"},
)
EXPORTS = chart_exports(PANELS)


def test_every_chart_has_a_title_function() -> None:
    assert [key for key, export in EXPORTS.items() if export.title is None] == []


@pytest.mark.parametrize("chart", sorted(EXPORTS))
def test_title_equals_the_bundle_title(chart: str) -> None:
    registry = load_registry()
    export = EXPORTS[chart]
    assert export.title is not None
    for query in QUERIES:
        assert export.title(registry, query) == export.bundle(registry, query).title, query
