"""SEC-07 (no HTML sinks) and the single-graph-helper rule, by scanning the source tree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("app.py", "components", "analysis", "data")

SINKS = {
    "dangerously_allow_html": re.compile(r"dangerously_allow_html"),
    "srcDoc": re.compile(r"srcDoc"),
    "Iframe(": re.compile(r"\bIframe\("),
    "exec(": re.compile(r"(?<![\w.])exec\("),
    "eval(": re.compile(r"(?<![\w.])eval\("),
    "pickle": re.compile(r"\bpickle\b"),
}


def _sources() -> list[Path]:
    files: list[Path] = []
    for entry in SOURCE_DIRS:
        path = ROOT / entry
        files.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return files


@pytest.mark.parametrize("sink", sorted(SINKS))
def test_sec07_no_html_or_code_sinks(sink: str) -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _sources()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SINKS[sink].search(line)
    ]
    assert hits == []


def test_graphs_only_through_the_helper() -> None:
    """Every dcc.Graph comes from components/graph.py, which fixes the plotly config."""
    pattern = re.compile(r"\bGraph\(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if path.name != "graph.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_debug_run_only_under_main() -> None:
    """SEC-08: ``debug=True`` appears in app.py only inside main(), never at import time."""
    text = (ROOT / "app.py").read_text(encoding="utf-8")
    before_main = text.split("def main(", 1)[0]
    assert "debug=True" not in before_main
    assert "enable_dev_tools" not in text
