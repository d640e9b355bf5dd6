"""Page layout of the Trials view (state from the URL through :data:`SPEC`, once)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_mantine_components as dmc
from dash import dcc, html

from analysis.views.trials import SECTION_LABELS, SECTIONS, SPEC, build
from components import ids
from components.page import link_notice, page_header, state_from_link
from components.trials.tables import COMPLETENESS_TEXT, catalogue_table, detail_card
from data import Registry

#: Download choices: (export format, label). The data package is the CSV plus its
#: datapackage.json (Frictionless) in one zip; "datapackage.json" alone describes a CSV
#: downloaded separately.
DOWNLOADS: tuple[tuple[str, str], ...] = (
    ("csv", "CSV"),
    ("zip", "Data package (CSV + datapackage.json, zip)"),
    ("datapackage", "datapackage.json"),
    ("json", "JSON"),
)
FORMATS = tuple(f for f, _label in DOWNLOADS)


def layout(registry: Registry, query: Mapping[str, str]) -> Any:
    state, problems = state_from_link(SPEC, registry, query)
    model = build(registry, state)
    options = [{"value": t.id, "label": t.display_name} for t in registry.trials]
    return dmc.Stack(
        [
            *page_header(
                "Trials",
                f"{model.trial_count} trials, every number cited. Headline values are the "
                "ones each data file flags as headline; the badge shows the source level.",
                url=ids.TRIALS_URL,
            ),
            html.Div(link_notice(problems), id=ids.TRIALS_NOTICE),
            dmc.Group(
                [
                    dmc.MultiSelect(
                        id=ids.TRIALS_CLASS_FILTER,
                        label="Regimen classes",
                        data=[{"value": c, "label": c} for c in model.classes],
                        value=list(state.classes),
                        clearable=True,
                        w=520,
                    ),
                    dmc.SegmentedControl(
                        id=ids.EVIDENCE_DOWNLOAD_FORMAT,
                        data=[{"value": f, "label": label} for f, label in DOWNLOADS],
                        value="csv",
                    ),
                    dmc.Button(
                        "Download the evidence table",
                        id=ids.EVIDENCE_DOWNLOAD_BUTTON,
                        variant="light",
                    ),
                    dcc.Download(id=ids.EVIDENCE_DOWNLOAD),
                ],
                align="flex-end",
            ),
            dmc.Text(
                "Click a row to open the trial's detail below the table.",
                size="xs",
                c="dimmed",
            ),
            # The catalogue scrolls in its own box, so the detail below it stays in reach.
            html.Div(
                catalogue_table(model.catalogue), id=ids.TRIALS_TABLE, className="escc-scroll-box"
            ),
            dmc.Text(COMPLETENESS_TEXT, size="xs", c="dimmed"),
            dmc.Select(
                id=ids.TRIALS_DETAIL_SELECT,
                label="Trial detail",
                placeholder="Choose a trial to see every number with its citation",
                data=options,
                value=state.trial,
                clearable=True,
                searchable=True,
                w=520,
            ),
            dmc.SegmentedControl(
                id=ids.TRIALS_DETAIL_SECTION,
                data=[{"value": g, "label": SECTION_LABELS[g]} for g in SECTIONS],
                value=state.section,
            ),
            html.Div(detail_card(model.detail) if model.detail else None, id=ids.TRIALS_DETAIL),
        ],
        gap="md",
    )
