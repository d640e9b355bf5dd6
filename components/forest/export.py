"""The forest chart for the export layer: validated figure, footnote and the CSV rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from analysis.views.forest import SPEC, ForestModel, ForestState, build
from analysis.views.forest.model import FIXED_LABEL, heterogeneity_text
from components.export.bundle import ExportBundle, bundle_rows
from components.export.footnote import Footnote
from components.forest.figure import footnote_for, forest_export_figure
from data import Registry

if TYPE_CHECKING:
    import plotly.graph_objects as go

CSV_COLUMNS: tuple[str, ...] = (
    "row",
    "trial",
    "comparison",
    "endpoint",
    "population_key",
    "population",
    "analysis",
    "hazard_ratio",
    "ci_lower",
    "ci_upper",
    "ci_level_percent",
    "se_log_hr",
    "p_as_printed",
    "p_sided",
    "pooled",
    "weight_percent",
    "not_pooled_reason",
    "n_experimental",
    "n_control",
    "source_level",
    "source_locator",
)


def csv_rows(model: ForestModel) -> list[dict[str, object]]:
    """The numbers behind the figure, one dict per row (studies, then pooled estimates)."""
    state = model.state
    out: list[dict[str, object]] = []
    for r in model.rows:
        out.append(
            {
                "row": "study",
                "trial": r.trial_name,
                "comparison": f"{r.arm_label} vs {r.comparator_label}",
                "endpoint": state.endpoint,
                "population_key": state.population,
                "population": r.population_label,
                "analysis": r.analysis_label,
                "hazard_ratio": r.hazard_ratio,
                "ci_lower": r.ci_lower,
                "ci_upper": r.ci_upper,
                "ci_level_percent": r.ci_level_percent,
                "se_log_hr": r.study.se_log_hr if r.study else None,
                "p_as_printed": r.p_text,
                "p_sided": r.p_sided,
                "pooled": "yes" if r.pooled else "no",
                "weight_percent": r.weight_percent,
                "not_pooled_reason": r.not_pooled_reason or r.status_text,
                "n_experimental": r.n_experimental,
                "n_control": r.n_control,
                "source_level": r.source_level,
                "source_locator": r.locator,
            }
        )
    for label, res in ((model.method_label, model.random), (FIXED_LABEL, model.fixed)):
        if res is None:
            continue
        out.append(
            {
                "row": "pooled",
                "trial": label,
                "endpoint": state.endpoint,
                "population_key": state.population,
                "hazard_ratio": res.hr,
                "ci_lower": res.hr_ci_lower,
                "ci_upper": res.hr_ci_upper,
                "ci_level_percent": 100 * res.ci_level,
                "se_log_hr": res.se_log,
                "pooled": f"k = {res.k}",
                "not_pooled_reason": heterogeneity_text(res),
            }
        )
    return out


def figure_for(
    registry: Registry, state: ForestState
) -> tuple[go.Figure, Footnote, list[dict[str, object]]]:
    """(figure with its in-figure footnote, footnote, CSV rows) for a validated ``state``.

    Columns of the CSV rows: :data:`CSV_COLUMNS`.
    """
    model = build(registry, state)
    return forest_export_figure(registry, model), footnote_for(registry, model), csv_rows(model)


def export_title(registry: Registry, query: Mapping[str, str]) -> str:
    """The title :func:`export_bundle` gives the same query."""
    state, _problems = SPEC.from_query(registry, query)
    return build(registry, state).title


def export_bundle(registry: Registry, query: Mapping[str, str]) -> ExportBundle:
    """The chart as the export layer wants it, rebuilt from the page's query (defaults for
    anything the query gets wrong, exactly as the page shows it); validated once, built once."""
    state, _problems = SPEC.from_query(registry, query)
    model = build(registry, state)
    return ExportBundle(
        kind="forest",
        title=model.title,
        figure=forest_export_figure(registry, model),
        footnote=footnote_for(registry, model),
        columns=CSV_COLUMNS,
        rows=bundle_rows(csv_rows(model)),
        subject=tuple(r.trial_name for r in model.rows if r.pooled),
        endpoint=state.endpoint,
        population=state.population,
    )
