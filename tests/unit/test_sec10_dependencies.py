"""SEC-10: requirements are pinned exactly and the security floors of RELIABILITY.md §2.3 hold.

``pip-audit`` needs the vulnerability database online, which this project's machines cannot
reach; the floors below are the advisories known when they were written (see the README).
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]

FLOORS = {
    "dash": "4.4.1",  # signed background-callback handles; CVE-2024-21485
    "Werkzeug": "3.0.3",  # CVE-2024-34069
    "gunicorn": "23.0.0",  # CVE-2024-1135 and later smuggling fixes
    "plotly": "7.1.0",  # bundles plotly.js 4.1.1 >= 2.25.2 (CVE-2023-46308)
}


@pytest.mark.parametrize("filename", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_pinned_exactly(filename: str) -> None:
    loose = []
    for line in (ROOT / filename).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r "):
            continue
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+(\[[a-z,\-]+\])?==[0-9][A-Za-z0-9.\-]*", line):
            loose.append(line)
    assert loose == []


@pytest.mark.parametrize(("package", "floor"), sorted(FLOORS.items()))
def test_security_floors_met(package: str, floor: str) -> None:
    assert Version(version(package)) >= Version(floor)


def test_bundled_plotly_js_floor() -> None:
    import plotly.offline

    bundled = plotly.offline.get_plotlyjs_version()
    assert Version(bundled) >= Version("2.25.2")


def test_installed_versions_match_pins() -> None:
    mismatched = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" not in line:
            continue
        name, pinned = line.split("==")
        name = name.split("[")[0]
        if version(name) != pinned:
            mismatched.append(f"{name}: pinned {pinned}, installed {version(name)}")
    assert mismatched == []
