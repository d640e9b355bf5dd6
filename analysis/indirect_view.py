"""View model of the "Indirect comparisons" panel: pure, typed, no colours and no HTML.

:func:`indirect_view` turns a selection (endpoint, population, node definition, reference) into
frozen dataclasses the panel and its exports render: the network (nodes with patients, edges with
trials), the league table, forests of every regimen vs the common comparator and vs the chosen
reference, P-scores with their caveat and rank intervals, heterogeneity for every contrast with
at least two trials, the network's tau^2 (or why it is not estimable), what was excluded and why,
which published HRs were skipped and why, and the citations every estimate rests on.

Methods: :mod:`analysis.network` (what enters, node definitions), :mod:`analysis.nma` (GLS,
REML tau^2, multi-arm covariance, P-scores), :mod:`analysis.meta` (pairwise pooling for the
per-contrast heterogeneity). In a tree-shaped network of independent trials (first-line ESCC:
every regimen has one trial against chemotherapy) each network estimate equals the Bucher
indirect comparison (:mod:`analysis.indirect`) along the path; CheckMate 648's two arms are the
exception, compared within the trial with their covariance.

When the node definition disconnects the network (``nodes_mode="backbone"``), the component
holding the reference is analysed and the others are named in ``components`` and ``messages``:
regimens in different components cannot be compared by any anchored method.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from analysis.meta import pool_log_estimates
from analysis.network import (
    ITT,
    EvidenceNetwork,
    EvidenceRef,
    NetworkContrast,
    build_network,
)
from analysis.nma import (
    P_SCORE_CAVEAT,
    Contrast,
    NmaFit,
    RelativeEffect,
    fit_nma,
    p_scores,
    relative_effect,
)
from data.registry import Registry

ViewStatus = Literal["ok", "disconnected", "empty"]
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
    """A direct comparison between two nodes and the trials behind it."""

    node_a: str
    node_b: str
    label_a: str
    label_b: str
    n_trials: int
    trial_names: tuple[str, ...]


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
    """The network's common tau^2 and Q (df = contrasts - parameters)."""

    tau2: float
    tau2_estimable: bool
    tau2_method: str
    q: float
    q_df: int
    q_p_value: float | None
    i2_percent: float | None
    text: str


@dataclass(frozen=True)
class ExcludedRow:
    trial_id: str
    trial_name: str
    kind: str
    reason: str


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

    def league_cell(self, row: str, column: str) -> EstimateRow:
        """The league-table entry HR(row vs column)."""
        for cell in self.league:
            if cell.treatment == row and cell.comparator == column:
                return cell
        raise KeyError(f"no league cell {row!r} vs {column!r}")


def population_label(population: str) -> str:
    """``"ITT"`` -> "ITT (ESCC)"; ``"CPS>=10"`` -> "PD-L1 CPS ≥10 (ESCC)"."""
    if population == ITT:
        return "ITT (ESCC)"
    match = re.match(r"^([A-Z]+)(>=|<=|>|<)([\d.]+)(?:(<=|<)([\d.]+))?$", population)
    if match is None:
        return population
    system, op, cut, up_op, up = match.groups()
    signs = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
    text = f"PD-L1 {system} {signs[op]}{cut}"
    if up_op is not None:
        text += f" to {signs[up_op]}{up}"
    return text + " (ESCC)"


def _hub(network: EvidenceNetwork, component: tuple[str, ...]) -> str | None:
    """Common comparator of a component: the lumped chemotherapy node, else the chemotherapy-only
    node with the most trials (backbone mode)."""
    if network.common_node_id is not None and network.common_node_id in component:
        return network.common_node_id
    chemo = [n for n in network.nodes if n.id in component and n.id.startswith("chemo")]
    if not chemo:
        return None
    return max(chemo, key=lambda n: len(n.trial_ids)).id


def _contrasts(network: EvidenceNetwork, component: tuple[str, ...]) -> list[NetworkContrast]:
    return [c for c in network.contrasts if c.treatment in component]


def _estimate(
    effect: RelativeEffect, labels: dict[str, str], direct: dict[frozenset[str], int]
) -> EstimateRow:
    n_direct = direct.get(frozenset((effect.treatment, effect.comparator)), 0)
    return EstimateRow(
        treatment=effect.treatment,
        treatment_label=labels[effect.treatment],
        comparator=effect.comparator,
        comparator_label=labels[effect.comparator],
        hr=effect.hr,
        ci_lower=effect.ci_lower,
        ci_upper=effect.ci_upper,
        ci_level=effect.ci_level,
        log_hr=effect.log_hr,
        se_log_hr=effect.se_log_hr,
        p_value=effect.p_value,
        direct=n_direct > 0,
        n_direct_trials=n_direct,
        evidence_keys=tuple(key for key, _ in effect.contributions),
    )


def _heterogeneity(
    network: EvidenceNetwork, component: tuple[str, ...], labels: dict[str, str]
) -> tuple[HeterogeneityRow, ...]:
    rows: list[HeterogeneityRow] = []
    for edge in network.edges:
        if edge.n_trials < 2 or edge.node_a not in component:
            continue
        picked = [
            c
            for c in network.contrasts
            if {c.treatment, c.comparator} == {edge.node_a, edge.node_b}
        ]
        y = [c.log_hr if c.treatment == edge.node_a else -c.log_hr for c in picked]
        result = pool_log_estimates(
            y,
            [c.se_log_hr for c in picked],
            labels=[c.evidence.key for c in picked],
            method="REML",
            ci_level=VIEW_CI_LEVEL,
        )
        rows.append(
            HeterogeneityRow(
                node_a=edge.node_a,
                node_b=edge.node_b,
                label_a=labels[edge.node_a],
                label_b=labels[edge.node_b],
                k=result.k,
                hr=result.hr,
                ci_lower=result.hr_ci_lower,
                ci_upper=result.hr_ci_upper,
                tau2=result.tau2,
                i2_percent=result.i2_percent,
                q=result.q,
                q_p_value=result.q_p_value,
                evidence_keys=tuple(c.evidence.key for c in picked),
            )
        )
    return tuple(rows)


def _network_heterogeneity(fit: NmaFit) -> NetworkHeterogeneity:
    if not fit.tau2_estimable:
        text = (
            "tau² not estimable: every comparison rests on a single trial and the network has no "
            "loop, so between-trial heterogeneity cannot be separated from the effects; random "
            "effects equal fixed effects here, and intervals do not reflect heterogeneity."
        )
    elif fit.model == "fixed":
        text = f"Fixed effect; Q = {fit.q:.2f} on {fit.q_df} df."
    else:
        text = (
            f"tau² = {fit.tau2:.4g} (REML, common to all contrasts); Q = {fit.q:.2f} on "
            f"{fit.q_df} df."
        )
    return NetworkHeterogeneity(
        tau2=fit.tau2,
        tau2_estimable=fit.tau2_estimable,
        tau2_method=fit.tau2_method,
        q=fit.q,
        q_df=fit.q_df,
        q_p_value=fit.q_p_value,
        i2_percent=fit.i2_percent,
        text=text,
    )


def _citation(ev: EvidenceRef) -> CitationRow:
    assert ev.hazard_ratio is not None and ev.ci_lower is not None  # used contrasts only
    assert ev.ci_upper is not None and ev.ci_level_percent is not None
    return CitationRow(
        key=ev.key,
        trial_id=ev.trial_id,
        trial_name=ev.trial_name,
        text=ev.text,
        hazard_ratio=ev.hazard_ratio,
        ci_lower=ev.ci_lower,
        ci_upper=ev.ci_upper,
        ci_level_percent=ev.ci_level_percent,
        source_ref=ev.source_ref,
        citation=ev.citation,
        locator=ev.locator,
        source_level=ev.source_level,
        link=ev.link,
    )


def _method(network: EvidenceNetwork, model: str) -> str:
    nodes = (
        "platinum-based chemotherapy as one common comparator node"
        if network.nodes_mode == "lumped"
        else "chemotherapy split by backbone"
    )
    systems = (
        "; PD-L1 scoring systems pooled by cut-off (explicit opt-in, exploratory)"
        if network.across_systems and network.population != ITT
        else ""
    )
    return (
        f"Frequentist contrast-based network meta-analysis of log hazard ratios by generalised "
        f"least squares ({model} effects; tau² by REML, common to all contrasts, never "
        f"negative). Standard errors from each published CI at its own level. Multi-arm trials: "
        f"correlation 0.5 between contrasts sharing an arm. Nodes: {nodes}. Analysis: "
        f"{network.analysis} per trial (one data cut per trial){systems}."
    )


def indirect_view(
    registry: Registry,
    endpoint: str,
    population: str,
    nodes_mode: str,
    reference: str | None,
    *,
    analysis: str = "latest",
    across_systems: bool = False,
    model: str = "random",
) -> IndirectView:
    """Build the view model (see module docstring).

    ``reference`` is a node id of the network; ``None`` or an id not in this network falls back
    to the common comparator (with a message), since a reference chosen for one population may
    be absent from another. Unknown endpoints, populations, node definitions, analysis choices
    or models raise ``ValueError`` naming the allowed values.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    network = build_network(
        registry,
        endpoint,
        population,
        nodes_mode,
        analysis=analysis,
        across_systems=across_systems,
    )
    labels = {n.id: n.label for n in network.nodes}
    messages: list[str] = []
    excluded = tuple(
        ExcludedRow(x.trial_id, x.trial_name, x.kind, x.reason) for x in network.excluded
    )
    skipped = tuple(SkippedRow(s.evidence.key, s.evidence.text, s.reason) for s in network.skipped)
    caveats = list(CAVEATS)
    if across_systems and population != ITT:
        caveats.insert(
            0,
            "POOLED ACROSS PD-L1 SCORING SYSTEMS (CPS, TPS, TC, TAP measure different things): "
            "exploratory only.",
        )
    empty = IndirectView(
        endpoint=endpoint,
        population=population,
        population_label=population_label(population),
        nodes_mode=network.nodes_mode,
        analysis=network.analysis,
        across_systems=across_systems,
        model=model,
        reference=None,
        reference_label=None,
        common_node=None,
        common_label=None,
        status="empty",
        messages=("No randomised trial reports a usable HR for this selection.",),
        components=(),
        nodes=(),
        edges=(),
        league=(),
        forest_vs_common=(),
        forest_vs_reference=(),
        p_scores=(),
        p_score_caveat=P_SCORE_CAVEAT,
        heterogeneity=(),
        network_heterogeneity=None,
        excluded=excluded,
        skipped=skipped,
        citations=(),
        caveats=tuple(caveats),
        method=_method(network, model),
    )
    if not network.contrasts:
        return empty

    components = network.components
    chosen = components[0]
    if reference is not None and reference in labels:
        chosen = next(c for c in components if reference in c)
    hub = _hub(network, chosen)
    if reference is None or reference not in labels:
        if reference is not None:
            messages.append(
                f"Reference {reference!r} is not in this network; showing comparisons vs "
                f"{labels[hub] if hub else labels[chosen[0]]}."
            )
        reference = hub if hub is not None else chosen[0]
    status: ViewStatus = "ok"
    if len(components) > 1:
        status = "disconnected"
        listed = "; ".join(
            f"part {i + 1}: " + ", ".join(labels[n] for n in part)
            for i, part in enumerate(components)
        )
        messages.append(
            f"Splitting chemotherapy by backbone disconnects the network into "
            f"{len(components)} parts that share no comparator: {listed}. Only the part "
            f"holding {labels[reference]} is analysed; regimens in different parts cannot be "
            f"compared by an anchored method."
            if network.nodes_mode == "backbone"
            else f"The network is disconnected into {len(components)} parts: {listed}. Only "
            f"the part holding {labels[reference]} is analysed."
        )
    component_of = {n: i for i, part in enumerate(components) for n in part}
    analysed = components.index(chosen)
    nodes = tuple(
        NodeView(
            id=n.id,
            label=n.label,
            n_patients=n.n_patients,
            n_arms_unknown=n.n_arms_unknown,
            n_trials=len(n.trial_ids),
            trial_names=tuple(registry.trial(t).name for t in n.trial_ids),
            is_common_comparator=n.id == hub,
            is_reference=n.id == reference,
            component=0 if component_of[n.id] == analysed else component_of[n.id] + 1,
        )
        for n in network.nodes
    )
    edges = tuple(
        EdgeView(
            node_a=e.node_a,
            node_b=e.node_b,
            label_a=labels[e.node_a],
            label_b=labels[e.node_b],
            n_trials=e.n_trials,
            trial_names=tuple(registry.trial(t).name for t in e.trial_ids),
        )
        for e in network.edges
    )
    used = _contrasts(network, chosen)
    order = [n.id for n in network.nodes if n.id in chosen]
    fit = fit_nma(
        [
            Contrast(
                study=c.trial_id,
                treatment=c.treatment,
                comparator=c.comparator,
                log_hr=c.log_hr,
                se_log_hr=c.se_log_hr,
                key=c.evidence.key,
            )
            for c in used
        ],
        treatments=order,
        reference=reference,
        model="random" if model == "random" else "fixed",
    )
    # Trials that randomised both regimens (a multi-arm trial's arms count, even though the
    # trial published each arm only against its control).
    trials_of = {n.id: set(n.trial_ids) for n in network.nodes}
    direct = {
        frozenset((a, b)): len(trials_of[a] & trials_of[b]) for a in order for b in order if a != b
    }
    league = tuple(
        _estimate(relative_effect(fit, a, b, VIEW_CI_LEVEL), labels, direct)
        for a in order
        for b in order
        if a != b
    )
    by_pair = {(row.treatment, row.comparator): row for row in league}
    forest_common = tuple(by_pair[(n, hub)] for n in order if n != hub) if hub is not None else ()
    forest_reference = tuple(by_pair[(n, reference)] for n in order if n != reference)
    scores = tuple(
        PScoreRow(
            s.treatment, labels[s.treatment], s.p_score, s.rank_median, s.rank_lower, s.rank_upper
        )
        for s in sorted(p_scores(fit), key=lambda s: -s.p_score)
    )
    if not fit.tau2_estimable and model == "random":
        messages.append(
            "Between-trial heterogeneity (tau²) is not estimable in this network; the "
            "random-effects results equal the fixed-effect ones."
        )
    citations = tuple(_citation(c.evidence) for c in used)
    used_trials = [registry.trial(t) for t in dict.fromkeys(c.trial_id for c in used)]
    selected = [
        f"{t.name} enrolled only PD-L1 {p.scoring_system}-selected patients, so its ITT is a "
        f"PD-L1-selected population"
        for t in used_trials
        for p in t.pd_l1
        if p.role == "eligibility"
    ]
    phase2 = [t.name for t in used_trials if t.phase == "2"]
    if phase2:
        messages.append(
            "Phase 2 evidence in this network (small, less certain; weighs on every estimate "
            "that passes through it): " + ", ".join(phase2) + "."
        )
    return replace(
        empty,
        reference=reference,
        reference_label=labels[reference],
        common_node=hub,
        common_label=labels[hub] if hub is not None else None,
        status=status,
        messages=tuple(messages),
        components=components,
        nodes=nodes,
        edges=edges,
        league=league,
        forest_vs_common=forest_common,
        forest_vs_reference=forest_reference,
        p_scores=scores,
        heterogeneity=_heterogeneity(network, chosen, labels),
        network_heterogeneity=_network_heterogeneity(fit),
        citations=citations,
        caveats=(*empty.caveats, *(f"{text}." for text in selected)),
    )


def league_markdown(view: IndirectView) -> str:
    """The league table as a Markdown matrix: cell (row i, column j) = HR of i vs j (95 % CI);
    numbered headers with a legend, so the table stays narrow enough to read."""
    ids = [n.id for n in view.nodes if n.component == 0]
    index = {n: i + 1 for i, n in enumerate(ids)}
    labels = {n.id: n.label for n in view.nodes}
    head = "| row vs column | " + " | ".join(f"({index[n]})" for n in ids) + " |"
    rule = "|---" * (len(ids) + 1) + "|"
    lines = [head, rule]
    for a in ids:
        cells = [f"**({index[a]})**" if a == b else view.league_cell(a, b).text for b in ids]
        lines.append(f"| ({index[a]}) {labels[a]} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("HR < 1 favours the row regimen. " + view.method)
    return "\n".join(lines)


def summary_markdown(view: IndirectView) -> str:
    """League table, P-scores with rank intervals, heterogeneity, exclusions and citations."""
    out = [
        f"### {view.endpoint}, {view.population_label}, nodes: {view.nodes_mode}, "
        f"analysis: {view.analysis}, {view.model} effects",
        "",
    ]
    out.extend(f"> {m}" for m in view.messages)
    if view.status == "empty":
        return "\n".join(out)
    out += ["", league_markdown(view), ""]
    out += ["| regimen | P-score | median rank (95 % interval) |", "|---|---|---|"]
    out += [
        f"| {s.label} | {s.p_score:.2f} | {s.rank_median:g} ({s.rank_lower:g}–{s.rank_upper:g}) |"
        for s in view.p_scores
    ]
    out += ["", view.p_score_caveat, ""]
    if view.network_heterogeneity is not None:
        out += [view.network_heterogeneity.text, ""]
    for h in view.heterogeneity:
        out.append(
            f"- {h.label_a} vs {h.label_b}: {h.k} trials, pooled HR {h.hr:.2f} "
            f"({h.ci_lower:.2f}–{h.ci_upper:.2f}), tau² {h.tau2:.3g}, I² {h.i2_percent:.0f} %"
        )
    out += ["", "Evidence (every estimate cites these HRs):", ""]
    out += [f"- `{c.key}` {c.text}" for c in view.citations]
    out += ["", "Not in the network:", ""]
    out += [f"- {x.trial_name}: {x.reason}" for x in view.excluded]
    out += [f"- `{s.key}` skipped: {s.reason}" for s in view.skipped]
    return "\n".join(out)
