"""SEC-06: XSS payloads end to end, in real Chromium.

Payloads go into (a) the data — a copy of the synthetic fixture trial whose names, labels and
notes carry them (the schema does not forbid odd characters in text, so the UI must render
them inert), (b) URL query strings of every view, (c) values reflected into titles. Pass: no
injected element or handler in the DOM, no ``alert`` fired, every ``href``/``src`` is https:,
relative or about:blank, and the console is empty.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By

from components import ids
from components.settings import load_settings
from components.views import default_views
from data import clear_registry_cache
from data.manifest import write_manifest
from tests.browser.helpers import PRODUCTION_RUN

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parents[1] / "unit" / "fixtures_data"
PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
    "javascript:alert(3)",
    "&lt;svg onload=alert(4)&gt;",
    "<svg/onload=alert(5)>",
    "\u202eevil\u202c",
)


def _hostile_root(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(FIXTURE, root)
    trial = root / "trials" / "fixture_trial" / "trial.toml"
    text = trial.read_text(encoding="utf-8")
    joined = " ".join(PAYLOADS).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace('name = "Fixture trial"', f'name = "Fixture {joined}"', 1)
    text = text.replace(
        'display_name = "Fixture trial (synthetic)"', f'display_name = "Display {joined}"', 1
    )
    text = text.replace('label = "Experimental"', f'label = "Arm {joined}"', 1)
    trial.write_text(text, encoding="utf-8")
    write_manifest(root)
    return root


def _assert_inert(duo) -> None:
    driver = duo.driver
    assert driver.execute_script("return window.__xss === undefined")
    assert not driver.find_elements(By.CSS_SELECTOR, "img[src='x'], svg[onload]")
    scripts = driver.execute_script(
        "return Array.from(document.scripts).map(s => s.textContent).join('\\n')"
    )
    assert "alert(2)" not in scripts
    for element in driver.find_elements(By.CSS_SELECTOR, "[href], [src]"):
        for attr in ("href", "src"):
            value = element.get_attribute(attr)
            if value:
                assert value.startswith(("https:", duo.server_url, "about:blank", "data:")), value
    assert duo.get_logs() == []


@pytest.fixture
def hostile_duo(dash_duo, tmp_path):
    from app import create_app

    root = _hostile_root(tmp_path)
    clear_registry_cache()
    app = create_app(load_settings({"ESCC_DATA_DIR": str(root)}))
    dash_duo.start_server(app, **PRODUCTION_RUN)
    # Any alert() would set this flag instead of blocking the page.
    dash_duo.driver.execute_script("window.alert = () => { window.__xss = true; };")
    yield dash_duo
    clear_registry_cache()


def test_sec06_payloads_in_data_and_urls_stay_inert(hostile_duo) -> None:
    duo = hostile_duo
    query = "?" + "&".join(
        f"{key}={quote(value)}"
        for key, value in zip(("trial", "arms", "x", "chart", "m", "pop"), PAYLOADS, strict=False)
    )
    for view in default_views():
        duo.driver.get(duo.server_url + view.path + query)
        duo.driver.execute_script("window.alert = () => { window.__xss = true; };")
        duo.wait_for_contains_text(f"#{ids.PAGE}", view.label, timeout=20)
        _assert_inert(duo)
    duo.driver.get(duo.server_url + "/trials?trial=fixture_trial&section=design")
    duo.driver.execute_script("window.alert = () => { window.__xss = true; };")
    duo.wait_for_contains_text(f"#{ids.TRIALS_DETAIL}", "Display", timeout=20)
    detail = duo.find_element(f"#{ids.TRIALS_DETAIL}").text
    assert "<img src=x onerror=alert(1)>" in detail  # shown as text, not parsed
    _assert_inert(duo)
