"""DATA-01 through the app factory: ``create_app()`` refuses to build on bad data.

Every corruption case of ``test_data_corruption`` is replayed through ``create_app`` with the
data folder pointed at the corrupted copy; the factory must raise ``DataValidationError`` whose
message names the file, the key path and the rule. (The gunicorn exit is covered in
tests/contract/test_gunicorn.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from components.settings import load_settings
from data import DataValidationError, clear_registry_cache
from tests.unit.test_data_corruption import CASES, _corrupt


@pytest.mark.parametrize("name", sorted(CASES))
def test_data01_create_app_refuses_bad_data(tmp_path: Path, name: str) -> None:
    from app import create_app

    case = CASES[name]
    root = _corrupt(tmp_path, case)
    clear_registry_cache()
    with pytest.raises(DataValidationError) as info:
        create_app(load_settings({"ESCC_DATA_DIR": str(root)}))
    message = str(info.value)
    for file, key, rule in case.expected:
        assert file in message
        assert rule in message
        if key != "(file)":
            assert key.split("[")[0] in message


def test_create_app_builds_fresh_apps() -> None:
    """Two factories give two apps with their own callbacks (Dash's global @callback trap, E7)."""
    from app import create_app

    first = create_app(load_settings({}))
    second = create_app(load_settings({}))
    assert first is not second
    assert set(first.callback_map) == set(second.callback_map)
    assert first.callback_map
