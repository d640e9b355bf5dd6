"""Trials view in headless Chromium: catalogue, detail from the URL, evidence download (UX-01)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from components import ids

pytestmark = pytest.mark.browser


def test_catalogue_detail_and_url_restore(duo) -> None:
    duo.driver.get(duo.server_url + "/trials?trial=nct05013697&section=safety")
    duo.wait_for_contains_text(f"#{ids.TRIALS_TABLE}", "ALTER-E-003", timeout=20)
    # The seed paper's headline ORR and its printed CI are in the catalogue.
    assert "57.5–83.8" in duo.find_element(f"#{ids.TRIALS_TABLE}").text
    duo.wait_for_contains_text(f"#{ids.TRIALS_DETAIL}", "adverse events", timeout=20)
    detail = duo.find_element(f"#{ids.TRIALS_DETAIL}").text
    assert "Li N" in detail or "Signal Transduct" in detail
    assert duo.get_logs() == []


def test_hostile_query_is_reset_with_a_notice(duo) -> None:
    duo.driver.get(
        duo.server_url + "/trials?trial=%3Cimg%20src=x%20onerror=alert(1)%3E&section=../"
    )
    duo.wait_for_contains_text(f"#{ids.TRIALS_NOTICE}", "were reset", timeout=20)
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "img[src='x']")
    assert duo.get_logs() == []


def test_selecting_a_trial_updates_the_url(duo) -> None:
    duo.driver.get(duo.server_url + "/trials")
    duo.wait_for_contains_text(f"#{ids.TRIALS_TABLE}", "CheckMate 648", timeout=20)
    select = duo.find_element(f"#{ids.TRIALS_DETAIL_SELECT}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", select)
    select.click()
    select.send_keys("CheckMate")
    duo.wait_for_element_by_css_selector("[role='option']", timeout=10)
    select.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    duo.wait_for_contains_text(f"#{ids.TRIALS_DETAIL}", "Doki", timeout=20)
    deadline = time.monotonic() + 10
    while "trial=checkmate648" not in duo.driver.current_url and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "trial=checkmate648" in duo.driver.current_url
    duo.driver.refresh()
    duo.wait_for_contains_text(f"#{ids.TRIALS_DETAIL}", "Doki", timeout=20)
    assert duo.get_logs() == []


def test_evidence_download_produces_a_file(duo) -> None:
    duo.driver.get(duo.server_url + "/trials")
    duo.wait_for_element_by_css_selector(f"#{ids.EVIDENCE_DOWNLOAD_BUTTON}", timeout=20).click()
    target = Path(duo.download_path)
    deadline = time.monotonic() + 20
    files: list[Path] = []
    while time.monotonic() < deadline:
        files = [p for p in target.glob("escc-evidence_*.csv") if p.stat().st_size > 0]
        if files:
            break
        time.sleep(0.3)
    assert files, "no evidence CSV was downloaded"
    head = files[0].read_bytes()[:200]
    assert head.startswith(b"trial_id,")  # plain CSV: header row first, no byte-order mark
    assert duo.get_logs() == []
