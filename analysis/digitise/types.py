"""Shared types of the figure digitiser (``analysis.digitise``).

Minimal stand-in holding only :class:`PlotBox`, so that the OCR module works on its own branch;
the digitiser branch's version of this file replaces it on merge.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlotBox:
    """The plot area in pixels (x grows right, y grows down): the columns of the y-axis line
    (``left``) and of the right edge (``right``), the rows of the top edge (``top``) and of the
    x-axis line (``bottom``)."""

    left: int
    top: int
    right: int
    bottom: int
