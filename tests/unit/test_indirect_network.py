"""The evidence network built from the registry (analysis.network)."""

from __future__ import annotations

import pytest

from analysis.network import build_network, population_choices
from analysis.network_nodes import (
    CHEMO_AGENTS,
    COMMON_NODE_ID,
    KNOWN_DRUGS,
    PLACEBO_AGENTS,
    node_for_agents,
)
from data import Registry, load_registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def test_every_agent_in_the_registry_is_classified(registry: Registry) -> None:
    """A new agent must be added to CHEMO_AGENTS or KNOWN_DRUGS, or nodes would be wrong."""
    agents = {a for t in registry.trials for arm in t.arms for a in arm.agents}
    unknown = agents - CHEMO_AGENTS - KNOWN_DRUGS - PLACEBO_AGENTS
    assert unknown == set()
    assert not CHEMO_AGENTS & KNOWN_DRUGS


def test_analyses_are_declared_in_chronological_order(registry: Registry) -> None:
    """'latest' relies on declaration order; check it against every pair of reported cut-offs."""
    for trial in registry.trials:
        dates = [
            a.data_cutoff.date
            for a in trial.analyses
            if a.data_cutoff.status == "reported" and a.data_cutoff.date
        ]
        assert dates == sorted(dates), trial.id


def test_node_definitions() -> None:
    assert node_for_agents(("placebo", "cisplatin", "fluorouracil"), "lumped") == (
        COMMON_NODE_ID,
        "platinum-based chemotherapy",
    )
    assert node_for_agents(("nivolumab", "fluorouracil", "cisplatin"), "lumped") == (
        "nivolumab+chemo",
        "nivolumab + chemotherapy",
    )
    assert node_for_agents(("nivolumab", "ipilimumab"), "backbone") == (
        "ipilimumab+nivolumab",
        "nivolumab + ipilimumab",
    )
    assert node_for_agents(("placebo", "paclitaxel", "cisplatin"), "backbone") == (
        "chemo:paclitaxel-cisplatin",
        "paclitaxel + cisplatin",
    )
    assert node_for_agents(("toripalimab", "paclitaxel", "cisplatin"), "backbone")[1] == (
        "toripalimab + paclitaxel + cisplatin"
    )
    with pytest.raises(ValueError, match="nodes mode"):
        node_for_agents(("cisplatin",), "by-class")  # type: ignore[arg-type]


def test_itt_os_network(registry: Registry) -> None:
    net = build_network(registry, "OS", "ITT")
    assert net.connected
    assert net.common_node_id == COMMON_NODE_ID
    assert net.nodes[0].id == COMMON_NODE_ID and net.nodes[0].is_common_comparator
    assert len(net.contrasts) == 10 and len(net.nodes) == 11
    assert all(c.comparator == COMMON_NODE_ID for c in net.contrasts)
    assert all(e.n_trials == 1 for e in net.edges)
    by_key = {(c.trial_id, c.treatment): c for c in net.contrasts}
    # CheckMate 648: both experimental arms, primary analysis, CIs at 99.1 % and 98.2 %.
    nivo = by_key[("checkmate648", "nivolumab+chemo")].evidence
    ipi = by_key[("checkmate648", "ipilimumab+nivolumab")].evidence
    assert (nivo.hazard_ratio, nivo.ci_level_percent, nivo.analysis_id) == (0.74, 99.1, "primary")
    assert (ipi.hazard_ratio, ipi.ci_level_percent, ipi.analysis_id) == (0.78, 98.2, "primary")
    # The later scorecard HR for nivo+ipi alone is skipped, so both arms share one data cut.
    skipped = {s.evidence.key: s.reason for s in net.skipped}
    assert any(k.startswith("checkmate648") and "one data cut" in r for k, r in skipped.items())
    # KEYNOTE-590: the ESCC subgroup, never the all-histology ITT.
    kn = by_key[("keynote590", "pembrolizumab+chemo")].evidence
    assert (kn.population_id, kn.hazard_ratio) == ("escc", 0.72)
    assert all(c.evidence.population_id != "itt_all" for c in net.contrasts)
    # Latest analysis with a usable CI: ESCORT-1st final, ORIENT-15 interim (final has no CI).
    assert by_key[("escort1st", "camrelizumab+chemo")].evidence.analysis_id == "final"
    assert by_key[("orient15", "sintilimab+chemo")].evidence.analysis_id == "interim"
    assert any(
        k.startswith("orient15") and "no confidence interval" in r for k, r in skipped.items()
    )
    # Patients: CheckMate 648's chemotherapy arm counted once although it anchors two contrasts.
    chemo_arms = [a for a in net.arms if a.node_id == COMMON_NODE_ID]
    assert [a.trial_id for a in chemo_arms].count("checkmate648") == 1
    assert net.node("nivolumab+chemo").n_patients == 321


def test_single_arm_and_unusable_studies_are_excluded_with_reasons(registry: Registry) -> None:
    net = build_network(registry, "OS", "ITT")
    excluded = {x.trial_id: x for x in net.excluded}
    for trial_id in ("alter_e003", "nct05013697"):
        assert excluded[trial_id].kind == "single-arm"
        assert "unanchored" in excluded[trial_id].reason
    assert excluded["leap014"].kind == "no usable HR"
    assert "confidence interval" in excluded["leap014"].reason
    assert excluded["xu1542p"].kind == "no usable HR"
    used = {c.trial_id for c in net.contrasts}
    assert not used & set(excluded)


def test_earliest_analysis(registry: Registry) -> None:
    net = build_network(registry, "OS", "ITT", analysis="earliest")
    by_trial = {c.trial_id: c.evidence for c in net.contrasts}
    assert by_trial["escort1st"].analysis_id == "interim"
    assert by_trial["escort1st"].hazard_ratio == 0.70
    assert by_trial["astrum007"].analysis_id == "primary"


def test_pdl1_subgroup_keeps_scoring_systems_apart(registry: Registry) -> None:
    net = build_network(registry, "OS", "CPS>=10")
    assert {c.trial_id for c in net.contrasts} == {"keynote590", "orient15", "rationale306"}
    assert {c.evidence.scoring_system for c in net.contrasts} == {"CPS"}
    kn = next(c.evidence for c in net.contrasts if c.trial_id == "keynote590")
    assert kn.population_id == "escc_cps_ge10"  # not cps_ge10_all (all histologies)
    tap = build_network(registry, "OS", "TAP>=10")
    assert {c.evidence.scoring_system for c in tap.contrasts} == {"TAP"}
    # RATIONALE-306's TAP >= 10 restricted to Japanese patients is never used.
    assert all(c.evidence.population_id != "japanese_tap_ge10" for c in tap.contrasts)


def test_across_systems_is_an_explicit_opt_in(registry: Registry) -> None:
    strict = build_network(registry, "OS", "TPS>=1")
    loose = build_network(registry, "OS", "TPS>=1", across_systems=True)
    assert {c.evidence.scoring_system for c in strict.contrasts} <= {"TPS"}
    assert {c.evidence.scoring_system for c in loose.contrasts} > {"TPS"}
    assert loose.across_systems and not strict.across_systems


def test_backbone_split_disconnects_and_names_components(registry: Registry) -> None:
    net = build_network(registry, "OS", "ITT", "backbone")
    assert not net.connected
    assert net.common_node_id is None
    parts = [set(p) for p in net.components]
    assert len(parts) == 4
    assert {"chemo:cisplatin-5-fu", "nivolumab+chemo:cisplatin-5-fu", "ipilimumab+nivolumab"} <= (
        parts[0]
    )
    assert {"chemo:paclitaxel-cisplatin", "toripalimab+chemo:paclitaxel-cisplatin"} <= parts[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("DoR", "ITT", "lumped"), "endpoint"),
        (("OS", "CPS>=999", "lumped"), "population"),
        (("OS", "ITT", "class"), "nodes"),
    ],
)
def test_bad_selection_is_a_clear_error(
    registry: Registry, args: tuple[str, str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_network(registry, *args)
    with pytest.raises(ValueError, match="analysis"):
        build_network(registry, "OS", "ITT", analysis="median")


def test_population_choices(registry: Registry) -> None:
    choices = population_choices(registry)
    assert choices[0] == "ITT"
    assert {"CPS>=10", "TPS>=1", "TAP>=10", "TC>=1"} <= set(choices)
    assert "TAP>=5" not in choices  # only a locally-advanced subgroup has it


def test_checkmate648_tc1_keeps_its_multiplicity_adjusted_levels(registry: Registry) -> None:
    net = build_network(registry, "OS", "TC>=1")
    levels = {c.treatment: c.evidence.ci_level_percent for c in net.contrasts}
    assert levels == {"nivolumab+chemo": 99.5, "ipilimumab+nivolumab": 98.6}
    nivo = next(c for c in net.contrasts if c.treatment == "nivolumab+chemo")
    # (ln 0.80 - ln 0.37) / (2 z_0.9975) = 0.771109 / (2 x 2.807034) = 0.137353
    assert nivo.se_log_hr == pytest.approx(0.137353, abs=2e-6)
