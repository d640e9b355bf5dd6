"""Subgroups & forest view in headless Chromium (UX-01): switch endpoint and subgroup, toggle
pooling options, reload from the URL; no console errors (CSP included) at any step."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from components import ids
from tests.browser.helpers import click_xpath, wait_url

pytestmark = pytest.mark.browser


def test_forest_controls_url_and_reload(duo) -> None:
    duo.driver.get(duo.server_url + "/subgroups")
    duo.wait_for_contains_text(f"#{ids.FOREST_TABLE}", "99.1% CI", timeout=25)
    assert duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.FOREST_GRAPH} .js-plotly-plot")
    duo.wait_for_contains_text(f"#{ids.FOREST_SEEDS}", "TP53+/FAT1+/NOTCH3", timeout=10)
    assert duo.get_logs() == []

    # Population ITT -> CPS >= 10 (scoring system and cut-off).
    select = duo.find_element(f"#{ids.FOREST_POPULATION}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", select)
    select.click()
    duo.wait_for_element_by_css_selector("[role='option']", timeout=10)
    option = next(
        o
        for o in duo.driver.find_elements(By.CSS_SELECTOR, "[role='option']")
        if o.text.strip() == "CPS ≥10"
    )
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", option)
    option.click()
    wait_url(duo, "pop=CPS%3E%3D10")
    duo.wait_for_contains_text(f"#{ids.FOREST_TABLE}", "143 / 143", timeout=15)

    # Leave-one-out (three pooled trials for OS CPS >= 10).
    click_xpath(duo, "//label[normalize-space()='Leave-one-out']")
    wait_url(duo, "loo=1")
    duo.wait_for_contains_text(f"#{ids.FOREST_LOO}", "Trial left out", timeout=15)

    # Endpoint OS -> PFS: KEYNOTE-590's CPS >= 10 PFS row is all histologies (not pooled).
    click_xpath(duo, f"//*[@id='{ids.FOREST_ENDPOINT}']//label[normalize-space()='PFS']")
    wait_url(duo, "ep=PFS")
    duo.wait_for_contains_text(f"#{ids.FOREST_TABLE}", "0.51 (0.41–0.65)", timeout=15)
    duo.wait_for_contains_text(f"#{ids.FOREST_LOO}", "at least two pooled trials", timeout=15)

    # Pooling across scoring systems only on request, with a loud label.
    click_xpath(duo, "//label[contains(., 'Pool across PD-L1 scoring systems')]")
    wait_url(duo, "x=1")
    duo.wait_for_contains_text(f"#{ids.FOREST_MESSAGE}", "POOLED ACROSS", timeout=15)
    assert duo.get_logs() == []

    # A copied link restores the view.
    link = duo.driver.current_url
    duo.driver.get(duo.server_url + "/trials")
    duo.wait_for_contains_text(f"#{ids.PAGE}", "Trials", timeout=15)
    duo.driver.get(link)
    duo.wait_for_contains_text(f"#{ids.FOREST_MESSAGE}", "POOLED ACROSS", timeout=25)
    duo.wait_for_contains_text(f"#{ids.FOREST_LOO}", "at least two pooled trials", timeout=10)
    assert "0.51 (0.41–0.65)" in duo.find_element(f"#{ids.FOREST_TABLE}").text  # PFS CPS>=10
    assert duo.find_element(f"#{ids.FOREST_POPULATION}").get_attribute("value") == "CPS ≥10"
    assert duo.get_logs() == []


def test_forest_hostile_link_is_reset_with_a_notice(duo) -> None:
    duo.driver.get(
        duo.server_url + "/subgroups?pop=%3Cimg%20src=x%20onerror=alert(1)%3E&ep=../&an=a:b"
    )
    duo.wait_for_contains_text(f"#{ids.PAGE}", "were not recognised and were reset", timeout=25)
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "img[src='x']")
    assert "99.1% CI" in duo.find_element(f"#{ids.FOREST_TABLE}").text  # defaults shown
    assert duo.get_logs() == []
