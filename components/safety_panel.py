"""Safety view: adverse events across regimens by harmonised term, with the definitions and
denominators of every number visible and "not reported" shown as such.

Three charts over the same validated state: summary bars per arm (any event, grade ≥3,
serious, irAE, discontinuation, death), a term-by-term comparison (arms side by side, terms in
one order) and a terms x regimens heatmap. Each chart has a table under it and a caption with
sources, source levels, the definitions that differ between the chosen arms, and the data
version.

State in the URL (``?arms=trial.arm,…&cat=tr&chart=terms&grade=both&min=10&sort=freq&strict=1``;
only non-default keys are written). Values outside the registry's allow-lists are dropped with
a visible notice when they come from a link, and rejected with an "invalid selection" message
(no analysis call) when they come from a callback.

Export hook: :func:`figure_for` ``(registry, state) -> (figure, Footnote, csv_rows)``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import dash_mantine_components as dmc
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html, no_update

from analysis import adverse_events as ae
from components import ids
from components.charts import adverse_events as charts
from components.charts.theme import SCREEN, ChartTheme, escape_plotly_text
from components.export.bundle import ExportBundle, bundle_rows
from components.export.footnote import Footnote, SourceRef
from components.export_menu import export_controls
from components.graph import graph
from components.provenance import (
    NR_NOT_REPORTED,
    arm_colours,
    caption,
    citation_links,
    footnote_for,
    source_badge,
)

# Most arms one view compares (term facets stay readable up to about ten columns).
MAX_ARMS = 10
# Reviewed default: both seed studies against the two phase-3 trials with the fullest AE
# reporting and the two whose grade bands differ (grade 3–5 and grade 3–4).
DEFAULT_ARMS: tuple[ae.ArmKey, ...] = (
    ("alter_e003", "chemo_free"),
    ("nct05013697", "triple"),
    ("orient15", "sint_chemo"),
    ("orient15", "placebo_chemo"),
    ("keynote590", "pembro_chemo"),
    ("keynote590", "placebo_chemo"),
    ("checkmate648", "nivo_chemo"),
    ("checkmate648", "chemo"),
)
CHARTS: Mapping[str, str] = {
    "summary": "Summary",
    "terms": "Term by term",
    "heatmap": "Heatmap",
}
CATEGORY_CODES: Mapping[str, str] = {
    "tr": "treatment-related",
    "ac": "all-cause",
    "ir": "immune-related",
    "te": "treatment-emergent",
}
CATEGORY_LABELS: Mapping[str, str] = {
    "treatment-related": "Treatment-related",
    "all-cause": "All-cause",
    "immune-related": "Immune-related",
    "treatment-emergent": "Treatment-emergent",
}
GRADE_OPTIONS: Mapping[str, str] = {
    "both": "Any grade + grade ≥3",
    "any": "Any grade",
    "high": "Grade ≥3",
}
SORT_OPTIONS: Mapping[str, str] = {"freq": "By frequency", "alpha": "Alphabetical"}
QUERY_KEYS = ("arms", "cat", "chart", "grade", "min", "sort", "strict")
ARM_SEPARATOR = "."
MAX_TABLE_ROWS = 600


@dataclass(frozen=True)
class SafetyState:
    """A validated choice of the Safety view (every value is on an allow-list)."""

    arms: tuple[ae.ArmKey, ...]
    chart: str = "summary"
    category: str = "treatment-related"
    grade: str = "both"
    strict: bool = False
    sort: str = "freq"
    min_pct: int = 0


# --------------------------------------------------------------------------------------------
# Allow-lists and validation
# --------------------------------------------------------------------------------------------


def arm_value(key: ae.ArmKey) -> str:
    return f"{key[0]}{ARM_SEPARATOR}{key[1]}"


@functools.lru_cache(maxsize=8)
def _arm_choices(registry: Any) -> tuple[tuple[str, ae.ArmKey, str], ...]:
    """(value, key, label) of every arm in the registry, in registry order."""
    return tuple(
        (arm_value((t.id, a.id)), (t.id, a.id), f"{t.name}: {a.label}")
        for t in registry.trials
        for a in t.arms
    )


def arm_labels(registry: Any) -> dict[ae.ArmKey, str]:
    return {key: label for _, key, label in _arm_choices(registry)}


CHART_LABEL_CHARS = 48


def trial_short_name(trial: Any) -> str:
    """``"Xu 1542P"`` from ``"Xu 1542P (TC + camrelizumab +/- anlotinib)"``."""
    return str(trial.name).split(" (", 1)[0]


def _cut(text: str, limit: int, *, middle: bool) -> str:
    """Cut ``text`` at word boundaries to about ``limit`` characters: keep the start (the
    experimental agents come first), or with ``middle`` both ends (arms of one trial can
    differ only at the end: "... + FP" vs "... + TP")."""
    if len(text) <= limit:
        return text
    words = text.split()
    tail: list[str] = [words.pop()] if middle else []
    while middle and words and len(" ".join([words[-1], *tail])) <= limit // 3:
        tail.insert(0, words.pop())
    budget = limit - len(" ".join(tail)) - 2
    head: list[str] = []
    for word in words:
        if len(" ".join([*head, word])) > budget:
            break
        head.append(word)
    return " ".join([*head, "…", *tail])


@functools.lru_cache(maxsize=8)
def chart_labels(registry: Any) -> dict[ae.ArmKey, str]:
    """One-line arm labels for charts: short trial name + arm label, cut at word boundaries
    to about 48 characters. The full label is in the hover, the table and the arm picker;
    labels stay unique (cut in the middle, else suffixed with the arm id)."""
    out: dict[ae.ArmKey, str] = {}
    for trial in registry.trials:
        texts = [f"{trial_short_name(trial)}: {arm.label}" for arm in trial.arms]
        labels = [_cut(t, CHART_LABEL_CHARS, middle=False) for t in texts]
        if len(set(labels)) < len(labels):
            labels = [_cut(t, CHART_LABEL_CHARS, middle=True) for t in texts]
        for arm, label in zip(trial.arms, labels, strict=True):
            if label in out.values() or labels.count(label) > 1:
                label = f"{label} [{arm.id}]"
            out[(trial.id, arm.id)] = label
    return out


def _categories(registry: Any) -> tuple[str, ...]:
    present = {r.category for t in registry.trials for r in t.adverse_events}
    return tuple(c for c in ae.CATEGORIES if c in present) or ("treatment-related",)


def default_state(registry: Any) -> SafetyState:
    known = {key for _, key, _ in _arm_choices(registry)}
    arms = tuple(k for k in DEFAULT_ARMS if k in known)
    if not arms:
        arms = tuple(key for _, key, _ in _arm_choices(registry))[:4]
    category = "treatment-related"
    if category not in _categories(registry):
        category = _categories(registry)[0]
    return SafetyState(arms=arms, category=category)


def _short(value: object) -> str:
    return str(value)[:40]


def _parse_arms(registry: Any, values: Sequence[object]) -> tuple[list[ae.ArmKey], list[str]]:
    by_value = {value: key for value, key, _ in _arm_choices(registry)}
    good: list[ae.ArmKey] = []
    bad: list[str] = []
    for value in values:
        key = by_value.get(value) if isinstance(value, str) else None
        if key is None:
            bad.append(_short(value))
        elif key not in good:
            good.append(key)
    return good, bad


def _min_value(value: object) -> int | None:
    """An integer percentage 0–100 from a number or a short numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 6:
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value) and 0 <= value <= 100:
        return round(value)
    return None


def state_from_query(registry: Any, query: Mapping[str, str]) -> tuple[SafetyState, list[str]]:
    """State for a link's query; unknown or invalid values fall back to the default and are
    named in the returned notices. Never raises."""
    base = default_state(registry)
    notices: list[str] = []
    if not isinstance(query, Mapping):
        return base, ["the whole link"]
    for key in list(query)[:10]:
        if key not in QUERY_KEYS:
            notices.append(f"unknown setting {_short(key)!r}")
    arms = base.arms
    raw_arms = query.get("arms")
    if raw_arms is not None:
        parts = raw_arms.split(",") if isinstance(raw_arms, str) else [raw_arms]
        good, bad = _parse_arms(registry, parts[: MAX_ARMS * 3])
        if bad:
            notices.append("arms " + ", ".join(repr(b) for b in bad[:5]))
        if len(good) > MAX_ARMS:
            notices.append(f"more than {MAX_ARMS} arms (the first {MAX_ARMS} are shown)")
            good = good[:MAX_ARMS]
        if good:
            arms = tuple(good)
        elif not bad:
            notices.append("arms (empty)")

    def pick(name: str, allowed: Mapping[str, str] | Sequence[str], default: str) -> str:
        value = query.get(name)
        if value is None:
            return default
        if isinstance(value, str) and value in allowed:
            return value
        notices.append(f"{name} {_short(value)!r}")
        return default

    chart = pick("chart", CHARTS, base.chart)
    code = pick(
        "cat",
        [c for c, cat in CATEGORY_CODES.items() if cat in _categories(registry)],
        next(c for c, cat in CATEGORY_CODES.items() if cat == base.category),
    )
    grade = pick("grade", GRADE_OPTIONS, base.grade)
    sort = pick("sort", SORT_OPTIONS, base.sort)
    strict = base.strict
    raw_strict = query.get("strict")
    if raw_strict is not None:
        if raw_strict in ("0", "1"):
            strict = raw_strict == "1"
        else:
            notices.append(f"strict {_short(raw_strict)!r}")
    min_pct = base.min_pct
    raw_min = query.get("min")
    if raw_min is not None:
        parsed = _min_value(raw_min)
        if parsed is None:
            notices.append(f"min {_short(raw_min)!r}")
        else:
            min_pct = parsed
    state = SafetyState(
        arms=arms,
        chart=chart,
        category=CATEGORY_CODES[code],
        grade=grade,
        strict=strict,
        sort=sort,
        min_pct=min_pct,
    )
    return state, notices


def state_from_inputs(
    registry: Any,
    *,
    arms: object,
    chart: object,
    category: object,
    grade: object,
    strict: object,
    sort: object,
    min_pct: object,
) -> tuple[SafetyState | None, list[str]]:
    """Validate callback values against the allow-lists; (None, problems) on anything
    outside them. An empty arm list is valid input but yields (None, ["no arm chosen"])."""
    problems: list[str] = []
    keys: list[ae.ArmKey] = []
    if not isinstance(arms, list) or len(arms) > MAX_ARMS * 3:
        problems.append("arms")
    else:
        keys, bad = _parse_arms(registry, arms)
        if bad:
            problems.append("unknown arm")
        elif len(keys) > MAX_ARMS:
            problems.append(f"more than {MAX_ARMS} arms")
    if not (isinstance(chart, str) and chart in CHARTS):
        problems.append("chart")
    if not (isinstance(category, str) and category in _categories(registry)):
        problems.append("category")
    if not (isinstance(grade, str) and grade in GRADE_OPTIONS):
        problems.append("grade")
    if not isinstance(strict, bool):
        problems.append("grade ≥3 definition switch")
    if not (isinstance(sort, str) and sort in SORT_OPTIONS):
        problems.append("sort order")
    # A cleared number box sends "" (or nothing): that is the default, 0 %.
    minimum: int | None = 0
    if not (min_pct is None or (isinstance(min_pct, str) and min_pct == "")):
        minimum = None if isinstance(min_pct, str) else _min_value(min_pct)
    if minimum is None:
        problems.append("minimum frequency")
        minimum = 0
    if problems:
        return None, problems
    if not keys:
        return None, ["no arm chosen"]
    return (
        SafetyState(
            arms=tuple(keys),
            chart=str(chart),
            category=str(category),
            grade=str(grade),
            strict=bool(strict),
            sort=str(sort),
            min_pct=minimum,
        ),
        [],
    )


def state_to_search(registry: Any, state: SafetyState) -> str:
    """Query string for ``state``: sorted keys, only values that differ from the default."""
    base = default_state(registry)
    params: dict[str, str] = {}
    if state.arms != base.arms:
        params["arms"] = ",".join(arm_value(k) for k in state.arms)
    if state.category != base.category:
        params["cat"] = next(c for c, cat in CATEGORY_CODES.items() if cat == state.category)
    if state.chart != base.chart:
        params["chart"] = state.chart
    if state.grade != base.grade:
        params["grade"] = state.grade
    if state.min_pct != base.min_pct:
        params["min"] = str(state.min_pct)
    if state.sort != base.sort:
        params["sort"] = state.sort
    if state.strict != base.strict:
        params["strict"] = "1" if state.strict else "0"
    return "?" + urlencode(sorted(params.items()), safe=",.") if params else ""


# --------------------------------------------------------------------------------------------
# Analysis (cached) and the export hook
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def term_map_for(registry: Any) -> ae.TermMap:
    """The reviewed term map of the registry's data root, checked against its data."""
    return ae.check_term_map(registry)


@dataclass(frozen=True)
class SafetyResult:
    summary: ae.SummaryTable | None
    terms: ae.TermTable | None


@functools.lru_cache(maxsize=64)
def compute(registry: Any, state: SafetyState) -> SafetyResult:
    """The analysis tables for a validated ``state`` (memoised by registry and state)."""
    if state.chart == "summary":
        return SafetyResult(
            summary=ae.summary_table(registry, state.arms, state.category, strict=state.strict),
            terms=None,
        )
    return SafetyResult(
        summary=None,
        terms=ae.term_table(
            registry,
            term_map_for(registry),
            state.arms,
            state.category,
            grade=state.grade,
            strict=state.strict,
            min_pct=float(state.min_pct),
            sort=state.sort,
        ),
    )


def _terms(result: SafetyResult) -> ae.TermTable:
    if result.terms is None:
        raise ValueError("a term chart needs the term table")
    return result.terms


def _styles(registry: Any, state: SafetyState) -> list[charts.ArmStyle]:
    colours = arm_colours(registry)
    labels = chart_labels(registry)
    return [
        charts.ArmStyle(key=key, label=labels[key], colour=colours.get(key, ("#57606a", ""))[0])
        for key in state.arms
    ]


def _title(state: SafetyState) -> str:
    category = CATEGORY_LABELS.get(state.category, state.category)
    return f"{category} adverse events — {CHARTS[state.chart].lower()}"


def _key(state: SafetyState) -> str:
    return {
        "summary": charts.SUMMARY_KEY,
        "terms": charts.TERM_KEY,
        "heatmap": charts.HEATMAP_KEY,
    }[state.chart]


def _cells(result: SafetyResult) -> list[ae.AeCell]:
    cells: list[ae.AeCell] = []
    if result.summary:
        for row in result.summary.cells:
            cells.extend(row)
    if result.terms:
        for term_row in (*result.terms.rows, *result.terms.table_only):
            cells.extend(term_row.any_cells)
            cells.extend(term_row.high_cells)
            for others in term_row.other_band_cells:
                cells.extend(others)
        cells.extend(result.terms.pooled)
    return cells


def _trial_refs(registry: Any, result: SafetyResult) -> list[tuple[Any, str]]:
    """(trial, publication key) of every number shown, in arm order, de-duplicated."""
    seen: dict[tuple[str, str], None] = {}
    for cell in _cells(result):
        if cell.source_ref:
            seen.setdefault((cell.trial_id, cell.source_ref), None)
    return [(registry.trial(t), ref) for t, ref in seen]


def _notes(registry: Any, state: SafetyState, result: SafetyResult) -> tuple[str, ...]:
    return charts.definition_notes(
        arm_labels(registry),
        result.summary,
        result.terms,
        trial_names={
            trial_id: trial_short_name(registry.trial(trial_id)) for trial_id, _ in state.arms
        },
    )


def _term_map_note(registry: Any) -> str:
    term_map = term_map_for(registry)
    if not term_map.entries:
        return "No reviewed term map in this data root: every term is shown as printed."
    return (
        f"Terms harmonised with a reviewed map ({term_map.standard}; reviewed "
        f"{term_map.reviewed_on}); the term as printed is in the hover and the table."
    )


def _cross_trial(state: SafetyState) -> bool:
    return len({trial_id for trial_id, _ in state.arms}) > 1


def build_figure(
    registry: Any,
    state: SafetyState,
    result: SafetyResult,
    *,
    theme: ChartTheme = SCREEN,
    footnote: Footnote | None = None,
) -> go.Figure:
    options = charts.AeChartOptions(
        title=_title(state),
        theme=theme,
        footnote="<br>".join(escape_plotly_text(line) for line in footnote.lines())
        if footnote
        else None,
    )
    styles = _styles(registry, state)
    if result.summary is not None:
        return charts.build_summary_figure(result.summary, styles, options)
    terms = _terms(result)
    if not terms.rows:
        hidden = len(terms.table_only)
        message = f"No {state.category} AE term is reported for the chosen arms"
        if hidden:
            message += f" above the minimum frequency ({hidden} term(s) listed in the table)"
        return charts.empty_figure(message + ".", options)
    if state.chart == "heatmap":
        return charts.build_heatmap_figure(terms, styles, options)
    return charts.build_term_figure(terms, styles, options)


def export_footnote(registry: Any, state: SafetyState, result: SafetyResult) -> Footnote:
    caveats = [_key(state), *_notes(registry, state, result)]
    if state.chart != "summary":
        caveats.append(_term_map_note(registry))
    return footnote_for(
        _trial_refs(registry, result),
        data_version=registry.data_version,
        cross_trial=_cross_trial(state),
        caveats=caveats,
    )


CSV_COLUMNS: tuple[str, ...] = (
    "chart",
    "item",
    "harmonised_term",
    "term_kind",
    "grade_slot",
    "trial_id",
    "trial",
    "arm_id",
    "arm",
    "status",
    "shown_pct",
    "qualifier",
    "recomputed_pct",
    "published_pct",
    "n",
    "N",
    "grade_band_printed",
    "category",
    "printed_term",
    "summary_item",
    "analysis",
    "not_reported_reason",
    "reporting_threshold",
    "source_level",
    "source_ref",
    "locator",
    "as_printed",
    "also_reported",
    "charted",
)


def _row(
    registry: Any,
    state: SafetyState,
    cell: ae.AeCell,
    *,
    item: str,
    slot: str,
    term: str = "",
    kind: str = "",
    charted: str = "yes",
) -> dict[str, object]:
    trial = registry.trial(cell.trial_id)
    arm_label = "all arms (pooled by the source)"
    if cell.arm_id is not None:
        arm_label = trial.arm(cell.arm_id).label
    return {
        "chart": state.chart,
        "item": item,
        "harmonised_term": term,
        "term_kind": kind,
        "grade_slot": slot,
        "trial_id": cell.trial_id,
        "trial": trial.name,
        "arm_id": cell.arm_id or "",
        "arm": arm_label,
        "status": cell.status,
        "shown_pct": cell.shown_pct,
        "qualifier": cell.qualifier or "",
        "recomputed_pct": cell.recomputed_pct,
        "published_pct": cell.published_pct,
        "n": cell.n_patients,
        "N": cell.denominator_n,
        "grade_band_printed": cell.grade_band or "",
        "category": cell.category or "",
        "printed_term": cell.printed or "",
        "summary_item": cell.summary_item or "",
        "analysis": cell.analysis_label or cell.analysis_id or "",
        "not_reported_reason": (cell.reason or "") if not cell.reported else "",
        "reporting_threshold": cell.threshold_text or "",
        "source_level": cell.source_level or "",
        "source_ref": cell.source_ref or "",
        "locator": cell.locator or "",
        "as_printed": cell.as_printed or "",
        "also_reported": " | ".join(cell.alternatives),
        "charted": charted,
    }


def csv_rows(registry: Any, state: SafetyState, result: SafetyResult) -> list[dict[str, object]]:
    """The numbers behind the chart, one row per cell (columns :data:`CSV_COLUMNS`)."""
    rows: list[dict[str, object]] = []
    if result.summary is not None:
        for item, cells in zip(result.summary.items, result.summary.cells, strict=True):
            for cell in cells:
                rows.append(_row(registry, state, cell, item=item.label, slot=item.key))
        return rows
    terms = _terms(result)
    if state.chart == "heatmap":
        charted_slots: tuple[str, ...] = ("high",) if state.grade == "high" else ("any",)
    else:
        charted_slots = {"both": ("any", "high"), "any": ("any",), "high": ("high",)}[state.grade]
    for term_row in (*terms.rows, *terms.table_only):
        hidden = term_row.hidden_reason
        for j in range(len(terms.arms)):
            for slot in ("any", "high"):
                cell = (term_row.any_cells if slot == "any" else term_row.high_cells)[j]
                if hidden:
                    charted = f"no ({hidden})"
                elif slot in charted_slots:
                    charted = "yes"
                else:
                    charted = "no (other grade; hover and table only)"
                rows.append(
                    _row(
                        registry,
                        state,
                        cell,
                        item=term_row.term,
                        slot=slot,
                        term=term_row.term,
                        kind=term_row.kind,
                        charted=charted,
                    )
                )
            for cell in term_row.other_band_cells[j]:
                rows.append(
                    _row(
                        registry,
                        state,
                        cell,
                        item=term_row.term,
                        slot="other band",
                        term=term_row.term,
                        kind=term_row.kind,
                        charted="no (other grade band; table only)",
                    )
                )
    for cell in terms.pooled:
        rows.append(
            _row(
                registry,
                state,
                cell,
                item=cell.printed or "",
                slot="pooled",
                charted="no (pooled across arms by the source)",
            )
        )
    return rows


def figure_for(
    registry: Any, state: SafetyState, *, theme: ChartTheme = SCREEN
) -> tuple[go.Figure, Footnote, list[dict[str, object]]]:
    """Export hook: (figure with its in-figure footnote, footnote, CSV rows) for a validated
    ``state`` (build one with :func:`state_from_inputs` or :func:`state_from_query`).

    CSV columns: :data:`CSV_COLUMNS`; one row per cell, not-reported cells included with
    their reason.
    """
    result = compute(registry, state)
    footnote = export_footnote(registry, state, result)
    figure = build_figure(registry, state, result, theme=theme, footnote=footnote)
    return figure, footnote, csv_rows(registry, state, result)


EXPORT_KINDS: Mapping[str, str] = {
    "summary": "ae-summary",
    "terms": "ae-terms",
    "heatmap": "ae-heatmap",
}


def export_bundle(registry: Any, query: Mapping[str, str]) -> ExportBundle:
    """The chart for the export layer, rebuilt from the page's query (link values outside the
    allow-lists fall back to the defaults, exactly as the page shows them)."""
    state, _notices = state_from_query(registry, query)
    figure, footnote, rows = figure_for(registry, state)
    return ExportBundle(
        kind=EXPORT_KINDS[state.chart],
        title=_title(state),
        figure=figure,
        footnote=footnote,
        columns=CSV_COLUMNS,
        rows=bundle_rows(rows),
        subject=tuple(dict.fromkeys(trial_short_name(registry.trial(t)) for t, _ in state.arms)),
        endpoint=state.category,
        population=None,
    )


# --------------------------------------------------------------------------------------------
# Table, definitions and caption
# --------------------------------------------------------------------------------------------


def _fmt(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _source_text(registry: Any, cell: ae.AeCell) -> str:
    """Short plain-text source (links and level badges are in the caption, once per source)."""
    if not cell.source_ref:
        return cell.locator or "—"
    trial = registry.trial(cell.trial_id)
    short = SourceRef.from_publication(trial.publication(cell.source_ref)).short
    parts = [short, cell.source_level or "source level not recorded"]
    parts.extend(p for p in (cell.locator, cell.analysis_label) if p)
    return " · ".join(parts)


def _cell_text(cell: ae.AeCell) -> str:
    """``"54% (27/50)"``, ``"47% grade 3–4 (N not stated)"`` or ``"not reported"``."""
    if not cell.reported:
        return NR_NOT_REPORTED
    text = cell.value_text()
    mark = charts.band_mark(cell)
    if mark:
        text += f" {mark}"
    return f"{text} ({cell.count_text()})"


def _notes_cell(cell: ae.AeCell) -> str:
    parts = []
    if not cell.reported and cell.reason:
        parts.append(f"{NR_NOT_REPORTED}: {cell.reason}")
    if cell.differs and cell.published_pct is not None:
        parts.append(
            f"recomputed {_fmt(cell.recomputed_pct)}% from n/N; printed {_fmt(cell.published_pct)}%"
        )
    if cell.as_printed:
        parts.append(f"as printed: {cell.as_printed}")
    if cell.note:
        parts.append(cell.note)
    parts.extend(f"also reported: {alt}" for alt in cell.alternatives)
    return "; ".join(parts)


def _table(headers: Sequence[str], body: list[Any], truncated: int = 0) -> Any:
    children: list[Any] = [
        html.Table(
            [html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(body)],
            className="escc-detail-table",
        )
    ]
    if truncated:
        children.append(
            dmc.Text(
                f"{truncated} more rows are in the CSV export of this chart.", size="xs", c="dimmed"
            )
        )
    return html.Div(children)


def _summary_table(registry: Any, table: ae.SummaryTable) -> Any:
    labels = arm_labels(registry)
    body = []
    for item, cells in zip(table.items, table.cells, strict=True):
        for key, cell in zip(table.arms, cells, strict=True):
            body.append(
                html.Tr(
                    [
                        html.Td(item.label),
                        html.Td(labels[key]),
                        html.Td(_cell_text(cell), className="escc-value"),
                        html.Td(
                            f"{cell.category or '—'}; "
                            f"{ae.band_label(cell.grade_band) if cell.grade_band else '—'}"
                        ),
                        html.Td(cell.printed or "—"),
                        html.Td(_source_text(registry, cell)),
                        html.Td(_notes_cell(cell)),
                    ]
                )
            )
    headers = (
        "Item",
        "Arm",
        "Value (n/N of the safety population)",
        "Category; grade band as printed",
        "Printed as",
        "Source",
        "Notes",
    )
    return _table(headers, body[:MAX_TABLE_ROWS], max(0, len(body) - MAX_TABLE_ROWS))


def _term_table(registry: Any, table: ae.TermTable) -> Any:
    labels = arm_labels(registry)
    body: list[Any] = []
    blanket = {
        j
        for j in range(len(table.arms))
        if all(
            not c.reported and c.nr_kind in ("no-table", "pooled", "other-category")
            for r in (*table.rows, *table.table_only)
            for c in (r.any_cells[j], r.high_cells[j])
        )
    }
    for j in sorted(blanket):
        first = next(iter(table.rows or table.table_only), None)
        reason = first.any_cells[j].reason if first else None
        body.append(
            html.Tr(
                [
                    html.Td("every term"),
                    html.Td(labels[table.arms[j]]),
                    html.Td(NR_NOT_REPORTED, className="escc-value"),
                    html.Td(NR_NOT_REPORTED, className="escc-value"),
                    html.Td("—"),
                    html.Td("—"),
                    html.Td("—"),
                    html.Td(reason or "—"),
                ]
            )
        )

    def add(term_row: ae.TermRow, status: str) -> None:
        for j, key in enumerate(table.arms):
            if j in blanket:
                continue
            any_cell, high_cell = term_row.any_cells[j], term_row.high_cells[j]
            others = term_row.other_band_cells[j]
            source_cell = any_cell if any_cell.reported else high_cell
            printed = {c.printed for c in (any_cell, high_cell, *others) if c.printed}
            notes = [status] if status else []
            seen: set[str] = set()
            for label, cell in (("any grade", any_cell), ("grade ≥3", high_cell)):
                text = _notes_cell(cell)
                if text and text not in seen:
                    seen.add(text)
                    notes.append(f"{label}: {text}")
            body.append(
                html.Tr(
                    [
                        html.Td(
                            term_row.term
                            + (f" [{term_row.kind}]" if term_row.kind != "term" else "")
                        ),
                        html.Td(labels[key]),
                        html.Td(_cell_text(any_cell), className="escc-value"),
                        html.Td(_cell_text(high_cell), className="escc-value"),
                        html.Td(
                            "; ".join(
                                f"{ae.band_label(c.grade_band or 'any')}: "
                                f"{c.value_text()} ({c.count_text()})"
                                for c in others
                            )
                            or "—"
                        ),
                        html.Td(", ".join(sorted(printed)) or "—"),
                        html.Td(
                            _source_text(registry, source_cell) if source_cell.reported else "—"
                        ),
                        html.Td("; ".join(notes)),
                    ]
                )
            )

    for term_row in table.rows:
        add(term_row, "")
    for term_row in table.table_only:
        add(term_row, f"not charted: {term_row.hidden_reason}")
    for cell in table.pooled:
        body.append(
            html.Tr(
                [
                    html.Td(cell.printed or "—"),
                    html.Td(f"{registry.trial(cell.trial_id).name}: all arms (pooled)"),
                    html.Td(
                        _cell_text(cell) if cell.grade_band == "any" else "—",
                        className="escc-value",
                    ),
                    html.Td(
                        _cell_text(cell) if cell.grade_band != "any" else "—",
                        className="escc-value",
                    ),
                    html.Td(ae.band_label(cell.grade_band or "any")),
                    html.Td(cell.printed or "—"),
                    html.Td(_source_text(registry, cell)),
                    html.Td("pooled across arms by the source: not charted per arm"),
                ]
            )
        )
    headers = (
        "Harmonised term",
        "Arm",
        "Any grade (n/N)",
        "Grade ≥3 as reported (n/N)",
        "Other grade bands as printed",
        "Printed as",
        "Source",
        "Notes",
    )
    return _table(headers, body[:MAX_TABLE_ROWS], max(0, len(body) - MAX_TABLE_ROWS))


def _definitions(notes: Sequence[str]) -> Any:
    return dmc.Alert(
        html.Ul([html.Li(note) for note in notes], style={"margin": 0, "paddingLeft": "1.1rem"}),
        title="Definitions (they differ between trials: read before comparing)",
        color="blue",
        variant="light",
    )


def _caption(registry: Any, state: SafetyState, result: SafetyResult) -> Any:
    by_trial: dict[str, list[str]] = {}
    for trial, ref in _trial_refs(registry, result):
        by_trial.setdefault(trial.id, []).append(ref)
    parts: list[Any] = []
    for trial_id, refs in by_trial.items():
        trial = registry.trial(trial_id)
        levels = []
        for ref in refs:
            level = trial.publication(ref).level
            if level not in levels:
                levels.append(level)
        parts.append(
            html.Span(
                [
                    f"{trial.name}: ",
                    *citation_links(trial, refs),
                    " ",
                    *[source_badge(level) for level in levels],
                ]
            )
        )
    notes = [_key(state)]
    if state.chart != "summary":
        notes.append(_term_map_note(registry))
    return caption(
        parts,
        data_version=registry.data_version,
        cross_trial=_cross_trial(state),
        notes=notes,
    )


def outputs(registry: Any, state: SafetyState) -> dict[str, Any]:
    """Everything the view shows for a validated ``state``."""
    result = compute(registry, state)
    figure = build_figure(registry, state, result)
    height = int(figure.layout.height or 560)
    if result.summary is not None:
        table = _summary_table(registry, result.summary)
    else:
        table = _term_table(registry, _terms(result))
    return {
        "figure": figure,
        "style": {"height": f"{height}px"},
        "definitions": _definitions(_notes(registry, state, result)),
        "caption": _caption(registry, state, result),
        "table": table,
        "message": None,
    }


def _invalid(problems: Sequence[str]) -> Any:
    if list(problems) == ["no arm chosen"]:
        return dmc.Alert("Choose at least one arm to compare.", color="gray", title="No arm chosen")
    return dmc.Alert(
        "Invalid selection (" + ", ".join(problems) + "): nothing was recomputed. "
        "Choose from the lists.",
        color="red",
        title="Invalid selection",
    )


# --------------------------------------------------------------------------------------------
# Layout and callbacks
# --------------------------------------------------------------------------------------------


def _arm_data(registry: Any) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, str]]] = {}
    for trial in registry.trials:
        groups[trial.name] = [
            {"value": arm_value((trial.id, arm.id)), "label": f"{trial.name}: {arm.label}"}
            for arm in trial.arms
        ]
    return [{"group": name, "items": items} for name, items in groups.items()]


def _control(label: str, component: Any) -> Any:
    return dmc.Stack([dmc.Text(label, size="sm", fw=500), component], gap=2)


def layout(registry: Any, query: Mapping[str, str]) -> Any:
    """The view for ``query`` (never raises: unknown values fall back to the defaults)."""
    try:
        state, notices = state_from_query(registry, query)
    except Exception:  # a link must never break the page
        state, notices = default_state(registry), ["the whole link"]
    try:
        out = outputs(registry, state)
    except Exception:  # the callback will show the error banner; the page still renders
        out = {
            "figure": None,
            "style": {"height": "560px"},
            "definitions": None,
            "caption": None,
            "table": None,
            "message": dmc.Alert(
                "This view could not be computed.", color="red", title="Something went wrong"
            ),
        }
    notice = (
        dmc.Alert(
            "Some settings in the link were not recognised and were reset: "
            + "; ".join(notices[:8]),
            color="yellow",
            title="Link settings reset",
        )
        if notices
        else None
    )
    categories = _categories(registry)
    return dmc.Stack(
        [
            dcc.Location(id=ids.SAFETY_URL, refresh=False),
            dmc.Title("Safety", order=2),
            dmc.Text(
                "Adverse events per arm as printed by each source, by harmonised term. "
                "Grade bands, categories (treatment-related, all-cause, immune-related) and "
                "denominators are shown with every number; a term a source did not report is "
                "marked 'not reported' with the reason, never 0.",
                size="sm",
                c="dimmed",
            ),
            html.Div(notice, id=ids.SAFETY_NOTICE),
            dmc.Group(
                [
                    dmc.MultiSelect(
                        id=ids.SAFETY_ARMS,
                        label=f"Arms (up to {MAX_ARMS})",
                        data=_arm_data(registry),
                        value=[arm_value(k) for k in state.arms],
                        maxValues=MAX_ARMS,
                        searchable=True,
                        clearable=True,
                        w=640,
                    ),
                ],
                align="flex-end",
            ),
            dmc.Group(
                [
                    _control(
                        "Chart",
                        dmc.SegmentedControl(
                            id=ids.SAFETY_CHART,
                            data=[{"value": k, "label": v} for k, v in CHARTS.items()],
                            value=state.chart,
                        ),
                    ),
                    _control(
                        "Category",
                        dmc.SegmentedControl(
                            id=ids.SAFETY_CATEGORY,
                            data=[
                                {"value": c, "label": CATEGORY_LABELS.get(c, c)} for c in categories
                            ],
                            value=state.category,
                        ),
                    ),
                    _control(
                        "Grade (term charts)",
                        dmc.SegmentedControl(
                            id=ids.SAFETY_GRADE,
                            data=[{"value": k, "label": v} for k, v in GRADE_OPTIONS.items()],
                            value=state.grade,
                        ),
                    ),
                    _control(
                        "Order of terms",
                        dmc.SegmentedControl(
                            id=ids.SAFETY_SORT,
                            data=[{"value": k, "label": v} for k, v in SORT_OPTIONS.items()],
                            value=state.sort,
                        ),
                    ),
                    dmc.NumberInput(
                        id=ids.SAFETY_MIN,
                        label="Minimum frequency (%)",
                        value=state.min_pct,
                        min=0,
                        max=100,
                        step=5,
                        allowDecimal=False,
                        allowNegative=False,
                        clampBehavior="strict",
                        w=170,
                    ),
                    dmc.Switch(
                        id=ids.SAFETY_STRICT,
                        label="Grade ≥3 exactly (hide 3–4, 3–5 and grade-3-only bands)",
                        checked=state.strict,
                    ),
                ],
                align="flex-end",
                gap="lg",
            ),
            html.Div(out["definitions"], id=ids.SAFETY_DEFINITIONS),
            html.Div(out["message"], id=ids.SAFETY_MESSAGE),
            export_controls("safety"),
            graph(
                ids.SAFETY_GRAPH,
                # A plain dict: the layout is walked as a component tree (IDs test, Dash).
                out["figure"].to_dict() if out["figure"] is not None else None,
                filename="escc-safety",
                height=out["style"]["height"],
            ),
            html.Div(out["caption"], id=ids.SAFETY_CAPTION),
            html.Div(out["table"], id=ids.SAFETY_TABLE),
        ],
        gap="md",
    )


def register_callbacks(app: Dash, registry: Any) -> None:
    # Load (and check) the term map now: a malformed map, or one that would merge two printed
    # terms of one source table, stops the app like any other data error.
    term_map_for(registry)

    @app.callback(
        Output(ids.SAFETY_GRAPH, "figure"),
        Output(ids.SAFETY_GRAPH, "style"),
        Output(ids.SAFETY_DEFINITIONS, "children"),
        Output(ids.SAFETY_CAPTION, "children"),
        Output(ids.SAFETY_TABLE, "children"),
        Output(ids.SAFETY_MESSAGE, "children"),
        Output(ids.SAFETY_URL, "search"),
        Input(ids.SAFETY_ARMS, "value"),
        Input(ids.SAFETY_CHART, "value"),
        Input(ids.SAFETY_CATEGORY, "value"),
        Input(ids.SAFETY_GRADE, "value"),
        Input(ids.SAFETY_STRICT, "checked"),
        Input(ids.SAFETY_SORT, "value"),
        Input(ids.SAFETY_MIN, "value"),
        prevent_initial_call=True,
    )
    def update(
        arms: object,
        chart: object,
        category: object,
        grade: object,
        strict: object,
        sort: object,
        min_pct: object,
    ) -> Any:
        state, problems = state_from_inputs(
            registry,
            arms=arms,
            chart=chart,
            category=category,
            grade=grade,
            strict=strict,
            sort=sort,
            min_pct=min_pct,
        )
        if state is None:
            return (no_update,) * 5 + (_invalid(problems), no_update)
        out = outputs(registry, state)
        return (
            out["figure"],
            out["style"],
            out["definitions"],
            out["caption"],
            out["table"],
            out["message"],
            state_to_search(registry, state),
        )
