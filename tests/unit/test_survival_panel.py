"""Survival view: what it shows is what was published (at-risk tables, HRs with their CI
levels), subgroups are never substituted, cross-trial rows are labelled, state survives the URL,
and the figure is deterministic and within budget.

Published numbers used here are the data files' (``data/trials/<trial>/at_risk.csv`` and
``trial.toml``), i.e. the at-risk tables under the published KM figures and the papers' HRs.
"""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import parse_qsl

import pytest

import analysis.views.survival.builder as build_module
from analysis.curve_library import shared_curve_library
from analysis.survival import SurvivalMemo
from analysis.views.survival import CSV_COLUMNS, SPEC, arm_of, build, preset_arms
from analysis.views.survival.rules import fidelity_report
from components import ids, provenance
from components.survival import callbacks, export, fidelity, figure, tables
from components.survival.export import export_bundle, figure_for
from components.survival.layout import population_options
from data import load_registry


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def library(registry):
    return shared_curve_library(registry)


def _props(node) -> dict:
    """A node's props: Dash components, or the ``{"type", "namespace", "props"}`` dicts Dash
    sends for them (the panel builds its tables in that form)."""
    if isinstance(node, dict):
        return node.get("props", {})
    return {p: getattr(node, p, None) for p in ("children", "label", "title", "id")}


def _text(component) -> str:
    """All text in a Dash component tree (strings in children and labels)."""
    out: list[str] = []

    def walk(node) -> None:
        if node is None:
            return
        if isinstance(node, str | int | float):
            out.append(str(node))
            return
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
            return
        props = _props(node)
        for prop in ("children", "label", "title"):
            value = props.get(prop)
            if value is not None:
                walk(value)

    walk(component)
    return " ".join(out)


def _view(registry, query):
    state, problems = SPEC.from_query(registry, query)
    assert problems == []
    return build(registry, state, stats=SurvivalMemo())


def _label(registry, key) -> str:
    trial = registry.trial(key.trial_id)
    return f"{trial.name}: {trial.arm(key.arm_id).label}"


def _at_risk_rows(fig) -> dict[str, dict[float, str]]:
    return {
        t.name.removesuffix(" at risk"): dict(zip(t.x, t.text, strict=True))
        for t in fig.data
        if t.mode == "text"
    }


def test_at_risk_shown_equals_the_published_table_for_every_grade_a_or_b_curve(
    registry, library
) -> None:
    """For every shipped grade-A/B curve, alone and with the other arm(s) of its trial, the
    numbers at risk drawn under the chart equal the published table at the published times."""
    grade_b = [c for c in library.curves if c.grade in ("A", "B")]
    assert len(grade_b) == 20
    for curve in grade_b:
        key = curve.key
        siblings = [
            c.key.arm_id
            for c in grade_b
            if (c.key.trial_id, c.key.endpoint, c.key.analysis_id)
            == (key.trial_id, key.endpoint, key.analysis_id)
        ]
        for arms in ([key.arm_id], siblings):
            query = {
                "arms": ",".join(f"{key.trial_id}:{a}" for a in arms),
                "ep": key.endpoint,
                "pop": curve.population_key,
                "cut": "earliest",  # every grade A/B curve belongs to a trial's first report
            }
            fig, _footnote, _rows, ipd = figure_for(registry, query)
            assert len(ipd) == len(arms)
            shown = _at_risk_rows(fig)[_label(registry, key)]
            ticks = set(fig.layout.xaxis.tickvals)
            published = zip(
                curve.inputs.at_risk_times_months, curve.inputs.at_risk_counts, strict=True
            )
            for time, count in published:
                assert time in ticks, (key, time)
                if curve.grade == "B" or time == 0.0:
                    assert shown[time] == str(count), (key, time, shown[time], count)
                else:
                    # Grade A follows the digitised curve, whose drops are placed to a pixel: at
                    # a cliff right at a table time (KEYNOTE-590 PFS at 6 months: 151 vs 172)
                    # the count on either side of the cliff differs. Bound: 6 % of N.
                    tolerance = 0.06 * curve.inputs.at_risk_counts[0]
                    assert abs(int(shown[time]) - count) <= tolerance, (key, time, shown[time])


def test_latest_analysis_by_default_first_report_on_request(registry) -> None:
    """Issue 13: curves come from each trial's latest analysis unless the first report is asked
    for; the caveat names the analysis and its cut-off. ESCORT-1st: final analysis (cut-off
    2022-04-30, grade C from its summary numbers) by default, the JAMA interim (digitised,
    grade A, issue 12) on request."""
    arms = "escort1st:cam_chemo,escort1st:placebo_chemo"
    view = _view(registry, {"arms": arms})
    assert {c.curve.key.analysis_id for c in view.curves} == {"final"}
    assert any("ESCORT-1st final (cut-off 2022-04-30)" in c for c in view.caveats)
    assert any("Choose 'First report'" in c for c in view.caveats)
    first = _view(registry, {"arms": arms, "cut": "earliest"})
    assert {c.curve.key.analysis_id for c in first.curves} == {"interim"}
    assert {c.curve.grade for c in first.curves} == {"A"}  # digitised curve (issue 12)
    assert any("ESCORT-1st interim (cut-off 2020-10-30)" in c for c in first.caveats)


def test_subgroup_arms_are_listed_not_substituted(registry) -> None:
    view = _view(
        registry,
        {
            "arms": "nct05013697:triple,escort1st:cam_chemo,orient15:sint_chemo",
            "pop": "CPS>=10",
        },
    )
    assert view.curves == ()
    reasons = {m.token: m.reason for m in view.missing}
    assert set(reasons) == {"nct05013697:triple", "escort1st:cam_chemo", "orient15:sint_chemo"}
    assert "reports no PD-L1 CPS ≥10 subgroup" in reasons["escort1st:cam_chemo"]
    assert "not reconstructable" in reasons["orient15:sint_chemo"]
    assert "total events not reported" in reasons["orient15:sint_chemo"]
    # Issue 15: the N printed with the subgroup's own median (N = 12/26 on the Subgroups page) is
    # used, so the reason no longer says "N not reported"; events are what is missing.
    assert "N for this arm and population not reported" not in reasons["nct05013697:triple"]
    assert "total events not reported" in reasons["nct05013697:triple"]
    fig, _fn, rows, ipd = figure_for(
        registry, {"arms": "escort1st:cam_chemo,orient15:sint_chemo", "pop": "CPS>=10"}
    )
    assert ipd == ()
    assert not [t for t in fig.data if t.mode == "lines"]  # no ITT curve drawn instead
    # ORIENT-15's CPS >= 10 median is drawn as a marker and listed as such (issue 15)
    assert {r["row_type"] for r in rows} == {"not shown", "published median (marker, no curve)"}
    text = _text(tables.missing_list(view))
    assert "Not shown for OS, PD-L1 CPS ≥10" in text


def test_comparison_rows_label_cross_trial_and_show_the_published_hr(registry) -> None:
    view = _view(
        registry,
        {
            "arms": "escort1st:cam_chemo,escort1st:placebo_chemo,jupiter06:tori_tp",
            "ref": "escort1st:placebo_chemo",
            "cut": "earliest",
        },
    )
    assert view.reference is not None and view.reference.token == "escort1st:placebo_chemo"
    rows = {r.arm.token: r for r in view.comparisons}
    within = rows["escort1st:cam_chemo"]
    assert within.cross_trial is False
    # Luo JAMA 2021 (ESCORT-1st interim): OS HR 0.70, 95% CI 0.56-0.88.
    assert within.published is not None
    assert (within.published.hazard_ratio, within.published.ci_lower) == (0.70, 0.56)
    assert (within.published.ci_upper, within.published.ci_level) == (0.88, 0.95)
    assert rows["jupiter06:tori_tp"].cross_trial is True
    assert rows["jupiter06:tori_tp"].published is None
    text = _text(tables.results_tables(registry, view))
    assert provenance.CROSS_TRIAL_LABEL in text
    assert "0.70 (0.56–0.88 (95% CI))" in text
    assert view.cross_trial is True
    footnote = figure.footnote_of(registry, view)
    assert footnote.cross_trial is True
    assert ("ESCORT-1st: Camrelizumab + paclitaxel/cisplatin", "A") in footnote.grades


def test_published_hr_keeps_its_ci_level_and_direction(registry) -> None:
    view = _view(registry, {"arms": "checkmate648:nivo_chemo,checkmate648:chemo"})
    assert view.reference is not None and view.reference.token == "checkmate648:chemo"
    (row,) = view.comparisons
    # Doki NEJM 2022: OS HR 0.74 with a 99.1% CI 0.58-0.96.
    assert row.published is not None and row.published.ci_level == pytest.approx(0.991)
    assert "0.58–0.96 (99.1% CI)" in _text(tables.results_tables(registry, view))
    flipped = _view(
        registry,
        {"arms": "checkmate648:nivo_chemo,checkmate648:chemo", "ref": "checkmate648:nivo_chemo"},
    )
    (row,) = flipped.comparisons
    assert row.published is not None and row.published.inverted
    assert row.published.hazard_ratio == pytest.approx(1 / 0.74)
    assert row.published.ci_lower == pytest.approx(1 / 0.96)


def test_tau_is_clamped_to_the_common_follow_up_and_said_so(registry) -> None:
    view = _view(registry, {"arms": "escort1st:cam_chemo,escort1st:placebo_chemo", "tau": "60"})
    shortest = min(float(c.curve.sample.times_months[-1]) for c in view.curves)
    assert view.tau_clamped and view.tau_months == pytest.approx(shortest)
    for item in view.curves:
        assert item.summary.rmst is not None
        assert item.summary.rmst.tau_months == pytest.approx(shortest)
    assert "was clamped to" in _text(tables.results_tables(registry, view))


def test_not_reached_is_disambiguated(registry) -> None:
    view = _view(registry, {"arms": "nct05013697:triple"})
    (item,) = view.curves
    assert item.summary.median.median_months is None
    assert "NR (not reached)" in _text(tables.results_tables(registry, view))
    rows = export.rows_of(registry, view)
    assert rows[0]["median_status"] == "not reached"


def _check_text(registry, library, item) -> str:
    """The check the badge's popover receives when opened (callback ``fidelity_check``)."""
    report = fidelity_report(registry, library, item.curve)
    return _text(fidelity.fidelity_details(registry, item.trial.id, report))


def _ids(component, found: list) -> list:
    """Every component id in a tree, in document order."""
    if isinstance(component, list | tuple):
        for child in component:
            _ids(child, found)
    elif isinstance(component, dict) or hasattr(component, "to_plotly_json"):
        props = _props(component)
        if props.get("id") is not None:
            found.append(props["id"])
        _ids(props.get("children"), found)
    return found


def test_fidelity_badge_opens_the_published_vs_reconstructed_check(registry, library) -> None:
    view = _view(registry, {"arms": "checkmate648:nivo_chemo,checkmate648:chemo"})
    item = view.curves[0]
    badge = tables.fidelity_badge(item)
    text = _text(badge)
    # Grade A since issue 12 (digitised curve + published table): the OS HR check now passes
    # (grade B missed 0.74 by more than 0.05 on the log scale).
    assert "grade A" in text
    assert item.passed is True
    assert "checks passed" in text
    # The badge's popover is the target of the check for exactly this curve.
    slug = item.curve.key.slug
    assert _ids(badge, []) == [
        {"type": ids.SURVIVAL_FIDELITY, "curve": slug},
        {"type": ids.SURVIVAL_FIDELITY_BODY, "curve": slug},
    ]
    check = _check_text(registry, library, item)
    assert "HR Nivolumab + chemotherapy vs Chemotherapy (FP)" in check
    # No shipped curve fails its checks any more; the failed badge is still drawn when one does.
    failed = _text(tables.fidelity_badge(dataclasses.replace(item, passed=False)))
    assert "check failed" in failed
    ok = _view(registry, {"arms": "escort1st:cam_chemo"}).curves[0]
    assert ok.passed is True
    # Since issue 13 the default is the latest analysis (a grade-C curve for ESCORT-1st); since
    # issue 15 grade C reads as a model-based shape, never "checks passed" alone.
    expected = "model-based shape" if ok.curve.grade == "C" else "checks passed"
    assert expected in _text(tables.fidelity_badge(ok))
    assert "FAIL" not in _check_text(registry, library, ok)


def test_url_round_trip(registry) -> None:
    base = SPEC.default(registry)
    states = [
        base,
        dataclasses.replace(base, arms=(), show_ci=True),
        dataclasses.replace(
            base,
            endpoint="PFS",
            arms=("escort1st:cam_chemo", "jupiter06:tori_tp"),
            population="TAP>=5<10",
            reference="jupiter06:tori_tp",
            landmark_months=6.5,
            tau_months=24.0,
            show_censor=False,
            show_median=True,
            show_at_risk=False,
        ),
    ]
    for state in states:
        search = SPEC.to_search(registry, state)
        keys = [k for k, _v in parse_qsl(search.lstrip("?"))]
        assert keys == sorted(keys)
        restored, problems = SPEC.from_query(registry, dict(parse_qsl(search.lstrip("?"))))
        assert problems == []
        assert restored == state


@pytest.mark.parametrize(
    ("position", "value"),
    [
        (0, "DFS"),
        (1, ["escort1st:cam_chemo", "nope:arm"]),
        (1, "escort1st:cam_chemo"),
        (2, "ITT "),
        (3, "<script>"),
        (4, float("nan")),
        (4, -1),
        (4, "12"),
        (5, 10**9),
        (5, True),
        (6, "yes"),
        (9, None),
        (10, "newest"),
    ],
)
def test_inputs_outside_the_allow_lists_are_rejected(registry, position, value) -> None:
    values = ["OS", ["escort1st:cam_chemo"], "ITT", None, 12, 18, False, True, False, True]
    values.append("latest")
    values.append([])  # user-supplied curves (issue 16)
    state, problems = callbacks.state_from_values(registry, values)
    assert state is not None and problems == []
    values[position] = value
    state, problems = callbacks.state_from_values(registry, values)
    assert state is None and problems


def test_presets_come_from_the_registry(registry) -> None:
    seeds = preset_arms(registry, "seeds-vs-pd1")
    focus = {f"{t.id}:{a.id}" for t in registry.trials if t.focus for a in t.arms}
    assert focus <= set(seeds)
    for token in set(seeds) - focus:
        trial, arm = arm_of(registry, token)
        assert trial.phase == "3" and arm.regimen_class == "ICI+chemo" and arm.role != "control"
    free = preset_arms(registry, "chemo-free")
    assert {"alter_e003:chemo_free", "checkmate648:nivo_ipi", "checkmate648:chemo"} == set(free)
    controls = preset_arms(registry, "chemo-controls")
    for token in controls:
        _trial, arm = arm_of(registry, token)
        assert arm.role == "control" and arm.regimen_class in ("chemo", "placebo+chemo")
    assert len(controls) >= 9
    assert preset_arms(registry, "unknown") == ()


def test_figure_is_deterministic_and_the_screen_path_matches_the_export(registry) -> None:
    query = {"arms": "escort1st:cam_chemo,jupiter06:tori_tp", "ci": "1", "median": "1"}
    first = figure_for(registry, query)[0].to_json()
    second = figure_for(registry, query)[0].to_json()
    assert first == second
    state, _ = SPEC.from_query(registry, query)
    view = build(registry, state, stats=SurvivalMemo())
    screen = callbacks.outputs(registry, view)[0]
    # The screen figure is the export figure without the in-figure footnote (the caption under
    # the graph carries the sources there); everything else is identical.
    exported = figure.export_figure(registry, view, None).to_json()
    assert json.loads(json.dumps(screen)) == json.loads(exported)
    screen_notes = [
        a for a in screen["layout"].get("annotations", []) if a.get("name") == "footnote"
    ]
    export_notes = [
        a for a in json.loads(first)["layout"]["annotations"] if a.get("name") == "footnote"
    ]
    assert screen_notes == [] and len(export_notes) == 1


def test_two_arm_figure_with_ci_bands_is_within_the_payload_budget(registry) -> None:
    """PERF-05: a 2-arm KM figure with CI bands stays under 150 KB (the largest shipped pair,
    KEYNOTE-590 with 749 patients)."""
    fig, *_ = figure_for(
        registry,
        {"arms": "keynote590:pembro_chemo,keynote590:placebo_chemo", "ci": "1", "median": "1"},
    )
    size_kb = len(fig.to_json()) / 1024
    assert size_kb <= 150


def test_footnote_and_csv(registry) -> None:
    fig, footnote, rows, ipd = figure_for(
        registry,
        {
            "arms": "escort1st:cam_chemo,escort1st:placebo_chemo,astrum007:serp_cf",
            "cut": "earliest",
        },
    )
    notes = [a for a in fig.layout.annotations if a.name == "footnote"]
    assert len(notes) == 1 and registry.data_version in notes[0].text
    assert footnote.data_version == registry.data_version
    # ESCORT-1st is drawn as curves, ASTRUM-007 (no curve) as its published median markers
    # (issue 15): two trials on one chart, so the footnote carries the cross-trial label.
    assert footnote.cross_trial
    assert any(t.get("meta", {}).get("role") == "published" for t in fig.to_dict()["data"])
    # ASTRUM-007's published median is a CSV row of its own (issue 15), beside its reason
    assert {r["row_type"] for r in rows} == {
        "arm",
        "comparison",
        "not shown",
        "published median (marker, no curve)",
    }
    for row in rows:
        assert set(row) <= set(CSV_COLUMNS)
    assert [a.grade for a in ipd] == ["A", "A"]
    assert sum(a.sample.n_events for a in ipd) == 135 + 174


def test_statistics_are_cached_not_refit(registry) -> None:
    memo = SurvivalMemo()
    state, _ = SPEC.from_query(registry, {"arms": "orient15:sint_chemo,orient15:placebo_chemo"})
    build(registry, state, stats=memo)
    before = memo.summarise_arm.cache_info()
    compare_before = memo.compare_arms.cache_info()
    build(registry, state, stats=memo)
    after = memo.summarise_arm.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 2
    assert memo.compare_arms.cache_info().misses == compare_before.misses


def test_population_options_say_when_nothing_is_reconstructable(registry) -> None:
    options = {o["value"]: o["label"] for o in population_options(registry)}
    assert options["ITT"].startswith("ITT")
    assert options["CPS>=10"] == "PD-L1 CPS ≥10 — no reconstructable curve"
    assert "TAP>=5<10" in options


def test_figure_is_identical_in_a_separate_process(registry) -> None:
    """DATA-05: a fresh interpreter (another worker) builds byte-identical figure JSON."""
    import hashlib
    import subprocess
    import sys
    from pathlib import Path

    query = {"arms": "nct05013697:triple,keynote590:pembro_chemo", "ci": "1", "ep": "PFS"}
    here = hashlib.sha256(figure_for(registry, query)[0].to_json().encode()).hexdigest()
    code = (
        "import hashlib, json, sys\n"
        "from data import load_registry\n"
        "from components.survival import figure_for\n"
        "q = json.loads(sys.argv[1])\n"
        "fig = figure_for(load_registry(), q)[0]\n"
        "print(hashlib.sha256(fig.to_json().encode()).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(query)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.strip().splitlines()[-1] == here


def test_export_bundle_carries_the_chart_rows_and_ipd(registry) -> None:
    bundle = export_bundle(
        registry, {"arms": "jupiter06:tori_tp,jupiter06:placebo_tp", "ep": "PFS", "ci": "1"}
    )
    assert bundle.kind == "km" and bundle.endpoint == "PFS" and bundle.population == "ITT"
    assert bundle.subject == ("JUPITER-06",)
    assert bundle.columns == CSV_COLUMNS
    # Wang ZX et al. Cancer Cell 2022 (JUPITER-06): 132 and 164 PFS events.
    assert [a.sample.n_events for a in bundle.ipd] == [132, 164]
    assert [r["row_type"] for r in bundle.rows] == ["arm", "arm", "comparison"]


def test_chemo_free_preset_lists_alter_e003_with_its_reasons(registry) -> None:
    """With the shipped data ALTER-E-003 (Mol Cancer 2025 abstract: no event count, no data
    cut-off) is in the chemo-free preset and listed, for PFS, with both missing facts and the
    rejected events-from-CI estimate (notes/issue-05-estimated-events.md); never dropped."""
    free = preset_arms(registry, "chemo-free")
    assert "alter_e003:chemo_free" in free
    view = _view(registry, {"arms": ",".join(free), "ep": "PFS"})
    assert "alter_e003:chemo_free" not in {c.token for c in view.curves}
    reasons = {m.token: m.reason for m in view.missing}
    alter = reasons["alter_e003:chemo_free"]
    assert "total events not reported" in alter
    assert "follow-up window not reported" in alter
    assert "tested against published counts and rejected" in alter


def test_chemo_free_preset_draws_alter_e003_once_it_is_reconstructable(
    registry, monkeypatch
) -> None:
    """The preset needs no change when the facts arrive: with a library in which ALTER-E-003
    PFS has a curve, the preset draws it. The curve here is built from SYNTHETIC, test-only
    facts (events 30 and a follow-up window of 20-27 months are invented to exercise the code
    path; N 46 and the median 15.74 are the abstract's); nothing like it is in data/."""
    from analysis.curve_library import CurveKey, CurveLibrary, _make_curve
    from analysis.reconstruct import FollowUp, SummaryArm, reconstruct_from_summary

    real = shared_curve_library(registry)
    key = CurveKey("alter_e003", "chemo_free", "PFS", "itt", "molcancer2025")
    inputs = registry.curve_inputs(
        key.trial_id, key.arm_id, key.endpoint, key.population, key.analysis_id
    )
    followup = FollowUp(accrual_months=7.0, min_followup_months=20.0, max_followup_months=27.0)
    ipd = reconstruct_from_summary(
        SummaryArm(n=46, total_events=30, median_months=15.74), followup=followup
    )
    synthetic = _make_curve(registry, key, inputs, ipd, followup, ("synthetic test facts",))
    patched = CurveLibrary.create(
        real.data_version,
        real.input_keys,
        [*real.curves, synthetic],
        [r for r in real.not_reconstructable if r.key != key],
        real.hazard_ratio_checks,
    )
    monkeypatch.setattr(build_module, "shared_curve_library", lambda _registry: patched)
    query = {"arms": ",".join(preset_arms(registry, "chemo-free")), "ep": "PFS"}
    view = _view(registry, query)
    assert "alter_e003:chemo_free" in {c.token for c in view.curves}
    _fig, _footnote, _rows, ipd_arms = figure_for(registry, query)
    assert any(a.sample == synthetic.sample for a in ipd_arms)
