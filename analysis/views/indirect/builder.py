"""Build the Indirect comparisons view model (pure; no colours, no HTML).

:func:`build` turns a validated :class:`~analysis.views.indirect.state.IndirectState` into an
:class:`~analysis.views.indirect.model.IndirectView`: the network (nodes with patients, edges
with trials), the league table, forests of every regimen vs the common comparator and vs the
chosen reference, P-scores with their caveat and rank intervals, heterogeneity for every contrast
with at least two trials, the network's tau^2 (or why it is not estimable), what was excluded and
why, which published HRs were skipped and why, and the citations every estimate rests on.

Methods: :mod:`analysis.network` (what enters) and :mod:`analysis.network_nodes` (node
definitions), :mod:`analysis.nma` (GLS, REML tau^2, multi-arm covariance, P-scores),
:mod:`analysis.meta` (pairwise pooling for the per-contrast heterogeneity). In a tree-shaped
network of independent trials (first-line ESCC: every regimen has one trial against
chemotherapy) each network estimate equals the Bucher indirect comparison
(:mod:`analysis.indirect`) along the path; CheckMate 648's two arms are the exception, compared
within the trial with their covariance.

When the node definition disconnects the network (``nodes="backbone"``), the component holding
the reference is analysed and the others are named in ``components`` and ``messages``: regimens
in different components cannot be compared by any anchored method.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from analysis.meta import pool_log_estimates
from analysis.network import (
    ITT,
    EvidenceNetwork,
    EvidenceRef,
    Exclusion,
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
from analysis.views.indirect.model import (
    CAVEATS,
    MODELS,
    VIEW_CI_LEVEL,
    CitationRow,
    EdgeView,
    EstimateRow,
    ExcludedRow,
    HeterogeneityRow,
    IndirectView,
    NetworkHeterogeneity,
    NodeView,
    PScoreRow,
    SkippedRow,
    ViewStatus,
    population_label,
)
from analysis.views.indirect.state import IndirectState, reference_labels
from analysis.views.survival.state import MAX_ARMS, arm_token
from data.registry import Registry

#: Path of the survival view, where single-arm studies meet other trials' arms (unanchored).
SURVIVAL_PATH = "/survival"


def survival_link(network: EvidenceNetwork, excluded: Exclusion, registry: Registry) -> str:
    """Link to the survival view showing a single-arm study's arms beside the network's
    regimens (not its chemotherapy controls), same endpoint and population: the unanchored
    comparison that is all such a study allows. At most the survival view's arm limit."""
    tokens = [arm_token(excluded.trial_id, a.id) for a in registry.trial(excluded.trial_id).arms]
    tokens += [arm_token(a.trial_id, a.arm_id) for a in network.arms if a.node_id[:5] != "chemo"]
    params = {"arms": ",".join(list(dict.fromkeys(tokens))[:MAX_ARMS]), "ep": network.endpoint}
    if network.population != ITT:
        params["pop"] = network.population
    return f"{SURVIVAL_PATH}?" + urlencode(sorted(params.items()), safe=":,")


def _hub(network: EvidenceNetwork, component: tuple[str, ...]) -> str | None:
    """Common comparator of a component: the lumped chemotherapy node, else the chemotherapy-only
    node with the most trials (backbone mode)."""
    if network.common_node_id is not None and network.common_node_id in component:
        return network.common_node_id
    chemo = [n for n in network.nodes if n.id in component and n.id.startswith("chemo")]
    if not chemo:
        return None
    return max(chemo, key=lambda n: len(n.trial_ids)).id


def _within_trial_edges(
    network: EvidenceNetwork, labels: dict[str, str], registry: Registry
) -> tuple[EdgeView, ...]:
    """Pairs of nodes randomised in the same multi-arm trial without a published HR between
    them (see :class:`EdgeView`), one edge per pair with the trials that randomised both."""
    published = {frozenset((e.node_a, e.node_b)) for e in network.edges}
    nodes_of: dict[str, list[str]] = {}
    for arm in network.arms:
        if arm.node_id not in nodes_of.setdefault(arm.trial_id, []):
            nodes_of[arm.trial_id].append(arm.node_id)
    pairs: dict[tuple[str, str], list[str]] = {}
    for trial_id, nodes in nodes_of.items():
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                if frozenset((a, b)) not in published:
                    pairs.setdefault((a, b), []).append(trial_id)
    return tuple(
        EdgeView(
            node_a=a,
            node_b=b,
            label_a=labels[a],
            label_b=labels[b],
            n_trials=len(trials),
            trial_names=tuple(registry.trial(t).name for t in trials),
            published=False,
        )
        for (a, b), trials in pairs.items()
    )


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
    return NetworkHeterogeneity(tau2_estimable=fit.tau2_estimable, text=text)


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
        ExcludedRow(
            x.trial_id,
            x.trial_name,
            x.kind,
            x.reason,
            survival_link(network, x, registry) if x.kind == "single-arm" else None,
        )
        for x in network.excluded
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
            wanted = reference_labels(registry).get(reference, reference)
            messages.append(
                f"The reference {wanted} is not in this network (no usable HR for this "
                f"selection); showing comparisons vs {labels[hub] if hub else labels[chosen[0]]}."
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
    edges += _within_trial_edges(network, labels, registry)
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


def build(registry: Registry, state: IndirectState) -> IndirectView:
    """The view model for a validated state (the panel's and the exports' one entry point)."""
    return indirect_view(
        registry,
        state.endpoint,
        state.population,
        state.nodes,
        state.reference,
        analysis=state.analysis,
        across_systems=state.across_systems,
        model=state.model,
    )
