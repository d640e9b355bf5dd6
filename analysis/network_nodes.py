"""Treatment nodes of the indirect-comparison network: which regimen an arm belongs to.

An arm's node comes from its agents (as the data files write them). Agents are either
chemotherapy (:data:`CHEMO_AGENTS`), placebo (dropped), or drugs that define a regimen
(:data:`KNOWN_DRUGS`). Two node definitions:

* ``"lumped"`` (default): every platinum-based chemotherapy backbone is one common comparator
  node, "platinum-based chemotherapy"; every other regimen is its non-chemotherapy agents +
  "chemotherapy" (or the agents alone when chemo-free);
* ``"backbone"``: chemotherapy is split by backbone (cisplatin + 5-FU, paclitaxel + cisplatin,
  investigator's choice …) and regimens carry their backbone.

A unit test fails when the registry holds an agent in neither set, so a new data file cannot
silently create a wrong node.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

NodesMode = Literal["lumped", "backbone"]
NODES_MODES: tuple[str, ...] = ("lumped", "backbone")

COMMON_NODE_ID = "chemo"
COMMON_NODE_LABEL = "platinum-based chemotherapy"

PLACEBO_AGENTS: frozenset[str] = frozenset({"placebo"})
CHEMO_AGENTS: frozenset[str] = frozenset(
    {
        "cisplatin",
        "carboplatin",
        "nedaplatin",
        "oxaliplatin",
        "platinum",
        "cisplatin or oxaliplatin",
        "fluorouracil",
        "paclitaxel",
        "liposomal paclitaxel",
        "paclitaxel or fluorouracil",
        "fluoropyrimidine or paclitaxel",
        "fluorouracil or paclitaxel or mFOLFOX6",
        "chemotherapy",
    }
)
"""Agent names (as the data files write them) that are chemotherapy; every other agent is a
drug that defines a regimen. A unit test fails when the registry holds an agent in neither
this set nor :data:`KNOWN_DRUGS`, so a new data file cannot silently create a wrong node."""

KNOWN_DRUGS: frozenset[str] = frozenset(
    {
        "anlotinib",
        "apatinib",
        "atezolizumab",
        "benmelstobart",
        "camrelizumab",
        "ipilimumab",
        "lenvatinib",
        "nivolumab",
        "pembrolizumab",
        "serplulimab",
        "sintilimab",
        "sugemalimab",
        "tiragolumab",
        "tislelizumab",
        "toripalimab",
    }
)

_BACKBONE_LABELS: dict[frozenset[str], str] = {
    frozenset({"cisplatin", "fluorouracil"}): "cisplatin + 5-FU",
    frozenset({"paclitaxel", "cisplatin"}): "paclitaxel + cisplatin",
    frozenset({"paclitaxel", "carboplatin"}): "paclitaxel + carboplatin",
    frozenset({"cisplatin", "paclitaxel or fluorouracil"}): "cisplatin + (paclitaxel or 5-FU)",
    frozenset(
        {"platinum", "fluoropyrimidine or paclitaxel"}
    ): "platinum + (fluoropyrimidine or paclitaxel)",
    frozenset({"liposomal paclitaxel", "nedaplatin"}): "liposomal paclitaxel + nedaplatin",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def backbone_label(chemo: Sequence[str]) -> str:
    """Readable name of a chemotherapy backbone from its agents (order-independent)."""
    key = frozenset(chemo)
    if key in _BACKBONE_LABELS:
        return _BACKBONE_LABELS[key]
    return " + ".join(sorted(key))


def node_for_agents(agents: Sequence[str], mode: NodesMode) -> tuple[str, str]:
    """``(node id, label)`` of an arm from its agents under the node definition ``mode``."""
    drugs = [a for a in agents if a not in CHEMO_AGENTS and a not in PLACEBO_AGENTS]
    chemo = [a for a in agents if a in CHEMO_AGENTS]
    if mode == "lumped":
        backbone_id, backbone = COMMON_NODE_ID, COMMON_NODE_LABEL
        with_chemo = "chemotherapy"
    elif mode == "backbone":
        backbone = backbone_label(chemo) if chemo else ""
        backbone_id = "chemo:" + _slug(backbone) if chemo else ""
        with_chemo = backbone
    else:
        raise ValueError(f"unknown nodes mode {mode!r}; use one of {', '.join(NODES_MODES)}")
    if not drugs:
        if not chemo:
            raise ValueError(f"arm agents {tuple(agents)} name neither a drug nor chemotherapy")
        return backbone_id, backbone
    drug_key = "+".join(sorted(_slug(d) for d in drugs))
    label = " + ".join(drugs)
    if chemo:
        return f"{drug_key}+{backbone_id}", f"{label} + {with_chemo}"
    return drug_key, label
