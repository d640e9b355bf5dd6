"""Response model -> chart rows (ResponsePoint) and the figure, with colours per arm."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from analysis.views.response import ResponseModel, ResponseRowView
from components import provenance
from components.charts.response import (
    CI_AS_PRINTED,
    CI_FROM_COUNTS,
    ResponseOptions,
    ResponsePoint,
    figure_height_px,
    response_figure_dict,
)
from components.charts.theme import escape_plotly_text
from components.export.footnote import Footnote
from data import Registry

#: Colour of an arm the colour map does not know (not expected: every registry arm has one).
FALLBACK_COLOUR = "#000000"
FOOTNOTE_CAVEATS = (
    "Filled dots: rate and exact Clopper–Pearson 95% CI from printed counts; open dots: "
    "rate and CI as printed (no counts printed); open diamonds: no CI printed.",
    "Responses differ in confirmation, assessor (investigator, BICR/IRC) and "
    "denominator between studies.",
)


Colours = dict[tuple[str, str], tuple[str, str]]


def colours_of(registry: Registry) -> Colours:
    """The app-wide arm colours; look them up once per request (the lookup hashes the whole
    registry, which is not free)."""
    return provenance.arm_colours(registry)


def colour(colours: Colours, row: ResponseRowView) -> str:
    return colours.get((row.trial_id, row.arm_id), (FALLBACK_COLOUR, "solid"))[0]


def point(row: ResponseRowView, colour_: str = FALLBACK_COLOUR) -> ResponsePoint:
    """One chart row: label, hover detail, and the interval the chart draws (Clopper–Pearson
    from printed counts, else the printed one, else none)."""
    response = row.confirmed
    if row.assessor != "assessor not stated":
        response += f", {row.assessor}"
    population = row.population_label
    detail = " · ".join((row.arm_label, population, row.analysis_label, response))
    # Whole parts: the chart shortens labels shown together where they agree, not where they
    # differ ("… (chemo-free)" vs "… + paclitaxel/cisplatin"), and the hover has the full text.
    label = row.trial_name
    if not row.single_arm:
        label += f" · {row.arm_label}"
    label += f" · {row.analysis_label.split(' · ')[0]}"
    if row.population_kind != "itt":
        label += f" · {row.population_label}"
    if row.status != "reported" or row.rate_percent is None:
        status = {"not_reached": provenance.NR_NOT_REACHED}.get(
            row.status, f"{provenance.NR_NOT_REPORTED}: {row.reason or 'no reason recorded'}"
        )
        return ResponsePoint(
            row.key, label, detail, row.group, colour_, None, count_text="–", status_text=status
        )
    lower: float | None
    upper: float | None
    level: float | None
    source: str | None
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
        colour_,
        row.rate_percent,
        lower,
        upper,
        level,
        source,
        counts,
        flag=flag,
    )


def footnote_for(registry: Registry, model: ResponseModel) -> Footnote:
    return provenance.footnote_for(
        [(registry.trial(t), ref) for t, ref in model.sources],
        data_version=registry.data_version,
        cross_trial=True,
        caveats=(*FOOTNOTE_CAVEATS, *((model.cutoff_note,) if model.cutoff_note else ())),
    )


def figure_dict(
    registry: Registry,
    model: ResponseModel,
    *,
    footnote: Footnote | None = None,
    colours: Colours | None = None,
) -> dict[str, Any]:
    """The chart as a plain plotly dict (the page draws it; exports validate it)."""
    colours = colours if colours is not None else colours_of(registry)
    note = None
    if footnote is not None:
        note = "<br>".join(escape_plotly_text(line) for line in footnote.lines())
    return response_figure_dict(
        [point(r, colour(colours, r)) for r in model.rows],
        ResponseOptions(measure_label=model.measure_label, title=model.title, footnote=note),
    )


def build_figure(registry: Registry, model: ResponseModel, *, footnote: Footnote) -> go.Figure:
    return go.Figure(figure_dict(registry, model, footnote=footnote))


def height_px(model: ResponseModel) -> int:
    return figure_height_px(model.chart_rows)
