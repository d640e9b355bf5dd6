"""Unit checks of the digitiser's curve follower on drawn-by-hand membership maps (the synthetic
figure tests cover the whole engine against a simulated truth).

Expected values are what was drawn: a slanted drop whose centre line is known exactly, read row
by row (``trace._steep_corners``), and the column DP's path on a map with one clear monotone line.
"""

from __future__ import annotations

import itertools

import numpy as np

from analysis.digitise.trace import _isotonic_median, best_monotone_path, trace_curve


def _slanted_drop() -> np.ndarray:
    """A 3-px line at row 20 from column 0 to 30, then a slanted stroke whose centre line goes
    from (30, 20) to (36, 80) (one column per 10 rows), then a 3-px line at row 80 to column 79."""
    own = np.zeros((100, 80))
    own[19:22, 0:31] = 1.0
    for r in range(20, 81):
        centre = 30 + (r - 20) / 10.0
        left = round(centre - 1)
        own[r, left : left + 3] = 1.0
    own[79:82, 36:80] = 1.0
    return own


def test_slanted_drop_is_read_along_its_centre_line() -> None:
    own = _slanted_drop()
    curve = trace_curve(own, np.zeros_like(own), np.zeros_like(own))
    assert curve is not None
    cols, rows = curve.cols, curve.rows
    assert rows[0] == 20.0 and rows[-1] == 80.0
    # Where the step curve reaches rows 30, 50 and 70: the drawn centre line is at columns
    # 31, 33 and 35 there; the reading is within half a pixel.
    for row, centre in ((30, 31.0), (50, 33.0), (70, 35.0)):
        reached = cols[np.searchsorted(rows, row)]
        assert abs(reached - centre) <= 0.5, (row, reached, centre)


def test_isotonic_median_drops_single_outliers() -> None:
    values = [10.0, 10.5, 4.0, 11.0, 11.5, 30.0, 12.0, 12.5]
    fit = _isotonic_median(values)
    assert all(b >= a for a, b in itertools.pairwise(fit))
    # The stray 4.0 (a plus sign's bar) and 30.0 (a label) leave no trace: every fitted value is
    # within one pixel of the clean values around it (a running maximum would carry 30 onwards).
    assert fit == [10.0, 10.0, 10.0, 11.0, 11.5, 12.5, 12.5, 12.5]


def test_column_dp_follows_a_monotone_line_and_stays_level_without_evidence() -> None:
    evidence = np.zeros((40, 60))
    evidence[10, :20] = 1.0
    evidence[25, 30:] = 1.0
    path = best_monotone_path(evidence)
    assert (path[:20] == 10).all() and (path[30:] == 25).all()
    assert (np.diff(path) >= 0).all()
    # Without evidence the path stays level: one jump, between the two lines.
    assert np.count_nonzero(np.diff(path)) == 1
