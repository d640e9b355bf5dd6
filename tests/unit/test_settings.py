"""Settings: every limit is named, documented in the README, validated (STYLE principle 11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.settings import SETTING_DOCS, SettingsError, default_renderers, load_settings

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
    """(budget / workers - 250 MB) // 500 MB, at most cores / workers, clamped to 1-4."""

    def renderers(budget: str, workers: str, cpus: int) -> int:
        return default_renderers({"ESCC_MEMORY_BUDGET_MB": budget, "ESCC_WORKERS": workers}, cpus)

    assert renderers("4096", "5", 16) == 1  # memory: 819 MB per worker
    assert renderers("4096", "2", 16) == 3  # memory: 2048 MB per worker
    assert renderers("4096", "2", 2) == 1  # cores: one each
    assert renderers("1024", "4", 16) == 1  # at least one
    assert renderers("65536", "1", 64) == 4  # at most four
    assert load_settings({"ESCC_EXPORT_RENDERERS": "2"}).export_renderers == 2
    with pytest.raises(SettingsError, match="ESCC_EXPORT_QUEUE"):
        load_settings({"ESCC_EXPORT_QUEUE": "-1"})
