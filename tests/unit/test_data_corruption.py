"""DATA-01: every kind of corrupted data stops the loader with file, key path and rule.

Each case copies the synthetic fixture root (tests/unit/fixtures_data, invented numbers) into
tmp_path, applies one corruption, refreshes the manifest (except for the manifest cases, so that
only the intended problem is present) and asserts that ``load_uncached`` raises
:class:`DataValidationError` whose problems contain exactly the expected (file, key, rule) and
whose message names all three.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from data import DataValidationError, Problem
from data.loader import load_uncached
from data.manifest import write_manifest

FIXTURE = Path(__file__).resolve().parent / "fixtures_data"
TRIAL = "trials/fixture_trial/trial.toml"
CSV = "trials/fixture_trial/at_risk.csv"


@dataclass(frozen=True)
class Case:
    """One corruption: replacements per file, whether to refresh the manifest, expected problems."""

    edits: tuple[tuple[str, str, str], ...]
    expected: tuple[tuple[str, str, str], ...]
    refresh_manifest: bool = True
    only: bool = True
    extra_files: tuple[tuple[str, str], ...] = field(default=())
    delete: tuple[str, ...] = ()
    copy_dir: tuple[str, str] | None = None


CASES: dict[str, Case] = {
    "toml-syntax": Case(
        edits=((TRIAL, 'name = "Fixture trial"', 'name = "Fixture trial'),),
        expected=((TRIAL, "(file)", "toml-syntax"),),
    ),
    "unknown-key": Case(
        edits=((TRIAL, 'note = "plain note"', 'note = "plain note"\ncolour = "red"'),),
        expected=((TRIAL, "adverse_events[0].colour", "unknown-key"),),
    ),
    "hr-zero": Case(
        edits=(
            (TRIAL, "value = 0.7\nunit", "value = 0.0\nunit"),
            (TRIAL, "ci = [0.5, 0.9]", "ci = [0.0, 0.9]"),
        ),
        expected=(
            (TRIAL, "efficacy[1].value", "hr-positive"),
            (TRIAL, "efficacy[1].ci", "hr-positive"),
        ),
    ),
    "hr-negative": Case(
        edits=((TRIAL, "value = 0.7\nunit", "value = -0.7\nunit"),),
        expected=(
            (TRIAL, "efficacy[1].value", "hr-positive"),
            (TRIAL, "efficacy[1].ci", "ci-contains-estimate"),
        ),
    ),
    "hr-nan": Case(
        edits=((TRIAL, "value = 0.7\nunit", "value = nan\nunit"),),
        expected=((TRIAL, "efficacy[1].value", "finite-number"),),
    ),
    "ci-excludes-estimate": Case(
        edits=((TRIAL, "ci = [10.0, 14.0]", "ci = [13.0, 14.0]"),),
        expected=((TRIAL, "efficacy[0].ci", "ci-contains-estimate"),),
    ),
    "ci-lower-above-upper": Case(
        edits=((TRIAL, "ci = [10.0, 14.0]", "ci = [14.0, 10.0]"),),
        expected=((TRIAL, "efficacy[0].ci", "ci-order"),),
    ),
    "ci-level-missing": Case(
        edits=(
            (
                TRIAL,
                'ci_level = 95\nref = "fixture_pub"\nlocator = "Table 2"',
                'ref = "fixture_pub"\nlocator = "Table 2"',
            ),
        ),
        expected=((TRIAL, "response[0].ci_level", "ci-level"),),
    ),
    "ci-level-out-of-range": Case(
        edits=(
            (
                TRIAL,
                'ci_level = 95\nref = "fixture_pub"\nlocator = "Table 2"',
                'ci_level = 100\nref = "fixture_pub"\nlocator = "Table 2"',
            ),
        ),
        expected=((TRIAL, "response[0].ci_level", "ci-level"),),
    ),
    "ref-missing": Case(
        edits=((TRIAL, 'ref = "fixture_pub"\nlocator = "Table 3"', 'locator = "Table 3"'),),
        expected=((TRIAL, "adverse_events[0].ref", "ref-required"),),
    ),
    "ref-dangling": Case(
        edits=(
            (
                TRIAL,
                'ref = "fixture_pub"\nlocator = "Table 3"',
                'ref = "nowhere"\nlocator = "Table 3"',
            ),
        ),
        expected=((TRIAL, "adverse_events[0].ref", "ref-dangling"),),
    ),
    "locator-missing": Case(
        edits=((TRIAL, 'ref = "fixture_pub"\nlocator = "Table 1"', 'ref = "fixture_pub"'),),
        expected=((TRIAL, "facts[0].locator", "locator-required"),),
    ),
    "publication-unresolvable": Case(
        edits=((TRIAL, 'doi = "10.0000/fixture.0001"', 'url = "http://insecure.example/paper"'),),
        expected=(
            (TRIAL, "publications[0].url", "identifier-format"),
            (TRIAL, "publications[0].key", "citation-resolvable"),
        ),
    ),
    "percent-vs-counts": Case(
        edits=((TRIAL, 'value = 30.0\nunit = "%"\nn = 3', 'value = 40.0\nunit = "%"\nn = 3'),),
        expected=((TRIAL, "adverse_events[0].value", "percent-matches-counts"),),
    ),
    "duplicate-trial-id": Case(
        edits=(),
        copy_dir=("trials/fixture_trial", "trials/zz_copy"),
        expected=(
            ("trials/zz_copy/trial.toml", "id", "duplicate-trial-id"),
            ("trials/zz_copy/trial.toml", "id", "folder-name"),
        ),
    ),
    "at-risk-increasing": Case(
        edits=((CSV, "os_itt_exp,12,5,1", "os_itt_exp,12,9,1"),),
        expected=((CSV, "line 4 (curve 'os_itt_exp')", "at-risk-nonincreasing"),),
    ),
    "censored-decreasing": Case(
        edits=((CSV, "os_itt_exp,18,2,2", "os_itt_exp,18,2,0"),),
        expected=((CSV, "line 5 (curve 'os_itt_exp')", "censored-nondecreasing"),),
    ),
    "at-risk-start-not-randomised-n": Case(
        edits=((CSV, "os_itt_exp,0,10,0", "os_itt_exp,0,11,0"),),
        expected=((CSV, "line 2 (curve 'os_itt_exp')", "n-consistent"),),
    ),
    "arms-do-not-add-up": Case(
        edits=((TRIAL, "value = 20\n", "value = 21\n"),),
        expected=((TRIAL, "n_total", "n-consistent"),),
    ),
    "denominator-above-randomised": Case(
        edits=(
            (
                TRIAL,
                'value = 50.0\nunit = "%"\nn = 5\nN = 10',
                'value = 50.0\nunit = "%"\nn = 6\nN = 12',
            ),
        ),
        expected=((TRIAL, "response[0].N", "n-consistent"),),
    ),
    "events-exceed-n": Case(
        edits=(
            (
                TRIAL,
                'value = 6\nunit = "count"\nn = 6\nref',
                'value = 12\nunit = "count"\nn = 12\nref',
            ),
        ),
        expected=((TRIAL, "curves[0].events", "events-le-n"),),
    ),
    "efficacy-events-exceed-arm-n": Case(
        edits=(
            (
                TRIAL,
                'value = 6\nunit = "count"\nn = 6\nN = 10',
                'value = 11\nunit = "count"\nn = 11',
            ),
        ),
        expected=((TRIAL, "efficacy[2].value", "events-le-n"),),
    ),
    "pdl1-scoring-not-declared": Case(
        edits=(
            (
                TRIAL,
                'label = "CPS >=10"\nscoring_system = "CPS"',
                'label = "CPS >=10"\nscoring_system = "TPS"',
            ),
        ),
        expected=((TRIAL, "populations[1].scoring_system", "pdl1-definition"),),
    ),
    "sha256-mismatch": Case(
        edits=((TRIAL, 'display_name = "Fixture trial (synthetic)"', 'display_name = "Changed"'),),
        refresh_manifest=False,
        expected=((TRIAL, "(file)", "sha256-manifest"),),
    ),
    "missing-file-listed-in-manifest": Case(
        edits=(),
        delete=(CSV,),
        refresh_manifest=False,
        expected=(
            (CSV, "(file)", "file-missing"),
            (TRIAL, "curves[0].at_risk_file", "file-missing"),
        ),
    ),
    "missing-trial-file": Case(
        edits=(),
        delete=(TRIAL,),
        expected=((TRIAL, "(file)", "file-missing"),),
        only=False,
    ),
    "file-not-in-manifest": Case(
        edits=(),
        extra_files=(("trials/fixture_trial/extra.csv", "a,b\n1,2\n"),),
        refresh_manifest=False,
        expected=(("trials/fixture_trial/extra.csv", "(file)", "file-not-in-manifest"),),
    ),
    "manifest-missing": Case(
        edits=(),
        delete=("MANIFEST.toml",),
        refresh_manifest=False,
        expected=(("MANIFEST.toml", "(file)", "file-missing"),),
    ),
    "ipd-time-negative": Case(
        edits=(
            (
                TRIAL,
                'at_risk_file = "at_risk.csv"',
                'at_risk_file = "at_risk.csv"\nipd_file = "ipd.csv"',
            ),
        ),
        extra_files=(("trials/fixture_trial/ipd.csv", "time_months,event\n1.5,1\n-0.5,0\n"),),
        expected=(
            (
                "trials/fixture_trial/ipd.csv",
                "line 3 (curve 'os_itt_exp').time_months",
                "ipd-time-nonneg",
            ),
        ),
    ),
    "ipd-event-not-binary": Case(
        edits=(
            (
                TRIAL,
                'at_risk_file = "at_risk.csv"',
                'at_risk_file = "at_risk.csv"\nipd_file = "ipd.csv"',
            ),
        ),
        extra_files=(("trials/fixture_trial/ipd.csv", "time_months,event\n1.5,2\n"),),
        expected=(
            (
                "trials/fixture_trial/ipd.csv",
                "line 2 (curve 'os_itt_exp').event",
                "ipd-event-binary",
            ),
        ),
    ),
}


def _corrupt(tmp_path: Path, case: Case) -> Path:
    root = tmp_path / "data"
    shutil.copytree(FIXTURE, root)
    for rel, old, new in case.edits:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"edit target not unique in {rel}: {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    for rel, text in case.extra_files:
        (root / rel).write_text(text, encoding="utf-8")
    for rel in case.delete:
        (root / rel).unlink()
    if case.copy_dir is not None:
        shutil.copytree(root / case.copy_dir[0], root / case.copy_dir[1])
    if case.refresh_manifest:
        write_manifest(root)
    return root


def test_fixture_is_valid() -> None:
    """The uncorrupted fixture loads (otherwise every case below would be meaningless)."""
    registry = load_uncached(FIXTURE)
    assert registry.trial_ids == ("fixture_trial",)


@pytest.mark.parametrize("name", sorted(CASES))
def test_data01_corruption_is_refused(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    root = _corrupt(tmp_path, case)
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    found = {(p.file, p.key, p.rule) for p in info.value.problems}
    for expected in case.expected:
        assert expected in found, f"{name}: expected {expected}, got {sorted(found)}"
    if case.only:
        assert found == set(case.expected), f"{name}: unexpected extra problems {sorted(found)}"
    message = str(info.value)
    for file, key, rule in case.expected:
        assert f"{file}: {key}: [{rule}]" in message


def test_data01_every_problem_is_listed(tmp_path: Path) -> None:
    """Independent problems in different records and files are all reported in one error."""
    case = Case(
        edits=(
            (TRIAL, "ci = [10.0, 14.0]", "ci = [14.0, 10.0]"),
            (TRIAL, 'ref = "fixture_pub"\nlocator = "Table 3"', 'locator = "Table 3"'),
            (TRIAL, 'ref = "fixture_pub"\nlocator = "Table 1"', 'ref = "fixture_pub"'),
        ),
        expected=(),
    )
    root = _corrupt(tmp_path, case)
    (root / "trials" / "broken").mkdir()
    (root / "trials" / "broken" / "trial.toml").write_text("id = [", encoding="utf-8")
    write_manifest(root)
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    found = {(p.file, p.key, p.rule) for p in info.value.problems}
    assert found == {
        (TRIAL, "efficacy[0].ci", "ci-order"),
        (TRIAL, "adverse_events[0].ref", "ref-required"),
        (TRIAL, "facts[0].locator", "locator-required"),
        ("trials/broken/trial.toml", "(file)", "toml-syntax"),
    }
    assert f"({len(found)} problem(s))" in str(info.value)


def test_problem_str_names_file_key_rule() -> None:
    problem = Problem("trials/x/trial.toml", "efficacy[3].ci", "ci-order", "CI lower 2 > upper 1")
    assert str(problem) == "trials/x/trial.toml: efficacy[3].ci: [ci-order] CI lower 2 > upper 1"
