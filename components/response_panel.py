"""Response view: ORR, DCR and CR rate per arm with exact intervals, as the sources print them.

For every arm, population and analysis that reports the chosen measure:

* when the source prints the counts (``n``/``N`` in the data), the rate is 100 n/N with the
  exact Clopper–Pearson interval (:func:`analysis.proportions.clopper_pearson`) and the printed
  interval beside it, compared at the printed precision
  (:func:`analysis.proportions.compare_with_printed`) — a mismatch is flagged, never hidden;
* when it prints only a percentage, the rate and the interval are shown **as printed**; no count
  is invented. Separately, an "exact check" column says whether a count is derivable — from
  CR/PR/SD counts printed for the same arm and analysis, or as the only count of N whose
  percentage prints as the value — and whether its Clopper–Pearson interval reproduces the
  printed one. Such counts are labelled derived and never plotted as data;
* rows that are not reported stay in the table with their reason;
* confirmed vs unconfirmed response, the assessor and the criteria are labelled; the median
  duration of response of the same arm, population and analysis is shown beside it.

Chemo-free and chemo-containing regimens are grouped; colours per arm come from
:func:`components.provenance.arm_colours`.

URL state: ``?m=ORR|DCR|CR&pop=itt|all[&cls=<class>|…][&arms=<trial>:<arm>,…]``.
:func:`figure_for` builds the figure, export footnote and CSV rows for a validated
:class:`ResponseState`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import dash_mantine_components as dmc
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html, no_update

from analysis.proportions import PrintedIntervalCheck, clopper_pearson, compare_with_printed
from components import ids, provenance
from components.charts.forest import clip
from components.charts.response import (
    CI_AS_PRINTED,
    CI_FROM_COUNTS,
    ResponseOptions,
    ResponsePoint,
    build_response_figure,
    figure_height_px,
)
from components.charts.theme import escape_plotly_text
from components.export.bundle import ExportBundle, bundle_rows
from components.export.footnote import Footnote
from components.export_menu import export_controls
from components.graph import graph

MEASURES: dict[str, str] = {
    "ORR": "Objective response rate",
    "DCR": "Disease control rate",
    "CR": "Complete response rate",
}
POPULATIONS: dict[str, str] = {
    "itt": "ITT / all enrolled",
    "all": "All reported populations (incl. evaluable and subgroups)",
}
CHEMO_FREE_CLASSES = ("ICI+TKI (chemo-free)", "dual ICI (chemo-free)")
GROUP_CHEMO_FREE = "Chemo-free regimens"
GROUP_CHEMO = "Chemo-containing regimens"
# Counts of these categories add up to the measure (same arm, population and analysis).
COMPONENTS = {"ORR": ("CR", "PR"), "DCR": ("CR", "PR", "SD")}
_MAX_TEXT = 60


def regimen_group(regimen_class: str) -> str:
    return GROUP_CHEMO_FREE if regimen_class in CHEMO_FREE_CLASSES else GROUP_CHEMO


# --------------------------------------------------------------------------------------------
# Allow-lists and state
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseChoices:
    arms: tuple[tuple[str, str], ...]  # (key "trial:arm", label) of arms with response rows
    classes: tuple[str, ...]  # regimen classes of those arms, in registry order


@functools.lru_cache(maxsize=8)
def choices(registry: Any) -> ResponseChoices:
    arms: list[tuple[str, str]] = []
    classes: list[str] = []
    for trial in registry.trials:
        for arm in trial.arms:
            if not any(r.arm == arm.id and r.measure == "rate" for r in trial.response):
                continue
            arms.append((f"{trial.id}:{arm.id}", f"{trial.name}: {arm.label}"))
            if arm.regimen_class not in classes:
                classes.append(arm.regimen_class)
    return ResponseChoices(arms=tuple(arms), classes=tuple(classes))


@dataclass(frozen=True)
class ResponseState:
    """Validated control values; empty ``classes``/``arms`` mean "all"."""

    measure: str = "ORR"
    population: str = "itt"
    classes: tuple[str, ...] = ()
    arms: tuple[str, ...] = ()


def _short(value: object) -> str:
    text = value if isinstance(value, str) else type(value).__name__
    return text[:_MAX_TEXT]


def state_from_query(registry: Any, query: Mapping[str, str]) -> tuple[ResponseState, list[str]]:
    """State from a URL query; unknown values are reset and named in the returned list."""
    found = choices(registry)
    arm_keys = {k for k, _ in found.arms}
    problems: list[str] = []
    updates: dict[str, Any] = {}
    measure = query.get("m")
    if measure is not None:
        if measure in MEASURES:
            updates["measure"] = measure
        else:
            problems.append(f"measure {_short(measure)!r}")
    population = query.get("pop")
    if population is not None:
        if population in POPULATIONS:
            updates["population"] = population
        else:
            problems.append(f"population {_short(population)!r}")
    raw_classes = query.get("cls")
    if raw_classes is not None:
        parts = raw_classes.split("|") if isinstance(raw_classes, str) else []
        good = [c for c in parts if c in found.classes]
        problems.extend(f"regimen class {_short(c)!r}" for c in parts if c not in found.classes)
        updates["classes"] = tuple(c for c in found.classes if c in good)
    raw_arms = query.get("arms")
    if raw_arms is not None:
        if isinstance(raw_arms, str) and len(raw_arms) < 2000:
            parts = raw_arms.split(",")
            problems.extend(f"arm {_short(a)!r}" for a in parts if a not in arm_keys)
        else:
            parts = []
            problems.append("arm list (too long)")
        updates["arms"] = tuple(k for k, _ in found.arms if k in parts)
    unknown = sorted(set(query) - {"m", "pop", "cls", "arms"})
    problems.extend(f"unknown setting {_short(k)!r}" for k in unknown[:5])
    return replace(ResponseState(), **updates), problems


def state_from_inputs(
    registry: Any, *, measure: object, population: object, classes: object, arms: object
) -> tuple[ResponseState | None, list[str]]:
    """State from callback values, or (None, problems) when any value is off its allow-list."""
    found = choices(registry)
    arm_keys = [k for k, _ in found.arms]
    problems: list[str] = []
    if not (isinstance(measure, str) and measure in MEASURES):
        problems.append("measure")
    if not (isinstance(population, str) and population in POPULATIONS):
        problems.append("population")
    chosen_classes: tuple[str, ...] = ()
    if classes is None:
        chosen_classes = ()
    elif isinstance(classes, list) and all(
        isinstance(c, str) and c in found.classes for c in classes
    ):
        chosen_classes = tuple(c for c in found.classes if c in classes)
    else:
        problems.append("regimen classes")
    chosen_arms: tuple[str, ...] = ()
    if arms is None:
        chosen_arms = ()
    elif isinstance(arms, list) and all(isinstance(a, str) and a in arm_keys for a in arms):
        chosen_arms = tuple(k for k in arm_keys if k in arms)
    else:
        problems.append("arms")
    if problems:
        return None, problems
    return (
        ResponseState(
            measure=str(measure),
            population=str(population),
            classes=chosen_classes,
            arms=chosen_arms,
        ),
        [],
    )


def state_to_search(state: ResponseState) -> str:
    params = {"m": state.measure, "pop": state.population}
    if state.classes:
        params["cls"] = "|".join(state.classes)
    if state.arms:
        params["arms"] = ",".join(state.arms)
    return "?" + urlencode(sorted(params.items()))


# --------------------------------------------------------------------------------------------
# Rows (pure)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExactCheck:
    """A count derived here (never printed) and whether its exact CI reproduces the printed one."""

    successes: int
    n: int
    how: str
    ci_lower_percent: float
    ci_upper_percent: float
    check: PrintedIntervalCheck | None


@dataclass(frozen=True)
class ResponseRowView:
    """One arm × population × analysis row of the chosen measure, with its intervals."""

    key: str
    trial_id: str
    trial_name: str
    arm_id: str
    arm_label: str
    regimen_class: str
    group: str
    colour: str
    population_label: str
    population_kind: str
    single_arm: bool
    analysis_label: str
    status: str
    reason: str | None
    printed_percent: float | None
    printed_ci: tuple[float, float] | None
    printed_ci_level: float | None
    successes: int | None
    n: int | None
    counts_derived: bool
    cp_lower_percent: float | None
    cp_upper_percent: float | None
    check: PrintedIntervalCheck | None
    exact_check: ExactCheck | None
    confirmed: str
    assessor: str
    criteria: str | None
    dor_text: str
    source_level: str | None
    ref: str | None
    locator: str | None
    notes: tuple[str, ...]

    @property
    def rate_percent(self) -> float | None:
        if self.successes is not None and self.n:
            return 100.0 * self.successes / self.n
        return self.printed_percent

    @property
    def mismatch(self) -> bool:
        checks = [c for c in (self.check, self.exact_check and self.exact_check.check) if c]
        return any(not c.matches for c in checks)


def _decimals(values: Sequence[float]) -> int:
    """Decimals printed: 1 if any bound has a fractional part, else 0 (e.g. "61–71")."""
    return 0 if all(float(v).is_integer() for v in values) else 1


def _numeric_ci(row: Any) -> tuple[float, float] | None:
    if row.ci is None:
        return None
    lo, hi = row.ci
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
        return float(lo), float(hi)
    return None


def _confirmed(value: bool | None) -> str:
    if value is None:
        return "confirmation not stated"
    return "confirmed" if value else "unconfirmed"


def _analysis_label(trial: Any, analysis_id: str) -> str:
    analysis = trial.analysis(analysis_id)
    cutoff = analysis.data_cutoff.date if analysis.data_cutoff.status == "reported" else None
    return f"{analysis.kind} · cut-off {cutoff or 'not reported'}"


def _population_label(population: Any) -> str:
    label = population.label
    if population.histology != "ESCC":
        label += f" [{population.histology}]"
    return label


def _dor_text(trial: Any, row: Any) -> str:
    found = [
        r
        for r in trial.efficacy
        if r.endpoint == "DoR"
        and r.measure == "median"
        and r.arm == row.arm
        and r.population == row.population
        and r.analysis == row.analysis
    ]
    if not found:
        return provenance.NR_NOT_REPORTED
    parts = []
    for r in found:
        if r.status == "not_reached":
            parts.append(provenance.NR_NOT_REACHED)
            continue
        if r.status != "reported" or r.value is None:
            parts.append(f"{provenance.NR_NOT_REPORTED} ({r.reason or 'no reason recorded'})")
            continue
        text = f"{r.value:g} months"
        if r.ci is not None:
            lo = "NE (not estimable)" if r.ci[0] == "NE" else r.ci[0]
            hi = "NE (not estimable)" if r.ci[1] == "NE" else r.ci[1]
            text += f" ({lo}–{hi}, {r.ci_level:g}% CI)"
        remark = r.note or r.curation_note
        if remark:
            text += f" [{clip(remark, 90)}]"
        parts.append(text)
    return "; ".join(parts)


def count_from_percent(percent: float, n: int, decimals: int = 1) -> int | None:
    """The only k in 0..n whose 100 k / n rounds (half up) to ``percent``, else None."""
    scale = 10**decimals
    target = round(percent * scale)
    found = [k for k in range(n + 1) if math.floor(100 * k * scale / n + 0.5 + 1e-9) == target]
    return found[0] if len(found) == 1 else None


def _exact_check(trial: Any, row: Any, measure: str) -> ExactCheck | None:
    """Derive a count for a row that prints no count (see module docstring), if possible."""
    printed = _numeric_ci(row)
    if row.n is not None or not row.N or row.value is None or row.unit != "%" or not printed:
        return None  # only a printed interval gives a derived count something to check
    successes: int | None = None
    how = ""
    parts = COMPONENTS.get(measure, ())
    counts = []
    for category in parts:
        match = [
            r.n
            for r in trial.response
            if r.category == category
            and r.measure == "rate"
            and r.arm == row.arm
            and r.population == row.population
            and r.analysis == row.analysis
            and r.n is not None
            and r.N == row.N
        ]
        counts.append(match[0] if match else None)
    if parts and all(c is not None for c in counts):
        total = sum(c for c in counts if c is not None)
        if abs(100.0 * total / row.N - row.value) <= 0.55:
            successes = total
            how = (
                f"derived here: {' + '.join(parts)} = "
                f"{' + '.join(str(c) for c in counts)} counts printed in the same source"
            )
    if successes is None:
        decimals = 0 if float(row.value).is_integer() else 1
        successes = count_from_percent(float(row.value), int(row.N), decimals)
        if successes is None:
            return None
        how = (
            f"derived here: the only count of {row.N} that prints as {row.value:g}% "
            "(not printed in the source)"
        )
    interval = clopper_pearson(successes, int(row.N))
    check = compare_with_printed(interval, printed[0], printed[1], _decimals(printed))
    return ExactCheck(
        successes=successes,
        n=int(row.N),
        how=how,
        ci_lower_percent=interval.ci_lower_percent,
        ci_upper_percent=interval.ci_upper_percent,
        check=check,
    )


def _row_view(trial: Any, arm: Any, row: Any, measure: str, colour: str) -> ResponseRowView:
    printed = _numeric_ci(row)
    cp_lower = cp_upper = None
    check = None
    reported = row.status == "reported"
    if reported and row.n is not None and row.N:
        interval = clopper_pearson(row.n, row.N)
        cp_lower, cp_upper = interval.ci_lower_percent, interval.ci_upper_percent
        if printed:
            check = compare_with_printed(interval, printed[0], printed[1], _decimals(printed))
    population = trial.population_by_id(row.population)
    return ResponseRowView(
        key=f"{trial.id}:{arm.id}:{row.population}:{row.analysis}:{row.ref or ''}",
        trial_id=trial.id,
        trial_name=trial.name,
        arm_id=arm.id,
        arm_label=arm.label,
        regimen_class=arm.regimen_class,
        group=regimen_group(arm.regimen_class),
        colour=colour,
        population_label=_population_label(population),
        population_kind=population.kind,
        single_arm=len(trial.arms) == 1,
        analysis_label=_analysis_label(trial, row.analysis),
        status=row.status,
        reason=row.reason,
        printed_percent=(
            float(row.value) if reported and row.value is not None and row.unit == "%" else None
        ),
        printed_ci=printed,
        printed_ci_level=row.ci_level,
        successes=row.n if reported and row.N else None,
        n=row.N if reported and row.n is not None else None,
        counts_derived=bool(row.derived),
        cp_lower_percent=cp_lower,
        cp_upper_percent=cp_upper,
        check=check,
        exact_check=_exact_check(trial, row, measure) if reported else None,
        confirmed=_confirmed(row.confirmed),
        assessor=row.assessor or "assessor not stated",
        criteria=row.criteria,
        dor_text=_dor_text(trial, row),
        source_level=trial.source_level(row) if row.ref else None,
        ref=row.ref,
        locator=row.locator,
        notes=tuple(n for n in (row.note, row.curation_note) if n),
    )


@functools.lru_cache(maxsize=128)
def response_rows(registry: Any, state: ResponseState) -> tuple[ResponseRowView, ...]:
    """Rows of ``state.measure`` for the chosen arms/classes/population, chemo-free first."""
    out: list[ResponseRowView] = []
    colours = provenance.arm_colours(registry)  # once: hashing the registry is not free
    for trial in registry.trials:
        for arm in trial.arms:
            if state.arms and f"{trial.id}:{arm.id}" not in state.arms:
                continue
            if state.classes and arm.regimen_class not in state.classes:
                continue
            for row in trial.response:
                if row.arm != arm.id or row.category != state.measure or row.measure != "rate":
                    continue
                population = trial.population_by_id(row.population)
                if state.population == "itt" and population.kind != "itt":
                    continue
                colour = colours.get((trial.id, arm.id), ("#000000", "solid"))[0]
                out.append(_row_view(trial, arm, row, state.measure, colour))
    order = {GROUP_CHEMO_FREE: 0, GROUP_CHEMO: 1}
    return tuple(sorted(out, key=lambda r: order[r.group]))  # stable: registry order kept


# --------------------------------------------------------------------------------------------
# Figure, footnote, CSV (shared with the export code)
# --------------------------------------------------------------------------------------------


def _point(row: ResponseRowView) -> ResponsePoint:
    response = row.confirmed
    if row.assessor != "assessor not stated":
        response += f", {row.assessor}"
    population = row.population_label
    if len(population) > 40:
        population = population[:39].rstrip() + "…"
    detail = " · ".join((row.arm_label, population, row.analysis_label, response))
    label = clip(row.trial_name, 24)
    if not row.single_arm:
        label += f" · {clip(row.arm_label, 28)}"
    label += f" · {row.analysis_label.split(' · ')[0]}"
    if row.population_kind != "itt":
        label += f" · {clip(row.population_label, 24)}"
    if row.status != "reported" or row.rate_percent is None:
        status = {"not_reached": provenance.NR_NOT_REACHED}.get(
            row.status, f"{provenance.NR_NOT_REPORTED}: {row.reason or 'no reason recorded'}"
        )
        return ResponsePoint(
            row.key, label, detail, row.group, row.colour, None, count_text="–", status_text=status
        )
    if row.cp_lower_percent is not None and row.cp_upper_percent is not None:
        lower, upper, level, source = (
            row.cp_lower_percent,
            row.cp_upper_percent,
            95.0,
            CI_FROM_COUNTS,
        )
    elif row.printed_ci is not None:
        lower, upper = row.printed_ci
        level, source = row.printed_ci_level, CI_AS_PRINTED
    else:
        lower = upper = level = None
        source = None
    counts = (
        f"{row.successes}/{row.n}" + (" (derived)" if row.counts_derived else "")
        if row.successes is not None and row.n
        else "–"
    )
    flag = None
    if row.check is not None and not row.check.matches:
        flag = "printed CI differs from Clopper–Pearson"
    return ResponsePoint(
        row.key,
        label,
        detail,
        row.group,
        row.colour,
        row.rate_percent,
        lower,
        upper,
        level,
        source,
        counts,
        flag=flag,
    )


def footnote_for(registry: Any, rows: Sequence[ResponseRowView], state: ResponseState) -> Footnote:
    pairs = [(registry.trial(r.trial_id), r.ref) for r in rows if r.ref]
    return provenance.footnote_for(
        pairs,
        data_version=registry.data_version,
        cross_trial=True,
        caveats=(
            "Filled dots: rate and exact Clopper–Pearson 95% CI from printed counts; open dots: "
            "rate and CI as printed (no counts printed); open diamonds: no CI printed.",
            "Responses differ in confirmation, assessor (investigator, BICR/IRC) and "
            "denominator between studies.",
        ),
    )


def build_figure(
    registry: Any, state: ResponseState, rows: Sequence[ResponseRowView], *, with_footnote: bool
) -> go.Figure:
    footnote = None
    if with_footnote:
        lines = footnote_for(registry, rows, state).lines()
        footnote = "<br>".join(escape_plotly_text(line) for line in lines)
    return build_response_figure(
        [_point(r) for r in rows],
        ResponseOptions(
            measure_label=MEASURES[state.measure],
            title=f"{MEASURES[state.measure]} per arm ({POPULATIONS[state.population]})",
            footnote=footnote,
        ),
    )


CSV_COLUMNS: tuple[str, ...] = (
    "trial",
    "arm",
    "regimen_class",
    "group",
    "measure",
    "population",
    "analysis",
    "status",
    "reason",
    "rate_percent",
    "responders",
    "denominator",
    "counts_derived",
    "cp_ci_lower_percent",
    "cp_ci_upper_percent",
    "printed_ci_lower_percent",
    "printed_ci_upper_percent",
    "printed_ci_level_percent",
    "printed_matches_cp",
    "derived_count_check",
    "confirmed",
    "assessor",
    "criteria",
    "median_dor",
    "source_level",
    "source_locator",
)


def csv_rows(rows: Sequence[ResponseRowView], state: ResponseState) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for r in rows:
        exact = r.exact_check
        out.append(
            {
                "trial": r.trial_name,
                "arm": r.arm_label,
                "regimen_class": r.regimen_class,
                "group": r.group,
                "measure": state.measure,
                "population": r.population_label,
                "analysis": r.analysis_label,
                "status": r.status,
                "reason": r.reason,
                "rate_percent": r.rate_percent,
                "responders": r.successes,
                "denominator": r.n,
                "counts_derived": "yes" if r.counts_derived else "no",
                "cp_ci_lower_percent": r.cp_lower_percent,
                "cp_ci_upper_percent": r.cp_upper_percent,
                "printed_ci_lower_percent": r.printed_ci[0] if r.printed_ci else None,
                "printed_ci_upper_percent": r.printed_ci[1] if r.printed_ci else None,
                "printed_ci_level_percent": r.printed_ci_level,
                "printed_matches_cp": None if r.check is None else r.check.matches,
                "derived_count_check": _exact_text(exact) if exact else None,
                "confirmed": r.confirmed,
                "assessor": r.assessor,
                "criteria": r.criteria,
                "median_dor": r.dor_text,
                "source_level": r.source_level,
                "source_locator": r.locator,
            }
        )
    return out


def figure_for(
    registry: Any, state: ResponseState
) -> tuple[go.Figure, Footnote, list[dict[str, object]]]:
    """Export hook: (figure with in-figure footnote, footnote, CSV rows) for a valid ``state``.

    Columns of the CSV rows: :data:`CSV_COLUMNS`.
    """
    rows = response_rows(registry, state)
    return (
        build_figure(registry, state, rows, with_footnote=True),
        footnote_for(registry, rows, state),
        csv_rows(rows, state),
    )


def export_bundle(registry: Any, query: Mapping[str, str]) -> ExportBundle:
    """The chart as the export layer wants it, rebuilt from the page's query (defaults for
    anything the query gets wrong, exactly as the page shows it)."""
    state, _problems = state_from_query(registry, query)
    figure, footnote, rows = figure_for(registry, state)
    return ExportBundle(
        kind="response",
        title=f"{MEASURES[state.measure]} per arm ({POPULATIONS[state.population]})",
        figure=figure,
        footnote=footnote,
        columns=CSV_COLUMNS,
        rows=bundle_rows(rows),
        subject=(),
        endpoint=state.measure,
        population=state.population,
    )


# --------------------------------------------------------------------------------------------
# Table, caption, layout, callbacks
# --------------------------------------------------------------------------------------------


def _pct(lower: float, upper: float, decimals: int = 1) -> str:
    return f"{lower:.{decimals}f}–{upper:.{decimals}f}"


def _exact_text(exact: ExactCheck) -> str:
    text = (
        f"{exact.successes}/{exact.n} ({exact.how}): Clopper–Pearson "
        f"{_pct(exact.ci_lower_percent, exact.ci_upper_percent)}"
    )
    if exact.check is not None:
        text += (
            " — reproduces the printed CI"
            if exact.check.matches
            else " — does NOT reproduce the printed CI"
        )
    return text


def _rate_cell(r: ResponseRowView) -> Any:
    if r.status == "not_reported" or r.rate_percent is None:
        return f"{provenance.NR_NOT_REPORTED}: {r.reason or 'no reason recorded'}"
    if r.successes is not None and r.n:
        text = f"{r.successes}/{r.n} = {r.rate_percent:.1f}%"
        if r.counts_derived:
            text += " (counts derived in the data)"
        return text
    return f"{r.printed_percent:g}% (counts not printed)"


def _ci_cells(r: ResponseRowView) -> tuple[str, str, str]:
    computed = (
        _pct(r.cp_lower_percent, r.cp_upper_percent)
        if r.cp_lower_percent is not None and r.cp_upper_percent is not None
        else "– (no counts)"
    )
    if r.printed_ci is not None:
        decimals = _decimals(r.printed_ci)
        printed = f"{_pct(r.printed_ci[0], r.printed_ci[1], decimals)} ({r.printed_ci_level:g}%)"
        if r.cp_lower_percent is None:
            printed += ", CI as printed"
    else:
        printed = "not printed"
    if r.check is not None:
        flag = "matches" if r.check.matches else "⚠ differs from Clopper–Pearson"
    elif r.exact_check is not None:
        flag = ("⚠ " if r.exact_check.check and not r.exact_check.check.matches else "") + (
            _exact_text(r.exact_check)
        )
    else:
        flag = "–"
    return computed, printed, flag


def _table(registry: Any, rows: Sequence[ResponseRowView], state: ResponseState) -> Any:
    head = [
        "Trial / arm",
        "Population · analysis",
        MEASURES[state.measure],
        "Clopper–Pearson 95% CI",
        "Printed CI",
        "Exact check",
        "Response",
        "Median DoR",
        "Source",
        "Notes",
    ]
    body = []
    for r in rows:
        trial = registry.trial(r.trial_id)
        computed, printed, flag = _ci_cells(r)
        source: list[Any] = [provenance.source_badge(r.source_level)] if r.source_level else []
        if r.ref:
            source += [" ", *provenance.citation_links(trial, [r.ref])]
            if r.locator:
                source.append(html.Span(f" ({r.locator})"))
        response = f"{r.confirmed}; {r.assessor}" + (f"; {r.criteria}" if r.criteria else "")
        body.append(
            html.Tr(
                [
                    html.Td(
                        [
                            html.Span("● ", style={"color": r.colour}),
                            html.Strong(r.trial_name),
                            html.Div(r.arm_label),
                            html.Div(r.group, style={"fontSize": "0.85em", "color": "#57606a"}),
                        ]
                    ),
                    html.Td([html.Div(r.population_label), html.Div(r.analysis_label)]),
                    html.Td(_rate_cell(r)),
                    html.Td(computed),
                    html.Td(printed),
                    html.Td(flag),
                    html.Td(response),
                    html.Td(r.dor_text),
                    html.Td(html.Div(source) if source else "–"),
                    html.Td([html.Div(n) for n in r.notes]),
                ],
                **{"data-row": r.key},
            )
        )
    return dmc.Table(
        [
            html.Caption(
                "Rates per arm. Exact intervals are computed only from printed counts; "
                "percentages without counts keep their printed interval."
            ),
            html.Thead(html.Tr([html.Th(h) for h in head])),
            html.Tbody(body),
        ],
        striped=True,
        highlightOnHover=True,
        withTableBorder=True,
        fz="xs",
        captionSide="top",
    )


def _caption(registry: Any, rows: Sequence[ResponseRowView]) -> Any:
    parts: list[Any] = []
    seen: set[tuple[str, str]] = set()
    for r in rows:
        if r.ref and (r.trial_id, r.ref) not in seen:
            seen.add((r.trial_id, r.ref))
            parts.extend(provenance.citation_links(registry.trial(r.trial_id), [r.ref]))
    levels = sorted({r.printed_ci_level for r in rows if r.printed_ci_level is not None})
    notes = [
        "Filled dots: exact Clopper–Pearson 95% CI from printed counts; open dots: CI as "
        "printed; open diamonds: no CI printed. Confirmation, assessor and denominators differ "
        "between studies."
    ]
    if any(level != 95.0 for level in levels):
        notes.append("Printed CI levels: " + ", ".join(f"{lv:g}%" for lv in levels) + ".")
    return provenance.caption(
        parts, data_version=registry.data_version, cross_trial=True, notes=notes
    )


def _outputs(registry: Any, state: ResponseState) -> dict[str, Any]:
    rows = response_rows(registry, state)
    n_rows = len(rows) + len({r.group for r in rows})
    message = None
    if not rows:
        message = dmc.Alert(
            "No arm matches this selection for this measure.", color="gray", variant="light"
        )
    return {
        # A plain dict: the layout walkers (ID checks) only traverse Dash components.
        "figure": build_figure(registry, state, rows, with_footnote=False).to_dict(),
        "style": {"height": f"{figure_height_px(n_rows)}px"},
        "caption": _caption(registry, rows),
        "table": _table(registry, rows, state),
        "message": message,
    }


def layout(registry: Any, query: Mapping[str, str]) -> Any:
    """The view for ``query`` (never raises: unknown values fall back to the defaults)."""
    found = choices(registry)
    try:
        state, problems = state_from_query(registry, query if isinstance(query, Mapping) else {})
    except Exception:  # a link must never break the page
        state, problems = ResponseState(), ["the whole link"]
    outputs = _outputs(registry, state)
    notice = (
        dmc.Alert(
            "Some settings in the link were not recognised and were reset: "
            + "; ".join(problems[:8]),
            color="yellow",
            title="Link settings reset",
        )
        if problems
        else None
    )
    return dmc.Stack(
        [
            dcc.Location(id=ids.RESPONSE_URL, refresh=False),
            dmc.Title("Response", order=2),
            dmc.Text(
                "Objective response, disease control and complete response per arm, with exact "
                "Clopper–Pearson intervals where the counts are printed and the printed interval "
                "beside them.",
                size="sm",
                c="dimmed",
            ),
            notice,
            dmc.Group(
                [
                    dmc.Stack(
                        [
                            dmc.Text("Measure", size="sm", fw=500),
                            dmc.SegmentedControl(
                                id=ids.RESPONSE_MEASURE,
                                data=[{"value": k, "label": k} for k in MEASURES],
                                value=state.measure,
                            ),
                        ],
                        gap=2,
                    ),
                    dmc.Stack(
                        [
                            dmc.Text("Population", size="sm", fw=500),
                            dmc.SegmentedControl(
                                id=ids.RESPONSE_POPULATION,
                                data=[{"value": k, "label": v} for k, v in POPULATIONS.items()],
                                value=state.population,
                            ),
                        ],
                        gap=2,
                    ),
                    dmc.MultiSelect(
                        id=ids.RESPONSE_CLASSES,
                        label="Regimen classes (empty = all)",
                        data=[{"value": c, "label": c} for c in found.classes],
                        value=list(state.classes),
                        clearable=True,
                        w=360,
                    ),
                    dmc.MultiSelect(
                        id=ids.RESPONSE_ARMS,
                        label="Arms (empty = all)",
                        data=[{"value": k, "label": v} for k, v in found.arms],
                        value=list(state.arms),
                        clearable=True,
                        searchable=True,
                        w=420,
                    ),
                ],
                align="flex-end",
            ),
            html.Div(outputs["message"], id=ids.RESPONSE_MESSAGE),
            export_controls("response"),
            graph(
                ids.RESPONSE_GRAPH,
                outputs["figure"],
                filename="escc-response",
                height=outputs["style"]["height"],
            ),
            html.Div(outputs["caption"], id=ids.RESPONSE_CAPTION),
            html.Div(outputs["table"], id=ids.RESPONSE_TABLE),
        ],
        gap="md",
    )


def register_callbacks(app: Dash, registry: Any) -> None:
    @app.callback(
        Output(ids.RESPONSE_GRAPH, "figure"),
        Output(ids.RESPONSE_GRAPH, "style"),
        Output(ids.RESPONSE_CAPTION, "children"),
        Output(ids.RESPONSE_TABLE, "children"),
        Output(ids.RESPONSE_MESSAGE, "children"),
        Output(ids.RESPONSE_URL, "search"),
        Input(ids.RESPONSE_MEASURE, "value"),
        Input(ids.RESPONSE_POPULATION, "value"),
        Input(ids.RESPONSE_CLASSES, "value"),
        Input(ids.RESPONSE_ARMS, "value"),
        prevent_initial_call=True,
    )
    def update(measure: object, population: object, classes: object, arms: object) -> Any:
        state, problems = state_from_inputs(
            registry, measure=measure, population=population, classes=classes, arms=arms
        )
        if state is None:
            alert = dmc.Alert(
                "Invalid selection (" + ", ".join(problems) + "): nothing was recomputed. "
                "Choose from the lists.",
                color="red",
                title="Invalid selection",
            )
            return (no_update,) * 4 + (alert, no_update)
        out = _outputs(registry, state)
        return (
            out["figure"],
            out["style"],
            out["caption"],
            out["table"],
            out["message"],
            state_to_search(state),
        )
