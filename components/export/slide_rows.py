"""Row charts (response, forest) on deck slides: labels with room, and rows over several slides.

A row chart lists one arm or trial per row of its y axis (``tickvals``), with the row labels in
the left margin and, on a second x axis, text columns whose header sits in a row above the
first. At 14 pt:

* the left margin must hold the longest row label (:func:`fit_row_labels`): it grows to the
  labels' width, up to :data:`MAX_LABEL_SHARE` of the picture, and labels still longer are cut
  in the middle where they agree with their neighbours (full text in the CSV and the notes);
* rows closer than :data:`MIN_ROW_PX` overprint, so the chart is cut into parts
  (:func:`row_parts`), each showing a window of the rows with the column headers repeated
  above it, and each saying which rows it holds ("rows 1–16 of 32").

Pure: slide figure dicts in and out (``components.export.slides`` lays them out first).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from components.charts.labels import distinct_labels, fill_lines

MIN_ROW_PX = 36  # row pitch for 24 px labels (1.5 em)
MAX_LABEL_SHARE = 0.45  # of the picture's width for row labels
LABEL_EM = 0.56  # average advance of DejaVu Sans on row labels, in em (bold: 0.62)
BOLD_EM = 0.62
PAD_PX = 16


def _plain(text: object) -> str:
    return re.sub(r"<[^>]+>", "", str(text))


def _is_row_chart(spec: Mapping[str, Any]) -> bool:
    layout = spec.get("layout") or {}
    axis = layout.get("yaxis")
    return (
        isinstance(axis, Mapping)
        and isinstance(axis.get("tickvals"), list)
        and isinstance(axis.get("ticktext"), list)
        and isinstance(axis.get("range"), list)
        and "yaxis2" not in layout
        and isinstance(layout.get("xaxis2"), Mapping)
    )


def _label_px(text: str, font: float) -> float:
    em = BOLD_EM if "<b>" in text else LABEL_EM
    return len(_plain(text)) * em * font


def fit_row_labels(spec: MutableMapping[str, Any], width: int) -> None:
    """Left margin wide enough for the row labels (see the module doc)."""
    if not _is_row_chart(spec):
        return
    layout = spec["layout"]
    font = float(layout["font"]["size"])
    axis = layout["yaxis"]
    labels = [str(t) for t in axis["ticktext"]]
    most = MAX_LABEL_SHARE * width
    need = max((_label_px(t, font) for t in labels), default=0.0) + PAD_PX
    margin = dict(layout.get("margin") or {})
    if need > most:
        chars = int((most - PAD_PX) / (LABEL_EM * font))
        plain = [t for t in labels if "<b>" not in t]
        short = dict(zip(plain, distinct_labels(plain, chars), strict=True))
        axis["ticktext"] = [short.get(t, t) for t in labels]
        need = most
    margin["l"] = max(float(margin.get("l", 0)), math.ceil(need))
    layout["margin"] = margin


def row_parts(spec: Mapping[str, Any], height: int) -> list[tuple[dict[str, Any], str]]:
    """``spec`` as one or more slide figures with rows at least :data:`MIN_ROW_PX` apart, each
    with what part it is ("" when one slide holds every row)."""
    if not _is_row_chart(spec):
        return [(dict(spec), "")]
    layout = spec["layout"]
    axis = layout["yaxis"]
    low, high = (float(v) for v in axis["range"])
    ticks = sorted((float(v) for v in axis["tickvals"]), reverse=True)
    if not ticks or high <= low:
        return [(dict(spec), "")]
    margin = layout.get("margin") or {}
    domain = axis.get("domain") or [0.0, 1.0]
    plot_px = (height - float(margin.get("t", 0)) - float(margin.get("b", 0))) * (
        float(domain[1]) - float(domain[0])
    )
    top_room = high - ticks[0]  # the column headers' row(s) above the first row
    bottom_room = ticks[-1] - low
    per_unit = plot_px / (high - low)
    if per_unit >= MIN_ROW_PX:
        return [(dict(spec), "")]
    # rows per slide so that the window (rows + header room) keeps MIN_ROW_PX per row
    most = max(1, int(plot_px / MIN_ROW_PX - top_room - bottom_room) + 1)
    count = math.ceil(len(ticks) / most)
    size, extra = divmod(len(ticks), count)
    parts = []
    start = 0
    for i in range(count):
        stop = start + size + (1 if i < extra else 0)
        rows = ticks[start:stop]
        part = _window(spec, rows[0], rows[-1], top_room, bottom_room, high)
        parts.append((part, f"{i + 1} of {count}: rows {start + 1}–{stop} of {len(ticks)}"))
        start = stop
    return parts


def _window(
    spec: Mapping[str, Any],
    first: float,
    last: float,
    top_room: float,
    bottom_room: float,
    high: float,
) -> dict[str, Any]:
    """The rows from ``first`` down to ``last``: the y axis shows only them, and text above
    the first row of the whole chart (column headers) moves above ``first``."""
    out = copy.deepcopy(dict(spec))
    shift = high - top_room - first  # how far the header rows move down
    lo, hi = last - 0.5, first + 0.5
    kept = []
    for trace in out.get("data") or []:
        ys = trace.get("y")
        if not isinstance(ys, list):
            kept.append(trace)
            continue
        numbers = [float(y) for y in ys if isinstance(y, int | float)]
        if "text" in str(trace.get("mode")):
            # text points of other rows go (not every text is clipped to the plot area);
            # header text moves down above this part's first row
            keep = [
                i
                for i, y in enumerate(ys)
                if isinstance(y, int | float) and (y > high - top_room or lo <= y <= hi)
            ]
            for key in ("x", "y", "text", "textposition"):
                if isinstance(trace.get(key), list) and len(trace[key]) == len(ys):
                    trace[key] = [trace[key][i] for i in keep]
            trace["y"] = [y - shift if y > high - top_room else y for y in trace["y"]]
            kept.append(trace)
        elif not numbers or (max(numbers) >= lo and min(numbers) <= hi):
            kept.append(trace)  # a row of this part, or a line through all rows
    out["data"] = kept
    axis = out["layout"]["yaxis"]
    axis["range"] = [last - bottom_room, first + top_room]
    # only this part's row labels (the header room above the first row may hold another's)
    pairs = [
        (v, t) for v, t in zip(axis["tickvals"], axis["ticktext"], strict=True) if lo <= v <= hi
    ]
    axis["tickvals"] = [v for v, _ in pairs]
    axis["ticktext"] = [t for _, t in pairs]
    return out


# -- charts whose rows are categories shared by several panels (AE summary) -------------------

BAR_LINE_CHARS = 20  # bar labels longer than this break at their " · " parts


def _category_axes(layout: Mapping[str, Any]) -> list[str]:
    return [
        key
        for key, axis in layout.items()
        if re.match(r"^yaxis\d*$", key)
        and isinstance(axis, Mapping)
        and axis.get("type") == "category"
        and isinstance(axis.get("categoryarray"), list)
    ]


def _wrap_bar_label(text: object) -> str:
    return "<br>".join(fill_lines(str(text).split(" · "), " · ", BAR_LINE_CHARS))


def keep_points(node: MutableMapping[str, Any], keep: list[int], n: int) -> None:
    """Per-point arrays of a trace (and of its marker, pattern, line, font) cut to ``keep``."""
    for key, value in list(node.items()):
        if isinstance(value, list) and len(value) == n:
            node[key] = [value[i] for i in keep]
        elif isinstance(value, MutableMapping) and key != "meta":
            keep_points(value, keep, n)


def trial_groups(labels: Sequence[str], most: int) -> list[list[int]]:
    """Indices of ``labels`` ("trial: arm", or a trial's name alone) in order, in groups of at
    most ``most`` that keep a trial's arms together where they fit (a trial with more arms
    than ``most`` fills whole groups)."""
    groups: list[list[int]] = []
    current: list[int] = []
    trials: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        trials.setdefault(label.partition(": ")[0], []).append(index)
    for arms in trials.values():
        if current and len(current) + len(arms) > most:
            groups.append(current)
            current = []
        for arm in arms:
            if len(current) == most:
                groups.append(current)
                current = []
            current.append(arm)
    if current:
        groups.append(current)
    return groups


def category_parts(spec: Mapping[str, Any], height: int) -> list[tuple[dict[str, Any], str]]:
    """Panels sharing one category axis of arms (the AE summary's grid): long bar labels on two
    lines, and the arms over as many slides as keep each panel's rows far enough apart for
    them (the top arms first), each saying which arms it holds."""
    layout = spec.get("layout") or {}
    axes = _category_axes(layout)
    if not axes:
        return [(dict(spec), "")]
    categories = [str(c) for c in layout[axes[0]]["categoryarray"]]
    if any([str(c) for c in layout[a]["categoryarray"]] != categories for a in axes):
        return [(dict(spec), "")]
    out = copy.deepcopy(dict(spec))
    lines = 1
    for trace in out.get("data") or []:
        if trace.get("type") == "bar" and isinstance(trace.get("text"), list):
            trace["text"] = [_wrap_bar_label(t) for t in trace["text"]]
            lines = max(lines, *(str(t).count("<br>") + 1 for t in trace["text"]))
    font = float(out["layout"]["font"]["size"])
    margin = out["layout"].get("margin") or {}
    paper = height - float(margin.get("t", 0)) - float(margin.get("b", 0))
    panel = min(
        (float(d[1]) - float(d[0])) * paper
        for d in (out["layout"][a].get("domain") or [0.0, 1.0] for a in axes)
    )
    # a label of several lines spans ~(1.3 * lines - 0.1) em; keep a gap to the next one
    pitch = MIN_ROW_PX if lines == 1 else (lines * 1.3 + 0.1) * font
    most = max(1, int(panel // pitch))
    if most >= len(categories):
        return [(out, "")]
    top_first = list(reversed(categories))
    groups = [[top_first[k] for k in group] for group in trial_groups(top_first, most)]
    parts = []
    start = 0
    for i, group in enumerate(groups):
        stop = start + len(group)
        chosen = set(group)
        part = copy.deepcopy(out)
        for trace in part.get("data") or []:
            ys = trace.get("y")
            if isinstance(ys, list) and ys and all(isinstance(y, str) for y in ys):
                keep_points(trace, [j for j, y in enumerate(ys) if y in chosen], len(ys))
        for axis in axes:
            part["layout"][axis]["categoryarray"] = [c for c in categories if c in chosen]
        label = f"{i + 1} of {len(groups)}: arms {start + 1}–{stop} of {len(categories)}"
        parts.append((part, label))
        start = stop
    return parts
