"""Safety view in headless Chromium (UX-01): open from a link, filter, switch chart, reload
from the URL; no console errors (CSP included) at any step."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from components import ids
from tests.browser.helpers import wait_url

pytestmark = pytest.mark.browser


def _segment(duo, control_id: str, label: str) -> None:
    """Click the segment labelled ``label`` of a Mantine SegmentedControl."""
    element = duo.driver.find_element(
        By.XPATH, f"//*[@id='{control_id}']//label[normalize-space()='{label}']"
    )
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def _checked(duo, control_id: str) -> str:
    return duo.driver.find_element(
        By.CSS_SELECTOR, f"#{control_id} input[type='radio']:checked"
    ).get_attribute("value")


def _graph_text(duo) -> str:
    return duo.find_element(f"#{ids.SAFETY_GRAPH}").text


def test_filter_switch_chart_and_reload_from_url(duo) -> None:
    duo.driver.get(
        duo.server_url + "/safety?arms=nct05013697.triple,orient15.sint_chemo&chart=terms"
    )
    duo.wait_for_contains_text(f"#{ids.SAFETY_TABLE}", "Rash", timeout=25)
    # NCT05013697 lists only AEs >= 20 %: its rash is "not reported (<20%)", not 0.
    duo.wait_for_contains_text(f"#{ids.SAFETY_GRAPH}", "not reported (<20%)", timeout=25)
    assert "below threshold" in duo.find_element(f"#{ids.SAFETY_TABLE}").text
    assert "Reporting threshold" in duo.find_element(f"#{ids.SAFETY_DEFINITIONS}").text

    _segment(duo, ids.SAFETY_CHART, "Heatmap")
    wait_url(duo, "chart=heatmap")
    duo.wait_for_contains_text(f"#{ids.SAFETY_GRAPH}", "% of patients", timeout=15)

    _segment(duo, ids.SAFETY_CATEGORY, "All-cause")
    wait_url(duo, "cat=ac")
    duo.wait_for_contains_text(f"#{ids.SAFETY_DEFINITIONS}", "All-cause AEs", timeout=15)

    minimum = duo.find_element(f"#{ids.SAFETY_MIN}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", minimum)
    minimum.send_keys(Keys.CONTROL, "a")
    minimum.send_keys("30")
    wait_url(duo, "min=30")
    duo.wait_for_contains_text(f"#{ids.SAFETY_TABLE}", "below the minimum frequency", timeout=15)

    url = duo.driver.current_url
    assert "arms=nct05013697.triple,orient15.sint_chemo" in url
    duo.driver.get(url)  # a copied link restores the view
    duo.wait_for_contains_text(f"#{ids.SAFETY_DEFINITIONS}", "All-cause AEs", timeout=25)
    assert _checked(duo, ids.SAFETY_CHART) == "heatmap"
    assert _checked(duo, ids.SAFETY_CATEGORY) == "all-cause"
    assert duo.find_element(f"#{ids.SAFETY_MIN}").get_attribute("value") == "30"
    # The figure arrives in its own callback, possibly after the definitions.
    duo.wait_for_contains_text(f"#{ids.SAFETY_GRAPH}", "% of patients", timeout=25)
    assert duo.get_logs() == []


def test_summary_default_and_strict_grade_switch(duo) -> None:
    duo.driver.get(duo.server_url + "/safety")
    duo.wait_for_contains_text(f"#{ids.SAFETY_TABLE}", "KEYNOTE-590", timeout=25)
    duo.wait_for_contains_text(f"#{ids.SAFETY_GRAPH}", "grade 3–5", timeout=25)
    text = _graph_text(duo)
    # Bands named, not relabelled (KEYNOTE-590 prints grade 3-5). CheckMate 648's "Grade 3 AE"
    # rows are not treatment-related in their source (issue 13), so its grade 3-4 bar is gone.
    assert "grade 3–5" in text
    switch = duo.find_element(f"#{ids.SAFETY_STRICT}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", switch)
    duo.driver.execute_script("arguments[0].click();", switch)
    wait_url(duo, "strict=1")
    duo.wait_for_contains_text(f"#{ids.SAFETY_TABLE}", "reported only as", timeout=15)
    assert duo.get_logs() == []


def test_hostile_link_is_reset_with_a_notice(duo) -> None:
    duo.driver.get(
        duo.server_url
        + "/safety?arms=%3Cimg%20src=x%20onerror=alert(1)%3E&chart=../&min=NaN&cat=%3Cb%3E"
    )
    duo.wait_for_contains_text(f"#{ids.SAFETY_NOTICE}", "were reset", timeout=25)
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "img[src='x']")
    assert _checked(duo, ids.SAFETY_CHART) == "summary"
    assert duo.get_logs() == []


def test_export_png_of_the_term_chart(duo) -> None:
    """The Export menu rebuilds the chart from the page's URL (export_bundle) and downloads it."""
    from pathlib import Path

    duo.driver.get(
        duo.server_url + "/safety?arms=nct05013697.triple,orient15.sint_chemo&chart=terms&min=20"
    )
    duo.wait_for_element_by_css_selector(f"#{ids.SAFETY_GRAPH} .main-svg", timeout=25)
    xpath = "//button[.//*[normalize-space()='{0}'] or normalize-space()='{0}']"
    for label in ("Export…", "Download"):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = [
                b
                for b in duo.driver.find_elements(By.XPATH, xpath.format(label))
                if b.is_displayed()
            ]
            if found:
                break
            time.sleep(0.2)
        assert found, label
        found[0].click()
    folder = Path(duo.download_path)
    deadline = time.monotonic() + 90
    files: list[Path] = []
    while time.monotonic() < deadline and not files:
        files = [p for p in folder.glob("ae-terms*.png") if p.stat().st_size > 0]
        time.sleep(0.3)
    assert files, list(folder.iterdir())
    assert files[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert duo.get_logs() == []
