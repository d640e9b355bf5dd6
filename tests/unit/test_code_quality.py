"""ruff (lint + format) clean on the whole tree; mypy --strict on analysis/ and data/.

These run the real tools from the virtual environment, so the single test command covers them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.slow
def test_ruff_lint_clean() -> None:
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.slow
def test_ruff_format_clean() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.slow
def test_mypy_strict_on_analysis_and_data() -> None:
    result = _run(str(BIN / "mypy"), "--strict", "analysis", "data")
    assert result.returncode == 0, result.stdout[-4000:]


#: Longest module allowed in the app's own packages (issue 11: "no module in components/ or
#: analysis/ over 600 lines"); data/ is held to the same bound.
MAX_MODULE_LINES = 600
#: Modules still over the bound, each with the issue that splits it. The test fails when one of
#: them comes under the bound, so the list can only shrink.
OVER_LIMIT_PENDING: dict[str, str] = {}


def _module_lines() -> dict[str, int]:
    found: dict[str, int] = {}
    for package in ("analysis", "components", "data"):
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            found[rel] = len(path.read_text(encoding="utf-8").splitlines())
    return found


def test_no_module_over_the_size_bound() -> None:
    lines = _module_lines()
    over = {p: n for p, n in lines.items() if n > MAX_MODULE_LINES and p not in OVER_LIMIT_PENDING}
    assert not over, f"modules over {MAX_MODULE_LINES} lines (split them): {over}"


def test_pending_list_only_names_modules_still_over_the_bound() -> None:
    lines = _module_lines()
    done = {p for p in OVER_LIMIT_PENDING if lines.get(p, 0) <= MAX_MODULE_LINES}
    assert not done, f"now within {MAX_MODULE_LINES} lines, remove from OVER_LIMIT_PENDING: {done}"
