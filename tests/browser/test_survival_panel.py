"""Survival view in headless Chromium (UX-01): choose two arms, switch to a PD-L1 subgroup,
toggle CI bands, reload from the URL, open a fidelity check; no console errors (CSP included)
at any step."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from components import ids

pytestmark = pytest.mark.browser

CAM = "ESCORT-1st: Camrelizumab + paclitaxel/cisplatin"
PLACEBO = "ESCORT-1st: Placebo + paclitaxel/cisplatin"


def _wait(predicate, timeout: float = 15, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(message or "condition not met in time")


def _wait_url(duo, fragment: str, present: bool = True) -> None:
    _wait(
        lambda: (fragment in duo.driver.current_url) == present,
        message=f"{fragment!r} {'not ' if present else ''}in {duo.driver.current_url}",
    )


def _choose(duo, input_id: str, typed: str, option_text: str, *, replace: bool = False) -> None:
    """Open a Mantine (Multi)Select, type to filter, click the option whose text matches.

    ``replace``: a searchable Select shows its value in the input, so clear it first (in a
    MultiSelect, Backspace would remove the last picked value instead)."""
    box = duo.find_element(f"#{input_id}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.click()
    if replace:
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.BACKSPACE)
    box.send_keys(typed)

    def option():
        for o in duo.driver.find_elements(By.CSS_SELECTOR, "[role='option']"):
            if o.text.strip().startswith(option_text):
                return o
        return None

    _wait(lambda: option() is not None, message=f"no option {option_text!r}")
    found = option()
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", found)
    found.click()
    box.send_keys(Keys.ESCAPE)


def _figure_has_ci_band(duo) -> bool:
    return bool(
        duo.driver.execute_script(
            "const g = document.querySelector(arguments[0] + ' .js-plotly-plot');"
            "return !!g && !!g.data && g.data.some(t => t.fill === 'tonexty');",
            f"#{ids.SURVIVAL_GRAPH}",
        )
    )


def _line_names(duo) -> list[str]:
    return duo.driver.execute_script(
        "const g = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return (g && g.data ? g.data : []).filter(t => t.mode === 'lines' && t.name"
        " && !t.name.endsWith('CI')).map(t => t.name);",
        f"#{ids.SURVIVAL_GRAPH}",
    )


def test_two_arms_subgroup_ci_bands_and_reload(duo) -> None:
    # The first report (ESCORT-1st interim, digitised: grade A); the default is the latest.
    duo.driver.get(duo.server_url + "/survival?arms=-&cut=earliest")
    duo.wait_for_contains_text(f"#{ids.SURVIVAL_RESULTS}", "No curve to summarise", timeout=30)
    assert duo.get_logs() == []

    # Choose two arms.
    _choose(duo, ids.SURVIVAL_ARMS, "Camrelizumab + pacli", CAM)
    _choose(duo, ids.SURVIVAL_ARMS, "Placebo + paclitaxel/cis", PLACEBO)
    _wait_url(duo, "arms=escort1st:cam_chemo,escort1st:placebo_chemo")
    duo.wait_for_contains_text(f"#{ids.SURVIVAL_RESULTS}", "Versus the reference arm", timeout=20)
    results = duo.find_element(f"#{ids.SURVIVAL_RESULTS}").text
    assert CAM in results and PLACEBO in results and "grade A" in results
    _wait(lambda: _line_names(duo) == [f"{CAM} [grade A]", f"{PLACEBO} [grade A]"])
    assert not _figure_has_ci_band(duo)

    # The fidelity badge opens the published-vs-reconstructed check.
    badge = duo.driver.find_element(By.CSS_SELECTOR, ".escc-fidelity-badge")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", badge)
    badge.click()
    _wait(
        lambda: any(
            "Reconstructed" in e.text and "Published" in e.text
            for e in duo.driver.find_elements(By.CSS_SELECTOR, ".mantine-Popover-dropdown")
        ),
        message="fidelity popover did not open",
    )
    badge.send_keys(Keys.ESCAPE)
    assert duo.get_logs() == []

    # Switch to a PD-L1 subgroup: ESCORT-1st reports TPS >= 1 only as medians and an HR, so
    # both arms are listed as not reconstructable with the reason (no ITT substitute).
    _choose(duo, ids.SURVIVAL_POPULATION, "TPS", "PD-L1 TPS ≥1", replace=True)
    _wait_url(duo, "pop=TPS%3E%3D1")
    duo.wait_for_contains_text(f"#{ids.SURVIVAL_MISSING}", "total events not reported", timeout=20)
    missing = duo.find_element(f"#{ids.SURVIVAL_MISSING}").text
    assert CAM in missing and PLACEBO in missing
    _wait(lambda: _line_names(duo) == [])

    # Toggle CI bands.
    toggle = duo.driver.find_element(By.XPATH, "//label[normalize-space()='95% CI bands']")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", toggle)
    toggle.click()
    _wait_url(duo, "ci=1")
    assert duo.get_logs() == []

    # Reload from the URL: every control comes back.
    link = duo.driver.current_url
    duo.driver.get(duo.server_url + "/trials")
    duo.wait_for_contains_text(f"#{ids.PAGE}", "Trials", timeout=20)
    duo.driver.get(link)
    duo.wait_for_contains_text(f"#{ids.SURVIVAL_MISSING}", "total events not reported", timeout=30)
    assert (
        duo.find_element(f"#{ids.SURVIVAL_POPULATION}")
        .get_attribute("value")
        .startswith("PD-L1 TPS ≥1")
    )
    assert duo.find_element(f"#{ids.SURVIVAL_SHOW_CI}").is_selected()
    picked = duo.driver.find_element(By.CSS_SELECTOR, ".mantine-MultiSelect-root").text
    assert "Camrelizumab" in picked and "Placebo" in picked

    # Back to ITT: the two curves are drawn with their CI bands.
    _choose(duo, ids.SURVIVAL_POPULATION, "ITT", "ITT", replace=True)
    _wait_url(duo, "pop=", present=False)
    _wait(lambda: _figure_has_ci_band(duo), message="no CI band drawn")
    assert _line_names(duo) == [f"{CAM} [grade A]", f"{PLACEBO} [grade A]"]
    assert duo.get_logs() == []


def test_hostile_link_is_reset_with_a_notice(duo) -> None:
    duo.driver.get(
        duo.server_url
        + "/survival?arms=%3Cimg%20src=x%20onerror=alert(1)%3E&lm=NaN&tau=-1&pop=../&ep=DFS"
    )
    duo.wait_for_contains_text(f"#{ids.SURVIVAL_NOTICE}", "were reset", timeout=30)
    assert not duo.driver.find_elements(By.CSS_SELECTOR, "img[src='x']")
    # Defaults are shown: the seed-study preset with its reconstructable curves.
    duo.wait_for_contains_text(f"#{ids.SURVIVAL_RESULTS}", "NCT05013697", timeout=30)
    assert duo.get_logs() == []
