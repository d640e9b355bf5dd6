"""Shared types of the figure digitiser (``analysis.digitise``).

Pixel coordinates follow the image convention: ``x`` grows to the right, ``y`` grows *down*, the
origin is the top-left pixel, and a pixel index names the pixel's centre. The plot box is
the rectangle enclosed by the axis lines; it is what the OCR readers (``analysis.digitise.ocr``, a
separate module) receive so that tick labels and the numbers-at-risk table can be looked for below
and left of it.

Interface with the OCR module (implemented separately; the digitiser only calls it when importable):

* ``read_axis_ticks(image: numpy.ndarray (H, W, 3) uint8, plot_box: PlotBox) -> AxisReading``
* ``read_at_risk_table(image, plot_box, x_range: tuple[float, float]) -> AtRiskReading``

Every automatic reading is a suggestion: values read with low confidence are listed in
``low_confidence`` so that the caller can confirm them, and user-supplied ranges always win.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlotBox:
    """The plot area in pixels: the columns of the y-axis line (``left``) and of the right edge
    (``right``), the rows of the top edge (``top``) and of the x-axis line (``bottom``).

    ``left < right`` and ``top < bottom``; all four are inclusive pixel indices in the (possibly
    cropped) image that was analysed.
    """

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class AxisReading:
    """Axis ranges read from tick labels (by OCR).

    ``x_range``/``y_range`` are the data values at the first and last *labelled* tick of each axis,
    and ``x_tick_px``/``y_tick_px`` the pixel positions (column for x, row for y) of those two
    ticks, or ``None`` when the tick marks could not be located (the digitiser then uses its own
    tick detection, or the ends of the axis lines). ``None`` for a range means "not read".
    ``low_confidence`` names the readings the caller should check (free text, one item each).
    """

    x_range: tuple[float, float] | None
    y_range: tuple[float, float] | None
    x_tick_px: tuple[float, float] | None = None
    y_tick_px: tuple[float, float] | None = None
    low_confidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class AtRiskRow:
    """One number read from the numbers-at-risk table: curve index (0-based, top row of the table
    first), the time in x-axis units, the count, and whether the reading was low-confidence."""

    curve: int
    time: float
    n_at_risk: int
    low_confidence: bool = False


@dataclass(frozen=True)
class AtRiskReading:
    """The numbers-at-risk table read under a figure: one row per printed number, plus the row
    labels as printed (arm names, when legible) and free-text warnings."""

    rows: tuple[AtRiskRow, ...]
    labels: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
