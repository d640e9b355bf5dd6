"""From the Survival model to the KM chart builder's inputs, and the chart's provenance.

The screen gets the figure as a plain dict (:func:`screen_figure`, no plotly validation) without
the in-figure footnote — the caption under the graph carries the same sources with links. Exports
get a validated ``go.Figure`` with the footnote drawn in (:func:`export_figure`); otherwise the
two are the same figure.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from analysis.views.survival import PublishedHR, ShownCurve, SurvivalModel
from components import provenance
from components.charts.km import KMCurve, KMOptions, KMPublished, build_km_figure, km_figure_dict
from components.charts.theme import escape_plotly_text
from components.export.footnote import Footnote, SourceRef, wrap_lines
from data import Registry

#: Characters per footnote line in exported images.
FOOTNOTE_LINE_CHARS = 160


Colours = dict[tuple[str, str], tuple[str, str]]

#: (colour, dash) of user-supplied curves, in the order they are drawn: dash patterns no shipped
#: arm uses first, so a user curve is told apart from evidence without reading the legend.
USER_STYLES: tuple[tuple[str, str], ...] = (
    ("#7b2cbf", "dashdot"),
    ("#b5179e", "longdashdot"),
    ("#6c757d", "dashdot"),
    ("#e76f51", "longdashdot"),
)


def user_style(index: int) -> tuple[str, str]:
    return USER_STYLES[index % len(USER_STYLES)]


def colour_of(colours: Colours, item: ShownCurve) -> tuple[str, str]:
    """(colour, dash) of an arm from :func:`components.provenance.arm_colours`: the same in
    every view and every export."""
    return colours[(item.trial.id, item.arm.id)]


def published_source(registry: Registry, pub: PublishedHR) -> str:
    """Short citation of a published HR (the trial's name when the row names no publication)."""
    trial = registry.trial(pub.trial_id)
    if pub.source_ref is None:
        return trial.name
    return SourceRef.from_publication(trial.publication(pub.source_ref)).short


def publication_source(registry: Registry, trial_id: str, ref: str) -> str:
    """Short citation of one of a trial's publications, by its key."""
    return SourceRef.from_publication(registry.trial(trial_id).publication(ref)).short


def footnote_of(registry: Registry, model: SurvivalModel) -> Footnote:
    refs = [(item.trial, ref) for item in model.curves for ref in item.curve.inputs.source_refs]
    refs += [
        (registry.trial(m.trial_id), ref) for m in model.markers for ref in m.summary.source_refs
    ]
    return provenance.footnote_for(
        refs,
        data_version=registry.data_version,
        grades=[(item.label, item.curve.grade) for item in model.curves]
        + [(item.label, item.curve.grade) for item in model.user_curves],
        cross_trial=model.cross_trial,
        caveats=model.caveats,
    )


def _footnote_text(footnote: Footnote) -> str:
    lines = wrap_lines(footnote.lines(), FOOTNOTE_LINE_CHARS)
    return "<br>".join(escape_plotly_text(line) for line in lines)


def published_points(registry: Registry, model: SurvivalModel) -> list[KMPublished]:
    """Arms without a curve as their published median and landmark markers (arm colours)."""
    looks = provenance.arm_looks(registry)
    out = []
    for marker in model.markers:
        trial_id, arm_id = marker.token.split(":", 1)
        summary = marker.summary
        med = summary.median
        median = None
        lines = [marker.label, f"{marker.analysis_label} — published, no curve"]
        if med is not None:
            lines.append(f"Median {med.text(' mo')}")
            if med.value is not None:
                median = (med.value, med.ci_lower, med.ci_upper)
        for lm in summary.landmarks:
            lines.append(f"{lm.time_months:g}-month rate {lm.rate.text('%')}")
        landmarks = tuple(
            (
                lm.time_months,
                lm.rate.value or 0.0,
                lm.rate.ci_lower,
                lm.rate.ci_upper,
            )
            for lm in summary.landmarks
            if lm.rate.value is not None
        )
        out.append(
            KMPublished(
                key=marker.token,
                label=marker.label,
                colour=looks[(trial_id, arm_id)].colour,
                median=median,
                landmarks=landmarks,
                hover="<br>".join(escape_plotly_text(line) for line in lines),
            )
        )
    return out


def km_inputs(
    registry: Registry, model: SurvivalModel, footnote: Footnote | None
) -> tuple[list[KMCurve], KMOptions]:
    state = model.state
    colours = provenance.arm_colours(registry)
    # Curated arms in their colours, then user-supplied curves in theirs; both kinds carry the
    # same token, label, summary and grade.
    styled: list[tuple[Any, tuple[str, str]]] = [
        (item, colour_of(colours, item)) for item in model.curves
    ]
    styled += [(shown, user_style(k)) for k, shown in enumerate(model.user_curves)]
    curves = [
        KMCurve(
            key=shown.token,
            label=shown.label,
            table_label=shown.label,
            colour=colour,
            dash=dash,
            km=shown.summary.km,
            at_risk=shown.summary.at_risk,
            median=shown.summary.median,
            grade=shown.curve.grade,
        )
        for shown, (colour, dash) in styled
    ]
    options = KMOptions(
        endpoint_label=model.endpoint_label,
        show_ci=state.show_ci,
        show_censor_marks=state.show_censor,
        show_median_lines=state.show_median,
        show_at_risk=state.show_at_risk,
        x_max_months=model.x_max_months,
        tick_values_months=model.ticks_months,
        title=model.title,
        footnote=_footnote_text(footnote) if footnote is not None else None,
        empty_message=model.empty_message,
    )
    return curves, options


def screen_figure(registry: Registry, model: SurvivalModel) -> dict[str, Any]:
    """The figure for the page, as a plain dict (no per-element plotly validation)."""
    return km_figure_dict(*km_inputs(registry, model, None), published_points(registry, model))


def export_figure(registry: Registry, model: SurvivalModel, footnote: Footnote | None) -> go.Figure:
    """The figure for exports: validated, with the footnote drawn into it."""
    return build_km_figure(*km_inputs(registry, model, footnote), published_points(registry, model))
