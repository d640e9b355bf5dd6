"""The navigable views, in navigation order. The first one is the landing page."""

from __future__ import annotations

from components.shell import View


def default_views() -> tuple[View, ...]:
    return (
        View(
            key="trials",
            path="/trials",
            label="Trials",
            description="Catalogue of every trial and arm, with each number's citation.",
        ),
        View(
            key="survival",
            path="/survival",
            label="Survival",
            description=(
                "Kaplan–Meier curves of progression-free and overall survival, reconstructed "
                "from the publications, across trials and PD-L1 subgroups."
            ),
        ),
        View(
            key="forest",
            path="/subgroups",
            label="Subgroups & forest",
            description=(
                "Published hazard ratios by PD-L1 subgroup, trial by trial, with pooled "
                "estimates within one scoring system."
            ),
        ),
        View(
            key="safety",
            path="/safety",
            label="Safety",
            description="Adverse events by harmonised term, with definitions and denominators.",
        ),
        View(
            key="response",
            path="/response",
            label="Response",
            description="Objective response, disease control and complete response with exact CIs.",
        ),
    )
