"""Read a Kaplan–Meier figure's tick labels and numbers-at-risk table by OCR (tesseract).

This module holds the limits, the reading types and the one guarded tesseract call. The two
readers, both pure functions of an image array and the plot box found by the digitiser, live in
:mod:`analysis.digitise.ocr_axes` and :mod:`analysis.digitise.ocr_table`:

* ``read_axis_ticks`` reads the numeric tick labels under the x axis and left of the y axis,
  places each at the centre of its ink, fits the linear pixel → value map by least squares on
  the ticks that agree with each other, and reports the axis ranges both at the outermost labelled
  ticks (``x_range``, ``y_range``) and at the plot-box edges (``x_range_at_edges``,
  ``y_range_at_edges``). It detects whether the survival axis is printed in percent (0–100) or as
  a fraction (0–1).
* ``read_at_risk_table`` reads the integer counts printed under the plot, assigns each to the
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
from dataclasses import dataclass
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
    words = _ocr_gray(dark_channel(image[top:bottom, left:right]), psm, whitelist)
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


def dark_channel(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Darkest channel per pixel: coloured text (blue, green, orange) stays dark on white."""
    out: NDArray[np.uint8] = rgb.min(axis=2)
    return out


def ocr_cells(
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
        crop = dark_channel(image[top:bottom, left:right]).copy()
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


def check_inputs(image: NDArray[np.uint8], plot_box: PlotBox) -> None:
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
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1"})
LONE_ZEROS = frozenset({"O", "o", "D"})
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# Tick marks and leader dashes printed against a label ("90-", "—0") are not part of it.
_TICK_MARKS = "-–—_:,.'"


@dataclass(frozen=True)
class _Number:
    value: float
    interpreted: bool  # a look-alike character was read as a digit


def parse_number(text: str) -> _Number | None:
    """A tick label's value; a middle dot (Lancet style) is a decimal point."""
    cleaned = text.strip().rstrip(_TICK_MARKS).rstrip("%").replace("·", ".")
    cleaned = cleaned.replace("−", "-").replace("–", "-")
    if cleaned[1:].startswith("-"):
        return None
    if _NUMBER.match(cleaned):
        return _Number(float(cleaned), interpreted=False)
    if not (any(c.isdigit() for c in cleaned) or cleaned in LONE_ZEROS):
        return None
    fixed = cleaned.translate(DIGIT_LOOKALIKES)
    return _Number(float(fixed), interpreted=True) if _NUMBER.match(fixed) else None


def group_lines(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
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


def is_text(word: OcrWord) -> bool:
    return sum(c.isalpha() for c in word.text) >= 2
