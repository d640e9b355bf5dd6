"""UX-01 and SEC-09 in real headless Chromium (Debian chromium + chromedriver via dash_duo).

Every view is opened by URL; the page must render its heading, show no error banner and leave
the browser console empty (``get_logs() == []`` at SEVERE level, which includes CSP
violations). The app runs with the production hardening, CSP included.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from components import ids
from components.views import default_views

pytestmark = pytest.mark.browser


def _banner_hidden(duo) -> bool:
    return (
        not duo.driver.find_elements(By.ID, ids.ERROR_BANNER)
        or not duo.find_element(f"#{ids.ERROR_BANNER}").is_displayed()
    )


def test_ux01_every_view_renders_without_console_errors(duo) -> None:
    for view in default_views():
        duo.driver.get(duo.server_url + view.path)
        duo.wait_for_contains_text(f"#{ids.PAGE}", view.label, timeout=15)
        assert _banner_hidden(duo), view.path
        assert duo.get_logs() == [], view.path
    # The footer names both versions on every page.
    footer = duo.find_element(f"#{ids.FOOTER_VERSIONS}").text
    assert "App v" in footer and "data " in footer


def test_ux01_navigation_is_client_side(duo) -> None:
    duo.driver.get(duo.server_url + "/trials")
    duo.wait_for_contains_text(f"#{ids.PAGE}", "Trials", timeout=15)
    link = duo.driver.find_element(By.CSS_SELECTOR, "a[href='/safety']")
    link.click()
    duo.wait_for_contains_text(f"#{ids.PAGE}", "Safety", timeout=15)
    assert duo.driver.current_url.endswith("/safety")
    assert duo.get_logs() == []


def test_ux01_unknown_path_and_hostile_query(duo) -> None:
    duo.driver.get(duo.server_url + "/no-such-view?x=%3Cscript%3Ealert(1)%3C/script%3E")
    duo.wait_for_contains_text(f"#{ids.PAGE}", "Page not found", timeout=15)
    assert not duo.driver.find_elements(By.XPATH, "//script[contains(., 'alert(1)')]")
    assert duo.get_logs() == []
