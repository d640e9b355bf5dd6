"""Colour difference and colour-vision-deficiency simulation, for checking the arm palette.

* :func:`srgb_to_lab` — sRGB hex -> CIE L*a*b* (D65 white, 2° observer).
* :func:`delta_e_2000` — the CIEDE2000 colour difference (CIE 142-2001; implementation notes of
  Sharma, Wu & Dalal 2005, whose test pairs are in ``tests/unit/test_arm_palette.py``).
* :func:`simulate` — how a colour looks under full protanopia or deuteranopia, with the
  severity-1.0 matrices of Machado, Oliveira & Fernandes 2009 applied in linear RGB.

Pure Python (no numpy), so the palette module and its test stay cheap to import.
"""

from __future__ import annotations

import math
from typing import Literal

Vision = Literal["normal", "deuteranopia", "protanopia"]
VISIONS: tuple[Vision, ...] = ("normal", "deuteranopia", "protanopia")

Rgb = tuple[float, float, float]
Lab = tuple[float, float, float]

# Machado et al. 2009, Table (severity 1.0), rows act on linear-light (R, G, B).
_MACHADO: dict[str, tuple[Rgb, Rgb, Rgb]] = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
}

# sRGB (linear) -> XYZ, D65, IEC 61966-2-1.
_TO_XYZ = (
    (0.4124, 0.3576, 0.1805),
    (0.2126, 0.7152, 0.0722),
    (0.0193, 0.1192, 0.9505),
)
_WHITE = (0.95047, 1.0, 1.08883)


def hex_to_rgb(colour: str) -> Rgb:
    """``#RRGGBB`` -> (r, g, b) in 0..1; anything else raises ``ValueError``."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _mul(m: tuple[Rgb, Rgb, Rgb], v: Rgb) -> Rgb:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def linear_rgb(colour: str, vision: Vision = "normal") -> Rgb:
    """Linear-light RGB of ``colour`` as seen with ``vision`` (clipped to the gamut)."""
    linear: Rgb = tuple(_to_linear(c) for c in hex_to_rgb(colour))  # type: ignore[assignment]
    if vision == "normal":
        return linear
    r, g, b = _mul(_MACHADO[vision], linear)
    return (min(1.0, max(0.0, r)), min(1.0, max(0.0, g)), min(1.0, max(0.0, b)))


def simulate(colour: str, vision: Vision) -> str:
    """``colour`` as seen with ``vision``, as ``#rrggbb`` (for pictures and reports)."""

    def enc(c: float) -> int:
        s = 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
        return round(255 * min(1.0, max(0.0, s)))

    r, g, b = linear_rgb(colour, vision)
    return f"#{enc(r):02x}{enc(g):02x}{enc(b):02x}"


def _lab_from_linear(rgb: Rgb) -> Lab:
    x, y, z = _mul(_TO_XYZ, rgb)

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x / _WHITE[0]), f(y / _WHITE[1]), f(z / _WHITE[2])
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def srgb_to_lab(colour: str, vision: Vision = "normal") -> Lab:
    return _lab_from_linear(linear_rgb(colour, vision))


def delta_e_2000(lab1: Lab, lab2: Lab) -> float:
    """CIEDE2000 difference of two L*a*b* colours (kL = kC = kH = 1)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0

    dl = l2 - l1
    dc = c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    else:
        dh = h2p - h1p
        if dh > 180:
            dh -= 360
        elif dh < -180:
            dh += 360
    d_big_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh) / 2)

    l_bar = (l1 + l2) / 2
    cp_bar = (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_bar = (h1p + h2p + 360) / 2
    else:
        h_bar = (h1p + h2p - 360) / 2

    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt(
        (dl / s_l) ** 2
        + (dc / s_c) ** 2
        + (d_big_h / s_h) ** 2
        + r_t * (dc / s_c) * (d_big_h / s_h)
    )


def difference(colour1: str, colour2: str, vision: Vision = "normal") -> float:
    """ΔE2000 between two sRGB colours as seen with ``vision``."""
    return delta_e_2000(srgb_to_lab(colour1, vision), srgb_to_lab(colour2, vision))


def worst_difference(colour1: str, colour2: str) -> tuple[float, Vision]:
    """The smallest ΔE2000 of the pair over normal vision, deuteranopia and protanopia."""
    return min((difference(colour1, colour2, v), v) for v in VISIONS)


def contrast_on_white(colour: str) -> float:
    """WCAG 2 contrast ratio of ``colour`` against white (1..21)."""
    r, g, b = linear_rgb(colour)
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (lum + 0.05)
