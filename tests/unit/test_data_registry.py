"""Registry accessors, immutability, ordering, caching and load speed sanity."""

from __future__ import annotations

import dataclasses

import pydantic
import pytest

from data import CatalogueRow, Registry, clear_registry_cache, load_registry
from data.schema import REGIMEN_CLASSES


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry()


def test_ordering_seeds_first_then_phase3_then_phase2(reg: Registry) -> None:
    ids = reg.trial_ids
    assert set(ids[:2]) == {"alter_e003", "nct05013697"}
    phases = [reg.trial(i).phase for i in ids[2:]]
    assert phases == sorted(phases, key=lambda p: 0 if p == "3" else 1)
    assert len(ids) == 16


def test_lookup_and_unknown_id(reg: Registry) -> None:
    assert reg.trial("checkmate648").name == "CheckMate 648"
    with pytest.raises(KeyError, match="unknown trial 'nope'"):
        reg.trial("nope")


def test_registry_and_models_are_frozen(reg: Registry) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        reg.data_version = "x"  # type: ignore[misc]
    trial = reg.trial("nct05013697")
    with pytest.raises(pydantic.ValidationError):
        trial.name = "x"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        trial.efficacy[0].value = 1.0  # type: ignore[misc]
    assert isinstance(trial.efficacy, tuple)
    with pytest.raises(TypeError):
        reg._by_id["x"] = trial  # type: ignore[index]


def test_cached_per_root(reg: Registry) -> None:
    assert load_registry() is reg
    clear_registry_cache()
    again = load_registry()
    assert again is not reg and again.data_version == reg.data_version


def test_data_version_is_short_hex(reg: Registry) -> None:
    assert len(reg.data_version) == 12
    int(reg.data_version, 16)


def test_every_arm_has_a_known_regimen_class(reg: Registry) -> None:
    classes = {a.regimen_class for t in reg.trials for a in t.arms}
    assert classes <= set(REGIMEN_CLASSES)
    assert {
        "ICI+TKI (chemo-free)",
        "ICI+TKI+chemo",
        "dual ICI (chemo-free)",
        "TKI+chemo",
    } <= classes


def test_catalogue(reg: Registry) -> None:
    rows = reg.catalogue()
    assert all(isinstance(r, CatalogueRow) for r in rows)
    triple = next(r for r in rows if r.trial_id == "nct05013697")
    assert triple.focus and triple.regimen_class == "ICI+TKI+chemo" and triple.n_randomised == 50
    assert triple.orr is not None and triple.orr.value == 72.0
    assert triple.median_pfs is not None and triple.median_pfs.value == 14.9
    assert triple.median_os is not None and triple.median_os.status == "not_reached"
    assert triple.pdl1_scoring == ("CPS (SP263)",)
    assert 0 < triple.completeness <= 1
    assert "numbers at risk" in triple.missing


def test_curve_inputs_keynote590(reg: Registry) -> None:
    ci = reg.curve_inputs("keynote590", "pembro_chemo", "OS", "itt_all", "ia1")
    assert ci.n == 373 and ci.events == 262  # Sun 2021 Lancet Fig 2D: 373 - 111 censored
    assert ci.at_risk_times_months[:3] == (0.0, 3.0, 6.0)
    assert ci.at_risk_counts[:3] == (373, 348, 295)
    assert ci.censored_cumulative[-1] == 111
    assert ci.median_months == 12.4


def test_curve_inputs_seed_summary_only(reg: Registry) -> None:
    ci = reg.curve_inputs("nct05013697", "triple", "PFS", "itt", "primary")
    assert (ci.n, ci.events, ci.median_months, ci.median_ci) == (50, 23, 14.9, (11.4, "NE"))
    assert ci.at_risk_counts == ()
    assert [(lm.time_months, lm.survival_pct) for lm in ci.landmarks] == [(12.0, 58.5)]
    assert (ci.accrual_start, ci.accrual_end, ci.data_cutoff) == (
        "2021-09",
        "2023-11",
        "2024-04-01",
    )
    assert ci.follow_up_months == 23.7


def test_curves_filter(reg: Registry) -> None:
    with_table = reg.curves(with_at_risk=True)
    assert len(with_table) == 20  # 5 trials x (OS, PFS) x 2 arms (CheckMate 648: no nivo+ipi table)
    assert {t.id for t, _ in with_table} == {
        "checkmate648",
        "keynote590",
        "jupiter06",
        "orient15",
        "escort1st",
    }


def test_evidence_frame(reg: Registry) -> None:
    frame = reg.evidence_frame()
    assert len(frame) == len(reg.evidence_rows())
    assert frame["trial_id"].nunique() == 16


def test_data06_changelog_names_current_data_version(reg: Registry) -> None:
    """DATA-06 (mechanical part): every manifest refresh needs a CHANGELOG entry naming the new
    data_version, so reviewers see who changed what and why."""
    changelog = (reg.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"`{reg.data_version}`" in changelog


def test_registry_hash_is_cheap_and_consistent_with_equality() -> None:
    """Views key memos by registry; the hash must not walk every trial model, and two loads of
    the same data (equal registries) must hash alike."""
    from data.loader import DEFAULT_ROOT, load_uncached

    first = load_registry()
    second = load_uncached(DEFAULT_ROOT)
    assert first == second and hash(first) == hash(second) == hash(first.data_version)
