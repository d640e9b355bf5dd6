"""Markup for the Trials view, from :class:`analysis.views.trials.TrialsModel` parts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import html

from analysis.views.trials import SECTION_LABELS, SECTIONS, TrialDetail
from components import ids
from components.provenance import NR_NOT_REACHED, NR_NOT_REPORTED, source_badge
from data import CatalogueRow
from data.registry import COMPLETENESS_ITEMS, HeadlineValue

CATALOGUE_COLUMNS = (
    "Trial",
    "Arm",
    "Class",
    "N",
    "PD-L1 scoring",
    "ORR",
    "Median PFS",
    "Median OS",
    "Completeness",
)


def _headline(value: HeadlineValue | None) -> Any:
    if value is None:
        return dmc.Text(NR_NOT_REPORTED, size="xs", c="dimmed")
    if value.status == "not_reached":
        main = NR_NOT_REACHED
    elif value.value is None:
        return dmc.Text(NR_NOT_REPORTED, size="xs", c="dimmed")
    else:
        unit = "%" if value.unit == "%" else " mo"
        main = f"{value.value:g}{unit}"
    parts: list[Any] = [dmc.Text(main, size="sm", fw=600)]
    if value.ci_text:
        parts.append(dmc.Text(value.ci_text, size="xs", c="dimmed"))
    parts.append(source_badge(value.source_level))
    return dmc.Stack(parts, gap=0)


def _catalogue_row(row: CatalogueRow) -> Any:
    trial_cell = dmc.Stack(
        [
            dmc.Group(
                [
                    dmc.Text(row.trial_name, fw=700, size="sm"),
                    dmc.Badge("seed study", size="xs", color="grape") if row.focus else None,
                ],
                gap=4,
            ),
            dmc.Text(f"phase {row.phase} · {row.nct or 'NCT not reported'}", size="xs"),
        ],
        gap=0,
    )
    missing = ", ".join(row.missing) if row.missing else "nothing listed as missing"
    # A plain <tr> so a click on the row opens the trial's detail (callback ``open_row``).
    return html.Tr(
        id={"type": ids.TRIALS_ROW, "trial": row.trial_id, "arm": row.arm_id},
        n_clicks=0,
        className="escc-row-link",
        title=f"Open the detail of {row.trial_name}",
        children=[
            dmc.TableTd(trial_cell),
            dmc.TableTd(dmc.Text(f"{row.arm_label} ({row.role})", size="sm")),
            dmc.TableTd(dmc.Text(row.regimen_class, size="xs")),
            dmc.TableTd(str(row.n_randomised) if row.n_randomised is not None else NR_NOT_REPORTED),
            dmc.TableTd(dmc.Text(", ".join(row.pdl1_scoring) or NR_NOT_REPORTED, size="xs")),
            dmc.TableTd(_headline(row.orr)),
            dmc.TableTd(_headline(row.median_pfs)),
            dmc.TableTd(_headline(row.median_os)),
            dmc.TableTd(
                dmc.Tooltip(
                    dmc.Text(f"{row.completeness * 100:.0f}%", size="sm"),
                    label=f"Not reported in the sources: {missing}",
                    multiline=True,
                    w=320,
                )
            ),
        ],
    )


#: What the Completeness column means (shown under the table and in its header's hover).
COMPLETENESS_TEXT = (
    "Completeness: the share of the core items (" + ", ".join(COMPLETENESS_ITEMS) + ") that the "
    "stored sources report for this arm; hover a value for the items missing. It describes the "
    "reporting, not the quality of the trial."
)


def catalogue_table(rows: Sequence[CatalogueRow]) -> Any:
    if not rows:
        return dmc.Alert("No arm matches the chosen regimen classes.", color="gray")
    head = dmc.TableThead(
        dmc.TableTr(
            [
                dmc.TableTh(html.Span(h, title=COMPLETENESS_TEXT) if h == "Completeness" else h)
                for h in CATALOGUE_COLUMNS
            ]
        )
    )
    return dmc.Table(
        [head, dmc.TableTbody([_catalogue_row(r) for r in rows])],
        striped=True,
        highlightOnHover=True,
        withTableBorder=True,
        className="escc-table",
        fz="sm",
    )


def _publication(line: Any) -> Any:
    return dmc.Group(
        [
            source_badge(line.level),
            html.A(line.citation, href=line.link, target="_blank", rel="noopener noreferrer")
            if line.link
            else dmc.Text(line.citation, size="sm"),
        ],
        gap=6,
        wrap="nowrap",
        align="flex-start",
    )


def detail_card(detail: TrialDetail) -> Any:
    body = [
        html.Tr(
            [
                html.Td(r.measure),
                html.Td(r.arm),
                html.Td(r.population),
                html.Td(r.value, className="escc-value"),
                html.Td(r.ci),
                html.Td(r.source),
            ]
        )
        for r in detail.rows
    ]
    table = html.Table(
        [
            html.Thead(
                html.Tr(
                    [html.Th(h) for h in ("Measure", "Arm", "Population", "Value", "CI", "Source")]
                )
            ),
            html.Tbody(body),
        ],
        className="escc-table escc-detail-table",
    )
    shown = len(detail.rows)
    more = (
        dmc.Text(
            f"Showing {shown} of {detail.rows_in_section} numbers; download the evidence table "
            "for all.",
            size="xs",
            c="dimmed",
        )
        if detail.rows_in_section > shown
        else None
    )
    counts = dict(detail.section_counts)
    return dmc.Stack(
        [
            dmc.Title(detail.title, order=3),
            dmc.Text(detail.summary, size="sm"),
            dmc.Text(f"Region: {detail.region}", size="sm"),
            dmc.Text(f"Population: {detail.population}", size="sm"),
            dmc.Title("Publications", order=5),
            *(_publication(p) for p in detail.publications),
            dmc.Title("Arms", order=5),
            *(dmc.Text(a, size="sm") for a in detail.arms),
            dmc.Title("Analyses", order=5),
            *(dmc.Text(a, size="sm") for a in detail.analyses),
            dmc.Title(
                f"Every number: {SECTION_LABELS[detail.section]} "
                f"({detail.rows_in_section} of {detail.rows_in_trial})",
                order=5,
            ),
            dmc.Text(
                " · ".join(f"{SECTION_LABELS[g]} {counts[g]}" for g in SECTIONS),
                size="xs",
                c="dimmed",
            ),
            table,
            more,
        ],
        gap=6,
    )
