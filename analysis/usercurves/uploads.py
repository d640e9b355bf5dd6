"""What an uploaded file is, and its parsers. Every refusal is one line saying what to fix.

The kind of a file is read from its bytes (magic numbers), never from its name: a ZIP archive
renamed ``.png`` is a ZIP archive. Accepted:

* **PNG or JPEG** figure. The image's size is read from its header *before* any pixel is
  decoded (PNG: the IHDR chunk, walked chunk by chunk; JPEG: Pillow's header parser), and
  refused above :data:`MAX_IMAGE_PIXELS` or :data:`MAX_IMAGE_SIDE` — a 20,000 × 20,000 PNG of a
  few kilobytes (a decompression bomb) costs nothing. Bytes after the image's end (a PNG after
  its IEND chunk, a JPEG after its end marker) are refused: such a file is a polyglot (also a
  ZIP, an HTML page, a script), and nothing but the decoded pixels is ever kept.
* **CSV** (UTF-8 text; comma, semicolon or tab separated):
  WebPlotDigitizer's export (one ``X,Y`` pair of columns per data set, with its two header
  rows, or bare ``x,y`` rows for one data set); IPDfromKM's ``time,survival``;
  ``curve,time,survival`` (several curves in one file); patient-level ``time,event[,arm]``
  (pseudo-IPD: event 1 = event, 0 = censored; no other column is accepted).

Refused with a message: empty files, files above :data:`MAX_UPLOAD_BYTES`, ZIP/GZIP archives,
PDF, SVG/HTML/XML (markup can carry scripts), other image formats, binary data, text in a number
column, survival outside 0–1 (or 0–100), curves that rise by more than
:data:`MAX_RISE` (small rises are digitisation noise and are pooled later, with a note), a
WebPlotDigitizer file whose survival rises with time (axes swapped or calibrated upside down),
events other than 0/1.
"""

from __future__ import annotations

import csv
import io
import math
import re
import struct
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image

from analysis.digitise.image import DigitiseError, UInt8Image, decode_image

#: Largest upload accepted, in bytes (8 MB). Screenshots of a figure are well under 2 MB.
MAX_UPLOAD_BYTES = 8_000_000
#: Largest image accepted, in pixels, and its longest side: read from the header before
#: decoding. 6 megapixels is a 3000 x 2000 screenshot; the digitiser works on ~1000 px.
MAX_IMAGE_PIXELS = 6_000_000
MAX_IMAGE_SIDE = 6_000
#: Most CSV rows, curves and patients read from one file.
MAX_CSV_ROWS = 20_000
MAX_CURVES = 6
MAX_PATIENTS_PER_ARM = 5_000
MIN_PATIENTS_PER_ARM = 5
#: Longest curve or arm name kept.
MAX_NAME_CHARS = 60
#: A survival value may exceed the lowest value before it by this much (a fraction) and still be
#: digitisation noise (pooled by the reconstruction, with a note); a larger rise is an error.
MAX_RISE = 0.03
#: Survival in a CSV column is read as percent when its largest value exceeds this.
PERCENT_THRESHOLD = 1.5
#: Values this far outside 0-1 (after the percent conversion) are refused; closer ones clipped.
SURVIVAL_TOLERANCE = 0.02
#: Zero bytes tolerated after a JPEG's end marker (some writers pad).
JPEG_PADDING = 64

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
_MARKUP = re.compile(rb"<\s*(svg|\?xml|!doctype|html|script|body|iframe)", re.IGNORECASE)
_ACCEPTED = (
    "accepted: a PNG or JPEG figure, or a CSV — WebPlotDigitizer export, time,survival, "
    "curve,time,survival, or patient-level time,event[,arm]"
)


class UploadError(ValueError):
    """An upload that cannot be used; ``str(error)`` is one line saying what to fix."""


@dataclass(frozen=True)
class ImageUpload:
    """A decoded figure: RGB pixels ``(H, W, 3)`` uint8 and the format it came in."""

    image: UInt8Image
    fmt: Literal["PNG", "JPEG"]

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True)
class CurvePoints:
    """One digitised curve: times (x-axis unit, months) and survival as a fraction, sorted by
    time, as given (not yet made monotone)."""

    name: str
    time: tuple[float, ...]
    survival: tuple[float, ...]


@dataclass(frozen=True)
class CurveUpload:
    """Digitised curves from a CSV; ``source`` names the format recognised."""

    source: Literal["WebPlotDigitizer", "time,survival", "curve,time,survival"]
    curves: tuple[CurvePoints, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatientArm:
    """Patient-level (pseudo-IPD) rows of one arm: time in months, event 1/0."""

    name: str
    time: tuple[float, ...]
    event: tuple[int, ...]


@dataclass(frozen=True)
class PatientUpload:
    arms: tuple[PatientArm, ...]
    notes: tuple[str, ...] = ()


Upload = ImageUpload | CurveUpload | PatientUpload


# ---- sniffing ----------------------------------------------------------------------------------


def sniff(data: bytes) -> str:
    """The kind of ``data`` from its first bytes: ``png``, ``jpeg``, ``zip``, ``gzip``, ``pdf``,
    ``markup`` (SVG/HTML/XML), ``image`` (another image format), ``binary`` or ``text``."""
    head = data[:4096]
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(JPEG_SIGNATURE):
        return "jpeg"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.lstrip().startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"GIF8", b"BM", b"II*\x00", b"MM\x00*")) or head[8:12] == b"WEBP":
        return "image"
    if b"\x00" in head:
        return "binary"
    if _MARKUP.search(head):
        return "markup"
    return "text"


def parse_upload(data: bytes) -> Upload:
    """The upload as an image, digitised curves or patient rows; :class:`UploadError` else."""
    if not data:
        raise UploadError("the file is empty; " + _ACCEPTED)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"the file is {len(data) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:g} MB "
            "(crop the screenshot to the figure, or save it as JPEG)"
        )
    kind = sniff(data)
    if kind in ("png", "jpeg"):
        return parse_image(data, kind)
    refusals = {
        "zip": "this is a ZIP archive (whatever its name says), not an image or a CSV",
        "gzip": "this is a compressed (gzip) archive, not an image or a CSV",
        "pdf": "PDF files are not read: take a screenshot of the figure (PNG) and upload that",
        "markup": (
            "SVG, HTML and XML files are not accepted (they can carry scripts): export the "
            "figure as PNG"
        ),
        "image": "only PNG and JPEG images are read: save the figure as PNG",
        "binary": "this file is neither an image nor a text (CSV) file",
    }
    if kind in refusals:
        raise UploadError(refusals[kind] + "; " + _ACCEPTED)
    return parse_csv(data)


# ---- images ------------------------------------------------------------------------------------


def _size_problem(width: int, height: int) -> str | None:
    if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
        return (
            f"the image is {width} × {height} pixels; the limit is "
            f"{MAX_IMAGE_PIXELS / 1e6:g} megapixels and {MAX_IMAGE_SIDE} pixels a side "
            "(crop or downscale the screenshot to the figure)"
        )
    return None


def png_header(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after walking every chunk to its IEND and
    refusing bytes after it (a polyglot) or a broken chunk structure (truncated/corrupt)."""
    pos = len(PNG_SIGNATURE)
    size: tuple[int, int] | None = None
    while True:
        if pos + 8 > len(data):
            raise UploadError("the PNG file is truncated (it ends before its IEND chunk)")
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        if size is None:
            if ctype != b"IHDR" or length != 13:
                raise UploadError("the PNG file is corrupt (no IHDR header chunk)")
            width, height = struct.unpack(">II", data[pos + 8 : pos + 16])
            size = (int(width), int(height))
        end = pos + 12 + length
        if end > len(data):
            raise UploadError("the PNG file is truncated (a chunk runs past the end of the file)")
        pos = end
        if ctype == b"IEND":
            break
    if data[pos:].strip(b"\x00"):
        raise UploadError(
            f"the PNG file carries {len(data) - pos} bytes after its end (a file that is also "
            "something else, e.g. a ZIP or a script); save the figure again as a plain PNG"
        )
    return size


def parse_image(data: bytes, kind: str) -> ImageUpload:
    """Check the header (size, structure, trailing data), then decode the pixels."""
    if kind == "png":
        width, height = png_header(data)
        fmt: Literal["PNG", "JPEG"] = "PNG"
    else:
        if not data[-JPEG_PADDING:].rstrip(b"\x00").endswith(b"\xff\xd9"):
            raise UploadError(
                "the JPEG file is truncated, or carries data after its end (a file that is also "
                "something else); save the figure again as a plain JPEG or PNG"
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data), formats=["JPEG"]) as im:
                    width, height = im.size
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise UploadError("the JPEG file is corrupt (its header cannot be read)") from None
        fmt = "JPEG"
    problem = _size_problem(width, height)
    if problem:
        raise UploadError(problem)
    try:
        pixels = decode_image(data, name=f"the {fmt} image")
    except DigitiseError as exc:
        text = str(exc)
        if "not a readable" in text:
            text = f"the {fmt} file is truncated or corrupt (its pixels cannot be decoded)"
        raise UploadError(text) from None
    return ImageUpload(image=pixels, fmt=fmt)


# ---- CSV ---------------------------------------------------------------------------------------


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UploadError("the text file is not UTF-8 (save the CSV as UTF-8)") from None
        if any(ord(c) < 32 and c not in "\r\n\t" for c in text):
            raise UploadError("the file is neither an image nor a text (CSV) file") from None
        return text


def _rows(text: str) -> tuple[list[list[str]], bool]:
    """Non-empty rows, cells stripped; True when the numbers use a decimal comma."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise UploadError("the file holds no rows; " + _ACCEPTED)
    if len(lines) > MAX_CSV_ROWS:
        raise UploadError(f"the file has {len(lines)} rows; the limit is {MAX_CSV_ROWS}")
    sample = "\n".join(lines[:20])
    delim = ";" if sample.count(";") > sample.count(",") and ";" in sample else ","
    if "\t" in sample and sample.count("\t") >= sample.count(delim):
        delim = "\t"
    rows = [[c.strip() for c in row] for row in csv.reader(lines, delimiter=delim)]
    width = max(len(r) for r in rows)
    if width < 2:
        raise UploadError("the file has one column; " + _ACCEPTED)
    return rows, delim != ","


def _is_number(cell: str, decimal_comma: bool) -> bool:
    try:
        _number(cell, decimal_comma)
    except ValueError:
        return False
    return True


def _number(cell: str, decimal_comma: bool) -> float:
    text = cell.replace(",", ".") if decimal_comma else cell
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(cell)
    return value


def _cell(row: list[str], col: int, name: str, line: int, decimal_comma: bool) -> float:
    cell = row[col] if col < len(row) else ""
    if not cell:
        raise UploadError(f"row {line}, column {name}: the cell is empty")
    try:
        return _number(cell, decimal_comma)
    except ValueError:
        shown = cell if len(cell) <= 20 else cell[:20] + "…"
        raise UploadError(
            f"row {line}, column {name}: {shown!r} is not a number (only numbers in this column)"
        ) from None


def clean_name(text: str, fallback: str) -> str:
    """A curve/arm name safe to show: printable characters, at most :data:`MAX_NAME_CHARS`."""
    kept = "".join(c for c in text if c.isprintable()).strip()
    return kept[:MAX_NAME_CHARS] or fallback


def parse_csv(data: bytes) -> CurveUpload | PatientUpload:
    """Recognise the CSV format by its header and parse it (module docstring)."""
    rows, dec = _rows(_text(data))
    head = [c.lower() for c in rows[0]]
    if "time" in head and "event" in head:
        return _patients(rows, dec)
    if head[:3] == ["curve", "time", "survival"]:
        return _curve_table(rows, dec)
    if head[:2] == ["time", "survival"]:
        if len([c for c in head if c]) > 2:
            raise UploadError("time,survival files have exactly two columns")
        return _single(rows[1:], dec, "time,survival", first_line=2)
    if (
        len(rows) > 2
        and all(c in ("x", "y", "") for c in (c.lower() for c in rows[1]))
        and any(c.lower() == "x" for c in rows[1])
    ):
        return _wpd(rows, dec)
    if _is_number(rows[0][0], dec) and len(rows[0]) > 1 and _is_number(rows[0][1], dec):
        return _single(rows, dec, "WebPlotDigitizer", first_line=1)
    raise UploadError(f"the CSV header {', '.join(rows[0][:4])!r} is not recognised; " + _ACCEPTED)


def _single(rows: list[list[str]], dec: bool, source: str, *, first_line: int) -> CurveUpload:
    extra = {len([c for c in r if c]) for r in rows}
    if max(extra, default=0) > 2:
        raise UploadError(f"{source}: rows must have two columns (time, survival); some have more")
    pts = [
        (
            _cell(r, 0, "time", i + first_line, dec),
            _cell(r, 1, "survival", i + first_line, dec),
        )
        for i, r in enumerate(rows)
    ]
    kind: Literal["WebPlotDigitizer", "time,survival"] = (
        "WebPlotDigitizer" if source == "WebPlotDigitizer" else "time,survival"
    )
    curve, notes = check_curve("curve 1", [p[0] for p in pts], [p[1] for p in pts], source)
    return CurveUpload(source=kind, curves=(curve,), notes=tuple(notes))


def _curve_table(rows: list[list[str]], dec: bool) -> CurveUpload:
    groups: dict[str, tuple[list[float], list[float]]] = {}
    for i, r in enumerate(rows[1:], start=2):
        name = clean_name(r[0], "")
        if not name:
            raise UploadError(f"row {i}, column curve: the curve name is empty")
        times, surv = groups.setdefault(name, ([], []))
        times.append(_cell(r, 1, "time", i, dec))
        surv.append(_cell(r, 2, "survival", i, dec))
        if len(groups) > MAX_CURVES:
            raise UploadError(f"more than {MAX_CURVES} curves in the file")
    if not groups:
        raise UploadError("curve,time,survival: the file has a header but no rows")
    curves, notes = [], []
    for name, (t, s) in groups.items():
        curve, more = check_curve(name, t, s, "curve,time,survival")
        curves.append(curve)
        notes.extend(more)
    return CurveUpload(source="curve,time,survival", curves=tuple(curves), notes=tuple(notes))


def _wpd(rows: list[list[str]], dec: bool) -> CurveUpload:
    """WebPlotDigitizer's multi-data-set export: names row, ``X,Y`` row, then values."""
    names, axes = rows[0], [c.lower() for c in rows[1]]
    pairs = [k for k in range(len(axes) - 1) if axes[k] == "x" and axes[k + 1] == "y"]
    if not pairs:
        raise UploadError("WebPlotDigitizer: the second row must read X,Y for each data set")
    if len(pairs) > MAX_CURVES:
        raise UploadError(f"more than {MAX_CURVES} data sets in the file")
    curves, notes = [], []
    for n, k in enumerate(pairs, start=1):
        t: list[float] = []
        s: list[float] = []
        for i, r in enumerate(rows[2:], start=3):
            cells = (r[k] if k < len(r) else "", r[k + 1] if k + 1 < len(r) else "")
            if not cells[0] and not cells[1]:
                continue  # shorter data sets leave their cells empty
            t.append(_cell(r, k, "X", i, dec))
            s.append(_cell(r, k + 1, "Y", i, dec))
        name = clean_name(names[k] if k < len(names) else "", f"curve {n}")
        curve, more = check_curve(name, t, s, "WebPlotDigitizer")
        curves.append(curve)
        notes.extend(more)
    return CurveUpload(source="WebPlotDigitizer", curves=tuple(curves), notes=tuple(notes))


def check_curve(
    name: str, time: list[float], survival: list[float], source: str
) -> tuple[CurvePoints, list[str]]:
    """Sort by time, put survival on the fraction scale and refuse what no repair can fix:
    too few points, negative times, values outside the axis, rises, swapped axes."""
    notes: list[str] = []
    if len(time) < 2:
        raise UploadError(f"{name}: a curve needs at least two points")
    t = np.asarray(time, dtype=np.float64)
    s = np.asarray(survival, dtype=np.float64)
    span = float(t.max() - t.min())
    if float(t.min()) < -0.01 * max(span, 1.0):
        raise UploadError(f"{name}: time {float(t.min()):g} is negative (time must be ≥ 0)")
    if len(t) >= 4:
        order = np.argsort(t, kind="stable")
        ranks_s = np.argsort(np.argsort(s[order]))
        rho = float(np.corrcoef(np.arange(len(t)), ranks_s)[0, 1]) if np.ptp(s) > 0 else -1.0
        if rho > 0.5:
            raise UploadError(
                f"{name}: survival rises with time — the columns look swapped or the y axis "
                f"was calibrated upside down ({source}: the first column must be time in "
                "months, the second survival)"
            )
    if float(s.max()) > PERCENT_THRESHOLD:
        if float(s.max()) > 100.0 * (1.0 + SURVIVAL_TOLERANCE):
            raise UploadError(
                f"{name}: survival values go up to {float(s.max()):g}; the y axis must be "
                "survival as 0–1 or 0–100 % (check the y-axis calibration)"
            )
        s = s / 100.0
        notes.append(f"{name}: survival read as percent")
    if float(s.min()) < -SURVIVAL_TOLERANCE:
        raise UploadError(f"{name}: survival {float(s.min()):g} is below 0")
    s = np.clip(s, 0.0, 1.0)
    t = np.maximum(t, 0.0)
    order = np.lexsort((-s, t))
    t, s = t[order], s[order]
    running = np.minimum.accumulate(s)
    rise = s - running
    k = int(np.argmax(rise))
    if rise[k] > MAX_RISE:
        low = int(np.argmax(s[:k] <= running[k] + 1e-12))
        raise UploadError(
            f"{name}: the curve rises from {running[k]:.3f} at {t[low]:g} to {s[k]:.3f} at "
            f"{t[k]:g} months — a survival curve never rises; remove the stray points (or "
            "check that this is one curve, not two)"
        )
    if rise.max() > 0:
        notes.append(f"{name}: {int((rise > 0).sum())} small rise(s) will be pooled")
    points = CurvePoints(
        name=name,
        time=tuple(float(x) for x in t),
        survival=tuple(float(x) for x in s),
    )
    return points, notes


def _patients(rows: list[list[str]], dec: bool) -> PatientUpload:
    head = [c.lower() for c in rows[0]]
    allowed = ({"time", "event"}, {"time", "event", "arm"})
    named = {c for c in head if c}
    if named not in allowed or len(named) != len([c for c in head if c]):
        raise UploadError(
            "patient-level files have the columns time,event and optionally arm — nothing "
            "else (no identifiers, dates or other patient data)"
        )
    col = {name: head.index(name) for name in named}
    arms: dict[str, tuple[list[float], list[int]]] = {}
    for i, r in enumerate(rows[1:], start=2):
        t = _cell(r, col["time"], "time", i, dec)
        if t < 0:
            raise UploadError(f"row {i}, column time: {t:g} is negative")
        e = _cell(r, col["event"], "event", i, dec)
        if e not in (0.0, 1.0):
            raise UploadError(f"row {i}, column event: {r[col['event']]!r} must be 1 or 0")
        name = clean_name(r[col["arm"]], "") if "arm" in col and col["arm"] < len(r) else "arm 1"
        if not name:
            raise UploadError(f"row {i}, column arm: the arm name is empty")
        times, events = arms.setdefault(name, ([], []))
        if len(arms) > MAX_CURVES:
            raise UploadError(f"more than {MAX_CURVES} arms in the file")
        times.append(t)
        events.append(int(e))
    out = []
    for name, (times, events) in arms.items():
        if not MIN_PATIENTS_PER_ARM <= len(times) <= MAX_PATIENTS_PER_ARM:
            raise UploadError(
                f"{name}: {len(times)} rows; an arm needs {MIN_PATIENTS_PER_ARM} to "
                f"{MAX_PATIENTS_PER_ARM}"
            )
        if not any(events):
            raise UploadError(f"{name}: no events (event = 1) in this arm")
        out.append(PatientArm(name=name, time=tuple(times), event=tuple(events)))
    if not out:
        raise UploadError("the file has a header but no rows")
    return PatientUpload(arms=tuple(out))
