"""The AE term chart (one panel of bars per arm, one row per term) laid out for deck slides.

Eight arm panels of 30 terms leave panels ~130 px wide and rows 20 px apart: at 14 pt the
labels overprint. On slides:

* arm panels with nothing reported for any term are not drawn; a note in the top-left corner
  names them (as the heatmap slides do);
* the remaining panels share the width, each headed by its trial (bold) and arm on two lines;
* the terms are split over slides in balanced windows (rows at least 1.5 em apart), each slide
  saying which terms it shows; term labels wrap to two lines;
* a hatched bar reads "not reported" (the screen's "(<20%)" for terms missing from a table
  that lists only more frequent ones does not fit beside the bar at 14 pt; the reporting
  threshold of each source is in the speaker notes, with the chart's other caveats).

Pure: the laid-out slide figure dict in, figure dicts out.
"""

from __future__ import annotations

import copy
import math
import re
import textwrap
from collections.abc import Mapping
from typing import Any

from components.charts.theme import escape_plotly_text
from components.export.slide_heatmap import (
    CHAR_PX,
    TERM_CHARS,
    arm_header_lines,
    left_out_note,
)
from components.export.slide_rows import MIN_ROW_PX, keep_points

GAP = 0.03  # between panels, as a share of the plot width
EDGE_PX = 4
PAD_PX = 8
HEADER_LINES = 3
NOTE_EM = 0.62  # the corner note: trial names, capitals and digits


def is_term_chart(spec: Mapping[str, Any]) -> bool:
    return any((t.get("meta") or {}).get("chart") == "terms" for t in spec.get("data") or [])


def _suffix(axis_ref: str) -> str:
    return axis_ref[1:]  # "x3" -> "3", "x" -> ""


def _plain(text: object) -> str:
    return re.sub(r"<[^>]+>", " ", str(text)).replace("  ", " ").strip()


def term_parts(spec: Mapping[str, Any], width: int, height: int) -> list[tuple[dict, str]]:
    layout = spec["layout"]
    font = float(layout["font"]["size"])
    data = spec.get("data") or []
    panels = list(dict.fromkeys(str(t.get("xaxis") or "x") for t in data))
    centres = {p: sum(float(v) for v in layout[f"xaxis{_suffix(p)}"]["domain"]) / 2 for p in panels}
    titles = {}
    for note in layout.get("annotations") or []:
        if note.get("yref") == "paper" and float(note.get("y", 0)) >= 1.0:
            nearest = min(panels, key=lambda p: abs(centres[p] - float(note.get("x", 0))))
            titles[nearest] = _plain(escape_plotly_text(note.get("text", "")))
    names = {
        p: str(next(t for t in data if (t.get("xaxis") or "x") == p).get("name", "")).rsplit(
            ": ", 1
        )[0]
        for p in panels
    }
    reported = {
        p
        for t in data
        if (t.get("meta") or {}).get("role") == "reported"
        and any(str(x) != "" for x in t.get("text") or [""])
        and t.get("y")
        for p in [str(t.get("xaxis") or "x")]
    }
    kept = [p for p in panels if p in reported]
    hidden = [names[p] for p in panels if p not in reported]
    categories = [str(c) for c in layout["yaxis"]["categoryarray"]]
    note = _note(hidden, list(names.values()))
    line = 1.3 * font
    top = EDGE_PX + font + (HEADER_LINES - 1) * line + PAD_PX
    margin = dict(layout.get("margin") or {})
    margin["t"] = top
    wrapped = [textwrap.wrap(c, TERM_CHARS) or [c] for c in categories]
    margin["l"] = math.ceil(
        max(CHAR_PX * font * max(len(w) for w in lines) for lines in wrapped) + 2 * PAD_PX
    )
    if note:  # the corner note sits left of the first panel: the margin holds it too
        widest = max(len(line) for line in note) * NOTE_EM * font + 2 * PAD_PX
        margin["l"] = max(margin["l"], math.ceil(widest))
    plot_h = height - top - float(margin.get("b", 0))
    most = max(1, int(plot_h // MIN_ROW_PX))
    count = math.ceil(len(categories) / most)
    size, extra = divmod(len(categories), count)
    top_first = list(reversed(categories))
    label_px = float(margin.get("l", 0))
    panel_px = (width - label_px - float(margin.get("r", 0))) * (
        (1 - GAP * (len(kept) - 1)) / max(1, len(kept))
    )
    parts = []
    start = 0
    for i in range(count):
        stop = start + size + (1 if i < extra else 0)
        chosen = set(top_first[start:stop])
        part = _panel_figure(spec, kept, names, chosen, categories, margin)
        first = part["layout"]["yaxis"]
        shown = first["categoryarray"]
        first.update(
            tickmode="array",
            tickvals=shown,
            ticktext=["<br>".join(wrapped[categories.index(c)]) for c in shown],
            automargin=False,
        )
        for j, p in enumerate(kept):
            part["layout"]["annotations"].append(
                {
                    "text": "<br>".join(arm_header_lines(names[p], panel_px, font, HEADER_LINES)),
                    "xref": "paper",
                    "yref": "paper",
                    "x": _domain(j, len(kept))[0]
                    + (_domain(j, len(kept))[1] - _domain(j, len(kept))[0]) / 2,
                    "y": 1.0,
                    "xanchor": "center",
                    "yanchor": "bottom",
                    "yshift": 2,
                    "showarrow": False,
                    "font": {"size": font},
                    "name": "panel title",
                }
            )
        if note:
            part["layout"]["annotations"].append(
                {
                    "text": "<br>".join(note),
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.0,
                    "y": 1.0,
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "xshift": -PAD_PX,
                    "yshift": 2,
                    "align": "left",
                    "showarrow": False,
                    "font": {"size": font, "color": "#424a53"},
                    "name": "slide key",
                }
            )
        label = (
            f"{i + 1} of {count}: terms {start + 1}–{stop} of {len(categories)}"
            if count > 1
            else ""
        )
        parts.append((part, label))
        start = stop
    del titles
    return parts


def _note(hidden: list[str], labels: list[str]) -> list[str]:
    """The corner note naming the panels left out, on at most three lines (a trial partly left
    out reads "trial (1 of 2 arms)" when its arm names do not fit)."""
    note = left_out_note(hidden, labels)
    if len(note) <= HEADER_LINES:
        return note
    per_trial: dict[str, int] = {}
    for label in labels:
        per_trial[label.partition(": ")[0]] = per_trial.get(label.partition(": ")[0], 0) + 1
    gone: dict[str, int] = {}
    for label in hidden:
        gone[label.partition(": ")[0]] = gone.get(label.partition(": ")[0], 0) + 1
    names = [
        t if n == per_trial[t] else f"{t} ({n} of {per_trial[t]} arms)" for t, n in gone.items()
    ]
    return textwrap.wrap("Not shown, no term reported: " + ", ".join(names) + ".", 30)


def _domain(j: int, n: int) -> tuple[float, float]:
    width = (1 - GAP * (n - 1)) / n
    left = j * (width + GAP)
    return left, left + width


def _panel_figure(
    spec: Mapping[str, Any],
    kept: list[str],
    names: Mapping[str, str],
    chosen: set[str],
    categories: list[str],
    margin: Mapping[str, Any],
) -> dict[str, Any]:
    out = copy.deepcopy(dict(spec))
    layout = out["layout"]
    old = {p: (layout[f"xaxis{_suffix(p)}"], layout[f"yaxis{_suffix(p)}"]) for p in kept}
    for key in [k for k in layout if re.match(r"^[xy]axis\d*$", k)]:
        del layout[key]
    rename = {}
    for j, p in enumerate(kept):
        n = "" if j == 0 else str(j + 1)
        rename[p] = n
        xaxis, yaxis = copy.deepcopy(old[p][0]), copy.deepcopy(old[p][1])
        xaxis.update(anchor=f"y{n}", domain=list(_domain(j, len(kept))))
        yaxis.update(anchor=f"x{n}", categoryarray=[c for c in categories if c in chosen])
        yaxis.pop("matches", None)
        if j:
            yaxis.update(matches="y", showticklabels=False)
        else:
            yaxis.pop("showticklabels", None)
        layout[f"xaxis{n}"], layout[f"yaxis{n}"] = xaxis, yaxis
    data = []
    for trace in out.get("data") or []:
        p = str(trace.get("xaxis") or "x")
        if p not in rename:
            continue
        if (trace.get("meta") or {}).get("role") == "not_reported" and trace.get("text"):
            # a row with a reported bar of another grade keeps that bar's label only
            labelled = {
                y
                for other in spec.get("data") or []
                if (other.get("xaxis") or "x") == p
                and (other.get("meta") or {}).get("role") == "reported"
                for y, text in zip(other.get("y") or [], other.get("text") or [], strict=False)
                if str(text)
            }
            trace["text"] = ["" if y in labelled else "not reported" for y in trace.get("y") or []]
        trace["xaxis"], trace["yaxis"] = f"x{rename[p]}", f"y{rename[p]}"
        ys = trace.get("y") or []
        keep_points(trace, [i for i, y in enumerate(ys) if y in chosen], len(ys))
        data.append(trace)
    out["data"] = data
    layout["annotations"] = [
        a
        for a in layout.get("annotations") or []
        if not (a.get("yref") == "paper" and float(a.get("y", 0)) >= 1.0)
    ]
    layout["margin"] = dict(margin)
    del names
    return out
