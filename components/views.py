"""The app's panels, in navigation order. The first one is the landing page.

Each entry is a :class:`components.panel.Panel` built from its panel's own functions: panels are
imported directly (never looked up by name), so a broken panel fails start-up loudly and the
layer test sees every dependency.
"""

from __future__ import annotations

from components import addcurve, forest, indirect, response, safety, survival, trials
from components.panel import ChartExport, Panel

PANELS: tuple[Panel, ...] = (
    Panel(
        key="trials",
        path="/trials",
        label="Trials",
        description="Catalogue of every trial and arm, with each number's citation.",
        layout=trials.layout,
        register_callbacks=trials.register_callbacks,
    ),
    Panel(
        key="survival",
        path="/survival",
        label="Survival",
        description=(
            "Kaplan–Meier curves of progression-free and overall survival, reconstructed from "
            "the publications, across trials and PD-L1 subgroups."
        ),
        layout=survival.layout,
        register_callbacks=survival.register_callbacks,
        exports=(
            ChartExport(
                "survival-km",
                survival.export_bundle,
                patient_data=True,
                title=survival.export_title,
            ),
        ),
        validation_components=survival.validation_components,
        layout_by_query=False,  # names the link's user-supplied curves from their store
    ),
    Panel(
        key="forest",
        path="/subgroups",
        label="Subgroups & forest",
        description=(
            "Published hazard ratios by PD-L1 subgroup, trial by trial, with pooled estimates "
            "within one scoring system."
        ),
        layout=forest.layout,
        register_callbacks=forest.register_callbacks,
        exports=(ChartExport("forest", forest.export_bundle, title=forest.export_title),),
    ),
    Panel(
        key="indirect",
        path="/indirect",
        label="Indirect comparisons",
        description=(
            "Anchored comparisons of first-line regimens through their shared chemotherapy "
            "control: network graph, league table and forests, each number with its sources."
        ),
        layout=indirect.layout,
        register_callbacks=indirect.register_callbacks,
        exports=(
            ChartExport(
                indirect.CHART_NETWORK, indirect.network_bundle, title=indirect.network_title
            ),
            ChartExport(
                indirect.CHART_REFERENCE, indirect.reference_bundle, title=indirect.reference_title
            ),
            ChartExport(indirect.CHART_COMMON, indirect.common_bundle, title=indirect.common_title),
        ),
    ),
    Panel(
        key="safety",
        path="/safety",
        label="Safety",
        description="Adverse events by harmonised term, with definitions and denominators.",
        layout=safety.layout,
        register_callbacks=safety.register_callbacks,
        exports=(ChartExport("safety", safety.export_bundle, title=safety.export_title),),
    ),
    Panel(
        key="response",
        path="/response",
        label="Response",
        description="Objective response, disease control and complete response with exact CIs.",
        layout=response.layout,
        register_callbacks=response.register_callbacks,
        exports=(ChartExport("response", response.export_bundle, title=response.export_title),),
    ),
    Panel(
        key="addcurve",
        path="/add-curve",
        label="Add a curve",
        description=(
            "Drop a Kaplan–Meier figure or a digitised CSV, confirm what was read, and see the "
            "curve beside the published trials (user-supplied)."
        ),
        layout=addcurve.layout,
        register_callbacks=addcurve.register_callbacks,
        validation_components=addcurve.validation_components,
    ),
)


def default_views() -> tuple[Panel, ...]:
    """The panels the app serves (kept as a function: tests and the app ask for it)."""
    return PANELS
