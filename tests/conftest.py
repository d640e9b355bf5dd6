"""Shared pytest fixtures and the headless-Chromium setup for dash_duo.

Browser tests use Debian's ``chromium`` and ``chromedriver`` (never a downloaded browser). The
flags keep Chromium off the network: this machine has no route to Google's services and
background networking would otherwise flood the console with refused connections.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
REFERENCE_KM = SHARED / "reference-km"

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--window-size=1400,1000",
)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_setup_options():  # dash.testing hook: the Chrome options dash_duo starts with
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    binary = os.environ.get("DASH_TEST_CHROMEPATH") or _chromium()
    if binary:
        options.binary_location = binary
    return options


def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium and chromedriver and are never skipped silently.

    Without them the browser tests fail (the README's setup installs both). A developer who
    knowingly lacks a browser can set ESCC_SKIP_BROWSER=1 to skip them with a visible reason.
    """
    if os.environ.get("ESCC_SKIP_BROWSER") != "1":
        return
    skip = pytest.mark.skip(reason="ESCC_SKIP_BROWSER=1 set: browser tests skipped on request")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
