"""The Indirect comparisons view model (analysis.views.indirect), on the shipped registry."""

from __future__ import annotations

import dataclasses

import pytest

from analysis.network import population_choices
from analysis.nma import P_SCORE_CAVEAT
from analysis.views.indirect import IndirectView, indirect_view
from analysis.views.indirect.model import population_label
from analysis.views.indirect.text import league_markdown, summary_markdown
from data import Registry, load_registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def itt_os(registry: Registry) -> IndirectView:
    return indirect_view(registry, "OS", "ITT", "lumped", None)


def test_itt_os_view_defaults_to_the_common_comparator(itt_os: IndirectView) -> None:
    assert itt_os.status == "ok"
    assert itt_os.reference == itt_os.common_node == "chemo"
    assert itt_os.common_label == "platinum-based chemotherapy"
    # 10 published contrasts against chemotherapy, plus CheckMate 648's two experimental arms
    # joined by an edge without a published HR.
    assert len(itt_os.nodes) == 11 and len(itt_os.edges) == 11
    assert sum(not e.published for e in itt_os.edges) == 1
    assert sum(n.is_reference for n in itt_os.nodes) == 1
    assert {e.n_trials for e in itt_os.edges} == {1}
    assert itt_os.forest_vs_common == itt_os.forest_vs_reference
    assert len(itt_os.forest_vs_common) == 10
    assert len(itt_os.league) == 11 * 10
    assert itt_os.heterogeneity == ()  # no contrast has two trials
    assert itt_os.network_heterogeneity is not None
    assert not itt_os.network_heterogeneity.tau2_estimable
    assert any("not estimable" in m for m in itt_os.messages)
    # ASTRUM-007 enrolled by PD-L1 (its pd_l1 block has role "eligibility").
    assert any(c.startswith("ASTRUM-007 enrolled only PD-L1 CPS") for c in itt_os.caveats)


def test_forest_vs_chemo_reproduces_the_published_hrs(itt_os: IndirectView) -> None:
    """With one trial per edge, regimen vs chemotherapy is the trial's own HR; the interval is
    re-expressed at 95 % (CheckMate 648's 99.1 % CI 0.58–0.96 becomes narrower)."""
    rows = {r.treatment: r for r in itt_os.forest_vs_common}
    assert rows["sintilimab+chemo"].hr == pytest.approx(0.628)
    assert rows["nivolumab+chemo"].hr == pytest.approx(0.74)
    lo, hi = rows["nivolumab+chemo"].ci_lower, rows["nivolumab+chemo"].ci_upper
    assert 0.58 < lo < hi < 0.96
    assert all(r.direct and r.n_direct_trials == 1 for r in rows.values())
    assert rows["sintilimab+chemo"].evidence_keys == ("orient15:efficacy[2]",)


def test_every_estimate_cites_its_hrs(itt_os: IndirectView) -> None:
    cited = {c.key for c in itt_os.citations}
    assert len(cited) == 10
    for row in itt_os.league:
        assert row.evidence_keys
        assert set(row.evidence_keys) <= cited
    cell = itt_os.league_cell("sintilimab+chemo", "pembrolizumab+chemo")
    assert set(cell.evidence_keys) == {"orient15:efficacy[2]", "keynote590:efficacy[7]"}
    assert cell.text == "0.87 (0.66–1.16)"
    assert not cell.direct
    within = itt_os.league_cell("nivolumab+chemo", "ipilimumab+nivolumab")
    # Randomised within CheckMate 648, derived from its two published HRs vs chemotherapy.
    assert within.direct and within.n_direct_trials == 1
    assert len(within.evidence_keys) == 2
    assert all(k.startswith("checkmate648:") for k in within.evidence_keys)
    for c in itt_os.citations:
        assert c.source_ref and c.locator and c.link and c.link.startswith("https://")


def test_reference_changes_the_second_forest(registry: Registry) -> None:
    view = indirect_view(registry, "OS", "ITT", "lumped", "pembrolizumab+chemo")
    assert view.reference_label == "pembrolizumab + chemotherapy"
    assert all(r.comparator == "pembrolizumab+chemo" for r in view.forest_vs_reference)
    assert all(r.comparator == "chemo" for r in view.forest_vs_common)
    sint = next(r for r in view.forest_vs_reference if r.treatment == "sintilimab+chemo")
    assert sint.hr == pytest.approx(0.628 / 0.72)


def test_unknown_reference_falls_back_with_a_message(registry: Registry) -> None:
    view = indirect_view(registry, "OS", "CPS>=10", "lumped", "nivolumab+chemo")
    assert view.reference == "chemo"
    assert any("not in this network" in m for m in view.messages)


def test_cps10_view_and_exclusions(registry: Registry) -> None:
    view = indirect_view(registry, "OS", "CPS>=10", "lumped", None)
    assert view.population_label == "PD-L1 CPS ≥10 (ESCC)"
    assert {n.id for n in view.nodes} == {
        "chemo",
        "pembrolizumab+chemo",
        "sintilimab+chemo",
        "tislelizumab+chemo",
    }
    reasons = {x.trial_id: x for x in view.excluded}
    assert reasons["checkmate648"].kind == "population not reported"
    assert reasons["alter_e003"].kind == "single-arm"
    assert reasons["nct05013697"].kind == "single-arm"
    assert view.p_score_caveat == P_SCORE_CAVEAT
    assert not any("ASTRUM-007" in c for c in view.caveats)
    assert view.p_scores[0].node == "pembrolizumab+chemo"
    assert all(s.rank_lower <= s.rank_median <= s.rank_upper for s in view.p_scores)


def test_backbone_split_reports_the_disconnected_network(registry: Registry) -> None:
    view = indirect_view(
        registry, "OS", "ITT", "backbone", "toripalimab+chemo:paclitaxel-cisplatin"
    )
    assert view.status == "disconnected"
    assert len(view.components) == 4
    message = next(m for m in view.messages if "disconnects" in m)
    assert "cisplatin + 5-FU" in message and "paclitaxel + cisplatin" in message
    analysed = {n.id for n in view.nodes if n.component == 0}
    assert analysed == {
        "chemo:paclitaxel-cisplatin",
        "camrelizumab+chemo:paclitaxel-cisplatin",
        "atezolizumab+tiragolumab+chemo:paclitaxel-cisplatin",
        "toripalimab+chemo:paclitaxel-cisplatin",
    }
    assert view.common_node == "chemo:paclitaxel-cisplatin"
    assert {r.treatment for r in view.league} == analysed


def test_pfs_view_flags_phase2_evidence(registry: Registry) -> None:
    view = indirect_view(registry, "PFS", "ITT", "lumped", None)
    assert any("Phase 2" in m and "Xu Sci Rep 2025" in m for m in view.messages)
    assert "anlotinib+camrelizumab+chemo" in {n.id for n in view.nodes}


def test_across_systems_opt_in_is_labelled(registry: Registry) -> None:
    view = indirect_view(registry, "OS", "TPS>=1", "lumped", None, across_systems=True)
    assert view.caveats[0].startswith("POOLED ACROSS PD-L1 SCORING SYSTEMS")
    assert "opt-in" in view.method


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"endpoint": "ORR"}, "endpoint"),
        ({"population": "<script>"}, "population"),
        ({"nodes_mode": "../"}, "nodes"),
        ({"model": "bayesian"}, "model"),
        ({"analysis": "x"}, "analysis"),
    ],
)
def test_bad_input_raises_a_clear_error(
    registry: Registry, kwargs: dict[str, str], message: str
) -> None:
    args = {"endpoint": "OS", "population": "ITT", "nodes_mode": "lumped", "reference": None}
    args.update(kwargs)
    extra = {k: args.pop(k) for k in ("model", "analysis") if k in args}
    with pytest.raises(ValueError, match=message):
        indirect_view(registry, **args, **extra)  # type: ignore[arg-type]


def test_view_is_frozen_and_deterministic(registry: Registry, itt_os: IndirectView) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        itt_os.status = "empty"  # type: ignore[misc]
    assert indirect_view(registry, "OS", "ITT", "lumped", None) == itt_os


def test_markdown_rendering(itt_os: IndirectView) -> None:
    table = league_markdown(itt_os)
    assert table.count("\n| (") == 11
    assert "0.87 (0.66–1.16)" in table
    text = summary_markdown(itt_os)
    assert "P-scores are not probabilities of being best" in text
    assert "`orient15:efficacy[2]`" in text
    assert population_label("TAP>=5<10") == "PD-L1 TAP ≥5 to <10 (ESCC)"


def test_every_allowed_selection_gives_a_consistent_view(registry: Registry) -> None:
    """Every endpoint x population the registry offers (lumped, latest) builds without error,
    and the invariants the panel relies on hold."""
    statuses = set()
    for endpoint in ("OS", "PFS"):
        for population in population_choices(registry):
            view = indirect_view(registry, endpoint, population, "lumped", None)
            statuses.add(view.status)
            if view.status == "empty":
                assert not view.league and not view.nodes and view.messages
                continue
            ids = {n.id for n in view.nodes if n.component == 0}
            assert view.reference in ids and len(ids) >= 2
            assert len(view.league) == len(ids) * (len(ids) - 1)
            assert len(view.forest_vs_reference) == len(ids) - 1
            cited = {c.key for c in view.citations}
            assert all(set(r.evidence_keys) <= cited and r.evidence_keys for r in view.league)
            assert all(r.ci_lower < r.hr < r.ci_upper for r in view.league)
    assert statuses == {"ok", "empty"}
