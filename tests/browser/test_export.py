"""Export in real Chromium: the Export menu downloads a file, the deck collects charts and
downloads a .pptx (background callback), and plotly's own modebar download works under the CSP
(SEC-09: no violation when the image button is pressed). UX-01: no console errors throughout.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from components import ids

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _wait_for_file(folder: Path, pattern: str, timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [
            p for p in folder.glob(pattern) if p.stat().st_size > 0 and p.suffix != ".crdownload"
        ]
        if done:
            return done[0]
        time.sleep(0.3)
    raise AssertionError(f"no file matching {pattern} in {folder}: {list(folder.iterdir())}")


def _click(duo, css: str) -> None:
    element = duo.wait_for_element_by_css_selector(css, timeout=20)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def _button_with_text(duo, text: str):
    xpath = f"//button[.//*[normalize-space()='{text}'] or normalize-space()='{text}']"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [b for b in duo.driver.find_elements(By.XPATH, xpath) if b.is_displayed()]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no visible button {text!r}")


def test_export_png_and_csv_from_the_forest_view(duo) -> None:
    duo.driver.get(duo.server_url + "/subgroups")
    duo.wait_for_element_by_css_selector(f"#{ids.FOREST_GRAPH} .main-svg", timeout=30)
    _button_with_text(duo, "Export…").click()
    _button_with_text(duo, "Download").click()
    png = _wait_for_file(Path(duo.download_path), "forest_*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert duo.get_logs() == []


def test_deck_collects_and_downloads_a_pptx(duo) -> None:
    duo.driver.get(duo.server_url + "/subgroups")
    duo.wait_for_element_by_css_selector(f"#{ids.FOREST_GRAPH} .main-svg", timeout=30)
    _button_with_text(duo, "Add to deck").click()
    duo.wait_for_text_to_equal(f"#{ids.DECK_OPEN}", "Deck (1)", timeout=20)
    _click(duo, f"#{ids.DECK_OPEN}")
    _click(duo, f"#{ids.DECK_DOWNLOAD}")
    deck = _wait_for_file(Path(duo.download_path), "escc-deck_*.pptx", timeout=120)
    with zipfile.ZipFile(io.BytesIO(deck.read_bytes())) as pptx:
        slides = [n for n in pptx.namelist() if n.startswith("ppt/slides/slide")]
    assert len(slides) == 2  # title slide + one chart
    assert duo.get_logs() == []


def test_export_follows_the_controls_not_the_first_url(duo) -> None:
    """Found in session 3: after a control changed, exports used the page's first query (the
    panel's own location pushed the new URL without updating the shell's). The deck item must
    carry the query the page shows."""
    duo.driver.get(duo.server_url + "/subgroups")
    duo.wait_for_element_by_css_selector(f"#{ids.FOREST_GRAPH} .main-svg", timeout=30)
    label = duo.driver.find_element(
        By.XPATH, f"//*[@id='{ids.FOREST_ENDPOINT}']//label[normalize-space()='PFS']"
    )
    label.click()
    deadline = time.monotonic() + 20
    while "ep=PFS" not in duo.driver.execute_script("return window.location.search;"):
        assert time.monotonic() < deadline, "the forest view did not write ep=PFS into the URL"
        time.sleep(0.2)
    _button_with_text(duo, "Add to deck").click()
    duo.wait_for_text_to_equal(f"#{ids.DECK_OPEN}", "Deck (1)", timeout=20)
    stored = duo.driver.execute_script(f"return window.sessionStorage.getItem('{ids.DECK_STORE}');")
    assert stored is not None and "ep=PFS" in stored, stored
    assert duo.get_logs() == []


def test_sec09_modebar_download_has_no_csp_violation(duo) -> None:
    duo.driver.get(duo.server_url + "/subgroups")
    graph = duo.wait_for_element_by_css_selector(f"#{ids.FOREST_GRAPH} .main-svg", timeout=30)
    ActionChains(duo.driver).move_to_element(graph).perform()
    button = duo.wait_for_element_by_css_selector(
        f"#{ids.FOREST_GRAPH} .modebar-btn[data-title^='Download plot']", timeout=20
    )
    duo.driver.execute_script("arguments[0].click();", button)
    _wait_for_file(Path(duo.download_path), "*.png", timeout=30)
    assert not duo.driver.find_elements(By.CSS_SELECTOR, ".modebar-btn[data-title*='Chart Studio']")
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "a.modebar-btn[href*='plotly']")
    assert duo.get_logs() == []
