"""OCR of a Kaplan–Meier figure's axis tick labels: read them and fit each axis's pixel → value map.

Method, limits and safety: :mod:`analysis.digitise.ocr` (this module only reads and fits).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from analysis.digitise.ocr import (
    INK_LEVEL,
    LOW_CONFIDENCE,
    MAX_MARK_THICKNESS_PX,
    MIN_TEXT_HEIGHT_PX,
    PERCENT_SCALE_THRESHOLD,
    SIDE_MARGIN_FRACTION,
    TICK_TOLERANCE_STEPS,
    X_TICK_BAND_FRACTION,
    Y_LABEL_BAND_FRACTION,
    AxisFit,
    AxisName,
    AxisReading,
    Blob,
    OcrFlag,
    OcrWord,
    TickReading,
    YScale,
    check_inputs,
    dark_channel,
    ocr_cells,
    parse_number,
    tesseract_path,
)
from analysis.digitise.types import PlotBox

# ---- axis ticks ----------------------------------------------------------------------------


def read_axis_ticks(image: NDArray[np.uint8], plot_box: PlotBox) -> AxisReading:
    """Read the numeric tick labels of both axes and fit each axis's pixel → value map.

    x: the first text line under the x-axis line (within :data:`X_TICK_BAND_FRACTION` of the plot
    height) holding at least two numbers centred within the plot's width
    (± :data:`SIDE_MARGIN_FRACTION`). y: numbers left of the y-axis line (within
    :data:`Y_LABEL_BAND_FRACTION` of the plot width), within the plot's height, in the column of
    labels nearest the axis. Each label sits at the centre of its ink. The fit keeps the
    ticks within :data:`TICK_TOLERANCE_STEPS` of a tick spacing of a robust (median-slope) line
    through all of them; the others are flagged and left out. Ticks must be evenly spaced in
    value; a missing label or an uneven step is flagged. A y axis whose largest tick exceeds
    :data:`PERCENT_SCALE_THRESHOLD` is in percent.
    """
    check_inputs(image, plot_box)
    tesseract_path()  # fail early and the same way whether or not there is text to read
    flags: list[OcrFlag] = []
    # The first line under the axis and the y labels are read together (one tesseract call);
    # further lines under the axis only if the first held no numbers.
    x_bands = _x_label_bands(image, plot_box)
    first = x_bands[0] if x_bands else []
    read = _read_labels(image, [*first, *_y_label_blobs(image, plot_box)])
    x_line: list[OcrWord] | None = _numbers(read[: len(first)])
    y_words = _numbers(read[len(first) :])
    if x_line is not None and len(x_line) < 2:
        x_line = x_tick_line(image, plot_box, x_bands[1:])
    x_fit = None
    if x_line is None:
        flags.append(OcrFlag("x", "", None, "no tick labels read under the x axis"))
    else:
        x_fit = fit_axis("x", x_line, plot_box, flags)
    y_fit = None
    if len(y_words) < 2:
        flags.append(OcrFlag("y", "", None, "no tick labels read left of the y axis"))
    else:
        y_fit = fit_axis("y", y_words, plot_box, flags)
    y_scale: YScale | None = None
    if y_fit is not None:
        low, high = y_fit.range_at_ticks
        y_scale = "percent" if max(abs(low), abs(high)) > PERCENT_SCALE_THRESHOLD else "fraction"
        full = 100.0 if y_scale == "percent" else 1.0
        if high > full * (1 + 1e-9) or low < 0:
            flags.append(
                OcrFlag("y", f"{low:g}–{high:g}", None, f"survival ticks outside 0–{full:g}")
            )
    return AxisReading(x=x_fit, y=y_fit, y_scale=y_scale, flags=tuple(flags))


def _x_label_bands(image: NDArray[np.uint8], box: PlotBox) -> list[list[Blob]]:
    """Label blobs of the first three lines of text under the x axis, within the plot's width
    (± :data:`SIDE_MARGIN_FRACTION`) and :data:`X_TICK_BAND_FRACTION` of its height."""
    height, width = image.shape[:2]
    margin = SIDE_MARGIN_FRACTION * (box.right - box.left)
    left, right = max(0, int(box.left - margin)), min(width, int(box.right + margin) + 1)
    top = min(height - 1, box.bottom + 2)  # below the axis line itself
    bottom = min(height, top + max(20, round(X_TICK_BAND_FRACTION * (box.bottom - box.top))))
    bands: list[list[Blob]] = []
    for band_top, band_bottom in ink_bands(image, (left, top, right, bottom)):
        if band_bottom - band_top < MIN_TEXT_HEIGHT_PX:
            continue  # tick marks
        text_height = band_bottom - band_top
        runs = _ink_runs(image, (left, band_top, right, band_bottom), 0, text_height)
        if all(b - a <= MAX_MARK_THICKNESS_PX for a, b in runs):
            continue  # only thin vertical strokes: long tick marks, not labels
        bands.append([(a, band_top, b, band_bottom) for a, b in runs])
        if len(bands) == 3:
            break
    return bands


def x_tick_line(
    image: NDArray[np.uint8], box: PlotBox, bands: Sequence[list[Blob]] | None = None
) -> list[OcrWord] | None:
    """The numeric labels of the first of ``bands`` (default: the lines of text under the x
    axis) that holds at least two."""
    for blobs in _x_label_bands(image, box) if bands is None else bands:
        numbers = _numbers(_read_labels(image, blobs))
        if len(numbers) >= 2:
            return numbers
    return None


def _numbers(words: Sequence[OcrWord | None]) -> list[OcrWord]:
    return [w for w in words if w is not None and parse_number(w.text) is not None]


def _y_label_blobs(image: NDArray[np.uint8], box: PlotBox) -> list[Blob]:
    """The labels in the column of text nearest the y axis, on its left, within the plot's
    height (± a small pad) and :data:`Y_LABEL_BAND_FRACTION` of its width: one blob each."""
    height = image.shape[0]
    pad = max(4, round(0.05 * (box.bottom - box.top)))
    reach = max(20, round(Y_LABEL_BAND_FRACTION * (box.right - box.left)))
    top, bottom = max(0, box.top - pad), min(height, box.bottom + pad + 1)
    left, right = max(0, box.left - reach), max(1, box.left)
    # Step off the axis line (however thick): columns inked over most of the height.
    inked = (dark_channel(image[top:bottom, left:right]) < INK_LEVEL).mean(axis=0)
    while right - left > 1 and inked[right - left - 1] > 0.5:
        right -= 1
    # Column runs of ink from the axis leftwards: tick marks (no text-high rows) are skipped,
    # the first run holding two or more lines of text starts the label column, and a run further
    # left joins it when it is near (within a text height) and its ink lies on the labels' rows
    # (the other digits and decimal points of the labels). The axis title, rotated, has ink
    # between the labels' rows; it and whatever lies beyond it are not read.
    column: tuple[int, int] | None = None
    on_labels = np.zeros(bottom - top, dtype=bool)
    text_height = 0.0
    for a, b in reversed(_ink_runs(image, (left, top, right, bottom), 1, 0)):
        if column is None:
            bands = [
                (t, u)
                for t, u in ink_bands(image, (a, top, b, bottom))
                if u - t >= MIN_TEXT_HEIGHT_PX
            ]
            if len(bands) >= 2:
                column = (a, b)
                text_height = float(np.median([u - t for t, u in bands]))
                for t, u in bands:
                    on_labels[max(0, t - top - 1) : u - top + 1] = True
            continue
        rows = np.flatnonzero((dark_channel(image[top:bottom, a:b]) < INK_LEVEL).any(axis=1))
        if column[0] - b <= text_height and on_labels[rows].mean() >= 0.9:
            column = (a, column[1])
        else:
            break
    if column is None:
        return []
    return [
        _trim_marks(image, (column[0], t, column[1], u))
        for t, u in ink_bands(image, (column[0], top, column[1], bottom))
        if u - t >= MIN_TEXT_HEIGHT_PX
    ]


def _trim_marks(
    image: NDArray[np.uint8], blob: tuple[int, int, int, int]
) -> tuple[int, int, int, int]:
    """Drop tick marks touching a y label on its right: trailing columns whose ink is at most
    :data:`MAX_MARK_THICKNESS_PX` high."""
    a, t, b, u = blob
    counts = (dark_channel(image[t:u, a:b]) < INK_LEVEL).sum(axis=0)
    while b - a > 1 and counts[b - a - 1] <= MAX_MARK_THICKNESS_PX:
        b -= 1
    return a, t, b, u


def ink_bands(image: NDArray[np.uint8], region: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """Runs of image rows (top, bottom exclusive) in ``region`` that hold ink."""
    left, top, right, bottom = region
    ink = (dark_channel(image[top:bottom, left:right]) < INK_LEVEL).any(axis=1)
    return [(top + a, top + b) for a, b in _runs(ink)]


def _ink_runs(
    image: NDArray[np.uint8], region: tuple[int, int, int, int], min_gap: int, text_height: float
) -> list[tuple[int, int]]:
    """Runs of image columns (left, right exclusive) in ``region`` that hold ink, joined across
    gaps narrower than ``max(min_gap, 0.6 * text_height)`` (the space between two digits of one
    label), keeping only runs whose ink is at least :data:`MIN_TEXT_HEIGHT_PX` high unless
    ``text_height`` is 0."""
    left, top, right, bottom = region
    ink = dark_channel(image[top:bottom, left:right]) < INK_LEVEL
    joined: list[tuple[int, int]] = []
    gap = max(min_gap, 0.6 * text_height)
    for a, b in _runs(ink.any(axis=0)):
        if joined and a - joined[-1][1] <= gap:
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    out = []
    for a, b in joined:
        rows = np.flatnonzero(ink[:, a:b].any(axis=1))
        if text_height == 0 or rows[-1] - rows[0] + 1 >= MIN_TEXT_HEIGHT_PX:
            out.append((left + a, left + b))
    return out


def _runs(mask: NDArray[np.bool_] | np.bool_) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(
        zip(
            (int(v) for v in np.flatnonzero(edges == 1)),
            (int(v) for v in np.flatnonzero(edges == -1)),
            strict=True,
        )
    )


def _read_labels(image: NDArray[np.uint8], blobs: Sequence[Blob]) -> list[OcrWord | None]:
    """Read each blob (left, top, right, bottom) of ink as one label, all in one call; the word
    returned for a blob is boxed by the blob, with the text and lowest confidence of what was
    read in it (``None`` where nothing was)."""
    height, width = image.shape[:2]
    boxes = [
        (max(0, a - 2), max(0, t - 2), min(width, b + 2), min(height, u + 2))
        for a, t, b, u in blobs
    ]
    out: list[OcrWord | None] = []
    for (a, t, b, u), words in zip(
        blobs, ocr_cells(image, boxes, [[] for _ in boxes]), strict=True
    ):
        text = "".join(w.text for w in words)
        confidence = min((w.confidence for w in words), default=0.0)
        out.append(OcrWord(text, a, t, b - a, u - t, confidence) if words else None)
    return out


def fit_axis(
    axis: AxisName, words: Sequence[OcrWord], box: PlotBox, flags: list[OcrFlag]
) -> AxisFit | None:
    readings: list[tuple[float, float, OcrWord]] = []
    for word in words:
        number = parse_number(word.text)
        if number is None:
            continue
        readings.append((number.value, word.center_x if axis == "x" else word.center_y, word))
        if number.interpreted:
            flags.append(
                OcrFlag(axis, word.text, word.confidence, f"read as {number.value:g}: check it")
            )
        elif word.confidence < LOW_CONFIDENCE:
            flags.append(OcrFlag(axis, word.text, word.confidence, "low confidence"))
    if len(readings) < 2:
        flags.append(OcrFlag(axis, "", None, "fewer than two tick labels read"))
        return None
    readings.sort(key=lambda r: r[1])
    values = np.array([r[0] for r in readings])
    pixels = np.array([r[1] for r in readings])
    # Robust start: the median of pairwise slopes (Theil–Sen), so a misread label cannot tilt it.
    pairs = [
        (values[j] - values[i]) / (pixels[j] - pixels[i])
        for i in range(len(pixels))
        for j in range(i + 1, len(pixels))
        if pixels[j] - pixels[i] > 1.0
    ]
    slope = float(np.median(pairs)) if pairs else 0.0
    if slope == 0.0:
        flags.append(OcrFlag(axis, "", None, "tick labels do not change along the axis"))
        return None
    intercept = float(np.median(values - slope * pixels))
    # Tolerance in pixels: a fraction of the typical distance between neighbouring labels.
    spacing_px = float(np.median(np.diff(pixels))) if len(pixels) > 1 else 0.0
    misfit_px = np.abs(values - (intercept + slope * pixels)) / abs(slope)
    used = misfit_px <= TICK_TOLERANCE_STEPS * max(spacing_px, 1.0)
    for k in np.flatnonzero(~used):
        word = readings[k][2]
        expected = intercept + slope * pixels[k]
        flags.append(
            OcrFlag(
                axis,
                word.text,
                word.confidence,
                f"does not fit the other ticks (they put {expected:.3g} here); left out",
            )
        )
    if int(used.sum()) < 2:
        flags.append(OcrFlag(axis, "", None, "fewer than two tick labels agree"))
        return None
    slope, intercept = (float(c) for c in np.polyfit(pixels[used], values[used], 1))
    kept = np.sort(values[used])
    gaps = np.diff(kept)
    smallest = float(gaps.min()) if gaps.size else 0.0
    if smallest <= 0:
        flags.append(OcrFlag(axis, "", None, "two tick labels with the same value"))
        return None
    step = float(np.median(gaps / np.round(gaps / smallest)))
    for a, b, gap in zip(kept[:-1], kept[1:], gaps, strict=True):
        multiple = gap / step
        if abs(multiple - round(multiple)) > TICK_TOLERANCE_STEPS:
            flags.append(OcrFlag(axis, f"{a:g} → {b:g}", None, f"uneven tick step ({step:g})"))
        elif round(multiple) > 1:
            flags.append(OcrFlag(axis, f"{a:g} → {b:g}", None, "a tick label between is unread"))
    # A tick inside the plot box beyond the outermost label read: its label was missed.
    edges = (box.left, box.right) if axis == "x" else (box.bottom, box.top)
    lo_edge, hi_edge = sorted(intercept + slope * e for e in edges)
    if kept[0] - lo_edge >= (1 - TICK_TOLERANCE_STEPS) * step:
        flags.append(
            OcrFlag(
                axis, f"{kept[0] - step:g}", None, "tick inside the plot box with no label read"
            )
        )
    if hi_edge - kept[-1] >= (1 - TICK_TOLERANCE_STEPS) * step:
        flags.append(
            OcrFlag(
                axis, f"{kept[-1] + step:g}", None, "tick inside the plot box with no label read"
            )
        )
    if (axis == "x") == (slope < 0):
        flags.append(OcrFlag(axis, "", None, "values run the wrong way along the axis"))
    ticks = tuple(
        sorted(
            (
                TickReading(
                    value=float(values[k]),
                    pixel=float(pixels[k]),
                    confidence=readings[k][2].confidence,
                    text=readings[k][2].text,
                    used_in_fit=bool(used[k]),
                )
                for k in range(len(readings))
            ),
            key=lambda t: t.value,
        )
    )
    used_px, used_values = pixels[used], values[used]
    lo, hi = int(np.argmin(used_values)), int(np.argmax(used_values))
    return AxisFit(
        axis=axis,
        ticks=ticks,
        slope=slope,
        intercept=intercept,
        step=step,
        range_at_ticks=(float(used_values[lo]), float(used_values[hi])),
        tick_px=(float(used_px[lo]), float(used_px[hi])),
        range_at_edges=(intercept + slope * edges[0], intercept + slope * edges[1]),
        max_residual=float(np.max(np.abs(used_values - (intercept + slope * used_px)))),
    )
