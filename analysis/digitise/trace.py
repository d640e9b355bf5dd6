"""Curve following: the best monotone path through a membership map, refined to sub-pixel steps.

A Kaplan–Meier curve never rises, so in image rows (which grow downwards) its path ``y(x)`` never
decreases. For one curve the tracer finds, by dynamic programming over columns, the
non-decreasing path that collects the most evidence, where evidence is the curve's own membership
weight plus a smaller weight (``OCCLUDED_WEIGHT``) for pixels of other curves (a curve drawn
underneath another is hidden there, so the other curve is where it must be) and a still smaller
one for black ink (``INK_WEIGHT``; text and marks drawn over the curve). Each pixel of vertical
movement costs ``MOVE_COST`` so that, without evidence, the path stays level (gaps in dashed lines,
text). This is what drops censor marks, circles, crosses and in-plot labels: leaving the line for
them would require the path to go up again, which it cannot. Plus signs and crosses drawn on a
steep drop are the exception (their arms reach out level with or below the curve): they are
recognised as shapes first and their arms taken out of the curve's own map (``marks``).

The path is then cut where the curve's own evidence ends (a gap longer than ``END_GAP_SHARE`` of
the plot width), split into flat segments, and each segment's level is refined to the median of
per-column centroids of the own membership within ``± (thickness/2 + 1)`` rows. A drop whose
vertical stroke is visible is placed at that stroke's centroid column; one that falls into a gap
(dashed lines) at the middle of the gap. A tall drop or near-vertical staircase between two
levels the path rests on (``STEEP_*``) is read row by row instead: where the stroke's centre line
crosses each row (``_steep_corners``), since a slanted stroke read column by column leaves the
level in each column anywhere along a long vertical run.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.digitise.marks import strip_mark_arms

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Evidence weight of another curve's pixels (where this curve may be hidden underneath).
OCCLUDED_WEIGHT = 0.45
#: Evidence weight of black ink (text, marks) that may hide the curve.
INK_WEIGHT = 0.2
#: Cost of one pixel of vertical movement, in units of one pixel of own evidence.
MOVE_COST = 0.004
#: Membership at or above which a pixel is counted as the curve's own.
OWN_THRESHOLD = 0.35
#: A gap in own evidence longer than this share of the plot width ends the curve.
END_GAP_SHARE = 0.08


#: A drop spanning at least this many rows (and ``STEEP_MIN_THICKNESSES`` line widths) is read
#: row by row (``_steep_corners``).
STEEP_MIN_ROWS = 6
STEEP_MIN_THICKNESSES = 3.0
#: ... and at most this many line widths (or this share of its height) across: a near-vertical
#: staircase, not a slope.
STEEP_MAX_RUN_THICKNESSES = 3.0
STEEP_MAX_RUN_SHARE = 0.5
#: Share of a steep drop's rows that must show the stroke (or a censor mark's centre) for the
#: row-by-row reading; rows in between (a dashed line's gaps) are interpolated. At 0.5 the
#: grey curve hidden under the orange one in CheckMate 648 PFS is read as a straight slant
#: across the hidden rows and moves off the reference (0.038 -> 0.045).
STEEP_MIN_READ_SHARE = 0.6
#: Arrival columns closer than this (pixels) are one drop.
STEEP_MERGE_PX = 0.5

#: Gap (columns without own pixels on the path) that separates a trailing label from the curve.
LABEL_GAP_PX = 3
#: A piece of path with this many consecutive clean line columns is curve, not a label.
LABEL_MIN_LINE_PX = 8


@dataclass(frozen=True)
class PixelCurve:
    """A traced curve in pixel units: step corners ``(col, row)`` with sub-pixel precision.

    ``cols[0]`` is the first traced column and ``rows[0]`` the starting level; each later corner is
    a drop at ``cols[i]`` to level ``rows[i]`` (rows non-decreasing); ``end_col`` is the last column
    with the curve's own evidence. ``own_share`` is the share of path columns backed by own pixels.
    """

    cols: FloatArray
    rows: FloatArray
    end_col: float
    own_share: float
    thickness: float
    path: IntArray


def path_band(shape: tuple[int, int], curve: PixelCurve) -> npt.NDArray[np.bool_]:
    """Pixels covered by a traced curve: its path widened by the line thickness, including the
    vertical strokes of its drops."""
    height = shape[0]
    half = int(np.ceil(curve.thickness / 2.0)) + 1
    band = np.zeros(shape, dtype=bool)
    prev = int(curve.path[0])
    for x, row in enumerate(curve.path.tolist()):
        lo = max(0, min(prev, row) - half)
        hi = min(height, max(prev, row) + half + 1)
        band[lo:hi, max(0, x - 1) : x + 2] = True
        prev = row
    return band


def best_monotone_path(evidence: FloatArray, move_cost: float = MOVE_COST) -> IntArray:
    """Non-decreasing row path (one row per column) maximising summed ``evidence`` (H, W) minus
    ``move_cost`` per pixel moved, ending at the best row of the last column.

    Per column: ``shifted = score + move_cost * row``, ``run = cummax(shifted)``,
    ``score = evidence[:, x] + run - move_cost * row`` (the best path ending at each row, having
    come from any row above). Only ``shifted`` is kept per column: the row each step came from
    (the last row reaching the running maximum, i.e. the lowest on ties) is only needed along the
    final path, so it is found while backtracking."""
    height, width = evidence.shape
    ramp = move_cost * np.arange(height, dtype=np.float64)
    ev_t = np.ascontiguousarray(evidence.T, dtype=np.float64)  # (W, H): columns contiguous
    shifted = np.empty((width, height), dtype=np.float64)
    score = ev_t[0].copy()
    run = np.empty(height, dtype=np.float64)
    for x in range(1, width):
        np.add(score, ramp, out=shifted[x - 1])
        np.maximum.accumulate(shifted[x - 1], out=run)
        np.add(ev_t[x], run, out=score)
        np.subtract(score, ramp, out=score)
    path = np.empty(width, dtype=np.int64)
    row = int(np.argmax(score))
    for x in range(width - 1, 0, -1):
        path[x] = row
        prev = shifted[x - 1, : row + 1]
        row = row - int(np.argmax(prev[::-1] == prev.max()))
    path[0] = row
    return path


def line_thickness(own: FloatArray) -> float:
    """Typical vertical thickness of the curve's strokes: the median length of single runs of own
    pixels per column (columns holding one short run)."""
    mask = own >= OWN_THRESHOLD
    padded = np.zeros((mask.shape[0] + 2, mask.shape[1]), dtype=np.int8)
    padded[1:-1] = mask
    diff = np.diff(padded, axis=0)
    starts = diff == 1
    n_runs = starts.sum(axis=0)
    lengths = mask.sum(axis=0)
    single = (n_runs == 1) & (lengths <= 12) & (lengths >= 1)
    if not single.any():
        return 2.0
    return float(np.median(lengths[single]))


def trace_curve(
    own: FloatArray, other: FloatArray, ink: FloatArray, *, start_row: int | None = None
) -> PixelCurve | None:
    """Trace one curve in a plot-area crop. ``own``/``other``/``ink`` are (H, W) weights in [0, 1].

    ``start_row``: when given, the path must start at that row in the first column (the row of
    survival 1 when some curve is seen starting there: a curve drawn underneath others starts
    hidden). Returns ``None`` when the curve has too little own evidence to trace.
    """
    height, width = own.shape
    thick = line_thickness(own)
    own = strip_mark_arms(own, thick)[0]
    own_hit = own >= OWN_THRESHOLD
    if own_hit.sum() < max(10, 0.02 * width):
        return None
    evidence = np.maximum(own, np.maximum(OCCLUDED_WEIGHT * other, INK_WEIGHT * ink))
    if start_row is not None and 0 <= start_row < height:
        evidence = evidence.copy()
        evidence[:, 0] = -float(width)
        evidence[start_row, 0] = 1.0
    cols_with_own = np.nonzero(own_hit.any(axis=0))[0]
    # Where does the curve end? Walk the own-evidence columns until a long gap.
    max_gap = max(6, round(END_GAP_SHARE * width))
    gaps = np.diff(cols_with_own)
    cut = np.nonzero(gaps > max_gap)[0]
    end = int(cols_with_own[cut[0]] if cut.size else cols_with_own[-1])
    path = best_monotone_path(evidence[:, : end + 1])
    # Own hits along the path (within the line's thickness).
    half = int(np.ceil(thick / 2.0)) + 1
    on_path = _band_any(own_hit, path[: end + 1], half)
    on_path = _drop_trailing_label(own_hit, path, on_path, half)
    hit_cols = np.nonzero(on_path)[0]
    if hit_cols.size < 3:
        return None
    end = int(hit_cols[-1])
    start = int(hit_cols[0])
    # Before the first own pixel (a curve hidden under another at the start), keep the path as
    # traced from the first column with any evidence.
    any_ev = np.nonzero(
        evidence[path[np.arange(end + 1)], np.arange(end + 1)] >= OWN_THRESHOLD * OCCLUDED_WEIGHT
    )[0]
    if any_ev.size:
        start = min(start, int(any_ev[0]))
    path = path[: end + 1]
    # Columns where the path is backed by the curve's own pixels or by another curve that may hide
    # it; a gap in this support (a dashed line's gap) is where a drop's position is unknown.
    support = np.maximum(own, other)
    supported = _band_any(support >= OWN_THRESHOLD, path, half)
    cols, rows = _segments(path, start, end, own, support, supported, half, thick)
    return PixelCurve(
        cols=cols,
        rows=rows,
        end_col=float(end),
        own_share=float(on_path[start:].mean()),
        thickness=thick,
        path=path,
    )


def _drop_trailing_label(
    own_hit: npt.NDArray[np.bool_], path: IntArray, on_path: npt.NDArray[np.bool_], half: int
) -> npt.NDArray[np.bool_]:
    """Remove an in-plot label of the curve's colour placed just after the curve's end.

    The path is split into pieces at gaps of more than ``LABEL_GAP_PX`` columns; a trailing piece
    with no stretch of ``LABEL_MIN_LINE_PX`` consecutive "clean" columns (own pixels on the path and
    none within ``3 * half`` rows off it) is text, not a line, and is dropped.
    """
    height = own_hit.shape[0]
    xs = np.nonzero(on_path)[0]
    # Rows from 3 * half above the path to 3 * half below it, outside the line's band.
    offsets = np.concatenate([np.arange(-3 * half, -half), np.arange(half + 1, 3 * half + 1)])
    rows = path[xs][None, :] + offsets[:, None]
    inside = (rows >= 0) & (rows < height)
    off_line = own_hit[np.clip(rows, 0, height - 1), xs[None, :]] & inside
    clean = np.zeros(on_path.size, dtype=bool)
    clean[xs] = ~off_line.any(axis=0)
    out = on_path.copy()
    cols = np.nonzero(on_path)[0]
    while cols.size:
        gaps = np.nonzero(np.diff(cols) > LABEL_GAP_PX)[0]
        if not gaps.size:
            break
        first = int(cols[gaps[-1] + 1])
        if _longest_true_run(clean[first:]) >= LABEL_MIN_LINE_PX:
            break
        out[first:] = False
        cols = np.nonzero(out)[0]
    return out


def _longest_true_run(values: npt.NDArray[np.bool_]) -> int:
    """Length of the longest run of consecutive True values."""
    padded = np.concatenate([[False], values, [False]]).astype(np.int8)
    edges = np.diff(padded)
    starts, stops = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return int((stops - starts).max()) if starts.size else 0


def _band_rows(path: IntArray, half: int, height: int) -> IntArray:
    """(2 * half + 1, len(path)) row indices of the band around the path (clipped)."""
    offsets = np.arange(-half, half + 1)[:, None]
    return np.asarray(np.clip(path[None, :] + offsets, 0, height - 1))


def _band_any(mask: npt.NDArray[np.bool_], path: IntArray, half: int) -> npt.NDArray[np.bool_]:
    """Per path column: any True in ``mask`` within ``half`` rows of the path."""
    rows = _band_rows(path, half, mask.shape[0])
    cols = np.arange(path.size)[None, :]
    return np.asarray(mask[rows, cols].any(axis=0))


def _band_centroids(weights: FloatArray, path: IntArray, half: int) -> FloatArray:
    """Per path column: weighted centroid row of ``weights`` within ``half`` rows of the path
    (NaN where the band holds less than ``OWN_THRESHOLD`` weight)."""
    rows = _band_rows(path, half, weights.shape[0])
    w = weights[rows, np.arange(path.size)[None, :]]
    total = w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cent = (w * rows).sum(axis=0) / total
    return np.asarray(np.where(total >= OWN_THRESHOLD, cent, np.nan))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0


def _centroid(weights: FloatArray, lo: int, hi: int) -> float | None:
    w = weights[lo:hi]
    total = float(w.sum())
    if total < OWN_THRESHOLD:
        return None
    return lo + float((w * np.arange(w.size)).sum()) / total


def _segments(
    path: IntArray,
    start: int,
    end: int,
    own: FloatArray,
    support: FloatArray,
    on_path: npt.NDArray[np.bool_],
    half: int,
    thick: float,
) -> tuple[FloatArray, FloatArray]:
    # Flat segments of the integer path.
    moves = np.nonzero(path[start + 1 : end + 1] != path[start:end])[0] + start + 1
    seg_starts = [start, *moves.tolist()]
    seg_ends = [*[s - 1 for s in seg_starts[1:]], end]
    own_cent = _band_centroids(own, path, half)
    support_cent = _band_centroids(support, path, half)
    levels: list[float] = []
    for s, e in zip(seg_starts, seg_ends, strict=True):
        cents = own_cent[s : e + 1]
        cents = cents[np.isfinite(cents)]
        if not cents.size:  # hidden under another curve: centre on what hides it
            cents = support_cent[s : e + 1]
            cents = cents[np.isfinite(cents)]
        levels.append(_median(cents.tolist()) if cents.size else float(path[s]))
    # A short segment inside a vertical stroke is not a level the path rests on: the path passes
    # down the stroke (one drop drawn over the line's width) or down a steep staircase (several
    # drops in consecutive columns). The curve's level in such a column is where the stroke ends
    # below, at the line's centre, and never below the next level.
    own_hit = own >= OWN_THRESHOLD
    for k in range(len(seg_starts) - 2, 0, -1):
        bottom = _stroke_bottom(own_hit, path, seg_starts[k], seg_ends[k], half)
        if bottom is not None:
            levels[k] = min(bottom - (thick - 1) / 2.0, levels[k + 1])
    # Rows must not decrease: pool violators by a running maximum.
    lv = np.maximum.accumulate(np.asarray(levels))
    # Levels the path rests on (longer than a line width, or the first/last); between two of them
    # the path passes down one drop or a steep staircase.
    n_seg = len(seg_starts)
    resting = [
        k
        for k in range(n_seg)
        if k in (0, n_seg - 1) or seg_ends[k] - seg_starts[k] + 1 >= thick + 1
    ]
    cols = [float(start)]
    rows = [float(lv[0])]
    for a, b in itertools.pairwise(resting):
        steep = None
        fall, run = lv[b] - lv[a], seg_starts[b] - seg_ends[a]
        if fall >= max(STEEP_MIN_ROWS, STEEP_MIN_THICKNESSES * thick) and run <= max(
            STEEP_MAX_RUN_THICKNESSES * thick, STEEP_MAX_RUN_SHARE * fall
        ):
            steep = _steep_corners(
                own_hit, own, path, lv[a], lv[b], seg_ends[a], seg_starts[b], half, thick
            )
        if steep is not None:
            for c, r in steep:
                if r - rows[-1] >= 0.25:
                    cols.append(c)
                    rows.append(r)
            continue
        for k in range(a + 1, b + 1):
            if lv[k] - rows[-1] < 0.25:  # sub-quarter-pixel wobble, not a drop
                continue
            cols.append(_drop_column(path, seg_starts[k], lv[k - 1], lv[k], own, on_path, half))
            rows.append(float(lv[k]))
    return np.asarray(cols), np.asarray(rows)


def _steep_corners(
    own_hit: npt.NDArray[np.bool_],
    own: FloatArray,
    path: IntArray,
    upper: float,
    lower: float,
    last_upper: int,
    first_lower: int,
    half: int,
    thick: float,
) -> list[tuple[float, float]] | None:
    """Corners of a tall drop or steep staircase from level ``upper`` (resting until column
    ``last_upper``) to level ``lower`` (resting from ``first_lower``), read row by row.

    Read column by column, a slanted stroke is ambiguous: each column holds a long vertical run
    and the level the curve has reached there is anywhere along it. Read row by row, the curve
    arrives at row r where the stroke's centre line crosses it: the centroid of the row's run of
    own pixels when the run is about a line width wide (a cross-section of the stroke) or when it
    reaches out left of the stroke as well (a censor mark drawn across it, centred on the curve),
    else its left end plus half a line width (where a horizontal piece starts). Other marks
    widen a row's run to one side; arrival columns never decrease
    downwards, so the isotonic fit in absolute deviation (``_isotonic_median``) leaves out the
    odd row whose run starts too far left or right. Rows arriving within ``STEEP_MERGE_PX`` are
    one drop at their median column. Rows that show nothing near the path (a dashed line's gap)
    arrive on the straight line between the rows read above and below them. Returns ``None``
    (the caller places single drops instead) when fewer than ``STEEP_MIN_READ_SHARE`` of the rows
    show the stroke near the path (a long gap, a curve hidden under another)."""
    height, width = own_hit.shape
    r_first = int(np.floor(upper + half)) + 1
    r_last = min(height - 1, round(lower))
    if r_last - r_first < 2:
        return None
    lo = max(0, last_upper - 2 * half - 1)
    hi = min(width - 1, first_lower + 2 * half + 1)
    # Column where the path reaches each row (first column with path >= r).
    seg_path = path[lo : hi + 1]
    arrivals: list[float] = []
    read_rows: list[int] = []
    stroke_left: int | None = None  # left end of the last row read as a cross-section
    for r in range(r_first, r_last + 1):
        reach = np.nonzero(seg_path >= r)[0]
        if not reach.size:
            continue
        at = lo + int(reach[0])
        hits = np.nonzero(own_hit[r, lo : hi + 1])[0] + lo
        if not hits.size:
            continue
        # Runs of consecutive hit columns; take the one nearest to where the path crosses.
        breaks = np.nonzero(np.diff(hits) > 1)[0]
        starts = np.concatenate([hits[:1], hits[breaks + 1]])
        stops = np.concatenate([hits[breaks], hits[-1:]])
        dist = np.maximum(np.maximum(starts - at, at - stops), 0)
        k = int(np.argmin(dist))
        if dist[k] > half + 1:
            continue
        left, right = int(starts[k]), int(stops[k])
        w = own[r, left : right + 1]
        centroid = left + float((w * np.arange(w.size)).sum() / w.sum())
        if right - left + 1 <= thick + 1:
            arrivals.append(centroid)  # a cross-section of the stroke
            stroke_left = left
        elif stroke_left is not None and left < stroke_left - 1:
            arrivals.append(centroid)  # a mark across the stroke (a plus sign's bar): its centre
        else:
            arrivals.append(left + (thick - 1) / 2.0)  # a horizontal piece: where it starts
        read_rows.append(r)
    if len(read_rows) < STEEP_MIN_READ_SHARE * (r_last - r_first + 1):
        return None
    arrive = _isotonic_median(arrivals)
    if len(read_rows) < read_rows[-1] - read_rows[0] + 1:
        # Rows in a gap (a dashed line, marks' arms taken out): on the straight line between the
        # rows read above and below.
        every = list(range(read_rows[0], read_rows[-1] + 1))
        arrive = np.interp(every, read_rows, arrive).tolist()
        read_rows = every
    # Rows arriving within STEEP_MERGE_PX of a group's first are one drop, placed at the group's
    # median arrival, down to its last row.
    groups: list[tuple[list[float], int]] = []
    for c, r in zip(arrive, read_rows, strict=True):
        if groups and c - groups[-1][0][0] < STEEP_MERGE_PX:
            groups[-1][0].append(c)
            groups[-1] = (groups[-1][0], r)
        else:
            groups.append(([c], r))
    corners = [(_median(cs), float(r)) for cs, r in groups]
    corners[-1] = (corners[-1][0], float(lower))
    return corners


def _isotonic_median(values: list[float]) -> list[float]:
    """Non-decreasing sequence closest to ``values`` in absolute deviation (pool adjacent
    violators, each pool at its median): a single stray value, too far left or right, moves no
    other value."""
    pools: list[list[float]] = []
    for v in values:
        pools.append([v])
        while len(pools) > 1 and _median(pools[-2]) > _median(pools[-1]):
            last = pools.pop()
            pools[-1].extend(last)
    out: list[float] = []
    for pool in pools:
        out += [_median(pool)] * len(pool)
    return out


def _stroke_bottom(
    own_hit: npt.NDArray[np.bool_], path: IntArray, s: int, e: int, half: int
) -> float | None:
    """When segment columns s..e are at most a line width long and in every one of them the
    vertical run of own pixels through the path row reaches beyond the line both above and below
    (the path is passing down a stroke, not resting on a level), the lowest row of those runs;
    else None."""
    if e - s + 1 > 2 * half:
        return None
    col_height = own_hit.shape[0]
    lowest = -1
    for x in range(s, e + 1):
        row = int(path[x])
        if not own_hit[row, x]:
            return None
        top = row
        while top - 1 >= 0 and own_hit[top - 1, x]:
            top -= 1
        bottom = row
        while bottom + 1 < col_height and own_hit[bottom + 1, x]:
            bottom += 1
        if row - top <= half or bottom - row <= half:
            return None
        lowest = max(lowest, bottom)
    return float(lowest)


def _drop_column(
    path: IntArray,
    boundary: int,
    upper: float,
    lower: float,
    own: FloatArray,
    on_path: npt.NDArray[np.bool_],
    half: int,
) -> float:
    """Column of the drop between levels ``upper`` and ``lower`` near column ``boundary``."""
    width = path.size
    # A gap in own evidence around the boundary (dashed line, occlusion): the drop is in its middle.
    last_before = boundary - 1
    while last_before >= 0 and not on_path[last_before]:
        last_before -= 1
    first_after = boundary
    while first_after < width and not on_path[first_after]:
        first_after += 1
    if first_after - last_before > 3:
        return (last_before + first_after) / 2.0
    # A visible vertical stroke: own pixels filling the rows strictly between the two levels.
    top = round(upper) + half
    bottom = round(lower) - half
    if bottom > top:
        lo, hi = max(0, boundary - 3 * half), min(own.shape[1], boundary + 2 * half + 1)
        fill = (own[top:bottom, lo:hi] >= OWN_THRESHOLD).mean(axis=0)
        # A censor tick also fills those rows but sticks out above the upper level; a drop's
        # stroke does not.
        above = own[max(0, round(upper) - half - 3) : max(0, round(upper) - half), lo:hi]
        if above.size:
            fill = np.where((above >= OWN_THRESHOLD).any(axis=0), 0.0, fill)
        if fill.max() >= 0.5:
            weight = np.where(fill >= 0.5, fill, 0.0)
            return lo + float((weight * np.arange(weight.size)).sum() / weight.sum())
    return float(boundary)
