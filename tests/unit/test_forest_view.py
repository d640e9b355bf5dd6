"""Forest view on the real evidence base: what is pooled, how, and what is shown.

Expected numbers come from the publications (as curated in data/trials, locators there) and
from R 4.2.2 / metafor 3.8-1 run on the same published HRs (commands in the docstrings). The
golden tests of the statistics themselves live in tests/golden; these tests check that the view
feeds them the right rows, keeps non-95 % levels, and never invents counts. (Moved from
tests/unit/test_forest_response_data.py when the view moved to analysis/views/forest and
components/forest; assertions unchanged.)
"""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qsl

import pytest

from analysis.meta import pool, study_from_log_hr
from analysis.views.forest import SPEC, ForestModel, ForestState, TrialRow, build, choices
from analysis.views.forest.model import heterogeneity_text
from analysis.views.forest.seeds import counts_matching_percent, signature_sizes
from analysis.views.forest.state import ENDPOINTS
from components.forest.callbacks import search_for, state_from_inputs
from components.forest.export import CSV_COLUMNS, export_bundle, figure_for
from components.forest.figure import forest_export_figure
from components.forest.seeds import seeds_section
from data import load_registry

ICI_CHEMO = "ici-chemo_vs_chemotherapy"

# R: qnorm(0.9955) -- the two-sided 99.1 % quantile; qnorm(0.975) for 95 %.
Z_991 = 2.61205414122928
Z_95 = 1.95996398454005


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _state(**kw) -> ForestState:
    return ForestState(comparison=ICI_CHEMO, **kw)


def _row(result: ForestModel, trial_name: str) -> TrialRow:
    return next(r for r in result.rows if r.trial_name == trial_name)


def _strings(component) -> list[str]:
    """Every string in a Dash component tree (children and text props), also where the tree
    holds light markup (``components.forest.markup``: ``{"props": {"children": …}}``)."""
    out: list[str] = []
    if isinstance(component, str):
        return [component]
    if isinstance(component, (list, tuple)):
        for child in component:
            out.extend(_strings(child))
        return out
    if isinstance(component, dict):
        return _strings(component.get("props", {}).get("children"))
    children = getattr(component, "children", None)
    if children is not None:
        out.extend(_strings(children))
    return out


# ------------------------------------------------------------------------------ forest: levels


def test_checkmate648_991_level_in_chart_and_pooled_se(registry) -> None:
    """CheckMate 648 OS, nivolumab + chemo vs chemo, ITT: HR 0.74, 99.1 % CI 0.58-0.96 (Doki
    NEJM 2022, abstract). The chart says 99.1 % and the SE uses qnorm(0.9955), not 1.96."""
    result = build(registry, _state())
    row = _row(result, "CheckMate 648")
    assert row.ci_level_percent == 99.1
    assert row.pooled and row.study is not None
    expected_se = (math.log(0.96) - math.log(0.58)) / (2 * Z_991)  # R: 0.0964576447646429
    assert row.study.se_log_hr == pytest.approx(0.0964576447646429, rel=1e-9)
    assert row.study.se_log_hr == pytest.approx(expected_se, rel=1e-12)
    wrong_se = (math.log(0.96) - math.log(0.58)) / (2 * Z_95)
    assert wrong_se / row.study.se_log_hr == pytest.approx(Z_991 / Z_95)  # 1.96: SE 33 % too big

    figure, footnote, rows = figure_for(registry, _state())
    texts = [str(t) for trace in figure.data if trace.mode == "text" for t in trace.text]
    assert "0.74 (0.58–0.96), 99.1% CI" in texts
    csv = next(r for r in rows if r["trial"] == "CheckMate 648")
    assert csv["ci_level_percent"] == 99.1
    assert csv["se_log_hr"] == pytest.approx(0.0964576447646429, rel=1e-9)
    assert footnote.data_version == registry.data_version


def test_os_itt_pooling_matches_metafor_on_the_registry_rows(registry) -> None:
    """The nine OS ITT HRs of ICI + chemo vs chemo pooled as the view pools them (each trial's
    latest analysis with a CI: ASTRUM-007 final OS, ESCORT-1st final analysis; issue 13).

    R 4.2.2 Patched (2022-11-10 r83330), metafor 3.8-1 (Rscript, recomputed in issue 13)::

        hr <- c(0.70, 0.74, 0.70, 0.70, 0.58, 0.72, 0.628, 0.70, 0.70)
        lo <- c(0.57, 0.58, 0.58, 0.55, 0.43, 0.60, 0.508, 0.59, 0.55)
        hi <- c(0.86, 0.96, 0.84, 0.90, 0.78, 0.88, 0.777, 0.83, 0.88)
        lev <- c(95, 99.1, 95, 95, 95, 95, 95, 95, 95)
        yi <- log(hr); sei <- (log(hi) - log(lo)) / (2 * qnorm((1 + lev/100)/2))
        ctl <- list(threshold=1e-12, tol=1e-12)
        rma(yi, sei=sei, method="REML", control=ctl)
            # exp(b) 0.692712109952 (0.646567112456-0.742150440425), tau2 0
        rma(yi, sei=sei, method="FE")   # same; QE 2.86117403555, p 0.942765072724
        sei[2] <- (log(0.96)-log(0.58))/(2*qnorm(0.975)); rma(yi, sei=sei, method="FE")
                                        # exp(b) 0.689896087214 (wrong level)

    Tolerance rtol 1e-6.
    """
    result = build(registry, _state())
    assert result.random is not None and result.fixed is not None
    assert result.random.k == 9
    assert result.random.hr == pytest.approx(0.692712109952, rel=1e-6)
    assert result.random.hr_ci_lower == pytest.approx(0.646567112456, rel=1e-6)
    assert result.random.hr_ci_upper == pytest.approx(0.742150440425, rel=1e-6)
    assert result.random.tau2 == 0.0
    assert result.random.q == pytest.approx(2.86117403555, rel=1e-6)
    assert result.random.q_p_value == pytest.approx(0.942765072724, rel=1e-6)
    assert result.fixed.hr == pytest.approx(0.692712109952, rel=1e-6)
    # Treating CheckMate 648's 99.1 % interval as 95 % gives metafor's "wrong" answer.
    studies = [r.study for r in result.rows if r.pooled]
    wrong = [
        study_from_log_hr(s.label, s.log_hr, (math.log(0.96) - math.log(0.58)) / (2 * Z_95))
        if s.label == "CheckMate 648"
        else s
        for s in studies
    ]
    assert pool(wrong, method="FE").hr == pytest.approx(0.689896087214, rel=1e-6)
    assert result.fixed.hr != pytest.approx(0.689896087214, rel=1e-4)


def test_pfs_itt_methods_match_metafor(registry) -> None:
    """PFS ITT: seven trials pooled. RATIONALE-306 has no PFS HR in the sources; CheckMate
    648's 0.81 (0.64-1.04) is shown but not pooled since issue 13: the review that prints it as
    a 95 % CI also prints P = 0.04, which a 95 % interval crossing 1 cannot give, so its level is
    recorded as not known and it has no standard error.

    R 4.2.2 Patched, metafor 3.8-1 (Rscript, recomputed in issue 13), all 95 %::

        hr <- c(0.58, 0.56, 0.67, 0.58, 0.65, 0.56, 0.56)
        lo <- c(0.47, 0.46, 0.54, 0.46, 0.54, 0.46, 0.45)
        hi <- c(0.72, 0.68, 0.82, 0.74, 0.78, 0.68, 0.70)
        yi <- log(hr); sei <- (log(hi) - log(lo)) / (2 * qnorm(0.975))
        rma(..., method="REML")  # 0.594663007722 (0.550130204287-0.642800722442), tau2 0,
                                 # I2 0, QE 3.25702286487, p 0.775964805443
        rma(..., method="PM")    # the same (tau2 0)
        rma(..., method="REML", test="knha")  # CI 0.55357421744-0.63880159446

    Tolerance rtol 1e-6.
    """
    reml = build(registry, _state(endpoint="PFS"))
    assert reml.random is not None and reml.random.k == 7
    assert reml.random.hr == pytest.approx(0.594663007722, rel=1e-6)
    assert reml.random.hr_ci_lower == pytest.approx(0.550130204287, rel=1e-6)
    assert reml.random.hr_ci_upper == pytest.approx(0.642800722442, rel=1e-6)
    assert reml.random.tau2 == pytest.approx(0.0, abs=1e-9)
    assert reml.random.q == pytest.approx(3.25702286487, rel=1e-6)
    assert reml.random.q_p_value == pytest.approx(0.775964805443, rel=1e-6)
    pm = build(registry, _state(endpoint="PFS", method="PM"))
    assert pm.random is not None
    assert pm.random.hr == pytest.approx(0.594663007722, rel=1e-6)
    assert pm.random.hr_ci_upper == pytest.approx(0.642800722442, rel=1e-6)
    kh = build(registry, _state(endpoint="PFS", knapp_hartung=True))
    assert kh.random is not None
    assert kh.random.hr_ci_lower == pytest.approx(0.55357421744, rel=1e-6)
    assert kh.random.hr_ci_upper == pytest.approx(0.63880159446, rel=1e-6)
    rationale = _row(reml, "RATIONALE-306")
    assert rationale.hazard_ratio is None and not rationale.pooled
    assert "PFS HR not reported" in (rationale.status_text or "")
    checkmate = _row(reml, "CheckMate 648")
    assert checkmate.hazard_ratio == 0.81 and checkmate.ci_level_percent is None
    assert not checkmate.pooled
    assert checkmate.not_pooled_reason == "CI level not reported (no standard error)"


# ------------------------------------------------------------------------ forest: what is shown


def test_subgroup_keeps_not_reported_trials_as_rows(registry) -> None:
    result = build(registry, _state(population="CPS>=10"))
    names = [r.trial_name for r in result.rows]
    assert len(names) == 9  # every trial of the comparison, reported or not
    pooled = sorted(r.trial_name for r in result.rows if r.pooled)
    assert pooled == ["KEYNOTE-590", "ORIENT-15", "RATIONALE-306"]
    astrum = _row(result, "ASTRUM-007")
    assert astrum.hazard_ratio is None
    assert "CPS ≥10 subgroup not reported" in (astrum.status_text or "")
    figure = forest_export_figure(registry, result)
    assert any(t.startswith("ASTRUM-007") for t in figure.layout.yaxis.ticktext)
    # KEYNOTE-590 pools its ESCC CPS >= 10 row, not the all-histology one.
    keynote = _row(result, "KEYNOTE-590")
    assert keynote.population_id == "escc_cps_ge10" and keynote.n_text == "143 / 143"
    assert any("all histologies" in a for a in keynote.alternatives)


def test_rows_that_are_shown_but_not_pooled(registry) -> None:
    # KEYNOTE-590 PFS CPS >= 10 exists only for all histologies.
    pfs = build(registry, _state(endpoint="PFS", population="CPS>=10"))
    keynote = _row(pfs, "KEYNOTE-590")
    assert keynote.hazard_ratio == 0.51 and not keynote.pooled
    assert "not ESCC-only" in (keynote.not_pooled_reason or "")
    # RATIONALE-306's only TAP >= 5 row is restricted to locally advanced disease.
    tap5 = build(registry, _state(population="TAP>=5"))
    rationale = _row(tap5, "RATIONALE-306")
    assert rationale.hazard_ratio == 0.37 and not rationale.pooled
    assert "restricted to locally advanced" in (rationale.not_pooled_reason or "")
    # ORIENT-15 final OS prints no CI: shown, not pooled.
    final = build(registry, _state(analyses=(("orient15", "final"),)))
    orient = _row(final, "ORIENT-15")
    assert orient.hazard_ratio == 0.661 and orient.analysis_id == "final"
    assert orient.not_pooled_reason == "no confidence interval printed"
    assert final.random is not None and final.random.k == 8


def test_default_analysis_is_the_latest_with_a_ci(registry) -> None:
    """Issue 13: each trial shows its latest analysis (data cut-off) that has a usable CI; an
    earlier one is picked explicitly and later HRs without a CI are listed under the row."""
    result = build(registry, _state())
    escort = _row(result, "ESCORT-1st")
    assert escort.analysis_id == "final" and escort.analysis_label == "final · cut-off 2022-04-30"
    assert "interim" in " ".join(escort.alternatives)
    assert _row(result, "ASTRUM-007").analysis_id == "final_os"
    # RATIONALE-306 interim OS HR 0.66 has no CI: the 3-year update (0.70, 0.59-0.83) is used.
    assert _row(result, "RATIONALE-306").analysis_id == "update_3y"
    # ORIENT-15's final OS HR (0.661) is later but printed without a CI: listed, not chosen.
    orient = _row(result, "ORIENT-15")
    assert orient.analysis_id == "interim"
    assert any("0.661" in a and "final" in a for a in orient.alternatives)
    assert any("latest analysis" in c for c in result.caveats)
    chosen = build(registry, _state(analyses=(("escort1st", "interim"),)))
    escort = _row(chosen, "ESCORT-1st")
    assert escort.analysis_id == "interim" and escort.hazard_ratio == 0.7
    assert escort.ci_lower == 0.56 and escort.analysis_label == "interim · cut-off 2020-10-30"


def test_comparisons_never_mix_regimen_questions(registry) -> None:
    found = choices(registry)
    keys = [c.key for c in found.comparisons]
    assert keys[0] == ICI_CHEMO
    add_tki = build(registry, ForestState(comparison="ici-tki-chemo_vs_ici-chemo"))
    assert sorted(r.trial_name for r in add_tki.rows) == [
        "LEAP-014",
        "Xu Sci Rep 2025 (TCAC vs TCC)",
    ]
    chemo_free = build(registry, ForestState(comparison="dual-ici-chemo-free_vs_chemotherapy"))
    assert [(r.trial_name, r.arm_id) for r in chemo_free.rows] == [("CheckMate 648", "nivo_ipi")]
    assert chemo_free.random is None and chemo_free.messages  # one trial: nothing to pool
    # Single-arm seeds have no HR and are listed as such.
    assert any("ALTER-E-003" in name for name in found.single_arm)
    assert any("NCT05013697" in name for name in found.single_arm)


def test_scoring_systems_are_not_merged_unless_asked(registry) -> None:
    separate = build(registry, _state(population="TAP>=10"))
    assert [r.trial_name for r in separate.rows if r.pooled] == ["RATIONALE-306"]
    assert _row(separate, "RATIONALE-306").population_id == "tap_ge10"
    across = build(registry, _state(population="TAP>=10", across_systems=True))
    assert sorted(r.trial_name for r in across.rows if r.pooled) == [
        "KEYNOTE-590",
        "ORIENT-15",
        "RATIONALE-306",
    ]
    assert any(m.startswith("POOLED ACROSS PD-L1 SCORING SYSTEMS") for m in across.messages)
    assert across.caveats[0].startswith("POOLED ACROSS")
    figure = forest_export_figure(registry, across)
    assert "POOLED ACROSS PD-L1 SCORING SYSTEMS" in figure.layout.title.text
    keynote = _row(across, "KEYNOTE-590")
    assert any("scoring system CPS" in n for n in keynote.notes)


def test_leave_one_out(registry) -> None:
    result = build(registry, _state(population="CPS>=10", leave_one_out=True))
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
    result = build(registry, _state())
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
    cps = build(registry, _state(population="CPS>=10"))
    assert cps.interactions and all(i.high_label.startswith("CPS") for i in cps.interactions)


def test_heterogeneity_text_clamps_i2(registry) -> None:
    result = build(registry, _state(endpoint="PFS"))
    assert result.random is not None
    text = heterogeneity_text(result.random)
    # Q 3.257 < df 6, so I² = (Q - df) / Q is negative and shown as 0 % (values from metafor,
    # see test_pfs_itt_methods_match_metafor).
    assert text == "τ²=0, I²=0%, Q=3.26 (df 6), p=0.776, k=7"


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
    search = search_for(registry, state)
    query = dict(parse_qsl(search.lstrip("?")))
    restored, problems = SPEC.from_query(registry, query)
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
    state, problems = SPEC.from_query(registry, query)
    assert problems
    assert state.comparison == ICI_CHEMO and state.endpoint in ENDPOINTS


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
    state, problems = state_from_inputs(registry, **good)
    assert state is not None and problems == []
    for key, bad in [
        ("endpoint", "DFS"),
        ("population", "CPS>=11"),
        ("knapp_hartung", "true"),
        ("analysis_values", ["final", "final"]),
        ("analysis_ids", [{"type": "forest-analysis", "trial": "../x"}]),
    ]:
        state, problems = state_from_inputs(registry, **{**good, key: bad})
        assert state is None and problems, key


def test_signature_group_sizes_are_derived_and_labelled(registry) -> None:
    """ALTER-E-003 (Meng, Mol Cancer 2025, abstract): ORR 65.6% vs 11.1% by signature, sizes
    not printed. 21/32 and 1/9 are the only sizes (together <= 46) that print as those
    percentages; the text says "Derived, not printed"."""
    assert (21, 32) in counts_matching_percent(65.6, 46)
    assert len(counts_matching_percent(65.6, 46)) == 1
    text = signature_sizes(registry.trial("alter_e003"), ("signature_pos", "signature_neg"))
    assert text is not None and text.startswith("Derived, not printed")
    assert "21/32" in text and "1/9" in text


def test_seed_subgroups_section(registry) -> None:
    """Li N et al. STTT 2024 (Results, PD-L1 and liver paragraphs): ORR 4/4 (CPS >= 10) with its
    exact CI (R: binom.test(4, 4)$conf.int = 0.3976-1), liver-metastasis p printed as
    "P < 0.0001"; Meng X et al. Mol Cancer 2025 abstract: signature p-values as printed."""
    text = _strings(seeds_section(registry))
    assert "4/4 = 100.0% (Clopper–Pearson 95% CI 39.8–100.0)" in text
    assert "18/26 = 69.2% (Clopper–Pearson 95% CI 48.2–85.7)" in text
    assert "Between-subgroup p-values as printed: PFS p < 0.0001; OS p < 0.0001" in text
    assert "Between-subgroup p-values as printed: PFS p = 0.005; OS p = 0.006; ORR p < 0.001" in (
        text
    )
    assert "43 (derived)" in text  # patients without liver metastases: 50 - 7, marked derived
    assert "65.6% (counts and CI not printed)" in text
    assert "NR (not reached)" in text and "not reported (abstract says only 'improved OS')" in text


def test_forest_export_bundle(registry) -> None:
    forest_bundle = export_bundle(registry, {"pop": "CPS>=10"})
    assert forest_bundle.subject == ("KEYNOTE-590", "ORIENT-15", "RATIONALE-306")
    assert all(set(r) <= set(CSV_COLUMNS) for r in forest_bundle.rows)


def test_p_values_show_their_sidedness(registry) -> None:
    """Issue 13: ESCORT-1st's OS p-values are one-sided (JAMA: 1-sided threshold); the table
    and the CSV say so next to the printed value."""
    from components.forest.tables import rows_table

    result = build(registry, _state(analyses=(("escort1st", "interim"),)))
    escort = _row(result, "ESCORT-1st")
    assert (escort.p_text, escort.p_sided) == ("0.001", "one-sided")
    assert "0.001 (one-sided)" in json.dumps(rows_table(registry, result), default=str)
    bundle = export_bundle(registry, {"an": "escort1st:interim"})
    row = next(r for r in bundle.rows if r.get("trial") == "ESCORT-1st")
    assert (row["p_as_printed"], row["p_sided"]) == ("0.001", "one-sided")


# ------------------------------------------------------------- seeds: reviewed sections in data


def test_seed_sections_come_from_the_data_file(registry) -> None:
    from analysis.views.forest.seeds import sections

    found = sections(registry)
    assert [(s.trial_id, s.populations[0]) for s in found] == [
        ("nct05013697", "cps_lt1"),
        ("nct05013697", "liver_mets"),
        ("alter_e003", "signature_pos"),
    ]


def test_assessed_count_is_composed_from_cited_rows(registry) -> None:
    """Li N et al. STTT 2024: "PD-L1 status was assessed in 38 patients" (Table 1 footnote a;
    Results), 50 patients enrolled, ORR denominators 12 (CPS >= 1) and 26 (CPS < 1) in the
    Results' PD-L1 paragraph. The sentence is built from those rows and cites the fact."""
    text = " ".join(_strings(seeds_section(registry)))
    assert (
        "PD-L1 CPS was available for 38 of 50 patients (12 with CPS ≥1 + 26 with CPS <1, the "
        "printed subgroup denominators)." in text
    )
    assert "Table 1 footnote a; Results" in text


@pytest.mark.parametrize(
    ("toml", "key", "rule"),
    [
        ('[[section]]\ntrial = "nope"\ntitle = "t"\npopulations = ["itt"]\n', "trial", "dangling"),
        (
            '[[section]]\ntrial = "alter_e003"\ntitle = "t"\npopulations = ["cps_ge10"]\n',
            "populations",
            "dangling",
        ),
        (
            '[[section]]\ntrial = "alter_e003"\ntitle = "t"\npopulations = ["itt"]\ncolour = 1\n',
            "colour",
            "unknown-key",
        ),
        (
            '[[section]]\ntrial = "alter_e003"\ntitle = "t"\npopulations = ["itt"]\n'
            "derive_sizes = true\n",
            "derive_sizes",
            "allowed-values",
        ),
        (
            '[[section]]\ntrial = "alter_e003"\ntitle = "t"\npopulations = ["itt"]\n'
            'assessed_fact = "no such fact"\n',
            "assessed_fact",
            "dangling",
        ),
        ('[[section]\ntrial = "x"\n', "(file)", "toml-syntax"),
        ('title = "stray"\n', "title", "unknown-key"),
    ],
)
def test_a_malformed_seed_file_names_file_key_and_rule(registry, toml, key, rule) -> None:
    from analysis.views.forest.seeds import parse_sections
    from data import DataValidationError

    with pytest.raises(DataValidationError) as caught:
        parse_sections(registry, toml)
    problems = caught.value.problems
    assert all(p.file == "vocab/seed_subgroups.toml" for p in problems)
    assert any(key in p.key and p.rule.startswith(rule) for p in problems), problems


def test_a_data_root_without_the_seed_file_has_no_seed_section() -> None:
    from pathlib import Path

    from analysis.views.forest.seeds import build_seeds

    fixture = load_registry(Path(__file__).parent / "fixtures_data")
    model = build_seeds(fixture)
    assert model.points == () and model.tables == ()


# ------------------------------------------------------------- callbacks: pattern-matching ids


def test_analysis_choices_refuse_what_the_page_cannot_send() -> None:
    from components.forest.callbacks import analysis_choices

    ident = {"type": "forest-analysis", "trial": "orient15"}
    assert analysis_choices(["final"], [ident]) == {"orient15": "final"}
    assert analysis_choices([], []) == {}
    assert analysis_choices(["final", "final"], [ident, ident]) is None  # a trial twice
    assert analysis_choices(["final"], []) is None
    assert analysis_choices(["final"], [{"trial": {"$ne": 1}}]) is None
    assert analysis_choices("final", [ident]) is None


def test_old_links_open_the_same_view(registry) -> None:
    """A link the view wrote before the restructure (b1f6b82: ``state_to_search``)."""
    old = "an=orient15%3Afinal&cmp=ici-chemo_vs_chemotherapy&ep=PFS&kh=1&m=PM&pop=CPS%3E%3D10&x=1"
    state, problems = SPEC.from_query(registry, dict(parse_qsl(old)))
    assert problems == []
    assert state == _state(
        endpoint="PFS",
        population="CPS>=10",
        method="PM",
        knapp_hartung=True,
        across_systems=True,
        analyses=(("orient15", "final"),),
    )
    assert search_for(registry, state) == "?" + old


def test_light_markup_is_what_dash_components_serialise_to() -> None:
    """components.forest.markup writes Dash's wire format by hand; a Dash release that changes
    the format must fail here, not in the browser."""
    import json

    from dash import html
    from plotly.utils import PlotlyJSONEncoder

    from components.forest.markup import el, plain

    def wire(tree) -> str:
        return json.dumps(tree, cls=PlotlyJSONEncoder, sort_keys=True)

    built = el(
        "Table",
        [el("Tr", [el("Td", "0.74 (0.58–0.96)"), el("Td", ["a", el("Span", "b", style={})])])],
        className="t",
    )
    real = html.Table(
        [html.Tr([html.Td("0.74 (0.58–0.96)"), html.Td(["a", html.Span("b", style={})])])],
        className="t",
    )
    assert wire(built) == wire(real) == wire(plain(real))
