"""Static images of any chart: slide sizes, presentation theme, footnote that fits, kaleido.

:func:`prepare_figure` is pure (figure in, new figure dict out; the caller's figure is never
changed) and :func:`render_figure` hands the result to the process's warm kaleido
(:mod:`components.export.engine`).

Sizes are CSS pixels. PNG is rasterised at ``scale`` (1600 x 900 at scale 2 gives 3200 x 1800,
sharp on a projected 16:9 slide); SVG and PDF are vector and always rendered at scale 1 (a PDF
page is ``width`` x ``height`` CSS px, i.e. 96 px per inch: 16.7 x 9.4 in for 16:9).

Presentation theme: fonts, line widths and marker sizes are scaled from the theme the figure was
built with (``components.charts.theme.SCREEN`` unless its base font says otherwise) to
``PRESENTATION``, and the background is white. Explicit sizes anywhere in the figure (tick fonts,
at-risk text, annotations, legend) scale by the same factor, so relative sizes are kept.

Footnote: the figure's footnote annotation (``name="footnote"``, or an annotation below the plot
area at paper y <= 0 shifted downwards, as ``build_km_figure`` draws it) is replaced by one that
is re-wrapped to the image width and pinned to the image's bottom edge; the bottom margin is
recomputed so it clears the lowest x axis's tick labels and title. Text width is estimated at
0.6 em per character (DejaVu Sans, the export font, averages 0.54 em on footnote text).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

import plotly.graph_objects as go

from components.charts.theme import (
    FONT_FAMILY,
    PRESENTATION,
    SCREEN,
    ChartTheme,
    escape_plotly_text,
)
from components.export.engine import ImageFormat
from components.export.footnote import Footnote, wrap_lines
from components.export.pool import Renderer, default_pool

ExportTheme = Literal["presentation", "screen"]
EXPORT_THEMES: tuple[ExportTheme, ...] = get_args(ExportTheme)
IMAGE_FORMATS: tuple[ImageFormat, ...] = get_args(ImageFormat)

MIN_SIDE_PX = 400
MAX_SIDE_PX = 4000
MIN_SCALE = 1.0
MAX_SCALE = 4.0
MAX_OUTPUT_PIXELS = 40_000_000  # PNG width*height after scaling (~160 MB of canvas in Chromium)

FOOTNOTE_NAME = "footnote"
FOOTNOTE_COLOUR = "#57606a"
CHAR_WIDTH_EM = 0.6
LINE_SPACING = 1.3  # plotly's line height for multi-line annotation text, in em
PAD_PX = 8
PLOTLY_DEFAULT_FONT_PX = 12
PLOTLY_DEFAULT_MARGIN = {"l": 80, "r": 80, "t": 100, "b": 80}


@dataclass(frozen=True)
class SlideSize:
    """Image size in CSS pixels. Presets: ``16:9`` (1600 x 900), ``4:3`` (1200 x 900) and
    ``deck`` (1600 x 792: the picture area under the title of a 16:9 deck slide)."""

    name: str
    width_px: int
    height_px: int

    def __post_init__(self) -> None:
        for side in (self.width_px, self.height_px):
            if isinstance(side, bool) or not isinstance(side, int):
                raise TypeError("image sides must be whole pixels")
            if not MIN_SIDE_PX <= side <= MAX_SIDE_PX:
                raise ValueError(
                    f"image sides must be {MIN_SIDE_PX}–{MAX_SIDE_PX} px, got {side} px"
                )

    @classmethod
    def custom(cls, width_px: int, height_px: int) -> SlideSize:
        return cls("custom", width_px, height_px)

    @classmethod
    def preset(cls, name: str) -> SlideSize:
        try:
            return SIZE_PRESETS[name]
        except KeyError:
            raise ValueError(
                f"unknown size preset {name!r}; use one of {sorted(SIZE_PRESETS)}"
            ) from None

    @property
    def aspect(self) -> float:
        return self.width_px / self.height_px


SLIDE_16_9 = SlideSize("16:9", 1600, 900)
SLIDE_4_3 = SlideSize("4:3", 1200, 900)
DECK_IMAGE = SlideSize("deck", 1600, 792)
SIZE_PRESETS: dict[str, SlideSize] = {s.name: s for s in (SLIDE_16_9, SLIDE_4_3, DECK_IMAGE)}


def png_too_large(width_px: int, height_px: int, scale: float) -> str | None:
    """Why a PNG of this CSS size and scale cannot be exported, or None when it can.

    The limit is on the pixels of the output (``MAX_OUTPUT_PIXELS``); the message names the
    size the user chose, the pixels it would make and the largest square that fits.
    """
    pixels = width_px * scale * height_px * scale
    if pixels <= MAX_OUTPUT_PIXELS:
        return None
    side = math.isqrt(int(MAX_OUTPUT_PIXELS / (scale * scale)))
    return (
        f"{width_px} × {height_px} px is too large for a PNG: at {scale:g}× it would be "
        f"{pixels / 1e6:.0f} million pixels, and PNG exports are limited to "
        f"{MAX_OUTPUT_PIXELS / 1e6:.0f} million (e.g. {side} × {side} px). Choose a smaller "
        "size, or SVG/PDF, which have no pixel limit."
    )


def validate_scale(fmt: ImageFormat, size: SlideSize, scale: float) -> float:
    """The scale actually used: ``scale`` for PNG (checked), 1 for the vector formats."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; use one of {IMAGE_FORMATS}")
    if fmt != "png":
        return 1.0
    if isinstance(scale, bool) or not isinstance(scale, int | float) or math.isnan(scale):
        raise TypeError("scale must be a number")
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}")
    problem = png_too_large(size.width_px, size.height_px, scale)
    if problem is not None:
        raise ValueError(problem)
    return float(scale)


# -- theme ---------------------------------------------------------------------------------------
def _source_theme(layout: Mapping[str, Any]) -> ChartTheme | None:
    size = (layout.get("font") or {}).get("size")
    for theme in (SCREEN, PRESENTATION):
        if size == theme.font_size:
            return theme
    return None


def _scaled(value: Any, factor: float) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return round(value * factor, 2)
    if isinstance(value, list | tuple) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        return [round(v * factor, 2) for v in value]
    return value  # typed arrays and anything unusual stay as they are


def _scale_fonts(node: Any, factor: float) -> None:
    """Scale every explicit ``size`` inside any ``*font`` object, at any depth."""
    if isinstance(node, MutableMapping):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, MutableMapping) and "size" in value:
                value["size"] = _scaled(value["size"], factor)
            _scale_fonts(value, factor)
    elif isinstance(node, list) and node and isinstance(node[0], MutableMapping):
        for item in node:
            _scale_fonts(item, factor)


def _scale_lines(trace: MutableMapping[str, Any], line_k: float, marker_k: float) -> None:
    line = trace.get("line")
    if isinstance(line, MutableMapping) and line.get("width"):
        line["width"] = _scaled(line["width"], line_k)
    marker = trace.get("marker")
    if isinstance(marker, MutableMapping):
        if "size" in marker:
            marker["size"] = _scaled(marker["size"], marker_k)
        mline = marker.get("line")
        if isinstance(mline, MutableMapping) and mline.get("width"):
            mline["width"] = _scaled(mline["width"], line_k)
    for key in ("error_x", "error_y"):
        err = trace.get(key)
        if isinstance(err, MutableMapping):
            if "thickness" in err:
                err["thickness"] = _scaled(err["thickness"], line_k)
            if "width" in err:
                err["width"] = _scaled(err["width"], marker_k)


def apply_presentation_theme(fig: MutableMapping[str, Any]) -> None:
    """Scale a figure dict in place from the theme it was built with to ``PRESENTATION``."""
    layout = fig.setdefault("layout", {})
    source = _source_theme(layout)
    base_font = (layout.get("font") or {}).get("size") or PLOTLY_DEFAULT_FONT_PX
    font_k = PRESENTATION.font_size / base_font
    line_k = PRESENTATION.line_width / source.line_width if source else font_k
    marker_k = PRESENTATION.marker_size / source.marker_size if source else font_k
    title_k = PRESENTATION.title_size / source.title_size if source else font_k

    title = layout.get("title")
    title_font = title.get("font") if isinstance(title, MutableMapping) else None
    title_size = title_font.get("size") if isinstance(title_font, MutableMapping) else None

    for trace in fig.get("data") or []:
        _scale_fonts(trace, font_k)
        _scale_lines(trace, line_k, marker_k)
    _scale_fonts(layout, font_k)
    for shape in layout.get("shapes") or []:
        line = shape.get("line")
        if isinstance(line, MutableMapping) and line.get("width"):
            line["width"] = _scaled(line["width"], line_k)

    font = dict(layout.get("font") or {})
    font.update({"size": PRESENTATION.font_size, "family": FONT_FAMILY})
    layout["font"] = font
    if isinstance(title_font, MutableMapping) and title_size is not None:
        title_font["size"] = _scaled(title_size, title_k)
    margin = dict(PLOTLY_DEFAULT_MARGIN) | dict(layout.get("margin") or {})
    for side in ("l", "r", "t"):
        margin[side] = round(margin[side] * font_k)
    layout["margin"] = margin
    layout["paper_bgcolor"] = PRESENTATION.background
    layout["plot_bgcolor"] = PRESENTATION.background


# -- footnote ------------------------------------------------------------------------------------
def _is_footnote(annotation: Mapping[str, Any]) -> bool:
    if annotation.get("name") == FOOTNOTE_NAME:
        return True
    return (
        annotation.get("xref") == "paper"
        and annotation.get("yref") == "paper"
        and annotation.get("showarrow") is False
        and (annotation.get("y") or 0) <= 0
        and (annotation.get("yshift") or 0) < 0
    )


_AXIS_KEY = re.compile(r"^xaxis(\d*)$")


_CARTESIAN = {"scatter", "scattergl", "bar", "box", "violin", "histogram", "heatmap", "contour"}


def _bottom_axis_reserve(fig: Mapping[str, Any], base_font: float) -> float:
    """Height (px) below the plot area needed by the lowest x axis's tick labels and title."""
    layout = fig.get("layout") or {}
    lowest: tuple[float, Mapping[str, Any]] | None = None
    for key, axis in layout.items():
        if not _AXIS_KEY.match(key) or not isinstance(axis, Mapping):
            continue
        anchor = axis.get("anchor") or "y"
        y_key = "yaxis" + anchor[1:] if anchor.startswith("y") else "yaxis"
        y_axis = layout.get(y_key) or {}
        bottom = float((y_axis.get("domain") or [0.0, 1.0])[0])
        if lowest is None or bottom < lowest[0]:
            lowest = (bottom, axis)
    if lowest is None:
        # No axis settings at all: a cartesian trace still gets a default x axis.
        types = {str(t.get("type") or "scatter") for t in fig.get("data") or []}
        if not types & _CARTESIAN:
            return PAD_PX
        lowest = (0.0, {})
    axis = lowest[1]
    reserve = float(PAD_PX)
    if axis.get("showticklabels", True) is not False and axis.get("visible", True) is not False:
        tick_font = (axis.get("tickfont") or {}).get("size") or base_font
        reserve += 1.7 * tick_font + PAD_PX
    title = axis.get("title")
    if isinstance(title, Mapping) and title.get("text"):
        title_font = (title.get("font") or {}).get("size") or base_font
        reserve += 1.7 * title_font + PAD_PX
    return reserve


def fit_footnote(
    fig: MutableMapping[str, Any], size: SlideSize, lines: list[str] | None, font_px: float
) -> None:
    """Replace the figure's footnote by ``lines`` (already escaped for plotly), wrapped to the
    image width, pinned to the image bottom, with a bottom margin that keeps it clear of the
    axes. ``lines`` None keeps the figure's own footnote text (its ``<br>`` lines)."""
    layout = fig.setdefault("layout", {})
    annotations = list(layout.get("annotations") or [])
    existing = [a for a in annotations if _is_footnote(a)]
    kept = [a for a in annotations if not _is_footnote(a)]
    if lines is None:
        lines = [
            part
            for a in existing
            for part in re.split(r"<br\s*/?>", str(a.get("text") or ""), flags=re.IGNORECASE)
        ]
    lines = [line for line in lines if line.strip()]
    layout["annotations"] = kept
    margin = dict(PLOTLY_DEFAULT_MARGIN) | dict(layout.get("margin") or {})
    base_font = (layout.get("font") or {}).get("size") or PLOTLY_DEFAULT_FONT_PX
    reserve = _bottom_axis_reserve(fig, base_font)
    if not lines:
        margin["b"] = math.ceil(reserve + PAD_PX)
        layout["margin"] = margin
        return

    # A generous allowance for the left margin growing (y-axis automargin) by up to 8 %.
    available = (size.width_px - margin["l"] - PAD_PX) * 0.92
    font = float(font_px)
    while True:
        max_chars = max(10, int(available / (CHAR_WIDTH_EM * font)))
        wrapped = wrap_lines(lines, max_chars)
        block = len(wrapped) * font * LINE_SPACING
        if block <= 0.3 * size.height_px or font <= 9:
            break
        font -= 1  # a long source list on a small image: smaller type rather than no plot
    margin["b"] = math.ceil(reserve + block + 2 * PAD_PX)
    layout["margin"] = margin
    kept.append(
        {
            "name": FOOTNOTE_NAME,
            "text": "<br>".join(wrapped),
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "bottom",
            "yshift": -(margin["b"] - PAD_PX),
            "showarrow": False,
            "align": "left",
            "font": {"size": round(font, 1), "color": FOOTNOTE_COLOUR},
        }
    )


def _clear_edge_text(fig: MutableMapping[str, Any], base_font: float) -> None:
    """Keep text drawn at the plot's left edge off the y tick labels.

    Text traces that may overflow the axes (``cliponaxis=False``, e.g. the numbers at risk under
    a KM chart, whose first column sits on x = 0) are centred on their x, so half of the widest
    text reaches into the tick-label column; ``ticklabelstandoff`` moves the labels clear.
    """
    layout = fig.setdefault("layout", {})
    for trace in fig.get("data") or []:
        texts = trace.get("text")
        if trace.get("mode") != "text" or trace.get("cliponaxis") is not False:
            continue
        if not isinstance(texts, list | tuple) or not texts:
            continue
        font_size = (trace.get("textfont") or {}).get("size") or base_font
        if isinstance(font_size, list | tuple):
            font_size = max(font_size)
        half_width = max(len(str(t)) for t in texts) * CHAR_WIDTH_EM * float(font_size) / 2
        axis = layout.setdefault("yaxis" + str(trace.get("yaxis") or "y")[1:], {})
        needed = math.ceil(half_width + PAD_PX / 2)
        axis["ticklabelstandoff"] = max(int(axis.get("ticklabelstandoff") or 0), needed)


KM_TABLE_ROW_EM = 1.6  # one at-risk row, in units of the figure's font size
KM_MIN_PLOT_SHARE = 0.45


def fit_km_panels(fig: MutableMapping[str, Any], size: SlideSize) -> None:
    """Re-fit a KM figure (``layout.meta.escc_km``) to a fixed image size.

    On screen the KM figure grows with its legend and at-risk table; a slide has a fixed
    height. Here the legend moves into the plot's top-right corner, the at-risk row labels get
    an explicit left margin (so the footnote wraps to the real width), and the curve and table
    panels are given pixel heights from the space left after the margins.
    """
    layout = fig.setdefault("layout", {})
    meta = layout.get("meta")
    km = meta.get("escc_km") if isinstance(meta, Mapping) else None
    if not isinstance(km, Mapping):
        return
    base_font = float((layout.get("font") or {}).get("size") or PLOTLY_DEFAULT_FONT_PX)
    # The legend stays above the curves, one row per arm, in slightly smaller type: inside
    # the plot it would hide curves on a narrow (4:3) slide.
    legend_font = round(base_font * 0.8, 1)
    entries = sum(1 for trace in fig.get("data") or [] if trace.get("showlegend") is not False)
    legend = dict(layout.get("legend") or {})
    legend.update(
        {
            "orientation": "v",
            "x": 0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
            "font": {"size": legend_font},
            "tracegroupgap": 0,
        }
    )
    layout["legend"] = legend
    margin = dict(PLOTLY_DEFAULT_MARGIN) | dict(layout.get("margin") or {})
    has_title = bool((layout.get("title") or {}).get("text"))
    title_px = base_font * (2.6 if has_title else 0.6)
    margin["t"] = math.ceil(title_px + entries * legend_font * 1.5 + PAD_PX)
    rows = int(km.get("table_rows") or 0)
    table_axis = layout.get("yaxis2")
    if rows and isinstance(table_axis, MutableMapping):
        labels = [str(v) for v in table_axis.get("categoryarray") or []]
        widest = max((len(v) for v in labels), default=0)
        standoff = float(table_axis.get("ticklabelstandoff") or 0)
        margin["l"] = max(
            int(margin.get("l", 70)),
            math.ceil(widest * CHAR_WIDTH_EM * base_font * 0.92 + standoff + 3.4 * base_font),
        )
        table_axis["automargin"] = False
    layout["margin"] = margin


def fit_km_domains(fig: MutableMapping[str, Any], size: SlideSize) -> None:
    """Give the KM curve and at-risk panels pixel heights once the margins are final."""
    layout = fig.setdefault("layout", {})
    meta = layout.get("meta")
    km = meta.get("escc_km") if isinstance(meta, Mapping) else None
    rows = int(km.get("table_rows") or 0) if isinstance(km, Mapping) else 0
    if not rows or not isinstance(layout.get("yaxis2"), MutableMapping):
        return
    base_font = float((layout.get("font") or {}).get("size") or PLOTLY_DEFAULT_FONT_PX)
    margin = layout.get("margin") or {}
    paper = size.height_px - float(margin.get("t", 0)) - float(margin.get("b", 0))
    if paper <= 0:
        return
    table = rows * KM_TABLE_ROW_EM * base_font + PAD_PX
    gap = 2 * (1.7 * base_font + PAD_PX)  # x tick labels and axis title of the curve panel
    if paper - table - gap < KM_MIN_PLOT_SHARE * paper:
        table = max(0.0, paper * (1 - KM_MIN_PLOT_SHARE) - gap)
    layout["yaxis2"]["domain"] = [0.0, table / paper]
    curve_bottom = min(1.0, (table + gap) / paper)
    layout["yaxis"]["domain"] = [curve_bottom, 1.0]


DENSE_MIN_ROWS = 8
DENSE_FONT_PER_ROW = 0.78  # largest font size that still leaves a gap between rows
DENSE_MIN_FONT_PX = 7.0


def fit_dense_rows(fig: MutableMapping[str, Any], size: SlideSize) -> None:
    """Shrink the type of charts with many labelled rows (response, forest, AE terms) so that
    neighbouring rows do not overprint on a fixed-height slide.

    The row pitch is read from the y axis (``tickvals`` and ``range`` over its domain); if the
    figure's font is taller than the pitch allows, every font except the title and footnote,
    and the left margin that holds the row labels, are scaled down together.
    """
    layout = fig.setdefault("layout", {})
    axis = layout.get("yaxis")
    if not isinstance(axis, MutableMapping):
        return
    ticks = axis.get("tickvals")
    span_range = axis.get("range")
    if not isinstance(ticks, list | tuple) or len(ticks) < DENSE_MIN_ROWS:
        return
    if not isinstance(span_range, list | tuple) or len(span_range) != 2:
        return
    margin = layout.get("margin") or {}
    domain = axis.get("domain") or [0.0, 1.0]
    paper = size.height_px - float(margin.get("t", 0)) - float(margin.get("b", 0))
    units = abs(float(span_range[1]) - float(span_range[0]))
    if paper <= 0 or units <= 0:
        return
    pitch = paper * (float(domain[1]) - float(domain[0])) / units
    base_font = float((layout.get("font") or {}).get("size") or PLOTLY_DEFAULT_FONT_PX)
    target = max(DENSE_MIN_FONT_PX, DENSE_FONT_PER_ROW * pitch)
    if base_font <= target:
        return
    factor = target / base_font
    title = layout.get("title")
    footnotes = [a for a in layout.get("annotations") or [] if _is_footnote(a)]
    others = [a for a in layout.get("annotations") or [] if not _is_footnote(a)]
    for trace in fig.get("data") or []:
        _scale_fonts(trace, factor)
    for key, value in list(layout.items()):
        if key in ("title", "annotations"):
            continue
        _scale_fonts({key: value}, factor)
    _scale_fonts(others, factor)
    font = dict(layout.get("font") or {})
    font["size"] = round(base_font * factor, 2)
    layout["font"] = font
    if "l" in margin:
        margin = dict(margin)
        margin["l"] = math.ceil(float(margin["l"]) * factor)
        layout["margin"] = margin
    layout["annotations"] = others + footnotes
    if title is not None:
        layout["title"] = title


def _structural_copy(node: Any) -> Any:
    """Copy dicts and lists of containers; lists of plain values are copied shallowly (plotly
    arrays are homogeneous, so the first element decides)."""
    if isinstance(node, Mapping):
        return {key: _structural_copy(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        if node and isinstance(node[0], Mapping | list | tuple):
            return [_structural_copy(item) for item in node]
        return list(node)
    return node


_HOVER_ONLY = ("customdata", "hovertemplate", "hovertext")


def _drop_hover_data(fig: MutableMapping[str, Any]) -> None:
    """Static images have no hover: drop per-point hover payloads (less to send to Chromium),
    unless a ``texttemplate`` draws from ``customdata``."""
    for trace in fig.get("data") or []:
        if "customdata" in str(trace.get("texttemplate") or ""):
            continue
        for key in _HOVER_ONLY:
            trace.pop(key, None)


# -- public --------------------------------------------------------------------------------------
def prepare_figure(
    fig: go.Figure | Mapping[str, Any],
    *,
    size: SlideSize = SLIDE_16_9,
    theme: ExportTheme = "presentation",
    footnote: Footnote | None = None,
) -> dict[str, Any]:
    """A new figure dict ready to render: themed, sized, footnote fitted. Pure.

    ``footnote`` replaces the figure's own footnote; None keeps (and re-fits) the figure's.
    """
    if theme not in EXPORT_THEMES:
        raise ValueError(f"unknown export theme {theme!r}; use one of {EXPORT_THEMES}")
    if isinstance(fig, go.Figure):
        out: dict[str, Any] = fig.to_dict()  # already a deep copy
    else:
        out = _structural_copy(fig)
    _drop_hover_data(out)
    layout = out.setdefault("layout", {})
    if theme == "presentation":
        apply_presentation_theme(out)
    layout.update({"width": size.width_px, "height": size.height_px, "autosize": False})
    for key, axis in list(layout.items()):
        if re.match(r"^yaxis\d*$", key) and isinstance(axis, MutableMapping):
            axis.setdefault("automargin", True)  # long at-risk/category labels widen the margin
    base_font = (layout.get("font") or {}).get("size") or PLOTLY_DEFAULT_FONT_PX
    _clear_edge_text(out, float(base_font))
    if footnote is not None:
        lines: list[str] | None = [escape_plotly_text(line) for line in footnote.lines()]
    else:
        lines = None
    existing_font = next(
        (
            (a.get("font") or {}).get("size")
            for a in layout.get("annotations") or []
            if _is_footnote(a)
        ),
        None,
    )
    if theme == "presentation" or existing_font is None:
        font_px = max(9.0, float(base_font) - 3)
    else:
        font_px = float(existing_font)
    fit_km_panels(out, size)
    fit_footnote(out, size, lines, font_px)
    fit_km_domains(out, size)
    fit_dense_rows(out, size)
    return out


def render_figure(
    fig: go.Figure | Mapping[str, Any],
    fmt: ImageFormat,
    size: SlideSize = SLIDE_16_9,
    scale: float = 2.0,
    theme: ExportTheme = "presentation",
    *,
    footnote: Footnote | None = None,
    engine: Renderer | None = None,
) -> bytes:
    """The chart as PNG, SVG or PDF bytes (blocks for ~0.2–0.5 s warm, ~2 s on first use).

    Raises ``ValueError``/``TypeError`` for bad arguments and
    :class:`~components.export.engine.ExportError` when rendering fails.
    """
    used_scale = validate_scale(fmt, size, scale)
    spec = prepare_figure(fig, size=size, theme=theme, footnote=footnote)
    return (engine or default_pool()).render(
        spec,
        fmt=fmt,
        width=size.width_px,
        height=size.height_px,
        scale=used_scale,
    )
