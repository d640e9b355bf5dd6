"""The digitiser's pipeline: image array in, one monotone step curve per arm out.

``digitise(image, x_range=..., y_range=...)`` runs, in order: optional crop; axis lines, plot box
and ticks (``axes``); the pixel -> data map; removal of straight guide lines (gridlines, dashed
landmark and median lines) from the black ink; colour separation (``colours``; the user's colours
override detection); for black curves that colour cannot separate, separation by line style
(the solid curve is the connected stroke with the widest reach, the dashed one is traced in what
remains); curve following (``trace``); and conversion to data units.

Every curve starts at the first traced column; when that is within ``START_SNAP_SHARE`` of the
x-range start it is reported at exactly that time, and a starting survival within
``START_SNAP_SURVIVAL`` of 1 is reported as exactly 1 (a Kaplan–Meier curve starts at 1; figures
that start lower, e.g. a landmark analysis, keep their level).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from analysis.digitise import axes as ax
from analysis.digitise import colours as col
from analysis.digitise.image import DigitiseError, UInt8Image, crop_image
from analysis.digitise.trace import OWN_THRESHOLD, PixelCurve, path_band, trace_curve
from analysis.digitise.types import PlotBox

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Version of the digitiser recorded with every digitised curve shipped in data/.
ENGINE_VERSION = "1.2.1"
#: A curve whose first column maps within this share of the x span of the range start starts there.
START_SNAP_SHARE = 0.02
#: A starting survival within this distance of 1 is reported as 1.
START_SNAP_SURVIVAL = 0.02
#: A curve whose visible start lies at most this far below 1 while another curve starts at 1 is
#: taken to start at 1, hidden under the other (see ``_hidden_starts``).
HIDDEN_START_MAX_DROP = 0.1
#: A detected colour's trace must span this share of the plot width to count as a curve.
MIN_CURVE_SPAN_SHARE = 0.2
#: ... and lie on its own pixels over this share of its span.
MIN_CURVE_OWN_SHARE = 0.4
#: A curve running this share of the x span past the x-range end gets a warning.
OVERRUN_SHARE = 0.05
#: Columns after the x-range start in which curve pixels at survival 1 mark a common start.
START_WINDOW_PX = 4
#: Rows above the plot box searched for curves (a curve at 100 % can sit on the box's top edge).
TOP_MARGIN_PX = 4
#: A straight neutral line spanning this share of the plot width (height) is a guide line.
GUIDE_SPAN_SHARE = 0.8
#: A line from the y axis (or the x axis) spanning this share is a median/landmark guide.
GUIDE_FROM_AXIS_SHARE = 0.15
#: Share of a guide line's span that must be inked (dashed lines are about half inked).
GUIDE_FILL_SHARE = 0.3


@dataclass(frozen=True)
class DigitisedCurve:
    """One arm's step curve in data units: corners ``(time[i], survival[i])`` — the curve is at
    ``survival[i]`` from ``time[i]`` until ``time[i+1]``; the last corner is the end of the curve
    (last column with the curve's own pixels), repeating the last level. Survival is a fraction."""

    index: int
    colour: str
    style: str
    time: tuple[float, ...]
    survival: tuple[float, ...]
    warnings: tuple[str, ...] = ()

    @property
    def x_extent(self) -> tuple[float, float]:
        return (self.time[0], self.time[-1])

    def survival_at(self, t: npt.ArrayLike) -> FloatArray:
        """Right-continuous step value at times ``t`` (the level before the first corner is the
        first level)."""
        times = np.asarray(self.time)
        k = np.searchsorted(times, np.asarray(t, dtype=np.float64), side="right") - 1
        return np.asarray(np.asarray(self.survival)[np.clip(k, 0, len(times) - 1)])


@dataclass(frozen=True)
class DigitisedFigure:
    """Everything the digitiser found in one figure (after ``crop``)."""

    plot_box: PlotBox
    axis_map: ax.AxisMap
    curves: tuple[DigitisedCurve, ...]
    detected_colours: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Region:
    r0: int
    r1: int
    c0: int
    c1: int


def _remove_guides(ink: BoolArray) -> BoolArray:
    """Drop straight horizontal/vertical neutral lines that are annotation, not curve: lines
    spanning most of the plot (gridlines, a dashed 50 % line), lines running from the y axis
    (median guides) below the top, and lines rising from the x axis (landmark lines)."""
    height, width = ink.shape
    out = ink.copy()
    # Rows: inked count, first and last inked column.
    counts = ink.sum(axis=1)
    first = np.argmax(ink, axis=1)
    last = width - 1 - np.argmax(ink[:, ::-1], axis=1)
    span = last - first + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(counts > 0, counts / span, 0.0)
    from_axis = (first <= 0.02 * width) & (np.arange(height) > 0.08 * height)
    guide_rows = (
        (counts >= GUIDE_FILL_SHARE * GUIDE_FROM_AXIS_SHARE * width)
        & (fill >= GUIDE_FILL_SHARE)
        & (
            (span >= GUIDE_SPAN_SHARE * width)
            | (from_axis & (span >= GUIDE_FROM_AXIS_SHARE * width))
        )
    )
    for r in np.nonzero(guide_rows)[0].tolist():
        out[max(0, r - 1) : r + 2, first[r] : last[r] + 1] = False
    # Columns: the same, plus the number of gaps between inked runs.
    counts = ink.sum(axis=0)
    first = np.argmax(ink, axis=0)
    last = height - 1 - np.argmax(ink[::-1], axis=0)
    span = last - first + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(counts > 0, counts / span, 0.0)
    runs = (ink[1:] & ~ink[:-1]).sum(axis=0) + ink[0]
    to_axis = last >= height - 1 - 0.03 * height
    # A Kaplan–Meier drop is solid and rarely reaches the x axis; a guide line does.
    guide_cols = (
        (counts >= GUIDE_FILL_SHARE * GUIDE_FROM_AXIS_SHARE * height)
        & (fill >= GUIDE_FILL_SHARE)
        & to_axis
        & (span >= 2 * GUIDE_FROM_AXIS_SHARE * height)
        & ((runs - 1 >= 2) | (span >= GUIDE_SPAN_SHARE * height))
    )
    for c in np.nonzero(guide_cols)[0].tolist():
        out[first[c] : last[c] + 1, max(0, c - 1) : c + 2] = False
    return out


def _region(
    box: PlotBox, x_axis: ax.AxisLine, y_axis: ax.AxisLine, height: int, top: int
) -> _Region:
    r0 = max(0, top - TOP_MARGIN_PX)
    r1 = min(height, round(x_axis.position - x_axis.thickness / 2.0) - 1)
    c0 = round(y_axis.position + y_axis.thickness / 2.0) + 1
    c1 = box.right + 1
    if r1 - r0 < 16 or c1 - c0 < 16:
        raise DigitiseError("no axes found: the plot area between the axis lines is too small")
    return _Region(r0=r0, r1=r1, c0=c0, c1=c1)


def _split_black_by_style(
    own: FloatArray, other: FloatArray, count: int, start_row: int | None
) -> list[tuple[str, PixelCurve]]:
    """Separate ``count`` (1 or 2) black curves. The first trace collects the most ink, which is
    the solid curve (a dashed line carries about two thirds of the ink per column); the second is
    traced in the ink left outside the first one's band, with the first as support where it may
    hide the second. The curve whose path is more continuously inked is reported as solid."""
    first = trace_curve(own, other, np.zeros_like(own), start_row=start_row)
    if first is None:
        return []
    if count < 2:
        return [("solid", first)]
    band = path_band(own.shape, first)
    rest = np.where(band, 0.0, own)
    second = trace_curve(
        rest,
        np.maximum(other, np.where(band, own, 0.0)),
        np.zeros_like(own),
        start_row=start_row,
    )
    if second is None:
        return [("solid", first)]
    if second.own_share > first.own_share:
        return [("dashed", first), ("solid", second)]
    return [("solid", first), ("dashed", second)]


def find_plot_box(image: UInt8Image) -> PlotBox:
    """The plot area of a (cropped) figure: what the OCR readers take to find tick labels and the
    numbers-at-risk table. ``DigitiseError`` when no axes are found."""
    x_axis, y_axis = ax.find_axes(image)
    return ax.plot_box_from_axes(x_axis, y_axis)


def digitise(
    image: UInt8Image,
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    n_curves: int | None = None,
    colours: list[str] | None = None,
    crop: tuple[int, int, int, int] | None = None,
    x_tick_px: tuple[float, float] | None = None,
    y_tick_px: tuple[float, float] | None = None,
) -> DigitisedFigure:
    """Digitise the Kaplan–Meier curves of one figure panel.

    Args:
        image: (H, W, 3) uint8 RGB array (``image.decode_image``/``load_image``).
        x_range: data values (x-axis unit, e.g. months) at the first and last major x tick.
        y_range: data values at the lowest and highest major y tick (``0, 100`` for a percent
            axis, ``0, 1`` for fractions); survival is always returned as a fraction.
        n_curves: curves expected; default: as many as detected. Fewer found is an error.
        colours: ``#rrggbb`` curve colours, overriding detection (one curve per colour, in order).
        crop: ``(x0, y0, x1, y1)`` pixel box of the panel to analyse.
        x_tick_px, y_tick_px: pixel positions (column; row) in the cropped image of the ticks that
            carry ``x_range``/``y_range`` (low value first), e.g. from OCR; default: detected.

    Raises:
        DigitiseError: no axes, bad ranges, fewer curves than asked, unparseable colours.
    """
    for name, (lo, hi) in (("x", x_range), ("y", y_range)):
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise DigitiseError(f"--{name}-range {lo},{hi}: need two finite numbers, low < high")
    if n_curves is not None and not 1 <= n_curves <= col.MAX_CURVES:
        raise DigitiseError(f"--curves {n_curves}: must be between 1 and {col.MAX_CURVES}")
    if crop is not None:
        image = crop_image(image, crop)
    warnings: list[str] = []
    axis_ink, tick_ink = ax.ink_masks(image)
    x_axis, y_axis = ax.find_axes(image, axis_ink)
    box = ax.plot_box_from_axes(x_axis, y_axis)
    if x_tick_px is not None:
        x_ticks = list(x_tick_px)
    else:
        x_ticks = ax.find_ticks(image, x_axis, vertical_axis=False, tick_ink=tick_ink)
    if y_tick_px is not None:
        y_ticks = [y_tick_px[1], y_tick_px[0]]  # rows: the high value sits higher (smaller row)
    else:
        y_ticks = ax.find_gridlines(image, x_axis, y_axis, tick_ink) or ax.find_ticks(
            image, y_axis, vertical_axis=True, tick_ink=tick_ink
        )
    amap = ax.build_axis_map(x_axis, y_axis, x_ticks, y_ticks, x_range, y_range, warnings)
    # A censor mark or curve drawn over the top of the y axis hides its end: when the highest y
    # tick lies above the rows searched, the plot area reaches up to it.
    top = box.top
    if np.floor(min(y_ticks)) < box.top - TOP_MARGIN_PX:
        top = int(np.floor(min(y_ticks)))
    reg = _region(box, x_axis, y_axis, image.shape[0], top)
    rgb = image[reg.r0 : reg.r1, reg.c0 : reg.c1].astype(np.float64) / 255.0
    background = col.estimate_background(rgb)
    lum = col.channel_mean(rgb)
    chroma = col.channel_range(rgb)
    neutral_dark = _remove_guides((chroma < col.MIN_CHROMA) & (lum < col.NEUTRAL_MAX_LUMINANCE))
    detected = col.detect_colours(rgb, neutral_dark, chroma=chroma, lum=lum)
    detected_hex = tuple(col.hex_colour(c) for c in detected)
    user_colours = bool(colours)
    if colours:
        palette = [col.parse_hex_colour(c) for c in colours]
        if n_curves is not None and n_curves != len(palette):
            raise DigitiseError(f"--curves {n_curves} but {len(palette)} colours were given")
    else:
        palette = list(detected)
    if not palette:
        raise DigitiseError("no curves found in the plot area (give --colors?)")

    # Membership of every pixel in each palette colour, with black competing for axes and text.
    black_in_palette = [i for i, c in enumerate(palette) if col.is_black(c)]
    candidates = list(palette)
    if not black_in_palette:
        candidates.append(col.BLACK)
    diff = col.paper_difference(rgb, background)
    weights = np.stack([col.membership(rgb, c, background, diff=diff) for c in candidates])
    winner = np.argmax(weights, axis=0)
    own_maps = [np.where(winner == k, weights[k], 0.0) for k in range(len(candidates))]
    black_k = black_in_palette[0] if black_in_palette else len(candidates) - 1
    ink = own_maps[black_k] * _remove_guides(own_maps[black_k] >= OWN_THRESHOLD)
    own_maps[black_k] = ink
    start_row = _common_start_row(own_maps[: len(palette)], amap, reg)
    width = reg.c1 - reg.c0

    def other_for(k: int) -> FloatArray:
        others = [own_maps[j] for j in range(len(palette)) if j not in (k, black_k)]
        return np.max(others, axis=0) if others else np.zeros_like(ink)

    traced: list[tuple[int, str, str, PixelCurve]] = []
    for k, colour in enumerate(palette):
        if k == black_k:
            continue
        pc = trace_curve(own_maps[k], other_for(k), ink, start_row=start_row)
        if pc is not None and (user_colours or _is_curve_like(pc, width)):
            kind = "grey" if col.is_neutral(colour) else "colour"
            traced.append((k, col.hex_colour(colour), kind, pc))
        elif user_colours:
            warnings.append(f"colour {col.hex_colour(colour)}: too few pixels to trace a curve")
    if black_in_palette:
        if user_colours:
            black_count = 1
        elif n_curves is None:
            black_count = 1 if not traced else 0
        else:
            black_count = min(2, max(0, n_curves - len(traced)))
        if black_count:
            k = black_k
            for style, black_pc in _split_black_by_style(
                own_maps[k], other_for(k), black_count, start_row
            ):
                if user_colours or _is_curve_like(black_pc, width):
                    traced.append((k, col.hex_colour(palette[k]), style, black_pc))
    traced.sort(key=lambda item: item[0])
    wanted = n_curves if n_curves is not None else len(traced)
    if len(traced) < wanted or not traced:
        raise DigitiseError(
            f"found {len(traced)} curve(s) but {max(wanted, 1)} were asked for "
            f"(colours detected: {', '.join(detected_hex) or 'none'})"
        )
    if len(traced) > wanted:
        # Keep the curves with the most own pixels along their path.
        best = sorted(
            range(len(traced)),
            key=lambda i: -traced[i][3].own_share * (traced[i][3].end_col - traced[i][3].cols[0]),
        )[:wanted]
        traced = [traced[i] for i in sorted(best)]
    curves = _hidden_starts(
        [
            _to_data(i, hex_c, style, pc, reg, amap, x_range)
            for i, (_, hex_c, style, pc) in enumerate(traced)
        ]
    )
    return DigitisedFigure(
        plot_box=box,
        axis_map=amap,
        curves=curves,
        detected_colours=detected_hex,
        warnings=tuple(warnings),
    )


def _is_curve_like(pc: PixelCurve, width: int) -> bool:
    """An automatically detected colour is a curve when its trace spans at least
    ``MIN_CURVE_SPAN_SHARE`` of the plot and lies on its own pixels for at least
    ``MIN_CURVE_OWN_SHARE`` of that span (colour fringes round text, legends and labels do not)."""
    span = (pc.end_col - float(pc.cols[0])) / max(width, 1)
    return span >= MIN_CURVE_SPAN_SHARE and pc.own_share >= MIN_CURVE_OWN_SHARE


def _common_start_row(maps: list[FloatArray], amap: ax.AxisMap, reg: _Region) -> int | None:
    """Row (in the region) of survival 1 when curve pixels are seen there at the start of the
    x axis: every curve then starts there, seen or hidden under another."""
    row = round(amap.row(1.0)) - reg.r0
    col = round(amap.column(amap.x_range[0])) - reg.c0
    if not 0 <= row < reg.r1 - reg.r0:
        return None
    lo, hi = max(0, row - 2), row + 3
    c_lo, c_hi = max(0, col), max(0, col) + START_WINDOW_PX
    if any((m[lo:hi, c_lo:c_hi] >= OWN_THRESHOLD).any() for m in maps):
        return row
    return None


def _hidden_starts(curves: list[DigitisedCurve]) -> tuple[DigitisedCurve, ...]:
    """A curve drawn underneath others often has no visible pixels at 100 % at the start; when
    another curve of the figure starts at 1, this one is taken to start at 1 as well, with its
    first visible level as a drop at its first traced column (and a warning)."""
    if not any(c.survival[0] == 1.0 for c in curves):
        return tuple(curves)
    out = []
    for c in curves:
        if c.survival[0] < 1.0 and c.survival[0] >= 1.0 - HIDDEN_START_MAX_DROP:
            first_col_time = c.time[1] if len(c.time) > 1 and c.time[0] == c.time[1] else c.time[0]
            c = DigitisedCurve(
                index=c.index,
                colour=c.colour,
                style=c.style,
                time=(c.time[0], first_col_time, *c.time[1:]),
                survival=(1.0, *c.survival),
                warnings=(
                    *[w for w in c.warnings if "below 1" not in w],
                    "start hidden under another curve: taken to start at survival 1",
                ),
            )
        out.append(c)
    return tuple(out)


def _to_data(
    index: int,
    colour: str,
    style: str,
    pc: PixelCurve,
    reg: _Region,
    amap: ax.AxisMap,
    x_range: tuple[float, float],
) -> DigitisedCurve:
    warnings: list[str] = []
    times = amap.time(pc.cols + reg.c0)
    surv = np.clip(amap.survival(pc.rows + reg.r0), 0.0, 1.0)
    surv = np.minimum.accumulate(surv)
    t_end = float(amap.time(pc.end_col + reg.c0))
    span = x_range[1] - x_range[0]
    if times[0] - x_range[0] <= START_SNAP_SHARE * span:
        times[0] = x_range[0]
    else:
        warnings.append(f"curve starts at {times[0]:.3g}, not at the x-range start")
    times[0] = max(times[0], x_range[0])
    if 1.0 - surv[0] <= START_SNAP_SURVIVAL:
        surv[0] = 1.0
        surv = np.minimum.accumulate(surv)
    else:
        warnings.append(f"curve starts at survival {surv[0]:.3f}, below 1")
    times = np.maximum.accumulate(times)
    if t_end > x_range[1] + OVERRUN_SHARE * span:
        warnings.append(
            f"curve runs to {t_end:.3g}, past the x range end {x_range[1]:g}: check --x-range, "
            "or crop to one panel with --crop when the image holds several"
        )
    if pc.own_share < 0.5:
        warnings.append(
            f"only {pc.own_share:.0%} of the traced path lies on this curve's own pixels "
            "(hidden under other curves or text); check it"
        )
    t = [round(float(v), 4) for v in times]
    s = [round(float(v), 5) for v in surv]
    if t_end > t[-1]:
        t.append(round(t_end, 4))
        s.append(s[-1])
    return DigitisedCurve(
        index=index,
        colour=colour,
        style=style,
        time=tuple(t),
        survival=tuple(s),
        warnings=tuple(warnings),
    )
