"""Read a Kaplan–Meier figure's tick labels and numbers-at-risk table by OCR (tesseract).

Two readers, both pure functions of an image array and the plot box found by the digitiser:

* :func:`read_axis_ticks` reads the numeric tick labels under the x axis and left of the y axis,
  places each at the centre of its ink, fits the linear pixel → value map by least squares on
  the ticks that agree with each other, and reports the axis ranges both at the outermost labelled
  ticks (``x_range``, ``y_range``) and at the plot-box edges (``x_range_at_edges``,
  ``y_range_at_edges``). It detects whether the survival axis is printed in percent (0–100) or as
  a fraction (0–1).
* :func:`read_at_risk_table` reads the integer counts printed under the plot, assigns each to the
  x tick (column) it is centred under, groups them in one row per arm (with the row label when it
  is legible) and attaches the cumulative censored counts some journals print in parentheses.

Every reading is a *suggestion* for the caller to confirm: each tick and cell carries tesseract's
word confidence (0–100), and everything doubtful is listed in ``flags`` (and, as one line of text
each, in ``low_confidence`` / ``warnings``): low confidence, characters that had to be
interpreted (``O`` read for ``0``), ticks that break the even spacing, counts that rise over time,
censored counts that fall, columns with no number. Nothing is corrected silently.

Method. Images are reduced to one channel by taking the darkest channel per pixel (coloured text
— blue, green, orange rows of a table — stays dark on white) and enlarged by
:data:`OCR_UPSCALE` with bilinear interpolation before tesseract sees them (its LSTM reader is
trained on text 20–40 px high; journal figures print 8–12 px digits). Tesseract (Debian package
``tesseract-ocr``, LSTM engine, English model) receives a binary PGM on standard input and
returns TSV: one box and one confidence per word. It misses isolated short labels when reading
a sparse page, so labels are first cut out by the ink itself: tick labels are the runs of ink
in the first line of text under the x axis and the lines of the label column left of the y
axis; all of them are stacked on one white sheet, one per line, and read in a single call as a
block of text (``--psm 6``). The numbers-at-risk table is read twice: once as sparse text
(``--psm 11``) over the whole area under the tick labels, which also finds the row labels, then
each cell that reading left empty or doubtful is cut out (neighbouring words blanked), stacked
and read again in one call. Every figure costs one call for the axes and three for the table.

Safety. ``tesseract`` runs as a subprocess with an argument list (never a shell), a timeout
(:data:`TESSERACT_TIMEOUT_S`), one thread, and the image on standard input (no file names built
from input). Image size is capped before any work (:data:`MAX_IMAGE_SIDE_PX`,
:data:`MAX_IMAGE_PIXELS`), and so is the enlarged region handed to tesseract
(:data:`MAX_OCR_REGION_PIXELS`). A missing ``tesseract`` raises :class:`TesseractNotFoundError`,
whose message is one line a command-line tool can print as is.

Reference: Smith R. An overview of the Tesseract OCR engine. ICDAR 2007:629–633; tesseract 5
documentation on page-segmentation modes and TSV output.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from analysis.digitise.types import PlotBox

# ---- limits and tuning constants (named, documented in notes/issue-12-ocr.md) -----------------

#: Name of the tesseract executable looked up on ``PATH``.
TESSERACT_BINARY = "tesseract"
#: Wall-clock limit for one tesseract call (a call takes 0.4–2 s of CPU on our figures).
TESSERACT_TIMEOUT_S = 30.0
#: Largest accepted image side and pixel count (decompression-bomb guard for arrays handed in).
MAX_IMAGE_SIDE_PX = 8_000
MAX_IMAGE_PIXELS = 25_000_000
#: Enlargement before OCR, and the cap on the enlarged region (the factor shrinks to fit).
OCR_UPSCALE = 3.0
MAX_OCR_REGION_PIXELS = 24_000_000
#: Word confidence (tesseract, 0–100) below which a tick or cell is listed for checking.
LOW_CONFIDENCE = 80.0
#: How far outside the plot box (fraction of its width) x tick labels may sit.
SIDE_MARGIN_FRACTION = 0.08
#: Height of the band under the x axis searched for tick labels (fraction of the plot height).
X_TICK_BAND_FRACTION = 0.3
#: Width of the band left of the y axis searched for tick labels (fraction of the plot width).
Y_LABEL_BAND_FRACTION = 0.3
#: A tick agrees with the others when the robust line through all of them puts its value within
#: this fraction of the typical spacing between neighbouring labels; also the share of a step an
#: unevenly spaced tick may be off, and (at 1 - it) how much room beyond the last label read
#: means a tick label was missed.
TICK_TOLERANCE_STEPS = 0.2
#: A table cell belongs to a column when its centre is within this fraction of the column
#: spacing from the column's tick.
COLUMN_TOLERANCE_STEPS = 0.45
#: A line of numbers is a numbers-at-risk row when it fills at least this many columns.
MIN_ROW_CELLS = 3
#: Words on one line belong to one label when the gap between them is below this many text
#: heights.
LABEL_GAP_HEIGHTS = 2.5
#: A pixel is ink when its darkest channel is below this level (0 black, 255 white).
INK_LEVEL = 160
#: Rows of ink lower than this (pixels) are tick marks or rules, not a line of text.
MIN_TEXT_HEIGHT_PX = 5
#: Tick marks are lines at most this thick (pixels); thicker ink is text.
MAX_MARK_THICKNESS_PX = 3
#: A y-axis scale whose largest tick exceeds this is read as percent (0–100), else as a fraction.
PERCENT_SCALE_THRESHOLD = 1.5

AxisName = Literal["x", "y"]
#: A rectangle of ink in pixels: (left, top, right, bottom), right and bottom exclusive.
Blob = tuple[int, int, int, int]
YScale = Literal["percent", "fraction"]


# ---- errors --------------------------------------------------------------------------------


class OcrError(RuntimeError):
    """OCR could not run or the input was refused; ``str(error)`` is one line for the user."""


class TesseractNotFoundError(OcrError):
    """The ``tesseract`` executable is not installed or not on ``PATH``."""


class OcrTimeoutError(OcrError):
    """tesseract did not finish within :data:`TESSERACT_TIMEOUT_S`."""


class OcrInputError(OcrError, ValueError):
    """The image or plot box is unusable (wrong shape or dtype, too large, box outside)."""


# ---- result types --------------------------------------------------------------------------


@dataclass(frozen=True)
class OcrWord:
    """One word as tesseract read it, boxed in pixel coordinates of the original image."""

    text: str
    left: float
    top: float
    width: float
    height: float
    confidence: float

    @property
    def center_x(self) -> float:
        return self.left + self.width / 2.0

    @property
    def center_y(self) -> float:
        return self.top + self.height / 2.0

    @property
    def right(self) -> float:
        return self.left + self.width


@dataclass(frozen=True)
class OcrFlag:
    """A reading the caller should check: where it is (``"x"``, ``"y"``, ``"table"`` or
    ``"row <i>"``), the text as read, tesseract's confidence, and why it was flagged."""

    where: str
    text: str
    confidence: float | None
    reason: str

    def describe(self) -> str:
        conf = "" if self.confidence is None else f", confidence {self.confidence:.0f}"
        return f"{self.where}: '{self.text}' {self.reason}{conf}"


@dataclass(frozen=True)
class TickReading:
    """One tick label: its value, its pixel position (column for x, row for y, at the centre of
    its ink), tesseract's confidence, the text as read and whether the fit used it."""

    value: float
    pixel: float
    confidence: float
    text: str
    used_in_fit: bool


@dataclass(frozen=True)
class AxisFit:
    """The linear pixel → value map of one axis: ``value = intercept + slope * pixel``.

    ``ticks`` are every numeric label read, in increasing value (those the fit left out have
    ``used_in_fit`` false). ``range_at_ticks`` is (smallest, largest) tick value used in the fit and
    ``tick_px`` their pixel positions; ``range_at_edges`` is the fitted value at the plot box's
    (left, right) columns for x and (bottom, top) rows for y. ``step`` is the tick spacing in
    value units and ``max_residual`` the largest misfit of a used tick in value units.
    """

    axis: AxisName
    ticks: tuple[TickReading, ...]
    slope: float
    intercept: float
    step: float
    range_at_ticks: tuple[float, float]
    tick_px: tuple[float, float]
    range_at_edges: tuple[float, float]
    max_residual: float

    def value_at(self, pixel: float) -> float:
        return self.intercept + self.slope * pixel

    def pixel_of(self, value: float) -> float:
        return (value - self.intercept) / self.slope


@dataclass(frozen=True)
class AxisReading:
    """Axis ranges read from the tick labels; ``None`` where an axis's labels were not read.

    ``x_range``/``y_range`` are the values at the outermost labelled ticks and ``x_tick_px``/
    ``y_tick_px`` their pixel positions (x: columns; y: rows, bottom tick first); the
    ``*_at_edges`` ranges extrapolate the fit to the plot box edges. ``y_scale`` says whether the
    survival axis is printed as percent or as a fraction. ``flags`` lists every doubtful reading;
    ``low_confidence`` is the same list as one line of text each.
    """

    x: AxisFit | None
    y: AxisFit | None
    y_scale: YScale | None
    flags: tuple[OcrFlag, ...]

    @property
    def x_range(self) -> tuple[float, float] | None:
        return None if self.x is None else self.x.range_at_ticks

    @property
    def y_range(self) -> tuple[float, float] | None:
        return None if self.y is None else self.y.range_at_ticks

    @property
    def x_tick_px(self) -> tuple[float, float] | None:
        return None if self.x is None else self.x.tick_px

    @property
    def y_tick_px(self) -> tuple[float, float] | None:
        return None if self.y is None else self.y.tick_px

    @property
    def x_range_at_edges(self) -> tuple[float, float] | None:
        return None if self.x is None else self.x.range_at_edges

    @property
    def y_range_at_edges(self) -> tuple[float, float] | None:
        return None if self.y is None else self.y.range_at_edges

    @property
    def low_confidence(self) -> tuple[str, ...]:
        return tuple(flag.describe() for flag in self.flags)


@dataclass(frozen=True)
class AtRiskCell:
    """One number of the table: the arm (``curve``, 0 = top row), the column's time in x-axis
    units, the count, the cumulative censored count when printed, the text as read, the lower
    of the words' confidences, and whether it is flagged for checking."""

    curve: int
    time: float
    n_at_risk: int
    n_censored: int | None
    text: str
    confidence: float
    low_confidence: bool


@dataclass(frozen=True)
class AtRiskArm:
    """One row of the table: its label as printed (``None`` when not legible) and its cells in
    time order."""

    curve: int
    label: str | None
    label_confidence: float | None
    cells: tuple[AtRiskCell, ...]


@dataclass(frozen=True)
class AtRiskReading:
    """The numbers-at-risk table: the column ``times`` (x-axis units, from the tick labels), one
    :class:`AtRiskArm` per row, and the flags. ``rows`` is every cell in one flat tuple (arm by
    arm), ``labels`` the row labels ("" when not legible), ``warnings`` the flags as text."""

    times: tuple[float, ...]
    arms: tuple[AtRiskArm, ...]
    flags: tuple[OcrFlag, ...]

    @property
    def rows(self) -> tuple[AtRiskCell, ...]:
        return tuple(cell for arm in self.arms for cell in arm.cells)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(arm.label or "" for arm in self.arms)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(flag.describe() for flag in self.flags)


# ---- tesseract -----------------------------------------------------------------------------


def tesseract_path() -> str:
    """Absolute path of the tesseract executable, or :class:`TesseractNotFoundError`."""
    path = shutil.which(TESSERACT_BINARY)
    if path is None:
        raise TesseractNotFoundError(
            "OCR needs tesseract, which is not installed (Debian package tesseract-ocr); "
            "install it or give the axis ranges and numbers at risk yourself"
        )
    return path


def tesseract_version() -> str:
    """First line of ``tesseract --version`` (for benchmarks and provenance)."""
    out = _run_tesseract(["--version"], stdin=b"")
    return out.splitlines()[0].strip() if out else "unknown"


def _run_tesseract(args: list[str], stdin: bytes) -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "OMP_THREAD_LIMIT": "1",  # one core per call; threads only slow small images down
        "LC_ALL": "C",
    }
    if "TESSDATA_PREFIX" in os.environ:
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    try:
        # Fixed argument list built here; no shell; the image goes in on stdin; bounded in time.
        result = subprocess.run(  # noqa: S603
            [tesseract_path(), *args],
            input=stdin,
            capture_output=True,
            timeout=TESSERACT_TIMEOUT_S,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrTimeoutError(
            f"tesseract took longer than {TESSERACT_TIMEOUT_S:g} s and was stopped"
        ) from exc
    except OSError as exc:
        raise OcrError(f"tesseract could not be started: {exc.strerror or exc}") from exc
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = lines[-1] if lines else f"exit status {result.returncode}"
        raise OcrError(f"tesseract failed: {detail}")
    return result.stdout.decode("utf-8", "replace")


def _pgm(gray: NDArray[np.uint8]) -> bytes:
    """Binary PGM (P5): the simplest format leptonica reads from memory; no codec involved."""
    height, width = gray.shape
    return b"P5\n%d %d\n255\n" % (width, height) + np.ascontiguousarray(gray).tobytes()


def _ocr_gray(gray: NDArray[np.uint8], psm: int, whitelist: str | None) -> tuple[OcrWord, ...]:
    """Words in a one-channel image, boxed in that image's pixel coordinates."""
    if gray.size == 0:
        return ()
    scale = min(OCR_UPSCALE, math.sqrt(MAX_OCR_REGION_PIXELS / gray.size))
    if scale > 1.0:
        zoomed = ndimage.zoom(gray.astype(np.float32), scale, order=1)
        gray = np.clip(zoomed, 0, 255).astype(np.uint8)
    else:
        scale = 1.0
    args = ["stdin", "stdout", "--psm", str(psm), "--dpi", "300", "-l", "eng"]
    if whitelist is not None:
        args += ["-c", f"tessedit_char_whitelist={whitelist}"]
    return _parse_tsv(_run_tesseract([*args, "tsv"], stdin=_pgm(gray)), scale)


def ocr_words(
    image: NDArray[np.uint8],
    region: tuple[int, int, int, int],
    *,
    psm: int = 11,
    whitelist: str | None = None,
) -> tuple[OcrWord, ...]:
    """Words tesseract reads in ``region`` = (left, top, right, bottom) of ``image`` (right and
    bottom exclusive), boxed in the coordinates of ``image``. ``psm`` is tesseract's
    page-segmentation mode (11: sparse text; 6: a block of lines; 7: one line)."""
    left, top, right, bottom = region
    words = _ocr_gray(_dark_channel(image[top:bottom, left:right]), psm, whitelist)
    return tuple(_shift(w, left, top) for w in words)


def _shift(word: OcrWord, dx: float, dy: float) -> OcrWord:
    return OcrWord(
        word.text, word.left + dx, word.top + dy, word.width, word.height, word.confidence
    )


def _parse_tsv(tsv: str, scale: float) -> tuple[OcrWord, ...]:
    words: list[OcrWord] = []
    for line in tsv.splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) != 12 or parts[0] != "5" or not parts[11].strip():
            continue
        x, y, w, h = (float(v) / scale for v in parts[6:10])
        words.append(OcrWord(parts[11].strip(), x, y, w, h, max(0.0, float(parts[10]))))
    return tuple(words)


def _dark_channel(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Darkest channel per pixel: coloured text (blue, green, orange) stays dark on white."""
    out: NDArray[np.uint8] = rgb.min(axis=2)
    return out


def _ocr_cells(
    image: NDArray[np.uint8],
    boxes: Sequence[tuple[int, int, int, int]],
    blanks: Sequence[Sequence[OcrWord]],
    whitelist: str | None = None,
) -> list[list[OcrWord]]:
    """Read many small boxes with one tesseract call: the crops are stacked on a white sheet, one
    per text line, and each word read is mapped back to its box. ``blanks[i]`` are word boxes
    to paint white inside crop ``i`` first (neighbouring text that must not be read)."""
    crops: list[NDArray[np.uint8]] = []
    for (left, top, right, bottom), blank in zip(boxes, blanks, strict=True):
        crop = _dark_channel(image[top:bottom, left:right]).copy()
        for w in blank:
            x0, x1 = max(0, int(w.left) - left), max(0, math.ceil(w.right) - left)
            y0, y1 = max(0, int(w.top) - top), max(0, math.ceil(w.top + w.height) - top)
            crop[y0:y1, x0:x1] = 255
        crops.append(crop)
    if not crops:
        return []
    gap = max(c.shape[0] for c in crops)
    pad = gap
    width = max(c.shape[1] for c in crops) + 2 * pad
    offsets = [pad + i * (gap + max(c.shape[0] for c in crops)) for i in range(len(crops))]
    sheet = np.full((offsets[-1] + gap + pad, width), 255, dtype=np.uint8)
    for crop, y in zip(crops, offsets, strict=True):
        sheet[y : y + crop.shape[0], pad : pad + crop.shape[1]] = crop
    out: list[list[OcrWord]] = [[] for _ in crops]
    pitch = gap + max(c.shape[0] for c in crops)
    for word in _ocr_gray(sheet, psm=6, whitelist=whitelist):
        i = int((word.center_y - pad + gap / 2) // pitch)
        if 0 <= i < len(crops):
            left, top = boxes[i][0], boxes[i][1]
            out[i].append(_shift(word, left - pad, top - offsets[i]))
    return out


# ---- input checks --------------------------------------------------------------------------


def _check_inputs(image: NDArray[np.uint8], plot_box: PlotBox) -> None:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        raise OcrInputError("the image must be an array of shape (height, width, 3)")
    if image.dtype != np.uint8:
        raise OcrInputError(f"the image must be 8-bit (uint8), not {image.dtype}")
    height, width = image.shape[:2]
    if max(height, width) > MAX_IMAGE_SIDE_PX or height * width > MAX_IMAGE_PIXELS:
        raise OcrInputError(
            f"image of {width}x{height} px is larger than the OCR limit "
            f"({MAX_IMAGE_SIDE_PX} px a side, {MAX_IMAGE_PIXELS} pixels)"
        )
    box = plot_box
    if not (0 <= box.left < box.right < width and 0 <= box.top < box.bottom < height):
        raise OcrInputError(
            f"plot box ({box.left},{box.top})-({box.right},{box.bottom}) is not inside the "
            f"{width}x{height} image"
        )


# ---- numbers in words ----------------------------------------------------------------------

# Characters tesseract confuses with digits. A word is interpreted only when it also holds a real
# digit ("1O" -> 10) or is a lone O (the zero tick); an interpreted reading is always flagged.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1"})
_LONE_ZEROS = frozenset({"O", "o", "D"})
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# Tick marks and leader dashes printed against a label ("90-", "—0") are not part of it.
_TICK_MARKS = "-–—_:,.'"


@dataclass(frozen=True)
class _Number:
    value: float
    interpreted: bool  # a look-alike character was read as a digit


def _parse_number(text: str) -> _Number | None:
    """A tick label's value; a middle dot (Lancet style) is a decimal point."""
    cleaned = text.strip().rstrip(_TICK_MARKS).rstrip("%").replace("·", ".")
    cleaned = cleaned.replace("−", "-").replace("–", "-")
    if cleaned[1:].startswith("-"):
        return None
    if _NUMBER.match(cleaned):
        return _Number(float(cleaned), interpreted=False)
    if not (any(c.isdigit() for c in cleaned) or cleaned in _LONE_ZEROS):
        return None
    fixed = cleaned.translate(_DIGIT_LOOKALIKES)
    return _Number(float(fixed), interpreted=True) if _NUMBER.match(fixed) else None


def _group_lines(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
    """Words grouped into text lines by vertical centre, top to bottom, each left to right."""
    if not words:
        return []
    typical = float(np.median([w.height for w in words]))
    lines: list[list[OcrWord]] = []
    for word in sorted(words, key=lambda w: w.center_y):
        if lines and abs(word.center_y - np.mean([w.center_y for w in lines[-1]])) <= 0.5 * typical:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.left) for line in lines]


def _is_text(word: OcrWord) -> bool:
    return sum(c.isalpha() for c in word.text) >= 2


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
    _check_inputs(image, plot_box)
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
        x_line = _x_tick_line(image, plot_box, x_bands[1:])
    x_fit = None
    if x_line is None:
        flags.append(OcrFlag("x", "", None, "no tick labels read under the x axis"))
    else:
        x_fit = _fit_axis("x", x_line, plot_box, flags)
    y_fit = None
    if len(y_words) < 2:
        flags.append(OcrFlag("y", "", None, "no tick labels read left of the y axis"))
    else:
        y_fit = _fit_axis("y", y_words, plot_box, flags)
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
    for band_top, band_bottom in _ink_bands(image, (left, top, right, bottom)):
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


def _x_tick_line(
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
    return [w for w in words if w is not None and _parse_number(w.text) is not None]


def _y_label_blobs(image: NDArray[np.uint8], box: PlotBox) -> list[Blob]:
    """The labels in the column of text nearest the y axis, on its left, within the plot's
    height (± a small pad) and :data:`Y_LABEL_BAND_FRACTION` of its width: one blob each."""
    height = image.shape[0]
    pad = max(4, round(0.05 * (box.bottom - box.top)))
    reach = max(20, round(Y_LABEL_BAND_FRACTION * (box.right - box.left)))
    top, bottom = max(0, box.top - pad), min(height, box.bottom + pad + 1)
    left, right = max(0, box.left - reach), max(1, box.left)
    # Step off the axis line (however thick): columns inked over most of the height.
    inked = (_dark_channel(image[top:bottom, left:right]) < INK_LEVEL).mean(axis=0)
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
                for t, u in _ink_bands(image, (a, top, b, bottom))
                if u - t >= MIN_TEXT_HEIGHT_PX
            ]
            if len(bands) >= 2:
                column = (a, b)
                text_height = float(np.median([u - t for t, u in bands]))
                for t, u in bands:
                    on_labels[max(0, t - top - 1) : u - top + 1] = True
            continue
        rows = np.flatnonzero((_dark_channel(image[top:bottom, a:b]) < INK_LEVEL).any(axis=1))
        if column[0] - b <= text_height and on_labels[rows].mean() >= 0.9:
            column = (a, column[1])
        else:
            break
    if column is None:
        return []
    return [
        _trim_marks(image, (column[0], t, column[1], u))
        for t, u in _ink_bands(image, (column[0], top, column[1], bottom))
        if u - t >= MIN_TEXT_HEIGHT_PX
    ]


def _trim_marks(
    image: NDArray[np.uint8], blob: tuple[int, int, int, int]
) -> tuple[int, int, int, int]:
    """Drop tick marks touching a y label on its right: trailing columns whose ink is at most
    :data:`MAX_MARK_THICKNESS_PX` high."""
    a, t, b, u = blob
    counts = (_dark_channel(image[t:u, a:b]) < INK_LEVEL).sum(axis=0)
    while b - a > 1 and counts[b - a - 1] <= MAX_MARK_THICKNESS_PX:
        b -= 1
    return a, t, b, u


def _ink_bands(
    image: NDArray[np.uint8], region: tuple[int, int, int, int]
) -> list[tuple[int, int]]:
    """Runs of image rows (top, bottom exclusive) in ``region`` that hold ink."""
    left, top, right, bottom = region
    ink = (_dark_channel(image[top:bottom, left:right]) < INK_LEVEL).any(axis=1)
    return [(top + a, top + b) for a, b in _runs(ink)]


def _ink_runs(
    image: NDArray[np.uint8], region: tuple[int, int, int, int], min_gap: int, text_height: float
) -> list[tuple[int, int]]:
    """Runs of image columns (left, right exclusive) in ``region`` that hold ink, joined across
    gaps narrower than ``max(min_gap, 0.6 * text_height)`` (the space between two digits of one
    label), keeping only runs whose ink is at least :data:`MIN_TEXT_HEIGHT_PX` high unless
    ``text_height`` is 0."""
    left, top, right, bottom = region
    ink = _dark_channel(image[top:bottom, left:right]) < INK_LEVEL
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
        blobs, _ocr_cells(image, boxes, [[] for _ in boxes]), strict=True
    ):
        text = "".join(w.text for w in words)
        confidence = min((w.confidence for w in words), default=0.0)
        out.append(OcrWord(text, a, t, b - a, u - t, confidence) if words else None)
    return out


def _fit_axis(
    axis: AxisName, words: Sequence[OcrWord], box: PlotBox, flags: list[OcrFlag]
) -> AxisFit | None:
    readings: list[tuple[float, float, OcrWord]] = []
    for word in words:
        number = _parse_number(word.text)
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
            if not (any(c.isdigit() for c in raw) or raw.strip("()") in _LONE_ZEROS):
                return None
            text = raw.translate(_DIGIT_LOOKALIKES)
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
    _check_inputs(image, plot_box)
    x0, x1 = float(x_range[0]), float(x_range[1])
    if not (math.isfinite(x0) and math.isfinite(x1)) or x1 <= x0:
        raise OcrInputError(f"x range {x_range} must be two finite numbers, low < high")
    tesseract_path()
    flags: list[OcrFlag] = []
    tick_line = _x_tick_line(image, plot_box)
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
    bands = _ink_bands(image, (max(0, int(col_px[0] - spacing / 2)), below_top, right, height))
    lines = [
        _make_line(words, col_px, spacing, bands)
        for words in _group_lines(ocr_words(image, (0, below_top, right, height)))
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
            if any(_is_text(w) for w in inside if left <= w.center_x <= right):
                continue  # a label is printed here, not a number
            boxes.append((left, top, right, bottom))
            # Blank out the parts of neighbouring words and labels that reach into the cell.
            blanks.append([w for w in inside if _is_text(w) or not left <= w.center_x <= right])
            owners.append((line, k))
    for (line, k), words in zip(owners, _ocr_cells(image, boxes, blanks), strict=True):
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
    fit = _fit_axis("x", tick_line, box, flags)
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
