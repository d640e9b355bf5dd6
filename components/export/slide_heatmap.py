"""The adverse-event heatmap laid out for deck slides: as many slides as its rows need.

A terms × arms heatmap of 30 terms cannot keep 14 pt type in its cells and labels on one
13.33 × 7.5 in slide (the rows would be 20 px apart for 24 px type). On slides it is cut into
parts, each its own slide and each saying which part it is:

* rows: at most as many terms per slide as fit at :data:`ROW_PX` apart, in balanced chunks (30
  terms → 2 slides of 15); the slide title says "terms 1–15 of 30";
* columns: arms with nothing reported for any term of the table are not drawn (a column of grey
  hatching says nothing a presenter can point at); a line under the chart names them, so none is
  dropped silently. At most as many arms per slide as give each column :data:`COLUMN_PX`;
  more arms make more slides (arms of one trial stay together where they can);
* labels at 14 pt: each column header is two lines (trial; arm, shortened in the middle where
  it does not fit), each term wrapped to two lines at most;
* not-reported cells stay grey and hatched and read "not reported", or "<20%" when the term is
  missing from a source table that lists only terms above a threshold; a key line says so.

Pure: the screen figure dict in, figure dicts out (rendered by the caller).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from typing import Any

from components.charts.ae_heatmap import (
    NR_PATTERN,
    NR_TEXT_COLOUR,
    heat_trace,
    not_reported_traces,
)
from components.charts.labels import ELLIPSIS, middle_cut
from components.charts.theme import FONT_FAMILY, escape_plotly_text
from components.export.slide_rows import trial_groups

#: Row pitch of a slide heatmap, in picture pixels (24 px type and a gap).
ROW_PX = 40
#: Narrowest column: a trial name of 11-13 characters at 24 px, and "not reported".
COLUMN_PX = 190
#: Average advance of DejaVu Sans in em: 0.54 on labels of words (0.55 with a little room), 0.65
#: on trial names (capitals and digits), 0.71 in bold.
CHAR_PX = 0.55
BOLD_CAPS_PX = 0.72
LINE = 1.3  # plotly's line height in em
TERM_CHARS = 32  # term labels wrap at this many characters (two lines at most)
HEADER_LINES_MAX = 3  # trial name and the arm on up to two lines
COLOURBAR_PX = 140
PAD_PX = 8
EDGE_PX = 4  # between the picture's top/bottom edge and the text nearest to it
NOT_REPORTED = "not reported"


@dataclass(frozen=True)
class HeatmapPart:
    """One slide's share of the heatmap: its figure and what part of the whole it shows."""

    spec: dict[str, Any]
    #: e.g. "terms 1–15 of 30"; "" when the heatmap fits on one slide.
    part: str


def is_heatmap(spec: Mapping[str, Any]) -> bool:
    meta = (spec.get("layout") or {}).get("meta")
    return isinstance(meta, Mapping) and isinstance(meta.get("escc_heatmap"), Mapping)


def _plain(text: object) -> str:
    return unescape(str(text).replace("<br>", " "))


def _chunks(n: int, most: int) -> list[range]:
    """``range(n)`` in the fewest chunks of at most ``most``, as even as possible."""
    if n <= 0:
        return []
    count = math.ceil(n / max(1, most))
    size, extra = divmod(n, count)
    out, start = [], 0
    for i in range(count):
        stop = start + size + (1 if i < extra else 0)
        out.append(range(start, stop))
        start = stop
    return out


def _split_label(label: str) -> tuple[str, str]:
    trial, sep, arm = label.partition(": ")
    return (trial, arm) if sep else (label, "")


def _nr_text(screen: str) -> str:
    """'not reported (<20%)' → '<20%'; 'not reported' stays."""
    text = _plain(screen).strip()
    if text.startswith(NOT_REPORTED + " (") and text.endswith(")"):
        return text[len(NOT_REPORTED) + 2 : -1]
    return text or NOT_REPORTED


def _top(header_lines: int, font: float) -> float:
    return EDGE_PX + font + (header_lines - 1) * LINE * font + PAD_PX


def heatmap_parts(
    spec: Mapping[str, Any], *, width: int, height: int, font: float, min_plot_px: float
) -> list[HeatmapPart]:
    """The heatmap cut into slide pictures of ``width`` × ``height`` px with ``font`` px type,
    the cells taking at least ``min_plot_px`` of the height where the labels allow."""
    layout = spec["layout"]
    meta = layout["meta"]["escc_heatmap"]
    arms = [str(a) for a in meta["arms"]]
    terms = [str(t) for t in meta["terms"]]
    heat = next(t for t in spec["data"] if t.get("type") == "heatmap")
    z = [list(row) for row in heat.get("z") or []]
    values = [list(row) for row in heat.get("text") or []]
    nr = next(
        (t for t in spec["data"] if (t.get("meta") or {}).get("role") == "not_reported"), None
    )
    nr_text: dict[tuple[int, int], str] = {}
    if nr is not None:
        for x, y, text in zip(
            nr.get("x") or [], nr.get("y") or [], nr.get("text") or [], strict=False
        ):
            nr_text[(int(y), int(x))] = _nr_text(text)

    shown = [j for j in range(len(arms)) if any(row[j] is not None for row in z)]
    hidden = [j for j in range(len(arms)) if j not in shown]
    trials = [_split_label(arms[j])[0] for j in shown]

    line_px = LINE * font
    term_lines = [textwrap.wrap(t, TERM_CHARS) or [t] for t in terms]
    left = max(CHAR_PX * font * max(len(s) for s in lines) for lines in term_lines) + 2 * PAD_PX
    # arms left out: named in the corner above the term labels when that holds them, else in
    # the key line(s) under the chart
    left_out = _left_out(arms, hidden)
    corner_chars = int((left - 2 * PAD_PX) / (CHAR_PX * font))
    corner = textwrap.wrap(left_out, corner_chars) if left_out else []
    key_text = _hatched_key(nr_text, shown)
    if len(corner) > HEADER_LINES_MAX:
        key_text = f"{key_text} {left_out}".strip()
        corner = []
    key = textwrap.wrap(key_text, max(20, int((width - 2 * PAD_PX) / (CHAR_PX * font))))
    bottom = PAD_PX + font + (len(key) - 1) * line_px + EDGE_PX if key else PAD_PX
    # header lines: as many (2-3) as keep the cells at MIN_PLOT_PX
    header = HEADER_LINES_MAX
    while header > 2 and height - bottom - _top(header, font) < min_plot_px:
        header -= 1
    corner = corner[:header] if len(corner) <= header else []
    if left_out and not corner and left_out not in key_text:
        key = textwrap.wrap(
            f"{key_text} {left_out}".strip(),
            max(20, int((width - 2 * PAD_PX) / (CHAR_PX * font))),
        )
        bottom = PAD_PX + font + (len(key) - 1) * line_px + EDGE_PX
    top = _top(header, font)
    plot_h = height - top - bottom
    plot_w = width - left - COLOURBAR_PX
    most_rows = max(1, int(plot_h // ROW_PX))
    most_cols = max(1, int(plot_w // COLUMN_PX))
    row_chunks = _chunks(len(terms), most_rows)
    col_groups = trial_groups(trials, most_cols) if shown else [[]]

    parts: list[HeatmapPart] = []
    total = len(row_chunks) * len(col_groups)
    for group in col_groups:
        columns = [shown[g] for g in group]
        for rows in row_chunks:
            figure = _part_figure(
                heat,
                z,
                values,
                nr_text,
                arms,
                columns,
                rows,
                term_lines,
                key,
                corner,
                header_lines=header,
                font=font,
                margin={"l": left, "r": COLOURBAR_PX, "t": top, "b": bottom},
                width=width,
                height=height,
            )
            label = ""
            if total > 1:
                terms_shown = f"terms {rows.start + 1}–{rows.stop} of {len(terms)}"
                label = f"{len(parts) + 1} of {total}: {terms_shown}"
                if len(col_groups) > 1:
                    label += f", arms {_arm_span(trials, group)}"
            parts.append(HeatmapPart(figure, label))
    return parts


def _arm_span(trials: Sequence[str], group: Sequence[int]) -> str:
    names = list(dict.fromkeys(trials[g] for g in group))
    return ", ".join(names)


def left_out_note(hidden: Sequence[str], arms: Sequence[str] | Any, chars: int = 30) -> list[str]:
    """:func:`_left_out` for labels ("trial: arm"), wrapped to ``chars`` (the corner note)."""
    labels = list(arms)
    text = _left_out(labels, [labels.index(h) for h in hidden])
    return textwrap.wrap(text, chars) if text else []


def arm_header_lines(label: str, width_px: float, font: float, lines: int) -> list[str]:
    """A panel's or column's header: the trial (bold) and the arm on ``lines - 1`` lines."""
    return _column_header([label], [0], width_px, font, lines)[0].split("<br>")


def _left_out(arms: Sequence[str], hidden: Sequence[int]) -> str:
    """ "Not shown, no term reported: …" naming the arms left out (a trial's name alone when
    all its arms are), or ""."""
    if not hidden:
        return ""
    totals: dict[str, int] = {}
    for label in arms:
        trial = _split_label(label)[0]
        totals[trial] = totals.get(trial, 0) + 1
    by_trial: dict[str, list[str]] = {}
    for j in hidden:
        trial, arm = _split_label(arms[j])
        by_trial.setdefault(trial, []).append(arm)
    names = [
        trial if len(left) == totals[trial] else f"{trial} ({'; '.join(left)})"
        for trial, left in by_trial.items()
    ]
    return "Not shown, no term reported: " + ", ".join(names) + "."


def _hatched_key(nr_text: Mapping[tuple[int, int], str], shown: Sequence[int]) -> str:
    """What grey hatched cells and "<x%" mean ("" when no shown cell is hatched)."""
    if not any(j in shown for (_, j) in nr_text):
        return ""
    thresholds = sorted({t for (_, j), t in nr_text.items() if j in shown and t.startswith("<")})
    key = "Grey hatched = not reported"
    if thresholds:
        key += f" ({'/'.join(thresholds)}: not in a source table of terms above that rate)"
    return key + "."


def _arm_lines(arm: str, chars: int, lines: int) -> list[str]:
    """``arm`` on at most ``lines`` lines of ``chars``; when longer, the first lines as they
    wrap and the last line "…" + the arm's end (where arms of one trial differ most often)."""
    wrapped = textwrap.wrap(arm, chars) if arm else []
    if len(wrapped) <= lines:
        return wrapped
    head = wrapped[: lines - 1]
    tail = arm[-(chars - 1) :]
    cut = tail.find(" ")
    if 0 <= cut < len(tail) - 1 and cut < chars // 2:
        tail = tail[cut + 1 :]
    return [*head, ELLIPSIS + tail]


def _column_header(
    arms: Sequence[str], columns: Sequence[int], width_px: float, font: float, lines: int
) -> list[str]:
    """A column's header: the trial's name (bold), then the arm on ``lines - 1`` lines."""
    chars = max(6, int(width_px / (CHAR_PX * font)))
    bold_chars = max(6, int(width_px / (BOLD_CAPS_PX * font)))
    out = []
    for j in columns:
        trial, arm = _split_label(arms[j])
        head = f"<b>{escape_plotly_text(middle_cut(trial, bold_chars, keep_tail=4))}</b>"
        body = [escape_plotly_text(line) for line in _arm_lines(arm, chars, lines - 1)]
        out.append("<br>".join([head, *body]))
    return out


def _part_figure(
    heat: Mapping[str, Any],
    z: Sequence[Sequence[float | None]],
    values: Sequence[Sequence[str]],
    nr_text: Mapping[tuple[int, int], str],
    arms: Sequence[str],
    columns: Sequence[int],
    rows: range,
    term_lines: Sequence[Sequence[str]],
    key: Sequence[str],
    corner: Sequence[str],
    *,
    header_lines: int,
    font: float,
    margin: Mapping[str, float],
    width: int,
    height: int,
) -> dict[str, Any]:
    n_rows, n_cols = len(rows), len(columns)
    sub_z = [[z[i][j] for j in columns] for i in rows]
    sub_text = [[values[i][j] if z[i][j] is not None else "" for j in columns] for i in rows]
    nr_cells: list[tuple[int, int]] = []
    labels: list[str] = []
    for r, i in enumerate(rows):
        for c, j in enumerate(columns):
            if z[i][j] is None:
                nr_cells.append((c, r))
                labels.append(escape_plotly_text(nr_text.get((i, j), NOT_REPORTED)))
    plot_w = width - margin["l"] - margin["r"]
    column_px = plot_w / max(1, n_cols) - PAD_PX
    colorbar = {
        "title": {"text": "% of patients", "side": "right", "font": {"size": font}},
        "ticksuffix": "%",
        "tickfont": {"size": font},
        "thickness": 18,
        "len": 1.0,
        "x": 1.0,
        "xpad": PAD_PX,
    }
    data: list[dict[str, Any]] = [
        heat_trace(
            sub_z,
            sub_text,
            columns=n_cols,
            font_size=font,
            colorbar=colorbar,
            name=heat.get("name"),
            meta=heat.get("meta"),
        ),
        *not_reported_traces(
            nr_cells,
            labels,
            font_size=font,
            hatch={
                "fillpattern": {**NR_PATTERN, "size": 8},
                "name": "not reported (grey hatched)",
            },
            text={"hoverinfo": "skip"},
        ),
    ]
    annotations = []
    if corner:
        annotations.append(_key_note(corner, above=True, left=margin["l"], font=font))
    if key:
        annotations.append(_key_note(key, above=False, left=margin["l"], font=font))
    layout: dict[str, Any] = {
        "width": width,
        "height": height,
        "autosize": False,
        "font": {"family": FONT_FAMILY, "size": font, "color": "#1f2328"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {**margin, "pad": 0},
        "showlegend": False,
        "xaxis": {
            "tickvals": list(range(n_cols)),
            "ticktext": _column_header(arms, columns, column_px, font, header_lines),
            "side": "top",
            "range": [-0.5, n_cols - 0.5],
            "showgrid": False,
            "zeroline": False,
            "ticks": "",
            "tickangle": 0,
            "automargin": False,
        },
        "yaxis": {
            "tickvals": list(range(n_rows)),
            "ticktext": ["<br>".join(escape_plotly_text(s) for s in term_lines[i]) for i in rows],
            "range": [n_rows - 0.5, -0.5],
            "showgrid": False,
            "zeroline": False,
            "ticks": "",
            "automargin": False,
        },
        "annotations": annotations,
        "meta": {"escc_heatmap_slide": {"rows": [rows.start, rows.stop], "arms": list(columns)}},
    }
    return {"data": data, "layout": layout}


def _key_note(lines: Sequence[str], *, above: bool, left: float, font: float) -> dict[str, Any]:
    """Lines of the slide key at the picture's left edge, just above the cells (the corner over
    the term labels) or just below them."""
    return {
        "text": "<br>".join(escape_plotly_text(line) for line in lines),
        "xref": "paper",
        "yref": "paper",
        "x": 0.0,
        "y": 1.0 if above else 0.0,
        "xanchor": "left",
        "yanchor": "bottom" if above else "top",
        "xshift": -left + PAD_PX,
        "yshift": (PAD_PX if above else -PAD_PX) / 2,
        "align": "left",
        "showarrow": False,
        "font": {"size": font, "color": NR_TEXT_COLOUR},
        "name": "slide key",
    }
