"""Issue 15: the shell holds on a phone and a tablet, in real headless Chromium.

At 360 and 390 px (phones) and 1024 × 768 (a tablet) every view opens without horizontal
scrolling of the page (wide tables scroll inside their own box), and the navigation is
reachable: behind a burger on the phone, always shown on the tablet. The layout checks (no block
of a page drawn over another, the survival chart keeping its height) are in
``test_ux_layout.py``.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from components import ids
from components.views import default_views

pytestmark = pytest.mark.browser

PHONE = (390, 844)
TABLET = (1024, 768)
DESKTOP = (1440, 900)
NARROW = (360, 740)
# One CSS pixel of rounding between scrollWidth and the viewport is not overflow.
TOLERANCE_PX = 1


def _page_overflow(duo) -> int:
    return duo.driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    )


def _open(duo, path: str, label: str) -> None:
    duo.driver.get(duo.server_url + path)
    duo.wait_for_contains_text(f"#{ids.PAGE}", label, timeout=20)
    # let late layout (plotly resize, fonts) settle before measuring
    duo.driver.execute_script("return new Promise(r => setTimeout(r, 300));")


@pytest.mark.parametrize("size", [NARROW, PHONE, TABLET], ids=["360", "phone", "tablet"])
def test_no_view_scrolls_sideways(duo, size) -> None:
    duo.driver.set_window_size(*size)
    wide = {}
    for view in default_views():
        _open(duo, view.path, view.label)
        overflow = _page_overflow(duo)
        if overflow > TOLERANCE_PX:
            wide[view.path] = overflow
    assert wide == {}
    assert duo.get_logs() == []


def test_phone_navigation_sits_behind_a_burger(duo) -> None:
    duo.driver.set_window_size(*PHONE)
    _open(duo, "/trials", "Trials")
    burger = duo.find_element(f"#{ids.NAV_BURGER}")
    nav = duo.find_element(f"#{ids.NAV}")
    assert burger.is_displayed()
    # Collapsed: the navbar is moved out of view, so it covers nothing.
    assert nav.rect["x"] + nav.rect["width"] <= 0 or not nav.is_displayed()
    burger.click()
    link = duo.driver.find_element(By.CSS_SELECTOR, f"#{ids.NAV} a[href='/safety']")
    duo.wait_for_element_by_css_selector(f"#{ids.NAV}")
    duo.driver.execute_script("return new Promise(r => setTimeout(r, 400));")
    assert link.is_displayed() and link.rect["x"] >= 0
    link.click()
    duo.wait_for_contains_text(f"#{ids.PAGE}", "Safety", timeout=20)
    duo.driver.execute_script("return new Promise(r => setTimeout(r, 400));")
    # choosing a view closes the navigation again
    nav = duo.find_element(f"#{ids.NAV}")
    assert nav.rect["x"] + nav.rect["width"] <= 0 or not nav.is_displayed()
    assert duo.get_logs() == []


def test_tablet_shows_the_navigation(duo) -> None:
    duo.driver.set_window_size(*TABLET)
    _open(duo, "/trials", "Trials")
    assert not duo.find_element(f"#{ids.NAV_BURGER}").is_displayed()
    link = duo.driver.find_element(By.CSS_SELECTOR, f"#{ids.NAV} a[href='/safety']")
    assert link.is_displayed() and link.rect["x"] >= 0
