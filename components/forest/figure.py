"""The forest view's charts from its models: the forest plot and the seeds' ORR chart.

The page gets plain figure dicts (:func:`forest_figure`): plotly's per-element validation is
the most expensive part of building a figure and the browser does not need it. Exports get the
validated ``go.Figure`` of the same dict (:func:`forest_export_figure`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from analysis.views.forest.model import (
    ACROSS_WARNING,
    FIXED_LABEL,
    ForestModel,
    TrialRow,
    heterogeneity_text,
)
from analysis.views.forest.seeds import SeedsModel
from components import provenance
from components.charts.forest import (
    FIXED_FILL,
    ForestOptions,
    ForestRow,
    PooledSummary,
    build_forest_figure,
    forest_figure_dict,
)
from components.charts.forest import figure_height_px as forest_height_px
from components.charts.response import (
    CI_FROM_COUNTS,
    ResponseOptions,
    ResponsePoint,
    response_figure_dict,
)
from components.charts.response import figure_height_px as response_height_px
from components.charts.theme import escape_plotly_text
from components.export.footnote import Footnote
from data import Registry

if TYPE_CHECKING:
    import plotly.graph_objects as go

#: Rows the forest figure adds to the trial rows (header, pooled diamonds, PI, heterogeneity).
EXTRA_ROWS = 6
NO_COLOUR = ("#000000", "solid")


def footnote_for(registry: Registry, model: ForestModel) -> Footnote:
    """Export footnote: the rows' sources, the caveats, the data version."""
    return provenance.footnote_for(
        [(registry.trial(t), ref) for t, ref in model.refs],
        data_version=registry.data_version,
        caveats=model.caveats,
    )


def _figure_label(row: TrialRow, rows: Sequence[TrialRow]) -> str:
    """One line per row: trial, analysis kind and cut-off (the arm only when a trial has two
    rows); the population and reasons are in the table under the figure and in the hover."""
    label = row.trial_name
    if sum(r.trial_id == row.trial_id for r in rows) > 1:
        label += f" ({row.arm_label})"
    if row.analysis_label:
        label += f" · {row.analysis_label.replace(' · ', ', ')}"
    return label


def _chart_n(text: str) -> str:
    """Compact N for the figure ("–" = not reported, explained in the footnote)."""
    if text == "N not reported":
        return "–"
    return (
        text.replace(" (NR = not reported)", "")
        .replace("NR", "–")
        .replace("(both arms)", "both arms")
    )


def _inputs(
    registry: Registry, model: ForestModel, with_footnote: bool
) -> tuple[list[ForestRow], list[PooledSummary], ForestOptions]:
    colours = provenance.arm_colours(registry)
    rows = [
        ForestRow(
            key=f"{r.trial_id}:{r.arm_id}",
            label=_figure_label(r, model.rows),
            detail=f"{r.arm_label} vs {r.comparator_label} · "
            + (r.population_label or "no matching population"),
            colour=colours.get((r.trial_id, r.arm_id), NO_COLOUR)[0],
            hazard_ratio=r.hazard_ratio,
            ci_lower=r.ci_lower,
            ci_upper=r.ci_upper,
            ci_level_percent=r.ci_level_percent,
            n_text=_chart_n(r.n_text),
            # The figure says "not reported"; the table under it gives the reason.
            status_text="not reported" if r.hazard_ratio is None else None,
            pooled=r.pooled,
            weight_percent=r.weight_percent,
            note=r.not_pooled_reason,
        )
        for r in model.rows
    ]
    pooled: list[PooledSummary] = []
    het = None
    if model.random is not None and model.fixed is not None:
        rand, fixed = model.random, model.fixed
        pooled.append(
            PooledSummary(
                key="random",
                label=model.method_label,
                hazard_ratio=rand.hr,
                ci_lower=rand.hr_ci_lower,
                ci_upper=rand.hr_ci_upper,
                ci_level_percent=100 * rand.ci_level,
                pi_lower=rand.pi_hr_lower,
                pi_upper=rand.pi_hr_upper,
                pi_level_percent=100 * rand.ci_level,
                pi_note="t with k−2 df",
            )
        )
        pooled.append(
            PooledSummary(
                key="fixed",
                label=FIXED_LABEL,
                hazard_ratio=fixed.hr,
                ci_lower=fixed.hr_ci_lower,
                ci_upper=fixed.hr_ci_upper,
                ci_level_percent=100 * fixed.ci_level,
                fill=FIXED_FILL,
            )
        )
        het = heterogeneity_text(rand)
    footnote = None
    if with_footnote:
        lines = footnote_for(registry, model).lines()
        footnote = "<br>".join(escape_plotly_text(line) for line in lines)
    options = ForestOptions(
        title=model.title,
        warning=ACROSS_WARNING if model.state.across else None,
        heterogeneity_text=het,
        footnote=footnote,
    )
    return rows, pooled, options


def forest_figure(registry: Registry, model: ForestModel) -> dict[str, Any]:
    """The page's forest plot: a plain dict, no in-figure footnote (the caption has it)."""
    return forest_figure_dict(*_inputs(registry, model, with_footnote=False))


def forest_export_figure(registry: Registry, model: ForestModel) -> go.Figure:
    """The export's forest plot: validated, with the footnote drawn inside the figure."""
    return build_forest_figure(*_inputs(registry, model, with_footnote=True))


def forest_height(model: ForestModel) -> str:
    return f"{forest_height_px(len(model.rows) + EXTRA_ROWS)}px"


def seeds_figure(registry: Registry, seeds: SeedsModel) -> tuple[dict[str, Any], str] | None:
    """The seeds' ORR chart (figure dict, height), or None when no section has a chart."""
    if not seeds.points:
        return None
    colours = provenance.arm_colours(registry)
    points = [
        ResponsePoint(
            p.key,
            p.label,
            p.detail,
            p.group,
            colours.get((p.trial_id, p.arm_id), NO_COLOUR)[0],
            p.rate_percent,
            p.ci_lower_percent,
            p.ci_upper_percent,
            95.0 if p.from_counts else None,
            CI_FROM_COUNTS if p.from_counts else None,
            p.count_text or "counts not reported",
            status_text=provenance.NR_NOT_REPORTED if p.rate_percent is None else None,
        )
        for p in seeds.points
    ]
    # The plain dict (no plotly validation: ~0.2 s at start-up; issue 11, session 5).
    figure = response_figure_dict(points, ResponseOptions(measure_label="Objective response rate"))
    n_rows = len(points) + len({p.group for p in points})
    return figure, f"{response_height_px(n_rows)}px"
