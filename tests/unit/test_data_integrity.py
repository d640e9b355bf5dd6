"""Issue 14, findings 2 and 6: data cannot change behind the manifest; reports stay bounded.

Each test copies the synthetic fixture root (tests/unit/fixtures_data, invented numbers) into
tmp_path and applies one attack or one kind of damage found by the independent probe. Every
test here failed on the code before issue 14 (noted per test) and passes after.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from data import DataValidationError
from data.errors import MAX_PROBLEMS_PER_FILE, MAX_PROBLEMS_SHOWN
from data.files import SIZE_LIMITS
from data.loader import load_uncached
from data.manifest import render_manifest, write_manifest

FIXTURE = Path(__file__).resolve().parent / "fixtures_data"
REPO = Path(__file__).resolve().parents[2]
TRIAL = "trials/fixture_trial/trial.toml"
CSV = "trials/fixture_trial/at_risk.csv"
SECRET = "SECRET-FIRST-LINE-OUTSIDE-DATA"


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(FIXTURE, root)
    return root


def _rules(exc: DataValidationError) -> set[tuple[str, str]]:
    return {(p.file, p.rule) for p in exc.problems}


def test_fixture_loads() -> None:
    assert load_uncached(FIXTURE).trial_ids == ("fixture_trial",)


def test_symlinked_trial_folder_is_refused(tmp_path: Path) -> None:
    """The probe's attack: move a trial folder out, link it back, refresh the manifest.

    Before: the manifest got 0 entries for the trial, and an edit to the outside file (an HR
    0.81 -> 0.41) validated and was served without changing the data version.
    """
    root = _root(tmp_path)
    outside = tmp_path / "outside"
    shutil.move(root / "trials" / "fixture_trial", outside)
    (root / "trials" / "fixture_trial").symlink_to(outside, target_is_directory=True)
    with pytest.raises(DataValidationError) as refused:
        write_manifest(root)
    assert ("trials/fixture_trial", "symlink") in _rules(refused.value)
    # What the old `python -m data manifest` wrote: no entry for the linked folder's files.
    (root / "MANIFEST.toml").write_text(render_manifest({}), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    assert ("trials/fixture_trial", "symlink") in _rules(info.value)


def test_manifest_cli_refuses_links(tmp_path: Path) -> None:
    root = _root(tmp_path)
    before = (root / "MANIFEST.toml").read_text(encoding="utf-8")
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((root / CSV).read_bytes())
    (root / CSV).unlink()
    (root / CSV).symlink_to(outside)
    result = subprocess.run(
        [sys.executable, "-m", "data", "--root", str(root), "manifest"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert f"{CSV}: (file): [symlink]" in result.stderr
    assert (root / "MANIFEST.toml").read_text(encoding="utf-8") == before


def test_symlinked_file_with_identical_content_is_refused(tmp_path: Path) -> None:
    """Before: a linked CSV whose target had the manifest's hash loaded silently."""
    root = _root(tmp_path)
    outside = tmp_path / "outside.csv"
    outside.write_bytes((root / CSV).read_bytes())
    (root / CSV).unlink()
    (root / CSV).symlink_to(outside)
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    assert (CSV, "symlink") in _rules(info.value)


def test_link_to_a_file_outside_is_named_never_quoted(tmp_path: Path) -> None:
    """Before: a link to /etc/passwd was refused, but the message printed its first line."""
    root = _root(tmp_path)
    outside = tmp_path / "passwd"
    outside.write_text(f"{SECRET}:x:0:0\nsecond:line\n", encoding="utf-8")
    (root / CSV).unlink()
    (root / CSV).symlink_to(outside)
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    assert (CSV, "symlink") in _rules(info.value)
    assert SECRET not in str(info.value)
    assert all(SECRET not in p.detail for p in info.value.problems)


def test_manifest_entry_outside_the_root_is_never_read(tmp_path: Path) -> None:
    root = _root(tmp_path)
    (tmp_path / "outside.toml").write_text(f'x = "{SECRET}"\n', encoding="utf-8")
    digest = hashlib.sha256((tmp_path / "outside.toml").read_bytes()).hexdigest()
    manifest = root / "MANIFEST.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + f'"../outside.toml" = "{digest}"\n',
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    assert ("MANIFEST.toml", "manifest-path") in _rules(info.value)
    assert SECRET not in str(info.value)


def test_oversized_trial_file_is_refused_before_parsing(tmp_path: Path) -> None:
    """Before: a 150 MB trial.toml padded with comments was accepted (293 MB peak)."""
    root = _root(tmp_path)
    path = root / TRIAL
    text = path.read_text(encoding="utf-8")
    padding = "# padding\n" * (SIZE_LIMITS[".toml"] // 10 + 1)
    path.write_text(text + padding, encoding="utf-8")
    write_manifest(root)
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    assert _rules(info.value) == {(TRIAL, "file-too-large")}
    assert f"{SIZE_LIMITS['.toml']:,} bytes" in str(info.value)


def test_binary_csv_is_labelled_not_text(tmp_path: Path) -> None:
    """Before: a binary CSV was reported as [file-missing]."""
    root = _root(tmp_path)
    (root / CSV).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write_manifest(root)
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    rules = _rules(info.value)
    assert (CSV, "file-not-text") in rules
    assert all(rule != "file-missing" for _file, rule in rules)


def test_special_file_is_labelled_and_does_not_block(tmp_path: Path) -> None:
    """A FIFO in place of a CSV: named as such (before: [file-missing]), and never opened
    for a blocking read."""
    root = _root(tmp_path)
    (root / CSV).unlink()
    os.mkfifo(root / CSV)
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    assert (CSV, "not-a-regular-file") in _rules(info.value)


def test_many_bad_rows_give_a_bounded_report(tmp_path: Path) -> None:
    """Before: every bad row was listed (10^6 rows: a 120 MB message, 862 MB peak)."""
    root = _root(tmp_path)
    bad_rows = 5_000
    with (root / CSV).open("a", encoding="utf-8") as handle:
        handle.write("os_itt_exp,1.0\n" * bad_rows)  # one cell short
    write_manifest(root)
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    of_csv = [p for p in info.value.problems if p.file == CSV]
    assert len(of_csv) == MAX_PROBLEMS_PER_FILE + 1
    summary = [p for p in of_csv if p.rule == "too-many-problems"]
    assert len(summary) == 1
    assert summary[0].detail.startswith(f"{bad_rows - MAX_PROBLEMS_PER_FILE:,} more")
    message = str(info.value)
    assert message.count("\n  - ") <= MAX_PROBLEMS_SHOWN
    assert "more problem(s) not shown" in message
    assert len(message) < 20_000


def test_files_read_after_start_up_are_the_verified_ones(tmp_path: Path) -> None:
    """Vocabularies are read from the registry's verified copy, not from disk again."""
    root = _root(tmp_path)
    (root / "vocab").mkdir()
    (root / "vocab" / "extra.toml").write_text('a = "reviewed"\n', encoding="utf-8")
    write_manifest(root)
    registry = load_uncached(root)
    (root / "vocab" / "extra.toml").write_text('a = "changed behind the manifest"\n', "utf-8")
    assert registry.data_text("vocab/extra.toml") == 'a = "reviewed"\n'
    assert registry.data_text("vocab/missing.toml") is None
