"""Trials view: catalogue of every trial and arm, a detail card with every cited number, and
the downloadable evidence table.

State in the URL: ``?classes=<regimen class>|…&trial=<trial id>``. Values outside the registry's
allow-lists are dropped with a visible notice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, dcc, html, no_update

from components import ids
from components.provenance import NR_NOT_REACHED, NR_NOT_REPORTED, source_badge
from data.evidence import trial_rows
from data.export import export_bytes

# Regimen classes in the order clinicians think about them (chemo-free first).
CLASS_ORDER = (
    "ICI+TKI (chemo-free)",
    "dual ICI (chemo-free)",
    "ICI+TKI+chemo",
    "ICI+chemo",
    "TKI+chemo",
    "chemo",
    "placebo+chemo",
)
FORMATS = ("csv", "json")
MAX_DETAIL_ROWS = 250
SECTIONS = ("efficacy", "response", "safety", "design")
SECTION_LABELS = {
    "efficacy": "efficacy and curves",
    "response": "response",
    "safety": "adverse events",
    "design": "design, arms, baseline and gaps",
}


def _classes(registry: Any) -> list[str]:
    present = {arm.regimen_class for trial in registry.trials for arm in trial.arms}
    ordered = [c for c in CLASS_ORDER if c in present]
    return ordered + sorted(present - set(ordered))


def _valid_classes(registry: Any, value: object) -> tuple[list[str], list[str]]:
    allowed = _classes(registry)
    if value is None:
        return allowed, []
    items = value if isinstance(value, list) else [value]
    good = [v for v in items if isinstance(v, str) and v in allowed]
    bad = [str(v)[:40] for v in items if not (isinstance(v, str) and v in allowed)]
    return good, bad


def _headline(value: Any) -> Any:
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


def _catalogue_table(registry: Any, classes: Sequence[str]) -> Any:
    head = dmc.TableThead(
        dmc.TableTr(
            [
                dmc.TableTh(h)
                for h in (
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
            ]
        )
    )
    rows = []
    for row in registry.catalogue():
        if row.regimen_class not in classes:
            continue
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
        rows.append(
            dmc.TableTr(
                [
                    dmc.TableTd(trial_cell),
                    dmc.TableTd(dmc.Text(f"{row.arm_label} ({row.role})", size="sm")),
                    dmc.TableTd(dmc.Text(row.regimen_class, size="xs")),
                    dmc.TableTd(
                        str(row.n_randomised) if row.n_randomised is not None else NR_NOT_REPORTED
                    ),
                    dmc.TableTd(
                        dmc.Text(", ".join(row.pdl1_scoring) or NR_NOT_REPORTED, size="xs")
                    ),
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
                ]
            )
        )
    if not rows:
        return dmc.Alert("No arm matches the chosen regimen classes.", color="gray")
    return dmc.Table(
        [head, dmc.TableTbody(rows)],
        striped=True,
        highlightOnHover=True,
        withTableBorder=True,
        className="escc-table",
        fz="sm",
    )


def _fmt_value(row: Mapping[str, Any]) -> str:
    status = row.get("status")
    if status == "not_reported":
        reason = row.get("not_reported_reason") or "no reason recorded"
        return f"not reported ({reason})"
    if status == "not_reached":
        return NR_NOT_REACHED
    if status == "not_estimable":
        return "NE (not estimable)"
    value = row.get("value")
    if value is None:
        return row.get("value_text") or ""
    qualifier = row.get("qualifier") or ""
    unit = row.get("unit") or ""
    unit_text = "%" if unit == "%" else f" {unit}" if unit not in ("count", "ratio", "") else ""
    return f"{qualifier}{value:g}{unit_text}"


def _fmt_ci(row: Mapping[str, Any]) -> str:
    if row.get("ci_text"):
        return str(row["ci_text"])
    lo, hi, level = row.get("ci_lower"), row.get("ci_upper"), row.get("ci_level")
    if lo is None and hi is None:
        return ""
    return f"{lo:g}–{hi:g} ({level:g}% CI)" if level else f"{lo:g}–{hi:g}"


def _section_group(section: object) -> str:
    if section in ("efficacy", "curve"):
        return "efficacy"
    if section in ("response", "safety"):
        return str(section)
    return "design"


def _detail(registry: Any, trial_id: str, section: str = "efficacy") -> Any:
    trial = registry.trial(trial_id)
    pubs = []
    for pub in trial.publications:
        link = pub.link if isinstance(pub.link, str) and pub.link.startswith("https://") else None
        label = pub.citation
        pubs.append(
            dmc.Group(
                [
                    source_badge(pub.level),
                    html.A(label, href=link, target="_blank", rel="noopener noreferrer")
                    if link
                    else dmc.Text(label, size="sm"),
                ],
                gap=6,
                wrap="nowrap",
                align="flex-start",
            )
        )
    arms = [
        dmc.Text(
            f"{arm.label} — {arm.regimen.text} (N randomised: "
            f"{_fmt_value({'status': arm.n_randomised.status, 'value': arm.n_randomised.value})})",
            size="sm",
        )
        for arm in trial.arms
    ]
    analyses = [
        dmc.Text(
            f"{a.label} ({a.kind}); data cut-off {a.data_cutoff.date or 'not reported'}",
            size="sm",
        )
        for a in trial.analyses
    ]
    # Only this trial's rows: building the whole evidence table per request would be ~16x more.
    all_rows = list(trial_rows(trial))
    rows = [r for r in all_rows if _section_group(r.get("section")) == section]
    shown = rows[:MAX_DETAIL_ROWS]
    body = [
        html.Tr(
            [
                html.Td(
                    " · ".join(
                        str(x)
                        for x in (
                            r.get("endpoint"),
                            r.get("measure"),
                            r.get("item"),
                            r.get("grade_band"),
                        )
                        if x
                    )
                ),
                html.Td(r.get("arm_label") or "—"),
                html.Td(r.get("population_label") or "—"),
                html.Td(_fmt_value(r), className="escc-value"),
                html.Td(_fmt_ci(r)),
                html.Td(
                    "; ".join(
                        x
                        for x in (
                            r.get("locator") or "",
                            f"[{r.get('source_level') or 'source level not recorded'}]",
                            f"derived: {r['derivation']}" if r.get("derived") else "",
                            f"curation: {r['curation_note']}" if r.get("curation_note") else "",
                        )
                        if x
                    )
                ),
            ]
        )
        for r in shown
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
    more = (
        dmc.Text(
            f"Showing {len(shown)} of {len(rows)} numbers; download the evidence table for all.",
            size="xs",
            c="dimmed",
        )
        if len(rows) > len(shown)
        else None
    )
    counts = {
        g: sum(1 for r in all_rows if _section_group(r.get("section")) == g) for g in SECTIONS
    }
    return dmc.Stack(
        [
            dmc.Title(trial.display_name, order=3),
            dmc.Text(
                f"Phase {trial.phase} · {trial.nct or 'NCT not reported'} · {trial.design.text}",
                size="sm",
            ),
            dmc.Text(f"Region: {trial.region.text}", size="sm"),
            dmc.Text(f"Population: {trial.population.text}", size="sm"),
            dmc.Title("Publications", order=5),
            *pubs,
            dmc.Title("Arms", order=5),
            *arms,
            dmc.Title("Analyses", order=5),
            *analyses,
            dmc.Title(
                f"Every number: {SECTION_LABELS[section]} ({len(rows)} of {len(all_rows)})",
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


def layout(registry: Any, query: Mapping[str, str]) -> Any:
    notices: list[str] = []
    classes_raw = query.get("classes")
    classes, bad = _valid_classes(
        registry, classes_raw.split("|") if isinstance(classes_raw, str) else None
    )
    if bad:
        notices.append("regimen classes " + ", ".join(bad))
    trial_id = query.get("trial")
    if trial_id is not None and trial_id not in registry.trial_ids:
        notices.append("trial " + str(trial_id)[:40])
        trial_id = None
    section = query.get("section", "efficacy")
    if section not in SECTIONS:
        notices.append("section " + str(section)[:40])
        section = "efficacy"
    options = [{"value": t.id, "label": t.display_name} for t in registry.trials]
    return dmc.Stack(
        [
            dcc.Location(id=ids.TRIALS_URL, refresh=False),
            dmc.Title("Trials", order=2),
            dmc.Text(
                f"{len(registry.trials)} trials, every number cited. Headline values are the "
                "ones each data file flags as headline; the badge shows the source level.",
                size="sm",
                c="dimmed",
            ),
            dmc.Alert(
                "Some settings in the link were not recognised and were reset: "
                + "; ".join(notices),
                color="yellow",
                id=ids.TRIALS_NOTICE,
            )
            if notices
            else html.Div(id=ids.TRIALS_NOTICE),
            dmc.Group(
                [
                    dmc.MultiSelect(
                        id=ids.TRIALS_CLASS_FILTER,
                        label="Regimen classes",
                        data=[{"value": c, "label": c} for c in _classes(registry)],
                        value=classes,
                        clearable=True,
                        w=520,
                    ),
                    dmc.SegmentedControl(
                        id=ids.EVIDENCE_DOWNLOAD_FORMAT,
                        data=[{"value": f, "label": f.upper()} for f in FORMATS],
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
            html.Div(_catalogue_table(registry, classes), id=ids.TRIALS_TABLE),
            dmc.Select(
                id=ids.TRIALS_DETAIL_SELECT,
                label="Trial detail",
                placeholder="Choose a trial to see every number with its citation",
                data=options,
                value=trial_id,
                clearable=True,
                searchable=True,
                w=520,
            ),
            dmc.SegmentedControl(
                id=ids.TRIALS_DETAIL_SECTION,
                data=[{"value": g, "label": SECTION_LABELS[g]} for g in SECTIONS],
                value=section,
            ),
            html.Div(
                _detail(registry, trial_id, section) if trial_id else None, id=ids.TRIALS_DETAIL
            ),
        ],
        gap="md",
    )


def register_callbacks(app: Dash, registry: Any) -> None:
    @app.callback(
        Output(ids.TRIALS_TABLE, "children"),
        Input(ids.TRIALS_CLASS_FILTER, "value"),
        prevent_initial_call=True,
    )
    def filter_catalogue(value: object) -> Any:
        classes, bad = _valid_classes(registry, value if value is not None else [])
        if bad:
            return dmc.Alert("Invalid selection: unknown regimen class.", color="red")
        return _catalogue_table(registry, classes)

    @app.callback(
        Output(ids.TRIALS_DETAIL, "children"),
        Input(ids.TRIALS_DETAIL_SELECT, "value"),
        Input(ids.TRIALS_DETAIL_SECTION, "value"),
        prevent_initial_call=True,
    )
    def show_detail(value: object, section: object) -> Any:
        if value is None:
            return None
        if not isinstance(value, str) or value not in registry.trial_ids:
            return dmc.Alert("Invalid selection: unknown trial.", color="red")
        if not isinstance(section, str) or section not in SECTIONS:
            return dmc.Alert("Invalid selection: unknown section.", color="red")
        return _detail(registry, value, section)

    @app.callback(
        Output(ids.TRIALS_URL, "search"),
        Input(ids.TRIALS_CLASS_FILTER, "value"),
        Input(ids.TRIALS_DETAIL_SELECT, "value"),
        Input(ids.TRIALS_DETAIL_SECTION, "value"),
        prevent_initial_call=True,
    )
    def sync_url(classes_value: object, trial_value: object, section: object) -> Any:
        classes, bad = _valid_classes(registry, classes_value if classes_value else [])
        params: dict[str, str] = {}
        if not bad and classes and set(classes) != set(_classes(registry)):
            params["classes"] = "|".join(classes)
        if isinstance(trial_value, str) and trial_value in registry.trial_ids:
            params["trial"] = trial_value
        if isinstance(section, str) and section in SECTIONS and section != "efficacy":
            params["section"] = section
        return "?" + urlencode(sorted(params.items())) if params else ""

    @app.callback(
        Output(ids.EVIDENCE_DOWNLOAD, "data"),
        Input(ids.EVIDENCE_DOWNLOAD_BUTTON, "n_clicks"),
        State(ids.EVIDENCE_DOWNLOAD_FORMAT, "value"),
        prevent_initial_call=True,
    )
    def download(n_clicks: object, fmt: object) -> Any:
        if not isinstance(n_clicks, int) or isinstance(n_clicks, bool) or n_clicks < 1:
            return no_update
        if fmt not in FORMATS:
            return no_update
        payload = export_bytes(registry, fmt)  # type: ignore[arg-type]
        name = f"escc-evidence_{registry.data_version}.{fmt}"
        mime = "text/csv" if fmt == "csv" else "application/json"
        return dcc.send_bytes(payload, name, type=f"{mime}; charset=utf-8")
