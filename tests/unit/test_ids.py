"""STYLE principle 7: IDs are unique constants, and every callback refers to existing IDs."""

from __future__ import annotations

import json

import pytest

from components import ids
from components.settings import load_settings


def test_id_values_unique() -> None:
    values = list(ids.all_ids().values())
    assert len(values) == len(set(values))


def _layout_ids(component, found: set[str]) -> None:
    if isinstance(component, (list, tuple)):
        for child in component:
            _layout_ids(child, found)
        return
    if not hasattr(component, "to_plotly_json"):
        return
    ident = getattr(component, "id", None)
    if isinstance(ident, str):
        found.add(ident)
    elif isinstance(ident, dict):
        found.add(json.dumps({k: ident[k] for k in sorted(ident) if k == "type"}))
    for prop in component._prop_names:
        value = getattr(component, prop, None)
        if value is not None and prop != "id":
            _layout_ids(value, found)


@pytest.fixture(scope="module")
def built_app():
    from app import create_app

    return create_app(load_settings({}))


def test_every_callback_id_exists_in_the_layout(built_app) -> None:
    found: set[str] = set()
    _layout_ids(built_app.validation_layout, found)
    missing = []
    for key, spec in built_app.callback_map.items():
        refs = [*spec["inputs"], *spec.get("state", [])]
        outputs = key.strip(".").split("...") if key.startswith("..") else [key]
        refs += [{"id": out.rsplit(".", 1)[0]} for out in outputs]
        for ref in refs:
            ident = ref["id"]
            if ident.startswith("{"):
                parsed = json.loads(ident)
                ident = json.dumps({"type": parsed["type"]}) if "type" in parsed else ident
            if ident not in found:
                missing.append(f"{key}: {ident}")
    assert missing == []


def test_ids_module_is_the_source_of_layout_ids(built_app) -> None:
    """Every string ID in the layout is one of the constants (no ad-hoc IDs)."""
    found: set[str] = set()
    _layout_ids(built_app.validation_layout, found)
    constants = set(ids.all_ids().values())
    stray = sorted(i for i in found if not i.startswith("{") and i not in constants)
    assert stray == []
