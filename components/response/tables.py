"""Response model -> the table under the chart and the caption."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import html

from analysis.views.response import (
    MEASURES,
    ExactCheck,
    ResponseModel,
    ResponseRowView,
    printed_decimals,
)
from components import provenance
from components.response.figure import Colours, colour, colours_of
from components.wire import el
from data import Registry

HEADERS_AFTER_MEASURE = (
    "Clopper–Pearson 95% CI",
    "Printed CI",
    "Exact check",
    "Response",
    "Median DoR",
    "Source",
    "Notes",
)
MUTED_STYLE = {"fontSize": "0.85em", "color": "#57606a"}


def _pct(lower: float, upper: float, decimals: int = 1) -> str:
    return f"{lower:.{decimals}f}–{upper:.{decimals}f}"


def exact_text(exact: ExactCheck) -> str:
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


def rate_cell(r: ResponseRowView) -> str:
    if r.status == "not_reported" or r.rate_percent is None:
        return f"{provenance.NR_NOT_REPORTED}: {r.reason or 'no reason recorded'}"
    if r.successes is not None and r.n:
        text = f"{r.successes}/{r.n} = {r.rate_percent:.1f}%"
        if r.counts_derived:
            text += " (counts derived in the data)"
        return text
    return f"{r.printed_percent:g}% (counts not printed)"


def ci_cells(r: ResponseRowView) -> tuple[str, str, str]:
    """(Clopper–Pearson CI, printed CI with its level, check) of one row."""
    computed = (
        _pct(r.cp_lower_percent, r.cp_upper_percent)
        if r.cp_lower_percent is not None and r.cp_upper_percent is not None
        else "– (no counts)"
    )
    if r.printed_ci is not None:
        decimals = printed_decimals(r.printed_ci)
        printed = f"{_pct(r.printed_ci[0], r.printed_ci[1], decimals)} ({r.printed_ci_level:g}%)"
        if r.cp_lower_percent is None:
            printed += ", CI as printed"
    else:
        printed = "not printed"
    if r.check is not None:
        flag = "matches" if r.check.matches else "⚠ differs from Clopper–Pearson"
    elif r.exact_check is not None:
        flag = ("⚠ " if r.exact_check.check and not r.exact_check.check.matches else "") + (
            exact_text(r.exact_check)
        )
    else:
        flag = "–"
    return computed, printed, flag


def _row(registry: Registry, r: ResponseRowView, colours: Colours) -> Any:
    trial = registry.trial(r.trial_id)
    computed, printed, flag = ci_cells(r)
    source: list[Any] = [provenance.source_badge(r.source_level)] if r.source_level else []
    if r.ref:
        source += [" ", *provenance.citation_links(trial, [r.ref])]
        if r.locator:
            source.append(html.Span(f" ({r.locator})"))
    response = f"{r.confirmed}; {r.assessor}" + (f"; {r.criteria}" if r.criteria else "")
    # Plain data (components.wire.el): constructing the cells as components was most of a new
    # state's render time (issue 11, session 5).
    return el(
        "Tr",
        [
            el(
                "Td",
                [
                    el("Span", "● ", style={"color": colour(colours, r)}),
                    el("Strong", r.trial_name),
                    el("Div", r.arm_label),
                    el("Div", r.group, style=MUTED_STYLE),
                ],
            ),
            el("Td", [el("Div", r.population_label), el("Div", r.analysis_label)]),
            el("Td", rate_cell(r)),
            el("Td", computed),
            el("Td", printed),
            el("Td", flag),
            el("Td", response),
            el("Td", r.dor_text),
            el("Td", el("Div", source) if source else "–"),
            el("Td", [el("Div", n) for n in r.notes]),
        ],
        **{"data-row": r.key},
    )


def result_table(registry: Registry, model: ResponseModel, colours: Colours | None = None) -> Any:
    colours = colours if colours is not None else colours_of(registry)
    head = ["Trial / arm", "Population · analysis", MEASURES[model.state.measure]]
    head.extend(HEADERS_AFTER_MEASURE)
    return dmc.Table(
        [
            html.Caption(
                "Rates per arm. Exact intervals are computed only from printed counts; "
                "percentages without counts keep their printed interval."
            ),
            html.Thead(html.Tr([html.Th(h) for h in head])),
            html.Tbody([_row(registry, r, colours) for r in model.rows]),
        ],
        striped=True,
        highlightOnHover=True,
        withTableBorder=True,
        fz="xs",
        captionSide="top",
    )


def caption_for(registry: Registry, model: ResponseModel) -> Any:
    parts: list[Any] = []
    for trial_id, ref in model.sources:
        parts.extend(provenance.citation_links(registry.trial(trial_id), [ref]))
    notes = [
        "Filled dots: exact Clopper–Pearson 95% CI from printed counts; open dots: CI as "
        "printed; open diamonds: no CI printed. Confirmation, assessor and denominators differ "
        "between studies."
    ]
    if model.cutoff_note:
        notes.append(model.cutoff_note)
    levels: Sequence[float] = model.printed_ci_levels
    if any(level != 95.0 for level in levels):
        notes.append("Printed CI levels: " + ", ".join(f"{lv:g}%" for lv in levels) + ".")
    return provenance.caption(
        parts, data_version=registry.data_version, cross_trial=True, notes=notes
    )
