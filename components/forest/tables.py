"""Result tables of the forest view, as light markup (:mod:`components.forest.markup`).

The tables are rebuilt on every control change: plain table elements with one class name,
written as plain data, cost a fraction of the server time of component objects (and of a
component-library table).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_mantine_components as dmc

from analysis.views.forest.model import (
    ACROSS_WARNING,
    FIXED_LABEL,
    INDEPENDENCE_CAVEAT,
    ForestModel,
)
from analysis.views.forest.text import format_hr, hr_text
from components import provenance
from components.forest.markup import el
from data import Registry

TABLE_CLASS = "escc-table escc-detail-table"


def table(head: Sequence[str], body: Sequence[Sequence[Any]], caption: str | None = None) -> Any:
    """A plain table: header cells, then one row per item; an optional caption above."""
    children: list[Any] = [el("Caption", caption)] if caption else []
    children.append(el("Thead", el("Tr", [el("Th", h) for h in head])))
    children.append(el("Tbody", [el("Tr", [el("Td", c) for c in row]) for row in body]))
    return el("Table", children, className=TABLE_CLASS)


def _p_cell(printed: str | None, sided: str | None) -> str:
    """A printed p-value with its sidedness ("0.001 (one-sided)"); "not stated" is left out."""
    if not printed:
        return "–"
    if sided and sided != "not stated":
        return f"{printed} ({sided})"
    return printed


def p_text(value: float | None) -> str:
    if value is None:
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def rows_table(registry: Registry, model: ForestModel) -> Any:
    colours = provenance.arm_colours(registry)
    body = []
    for r in model.rows:
        trial = registry.trial(r.trial_id)
        source: list[Any] = [provenance.source_badge(r.source_level)] if r.source_level else []
        if r.ref:
            source += [" ", *provenance.citation_links(trial, [r.ref])]
            if r.locator:
                source.append(f" ({r.locator})")
        hr_cell = (
            hr_text(r.hazard_ratio, r.ci_lower, r.ci_upper, r.ci_level_percent)
            if r.hazard_ratio is not None
            else (r.status_text or provenance.NR_NOT_REPORTED)
        )
        if r.hazard_ratio is None:
            pooled_cell = "no"  # the reason is in the HR column
        elif r.pooled and r.weight_percent is not None:
            pooled_cell = f"yes ({r.weight_percent:.1f}% weight)"
        else:
            pooled_cell = "yes" if r.pooled else f"no — {r.not_pooled_reason}"
        notes = [el("Div", n) for n in r.notes]
        if r.alternatives:
            notes.append(el("Div", "Also in the sources: " + "; ".join(r.alternatives)))
        colour = colours.get((r.trial_id, r.arm_id), ("#000000", "solid"))[0]
        body.append(
            [
                [
                    el("Span", "■ ", style={"color": colour}),
                    el("Strong", r.trial_name),
                    el("Div", f"{r.arm_label} vs {r.comparator_label}"),
                ],
                r.population_label or "–",
                r.analysis_label or "–",
                hr_cell,
                _p_cell(r.p_text, r.p_sided),
                r.n_text,
                pooled_cell,
                source or "–",
                notes or "",
            ]
        )
    return table(
        [
            "Trial / comparison",
            "Population",
            "Analysis",
            "HR (CI at published level)",
            "p (as printed)",
            "N exp / control",
            "Pooled",
            "Source",
            "Notes",
        ],
        body,
        caption="Hazard ratios shown in the figure (HR < 1 favours the experimental arm).",
    )


def pooled_table(model: ForestModel) -> Any:
    if model.random is None or model.fixed is None:
        return dmc.Alert(
            " ".join(model.messages) or "Nothing to pool.", color="gray", variant="light"
        )
    body = []
    for label, res in ((model.method_label, model.random), (FIXED_LABEL, model.fixed)):
        pi = (
            f"{format_hr(res.pi_hr_lower, 2)}–{format_hr(res.pi_hr_upper, 2)}"
            if res.pi_hr_lower is not None and res.pi_hr_upper is not None
            else "needs ≥3 trials"
        )
        body.append(
            [
                label,
                hr_text(res.hr, res.hr_ci_lower, res.hr_ci_upper, 100 * res.ci_level, 2),
                f"{res.test}: p = {p_text(res.p_value)}",
                pi if res.method != "FE" else "–",
                f"{res.tau2:.4g}",
                f"{min(100.0, max(0.0, res.i2_percent)):.1f}%",
                f"{res.q:.2f} (df {res.q_df}), p = {p_text(res.q_p_value)}",
                str(res.k),
            ]
        )
    return table(
        ["Model", "Pooled HR", "Test", "95% prediction interval", "τ²", "I²", "Q", "k"],
        body,
        caption=(
            "Pooled estimates. Prediction interval: t with k−2 df (Higgins 2009, Riley 2011). "
            + " ".join(model.messages)
        ),
    )


def loo_table(model: ForestModel) -> Any:
    if not model.state.leave_one_out:
        return None
    if not model.loo:
        return dmc.Alert(
            "Leave-one-out needs at least two pooled trials.", color="gray", variant="light"
        )
    body = [
        [
            item.omitted_label,
            hr_text(
                item.result.hr,
                item.result.hr_ci_lower,
                item.result.hr_ci_upper,
                100 * item.result.ci_level,
                2,
            ),
            f"{item.result.tau2:.4g}",
            f"{item.result.i2_percent:.1f}%",
            str(item.result.k),
        ]
        for item in model.loo
    ]
    return table(
        ["Trial left out", "Pooled HR without it", "τ²", "I²", "k"],
        body,
        caption=f"Leave-one-out ({model.method_label}).",
    )


def interaction_table(model: ForestModel) -> Any:
    title = el("H4", "Subgroup-by-PD-L1 interaction (ratio of HRs, higher vs lower)")
    if not model.interactions:
        return el(
            "Div",
            [
                title,
                el(
                    "P",
                    "No trial of this comparison reports the endpoint's HR for two disjoint "
                    "PD-L1 subgroups of the same scoring system in the same analysis "
                    "(e.g. CPS ≥10 and CPS <10), so no ratio of HRs can be formed.",
                    className="escc-caption",
                ),
            ],
        )
    body = [
        [
            item.trial_name,
            item.analysis_label,
            f"{item.high_label} vs {item.low_label}",
            item.kind,
            item.high_hr_text,
            item.low_hr_text,
            f"{item.result.ratio:.2f} ({item.result.ci_lower:.2f}–{item.result.ci_upper:.2f})",
            p_text(item.result.p_value),
        ]
        for item in model.interactions
    ]
    head = [
        "Trial",
        "Analysis",
        "Groups",
        "Kind",
        "HR higher group",
        "HR lower group",
        "Ratio of HRs (95% CI)",
        "p (z test)",
    ]
    return el(
        "Div", [title, table(head, body), el("P", INDEPENDENCE_CAVEAT, className="escc-caption")]
    )


def caption(registry: Registry, model: ForestModel) -> Any:
    parts: list[Any] = []
    for trial_id, ref in model.refs:
        parts.extend(provenance.citation_links(registry.trial(trial_id), [ref]))
    notes = list(model.caveats)
    levels = model.ci_levels
    if any(level != 95.0 for level in levels):
        notes.append(
            "Rows printed at other levels than 95% keep their level ("
            + ", ".join(f"{lv:g}%" for lv in levels)
            + ")."
        )
    return provenance.caption(parts, data_version=registry.data_version, notes=notes)


def messages(model: ForestModel) -> list[Any]:
    alerts: list[Any] = []
    if model.state.across:
        alerts.append(dmc.Alert(ACROSS_WARNING, color="red", variant="filled", title="Caution"))
    other = [m for m in model.messages if not m.startswith("POOLED ACROSS")]
    if other:
        alerts.append(dmc.Alert(" ".join(other), color="gray", variant="light"))
    return alerts
