"""Heavy modules are imported only by the paths that use them (issue 11: start-up time).

Checked in a fresh interpreter, by which modules end up in ``sys.modules`` — not by timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_grade_a_reconstruction_cli_does_not_import_scipy(tmp_path: Path) -> None:
    curve = tmp_path / "curve.csv"
    risk = tmp_path / "risk.csv"
    curve.write_text("time,survival\n0,1\n2,0.9\n4,0.8\n6,0.7\n", encoding="utf-8")
    risk.write_text("time,n_at_risk\n0,50\n3,44\n6,38\n", encoding="utf-8")
    out = tmp_path / "ipd.csv"
    loaded = _loaded_after(
        "from analysis.reconstruct.__main__ import main\n"
        f"assert main(['--curve', {str(curve)!r}, '--at-risk', {str(risk)!r}, "
        f"'--out', {str(out)!r}]) == 0"
    )
    assert out.read_text(encoding="utf-8").startswith("time,event")
    assert not any(m == "scipy" or m.startswith("scipy.") for m in loaded)


def test_grades_b_and_c_still_resolve_through_the_package() -> None:
    loaded = _loaded_after("from analysis.reconstruct import reconstruct_from_table, TableArm")
    assert "analysis.reconstruct.table" in loaded
