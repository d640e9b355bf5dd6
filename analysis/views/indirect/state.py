"""The Indirect comparisons view's state and the allow-lists it is checked against.

URL (sorted keys, defaults omitted): ``ep=PFS`` (endpoint), ``pop=<population key>`` (``ITT`` or
one PD-L1 scoring system and cut-off, :mod:`data.pdl1`), ``x=1`` (accept another scoring system
with the same cut-off where a trial lacks the chosen one: explicit, exploratory), ``an=earliest``
(which analysis per trial; latest by default), ``nodes=backbone`` (split chemotherapy by
backbone), ``ref=<node id>`` (the reference regimen; default: the common comparator) and
``m=fixed`` (fixed-effect model; random effects by default).

The reference's allow-list is every node any selection can produce (every randomised arm's node
under both node definitions); a reference absent from the chosen network falls back to the
common comparator and the view says so (:func:`analysis.views.indirect.builder.build`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from analysis.network import ANALYSIS_CHOICES, ENDPOINTS, ITT, population_choices
from analysis.network_nodes import NODES_MODES, node_for_agents
from analysis.views.cache import per_registry
from analysis.views.indirect.model import ENDPOINT_LABELS, MODELS
from analysis.views.state import Choice, Flag, StateSpec
from data import Registry
from data.pdl1 import key_sort

NODES_LABELS: Mapping[str, str] = {
    "lumped": "Chemotherapy as one node",
    "backbone": "Split chemotherapy by backbone",
}
ANALYSIS_LABELS: Mapping[str, str] = {"latest": "Latest", "earliest": "Earliest"}
MODEL_LABELS: Mapping[str, str] = {"random": "Random effects", "fixed": "Fixed effect"}

__all__ = [
    "ANALYSIS_LABELS",
    "ENDPOINT_LABELS",
    "MODEL_LABELS",
    "NODES_LABELS",
    "SPEC",
    "IndirectState",
    "default_state",
    "population_keys",
    "reference_choices",
    "reference_labels",
]


@per_registry
def population_keys(registry: Registry) -> tuple[str, ...]:
    """``ITT`` then every ESCC PD-L1 key of a randomised trial, by scoring system and cut-off."""
    keys = [k for k in population_choices(registry) if k != ITT]
    return (ITT, *sorted(keys, key=key_sort))


@per_registry
def reference_labels(registry: Registry) -> Mapping[str, str]:
    """Every node a selection can produce (randomised arms, both node definitions): id ->
    label, in registry order."""
    found: dict[str, str] = {}
    for trial in registry.trials:
        if len(trial.arms) < 2:
            continue
        for arm in trial.arms:
            for mode in ("lumped", "backbone"):
                node_id, label = node_for_agents(arm.agents, mode)
                found.setdefault(node_id, label)
    return found


def reference_choices(registry: Registry) -> tuple[str, ...]:
    """The reference's allow-list: every node id of :func:`reference_labels`."""
    return tuple(reference_labels(registry))


@dataclass(frozen=True)
class IndirectState:
    """Validated control values (every field is on its allow-list)."""

    endpoint: str = "OS"
    population: str = ITT
    across_systems: bool = False
    analysis: str = "latest"
    nodes: str = "lumped"
    reference: str | None = None
    model: str = "random"


SPEC: StateSpec[IndirectState] = StateSpec(
    IndirectState,
    (
        Choice("endpoint", "ep", "endpoint", lambda r: ENDPOINTS, lambda r: "OS"),
        Choice("population", "pop", "population", population_keys, lambda r: ITT),
        Flag("across_systems", "x", "across-systems switch", False),
        Choice("analysis", "an", "analysis", lambda r: ANALYSIS_CHOICES, lambda r: "latest"),
        Choice("nodes", "nodes", "node definition", lambda r: NODES_MODES, lambda r: "lumped"),
        Choice("reference", "ref", "reference regimen", reference_choices, lambda r: None, True),
        Choice("model", "m", "model", lambda r: MODELS, lambda r: "random"),
    ),
    report_unknown_keys=True,
)


def default_state(registry: Registry) -> IndirectState:
    return SPEC.default(registry)
