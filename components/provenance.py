"""Shared provenance and identity helpers for every panel.

* :func:`arm_looks` / :func:`arm_colours` — one colour (and dash / bar pattern) per arm for the
  whole app, keyed by arm, so an arm looks the same in every view and every export.
* :func:`source_badge`, :func:`citation_links`, :func:`caption` — how a panel shows where its
  numbers come from: source level as a badge (secondary sources stand out), short citations
  linking to DOI/PubMed over https only, and the data version.
* :func:`footnote_for` — the same provenance as an export footnote.
* :data:`CROSS_TRIAL_LABEL` — the one wording for unanchored comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import html

from analysis.views.cache import per_registry
from analysis.views.labels import CROSS_TRIAL_LABEL, NR_NOT_REACHED, NR_NOT_REPORTED  # noqa: F401 (re-exported)
from analysis.views.together import arm_order, shown_together
from components.charts.palette import ArmLook, assign_looks
from components.export.footnote import Footnote, SourceRef
from components.settings import APP_VERSION
from data import Registry

LEVEL_COLOURS = {
    "primary publication": "teal",
    "conference abstract": "blue",
    "registry record": "gray",
    "secondary summary": "orange",
}

LEVEL_SHORT = {
    "primary publication": "primary paper",
    "conference abstract": "abstract",
    "registry record": "registry",
    "secondary summary": "secondary",
    "source level not recorded": "level n/r",
}


@per_registry  # not lru_cache: hashing a Registry walks every trial (~12 ms)
def arm_looks(registry: Registry) -> dict[tuple[str, str], ArmLook]:
    """(trial_id, arm_id) -> :class:`ArmLook` (colour, dash, bar pattern), the same in every
    view for one registry; arms shown together by default get different colours where the
    palette allows (:func:`components.charts.palette.assign_looks`)."""
    return assign_looks(arm_order(registry), shown_together(registry))


@per_registry
def arm_colours(registry: Registry) -> dict[tuple[str, str], tuple[str, str]]:
    """(trial_id, arm_id) -> (colour, dash), from :func:`arm_looks`."""
    return {key: (look.colour, look.dash) for key, look in arm_looks(registry).items()}


def source_badge(level: str | None) -> Any:
    """A small badge naming the source level; secondary sources are visibly different."""
    text = level or "source level not recorded"
    # Short words fit narrow table columns (Mantine truncates long badge labels); the caption
    # and the Trials detail spell the level out in full.
    return dmc.Badge(
        LEVEL_SHORT.get(text, text),
        color=LEVEL_COLOURS.get(text, "red"),
        variant="light" if text != "secondary summary" else "filled",
        size="xs",
        className="escc-badge-secondary",
    )


def _https(link: str | None) -> str | None:
    return link if isinstance(link, str) and link.startswith("https://") else None


def citation_links(trial: Any, refs: Iterable[str]) -> list[Any]:
    """Short citations of ``trial``'s publications ``refs``, as https links where possible."""
    out: list[Any] = []
    seen: set[str] = set()
    for ref in refs:
        if ref in seen:
            continue
        seen.add(ref)
        pub = trial.publication(ref)
        short = SourceRef.from_publication(pub).short
        link = _https(getattr(pub, "link", None))
        out.append(
            html.A(short, href=link, target="_blank", rel="noopener noreferrer")
            if link
            else html.Span(short)
        )
    return out


def caption(
    parts: Sequence[Any],
    *,
    data_version: str,
    cross_trial: bool = False,
    notes: Sequence[str] = (),
) -> Any:
    """Caption under a chart: sources (already built), caveats, data version."""
    children: list[Any] = []
    if parts:
        children.append(html.Span("Sources: "))
        for i, part in enumerate(parts):
            if i:
                children.append(html.Span("; "))
            children.append(part)
        children.append(html.Span(". "))
    if cross_trial:
        children.append(html.Strong(CROSS_TRIAL_LABEL + ". "))
    for note in notes:
        children.append(html.Span(note + " "))
    children.append(html.Span(f"Data version {data_version}."))
    return html.Div(children, className="escc-caption")


def footnote_for(
    trial_refs: Iterable[tuple[Any, str]],
    *,
    data_version: str,
    grades: Sequence[tuple[str, str]] = (),
    cross_trial: bool = False,
    caveats: Sequence[str] = (),
) -> Footnote:
    """Export footnote from (trial, publication key) pairs, de-duplicated in order."""
    sources: list[SourceRef] = []
    seen: set[tuple[str, str]] = set()
    for trial, ref in trial_refs:
        key = (trial.id, ref)
        if key in seen:
            continue
        seen.add(key)
        sources.append(SourceRef.from_publication(trial.publication(ref)))
    return Footnote(
        sources=tuple(sources),
        data_version=data_version,
        app_version=f"v{APP_VERSION}",
        grades=tuple(grades),
        cross_trial=cross_trial,
        caveats=tuple(caveats),
    )
