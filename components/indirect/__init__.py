"""The Indirect comparisons panel (thin: state, rules and the model live in
:mod:`analysis.views.indirect`).

* :mod:`.layout` — the page for a URL query;
* :mod:`.callbacks` — one callback: validate once (``SPEC.from_inputs``), model from the
  app-scoped memo, render;
* :mod:`.figure`, :mod:`.tables` — rendering of the model (network graph, forests, league
  table, P-scores, heterogeneity, exclusions, cited HRs);
* :mod:`.export` — the three export bundles (network, forest vs reference, forest vs comparator).
"""

from __future__ import annotations

from components.indirect.callbacks import register_callbacks
from components.indirect.export import (
    CHART_COMMON,
    CHART_NETWORK,
    CHART_REFERENCE,
    common_bundle,
    common_title,
    network_bundle,
    network_title,
    reference_bundle,
    reference_title,
)
from components.indirect.layout import layout

__all__ = [
    "CHART_COMMON",
    "CHART_NETWORK",
    "CHART_REFERENCE",
    "common_bundle",
    "common_title",
    "layout",
    "network_bundle",
    "network_title",
    "reference_bundle",
    "reference_title",
    "register_callbacks",
]
