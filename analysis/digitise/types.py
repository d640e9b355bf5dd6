"""Shared types of the figure digitiser (``analysis.digitise``).

Pixel coordinates follow the image convention: ``x`` grows to the right, ``y`` grows *down*, the
origin is the top-left pixel, and a pixel index names the pixel's centre. The plot box is
the rectangle enclosed by the axis lines; it is what the OCR readers (``analysis.digitise.ocr``, a
separate module) receive so that tick labels and the numbers-at-risk table can be looked for below
and left of it.

Interface with the OCR readers (``analysis.digitise.ocr_axes`` and ``ocr_table``; the reading types
are ``analysis.digitise.ocr``'s own):

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
