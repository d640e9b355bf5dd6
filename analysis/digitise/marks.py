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


def _run(hit: BoolArray, r: int, c: int, dr: int, dc: int, limit: int) -> int:
    """Consecutive hits from (r, c) in direction (dr, dc), not counting (r, c); at most ``limit``
    (a run reaching ``limit`` is reported as ``limit``)."""
    height, width = hit.shape
    n = 0
    while n < limit:
        rr, cc = r + (n + 1) * dr, c + (n + 1) * dc
        if not (0 <= rr < height and 0 <= cc < width and hit[rr, cc]):
            break
        n += 1
    return n


#: (bar direction, crossing direction) of a plus sign and of a cross.
_SHAPES: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((0, 1), (1, 0)),  # plus: horizontal bar crossed by a vertical one
    ((1, 1), (1, -1)),  # cross: the two diagonals
)


def _line_between_drops(hit: BoolArray, r: int, left: int, right: int, reach: int) -> bool:
    """Row ``r`` from ``left`` to ``right`` is a short stretch of line between two drops (a drop's
    stroke arrives from above at its left end and leaves downwards at its right end), not a
    mark's bar: hits run at least ``reach`` - 1 pixels up from the left end and down from the
    right end."""
    return (
        _run(hit, r, left, -1, 0, reach) >= reach - 1
        and _run(hit, r, right, 1, 0, reach) >= reach - 1
    )


def _bar_centres(
    hit: BoolArray,
    bar: tuple[int, int],
    across: tuple[int, int],
    min_arm: int,
    max_arm: int,
    free_px: int,
) -> list[tuple[int, int, int]]:
    """Centres ``(row, col, half length)`` of bars along ``bar`` crossed at their centre by a run
    along ``across``. For a cross both directions are bars (bounded and centred)."""
    (br, bc), (ar, ac) = bar, across
    # Candidates: a hit with hits min_arm away along both directions, both ways.
    cand = hit.copy()
    for dr, dc in ((br, bc), (-br, -bc), (ar, ac), (-ar, -ac)):
        cand &= _shift(hit, min_arm * dr, min_arm * dc)
    both_bars = across != (1, 0)
    found: list[tuple[int, int, int]] = []
    for r, c in zip(*np.nonzero(cand), strict=True):
        ri, ci = int(r), int(c)
        lo = _run(hit, ri, ci, -br, -bc, max_arm + 1)
        hi = _run(hit, ri, ci, br, bc, max_arm + 1)
        if max(lo, hi) > max_arm or abs(lo - hi) > SYMMETRY_PX:
            continue
        if both_bars:
            lo2 = _run(hit, ri, ci, -ar, -ac, max_arm + 1)
            hi2 = _run(hit, ri, ci, ar, ac, max_arm + 1)
            if max(lo2, hi2) > max_arm or abs(lo2 - hi2) > SYMMETRY_PX:
                continue
            found.append((ri, ci, max(lo, hi, lo2, hi2)))
        elif _line_between_drops(hit, ri, ci - lo, ci + hi, free_px):
            continue  # a short stretch of line between two drops (with a tick), not a bar
        else:
            up = _run(hit, ri, ci, -ar, -ac, min_arm)
            down = _run(hit, ri, ci, ar, ac, min_arm)
            if min(up, down) < min_arm:
                continue
            found.append((ri, ci, max(lo, hi)))
    return found


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
        centres = _bar_centres(hit, bar, across, min_arm, max_arm, free_px)
        n_found += len(centres)
        directions = [bar] if across == (1, 0) else [bar, across]
        for r, c, half in centres:
            for dr, dc in directions:
                for sign in (-1, 1):
                    for n in range(keep + 1, half + 2):
                        rr, cc = r + sign * n * dr, c + sign * n * dc
                        for er, ec in ((0, 0), (dc, -dr), (-dc, dr)):
                            r2, c2 = rr + er, cc + ec
                            if (
                                0 <= r2 < height
                                and 0 <= c2 < width
                                and ((er, ec) == (0, 0) or weak[r2, c2])
                            ):
                                drop[r2, c2] = True
    if not n_found:
        return own, 0
    return np.where(drop, 0.0, own), n_found
