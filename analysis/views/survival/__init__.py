"""The Survival view model: Kaplan–Meier curves reconstructed from the publications.

* :mod:`.state` — the declared state (:data:`SPEC`), allow-lists from the registry, presets;
* :mod:`.rules` — the domain rules (curve choice, missing-arm reasons, published-HR lookup,
  reference choice, display ticks, caveats, fidelity checks), each documented with its reason;
* :mod:`.model` — the frozen model; :func:`build` fills it (:mod:`.builder`);
* :mod:`.rows` — the numbers behind the chart as CSV rows.

Pure: no dash, plotly or flask, no colours, no markup.
"""

from __future__ import annotations

from analysis.views.survival.builder import build
from analysis.views.survival.model import (
    ComparisonRow,
    FidelityCheck,
    FidelityReport,
    MissingArm,
    PublishedHR,
    ShownCurve,
    SurvivalModel,
)
from analysis.views.survival.rows import CSV_COLUMNS, csv_rows
from analysis.views.survival.state import (
    ENDPOINTS,
    MAX_ARMS,
    PRESETS,
    SPEC,
    SurvivalState,
    arm_of,
    arm_token,
    arm_tokens,
    population_keys,
    population_label,
    preset_arms,
)

__all__ = [
    "CSV_COLUMNS",
    "ENDPOINTS",
    "MAX_ARMS",
    "PRESETS",
    "SPEC",
    "ComparisonRow",
    "FidelityCheck",
    "FidelityReport",
    "MissingArm",
    "PublishedHR",
    "ShownCurve",
    "SurvivalModel",
    "SurvivalState",
    "arm_of",
    "arm_token",
    "arm_tokens",
    "build",
    "csv_rows",
    "population_keys",
    "population_label",
    "preset_arms",
]
