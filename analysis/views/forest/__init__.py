"""The Subgroups & forest view: state, allow-lists, domain rules and view models (pure).

* :mod:`.state` — :class:`ForestState`, its :data:`SPEC` and the registry's allow-lists;
* :mod:`.keys` — the ITT and PD-L1 population keys (the one place that names them);
* :mod:`.rules` — which HR row stands for a trial, poolability, PD-L1 interval logic;
* :mod:`.model` — ``build(registry, state) -> ForestModel`` (rows, pools, interactions);
* :mod:`.seeds` — the single-arm seed studies' own subgroups (no HR);
* :mod:`.text` — how HRs are written, with their interval's level.
"""

from __future__ import annotations

from analysis.views.forest.keys import ITT
from analysis.views.forest.model import ForestModel, InteractionRow, TrialRow, build
from analysis.views.forest.state import SPEC, ForestState, choices, default_state

__all__ = [
    "ITT",
    "SPEC",
    "ForestModel",
    "ForestState",
    "InteractionRow",
    "TrialRow",
    "build",
    "choices",
    "default_state",
]
