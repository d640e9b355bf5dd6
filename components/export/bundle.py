"""What a chart hands to the export layer: figure, provenance, the numbers behind it.

Each panel provides ``export_bundle(registry, query) -> ExportBundle``, rebuilding its chart from
the same query string its URL carries (so an export, a deck slide and a shared link always show
the same thing). No dash imports here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go

from components.export.footnote import Footnote
from components.export.tables import IpdArm


@dataclass(frozen=True)
class ExportBundle:
    """One chart, ready to export.

    ``kind`` names the chart type in file names (``km``, ``forest``, ``response``, ``ae-terms``);
    ``subject`` lists the trials/arms shown; ``endpoint`` and ``population`` complete the file
    name. ``rows`` are the numbers behind the chart in ``columns`` order; ``ipd`` carries the
    reconstructed patient data of KM charts (empty for other charts).
    """

    kind: str
    title: str
    figure: go.Figure
    footnote: Footnote
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, object], ...]
    subject: tuple[str, ...] = ()
    endpoint: str | None = None
    population: str | None = None
    ipd: tuple[IpdArm, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("an export bundle needs at least one data column")


def bundle_rows(rows: Sequence[Mapping[str, object]]) -> tuple[Mapping[str, object], ...]:
    """Freeze a list of row dicts for an :class:`ExportBundle`."""
    return tuple(dict(r) for r in rows)
