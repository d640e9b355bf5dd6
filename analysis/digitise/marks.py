"""Censor marks drawn as plus signs or crosses: recognised as shapes, their arms taken out.

A censor mark sits on the curve: its centre is a point of the curve, its arms are not. Where a
plus sign is drawn on a steep drop (dense censoring at a scan time, typical of PFS figures), its
horizontal bar reaches out left and right of the drop; in a dashed line's gap nothing else tells
the curve follower where the drop is, so the best path steps down onto the left arm's end, a
half bar before the mark's centre, and leaves along the right arm's end. Crosses do the same
with their diagonal arms.

``strip_mark_arms`` finds such marks in a curve's own-pixel map and removes the arms' pixels,
keeping each mark's centre (a line width around the point where its bars cross). A mark is
recognised by its shape, not by its thinness (thin vertical runs are also anti-aliased pieces of
the line and parts of crosses):

- plus sign: a run of own pixels along a row, between ``MIN_ARM`` and ``max_arm`` long on each
  side of a centre pixel, the two sides equal within ``SYMMETRY_PX`` (a bar centred on the
  point), crossed at that centre by a vertical run reaching at least ``min_arm`` up and down;
- cross: the same along both diagonals.

A censor tick or plus on a solid flat stretch of line is not recognised (the row's run is the
line, longer than a bar on one side at least) and needs nothing: the monotone path cannot climb
onto it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: Pixels at or above this own membership are the curve's (as ``trace.OWN_THRESHOLD``).
HIT_THRESHOLD = 0.35
#: The two halves of a bar may differ by this many pixels (anti-aliasing, a neighbouring mark).
SYMMETRY_PX = 1


def arm_limits(thickness: float) -> tuple[int, int]:
    """Shortest and longest arm (pixels from the centre) of a mark for a line ``thickness`` wide:
    an arm must reach beyond a cross-section of a slanted stroke (more than a line width and a
    pixel) and be shorter than a stretch of line."""
    min_arm = max(2, int(np.ceil(thickness)) + 1)
    max_arm = max(min_arm + 3, int(np.ceil(4.0 * thickness)) + 4)
    return min_arm, max_arm


def _shift(mask: BoolArray, dr: int, dc: int) -> BoolArray:
    """``out[r, c] = mask[r + dr, c + dc]`` (False outside the array)."""
    height, width = mask.shape
    out = np.zeros_like(mask)
    r0, r1 = max(0, -dr), min(height, height - dr)
    c0, c1 = max(0, -dc), min(width, width - dc)
    if r1 > r0 and c1 > c0:
        out[r0:r1, c0:c1] = mask[r0 + dr : r1 + dr, c0 + dc : c1 + dc]
    return out


def _runs(hit: BoolArray, rows: IntArray, cols: IntArray, dr: int, dc: int, limit: int) -> IntArray:
    """Per point (rows[i], cols[i]): consecutive hits in direction (dr, dc), not counting the
    point itself; at most ``limit`` (a run reaching ``limit`` is reported as ``limit``)."""
    height, width = hit.shape
    count = np.zeros(rows.size, dtype=np.int64)
    alive = np.ones(rows.size, dtype=bool)
    for n in range(1, limit + 1):
        rr, cc = rows + n * dr, cols + n * dc
        inside = (rr >= 0) & (rr < height) & (cc >= 0) & (cc < width)
        step = np.zeros(rows.size, dtype=bool)
        step[inside] = hit[rr[inside], cc[inside]]
        alive &= step
        if not alive.any():
            break
        count += alive
    return count


#: (bar direction, crossing direction) of a plus sign and of a cross.
_SHAPES: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((0, 1), (1, 0)),  # plus: horizontal bar crossed by a vertical one
    ((1, 1), (1, -1)),  # cross: the two diagonals
)


def _bar_centres(
    hit: BoolArray,
    bar: tuple[int, int],
    across: tuple[int, int],
    min_arm: int,
    max_arm: int,
    free_px: int,
) -> tuple[IntArray, IntArray, IntArray]:
    """Centres ``(rows, cols, half lengths)`` of bars along ``bar`` crossed at their centre by a
    run along ``across``. For a cross both directions are bars (bounded and centred)."""
    (br, bc), (ar, ac) = bar, across
    # Candidates: a hit with hits min_arm away along both directions, both ways.
    cand = hit.copy()
    for dr, dc in ((br, bc), (-br, -bc), (ar, ac), (-ar, -ac)):
        cand &= _shift(hit, min_arm * dr, min_arm * dc)
    rows, cols = (np.asarray(a, dtype=np.int64) for a in np.nonzero(cand))
    lo = _runs(hit, rows, cols, -br, -bc, max_arm + 1)
    hi = _runs(hit, rows, cols, br, bc, max_arm + 1)
    ok = (np.maximum(lo, hi) <= max_arm) & (np.abs(lo - hi) <= SYMMETRY_PX)
    half = np.maximum(lo, hi)
    if across != (1, 0):
        lo2 = _runs(hit, rows, cols, -ar, -ac, max_arm + 1)
        hi2 = _runs(hit, rows, cols, ar, ac, max_arm + 1)
        ok &= (np.maximum(lo2, hi2) <= max_arm) & (np.abs(lo2 - hi2) <= SYMMETRY_PX)
        half = np.maximum(half, np.maximum(lo2, hi2))
    else:
        # A short stretch of line between two drops (a drop's stroke arrives from above at its
        # left end and leaves downwards at its right end) carrying a tick is not a bar.
        joined_above = _runs(hit, rows, cols - lo, -1, 0, free_px) >= free_px - 1
        joined_below = _runs(hit, rows, cols + hi, 1, 0, free_px) >= free_px - 1
        ok &= ~(joined_above & joined_below)
        up = _runs(hit, rows, cols, -ar, -ac, min_arm)
        down = _runs(hit, rows, cols, ar, ac, min_arm)
        ok &= np.minimum(up, down) >= min_arm
    return rows[ok], cols[ok], half[ok]


def strip_mark_arms(own: FloatArray, thickness: float) -> tuple[FloatArray, int]:
    """``own`` with the arms of plus-sign and cross censor marks set to 0, and the number of
    mark centres found (a mark drawn two pixels thick counts for each of its centre pixels).

    The centre of each mark (``keep`` = half a line width, at least one pixel, around the
    crossing point) keeps its weight: it is a point of the curve."""
    hit = own >= HIT_THRESHOLD
    min_arm, max_arm = arm_limits(thickness)
    keep = max(1, round(thickness / 2.0))
    free_px = int(np.ceil(thickness)) + 2
    height, width = own.shape
    drop = np.zeros_like(hit)
    weak = ~hit  # anti-aliased fringe: dropped along with the arm it borders
    n_found = 0
    for bar, across in _SHAPES:
        rows, cols, halves = _bar_centres(hit, bar, across, min_arm, max_arm, free_px)
        n_found += int(rows.size)
        directions = [bar] if across == (1, 0) else [bar, across]
        for dr, dc in directions:
            for sign in (-1, 1):
                for n in range(keep + 1, int(halves.max(initial=0)) + 2):
                    on = halves + 1 >= n
                    rr, cc = rows[on] + sign * n * dr, cols[on] + sign * n * dc
                    for er, ec in ((0, 0), (dc, -dr), (-dc, dr)):
                        r2, c2 = rr + er, cc + ec
                        inside = (r2 >= 0) & (r2 < height) & (c2 >= 0) & (c2 < width)
                        r2, c2 = r2[inside], c2[inside]
                        if (er, ec) != (0, 0):
                            weak_here = weak[r2, c2]
                            r2, c2 = r2[weak_here], c2[weak_here]
                        drop[r2, c2] = True
    if not n_found:
        return own, 0
    return np.where(drop, 0.0, own), n_found
