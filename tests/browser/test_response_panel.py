"""Response view in headless Chromium (UX-01): switch measure, population and arms, reload from
the URL; the seeds' exact intervals are in the table; no console errors (CSP included)."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By

from components import ids
from tests.browser.helpers import click_xpath, wait_url

pytestmark = pytest.mark.browser


def test_response_controls_url_and_reload(duo) -> None:
    duo.driver.get(duo.server_url + "/response")
    duo.wait_for_contains_text(f"#{ids.RESPONSE_TABLE}", "57.5–83.8", timeout=25)  # 36/50
    assert "41.1–71.1" in duo.find_element(f"#{ids.RESPONSE_TABLE}").text  # 26/46, as printed
    assert duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.RESPONSE_GRAPH} .js-plotly-plot")
    assert duo.get_logs() == []

    click_xpath(duo, f"//*[@id='{ids.RESPONSE_MEASURE}']//label[normalize-space()='DCR']")
    wait_url(duo, "m=DCR")
    duo.wait_for_contains_text(f"#{ids.RESPONSE_TABLE}", "70.9–92.8", timeout=15)  # 42/50
    assert "79.2–97.6" in duo.find_element(f"#{ids.RESPONSE_TABLE}").text  # 42/46

    click_xpath(
        duo,
        f"//*[@id='{ids.RESPONSE_POPULATION}']//label[starts-with(normalize-space(), 'All')]",
    )
    wait_url(duo, "pop=all")
    duo.wait_for_contains_text(f"#{ids.RESPONSE_TABLE}", "43 patients", timeout=15)

    arms = duo.find_element(f"#{ids.RESPONSE_ARMS}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", arms)
    arms.click()
    arms.send_keys("NCT05013697")
    duo.wait_for_element_by_css_selector("[role='option']", timeout=10)
    option = next(
        o
        for o in duo.driver.find_elements(By.CSS_SELECTOR, "[role='option']")
        if o.text.startswith("NCT05013697")
    )
    option.click()
    wait_url(duo, "arms=nct05013697%3Atriple")
    deadline = time.monotonic() + 15
    while "ORIENT-15" in duo.find_element(f"#{ids.RESPONSE_TABLE}").text:
        assert time.monotonic() < deadline, "filter by arm did not apply"
        time.sleep(0.2)
    assert duo.get_logs() == []

    link = duo.driver.current_url
    duo.driver.get(duo.server_url + "/trials")
    duo.wait_for_contains_text(f"#{ids.PAGE}", "Trials", timeout=15)
    duo.driver.get(link)
    duo.wait_for_contains_text(f"#{ids.RESPONSE_TABLE}", "70.9–92.8", timeout=25)
    table = duo.find_element(f"#{ids.RESPONSE_TABLE}").text
    assert "43 patients" in table and "ORIENT-15" not in table
    assert duo.get_logs() == []


def test_response_hostile_link_is_reset_with_a_notice(duo) -> None:
    duo.driver.get(duo.server_url + "/response?m=%3Cscript%3Ealert(1)%3C/script%3E&arms=../x")
    duo.wait_for_contains_text(f"#{ids.PAGE}", "were not recognised and were reset", timeout=25)
    assert not duo.driver.find_elements(By.XPATH, "//script[contains(., 'alert(1)')]")
    assert "57.5–83.8" in duo.find_element(f"#{ids.RESPONSE_TABLE}").text  # defaults shown
    assert duo.get_logs() == []
