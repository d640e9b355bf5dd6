"""STYLE principle 1: imports point one way only (data -> analysis -> charts -> components -> app).

Parses every module with ``ast`` (no imports executed) and fails on a forbidden import. Layers
are checked by top-level package and, inside ``components``, by sub-package: figure builders
(``components/charts``) import nothing from export or the panels; the export machinery
(``components/export``) renders figures and writes files but knows no panel and no Dash. Modules
may not be imported by name at run time (``importlib.import_module``/``__import__``), because
such a dependency is invisible to this test.
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
    "components/charts": {
        "dash",
        "flask",
        "werkzeug",
        "dash_mantine_components",
        "app",
        "components.export",
        "components.export_panel",
        "components.export_menu",
        "components.panel",
        "components.views",
    },
    "components/export": {
        "dash",
        "flask",
        "werkzeug",
        "dash_mantine_components",
        "app",
        "components.export_panel",
        "components.export_menu",
        "components.views",
        "components.shell",
    },
}

# Panels (any components module outside charts/ and export/) never import each other's panel
# modules: they meet only in components.views.
PANEL_PREFIXES = (
    "components.survival",
    "components.forest",
    "components.safety",
    "components.response",
    "components.trials",
    "components.indirect",
)


def _full_imports(path: Path) -> set[str]:
    """Every imported module name, in full (``a.b.c``) and with each parent (``a``, ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # ``from components import export_panel`` imports a module too
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    found: set[str] = set()
    for name in names:
        parts = name.split(".")
        found.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return found


def _imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _full_imports(path)}


def _dynamic_imports(path: Path) -> list[int]:
    """Lines that import a module by name at run time."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("import_module", "__import__"):
            lines.append(node.lineno)
    return lines


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer: str) -> None:
    modules = _modules(layer)
    assert modules, f"{layer}/ has no Python modules"
    violations = []
    for module in modules:
        bad = _full_imports(module) & FORBIDDEN[layer]
        if bad:
            violations.append(f"{module.relative_to(ROOT)} imports {sorted(bad)}")
    assert violations == []


def test_checker_detects_a_violation(tmp_path: Path) -> None:
    """The parser itself must catch both import forms, or the test above proves nothing."""
    module = tmp_path / "m.py"
    module.write_text("import plotly.graph_objects as go\nfrom dash import dcc\n", encoding="utf-8")
    assert {"plotly", "dash"} <= _imports(module)


def test_panels_do_not_import_each_other() -> None:
    violations = []
    for module in _modules("components"):
        rel = module.relative_to(ROOT).with_suffix("")
        own = ".".join(rel.parts).removesuffix(".__init__")
        if own.startswith(("components.charts", "components.export")):
            continue
        own_panel = next((p for p in PANEL_PREFIXES if own.startswith(p)), None)
        for name in _full_imports(module):
            other = next((p for p in PANEL_PREFIXES if name.startswith(p)), None)
            if other and other != own_panel and own != "components.views":
                violations.append(f"{rel} imports {name}")
    assert violations == []


def test_no_module_is_imported_by_name() -> None:
    found = []
    for folder in ("app.py", "components", "analysis", "data"):
        paths = [ROOT / folder] if folder.endswith(".py") else _modules(folder)
        for path in paths:
            found.extend(f"{path.relative_to(ROOT)}:{line}" for line in _dynamic_imports(path))
    assert found == []


def test_checker_sees_submodules_and_dynamic_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from components import export_panel\nimport importlib\n"
        "importlib.import_module('components.survival_panel')\n",
        encoding="utf-8",
    )
    assert "components.export_panel" in _full_imports(module)
    assert _dynamic_imports(module) == [3]
