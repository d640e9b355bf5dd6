"""Indirect comparisons view in headless Chromium (UX-01): choose a PD-L1 subgroup, change the
reference regimen, export the forest as PNG and CSV and add it to the deck, reload from the URL;
no console errors (CSP included) at any step.

Expected numbers: sintilimab + chemotherapy vs pembrolizumab + chemotherapy, OS CPS >= 10,
1.12 (0.75–1.67) — the Bucher comparison worked by hand in tests/unit/test_indirect.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from components import ids
from tests.browser.helpers import wait_url

pytestmark = pytest.mark.browser


def _wait(predicate, timeout: float = 20, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(message or "condition not met in time")


def _choose(duo, input_id: str, typed: str, option_text: str) -> None:
    """Open a searchable Mantine Select, type to filter, click the option with that text."""
    box = duo.find_element(f"#{input_id}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    box.send_keys(typed)

    def option():
        for o in duo.driver.find_elements(By.CSS_SELECTOR, "[role='option']"):
            if o.text.strip() == option_text:
                return o
        return None

    _wait(lambda: option() is not None, message=f"no option {option_text!r}")
    found = option()
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", found)
    found.click()


def _control(duo, kind: str, chart: str):
    """An export control of one chart (pattern-matching ids are rendered as sorted JSON)."""
    ident = json.dumps({"chart": chart, "type": kind}, separators=(",", ":"))
    element = duo.driver.find_element(By.CSS_SELECTOR, f"[id='{ident}']")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    return element


def _wait_for_file(duo, folder: Path, pattern: str, timeout: float = 60) -> Path:
    found: list[Path] = []

    def done() -> bool:
        found[:] = [
            p for p in folder.glob(pattern) if p.stat().st_size > 0 and p.suffix != ".crdownload"
        ]
        return bool(found)

    try:
        _wait(done, timeout)
    except AssertionError:
        status = _control(duo, ids.EXPORT_STATUS, "indirect-forest").text
        raise AssertionError(
            f"no file matching {pattern} in {folder}: {list(folder.iterdir())}; status {status!r}"
        ) from None
    return found[0]


def test_subgroup_reference_export_and_reload(duo) -> None:
    duo.driver.get(duo.server_url + "/indirect")
    duo.wait_for_element_by_css_selector(f"#{ids.INDIRECT_NETWORK_GRAPH} .main-svg", timeout=30)
    duo.wait_for_contains_text(f"#{ids.INDIRECT_LEAGUE}", "0.58 (0.43–0.78)", timeout=20)
    duo.wait_for_contains_text(f"#{ids.INDIRECT_EXCLUDED}", "ALTER-E-003", timeout=10)
    assert duo.get_logs() == []

    # Population ITT -> PD-L1 CPS >= 10: three regimens and chemotherapy remain.
    _choose(duo, ids.INDIRECT_POPULATION, "CPS ≥10", "CPS ≥10")
    wait_url(duo, "pop=CPS%3E%3D10")
    duo.wait_for_contains_text(f"#{ids.INDIRECT_LEAGUE}", "1.12 (0.75–1.67)", timeout=20)
    assert "toripalimab" not in duo.find_element(f"#{ids.INDIRECT_LEAGUE}").text

    # Reference: the comparator -> pembrolizumab + chemotherapy; both forests are shown.
    _choose(duo, ids.INDIRECT_REFERENCE, "pembro", "pembrolizumab + chemotherapy")
    wait_url(duo, "ref=pembrolizumab%2Bchemo")
    _wait(
        lambda: duo.find_element(f"#{ids.INDIRECT_COMMON_SECTION}").is_displayed(),
        message="the forest vs the common comparator stays hidden",
    )
    _wait(
        lambda: (
            "pembrolizumab + chemotherapy"
            in duo.driver.execute_script(
                "const g = document.querySelector(arguments[0] + ' .js-plotly-plot');"
                "return g && g.layout && g.layout.title ? g.layout.title.text : '';",
                f"#{ids.INDIRECT_FOREST_GRAPH}",
            )
        ),
        message="the forest title does not name the new reference",
    )
    assert duo.get_logs() == []

    # Export the forest vs the reference: PNG, then CSV, then add it to the deck.
    folder = Path(duo.download_path)
    _control(duo, ids.EXPORT_OPEN, "indirect-forest").click()
    _wait(lambda: _control(duo, ids.EXPORT_DOWNLOAD, "indirect-forest").is_displayed())
    _control(duo, ids.EXPORT_DOWNLOAD, "indirect-forest").click()
    png = _wait_for_file(duo, folder, "indirect-forest_os_cps-10_*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fmt = _control(duo, ids.EXPORT_FORMAT, "indirect-forest")
    fmt.find_element(By.XPATH, ".//label[normalize-space()='Data (CSV)']").click()
    _control(duo, ids.EXPORT_DOWNLOAD, "indirect-forest").click()
    csv = _wait_for_file(duo, folder, "indirect-forest_os_cps-10_*.csv").read_text(encoding="utf-8")
    assert "sintilimab + chemotherapy,pembrolizumab + chemotherapy,1.119" in csv
    assert "orient15:efficacy[" in csv and "keynote590:efficacy[" in csv
    _control(duo, ids.EXPORT_ADD, "indirect-forest").click()
    duo.wait_for_text_to_equal(f"#{ids.DECK_OPEN}", "Deck (1)", timeout=20)
    assert duo.get_logs() == []

    # A copied link restores the view.
    link = duo.driver.current_url
    duo.driver.get(duo.server_url + "/trials")
    duo.wait_for_contains_text(f"#{ids.PAGE}", "Trials", timeout=15)
    duo.driver.get(link)
    duo.wait_for_contains_text(f"#{ids.INDIRECT_LEAGUE}", "1.12 (0.75–1.67)", timeout=25)
    assert duo.find_element(f"#{ids.INDIRECT_REFERENCE}").get_attribute("value") == (
        "pembrolizumab + chemotherapy"
    )
    assert duo.get_logs() == []


def test_backbone_nodes_show_the_disconnected_message(duo) -> None:
    duo.driver.get(duo.server_url + "/indirect?nodes=backbone")
    duo.wait_for_contains_text(f"#{ids.INDIRECT_MESSAGE}", "Network disconnected", timeout=30)
    assert (
        "cannot be compared by an anchored method"
        in duo.find_element(f"#{ids.INDIRECT_MESSAGE}").text
    )
    assert duo.get_logs() == []
