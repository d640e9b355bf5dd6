"""OCR of a Kaplan–Meier figure's numbers-at-risk table: counts per column and arm.

Also the censored counts some journals print, and a flag for every doubtful cell. Method, limits
and safety: :mod:`analysis.digitise.ocr` (this module only reads).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from analysis.digitise.ocr import (
    COLUMN_TOLERANCE_STEPS,
    DIGIT_LOOKALIKES,
    LABEL_GAP_HEIGHTS,
    LONE_ZEROS,
    LOW_CONFIDENCE,
    MIN_ROW_CELLS,
    AtRiskArm,
    AtRiskCell,
    AtRiskReading,
    OcrFlag,
    OcrInputError,
    OcrWord,
    check_inputs,
    group_lines,
    is_text,
    ocr_cells,
    ocr_words,
    tesseract_path,
)
from analysis.digitise.ocr_axes import (
    fit_axis,
    ink_bands,
    x_tick_line,
)
from analysis.digitise.types import PlotBox

# ---- numbers-at-risk table -----------------------------------------------------------------

_COUNT = re.compile(r"^\d+$")
_CENSORED = re.compile(r"^\((\d+)\)$")
_COUNT_CENSORED = re.compile(r"^(\d+)\((\d+)\)$")
# Phrases of the table's header line, never an arm's label.
_HEADER_WORDS = ("risk", "censored")


@dataclass(frozen=True)
class _Reading:
    """What one reader made of one cell: the count and/or censored count, its text, the lower
    of its words' confidences, and whether look-alike letters were read as digits."""

    count: int | None
    censored: int | None
    text: str
    confidence: float
    interpreted: bool


def _read_cell(words: Sequence[OcrWord]) -> _Reading | None:
    """Combine the words of one cell ("305", "(8)" or "305(8)") into one reading."""
    count: int | None = None
    censored: int | None = None
    interpreted = False
    for word in words:
        raw = word.text.strip().translate(str.maketrans("[]{}", "()()"))
        text = raw
        if not (_COUNT.match(raw) or _CENSORED.match(raw) or _COUNT_CENSORED.match(raw)):
            if not (any(c.isdigit() for c in raw) or raw.strip("()") in LONE_ZEROS):
                return None
            text = raw.translate(DIGIT_LOOKALIKES)
            interpreted = True
        if m := _COUNT.match(text):
            value: tuple[int | None, int | None] = (int(m.group(0)), None)
        elif m := _CENSORED.match(text):
            value = (None, int(m.group(1)))
        elif m := _COUNT_CENSORED.match(text):
            value = (int(m.group(1)), int(m.group(2)))
        else:
            return None
        if (value[0] is not None and count is not None) or (
            value[1] is not None and censored is not None
        ):
            return None  # two counts in one cell: not a table cell
        count = value[0] if value[0] is not None else count
        censored = value[1] if value[1] is not None else censored
    if not words:
        return None
    return _Reading(
        count=count,
        censored=censored,
        text=" ".join(w.text for w in words),
        confidence=min(w.confidence for w in words),
        interpreted=interpreted,
    )


@dataclass(frozen=True)
class _Column:
    time: float
    pixel: float
    labelled: bool  # its tick label was read (else placed on the fitted tick grid)


@dataclass
class _Line:
    words: list[OcrWord]
    first: dict[int, list[OcrWord]]  # column -> words of the first (sparse-text) reading
    second: dict[int, list[OcrWord]]  # column -> words of the second (per-cell) reading
    top: int  # rows of the line's numbers (bottom exclusive)
    bottom: int

    @property
    def text_top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def text_bottom(self) -> float:
        return max(w.top + w.height for w in self.words)


def _make_line(
    words: list[OcrWord],
    col_px: NDArray[np.float64],
    spacing: float,
    bands: Sequence[tuple[int, int]],
) -> _Line:
    """A text line with its numbers placed in columns and its rows of ink: the ink band around
    its numbers, unless that band is much taller than the text (lines touching)."""
    first = _place(words, col_px, spacing)
    numbers = [w for ws in first.values() for w in ws] or words
    middle = float(np.median([w.center_y for w in numbers]))
    text_height = float(np.median([w.height for w in numbers]))
    top = int(min(w.top for w in numbers))
    bottom = math.ceil(max(w.top + w.height for w in numbers))
    for band_top, band_bottom in bands:
        if band_top <= middle < band_bottom and band_bottom - band_top <= 1.6 * text_height:
            top, bottom = band_top, band_bottom
    return _Line(words, first, {}, top, bottom)


def read_at_risk_table(
    image: NDArray[np.uint8], plot_box: PlotBox, x_range: tuple[float, float]
) -> AtRiskReading:
    """Read the numbers-at-risk table printed under the plot.

    ``x_range`` is the caller's (confirmed) x-axis range: the values at the plot box's left and
    right columns (a range read at the outermost ticks differs from that by far less than the
    half step that matters here). The columns are the x tick labels (their values are the column
    times, in x-axis units), extended along the fitted tick grid over the plot's width; a tick
    label that ``x_range`` would put more than half a step away is flagged. Without legible x
    tick labels no columns can be formed and the reading says so (no table is guessed).

    Two readings are made. First the whole area under the plot is read as sparse text; a text
    line with numbers under at least two columns is a candidate row. Then each cell of a
    candidate line that the first reading left empty or read with low confidence is cut out
    (neighbouring words blanked) and read again, all cells in one call (a character whitelist
    was tried and made tesseract misread parentheses as 1). Where both readings agree the cell
    is taken; where only one has a number it is taken; where they differ the more confident is
    taken and the cell is flagged.
    A candidate line is a row when its counts fill at least :data:`MIN_ROW_CELLS` columns,
    including the first (or half of all columns). A line of parenthesised numbers directly under
    a row holds that row's cumulative censored counts; counts printed as ``327 (0)`` carry their
    censored count in the same cell. A row's label is the run of words nearest its first number
    on its left, or the line just above it when nothing is printed on its left.
    """
    check_inputs(image, plot_box)
    x0, x1 = float(x_range[0]), float(x_range[1])
    if not (math.isfinite(x0) and math.isfinite(x1)) or x1 <= x0:
        raise OcrInputError(f"x range {x_range} must be two finite numbers, low < high")
    tesseract_path()
    flags: list[OcrFlag] = []
    tick_line = x_tick_line(image, plot_box)
    columns = _columns(tick_line, plot_box, (x0, x1), flags)
    if len(columns) < 2 or tick_line is None:
        flags.append(OcrFlag("table", "", None, "no columns: the x tick labels were not read"))
        return AtRiskReading(times=(), arms=(), flags=tuple(flags))
    col_px = np.array([c.pixel for c in columns])
    spacing = float(np.median(np.diff(col_px)))
    height, width = image.shape[:2]
    below_top = math.ceil(max(w.top + w.height for w in tick_line)) + 1
    right = min(width, int(col_px[-1] + spacing / 2) + 1)
    if below_top >= height - 1:
        flags.append(OcrFlag("table", "", None, "nothing printed under the x tick labels"))
        return AtRiskReading(times=(), arms=(), flags=tuple(flags))
    bands = ink_bands(image, (max(0, int(col_px[0] - spacing / 2)), below_top, right, height))
    lines = [
        _make_line(words, col_px, spacing, bands)
        for words in group_lines(ocr_words(image, (0, below_top, right, height)))
    ]
    candidates = [line for line in lines if len(line.first) >= 2]
    _second_reading(image, candidates, col_px, spacing)
    rows: list[tuple[_Line, dict[int, _Reading]]] = []
    previous: tuple[_Line, dict[int, _Reading]] | None = None
    for line in candidates:
        cells = _merge_readings(line, [c.time for c in columns], len(rows), flags)
        counts = {k for k, r in cells.items() if r.count is not None}
        if not counts and previous is not None and len(cells) >= MIN_ROW_CELLS:
            # A line of "(n)" under a row: that row's cumulative censored counts.
            _attach_censored(previous[1], cells)
            previous = None
            continue
        if len(counts) >= MIN_ROW_CELLS and (0 in counts or len(counts) >= len(columns) / 2):
            previous = (line, cells)
            rows.append(previous)
        else:
            previous = None
    used = sorted({k for _, cells in rows for k in cells})
    for k in used:
        if not columns[k].labelled:
            flags.append(
                OcrFlag(
                    "x",
                    f"{columns[k].time:g}",
                    None,
                    "column's tick label unread; placed on the tick grid",
                )
            )
    arms = []
    for curve, (line, cells) in enumerate(rows):
        label, label_conf = _row_label(line, lines)
        arms.append(
            _build_arm(
                curve, label, label_conf, cells, columns, [columns[k].time for k in used], flags
            )
        )
    if not arms:
        flags.append(OcrFlag("table", "", None, "no numbers-at-risk rows found under the plot"))
    times = tuple(columns[k].time for k in used) if used else ()
    return AtRiskReading(times=times, arms=tuple(arms), flags=tuple(flags))


def _place(
    words: Sequence[OcrWord], col_px: NDArray[np.float64], spacing: float
) -> dict[int, list[OcrWord]]:
    """Numeric words by the column they are centred under (within the column tolerance)."""
    placed: dict[int, list[OcrWord]] = {}
    for word in words:
        if _read_cell([word]) is None:
            continue
        k = int(np.argmin(np.abs(col_px - word.center_x)))
        if abs(col_px[k] - word.center_x) <= COLUMN_TOLERANCE_STEPS * spacing:
            placed.setdefault(k, []).append(word)
    return placed


def _second_reading(
    image: NDArray[np.uint8],
    lines: Sequence[_Line],
    col_px: NDArray[np.float64],
    spacing: float,
) -> None:
    """Re-read, all in one tesseract call, each cell of the candidate lines that the first
    reading left empty or read with low confidence (a label printed in the cell is skipped)."""
    height, width = image.shape[:2]
    boxes: list[tuple[int, int, int, int]] = []
    blanks: list[list[OcrWord]] = []
    owners: list[tuple[_Line, int]] = []
    for line in lines:
        top, bottom = max(0, line.top - 1), min(height, line.bottom + 1)
        for k, px in enumerate(col_px):
            first = _read_cell(line.first.get(k, []))
            if first is not None and first.confidence >= LOW_CONFIDENCE:
                continue
            left = max(0, int(px - spacing / 2))
            right = min(width, int(px + spacing / 2) + 1)
            inside = [w for w in line.words if w.right > left and w.left < right]
            if any(is_text(w) for w in inside if left <= w.center_x <= right):
                continue  # a label is printed here, not a number
            boxes.append((left, top, right, bottom))
            # Blank out the parts of neighbouring words and labels that reach into the cell.
            blanks.append([w for w in inside if is_text(w) or not left <= w.center_x <= right])
            owners.append((line, k))
    for (line, k), words in zip(owners, ocr_cells(image, boxes, blanks), strict=True):
        if words:
            line.second[k] = words


def _merge_readings(
    line: _Line, times: Sequence[float], row_index: int, flags: list[OcrFlag]
) -> dict[int, _Reading]:
    where = f"row {row_index + 1}"
    merged: dict[int, _Reading] = {}
    for k in sorted(set(line.first) | set(line.second)):
        first = _read_cell(line.first.get(k, []))
        second = _read_cell(line.second.get(k, []))
        if first is None or second is None:
            chosen = first or second
            if chosen is not None:
                merged[k] = chosen
            continue
        count = first.count if first.count is not None else second.count
        censored = first.censored if first.censored is not None else second.censored
        agree = (first.count is None or second.count is None or first.count == second.count) and (
            first.censored is None or second.censored is None or first.censored == second.censored
        )
        best = max((first, second), key=lambda r: r.confidence)
        if agree:
            merged[k] = _Reading(
                count,
                censored,
                best.text,
                best.confidence,
                first.interpreted and second.interpreted,
            )
        else:
            flags.append(
                OcrFlag(
                    where,
                    f"{first.text} / {second.text}",
                    best.confidence,
                    f"read two ways at t={times[k]:g}; took '{best.text}'",
                )
            )
            merged[k] = _Reading(best.count, best.censored, best.text, 0.0, best.interpreted)
    return merged


def _attach_censored(row: dict[int, _Reading], censored_line: dict[int, _Reading]) -> None:
    for k, reading in censored_line.items():
        cell = row.get(k)
        if cell is None or cell.censored is not None:
            continue
        row[k] = _Reading(
            cell.count,
            reading.censored,
            f"{cell.text} {reading.text}",
            min(cell.confidence, reading.confidence),
            cell.interpreted or reading.interpreted,
        )


def _columns(
    tick_line: Sequence[OcrWord] | None,
    box: PlotBox,
    x_range: tuple[float, float],
    flags: list[OcrFlag],
) -> list[_Column]:
    """One column per tick of the fitted grid across the plot's width (± half a step)."""
    if tick_line is None:
        return []
    fit = fit_axis("x", tick_line, box, flags)
    if fit is None:
        return []
    per_px = (x_range[1] - x_range[0]) / (box.right - box.left)
    # Grid index of each tick, counted in steps from the smallest labelled tick.
    origin = fit.range_at_ticks[0]
    labelled = {round((t.value - origin) / fit.step): t for t in fit.ticks if t.used_in_fit}
    for tick in labelled.values():
        expected = x_range[0] + (tick.pixel - box.left) * per_px
        if abs(expected - tick.value) > 0.5 * fit.step:
            flags.append(
                OcrFlag(
                    "x",
                    tick.text,
                    tick.confidence,
                    f"tick label disagrees with the x range given ({expected:.3g} there)",
                )
            )
    lo = math.ceil((fit.value_at(box.left) - origin) / fit.step - 0.5)
    hi = math.floor((fit.value_at(box.right) - origin) / fit.step + 0.5)
    columns = []
    for k in range(min([lo, *labelled]), max([hi, *labelled]) + 1):
        found = labelled.get(k)
        if found is not None:
            columns.append(_Column(found.value, found.pixel, True))
        else:
            value = origin + k * fit.step
            columns.append(_Column(value, fit.pixel_of(value), False))
    return columns


def _row_label(line: _Line, lines: Sequence[_Line]) -> tuple[str | None, float | None]:
    numbers = [w for ws in line.first.values() for w in ws]
    first_px = min([w.left for w in numbers], default=math.inf)
    left_words = [w for w in line.words if w.right <= first_px]
    run = _nearest_run(left_words, first_px, from_right=True)
    if not run or not all(_is_label_word(w) for w in run):
        run = []
        index = next(i for i, other in enumerate(lines) if other is line)
        if index > 0:
            above = lines[index - 1]
            height = float(np.median([w.height for w in line.words]))
            if not above.first and line.text_top - above.text_bottom <= 1.5 * height:
                run = _nearest_run(above.words, first_px, from_right=False)
    if not run or any(h in " ".join(w.text for w in run).lower() for h in _HEADER_WORDS):
        return None, None
    return " ".join(w.text for w in run), min(w.confidence for w in run)


def _is_label_word(word: OcrWord) -> bool:
    return _read_cell([word]) is None


def _nearest_run(words: Sequence[OcrWord], anchor_px: float, *, from_right: bool) -> list[OcrWord]:
    """The run of closely spaced words (gaps below :data:`LABEL_GAP_HEIGHTS` text heights)
    ending nearest ``anchor_px`` (``from_right``) or starting nearest it."""
    runs: list[list[OcrWord]] = []
    for word in sorted(words, key=lambda w: w.left):
        if runs and word.left - runs[-1][-1].right <= LABEL_GAP_HEIGHTS * word.height:
            runs[-1].append(word)
        else:
            runs.append([word])
    if not runs:
        return []
    if from_right:
        return runs[-1]
    return min(runs, key=lambda run: abs(run[0].left - anchor_px))


def _build_arm(
    curve: int,
    label: str | None,
    label_confidence: float | None,
    readings: dict[int, _Reading],
    columns: Sequence[_Column],
    table_times: Sequence[float],
    flags: list[OcrFlag],
) -> AtRiskArm:
    where = f"row {curve + 1}"
    cells: list[AtRiskCell] = []
    for k in sorted(readings):
        reading = readings[k]
        time = columns[k].time
        if reading.count is None:
            flags.append(OcrFlag(where, reading.text, None, f"no count at t={time:g}"))
            continue
        low = reading.confidence < LOW_CONFIDENCE or reading.interpreted
        if reading.interpreted:
            flags.append(
                OcrFlag(
                    where, reading.text, reading.confidence, f"letters read as digits at t={time:g}"
                )
            )
        elif reading.confidence < LOW_CONFIDENCE:
            flags.append(
                OcrFlag(where, reading.text, reading.confidence, f"low confidence at t={time:g}")
            )
        cells.append(
            AtRiskCell(
                curve, time, reading.count, reading.censored, reading.text, reading.confidence, low
            )
        )
    return AtRiskArm(
        curve, label, label_confidence, tuple(_check_row(cells, where, table_times, flags))
    )


def _check_row(
    cells: list[AtRiskCell], where: str, table_times: Sequence[float], flags: list[OcrFlag]
) -> list[AtRiskCell]:
    """Flag columns of the table this row has no number in, counts that rise and censored
    counts that fall; mark those cells."""
    suspect: set[int] = set()
    present = {c.time for c in cells}
    for time in table_times:
        if time not in present:
            flags.append(OcrFlag(where, "", None, f"no number read at t={time:g}"))
    for i in range(1, len(cells)):
        a, b = cells[i - 1], cells[i]
        if b.n_at_risk > a.n_at_risk:
            flags.append(
                OcrFlag(
                    where,
                    f"{a.n_at_risk} → {b.n_at_risk}",
                    None,
                    f"count rises between t={a.time:g} and t={b.time:g}",
                )
            )
            suspect.update((i - 1, i))
        if a.n_censored is not None and b.n_censored is not None and b.n_censored < a.n_censored:
            flags.append(
                OcrFlag(
                    where,
                    f"({a.n_censored}) → ({b.n_censored})",
                    None,
                    f"cumulative censored count falls between t={a.time:g} and t={b.time:g}",
                )
            )
            suspect.update((i - 1, i))
    return [replace(c, low_confidence=True) if i in suspect else c for i, c in enumerate(cells)]
