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
