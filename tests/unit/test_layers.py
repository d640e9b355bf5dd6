"""STYLE principle 1: imports point one way only (data -> analysis -> charts -> components -> app).

Parses every module with ``ast`` (no imports executed) and fails on a forbidden import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "data": {
        "dash",
        "plotly",
        "flask",
        "werkzeug",
        "dash_mantine_components",
        "analysis",
        "components",
        "app",
    },
    "analysis": {
        "dash",
        "plotly",
        "flask",
        "werkzeug",
        "dash_mantine_components",
        "components",
        "app",
    },
    "components/charts": {"dash", "flask", "werkzeug", "dash_mantine_components", "app"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    modules = _modules(layer)
    assert modules, f"{layer}/ has no Python modules"
    violations = []
    for module in modules:
        bad = _imports(module) & FORBIDDEN[layer]
        if bad:
            violations.append(f"{module.relative_to(ROOT)} imports {sorted(bad)}")
    assert violations == []


def test_checker_detects_a_violation(tmp_path: Path) -> None:
    """The parser itself must catch both import forms, or the test above proves nothing."""
    module = tmp_path / "m.py"
    module.write_text("import plotly.graph_objects as go\nfrom dash import dcc\n", encoding="utf-8")
    assert {"plotly", "dash"} <= _imports(module)
