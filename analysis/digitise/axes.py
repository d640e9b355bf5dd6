"""Plot-area and tick detection, and the pixel -> data mapping.

Method: axis lines are the longest straight runs of dark, grey-neutral pixels. The x axis is the
lowest row whose longest horizontal run is within ``AXIS_RUN_SHARE`` of the longest in the image;
the y axis is the leftmost column whose longest vertical run is within the same share of the longest
vertical run. Tick marks are short dark runs perpendicular to an axis line, directly outside it
(inside when none are found outside); the major ticks are the longest chain of evenly spaced ones.
The user's ``x_range``/``y_range`` are the data values at the first and last major tick; without
ticks, at the ends of the axis lines (with a warning).

Coordinates: see ``analysis.digitise.types``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.digitise.image import DigitiseError, UInt8Image
from analysis.digitise.types import PlotBox

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Luminance (0-1) below which a grey-neutral pixel counts as axis ink.
AXIS_MAX_LUMINANCE = 0.82
#: Luminance below which a neutral pixel counts as part of a tick mark (anti-aliased ticks are
#: often split over two light columns).
TICK_MAX_LUMINANCE = 0.88
#: Chroma (max - min channel, 0-1) above which a pixel is coloured, never axis ink.
AXIS_MAX_CHROMA = 0.2
#: An axis line must span at least this share of the image side.
AXIS_MIN_SHARE = 0.25
#: Rows (columns) whose longest run is within this share of the longest run are axis candidates.
AXIS_RUN_SHARE = 0.9
#: Longest tick mark accepted, as a share of the plot side (and at least 4 px).
TICK_MAX_SHARE = 0.06
#: Ticks in a major chain are spaced within this relative tolerance of the median spacing.
TICK_SPACING_TOLERANCE = 0.12
#: Pixels at the image border ignored when looking for axes (frames round a whole figure).
FRAME_MARGIN = 2
#: The y axis is looked for within this share of the x axis's length around its left end.
Y_AXIS_SEARCH_SHARE = 0.15
#: Ticks are looked for up to this share of the axis length beyond the ends of its line.
TICK_BEYOND_LINE_SHARE = 0.05
#: An axis line ending within this share of a spacing of one more tick has that tick, hidden.
TICK_EXTEND_TOLERANCE = 0.18
#: Share of the plot width a row must ink to be a gridline (dashed lines ink about half).
GRIDLINE_FILL_SHARE = 0.45
#: Evenly spaced gridlines must span this share of the y axis to be used as its ticks.
GRIDLINE_MIN_SPAN_SHARE = 0.8
#: Fewest ticks that make a usable chain.
TICK_MIN_COUNT = 3


def luminance(image: UInt8Image) -> FloatArray:
    """Rec. 601 luma in [0, 1]."""
    r, g, b = (image[..., k].astype(np.float32) for k in range(3))
    return np.asarray((0.299 * r + 0.587 * g + 0.114 * b) / 255.0, dtype=np.float64)


def chroma(image: UInt8Image) -> FloatArray:
    """max - min channel in [0, 1] (0 for greys)."""
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    high = np.maximum(np.maximum(r, g), b)
    low = np.minimum(np.minimum(r, g), b)
    return np.asarray((high - low) / 255.0)


def axis_ink(image: UInt8Image, max_luminance: float = AXIS_MAX_LUMINANCE) -> BoolArray:
    """Dark, grey-neutral pixels: axis lines, ticks, black text and black curves."""
    return (luminance(image) < max_luminance) & (chroma(image) < AXIS_MAX_CHROMA)


def ink_masks(image: UInt8Image) -> tuple[BoolArray, BoolArray]:
    """``(axis ink, tick ink)`` computed once: neutral pixels below ``AXIS_MAX_LUMINANCE`` and
    below ``TICK_MAX_LUMINANCE``."""
    lum = luminance(image)
    neutral = chroma(image) < AXIS_MAX_CHROMA
    return (lum < AXIS_MAX_LUMINANCE) & neutral, (lum < TICK_MAX_LUMINANCE) & neutral


def _longest_runs(mask: BoolArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per row: length and start column of the longest run of True."""
    rows, cols = mask.shape
    padded = np.zeros((rows, cols + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    diff = np.diff(padded, axis=1)
    best_len = np.zeros(rows, dtype=np.int64)
    best_start = np.zeros(rows, dtype=np.int64)
    r_start, c_start = np.nonzero(diff == 1)
    _, c_end = np.nonzero(diff == -1)
    lengths = c_end - c_start
    # Per row the longest run, the first one on ties: sort by row, then length (longest first),
    # then start column, and take each row's first entry.
    order = np.lexsort((c_start, -lengths, r_start))
    r_sorted = r_start[order]
    first = (
        order[np.flatnonzero(np.r_[True, r_sorted[1:] != r_sorted[:-1]])] if order.size else order
    )
    best_len[r_start[first]] = lengths[first]
    best_start[r_start[first]] = c_start[first]
    return best_len, best_start


@dataclass(frozen=True)
class AxisLine:
    """A detected axis line: centre position across the line (row for x, column for y), its
    thickness and the extent along it (first and last pixel)."""

    position: float
    thickness: int
    start: int
    stop: int


def _find_line(mask: BoolArray, *, prefer_last: bool) -> AxisLine | None:
    lengths, starts = _longest_runs(mask)
    longest = int(lengths.max()) if lengths.size else 0
    if longest < AXIS_MIN_SHARE * mask.shape[1]:
        return None
    candidates = np.nonzero(lengths >= AXIS_RUN_SHARE * longest)[0]
    pick = int(candidates[-1] if prefer_last else candidates[0])
    # The line may be several pixels thick: grow over neighbouring rows that are also long.
    lo = hi = pick
    while lo - 1 >= 0 and lengths[lo - 1] >= 0.6 * lengths[pick]:
        lo -= 1
    while hi + 1 < lengths.size and lengths[hi + 1] >= 0.6 * lengths[pick]:
        hi += 1
    start = int(starts[lo : hi + 1].min())
    stop = int((starts[lo : hi + 1] + lengths[lo : hi + 1]).max() - 1)
    return AxisLine(position=(lo + hi) / 2.0, thickness=hi - lo + 1, start=start, stop=stop)


def find_axes(image: UInt8Image, ink: BoolArray | None = None) -> tuple[AxisLine, AxisLine]:
    """Return the (x axis, y axis) lines; ``DigitiseError`` when either is missing.

    The outermost ``FRAME_MARGIN`` pixels are ignored (frames drawn round a whole figure), and the
    y axis is looked for only near the left end of the x axis and above it.
    """
    ink = axis_ink(image) if ink is None else ink.copy()
    ink[:FRAME_MARGIN, :] = False
    ink[-FRAME_MARGIN:, :] = False
    ink[:, :FRAME_MARGIN] = False
    ink[:, -FRAME_MARGIN:] = False
    x_axis = _find_line(ink, prefer_last=True)
    y_axis = None
    if x_axis is not None:
        reach = round(Y_AXIS_SEARCH_SHARE * (x_axis.stop - x_axis.start))
        c0 = max(0, x_axis.start - reach)
        c1 = min(ink.shape[1], x_axis.start + reach + 1)
        r1 = min(ink.shape[0], round(x_axis.position) + x_axis.thickness + 3)
        sub = np.zeros_like(ink)
        sub[:r1, c0:c1] = ink[:r1, c0:c1]
        y_axis = _find_line(sub.T, prefer_last=False)
    if x_axis is None or y_axis is None:
        missing = "x" if x_axis is None else "y"
        raise DigitiseError(
            f"no axes found: no dark straight {missing}-axis line spanning at least "
            f"{AXIS_MIN_SHARE:.0%} of the image (crop to one panel with --crop?)"
        )
    return x_axis, y_axis


def plot_box_from_axes(x_axis: AxisLine, y_axis: AxisLine) -> PlotBox:
    """The plot box spanned by the two axis lines."""
    left = round(y_axis.position)
    bottom = round(x_axis.position)
    top = y_axis.start
    right = x_axis.stop
    if right - left < 16 or bottom - top < 16:
        raise DigitiseError("no axes found: the detected axis lines do not enclose a plot area")
    return PlotBox(left=left, top=top, right=right, bottom=bottom)


def _tick_centres(runs: npt.NDArray[np.int64], min_len: int, max_len: int) -> list[float]:
    """Centres of groups of adjacent positions whose perpendicular run is a tick."""
    is_tick = (runs >= min_len) & (runs <= max_len)
    centres: list[float] = []
    i = 0
    n = is_tick.size
    while i < n:
        if is_tick[i]:
            j = i
            while j + 1 < n and is_tick[j + 1]:
                j += 1
            if j - i <= 4:  # a tick is a few pixels wide; longer groups are lines or text
                centres.append((i + j) / 2.0)
            i = j + 1
        else:
            i += 1
    return centres


def _major_chain(centres: list[float]) -> list[float]:
    """The longest run of consecutive ticks spaced evenly (within TICK_SPACING_TOLERANCE)."""
    if len(centres) < TICK_MIN_COUNT:
        return []
    gaps = np.diff(centres)
    spacing = float(np.median(gaps))
    if spacing <= 2:
        return []
    good = np.abs(gaps - spacing) <= TICK_SPACING_TOLERANCE * spacing
    best: tuple[int, int] = (0, -1)
    i = 0
    while i < good.size:
        if good[i]:
            j = i
            while j + 1 < good.size and good[j + 1]:
                j += 1
            if j - i > best[1] - best[0]:
                best = (i, j)
            i = j + 1
        else:
            i += 1
    if best[1] < 0 or best[1] - best[0] + 2 < TICK_MIN_COUNT:
        return []
    return centres[best[0] : best[1] + 2]


def _perpendicular_runs(
    ink: BoolArray, line_first: int, line_last: int, direction: int, lo: int, hi: int, max_len: int
) -> npt.NDArray[np.int64]:
    """For columns lo..hi, the length of the ink run leaving the line (rows line_first..line_last)
    in ``direction`` (+1 down, -1 up)."""
    rows = ink.shape[0]
    runs = np.zeros(hi - lo + 1, dtype=np.int64)
    alive = np.ones(hi - lo + 1, dtype=bool)
    start = line_last + 1 if direction > 0 else line_first - 1
    for k in range(max_len + 2):
        r = start + direction * k
        if not 0 <= r < rows:
            break
        alive &= ink[r, lo : hi + 1]
        runs += alive
    return runs


def find_ticks(
    image: UInt8Image, axis: AxisLine, *, vertical_axis: bool, tick_ink: BoolArray | None = None
) -> list[float]:
    """Pixel positions (columns for the x axis, rows for the y axis) of the major ticks.
    ``tick_ink``: ``axis_ink(image, TICK_MAX_LUMINANCE)`` when already computed."""
    ink = axis_ink(image, TICK_MAX_LUMINANCE) if tick_ink is None else tick_ink
    if vertical_axis:
        ink = ink.T
    first = round(axis.position - (axis.thickness - 1) / 2.0)
    last = first + axis.thickness - 1
    # Widen the line over light anti-aliased rows so that ticks are measured from its outer edge.
    along = slice(axis.start, axis.stop + 1)
    while first - 1 >= 0 and ink[first - 1, along].mean() >= 0.8:
        first -= 1
    while last + 1 < ink.shape[0] and ink[last + 1, along].mean() >= 0.8:
        last += 1
    span = axis.stop - axis.start
    max_len = max(4, round(TICK_MAX_SHARE * span))
    # A tick at the very end of an axis line may sit beyond the detected end (a curve drawn over
    # the line's end hides it).
    reach = max(4, round(TICK_BEYOND_LINE_SHARE * span))
    lo = max(0, axis.start - reach)
    hi = min(ink.shape[1] - 1, axis.stop + reach)
    outward = 1 if not vertical_axis else -1  # x ticks hang below; y ticks stick out left
    for direction in (outward, -outward):
        # A tick may also start one light pixel away from the line.
        runs = np.maximum(
            _perpendicular_runs(ink, first, last, direction, lo, hi, max_len),
            _perpendicular_runs(ink, first - 1, last + 1, direction, lo, hi, max_len),
        )
        chain = _major_chain([lo + c for c in _tick_centres(runs, 2, max_len)])
        if chain:
            return _extend_to_line_ends(chain, axis)
    return []


def find_gridlines(
    image: UInt8Image, x_axis: AxisLine, y_axis: AxisLine, tick_ink: BoolArray | None = None
) -> list[float]:
    """Rows of horizontal gridlines (solid or dashed) across the plot, including the x axis and a
    top frame line, when at least ``TICK_MIN_COUNT`` of them are evenly spaced and span
    ``GRIDLINE_MIN_SPAN_SHARE`` of the y axis: figures without y tick marks (a boxed plot with
    gridlines at each labelled value) are read from them. Empty otherwise."""
    ink = axis_ink(image, TICK_MAX_LUMINANCE) if tick_ink is None else tick_ink
    left = round(y_axis.position) + y_axis.thickness + 1
    right = x_axis.stop
    if right - left < 16:
        return []
    # A frame's rounded corners shorten the detected y axis: look a little above its top.
    top = max(0, y_axis.start - round(TICK_BEYOND_LINE_SHARE * (y_axis.stop - y_axis.start)) - 4)
    bottom = min(ink.shape[0] - 1, round(x_axis.position) + x_axis.thickness)
    share = ink[top : bottom + 1, left:right].mean(axis=1)
    rows = np.nonzero(share >= GRIDLINE_FILL_SHARE)[0]
    centres: list[float] = []
    i = 0
    while i < rows.size:
        j = i
        while j + 1 < rows.size and rows[j + 1] == rows[j] + 1:
            j += 1
        if j - i <= 3:
            centres.append(top + (rows[i] + rows[j]) / 2.0)
        i = j + 1
    chain = _major_chain(centres)
    if not chain or chain[-1] - chain[0] < GRIDLINE_MIN_SPAN_SHARE * (y_axis.stop - y_axis.start):
        return []
    return chain


def _extend_to_line_ends(chain: list[float], axis: AxisLine) -> list[float]:
    """Add a hidden end tick: when an axis line ends one tick spacing (within
    ``TICK_EXTEND_TOLERANCE`` of a spacing) beyond the last tick found, a tick is there but was not
    seen (a curve drawn over it at 100 %, or a corner where the two axes meet)."""
    spacing = (chain[-1] - chain[0]) / (len(chain) - 1)
    out = list(chain)
    if abs((out[0] - spacing) - axis.start) <= TICK_EXTEND_TOLERANCE * spacing:
        out.insert(0, out[0] - spacing)
    if abs((out[-1] + spacing) - axis.stop) <= TICK_EXTEND_TOLERANCE * spacing:
        out.append(out[-1] + spacing)
    return out


@dataclass(frozen=True)
class AxisMap:
    """Linear pixel -> data mapping for both axes.

    ``x_px``/``y_px`` are the pixel positions of the two reference points and ``x_range``/
    ``y_range`` their data values. ``survival_scale`` is 100 when the y axis is in percent (upper
    value above 1.5) and 1 for fractions.
    """

    x_px: tuple[float, float]
    x_range: tuple[float, float]
    y_px: tuple[float, float]
    y_range: tuple[float, float]
    survival_scale: float

    def time(self, col: float | FloatArray) -> FloatArray:
        (p0, p1), (v0, v1) = self.x_px, self.x_range
        return np.asarray(v0 + (np.asarray(col, dtype=np.float64) - p0) * (v1 - v0) / (p1 - p0))

    def survival(self, row: float | FloatArray) -> FloatArray:
        (p0, p1), (v0, v1) = self.y_px, self.y_range
        value = v0 + (np.asarray(row, dtype=np.float64) - p0) * (v1 - v0) / (p1 - p0)
        return np.asarray(value / self.survival_scale)

    def column(self, time: float) -> float:
        (p0, p1), (v0, v1) = self.x_px, self.x_range
        return p0 + (time - v0) * (p1 - p0) / (v1 - v0)

    def row(self, survival: float) -> float:
        (p0, p1), (v0, v1) = self.y_px, self.y_range
        return p0 + (survival * self.survival_scale - v0) * (p1 - p0) / (v1 - v0)


def build_axis_map(
    x_axis: AxisLine,
    y_axis: AxisLine,
    x_ticks: list[float],
    y_ticks: list[float],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    warnings: list[str],
) -> AxisMap:
    """Map the first/last major ticks (or the axis-line ends) to the user's ranges."""
    if x_ticks:
        x_px = (x_ticks[0], x_ticks[-1])
    else:
        x_px = (float(y_axis.position), float(x_axis.stop))
        warnings.append("no x-axis ticks found: x range mapped to the ends of the x-axis line")
    if y_ticks:
        # Rows grow downwards: the lowest tick (largest row) carries the lower value.
        y_px = (y_ticks[-1], y_ticks[0])
    else:
        y_px = (float(x_axis.position), float(y_axis.start))
        warnings.append("no y-axis ticks found: y range mapped to the ends of the y-axis line")
    scale = 100.0 if max(y_range) > 1.5 else 1.0
    return AxisMap(x_px=x_px, x_range=x_range, y_px=y_px, y_range=y_range, survival_scale=scale)
