"""Shared pieces of the browser tests."""

from __future__ import annotations

import os

# app.run() arguments that match production: every Dash dev tool off (SEC-08), so the browser
# sees what a gunicorn deployment serves.
PRODUCTION_RUN = {
    "debug": False,
    "dev_tools_ui": False,
    "dev_tools_props_check": False,
    "dev_tools_hot_reload": False,
    # dash.testing serves on 8050 unless told otherwise; ESCC_TEST_PORT lets two checkouts run
    # their browser tests side by side on one machine.
    "port": int(os.environ.get("ESCC_TEST_PORT", "8050")),
}


def wait_url(duo, fragment: str, present: bool = True, timeout: float = 15) -> None:
    """Wait until the page URL does (or does not) contain ``fragment``; fail with the URL."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (fragment in duo.driver.current_url) == present:
            return
        time.sleep(0.2)
    raise AssertionError(f"URL {duo.driver.current_url!r}: {fragment!r} present={present}")


def click_xpath(duo, xpath: str) -> None:
    """Scroll the element into view and click it (the fixed footer can cover the bottom)."""
    from selenium.webdriver.common.by import By

    element = duo.driver.find_element(By.XPATH, xpath)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()
