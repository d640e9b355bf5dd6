"""Settings: every limit is named, documented in the README, validated (STYLE principle 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.settings import SETTING_DOCS, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [doc.env for doc in SETTING_DOCS if f"`{doc.env}`" not in readme]
    assert missing == []


def test_defaults_are_safe() -> None:
    settings = load_settings({})
    assert settings.host == "127.0.0.1"
    assert settings.port == 8050
    assert settings.debug is False
    assert 16_384 <= settings.max_request_bytes <= 1_048_576


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ESCC_PORT": "eighty"}, "ESCC_PORT"),
        ({"ESCC_PORT": "70000"}, "ESCC_PORT"),
        ({"ESCC_MAX_REQUEST_BYTES": "10"}, "ESCC_MAX_REQUEST_BYTES"),
        ({"ESCC_TRUSTED_ORIGINS": "evil.example"}, "ESCC_TRUSTED_ORIGINS"),
        ({"ESCC_TRUSTED_ORIGINS": "https://a.example/path"}, "ESCC_TRUSTED_ORIGINS"),
        ({"ESCC_CALLBACK_BUDGET_S": "-1"}, "ESCC_CALLBACK_BUDGET_S"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_trusted_origins_parsed() -> None:
    settings = load_settings({"ESCC_TRUSTED_ORIGINS": "https://a.example, http://b.example:8080/"})
    assert settings.trusted_origins == ("https://a.example", "http://b.example:8080")


def test_export_renderers_follow_the_memory_budget() -> None:
    """(budget / workers - 250 MB) // 500 MB, clamped to 1-4 (README, "Export service")."""
    assert (
        load_settings({"ESCC_MEMORY_BUDGET_MB": "4096", "ESCC_WORKERS": "5"}).export_renderers == 1
    )
    assert (
        load_settings({"ESCC_MEMORY_BUDGET_MB": "4096", "ESCC_WORKERS": "2"}).export_renderers == 3
    )
    assert (
        load_settings({"ESCC_MEMORY_BUDGET_MB": "1024", "ESCC_WORKERS": "4"}).export_renderers == 1
    )
    assert (
        load_settings({"ESCC_MEMORY_BUDGET_MB": "65536", "ESCC_WORKERS": "1"}).export_renderers == 4
    )
    assert load_settings({"ESCC_EXPORT_RENDERERS": "2"}).export_renderers == 2
    with pytest.raises(SettingsError, match="ESCC_EXPORT_QUEUE"):
        load_settings({"ESCC_EXPORT_QUEUE": "-1"})
