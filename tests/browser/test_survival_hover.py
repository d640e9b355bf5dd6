"""The Survival chart's hover label in headless Chromium (plotly.js draws it).

Since issue 11 (session 4) the figure sends each step's interval and number at risk as numbers
(``customdata``) and the hover template holds the separators, instead of one preformatted
string per step. What a reader sees must not change: "95% CI · at risk: lower–upper · n", and
"– · n" where the band is undefined (t = 0). The expected text is written here from the
Kaplan-Meier estimate itself, in the format the previous figure used.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from analysis.views.survival import SPEC
from components import ids
from components.survival import compute
from data import load_registry

pytestmark = pytest.mark.browser

ARMS = "escort1st:cam_chemo,escort1st:placebo_chemo"

HOVER_JS = """
const gd = document.querySelector('#' + arguments[1] + ' .js-plotly-plot');
if (!gd || !gd.data || !window.Plotly) { return null; }
const trace = gd.data.findIndex(t => (t.hovertemplate || '').includes('at risk'));
if (trace < 0) { return null; }
Plotly.Fx.hover(gd, [{curveNumber: trace, pointNumber: arguments[0]}]);
const lines = Array.from(gd.querySelectorAll('.hoverlayer .hovertext tspan.line'));
return lines.map(l => l.textContent);
"""
UNHOVER_JS = """
const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
if (gd && window.Plotly) { Plotly.Fx.unhover(gd); }
"""


def _expected_lines(point: int) -> list[str]:
    """What the old per-step hover strings said for step ``point`` of the first arm."""
    registry = load_registry()
    state, problems = SPEC.from_query(registry, {"arms": ARMS})
    assert problems == []
    shown = compute.view_model(registry, state).curves[0]
    km = shown.summary.km
    steps = np.union1d(np.flatnonzero(km.n_events > 0), [km.times_months.size - 1])
    if point == 0:
        time_months, survival, interval, n = 0.0, 100.0, "–", km.n_patients
    else:
        i = steps[point - 1]
        time_months = round(float(km.times_months[i]), 2)
        survival = round(100.0 * float(km.survival[i]), 1)
        lo, hi = round(100.0 * km.ci_lower[i], 1), round(100.0 * km.ci_upper[i], 1)
        interval = f"{lo:.1f}–{hi:.1f}" if km.ci_defined[i] else "–"
        n = int(km.n_at_risk[i])
    level = round(km.ci_level * 100)
    return [
        shown.label,
        f"t = {time_months:.1f} mo · S(t) = {survival:.1f} %",
        f"{level}% CI · at risk: {interval} · {n}",
    ]


def _hover(duo, point: int) -> list[str] | None:
    """Hover step ``point`` of the first arm's line and read the label's lines (the previous
    label is removed first: plotly throttles hover events, so a read could see the old one)."""
    duo.driver.execute_script(UNHOVER_JS, ids.SURVIVAL_GRAPH)
    time.sleep(0.2)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        lines = duo.driver.execute_script(HOVER_JS, point, ids.SURVIVAL_GRAPH)
        if lines:
            return [str(line) for line in lines]
        time.sleep(0.3)
    return None


def test_hover_reads_interval_and_number_at_risk(duo) -> None:
    duo.wait_for_page(f"{duo.server_url}/survival?arms={ARMS}")
    for point in (0, 1, 25):  # t = 0 (no interval), the first event, a later step
        assert _hover(duo, point) == _expected_lines(point), point
    assert duo.get_logs() == []
