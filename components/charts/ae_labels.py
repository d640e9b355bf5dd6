"""Text of the adverse-event charts: bar labels, hover text and per-bar data.

Shared by the three AE figures (components/charts/adverse_events.py) and the Safety tables.
Every string drawn by plotly is escaped here (plotly parses a subset of HTML).
"""

from __future__ import annotations

from analysis.adverse_events import AeCell, band_label
from components.charts.theme import escape_plotly_text

NR_LABEL = "not reported"
#: Hover template: the hover text is the last item of each bar's customdata.
HOVER = "%{customdata[12]}<extra></extra>"

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


def _esc(text: object) -> str:
    return escape_plotly_text(str(text))


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


def wrap(text: str, width: int) -> str:
    """``text`` broken into ``<br>``-separated lines of at most ``width`` characters (a word
    longer than that keeps its own line), each escaped."""
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
