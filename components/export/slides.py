"""How a chart is laid out on a 16:9 deck slide (13.333 × 7.5 in), for every chart type.

* the title once, on the slide (the picture carries none);
* under the title the picture, then one line naming the sources; citations and caveats in the
  speaker notes (the picture carries no footnote);
* the chart's plot area at least :data:`MIN_PLOT_SHARE` of the slide height;
* no text smaller than 14 pt once the slide is shown (:data:`MIN_FONT_PX` in picture pixels).

The picture is rendered at :data:`SLIDE_CHART` (1600 px across 13.333 in, i.e. 120 px per inch),
so 14 pt = 14/72 in = 23.3 px. A KM chart's legend moves into its at-risk table: the row labels
are drawn in the arms' colours and the legend above the curves (a third of the height) goes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from components.charts.labels import fill_lines
from components.export.footnote import Footnote
from components.export.images import SlideSize, prepare_figure
from components.export.slide_facets import is_term_chart, term_parts
from components.export.slide_heatmap import heatmap_parts, is_heatmap
from components.export.slide_rows import category_parts, fit_row_labels, row_parts

SLIDE_WIDTH_IN = 13.333
SLIDE_HEIGHT_IN = 7.5
PX_PER_IN = 120
TITLE_BAND_IN = 0.7
SOURCE_LINE_IN = 0.35
#: The picture's box: the slide's width, between the title band and the source line.
SLIDE_CHART = SlideSize(
    "slide-chart",
    round(SLIDE_WIDTH_IN * PX_PER_IN),
    round((SLIDE_HEIGHT_IN - TITLE_BAND_IN - SOURCE_LINE_IN) * PX_PER_IN),
)
MIN_FONT_PT = 14
MIN_FONT_PX = math.ceil(MIN_FONT_PT / 72 * PX_PER_IN)
MIN_PLOT_SHARE = 0.70
#: Margins of a slide picture, in pixels, before the axes' own labels widen them.
TOP_PX = 16
BOTTOM_PX = 8


def _floor_fonts(node: Any, floor: float) -> None:
    if isinstance(node, MutableMapping):
        for key, value in node.items():
            if key == "font" and isinstance(value, MutableMapping) and value.get("size"):
                value["size"] = max(float(value["size"]), floor)
            elif key in ("tickfont", "textfont", "titlefont") and isinstance(value, MutableMapping):
                value["size"] = max(float(value.get("size") or floor), floor)
            else:
                _floor_fonts(value, floor)
    elif isinstance(node, list):
        for item in node:
            _floor_fonts(item, floor)


def _colour_at_risk_labels(spec: MutableMapping[str, Any]) -> bool:
    """KM charts: the at-risk rows become the legend (labels in the arms' colours). True when
    the chart has an at-risk table and the legend was dropped."""
    layout = spec["layout"]
    table = layout.get("yaxis2")
    rows = [t for t in spec.get("data") or [] if t.get("yaxis") == "y2"]
    if not isinstance(table, MutableMapping) or not rows:
        return False
    labels: list[str] = []
    text: list[str] = []
    for trace in rows:
        ys = trace.get("y") or []
        colour = (trace.get("textfont") or {}).get("color") or "#1f2328"
        if ys:
            labels.append(str(ys[0]))
            text.append(f"<span style='color:{colour}'><b>{ys[0]}</b></span>")
    table["automargin"] = True
    table["tickmode"] = "array"
    table["tickvals"] = labels
    table["ticktext"] = text
    layout["showlegend"] = False
    return True


@dataclass(frozen=True)
class SlidePart:
    """One slide's picture of a chart, and which part of the chart it shows ("" when the whole
    chart is on this one slide; else e.g. "1 of 2: terms 1–15 of 30", for the slide title)."""

    spec: dict[str, Any]
    part: str = ""


def slide_parts(fig: go.Figure | Mapping[str, Any]) -> list[SlidePart]:
    """The chart laid out for as many deck slides as it needs: one, except for heatmaps whose
    rows or arms do not fit one slide at 14 pt (:mod:`components.export.slide_heatmap`) and
    row charts with more rows than fit 1.5 em apart (:mod:`components.export.slide_rows`)."""
    spec = fig.to_dict() if isinstance(fig, go.Figure) else dict(fig)
    if is_heatmap(spec):
        parts = heatmap_parts(
            spec,
            width=SLIDE_CHART.width_px,
            height=SLIDE_CHART.height_px,
            font=MIN_FONT_PX,
            min_plot_px=math.ceil(MIN_PLOT_SHARE * SLIDE_HEIGHT_IN * PX_PER_IN) + 4,
        )
        return [SlidePart(p.spec, p.part) for p in parts]
    laid_out = slide_figure(spec)
    if _is_ae_summary(laid_out):
        parts = category_parts(laid_out, SLIDE_CHART.height_px)
    elif is_term_chart(laid_out):
        parts = term_parts(laid_out, SLIDE_CHART.width_px, SLIDE_CHART.height_px)
    else:
        parts = row_parts(laid_out, SLIDE_CHART.height_px)
    return [SlidePart(part, label) for part, label in parts]


def _is_ae_summary(spec: Mapping[str, Any]) -> bool:
    return any((t.get("meta") or {}).get("chart") == "summary" for t in spec.get("data") or [])


def slide_figure(fig: go.Figure | Mapping[str, Any]) -> dict[str, Any]:
    """The figure laid out for one deck slide's picture (see the module doc). Pure. Charts that
    may need several slides go through :func:`slide_parts`."""
    spec = fig.to_dict() if isinstance(fig, go.Figure) else dict(fig)
    layout = dict(spec.get("layout") or {})
    layout.pop("title", None)
    layout["annotations"] = [
        a for a in layout.get("annotations") or [] if a.get("name") != "footnote"
    ]
    spec = {**spec, "layout": layout}
    out = prepare_figure(spec, size=SLIDE_CHART, theme="presentation", footnote=None)
    layout = out["layout"]
    _floor_fonts(out, MIN_FONT_PX)
    font = dict(layout.get("font") or {})
    font["size"] = max(float(font.get("size") or MIN_FONT_PX), MIN_FONT_PX)
    layout["font"] = font
    margin = dict(layout.get("margin") or {})
    is_km = isinstance((layout.get("meta") or {}).get("escc_km"), Mapping)
    if is_km and _colour_at_risk_labels(out):
        margin["t"] = TOP_PX
        _refit_km(out, margin)
        _name_marker_arms(out)
    elif layout.get("showlegend") is not False and _has_legend(out):
        # legend to the right of the plot, not above it
        layout["legend"] = {
            **(layout.get("legend") or {}),
            "orientation": "v",
            "x": 1.01,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "top",
        }
        margin["t"] = TOP_PX
    else:
        margin["t"] = min(float(margin.get("t", TOP_PX)), TOP_PX * 3)
    margin["b"] = max(BOTTOM_PX, _bottom_need(out))
    layout["margin"] = margin
    if not is_km:  # a KM chart's second x axis is its at-risk table, aligned with the curves
        fit_row_labels(out, SLIDE_CHART.width_px)
        _widen_text_columns(out)
        _thin_log_ticks(out)
    _favours_beside_ticks(out)
    _spread_network(out)
    # plotly squeezes bar labels that do not fit; on a slide they keep 14 pt and may overhang
    layout["uniformtext"] = {"minsize": MIN_FONT_PX, "mode": "show"}
    return out


CHAR_EM = 0.6  # average advance of DejaVu Sans, in em (as in components.export.images)
BOLD_EM = 0.72  # DejaVu Sans Bold on short headers with capitals ("HRs used": 0.70)
GAP = 0.02


def _widen_text_columns(spec: MutableMapping[str, Any]) -> None:
    """Forest and response charts print their values in text columns on ``xaxis2`` (positions as
    axis fractions). With 14 pt type the columns need more room: the second axis gets the width
    its longest text needs, taken from the chart beside it (which keeps at least a quarter)."""
    layout = spec["layout"]
    second = layout.get("xaxis2")
    first = layout.get("xaxis")
    if not isinstance(second, MutableMapping) or not isinstance(first, MutableMapping):
        return
    margin = layout.get("margin") or {}
    width = SLIDE_CHART.width_px - float(margin.get("l", 0)) - float(margin.get("r", 0))
    need = 0.0
    for trace in spec.get("data") or []:
        if trace.get("xaxis") != "x2" or "text" not in str(trace.get("mode")):
            continue
        size = float((trace.get("textfont") or {}).get("size") or layout["font"]["size"])
        for x, text in zip(trace.get("x") or [], trace.get("text") or [], strict=False):
            em = BOLD_EM if "<b>" in str(text) else CHAR_EM
            px = len(re.sub(r"<[^>]+>", "", str(text))) * em * size
            if float(x) < 1:
                need = max(need, px / (1 - float(x)))
    if need <= 0 or width <= 0:
        return
    split = max(0.25, 1 - GAP - need / width)
    if split < float((first.get("domain") or [0, 1])[1]):
        first["domain"] = [0.0, split]
        first["tickangle"] = 0  # a narrower axis must not turn its labels (taller margin)
        second["domain"] = [split + GAP, 1.0]


#: Ticks a log axis keeps first when its labels do not all fit: the reference line, then the
#: halvings/doublings and decades, then the rest.
TICK_PREFERENCE = (1.0, 0.5, 2.0, 0.1, 10.0, 0.2, 5.0, 0.3, 3.0, 0.05, 20.0, 0.02, 50.0)
TICK_GAP_EM = 0.4  # the least space between two tick labels, in em of their font


def _thin_log_ticks(spec: MutableMapping[str, Any]) -> None:
    """Forest charts: on a slide the HR axis is narrowed for the text columns and its labels grow
    to 14 pt, so neighbouring tick labels ("0.5" and "0.7") run into each other and read as one
    number. Ticks are dropped, least preferred first (:data:`TICK_PREFERENCE`), until every
    pair of neighbouring labels is at least :data:`TICK_GAP_EM` apart; 1 always stays."""
    layout = spec["layout"]
    axis = layout.get("xaxis")
    if not isinstance(axis, MutableMapping) or axis.get("type") != "log":
        return
    values, labels = list(axis.get("tickvals") or []), list(axis.get("ticktext") or [])
    low, high = (float(v) for v in axis.get("range") or (0.0, 0.0))
    if len(values) < 2 or len(values) != len(labels) or high <= low:
        return
    margin = layout.get("margin") or {}
    plot = SLIDE_CHART.width_px - float(margin.get("l", 0)) - float(margin.get("r", 0))
    start, end = (float(v) for v in axis.get("domain") or (0.0, 1.0))
    size = float((axis.get("tickfont") or {}).get("size") or layout["font"]["size"])

    def centre(value: float) -> float:
        return (start + (math.log10(value) - low) / (high - low) * (end - start)) * plot

    def half_width(label: str) -> float:
        return len(label) * CHAR_EM * size / 2

    def rank(value: float) -> int:
        near = [i for i, v in enumerate(TICK_PREFERENCE) if math.isclose(v, value)]
        return near[0] if near else len(TICK_PREFERENCE)

    kept: list[tuple[float, str]] = []
    for value, label in sorted(zip(values, labels, strict=True), key=lambda t: rank(t[0])):
        x = centre(float(value))
        if all(
            abs(x - centre(float(v))) - half_width(label) - half_width(other) >= TICK_GAP_EM * size
            for v, other in kept
        ):
            kept.append((value, label))
    kept.sort(key=lambda t: t[0])
    axis["tickvals"] = [v for v, _ in kept]
    axis["ticktext"] = [t for _, t in kept]


NETWORK_SPREAD = 1.6  # how much wider a network graph is drawn on a slide


def _spread_network(spec: MutableMapping[str, Any]) -> None:
    """Network graphs: at 14 pt the labels of neighbouring nodes at the top and bottom of the
    star run into each other; a slide is wide, so the star is drawn wider (an ellipse)."""
    if not any("nodes" in (t.get("meta") or {}) for t in spec.get("data") or []):
        return
    axis = spec["layout"].get("xaxis")
    if not isinstance(axis, MutableMapping) or not isinstance(axis.get("range"), list):
        return
    low, high = (float(v) for v in axis["range"])
    middle, half = (low + high) / 2, (high - low) / 2 / NETWORK_SPREAD
    axis["range"] = [middle - half, middle + half]


FAVOURS_TRACE = "favours"  # components.charts.forest names its "Favours …" text trace so


def _favours_beside_ticks(spec: MutableMapping[str, Any]) -> None:
    """Forest charts: the "← Favours experimental" / "Favours control →" labels sit in the
    header row inside the HR axis on screen; on a slide that axis is too narrow for them at
    14 pt (they were cut by the plot area). They move onto the tick-label line under the axis,
    one ending at the axis's left edge and one starting at its right edge, where the row labels
    and the text columns leave the line empty."""
    data = spec.get("data") or []
    trace = next((t for t in data if t.get("name") == FAVOURS_TRACE), None)
    if trace is None:
        return
    texts = [re.sub(r"<br\s*/?>", " ", str(t)) for t in trace.get("text") or []]
    if len(texts) != 2:
        return
    spec["data"] = [t for t in data if t is not trace]
    layout = spec["layout"]
    font = dict(trace.get("textfont") or {})
    font["size"] = max(float(font.get("size") or MIN_FONT_PX), MIN_FONT_PX)
    common = {
        "xref": "x domain",
        "yref": "paper",
        "y": 0.0,
        "yanchor": "top",
        "yshift": -4,
        "showarrow": False,
        "font": font,
        "name": FAVOURS_TRACE,
    }
    layout["annotations"] = [
        *(layout.get("annotations") or []),
        {**common, "text": texts[0], "x": 0.0, "xanchor": "right", "xshift": -8},
        {**common, "text": texts[1], "x": 1.0, "xanchor": "left", "xshift": 8},
    ]


def _has_legend(spec: Mapping[str, Any]) -> bool:
    return any(t.get("showlegend") is not False for t in spec.get("data") or [])


def _bottom_need(spec: Mapping[str, Any]) -> float:
    """Room under the lowest x axis for its tick labels and title (0 when it has none)."""
    layout = spec["layout"]
    font = float((layout.get("font") or {}).get("size") or MIN_FONT_PX)
    need = 0.0
    for key, axis in layout.items():
        if not re.match(r"^xaxis\d*$", key) or not isinstance(axis, Mapping):
            continue
        if axis.get("visible") is False or axis.get("showticklabels") is False:
            continue
        title = axis.get("title")
        has_title = bool(title.get("text") if isinstance(title, Mapping) else title)
        need = max(need, font * (1.6 + (1.5 if has_title else 0.0)))
    return need


PUBLISHED_SUFFIX = " — published values (no curve)"  # components.charts.km's legend names
SYMBOL_EM = 1.6  # "◆ " before a name, in em
MEDIAN_GLYPH = "\u25c6"  # ◆ as the median marker (diamond)
LANDMARK_GLYPH = "\u25a1"  # □ as the landmark marker (open square)


def _name_marker_arms(spec: MutableMapping[str, Any]) -> None:
    """KM charts: arms drawn only as published markers (median, landmark rates) have no at-risk
    row, so with the legend gone nothing on the slide named them. A key in the empty corner
    left of the survival axis and above the at-risk rows (which are as wide as their longest
    label) names each in its colour and says what the two marker shapes are; a name takes up
    to two lines (cut in the middle when longer). An annotation, so it moves no margin."""
    data = spec.get("data") or []
    published = [t for t in data if (t.get("meta") or {}).get("role") == "published"]
    if not published:
        return
    arms: dict[str, tuple[str, str]] = {}
    for trace in published:
        name = str(trace.get("name") or "").removesuffix(PUBLISHED_SUFFIX)
        colour = str((trace.get("marker") or {}).get("color") or "#1f2328")
        arms.setdefault(name, (colour, name))
    layout = spec["layout"]
    font = float(layout["font"]["size"])
    table = layout["yaxis2"]
    longest = max(len(re.sub(r"<[^>]+>", "", str(v))) for v in table.get("tickvals") or [])
    # the curves start after the at-risk labels (bold, ~0.62 em) and the table's title; the
    # survival axis' tick labels and title take ~5 em of that
    gap = 5.4 * font
    room = longest * 0.62 * font + 2.5 * font - gap - 8
    chars = max(12, int(room / (CHAR_EM * font) - SYMBOL_EM))
    curve_px = (1 - float(layout["yaxis"]["domain"][0])) * SLIDE_CHART.height_px
    lines = 2 if (2 + 2 * len(arms)) * 1.3 * font <= curve_px else 1
    rows = ["Published values only, no curve:", f"{MEDIAN_GLYPH} median, {LANDMARK_GLYPH} landmark"]
    for colour, name in arms.values():
        parts = _wrapped(name, chars, lines).split("<br>")
        rows.append(f"<span style='color:{colour}'>{MEDIAN_GLYPH}</span> {parts[0]}")
        rows.extend(f"<span style='color:#ffffff'>{MEDIAN_GLYPH}</span> {p}" for p in parts[1:])
    text = "<br>".join(rows)
    layout.setdefault("annotations", []).append(
        {
            "text": text,
            "xref": "paper",
            "yref": "paper",
            "x": 0.0,
            "y": 1.0,
            "xanchor": "right",
            "yanchor": "top",
            "xshift": -gap,
            "align": "left",
            "showarrow": False,
            "font": {"size": font},
            "name": "published key",
        }
    )


def _wrapped(text: str, chars: int, lines: int) -> str:
    """``text`` on at most ``lines`` lines of ``chars``, cut in the middle when longer."""
    out = fill_lines(text.split(), " ", chars)
    if len(out) <= lines:
        return "<br>".join(out)
    head = out[: lines - 1]
    tail = text[-(chars - 1) :]
    space = tail.find(" ")
    if 0 <= space < chars // 2:
        tail = tail[space + 1 :]
    return "<br>".join([*head, "…" + tail])


def _refit_km(spec: MutableMapping[str, Any], margin: Mapping[str, Any]) -> None:
    """Curve and at-risk panels sized again after the legend left the top margin."""
    layout = spec["layout"]
    font = float(layout["font"]["size"])
    rows = len(layout["yaxis2"].get("tickvals") or [])
    paper = SLIDE_CHART.height_px - TOP_PX - max(BOTTOM_PX, _bottom_need(spec))
    table = rows * 1.35 * font + 8
    gap = 2 * (1.6 * font) + 8
    layout["yaxis2"]["domain"] = [0.0, min(0.45, table / paper)]
    layout["yaxis"]["domain"] = [min(0.6, (table + gap) / paper), 1.0]
    margin = dict(margin)
    margin["t"] = TOP_PX
    layout["margin"] = margin


def source_line(footnote: Footnote) -> str:
    """One line under the chart: the sources' short citations and the data version."""
    shorts = "; ".join(dict.fromkeys(s.short for s in footnote.sources))
    line = f"Sources: {shorts}" if shorts else "Sources: see notes"
    line += f" · data {footnote.data_version}"
    if footnote.cross_trial:
        line += " · cross-trial, not randomised"
    return line


def plot_area_share(spec: Mapping[str, Any]) -> float:
    """Plot area (inside the margins) as a share of the slide height, from the figure's own
    layout (the rendering test measures it again in the image)."""
    layout = spec["layout"]
    margin = layout.get("margin") or {}
    plot_px = float(layout["height"]) - float(margin.get("t", 0)) - float(margin.get("b", 0))
    return plot_px / PX_PER_IN / SLIDE_HEIGHT_IN
