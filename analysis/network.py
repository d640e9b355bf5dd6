"""The evidence network for indirect comparisons, built from the registry's published HRs.

What enters (:func:`build_network`):

* **Contrasts.** Every published hazard ratio (``measure = "hr"``) of an arm against another arm
  of the same randomised trial for the chosen endpoint (OS or PFS) and population, with a
  numeric CI and its level. The SE comes from the CI at *its own* level
  (:func:`analysis.meta.study_from_hr_ci`; CheckMate 648 printed 99.1 % and 98.2 % intervals
  for ITT OS). HRs printed without a CI cannot be weighted and are listed as skipped.
* **Population.** ``"ITT"``: each trial's ESCC intention-to-treat population; where the trial's
  ITT mixes histologies (KEYNOTE-590: ESCC + adenocarcinoma) its ESCC subgroup is used instead
  and the all-histology HR is never used. A PD-L1 key (``"CPS>=10"``): the ESCC subgroup with
  exactly that scoring system and cut-off (keys of ``data.schema.Population.pdl1_key``);
  subgroups restricted to a region or clinical group (``japanese_tap_ge10``) are not used. With
  ``across_systems=True`` (explicit opt-in, labelled) a subgroup of another scoring system with
  the same cut-off is accepted when the trial has none of the requested system.
* **Analysis.** ``"latest"`` (default): per trial, the latest analysis (data cut-off date, else
  the file's declaration order) that reports the most of the trial's usable contrasts, so the
  contrasts of a multi-arm trial come from one data cut (their covariance assumes it).
  ``"earliest"``: the earliest such analysis. HRs of other analyses are listed as skipped.
* **Nodes** (:mod:`analysis.network_nodes`): ``"lumped"`` (default) makes all platinum-based
  chemotherapy one common comparator node; ``"backbone"`` splits chemotherapy by backbone, which
  usually disconnects the network: ``components`` names the parts, and
  :func:`analysis.views.indirect.build` analyses the one holding the reference and says so.
* **Exclusions** (:class:`Exclusion`, each with its reason): single-arm studies (no randomised
  comparator, so no anchor: ALTER-E-003, NCT05013697, ALTER-E002, Zhang 2020 — their
  comparisons with other trials are unanchored, see the survival view), randomised trials that
  report no usable HR for the selection, and trials lacking the population.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from analysis.meta import study_from_hr_ci
from analysis.network_nodes import (
    COMMON_NODE_ID,
    NODES_MODES,
    NodesMode,
    node_for_agents,
)
from analysis.nma import network_components
from analysis.types import numeric_interval
from data.pdl1 import key_text
from data.registry import Registry
from data.schema import EfficacyResult, Population, Trial

AnalysisChoice = Literal["latest", "earliest"]
NetworkEndpoint = Literal["OS", "PFS"]

ENDPOINTS: tuple[str, ...] = ("OS", "PFS")
ANALYSIS_CHOICES: tuple[str, ...] = ("latest", "earliest")
ITT = "ITT"

SINGLE_ARM_REASON = (
    "single-arm study: no randomised comparator, so no anchored comparison is possible; its "
    "comparisons with other trials are unanchored (see the survival view, labelled "
    "'unanchored cross-trial comparison')"
)


@dataclass(frozen=True)
class EvidenceRef:
    """One published HR used (or skipped), with where it is in the data and in the literature.

    ``key`` is ``<trial id>:efficacy[<index>]``, the row's key path in the trial's data file.
    """

    key: str
    trial_id: str
    trial_name: str
    analysis_id: str
    analysis_label: str
    data_cutoff: str | None
    population_id: str
    population_label: str
    scoring_system: str | None
    arm_id: str
    arm_label: str
    comparator_id: str
    comparator_label: str
    endpoint: str
    hazard_ratio: float | None
    ci_lower: float | None
    ci_upper: float | None
    ci_level_percent: float | None
    source_ref: str | None
    citation: str | None
    locator: str | None
    source_level: str | None
    link: str | None

    @property
    def text(self) -> str:
        """``ORIENT-15 HR 0.628 (95% CI 0.508–0.777), interim, ref: locator``."""
        if self.hazard_ratio is None:
            hr = "HR not reported"
        elif self.ci_lower is None or self.ci_upper is None or self.ci_level_percent is None:
            hr = f"HR {self.hazard_ratio:g} (no CI printed)"
        else:
            hr = (
                f"HR {self.hazard_ratio:g} ({self.ci_level_percent:g}% CI "
                f"{self.ci_lower:g}–{self.ci_upper:g})"
            )
        where = f"{self.source_ref}: {self.locator}" if self.source_ref else "no source"
        return (
            f"{self.trial_name} {self.arm_label} vs {self.comparator_label}, "
            f"{self.population_label}, {self.analysis_label}: {hr} [{where}]"
        )


@dataclass(frozen=True)
class NetworkContrast:
    """A usable contrast: log HR of node ``treatment`` vs node ``comparator`` in one trial."""

    trial_id: str
    treatment: str
    comparator: str
    log_hr: float
    se_log_hr: float
    evidence: EvidenceRef


@dataclass(frozen=True)
class NetworkArm:
    """An arm in the network, its node, and its patients in the population (None = NR)."""

    trial_id: str
    trial_name: str
    arm_id: str
    arm_label: str
    node_id: str
    n_patients: int | None


@dataclass(frozen=True)
class Node:
    """A treatment node: total known patients, arms without a reported N, trials."""

    id: str
    label: str
    is_common_comparator: bool
    n_patients: int
    n_arms_unknown: int
    trial_ids: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    """A pair of nodes compared directly, and by how many trials."""

    node_a: str
    node_b: str
    trial_ids: tuple[str, ...]

    @property
    def n_trials(self) -> int:
        return len(self.trial_ids)


@dataclass(frozen=True)
class Exclusion:
    """A study (or one of its arms) left out of the network, and why."""

    trial_id: str
    trial_name: str
    kind: Literal["single-arm", "no usable HR", "population not reported"]
    reason: str


@dataclass(frozen=True)
class SkippedHr:
    """A published HR for the selection that the network does not use, and why."""

    evidence: EvidenceRef
    reason: str


@dataclass(frozen=True)
class EvidenceNetwork:
    """The network for one endpoint x population x analysis x node definition.

    ``components`` lists the connected components (node ids, largest first); one component
    means the network is connected.
    """

    endpoint: str
    population: str
    nodes_mode: str
    analysis: str
    across_systems: bool
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    contrasts: tuple[NetworkContrast, ...]
    arms: tuple[NetworkArm, ...]
    excluded: tuple[Exclusion, ...]
    skipped: tuple[SkippedHr, ...]
    components: tuple[tuple[str, ...], ...]
    common_node_id: str | None

    @property
    def connected(self) -> bool:
        return len(self.components) <= 1

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"no node {node_id!r}; known: {', '.join(n.id for n in self.nodes)}")


# --------------------------------------------------------------------------------------------
# Populations, analyses, rows
# --------------------------------------------------------------------------------------------


def _threshold(key: str) -> str:
    match = re.match(r"^(CPS|TPS|TC|TAP)(.*)$", key)
    return match.group(2) if match else key


def _nested(trial: Trial, population: Population) -> bool:
    return any(
        other.kind in ("region", "clinical", "biomarker")
        and population.id.startswith(other.id + "_")
        for other in trial.populations
    )


def candidate_populations(
    trial: Trial, population: str, across_systems: bool = False
) -> tuple[Population, ...]:
    """The trial's populations matching the selection, preferred first (see module doc)."""
    if population == ITT:
        itt = [p for p in trial.populations if p.kind == "itt" and p.histology == "ESCC"]
        if itt:
            return tuple(itt)
        return tuple(
            p for p in trial.populations if p.kind == "histology" and p.histology == "ESCC"
        )
    pops = [
        p
        for p in trial.populations
        if p.kind == "pdl1" and p.histology == "ESCC" and not _nested(trial, p)
    ]
    exact = [p for p in pops if p.pdl1_key == population]
    if exact or not across_systems:
        return tuple(exact)
    wanted = _threshold(population)
    return tuple(p for p in pops if p.pdl1_key is not None and _threshold(p.pdl1_key) == wanted)


def analysis_position(trial: Trial, analysis_id: str) -> int:
    """Recency rank of an analysis: its position in the trial file (0 = earliest).

    The data files declare analyses in chronological order; a unit test checks this against
    every pair of analyses whose cut-off dates are both reported.
    """
    return [an.id for an in trial.analyses].index(analysis_id)


def _usable(row: EfficacyResult) -> str | None:
    """None when the HR can be weighted, else the reason it cannot."""
    if row.status != "reported" or row.value is None:
        return "HR not reported"
    if row.qualifier is not None:
        return f"HR printed with a qualifier ({row.qualifier})"
    ci = numeric_interval(row.ci)
    if ci is None:
        return "no confidence interval printed, so no standard error"
    if row.ci_level is None:
        return "confidence level of the printed interval not known, so no standard error"
    if not 0 < ci[0] < ci[1]:
        return "zero-width or non-positive confidence interval"
    return None


def arm_patients(trial: Trial, population: Population, arm_id: str) -> int | None:
    """Patients of an arm in a population: randomised N for an ESCC ITT, else the reported
    subgroup size (None when the evidence base has none)."""
    if population.kind == "itt" and population.histology == "ESCC":
        n = trial.arm(arm_id).n_randomised
        return int(n.value) if n.status == "reported" and n.value is not None else None
    return trial.population_n(population.id, arm_id)


def _evidence(trial: Trial, index: int, row: EfficacyResult) -> EvidenceRef:
    analysis = trial.analysis(row.analysis)
    population = trial.population_by_id(row.population)
    comparator = row.comparator or ""
    pub = trial.publication(row.ref) if row.ref else None
    ci = numeric_interval(row.ci)
    cutoff = analysis.data_cutoff.date if analysis.data_cutoff.status == "reported" else None
    return EvidenceRef(
        key=f"{trial.id}:efficacy[{index}]",
        trial_id=trial.id,
        trial_name=trial.name,
        analysis_id=analysis.id,
        analysis_label=f"{analysis.kind} (cut-off {cutoff or 'not reported'})",
        data_cutoff=cutoff,
        population_id=population.id,
        population_label=population.label,
        scoring_system=population.scoring_system,
        arm_id=row.arm,
        arm_label=trial.arm(row.arm).label,
        comparator_id=comparator,
        comparator_label=trial.arm(comparator).label if comparator else "",
        endpoint=row.endpoint,
        hazard_ratio=row.value,
        ci_lower=ci[0] if ci else None,
        ci_upper=ci[1] if ci else None,
        ci_level_percent=row.ci_level,
        source_ref=row.ref,
        citation=pub.citation if pub else None,
        locator=row.locator,
        source_level=trial.source_level(row) if row.ref else None,
        link=pub.link if pub else None,
    )


@dataclass(frozen=True)
class _TrialPick:
    contrasts: list[NetworkContrast]
    skipped: list[SkippedHr]
    population: Population | None
    exclusion: Exclusion | None


def _pick_trial(
    trial: Trial,
    endpoint: str,
    population: str,
    analysis: AnalysisChoice,
    across_systems: bool,
    mode: NodesMode,
) -> _TrialPick:
    pops = candidate_populations(trial, population, across_systems)
    pop_rank = {p.id: i for i, p in enumerate(pops)}
    if not pops:
        what = (
            "ESCC ITT population"
            if population == ITT
            else f"PD-L1 {key_text(population) or population} ESCC subgroup"
        )
        return _TrialPick(
            [],
            [],
            None,
            Exclusion(trial.id, trial.name, "population not reported", f"no {what} reported"),
        )
    rows = [
        (i, r)
        for i, r in enumerate(trial.efficacy)
        if r.measure == "hr"
        and r.endpoint == endpoint
        and r.population in pop_rank
        and r.comparator is not None
    ]
    usable = [(i, r) for i, r in rows if _usable(r) is None]
    skipped: list[SkippedHr] = [
        SkippedHr(_evidence(trial, i, r), reason) for i, r in rows if (reason := _usable(r))
    ]
    if not usable:
        reason = (
            f"no {endpoint} HR reported for the selected population"
            if not rows
            else f"{endpoint} HR(s) reported without a usable confidence interval (reasons "
            "under the skipped HRs)"
        )
        return _TrialPick(
            [], skipped, pops[0], Exclusion(trial.id, trial.name, "no usable HR", reason)
        )
    # One population (preferred first) and one analysis per trial.
    best_pop = min((r.population for _, r in usable), key=lambda p: pop_rank[p])
    usable_pop = [(i, r) for i, r in usable if r.population == best_pop]
    for i, r in usable:
        if r.population != best_pop:
            skipped.append(
                SkippedHr(
                    _evidence(trial, i, r),
                    f"another population of the trial is preferred ({best_pop})",
                )
            )
    pairs_by_analysis: dict[str, set[tuple[str, str]]] = {}
    for _, r in usable_pop:
        pairs_by_analysis.setdefault(r.analysis, set()).add((r.arm, r.comparator or ""))
    recency = -1 if analysis == "latest" else 1

    def analysis_rank(aid: str) -> tuple[int, int]:
        # Most contrasts first (one data cut for a multi-arm trial), then latest/earliest.
        return (-len(pairs_by_analysis[aid]), recency * analysis_position(trial, aid))

    chosen = min(pairs_by_analysis, key=analysis_rank)
    contrasts: list[NetworkContrast] = []
    seen: set[tuple[str, str]] = set()
    for i, r in usable_pop:
        ev = _evidence(trial, i, r)
        pair = (r.arm, r.comparator or "")
        if r.analysis != chosen:
            skipped.append(
                SkippedHr(
                    ev,
                    f"the trial's {analysis} analysis with the most contrasts is used instead: "
                    f"{trial.analysis(chosen).label} (one data cut per trial)",
                )
            )
            continue
        if pair in seen:
            skipped.append(SkippedHr(ev, "the same comparison appears twice in this analysis"))
            continue
        seen.add(pair)
        assert r.value is not None and r.ci_level is not None  # guaranteed by _usable
        lo, hi = numeric_interval(r.ci) or (0.0, 0.0)
        est = study_from_hr_ci(trial.name, r.value, lo, hi, r.ci_level / 100.0)
        treatment = node_for_agents(trial.arm(r.arm).agents, mode)[0]
        comparator = node_for_agents(trial.arm(r.comparator or "").agents, mode)[0]
        if treatment == comparator:
            skipped.append(
                SkippedHr(ev, "both arms fall into the same node under this node definition")
            )
            continue
        contrasts.append(
            NetworkContrast(trial.id, treatment, comparator, est.log_hr, est.se_log_hr, ev)
        )
    population_obj = trial.population_by_id(best_pop)
    return _TrialPick(contrasts, skipped, population_obj, None)


def build_network(
    registry: Registry,
    endpoint: str,
    population: str,
    nodes_mode: str = "lumped",
    *,
    analysis: str = "latest",
    across_systems: bool = False,
) -> EvidenceNetwork:
    """Collect the network for the selection (see module docstring).

    Raises ``ValueError`` naming the allowed values for an unknown endpoint, node definition or
    analysis choice, or a population key that no trial in the registry declares.
    """
    if endpoint not in ENDPOINTS:
        raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)}, got {endpoint!r}")
    if nodes_mode not in NODES_MODES:
        raise ValueError(f"nodes must be one of {', '.join(NODES_MODES)}, got {nodes_mode!r}")
    if analysis not in ANALYSIS_CHOICES:
        raise ValueError(f"analysis must be one of {', '.join(ANALYSIS_CHOICES)}, got {analysis!r}")
    allowed = population_choices(registry)
    if population not in allowed:
        raise ValueError(f"population must be one of {', '.join(allowed)}, got {population!r}")
    mode: NodesMode = "lumped" if nodes_mode == "lumped" else "backbone"
    pick: AnalysisChoice = "latest" if analysis == "latest" else "earliest"

    contrasts: list[NetworkContrast] = []
    skipped: list[SkippedHr] = []
    excluded: list[Exclusion] = []
    arms: list[NetworkArm] = []
    labels: dict[str, str] = {}
    for trial in registry.trials:
        if len(trial.arms) < 2 or not any(a.role == "control" for a in trial.arms):
            excluded.append(Exclusion(trial.id, trial.name, "single-arm", SINGLE_ARM_REASON))
            continue
        chosen = _pick_trial(trial, endpoint, population, pick, across_systems, mode)
        skipped.extend(chosen.skipped)
        if chosen.exclusion is not None:
            excluded.append(chosen.exclusion)
            continue
        contrasts.extend(chosen.contrasts)
        used_arms = dict.fromkeys(
            a for c in chosen.contrasts for a in (c.evidence.arm_id, c.evidence.comparator_id)
        )
        for arm_id in used_arms:
            arm = trial.arm(arm_id)
            node_id, label = node_for_agents(arm.agents, mode)
            labels.setdefault(node_id, label)
            n = arm_patients(trial, chosen.population, arm_id) if chosen.population else None
            arms.append(NetworkArm(trial.id, trial.name, arm.id, arm.label, node_id, n))

    node_ids = list(dict.fromkeys(a.node_id for a in arms))
    common = COMMON_NODE_ID if mode == "lumped" and COMMON_NODE_ID in node_ids else None
    # Common comparator first, then by number of arms (desc), then label.
    node_ids.sort(
        key=lambda n: (n != common, -sum(a.node_id == n for a in arms), labels[n].lower())
    )
    nodes = tuple(
        Node(
            id=n,
            label=labels[n],
            is_common_comparator=n == common,
            n_patients=sum(a.n_patients or 0 for a in arms if a.node_id == n),
            n_arms_unknown=sum(a.n_patients is None for a in arms if a.node_id == n),
            trial_ids=tuple(dict.fromkeys(a.trial_id for a in arms if a.node_id == n)),
        )
        for n in node_ids
    )
    edge_trials: dict[tuple[str, str], list[str]] = {}
    position = {n: i for i, n in enumerate(node_ids)}
    for c in contrasts:
        a, b = sorted((c.treatment, c.comparator), key=position.__getitem__)
        trials = edge_trials.setdefault((a, b), [])
        if c.trial_id not in trials:
            trials.append(c.trial_id)
    edges = tuple(Edge(a, b, tuple(t)) for (a, b), t in edge_trials.items())
    components = tuple(
        tuple(part) for part in network_components([(e.node_a, e.node_b) for e in edges], node_ids)
    )
    return EvidenceNetwork(
        endpoint=endpoint,
        population=population,
        nodes_mode=mode,
        analysis=pick,
        across_systems=across_systems,
        nodes=nodes,
        edges=edges,
        contrasts=tuple(contrasts),
        arms=tuple(arms),
        excluded=tuple(excluded),
        skipped=tuple(skipped),
        components=components,
        common_node_id=common,
    )


def population_choices(registry: Registry) -> tuple[str, ...]:
    """``"ITT"`` then every ESCC PD-L1 key some randomised trial declares (sorted)."""
    keys: set[str] = set()
    for trial in registry.trials:
        if len(trial.arms) < 2:
            continue
        for p in trial.populations:
            if p.kind == "pdl1" and p.histology == "ESCC" and p.pdl1_key and not _nested(trial, p):
                keys.add(p.pdl1_key)
    return (ITT, *sorted(keys))
