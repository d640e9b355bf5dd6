"""Unit checks of the digitiser's curve follower on drawn-by-hand membership maps (the synthetic
figure tests cover the whole engine against a simulated truth).

Expected values are what was drawn: a slanted drop whose centre line is known exactly, read row
by row (``trace._steep_corners``), and the column DP's path on a map with one clear monotone line.
"""

from __future__ import annotations

import itertools

import numpy as np

from analysis.digitise.marks import strip_mark_arms
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


def _plus(own: np.ndarray, row: int, col: int, arm: int = 5) -> None:
    own[row, col - arm : col + arm + 1] = 1.0
    own[row - arm : row + arm + 1, col] = 1.0


def test_plus_sign_on_a_drop_loses_its_arms_and_keeps_its_centre() -> None:
    # A 2-px vertical drop at columns 30-31 from row 10 to row 60, a plus sign (arms of 5 px)
    # centred on it at row 35; a tick of the same size on a short level stretch between two
    # drops (row 80, columns 50-58) is part of the line and stays.
    own = np.zeros((100, 80))
    own[10:61, 30:32] = 1.0
    _plus(own, 35, 30)
    own[70:81, 50:52] = 1.0
    own[80, 50:59] = 1.0
    own[80:95, 57:59] = 1.0
    own[76:85, 54] = 1.0
    stripped, found = strip_mark_arms(own, 2.0)
    assert found >= 1
    assert stripped[35, 25:29].sum() == 0 and stripped[35, 32:36].sum() == 0  # the bar's arms
    assert stripped[35, 29:32].min() == 1.0  # the centre, a line width around the crossing
    assert (stripped[10:61, 30:32] == 1.0).all()  # the drop's stroke
    assert (stripped[70:95] == own[70:95]).all()  # the tick on the level stretch


def test_plus_signs_in_a_dashed_drop_place_it_at_their_centres() -> None:
    # A dashed step curve: level at row 20 up to column 30, then a drop to row 70 whose stroke
    # is missing (dash gap) except for plus signs centred on it at column 33 (rows 32 and 44)
    # and column 36 (row 56), then level at row 70 from column 38. Engine 1.1.1 stepped down
    # onto the left arms (columns 28 and 31), 5 px before the centres.
    own = np.zeros((100, 80))
    own[19:22, 0:31] = 1.0
    for row, col in ((32, 33), (44, 33), (56, 36)):
        _plus(own, row, col)
    own[69:72, 38:80] = 1.0
    curve = trace_curve(own, np.zeros_like(own), np.zeros_like(own))
    assert curve is not None
    for row, centre in ((32, 33.0), (44, 33.0), (56, 36.0)):
        reached = curve.cols[np.searchsorted(curve.rows, row)]
        assert reached >= centre - 2.0, (row, reached, centre)
