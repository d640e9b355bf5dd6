"""Add a curve in real Chromium (issue 16): upload a generated figure (with its numbers-at-risk
table), confirm, reconstruct, open the Survival view with the new arm beside a shipped arm — its
at-risk row under the chart and its HR against the shipped reference — reload the shared link in
a fresh session (cookies and storage cleared) and see the same, export it as PNG and add it to
the deck. No console errors throughout (CSP included: the upload size check is a hashed
clientside callback).

With ``ESCC_SCREENSHOT_DIR`` set, the steps are saved as PNG screenshots there (the walk-through
in docs/add-a-curve.md uses them).
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from analysis.usercurves import store
from components import ids
from tests.unit.addcurve_figures import draw_with_table, simulated_arms

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CITATION = "Generated test figure (simulated patients, seed 16)"
SHIPPED = "escort1st:placebo_chemo"


def _wait(predicate, timeout: float = 30, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(message or "condition not met in time")


def _shot(duo, name: str) -> None:
    folder = os.environ.get("ESCC_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        duo.driver.save_screenshot(str(Path(folder) / name))


def _button(duo, text: str):
    xpath = f"//button[.//*[normalize-space()='{text}'] or normalize-space()='{text}']"
    found: list = []

    def visible() -> bool:
        found[:] = [b for b in duo.driver.find_elements(By.XPATH, xpath) if b.is_displayed()]
        return bool(found)

    _wait(visible, 20, f"no visible button {text!r}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", found[0])
    return found[0]


def _file(folder: Path, pattern: str, timeout: float = 90) -> Path:
    got: list[Path] = []

    def done() -> bool:
        got[:] = [p for p in folder.glob(pattern) if p.suffix != ".crdownload" and p.stat().st_size]
        return bool(got)

    _wait(done, timeout, f"no {pattern} in {folder}")
    return got[0]


@pytest.fixture
def tmp_store(tmp_path):
    # The test server runs in this process: its store is this folder.
    store.configure(tmp_path / "user-curves")
    yield
    store.configure(None)


def _survival_shows_user_arm(duo) -> str:
    graph = f"#{ids.SURVIVAL_GRAPH}"
    duo.wait_for_element_by_css_selector(f"{graph} .main-svg", timeout=60)
    _wait(
        lambda: (
            "Experimental (user-supplied)" in duo.find_element(graph).get_attribute("textContent")
        ),
        60,
        "user arm not in the chart",
    )
    chart = duo.find_element(graph).get_attribute("textContent")
    # The at-risk table under the chart has the user arm's row, starting at its N.
    assert "260" in chart
    results = duo.find_element(f"#{ids.SURVIVAL_RESULTS}").text
    assert "user-supplied vs" in results
    row = next(line for line in results.splitlines() if "Experimental (user-supplied)" in line)
    assert "(" in row
    caption = duo.find_element(f"#{ids.SURVIVAL_CAPTION}").text
    assert CITATION in caption
    return results


def test_upload_confirm_and_see_the_arm_in_survival(duo, tmp_store, tmp_path) -> None:
    fig = draw_with_table(simulated_arms())
    path = tmp_path / "km-figure.png"
    path.write_bytes(fig.png)
    duo.driver.set_window_size(1400, 1800)
    duo.driver.get(duo.server_url + "/add-curve")
    upload = duo.wait_for_element_by_css_selector(f"#{ids.ADDCURVE_UPLOAD} input[type=file]")
    upload.send_keys(str(path))
    _wait(
        lambda: "Read 2 curves" in duo.find_element(f"#{ids.ADDCURVE_MESSAGE}").text,
        90,
        "the figure was not read",
    )
    _wait(lambda: duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.ADDCURVE_FIGURE} .main-svg"))
    assert duo.find_element(f"#{ids.ADDCURVE_X_HIGH}").get_attribute("value") == "30"
    _shot(duo, "add-curve-1-read.png")
    citation = duo.find_element(f"#{ids.ADDCURVE_CITATION}")
    citation.send_keys(CITATION)
    _button(duo, "Reconstruct and add").click()
    _wait(
        lambda: "Open in the Survival view" in duo.find_element(f"#{ids.ADDCURVE_RESULT}").text,
        60,
        "no result",
    )
    result = duo.find_element(f"#{ids.ADDCURVE_RESULT}").text
    assert "grade A" in result and "user-supplied" in result
    duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'end'});", duo.find_element(f"#{ids.ADDCURVE_RESULT}")
    )
    _shot(duo, "add-curve-2-reconstructed.png")
    href = duo.driver.find_element(By.CSS_SELECTOR, "a.escc-addcurve-open").get_attribute("href")
    assert "/survival?user=u" in href
    shared = href + f"&arms={SHIPPED}"
    duo.driver.get(shared)
    first = _survival_shows_user_arm(duo)
    _shot(duo, "add-curve-3-survival.png")

    # The shared link in a fresh session: no cookies, no storage, a new page load.
    duo.driver.delete_all_cookies()
    duo.driver.execute_script("window.localStorage.clear(); window.sessionStorage.clear();")
    duo.driver.get("about:blank")
    duo.driver.get(shared)
    again = _survival_shows_user_arm(duo)
    assert again == first

    _button(duo, "Export…").click()
    _button(duo, "Download").click()
    png = _file(Path(duo.download_path), "*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    _button(duo, "Add to deck").click()
    duo.wait_for_text_to_equal(f"#{ids.DECK_OPEN}", "Deck (1)", timeout=30)
    duo.find_element(f"#{ids.DECK_OPEN}").click()
    download = duo.wait_for_element_by_css_selector(f"#{ids.DECK_DOWNLOAD}", timeout=20)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", download)
    download.click()
    deck = _file(Path(duo.download_path), "escc-deck_*.pptx", timeout=150)
    with zipfile.ZipFile(io.BytesIO(deck.read_bytes())) as pptx:
        slides = [n for n in pptx.namelist() if n.startswith("ppt/slides/slide")]
    assert len(slides) == 2
    assert duo.get_logs() == []


def test_bad_uploads_get_a_message_and_keep_what_was_typed(duo, tmp_path) -> None:
    """A ZIP bomb renamed .png is refused by the server with its message; a 9 MB file is
    refused in the browser before it is sent; the citation typed before stays in its box."""
    from tests.unit.hostile_uploads import zip_bomb

    duo.driver.get(duo.server_url + "/add-curve")
    citation = duo.wait_for_element_by_css_selector(f"#{ids.ADDCURVE_CITATION}")
    citation.send_keys(CITATION)
    bomb = tmp_path / "figure.png"
    bomb.write_bytes(zip_bomb())
    upload = duo.wait_for_element_by_css_selector(f"#{ids.ADDCURVE_UPLOAD} input[type=file]")
    upload.send_keys(str(bomb))
    _wait(
        lambda: "ZIP archive" in duo.find_element(f"#{ids.ADDCURVE_MESSAGE}").text,
        30,
        "no message for the ZIP bomb",
    )
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 9_000_000)
    upload = duo.wait_for_element_by_css_selector(f"#{ids.ADDCURVE_UPLOAD} input[type=file]")
    upload.send_keys(str(big))
    _wait(
        lambda: "the limit is 8 MB" in duo.find_element(f"#{ids.ADDCURVE_CLIENT_MESSAGE}").text,
        30,
        "no browser-side size message",
    )
    assert duo.find_element(f"#{ids.ADDCURVE_CITATION}").get_attribute("value") == CITATION
    assert duo.get_logs() == []
