"""docs/architecture.md stays true: every dotted name it writes in backticks
(`package.module.name`, starting with one of the project's packages) imports.

A name resolves when the longest importable module prefix exists and the rest are attributes of
it (``analysis.views.state.StateSpec.from_query`` -> module ``analysis.views.state``, attribute
``StateSpec``, then ``from_query``).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("data", "analysis", "components", "app")
NAME_RE = re.compile(r"`((?:" + "|".join(PACKAGES) + r")(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")


def _names() -> list[str]:
    return sorted(set(NAME_RE.findall(DOC.read_text(encoding="utf-8"))))


def _resolve(name: str) -> object:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            # The page names real modules; importing them by name is what it checks.
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            target = getattr(target, attr)
        return target
    raise ModuleNotFoundError(name)


def test_the_page_names_enough_to_follow_the_key() -> None:
    names = _names()
    assert len(names) >= 30, names
    # The walk-through covers every layer, from the data's key format to the chart builder.
    for layer in (
        "data.pdl1.",
        "analysis.views.survival.",
        "components.survival.",
        "components.charts.",
    ):
        assert any(n.startswith(layer) for n in names), layer


@pytest.mark.parametrize("name", _names())
def test_every_named_module_and_function_exists(name: str) -> None:
    assert _resolve(name) is not None
