"""Issue 13 audit findings, each with the rule that now catches it (data/consistency.py,
data/schema.py), and the state of the real evidence base after the fixes.

Expected Wald p-values in the docstrings were worked out by hand from the printed intervals:
SE = (ln upper - ln lower) / (2 z), z = |ln HR| / SE, p = 2 (1 - Phi(z)).
"""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from analysis.views.trials import trial_detail
from data import load_registry
from data.consistency import P_TOLERANCE, ci_p_check, ci_p_summary, p_interval
from data.registry import Registry
from data.schema import AdverseEventResult, CitedNumber, cross_reference_problems

CITE = {"ref": "x", "locator": "Table 1"}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def rules_of(exc: pydantic.ValidationError) -> list[str]:
    return [str(e.get("ctx", {}).get("rule", e["type"])) for e in exc.errors()]


def hr(**kw: Any) -> dict[str, Any]:
    return {"unit": "ratio", **CITE, **kw}


# --- the CI/p rule ------------------------------------------------------------------------


def test_p_interval_reads_printed_forms() -> None:
    assert p_interval("<0.001") == (0.0, 0.001)
    low, high = p_interval("0.002") or (0, 0)
    assert low == pytest.approx(0.0015) and high == pytest.approx(0.0025)
    assert p_interval(">0.05") == (0.05, 1.0)
    assert p_interval("NS") is None


def test_checkmate648_pfs_hr_labelled_95_is_flagged() -> None:
    """Audit: 0.65 (0.46-0.92) with P = 0.002, stored as a 95 % CI. A 95 % interval gives a
    Wald p of about 0.015 (two-sided) or 0.0074 (one-sided): neither can be printed as 0.002."""
    with pytest.raises(pydantic.ValidationError) as info:
        CitedNumber.model_validate(
            hr(value=0.65, ci=(0.46, 0.92), ci_level=95, p="0.002", p_sided="not stated")
        )
    assert "ci-p-consistency" in rules_of(info.value)
    assert "0.011" in str(info.value)  # the lower end of the two-sided Wald range
    # At the level the printed p implies (about 98.7 %) the same numbers are consistent.
    check = ci_p_check(0.65, 0.46, 0.92, 98.7, "0.002", "two-sided")
    assert check is not None and check.consistent


def test_checkmate648_itt_pfs_p004_cannot_be_two_sided_95() -> None:
    """0.81 (0.64-1.04) with P = 0.04: a 95 % interval crossing 1 gives two-sided p ~0.09."""
    check = ci_p_check(0.81, 0.64, 1.04, 95, "0.04", "two-sided")
    assert check is not None and not check.consistent and check.fits_one_sided


def test_one_sided_p_values_are_flagged_when_sidedness_is_unlabelled() -> None:
    """Audit: RATIONALE-306 locally advanced 0.49 (0.29-0.84), p = 0.0037 fits a one-sided test
    (Wald one-sided ~0.0043) and not a two-sided one (~0.0086)."""
    with pytest.raises(pydantic.ValidationError) as info:
        CitedNumber.model_validate(
            hr(value=0.49, ci=(0.29, 0.84), ci_level=95, p="0.0037", p_sided="not stated")
        )
    assert "ci-p-consistency" in rules_of(info.value)
    assert "fits a one-sided test" in str(info.value)
    ok = CitedNumber.model_validate(
        hr(value=0.49, ci=(0.29, 0.84), ci_level=95, p="0.0037", p_sided="one-sided")
    )
    assert ok.p_sided == "one-sided"


def test_inferred_sidedness_needs_a_curation_note() -> None:
    kw = hr(value=0.49, ci=(0.29, 0.84), ci_level=95, p="0.0037", p_sided="one-sided (inferred)")
    with pytest.raises(pydantic.ValidationError) as info:
        CitedNumber.model_validate(kw)
    assert "p-sidedness" in rules_of(info.value)
    CitedNumber.model_validate({**kw, "curation_note": "fits one-sided only"})


def test_a_log_rank_p_near_the_wald_p_passes() -> None:
    """GEMSTONE-304 OS 0.70 (0.55-0.90), P = 0.0076 (Wald two-sided ~0.0045): within the
    rounding range times the tolerance, so not flagged."""
    assert P_TOLERANCE == 1.5
    check = ci_p_check(0.70, 0.55, 0.90, 95, "0.0076", "two-sided")
    assert check is not None and check.consistent


def test_an_explained_mismatch_passes_and_is_counted() -> None:
    row = CitedNumber.model_validate(
        hr(
            value=0.65,
            ci=(0.46, 0.92),
            ci_level=95,
            p="0.002",
            p_sided="two-sided",
            ci_p_note="p from a stratified test of another model",
        )
    )
    summary = ci_p_summary([row])
    assert (summary.checked, summary.explained, summary.unexplained) == (1, 1, 0)


def test_every_p_value_needs_its_sidedness() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        CitedNumber.model_validate(hr(value=0.7, ci=(0.58, 0.84), ci_level=95, p="<0.0001"))
    assert "p-sidedness" in rules_of(info.value)
    with pytest.raises(pydantic.ValidationError) as info:
        CitedNumber.model_validate({"value": 0.005, "unit": "p", **CITE})
    assert "p-sidedness" in rules_of(info.value)
    with pytest.raises(pydantic.ValidationError) as info:
        CitedNumber.model_validate(hr(value=0.7, p_sided="two-sided"))
    assert "p-sidedness" in rules_of(info.value)


def test_an_interval_without_level_needs_a_reason() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        CitedNumber.model_validate(hr(value=0.81, ci=(0.64, 1.04)))
    assert "ci-level" in rules_of(info.value)
    row = CitedNumber.model_validate(
        hr(value=0.81, ci=(0.64, 1.04), ci_level_reason="relabelled by a review")
    )
    assert row.ci_level is None
    with pytest.raises(pydantic.ValidationError) as info:
        CitedNumber.model_validate(
            hr(value=0.81, ci=(0.64, 1.04), ci_level=95, ci_level_reason="x")
        )
    assert "ci-level" in rules_of(info.value)


# --- unit consistency of AE items -----------------------------------------------------------


def test_leap014_unit_mix_is_refused(registry: Registry) -> None:
    """Audit: the LEAP-014 run-in grade 3-4 TRAE item held 100 % for one cohort and a count of
    2 for the other. Putting the count back makes rule unit-consistent fail."""
    trial = registry.trial("leap014")
    rows = list(trial.adverse_events)
    index = next(
        i
        for i, r in enumerate(rows)
        if r.arm == "runin_tp" and r.grade_band == "3-4" and r.summary_item == "any_event"
    )
    fixed = rows[index]
    assert (fixed.unit, fixed.value, fixed.n, fixed.N, fixed.derived) == ("%", 33.3, 2, 6, True)
    data = fixed.model_dump()
    data.update(unit="count", value=2.0, derived=False, derivation=None)
    rows[index] = AdverseEventResult.model_validate(data)
    broken = trial.model_copy(update={"adverse_events": tuple(rows)})
    found = [p for p in cross_reference_problems(broken) if p[1] == "unit-consistent"]
    assert len(found) == 1 and "Treatment-related AEs" in found[0][2]
    assert not [p for p in cross_reference_problems(trial) if p[1] == "unit-consistent"]


# --- the real evidence base -----------------------------------------------------------------


def _all_numbers(registry: Registry) -> list[Any]:
    out: list[Any] = []
    for trial in registry.trials:
        out.extend(trial.efficacy)
        out.extend(trial.response)
        out.extend(trial.adverse_events)
        out.extend(trial.facts)
    return out


def test_every_p_value_in_the_data_carries_its_sidedness(registry: Registry) -> None:
    with_p = [r for r in _all_numbers(registry) if r.p is not None or r.unit == "p"]
    assert len(with_p) >= 40
    assert all(r.p_sided is not None for r in with_p)


def test_no_unexplained_ci_p_case_in_the_data(registry: Registry) -> None:
    summary = ci_p_summary(r for t in registry.trials for r in t.efficacy)
    assert summary.checked >= 30
    assert summary.unexplained == 0
    assert summary.consistent + summary.explained == summary.checked


def test_audit_fixes_are_in_the_data(registry: Registry) -> None:
    cm = registry.trial("checkmate648")
    pfs = [r for r in cm.efficacy if r.endpoint == "PFS" and r.measure == "hr"]
    assert len(pfs) == 4
    assert all(r.ci_level is None and r.ci_level_reason for r in pfs)
    grade3 = [a for a in cm.adverse_events if a.term == "Grade 3 AE"]
    assert sorted(a.value or 0 for a in grade3) == [32, 36, 47]
    assert all(a.category == "all-cause" and a.grade_band == ">=3" for a in grade3)
    assert not [
        a
        for a in cm.adverse_events
        if a.category == "treatment-related" and a.grade_band == "3-4" and a.summary_item
    ]
    escort = registry.trial("escort1st")
    os_hr = {
        r.analysis: r
        for r in escort.efficacy
        if r.endpoint == "OS" and r.measure == "hr" and r.population == "itt"
    }
    assert os_hr["interim"].p_sided == "one-sided" and os_hr["final"].p_sided == "one-sided"
    r306 = registry.trial("rationale306")
    local = [r for r in r306.efficacy if r.p in ("0.0037", "0.0262", "0.0067")]
    assert len(local) == 3 and all(r.p_sided == "one-sided (inferred)" for r in local)


def test_trials_detail_shows_level_and_sidedness(registry: Registry) -> None:
    """The Trials detail card prints each interval's level (or that it is not known) and each
    p-value's sidedness (issue 13)."""

    def lines(trial_id: str) -> list[str]:
        detail = trial_detail(registry, trial_id, "efficacy")
        return [line.ci for line in detail.rows]

    escort = lines("escort1st")
    assert "0.56–0.88 (95% CI) · p 0.001 (one-sided)" in escort
    checkmate = lines("checkmate648")
    assert "0.64–1.04 (CI level not known)" in checkmate
    assert "0.37–0.8 (99.5% CI) · p <0.001" in checkmate
