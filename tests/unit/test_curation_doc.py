"""docs/curation.md, followed step by step on a copy of the fixture data root (issue 13).

The two TOML examples are read from the page itself, so the page and the procedure cannot drift
apart: a schema change that breaks the documented example fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from analysis.views.forest import ForestState, build, choices
from analysis.views.forest.model import trial_row
from data.loader import load_uncached

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "curation.md"
FIXTURE = Path(__file__).with_name("fixtures_data")


def _block(tag: str) -> str:
    match = re.search(r"```toml " + re.escape(tag) + r"\n(.*?)```", DOC.read_text(), re.S)
    assert match, f"docs/curation.md has no ```toml {tag} block"
    return match.group(1)


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "data", "--root", str(root), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_documented_commands_are_the_real_ones() -> None:
    text = DOC.read_text()
    for command in ("python -m data validate", "python -m data manifest", "data/CHANGELOG.md"):
        assert command in text
    assert "frictionless validate" in text


def test_adding_a_trial_and_a_newer_analysis_through_the_documented_steps(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(FIXTURE, root)
    folder = root / "trials" / "example_trial"
    folder.mkdir()
    toml = folder / "trial.toml"

    # Step 1: write the trial file.
    toml.write_text(_block("example-trial"), encoding="utf-8")
    # Step 2: validate -> the unreviewed file is refused by the manifest check.
    first = _cli(root, "validate")
    assert first.returncode == 1
    assert "file-not-in-manifest" in first.stderr
    assert "trials/example_trial/trial.toml" in first.stderr
    # ... everything else in the example is valid: only manifest problems are listed.
    problem_lines = [ln for ln in first.stderr.splitlines() if ln.strip().startswith("- ")]
    assert problem_lines and all(
        "file-not-in-manifest" in ln or "sha256-manifest" in ln for ln in problem_lines
    )
    assert _cli(root, "manifest").returncode == 0
    second = _cli(root, "validate")
    assert second.returncode == 0, second.stderr
    assert "ok: 2 trials" in second.stdout and "0 unexplained" in second.stdout

    registry = load_uncached(root)
    trial = registry.trial("example_trial")
    hr = next(r for r in trial.efficacy if r.measure == "hr")
    assert trial.source_level(hr) == "primary publication"
    assert (hr.ci_level, hr.p_sided) == (95, "two-sided")
    control_median = next(
        r for r in trial.efficacy if r.arm == "placebo_chemo" and r.measure == "median"
    )
    assert control_median.status == "not_reported" and control_median.reason

    # Step 3: append the newer analysis, then step 2 again.
    with toml.open("a", encoding="utf-8") as handle:
        handle.write("\n" + _block("example-update"))
    assert _cli(root, "validate").returncode == 1  # changed file: sha256-manifest
    assert _cli(root, "manifest").returncode == 0
    third = _cli(root, "validate")
    assert third.returncode == 0, third.stderr
    registry = load_uncached(root)
    trial = registry.trial("example_trial")
    assert [a.id for a in trial.analyses] == ["interim", "final"]

    # The forest shows the latest analysis by default and the interim on request.
    comparison = "ici-chemo_vs_chemotherapy"
    state = ForestState(comparison=comparison)
    pairs = [p for p in choices(registry).pairs[comparison] if p.trial_id == "example_trial"]
    assert pairs, "the example's arms form an ICI + chemo vs chemo comparison"
    row = trial_row(registry, state, pairs[0], set())
    assert row.analysis_id == "final" and row.hazard_ratio == 0.72
    assert row.source_level == "conference abstract"
    earlier = ForestState(comparison=comparison, analyses=(("example_trial", "interim"),))
    assert trial_row(registry, earlier, pairs[0], set()).hazard_ratio == 0.70
    assert build(registry, state).rows  # the whole view builds with the new trial


def test_a_number_without_citation_is_refused(tmp_path: Path) -> None:
    """The page's first rule, checked the way step 2 reports it."""
    root = tmp_path / "data"
    shutil.copytree(FIXTURE, root)
    folder = root / "trials" / "example_trial"
    folder.mkdir()
    text = _block("example-trial").replace('ref = "ex_abs"\nlocator = "Abstract, Results"\n', "", 1)
    (folder / "trial.toml").write_text(text, encoding="utf-8")
    _cli(root, "manifest")
    done = _cli(root, "validate")
    assert done.returncode == 1 and "ref-required" in done.stderr
