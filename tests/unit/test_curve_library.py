"""The shipped curve library: every curve input is reconstructed or listed with a reason,
the output is deterministic, grade-B curves reproduce the published at-risk tables, and every
curve carries its DATA-03 fidelity flags.

Expected numbers come from the data files (``data/trials/*``: at-risk tables, events, medians,
HRs with their CI levels, accrual dates and cut-offs) and from date arithmetic stated below.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from analysis.curve_library import (
    EVENT_ESTIMATE_COLUMNS,
    EVENT_ESTIMATE_REJECTED,
    FIDELITY_COLUMNS,
    MONTH_DAYS,
    CurveKey,
    build_curve_library,
    curve_input_keys,
    estimate_events_from_median_ci,
    event_estimate_checks,
    event_estimate_rows,
    event_estimate_summary,
    followup_for,
    ipd_csv,
    main,
    shared_curve_library,
    write_library,
)
from analysis.digitised_curves import digitised_curves
from analysis.survival import n_at_risk
from data import load_registry


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def library(registry):
    return build_curve_library(registry)


def _months(start: str, end: str) -> float:
    return (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days / MONTH_DAYS


def test_every_input_is_reconstructed_or_listed_with_a_reason(registry, library) -> None:
    keys = curve_input_keys(registry)
    assert library.input_keys == keys
    assert len(set(keys)) == len(keys)
    built = [c.key for c in library.curves]
    listed = [r.key for r in library.not_reconstructable]
    assert set(built).isdisjoint(listed)
    assert sorted(built + listed) == sorted(keys)
    assert all(r.reason.strip() for r in library.not_reconstructable)
    # Every declared curve of the registry is an input.
    for trial, curve in registry.curves():
        key = CurveKey(trial.id, curve.arm, curve.endpoint, curve.population, curve.analysis)
        assert key in keys
    # Every arm-level OS/PFS median or event row of the registry is an input too.
    for trial in registry.trials:
        for row in trial.efficacy_rows(measure="median"):
            if row.endpoint in ("OS", "PFS"):
                assert CurveKey(trial.id, row.arm, row.endpoint, row.population, row.analysis) in (
                    keys
                )


def test_every_table_becomes_a_grade_a_or_b_curve(registry, library) -> None:
    """Grade A where the project digitised the curve (issue 12), grade B for the other tables."""
    with_table = {
        CurveKey(t.id, c.arm, c.endpoint, c.population, c.analysis)
        for t, c in registry.curves(with_at_risk=True)
    }
    digitised = digitised_curves(registry)
    with_curve = {
        CurveKey(t.id, c.arm, c.endpoint, c.population, c.analysis)
        for t, c in registry.curves(with_at_risk=True)
        if (t.id, c.id) in digitised
    }
    grade_a = {c.key for c in library.curves if c.grade == "A"}
    grade_b = {c.key for c in library.curves if c.grade == "B"}
    assert grade_a == with_curve
    assert grade_b == with_table - with_curve
    assert len(with_table) == 20
    assert len(grade_a) == 20  # every shipped table has a digitised curve (notes/issue-12.md)


def test_grade_b_reproduces_the_published_at_risk_tables(library) -> None:
    """n with T >= t of the reconstructed IPD equals the printed table at every printed time."""
    for curve in library.curves:
        if curve.grade != "B":
            continue
        times = curve.inputs.at_risk_times_months
        assert n_at_risk(curve.sample, times) == tuple(curve.inputs.at_risk_counts), curve.key
        assert curve.n_patients == curve.inputs.at_risk_counts[0]


def test_grade_c_only_with_published_events(library) -> None:
    grade_c = [c for c in library.curves if c.grade == "C"]
    assert {c.key.slug for c in grade_c} == {
        "nct05013697_triple_OS_itt_primary",
        "nct05013697_triple_PFS_itt_primary",
        "escort1st_cam_chemo_OS_itt_final",
        "escort1st_placebo_chemo_OS_itt_final",
    }
    for curve in grade_c:
        assert curve.inputs.events is not None
        assert curve.n_events == curve.inputs.events
        assert curve.n_patients == curve.inputs.n


def test_missing_events_are_not_invented(library) -> None:
    reason = library.reason(CurveKey("astrum007", "serp_cf", "OS", "itt", "primary"))
    assert reason is not None and "total events not reported" in reason
    alter = library.reason(CurveKey("alter_e003", "chemo_free", "PFS", "itt", "molcancer2025"))
    assert alter is not None and "total events not reported" in alter
    # CheckMate 648 nivolumab + ipilimumab has no at-risk table and no event count.
    ipi = library.reason(CurveKey("checkmate648", "nivo_ipi", "OS", "itt", "primary"))
    assert ipi is not None and "events" in ipi
    assert library.lookup("checkmate648", "nivo_ipi", "OS", "itt", "primary") is None


def test_fidelity_flags_present_for_every_curve(library) -> None:
    for curve in library.curves:
        fid = curve.fidelity
        assert fid.grade == curve.grade
        assert fid.n_passed is True  # N is always reproduced exactly
        if curve.inputs.events is not None:
            assert fid.events_constrained and fid.events_passed is True
        assert fid.median_passed is not None  # every shipped curve has a median or NR
        assert all(lm.passed is not None for lm in fid.landmarks)
        assert isinstance(fid.passed, bool)
        assert library.passed(curve.key) in (True, False)
    rows = library.fidelity_rows()
    assert len(rows) == len(library.curves)
    assert all(set(row) == set(FIDELITY_COLUMNS) for row in rows)
    assert {row["all_passed"] for row in rows} <= {"pass", "FAIL"}


def test_hazard_ratio_checks_use_the_published_ci_level(library) -> None:
    pairs = {
        (h.trial_id, h.endpoint, h.analysis_id, h.arm_id, h.comparator_id): h
        for h in library.hazard_ratio_checks
    }
    assert set(pairs) == {
        ("checkmate648", "OS", "primary", "nivo_chemo", "chemo"),
        ("checkmate648", "PFS", "primary", "nivo_chemo", "chemo"),
        ("escort1st", "OS", "interim", "cam_chemo", "placebo_chemo"),
        ("escort1st", "OS", "final", "cam_chemo", "placebo_chemo"),
        ("escort1st", "PFS", "interim", "cam_chemo", "placebo_chemo"),
        ("jupiter06", "OS", "primary", "tori_tp", "placebo_tp"),
        ("jupiter06", "PFS", "primary", "tori_tp", "placebo_tp"),
        ("keynote590", "OS", "ia1", "pembro_chemo", "placebo_chemo"),
        ("keynote590", "PFS", "ia1", "pembro_chemo", "placebo_chemo"),
        ("orient15", "OS", "interim", "sint_chemo", "placebo_chemo"),
        ("orient15", "PFS", "interim", "sint_chemo", "placebo_chemo"),
    }
    cm_os = pairs[("checkmate648", "OS", "primary", "nivo_chemo", "chemo")]
    # Doki NEJM 2022: OS HR 0.74, 99.1% CI 0.58-0.96 (data/trials/checkmate648/trial.toml).
    assert cm_os.hr_published == 0.74
    assert (cm_os.ci_lower_published, cm_os.ci_upper_published) == (0.58, 0.96)
    assert cm_os.ci_level_published == pytest.approx(0.991)
    assert cm_os.ci_level_reconstructed == pytest.approx(0.991)
    escort = pairs[("escort1st", "OS", "interim", "cam_chemo", "placebo_chemo")]
    assert escort.ci_level_reconstructed == pytest.approx(0.95)
    for check in library.hazard_ratio_checks:
        assert check.hr_reconstructed is not None and check.abs_log_diff is not None
        assert check.abs_log_diff == pytest.approx(
            abs(math.log(check.hr_reconstructed) - math.log(check.hr_published))
        )
        assert check.passed == (check.abs_log_diff <= 0.05 + 1e-12 and check.ci_overlap is True)


def test_hr_checks_agree_with_the_lifelines_fidelity_check(library) -> None:
    """Our numpy Cox (analysis.survival) vs analysis.fidelity.hazard_ratio_check (lifelines),
    where both use 95 % CIs: same HR to 1e-4 (relative), same verdict."""
    from analysis.fidelity import hazard_ratio_check

    checked = 0
    for check in library.hazard_ratio_checks:
        if check.ci_level_reconstructed != pytest.approx(0.95):
            continue
        arm = library.lookup(
            check.trial_id, check.arm_id, check.endpoint, check.population, check.analysis_id
        )
        ref = library.lookup(
            check.trial_id,
            check.comparator_id,
            check.endpoint,
            check.population,
            check.analysis_id,
        )
        assert arm is not None and ref is not None
        ci = (
            (check.ci_lower_published, check.ci_upper_published)
            if check.ci_lower_published is not None
            else None
        )
        theirs = hazard_ratio_check(
            arm.ipd.arrays(),
            ref.ipd.arrays(),
            hr_published=check.hr_published,
            ci_published=ci,
            ci_level_published=check.ci_level_published,
        )
        assert check.hr_reconstructed == pytest.approx(theirs.hr_reconstructed, rel=1e-4)
        assert check.ci_lower_reconstructed == pytest.approx(
            theirs.ci_lower_reconstructed, rel=1e-3
        )
        assert check.passed == theirs.passed
        checked += 1
    assert checked >= 9


def test_build_is_deterministic(registry, library, tmp_path) -> None:
    again = build_curve_library(registry)
    assert [c.key for c in again.curves] == [c.key for c in library.curves]
    for a, b in zip(again.curves, library.curves, strict=True):
        assert ipd_csv(a.ipd) == ipd_csv(b.ipd)
        assert a.sample.digest == b.sample.digest
    assert again.fidelity_rows() == library.fidelity_rows()
    assert again.not_reconstructable == library.not_reconstructable
    first = write_library(library, tmp_path / "one")
    second = write_library(again, tmp_path / "two")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_followup_from_dates_and_printed_facts(registry) -> None:
    # ESCORT-1st interim: accrual 2018-12-03 to 2020-05-12, cut-off 2020-10-30; the printed
    # median follow-up (10.8, observed time on study) is not used.
    fu, notes = followup_for(registry, "escort1st", "interim")
    assert fu is not None
    assert fu.min_followup_months == pytest.approx(_months("2020-05-12", "2020-10-30"))
    assert fu.max_followup_months == pytest.approx(_months("2018-12-03", "2020-10-30"))
    assert fu.median_followup_months is None
    assert any("not used" in n for n in notes)
    # CheckMate 648: accrual printed to the month (2017-06 to 2019-11), minimum follow-up 13.
    fu, _ = followup_for(registry, "checkmate648", "primary")
    assert fu is not None
    assert fu.accrual_months == pytest.approx(_months("2017-06-01", "2019-11-30"))
    assert fu.min_followup_months == 13.0
    # ESCORT-1st final has no accrual of its own: the trial's accrual period is used.
    fu, notes = followup_for(registry, "escort1st", "final")
    assert fu is not None and fu.min_followup_months == 24.0
    assert fu.max_followup_months == pytest.approx(_months("2018-12-03", "2022-04-30"))
    assert any("accrual period as printed with" in n for n in notes)
    # NCT05013697: median follow-up 23.7 exceeds the midpoint of the date window, so the
    # shortest potential follow-up is raised to 2 * 23.7 - longest.
    fu, notes = followup_for(registry, "nct05013697", "primary")
    longest = _months("2021-09-01", "2024-04-01")
    assert fu is not None and fu.max_followup_months == pytest.approx(longest)
    assert fu.min_followup_months == pytest.approx(2 * 23.7 - longest)
    # JUPITER-06 prints a cut-off but no accrual period: nothing usable.
    fu, notes = followup_for(registry, "jupiter06", "primary")
    assert fu is None and notes


def test_curves_stay_within_the_reported_follow_up(library) -> None:
    for curve in library.curves:
        assert curve.within_followup is not False, curve.key


def test_lookups(library) -> None:
    curve = library.lookup("escort1st", "cam_chemo", "OS", "itt", "interim")
    assert curve is not None and curve.grade == "A" and curve.population_key == "ITT"
    assert library.get(curve.key) is curve
    assert [
        c.key.analysis_id for c in library.curves_for("escort1st", "cam_chemo", "OS", "ITT")
    ] == [
        "interim",
        "final",
    ]
    assert library.curves_for("escort1st", "cam_chemo", "OS", "CPS>=10") == ()
    tps = library.reasons_for("escort1st", "cam_chemo", "OS", "TPS>=1")
    assert len(tps) == 1 and "events" in tps[0].reason
    assert {h.comparator_id for h in library.hr_checks_for(curve.key)} == {"placebo_chemo"}
    assert library.passed(CurveKey("x", "y", "OS", "itt", "z")) is None


def test_shared_library_is_built_once(registry) -> None:
    assert shared_curve_library(registry) is shared_curve_library(registry)


def test_cli_writes_ipd_and_fidelity(tmp_path, capsys) -> None:
    assert main(["--out", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    fidelity = (out / "fidelity.csv").read_text(encoding="utf-8").splitlines()
    assert fidelity[0].split(",") == list(FIDELITY_COLUMNS)
    assert len(fidelity) == 1 + 24
    ipd = (out / "escort1st_cam_chemo_OS_itt_interim.csv").read_text(encoding="utf-8")
    lines = ipd.splitlines()
    assert lines[0] == "time_months,event"
    assert len(lines) == 1 + 298
    events = sum(int(line.split(",")[1]) for line in lines[1:])
    assert events == 135  # Luo JAMA 2021 (ESCORT-1st): 135 deaths with camrelizumab
    assert (out / "not_reconstructable.csv").is_file()
    assert "24 curves reconstructed" in capsys.readouterr().out


def test_cli_bad_data_root_exits_2(tmp_path, capsys) -> None:
    assert main(["--out", str(tmp_path / "o"), "--data-root", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


def test_sample_times_match_the_ipd(library) -> None:
    for curve in library.curves:
        t, e = curve.ipd.arrays()
        assert np.array_equal(curve.sample.times_months, t)
        assert np.array_equal(curve.sample.events, e.astype(bool))


# --------------------------------------------------------------------------------------------
# Events from the width of the median's CI: evaluated, validated, and not used for curves
# --------------------------------------------------------------------------------------------


def test_events_from_median_ci_hand_worked() -> None:
    """ALTER-E-003 (Meng, Mol Cancer 2025 abstract): N = 46, median PFS 15.74 months, 95 % CI
    9.03-21.91. By hand: z = 1.959964; 21.91 / 9.03 = 2.426357; ln = 0.886391;
    2 z / ln = 3.919928 / 0.886391 = 4.422347; squared = 19.557 -> 20 (tolerance 1e-3)."""
    est = estimate_events_from_median_ci(46, 9.03, 21.91, 0.95)
    assert est is not None
    assert est.z == pytest.approx(1.959964, abs=1e-6)
    assert est.events_raw == pytest.approx(19.557, abs=1e-3)
    assert est.events == 20 and est.clamped is False
    assert est.arithmetic == "events ≈ (2×1.960/ln(21.91/9.03))² = 19.6 → 20"
    # 90 % CI 5-10 months: z = 1.644854; (2 z / ln 2)^2 = (3.289707 / 0.693147)^2 = 22.525 -> 23.
    est90 = estimate_events_from_median_ci(100, 5.0, 10.0, 0.90)
    assert est90 is not None
    assert est90.events_raw == pytest.approx(22.525, abs=1e-3) and est90.events == 23


def test_events_from_median_ci_is_clamped_to_one_and_n() -> None:
    # ESCORT-1st placebo PFS (Luo JAMA 2021): 5.6 (5.5-5.7), N = 298:
    # (3.919928 / ln(5.7 / 5.5))^2 = (3.919928 / 0.035718)^2 = 12044.3 -> clamped to 298.
    est = estimate_events_from_median_ci(298, 5.5, 5.7, 0.95)
    assert est is not None
    assert est.events_raw == pytest.approx(12044.25, abs=0.01)
    assert est.events == 298 and est.clamped is True
    assert est.arithmetic.endswith("→ 298 (clamped to [1, N = 298])")
    # A very wide interval: (3.919928 / ln(1e6))^2 = 0.0805 -> rounds to 0 -> clamped to 1.
    low = estimate_events_from_median_ci(30, 0.001, 1000.0, 0.95)
    assert low is not None and low.events == 1 and low.clamped is True


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        (11.4, "NE"),  # NCT05013697 PFS: 14.9 (11.4-NE)
        (9.93, "NR"),  # Zhang 2020 OS: 19.43 (9.93-NR)
        ("NE", 12.0),
        (None, 12.0),
        (float("nan"), 12.0),
        (5.0, float("inf")),
        (0.0, 12.0),
        (-1.0, 12.0),
        (12.0, 12.0),
        (13.0, 12.0),
        (True, 12.0),
    ],
)
def test_events_from_median_ci_needs_two_finite_bounds(lower, upper) -> None:
    assert estimate_events_from_median_ci(50, lower, upper, 0.95) is None


def test_events_from_median_ci_rejects_a_percentage_level() -> None:
    with pytest.raises(ValueError):
        estimate_events_from_median_ci(46, 9.03, 21.91, 95)
    assert estimate_events_from_median_ci(0, 9.03, 21.91, 0.95) is None


def test_event_estimates_are_validated_against_every_published_count(registry) -> None:
    """Every input with N, published events and a median CI is a validation row; an NE bound
    gives no estimate. Expected pairs from data/trials (ESCORT-1st: Luo JAMA 2021 and the final
    analysis; JUPITER-06: Wang Cancer Cell 2022; NCT05013697: Li STTT 2024)."""
    checks = event_estimate_checks(registry)
    validation = {c.key.slug: c for c in checks if c.events_published is not None}
    assert set(validation) == {
        "nct05013697_triple_PFS_itt_primary",
        "escort1st_cam_chemo_OS_itt_interim",
        "escort1st_cam_chemo_OS_itt_final",
        "escort1st_cam_chemo_PFS_itt_interim",
        "escort1st_placebo_chemo_OS_itt_interim",
        "escort1st_placebo_chemo_OS_itt_final",
        "escort1st_placebo_chemo_PFS_itt_interim",
        "jupiter06_tori_tp_OS_itt_primary",
        "jupiter06_tori_tp_PFS_itt_primary",
        "jupiter06_placebo_tp_OS_itt_primary",
        "jupiter06_placebo_tp_PFS_itt_primary",
    }
    assert validation["nct05013697_triple_PFS_itt_primary"].estimate is None  # 11.4-NE
    assert validation["jupiter06_tori_tp_OS_itt_primary"].estimate is None  # 14.0-NE
    # ESCORT-1st camrelizumab OS interim: 15.3 (12.8-17.3), 135 deaths published;
    # (3.919928 / ln(17.3 / 12.8))^2 = (3.919928 / 0.301261)^2 = 169.3 -> 169, error +25 %.
    escort = validation["escort1st_cam_chemo_OS_itt_interim"]
    assert escort.estimate is not None and escort.estimate.events == 169
    assert escort.estimate.events_raw == pytest.approx(169.305, abs=1e-3)
    assert escort.relative_error == pytest.approx((169 - 135) / 135)
    rows = event_estimate_rows(checks)
    assert all(set(r) == set(EVENT_ESTIMATE_COLUMNS) for r in rows)
    summary = event_estimate_summary(checks)
    assert "published event counts with a finite median CI: 9 (+2 with an NE/NR bound" in summary


def test_event_estimates_do_not_build_curves(registry, library) -> None:
    """The estimate is not used: an input without a published count stays not reconstructable
    even when the estimate exists and nothing else is missing (CheckMate 648 TC >= 1 OS), its
    reason says the estimate was tried and rejected; an NE bound adds no such clause."""
    checks = {c.key: c for c in event_estimate_checks(registry)}
    nivo = CurveKey("checkmate648", "nivo_chemo", "OS", "tc_ge1", "primary")
    assert checks[nivo].estimate is not None and checks[nivo].other_gaps == ()
    assert library.get(nivo) is None
    reason = library.reason(nivo)
    assert reason is not None
    assert "total events not reported" in reason and EVENT_ESTIMATE_REJECTED in reason
    # ALTER-E-003 PFS: an estimate exists (20) but the Mol Cancer analysis has no cut-off.
    alter = CurveKey("alter_e003", "chemo_free", "PFS", "itt", "molcancer2025")
    assert checks[alter].estimate is not None and checks[alter].estimate.events == 20
    assert any("follow-up window not reported" in g for g in checks[alter].other_gaps)
    alter_reason = library.reason(alter)
    assert alter_reason is not None and EVENT_ESTIMATE_REJECTED in alter_reason
    zhang = library.reason(CurveKey("zhang2020", "cam_apa_chemo", "OS", "itt", "primary"))
    assert zhang is not None and "total events not reported" in zhang
    assert EVENT_ESTIMATE_REJECTED not in zhang  # 19.43 (9.93-NR): no estimate
    for curve in library.curves:
        assert curve.inputs.events is not None or curve.grade in ("A", "B")
        if curve.grade == "C":
            assert curve.fidelity.events_constrained and curve.n_events == curve.inputs.events


def test_event_estimates_are_deterministic(registry) -> None:
    first = event_estimate_rows(event_estimate_checks(registry))
    second = event_estimate_rows(event_estimate_checks(load_registry()))
    assert first == second


def test_cli_prints_the_event_estimate_table(capsys) -> None:
    assert main(["--event-estimates"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split(",") == list(EVENT_ESTIMATE_COLUMNS)
    assert any("events ≈ (2×1.960/ln(21.91/9.03))² = 19.6 → 20" in line for line in lines)
    assert captured.err.startswith("published event counts with a finite median CI")


def test_cli_without_out_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "--out is required" in capsys.readouterr().err
