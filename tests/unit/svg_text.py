"""Where the text of a rendered plotly SVG sits, measured with the font it is drawn in.

Used by the slide tests (issue 15) to find text that is cut off: text running past the picture's
edge, text cut by the clip box of the plot area it is drawn in, and text drawn over other text.

Each ``<text>`` element's box is built from its position (``x``/``y`` and every ``translate``,
``scale`` and ±90° ``rotate`` on the way down the tree), its ``text-anchor`` and the advance
widths of its characters in the font file Chromium draws with (DejaVu Sans, the export font;
bold runs from DejaVu Sans Bold), read with Pillow. Lines (``<tspan class="line">``) are
placed by their own ``y`` and ``dy``. Vertically a line spans ascent 0.93 em above its
baseline to descent 0.24 em below it (DejaVu Sans' own metrics, rounded up).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
ASCENT_EM = 0.93
DESCENT_EM = 0.24
_SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def inside(self, other: Box, slack: float = 1.0) -> bool:
        return (
            self.left >= other.left - slack
            and self.right <= other.right + slack
            and self.top >= other.top - slack
            and self.bottom <= other.bottom + slack
        )

    def overlap(self, other: Box) -> float:
        """Smaller side of the intersection (0 when the boxes do not meet)."""
        w = min(self.right, other.right) - max(self.left, other.left)
        h = min(self.bottom, other.bottom) - max(self.top, other.top)
        return max(0.0, min(w, h))


@dataclass(frozen=True)
class PlacedText:
    text: str
    box: Box
    #: The clip box the text is drawn in (absolute picture pixels), None when unclipped.
    clip: Box | None
    css_class: str


@lru_cache(maxsize=64)
def _font(size: float, bold: bool) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size=max(1, round(size * 4)))


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Advance width of ``text`` in px at ``size`` px (measured at 4× for sub-pixel sizes)."""
    return float(_font(size, bold).getlength(text)) / 4


def _style(node: ET.Element, name: str) -> str | None:
    found = re.search(rf"{name}:\s*([^;]+)", node.get("style") or "")
    return found.group(1).strip() if found else None


def _transform(value: str | None) -> tuple[float, float, float, float]:
    """(dx, dy, scale, rotation in degrees) of a plotly transform attribute (translate,
    scale and rotate, which plotly writes about a point: rotate(a, cx, cy))."""
    dx = dy = 0.0
    scale = 1.0
    angle = 0.0
    for kind, args in re.findall(r"(translate|scale|rotate)\(([^)]*)\)", value or ""):
        nums = [float(n) for n in re.split(r"[ ,]+", args.strip()) if n]
        if kind == "translate":
            dx += nums[0]
            dy += nums[1] if len(nums) > 1 else 0.0
        elif kind == "scale":
            scale *= nums[0]
        elif nums and abs(nums[0]) > 1e-9:
            angle = nums[0]
    return dx, dy, scale, angle


def _lines(node: ET.Element, size: float, bold: bool) -> list[tuple[str, float, float]]:
    """(text, width, baseline offset) of each line of a ``<text>``."""
    parts = [c for c in node if c.tag == f"{_SVG}tspan" and "line" in (c.get("class") or "")]
    if not parts:
        return [("".join(node.itertext()), _run_width(node, size, bold), 0.0)]
    out = []
    offset = 0.0
    base = float(node.get("y") or 0)
    for part in parts:
        dy_text = part.get("dy") or "0"
        dy = float(dy_text[:-2]) * size if dy_text.endswith("em") else float(dy_text)
        # plotly gives every line its own y (the text's) and a dy from it; without a y the
        # shift is from the previous line
        offset = (float(part.get("y")) - base + dy) if part.get("y") else offset + dy
        out.append(("".join(part.itertext()), _run_width(part, size, bold), offset))
    return out


def _run_width(node: ET.Element, size: float, bold: bool) -> float:
    weight = _style(node, "font-weight")
    bold = bold or (weight is not None and weight in ("bold", "700"))
    own = node.text or ""
    width = text_width(own, size, bold) if own else 0.0
    for child in node:
        if child.tag == f"{_SVG}tspan" and "line" not in (child.get("class") or ""):
            width += _run_width(child, size, bold)
        width += text_width(child.tail, size, bold) if child.tail else 0.0
    return width


def placed_texts(svg: str) -> list[PlacedText]:
    """Every non-empty line of every ``<text>`` of ``svg`` with its box and clip box, in
    picture pixels."""
    root = ET.fromstring(svg)
    clips: dict[str, tuple[float, float, float, float]] = {}
    for clip in root.iter(f"{_SVG}clipPath"):
        rect = clip.find(f"{_SVG}rect")
        if rect is not None and clip.get("id"):
            clips[clip.get("id", "")] = (
                float(rect.get("x") or 0),
                float(rect.get("y") or 0),
                float(rect.get("width") or 0),
                float(rect.get("height") or 0),
            )
    found: list[PlacedText] = []

    def walk(node: ET.Element, ox: float, oy: float, scale: float, clip: Box | None) -> None:
        dx, dy, own_scale, angle = _transform(node.get("transform"))
        ox, oy = ox + dx * scale, oy + dy * scale
        scale *= own_scale
        ref = re.match(r"url\(#([^)]+)\)", node.get("clip-path") or "")
        if ref and ref.group(1) in clips:
            x, y, w, h = clips[ref.group(1)]
            box = Box(ox + x * scale, oy + y * scale, ox + (x + w) * scale, oy + (y + h) * scale)
            clip = box if clip is None else _intersect(clip, box)
        if node.tag == f"{_SVG}text":
            found.extend(_place(node, ox, oy, scale, angle, clip))
            return
        for child in node:
            walk(child, ox, oy, scale, clip)

    walk(root, 0.0, 0.0, 1.0, None)
    return found


def _intersect(a: Box, b: Box) -> Box:
    return Box(
        max(a.left, b.left), max(a.top, b.top), min(a.right, b.right), min(a.bottom, b.bottom)
    )


def _place(
    node: ET.Element, ox: float, oy: float, scale: float, angle: float, clip: Box | None
) -> list[PlacedText]:
    """One box per line of a ``<text>`` (a short line under a long one leaves its side free)."""
    size_text = _style(node, "font-size")
    if not "".join(node.itertext()).strip() or size_text is None:
        return []
    if abs(angle) > 1e-6 and abs(abs(angle) - 90) > 1e-6:
        return []  # other angles do not occur on slides; not measured
    size = float(size_text.rstrip("px"))
    bold = (_style(node, "font-weight") or "") in ("bold", "700")
    x = float(node.get("x") or 0)
    y = float(node.get("y") or 0)
    anchor = node.get("text-anchor") or "start"
    out = []
    for text, width, offset in _lines(node, size, bold):
        if not text.strip():
            continue
        left = x - {"start": 0.0, "middle": width / 2, "end": width}.get(anchor, 0.0)
        top = y + offset - ASCENT_EM * size
        bottom = y + offset + DESCENT_EM * size
        box = Box(
            ox + left * scale, oy + top * scale, ox + (left + width) * scale, oy + bottom * scale
        )
        if abs(angle) > 1e-6:
            # rotated about the text's own anchor point (plotly: rotate(±90, x, y))
            cx, cy = ox + x * scale, oy + y * scale
            corners = [(box.left, box.top), (box.right, box.bottom)]
            turned = [_turn(px, py, cx, cy, angle) for px, py in corners]
            xs, ys = [p[0] for p in turned], [p[1] for p in turned]
            box = Box(min(xs), min(ys), max(xs), max(ys))
        out.append(PlacedText(text.strip(), box, clip, node.get("class") or ""))
    return out


def _turn(px: float, py: float, cx: float, cy: float, angle: float) -> tuple[float, float]:
    rad = math.radians(angle)
    x, y = px - cx, py - cy
    return cx + x * math.cos(rad) - y * math.sin(rad), cy + x * math.sin(rad) + y * math.cos(rad)


def picture_box(svg: str) -> Box:
    root = ET.fromstring(svg)
    return Box(0.0, 0.0, float(root.get("width") or 0), float(root.get("height") or 0))


def cut_texts(svg: str, slack: float = 1.0) -> list[str]:
    """Texts running past the picture's edge or their clip box, described."""
    frame = picture_box(svg)
    out = []
    for item in placed_texts(svg):
        if not item.box.inside(frame, slack):
            out.append(f"{item.text!r} runs past the picture ({_fmt(item.box)})")
        elif item.clip is not None and not item.box.inside(item.clip, slack):
            out.append(
                f"{item.text!r} is clipped by its plot area ({_fmt(item.box)} in {_fmt(item.clip)})"
            )
    return out


def overlapping_texts(svg: str, tolerance: float = 2.0) -> list[str]:
    """Pairs of texts drawn over each other (overlap deeper than ``tolerance`` px)."""
    items = placed_texts(svg)
    out = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            depth = a.box.overlap(b.box)
            if depth > tolerance:
                out.append(f"{a.text!r} and {b.text!r} overlap by {depth:.0f} px")
    return out


def _fmt(box: Box) -> str:
    return f"x {box.left:.0f}–{box.right:.0f}, y {box.top:.0f}–{box.bottom:.0f}"
