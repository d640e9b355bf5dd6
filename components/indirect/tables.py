"""Tables and text of the Indirect comparisons view: league table, P-scores, heterogeneity,
what cannot be compared, and the numbered list of published HRs every estimate cites.

Each estimate shows "[n, m]": the numbers of the published HRs (in :func:`citations_list`) with
non-zero weight in it, so every number on the page can be traced to its sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import dcc, html

from analysis.views.indirect.model import IndirectView
from analysis.views.indirect.rows import evidence_text
from components import provenance
from components.indirect.figure import cite_marks
from data import Registry

TABLE_CLASS = "escc-table escc-detail-table"
LEAGUE_CLASS = "escc-table escc-league-table"


def _table(
    head: Sequence[Any], body: Sequence[Sequence[Any]], class_name: str = TABLE_CLASS
) -> Any:
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in head])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in body]),
        ],
        className=class_name,
    )


def messages(view: IndirectView) -> Any:
    """The view's messages (disconnected network, fallback reference, phase 2 evidence …)."""
    alerts: list[Any] = []
    for text in view.messages:
        disconnected = text.startswith(("Splitting chemotherapy", "The network is disconnected"))
        alerts.append(
            dmc.Alert(
                text,
                color="yellow" if disconnected else "blue",
                title="Network disconnected" if disconnected else None,
            )
        )
    if view.status == "empty" and not alerts:
        alerts.append(dmc.Alert("Nothing to compare for this selection.", color="yellow"))
    return dmc.Stack(alerts, gap=6) if alerts else None


def league_table(view: IndirectView) -> Any:
    """Cell (row i, column j) = HR of regimen i vs regimen j (95 % CI) [cited HRs]."""
    if not view.league:
        return dmc.Text("No league table: no regimen can be compared here.", size="sm")
    ids = [n.id for n in view.nodes if n.component == 0]
    labels = {n.id: n.label for n in view.nodes}
    number = {node: i + 1 for i, node in enumerate(ids)}
    head: list[Any] = ["Row vs column", *(f"({number[n]})" for n in ids)]
    body: list[list[Any]] = []
    for a in ids:
        cells: list[Any] = [html.Span(f"({number[a]}) {labels[a]}")]
        for b in ids:
            if a == b:
                cells.append(html.Strong(f"({number[a]})"))
                continue
            cell = view.league_cell(a, b)
            excludes_one = cell.ci_upper < 1.0 or cell.ci_lower > 1.0
            value = html.Strong(cell.text) if excludes_one else html.Span(cell.text)
            cells.append(
                html.Span(
                    [value, html.Br(), html.Small(cite_marks(view, cell))],
                    title=f"{cell.treatment_label} vs {cell.comparator_label}: "
                    f"{evidence_text(cell)}",
                )
            )
        body.append(cells)
    return html.Div(
        [
            _table(head, body, LEAGUE_CLASS),
            dmc.Text(
                "Cell = hazard ratio of the row regimen vs the column regimen (95 % CI); HR < 1 "
                "favours the row regimen; bold = the interval excludes 1. [n] = the published "
                "HRs the estimate rests on (list below).",
                size="xs",
                c="dimmed",
            ),
        ],
        style={"overflowX": "auto"},
    )


def p_score_table(view: IndirectView) -> Any:
    if not view.p_scores:
        return None
    body = [
        [s.label, f"{s.p_score:.2f}", f"{s.rank_median:g} ({s.rank_lower:g}–{s.rank_upper:g})"]
        for s in view.p_scores
    ]
    return dmc.Stack(
        [
            _table(["Regimen", "P-score", "Median rank (95 % interval)"], body),
            dmc.Text(
                f"{view.p_score_caveat} They use every estimate of the network, so they rest on "
                f"all the published HRs listed below ([1]–[{len(view.citations)}]).",
                size="xs",
                c="dimmed",
            ),
        ],
        gap=4,
    )


def heterogeneity_block(view: IndirectView) -> Any:
    """The network's tau² (or why it is not estimable) and every contrast with >= 2 trials."""
    parts: list[Any] = []
    if view.network_heterogeneity is not None:
        parts.append(dmc.Text(view.network_heterogeneity.text, size="sm"))
    if view.heterogeneity:
        body = [
            [
                f"{h.label_a} vs {h.label_b}",
                str(h.k),
                f"{h.hr:.2f} ({h.ci_lower:.2f}–{h.ci_upper:.2f})",
                f"{h.tau2:.3g}",
                f"{h.i2_percent:.0f} %",
                f"{h.q:.2f}" + (f" (p = {h.q_p_value:.3f})" if h.q_p_value is not None else ""),
                "[" + ", ".join(str(view.citation_number(k)) for k in h.evidence_keys) + "]",
            ]
            for h in view.heterogeneity
        ]
        head = ["Comparison", "Trials", "Pooled HR (95 % CI)", "τ² (REML)", "I²", "Q", "HRs"]
        parts.append(_table(head, body))
    elif view.status != "empty":
        parts.append(
            dmc.Text(
                "No comparison here rests on two or more trials, so no pairwise heterogeneity "
                "can be measured.",
                size="sm",
                c="dimmed",
            )
        )
    return dmc.Stack(parts, gap=6)


def excluded_block(view: IndirectView) -> Any:
    """What cannot be compared, and why; single-arm studies link to the survival view."""
    items: list[Any] = []
    for x in view.excluded:
        children: list[Any] = [html.Strong(x.trial_name), f": {x.reason}."]
        if x.link:
            children += [
                " ",
                dcc.Link("Open its unanchored comparisons in the survival view", href=x.link),
                ".",
            ]
        items.append(html.Li(children))
    skipped = [html.Li(f"{s.text} — not used: {s.reason}.") for s in view.skipped]
    blocks: list[Any] = [html.Ul(items)] if items else []
    if skipped:
        blocks.append(
            dmc.Accordion(
                dmc.AccordionItem(
                    [
                        dmc.AccordionControl(f"Published HRs not used ({len(skipped)})"),
                        dmc.AccordionPanel(html.Ul(skipped)),
                    ],
                    value="skipped",
                )
            )
        )
    return dmc.Stack(blocks, gap=6)


def citations_list(registry: Registry, view: IndirectView) -> Any:
    """The published HRs the estimates rest on, numbered as cited, with their sources."""
    if not view.citations:
        return None
    items = []
    for c in view.citations:
        trial = registry.trial(c.trial_id)
        source: list[Any] = [" ", provenance.source_badge(c.source_level)]
        if c.source_ref:
            source += [" ", *provenance.citation_links(trial, [c.source_ref])]
        items.append(html.Li([html.Code(c.key), " ", c.text, *source]))
    return html.Ol(items)


def caption(registry: Registry, view: IndirectView) -> Any:
    return provenance.caption(
        [],
        data_version=registry.data_version,
        notes=[view.method, *view.caveats],
    )
