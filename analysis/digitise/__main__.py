"""Command line: digitise the Kaplan–Meier curves of a published figure.

Run ``python -m analysis.digitise --help`` for usage. Exit codes: 0 success, 2 bad input or usage
(one line naming the problem: not an image, too large, no axes found, fewer curves than asked,
a missing reader), 3 unexpected internal error (one line, no traceback).

Axis ranges come from ``--x-range``/``--y-range``. When either is missing, the tick-label reader
``analysis.digitise.ocr_axes.read_axis_ticks`` is used if the OCR modules can be imported (its
readings are printed as notes to confirm); otherwise the command stops and asks for the ranges.
``--at-risk-out`` needs ``analysis.digitise.ocr_table.read_at_risk_table``; see
``analysis.digitise.types`` for the interface.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from analysis.digitise.engine import DigitisedFigure, digitise, find_plot_box
from analysis.digitise.image import DigitiseError, crop_image, load_image

if TYPE_CHECKING:  # the OCR modules themselves are imported only when a reading is asked for
    from collections.abc import Callable

    from numpy.typing import NDArray

    from analysis.digitise.ocr import AtRiskReading, AxisReading
    from analysis.digitise.types import PlotBox

EXIT_OK = 0
EXIT_INPUT = 2
EXIT_INTERNAL = 3
#: Module that runs tesseract for the tick-label and numbers-at-risk readers (optional).
OCR_MODULE = "analysis.digitise.ocr"


class OcrReaders(NamedTuple):
    """The two OCR readers, imported together on first use."""

    read_axis_ticks: Callable[[NDArray[Any], PlotBox], AxisReading]
    read_at_risk_table: Callable[[NDArray[Any], PlotBox, tuple[float, float]], AtRiskReading]


_DESCRIPTION = """\
Digitise the Kaplan-Meier curves of a published figure (PNG or JPEG).

  python -m analysis.digitise FIGURE.png --x-range 0,36 --y-range 0,100 --out CURVES.csv

--x-range/--y-range are the values at the first and last major tick of each axis (the labelled
ones); a percent axis is 0,100, a fraction axis 0,1. CURVES.csv gets columns
curve,color,time,survival: one row per step corner, survival as a fraction, time in the x-axis
unit, curves numbered from 1. One JSON line per curve goes to standard output (color, points,
x_extent, warnings).
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with our exit code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {message} (see --help)\n")
        raise SystemExit(EXIT_INPUT)


def _pair(text: str, name: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        raise DigitiseError(f"{name} {text!r}: expected two numbers LOW,HIGH") from None
    return lo, hi


def _box(text: str) -> tuple[int, int, int, int]:
    parts = text.split(",")
    try:
        x0, y0, x1, y1 = (int(p) for p in parts)
    except ValueError:
        raise DigitiseError(f"--crop {text!r}: expected four integers x0,y0,x1,y1") from None
    return x0, y0, x1, y1


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m analysis.digitise",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("figure", type=Path, help="figure image, PNG or JPEG")
    parser.add_argument("--x-range", dest="x_range", help="x values at first,last major tick")
    parser.add_argument("--y-range", dest="y_range", help="y values at lowest,highest major tick")
    parser.add_argument("--curves", type=int, help="number of curves (default: as detected)")
    parser.add_argument("--colors", help='curve colours, e.g. "#d62728,#1f77b4" (in this order)')
    parser.add_argument("--crop", help="x0,y0,x1,y1 pixel box of the panel to digitise")
    parser.add_argument("--out", type=Path, required=True, help="output curves CSV")
    parser.add_argument(
        "--at-risk-out", dest="at_risk_out", type=Path, help="write the numbers-at-risk table read"
    )
    return parser


def load_ocr(purpose: str) -> OcrReaders:
    """The OCR readers, imported on first use (they are only needed when ranges or the at-risk
    table are to be read); stops with one line saying what is missing and what to give."""
    try:
        # The tesseract runner first: a blocked or missing OCR module must stop here even when
        # the readers were imported earlier in this process.
        import analysis.digitise.ocr  # noqa: F401, PLC0415 - on first use
        from analysis.digitise.ocr_axes import read_axis_ticks  # noqa: PLC0415 - on first use
        from analysis.digitise.ocr_table import read_at_risk_table  # noqa: PLC0415 - on first use
    except ImportError as exc:
        raise DigitiseError(
            f"{purpose}: the reader ({OCR_MODULE}) is not available ({exc})"
        ) from None
    return OcrReaders(read_axis_ticks, read_at_risk_table)


def _axis_ranges(
    args: argparse.Namespace, image: Any, notes: list[str]
) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float] | None, Any]:
    x_range = _pair(args.x_range, "--x-range") if args.x_range else None
    y_range = _pair(args.y_range, "--y-range") if args.y_range else None
    x_px = y_px = None
    if x_range is None or y_range is None:
        missing = " and ".join(
            n for n, r in (("--x-range", x_range), ("--y-range", y_range)) if r is None
        )
        ocr = load_ocr(f"no {missing} given and the axis ranges cannot be read automatically")
        reading: AxisReading = ocr.read_axis_ticks(image, find_plot_box(image))
        if x_range is None:
            if reading.x_range is None:
                raise DigitiseError("could not read the x-axis tick labels: give --x-range")
            x_range, x_px = reading.x_range, reading.x_tick_px
            notes.append(f"x range {x_range[0]:g},{x_range[1]:g} read from tick labels: confirm")
        if y_range is None:
            if reading.y_range is None:
                raise DigitiseError("could not read the y-axis tick labels: give --y-range")
            y_range, y_px = reading.y_range, reading.y_tick_px
            notes.append(f"y range {y_range[0]:g},{y_range[1]:g} read from tick labels: confirm")
        notes.extend(f"low-confidence reading: {item}" for item in reading.low_confidence)
    return x_range, y_range, x_px, y_px


def _write_curves(path: Path, fig: DigitisedFigure) -> None:
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["curve", "color", "time", "survival"])
            for curve in fig.curves:
                for t, s in zip(curve.time, curve.survival, strict=True):
                    writer.writerow([curve.index + 1, curve.colour, f"{t:.4f}", f"{s:.5f}"])
    except OSError as exc:
        raise DigitiseError(f"{path}: cannot write the file ({exc.strerror})") from None


def _write_at_risk(path: Path, reading: AtRiskReading) -> None:
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["curve", "time", "n_at_risk"])
            for row in reading.rows:
                writer.writerow([row.curve + 1, f"{row.time:g}", row.n_at_risk])
    except OSError as exc:
        raise DigitiseError(f"{path}: cannot write the file ({exc.strerror})") from None


def run(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, digitise, write the outputs; returns the exit status."""
    args = build_parser().parse_args(argv)
    colours = [c for c in args.colors.split(",") if c.strip()] if args.colors else None
    crop = _box(args.crop) if args.crop else None
    # Check for the at-risk reader before any work, so nothing is half-written.
    ocr = load_ocr("--at-risk-out needs the numbers-at-risk reader") if args.at_risk_out else None
    image = load_image(args.figure)
    if crop is not None:
        image = crop_image(image, crop)
    notes: list[str] = []
    x_range, y_range, x_px, y_px = _axis_ranges(args, image, notes)
    fig = digitise(
        image,
        x_range=x_range,
        y_range=y_range,
        n_curves=args.curves,
        colours=colours,
        x_tick_px=x_px,
        y_tick_px=y_px,
    )
    reading: AtRiskReading | None = None
    if ocr is not None:
        reading = ocr.read_at_risk_table(image, fig.plot_box, x_range)
    _write_curves(args.out, fig)
    if reading is not None:
        _write_at_risk(args.at_risk_out, reading)
        low = [r for r in reading.rows if r.low_confidence]
        notes.extend(
            f"at-risk number read with low confidence: curve {r.curve + 1}, time {r.time:g}, "
            f"{r.n_at_risk}"
            for r in low
        )
        notes.extend(reading.warnings)
    for curve in fig.curves:
        line = {
            "curve": curve.index + 1,
            "color": curve.colour,
            "style": curve.style,
            "points": len(curve.time),
            "x_extent": [curve.x_extent[0], curve.x_extent[1]],
            "warnings": [*fig.warnings, *curve.warnings],
        }
        sys.stdout.write(json.dumps(line) + "\n")
    for note in notes:
        sys.stderr.write(f"note: {note}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: never lets a traceback reach the user."""
    try:
        return run(argv)
    except DigitiseError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_INPUT
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_INPUT
    except MemoryError:
        sys.stderr.write("error: not enough memory to digitise this image\n")
        return EXIT_INPUT
    except Exception as exc:  # last line of defence for the CLI contract
        sys.stderr.write(f"internal error (please report): {type(exc).__name__}: {exc}\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
