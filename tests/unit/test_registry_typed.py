"""Issue 11: the evidence registry is typed as ``Registry`` wherever app code takes it.

The issue counted 104 parameters typed ``Any`` for the registry in ``components/``; a registry
typed ``Any`` lets a panel call attributes that do not exist without mypy noticing. This test
reads every function signature in the app packages (AST only, nothing imported) and fails on a
parameter named ``registry`` (or ``_registry``, ``reg``) that is annotated ``Any``, a string
``"Any"``, or left unannotated.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("components", "analysis", "data")
NAMES = {"registry", "_registry", "reg"}


def _offences(text: str, rel: str) -> list[str]:
    """Each registry parameter in ``text`` (module ``rel``) typed ``Any`` or not typed."""
    found: list[str] = []
    for node in ast.walk(ast.parse(text, filename=rel)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            if arg.arg not in NAMES:
                continue
            note = arg.annotation
            shown = ast.unparse(note) if note is not None else "<none>"
            if shown in {"Any", "'Any'", '"Any"', "typing.Any", "<none>"}:
                found.append(f"{rel}:{arg.lineno} {node.name}({arg.arg}: {shown})")
    return found


def _file_offences(path: Path) -> list[str]:
    return _offences(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))


def _files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_there_are_files_to_read() -> None:
    assert len(_files()) > 50


@pytest.mark.parametrize("package", PACKAGES)
def test_registry_parameters_are_typed(package: str) -> None:
    offences = [o for p in _files() if p.is_relative_to(ROOT / package) for o in _file_offences(p)]
    assert offences == [], "registry typed Any or untyped:\n" + "\n".join(offences)


def test_the_reader_reports_any_and_missing_annotations() -> None:
    """The reader itself, on a made-up module (guards against a check that cannot fail)."""
    text = (
        "from typing import Any\n\n"
        "def f(registry: Any, x: int) -> None:\n    pass\n\n"
        "def g(x: int, *, reg) -> None:\n    pass\n\n"
        "def h(registry: 'Registry') -> None:\n    pass\n"
    )
    assert _offences(text, "probe.py") == [
        "probe.py:3 f(registry: Any)",
        "probe.py:6 g(reg: <none>)",
    ]
