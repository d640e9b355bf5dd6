"""Digitised curves in data/ (issue 12): the shipped files validate, and malformed ones stop the
load with file, key and rule (DATA-01 style). Corruptions are applied to a copy of the real data
root in a temporary folder, with the manifest refreshed so that only the digitised rules fire."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from data import DataValidationError
from data.digitised import load_digitised
from data.loader import load_uncached
from data.manifest import write_manifest

DATA = Path(__file__).resolve().parents[2] / "data"
TRIAL = "checkmate648"


def test_shipped_digitised_curves_validate() -> None:
    registry = load_uncached(DATA)
    found = load_digitised(DATA, registry.trials)
    curves = [c for cs in found.values() for c in cs]
    assert len(curves) == 20
    for c in curves:
        assert c.digitised_by == "this project" and c.engine == "analysis.digitise"
        assert c.ref and c.locator and c.engine_version and c.checks.by_eye
        assert c.time_months[0] == 0.0 and c.survival[0] == 1.0
        assert list(c.survival) == sorted(c.survival, reverse=True)
        # Citation points at the same publication as the trial's at-risk table for that curve.
        declared = registry.trial(next(t for t, cs in found.items() if c in cs)).curve(c.curve_id)
        assert declared.ref == c.ref


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _corrupt_csv_survival(root: Path) -> None:
    path = root / "trials" / TRIAL / "digitised.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    curve_id, time, _ = lines[3].split(",")
    lines[3] = f"{curve_id},{time},1.20000"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


CASES: list[tuple[str, Callable[[Path], None], str, str]] = [
    (
        "unknown curve id",
        lambda root: _edit(
            root / "trials" / TRIAL / "digitised.toml",
            'curve_id = "os_itt_chemo"',
            'curve_id = "os_itt_nobody"',
        ),
        "digitised.toml",
        "digitised-curve-id",
    ),
    (
        "dangling ref",
        lambda root: _edit(
            root / "trials" / TRIAL / "digitised.toml", 'ref = "doki2022_nejm"', 'ref = "nope"'
        ),
        "digitised.toml",
        "ref-dangling",
    ),
    (
        "unknown key",
        lambda root: _edit(
            root / "trials" / TRIAL / "digitised.toml",
            'digitised_by = "this project"',
            'digitised_by = "this project"\nguessed = true',
        ),
        "digitised.toml",
        "extra_forbidden",
    ),
    (
        "not by this project",
        lambda root: _edit(
            root / "trials" / TRIAL / "digitised.toml",
            'digitised_by = "this project"',
            'digitised_by = "someone else"',
        ),
        "digitised.toml",
        "literal_error",
    ),
    ("survival above 1", _corrupt_csv_survival, "digitised.csv", "digitised-points"),
    (
        "csv header",
        lambda root: _edit(
            root / "trials" / TRIAL / "digitised.csv", "curve_id,time_months,survival", "a,b,c"
        ),
        "digitised.csv",
        "digitised-csv",
    ),
]


@pytest.mark.parametrize(("name", "corrupt", "file", "rule"), CASES, ids=[c[0] for c in CASES])
def test_malformed_digitised_data_stops_the_load(
    tmp_path: Path, name: str, corrupt: Callable[[Path], None], file: str, rule: str
) -> None:
    root = tmp_path / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    corrupt(root)
    write_manifest(root)
    with pytest.raises(DataValidationError) as info:
        load_uncached(root)
    problems = info.value.problems
    assert any(p.file.endswith(file) and p.rule == rule for p in problems), (name, problems)
