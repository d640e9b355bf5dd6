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
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.adverse_events import (
    CATEGORY_ABBREVIATIONS,
    AeCell,
    ArmKey,
    SummaryTable,
    TermRow,
    TermTable,
    band_label,
)
from components.charts.theme import SCREEN, ChartTheme, escape_plotly_text, footnote_annotation

NR_FILL = "rgba(175,184,193,0.45)"
NR_PATTERN = {"shape": "/", "fgcolor": "#6e7781", "bgcolor": "rgba(234,238,242,0.6)", "size": 6}
NR_LABEL = "not reported"
HEAT_SCALE = (
    (0.0, "#f2f7fc"),
    (0.25, "#b7d4ea"),
    (0.5, "#6aaed6"),
    (0.75, "#2878b8"),
    (1.0, "#08306b"),
)
AXIS_MAX_PCT = 100.0
SUMMARY_COLUMNS = 2

GRADE_HEADINGS = {"any": "any grade", "high": "grade ≥3 (as reported)"}

# How to read each chart: shown in the caption and carried into the export footnote.
SUMMARY_KEY = (
    "Bars: percentage of the safety population with n/N (or 'N not stated'); grey hatched = "
    "not reported, with the reason on hover — never 0."
)
TERM_KEY = (
    "Pale bar = any grade; solid bar = grade ≥3 as reported (other printed bands are named: "
    "3–4, 3–5, grade 3 only); grey hatched = not reported, drawn up to the source's "
    "threshold when it lists only terms above one (the value lies below it)."
)
HEATMAP_KEY = (
    "Colour = percentage of patients; grey hatched cell = not reported (reason on hover), "
    "never a colour of the scale."
)


@dataclass(frozen=True)
class ArmStyle:
    """How one arm is drawn: ``key`` (trial_id, arm_id), a label and its app-wide colour."""

    key: ArmKey
    label: str
    colour: str


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


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def band_mark(cell: AeCell) -> str:
    """Short band note for a high-grade cell whose band is not "≥3" (empty otherwise)."""
    band = cell.grade_band
    if not cell.reported or band in (None, ">=3", "any", "5"):
        return ""
    if band == "3":
        return "grade 3 only"
    return band_label(band)


def value_label(cell: AeCell, *, with_counts: bool = True) -> str:
    """Bar label: ``"74% · 37/50"``, ``"47% · grade 3–4 · N not stated"``, or
    ``"not reported"`` (with ``"<20%"`` when below a threshold)."""
    if not cell.reported:
        if cell.nr_kind == "below-threshold" and cell.threshold_pct is not None:
            return f"{NR_LABEL} (<{_num(cell.threshold_pct)}%)"
        return NR_LABEL
    parts = [cell.value_text()]
    mark = band_mark(cell)
    if mark:
        parts.append(mark)
    if with_counts:
        parts.append(short_counts(cell))
    return " · ".join(parts)


def short_counts(cell: AeCell) -> str:
    """``"37/50"``, ``"N = 46"``, ``"n = 9, N not stated"`` or ``"N not stated"``."""
    if cell.n_patients is not None and cell.denominator_n is not None:
        return f"{cell.n_patients}/{cell.denominator_n}"
    if cell.denominator_n is not None:
        return f"N = {cell.denominator_n}"
    if cell.n_patients is not None:
        return f"n = {cell.n_patients}, N not stated"
    return "N not stated"


def hover_text(cell: AeCell, heading: str) -> str:
    """Hover text for one cell: value, n/N, band, category, printed term, source, notes."""
    lines = [f"<b>{_esc(heading)}</b>"]
    if cell.reported:
        lines.append(_esc(f"{cell.value_text()} ({cell.count_text()})"))
        if cell.recomputed_pct is not None and cell.published_pct is not None:
            lines.append(
                _esc(
                    f"recomputed {_num(cell.recomputed_pct)}% from n/N; "
                    f"published {_num(cell.published_pct)}%"
                )
            )
    else:
        lines.append(_esc(cell.value_text()))
    if cell.grade_band:
        lines.append(_esc(f"grade band as printed: {band_label(cell.grade_band)}"))
    if cell.category:
        lines.append(_esc(f"category: {cell.category}"))
    if cell.printed:
        lines.append(_esc(f"printed as: “{cell.printed}”"))
    source = ", ".join(
        p for p in (cell.source_level, cell.analysis_label, cell.locator) if p is not None
    )
    if source:
        lines.append(_esc(f"source: {source}"))
    if cell.as_printed:
        lines.append(_esc(f"as printed: {cell.as_printed}"[:160]))
    for alt in cell.alternatives[:3]:
        lines.append(_esc(f"also reported: {alt}"[:160]))
    return "<br>".join(lines)


def cell_customdata(cell: AeCell, hover: str) -> list[object]:
    """Per-bar data (kept in the figure so tests and exports can trace every bar to its
    evidence row): trial, arm, analysis, printed term, category, band, summary item, status,
    shown %, published %, n, N, hover text."""
    return [
        cell.trial_id,
        cell.arm_id,
        cell.analysis_id,
        cell.printed,
        cell.category,
        cell.grade_band,
        cell.summary_item,
        cell.status,
        cell.shown_pct,
        cell.published_pct,
        cell.n_patients,
        cell.denominator_n,
        hover,
    ]


HOVER = "%{customdata[12]}<extra></extra>"


def _nr_extent(cell: AeCell) -> float:
    """Length of a not-reported bar: up to the source's threshold when it lists only terms
    above one (the true value is below it), else the whole axis."""
    if cell.nr_kind == "below-threshold" and cell.threshold_pct is not None:
        return float(cell.threshold_pct)
    return AXIS_MAX_PCT


def _add_footnote(fig: go.Figure, options: AeChartOptions, bottom: int) -> int:
    if not options.footnote:
        return bottom
    note, grown = footnote_annotation(options.footnote, options.theme, bottom)
    fig.add_annotation(**note)
    bottom = int(grown)
    return bottom


def _finish(
    fig: go.Figure, options: AeChartOptions, *, height: int, bottom: int, left: int
) -> go.Figure:
    bottom = _add_footnote(fig, options, bottom)
    base = options.theme.layout()
    if options.title:
        base["title"] = {
            "text": _esc(options.title),
            "x": 0.01,
            "font": {"size": options.theme.title_size},
        }
    else:
        base.pop("title", None)
    fig.update_layout(
        **base,
        height=height + bottom,
        margin={"l": left, "r": 24, "t": 90 if options.title else 70, "b": bottom},
        hovermode="closest",
        showlegend=False,
    )
    return fig


def _wrap(text: str, width: int) -> str:
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return "<br>".join(_esc(line) for line in lines)


# --------------------------------------------------------------------------------------------
# Summary bars
# --------------------------------------------------------------------------------------------


def build_summary_figure(
    table: SummaryTable, arms: Sequence[ArmStyle], options: AeChartOptions | None = None
) -> go.Figure:
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
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_yaxes=True,
        horizontal_spacing=0.05,
        vertical_spacing=min(0.12, 0.5 / rows) if rows > 1 else 0.0,
        subplot_titles=[_esc(item.label) for item in table.items],
    )
    for index, (item, cells) in enumerate(zip(table.items, table.cells, strict=True)):
        row, col = index // cols + 1, index % cols + 1
        heading = item.label
        reported = [(lab, s, c) for lab, s, c in zip(labels, styles, cells, strict=True)]
        shown = [(lab, s, c) for lab, s, c in reported if c.reported and c.shown_pct is not None]
        missing = [
            (lab, s, c) for lab, s, c in reported if not (c.reported and c.shown_pct is not None)
        ]
        if shown:
            fig.add_trace(
                go.Bar(
                    x=[c.shown_pct for _, _, c in shown],
                    y=[lab for lab, _, _ in shown],
                    orientation="h",
                    marker={"color": [s.colour for _, s, _ in shown]},
                    text=[_esc(value_label(c)) for _, _, c in shown],
                    textposition="outside",
                    cliponaxis=False,
                    textfont={"size": theme.font_size - 2},
                    customdata=[
                        cell_customdata(c, hover_text(c, f"{s.label} — {heading}"))
                        for _, s, c in shown
                    ],
                    hovertemplate=HOVER,
                    showlegend=False,
                    name=heading,
                    meta={"role": "reported", "chart": "summary", "item": item.key},
                ),
                row=row,
                col=col,
            )
        if missing:
            fig.add_trace(
                go.Bar(
                    x=[_nr_extent(c) for _, _, c in missing],
                    y=[lab for lab, _, _ in missing],
                    orientation="h",
                    marker={"color": NR_FILL, "pattern": NR_PATTERN, "line": {"width": 0}},
                    text=[_esc(value_label(c)) for _, _, c in missing],
                    textposition="inside",
                    insidetextanchor="start",
                    textfont={"size": theme.font_size - 3, "color": "#424a53"},
                    customdata=[
                        cell_customdata(c, hover_text(c, f"{s.label} — {heading}"))
                        for _, s, c in missing
                    ],
                    hovertemplate=HOVER,
                    showlegend=False,
                    name=f"{heading}: not reported",
                    meta={"role": "not_reported", "chart": "summary", "item": item.key},
                ),
                row=row,
                col=col,
            )
        fig.update_xaxes(
            row=row,
            col=col,
            range=[0, 150],
            tickvals=[0, 25, 50, 75, 100],
            ticksuffix="%",
            gridcolor="#eaeef2",
            zeroline=True,
            zerolinecolor="#57606a",
            fixedrange=True,
        )
        fig.update_yaxes(
            row=row,
            col=col,
            type="category",
            categoryorder="array",
            categoryarray=list(reversed(labels)),
            fixedrange=True,
        )
    fig.update_layout(barmode="overlay", bargap=0.25)
    per_row = 50 + 28 * len(styles)
    return _finish(fig, options, height=60 + rows * per_row, bottom=50, left=290)


# --------------------------------------------------------------------------------------------
# Term-by-term comparison
# --------------------------------------------------------------------------------------------


def _term_label(row: TermRow) -> str:
    return _esc(row.term)


def _title_lines(labels: Sequence[str]) -> int:
    return max((label.count("<br>") + 1 for label in labels), default=1)


def build_term_figure(
    table: TermTable, arms: Sequence[ArmStyle], options: AeChartOptions | None = None
) -> go.Figure:
    """Terms (rows, one order) x arms (facets side by side). Pale bar = any grade, solid bar
    = grade ≥3 as reported (band named when not ≥3), hatched grey = not reported."""
    options = options or AeChartOptions()
    theme = options.theme
    by_key = {a.key: a for a in arms}
    styles = [by_key[key] for key in table.arms]
    cols = max(1, len(styles))
    titles = [_wrap(s.label, max(12, 120 // cols)) for s in styles]
    fig = make_subplots(
        rows=1,
        cols=cols,
        shared_yaxes=True,
        horizontal_spacing=min(0.025, 0.3 / cols),
        subplot_titles=titles,
    )
    fig.update_annotations(font={"size": theme.font_size - 1})
    terms = [_term_label(r) for r in table.rows]
    show_any = table.grade in ("both", "any")
    show_high = table.grade in ("both", "high")
    grade_key = "any" if show_any else "high"
    small = {"size": theme.font_size - 3}
    for j, style in enumerate(styles):
        col = j + 1
        any_cells = [r.any_cells[j] for r in table.rows]
        high_cells = [r.high_cells[j] for r in table.rows]
        primary = any_cells if show_any else high_cells

        def drawn(cell: AeCell) -> bool:
            return cell.reported and cell.shown_pct is not None

        missing = [
            (t, c, h) for t, c, h in zip(terms, primary, high_cells, strict=True) if not drawn(c)
        ]
        if missing:
            texts = []
            for _, cell, high in missing:
                # With both grades shown, a reported grade >=3 bar sits on this row: its label
                # carries the value and the hatching alone marks the missing any-grade value.
                texts.append(
                    "" if show_any and show_high and drawn(high) else _esc(value_label(cell))
                )
            fig.add_trace(
                go.Bar(
                    x=[_nr_extent(c) for _, c, _ in missing],
                    y=[t for t, _, _ in missing],
                    orientation="h",
                    width=0.8,
                    marker={"color": NR_FILL, "pattern": NR_PATTERN, "line": {"width": 0}},
                    text=texts,
                    textposition=[
                        "outside" if _nr_extent(c) < AXIS_MAX_PCT else "inside"
                        for _, c, _ in missing
                    ],
                    insidetextanchor="start",
                    cliponaxis=False,
                    textfont={"size": theme.font_size - 4, "color": "#424a53"},
                    customdata=[
                        cell_customdata(
                            c, hover_text(c, f"{style.label} — {t}, {GRADE_HEADINGS[grade_key]}")
                        )
                        for t, c, _ in missing
                    ],
                    hovertemplate=HOVER,
                    name=f"{style.label}: not reported",
                    meta={"role": "not_reported", "chart": "terms", "grade": grade_key},
                ),
                row=1,
                col=col,
            )
        if show_any:
            ok = [(t, c) for t, c in zip(terms, any_cells, strict=True) if drawn(c)]
            if ok:
                fig.add_trace(
                    go.Bar(
                        x=[c.shown_pct for _, c in ok],
                        y=[t for t, _ in ok],
                        orientation="h",
                        width=0.8,
                        marker={
                            "color": _rgba(style.colour, 0.3),
                            "line": {"color": style.colour, "width": 1},
                        },
                        text=[_esc(value_label(c, with_counts=False)) for _, c in ok],
                        textposition="outside",
                        cliponaxis=False,
                        textfont=small,
                        customdata=[
                            cell_customdata(c, hover_text(c, f"{style.label} — {t}, any grade"))
                            for t, c in ok
                        ],
                        hovertemplate=HOVER,
                        name=f"{style.label}: any grade",
                        meta={"role": "reported", "chart": "terms", "grade": "any"},
                    ),
                    row=1,
                    col=col,
                )
        if show_high:
            ok = [
                (t, c, a) for t, c, a in zip(terms, high_cells, any_cells, strict=True) if drawn(c)
            ]
            if ok:
                labels = []
                for _, cell, any_cell in ok:
                    if show_any and drawn(any_cell):
                        labels.append(_esc(band_mark(cell)))  # the value is on the any-grade bar
                    else:
                        labels.append(_esc(value_label(cell, with_counts=False)))
                fig.add_trace(
                    go.Bar(
                        x=[c.shown_pct for _, c, _ in ok],
                        y=[t for t, _, _ in ok],
                        orientation="h",
                        width=0.42,
                        marker={"color": style.colour},
                        text=labels,
                        textposition="outside",
                        cliponaxis=False,
                        textfont=small,
                        customdata=[
                            cell_customdata(
                                c, hover_text(c, f"{style.label} — {t}, grade ≥3 as reported")
                            )
                            for t, c, _ in ok
                        ],
                        hovertemplate=HOVER,
                        name=f"{style.label}: grade ≥3",
                        meta={"role": "reported", "chart": "terms", "grade": "high"},
                    ),
                    row=1,
                    col=col,
                )
        fig.update_xaxes(
            row=1,
            col=col,
            range=[0, 125],
            tickvals=[0, 50, 100],
            ticksuffix="%",
            gridcolor="#eaeef2",
            zeroline=True,
            zerolinecolor="#57606a",
            fixedrange=True,
        )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=list(reversed(terms)),
        fixedrange=True,
        automargin=True,
    )
    fig.update_layout(barmode="overlay", bargap=0.2)
    height = 40 + 24 * max(3, len(terms))
    fig = _finish(fig, options, height=height, bottom=50, left=250)
    fig.update_layout(margin={"t": 30 + 16 * _title_lines(titles) + (30 if options.title else 0)})
    return fig


# --------------------------------------------------------------------------------------------
# Heatmap
# --------------------------------------------------------------------------------------------


def build_heatmap_figure(
    table: TermTable, arms: Sequence[ArmStyle], options: AeChartOptions | None = None
) -> go.Figure:
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
    nr_x: list[float | None] = []
    nr_y: list[float | None] = []
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
                nr_x.extend([j - 0.5, j + 0.5, j + 0.5, j - 0.5, j - 0.5, None])
                nr_y.extend([i - 0.5, i - 0.5, i + 0.5, i + 0.5, i - 0.5, None])
                # gaps are not hoverable: the not-reported text trace carries this cell's data
                c_row.append([])
        z.append(z_row)
        text.append(t_row)
        custom.append(c_row)
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=list(range(n_arms)),
            y=list(range(n_terms)),
            text=text,
            texttemplate="%{text}",
            textfont={"size": theme.font_size - 3},
            customdata=custom,
            hovertemplate=HOVER,
            colorscale=[list(stop) for stop in HEAT_SCALE],
            zmin=0,
            zmax=100,
            xgap=2,
            ygap=2,
            hoverongaps=False,
            colorbar={"title": {"text": "% of patients"}, "ticksuffix": "%", "len": 0.6},
            name=GRADE_HEADINGS[grade_key],
            meta={"role": "reported", "chart": "heatmap", "grade": grade_key},
        )
    )
    if nr_points:
        fig.add_trace(
            go.Scatter(
                x=nr_x,
                y=nr_y,
                mode="lines",
                fill="toself",
                fillcolor=NR_FILL,
                fillpattern=NR_PATTERN,
                line={"width": 0, "color": NR_FILL},
                hoverinfo="skip",
                showlegend=False,
                name="not reported (grey hatched; reason on hover)",
                meta={"role": "legend"},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[j for _, j, _, _ in nr_points],
                y=[i for i, _, _, _ in nr_points],
                mode="text",
                text=[_esc(value_label(c)) for _, _, c, _ in nr_points],
                textfont={"size": theme.font_size - 4, "color": "#424a53"},
                customdata=[cell_customdata(c, hover) for _, _, c, hover in nr_points],
                hovertemplate=HOVER,
                showlegend=False,
                name="not reported",
                meta={"role": "not_reported", "chart": "heatmap", "grade": grade_key},
            )
        )
    fig.update_xaxes(
        tickvals=list(range(n_arms)),
        ticktext=[_wrap(s.label, 22) for s in styles],
        side="top",
        range=[-0.5, n_arms - 0.5],
        showgrid=False,
        zeroline=False,
        fixedrange=True,
    )
    fig.update_yaxes(
        tickvals=list(range(n_terms)),
        ticktext=[_term_label(r) for r in table.rows],
        range=[n_terms - 0.5, -0.5],
        showgrid=False,
        zeroline=False,
        fixedrange=True,
        automargin=True,
    )
    height = 160 + 26 * max(3, n_terms)
    fig = _finish(fig, options, height=height, bottom=40, left=250)
    fig.update_layout(margin={"t": 150})
    return fig


def empty_figure(message: str, options: AeChartOptions | None = None) -> go.Figure:
    """A figure with only a message (nothing to draw for the current choice)."""
    options = options or AeChartOptions()
    fig = go.Figure()
    fig.add_annotation(
        text=_esc(message),
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font={"size": options.theme.font_size + 1, "color": "#57606a"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _finish(fig, options, height=220, bottom=20, left=20)


# --------------------------------------------------------------------------------------------
# Definitions that differ between the chosen arms (caption, footnote)
# --------------------------------------------------------------------------------------------

CATEGORY_DEFINITIONS: Mapping[str, str] = {
    "treatment-related": (
        "Treatment-related AEs (TRAE): events the investigators attributed to study treatment."
    ),
    "all-cause": "All-cause AEs: every adverse event, whatever its attribution.",
    "immune-related": (
        "Immune-related AEs (irAE): events with a likely immune mechanism, as each sponsor "
        "defined them (definitions differ between trials)."
    ),
    "treatment-emergent": (
        "Treatment-emergent AEs (TEAE): events starting or worsening on treatment, any attribution."
    ),
}


def _names(
    keys: set[ArmKey],
    chosen: Sequence[ArmKey],
    labels: Mapping[ArmKey, str],
    trial_names: Mapping[str, str],
) -> str:
    """``keys`` named compactly: a trial's name when every chosen arm of that trial is in
    ``keys``, else the arm labels."""
    out: list[str] = []
    for trial_id in dict.fromkeys(t for t, _ in chosen):
        arms = [k for k in chosen if k[0] == trial_id]
        mine = [k for k in arms if k in keys]
        if not mine:
            continue
        if len(mine) == len(arms):
            out.append(trial_names.get(trial_id, trial_id))
        else:
            out.extend(labels.get(k, f"{k[0]}/{k[1]}") for k in mine)
    return ", ".join(out)


def definition_notes(
    labels: Mapping[ArmKey, str],
    summary: SummaryTable | None = None,
    terms: TermTable | None = None,
    trial_names: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """Plain-text notes on definitions that differ between the chosen arms: category, grade
    bands in the "grade ≥3" slot, denominators, reporting thresholds, recomputed vs printed
    percentages. Arms are named by trial when all chosen arms of a trial share the value."""
    trial_names = trial_names or {}
    chosen: Sequence[ArmKey] = summary.arms if summary else terms.arms if terms else ()
    category = summary.category if summary else terms.category if terms else None
    notes: list[str] = []
    if category:
        notes.append(CATEGORY_DEFINITIONS.get(category, category))
    high_cells: list[AeCell] = []
    all_cells: list[AeCell] = []
    if summary:
        for item, row in zip(summary.items, summary.cells, strict=True):
            all_cells.extend(row)
            if item.key == "high":
                high_cells.extend(row)
    if terms:
        for term_row in terms.rows:
            all_cells.extend(term_row.any_cells)
            all_cells.extend(term_row.high_cells)
            high_cells.extend(term_row.high_cells)
    bands: dict[str, set[ArmKey]] = {}
    for cell in high_cells:
        if cell.reported and cell.grade_band and cell.arm_id is not None:
            bands.setdefault(cell.grade_band, set()).add((cell.trial_id, cell.arm_id))
    if len(bands) > 1 or set(bands) - {">=3"}:
        meaning = {
            ">=3": "grade ≥3",
            "3-4": "grade 3–4 (excludes grade-5 deaths)",
            "3-5": "grade 3–5 (includes deaths)",
            "3": "grade 3 only",
        }
        parts = [
            f"{meaning.get(band, band_label(band))}: {_names(keys, chosen, labels, trial_names)}"
            for band, keys in sorted(bands.items())
        ]
        notes.append("Grade bands differ and are not relabelled — " + "; ".join(parts) + ".")
    stated: dict[str, set[int]] = {}
    unstated: set[ArmKey] = set()
    for cell in all_cells:
        if not cell.reported or cell.arm_id is None:
            continue
        if cell.denominator_n is not None:
            name = trial_names.get(cell.trial_id, cell.trial_id)
            stated.setdefault(name, set()).add(cell.denominator_n)
        else:
            unstated.add((cell.trial_id, cell.arm_id))
    if stated or unstated:
        parts = [
            f"{name} N = {', '.join(str(n) for n in sorted(ns))}"
            for name, ns in sorted(stated.items())
        ]
        text = "Denominator = safety population N printed with each number (per arm in the table)"
        if parts:
            text += ": " + "; ".join(parts)
        if unstated:
            text += (
                ". N not stated with some numbers of "
                + _names(unstated, chosen, labels, trial_names)
                + " (published percentage shown, not recomputed)"
            )
        notes.append(text + ".")
    if terms:
        by_rule: dict[str, set[ArmKey]] = {}
        for key, threshold in terms.thresholds:
            by_rule.setdefault(threshold or "no term table or no rule stated", set()).add(key)
        parts = [
            f"{_names(keys, chosen, labels, trial_names)}: {rule}" for rule, keys in by_rule.items()
        ]
        notes.append(
            "Reporting threshold of each source's term table (a term missing from a table with "
            "a threshold is 'not reported (below threshold)', not 0) — " + "; ".join(parts) + "."
        )
    if terms and terms.unmapped:
        notes.append(
            "Not harmonised yet (no reviewed mapping; shown as printed): "
            + ", ".join(terms.unmapped)
            + "."
        )
    differing = sum(1 for c in all_cells if c.differs)
    notes.append(
        "Percentages are recomputed from n/N where both are printed"
        + (
            f"; the printed percentage is shown beside {differing} that differ."
            if differing
            else "."
        )
    )
    return tuple(notes)


def category_label(category: str) -> str:
    return CATEGORY_ABBREVIATIONS.get(category, category)
