"""CLI exit codes: ``python -m data validate|export|manifest`` and ``python -m data.validate``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from data.export import read_export_csv

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixtures_data"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_validate_shipped_data_exits_zero() -> None:
    result = run("data", "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 16 trials")


def test_validate_alias_module() -> None:
    result = run("data.validate")
    assert result.returncode == 0, result.stderr
    assert "data_version" in result.stdout


def test_validate_corrupt_root_exits_nonzero_listing_problems(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(FIXTURE, root)
    toml = root / "trials" / "fixture_trial" / "trial.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("ci = [10.0, 14.0]", "ci = [14.0, 10.0]"),
        encoding="utf-8",
    )
    for cli in (("data", "--root", str(root), "validate"), ("data.validate", "--root", str(root))):
        result = run(*cli)
        assert result.returncode == 1
        assert "trials/fixture_trial/trial.toml: (file): [sha256-manifest]" in result.stderr
        assert "trials/fixture_trial/trial.toml: efficacy[0].ci: [ci-order]" in result.stderr
        assert "Traceback" not in result.stderr


def test_manifest_then_validate(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(FIXTURE, root)
    (root / "MANIFEST.toml").unlink()
    assert run("data", "--root", str(root), "validate").returncode == 1
    made = run("data", "--root", str(root), "manifest")
    assert made.returncode == 0 and "2 files" in made.stdout
    assert run("data", "--root", str(root), "validate").returncode == 0


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_writes_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"evidence.{fmt}"
    result = run("data", "export", "--format", fmt, "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    if fmt == "csv":
        rows = read_export_csv(data)
    else:
        rows = json.loads(data)["rows"]
    assert len(rows) > 1500
    assert {r["trial_id"] for r in rows} >= {"nct05013697", "alter_e003", "checkmate648"}


def test_export_rejects_bad_format(tmp_path: Path) -> None:
    result = run("data", "export", "--format", "xlsx", "--out", str(tmp_path / "x"))
    assert result.returncode == 2
