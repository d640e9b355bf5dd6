"""The Survival chart for exports: rebuilt server-side from the page's URL query."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from analysis.views.survival import CSV_COLUMNS, SPEC, SurvivalModel, csv_rows
from analysis.views.survival.user import USER_TRIAL_NAME
from components.export.bundle import ExportBundle, bundle_rows
from components.export.footnote import Footnote
from components.export.tables import IpdArm
from components.survival import compute
from components.survival.figure import (
    export_figure,
    footnote_of,
    publication_source,
    published_source,
)
from data import Registry


def ipd_arms(model: SurvivalModel) -> tuple[IpdArm, ...]:
    """The reconstructed patient data drawn on the chart, one entry per curve."""
    return tuple(
        IpdArm(
            trial=item.trial.name,
            arm=item.arm.label,
            sample=item.curve.sample,
            grade=item.curve.grade,
        )
        for item in model.curves
    ) + tuple(
        IpdArm(trial=USER_TRIAL_NAME, arm=s.label, sample=s.sample, grade=s.curve.grade)
        for s in model.user_curves
    )


def rows_of(registry: Registry, model: SurvivalModel) -> list[dict[str, object]]:
    """The CSV rows (:data:`~analysis.views.survival.CSV_COLUMNS`) of the model."""
    return csv_rows(
        model,
        lambda pub: published_source(registry, pub),
        lambda trial_id, ref: publication_source(registry, trial_id, ref),
    )


def export_model(registry: Registry, query: Mapping[str, str]) -> SurvivalModel:
    """The model of the page's query, validated once as the page does (values outside the
    allow-lists fall back to their defaults)."""
    state, _problems = SPEC.from_query(registry, query)
    return compute.view_model(registry, state)


def figure_for(
    registry: Registry, query: Mapping[str, str]
) -> tuple[go.Figure, Footnote, list[dict[str, object]], tuple[IpdArm, ...]]:
    """The figure with its in-figure footnote, the footnote, the CSV rows and the IPD."""
    model = export_model(registry, query)
    footnote = footnote_of(registry, model)
    figure = export_figure(registry, model, footnote)
    return figure, footnote, rows_of(registry, model), ipd_arms(model)


def export_title(registry: Registry, query: Mapping[str, str]) -> str:
    """The title :func:`export_bundle` gives the same query."""
    return export_model(registry, query).title


def export_bundle(registry: Registry, query: Mapping[str, str]) -> ExportBundle:
    """The chart as the export layer wants it, with the reconstructed IPD attached."""
    model = export_model(registry, query)
    footnote = footnote_of(registry, model)
    ipd = ipd_arms(model)
    return ExportBundle(
        kind="km",
        title=model.title,
        figure=export_figure(registry, model, footnote),
        footnote=footnote,
        columns=CSV_COLUMNS,
        rows=bundle_rows(rows_of(registry, model)),
        subject=tuple(dict.fromkeys(arm.trial for arm in ipd)),
        endpoint=model.state.endpoint,
        population=model.state.population,
        ipd=ipd,
    )
