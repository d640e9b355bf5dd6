"""Forest and response views on the real evidence base: what is pooled, how, and what is shown.

Expected numbers come from the publications (as curated in data/trials, locators there) and
from R 4.2.2 / metafor 3.8-1 run on the same published HRs (commands in the docstrings). The
golden tests of the statistics themselves live in tests/golden; these tests check that the views
feed them the right rows, keep non-95 % levels, and never invent counts.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qsl

import pytest

from analysis.meta import pool, study_from_log_hr
from analysis.views import response as rv
from components import forest_panel as fp
from components import response as rp
from components.charts.response import CI_AS_PRINTED, CI_FROM_COUNTS
from components.response import figure as rf
from components.response import tables as rt
from data import load_registry

ICI_CHEMO = "ici-chemo_vs_chemotherapy"

# R: qnorm(0.9955) -- the two-sided 99.1 % quantile; qnorm(0.975) for 95 %.
Z_991 = 2.61205414122928
Z_95 = 1.95996398454005


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _state(**kw) -> fp.ForestState:
    return fp.ForestState(comparison=ICI_CHEMO, **kw)


def _row(result: fp.ForestResult, trial_name: str) -> fp.TrialRow:
    return next(r for r in result.rows if r.trial_name == trial_name)


def _strings(component) -> list[str]:
    """Every string in a Dash component tree (children and text props)."""
    out: list[str] = []
    if isinstance(component, str):
        return [component]
    if isinstance(component, (list, tuple)):
        for child in component:
            out.extend(_strings(child))
        return out
    children = getattr(component, "children", None)
    if children is not None:
        out.extend(_strings(children))
    return out


# ------------------------------------------------------------------------------ forest: levels


def test_checkmate648_991_level_in_chart_and_pooled_se(registry) -> None:
    """CheckMate 648 OS, nivolumab + chemo vs chemo, ITT: HR 0.74, 99.1 % CI 0.58-0.96 (Doki
    NEJM 2022, abstract). The chart says 99.1 % and the SE uses qnorm(0.9955), not 1.96."""
    result = fp.compute(registry, _state())
    row = _row(result, "CheckMate 648")
    assert row.ci_level_percent == 99.1
    assert row.pooled and row.study is not None
    expected_se = (math.log(0.96) - math.log(0.58)) / (2 * Z_991)  # R: 0.0964576447646429
    assert row.study.se_log_hr == pytest.approx(0.0964576447646429, rel=1e-9)
    assert row.study.se_log_hr == pytest.approx(expected_se, rel=1e-12)
    wrong_se = (math.log(0.96) - math.log(0.58)) / (2 * Z_95)
    assert wrong_se / row.study.se_log_hr == pytest.approx(Z_991 / Z_95)  # 1.96: SE 33 % too big

    figure, footnote, rows = fp.figure_for(registry, _state())
    texts = [str(t) for trace in figure.data if trace.mode == "text" for t in trace.text]
    assert "0.74 (0.58–0.96), 99.1% CI" in texts
    csv = next(r for r in rows if r["trial"] == "CheckMate 648")
    assert csv["ci_level_percent"] == 99.1
    assert csv["se_log_hr"] == pytest.approx(0.0964576447646429, rel=1e-9)
    assert footnote.data_version == registry.data_version


def test_os_itt_pooling_matches_metafor_on_the_registry_rows(registry) -> None:
    """The nine OS ITT HRs of ICI + chemo vs chemo pooled as the view pools them.

    R 4.2.2, metafor 3.8-1::

        hr <- c(0.68, 0.74, 0.70, 0.70, 0.58, 0.72, 0.628, 0.70, 0.70)
        lo <- c(0.53, 0.58, 0.56, 0.55, 0.43, 0.60, 0.508, 0.59, 0.55)
        hi <- c(0.87, 0.96, 0.88, 0.90, 0.78, 0.88, 0.777, 0.83, 0.88)
        lev <- c(95, 99.1, 95, 95, 95, 95, 95, 95, 95)
        yi <- log(hr); sei <- (log(hi) - log(lo)) / (2 * qnorm((1 + lev/100)/2))
        ctl <- list(threshold=1e-12, tol=1e-12)
        rma(yi, sei=sei, method="REML", control=ctl)   # exp(b) 0.690391184550, tau2 0
        rma(yi, sei=sei, method="FE")                  # same; QE 2.860282155021, p 0.942817104180
        sei[2] <- (log(0.96)-log(0.58))/(2*qnorm(0.975)); rma(yi, sei=sei, method="FE")
                                                       # exp(b) 0.687167288372 (wrong level)

    Tolerance rtol 1e-6.
    """
    result = fp.compute(registry, _state())
    assert result.random is not None and result.fixed is not None
    assert result.random.k == 9
    assert result.random.hr == pytest.approx(0.690391184550, rel=1e-6)
    assert result.random.hr_ci_lower == pytest.approx(0.642499586520, rel=1e-6)
    assert result.random.hr_ci_upper == pytest.approx(0.741852598360, rel=1e-6)
    assert result.random.tau2 == 0.0
    assert result.random.q == pytest.approx(2.860282155021, rel=1e-6)
    assert result.random.q_p_value == pytest.approx(0.942817104180, rel=1e-6)
    assert result.fixed.hr == pytest.approx(0.690391184550, rel=1e-6)
    # Treating CheckMate 648's 99.1 % interval as 95 % gives metafor's "wrong" answer.
    studies = [r.study for r in result.rows if r.pooled]
    wrong = [
        study_from_log_hr(s.label, s.log_hr, (math.log(0.96) - math.log(0.58)) / (2 * Z_95))
        if s.label == "CheckMate 648"
        else s
        for s in studies
    ]
    assert pool(wrong, method="FE").hr == pytest.approx(0.687167288372, rel=1e-6)
    assert result.fixed.hr != pytest.approx(0.687167288372, rel=1e-4)


def test_pfs_itt_methods_match_metafor(registry) -> None:
    """PFS ITT (eight trials; RATIONALE-306 has no PFS HR in the sources).

    R: the same construction as above with the eight PFS rows, all 95 %::

        rma(..., method="REML")  # 0.615115462333 (0.568072188299-0.666054490599),
                                 # tau2 0.00157170204464, I2 11.9138583311
        rma(..., method="PM")    # 0.615447275096 (0.565737171529-0.669525298117)
        rma(..., method="REML", test="knha")  # CI 0.556059486327-0.680443444101
    """
    reml = fp.compute(registry, _state(endpoint="PFS"))
    assert reml.random is not None and reml.random.k == 8
    assert reml.random.hr == pytest.approx(0.615115462333, rel=1e-6)
    assert reml.random.hr_ci_lower == pytest.approx(0.568072188299, rel=1e-6)
    assert reml.random.tau2 == pytest.approx(0.00157170204464, rel=1e-5)
    assert reml.random.i2_percent == pytest.approx(11.9138583311, rel=1e-5)
    pm = fp.compute(registry, _state(endpoint="PFS", method="PM"))
    assert pm.random is not None
    assert pm.random.hr == pytest.approx(0.615447275096, rel=1e-6)
    assert pm.random.hr_ci_upper == pytest.approx(0.669525298117, rel=1e-6)
    kh = fp.compute(registry, _state(endpoint="PFS", knapp_hartung=True))
    assert kh.random is not None
    assert kh.random.hr_ci_lower == pytest.approx(0.556059486327, rel=1e-6)
    assert kh.random.hr_ci_upper == pytest.approx(0.680443444101, rel=1e-6)
    rationale = _row(reml, "RATIONALE-306")
    assert rationale.hazard_ratio is None and not rationale.pooled
    assert "PFS HR not reported" in (rationale.status_text or "")


# ------------------------------------------------------------------------ forest: what is shown


def test_subgroup_keeps_not_reported_trials_as_rows(registry) -> None:
    result = fp.compute(registry, _state(population="CPS>=10"))
    names = [r.trial_name for r in result.rows]
    assert len(names) == 9  # every trial of the comparison, reported or not
    pooled = sorted(r.trial_name for r in result.rows if r.pooled)
    assert pooled == ["KEYNOTE-590", "ORIENT-15", "RATIONALE-306"]
    astrum = _row(result, "ASTRUM-007")
    assert astrum.hazard_ratio is None
    assert "CPS ≥10 subgroup not reported" in (astrum.status_text or "")
    figure = fp.build_figure(registry, result)
    assert any(t.startswith("ASTRUM-007") for t in figure.layout.yaxis.ticktext)
    # KEYNOTE-590 pools its ESCC CPS >= 10 row, not the all-histology one.
    keynote = _row(result, "KEYNOTE-590")
    assert keynote.population_id == "escc_cps_ge10" and keynote.n_text == "143 / 143"
    assert any("all histologies" in a for a in keynote.alternatives)


def test_rows_that_are_shown_but_not_pooled(registry) -> None:
    # KEYNOTE-590 PFS CPS >= 10 exists only for all histologies.
    pfs = fp.compute(registry, _state(endpoint="PFS", population="CPS>=10"))
    keynote = _row(pfs, "KEYNOTE-590")
    assert keynote.hazard_ratio == 0.51 and not keynote.pooled
    assert "not ESCC-only" in (keynote.not_pooled_reason or "")
    # RATIONALE-306's only TAP >= 5 row is restricted to locally advanced disease.
    tap5 = fp.compute(registry, _state(population="TAP>=5"))
    rationale = _row(tap5, "RATIONALE-306")
    assert rationale.hazard_ratio == 0.37 and not rationale.pooled
    assert "restricted to locally advanced" in (rationale.not_pooled_reason or "")
    # ORIENT-15 final OS prints no CI: shown, not pooled.
    final = fp.compute(registry, _state(analyses=(("orient15", "final"),)))
    orient = _row(final, "ORIENT-15")
    assert orient.hazard_ratio == 0.661 and orient.analysis_id == "final"
    assert orient.not_pooled_reason == "no confidence interval printed"
    assert final.random is not None and final.random.k == 8


def test_default_analysis_is_the_primary_report_with_a_ci(registry) -> None:
    result = fp.compute(registry, _state())
    assert _row(result, "ESCORT-1st").analysis_id == "interim"  # JAMA 2021, the primary report
    assert _row(result, "ASTRUM-007").analysis_id == "primary"
    # RATIONALE-306 interim OS HR 0.66 has no CI: the 3-year update (0.70, 0.59-0.83) is used.
    assert _row(result, "RATIONALE-306").analysis_id == "update_3y"
    assert "interim" in " ".join(_row(result, "RATIONALE-306").alternatives)
    chosen = fp.compute(registry, _state(analyses=(("escort1st", "final"),)))
    escort = _row(chosen, "ESCORT-1st")
    assert escort.analysis_id == "final" and escort.hazard_ratio == 0.7
    assert escort.analysis_label == "final · cut-off 2022-04-30"


def test_comparisons_never_mix_regimen_questions(registry) -> None:
    found = fp.choices(registry)
    keys = [c.key for c in found.comparisons]
    assert keys[0] == ICI_CHEMO
    add_tki = fp.compute(registry, fp.ForestState(comparison="ici-tki-chemo_vs_ici-chemo"))
    assert sorted(r.trial_name for r in add_tki.rows) == [
        "LEAP-014",
        "Xu Sci Rep 2025 (TCAC vs TCC)",
    ]
    chemo_free = fp.compute(
        registry, fp.ForestState(comparison="dual-ici-chemo-free_vs_chemotherapy")
    )
    assert [(r.trial_name, r.arm_id) for r in chemo_free.rows] == [("CheckMate 648", "nivo_ipi")]
    assert chemo_free.random is None and chemo_free.messages  # one trial: nothing to pool
    # Single-arm seeds have no HR and are listed as such.
    assert any("ALTER-E-003" in name for name in found.single_arm)
    assert any("NCT05013697" in name for name in found.single_arm)


def test_scoring_systems_are_not_merged_unless_asked(registry) -> None:
    separate = fp.compute(registry, _state(population="TAP>=10"))
    assert [r.trial_name for r in separate.rows if r.pooled] == ["RATIONALE-306"]
    assert _row(separate, "RATIONALE-306").population_id == "tap_ge10"
    across = fp.compute(registry, _state(population="TAP>=10", across_systems=True))
    assert sorted(r.trial_name for r in across.rows if r.pooled) == [
        "KEYNOTE-590",
        "ORIENT-15",
        "RATIONALE-306",
    ]
    assert any(m.startswith("POOLED ACROSS PD-L1 SCORING SYSTEMS") for m in across.messages)
    assert across.caveats[0].startswith("POOLED ACROSS")
    figure = fp.build_figure(registry, across)
    assert "POOLED ACROSS PD-L1 SCORING SYSTEMS" in figure.layout.title.text
    keynote = _row(across, "KEYNOTE-590")
    assert any("scoring system CPS" in n for n in keynote.notes)


def test_leave_one_out(registry) -> None:
    result = fp.compute(registry, _state(population="CPS>=10", leave_one_out=True))
    assert [item.omitted_label for item in result.loo] == [
        "KEYNOTE-590",
        "ORIENT-15",
        "RATIONALE-306",
    ]
    assert all(item.result.k == 2 for item in result.loo)


def test_interaction_ratio_of_hrs(registry) -> None:
    """RATIONALE-306 OS (3-year update, BJMO summary): TAP >= 10% HR 0.71 (0.53-0.95) and TAP
    5-<10% HR 0.50 (0.33-0.75). Ratio = 0.71 / 0.50 = 1.42; SE = sqrt(se1^2 + se2^2) with
    se = (log hi - log lo) / (2 * 1.959964)."""
    result = fp.compute(registry, _state())
    pair = next(
        i
        for i in result.interactions
        if i.high_label == "TAP ≥10" and i.low_label == "TAP ≥5 to <10"
    )
    se1 = (math.log(0.95) - math.log(0.53)) / (2 * Z_95)
    se2 = (math.log(0.75) - math.log(0.33)) / (2 * Z_95)
    se = math.hypot(se1, se2)
    assert pair.result.ratio == pytest.approx(1.42, rel=1e-9)
    assert pair.result.se_log_ratio == pytest.approx(se, rel=1e-9)
    assert pair.result.ci_lower == pytest.approx(1.42 * math.exp(-Z_95 * se), rel=1e-6)
    z = math.log(1.42) / se
    assert pair.result.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-6)
    assert pair.kind.startswith("disjoint bands")
    # Restricted to the chosen scoring system when a PD-L1 population is selected.
    cps = fp.compute(registry, _state(population="CPS>=10"))
    assert cps.interactions and all(i.high_label.startswith("CPS") for i in cps.interactions)


def test_heterogeneity_text_clamps_i2(registry) -> None:
    result = fp.compute(registry, _state(endpoint="PFS"))
    assert result.random is not None
    text = fp.heterogeneity_text(result.random)
    assert text == "τ²=0.00157, I²=12%, Q=8.68 (df 7), p=0.277, k=8"


# ------------------------------------------------------------------------------ forest: state


def test_state_round_trip_through_the_query(registry) -> None:
    state = _state(
        endpoint="PFS",
        population="CPS>=10",
        method="PM",
        knapp_hartung=True,
        leave_one_out=True,
        across_systems=True,
        analyses=(("escort1st", "final"), ("orient15", "final")),
    )
    search = fp.state_to_search(state)
    query = dict(parse_qsl(search.lstrip("?")))
    restored, problems = fp.state_from_query(registry, query)
    assert problems == [] and restored == state


@pytest.mark.parametrize(
    "query",
    [
        {"ep": "DFS"},
        {"pop": "CPS>=10 OR 1=1"},
        {"pop": "<script>alert(1)</script>"},
        {"m": "../../etc/passwd"},
        {"kh": "yes"},
        {"an": "orient15:nope"},
        {"an": "x" * 5000},
        {"cmp": ""},
        {"zzz": "1"},
    ],
)
def test_bad_query_values_are_reset_and_named(registry, query) -> None:
    state, problems = fp.state_from_query(registry, query)
    assert problems
    assert state.comparison == ICI_CHEMO and state.endpoint in fp.ENDPOINTS


def test_state_from_inputs_rejects_off_list_values(registry) -> None:
    good = {
        "endpoint": "OS",
        "comparison": ICI_CHEMO,
        "population": "ITT",
        "method": "REML",
        "knapp_hartung": False,
        "loo": False,
        "across": False,
        "analysis_values": ["auto"],
        "analysis_ids": [{"type": "forest-analysis", "trial": "orient15"}],
    }
    state, problems = fp.state_from_inputs(registry, **good)
    assert state is not None and problems == []
    for key, bad in [
        ("endpoint", "DFS"),
        ("population", "CPS>=11"),
        ("knapp_hartung", "true"),
        ("analysis_values", ["final", "final"]),
        ("analysis_ids", [{"type": "forest-analysis", "trial": "../x"}]),
    ]:
        state, problems = fp.state_from_inputs(registry, **{**good, key: bad})
        assert state is None and problems, key


def test_signature_group_sizes_are_derived_and_labelled(registry) -> None:
    """ALTER-E-003 (Meng, Mol Cancer 2025, abstract): ORR 65.6% vs 11.1% by signature, sizes
    not printed. 21/32 and 1/9 are the only sizes (together <= 46) that print as those
    percentages; the text says "Derived, not printed"."""
    assert (21, 32) in fp.counts_matching_percent(65.6, 46)
    assert len(fp.counts_matching_percent(65.6, 46)) == 1
    text = fp._signature_sizes(registry.trial("alter_e003"))
    assert text is not None and text.startswith("Derived, not printed")
    assert "21/32" in text and "1/9" in text


# -------------------------------------------------------------------------------- response view


def response_rows(registry, state):
    """The rows of the Response view model for ``state``."""
    return rv.build(registry, state).rows


@pytest.mark.parametrize(
    ("trial", "measure", "analysis_kind", "counts", "printed"),
    [
        # Li N et al. STTT 2024;9:303, Table 2: ORR 36/50, DCR 42/50 (counts printed)
        ("NCT05013697", "ORR", "primary", "36/50", (57.5, 83.8)),
        ("NCT05013697", "DCR", "primary", "42/50", (70.9, 92.8)),
        # Meng X et al. Mol Cancer 2025;24:175 abstract: ORR 56.5%, DCR 91.3% of 46 (no counts)
        ("ALTER-E-003", "ORR", "primary", "26/46", (41.1, 71.1)),
        ("ALTER-E-003", "DCR", "primary", "42/46", (79.2, 97.6)),
    ],
)
def test_clopper_pearson_reproduces_the_seeds_printed_intervals(
    registry, trial, measure, analysis_kind, counts, printed
) -> None:
    state = rv.ResponseState(measure=measure)
    rows = response_rows(registry, state)
    row = next(
        r for r in rows if r.trial_name == trial and r.analysis_label.startswith(analysis_kind)
    )
    assert row.printed_ci == printed
    if row.successes is not None:  # counts printed: the view's own exact CI
        assert f"{row.successes}/{row.n}" == counts
        assert row.check is not None and row.check.matches
        assert (row.check.computed_lower_percent, row.check.computed_upper_percent) == printed
        computed, _printed, flag = rt.ci_cells(row)
        assert computed == f"{printed[0]:.1f}–{printed[1]:.1f}" and flag == "matches"
    else:  # no counts printed: the CI stays as printed; the derived count only checks it
        assert row.n is None and row.exact_check is not None
        assert f"{row.exact_check.successes}/{row.exact_check.n}" == counts
        check = row.exact_check.check
        assert check is not None and check.matches
        assert (check.computed_lower_percent, check.computed_upper_percent) == printed
        assert rf.point(row).ci_source == CI_AS_PRINTED
    table_text = " ".join(_strings(rt.result_table(registry, rv.build(registry, state))))
    assert f"{printed[0]:.1f}–{printed[1]:.1f}" in table_text
    assert counts in table_text


def test_counts_are_never_invented(registry) -> None:
    rows = response_rows(registry, rv.ResponseState(measure="ORR", population="all"))
    for row in rows:
        trial = registry.trial(row.trial_id)
        if row.successes is not None:
            # every count shown as data is a count the data file holds
            assert any(
                r.n == row.successes and row.n == r.N and r.arm == row.arm_id
                for r in trial.response
            )
    # Xu 1542P arm C: 26.7% printed without a count (the fact sheet's n conflicts) and no CI:
    # nothing is derived for it.
    arm_c = next(r for r in rows if r.trial_id == "xu1542p" and r.arm_id == "tc")
    assert arm_c.successes is None and arm_c.exact_check is None
    point = rf.point(arm_c)
    assert point.rate_percent == 26.7 and point.ci_source is None and point.count_text == "–"


def test_printed_ci_mismatch_is_flagged(registry) -> None:
    """ORIENT-15 (Lu BMJ 2022, Table 2) DCR 295/327 printed 87-93; Clopper-Pearson gives
    86.5-93.2, i.e. 86-93 at the printed precision: flagged, not hidden."""
    rows = response_rows(registry, rv.ResponseState(measure="DCR"))
    orient = next(r for r in rows if r.trial_id == "orient15" and r.arm_id == "sint_chemo")
    assert orient.check is not None and not orient.check.matches
    assert rf.point(orient).flag == "printed CI differs from Clopper–Pearson"
    assert rf.point(orient).ci_source == CI_FROM_COUNTS


def test_not_reported_rows_stay_with_reason(registry) -> None:
    rows = response_rows(registry, rv.ResponseState(measure="ORR"))
    jupiter = [r for r in rows if r.trial_id == "jupiter06"]
    assert len(jupiter) == 2 and all(r.status == "not_reported" for r in jupiter)
    assert all(r.reason for r in jupiter)
    assert rt.rate_cell(jupiter[0]).startswith("not reported: ")


def test_confirmation_assessor_and_dor(registry) -> None:
    rows = response_rows(registry, rv.ResponseState(measure="ORR"))
    seed = next(r for r in rows if r.trial_id == "nct05013697")
    assert (seed.confirmed, seed.assessor) == ("confirmed", "investigator")
    assert seed.dor_text.startswith("16.2 months (10.2–NE (not estimable), 95% CI)")
    alter_prelim = next(
        r for r in rows if r.trial_id == "alter_e003" and r.analysis_label.startswith("interim")
    )
    assert alter_prelim.confirmed == "confirmation not stated"
    assert alter_prelim.dor_text == "not reported"
    gemstone = next(r for r in rows if r.arm_id == "sug_fp")
    assert gemstone.assessor == "BICR"


def test_groups_and_filters(registry) -> None:
    rows = response_rows(registry, rv.ResponseState(measure="ORR"))
    groups = [r.group for r in rows]
    assert groups == sorted(groups, key=lambda g: g != rv.GROUP_CHEMO_FREE)
    free = {r.trial_id for r in rows if r.group == rv.GROUP_CHEMO_FREE}
    assert free == {"alter_e003", "checkmate648"}  # benmelstobart + anlotinib; nivo + ipi
    only = response_rows(registry, rv.ResponseState(measure="ORR", arms=("nct05013697:triple",)))
    assert {r.trial_id for r in only} == {"nct05013697"}
    classes = response_rows(
        registry, rv.ResponseState(measure="ORR", classes=("ICI+TKI (chemo-free)",))
    )
    assert {r.trial_id for r in classes} == {"alter_e003"}


def test_response_state_round_trip_and_rejections(registry) -> None:
    state = rv.ResponseState(
        measure="DCR", population="all", classes=("ICI+chemo",), arms=("orient15:sint_chemo",)
    )
    restored, problems = rv.SPEC.from_query(
        registry, dict(parse_qsl(rv.SPEC.to_search(registry, state, safe="").lstrip("?")))
    )
    assert problems == [] and restored == state
    bad, problems = rv.SPEC.from_inputs(
        registry, {"measure": "ORR", "population": "itt", "classes": ["<script>"], "arms": None}
    )
    assert bad is None and problems == ["regimen classes"]


def test_response_figure_for_export(registry) -> None:
    figure, footnote, rows = rp.figure_for(registry, rv.ResponseState(measure="ORR"))
    assert footnote.cross_trial and footnote.data_version == registry.data_version
    assert rows and set(rows[0]) == set(rp.CSV_COLUMNS)
    assert any(a.name == "footnote" for a in figure.layout.annotations)
    bundle = rp.export_bundle(registry, {"m": "DCR"})
    assert bundle.kind == "response" and bundle.columns == rp.CSV_COLUMNS
    forest_bundle = fp.export_bundle(registry, {"pop": "CPS>=10"})
    assert forest_bundle.subject == ("KEYNOTE-590", "ORIENT-15", "RATIONALE-306")
    assert all(set(r) <= set(fp.CSV_COLUMNS) for r in forest_bundle.rows)


def test_seed_subgroups_section(registry) -> None:
    """Li N et al. STTT 2024 (Results, PD-L1 and liver paragraphs): ORR 4/4 (CPS >= 10) with its
    exact CI (R: binom.test(4, 4)$conf.int = 0.3976-1), liver-metastasis p printed as
    "P < 0.0001"; Meng X et al. Mol Cancer 2025 abstract: signature p-values as printed."""
    text = _strings(fp.seeds_section(registry))
    assert "4/4 = 100.0% (Clopper–Pearson 95% CI 39.8–100.0)" in text
    assert "18/26 = 69.2% (Clopper–Pearson 95% CI 48.2–85.7)" in text
    assert "Between-subgroup p-values as printed: PFS p < 0.0001; OS p < 0.0001" in text
    assert "Between-subgroup p-values as printed: PFS p = 0.005; OS p = 0.006; ORR p < 0.001" in (
        text
    )
    assert "43 (derived)" in text  # patients without liver metastases: 50 - 7, marked derived
    assert "65.6% (counts and CI not printed)" in text
    assert "NR (not reached)" in text and "not reported (abstract says only 'improved OS')" in text
