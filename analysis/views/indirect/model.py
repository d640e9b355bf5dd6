"""The Indirect comparisons view model: frozen dataclasses, no colours and no HTML.

:func:`analysis.views.indirect.builder.build` fills an :class:`IndirectView` for one validated
state; the panel (``components/indirect``) and the exports render it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from analysis.network import ITT
from data.pdl1 import key_text

ViewStatus = Literal["ok", "disconnected", "empty"]
ENDPOINT_LABELS: dict[str, str] = {"OS": "Overall survival", "PFS": "Progression-free survival"}
MODELS: tuple[str, ...] = ("random", "fixed")
VIEW_CI_LEVEL = 0.95
"""Level of every interval the view computes (inputs keep their printed levels)."""

CAVEATS: tuple[str, ...] = (
    "Indirect comparisons are randomised within each trial but not between regimens: they "
    "assume the trials' populations, chemotherapy backbones, PD-L1 assays, follow-up and "
    "post-progression therapy are similar enough for relative effects to transfer.",
    "Confidence intervals of the inputs are read at the level each source printed (CheckMate "
    "648: 99.1 % and 98.2 % for ITT OS); network intervals are 95 %.",
    "The network is not a head-to-head trial; a wide interval means the data cannot tell the "
    "regimens apart, not that they are equivalent.",
)


@dataclass(frozen=True)
class NodeView:
    """A network node: ``n_patients`` sums the arms with a reported N (``n_arms_unknown`` lack
    one); ``component`` is the index of its connected component (0 = analysed)."""

    id: str
    label: str
    n_patients: int
    n_arms_unknown: int
    n_trials: int
    trial_names: tuple[str, ...]
    is_common_comparator: bool
    is_reference: bool
    component: int


@dataclass(frozen=True)
class EdgeView:
    """A direct comparison between two nodes and the trials behind it.

    ``published`` is False for two arms of one multi-arm trial that were randomised together
    but whose HR against each other is not published (CheckMate 648's nivolumab + chemotherapy
    vs nivolumab + ipilimumab): the network estimates it within the trial from the two published
    HRs against the shared control.
    """

    node_a: str
    node_b: str
    label_a: str
    label_b: str
    n_trials: int
    trial_names: tuple[str, ...]
    published: bool = True


@dataclass(frozen=True)
class EstimateRow:
    """HR of ``treatment`` vs ``comparator`` from the network with a 95 % CI.

    ``direct`` is True when at least one trial randomised both regimens (for a multi-arm trial
    even when the HR between its two experimental arms is derived, not published);
    ``evidence_keys`` are
    the published HRs (``<trial>:efficacy[i]``) with non-zero weight in this estimate.
    """

    treatment: str
    treatment_label: str
    comparator: str
    comparator_label: str
    hr: float
    ci_lower: float
    ci_upper: float
    ci_level: float
    log_hr: float
    se_log_hr: float
    p_value: float
    direct: bool
    n_direct_trials: int
    evidence_keys: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.hr:.2f} ({self.ci_lower:.2f}–{self.ci_upper:.2f})"


@dataclass(frozen=True)
class PScoreRow:
    """P-score and rank interval of one node (rank 1 = lowest HR); see ``p_score_caveat``."""

    node: str
    label: str
    p_score: float
    rank_median: float
    rank_lower: float
    rank_upper: float


@dataclass(frozen=True)
class HeterogeneityRow:
    """Pairwise random-effects pool (REML) of a contrast with >= 2 trials, node_a vs node_b."""

    node_a: str
    node_b: str
    label_a: str
    label_b: str
    k: int
    hr: float
    ci_lower: float
    ci_upper: float
    tau2: float
    i2_percent: float
    q: float
    q_p_value: float | None
    evidence_keys: tuple[str, ...]


@dataclass(frozen=True)
class NetworkHeterogeneity:
    """The network's common tau^2 and Q (df = contrasts - parameters) as the view states them;
    the numbers themselves are the fit's (:class:`analysis.nma.NmaFit`)."""

    #: False when every comparison rests on one trial and the network has no loop.
    tau2_estimable: bool
    text: str


@dataclass(frozen=True)
class ExcludedRow:
    """A study left out of the network and why; ``link`` (single-arm studies) opens the
    survival view with the study's arms beside the network's regimens (unanchored)."""

    trial_id: str
    trial_name: str
    kind: str
    reason: str
    link: str | None = None


@dataclass(frozen=True)
class SkippedRow:
    key: str
    text: str
    reason: str


@dataclass(frozen=True)
class CitationRow:
    """One published HR the view's estimates rest on (``key`` as in ``evidence_keys``)."""

    key: str
    trial_id: str
    trial_name: str
    text: str
    hazard_ratio: float
    ci_lower: float
    ci_upper: float
    ci_level_percent: float
    source_ref: str | None
    citation: str | None
    locator: str | None
    source_level: str | None
    link: str | None


@dataclass(frozen=True)
class IndirectView:
    """Everything the Indirect comparisons panel shows for one selection."""

    endpoint: str
    population: str
    population_label: str
    nodes_mode: str
    analysis: str
    across_systems: bool
    model: str
    reference: str | None
    reference_label: str | None
    common_node: str | None
    common_label: str | None
    status: ViewStatus
    messages: tuple[str, ...]
    components: tuple[tuple[str, ...], ...]
    nodes: tuple[NodeView, ...]
    edges: tuple[EdgeView, ...]
    league: tuple[EstimateRow, ...]
    forest_vs_common: tuple[EstimateRow, ...]
    forest_vs_reference: tuple[EstimateRow, ...]
    p_scores: tuple[PScoreRow, ...]
    p_score_caveat: str
    heterogeneity: tuple[HeterogeneityRow, ...]
    network_heterogeneity: NetworkHeterogeneity | None
    excluded: tuple[ExcludedRow, ...]
    skipped: tuple[SkippedRow, ...]
    citations: tuple[CitationRow, ...]
    caveats: tuple[str, ...]
    method: str

    @property
    def subtitle(self) -> str:
        """ "Overall survival, ITT (ESCC)" (the selection, for titles)."""
        return f"{ENDPOINT_LABELS.get(self.endpoint, self.endpoint)}, {self.population_label}"

    def forest_title(self, against: str) -> str:
        """Title of a forest: ``against`` is "reference" or "common comparator"."""
        label = self.reference_label if against == "reference" else self.common_label
        return f"Network estimates vs {label or 'no comparator'} — {self.subtitle}"

    @property
    def network_title(self) -> str:
        return f"Evidence network — {self.subtitle}"

    def citation_number(self, key: str) -> int:
        """1-based position of a published HR in :attr:`citations` (the panel's [n] marks)."""
        for i, citation in enumerate(self.citations):
            if citation.key == key:
                return i + 1
        raise KeyError(f"{key!r} is not cited in this view")

    def league_cell(self, row: str, column: str) -> EstimateRow:
        """The league-table entry HR(row vs column)."""
        for cell in self.league:
            if cell.treatment == row and cell.comparator == column:
                return cell
        raise KeyError(f"no league cell {row!r} vs {column!r}")


def population_label(population: str) -> str:
    """``"ITT"`` -> "ITT (ESCC)"; ``"CPS>=10"`` -> "PD-L1 CPS ≥10 (ESCC)" (:mod:`data.pdl1`)."""
    if population == ITT:
        return "ITT (ESCC)"
    text = key_text(population)
    return f"PD-L1 {text} (ESCC)" if text else population
