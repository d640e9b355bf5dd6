"""Colour separation: which pixels belong to which curve.

Each pixel is modelled as a curve colour ``c`` mixed with the background ``w`` (anti-aliasing and
JPEG blur mix a line with the paper): ``p = w + a (c - w)``. For each candidate colour the best
coverage ``a`` (clipped to [0, 1]) and the residual distance give a membership weight
``a * exp(-(residual / COLOUR_SIGMA)^2)``; a pixel belongs to the colour with the largest weight.
Black is always a candidate, so that axes, text and annotation lines are not taken for a dark
curve colour.

Automatic colours: chromatic pixels (chroma >= ``MIN_CHROMA``) are histogrammed by hue; each peak
holding at least ``MIN_COLOUR_SHARE`` of them is a curve colour, represented by the median of its
most inked quarter (furthest from the background). A grey or black curve is reported when
neutral dark pixels cover at least ``NEUTRAL_MIN_COVERAGE`` of the plot's columns (text and guide
lines cover far fewer). The engine then traces every candidate and keeps those that look like a
curve (``engine._is_curve_like``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.digitise.image import DigitiseError

FloatArray = npt.NDArray[np.float64]

#: Residual colour distance (RGB in 0-1) at which membership falls to 1/e.
COLOUR_SIGMA = 0.12
#: Chroma (max - min channel, 0-1) from which a pixel counts as coloured.
MIN_CHROMA = 0.18
#: A hue peak must hold at least this share of the coloured pixels to be a curve colour.
MIN_COLOUR_SHARE = 0.06
#: Two curve colours' hues must differ by at least this many degrees.
MIN_HUE_SEPARATION = 22.0
#: Share of plot columns that neutral dark pixels must cover to be counted as a curve.
NEUTRAL_MIN_COVERAGE = 0.55
#: Luminance below which a neutral pixel is "dark" for the neutral-curve test.
NEUTRAL_MAX_LUMINANCE = 0.6
#: Share of covered columns whose darkest neutral pixel is mid-grey for a grey (not black) curve.
GREY_CORE_SHARE = 0.4
#: Most curves the engine separates in one figure.
MAX_CURVES = 6

BLACK = (0.0, 0.0, 0.0)


def parse_hex_colour(text: str) -> tuple[float, float, float]:
    """``#rrggbb`` (or ``rrggbb``) -> RGB in [0, 1]; ``DigitiseError`` otherwise."""
    value = text.strip().lstrip("#")
    if len(value) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in value):
        raise DigitiseError(f"colour {text!r} is not of the form #rrggbb")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def hex_colour(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(max(v, 0.0), 1.0) * 255):02x}" for v in rgb)


def channel_range(rgb: FloatArray) -> FloatArray:
    """Chroma: max - min over the last axis of ``rgb`` (..., 3) (elementwise, much faster than a
    reduction over an axis of length 3)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return np.asarray(np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b))


def channel_mean(rgb: FloatArray) -> FloatArray:
    """Mean of the three channels of ``rgb`` (..., 3)."""
    return np.asarray((rgb[..., 0] + rgb[..., 1] + rgb[..., 2]) / 3.0)


@dataclass(frozen=True)
class PaperDifference:
    """``rgb - background`` in float32 for the pixels that differ from the paper at all (in a
    PNG figure most pixels are exactly the paper colour and belong to no curve colour), with
    their flat indices: computed once and shared by every ``membership`` call."""

    shape: tuple[int, ...]
    index: npt.NDArray[np.intp]
    diff: npt.NDArray[np.float32]


def paper_difference(rgb: FloatArray, background: FloatArray) -> PaperDifference:
    """The ``PaperDifference`` of ``rgb`` (..., 3) from ``background``."""
    diff = (rgb - background).astype(np.float32).reshape(-1, 3)
    index = np.flatnonzero((diff != 0).any(axis=1))
    return PaperDifference(shape=rgb.shape[:-1], index=index, diff=diff[index])


def membership(
    rgb: FloatArray,
    colour: tuple[float, float, float],
    background: FloatArray,
    *,
    diff: PaperDifference | None = None,
) -> FloatArray:
    """Membership weight in [0, 1] of every pixel of ``rgb`` (..., 3) in ``colour`` (0 for
    pixels of exactly the paper colour). ``diff``: ``paper_difference(rgb, background)`` when
    already computed."""
    d = (np.asarray(colour, dtype=np.float64) - background).astype(np.float32)
    dd = float(d @ d)
    if dd < 1e-6:
        return np.zeros(rgb.shape[:-1])
    if diff is None:
        diff = paper_difference(rgb, background)
    a = np.clip((diff.diff @ d) / dd, 0.0, 1.0)
    resid = diff.diff - a[..., None] * d
    dist2 = np.einsum("...k,...k->...", resid, resid)
    out = np.zeros(int(np.prod(diff.shape)), dtype=np.float64)
    out[diff.index] = a * np.exp(-dist2 / np.float32(COLOUR_SIGMA**2))
    return out.reshape(diff.shape)


def estimate_background(rgb: FloatArray) -> FloatArray:
    """The paper colour: the median of the brightest half of the pixels."""
    flat = rgb.reshape(-1, 3)[::7]  # a sample is enough for a median
    lum = flat.mean(axis=1)
    bright = flat[lum >= np.median(lum)]
    return np.asarray(np.median(bright, axis=0), dtype=np.float64)


def _hue_degrees(rgb: FloatArray) -> FloatArray:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    mx = np.maximum(np.maximum(r, g), b)
    mn = np.minimum(np.minimum(r, g), b)
    delta = np.where(mx - mn < 1e-9, 1e-9, mx - mn)
    hue = np.where(
        mx == r, ((g - b) / delta) % 6, np.where(mx == g, (b - r) / delta + 2, (r - g) / delta + 4)
    )
    return np.asarray(hue * 60.0)


def detect_colours(
    rgb: FloatArray,
    neutral_dark: npt.NDArray[np.bool_],
    *,
    chroma: FloatArray | None = None,
    lum: FloatArray | None = None,
) -> list[tuple[float, float, float]]:
    """Curve colours found in the plot area ``rgb`` (H, W, 3 in 0-1), most frequent first;
    a neutral (grey or black) colour is appended when ``neutral_dark`` covers enough columns.
    ``chroma``/``lum``: ``channel_range(rgb)``/``channel_mean(rgb)`` when already computed."""
    if chroma is None:
        chroma = channel_range(rgb)
    coloured = chroma >= MIN_CHROMA
    colours: list[tuple[tuple[float, float, float], float]] = []
    if coloured.sum() >= 20:
        pix = rgb[coloured]
        hue = _hue_degrees(pix)
        weight = chroma[coloured]
        bins = 72  # 5-degree bins
        hist = np.bincount((hue / 5).astype(int) % bins, weights=weight, minlength=bins)
        kernel = np.exp(-0.5 * (np.arange(-4, 5) / 1.5) ** 2)
        smooth = np.convolve(np.concatenate([hist[-4:], hist, hist[:4]]), kernel, "same")[4:-4]
        total = float(hist.sum())
        order = np.argsort(smooth)[::-1]
        peaks: list[float] = []
        paper = np.median(rgb.reshape(-1, 3), axis=0)
        for i in order:
            centre = (i + 0.5) * 5.0
            left, right = smooth[(i - 1) % bins], smooth[(i + 1) % bins]
            if smooth[i] < left or smooth[i] < right:
                continue
            if any(min(abs(centre - p), 360 - abs(centre - p)) < MIN_HUE_SEPARATION for p in peaks):
                continue
            near = np.minimum(np.abs(hue - centre), 360 - np.abs(hue - centre)) <= 15.0
            share = float(weight[near].sum()) / total
            if share < MIN_COLOUR_SHARE:
                continue
            peaks.append(centre)
            sel = pix[near]
            # The curve's own colour is its most inked pixels (anti-aliased edges and colour
            # fringes round black text are lighter).
            depth = np.linalg.norm(sel - paper, axis=1)
            top = sel[depth >= np.quantile(depth, 0.75)]
            rep = np.median(top, axis=0)
            colours.append(((float(rep[0]), float(rep[1]), float(rep[2])), share))
    result = [c for c, _ in sorted(colours, key=lambda cs: -cs[1])]
    coverage = float(neutral_dark.any(axis=0).mean()) if neutral_dark.size else 0.0
    if coverage >= NEUTRAL_MIN_COVERAGE:
        result.append(neutral_colour(rgb, neutral_dark, lum=lum))
    if len(result) > MAX_CURVES:
        result = result[:MAX_CURVES]
    return result


def neutral_colour(
    rgb: FloatArray, neutral_dark: npt.NDArray[np.bool_], *, lum: FloatArray | None = None
) -> tuple[float, float, float]:
    """Grey level of a neutral curve. In each column the darkest neutral pixel is the core of a
    stroke (anti-aliased edges are lighter); when at least ``GREY_CORE_SHARE`` of the covered
    columns have a mid-grey core, the curve is grey at their median level, else black.
    ``lum``: ``channel_mean(rgb)`` when already computed."""
    lum = np.where(neutral_dark, channel_mean(rgb) if lum is None else lum, np.inf)
    core = lum.min(axis=0)
    covered = np.isfinite(core)
    if not covered.any():
        return BLACK
    grey = covered & (core >= 0.25) & (core <= 0.7)
    if grey.sum() >= GREY_CORE_SHARE * covered.sum():
        level = float(np.median(core[grey]))
        return (level, level, level)
    return BLACK


def is_neutral(colour: tuple[float, float, float]) -> bool:
    return max(colour) - min(colour) < MIN_CHROMA


def is_black(colour: tuple[float, float, float]) -> bool:
    return is_neutral(colour) and max(colour) < 0.25
