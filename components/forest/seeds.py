"""The seed studies' own subgroups section (static: it depends on the registry only).

:func:`seeds_block` is the section as plain data, built once per registry (at start-up, from
``register_callbacks``) and reused by every page: its ORR chart is a validated plotly figure,
which costs most of a page's layout time when built per request.
"""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import html

from analysis.views.cache import per_registry
from analysis.views.forest.seeds import SeedsModel, SeedTable, build_seeds
from components import ids, provenance
from components.forest.figure import seeds_figure
from components.forest.markup import plain
from components.forest.tables import table
from components.graph import graph
from data import Registry

INTRO = (
    "Both benmelstobart + anlotinib studies are single-arm: they have no randomised hazard "
    "ratio and cannot enter the forest above. Their subgroup results are shown as printed, with "
    "exact intervals where counts are printed."
)


def _seed_table(registry: Registry, item: SeedTable) -> list[Any]:
    trial = registry.trial(item.trial_id)
    body = [[r.label, r.n_text, r.orr_text, r.pfs_text, r.os_text] for r in item.rows]
    children: list[Any] = [
        html.H5(item.title),
        table(["Subgroup", "N", "ORR", "Median PFS", "Median OS"], body),
    ]
    if item.between_p:
        children.append(
            html.P(
                "Between-subgroup p-values as printed: " + "; ".join(item.between_p),
                className="escc-caption",
            )
        )
    children.append(
        provenance.caption(
            provenance.citation_links(trial, item.refs),
            data_version=registry.data_version,
            notes=["Single-arm study: no HR."],
        )
    )
    notes: list[Any] = []
    if item.assessed is not None:
        notes.append(item.assessed.text)
        if item.assessed.ref:
            cited = provenance.citation_links(trial, [item.assessed.ref])
            where = f", {item.assessed.locator}" if item.assessed.locator else ""
            notes += [" (", *cited, f"{where})"]
        notes.append(" ")
    notes += [f"{note} " for note in item.notes]
    if notes:
        children.append(html.P(notes, className="escc-caption"))
    return children


def seeds_section(registry: Registry, model: SeedsModel | None = None) -> Any:
    """Static section: the seed studies' own subgroups (ORR by CPS, signature, liver mets)."""
    seeds = model if model is not None else build_seeds(registry)
    children: list[Any] = [
        dmc.Title("The seed studies' own subgroups", order=3),
        dmc.Text(INTRO, size="sm"),
    ]
    chart = seeds_figure(registry, seeds)
    if chart is not None:
        figure, height = chart
        children.append(
            graph(ids.FOREST_SEED_GRAPH, figure, filename="escc-seed-subgroups", height=height)
        )
    for item in seeds.tables:
        children.extend(_seed_table(registry, item))
    return html.Div(dmc.Stack(children, gap="sm"), id=ids.FOREST_SEEDS)


@per_registry
def seeds_block(registry: Registry) -> Any:
    """:func:`seeds_section` as plain data, computed once per registry."""
    return plain(seeds_section(registry))
