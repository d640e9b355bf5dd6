"""Adverse-event figures: summary bars per arm, term-by-term comparison, terms x regimens
heatmap. Pure builders (plotly only, no dash); inputs are the frozen tables of
:mod:`analysis.adverse_events`.

Clinical conventions, set once here:

* percentages of the safety population on a 0–100 % axis; the number drawn is the cell's
  ``shown_pct`` (recomputed from n/N when both are printed, else the published value) and the
  label gives n/N or "N not stated", and the printed percentage when it differs;
* a high-grade value whose printed band is not "≥3" carries its band in the label
  ("3–4", "3–5", "3 only"): bands are never relabelled;
* terms are in ONE order for every arm (the facets share the y axis);
* "not reported" is never a zero bar: it is a grey hatched bar with the reason on hover,
  drawn up to the source's threshold when the source lists only terms above one (the true
  value lies below it) and across the whole axis otherwise; in the heatmap it is a grey
  hatched cell;
* colours per arm come from the caller (``components.provenance.arm_colours``);
* an optional footnote (sources, caveats, data version) is drawn inside the figure, so
  exported images carry it.

Each builder writes the figure as a plain dict (``*_figure_dict``: no ``graph_objects``
validation on the request path, see :mod:`components.charts.plain`); ``build_*_figure`` wraps
the same dict in a validated ``go.Figure`` for exports and tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from analysis.adverse_events import AeCell, ArmKey, SummaryTable, TermRow, TermTable
from components.charts.ae_heatmap import NR_FILL, NR_PATTERN, heat_trace, not_reported_traces
from components.charts.ae_labels import (
    HOVER,
    band_mark,
    cell_customdata,
    hover_text,
    value_label,
    wrap,
)
from components.charts.palette import bar_marker, bars_marker
from components.charts.plain import cell_axes, subplot_grid, template
from components.charts.theme import (
    MUTED,
    SCREEN,
    ChartTheme,
    dress_layout,
    escape_plotly_text,
    percent_bar_axes,
)

Figure = dict[str, Any]

AXIS_MAX_PCT = 100.0
SUMMARY_COLUMNS = 2

GRADE_HEADINGS = {"any": "any grade", "high": "grade ≥3 (as reported)"}


@dataclass(frozen=True)
class ArmStyle:
    """How one arm is drawn: ``key`` (trial_id, arm_id), a label, its app-wide colour and the
    bar fill pattern that tells apart arms sharing a colour ("" = solid)."""

    key: ArmKey
    label: str
    colour: str
    pattern: str = ""
    full_label: str = ""  # whole "trial: arm" label, for layouts that re-wrap it ("" = label)

    def bar_marker(self, fill: str | None = None) -> dict[str, Any]:
        return bar_marker(self.colour, self.pattern, fill)


@dataclass(frozen=True)
class AeChartOptions:
    title: str | None = None
    footnote: str | None = None  # already-escaped lines joined with "<br>"
    theme: ChartTheme = SCREEN


def _esc(text: object) -> str:
    return escape_plotly_text(str(text))


def _rgba(hex_colour: str, alpha: float) -> str:
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


def _nr_extent(cell: AeCell) -> float:
    """Length of a not-reported bar: up to the source's threshold when it lists only terms
    above one (the true value is below it), else the whole axis."""
    if cell.nr_kind == "below-threshold" and cell.threshold_pct is not None:
        return float(cell.threshold_pct)
    return AXIS_MAX_PCT


def _drawn(cell: AeCell) -> bool:
    return cell.reported and cell.shown_pct is not None


def _finish(
    figure: Figure, options: AeChartOptions, *, height: int, bottom: int, left: int, top: int
) -> Figure:
    """Theme, title, footnote, size and margins shared by the AE figures."""
    layout = figure["layout"]
    title = _esc(options.title) if options.title else None
    bottom = dress_layout(
        layout, options.theme, title=title, footnote=options.footnote, bottom_px=bottom
    )
    layout.update(
        height=height + bottom,
        margin={"l": left, "r": 24, "t": top, "b": bottom},
        hovermode="closest",
        showlegend=False,
        template=template(),
    )
    return figure


def _top(options: AeChartOptions) -> int:
    return 90 if options.title else 70


def _bar(cells_: Sequence[AeCell], y: Sequence[str], hover: Sequence[str], **props: Any) -> dict:
    """A horizontal bar trace of ``cells_`` (one bar per cell, hover text per bar)."""
    return {
        "type": "bar",
        "y": list(y),
        "orientation": "h",
        "customdata": [cell_customdata(c, h) for c, h in zip(cells_, hover, strict=True)],
        "hovertemplate": HOVER,
        **props,
    }


# --------------------------------------------------------------------------------------------
# Summary bars
# --------------------------------------------------------------------------------------------


def summary_figure_dict(
    table: SummaryTable, arms: Sequence[ArmStyle], options: AeChartOptions | None = None
) -> Figure:
    """One panel per summary item (any event, grade ≥3, serious, irAE, discontinuation,
    death), arms as horizontal bars in the same order in every panel."""
    options = options or AeChartOptions()
    theme = options.theme
    by_key = {a.key: a for a in arms}
    styles = [by_key[key] for key in table.arms]
    labels = [_esc(s.label) for s in styles]
    n_items = len(table.items)
    cols = min(SUMMARY_COLUMNS, max(1, n_items))
    rows = math.ceil(n_items / cols)
    layout, titles = subplot_grid(
        rows,
        cols,
        horizontal_spacing=0.05,
        vertical_spacing=min(0.12, 0.5 / rows) if rows > 1 else 0.0,
        titles=[_esc(item.label) for item in table.items],
        shared_yaxes=True,
    )
    layout["annotations"] = titles
    data: list[dict[str, Any]] = []
    for index, (item, cells) in enumerate(zip(table.items, table.cells, strict=True)):
        row, col = index // cols + 1, index % cols + 1
        x_axis, y_axis = cell_axes(layout, row, col, cols)
        refs = {"xaxis": y_axis["anchor"], "yaxis": x_axis["anchor"]}
        heading = item.label
        entries = list(zip(labels, styles, cells, strict=True))
        shown = [(lab, s, c) for lab, s, c in entries if _drawn(c)]
        missing = [(lab, s, c) for lab, s, c in entries if not _drawn(c)]
        for group, reported in ((shown, True), (missing, False)):
            if not group:
                continue
            hover = [hover_text(c, f"{s.label} — {heading}") for _, s, c in group]
            found = [c for _, _, c in group]
            y = [lab for lab, _, _ in group]
            text = [_esc(value_label(c)) for c in found]
            if reported:
                trace = _bar(
                    found,
                    y,
                    hover,
                    x=[c.shown_pct for c in found],
                    marker=bars_marker([(s.colour, s.pattern) for _, s, _ in group]),
                    text=text,
                    textposition="outside",
                    cliponaxis=False,
                    textfont={"size": theme.font_size - 2},
                    showlegend=False,
                    name=heading,
                    meta={"role": "reported", "chart": "summary", "item": item.key},
                )
            else:
                trace = _bar(
                    found,
                    y,
                    hover,
                    x=[_nr_extent(c) for c in found],
                    marker={"color": NR_FILL, "pattern": NR_PATTERN, "line": {"width": 0}},
                    text=text,
                    textposition="inside",
                    insidetextanchor="start",
                    textfont={"size": theme.font_size - 3, "color": "#424a53"},
                    showlegend=False,
                    name=f"{heading}: not reported",
                    meta={"role": "not_reported", "chart": "summary", "item": item.key},
                )
            data.append({**trace, **refs})
        percent_bar_axes(x_axis, y_axis, top=150, ticks=(0, 25, 50, 75, 100), rows=labels)
    layout.update(barmode="overlay", bargap=0.25)
    per_row = 50 + 28 * len(styles)
    return _finish(
        {"data": data, "layout": layout},
        options,
        height=60 + rows * per_row,
        bottom=50,
        left=290,
        top=_top(options),
    )


# --------------------------------------------------------------------------------------------
# Term-by-term comparison
# --------------------------------------------------------------------------------------------


def _term_label(row: TermRow) -> str:
    return _esc(row.term)


def _title_lines(labels: Sequence[str]) -> int:
    return max((label.count("<br>") + 1 for label in labels), default=1)


def term_figure_dict(
    table: TermTable, arms: Sequence[ArmStyle], options: AeChartOptions | None = None
) -> Figure:
    """Terms (rows, one order) x arms (facets side by side). Pale bar = any grade, solid bar
    = grade ≥3 as reported (band named when not ≥3), hatched grey = not reported."""
    options = options or AeChartOptions()
    theme = options.theme
    by_key = {a.key: a for a in arms}
    styles = [by_key[key] for key in table.arms]
    cols = max(1, len(styles))
    titles = [wrap(s.label, max(12, 120 // cols)) for s in styles]
    layout, title_notes = subplot_grid(
        1,
        cols,
        horizontal_spacing=min(0.025, 0.3 / cols),
        vertical_spacing=0.0,
        titles=titles,
        shared_yaxes=True,
    )
    for note in title_notes:
        note["font"] = {"size": theme.font_size - 1}
    layout["annotations"] = title_notes
    terms = [_term_label(r) for r in table.rows]
    show_any = table.grade in ("both", "any")
    show_high = table.grade in ("both", "high")
    grade_key = "any" if show_any else "high"
    small = {"size": theme.font_size - 3}
    data: list[dict[str, Any]] = []
    for j, style in enumerate(styles):
        x_axis, y_axis = cell_axes(layout, 1, j + 1, cols)
        refs = {"xaxis": y_axis["anchor"], "yaxis": x_axis["anchor"]}
        any_cells = [r.any_cells[j] for r in table.rows]
        high_cells = [r.high_cells[j] for r in table.rows]
        primary = any_cells if show_any else high_cells
        missing = [
            (t, c, h) for t, c, h in zip(terms, primary, high_cells, strict=True) if not _drawn(c)
        ]
        if missing:
            found = [c for _, c, _ in missing]
            data.append(
                {
                    **_bar(
                        found,
                        [t for t, _, _ in missing],
                        [
                            hover_text(c, f"{style.label} — {t}, {GRADE_HEADINGS[grade_key]}")
                            for t, c, _ in missing
                        ],
                        x=[_nr_extent(c) for c in found],
                        width=0.8,
                        marker={"color": NR_FILL, "pattern": NR_PATTERN, "line": {"width": 0}},
                        # With both grades shown, a reported grade >=3 bar sits on this row: its
                        # label carries the value and the hatching alone marks the missing
                        # any-grade value.
                        text=[
                            "" if show_any and show_high and _drawn(h) else _esc(value_label(c))
                            for _, c, h in missing
                        ],
                        textposition=[
                            "outside" if _nr_extent(c) < AXIS_MAX_PCT else "inside" for c in found
                        ],
                        insidetextanchor="start",
                        cliponaxis=False,
                        textfont={"size": theme.font_size - 4, "color": "#424a53"},
                        name=f"{style.label}: not reported",
                        meta={"role": "not_reported", "chart": "terms", "grade": grade_key},
                    ),
                    **refs,
                }
            )
        if show_any:
            ok = [(t, c) for t, c in zip(terms, any_cells, strict=True) if _drawn(c)]
            if ok:
                found = [c for _, c in ok]
                data.append(
                    {
                        **_bar(
                            found,
                            [t for t, _ in ok],
                            [hover_text(c, f"{style.label} — {t}, any grade") for t, c in ok],
                            x=[c.shown_pct for c in found],
                            width=0.8,
                            marker={
                                **style.bar_marker(_rgba(style.colour, 0.3)),
                                "line": {"color": style.colour, "width": 1},
                            },
                            text=[_esc(value_label(c, with_counts=False)) for c in found],
                            textposition="outside",
                            cliponaxis=False,
                            textfont=dict(small),
                            name=f"{style.label}: any grade",
                            meta={"role": "reported", "chart": "terms", "grade": "any"},
                        ),
                        **refs,
                    }
                )
        if show_high:
            high = [
                (t, c, a) for t, c, a in zip(terms, high_cells, any_cells, strict=True) if _drawn(c)
            ]
            if high:
                found = [c for _, c, _ in high]
                data.append(
                    {
                        **_bar(
                            found,
                            [t for t, _, _ in high],
                            [
                                hover_text(c, f"{style.label} — {t}, grade ≥3 as reported")
                                for t, c, _ in high
                            ],
                            x=[c.shown_pct for c in found],
                            width=0.42,
                            marker=style.bar_marker(),
                            # the value is on the any-grade bar when that one is drawn
                            text=[
                                _esc(band_mark(c))
                                if show_any and _drawn(a)
                                else _esc(value_label(c, with_counts=False))
                                for _, c, a in high
                            ],
                            textposition="outside",
                            cliponaxis=False,
                            textfont=dict(small),
                            name=f"{style.label}: grade ≥3",
                            meta={"role": "reported", "chart": "terms", "grade": "high"},
                        ),
                        **refs,
                    }
                )
        percent_bar_axes(x_axis, y_axis, top=125, ticks=(0, 50, 100), rows=terms, automargin=True)
    layout.update(barmode="overlay", bargap=0.2)
    height = 40 + 24 * max(3, len(terms))
    top = 30 + 16 * _title_lines(titles) + (30 if options.title else 0)
    return _finish(
        {"data": data, "layout": layout}, options, height=height, bottom=50, left=250, top=top
    )


# --------------------------------------------------------------------------------------------
# Heatmap
# --------------------------------------------------------------------------------------------


def heatmap_figure_dict(
    table: TermTable, arms: Sequence[ArmStyle], options: AeChartOptions | None = None
) -> Figure:
    """Terms x arms heatmap of the primary grade (any grade unless the table's grade is
    "high"). Not-reported cells are grey and hatched with the reason on hover, never a
    colour of the scale."""
    options = options or AeChartOptions()
    theme = options.theme
    by_key = {a.key: a for a in arms}
    styles = [by_key[key] for key in table.arms]
    grade_key = "high" if table.grade == "high" else "any"
    n_terms, n_arms = len(table.rows), len(styles)
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    custom: list[list[list[object]]] = []
    nr_points: list[tuple[int, int, AeCell, str]] = []
    for i, row in enumerate(table.rows):
        cells = row.high_cells if grade_key == "high" else row.any_cells
        z_row: list[float | None] = []
        t_row: list[str] = []
        c_row: list[list[object]] = []
        for j, cell in enumerate(cells):
            heading = f"{styles[j].label} — {row.term}, {GRADE_HEADINGS[grade_key]}"
            hover = hover_text(cell, heading)
            if table.grade == "both":
                hover += "<br>" + hover_text(row.high_cells[j], "grade ≥3 as reported")
            if cell.reported and cell.shown_pct is not None:
                z_row.append(cell.shown_pct)
                label = cell.value_text().replace("%", "")  # keeps "≤" and "(printed …)"
                mark = band_mark(cell)
                t_row.append(_esc(f"{label} ({mark})" if mark else label))
                c_row.append(cell_customdata(cell, hover))
            else:
                z_row.append(None)
                t_row.append("")
                nr_points.append((i, j, cell, hover))
                # gaps are not hoverable: the not-reported text trace carries this cell's data
                c_row.append([])
        z.append(z_row)
        text.append(t_row)
        custom.append(c_row)
    data: list[dict[str, Any]] = [
        heat_trace(
            z,
            text,
            columns=n_arms,
            font_size=theme.font_size - 3,
            customdata=custom,
            colorbar={"title": {"text": "% of patients"}, "ticksuffix": "%", "len": 0.6},
            name=GRADE_HEADINGS[grade_key],
            meta={"role": "reported", "chart": "heatmap", "grade": grade_key},
        ),
        *not_reported_traces(
            [(j, i) for i, j, _, _ in nr_points],
            [_esc(value_label(c)) for _, _, c, _ in nr_points],
            font_size=theme.font_size - 4,
            hatch={
                "name": "not reported (grey hatched; reason on hover)",
                "meta": {"role": "legend"},
            },
            text={
                "customdata": [cell_customdata(c, hover) for _, _, c, hover in nr_points],
                "hovertemplate": HOVER,
                "meta": {"role": "not_reported", "chart": "heatmap", "grade": grade_key},
            },
        ),
    ]
    layout: dict[str, Any] = {
        "xaxis": {
            "tickvals": list(range(n_arms)),
            "ticktext": [wrap(s.label, 22) for s in styles],
            "side": "top",
            "range": [-0.5, n_arms - 0.5],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
        "yaxis": {
            "tickvals": list(range(n_terms)),
            "ticktext": [_term_label(r) for r in table.rows],
            "range": [n_terms - 0.5, -0.5],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
            "automargin": True,
        },
    }
    # full labels for layouts that re-wrap them (deck slides: components.export.slide_heatmap)
    arm_names, terms = [s.full_label or s.label for s in styles], [r.term for r in table.rows]
    layout["meta"] = {"escc_heatmap": {"arms": arm_names, "terms": terms}}
    height = 160 + 26 * max(3, n_terms)
    return _finish(
        {"data": data, "layout": layout}, options, height=height, bottom=40, left=250, top=150
    )


def empty_figure_dict(message: str, options: AeChartOptions | None = None) -> Figure:
    """A figure with only a message (nothing to draw for the current choice)."""
    options = options or AeChartOptions()
    layout: dict[str, Any] = {
        "annotations": [
            {
                "text": _esc(message),
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": options.theme.font_size + 1, "color": MUTED},
            }
        ],
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
    }
    return _finish(
        {"data": [], "layout": layout}, options, height=220, bottom=20, left=20, top=_top(options)
    )


# -- validated figures (exports, tests): the same dicts -----------------------------------------


def build_summary_figure(
    table: SummaryTable, arms: Sequence[ArmStyle], options: AeChartOptions | None = None
) -> go.Figure:
    return go.Figure(summary_figure_dict(table, arms, options))


def build_term_figure(
    table: TermTable, arms: Sequence[ArmStyle], options: AeChartOptions | None = None
) -> go.Figure:
    return go.Figure(term_figure_dict(table, arms, options))


def build_heatmap_figure(
    table: TermTable, arms: Sequence[ArmStyle], options: AeChartOptions | None = None
) -> go.Figure:
    return go.Figure(heatmap_figure_dict(table, arms, options))


def empty_figure(message: str, options: AeChartOptions | None = None) -> go.Figure:
    return go.Figure(empty_figure_dict(message, options))
